"""Where the question log keeps its rows: one small interface, two backends.

SQLite (`bot.storage.sqlite`) is the embedded default, one file per process. PostgreSQL
(`bot.storage.postgres`, through asyncpg) is for several processes or machines writing one
log, e.g. a sharded bot. Both keep the same schema, versioned the same way, so the report
and the tests do not care which one they talk to.

A store only stores: it may be slow or fail. `bot.questionlog.QuestionLog` stands in front
of it so that no answer ever waits for it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

# The schema's version history, shared by both backends (each keeps its own DDL):
#   1  questions and votes
#   2  meta (key, value): the per-install salt for hashing users when none is configured
SCHEMA_VERSION = 2


class UnusableStoreError(Exception):
    """A failure that retrying cannot fix (a malformed URL, a schema newer than this bot)."""


def migration_statements(version: int, migrations: Sequence[Sequence[str]]) -> list[str]:
    """The statements bringing a schema at `version` to SCHEMA_VERSION, in order; none when
    it is current. Each backend reads the version and runs these under its own lock."""
    if version > SCHEMA_VERSION:
        raise UnusableStoreError(
            f"schema version {version} is newer than this bot knows ({SCHEMA_VERSION})"
        )
    return [statement for step in migrations[version:SCHEMA_VERSION] for statement in step]


@dataclass(frozen=True, slots=True)
class QuestionRow:
    """One question, ready to store: the user is already a salted hash."""

    id: int  # chosen before writing, so buttons can carry it while the write is pending
    asked_at: float
    surface: str
    guild_id: int | None
    channel_id: int | None
    user_hash: str | None
    question: str
    outcome: str
    fact_id: str | None
    score: float
    latency_ms: float

    def params(self) -> tuple[object, ...]:
        """The values in the order of both backends' INSERT_QUESTION columns."""
        return (
            self.id,
            self.asked_at,
            self.surface,
            self.guild_id,
            self.channel_id,
            self.user_hash,
            self.question,
            self.outcome,
            self.fact_id,
            self.score,
            self.latency_ms,
        )


@dataclass(frozen=True, slots=True)
class VoteRow:
    question_id: int
    user_hash: str
    fact_id: str | None
    vote: str  # 'up', 'down' or 'none'
    voted_at: float


@dataclass(frozen=True, slots=True)
class Row:
    """A stored question with its vote counts, as the report reads it."""

    asked_at: float
    surface: str
    user_hash: str | None
    question: str
    outcome: str
    fact_id: str | None
    score: float
    latency_ms: float
    votes_up: int
    votes_down: int
    votes_none: int


class Store(Protocol):
    where: str  # for messages: the file, or the URL without its password

    async def open(self) -> None:
        """Connect and bring the schema to SCHEMA_VERSION; raises when it cannot."""

    async def install_salt(self, proposed: str) -> str:
        """The salt stored with the log, storing `proposed` first when there is none yet."""

    async def write(self, questions: Sequence[QuestionRow], votes: Sequence[VoteRow]) -> None:
        """Store questions, then votes (a vote on an unknown question is ignored), in one
        transaction."""

    async def purge(self, before: float) -> int:
        """Delete questions (and their votes) asked before a unix time; how many."""

    async def rows_since(self, since: float) -> list[Row]:
        """Questions asked since a unix time, oldest first, with their vote counts."""

    async def schema_version(self) -> int: ...

    async def close(self) -> None: ...

    def is_transient(self, exc: BaseException) -> bool:
        """Whether retrying may succeed (locked, down, full) rather than the data being bad."""


def is_postgres_url(url: str) -> bool:
    return url.split("://", 1)[0].lower() in {"postgresql", "postgres"}


def hide_password(url: str) -> str:
    """The URL as it may be shown in a log line: any password replaced by ***."""
    url = re.sub(r"(?i)([?&]password=)[^&]*", r"\1***", url)
    scheme, sep, rest = url.partition("://")
    before_query, query_sep, query = rest.partition("?")
    if not sep or "@" not in before_query:
        return url
    auth, _, host = before_query.rpartition("@")
    user, colon, _password = auth.partition(":")
    return f"{scheme}://{user}{':***' if colon else ''}@{host}{query_sep}{query}"
