"""The question log in a SQLite file (aiosqlite: the database work runs on a thread of its
own), in WAL mode. The embedded default: one file per process, no server to run."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import aiosqlite

from bot.storage import SCHEMA_VERSION, QuestionRow, Row, VoteRow, migration_statements

# How long one statement waits for another process's lock before failing. Only the
# background writer waits on it, never an answer.
BUSY_TIMEOUT_SECONDS = 2.0

# Statements migrating the schema from version N to N+1 (kept in PRAGMA user_version).
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE questions (
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
        )""",
        "CREATE INDEX questions_asked_at ON questions (asked_at)",
        """CREATE TABLE votes (
            question_id INTEGER NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
            user_hash TEXT NOT NULL,
            fact_id TEXT,
            vote TEXT NOT NULL CHECK (vote IN ('up', 'down', 'none')),
            voted_at REAL NOT NULL,
            PRIMARY KEY (question_id, user_hash)
        )""",
    ),
    ("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",),
)
assert len(MIGRATIONS) == SCHEMA_VERSION

INSERT_QUESTION = (
    "INSERT INTO questions (id, asked_at, surface, guild_id, channel_id, user_hash, question,"
    " outcome, fact_id, score, latency_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (id) DO NOTHING"  # a batch retried after its commit landed
)
UPSERT_VOTE = (
    "INSERT INTO votes (question_id, user_hash, fact_id, vote, voted_at)"
    " SELECT id, ?, ?, ?, ? FROM questions WHERE id = ?"
    " ON CONFLICT (question_id, user_hash)"
    " DO UPDATE SET vote = excluded.vote, fact_id = excluded.fact_id,"
    " voted_at = excluded.voted_at"
)
ROWS_SINCE = (
    "SELECT q.asked_at, q.surface, q.user_hash, q.question, q.outcome, q.fact_id,"
    " q.score, q.latency_ms,"
    " COALESCE(SUM(v.vote = 'up'), 0), COALESCE(SUM(v.vote = 'down'), 0),"
    " COALESCE(SUM(v.vote = 'none'), 0)"
    " FROM questions q LEFT JOIN votes v ON v.question_id = q.id"
    " WHERE q.asked_at >= ? GROUP BY q.id ORDER BY q.asked_at, q.id"
)

# Errors about the data itself: retrying the same row cannot help.
_DATA_ERRORS = (
    sqlite3.IntegrityError,
    sqlite3.DataError,
    sqlite3.ProgrammingError,
    sqlite3.InterfaceError,
    UnicodeError,
)


class SqliteStore:
    def __init__(self, path: Path | str, busy_timeout: float = BUSY_TIMEOUT_SECONDS) -> None:
        self.path = Path(path)
        self.busy_timeout = busy_timeout
        self.where = str(self.path)
        self._db: aiosqlite.Connection | None = None

    async def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Autocommit mode: transactions are begun explicitly, so a migration can hold the
        # write lock from reading the version to writing the new one.
        db = await aiosqlite.connect(self.path, timeout=self.busy_timeout, isolation_level=None)
        try:
            await db.execute("PRAGMA journal_mode=WAL")
            await db.execute("PRAGMA foreign_keys=ON")
            await self._migrate(db)
        except BaseException:
            await db.close()
            raise
        self._db = db

    @staticmethod
    async def _version(db: aiosqlite.Connection) -> int:
        async with db.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def _migrate(self, db: aiosqlite.Connection) -> None:
        """Bring the file to the current schema. Processes starting together on a new file
        take turns: the version is read again under the write lock, so only one creates."""
        if await self._version(db) == SCHEMA_VERSION:
            return  # the usual case, and it needs no write access (a read-only report)
        await db.execute("BEGIN IMMEDIATE")
        try:
            for statement in migration_statements(await self._version(db), MIGRATIONS):
                await db.execute(statement)
            await db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            await db.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                await db.execute("ROLLBACK")
            raise

    def _conn(self) -> aiosqlite.Connection:
        if self._db is None:
            raise sqlite3.OperationalError("the question log is not open")
        return self._db

    async def schema_version(self) -> int:
        return await self._version(self._conn())

    async def install_salt(self, proposed: str) -> str:
        db = self._conn()
        await db.execute(
            "INSERT OR IGNORE INTO meta (key, value) VALUES ('hash_salt', ?)", (proposed,)
        )
        async with db.execute("SELECT value FROM meta WHERE key = 'hash_salt'") as cursor:
            row = await cursor.fetchone()
        assert row is not None
        return str(row[0])

    async def write(self, questions: Sequence[QuestionRow], votes: Sequence[VoteRow]) -> None:
        db = self._conn()
        await db.execute("BEGIN IMMEDIATE")
        try:
            await db.executemany(
                INSERT_QUESTION,
                [q.params() for q in questions],
            )
            await db.executemany(
                UPSERT_VOTE,
                [(v.user_hash, v.fact_id, v.vote, v.voted_at, v.question_id) for v in votes],
            )
            await db.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error, ValueError):
                await db.execute("ROLLBACK")
            raise

    async def purge(self, before: float) -> int:
        cursor = await self._conn().execute("DELETE FROM questions WHERE asked_at < ?", (before,))
        return cursor.rowcount

    async def rows_since(self, since: float) -> list[Row]:
        async with self._conn().execute(ROWS_SINCE, (since,)) as cursor:
            return [Row(*r) for r in await cursor.fetchall()]

    async def close(self) -> None:
        db, self._db = self._db, None
        if db is not None:
            await db.close()

    def is_transient(self, exc: BaseException) -> bool:
        return not isinstance(exc, _DATA_ERRORS)
