"""A throwaway PostgreSQL server for the tests: `initdb` into a temporary folder, listening
on 127.0.0.1 on a free port, started once per test session.

PostgreSQL refuses to run as root, so as root the server runs as the `postgres` system
user that Debian's `postgresql` package creates. Missing server binaries fail the tests
loudly (CI installs them); set BOT_TEST_ALLOW_NO_PG=1 to skip them instead on a machine
without PostgreSQL.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

ALLOW_MISSING = "BOT_TEST_ALLOW_NO_PG"


def find_bin_dir() -> Path | None:
    """The newest installed server's bin folder (Debian keeps them off PATH)."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0,
        reverse=True,
    )
    for folder in candidates:
        if (Path(folder) / "initdb").exists():
            return Path(folder)
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _free_port() -> int:
    with contextlib.closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PgServer:
    """One cluster: start, stop (to test a server going away) and start again."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.password = secrets.token_hex(12)
        self.port = _free_port()
        self.root = Path(tempfile.mkdtemp(prefix="qa-bot-pg-"))
        self.data = self.root / "data"
        self._as: dict[str, object] = {}
        if os.geteuid() == 0:
            try:
                user = pwd.getpwnam("postgres")
            except KeyError:
                pytest.fail("running as root needs the 'postgres' user: apt-get install postgresql")
            os.chown(self.root, user.pw_uid, user.pw_gid)
            self._as = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}
        pwfile = self.root / "pw"
        pwfile.write_text(self.password + "\n", encoding="utf-8")
        if self._as:
            os.chown(pwfile, int(self._as["user"]), int(self._as["group"]))  # type: ignore[call-overload]
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--pwfile",
            str(pwfile),
            "--auth",
            "scram-sha-256",
            "-E",
            "UTF8",
            "--locale",
            "C",
            "--no-sync",
        )

    def _run(self, tool: str, *args: str) -> None:
        out = subprocess.run(
            [str(self.bin_dir / tool), *args],
            capture_output=True,
            text=True,
            cwd=self.root,
            check=False,
            **self._as,  # type: ignore[arg-type]
        )
        if out.returncode:
            pytest.fail(f"{tool} failed ({out.returncode}): {out.stderr.strip()}")

    def start(self) -> None:
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.root / "log"), "-o", options, "-w",
            "-t", "60", "start",
        )  # fmt: skip

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        with contextlib.suppress(Exception):
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres", password: str | None = None) -> str:
        secret = self.password if password is None else password
        return f"postgresql://postgres:{secret}@127.0.0.1:{self.port}/{database}"


def start_server() -> PgServer:
    bin_dir = find_bin_dir()
    if bin_dir is None:
        if os.environ.get(ALLOW_MISSING):
            pytest.skip(f"no PostgreSQL server binaries ({ALLOW_MISSING} is set)")
        pytest.fail(
            "no PostgreSQL server binaries (initdb): apt-get install postgresql, "
            f"or set {ALLOW_MISSING}=1 to skip these tests"
        )
    server = PgServer(bin_dir)
    try:
        server.start()
    except BaseException:
        server.remove()
        raise
    return server
