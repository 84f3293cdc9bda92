"""The question log: every question asked, its outcome, and people's votes, in SQLite.

Writes go through aiosqlite (a thread of its own), so they never block the event loop, and
the database runs in WAL mode. Any database failure (locked, read-only, full, corrupt) is
logged and swallowed: the log is for curators, and must never stop the bot answering.
Users are stored only as a salted hash, enough to count distinct askers.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

import aiosqlite

from bot.reply import Reply

log = logging.getLogger(__name__)

SURFACES = ("slash", "prefix", "mention", "dm", "button", "console", "cli")

# Each entry migrates the schema from version N to N+1 (PRAGMA user_version).
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE questions (
        id INTEGER PRIMARY KEY,
        asked_at REAL NOT NULL,
        surface TEXT NOT NULL,
        guild_id INTEGER,
        channel_id INTEGER,
        user_hash TEXT,
        question TEXT NOT NULL,
        outcome TEXT NOT NULL,
        fact_id TEXT,
        score REAL NOT NULL,
        latency_ms REAL NOT NULL
    );
    CREATE INDEX questions_asked_at ON questions (asked_at);
    CREATE TABLE votes (
        question_id INTEGER NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
        user_hash TEXT NOT NULL,
        fact_id TEXT,
        vote TEXT NOT NULL CHECK (vote IN ('up', 'down', 'none')),
        voted_at REAL NOT NULL,
        PRIMARY KEY (question_id, user_hash)
    );
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


def hash_user(user_id: int | str | None, salt: str) -> str | None:
    if user_id is None:
        return None
    return hmac.new(salt.encode(), str(user_id).encode(), hashlib.sha256).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class Asked:
    """Where a question came from."""

    surface: str
    user_id: int | str | None = None
    guild_id: int | None = None
    channel_id: int | None = None


@dataclass(frozen=True, slots=True)
class Row:
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


class QuestionLog:
    def __init__(self, path: Path | str, salt: str, retention_days: int = 0) -> None:
        self.path = Path(path)
        self._salt = salt
        self.retention_days = retention_days
        self._db: aiosqlite.Connection | None = None
        self.failures = 0  # database errors swallowed so far (for tests and health checks)

    @property
    def connection(self) -> aiosqlite.Connection | None:
        return self._db

    async def open(self) -> bool:
        """Open (creating the file and folder) and migrate; False when the database is unusable."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = await aiosqlite.connect(self.path, timeout=2.0)
            await self._db.execute("PRAGMA journal_mode=WAL")
            await self._db.execute("PRAGMA foreign_keys=ON")
            await self._migrate(self._db)
            await self.purge()
            return True
        except (OSError, sqlite3.Error) as exc:
            self._failed("open", exc)
            if self._db is not None:
                await self._db.close()
                self._db = None
            return False

    @staticmethod
    async def _migrate(db: aiosqlite.Connection) -> None:
        """Bring the file to the current schema, one version at a time."""
        async with db.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        version = int(row[0]) if row else 0
        if version > SCHEMA_VERSION:
            raise sqlite3.DatabaseError(
                f"schema version {version} is newer than this bot knows ({SCHEMA_VERSION})"
            )
        for number in range(version, SCHEMA_VERSION):
            await db.executescript(
                f"BEGIN; {MIGRATIONS[number]} PRAGMA user_version = {number + 1}; COMMIT;"
            )

    async def close(self) -> None:
        if self._db is not None:
            try:
                await self._db.close()
            except sqlite3.Error as exc:
                self._failed("close", exc)
            self._db = None

    def _failed(self, action: str, exc: BaseException) -> None:
        self.failures += 1
        log.error("question log %s failed (%s): %s; answering goes on", action, self.path, exc)

    def user_hash(self, user_id: int | str | None) -> str | None:
        return hash_user(user_id, self._salt)

    async def record(self, reply: Reply, asked: Asked, latency_ms: float) -> int | None:
        """Store one question; its row id, or None when the database failed."""
        if self._db is None:
            return None
        try:
            cursor = await self._db.execute(
                "INSERT INTO questions (asked_at, surface, guild_id, channel_id, user_hash,"
                " question, outcome, fact_id, score, latency_ms)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    time.time(),
                    asked.surface,
                    asked.guild_id,
                    asked.channel_id,
                    self.user_hash(asked.user_id),
                    reply.question[:4000],
                    reply.outcome.value,
                    reply.fact.id if reply.fact else None,
                    reply.score,
                    latency_ms,
                ),
            )
            await self._db.commit()
            return cursor.lastrowid
        except sqlite3.Error as exc:
            self._failed("write", exc)
            return None

    async def vote(
        self, question_id: int, user_id: int | str, fact_id: str | None, vote: str
    ) -> bool:
        """Record or change one user's vote on one answer ('up', 'down' or 'none')."""
        if self._db is None:
            return False
        try:
            await self._db.execute(
                "INSERT INTO votes (question_id, user_hash, fact_id, vote, voted_at)"
                " SELECT id, ?, ?, ?, ? FROM questions WHERE id = ?"
                " ON CONFLICT (question_id, user_hash)"
                " DO UPDATE SET vote = excluded.vote, fact_id = excluded.fact_id,"
                " voted_at = excluded.voted_at",
                (self.user_hash(user_id), fact_id, vote, time.time(), question_id),
            )
            await self._db.commit()
            return True
        except sqlite3.Error as exc:
            self._failed("vote", exc)
            return False

    async def purge(self) -> int:
        """Delete questions (and their votes) older than the retention period."""
        if self._db is None or self.retention_days <= 0:
            return 0
        try:
            cutoff = time.time() - self.retention_days * 86_400
            cursor = await self._db.execute("DELETE FROM questions WHERE asked_at < ?", (cutoff,))
            await self._db.commit()
            return cursor.rowcount
        except sqlite3.Error as exc:
            self._failed("purge", exc)
            return 0

    async def rows_since(self, since: float) -> list[Row] | None:
        """Questions asked since a unix time, with their vote counts; None on failure."""
        if self._db is None:
            return None
        query = (
            "SELECT q.asked_at, q.surface, q.user_hash, q.question, q.outcome, q.fact_id,"
            " q.score, q.latency_ms,"
            " COALESCE(SUM(v.vote = 'up'), 0), COALESCE(SUM(v.vote = 'down'), 0),"
            " COALESCE(SUM(v.vote = 'none'), 0)"
            " FROM questions q LEFT JOIN votes v ON v.question_id = q.id"
            " WHERE q.asked_at >= ? GROUP BY q.id ORDER BY q.id"
        )
        try:
            async with self._db.execute(query, (since,)) as cursor:
                return [Row(*r) for r in await cursor.fetchall()]
        except sqlite3.Error as exc:
            self._failed("read", exc)
            return None
