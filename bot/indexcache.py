"""The built matcher kept on disk, so a start skips parsing YAML and indexing the facts.

A cache file is one header line (JSON: the key it was built for and the files outside the
facts folder it read) followed by the pickled `Matcher`: the fact base, its index and the
fitted decision. The key covers everything that shapes the index: the bytes of every file
in the facts folder and of the files it borrows from elsewhere (an article text, the
shipped decision), the package version and the source of its modules, the Python version,
and the match settings. Any difference, or a truncated or foreign file, means building
afresh; the new file is written beside the old and renamed over it, so a reader never
sees half a file. The folder is safe to delete at any time, and a folder that cannot be
written (a read-only checkout, no home directory) only means no cache.

The file is trusted as much as the user's own files: it lives in their cache folder
(`BOT_CACHE_DIR`, else `$XDG_CACHE_HOME/article-qa-bot`, else `~/.cache/article-qa-bot`).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import pickle
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

import bot
from bot.factbase import default_facts_dir

if TYPE_CHECKING:
    from bot.matcher import MatchConfig, Matcher
    from bot.settings import Settings


APP_NAME = "article-qa-bot"
_FORMAT = 1  # bump when the header's shape changes
_CODE_DIR = Path(bot.__file__).resolve().parent


def default_cache_dir() -> Path | None:
    """`$XDG_CACHE_HOME/article-qa-bot`, else `~/.cache/article-qa-bot`; None without a home."""
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and Path(xdg).is_absolute():  # the XDG spec: a relative value is ignored
        return Path(xdg) / APP_NAME
    try:
        return Path.home() / ".cache" / APP_NAME
    except RuntimeError:  # no HOME and no passwd entry
        return None


def matcher_for(settings: Settings) -> Matcher:
    """The matcher every front end starts with: the settings' facts folder and match
    settings, through the index cache unless it is turned off."""
    return load_matcher(settings.facts_dir, settings.match_config(), settings.index_cache_dir())


def load_matcher(
    facts_dir: Path, config: MatchConfig | None = None, cache_dir: Path | None = None
) -> Matcher:
    """The matcher for `facts_dir`: from the cache when it is fresh, else built (and
    cached when `cache_dir` is given). Raises FactBaseError for a broken fact base."""
    return load_matcher_from(facts_dir, config, cache_dir)[0]


def load_matcher_from(
    facts_dir: Path, config: MatchConfig | None = None, cache_dir: Path | None = None
) -> tuple[Matcher, bool]:
    """`load_matcher`, and whether it came from the cache."""
    if config is None:
        from bot.matcher import MatchConfig

        config = MatchConfig()
    path = None if cache_dir is None else _cache_file(cache_dir, facts_dir)
    if path is not None:
        cached = _read(path, facts_dir, config)
        if cached is not None:
            return cached, True
    from bot.loader import load_factbase
    from bot.matcher import Matcher

    matcher = Matcher(load_factbase(facts_dir), config)
    if path is not None:
        _write(path, facts_dir, config, matcher)
    return matcher, False


def _cache_file(cache_dir: Path, facts_dir: Path) -> Path:
    # One file per facts folder: a stale index is replaced, never piled up.
    folder = hashlib.sha256(str(facts_dir.resolve()).encode()).hexdigest()[:16]
    return cache_dir / f"index-{folder}.pickle"


def _outside_files(facts_dir: Path, matcher: Matcher) -> list[str]:
    """Files the fact base read from outside its folder (a borrowed decision, an article
    text named by a relative path), so that editing them makes the cache stale too."""
    folder = facts_dir.resolve()
    paths = {(facts_dir / s.text_file).resolve() for s in matcher.factbase.sources}
    from bot.decide import DECISION_FILE

    if not (facts_dir / DECISION_FILE).exists():
        paths.add(default_facts_dir().resolve() / DECISION_FILE)
    return sorted(str(p) for p in paths if p.parent != folder)


def _key(facts_dir: Path, config: MatchConfig, outside: list[str]) -> str | None:
    """What the index was built from; None when a file cannot be read (then no cache)."""
    digest = hashlib.sha256()

    def add(label: str, data: bytes) -> None:
        digest.update(f"{label}\0{len(data)}\0".encode())
        digest.update(data)

    add("version", f"{bot.__version__} {sys.version} {pickle.HIGHEST_PROTOCOL}".encode())
    # The settings that shape the index and the reply (a frozenset's repr is not stable
    # across processes, so the fields are written sorted).
    add("config", json.dumps(asdict(config), sort_keys=True, default=sorted).encode())
    try:
        add("code", code_digest().encode())
        for path in sorted(p for p in facts_dir.iterdir() if p.is_file()):
            add(f"facts/{path.name}", path.read_bytes())
        for name in outside:
            add(f"outside/{name}", Path(name).read_bytes())
    except OSError:
        return None
    return digest.hexdigest()


@functools.cache
def code_digest() -> str:
    """A digest of the bot's modules: an edited checkout is a new version too. Raises
    OSError when one cannot be read."""
    digest = hashlib.sha256()
    for path in sorted(_CODE_DIR.glob("*.py")):
        data = path.read_bytes()
        digest.update(f"{path.name}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def _read(path: Path, facts_dir: Path, config: MatchConfig) -> Matcher | None:
    try:
        with path.open("rb") as f:
            header = json.loads(f.readline())
            if header.get("format") != _FORMAT:
                return None
            key = _key(facts_dir, config, list(header["outside"]))
            if key is None or key != header.get("key"):
                return None
            matcher = pickle.load(f)
    except FileNotFoundError:
        return None
    except Exception as exc:  # truncated, foreign or from other code: build afresh
        _debug("index cache %s unusable (%r); rebuilding", path, exc)
        return None
    from bot.matcher import Matcher

    return matcher if isinstance(matcher, Matcher) else None


def _write(path: Path, facts_dir: Path, config: MatchConfig, matcher: Matcher) -> None:
    import tempfile  # here: a start that reads the cache never needs it

    outside = _outside_files(facts_dir, matcher)
    key = _key(facts_dir, config, outside)
    if key is None:
        return
    header = json.dumps({"format": _FORMAT, "key": key, "outside": outside}).encode() + b"\n"
    tmp = None
    try:
        data = pickle.dumps(matcher, protocol=pickle.HIGHEST_PROTOCOL)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".index-", suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(header)
            f.write(data)
        os.replace(tmp, path)  # atomic: readers see the old file or the new, never half
        tmp = None
    except (OSError, pickle.PicklingError, TypeError, AttributeError) as exc:
        # A read-only or full disk only costs the next start the build.
        _debug("index cache %s not written: %r", path, exc)
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _debug(message: str, *args: object) -> None:
    """Log at DEBUG; logging is imported only when something went wrong (not on a start)."""
    import logging

    logging.getLogger(__name__).debug(message, *args)
