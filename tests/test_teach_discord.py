"""Teaching a running bot: it picks up changed facts on its own, and curators teach it from
/report in Discord. The real discord.py client against the fake Discord."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.settings import Settings
from tests.conftest import Harness, make_settings
from tests.test_discord import mention

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
