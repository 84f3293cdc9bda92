"""For curators: /report shows what went unanswered, and teaches the bot from it.

The summary comes first; then the most missed question groups, one private message each,
with a menu of candidate facts (what people picked after asking first, then the nearest)
and two buttons, "Add as phrasing" and "Not in the article". Both go through `bot.learn`,
the same path as `python -m bot learn`, which proves a change safe before writing it; the
bot then reloads at once, and the change is recorded with the curator's hashed id and the
time in `learned.jsonl` beside the question log.

For the bot's owner and members with Manage Server; others are refused.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.exts.curate import curators_only
from bot.factbase import Fact
from bot.learn import DEV_SET, Action, LearnError, changes_file, learn, record_change
from bot.questionlog import curator_hash
from bot.render import (
    APOLOGY,
    CONTENT_MAX,
    DESCRIPTION_MAX,
    NO_PINGS,
    OPTION_MAX,
    clean_user_text,
    shorten,
    strip_bidi,
)
from bot.report import (
    MissGroup,
    build_report,
    parse_since,
    since_timestamp,
    to_text,
    why_missed,
)

if TYPE_CHECKING:
    from bot.client import AnyQABot

log = logging.getLogger(__name__)

REPORT_FLUSH_S = 1.5  # at most this long waiting for the log to store what was just asked
GROUPS_SHOWN = 5  # missed question groups offered for teaching, most asked first
TEACH_TIMEOUT = 15 * 60.0  # seconds the menus stay usable
# A missed question and a few of its other wordings, each cut short, so one group's text
# stays well inside one message (CONTENT_MAX).
QUESTION_MAX = 300
WORDINGS_SHOWN = 3
WORDING_MAX = 200
NOT_YOURS = "These buttons are for the curator who opened the report."
NOTHING_CHANGED = f"{APOLOGY} Nothing was changed."


class ReportCog(commands.Cog, name="Report"):
    def __init__(self, bot: AnyQABot) -> None:
        self.bot = bot
        self._teaching = asyncio.Lock()  # one change at a time, in the order clicked

    @app_commands.command(
        name="report", description="What people asked, what went unanswered; teach the bot"
    )
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.describe(since="How far back: 24h, 7d, 2w (default 7d)")
    @curators_only
    async def report(self, interaction: discord.Interaction[Any], since: str = "7d") -> None:
        try:
            seconds = parse_since(since)
        except ValueError as exc:
            await interaction.response.send_message(
                strip_bidi(str(exc)), ephemeral=True, allowed_mentions=NO_PINGS
            )
            return
        qlog = self.bot.question_log
        if qlog is not None:
            # Include what was just asked: the writer stores it a moment after the reply.
            # Bounded, as Discord wants the response within three seconds.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(qlog.flush(), REPORT_FLUSH_S)
        rows = await qlog.rows_since(since_timestamp(seconds)) if qlog is not None else None
        matcher = self.bot.matcher
        report = build_report(rows, matcher, seconds) if rows is not None else None
        if report is None:
            text = "The question log is off or unavailable (see BOT_LOG_QUESTIONS and the logs)."
        else:
            text = to_text(report, short=True)
        embed = discord.Embed(
            title="Curator report",
            description=shorten(discord.utils.escape_markdown(text), DESCRIPTION_MAX),
        )
        embed.set_footer(text="Full report: python -m bot report --since " + strip_bidi(since))
        await interaction.response.send_message(
            embed=embed, ephemeral=True, allowed_mentions=NO_PINGS
        )
        for miss in report.misses[:GROUPS_SHOWN] if report is not None else []:
            facts = [f for f in map(matcher.factbase.get, miss.candidates) if f is not None]
            if facts:
                view = TeachView(self, interaction.user.id, miss, facts)
                await interaction.followup.send(
                    view.text(), view=view, ephemeral=True, allowed_mentions=NO_PINGS
                )

    async def teach(
        self, interaction: discord.Interaction[Any], view: TeachView, action: Action
    ) -> None:
        """Apply one change through `bot.learn`, reload, record it, and say what happened."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        settings = self.bot.settings
        fact_id = view.choice
        async with self._teaching:
            try:
                learned = await asyncio.to_thread(
                    learn,
                    settings.facts_dir,
                    action,
                    view.miss.question,
                    fact_id,
                    config=settings.match_config(),
                    dev_file=DEV_SET if DEV_SET.exists() else None,
                )
            except LearnError as exc:
                text = f"\u274c Not changed: {exc}."
            else:
                text = f"\u2705 {learned.summary()}."
                if learned.changed:
                    view.done = f"{action.value} {fact_id}"
                    ok, lines = await self.bot.reload_facts()
                    text += " Live now." if ok else f" Not live yet: {lines[0]}"
                    curator = await curator_hash(settings, interaction.user.id)
                    path = changes_file(settings.db_path)
                    try:
                        await asyncio.to_thread(record_change, path, learned, curator, "discord")
                    except OSError as exc:
                        log.error("could not record the change in %s: %s", path, exc)
        await interaction.followup.send(
            shorten(discord.utils.escape_markdown(text), CONTENT_MAX),
            ephemeral=True,
            allowed_mentions=NO_PINGS,
        )


class TeachView(discord.ui.View):
    """One missed question group: a menu of candidate facts and the two teaching buttons."""

    def __init__(self, cog: ReportCog, curator_id: int, miss: MissGroup, facts: list[Fact]) -> None:
        super().__init__(timeout=TEACH_TIMEOUT)
        self.cog = cog
        self.curator_id = curator_id
        self.miss = miss
        self.choice = facts[0].id  # the strongest suggestion, chosen until the curator picks
        self.done: str | None = None
        self.menu: discord.ui.Select[TeachView] = discord.ui.Select(
            placeholder="The fact this question is about",
            options=[
                discord.SelectOption(
                    label=shorten(fact.display_question, OPTION_MAX),
                    value=fact.id,
                    description=shorten(self._why(fact.id), OPTION_MAX),
                    default=fact.id == self.choice,
                )
                for fact in facts
            ],
        )
        self.menu.callback = self._chosen  # type: ignore[method-assign]
        self.add_item(self.menu)
        for label, style, action in (
            ("Add as phrasing", discord.ButtonStyle.success, Action.ADD),
            ("Not in the article", discord.ButtonStyle.secondary, Action.NOT_IN_ARTICLE),
        ):
            button: discord.ui.Button[TeachView] = discord.ui.Button(label=label, style=style)
            button.callback = self._teacher(action)  # type: ignore[method-assign]
            self.add_item(button)

    def _why(self, fact_id: str) -> str:
        picked = self.miss.picked.get(fact_id)
        if picked:
            return f"{fact_id} \u00b7 people picked it {picked}\u00d7"
        return f"{fact_id} \u00b7 nearest" if fact_id == self.miss.nearest_fact else fact_id

    def text(self) -> str:
        miss = self.miss
        why = why_missed(miss)
        question = clean_user_text(miss.question, QUESTION_MAX)
        lines = [f"**{miss.count}\u00d7** \u201c{question}\u201d ({why})"]
        others = [w for w in miss.wordings if w != miss.question][:WORDINGS_SHOWN]
        lines += [f"also: \u201c{clean_user_text(w, WORDING_MAX)}\u201d" for w in others]
        lines.append("Pick the fact it is about, then a button.")
        return "\n".join(lines)

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        if interaction.user.id == self.curator_id:
            return True
        await interaction.response.send_message(
            NOT_YOURS, ephemeral=True, allowed_mentions=NO_PINGS
        )
        return False

    async def _chosen(self, interaction: discord.Interaction[Any]) -> None:
        self.choice = self.menu.values[0]
        for option in self.menu.options:
            option.default = option.value == self.choice
        await interaction.response.defer()

    def _teacher(self, action: Action):  # type: ignore[no-untyped-def]
        async def callback(interaction: discord.Interaction[Any]) -> None:
            if self.done is not None:
                await interaction.response.send_message(
                    f"Already done: {self.done}.", ephemeral=True, allowed_mentions=NO_PINGS
                )
                return
            await self.cog.teach(interaction, self, action)

        return callback

    async def on_error(
        self, interaction: discord.Interaction[Any], error: Exception, item: discord.ui.Item[Any]
    ) -> None:
        context = f"report menu by user {interaction.user.id}"
        await self.cog.bot.report_error(error, context, interaction, apology=NOTHING_CHANGED)


async def setup(bot: AnyQABot) -> None:
    await bot.add_cog(ReportCog(bot))
