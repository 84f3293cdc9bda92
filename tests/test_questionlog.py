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
from bot.questionlog import SCHEMA_VERSION, Asked, QuestionLog, hash_user

ROOT = Path(__file__).parent.parent


async def _open(path: Path, **kw: object) -> QuestionLog:
    qlog = QuestionLog(path, "test-salt", **kw)  # type: ignore[arg-type]
    assert await qlog.open()
    return qlog


def _rows(
    path: Path, sql: str = "SELECT surface, question, outcome, fact_id FROM questions"
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


async def test_locked_database_is_logged_and_skipped(
    tmp_path: Path, matcher: Matcher, caplog: pytest.LogCaptureFixture
) -> None:
    db = tmp_path / "q.sqlite3"
    qlog = await _open(db)
    with contextlib.closing(sqlite3.connect(db, isolation_level=None)) as other:
        other.execute("BEGIN EXCLUSIVE")
        assert await qlog.record(matcher.answer("how old is chen"), Asked("dm"), 0.1) is None
        other.execute("ROLLBACK")
    assert qlog.failures == 1
    assert "question log write failed" in caplog.text
    assert await qlog.record(matcher.answer("how old is chen"), Asked("dm"), 0.1) is not None
    await qlog.close()


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
        assert await qlog.record(reply, Asked("dm"), 0.1) is None
        await qlog.close()
    assert qlog.failures >= 1


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
        await qlog.record(reply, Asked("cli", user_id=n), 0.1)
        n += 1
        if n == 50:
            print("writing", flush=True)

asyncio.run(main())
"""


def test_process_killed_while_writing_leaves_a_database_that_opens_and_reports(
    tmp_path: Path,
) -> None:
    db = tmp_path / "q.sqlite3"
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, str(db)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "writing"
        time.sleep(0.2)  # let it write mid-stream; the kill lands during writes
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
    out = subprocess.run(
        [sys.executable, "-m", "bot", "report", "--json"],
        cwd=ROOT,
        env={**env, "BOT_DB_PATH": str(db)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert '"total": ' in out.stdout
    [(count,)] = _rows(db, "SELECT COUNT(*) FROM questions")
    assert count >= 50
    assert _rows(db, "PRAGMA integrity_check") == [("ok",)]
