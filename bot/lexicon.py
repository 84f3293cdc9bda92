"""Everyday English words, so that typo correction leaves real words alone.

Without it "funded" would be "corrected" to the fact base's "founded" and "spend" to
"send". The word list is pyspellchecker's English word frequencies, loaded on first use
(a fraction of a second) so that a question made only of known words never pays for it.
"""

from __future__ import annotations

import heapq
from functools import cache

# Words seen fewer times than this in the frequency list are mostly misspellings and rare
# names ("junto"), which should still be corrected.
MIN_COUNT = 100


@cache
def _frequencies() -> dict[str, int]:
    """The frequency list, read once per process (the JSON is the costly part).

    Read straight from pyspellchecker's packaged file: its words are lowercase already,
    and building a SpellChecker lowercases them all again, which doubles the cost."""
    import gzip
    import json
    from importlib.resources import files

    try:
        packed = (files("spellchecker") / "resources" / "en.json.gz").read_bytes()
        counts: dict[str, int] = json.loads(gzip.decompress(packed))
        return counts
    except (OSError, ValueError):  # a release that keeps its list elsewhere
        from spellchecker import SpellChecker

        return SpellChecker(language="en", distance=1).word_frequency.dictionary


@cache
def _commonest(top: int) -> frozenset[str]:
    counts = _frequencies()
    # The few thousand commonest of ~300,000 words without sorting them all: the count the
    # last of them has, then only the words at or above it, ties broken alphabetically.
    floor = heapq.nlargest(top, counts.values())[-1]
    near = sorted((w for w, c in counts.items() if c >= floor), key=lambda w: (-counts[w], w))
    return frozenset(near[:top])


def is_common(word: str, top: int = 1000) -> bool:
    """Is this lowercase word among the `top` commonest English words?"""
    return word in _commonest(top)


def is_english(word: str) -> bool:
    """Is this lowercase word common English?"""
    return _frequencies().get(word, 0) >= MIN_COUNT


def preload() -> None:
    """Load the word list now (a server does this at start, not on its first question)."""
    _frequencies()
