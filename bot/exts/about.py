"""/source (the article and how to cite it) and /help."""

from __future__ import annotations

from typing import TYPE_CHECKING

from discord import app_commands
from discord.ext import commands

from bot.render import EMBEDS_MAX, NO_PINGS, help_embed, source_embed

if TYPE_CHECKING:
    from bot.client import AnyQABot


class AboutCog(commands.Cog, name="About"):
    def __init__(self, bot: AnyQABot) -> None:
        self.bot = bot

    @commands.hybrid_command(
        name="source", description="The article I answer from, and how to cite it"
    )
    @app_commands.allowed_installs(guilds=True, users=True)
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=True)
    async def source(self, ctx: commands.Context[AnyQABot]) -> None:
        embeds = [source_embed(s) for s in self.bot.matcher.factbase.sources][:EMBEDS_MAX]
        await ctx.send(embeds=embeds, allowed_mentions=NO_PINGS)

    @commands.hybrid_command(name="help", description="How to ask me questions")
    @app_commands.allowed_installs(guilds=True, users=True)
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=True)
    async def help(self, ctx: commands.Context[AnyQABot]) -> None:
        embed = help_embed(prefix=self.bot.settings.command_prefix)
        await ctx.send(embed=embed, allowed_mentions=NO_PINGS, ephemeral=True)


async def setup(bot: AnyQABot) -> None:
    await bot.add_cog(AboutCog(bot))
