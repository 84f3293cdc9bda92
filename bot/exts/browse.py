"""Studying the article: /facts (paged, by topic or person) and /person cards."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.render import (
    CHOICE_MAX,
    CHOICES_MAX,
    ECHO_MAX,
    NO_PINGS,
    browse_groups,
    facts_page_embed,
    person_embed,
    shorten,
    strip_bidi,
)

if TYPE_CHECKING:
    from bot.client import AnyQABot
    from bot.factbase import Fact

PER_PAGE = 10
# Seconds after the last click that the page buttons stay usable: a reader who comes back
# later runs /facts again, and an idle pager stops holding its facts in memory.
PAGER_TIMEOUT = 10 * 60.0


def _echo(text: str) -> str:
    """What the user typed, shown back in a notice."""
    return shorten(strip_bidi(text), ECHO_MAX)


class FactPager(discord.ui.View):
    """Previous / next buttons over a list of facts; only the person who asked can page."""

    def __init__(self, owner_id: int, title: str, facts: list[Fact], topics: list[str]) -> None:
        super().__init__(timeout=PAGER_TIMEOUT)
        self.owner_id = owner_id
        self.title = title
        self.facts = facts
        self.topics = topics
        self.page = 0
        self.pages = max(1, -(-len(facts) // PER_PAGE))
        self._sync_buttons()

    def embed(self) -> discord.Embed:
        return facts_page_embed(self.title, self.facts, self.page, PER_PAGE, self.topics)

    def _sync_buttons(self) -> None:
        self.previous.disabled = self.page <= 0
        self.next.disabled = self.page >= self.pages - 1

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        if interaction.user.id == self.owner_id:
            return True
        await interaction.response.send_message(
            "These pages belong to someone else: use /facts for your own.",
            ephemeral=True,
            allowed_mentions=NO_PINGS,
        )
        return False

    async def on_error(
        self, interaction: discord.Interaction[Any], error: Exception, item: discord.ui.Item[Any]
    ) -> None:
        bot: AnyQABot = interaction.client  # type: ignore[assignment]
        context = f"page button by user {interaction.user.id}"
        await bot.report_error(error, context, interaction)

    async def _turn(self, interaction: discord.Interaction[Any], step: int) -> None:
        self.page = min(max(self.page + step, 0), self.pages - 1)
        self._sync_buttons()
        await interaction.response.edit_message(embed=self.embed(), view=self)

    @discord.ui.button(label="Previous", style=discord.ButtonStyle.secondary)
    async def previous(
        self, interaction: discord.Interaction[Any], _: discord.ui.Button[Any]
    ) -> None:
        await self._turn(interaction, -1)

    @discord.ui.button(label="Next", style=discord.ButtonStyle.secondary)
    async def next(self, interaction: discord.Interaction[Any], _: discord.ui.Button[Any]) -> None:
        await self._turn(interaction, +1)


class BrowseCog(commands.Cog, name="Browse"):
    def __init__(self, bot: AnyQABot) -> None:
        self.bot = bot

    def _groups(self) -> dict[str, list[Fact]]:
        return browse_groups(self.bot.matcher.factbase)

    async def _complete(self, current: str, names: list[str]) -> list[app_commands.Choice[str]]:
        key = current.casefold().strip()
        hits = [n for n in names if key in n.casefold()] if key else names
        return [
            app_commands.Choice(name=shorten(n, CHOICE_MAX), value=shorten(n, CHOICE_MAX))
            for n in hits[:CHOICES_MAX]
        ]

    @commands.hybrid_command(name="facts", description="Browse what I know, by topic or person")
    @app_commands.allowed_installs(guilds=True, users=True)
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=True)
    @app_commands.describe(topic="A topic or a person (leave empty for everything)")
    async def facts(self, ctx: commands.Context[AnyQABot], *, topic: str = "") -> None:
        groups = self._groups()
        all_facts = list(self.bot.matcher.factbase.facts)
        if topic:
            name = next((n for n in groups if n.casefold() == topic.casefold().strip()), None)
            if name is None:
                await ctx.send(
                    f"I have no topic or person called \u201c{_echo(topic)}\u201d. "
                    "Try /facts with no topic to see them all.",
                    allowed_mentions=NO_PINGS,
                    ephemeral=True,
                )
                return
            pager = FactPager(ctx.author.id, f"What I know: {name}", groups[name], [])
        else:
            title = f"What I know ({len(all_facts)} facts)"
            pager = FactPager(ctx.author.id, title, all_facts, list(groups))
        await ctx.send(embed=pager.embed(), view=pager, allowed_mentions=NO_PINGS)

    @facts.autocomplete("topic")
    async def facts_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        return await self._complete(current, list(self._groups()))

    @commands.hybrid_command(
        name="person", description="A card of what the article says about someone"
    )
    @app_commands.allowed_installs(guilds=True, users=True)
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=True)
    @app_commands.describe(name="A person named in the article")
    async def person(self, ctx: commands.Context[AnyQABot], *, name: str) -> None:
        people = self.bot.matcher.factbase.people()
        key = name.casefold().strip()
        match = next((p for p in people if p.casefold() == key), None) or next(
            (p for p in people if key and key in p.casefold()), None
        )
        if match is None:
            await ctx.send(
                f"The article names no one called \u201c{_echo(name)}\u201d. People: "
                + ", ".join(people),
                allowed_mentions=NO_PINGS,
                ephemeral=True,
            )
            return
        await ctx.send(embed=person_embed(match, people[match]), allowed_mentions=NO_PINGS)

    @person.autocomplete("name")
    async def person_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        return await self._complete(current, list(self.bot.matcher.factbase.people()))


async def setup(bot: AnyQABot) -> None:
    await bot.add_cog(BrowseCog(bot))
