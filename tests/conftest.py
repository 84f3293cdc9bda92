"""Shared fixtures: the real fact base and matcher, built once per session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.factbase import FactBase
from bot.loader import default_facts_dir, load_factbase
from bot.matcher import Matcher

DATA = Path(__file__).parent / "data"


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
