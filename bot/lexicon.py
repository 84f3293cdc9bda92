"""Everyday English words, so that typo correction leaves real words alone.

Without it "funded" would be "corrected" to the fact base's "founded" and "spend" to
"send". The word list is pyspellchecker's English word frequencies, loaded on first use (a
quarter of a second) so that a question made only of known words never pays for it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

# Words seen fewer times than this in the frequency list are mostly misspellings and rare
# names ("junto"), which should still be corrected.
MIN_COUNT = 100


@cache
def _count() -> Callable[[str], int]:
    """How often a word appears in the frequency list (0 when never)."""
    from spellchecker import SpellChecker

    return SpellChecker(language="en", distance=1).word_frequency.__getitem__


@cache
def _commonest(top: int) -> frozenset[str]:
    from spellchecker import SpellChecker

    counts = SpellChecker(language="en", distance=1).word_frequency.dictionary
    return frozenset(sorted(counts, key=lambda w: (-counts[w], w))[:top])


def is_common(word: str, top: int = 1000) -> bool:
    """Is this lowercase word among the `top` commonest English words?"""
    return word in _commonest(top)


def is_english(word: str) -> bool:
    """Is this lowercase word common English?"""
    return _count()(word) >= MIN_COUNT


def preload() -> None:
    """Load the word list now (a server does this at start, not on its first question)."""
    _count()
