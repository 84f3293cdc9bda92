"""The Discord layer under faults: load, rate limits and server errors, gateway drops,
hostile input, failing sends and shutting down with questions in flight.

The fake Discord holds the bot to Discord's rules as it goes: an interaction's first response
within 3 s (10062 after), one response per interaction (40060), a body valid against the
OpenAPI spec, and no pings. Any ERROR that discord.py, asyncio or the bot logs fails a test
(see `ErrorRecords`), so "nothing a user triggers ends unhandled" is checked everywhere.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

import discord
import pytest

from bot.render import APOLOGY
from bot.settings import Settings
from tests.conftest import Harness, make_settings
from tests.fakediscord import BOT_ID, CHANNEL_ID, Recorded, user_payload
from tests.test_discord import (
    EPHEMERAL,
    custom_ids,
    is_callback,
    is_channel_post,
    mention,
    slash_record,
)

CALLBACK = r"^/interactions/\d+/[^/]+/callback$"
MESSAGES = r"^/channels/\d+/messages$"


def reply_to(record: Recorded) -> str | None:
    """The message a channel post replies to, if any."""
    if record.method != "POST" or not record.path.endswith("/messages"):
        return None
    ref = (record.body or {}).get("message_reference") or {}
    return str(ref["message_id"]) if "message_id" in ref else None


def answered_interaction(record: Recorded) -> str | None:
    if record.method == "POST" and record.path.endswith("/callback"):
        return record.path.split("/")[2]
    return None


def answer_to(record: Recorded) -> str | None:
    """The interaction or message a request answers, if it answers one."""
    return answered_interaction(record) or reply_to(record)


# -- load ------------------------------------------------------------------------------------

MIXED = (
    "how old is chen ziming",  # answered
    "Where was Chen Ziming born?",  # not in the article
    "who is wang juntao",
    "wang juntao hepatitus",  # a typo
    "what is the article about",
    "hi",  # help
    "who is tom ross",
    "why",
)


async def test_200_mixed_questions_from_50_users_are_each_answered_exactly_once(
    harness: Harness,
) -> None:
    # 50 people ask at once, read their answers, and ask again: four rounds, each person
    # by slash command, mention or DM in turn (every way within three rounds), over
    # answered, unanswerable and odd questions.
    fake = harness.fake
    users = [user_payload(610000000000000000 + n, f"reader{n}") for n in range(50)]
    interactions: list[str] = []
    messages: list[str] = []
    for round_ in range(4):
        asked: set[str] = set()
        for n, user in enumerate(users):
            question = MIXED[(round_ + n) % len(MIXED)]
            if (round_ + n) % 3 == 0:
                event = fake.slash("ask", {"question": question}, user=user)
                interactions.append(event["id"])
                await fake.dispatch("INTERACTION_CREATE", event)
            else:
                if (round_ + n) % 3 == 1:
                    text, kw = f"<@{BOT_ID}> {question}", {"mentions": [fake.bot_user]}
                else:
                    text, kw = question, {"dm": True}
                event = fake.message(text, author=user, **kw)
                messages.append(event["id"])
                await fake.dispatch("MESSAGE_CREATE", event)
            asked.add(event["id"])
        await fake.wait_for(lambda r, asked=asked: answer_to(r) in asked, 50)

    await harness.bot.close()  # lets anything still running finish: a second answer would show
    callbacks = [r for r in fake.requests if answered_interaction(r)]
    posts = [r for r in fake.requests if reply_to(r)]
    assert {r.status for r in callbacks + posts} == {200}  # none late (10062), none twice (40060)
    assert Counter(map(answered_interaction, callbacks)) == Counter(interactions)
    assert Counter(map(reply_to, posts)) == Counter(messages)
    assert len(interactions) + len(messages) == 200
    assert all(r.body["data"]["embeds"] for r in callbacks)
    assert all(r.body["embeds"] for r in posts)


# -- rate limits and server errors ---------------------------------------------------------------


async def test_rate_limited_sends_are_retried(harness: Harness) -> None:
    harness.fake.rate_limit_next(MESSAGES)
    body = await mention(harness, "who is tom ross")
    assert body["embeds"]
    harness.fake.rate_limit_next(CALLBACK)
    interaction = harness.fake.slash("ask", {"question": "who is tom ross"})
    await harness.fake.dispatch("INTERACTION_CREATE", interaction)
    records = await harness.fake.wait_for(lambda r: is_callback(r, interaction), count=2)
    assert [r.status for r in records] == [429, 200]
    statuses = [r.status for r in harness.fake.requests if r.path.endswith("/messages")]
    assert statuses == [429, 200]


class TestServerErrors:
    @pytest.fixture
    def bot_settings(self, tmp_path: Path) -> Settings:
        return make_settings(tmp_path, log_questions=False)

    async def test_5xx_is_retried_and_a_retry_past_the_deadline_ends_quietly(
        self, harness: Harness, caplog: pytest.LogCaptureFixture
    ) -> None:
        # discord.py retries a 5xx after 1 s: in time for a message, too late for an
        # interaction whose deadline is shorter than that.
        fake = harness.fake
        fake.interaction_deadline = 0.5
        fake.fail_next(MESSAGES, 502)
        fake.fail_next(CALLBACK, 500)
        msg = fake.message(f"<@{BOT_ID}> who is tom ross", mentions=[fake.bot_user])
        interaction = fake.slash("ask", {"question": "how old is chen"})
        await fake.dispatch("MESSAGE_CREATE", msg)
        await fake.dispatch("INTERACTION_CREATE", interaction)
        [reply] = await fake.wait_for(lambda r: reply_to(r) == msg["id"] and r.status == 200)
        assert reply.body["embeds"]
        late = await fake.wait_for(lambda r: is_callback(r, interaction), count=2)
        assert [r.status for r in late] == [500, 404]
        assert late[1].response["code"] == 10062  # Unknown interaction
        await harness.bot.close()
        # No apology was tried on the dead interaction; the miss is a warning, not an error.
        assert [r.status for r in fake.requests if is_callback(r, interaction)] == [500, 404]
        assert any("expired" in r.getMessage() for r in caplog.records if r.levelname == "WARNING")


# -- the gateway ------------------------------------------------------------------------------


async def test_gateway_drop_reconnect_and_invalid_sessions_are_survived(harness: Harness) -> None:
    fake = harness.fake

    async def identify_now(shard_id: int | None, *, initial: bool = False) -> None:
        pass  # discord.py's hook waits 5 s before a new IDENTIFY; the fake has no such limit

    harness.bot.before_identify_hook = identify_now  # type: ignore[method-assign]
    await mention(harness, "who is tom ross")
    await fake.drop_connection(4000)
    await fake.wait_connected()
    await fake.request_reconnect()  # op 7
    await fake.wait_connected()
    await fake.invalidate_session(resumable=True)  # op 9, d: true
    await fake.wait_connected()
    assert len(fake.resumes) == 3
    assert len(fake.identifies) == 1
    await fake.invalidate_session(resumable=False)  # op 9, d: false: a new session
    await fake.wait_connected()
    assert len(fake.identifies) == 2
    body = await mention(harness, "how old is chen")
    assert body["embeds"][0]["fields"][0]["name"] == "Paragraph 3"


# -- hostile input -------------------------------------------------------------------------------

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
HOSTILE = (
    "\u202ewho is tom ross\u202c",  # right-to-left override
    "\u2067\u0645\u0646 \u0647\u0648 \u0648\u0627\u0646\u063a\u2069 who is wang juntao",
    "who is tom ross\u0000\u0007\u001b[31m",  # NUL, bell, a terminal escape
    "z\u0335\u0327\u0301a\u0336\u0308l\u0338g\u0335o\u0337" * 20,  # combining marks
    "\u200b\u200d\ufeff",  # zero-width only
    "@everyone @here <@&900000000000000999> <#900000000000000200>",
    "```\n" + "x" * 490 + "\n```",
    "\\" * 300,
    "\U0001f1fa\U0001f1f8\U0001f469\u200d\U0001f52c how old is chen",
    "x" * 4000,
)


@pytest.mark.parametrize("surface", ["slash", "mention"])
async def test_hostile_questions_each_get_one_harmless_reply(
    harness: Harness, surface: str
) -> None:
    for question in HOSTILE:
        if surface == "slash":
            body = (await slash_record(harness, "ask", question=question)).body["data"]
        else:
            body = await mention(harness, question)
        texts = [body.get("content") or ""]
        texts += [e.get("title", "") + e.get("description", "") for e in body.get("embeds", [])]
        assert any(texts), question
        assert not any(c in t for t in texts for c in BIDI), texts
    assert harness.fake.violations == []


async def test_bidi_controls_never_reach_an_embed_title(harness: Harness) -> None:
    body = await slash_record(harness, "ask", question="\u202eSSOR MOT SI OHW\u202c hi")
    [embed] = body.body["data"]["embeds"]
    title = embed.get("title", "")
    assert "\u202e" not in title
    assert "\u202c" not in title


# -- handlers that fail, and their apologies that fail too ------------------------------------


async def test_handler_error_becomes_an_apology_and_a_log_line(harness: Harness) -> None:
    harness.fake.fail_next(MESSAGES, 403)  # e.g. no Embed Links permission
    msg = harness.fake.message(f"<@{BOT_ID}> who is tom ross", mentions=[harness.fake.bot_user])
    await harness.fake.dispatch("MESSAGE_CREATE", msg)
    [apology] = await harness.fake.wait_for(is_channel_post)
    assert apology.body["content"] == APOLOGY
    [error] = harness.errors
    assert f"error handling message {msg['id']}" in error
    harness.errors.clear()
    assert (await mention(harness, "how old is chen"))["embeds"]  # still serving


async def test_slash_handler_error_is_an_ephemeral_apology(harness: Harness) -> None:
    harness.fake.fail_next(CALLBACK, 404)
    interaction = harness.fake.slash("ask", {"question": "who is tom ross"})
    await harness.fake.dispatch("INTERACTION_CREATE", interaction)
    records = await harness.fake.wait_for(lambda r: is_callback(r, interaction), count=2)
    assert [r.status for r in records] == [404, 200]
    assert records[1].body["data"]["content"] == APOLOGY
    assert records[1].body["data"]["flags"] & EPHEMERAL
    assert len(harness.errors) == 1
    harness.errors.clear()


@pytest.mark.parametrize("surface", ["slash", "mention"])
async def test_an_apology_that_fails_too_ends_quietly(
    harness: Harness, surface: str, caplog: pytest.LogCaptureFixture
) -> None:
    fake = harness.fake
    route = CALLBACK if surface == "slash" else MESSAGES
    fake.fail_next(route, 403)  # the answer fails...
    fake.fail_next(route, 403)  # ...and so does the apology
    if surface == "slash":
        event = fake.slash("ask", {"question": "who is tom ross"})
        await fake.dispatch("INTERACTION_CREATE", event)
        await fake.wait_for(lambda r: is_callback(r, event), count=2)
    else:
        event = fake.message(f"<@{BOT_ID}> who is tom ross", mentions=[fake.bot_user])
        await fake.dispatch("MESSAGE_CREATE", event)
        await fake.wait_for(lambda r: r.path.endswith("/messages"), count=2)
    await harness.bot.close()
    # One ERROR for the failed answer; the failed apology is a warning, not a second
    # "Ignoring exception" or "Task exception was never retrieved".
    assert len(harness.errors) == 1, harness.errors
    assert any("could not send a notice" in r.getMessage() for r in caplog.records)
    harness.errors.clear()


async def test_a_failing_page_button_is_reported_and_apologised_for(harness: Harness) -> None:
    first = await slash_record(harness, "facts")
    message = first.response["resource"]["message"]
    nxt = first.body["data"]["components"][0]["components"][1]["custom_id"]
    harness.fake.fail_next(CALLBACK, 403)
    click = harness.fake.click(nxt, message)
    await harness.fake.dispatch("INTERACTION_CREATE", click)
    records = await harness.fake.wait_for(lambda r: is_callback(r, click), count=2)
    assert [r.status for r in records] == [403, 200]
    assert records[1].body["data"]["content"] == APOLOGY
    [error] = harness.errors
    assert "page button" in error
    harness.errors.clear()


async def test_a_button_clicked_while_the_ask_cog_reloads_is_an_apology(harness: Harness) -> None:
    first = await slash_record(harness, "ask", question="how old is chen ziming")
    message = first.response["resource"]["message"]
    ids = custom_ids(first.body["data"])
    assert {i.split(":")[1] for i in ids} == {"ask", "vote"}
    await harness.bot.remove_cog("Ask")
    for custom_id in ids:
        click = harness.fake.click(custom_id, message)
        await harness.fake.dispatch("INTERACTION_CREATE", click)
        [record] = await harness.fake.wait_for(lambda r, click=click: is_callback(r, click))
        assert record.body["data"]["content"] == APOLOGY
        assert record.body["data"]["flags"] & EPHEMERAL
    assert harness.errors == []


async def test_an_error_discord_py_only_logs_is_caught_by_the_harness(harness: Harness) -> None:
    # A View without an on_error of its own: discord.py logs the callback's exception and
    # carries on. The harness must see it, or such a bug passes every test.
    view = discord.ui.View(timeout=None)
    button: discord.ui.Button[Any] = discord.ui.Button(label="boom", custom_id="test:boom")

    clicked = asyncio.Event()

    async def explode(interaction: discord.Interaction[Any]) -> None:
        clicked.set()
        raise RuntimeError("a bug in a button callback")

    button.callback = explode  # type: ignore[method-assign]
    view.add_item(button)
    channel = harness.bot.get_channel(CHANNEL_ID)
    assert isinstance(channel, discord.TextChannel)
    sent = await channel.send("press", view=view)
    [record] = [r for r in harness.fake.requests if r.path.endswith("/messages")]
    assert record.response["id"] == str(sent.id)
    click = harness.fake.click("test:boom", record.response)
    await harness.fake.dispatch("INTERACTION_CREATE", click)
    await asyncio.wait_for(clicked.wait(), 15)
    await harness.bot.close()  # waits for the click's handler to finish
    [error] = harness.errors
    assert "Ignoring exception in view" in error
    assert "a bug in a button callback" in error
    harness.errors.clear()


# -- shutting down ----------------------------------------------------------------------------


async def _ask_60(harness: Harness) -> tuple[list[str], list[str]]:
    """60 people ask at once, by slash command and mention; returns the interaction ids and
    a list that fills with the ids of the messages the bot takes in."""
    fake, bot = harness.fake, harness.bot
    received: list[str] = []

    async def count(message: discord.Message) -> None:
        received.append(str(message.id))

    bot.add_listener(count, "on_message")
    interactions = []
    for n in range(60):
        user = user_payload(620000000000000000 + n, f"reader{n}")
        question = MIXED[n % len(MIXED)]
        if n % 2:
            event = fake.slash("ask", {"question": question}, user=user)
            interactions.append(event["id"])
            await fake.dispatch("INTERACTION_CREATE", event)
        else:
            event = fake.message(f"<@{BOT_ID}> {question}", author=user, mentions=[fake.bot_user])
            await fake.dispatch("MESSAGE_CREATE", event)
    await fake.wait_for(lambda r: r.status == 200 and bool(answer_to(r)))
    return interactions, received


async def test_close_with_questions_in_flight_answers_them_and_logs_no_error(
    harness: Harness, bot_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    harness.bot.finish_in_flight_seconds = 60  # this machine may be slow; the bound is below
    _interactions, received = await _ask_60(harness)
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        await harness.bot.close()

    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert harness.errors == []
    replies = [r for r in harness.fake.requests if answer_to(r)]
    assert {r.status for r in replies} == {200}
    # Every question the bot took in was answered, once; the rest never reached it.
    assert sorted(filter(None, map(reply_to, replies))) == sorted(received)
    answered = [i for i in map(answered_interaction, replies) if i]
    assert len(answered) == len(set(answered))
    with contextlib.closing(sqlite3.connect(bot_settings.db_path)) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        logged = db.execute("SELECT COUNT(*) FROM questions").fetchone()[0]
    assert logged == len(received) + len(answered)


async def test_close_cancels_what_runs_past_its_bound_without_an_error(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    harness.bot.finish_in_flight_seconds = 0
    await _ask_60(harness)
    await harness.bot.close()
    assert harness.errors == []
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert any("they are cancelled" in r.getMessage() for r in caplog.records)


# -- the question log -----------------------------------------------------------------------------


async def test_a_locked_log_delays_no_answer(harness: Harness, bot_settings: Settings) -> None:
    fake = harness.fake
    with contextlib.closing(sqlite3.connect(bot_settings.db_path, isolation_level=None)) as other:
        other.execute("BEGIN EXCLUSIVE")
        asks = []
        for n in range(5):
            user = user_payload(630000000000000000 + n, f"reader{n}")
            asks.append(fake.slash("ask", {"question": "how old is chen"}, user=user))
            await fake.dispatch("INTERACTION_CREATE", asks[-1])
        ids = {a["id"] for a in asks}
        # Each within Discord's 3 s; the first two tell soonest when answers queue on the log.
        first = await fake.wait_for(lambda r: answered_interaction(r) in ids, 2, within=30)
        assert [r.status for r in first] == [200] * 2
        records = await fake.wait_for(lambda r: answered_interaction(r) in ids, 5, within=30)
        other.execute("ROLLBACK")
    assert [r.status for r in records] == [200] * 5
