"""Find synonym mappings that change what a question means (run by `python -m bot check`).

A synonym entry folds every variant into its canonical term, in questions and in the fact
base alike. Two kinds of mapping make the bot read a question as something else:

- A stem captured by another entry. One-word variants are matched by stem, so a variant of
  one entry that stems like another entry's own word ("authorities" of `government` and
  `author`, "meeting" of `conference` and `meet`) splits that stem: only the exact
  spellings fold then, and every other form ("authored", "meetings") folds into neither.
- An everyday word folded into a different word. "what was his magazine called" lost its
  fact when "called" was folded into `describe`. Among the commonest English words, a
  variant that is not a form of its canonical term changes every question that uses it.

- A variant whose stem is another everyday word. "periodical" stems to "period", so "over
  what period" became a question about the journal; "important" stems to "import".

A curator who means such a mapping lists the variant under `reviewed:` in synonyms.yaml,
with a comment saying why; `check` then accepts it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from rapidfuzz.distance import OSA

from bot.lexicon import is_common
from bot.textnorm import STOP_WORDS, stem, words

# How many of the commonest English words count as everyday: the first thousand hold
# "call", "stand" and "top", and leave "emissary" and "hepatitis" alone.
COMMON_TOP = 1000
# A stem that is itself one of this many commonest words is captured from questions.
CAPTURED_TOP = 5000
# Endings that make a form of the same word ("meet" + "ing"), not another word.
_INFLECTIONS = ("s", "es", "d", "ed", "ing", "er", "ly", "e", "y")
# Irregular forms stem apart from their word ("made"/"make", "sent"/"send"); a variant
# this close to its canonical word and starting alike is taken for one of its forms.
_FORM_EDITS = 2


def lint_synonyms(synonyms: Mapping[str, Iterable[str]], reviewed: Iterable[str] = ()) -> list[str]:
    """Every meaning-changing mapping, one line each (empty when the table is clean)."""
    accepted = frozenset(reviewed)
    problems: list[str] = []
    own_stems: dict[str, str] = {}  # stem of an entry's canonical word -> that entry
    singles: list[tuple[str, str]] = []  # (canonical, one-word variant)
    for canonical, variants in synonyms.items():
        if canonical in STOP_WORDS:
            continue  # an entry of filler phrases ("end up" = "go") folds into nothing
        canonical_words = words(canonical)
        if len(canonical_words) == 1:
            own_stems[stem(canonical_words[0])] = canonical
        for variant in dict.fromkeys(variants):
            ws = words(variant)
            if len(ws) == 1:  # a phrase says what it means ("behind bars")
                singles.append((canonical, ws[0]))
    reported: set[str] = set()
    for canonical, word in singles:
        if word in accepted or word in reported:
            continue
        owner = own_stems.get(stem(word))
        if owner is not None and owner != canonical:
            reported.add(word)
            problems.append(
                f"{word!r} of {canonical!r} stems like {owner!r}: its other forms fold "
                "into neither; move or drop it, or list it under reviewed"
            )
        elif (captured := _captured(word, canonical, synonyms)) is not None:
            reported.add(word)
            problems.append(
                f"{word!r} of {canonical!r} stems to the everyday word {captured!r}, so "
                f"questions saying {captured!r} fold into {canonical!r}: drop it, "
                "or list it under reviewed"
            )
        elif is_common(word, COMMON_TOP) and not _form_of(word, canonical):
            reported.add(word)
            problems.append(
                f"{word!r} is everyday English folded into {canonical!r}: drop it, "
                "or list it under reviewed if every use of it means that"
            )
    return problems


def _captured(word: str, canonical: str, synonyms: Mapping[str, Iterable[str]]) -> str | None:
    """The everyday word this variant's stem is, when it is neither a form of the variant
    nor a word of its own entry ("sickness" stems to "sick", which means ill too)."""
    word_stem = stem(word)
    if word_stem == word or not is_common(word_stem, CAPTURED_TOP):
        return None
    own = {w for v in (canonical, *synonyms[canonical]) for w in words(v)}
    if word_stem in own or any(word_stem == stem(w) for w in words(canonical)):
        return None
    doubled = word_stem + word_stem[-1:]
    if any(word in (word_stem + end, doubled + end) for end in _INFLECTIONS):
        return None
    return word_stem


def _form_of(word: str, canonical: str) -> bool:
    """Is `word` a form of the canonical term ("released"; "made" for "make")?"""
    canonical_words = words(canonical)
    if len(canonical_words) != 1:
        return False
    base = canonical_words[0]
    if stem(word) == stem(base):
        return True
    return word[0] == base[0] and OSA.distance(word, base) <= _FORM_EDITS
