"""The question log: every question asked, its outcome, and people's votes.

No answer ever waits for it. `record` and `vote` only put the row in a bounded queue in
memory and return at once; one background writer stores what is queued in batches, in
the SQLite file (the default) or in PostgreSQL (BOT_DB_URL). When the database is locked,
down, slow or full, the writer keeps the rows and retries with a growing pause, logging
one line when the trouble starts and one when it ends, never one per question. When the
queue is full, new rows are dropped and counted (the rows already waiting are older and
just as real, and keeping them needs no reordering). A row the database refuses as bad
data is dropped and counted, so one bad row cannot block the rest.

Users are stored only as a salted hash, enough to count distinct askers. The salt is
BOT_HASH_SALT, or else a random one made on first use and kept with the log.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import re
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.reply import Reply
from bot.storage import QuestionRow, Row, Store, UnusableStoreError, VoteRow
from bot.textnorm import MAX_QUESTION_CHARS

if TYPE_CHECKING:
    from bot.settings import Settings

__all__ = [
    "Asked",
    "QuestionLog",
    "Row",
    "curator_hash",
    "hash_user",
    "log_in_thread",
    "open_store",
]

log = logging.getLogger(__name__)

QUEUE_LIMIT = 10_000  # rows held in memory while the database is away (a few MB at most)
BATCH_LIMIT = 200  # rows stored per transaction
FIRST_RETRY_SECONDS = 0.5
MAX_RETRY_SECONDS = 10.0  # so logging resumes within seconds once the database is back
PURGE_AFTER_RECONNECT = 3600  # purge on connecting, unless done within the hour
CONTENDED_RETRY_SECONDS = 0.05  # at close, between tries to open a file another holds
CLOSE_TIMEOUT_SECONDS = 5.0  # at shutdown, how long queued rows may take to be stored
READ_TIMEOUT_SECONDS = 2.5  # /report must answer within Discord's 3 s
_SURROGATE = re.compile("[\ud800-\udfff]")


def hash_user(user_id: int | str | None, salt: str) -> str | None:
    if user_id is None:
        return None
    return hmac.new(salt.encode(), str(user_id).encode(), hashlib.sha256).hexdigest()[:32]


def clean_text(text: str) -> str:
    """Text any database accepts: undecodable bytes (surrogate escapes, as Python decodes
    argv and sometimes stdin) and NUL become U+FFFD."""
    if _SURROGATE.search(text):
        try:
            raw = text.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:  # a lone surrogate that is not an escaped byte
            raw = text.encode("utf-8", "replace")
        text = raw.decode("utf-8", "replace")
    return text.replace("\x00", "\ufffd")


def new_question_id() -> int:
    """A random positive 63-bit id, chosen before the row is written (fits BIGINT)."""
    return secrets.randbelow(2**63 - 1) + 1


@dataclass(frozen=True, slots=True)
class Asked:
    """Where a question came from."""

    surface: str
    user_id: int | str | None = None
    guild_id: int | None = None
    channel_id: int | None = None


@dataclass(frozen=True, slots=True)
class _Question:
    id: int
    asked_at: float
    asked: Asked
    question: str
    outcome: str
    fact_id: str | None
    score: float
    latency_ms: float


@dataclass(frozen=True, slots=True)
class _Vote:
    question_id: int
    user_id: int | str
    fact_id: str | None
    vote: str
    voted_at: float


@dataclass(frozen=True, slots=True)
class _Purge:
    pass


_Op = _Question | _Vote | _Purge


def open_store(settings: Settings) -> Store:
    """The store the settings name: PostgreSQL when BOT_DB_URL is set, else SQLite."""
    if settings.db_url is not None:
        from bot.storage.postgres import PostgresStore

        return PostgresStore(settings.db_url.get_secret_value(), settings.db_pool_size)
    from bot.storage.sqlite import SqliteStore

    return SqliteStore(settings.db_path)


async def curator_hash(settings: Settings, user_id: int | str) -> str | None:
    """A curator's hash for the record of fact base changes, salted as the log's users are
    (None when the log's own salt is needed and the log is off or cannot be read)."""
    if settings.hash_salt is not None:
        return hash_user(user_id, settings.hash_salt.get_secret_value())
    if not settings.log_questions:
        return None  # no log to read the salt from, and none to create for it
    qlog = QuestionLog.from_settings(settings, retention_days=0)
    try:
        return await qlog.user_hash(user_id) if await qlog.open() else None
    finally:
        await qlog.close()


class QuestionLog:
    def __init__(
        self,
        store: Store | Path | str,
        salt: str | None = None,
        retention_days: int = 0,
        *,
        queue_limit: int = QUEUE_LIMIT,
        max_retry_seconds: float = MAX_RETRY_SECONDS,
    ) -> None:
        if isinstance(store, Path | str):
            from bot.storage.sqlite import SqliteStore

            store = SqliteStore(store)
        self.store: Store = store
        self.retention_days = retention_days
        self.queue_limit = queue_limit
        self.max_retry_seconds = max_retry_seconds
        self._configured_salt = salt or None
        self._salt: str | None = None
        self._pending: deque[_Op] = deque()
        self._in_flight = 0  # rows taken by the writer, not yet stored or dropped
        self._lock = threading.Lock()  # the console submits from its own thread
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._progress: asyncio.Event | None = None  # set whenever a count changes
        self._writer: asyncio.Task[None] | None = None
        self._closing = False
        self._opened = False
        self._unusable = False
        self._trouble_since: float | None = None  # start of the current failure episode
        self._queue_full = False  # new rows are being dropped (reported once)
        self._refusal_reported = False
        self._last_purge = 0.0
        self._contended = False  # the last open failed on another process's lock
        # Counters, for tests, health checks and the recovery line.
        self.failures = 0  # failed attempts (each logged at most once per episode)
        self.dropped = 0  # rows not stored: queue full, refused as bad data, or at close
        self.written = 0  # rows stored

    @classmethod
    def from_settings(cls, settings: Settings, *, retention_days: int | None = None) -> QuestionLog:
        salt = settings.hash_salt.get_secret_value() if settings.hash_salt else None
        days = settings.retention_days if retention_days is None else retention_days
        return cls(open_store(settings), salt, days)

    @property
    def where(self) -> str:
        return self.store.where

    # -- starting and stopping ----------------------------------------------------------

    async def open(self) -> bool:
        """Connect now and start the writer; False (and one line logged) when the database
        cannot be used yet: the writer then tries again when there is something to store."""
        ok = await self._try_open()
        self.start(connect=False)
        return ok

    def start(self, *, connect: bool = True) -> None:
        """Start the background writer on the running loop and return at once; it connects
        in the background, so a database that is down says so at start, in one line."""
        if self._writer is not None:
            return
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._progress = asyncio.Event()
        self._writer = asyncio.create_task(self._run(connect), name="question-log-writer")

    async def flush(self) -> None:
        """Wait until everything submitted so far is stored or dropped (callers bound it:
        during an outage that is when the database returns)."""
        await self.wait_until(lambda log: log._is_idle())

    async def wait_until(self, predicate: Callable[[QuestionLog], bool]) -> None:
        """Wait until `predicate(self)` holds, checked whenever the writer makes progress
        or fails (for health checks and tests)."""
        if self._progress is None:
            if predicate(self):
                return
            raise RuntimeError("the question log's writer is not running")
        while True:
            self._progress.clear()  # before checking, so no change is missed
            if predicate(self):
                return
            await self._progress.wait()

    def _changed(self) -> None:
        if self._progress is not None:
            self._progress.set()

    def _is_idle(self) -> bool:
        return not self._pending and not self._in_flight

    async def close(self, grace: float = CLOSE_TIMEOUT_SECONDS) -> None:
        """Store what is queued (waiting at most `grace` seconds), then disconnect. Safe to
        cancel: the connection is closed all the same (its thread would keep the process
        alive otherwise)."""
        self._closing = True
        writer, self._writer = self._writer, None
        try:
            if writer is not None:
                assert self._wake is not None
                self._wake.set()
                await asyncio.wait({writer}, timeout=grace)
        finally:
            if writer is not None and not writer.done():
                writer.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await writer
            self._count_unstored()
            try:
                await self.store.close()
            except Exception as exc:
                log.debug("question log close failed: %s", exc)
            self._opened = False

    def _count_unstored(self) -> None:
        with self._lock:
            lost = sum(1 for op in self._pending if not isinstance(op, _Purge))
            self._pending.clear()
            self._in_flight = 0
        if lost:
            self.dropped += lost
            # The trouble was announced when it began; at exit this is detail, not news.
            level = logging.INFO if self._trouble_since is not None else logging.WARNING
            log.log(level, "question log: %d row(s) not stored in %s", lost, self.where)

    # -- the never-wait API ---------------------------------------------------------------

    def submit(self, reply: Reply, asked: Asked, latency_ms: float) -> int | None:
        """Queue one question; its id (for vote buttons), or None when it was not taken.
        Returns at once, from any thread."""
        question = clean_text(reply.question[:MAX_QUESTION_CHARS])
        if not question.strip():
            return None  # nothing was asked: a blank line is not a question
        op = _Question(
            id=new_question_id(),
            asked_at=time.time(),
            asked=asked,
            question=question,
            outcome=reply.outcome.value,
            fact_id=reply.fact.id if reply.fact else None,
            score=float(reply.score),
            latency_ms=float(latency_ms),
        )
        return op.id if self._enqueue(op) else None

    async def record(self, reply: Reply, asked: Asked, latency_ms: float) -> int | None:
        """`submit` for async callers: it never waits for the database either."""
        return self.submit(reply, asked, latency_ms)

    def submit_vote(
        self, question_id: int, user_id: int | str, fact_id: str | None, vote: str
    ) -> bool:
        """Queue one user's vote on one answer ('up', 'down' or 'none'); a later vote by the
        same user replaces it. False when it could not be taken."""
        return self._enqueue(_Vote(question_id, user_id, fact_id, vote, time.time()))

    async def vote(
        self, question_id: int, user_id: int | str, fact_id: str | None, vote: str
    ) -> bool:
        return self.submit_vote(question_id, user_id, fact_id, vote)

    async def purge(self) -> None:
        """Queue the deletion of questions older than the retention period."""
        if self.retention_days > 0:
            self._enqueue(_Purge())

    async def user_hash(self, user_id: int | str | None) -> str | None:
        """A user's hash as the log stores it; None when the salt cannot be read."""
        try:
            return hash_user(user_id, await self._salt_in_use())
        except Exception as exc:
            self._note_failure("read", exc)
            return None

    async def _salt_in_use(self) -> str:
        if self._salt is None:
            self._salt = self._configured_salt or await self.store.install_salt(
                secrets.token_hex(32)
            )
        return self._salt

    async def rows_since(self, since: float) -> list[Row] | None:
        """Questions asked since a unix time, with their vote counts; None when the
        database is not there or does not answer within READ_TIMEOUT_SECONDS."""
        if not self._opened:
            return None
        try:
            return await asyncio.wait_for(self.store.rows_since(since), READ_TIMEOUT_SECONDS)
        except Exception as exc:
            self._note_failure("read", exc)
            return None

    def _enqueue(self, op: _Op) -> bool:
        if self._unusable or self._closing:
            return False
        with self._lock:
            if len(self._pending) >= self.queue_limit:
                self.dropped += 1
                if not self._queue_full:
                    self._queue_full = True
                    log.error(
                        "question log queue is full (%d rows waiting for %s): new rows are "
                        "dropped until it drains; answering goes on",
                        self.queue_limit,
                        self.where,
                    )
                return False
            self._pending.append(op)
        self._poke()
        return True

    def _poke(self) -> None:
        loop, wake = self._loop, self._wake
        if loop is None or wake is None or loop.is_closed():
            return  # not started yet: the writer looks at the queue when it starts
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            wake.set()
        else:
            loop.call_soon_threadsafe(wake.set)

    # -- the writer -------------------------------------------------------------------------

    async def _try_open(self) -> bool:
        try:
            await self.store.open()
        except UnusableStoreError as exc:
            self._unusable = True
            with self._lock:
                self.dropped += len(self._pending)
                self._pending.clear()
            log.error(
                "question log %s is unusable: %s; answering goes on without it", self.where, exc
            )
            return False
        except Exception as exc:
            with contextlib.suppress(Exception):
                await self.store.close()
            self._contended = _is_contention(exc)
            self._note_failure("open", exc)
            return False
        self._opened = True
        if self.retention_days > 0 and time.time() - self._last_purge > PURGE_AFTER_RECONNECT:
            self._enqueue(_Purge())
        return True

    async def _run(self, connect: bool) -> None:
        assert self._wake is not None
        if connect and not self._opened:
            await self._try_open()  # once now, to say at start when it cannot
        delay = FIRST_RETRY_SECONDS
        while not self._unusable:
            if not self._pending:
                self._queue_full = False
                if self._closing:
                    return
                self._wake.clear()
                await self._wake.wait()
                continue
            if not self._opened and not await self._try_open():
                if self._closing and self._contended:
                    # Another process holds the lock (several starting on a new file):
                    # it lets go soon, and close() bounds the wait.
                    await asyncio.sleep(CONTENDED_RETRY_SECONDS)
                    continue
                if self._closing:
                    return  # one more try at close; what is left is counted as lost
                await self._pause(delay)
                delay = min(delay * 2, self.max_retry_seconds)
                continue
            batch = self._take()
            try:
                stored = await self._store(batch)
            except asyncio.CancelledError:
                self._give_back(batch)
                raise
            except Exception as exc:
                self._give_back(batch)
                self._note_failure("write", exc)
                with contextlib.suppress(Exception):
                    await self.store.close()  # connect afresh on the next try
                self._opened = False
                if self._closing:
                    return
                await self._pause(delay)
                delay = min(delay * 2, self.max_retry_seconds)
                continue
            delay = FIRST_RETRY_SECONDS
            if stored:
                self._recovered()
            self._done()

    def _take(self) -> list[_Op]:
        with self._lock:
            batch = [self._pending.popleft() for _ in range(min(BATCH_LIMIT, len(self._pending)))]
            self._in_flight = len(batch)
        return batch

    def _give_back(self, batch: list[_Op]) -> None:
        with self._lock:
            self._pending.extendleft(reversed(batch))
            self._in_flight = 0

    def _done(self) -> None:
        self._in_flight = 0
        self._changed()

    async def _pause(self, seconds: float) -> None:
        """Wait before trying again; a close cuts it short."""
        assert self._wake is not None
        self._wake.clear()
        if self._closing:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)

    async def _store(self, batch: list[_Op]) -> bool:
        """Store one batch in one transaction. When the database refuses it as bad data,
        store its rows one by one and drop only those refused. Whether anything was stored;
        raises when the database itself failed (the batch is then retried)."""
        try:
            await self._write(batch)
            return True
        except Exception as exc:
            if self.store.is_transient(exc):
                raise
            first_refusal: BaseException = exc
        stored = False
        for op in batch if len(batch) > 1 else ():
            try:
                await self._write([op])
                stored = True
            except Exception as exc:
                if self.store.is_transient(exc):
                    raise
                first_refusal = exc
                self.dropped += 1
        if len(batch) == 1:
            self.dropped += 1
        self.failures += 1
        # Refused rows are a bug to report, not an outage: said once, then only counted.
        level = logging.DEBUG if self._refusal_reported else logging.ERROR
        self._refusal_reported = True
        log.log(
            level,
            "question log %s refused a row as bad data: %s; it is dropped (%d so far)",
            self.where,
            _describe(first_refusal),
            self.dropped,
        )
        return stored

    async def _write(self, batch: list[_Op]) -> None:
        salt = await self._salt_in_use()
        questions = [
            QuestionRow(
                id=op.id,
                asked_at=op.asked_at,
                surface=op.asked.surface,
                guild_id=op.asked.guild_id,
                channel_id=op.asked.channel_id,
                user_hash=hash_user(op.asked.user_id, salt),
                question=op.question,
                outcome=op.outcome,
                fact_id=op.fact_id,
                score=op.score,
                latency_ms=op.latency_ms,
            )
            for op in batch
            if isinstance(op, _Question)
        ]
        votes = [
            VoteRow(
                question_id=op.question_id,
                user_hash=hash_user(op.user_id, salt) or "",
                fact_id=op.fact_id,
                vote=op.vote,
                voted_at=op.voted_at,
            )
            for op in batch
            if isinstance(op, _Vote)
        ]
        if questions or votes:
            await self.store.write(questions, votes)
        if self.retention_days > 0 and any(isinstance(op, _Purge) for op in batch):
            await self.store.purge(time.time() - self.retention_days * 86_400)
            self._last_purge = time.time()
        self.written += len(questions) + len(votes)

    # -- one line per failure episode ---------------------------------------------------

    def _note_failure(self, action: str, exc: BaseException) -> None:
        self.failures += 1
        self._changed()
        if self._trouble_since is not None:
            log.debug("question log %s failed again: %s", action, _describe(exc))
            return
        self._trouble_since = time.monotonic()
        log.error(
            "question log %s failed (%s): %s; answering goes on, and questions wait in "
            "memory (up to %d) until it is back",
            action,
            self.where,
            _describe(exc),
            self.queue_limit,
        )

    def _recovered(self) -> None:
        if self._trouble_since is None:
            return
        seconds = time.monotonic() - self._trouble_since
        self._trouble_since = None
        log.warning(
            "question log works again (%s) after %.1f s; %d row(s) dropped so far",
            self.where,
            seconds,
            self.dropped,
        )


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


@contextlib.contextmanager
def log_in_thread(qlog: QuestionLog, grace: float = 2.0) -> Iterator[QuestionLog]:
    """Run the log's writer on a thread of its own, for synchronous front ends (the console
    chat, `ask --log`): `qlog.submit` returns at once, and leaving waits at most
    `grace` seconds for the rows still queued."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.call_soon(ready.set)
        loop.run_forever()

    thread = threading.Thread(target=serve, name="question-log", daemon=True)
    thread.start()
    ready.wait()

    async def begin() -> None:
        qlog.start()

    asyncio.run_coroutine_threadsafe(begin(), loop).result()
    try:
        yield qlog
    finally:
        asyncio.run_coroutine_threadsafe(qlog.close(grace), loop).result()
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.close()


def _is_contention(exc: BaseException) -> bool:
    """Another process holds the lock ("database is locked"): it lets go, unlike a
    database that is down or a file that cannot be written."""
    text = str(exc).lower()
    return "locked" in text or "busy" in text
