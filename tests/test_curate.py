"""Learning from real questions, through the fake Discord: every surface is logged, votes,
/report for curators only, and /reload with good and broken fact files."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sqlite3
import sys
from pathlib import Path

import pytest

from bot.exts.curate import REFUSED
from bot.settings import Settings
from tests.conftest import Harness, make_settings
from tests.fakediscord import ADMIN_PERMISSIONS, BOT_ID, CHANNEL_ID, FakeDiscord, user_payload
from tests.test_discord import (
    EPHEMERAL,
    ask_ids,
    custom_ids,
    is_callback,
    is_channel_post,
    mention,
    slash_record,
)
from tests.test_runner import LAUNCH, TOKEN, _env

STRANGER = user_payload(444000000000000001, "stranger")


def rows(db: Path, sql: str) -> list[tuple]:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return conn.execute(sql).fetchall()


async def stored(h: Harness) -> None:
    """Wait until the question log has written what the bot queued (replies never wait)."""
    assert h.bot.question_log is not None
    await asyncio.wait_for(h.bot.question_log.flush(), 15)


async def click(h: Harness, custom_id: str, first_response: dict, **kw) -> dict:  # type: ignore[type-arg]
    interaction = h.fake.click(custom_id, first_response["resource"]["message"], **kw)
    await h.fake.dispatch("INTERACTION_CREATE", interaction)
    [record] = await h.fake.wait_for(lambda r: is_callback(r, interaction))
    return record.body


class TestEverySurfaceIsLogged:
    @pytest.fixture
    def bot_settings(self, tmp_path: Path) -> Settings:
        return make_settings(tmp_path, message_content_intent=True)

    async def test_slash_prefix_mention_dm_and_button(
        self, harness: Harness, bot_settings: Settings
    ) -> None:
        first = await slash_record(harness, "ask", question="how old is chen")
        await harness.fake.dispatch(
            "MESSAGE_CREATE", harness.fake.message("!ask where was chen born")
        )
        await harness.fake.wait_for(is_channel_post)
        await mention(harness, "who is tom ross")
        dm = harness.fake.message(
            "wang juntao hepatitus", author=user_payload(777000000000000009, "r"), dm=True
        )
        await harness.fake.dispatch("MESSAGE_CREATE", dm)
        await harness.fake.wait_for(
            lambda r: is_channel_post(r, harness.fake.dm_channel_for(777000000000000009))
        )
        await click(harness, ask_ids(first.body["data"])[0], first.response)
        await stored(harness)
        logged = rows(
            bot_settings.db_path,
            "SELECT surface, outcome, guild_id FROM questions ORDER BY asked_at",
        )
        assert [(s, o) for s, o, _ in logged] == [
            ("slash", "answered"),
            ("prefix", "not_in_article"),
            ("mention", "answered"),
            ("dm", "answered"),
            ("button", "answered"),
        ]
        assert logged[3][2] is None  # a DM has no server


async def test_votes_are_recorded_acknowledged_privately_and_changeable(
    harness: Harness, bot_settings: Settings
) -> None:
    first = await slash_record(harness, "ask", question="how old is chen")
    ids = custom_ids(first.body["data"])
    up = next(i for i in ids if i.startswith("qa:vote:up:"))
    down = next(i for i in ids if i.startswith("qa:vote:down:"))
    assert up.endswith(":chen-age")
    ack = await click(harness, up, first.response)
    assert ack["data"]["flags"] & EPHEMERAL
    assert "Recorded \U0001f44d" in ack["data"]["content"]
    await stored(harness)
    assert rows(bot_settings.db_path, "SELECT vote, fact_id FROM votes") == [("up", "chen-age")]
    await click(harness, down, first.response)
    await stored(harness)
    assert rows(bot_settings.db_path, "SELECT vote FROM votes") == [("down",)]
    await click(harness, up, first.response, user=STRANGER)
    await stored(harness)
    assert sorted(rows(bot_settings.db_path, "SELECT vote FROM votes")) == [("down",), ("up",)]


async def test_none_of_these_is_recorded_as_a_miss(
    harness: Harness, bot_settings: Settings
) -> None:
    first = await slash_record(harness, "ask", question="where was chen ziming born")
    none = next(i for i in custom_ids(first.body["data"]) if i.startswith("qa:vote:none:"))
    ack = await click(harness, none, first.response)
    assert "curators will see it" in ack["data"]["content"]
    await stored(harness)
    assert rows(bot_settings.db_path, "SELECT vote FROM votes") == [("none",)]


async def test_report_is_refused_without_manage_server(harness: Harness) -> None:
    record = await slash_record(harness, "report", user=STRANGER)
    assert record.body["data"]["content"] == REFUSED
    assert record.body["data"]["flags"] & EPHEMERAL


async def test_report_is_shown_to_a_manager(harness: Harness) -> None:
    await mention(harness, "when did chen ziming die")
    await mention(harness, "how old is chen")
    record = await slash_record(
        harness, "report", since="1d", user=STRANGER, permissions=ADMIN_PERMISSIONS
    )
    data = record.body["data"]
    assert data["flags"] & EPHEMERAL
    embed = data["embeds"][0]
    assert embed["title"] == "Curator report"
    assert "2 messages" in embed["description"]
    assert "Answer rate 50.0%" in embed["description"]
    assert "when did chen ziming die" in embed["description"]


class TestReload:
    @pytest.fixture
    def bot_settings(self, tmp_path: Path, facts_copy: Path) -> Settings:
        return make_settings(tmp_path, facts_dir=facts_copy)

    async def _reload(self, harness: Harness) -> str:
        interaction = harness.fake.slash("reload", {})
        await harness.fake.dispatch("INTERACTION_CREATE", interaction)
        [followup] = await harness.fake.wait_for(
            lambda r: (
                r.method == "POST"
                and r.path.startswith("/webhooks/")
                and interaction["token"] in r.path
            )
        )
        return followup.body["content"]

    async def test_good_file_is_served_after_reload(
        self, harness: Harness, facts_copy: Path
    ) -> None:
        before = await mention(harness, "what is the zorblax index")
        assert "doesn't say" in before["embeds"][0]["description"]
        path = facts_copy / "china-human-rights.yaml"
        path.write_text(
            path.read_text().replace(
                "      - chen's age\n", "      - chen's age\n      - zorblax index\n"
            ),
            encoding="utf-8",
        )
        text = await self._reload(harness)
        assert text.startswith("\u2705 reloaded 80 facts")
        after = await mention(harness, "what is the zorblax index")
        assert after["embeds"][0]["description"] == "Chen Ziming is 41."

    async def test_broken_file_keeps_the_last_good_facts(
        self, harness: Harness, facts_copy: Path
    ) -> None:
        path = facts_copy / "china-human-rights.yaml"
        path.write_text(
            path.read_text().replace("quote: Chen, 41,", "quote: Chen, 42,"), encoding="utf-8"
        )
        text = await self._reload(harness)
        assert text.startswith(
            "\u274c The fact base has 1 problem(s); still serving the last good facts."
        )
        assert "fact 'chen-age': citation.quote: not found verbatim in paragraph 3" in text
        still = await mention(harness, "how old is chen")
        assert still["embeds"][0]["description"] == "Chen Ziming is 41."

    async def test_reload_drops_no_question_in_flight(self, harness: Harness) -> None:
        messages = harness.fake.mentions_from_many("how old is chen", 50, 610000000000000000)
        for msg in messages[:25]:
            await harness.fake.dispatch("MESSAGE_CREATE", msg)
        reloading = asyncio.ensure_future(harness.bot.reload_facts())
        for msg in messages[25:]:
            await harness.fake.dispatch("MESSAGE_CREATE", msg)
        assert (await reloading)[0]
        replies = await harness.fake.wait_for(is_channel_post, count=50, within=60)
        assert sorted(str(r.body["message_reference"]["message_id"]) for r in replies) == sorted(
            m["id"] for m in messages
        )
        assert all(r.body["embeds"][0]["description"] == "Chen Ziming is 41." for r in replies)


async def test_sighup_reloads_the_running_bot(
    fake: FakeDiscord, tmp_path: Path, facts_copy: Path
) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        LAUNCH,
        fake.api_base,
        fake.gateway_url,
        "run",
        cwd=tmp_path,
        env=_env(tmp_path, DISCORD_TOKEN=TOKEN, BOT_FACTS_DIR=str(facts_copy)),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await fake.wait_connected(within=60)
        path = facts_copy / "china-human-rights.yaml"
        path.write_text(
            path.read_text().replace(
                "      - chen's age\n", "      - chen's age\n      - zorblax index\n"
            ),
            encoding="utf-8",
        )
        os.kill(proc.pid, signal.SIGHUP)
        for attempt in range(100):  # the reload runs in the bot; ask until it shows
            msg = fake.message(
                f"<@{BOT_ID}> zorblax index",
                mentions=[fake.bot_user],
                author=user_payload(620000000000000000 + attempt, "r"),
            )
            await fake.dispatch("MESSAGE_CREATE", msg)
            [reply] = await fake.wait_for(
                lambda r, m=msg: (
                    is_channel_post(r, CHANNEL_ID)
                    and str(r.body["message_reference"]["message_id"]) == m["id"]
                )
            )
            if reply.body["embeds"][0]["description"] == "Chen Ziming is 41.":
                break
        else:
            pytest.fail("SIGHUP did not reload the facts")
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, err.decode()
    assert "reloaded 80 facts" in err.decode()


async def test_a_locked_log_delays_no_answer_and_loses_no_question(
    harness: Harness, bot_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    qlog = harness.bot.question_log
    assert qlog is not None
    await mention(harness, "who is tom ross")  # the log file exists and works
    await stored(harness)
    with contextlib.closing(sqlite3.connect(bot_settings.db_path, isolation_level=None)) as other:
        other.execute("BEGIN EXCLUSIVE")
        interactions = [
            harness.fake.slash("ask", {"question": "how old is chen"}) for _ in range(5)
        ]
        for interaction in interactions:
            await harness.fake.dispatch("INTERACTION_CREATE", interaction)
        answers = await harness.fake.wait_for(
            lambda r: any(is_callback(r, i) for i in interactions), count=5
        )
        # All five were answered while the log was still locked: none waited for it.
        await asyncio.wait_for(qlog.wait_until(lambda log: log.failures >= 1), 15)
        other.execute("ROLLBACK")
    assert [a.body["data"]["embeds"][0]["description"] for a in answers] == [
        "Chen Ziming is 41."
    ] * 5
    # Their vote buttons carry ids made before writing, and still work once it is written.
    vote_id = next(c for c in custom_ids(answers[0].body["data"]) if c.startswith("qa:vote:up"))
    ack = await click(harness, vote_id, answers[0].response)
    assert "Recorded" in ack["data"]["content"]
    await stored(harness)
    assert rows(bot_settings.db_path, "SELECT COUNT(*) FROM questions") == [(6,)]
    assert rows(bot_settings.db_path, "SELECT vote FROM votes") == [("up",)]
    failed = [
        r for r in caplog.records if "question log" in r.getMessage() and "fail" in r.getMessage()
    ]
    assert len(failed) == 1  # one line for the episode, not one per question


class TestLoggingOff:
    @pytest.fixture
    def bot_settings(self, tmp_path: Path) -> Settings:
        return make_settings(tmp_path, log_questions=False)

    async def test_nothing_is_written(self, harness: Harness, bot_settings: Settings) -> None:
        body = await mention(harness, "how old is chen")
        assert body["embeds"]
        assert not bot_settings.db_path.exists()
        assert not list(bot_settings.db_path.parent.glob("*.sqlite3*"))
