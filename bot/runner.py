"""Connecting to Discord from the command line: `python -m bot run` and `sync`.

Failures a user can fix (no token, a rejected token, a privileged intent not enabled, no
network) are one line and exit 1; SIGINT and SIGTERM close the connection cleanly.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys

import aiohttp
import discord

from bot.client import create_bot
from bot.loader import FactBaseError
from bot.settings import Settings

log = logging.getLogger(__name__)

NO_TOKEN = (
    "DISCORD_TOKEN is not set: put your bot token in .env or the environment "
    "(see README, 'Connect to Discord'), or run `python -m bot chat`."
)
BAD_TOKEN = (
    "DISCORD_TOKEN was rejected by Discord: set it to the token from the developer portal "
    "(Bot > Reset Token)."
)
NEED_INTENT = (
    "Discord refused the Message Content intent: enable it in the developer portal "
    "(Bot > Privileged Gateway Intents) or set BOT_MESSAGE_CONTENT_INTENT=false."
)


def unreachable(exc: aiohttp.ClientConnectionError) -> str:
    os_error = getattr(exc, "os_error", None)
    reason = getattr(os_error, "strerror", None) or str(os_error or exc) or type(exc).__name__
    return f"Could not reach Discord ({reason}): check the network connection, then run again."


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return 1


def _quiet_until_logged_in() -> None:
    # A failed login must be our one clear line, not discord.py's start-up chatter.
    logging.getLogger("discord").setLevel(logging.ERROR)


def _start_logging(settings: Settings) -> None:
    logging.getLogger("discord").setLevel(logging.NOTSET)
    discord.utils.setup_logging(level=logging.getLevelName(settings.log_level), root=True)


def run_discord(settings: Settings) -> int:
    if settings.discord_token is None:
        return _fail(NO_TOKEN)
    _quiet_until_logged_in()
    try:
        bot = create_bot(settings)
    except FactBaseError as exc:
        return _fail(exc.report())
    token = settings.discord_token.get_secret_value()

    async def main() -> None:
        loop = asyncio.get_running_loop()
        closing: list[asyncio.Future[None]] = []
        for sig in (signal.SIGINT, signal.SIGTERM):
            # Not possible off the main thread or on Windows; Ctrl-C still works there.
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(
                    sig, lambda: closing.append(asyncio.ensure_future(bot.close()))
                )

        async def reload() -> None:
            ok, lines = await bot.reload_facts()
            if not ok:
                log.error(
                    "SIGHUP reload refused (%d problems); still serving the last good facts",
                    len(lines),
                )

        with contextlib.suppress(NotImplementedError, RuntimeError, AttributeError):
            loop.add_signal_handler(signal.SIGHUP, lambda: asyncio.ensure_future(reload()))
        async with bot:
            await bot.login(token)
            _start_logging(settings)
            if not settings.message_content_intent:
                log.info(
                    "Message Content intent off: slash commands, mentions and DMs work; "
                    "%sask in server channels needs BOT_MESSAGE_CONTENT_INTENT=true",
                    settings.command_prefix,
                )
            await bot.connect(reconnect=True)
            # connect() returns when the gateway closes; close() goes on to store the
            # question log's queued rows, so wait for it rather than cut it short.
            await asyncio.gather(*closing)

    try:
        asyncio.run(main())
    except discord.LoginFailure:
        return _fail(BAD_TOKEN)
    except discord.PrivilegedIntentsRequired:
        return _fail(NEED_INTENT)
    except aiohttp.ClientConnectionError as exc:  # logging in; once connected, discord.py retries
        return _fail(unreachable(exc))
    except KeyboardInterrupt:
        pass
    log.info("disconnected")
    return 0


def sync_commands(settings: Settings, guild_id: int | None) -> int:
    """Register the slash commands: in one server (instant) or globally (up to an hour)."""
    if settings.discord_token is None:
        return _fail(NO_TOKEN)
    _quiet_until_logged_in()
    try:
        bot = create_bot(settings.model_copy(update={"dev_guild_id": None}))
    except FactBaseError as exc:
        return _fail(exc.report())
    token = settings.discord_token.get_secret_value()

    async def main() -> int:
        async with bot:
            await bot.login(token)  # runs setup_hook, which loads the commands
            guild = discord.Object(id=guild_id) if guild_id else None
            if guild is not None:
                bot.tree.copy_global_to(guild=guild)
            synced = await bot.tree.sync(guild=guild)
        where = f"server {guild_id}" if guild_id else "all servers (may take up to an hour)"
        print(f"synced {len(synced)} commands to {where}: " + ", ".join(c.name for c in synced))
        return 0

    try:
        return asyncio.run(main())
    except discord.LoginFailure:
        return _fail(BAD_TOKEN)
    except aiohttp.ClientConnectionError as exc:
        return _fail(unreachable(exc))
