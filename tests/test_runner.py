"""`python -m bot run` and `sync` as a user runs them: a subprocess, against the fake Discord."""

from __future__ import annotations

import asyncio
import signal
import socket
import sys
from pathlib import Path

import pytest

from bot.loader import FactBaseError, load_factbase
from bot.runner import BAD_TOKEN, NO_TOKEN
from tests.conftest import clean_env
from tests.fakediscord import APP_ID, LAUNCH, TOKEN, FakeDiscord

ROOT = Path(__file__).parent.parent


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return clean_env(BOT_DB_PATH=str(tmp_path / "q.sqlite3"), **extra)


async def _launch(
    fake: FakeDiscord,
    tmp_path: Path,
    *args: str,
    token: str | None = TOKEN,
    api_base: str | None = None,
):
    extra = {"DISCORD_TOKEN": token} if token else {}
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        LAUNCH,
        api_base or fake.api_base,
        fake.gateway_url,
        *args,
        cwd=tmp_path,  # no .env here
        env=_env(tmp_path, **extra),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def test_missing_token_is_one_line_and_exit_1(fake: FakeDiscord, tmp_path: Path) -> None:
    proc = await _launch(fake, tmp_path, "run", token=None)
    _out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 1
    assert err.decode().strip().splitlines() == [NO_TOKEN]
    assert fake.requests == []


async def test_rejected_token_is_one_line_and_exit_1(fake: FakeDiscord, tmp_path: Path) -> None:
    fake.reject_token = True
    proc = await _launch(fake, tmp_path, "run")
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 1
    assert err.decode().strip().splitlines() == [BAD_TOKEN]
    assert TOKEN not in out.decode() + err.decode()
    assert [r.path for r in fake.requests] == ["/users/@me"]


@pytest.mark.parametrize("command", ["run", "sync"])
async def test_broken_fact_base_is_reported_as_check_does(
    fake: FakeDiscord, tmp_path: Path, facts_copy: Path, command: str
) -> None:
    path = facts_copy / "china-human-rights.yaml"
    path.write_text(path.read_text().replace("paragraph: 3\n", "paragraph: 300\n"))
    with pytest.raises(FactBaseError) as broken:
        load_factbase(facts_copy)
    proc = await _launch(fake, tmp_path, "--facts", str(facts_copy), command)
    _out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 1
    assert err.decode().strip() == broken.value.report()
    assert fake.requests == []


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_no_network_is_one_line_and_exit_1(fake: FakeDiscord, tmp_path: Path) -> None:
    nowhere = f"http://127.0.0.1:{_closed_port()}/api/v10"
    proc = await _launch(fake, tmp_path, "run", api_base=nowhere)
    _out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 1
    [line] = err.decode().strip().splitlines()
    assert line.startswith("Could not reach Discord (")
    assert line.endswith("check the network connection, then run again.")


async def test_sigterm_closes_the_connection_cleanly(fake: FakeDiscord, tmp_path: Path) -> None:
    proc = await _launch(fake, tmp_path, "run")
    try:
        await fake.wait_connected(within=60)
        assert fake.identifies[0]["token"] == TOKEN
        proc.send_signal(signal.SIGTERM)
        out, err = await asyncio.wait_for(proc.communicate(), 60)
    finally:
        if proc.returncode is None:
            proc.kill()
    assert proc.returncode == 0, err.decode()
    # A close frame, not a dropped socket. discord.py sends 1000 from close(), but its
    # reader may answer the closing handshake with its own 4000 first: both are clean.
    assert len(fake.gateway_closes) == 1
    assert fake.gateway_closes[0] in (1000, 4000)
    assert "disconnected" in err.decode()
    assert TOKEN not in out.decode() + err.decode()
    assert "Traceback" not in err.decode()
    assert "ERROR" not in err.decode()
    assert "voice" not in err.decode()  # the bot never joins voice: no warning about it


async def test_sync_registers_commands_in_one_guild(fake: FakeDiscord, tmp_path: Path) -> None:
    proc = await _launch(fake, tmp_path, "sync", "--guild", "123456789012345678")
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, err.decode()
    assert fake.violations == []
    [put] = [r for r in fake.requests if r.method == "PUT"]
    assert put.path == f"/applications/{APP_ID}/guilds/123456789012345678/commands"
    names = sorted(c["name"] for c in put.body)
    assert names == ["ask", "facts", "help", "person", "reload", "report", "source"]
    ask = next(c for c in put.body if c["name"] == "ask")
    assert [o["name"] for o in ask["options"]] == ["question", "private"]
    assert ask["options"][0]["autocomplete"] is True
    assert sorted(ask["contexts"]) == [0, 1, 2]
    assert sorted(ask["integration_types"]) == [0, 1]
    assert out.decode().startswith("synced 7 commands to server 123456789012345678")
    report = next(c for c in put.body if c["name"] == "report")
    assert int(report["default_member_permissions"]) == 1 << 5  # Manage Server


async def test_sync_without_guild_is_global(fake: FakeDiscord, tmp_path: Path) -> None:
    proc = await _launch(fake, tmp_path, "sync")
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, err.decode()
    [put] = [r for r in fake.requests if r.method == "PUT"]
    assert put.path == f"/applications/{APP_ID}/commands"
    assert "all servers" in out.decode()
