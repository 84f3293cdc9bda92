"""A plain (non-editable) install works from any folder: the wheel is built from a copy of
the source, installed into a fresh virtual environment, and its `article-bot` script run
from an unrelated folder. The dependencies come from this environment (a `.pth` line), so
nothing is downloaded."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from tests.conftest import ROOT, clean_env


def _sh(*argv: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    out = subprocess.run(
        [str(a) for a in argv],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=clean_env(),
        timeout=300,
        check=False,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    return out


def test_wheel_installs_and_runs_from_any_folder(tmp_path: Path) -> None:
    # Build from a copy: a build writes into its source folder, and the checkout may be
    # read-only.
    src = tmp_path / "src"
    src.mkdir()
    for name in ("bot", "facts"):
        shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    dist = tmp_path / "dist"
    py = sys.executable
    _sh(
        py,
        "-m",
        "pip",
        "wheel",
        "-q",
        "--no-deps",
        "--no-build-isolation",
        src,
        "-w",
        dist,
        cwd=tmp_path,
    )
    [wheel] = dist.glob("*.whl")

    venv = tmp_path / "venv"
    _sh(py, "-m", "venv", "--without-pip", venv, cwd=tmp_path)
    target = Path(
        _sh(
            venv / "bin" / "python",
            "-c",
            "import sysconfig; print(sysconfig.get_paths()['purelib'])",
            cwd=tmp_path,
        ).stdout.strip()
    )
    here = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (target / "deps.pth").write_text("\n".join(sorted(here)) + "\n", encoding="utf-8")
    _sh(
        py,
        "-m",
        "pip",
        "--python",
        venv / "bin" / "python",
        "install",
        "-q",
        "--no-deps",
        wheel,
        cwd=tmp_path,
    )

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    script = venv / "bin" / "article-bot"
    facts = _sh(
        venv / "bin" / "python",
        "-c",
        "from bot.factbase import default_facts_dir; print(default_facts_dir())",
        cwd=elsewhere,
    )
    assert Path(facts.stdout.strip()).is_relative_to(target)  # the wheel's copy, not the checkout's
    check = _sh(script, "check", cwd=elsewhere)
    assert check.stdout.startswith("ok: 1 source(s), ")
    asked = _sh(script, "ask", "--json", "how old is chen ziming", cwd=elsewhere)
    assert json.loads(asked.stdout)["fact_id"] == "chen-age"
    bench = _sh(script, "bench", "--synthetic-facts", "10", "--rounds", "1", cwd=elsewhere)
    assert bench.stdout.startswith("article: ")
