"""Follow-up questions in Discord: per user and channel, through the real discord.py client
against the fake Discord."""

from __future__ import annotations

from tests.conftest import Harness
from tests.fakediscord import user_payload
from tests.test_discord import ask_ids, is_callback, mention, slash, slash_record

ALICE = user_payload(888000000000000001, "alice")
BOB = user_payload(888000000000000002, "bob")


async def test_slash_follow_up_reads_the_pronoun_and_says_so(harness: Harness) -> None:
    await slash(harness, "ask", question="who was released today?", user=ALICE)
    body = await slash(harness, "ask", question="how old is he?", user=ALICE)
    [embed] = body["data"]["embeds"]
    assert embed["description"] == "Chen Ziming is 41."
    assert embed["author"]["name"] == "(reading \u201che\u201d as Chen Ziming)"
    assert embed["title"] == "how old is he?"
    assert harness.errors == []


async def test_two_users_in_one_channel_do_not_share_context(harness: Harness) -> None:
    await mention(harness, "who was released today?", author=ALICE)
    bobs = await mention(harness, "how old is he?", author=BOB)
    assert "Chen Ziming is 41." not in str(bobs["embeds"])  # Bob has nobody to mean
    assert "author" not in bobs["embeds"][0]
    alices = await mention(harness, "how old is he?", author=ALICE)
    assert alices["embeds"][0]["description"] == "Chen Ziming is 41."


async def test_a_picked_suggestion_continues_the_conversation(harness: Harness) -> None:
    # With no context the bot asks back; the user's pick sets what "he" means next.
    first = await slash_record(harness, "ask", question="how old is he?", user=ALICE)
    assert "qa:ask:chen-age" in ask_ids(first.body["data"])
    message = first.response["resource"]["message"]
    click = harness.fake.click("qa:ask:chen-age", message, user=ALICE)
    await harness.fake.dispatch("INTERACTION_CREATE", click)
    await harness.fake.wait_for(lambda r: is_callback(r, click))
    body = await slash(harness, "ask", question="what was he charged with?", user=ALICE)
    [embed] = body["data"]["embeds"]
    assert "Chen Ziming" in embed["author"]["name"]
    assert "subvert" in embed["description"] or "counterrevolutionary" in embed["description"]
