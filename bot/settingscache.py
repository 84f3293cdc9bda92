"""Validated settings kept beside the index cache, so a start skips importing pydantic.

Importing pydantic-settings and building the `Settings` model costs more than half of
what importing discord.py does: more than everything else `ask` does from the index cache
together. Validation is a pure function of its inputs, so a start whose inputs are those
of an earlier start that validated can reuse that result. What is kept is the result of
`bot.settings.load_settings` itself, read back without pydantic: there is one definition
of the settings (the model) and one validation (pydantic's), never a copy of either.

The key covers every input of the validation: each environment variable that can name a
setting (`BOT_*` and `DISCORD_TOKEN`, in any case, as pydantic-settings matches them), the
bytes of `.env` in the working folder, the overrides (`--facts`), the defaults that are
computed (the shipped facts folder, the cache folder), the bot's modules and the versions
of Python, pydantic and pydantic-settings. Any difference means validating afresh, so a
bad setting is reported exactly as without the cache, and only a start that validated
writes a snapshot. Secrets (`SecretStr` settings: the token, the database URL, the salt)
are never written: the snapshot only says they are set, and reading one builds the real
`Settings` then (`ask` and `chat` read none unless they log to PostgreSQL or with a salt).
Their values reach the file only through the key's digest, inside a file only the user
can read, never in its name.

Two simpler shapes were weighed and left: skipping pydantic only when no `BOT_*` variable
and no `.env` exists would help almost no one (any configuration, the benchmark's own
included, sets some), and checking by hand the few settings `ask` reads would be a second
copy of their validation that could drift from the model.

A snapshot is written to the validated cache folder (`BOT_CACHE_DIR`, else the default)
and not at all with `BOT_INDEX_CACHE=false`; a start looks for it where the environment's
`BOT_CACHE_DIR` (else the default) points, so a cache folder set only in `.env` means no
snapshot is found, which costs time, never correctness.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import pickle
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from bot.factbase import default_facts_dir
from bot.indexcache import code_digest, default_cache_dir

if TYPE_CHECKING:
    from bot.matcher import MatchConfig
    from bot.settings import Settings

ENV_FILE = ".env"
KEEP = 8  # snapshots kept per folder, one per set of inputs (most recent first)
_PREFIX = "settings-"


class SettingsError(Exception):
    """Settings are missing or invalid; the message is one line per bad variable."""


def load_settings_cached(**overrides: object) -> Settings:
    """What `bot.settings.load_settings(**overrides)` returns: from a snapshot of an
    earlier start with the same inputs when there is one, else validated (and kept)."""
    key = _key(overrides)
    if key is not None:
        found = _read(key, overrides)
        if found is not None:
            # Reads as the Settings it was taken from (see SettingsSnapshot).
            return cast("Settings", found)
    from bot.settings import load_settings

    settings = load_settings(**overrides)
    if key is not None:
        _write(key, settings, overrides)
    return settings


class SettingsSnapshot:
    """The values a validation gave, and the results of the methods a start calls. Any
    other attribute, and a secret, comes from the real `Settings`, built on first use."""

    def __init__(
        self,
        values: dict[str, Any],
        withheld: frozenset[str],
        derived: dict[str, Any],
        overrides: dict[str, object],
    ) -> None:
        self._values = values
        self._withheld = withheld
        self._derived = derived
        self._overrides = overrides
        self._settings: Settings | None = None

    def __getattr__(self, name: str) -> Any:
        # Only called for what the instance and class lack: settings and pydantic's API.
        if name.startswith("_"):  # no private state of Settings (nor one before __init__)
            raise AttributeError(name)
        if name in self._values and name not in self._withheld:
            return self._values[name]
        return getattr(self.settings(), name)

    def settings(self) -> Settings:
        """The real Settings, validated now (the inputs were valid at start)."""
        if self._settings is None:
            from bot.settings import load_settings

            self._settings = load_settings(**self._overrides)
        return self._settings

    def match_config(self) -> MatchConfig:
        return cast("MatchConfig", self._derived["match_config"])

    def index_cache_dir(self) -> Path | None:
        return cast("Path | None", self._derived["index_cache_dir"])


def _is_setting(name: str) -> bool:
    upper = name.upper()  # pydantic-settings matches names in any case
    return upper.startswith("BOT_") or upper == "DISCORD_TOKEN"


def _file_name(overrides: dict[str, object]) -> str:
    """One snapshot per working folder, set of variables and overrides. The name shows
    no value a token or password has (not even hashed: a weak password could be guessed
    from its digest); the full key is inside, in a file only the user can read."""
    names = sorted(k for k in os.environ if _is_setting(k))
    text = repr((os.getcwd(), names, sorted(overrides.items())))
    return f"{_PREFIX}{hashlib.sha256(text.encode('utf-8', 'surrogatepass')).hexdigest()[:16]}"


def _key(overrides: dict[str, object]) -> str | None:
    """A digest of everything the validation reads; None when an input cannot be read
    (then the validation itself reports it)."""
    digest = hashlib.sha256()

    def add(label: str, data: bytes) -> None:
        digest.update(f"{label}\0{len(data)}\0".encode())
        digest.update(data)

    add("python", sys.version.encode())
    env = sorted((k, v) for k, v in os.environ.items() if _is_setting(k))
    add("env", repr(env).encode("utf-8", "surrogatepass"))
    add("overrides", repr(sorted(overrides.items())).encode("utf-8", "surrogatepass"))
    add("defaults", repr((default_facts_dir(), default_cache_dir())).encode())
    try:
        add("code", code_digest().encode())
        for package in ("pydantic", "pydantic_settings"):
            spec = importlib.util.find_spec(package)  # finds it without importing it
            if spec is None or spec.origin is None:
                return None
            add(package, Path(spec.origin).with_name("version.py").read_bytes())
        try:
            add("env_file", Path(ENV_FILE).read_bytes())
        except FileNotFoundError:
            add("no env_file", b"")
    except OSError:
        return None
    return digest.hexdigest()


def _folder() -> Path | None:
    """Where a start looks: the environment's BOT_CACHE_DIR (as the setting would read
    it), else the default cache folder."""
    named = os.environ.get("BOT_CACHE_DIR")
    return Path(named) if named else default_cache_dir()


def _env_file_as_shipped() -> bool:
    """Whether Settings reads ENV_FILE, as shipped. The tests make it read none, and a
    snapshot stands for what a start reads; a process that has not imported bot.settings
    has not changed it."""
    module = sys.modules.get("bot.settings")
    return module is None or module.Settings.model_config.get("env_file") == ENV_FILE


def _read(key: str, overrides: dict[str, object]) -> SettingsSnapshot | None:
    folder = _folder()
    if folder is None or not _env_file_as_shipped():
        return None
    try:
        with (folder / f"{_file_name(overrides)}.pickle").open("rb") as f:
            kept = pickle.load(f)
        if kept["key"] != key:
            return None
        return SettingsSnapshot(kept["values"], kept["withheld"], kept["derived"], overrides)
    except Exception:  # none yet, truncated, foreign or from other code: validate afresh
        return None


def _write(key: str, settings: Settings, overrides: dict[str, object]) -> None:
    import tempfile  # here, as pydantic: a start that reads the snapshot needs neither

    from pydantic import SecretStr

    folder = settings.index_cache_dir()
    if folder is None or not _env_file_as_shipped():
        return
    values: dict[str, Any] = {}
    withheld = set()
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        if isinstance(value, SecretStr):
            withheld.add(name)  # never on disk: read from the real Settings when asked
        else:
            values[name] = value
    derived = {"match_config": settings.match_config(), "index_cache_dir": folder}
    kept = {"key": key, "values": values, "withheld": frozenset(withheld), "derived": derived}
    tmp = None
    try:
        data = pickle.dumps(kept, protocol=pickle.HIGHEST_PROTOCOL)
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{_PREFIX}", suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        path = folder / f"{_file_name(overrides)}.pickle"
        os.replace(tmp, path)  # atomic, as the index's: a reader never sees half a file
        tmp = None
        _prune(folder, path)
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        pass  # a read-only or full disk only costs the next start the validation
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _prune(folder: Path, written: Path) -> None:
    """Keep the one just written and the KEEP - 1 most recent others: one snapshot per set
    of inputs would pile up."""
    others = [p for p in folder.glob(f"{_PREFIX}*.pickle") if p != written]
    others.sort(key=lambda p: p.stat().st_mtime_ns, reverse=True)
    for old in others[KEEP - 1 :]:
        with contextlib.suppress(OSError):
            old.unlink()
