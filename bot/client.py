"""The Discord bot: a configured, unstarted `commands.Bot` (or `AutoShardedBot`).

`create_bot(settings)` is what the runner, the tests and any tool use; they start it.
The bot holds no matching logic: it asks `bot.matcher`, which a reload swaps whole.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot import lexicon
from bot.indexcache import matcher_for
from bot.learn import facts_fingerprint
from bot.loader import FactBaseError
from bot.matcher import Matcher
from bot.questionlog import QuestionLog
from bot.render import NO_PINGS
from bot.settings import Settings

log = logging.getLogger(__name__)

EXTENSIONS = (
    "bot.exts.ask",
    "bot.exts.browse",
    "bot.exts.about",
    "bot.exts.curate",
    "bot.exts.report",
)
PURGE_EVERY_SECONDS = 86_400
APOLOGY = "Sorry, something went wrong on my side. Please try again."


def intents_for(settings: Settings) -> discord.Intents:
    # Mentions and DMs carry their content without the privileged intent; only prefix
    # commands in server channels need it.
    intents = discord.Intents.default()
    intents.message_content = settings.message_content_intent
    intents.typing = False
    intents.presences = False
    intents.members = False
    return intents


class _QABotMixin:
    """Behaviour shared by the plain and the auto-sharded bot."""

    settings: Settings
    matcher: Matcher
    question_log: QuestionLog | None
    tree: app_commands.CommandTree[Any]

    def _init_qa(self, settings: Settings, matcher: Matcher) -> None:
        self.settings = settings
        self.matcher = matcher
        self.question_log = None
        self._purger: asyncio.Task[None] | None = None
        self._reload_lock = asyncio.Lock()
        self._facts_seen = facts_fingerprint(settings.facts_dir)  # as last loaded
        self._watcher: asyncio.Task[None] | None = None
        self.tree.on_error = self._on_tree_error  # type: ignore[method-assign]

    async def setup_hook(self) -> None:
        if self.settings.log_questions:
            # Connects in the background: a database that is down never holds up the bot.
            self.question_log = QuestionLog.from_settings(self.settings)
            self.question_log.start()
            if self.settings.retention_days > 0:
                self._purger = asyncio.create_task(self._purge_daily())
        if self.settings.facts_poll_seconds > 0:
            self._watcher = asyncio.create_task(self._watch_facts())
        # The spelling word list loads now, off the event loop, not on the first question.
        await asyncio.to_thread(lexicon.preload)
        for ext in EXTENSIONS:
            await self.load_extension(ext)  # type: ignore[attr-defined]
        if self.settings.dev_guild_id:
            guild = discord.Object(id=self.settings.dev_guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            log.info("synced %d commands to development guild %s", len(synced), guild.id)

    async def _purge_daily(self) -> None:
        while self.question_log is not None:
            await asyncio.sleep(PURGE_EVERY_SECONDS)
            await self.question_log.purge()

    async def _watch_facts(self) -> None:
        """Reload when a file in the facts folder changes (an edit, or `bot learn`): a
        stat of each file every few seconds, nothing more while nothing changes."""
        while True:
            await asyncio.sleep(self.settings.facts_poll_seconds)
            if facts_fingerprint(self.settings.facts_dir) == self._facts_seen:
                continue
            try:
                await self.reload_facts()
            except Exception:  # keep watching whatever happened to this one reload
                log.exception("reloading the changed fact base failed")

    async def close(self) -> None:
        if self._purger is not None:
            self._purger.cancel()
        if self._watcher is not None:
            self._watcher.cancel()
        await super().close()  # type: ignore[misc]
        if self.question_log is not None:
            await self.question_log.close()

    async def reload_facts(self) -> tuple[bool, list[str]]:
        """Load the fact base again; keep serving the old one when the new one is broken.

        The new matcher is built off the event loop and swapped in whole, so a question
        already being answered finishes with the matcher it started with.
        """
        async with self._reload_lock:
            settings = self.settings
            # Seen before loading: a change made during the load is noticed next time, and
            # a broken file is not retried until it changes again.
            self._facts_seen = facts_fingerprint(settings.facts_dir)
            try:
                matcher = await asyncio.to_thread(matcher_for, settings)
            except FactBaseError as exc:
                log.warning("reload refused, still serving the last good facts:\n%s", exc)
                return False, [str(p) for p in exc.problems]
            self.matcher = matcher
            fb = matcher.factbase
            summary = f"reloaded {len(fb.facts)} facts, {fb.question_count} questions"
            log.info(summary)
            return True, [summary]

    async def on_ready(self) -> None:
        user = self.user  # type: ignore[attr-defined]
        guilds = self.guilds  # type: ignore[attr-defined]
        log.info(
            "connected as %s (id %s) to %d servers", user, getattr(user, "id", "?"), len(guilds)
        )

    async def report_error(self, error: BaseException, context: str) -> None:
        """Log a handler error with what was going on; never re-raise into discord.py."""
        log.error("error handling %s", context, exc_info=error)

    async def on_command_error(
        self, ctx: commands.Context[Any], error: commands.CommandError
    ) -> None:
        if isinstance(error, commands.CommandNotFound):
            return
        if ctx.cog is not None and ctx.cog.has_error_handler():
            return
        if isinstance(error, commands.UserInputError):
            await ctx.send(f"{error} Try /help.", allowed_mentions=NO_PINGS, ephemeral=True)
            return
        await self.report_error(error, f"command {ctx.command} by user {ctx.author.id}")
        await ctx.send(APOLOGY, allowed_mentions=NO_PINGS, ephemeral=True)

    async def _on_tree_error(
        self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError
    ) -> None:
        await self.report_error(
            error, f"interaction {interaction.id} by user {interaction.user.id}"
        )
        send = (
            interaction.followup.send
            if interaction.response.is_done()
            else interaction.response.send_message
        )
        await send(APOLOGY, ephemeral=True, allowed_mentions=NO_PINGS)


class QABot(_QABotMixin, commands.Bot):
    def __init__(self, settings: Settings, matcher: Matcher, **options: Any) -> None:
        super().__init__(**options)
        self._init_qa(settings, matcher)


class ShardedQABot(_QABotMixin, commands.AutoShardedBot):
    def __init__(self, settings: Settings, matcher: Matcher, **options: Any) -> None:
        super().__init__(**options)
        self._init_qa(settings, matcher)


# The bot never joins voice: don't warn at every start that voice libraries are missing.
discord.VoiceClient.warn_nacl = False
discord.VoiceClient.warn_dave = False


def create_bot(settings: Settings, matcher: Matcher | None = None, **client_options: Any) -> QABot:
    """The configured, unstarted bot; loads the fact base unless given a matcher.

    `client_options` go to discord.py as they are (tests shorten `guild_ready_timeout`).
    """
    if matcher is None:
        matcher = matcher_for(settings)
    options: dict[str, Any] = {
        "command_prefix": settings.command_prefix,
        "intents": intents_for(settings),
        "allowed_mentions": NO_PINGS,
        "help_command": None,  # /help is ours
        "case_insensitive": True,
        **client_options,
    }
    if settings.auto_shard or settings.shard_count or settings.shard_ids:
        if settings.shard_count is not None:
            options["shard_count"] = settings.shard_count
        if settings.shard_ids is not None:
            options["shard_ids"] = settings.shard_ids
        return ShardedQABot(settings, matcher, **options)  # type: ignore[return-value]
    return QABot(settings, matcher, **options)
