"""The Discord bot: a configured, unstarted `commands.Bot` (or `AutoShardedBot`).

`create_bot(settings)` is what the runner, the tests and any tool use; they start it.
The bot holds no matching logic: it asks `bot.matcher`, which a reload swaps whole.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeAlias

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot import lexicon
from bot.indexcache import matcher_for
from bot.learn import facts_fingerprint
from bot.loader import FactBaseError
from bot.matcher import Matcher
from bot.questionlog import QuestionLog
from bot.render import APOLOGY, NO_PINGS
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
# On shutdown, how long answers already being worked on may take to reach Discord. Longer
# than an interaction's 3 s life; shorter than what a service manager waits before killing.
FINISH_IN_FLIGHT_SECONDS = 5.0
# discord.py runs every event listener, app command and component click in a task named for
# what it runs; these are the tasks that answer people.
HANDLER_TASKS = (
    "discord.py: on_",
    "CommandTree-invoker",
    "discord-ui-view-dispatch-",
    "discord-ui-dynamic-item-",
)
UNKNOWN_INTERACTION = 10062  # Discord's code for an interaction past its 3 s deadline

# Where an apology goes: the interaction, the command's context, or the message's channel.
Asker: TypeAlias = "discord.Interaction[Any] | commands.Context[Any] | discord.Message"


def intents_for(settings: Settings) -> discord.Intents:
    # Mentions and DMs carry their content without the privileged intent; only prefix
    # commands in server channels need it.
    intents = discord.Intents.default()
    intents.message_content = settings.message_content_intent
    intents.typing = False
    intents.presences = False
    intents.members = False
    return intents


def root_cause(error: BaseException) -> BaseException:
    """The exception a handler raised, out of discord.py's Invoke/Hybrid wrappers."""
    while (inner := getattr(error, "original", None)) is not None:
        error = inner
    return error


def expired(error: BaseException) -> bool:
    """Whether Discord dropped the interaction because the answer came too late."""
    cause = root_cause(error)
    return isinstance(cause, discord.NotFound) and cause.code == UNKNOWN_INTERACTION


async def send_quietly(send: Callable[..., Awaitable[Any]], /, *args: Any, **kwargs: Any) -> bool:
    """Send a notice whose own failure must not become a new error: an apology or a refusal.

    When Discord can't take it (the interaction expired, the connection is closing), that
    is one warning line, and the handler ends normally.
    """
    try:
        await send(*args, **kwargs)
    except Exception as exc:
        log.warning("could not send a notice to the user: %r", root_cause(exc))
        return False
    return True


class Refused(app_commands.CheckFailure):
    """A check that failed with a message for the user; the tree's error handler sends it."""


class _QABotMixin:
    """Behaviour shared by the plain and the auto-sharded bot."""

    settings: Settings
    matcher: Matcher
    question_log: QuestionLog | None
    tree: app_commands.CommandTree[Any]
    _finishing: asyncio.Task[None] | None = None  # set once close() has begun
    finish_in_flight_seconds = FINISH_IN_FLIGHT_SECONDS

    def _init_qa(self, settings: Settings, matcher: Matcher) -> None:
        self.settings = settings
        self.matcher = matcher
        self.question_log = None
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
                self.purge_old_questions.start()
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

    @tasks.loop(seconds=PURGE_EVERY_SECONDS)
    async def purge_old_questions(self) -> None:
        if self.question_log is not None:
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

    # -- shutting down -----------------------------------------------------------------------

    def is_closed(self) -> bool:
        # Closed to new events from the moment close() begins, so that discord.py's connect
        # loop ends when the gateway closes instead of reconnecting.
        return self._finishing is not None or super().is_closed()  # type: ignore[misc]

    async def close(self) -> None:
        """Stop taking events, let the answers in flight reach Discord, then disconnect.

        Runs once, in a task of its own: a second caller (the signal handler and the
        runner's `async with` both close) waits for the same shutdown, and a caller that
        is cancelled doesn't cut it short.
        """
        if self._finishing is None:
            caller = asyncio.current_task()
            self._finishing = asyncio.create_task(self._close_once(caller))
        await asyncio.shield(self._finishing)

    async def _close_once(self, caller: asyncio.Task[Any] | None) -> None:
        self.purge_old_questions.cancel()
        if self._watcher is not None:
            self._watcher.cancel()
        await self._close_gateway()
        # A READY that arrived just before (a reconnect) leaves discord.py's delayed "ready"
        # pending; after close it would dispatch on a closed client and log an error.
        pending_ready = getattr(self._connection, "_ready_task", None)
        if pending_ready is not None:
            pending_ready.cancel()
        await self._finish_in_flight(caller)
        await super().close()  # type: ignore[misc]
        if self.question_log is not None:
            await self.question_log.close()

    async def _close_gateway(self) -> None:
        """Close the gateway connection (all shards), so no new event arrives."""
        raise NotImplementedError

    async def _finish_in_flight(self, caller: asyncio.Task[Any] | None) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.finish_in_flight_seconds
        while True:
            running = {
                t
                for t in asyncio.all_tasks()
                if t is not caller and not t.done() and t.get_name().startswith(HANDLER_TASKS)
            }
            if not running:
                return
            left = deadline - loop.time()
            if left <= 0:
                log.warning(
                    "closing with %d handlers still running after %.0f s; they are cancelled",
                    len(running),
                    self.finish_in_flight_seconds,
                )
                for task in running:
                    task.cancel()
                await asyncio.wait(running)
                return
            await asyncio.wait(running, timeout=left)

    # -- facts -------------------------------------------------------------------------------

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

    # -- when a handler fails ------------------------------------------------------------------

    async def report_error(
        self,
        error: BaseException,
        context: str,
        asker: Asker | None = None,
        apology: str = APOLOGY,
    ) -> None:
        """Log a handler's failure with what was going on, and apologise to `asker` when
        Discord will still take a message. Never raises: nothing a user does ends unhandled."""
        if expired(error):
            log.warning("%s: the interaction expired before the answer reached Discord", context)
            return
        log.error("error handling %s", context, exc_info=error)
        if isinstance(asker, discord.Interaction):
            response = asker.response
            send = asker.followup.send if response.is_done() else response.send_message
            await send_quietly(send, apology, ephemeral=True, allowed_mentions=NO_PINGS)
        elif isinstance(asker, commands.Context):
            await send_quietly(asker.send, apology, ephemeral=True, allowed_mentions=NO_PINGS)
        elif isinstance(asker, discord.Message):
            await send_quietly(asker.channel.send, apology, allowed_mentions=NO_PINGS)

    async def on_command_error(
        self, ctx: commands.Context[Any], error: commands.CommandError
    ) -> None:
        if isinstance(error, commands.CommandNotFound):
            return
        if ctx.cog is not None and ctx.cog.has_error_handler():
            return
        if isinstance(error, commands.UserInputError):
            await send_quietly(
                ctx.send, f"{error} Try /help.", allowed_mentions=NO_PINGS, ephemeral=True
            )
            return
        await self.report_error(error, f"command {ctx.command} by user {ctx.author.id}", ctx)

    async def _on_tree_error(
        self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError
    ) -> None:
        if isinstance(error, Refused) and not interaction.response.is_done():
            await send_quietly(
                interaction.response.send_message,
                str(error),
                ephemeral=True,
                allowed_mentions=NO_PINGS,
            )
            return
        context = f"interaction {interaction.id} by user {interaction.user.id}"
        await self.report_error(error, context, interaction)


class QABot(_QABotMixin, commands.Bot):
    def __init__(self, settings: Settings, matcher: Matcher, **options: Any) -> None:
        super().__init__(**options)
        self._init_qa(settings, matcher)

    async def _close_gateway(self) -> None:
        if self.ws is not None and self.ws.open:
            await self.ws.close(code=1000)


class ShardedQABot(_QABotMixin, commands.AutoShardedBot):
    def __init__(self, settings: Settings, matcher: Matcher, **options: Any) -> None:
        super().__init__(**options)
        self._init_qa(settings, matcher)

    async def _close_gateway(self) -> None:
        for shard in self.shards.values():
            await shard.disconnect()


AnyQABot: TypeAlias = QABot | ShardedQABot


def create_bot(
    settings: Settings, matcher: Matcher | None = None, **client_options: Any
) -> AnyQABot:
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
        return ShardedQABot(settings, matcher, **options)
    return QABot(settings, matcher, **options)
