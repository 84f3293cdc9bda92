"""For curators: /reload (new facts without a restart); /report is in bot.exts.report.

For the bot's owner and members with Manage Server; others are refused.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.render import NO_PINGS, shorten

if TYPE_CHECKING:
    from bot.client import QABot

REFUSED = "Only the bot's owner and members with Manage Server can do that."


class CurateCog(commands.Cog, name="Curate"):
    def __init__(self, bot: QABot) -> None:
        self.bot = bot

    async def _allowed(self, interaction: discord.Interaction[Any]) -> bool:
        user = interaction.user
        if await self.bot.is_owner(user):
            return True
        perms = getattr(interaction, "permissions", None)
        return interaction.guild is not None and perms is not None and perms.manage_guild

    async def _refuse(self, interaction: discord.Interaction[Any]) -> None:
        await interaction.response.send_message(REFUSED, ephemeral=True, allowed_mentions=NO_PINGS)

    @app_commands.command(name="reload", description="Reload the fact base without a restart")
    @app_commands.default_permissions(manage_guild=True)
    async def reload(self, interaction: discord.Interaction[Any]) -> None:
        if not await self._allowed(interaction):
            await self._refuse(interaction)
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        ok, lines = await self.bot.reload_facts()
        if ok:
            text = f"\u2705 {lines[0]}."
        else:
            shown = "\n".join(f"\u2022 {shorten(line, 300)}" for line in lines[:10])
            more = f"\n\u2026and {len(lines) - 10} more" if len(lines) > 10 else ""
            text = (
                f"\u274c The fact base has {len(lines)} problem(s); still serving the last good "
                f"facts.\n{shown}{more}"
            )
        await interaction.followup.send(
            shorten(discord.utils.escape_markdown(text), 2000),
            ephemeral=True,
            allowed_mentions=NO_PINGS,
        )


async def setup(bot: QABot) -> None:
    await bot.add_cog(CurateCog(bot))
