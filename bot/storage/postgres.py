"""The question log in PostgreSQL, through asyncpg: one log for many processes or machines
(a sharded bot), set with BOT_DB_URL=postgresql://user:password@host:5432/database.

Connections come from a small bounded pool. Every wait is bounded too (connecting,
acquiring a connection, each statement), and a broken pool is dropped and rebuilt on the
next try, so a server that went away is picked up again when it returns.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

import asyncpg

from bot.storage import (
    SCHEMA_VERSION,
    QuestionRow,
    Row,
    UnusableStoreError,
    VoteRow,
    hide_password,
    is_postgres_url,
    migration_statements,
)

if TYPE_CHECKING:
    from asyncpg.pool import Pool

CONNECT_TIMEOUT_SECONDS = 5.0  # a host that does not answer at all
COMMAND_TIMEOUT_SECONDS = 10.0  # a statement stuck behind a lock or a busy server
CLOSE_TIMEOUT_SECONDS = 3.0
# Serialises migrations between processes starting together (any constant; this one
# spells "qalog").
MIGRATION_LOCK = 0x7161_6C6F_67

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE questions (
            id BIGINT PRIMARY KEY,
            asked_at DOUBLE PRECISION NOT NULL,
            surface TEXT NOT NULL,
            guild_id BIGINT,
            channel_id BIGINT,
            user_hash TEXT,
            question TEXT NOT NULL,
            outcome TEXT NOT NULL,
            fact_id TEXT,
            score DOUBLE PRECISION NOT NULL,
            latency_ms DOUBLE PRECISION NOT NULL
        )""",
        "CREATE INDEX questions_asked_at ON questions (asked_at)",
        """CREATE TABLE votes (
            question_id BIGINT NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
            user_hash TEXT NOT NULL,
            fact_id TEXT,
            vote TEXT NOT NULL CHECK (vote IN ('up', 'down', 'none')),
            voted_at DOUBLE PRECISION NOT NULL,
            PRIMARY KEY (question_id, user_hash)
        )""",
    ),
    ("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",),
)
assert len(MIGRATIONS) == SCHEMA_VERSION

INSERT_QUESTION = (
    "INSERT INTO questions (id, asked_at, surface, guild_id, channel_id, user_hash, question,"
    " outcome, fact_id, score, latency_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
    " ON CONFLICT (id) DO NOTHING"  # a batch retried after its commit landed
)
UPSERT_VOTE = (
    "INSERT INTO votes (question_id, user_hash, fact_id, vote, voted_at)"
    " SELECT id, $2, $3, $4, $5 FROM questions WHERE id = $1"
    " ON CONFLICT (question_id, user_hash)"
    " DO UPDATE SET vote = excluded.vote, fact_id = excluded.fact_id,"
    " voted_at = excluded.voted_at"
)
ROWS_SINCE = (
    "SELECT q.asked_at, q.surface, q.user_hash, q.question, q.outcome, q.fact_id,"
    " q.score, q.latency_ms,"
    " count(*) FILTER (WHERE v.vote = 'up'), count(*) FILTER (WHERE v.vote = 'down'),"
    " count(*) FILTER (WHERE v.vote = 'none')"
    " FROM questions q LEFT JOIN votes v ON v.question_id = q.id"
    " WHERE q.asked_at >= $1 GROUP BY q.id ORDER BY q.asked_at, q.id"
)
# SQLSTATE classes about the data or the statement, not the server: retrying cannot help.
# 22 data exception, 23 integrity constraint, 42 syntax error or access rule.
_DATA_ERROR_CLASSES = ("22", "23", "42")


class PostgresStore:
    def __init__(self, url: str, pool_size: int = 4) -> None:
        self._url = url
        self.where = hide_password(url)
        self.pool_size = pool_size
        self._pool: Pool | None = None

    async def open(self) -> None:
        if not is_postgres_url(self._url):
            raise UnusableStoreError("BOT_DB_URL must start with postgresql://")
        try:
            pool = await asyncpg.create_pool(
                self._url,
                min_size=0,  # no floor to keep up while the server is away
                max_size=self.pool_size,
                timeout=CONNECT_TIMEOUT_SECONDS,
                command_timeout=COMMAND_TIMEOUT_SECONDS,
            )
        except (ValueError, asyncpg.ClientConfigurationError) as exc:
            raise UnusableStoreError(f"cannot read BOT_DB_URL: {exc}") from exc
        try:
            async with pool.acquire(timeout=CONNECT_TIMEOUT_SECONDS) as conn:
                await self._migrate(conn)
        except BaseException:
            pool.terminate()
            raise
        self._pool = pool

    @staticmethod
    async def _version(conn: asyncpg.Connection) -> int:
        # A plain catalog query, not to_regclass(): that can answer from a cache still
        # missing a table another process has just created.
        exists = await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_tables"
            " WHERE schemaname = current_schema() AND tablename = 'schema_version')"
        )
        if not exists:
            return 0
        return int(await conn.fetchval("SELECT COALESCE(max(version), 0) FROM schema_version"))

    async def _migrate(self, conn: asyncpg.Connection) -> None:
        """Bring the database to the current schema; processes starting together take turns
        on an advisory lock, and the version is read again under it."""
        if await self._version(conn) == SCHEMA_VERSION:
            return
        async with conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
            statements = migration_statements(await self._version(conn), MIGRATIONS)
            if not statements:
                return  # another process migrated while this one waited for the lock
            await conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER)")
            for statement in statements:
                await conn.execute(statement)
            await conn.execute("DELETE FROM schema_version")
            await conn.execute("INSERT INTO schema_version VALUES ($1)", SCHEMA_VERSION)

    def _live_pool(self) -> Pool:
        if self._pool is None:
            raise asyncpg.InterfaceError("the question log is not connected")
        return self._pool

    async def schema_version(self) -> int:
        async with self._live_pool().acquire(timeout=CONNECT_TIMEOUT_SECONDS) as conn:
            return await self._version(conn)

    async def install_salt(self, proposed: str) -> str:
        async with self._live_pool().acquire(timeout=CONNECT_TIMEOUT_SECONDS) as conn:
            await conn.execute(
                "INSERT INTO meta (key, value) VALUES ('hash_salt', $1)"
                " ON CONFLICT (key) DO NOTHING",
                proposed,
            )
            return str(await conn.fetchval("SELECT value FROM meta WHERE key = 'hash_salt'"))

    async def write(self, questions: Sequence[QuestionRow], votes: Sequence[VoteRow]) -> None:
        async with (
            self._live_pool().acquire(timeout=CONNECT_TIMEOUT_SECONDS) as conn,
            conn.transaction(),
        ):
            if questions:
                await conn.executemany(
                    INSERT_QUESTION,
                    [q.params() for q in questions],
                )
            if votes:
                await conn.executemany(
                    UPSERT_VOTE,
                    [(v.question_id, v.user_hash, v.fact_id, v.vote, v.voted_at) for v in votes],
                )

    async def purge(self, before: float) -> int:
        async with self._live_pool().acquire(timeout=CONNECT_TIMEOUT_SECONDS) as conn:
            status = await conn.execute("DELETE FROM questions WHERE asked_at < $1", before)
        return int(status.rsplit(" ", 1)[-1])  # "DELETE 12"

    async def rows_since(self, since: float) -> list[Row]:
        async with self._live_pool().acquire(timeout=CONNECT_TIMEOUT_SECONDS) as conn:
            records = await conn.fetch(ROWS_SINCE, since)
        return [Row(*r) for r in records]

    async def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is None:
            return
        try:
            await asyncio.wait_for(pool.close(), CLOSE_TIMEOUT_SECONDS)
        except (TimeoutError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            with contextlib.suppress(Exception):
                pool.terminate()

    def is_transient(self, exc: BaseException) -> bool:
        if isinstance(exc, asyncpg.PostgresError):
            return not str(exc.sqlstate or "").startswith(_DATA_ERROR_CLASSES)
        # asyncpg's own DataError (a value that does not fit its column) is a ValueError.
        return not isinstance(exc, ValueError)
