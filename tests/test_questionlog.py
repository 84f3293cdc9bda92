"""The question log on real SQLite files: what is stored, votes, retention, and failures
that must never stop the bot answering."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.matcher import Matcher
from bot.questionlog import Asked, QuestionLog, hash_user
from bot.reply import Outcome, Reply
from bot.storage import SCHEMA_VERSION
from bot.storage.sqlite import MIGRATIONS, SqliteStore
from tests.conftest import clean_env


async def _open(path: Path, salt: str | None = "test-salt", **kw: object) -> QuestionLog:
    # A short busy timeout: the tests that lock the file need not wait 2 s per try.
    qlog = QuestionLog(SqliteStore(path, busy_timeout=0.05), salt, **kw)  # type: ignore[arg-type]
    assert await qlog.open()
    return qlog


def _rows(
    path: Path,
    sql: str = "SELECT surface, question, outcome, fact_id FROM questions ORDER BY asked_at",
) -> list[tuple]:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        return conn.execute(sql).fetchall()


async def test_records_question_outcome_fact_and_hashed_user(
    tmp_path: Path, matcher: Matcher
) -> None:
    db = tmp_path / "sub" / "q.sqlite3"
    qlog = await _open(db)
    answered = matcher.answer("how old is chen")
    abstained = matcher.answer("where was chen born")
    await qlog.record(answered, Asked("slash", user_id=42, guild_id=7, channel_id=8), 0.3)
    await qlog.record(abstained, Asked("dm", user_id=42), 0.2)
    await qlog.close()
    assert _rows(db) == [
        ("slash", "how old is chen", "answered", answered.fact.id if answered.fact else None),
        ("dm", "where was chen born", "not_in_article", None),
    ]
    [(user_hash, guild, channel, latency)] = _rows(
        db,
        "SELECT user_hash, guild_id, channel_id, latency_ms FROM questions WHERE surface='slash'",
    )
    assert user_hash == hash_user(42, "test-salt") != hash_user(42, "other-salt")
    assert "42" not in user_hash
    assert (guild, channel, latency) == (7, 8, 0.3)
    assert _rows(db, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    assert _rows(db, "PRAGMA journal_mode") == [("wal",)]


async def test_votes_are_one_per_user_per_answer_and_changeable(
    tmp_path: Path, matcher: Matcher
) -> None:
    db = tmp_path / "q.sqlite3"
    qlog = await _open(db)
    reply = matcher.answer("how old is chen")
    qid = await qlog.record(reply, Asked("slash", user_id=1), 0.1)
    assert qid is not None
    assert await qlog.vote(qid, 1, "chen-age", "up")
    assert await qlog.vote(qid, 2, "chen-age", "up")
    assert await qlog.vote(qid, 1, "chen-age", "down")  # changed mind
    assert await qlog.vote(qid + 100, 1, "chen-age", "up")  # unknown question: nothing stored
    await asyncio.wait_for(qlog.flush(), 10)
    rows = await qlog.rows_since(0)
    await qlog.close()
    assert rows is not None
    assert (rows[0].votes_up, rows[0].votes_down) == (1, 1)
    assert len(_rows(db, "SELECT * FROM votes")) == 2


async def test_retention_deletes_old_questions_and_their_votes(
    tmp_path: Path, matcher: Matcher
) -> None:
    db = tmp_path / "q.sqlite3"
    qlog = await _open(db, retention_days=30)
    old = await qlog.record(matcher.answer("how old is chen"), Asked("dm", user_id=1), 0.1)
    await qlog.record(matcher.answer("who is tom ross"), Asked("dm", user_id=1), 0.1)
    assert old is not None
    await qlog.vote(old, 1, "chen-age", "up")
    await qlog.close()
    with contextlib.closing(sqlite3.connect(db)) as conn:
        conn.execute(
            "UPDATE questions SET asked_at = ? WHERE id = ?", (time.time() - 31 * 86_400, old)
        )
        conn.commit()
    qlog = await _open(db, retention_days=30)  # purges on open
    await qlog.close()
    assert [r[1] for r in _rows(db)] == ["who is tom ross"]
    assert _rows(db, "SELECT * FROM votes") == []


async def test_200_concurrent_questions_give_exactly_200_rows(
    tmp_path: Path, matcher: Matcher
) -> None:
    db = tmp_path / "q.sqlite3"
    qlog = await _open(db)
    replies = [matcher.answer(f"question {n} about chen") for n in range(200)]
    ids = await asyncio.gather(
        *(qlog.record(r, Asked("mention", user_id=n), 0.1) for n, r in enumerate(replies))
    )
    await qlog.close()
    assert len(set(ids)) == 200
    assert _rows(db, "SELECT COUNT(*) FROM questions") == [(200,)]


async def test_a_locked_database_costs_no_wait_one_line_and_no_question(
    tmp_path: Path, matcher: Matcher, caplog: pytest.LogCaptureFixture
) -> None:
    db = tmp_path / "q.sqlite3"
    qlog = await _open(db)
    reply = matcher.answer("how old is chen")
    with contextlib.closing(sqlite3.connect(db, isolation_level=None)) as other:
        other.execute("BEGIN EXCLUSIVE")
        # Each call returns at once with the id its vote buttons carry, lock or no lock.
        ids = [qlog.submit(reply, Asked("dm", user_id=n), 0.1) for n in range(5)]
        assert all(ids)
        # The writer has met the lock, and retried.
        await asyncio.wait_for(qlog.wait_until(lambda log: log.failures >= 3), 30)
        assert await qlog.vote(ids[0], 1, "chen-age", "up")
        other.execute("ROLLBACK")
    await asyncio.wait_for(qlog.flush(), 30)
    await qlog.close()
    failed = [r for r in caplog.records if "failed" in r.getMessage()]
    assert len(failed) == 1  # one line for the episode, not one per question or retry
    assert "database is locked" in failed[0].getMessage()
    assert [r.getMessage() for r in caplog.records if "works again" in r.getMessage()]
    assert qlog.dropped == 0
    assert _rows(db, "SELECT COUNT(*) FROM questions") == [(5,)]
    assert _rows(db, "SELECT question_id, vote FROM votes") == [(ids[0], "up")]


async def test_a_full_queue_drops_new_rows_counts_them_and_says_so_once(
    tmp_path: Path, matcher: Matcher, caplog: pytest.LogCaptureFixture
) -> None:
    db = tmp_path / "q.sqlite3"
    qlog = QuestionLog(SqliteStore(db, busy_timeout=0.05), "s", queue_limit=3)
    reply = matcher.answer("how old is chen")
    with contextlib.closing(sqlite3.connect(db, isolation_level=None)) as other:
        other.execute("BEGIN EXCLUSIVE")  # the writer cannot even open the file
        assert not await qlog.open()
        taken = [qlog.submit(reply, Asked("dm", user_id=n), 0.1) for n in range(7)]
        other.execute("ROLLBACK")
    assert [t is not None for t in taken] == [True] * 3 + [False] * 4
    await asyncio.wait_for(qlog.flush(), 30)
    await qlog.close()
    assert qlog.dropped == 4
    assert len([r for r in caplog.records if "queue is full" in r.getMessage()]) == 1
    assert _rows(db, "SELECT COUNT(*) FROM questions") == [(3,)]


async def test_blank_questions_are_not_stored_and_bad_bytes_are_replaced(
    tmp_path: Path, matcher: Matcher
) -> None:
    db = tmp_path / "q.sqlite3"
    qlog = await _open(db)
    assert qlog.submit(Reply("", Outcome.HELP, 0.0), Asked("cli"), 0.1) is None
    assert qlog.submit(Reply("  \t ", Outcome.HELP, 0.0), Asked("cli"), 0.1) is None
    undecodable = b"who is chen \xff\xfe?".decode("utf-8", "surrogateescape")
    assert qlog.submit(matcher.answer(undecodable), Asked("cli"), 0.1) is not None
    assert qlog.submit(matcher.answer("who\x00is chen"), Asked("cli"), 0.1) is not None
    await qlog.close()
    assert qlog.dropped == 0
    assert [q for (q,) in _rows(db, "SELECT question FROM questions ORDER BY asked_at")] == [
        "who is chen \ufffd\ufffd?",
        "who\ufffdis chen",
    ]


async def test_without_a_configured_salt_each_install_makes_and_keeps_its_own(
    tmp_path: Path, matcher: Matcher
) -> None:
    reply = matcher.answer("how old is chen")
    salts = []
    for name in ("a", "a", "b"):
        db = tmp_path / f"{name}.sqlite3"
        qlog = await _open(db, salt=None)
        qlog.submit(reply, Asked("dm", user_id=42), 0.1)
        await qlog.close()
        [(salt,)] = _rows(db, "SELECT value FROM meta WHERE key = 'hash_salt'")
        salts.append(salt)
        hashes = {h for (h,) in _rows(db, "SELECT user_hash FROM questions")}
        assert hashes == {hash_user(42, salt)}  # one asker, the same hash across restarts
    assert salts[0] == salts[1] != salts[2]
    assert len(salts[0]) == 64
    assert "change-me" not in salts
    # A configured salt wins, and is not written to the database.
    db = tmp_path / "c.sqlite3"
    qlog = await _open(db, salt="configured")
    qlog.submit(reply, Asked("dm", user_id=42), 0.1)
    await qlog.close()
    assert _rows(db, "SELECT user_hash FROM questions") == [(hash_user(42, "configured"),)]
    assert _rows(db, "SELECT * FROM meta") == []


async def test_corrupt_or_unopenable_database_is_refused_not_raised(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.sqlite3"
    garbage.write_bytes(b"this is not a database" * 100)
    assert not await QuestionLog(garbage, "s").open()
    blocked = tmp_path / "a-file"
    blocked.write_text("x")
    assert not await QuestionLog(blocked / "q.sqlite3", "s").open()  # parent is a file


async def test_newer_schema_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "q.sqlite3"
    with contextlib.closing(sqlite3.connect(db)) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    assert not await QuestionLog(db, "s").open()


async def test_old_schema_file_is_migrated(tmp_path: Path) -> None:
    db = tmp_path / "q.sqlite3"
    sqlite3.connect(db).close()  # an empty version-0 file, as an older bot would leave
    qlog = await _open(db)
    await qlog.close()
    assert _rows(db, "PRAGMA user_version") == [(SCHEMA_VERSION,)]


async def test_previous_schema_version_is_migrated_keeping_its_rows(
    tmp_path: Path, matcher: Matcher
) -> None:
    db = tmp_path / "q.sqlite3"
    with contextlib.closing(sqlite3.connect(db)) as conn:  # as the previous bot left it
        conn.executescript(
            f"BEGIN; {'; '.join(MIGRATIONS[0])}; PRAGMA user_version = 1; COMMIT;"
            "INSERT INTO questions (asked_at, surface, question, outcome, score, latency_ms)"
            f" VALUES ({time.time()}, 'dm', 'an old question', 'answered', 90, 0.1);"
        )
    qlog = await _open(db, salt=None)
    qlog.submit(matcher.answer("how old is chen"), Asked("dm", user_id=1), 0.1)
    await asyncio.wait_for(qlog.flush(), 10)
    rows = await qlog.rows_since(0)
    await qlog.close()
    assert rows is not None
    assert [r.question for r in rows] == ["an old question", "how old is chen"]
    assert _rows(db, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    assert len(_rows(db, "SELECT * FROM meta")) == 1  # version 2 keeps the salt


async def test_a_log_another_process_holds_at_close_is_written_once_it_lets_go(
    tmp_path: Path,
) -> None:
    # Another process holds the new file's lock while this one opens, answers and exits:
    # the rows wait for the lock, within close()'s grace, instead of being lost.
    db = tmp_path / "q.sqlite3"
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    qlog = QuestionLog(SqliteStore(db, busy_timeout=0.05), "s")
    assert not await qlog.open()
    for n in range(5):
        qlog.submit(Reply(f"question {n}", Outcome.NOT_IN_ARTICLE, 0.0), Asked("cli"), 0.1)
    asyncio.get_running_loop().call_later(0.3, holder.rollback)
    try:
        await qlog.close(grace=30)
    finally:
        holder.close()
    assert qlog.dropped == 0
    assert _rows(db, "SELECT COUNT(*) FROM questions") == [(5,)]


STARTING_TOGETHER = """
import asyncio, sys
from bot.questionlog import Asked, QuestionLog
from bot.reply import Outcome, Reply

async def main(folder, me):
    print("ready", flush=True)
    for attempt in sys.stdin:  # a line for each new log: all four start on it at once
        qlog = QuestionLog(f"{folder}/{attempt.strip()}/q.sqlite3", "s")
        await qlog.open()  # losing a race here only delays the writer: it tries again
        for n in range(25):
            reply = Reply(f"question {n} from {me}", Outcome.NOT_IN_ARTICLE, 0.0)
            await qlog.record(reply, Asked("cli", user_id=me), 0.1)
        await qlog.close(grace=60)
        print(qlog.dropped, flush=True)

asyncio.run(main(sys.argv[1], sys.argv[2]))
"""


def test_four_processes_starting_together_on_a_new_log_lose_no_row(tmp_path: Path) -> None:
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", STARTING_TOGETHER, str(tmp_path), str(me)],
            cwd=tmp_path,  # no .env here
            env=clean_env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for me in range(4)
    ]
    try:
        for proc in procs:
            assert proc.stdout is not None
            assert proc.stdout.readline().strip() == "ready"
        for attempt in range(5):
            for proc in procs:
                assert proc.stdin is not None
                proc.stdin.write(f"new-{attempt}\n")
                proc.stdin.flush()
            dropped = [proc.stdout.readline().strip() for proc in procs if proc.stdout]
            assert dropped == ["0"] * 4
            db = tmp_path / f"new-{attempt}" / "q.sqlite3"
            assert _rows(db, "SELECT COUNT(*) FROM questions") == [(100,)], f"attempt {attempt}"
            assert _rows(db, "SELECT COUNT(DISTINCT question) FROM questions") == [(100,)]
            assert _rows(db, "PRAGMA integrity_check") == [("ok",)]
        for proc in procs:
            proc.communicate(input="", timeout=60)
            assert proc.returncode == 0
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()


@pytest.fixture
def readonly_dir(tmp_path: Path) -> Iterator[Path]:
    """A real read-only filesystem (root can write through file permissions, not this)."""
    mount = tmp_path / "ro"
    mount.mkdir()
    if subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    ).returncode:
        pytest.skip("needs root to mount a read-only filesystem")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True, check=False)


async def test_read_only_database_does_not_stop_answers(
    readonly_dir: Path, matcher: Matcher
) -> None:
    db = readonly_dir / "q.sqlite3"
    qlog = await _open(db)
    await qlog.close()
    remount = await asyncio.create_subprocess_exec("mount", "-o", "remount,ro", str(readonly_dir))
    assert await remount.wait() == 0
    qlog = QuestionLog(db, "s")
    opened = await qlog.open()
    reply = matcher.answer("how old is chen")
    assert reply.fact is not None  # answering never depended on the log
    if opened:
        await qlog.record(reply, Asked("dm"), 0.1)
    await qlog.close()
    assert qlog.failures >= 1
    assert qlog.written == 0


KILLED_WRITER = """
import asyncio, sys
from bot.loader import load_factbase
from bot.matcher import Matcher
from bot.questionlog import Asked, QuestionLog

async def main():
    qlog = QuestionLog(sys.argv[1], "s")
    assert await qlog.open()
    reply = Matcher(load_factbase()).answer("how old is chen")
    n = 0
    while True:
        for _ in range(10):
            await qlog.record(reply, Asked("cli", user_id=n), 0.1)
            n += 1
        await qlog.flush()
        if n == 50:
            print("writing", flush=True)

asyncio.run(main())
"""


def test_process_killed_while_writing_leaves_a_database_that_opens_and_reports(
    tmp_path: Path,
) -> None:
    db = tmp_path / "q.sqlite3"
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, str(db)],
        cwd=tmp_path,  # no .env here
        env=clean_env(),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "writing"
        time.sleep(0.2)  # let it write mid-stream; the kill lands during writes
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    out = subprocess.run(
        [sys.executable, "-m", "bot", "report", "--json"],
        cwd=tmp_path,  # no .env here
        env={**clean_env(), "BOT_DB_PATH": str(db)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert '"total": ' in out.stdout
    [(count,)] = _rows(db, "SELECT COUNT(*) FROM questions")
    assert count >= 50
    assert _rows(db, "PRAGMA integrity_check") == [("ok",)]
