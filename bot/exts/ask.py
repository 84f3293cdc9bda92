"""Asking: /ask and !ask (one hybrid command), @mentions, DMs, and suggestion buttons.

Every surface funnels into `AskCog.respond`, which applies the length limit and the
per-user cooldown, asks the matcher, and renders the same `Reply` the console prints.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Self, TypeVar

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import send_quietly
from bot.context import Conversations
from bot.questionlog import Asked
from bot.render import (
    APOLOGY,
    CHOICE_MAX,
    CHOICES_MAX,
    NO_PINGS,
    AskId,
    VoteId,
    answer_embed,
    feedback_buttons,
    help_embed,
    offer_buttons,
    shorten,
)
from bot.reply import Outcome, Reply

if TYPE_CHECKING:
    from bot.client import AnyQABot


@dataclass(frozen=True, slots=True)
class Outgoing:
    """What to send back: a plain notice, or an embed with its buttons."""

    content: str | None = None
    embed: discord.Embed | None = None
    view: discord.ui.View | None = None
    reply: Reply | None = None
    private: bool = False  # a notice only the asker needs to see

    def kwargs(self) -> dict[str, Any]:
        out: dict[str, Any] = {"allowed_mentions": NO_PINGS}
        if self.content is not None:
            out["content"] = self.content
        if self.embed is not None:
            out["embed"] = self.embed
        if self.view is not None:
            out["view"] = self.view
        return out


def ask_cog(interaction: discord.Interaction[Any]) -> AskCog | None:
    """The Ask cog that a persistent button hands its click to; None while it reloads."""
    cog = interaction.client.get_cog("Ask")
    return cog if isinstance(cog, AskCog) else None


IdT = TypeVar("IdT", AskId, VoteId)


class _AskCogButton(Generic[IdT]):
    """What the persistent buttons share: discord.py rebuilds one from every click
    (`from_custom_id`), its state all in its custom id, so it works across restarts; the
    click goes to the Ask cog. A mixin before DynamicItem in the bases, because every
    DynamicItem subclass must name its own template."""

    id_type: type[IdT]  # the custom id it carries

    def __init__(self, button: discord.ui.Button[Any]) -> None:
        super().__init__(button)  # DynamicItem's, next in a button's bases
        parsed = self.id_type.parse(button.custom_id or "")
        assert parsed is not None, button.custom_id
        self.parsed: IdT = parsed  # not `id`: Item.id is the component's number

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> Self:
        assert isinstance(item, discord.ui.Button)
        return cls(item)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        cog = ask_cog(interaction)
        if cog is None:  # being reloaded: say so rather than leave the click hanging
            await send_quietly(
                interaction.response.send_message,
                APOLOGY,
                ephemeral=True,
                allowed_mentions=NO_PINGS,
            )
            return
        await self.clicked(cog, interaction)

    async def clicked(self, cog: AskCog, interaction: discord.Interaction[Any]) -> None:
        raise NotImplementedError


class AskButton(
    _AskCogButton[AskId],
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=AskId.TEMPLATE,
):
    """A suggested question; clicking it answers that fact. Works across restarts."""

    id_type = AskId

    async def clicked(self, cog: AskCog, interaction: discord.Interaction[Any]) -> None:
        await cog.answer_suggestion(interaction, self.parsed.fact_id)


class VoteButton(
    _AskCogButton[VoteId],
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=VoteId.TEMPLATE,
):
    """👍 / 👎 on an answer, or "None of these" on a suggestion list; one vote a user."""

    id_type = VoteId

    async def clicked(self, cog: AskCog, interaction: discord.Interaction[Any]) -> None:
        await cog.record_vote(interaction, self.parsed)


class AskCog(commands.Cog, name="Ask"):
    def __init__(self, bot: AnyQABot) -> None:
        self.bot = bot
        settings = bot.settings
        # One bucket per user id, across every surface; idle users' buckets are dropped.
        self._cooldowns: commands.CooldownMapping[int] = commands.CooldownMapping(
            commands.Cooldown(settings.cooldown_rate, settings.cooldown_seconds),
            lambda user_id: user_id,
        )
        # What each conversation is about, for follow-ups ("how old is he?"); in memory only.
        self.conversations = Conversations()

    # -- the shared path ----------------------------------------------------------------

    async def respond(self, question: str, asked: Asked, *, fact_id: str | None = None) -> Outgoing:
        """Limits first, then the matcher, then the log; never raises for any question text."""
        user_id = int(asked.user_id or 0)
        limit = self.bot.settings.max_question_length
        if fact_id is None and len(question) > limit:
            return Outgoing(
                content=f"That question is {len(question):,} characters long; please keep it "
                f"under {limit} and ask again.",
                private=True,
            )
        retry = self._cooldowns.update_rate_limit(user_id)
        if retry is not None:
            return Outgoing(
                content=f"You're asking quickly! Please try again in {max(1, round(retry))} s.",
                private=True,
            )
        matcher = self.bot.matcher  # one matcher for the whole question, even across a reload
        start = time.perf_counter()
        key = conversation_key(asked)
        reply = matcher.reply_for(fact_id) if fact_id is not None else None
        if reply is None:  # a question, or a button for a fact that a reload removed
            reply = matcher.converse(question, self.conversations, key)
        elif (topic := matcher.topic_after(reply)) is not None:
            self.conversations.remember(key, topic)  # a suggestion continues the conversation
        latency_ms = (time.perf_counter() - start) * 1000
        question_id = None
        if self.bot.question_log is not None:
            question_id = await self.bot.question_log.record(reply, asked, latency_ms)
        view = discord.ui.View(timeout=None)
        for button in offer_buttons(reply):
            view.add_item(AskButton(button))
        if question_id is not None:
            for button in feedback_buttons(reply, question_id):
                view.add_item(VoteButton(button))
        embed = answer_embed(reply) if reply.outcome is not Outcome.HELP else self._help(reply)
        return Outgoing(embed=embed, view=view if view.children else None, reply=reply)

    def _help(self, reply: Reply | None = None) -> discord.Embed:
        return help_embed(reply, self.bot.settings.command_prefix)

    # -- /ask and !ask --------------------------------------------------------------------

    @commands.hybrid_command(name="ask", description="Ask a question about the article")
    @app_commands.allowed_installs(guilds=True, users=True)
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=True)
    @app_commands.describe(
        question="Your question, e.g. who was released?", private="Only you see the answer"
    )
    async def ask(
        self, ctx: commands.Context[AnyQABot], *, question: str, private: bool = False
    ) -> None:
        surface = "slash" if ctx.interaction is not None else "prefix"
        out = await self.respond(question, _asked(surface, ctx.author, ctx.guild, ctx.channel))
        await ctx.send(**out.kwargs(), ephemeral=private or out.private)

    @ask.autocomplete("question")
    async def ask_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        return [
            app_commands.Choice(name=shorten(q, CHOICE_MAX), value=shorten(q, CHOICE_MAX))
            for q, _ in self.bot.matcher.complete(current, limit=CHOICES_MAX)
        ]

    async def cog_command_error(self, ctx: commands.Context[AnyQABot], error: Exception) -> None:
        if isinstance(error, commands.MissingRequiredArgument):
            await send_quietly(
                ctx.send, embed=self._help(), allowed_mentions=NO_PINGS, ephemeral=True
            )
            return
        await self.bot.report_error(error, f"command {ctx.command} by user {ctx.author.id}", ctx)

    # -- @mentions and DMs -----------------------------------------------------------------

    def question_in(self, message: discord.Message) -> str | None:
        """The question a message asks the bot, or None when it is not for the bot."""
        me = self.bot.user
        if me is None or message.author.bot:
            return None
        text = message.content
        if message.guild is None:
            return text.strip()
        mine = me in message.mentions or any(
            r.tags is not None and r.tags.bot_id == me.id for r in message.role_mentions
        )
        if not mine:
            return None
        text = re.sub(rf"<@!?{me.id}>", " ", text)
        for role in message.role_mentions:
            if role.tags is not None and role.tags.bot_id == me.id:
                text = text.replace(role.mention, " ")
        return text.strip()

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        question = self.question_in(message)
        if question is None:
            return
        try:
            if question.startswith(self.bot.settings.command_prefix):
                ctx = await self.bot.get_context(message)
                if ctx.valid:  # a prefix command: the command handles it
                    return
            surface = "dm" if message.guild is None else "mention"
            asked = _asked(surface, message.author, message.guild, message.channel)
            out = (
                Outgoing(embed=self._help())
                if not question
                else await self.respond(question, asked)
            )
            await message.reply(**out.kwargs(), mention_author=False)
        except Exception as error:
            context = f"message {message.id} from user {message.author.id}"
            await self.bot.report_error(error, context, message)

    # -- suggestion buttons ------------------------------------------------------------------

    async def answer_suggestion(self, interaction: discord.Interaction[Any], fact_id: str) -> None:
        try:
            fact = self.bot.matcher.factbase.get(fact_id)
            question = fact.display_question if fact else fact_id
            asked = _asked("button", interaction.user, interaction.guild, interaction.channel)
            out = await self.respond(question, asked, fact_id=fact_id)
            private = out.private or bool(
                interaction.message and interaction.message.flags.ephemeral
            )
            await interaction.response.send_message(**out.kwargs(), ephemeral=private)
        except Exception as error:
            context = f"button {fact_id} by user {interaction.user.id}"
            await self.bot.report_error(error, context, interaction)

    async def record_vote(self, interaction: discord.Interaction[Any], vote: VoteId) -> None:
        try:
            qlog = self.bot.question_log
            ok = qlog is not None and await qlog.vote(
                vote.question_id, interaction.user.id, vote.fact_id, vote.vote
            )
            if not ok:
                text = "Sorry, I couldn't record that just now."
            elif vote.vote == "none":
                text = "Noted as a question I couldn't answer: the curators will see it. Thank you!"
            else:
                mark = "\U0001f44d" if vote.vote == "up" else "\U0001f44e"
                text = f"Thanks! Recorded {mark} for this answer (click the other to change it)."
            await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_PINGS)
        except Exception as error:
            context = f"vote {vote} by user {interaction.user.id}"
            await self.bot.report_error(error, context, interaction)


def conversation_key(asked: Asked) -> tuple[object, ...]:
    """One conversation per user in a server channel; the DM channel is one in itself."""
    if asked.guild_id is None:
        return ("dm", asked.channel_id, asked.user_id)
    return (asked.guild_id, asked.channel_id, asked.user_id)


def _asked(surface: str, user: Any, guild: Any, channel: Any) -> Asked:
    return Asked(
        surface=surface,
        user_id=getattr(user, "id", None),
        guild_id=getattr(guild, "id", None),
        channel_id=getattr(channel, "id", None),
    )


async def setup(bot: AnyQABot) -> None:
    bot.add_dynamic_items(AskButton, VoteButton)
    await bot.add_cog(AskCog(bot))
