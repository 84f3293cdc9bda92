"""Teaching a running bot: it picks up changed facts on its own, and curators teach it from
/report in Discord. The real discord.py client against the fake Discord."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from bot.exts.report import NOT_YOURS
from bot.learn import changes_file
from bot.questionlog import hash_user
from bot.settings import Settings
from tests.conftest import Harness, make_settings
from tests.fakediscord import ADMIN_PERMISSIONS, APP_ID, BOT_ID, Recorded, user_payload
from tests.test_discord import EPHEMERAL, custom_ids, is_callback, is_channel_post, mention
from tests.test_learn import added_lines

YAML = "china-human-rights.yaml"


def watch_reloads(harness: Harness) -> asyncio.Queue[tuple[bool, list[str]]]:
    """Each reload's result, as it finishes: something to wait on instead of sleeping."""
    done: asyncio.Queue[tuple[bool, list[str]]] = asyncio.Queue()
    reload = harness.bot.reload_facts

    async def reload_and_tell() -> tuple[bool, list[str]]:
        result = await reload()
        done.put_nowait(result)
        return result

    harness.bot.reload_facts = reload_and_tell  # type: ignore[method-assign]
    return done


class TestTheBotWatchesItsFacts:
    @pytest.fixture
    def bot_settings(self, tmp_path: Path, facts_copy: Path) -> Settings:
        return make_settings(tmp_path, facts_dir=facts_copy, facts_poll_seconds=0.05)

    async def test_an_edit_is_served_and_a_broken_file_keeps_the_last_good_facts(
        self, harness: Harness, facts_copy: Path
    ) -> None:
        reloads = watch_reloads(harness)
        path = facts_copy / YAML
        good = path.read_text().replace(
            "      - chen's age\n", "      - chen's age\n      - zorblax index\n"
        )
        path.write_text(good, encoding="utf-8")
        ok, lines = await asyncio.wait_for(reloads.get(), 60)
        assert ok, lines
        after = await mention(harness, "what is the zorblax index")
        assert after["embeds"][0]["description"] == "Chen Ziming is 41."

        path.write_text(good.replace("quote: Chen, 41,", "quote: Chen, 42,"), encoding="utf-8")
        ok, lines = await asyncio.wait_for(reloads.get(), 60)
        assert not ok
        assert any("fact 'chen-age': citation.quote: not found verbatim" in line for line in lines)
        still = await mention(harness, "what is the zorblax index")
        assert still["embeds"][0]["description"] == "Chen Ziming is 41."


# -- /report: teaching from Discord -----------------------------------------------------------

SLANG = "yo how many winters did chen get locked up for"
WIFE = "chen ziming wife"
SPOKESPERSON = "who is the white house spokesperson"
CURATOR = user_payload(555000000000000001, "curator")


def asker(n: int) -> dict[str, Any]:
    return user_payload(630000000000000000 + n, f"asker{n}")


async def mention_record(h: Harness, text: str, author: dict[str, Any]) -> Recorded:
    msg = h.fake.message(f"<@{BOT_ID}> {text}", mentions=[h.fake.bot_user], author=author)
    await h.fake.dispatch("MESSAGE_CREATE", msg)
    [record] = await h.fake.wait_for(
        lambda r: (
            is_channel_post(r)
            and str((r.body.get("message_reference") or {}).get("message_id")) == msg["id"]
        )
    )
    return record


def is_followup(record: Recorded, interaction: dict[str, Any]) -> bool:
    return record.method == "POST" and record.path == f"/webhooks/{APP_ID}/{interaction['token']}"


async def component(h: Harness, message: dict[str, Any], data: dict[str, Any], **kw: Any) -> str:
    """Use a button or menu of a message; the bot's private reply (after a deferral, its
    follow-up), or '' when it only acknowledged the use."""
    interaction = h.fake.interaction(3, data, message=message, **kw)
    await h.fake.dispatch("INTERACTION_CREATE", interaction)
    [callback] = await h.fake.wait_for(lambda r: is_callback(r, interaction))
    kind = callback.body["type"]
    if kind == 4:  # answered at once
        assert callback.body["data"]["flags"] & EPHEMERAL
        return str(callback.body["data"]["content"])
    if kind == 6:  # acknowledged, nothing to say
        return ""
    assert kind == 5  # deferred ("thinking"): the answer follows
    assert callback.body["data"]["flags"] & EPHEMERAL
    [followup] = await h.fake.wait_for(lambda r: is_followup(r, interaction), within=120)
    assert followup.body["flags"] & EPHEMERAL
    return str(followup.body["content"])


def control(message: dict[str, Any], kind: int, label: str | None = None) -> dict[str, Any]:
    return next(
        c
        for row in message["components"]
        for c in row["components"]
        if c["type"] == kind and (label is None or c.get("label") == label)
    )


async def click_button(h: Harness, message: dict[str, Any], label: str, **kw: Any) -> str:
    button = control(message, 2, label)
    return await component(
        h, message, {"custom_id": button["custom_id"], "component_type": 2}, **kw
    )


class TestCuratorsTeachFromReport:
    @pytest.fixture
    def bot_settings(self, tmp_path: Path, facts_copy: Path) -> Settings:
        return make_settings(tmp_path, facts_dir=facts_copy, hash_salt="pepper")

    async def test_report_menus_add_a_phrasing_mark_not_in_article_and_refuse(
        self, harness: Harness, facts_copy: Path, bot_settings: Settings
    ) -> None:
        # A week in the server: the slang question three times (the first asker then
        # picked the sentence fact from the buttons), Chen's wife twice, and a 👎'd answer.
        first = await mention_record(harness, SLANG, asker(1))
        pick = "qa:ask:chen-sentence"
        assert pick in custom_ids(first.body)
        await harness.fake.dispatch(
            "INTERACTION_CREATE", harness.fake.click(pick, first.response, user=asker(1))
        )
        for n in (2, 3):
            await mention_record(harness, SLANG, asker(n))
        for n in (4, 5):
            await mention_record(harness, WIFE, asker(n))
        disliked = await mention_record(harness, SPOKESPERSON, asker(6))
        down = next(i for i in custom_ids(disliked.body) if i.startswith("qa:vote:down:"))
        assert await component(
            harness, disliked.response, {"custom_id": down, "component_type": 2}, user=asker(6)
        )
        path = facts_copy / YAML
        before = path.read_text(encoding="utf-8")

        interaction = harness.fake.slash(
            "report", {"since": "1d"}, user=CURATOR, permissions=ADMIN_PERMISSIONS
        )
        await harness.fake.dispatch("INTERACTION_CREATE", interaction)
        [summary] = await harness.fake.wait_for(lambda r: is_callback(r, interaction))
        assert summary.body["data"]["flags"] & EPHEMERAL
        assert (
            "people picked: chen-sentence (1\u00d7)"
            in summary.body["data"]["embeds"][0]["description"]
        )
        groups = await harness.fake.wait_for(lambda r: is_followup(r, interaction), count=3)
        slang, wife, old = (g.response for g in groups)
        assert all(g.body["flags"] & EPHEMERAL for g in groups)
        assert slang["content"].startswith(f"**3\u00d7** \u201c{SLANG}\u201d (3 asked back)")
        menu = control(slang, 3)
        first_option = menu["options"][0]
        assert (first_option["value"], first_option["default"]) == ("chen-sentence", True)
        assert first_option["description"] == "chen-sentence \u00b7 people picked it 1\u00d7"

        # Only the curator who opened the report can use its buttons.
        assert await click_button(harness, slang, "Add as phrasing") == NOT_YOURS

        # The strongest suggestion is chosen already: one click adds the phrasing.
        said = await click_button(
            harness, slang, "Add as phrasing", user=CURATOR, permissions=ADMIN_PERMISSIONS
        )
        assert said.startswith(
            f"\u2705 added \u201c{SLANG}\u201d as a phrasing of 'chen-sentence'"
        ), said
        assert said.endswith("Live now.")
        answered = await mention(harness, SLANG, author=asker(7))
        assert answered["embeds"][0]["description"].startswith("Chen was sentenced to 13 years")
        again = await click_button(
            harness, slang, "Add as phrasing", user=CURATOR, permissions=ADMIN_PERMISSIONS
        )
        assert again == "Already done: add chen-sentence."

        # Choose a fact in the menu, then mark the question not in the article near it.
        chosen = await component(
            harness,
            wife,
            {
                "custom_id": control(wife, 3)["custom_id"],
                "component_type": 3,
                "values": ["chen-who"],
            },
            user=CURATOR,
            permissions=ADMIN_PERMISSIONS,
        )
        assert chosen == ""
        said = await click_button(
            harness, wife, "Not in the article", user=CURATOR, permissions=ADMIN_PERMISSIONS
        )
        assert said.startswith(f"\u2705 added \u201c{WIFE}\u201d as not in the article"), said
        unanswered = await mention(harness, WIFE, author=asker(8))
        assert "doesn't say" in unanswered["embeds"][0]["description"]

        # Another fact answers the 👎'd question confidently: refused, naming it.
        assert old["content"].startswith(f"**1\u00d7** \u201c{SPOKESPERSON}\u201d (1 \U0001f44e)")
        other = {"custom_id": control(old, 3)["custom_id"], "component_type": 3}
        other["values"] = ["white-house-comment"]
        await component(harness, old, other, user=CURATOR, permissions=ADMIN_PERMISSIONS)
        said = await click_button(
            harness, old, "Add as phrasing", user=CURATOR, permissions=ADMIN_PERMISSIONS
        )
        assert said == (
            "\u274c Not changed: 'white-house-spokesman' already answers "
            f"\u201c{SPOKESPERSON}\u201d confidently."
        )

        after = path.read_text(encoding="utf-8")
        assert added_lines(before, after) == [
            "    unanswered:",
            f"      - {WIFE}",
            f"      - {SLANG}",
        ]
        log = [json.loads(x) for x in changes_file(bot_settings.db_path).read_text().splitlines()]
        assert [(e["action"], e["fact_id"], e["via"]) for e in log] == [
            ("add", "chen-sentence", "discord"),
            ("not-in-article", "chen-who", "discord"),
        ]
        assert {e["curator"] for e in log} == {hash_user(CURATOR["id"], "pepper")}
