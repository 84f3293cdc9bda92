"""End to end: the real discord.py client, over real sockets, against the fake Discord.

Each test sends what Discord would send (a gateway event) and asserts on the request the
bot made back, which the fake has already checked against Discord's OpenAPI spec.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.client import create_bot
from bot.factbase import FactBase
from bot.matcher import Matcher
from bot.reply import Outcome
from bot.settings import Settings
from tests.conftest import Harness, make_settings, start_bot, stop_bot
from tests.fakediscord import (
    BOT_ID,
    CHANNEL_ID,
    FakeDiscord,
    Recorded,
    user_payload,
)

EPHEMERAL = 64
MESSAGE_CONTENT = 1 << 15


def is_callback(record: Recorded, interaction: dict[str, Any]) -> bool:
    return record.method == "POST" and record.path.startswith(f"/interactions/{interaction['id']}/")


def is_channel_post(record: Recorded, channel_id: int | str = CHANNEL_ID) -> bool:
    return (
        record.method == "POST"
        and record.path == f"/channels/{channel_id}/messages"
        and record.status == 200
    )


async def slash_record(h: Harness, name: str, /, **options: Any) -> Recorded:
    """Send a slash command; the recorded callback request the bot answered with."""
    kw = {k: options.pop(k) for k in ("user", "dm", "permissions") if k in options}
    interaction = h.fake.slash(name, options, **kw)
    await h.fake.dispatch("INTERACTION_CREATE", interaction)
    [record] = await h.fake.wait_for(lambda r: is_callback(r, interaction))
    assert record.status == 200
    assert record.query.get("with_response") in ("1", "true")
    return record


async def slash(h: Harness, name: str, /, **options: Any) -> dict[str, Any]:
    """Send a slash command and return the callback body the bot answered with."""
    return (await slash_record(h, name, **options)).body


async def mention(h: Harness, text: str, **kw: Any) -> dict[str, Any]:
    msg = h.fake.message(f"<@{BOT_ID}> {text}", mentions=[h.fake.bot_user], **kw)
    await h.fake.dispatch("MESSAGE_CREATE", msg)
    [record] = await h.fake.wait_for(
        lambda r: (
            is_channel_post(r)
            and str((r.body.get("message_reference") or {}).get("message_id")) == msg["id"]
        )
    )
    return record.body


def custom_ids(body: dict[str, Any]) -> list[str]:
    return [c["custom_id"] for row in body.get("components", []) for c in row["components"]]


def ask_ids(body: dict[str, Any]) -> list[str]:
    return [c for c in custom_ids(body) if c.startswith("qa:ask:")]


def no_pings(body: dict[str, Any]) -> None:
    assert body["allowed_mentions"]["parse"] == []
    assert not body["allowed_mentions"].get("users")
    assert not body["allowed_mentions"].get("roles")


# -- slash commands -------------------------------------------------------------------------


async def test_slash_ask_answers_with_an_embed_citing_the_paragraph(
    harness: Harness, matcher: Matcher
) -> None:
    question = "how old is chen ziming"
    expected = matcher.answer(question).fact
    assert expected is not None
    body = await slash(harness, "ask", question=question)
    assert body["type"] == 4
    data = body["data"]
    no_pings(data)
    [embed] = data["embeds"]
    assert embed["title"] == question
    assert embed["description"] == expected.answer
    assert embed["fields"][0]["name"] == f"Paragraph {expected.citation.paragraph}"
    assert expected.citation.quote in embed["fields"][0]["value"]
    assert "Los Angeles Times" in embed["footer"]["text"]
    assert ask_ids(data) == [f"qa:ask:{i}" for i in expected.related[:3]]
    assert not (data.get("flags") or 0) & EPHEMERAL
    assert harness.errors == []


async def test_private_flag_answers_only_the_asker(harness: Harness) -> None:
    body = await slash(harness, "ask", question="who is tom ross", private=True)
    assert body["data"]["flags"] & EPHEMERAL


async def test_slash_ask_works_in_dms_for_user_installs(harness: Harness) -> None:
    body = await slash(harness, "ask", question="who is wang juntao", dm=True)
    assert "Wang Juntao" in body["data"]["embeds"][0]["description"]


async def test_autocomplete_offers_matching_questions(harness: Harness) -> None:
    interaction = harness.fake.autocomplete("ask", "question", "wang jun")
    await harness.fake.dispatch("INTERACTION_CREATE", interaction)
    [record] = await harness.fake.wait_for(lambda r: is_callback(r, interaction))
    assert record.body["type"] == 8
    choices = record.body["data"]["choices"]
    assert 1 <= len(choices) <= 25
    assert "wang" in choices[0]["name"].casefold()
    assert all(len(c["name"]) <= 100 and c["name"] == c["value"] for c in choices)


async def test_suggestion_button_answers_that_question(
    harness: Harness, factbase: FactBase
) -> None:
    first = await slash_record(harness, "ask", question="how old is chen ziming")
    button = ask_ids(first.body["data"])[0]
    fact = factbase.get(button.removeprefix("qa:ask:"))
    assert fact is not None
    message = first.response["resource"]["message"]
    click = harness.fake.click(button, message)
    await harness.fake.dispatch("INTERACTION_CREATE", click)
    [record] = await harness.fake.wait_for(lambda r: is_callback(r, click))
    embed = record.body["data"]["embeds"][0]
    assert embed["title"] == fact.display_question
    assert embed["description"] == fact.answer
    assert embed["fields"][0]["name"] == f"Paragraph {fact.citation.paragraph}"


async def test_abstention_says_so_and_offers_suggestion_buttons(
    harness: Harness, matcher: Matcher
) -> None:
    question = "Where was Chen Ziming born?"
    reply = matcher.answer(question)
    assert reply.outcome is Outcome.NOT_IN_ARTICLE
    body = await slash(harness, "ask", question=question)
    embed = body["data"]["embeds"][0]
    assert "doesn't say" in embed["description"]
    assert ask_ids(body["data"]) == [f"qa:ask:{f.id}" for f in reply.suggestions]


async def test_ambiguous_match_answers_and_offers_did_you_mean(
    harness: Harness, matcher: Matcher, factbase: FactBase
) -> None:
    # Any curated question the matcher finds ambiguous will do; which one depends on the facts.
    question = next(
        q.lower()
        for f in factbase.facts
        for q in f.questions
        if matcher.answer(q.lower()).outcome is Outcome.AMBIGUOUS
    )
    reply = matcher.answer(question)
    assert reply.outcome is Outcome.AMBIGUOUS
    assert reply.fact is not None
    body = await slash(harness, "ask", question=question)
    embed = body["data"]["embeds"][0]
    assert embed["description"] == reply.fact.answer
    did_you_mean = next(f for f in embed["fields"] if f["name"] == "Did you mean")
    assert all(alt.display_question in did_you_mean["value"] for alt in reply.alternatives)
    assert [f"qa:ask:{a.id}" for a in reply.alternatives] == ask_ids(body["data"])[
        : len(reply.alternatives)
    ]


async def test_everyone_and_mentions_in_a_question_ping_nobody(harness: Harness) -> None:
    question = "@everyone @here <@123456789012345678> <@&123456789012345678> who is tom ross"
    body = await slash(harness, "ask", question=question)
    data = body["data"]
    no_pings(data)
    title = data["embeds"][0]["title"]
    assert "@everyone" not in title
    assert "@\u200beveryone" in title
    assert "<@123456789012345678>" not in title


async def test_markdown_in_a_question_is_shown_literally(harness: Harness) -> None:
    body = await slash(harness, "ask", question="**who** is `tom` ross ||?||")
    assert body["data"]["embeds"][0]["title"] == r"\*\*who\*\* is \`tom\` ross \|\|?\|\|"


async def test_long_question_gets_a_short_ephemeral_request(harness: Harness) -> None:
    body = await slash(harness, "ask", question="why " * 200)
    data = body["data"]
    assert data["flags"] & EPHEMERAL
    assert data["content"].startswith("That question is 800 characters long")
    assert "embeds" not in data or not data["embeds"]


async def test_facts_pages_with_buttons(harness: Harness, factbase: FactBase) -> None:
    first = await slash_record(harness, "facts")
    body = first.body
    embed = body["data"]["embeds"][0]
    assert embed["title"] == f"What I know ({len(factbase.facts)} facts)"
    assert embed["footer"]["text"].startswith("Page 1 of ")
    _previous, nxt = custom_ids(body["data"])
    message = first.response["resource"]["message"]
    click = harness.fake.click(nxt, message)
    await harness.fake.dispatch("INTERACTION_CREATE", click)
    [record] = await harness.fake.wait_for(lambda r: is_callback(r, click))
    assert record.body["type"] == 7
    assert record.body["data"]["embeds"][0]["footer"]["text"].startswith("Page 2 of ")


async def test_facts_by_person_and_person_card(harness: Harness, factbase: FactBase) -> None:
    wang = factbase.people()["Wang Juntao"]
    body = await slash(harness, "facts", topic="wang juntao")
    assert body["data"]["embeds"][0]["title"] == "What I know: Wang Juntao"
    card = await slash(harness, "person", name="wang")
    fields = card["data"]["embeds"][0]["fields"]
    assert [f["name"] for f in fields] == [f.display_question for f in wang]


async def test_source_and_help(harness: Harness, factbase: FactBase) -> None:
    source = factbase.sources[0]
    body = await slash(harness, "source")
    embed = body["data"]["embeds"][0]
    assert embed["title"] == source.title
    assert {"name": "Publication", "value": "Los Angeles Times", "inline": True} in embed["fields"]
    helped = await slash(harness, "help")
    assert helped["data"]["flags"] & EPHEMERAL
    assert "/ask" in helped["data"]["embeds"][0]["fields"][0]["value"]


# -- mentions, DMs and the prefix command ------------------------------------------------------


async def test_mention_is_answered_as_a_question(harness: Harness, matcher: Matcher) -> None:
    expected = matcher.answer("who is wang juntao").fact
    assert expected is not None
    body = await mention(harness, "who is wang juntao")
    no_pings(body)
    assert body["allowed_mentions"]["replied_user"] is False
    assert body["embeds"][0]["description"] == expected.answer


async def test_bare_mention_gets_help(harness: Harness) -> None:
    body = await mention(harness, "")
    assert body["embeds"][0]["title"] == "Ask me about the article"


async def test_dm_is_answered(harness: Harness) -> None:
    user = user_payload(777000000000000001, "reader")
    msg = harness.fake.message("wang juntao hepatitus", author=user, dm=True)
    await harness.fake.dispatch("MESSAGE_CREATE", msg)
    dm_channel = harness.fake.dm_channel_for(777000000000000001)
    [record] = await harness.fake.wait_for(lambda r: is_channel_post(r, dm_channel))
    assert "hepatitis" in record.body["embeds"][0]["description"]


async def test_messages_from_bots_and_unmentioned_messages_are_ignored(harness: Harness) -> None:
    robot = user_payload(555000000000000001, "otherbot", bot=True)
    await harness.fake.dispatch(
        "MESSAGE_CREATE",
        harness.fake.message(
            f"<@{BOT_ID}> who is tom ross", author=robot, mentions=[harness.fake.bot_user]
        ),
    )
    await harness.fake.dispatch("MESSAGE_CREATE", harness.fake.message("who is tom ross"))
    await harness.fake.dispatch(
        "MESSAGE_CREATE", harness.fake.message("bot echo", author=harness.fake.bot_user, dm=True)
    )
    await mention(harness, "how old is chen")  # events are handled in order: this comes last
    posts = [r for r in harness.fake.requests if r.method == "POST" and "/messages" in r.path]
    assert len(posts) == 1


async def test_2000_character_question_by_mention(harness: Harness) -> None:
    body = await mention(harness, "x" * 2000)
    assert body["content"].startswith("That question is 2,000 characters long")


class TestPrefixCommand:
    @pytest.fixture
    def bot_settings(self, tmp_path: Path) -> Settings:
        return make_settings(tmp_path, message_content_intent=True, command_prefix="?")

    async def test_prefix_ask_is_answered(self, harness: Harness) -> None:
        assert harness.fake.identifies[0]["intents"] & MESSAGE_CONTENT
        msg = harness.fake.message("?ask how old is chen ziming")
        await harness.fake.dispatch("MESSAGE_CREATE", msg)
        [record] = await harness.fake.wait_for(is_channel_post)
        no_pings(record.body)
        assert record.body["embeds"][0]["fields"][0]["name"] == "Paragraph 3"

    async def test_empty_prefix_ask_gets_help(self, harness: Harness) -> None:
        await harness.fake.dispatch("MESSAGE_CREATE", harness.fake.message("?ask"))
        [record] = await harness.fake.wait_for(is_channel_post)
        assert record.body["embeds"][0]["title"] == "Ask me about the article"


async def test_message_content_intent_is_off_by_default(harness: Harness) -> None:
    assert not harness.fake.identifies[0]["intents"] & MESSAGE_CONTENT


class TestCooldown:
    @pytest.fixture
    def bot_settings(self, tmp_path: Path) -> Settings:
        return make_settings(tmp_path, cooldown_rate=1, cooldown_seconds=60)

    async def test_second_question_too_soon_is_asked_to_wait(self, harness: Harness) -> None:
        first = await slash(harness, "ask", question="who is tom ross")
        assert first["data"]["embeds"]
        second = await slash(harness, "ask", question="how old is chen")
        assert second["data"]["flags"] & EPHEMERAL
        assert second["data"]["content"].startswith("You're asking quickly! Please try again in ")
        other = await slash(
            harness, "ask", question="how old is chen", user=user_payload(1234567890123456, "x")
        )
        assert other["data"]["embeds"]


# -- settings and startup ------------------------------------------------------------------------


async def test_sharded_bot_connects_and_answers(
    point_discord_at_fake: FakeDiscord, tmp_path: Path, matcher: Matcher
) -> None:
    settings = make_settings(tmp_path, shard_count=1, shard_ids=[0])
    bot = create_bot(settings, matcher, guild_ready_timeout=0.05)
    running, task = await start_bot(bot, point_discord_at_fake)
    try:
        assert type(bot).__name__ == "ShardedQABot"
        assert point_discord_at_fake.identifies[0]["shard"] == [0, 1]
        assert (await mention(running, "how old is chen"))["embeds"]
    finally:
        await stop_bot(running, task)


async def test_commands_are_not_synced_on_start_by_default(harness: Harness) -> None:
    await mention(harness, "how old is chen")
    assert not [r for r in harness.fake.requests if r.method == "PUT"]


async def test_dev_guild_gets_the_commands_on_start(
    point_discord_at_fake: FakeDiscord, tmp_path: Path, matcher: Matcher
) -> None:
    settings = make_settings(tmp_path, dev_guild_id=123456789012345678)
    bot = create_bot(settings, matcher, guild_ready_timeout=0.05)
    running, task = await start_bot(bot, point_discord_at_fake)
    try:
        puts = [r for r in point_discord_at_fake.requests if r.method == "PUT"]
        assert [p.path for p in puts] == [
            "/applications/900000000000000001/guilds/123456789012345678/commands"
        ]
        assert "ask" in {c["name"] for c in puts[0].body}
    finally:
        await stop_bot(running, task)
