"""Shared fixtures: the real fact base and matcher, built once per session.

Every test runs hermetically: no BOT_* or DISCORD_* variable of the developer's shell, no
`.env`, the working directory a fresh temporary folder (so relative paths such as the
default question log land there), and the index cache in a temporary folder too.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import discord
import discord.gateway
import discord.http
import pytest
import yarl

from bot.client import AnyQABot, create_bot
from bot.factbase import FactBase
from bot.loader import default_facts_dir, load_factbase
from bot.matcher import Matcher
from bot.settings import Settings
from tests.fakediscord import FakeDiscord

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).parent.parent
OWN_PREFIXES = ("BOT_", "DISCORD_")


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """`-n auto`: a worker per core and one more. Many tests wait on a process or a server
    they started, and while one waits the spare worker keeps the cores busy (measured on 2
    cores: 330 s against 389 s for the suite). PYTEST_XDIST_AUTO_NUM_WORKERS still wins:
    None leaves the count to pytest-xdist, which reads it."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None
    return (
        len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    ) + 1


# Modules whose tests start processes or servers (tens of seconds each on a busy
# machine) run first: pytest-xdist's workers then finish together instead of one of them
# starting a long test while the other has nothing left to do.
_LONG_FIRST = ("test_packaging", "test_postgres", "test_cli", "test_report", "test_runner")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        module = item.path.stem
        return _LONG_FIRST.index(module) if module in _LONG_FIRST else len(_LONG_FIRST)

    items.sort(key=rank)  # stable: each module keeps its own order


def clean_env(**extra: str) -> dict[str, str]:
    """The environment for a subprocess: this process's, less every setting of ours."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(OWN_PREFIXES)}
    return {**env, **extra}


def run(
    *args: str, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`python -m bot ARGS` in the test's own temporary folder (no .env there), with none
    of the developer's settings."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=Path.cwd(),
        env=clean_env(**(env or {})),
        timeout=120,
        check=False,
    )


def run_bytes(
    *args: str | bytes, stdin: bytes = b"", **env: str
) -> subprocess.CompletedProcess[bytes]:
    """`run`, with raw bytes in and out."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        cwd=Path.cwd(),
        env=clean_env(**env),
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="session")
def cache_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One temporary cache folder for the session: subprocesses share the built index."""
    return tmp_path_factory.mktemp("cache-home")


@pytest.fixture(autouse=True)
def _hermetic(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, cache_home: Path) -> None:
    for name in list(os.environ):
        if name.startswith(OWN_PREFIXES):
            monkeypatch.delenv(name)
    # Settings never read a .env: not the developer's, not one a test leaves behind.
    monkeypatch.setitem(Settings.model_config, "env_file", None)
    # The index cache (and anything else keeping a cache) writes to a temporary folder,
    # in this process and in every subprocess a test starts.
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache_home))
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def factbase() -> FactBase:
    return load_factbase()


@pytest.fixture(scope="session")
def matcher(factbase: FactBase) -> Matcher:
    return Matcher(factbase)


@pytest.fixture
def facts_copy(tmp_path: Path) -> Path:
    """A writable copy of the real facts folder, for tests that break it on purpose."""
    dest = tmp_path / "facts"
    shutil.copytree(default_facts_dir(), dest)
    return dest


# -- the real discord.py client against the fake Discord ------------------------------------


class ErrorRecords(logging.Handler):
    """Every ERROR logged by discord.py, asyncio or our Discord layer, kept to fail the test.

    discord.py swallows what goes wrong in handlers and only logs it: events via `on_error`,
    app commands via the tree's `on_error`, View and button callbacks via `View.on_error` or
    its own logger, and asyncio logs "Task exception was never retrieved". Catching the log
    records catches them all, and any future path that logs the same way.
    """

    WATCHED = ("discord", "asyncio", "bot.client", "bot.exts", "bot.runner")

    def __init__(self, sink: list[str]) -> None:
        super().__init__(logging.ERROR)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        error = f": {record.exc_info[1]!r}" if record.exc_info else ""
        self.sink.append(f"{record.name}: {record.getMessage()}{error}")

    def __enter__(self) -> ErrorRecords:
        for name in self.WATCHED:
            logging.getLogger(name).addHandler(self)
        return self

    def __exit__(self, *_: object) -> None:
        gc.collect()  # a never-retrieved task exception is logged when the task is collected
        for name in self.WATCHED:
            logging.getLogger(name).removeHandler(self)


@dataclass
class Harness:
    bot: AnyQABot
    fake: FakeDiscord
    errors: list[str] = field(default_factory=list)  # ERROR records while the bot ran
    watch: ErrorRecords = field(init=False)

    def __post_init__(self) -> None:
        self.watch = ErrorRecords(self.errors)


def make_settings(tmp_path: Path, **overrides: Any) -> Settings:
    base: dict[str, Any] = {
        "discord_token": "fake-token",
        "db_path": tmp_path / "questions.sqlite3",
        "cooldown_rate": 1000,
        "cooldown_seconds": 1.0,
        "facts_poll_seconds": 0,  # tests that want the facts watched turn it on
    }
    return Settings(_env_file=None, **{**base, **overrides})  # type: ignore[call-arg]


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def point_discord_at_fake(fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch) -> FakeDiscord:
    monkeypatch.setattr(discord.http.Route, "BASE", fake.api_base)
    monkeypatch.setattr(
        discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(fake.gateway_url)
    )
    return fake


async def start_bot(bot: AnyQABot, fake: FakeDiscord) -> tuple[Harness, asyncio.Task[None]]:
    harness = Harness(bot, fake)
    harness.watch.__enter__()
    await bot.login("fake-token")
    task = asyncio.create_task(bot.connect(reconnect=True))
    await asyncio.wait_for(bot.wait_until_ready(), 15)
    return harness, task


async def stop_bot(harness: Harness, task: asyncio.Task[None]) -> None:
    await harness.bot.close()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await asyncio.wait_for(task, 10)
    harness.watch.__exit__()


@pytest.fixture
def bot_settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
async def harness(
    point_discord_at_fake: FakeDiscord, bot_settings: Settings, matcher: Matcher
) -> AsyncIterator[Harness]:
    bot = create_bot(bot_settings, matcher, guild_ready_timeout=0.05)
    running, task = await start_bot(bot, point_discord_at_fake)
    yield running
    await stop_bot(running, task)
    assert not running.errors, running.errors
    violations = [f"{r.method} {r.path}: {e}" for r, e in point_discord_at_fake.violations]
    assert not violations, violations
