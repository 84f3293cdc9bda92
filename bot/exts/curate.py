"""For curators: /reload (new facts without a restart); /report is in bot.exts.report.

For the bot's owner and members with Manage Server; others are refused.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import Refused
from bot.render import CONTENT_MAX, NO_PINGS, shorten

if TYPE_CHECKING:
    from bot.client import AnyQABot

REFUSED = "Only the bot's owner and members with Manage Server can do that."
PROBLEMS_SHOWN = 10  # /reload lists this many fact-base problems; the logs have them all
# Characters of each, so one long problem cannot crowd the others out of the message
# (CONTENT_MAX still cuts the whole).
PROBLEM_MAX = 300


async def _curator(interaction: discord.Interaction[Any]) -> bool:
    # Discord hides the curators' commands from others by default (Manage Server), but a
    # server's admins can change who sees them: check again here.
    if await interaction.client.is_owner(interaction.user):  # type: ignore[attr-defined]
        return True
    if interaction.guild is not None and interaction.permissions.manage_guild:
        return True
    raise Refused(REFUSED)


# For /reload and /report: the bot's owner, or a member with Manage Server in this server.
curators_only = app_commands.check(_curator)


class CurateCog(commands.Cog, name="Curate"):
    def __init__(self, bot: AnyQABot) -> None:
        self.bot = bot

    @app_commands.command(name="reload", description="Reload the fact base without a restart")
    @app_commands.default_permissions(manage_guild=True)
    @curators_only
    async def reload(self, interaction: discord.Interaction[Any]) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        ok, lines = await self.bot.reload_facts()
        if ok:
            text = f"\u2705 {lines[0]}."
        else:
            shown = "\n".join(
                f"\u2022 {shorten(line, PROBLEM_MAX)}" for line in lines[:PROBLEMS_SHOWN]
            )
            extra = len(lines) - PROBLEMS_SHOWN
            more = f"\n\u2026and {extra} more" if extra > 0 else ""
            text = (
                f"\u274c The fact base has {len(lines)} problem(s); still serving the last good "
                f"facts.\n{shown}{more}"
            )
        await interaction.followup.send(
            shorten(discord.utils.escape_markdown(text), CONTENT_MAX),
            ephemeral=True,
            allowed_mentions=NO_PINGS,
        )


async def setup(bot: AnyQABot) -> None:
    await bot.add_cog(CurateCog(bot))
