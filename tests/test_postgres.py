"""The question log on a real PostgreSQL server (BOT_DB_URL): schema and migrations, many
processes writing one log, a server that goes away and comes back, a wrong password, and
a sharded bot in two processes reporting into one database."""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from bot.matcher import Matcher
from bot.questionlog import Asked, QuestionLog, hash_user
from bot.settings import Settings
from bot.storage import SCHEMA_VERSION, hide_password
from bot.storage.postgres import MIGRATIONS, PostgresStore
from tests.conftest import Harness, clean_env, make_settings
from tests.fakediscord import LAUNCH, TOKEN, FakeDiscord
from tests.pgserver import PgServer, start_server
from tests.test_discord import is_callback, mention


@pytest.fixture(scope="session")
def pg() -> Iterator[PgServer]:
    server = start_server()
    yield server
    server.remove()


@pytest.fixture
async def pg_url(pg: PgServer) -> str:
    """A new, empty database on the session's server."""
    name = f"qa_{secrets.token_hex(6)}"
    conn = await asyncpg.connect(pg.url())
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return pg.url(name)


async def fetch(url: str, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    conn = await asyncpg.connect(url)
    try:
        return [tuple(r) for r in await conn.fetch(sql, *args)]
    finally:
        await conn.close()


def cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        cwd=Path.cwd(),  # the test's own folder: no .env there
        env=clean_env(**env),
        timeout=120,
        check=False,
    )


async def test_a_new_database_is_created_and_keeps_questions_votes_and_a_salt(
    pg_url: str, matcher: Matcher
) -> None:
    qlog = QuestionLog(PostgresStore(pg_url), None)
    assert await qlog.open()
    answered = matcher.answer("how old is chen")
    qid = await qlog.record(answered, Asked("slash", user_id=42, guild_id=7, channel_id=8), 0.3)
    await qlog.record(matcher.answer("where was chen born"), Asked("dm", user_id=43), 0.2)
    assert qid is not None
    assert await qlog.vote(qid, 42, "chen-age", "up")
    assert await qlog.vote(qid, 42, "chen-age", "down")  # changed mind
    assert await qlog.vote(qid + 1, 42, "chen-age", "up")  # unknown question: ignored
    await asyncio.wait_for(qlog.flush(), 30)
    rows = await qlog.rows_since(0)
    await qlog.close()
    assert rows is not None
    assert [(r.surface, r.question, r.outcome) for r in rows] == [
        ("slash", "how old is chen", "answered"),
        ("dm", "where was chen born", "not_in_article"),
    ]
    assert (rows[0].votes_up, rows[0].votes_down) == (0, 1)
    [(salt,)] = await fetch(pg_url, "SELECT value FROM meta WHERE key = 'hash_salt'")
    assert await fetch(pg_url, "SELECT user_hash, guild_id FROM questions WHERE id = $1", qid) == [
        (hash_user(42, salt), 7)
    ]
    assert await fetch(pg_url, "SELECT version FROM schema_version") == [(SCHEMA_VERSION,)]


async def test_the_previous_schema_version_is_migrated_keeping_its_rows(pg_url: str) -> None:
    conn = await asyncpg.connect(pg_url)
    try:  # the database as the previous version of the bot left it
        for statement in MIGRATIONS[0]:
            await conn.execute(statement)
        await conn.execute("CREATE TABLE schema_version (version INTEGER)")
        await conn.execute("INSERT INTO schema_version VALUES (1)")
        await conn.execute(
            "INSERT INTO questions (id, asked_at, surface, question, outcome, score, latency_ms)"
            " VALUES (1, $1, 'dm', 'an old question', 'answered', 90, 0.1)",
            time.time(),
        )
    finally:
        await conn.close()
    qlog = QuestionLog(PostgresStore(pg_url), None)
    assert await qlog.open()
    rows = await qlog.rows_since(0)
    await qlog.close()
    assert rows is not None
    assert [r.question for r in rows] == ["an old question"]
    assert await fetch(pg_url, "SELECT version FROM schema_version") == [(SCHEMA_VERSION,)]
    assert await fetch(pg_url, "SELECT count(*) FROM meta") == [(0,)]  # version 2's table


async def test_a_newer_schema_is_refused_in_one_line(
    pg_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    conn = await asyncpg.connect(pg_url)
    await conn.execute("CREATE TABLE schema_version (version INTEGER)")
    await conn.execute("INSERT INTO schema_version VALUES ($1)", SCHEMA_VERSION + 1)
    await conn.close()
    qlog = QuestionLog(PostgresStore(pg_url), "s")
    assert not await qlog.open()
    await qlog.close()
    [line] = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert f"schema version {SCHEMA_VERSION + 1} is newer" in line


async def test_retention_deletes_old_questions_and_their_votes(
    pg_url: str, matcher: Matcher
) -> None:
    qlog = QuestionLog(PostgresStore(pg_url), "s")
    assert await qlog.open()
    old = await qlog.record(matcher.answer("how old is chen"), Asked("dm", user_id=1), 0.1)
    await qlog.record(matcher.answer("who is tom ross"), Asked("dm", user_id=1), 0.1)
    assert old is not None
    await qlog.vote(old, 1, "chen-age", "up")
    await qlog.close()
    conn = await asyncpg.connect(pg_url)
    await conn.execute(
        "UPDATE questions SET asked_at = $1 WHERE id = $2", time.time() - 31 * 86_400, old
    )
    await conn.close()
    qlog = QuestionLog(PostgresStore(pg_url), "s", retention_days=30)
    assert await qlog.open()  # purges on connecting
    await asyncio.wait_for(qlog.flush(), 30)
    await qlog.close()
    assert await fetch(pg_url, "SELECT question FROM questions") == [("who is tom ross",)]
    assert await fetch(pg_url, "SELECT count(*) FROM votes") == [(0,)]


def test_four_processes_log_40_questions_and_the_report_counts_40(pg_url: str) -> None:
    """The issue's bar, through the real CLI, on a database none of them created yet."""
    env = clean_env(BOT_DB_URL=pg_url)
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bot",
                "ask",
                "--log",
                *(f"question {n} from process {p}" for n in range(10)),
            ],
            cwd=Path.cwd(),  # the test's own folder: no .env there
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for p in range(4)
    ]
    errors = [proc.communicate(timeout=120)[1] for proc in procs]
    assert [proc.returncode for proc in procs] == [0] * 4, errors
    assert errors == [""] * 4
    report = cli("report", "--json", BOT_DB_URL=pg_url)
    assert report.returncode == 0, report.stderr
    assert json.loads(report.stdout)["total"] == 40
    text = cli("report", "--since", "1h", BOT_DB_URL=pg_url)
    assert text.stdout.startswith("Last 1 hour: 40 messages, 1 distinct askers.")


async def test_a_server_stopped_mid_run_delays_nothing_and_logging_resumes(
    pg: PgServer, pg_url: str, matcher: Matcher, caplog: pytest.LogCaptureFixture
) -> None:
    qlog = QuestionLog(PostgresStore(pg_url), "s", max_retry_seconds=0.5)
    assert await qlog.open()
    reply = matcher.answer("how old is chen")
    for n in range(3):
        assert qlog.submit(reply, Asked("dm", user_id=n), 0.1) is not None
    await asyncio.wait_for(qlog.flush(), 30)
    try:
        await asyncio.to_thread(pg.stop)
        # While it is down each question is taken at once, with an id for its buttons.
        ids = [qlog.submit(reply, Asked("dm", user_id=n), 0.1) for n in range(3, 8)]
        assert all(ids)
        await asyncio.wait_for(qlog.wait_until(lambda log: log.failures >= 2), 60)
    finally:
        await asyncio.to_thread(pg.start)
    await asyncio.wait_for(qlog.flush(), 60)
    await qlog.close()
    assert qlog.dropped == 0
    assert await fetch(pg_url, "SELECT count(*) FROM questions") == [(8,)]
    messages = [r.getMessage() for r in caplog.records if r.name == "bot.questionlog"]
    failed = [m for m in messages if "failed" in m]
    assert len(failed) == 1, messages  # one line for the outage, however many retries
    assert len([m for m in messages if "works again" in m]) == 1
    assert pg.password not in " ".join(messages)
    assert not [r for r in caplog.records if r.name.startswith("asyncpg")]  # no other noise


def test_a_wrong_password_or_url_is_one_line_and_the_answer_still_comes(
    pg: PgServer, pg_url: str
) -> None:
    wrong = pg_url.replace(pg.password, "not-the-password")
    for url, says in (
        (wrong, "password authentication failed"),
        ("mysql://bot@127.0.0.1/qa", "must start with postgresql://"),
        (pg.url("no_such_db"), "does not exist"),
    ):
        out = cli("ask", "--log", "how old is chen", BOT_DB_URL=url)
        assert out.returncode == 0
        assert out.stdout.startswith("Chen Ziming is 41.")
        [line] = out.stderr.strip().splitlines()
        assert says in line
        assert "not-the-password" not in line
        assert "answering goes on" in line


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://bot:s3cret@db:5432/qa", "postgresql://bot:***@db:5432/qa"),
        (
            "postgresql://bot:p@ss@db/qa?sslmode=require",
            "postgresql://bot:***@db/qa?sslmode=require",
        ),
        ("postgresql://bot@db/qa?password=s3cret&x=1", "postgresql://bot@db/qa?password=***&x=1"),
        ("postgresql://db/qa", "postgresql://db/qa"),
    ],
)
def test_a_url_is_shown_without_its_password(url: str, shown: str) -> None:
    assert hide_password(url) == shown


# -- the bot, through the fake Discord ---------------------------------------------------


class TestBotOnPostgres:
    @pytest.fixture
    def bot_settings(self, tmp_path: Path, pg: PgServer, pg_url: str) -> Settings:
        return make_settings(tmp_path, db_url=pg_url.replace(pg.password, "wrong"))

    async def test_a_wrong_password_still_answers_and_says_so_once(
        self, harness: Harness, caplog: pytest.LogCaptureFixture
    ) -> None:
        for _ in range(3):
            body = await mention(harness, "how old is chen")
            assert body["embeds"][0]["description"] == "Chen Ziming is 41."
        qlog = harness.bot.question_log
        assert qlog is not None
        await asyncio.wait_for(qlog.wait_until(lambda log: log.failures >= 1), 30)
        # Said once, at start (while the bot was connecting), and not per question.
        records = caplog.get_records("setup") + caplog.records
        lines = [r.getMessage() for r in records if r.name == "bot.questionlog"]
        assert len(lines) == 1
        assert "password authentication failed" in lines[0]
        assert "wrong" not in lines[0]  # the password is never logged


@pytest.fixture
async def two_fakes() -> AsyncIterator[list[FakeDiscord]]:
    fakes = [FakeDiscord(), FakeDiscord()]
    for fake in fakes:
        await fake.start()
    yield fakes
    for fake in fakes:
        await fake.stop()


async def test_two_shard_processes_log_into_one_database_and_report_both(
    two_fakes: list[FakeDiscord], pg_url: str, tmp_path: Path
) -> None:
    """A sharded deployment: each process runs one of two shards (each against a fake
    Discord gateway of its own) and both log into one PostgreSQL."""
    questions = (["how old is chen", "who is tom ross"], ["what is mfn", "who is wang juntao"])
    procs = []
    for shard, fake in enumerate(two_fakes):
        env = clean_env(
            DISCORD_TOKEN=TOKEN,
            BOT_DB_URL=pg_url,
            BOT_SHARD_COUNT="2",
            BOT_SHARD_IDS=f"[{shard}]",
            BOT_DB_PATH=str(tmp_path / f"unused-{shard}.sqlite3"),
        )
        procs.append(
            await asyncio.create_subprocess_exec(
                *(sys.executable, "-c", LAUNCH, fake.api_base, fake.gateway_url, "run"),
                cwd=tmp_path,
                env=env,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.PIPE,
            )
        )
    try:
        for shard, fake in enumerate(two_fakes):
            await fake.wait_connected(within=60)
            assert fake.identifies[0]["shard"] == [shard, 2]
            for question in questions[shard]:
                interaction = fake.slash("ask", {"question": question})
                await fake.dispatch("INTERACTION_CREATE", interaction)
                [answer] = await fake.wait_for(lambda r, i=interaction: is_callback(r, i))
                assert answer.body["data"]["embeds"]
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        errors = [(await asyncio.wait_for(proc.communicate(), 60))[1].decode() for proc in procs]
    finally:
        for proc in procs:
            if proc.returncode is None:
                proc.kill()
    assert [proc.returncode for proc in procs] == [0, 0], errors
    assert all("question log" not in e for e in errors), errors
    report = await asyncio.to_thread(cli, "report", "--json", BOT_DB_URL=pg_url)
    assert report.returncode == 0, report.stderr
    stored = sorted(q for (q,) in await fetch(pg_url, "SELECT question FROM questions"))
    assert stored == sorted(questions[0] + questions[1])
    assert json.loads(report.stdout)["total"] == 4
    assert not (tmp_path / "unused-0.sqlite3").exists()  # no SQLite file on the side
