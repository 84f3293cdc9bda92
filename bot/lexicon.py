"""Everyday English words, so that typo correction leaves real words alone.

Without it "funded" would be "corrected" to the fact base's "founded" and "spend" to
"send". The word list is pyspellchecker's English word frequencies, loaded once.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

# Words seen fewer times than this in the frequency list are mostly misspellings and rare
# names, which should still be corrected.
MIN_COUNT = 100


@lru_cache(maxsize=1)
def is_english_word() -> Callable[[str], bool]:
    """A predicate: is this (lowercase) word common English?"""
    from spellchecker import SpellChecker  # loaded on first use: a quarter of a second

    frequency = SpellChecker(language="en", distance=1).word_frequency
    return lambda word: frequency[word] >= MIN_COUNT
