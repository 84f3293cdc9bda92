"""What kinds of question a fact can answer, read from its curated questions and its text.

A "where" question needs a fact that says where; "when" one that says when. The curator's
own phrasings are the surest sign ("Where did Chen give his 1976 speech?" is asked with
"where"); for "when", "how many" and "how long" the answer's own words can tell too (a
date, a number, a duration). The quoted sentence says whether the fact reports someone's
words, which "what did <person> say" needs.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from bot.analyzer import PLACE_NOUNS, Analysis
from bot.factbase import Fact
from bot.textnorm import QUOTED_TERM, SENTENCE_END, squash
from bot.textnorm import words as word_list

_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_TIME = re.compile(
    rf"\b(?:1[89]\d\d|20\d\d|{_MONTHS}|monday|tuesday|wednesday|thursday|friday|saturday"
    r"|sunday|today|yesterday|tomorrow|ago|spring|summer|autumn|fall|winter|months?|weeks?"
    r"|years?|eve|recent|recently|later|earlier)\b",
    re.IGNORECASE,
)
# A count: digits that are not a year, or a number word ("one" is too often a pronoun).
_NUMBER = re.compile(
    r"\b(?!(?:1[89]|20)\d\d\b)\d+|\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven"
    r"|twelve|thirteen|twenty|thirty|forty|fifty|hundred|thousand|million|billion|once"
    r"|twice|dozens?)\b",
    re.IGNORECASE,
)
_DATE = re.compile(rf"\b(?:{_MONTHS})\s+\d+", re.IGNORECASE)  # "June 3": a date, not a count
_DURATION = re.compile(
    r"\b(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen"
    r"|another|several|few)\s+(?:years?|months?|weeks?|days?|hours?)\b",
    re.IGNORECASE,
)
_SPEECH = re.compile(
    r"\b(?:said|say|says|told|comment|denounced|criticized|called|labeled|described"
    r"|acknowledged|confirm or deny)\b|\"",
    re.IGNORECASE,
)
# Capitalised as titles and institutions, not names: "the President", "the Administration".
_TITLES = frozenset(
    "president administration secretary deputy assistant adviser government officials".split()
)
_WORD = re.compile(r"[^\W\d_][\w'.-]*")


@dataclass(frozen=True, slots=True)
class AnswerTypes:
    asked: frozenset[str]  # the kinds of question the curator asked the fact with
    gives: frozenset[str]  # the kinds it can answer, asked that way or not
    times: frozenset[str]  # the time words of its answer ("1989", "monday")
    reports_speech: bool  # its quoted sentence reports someone's words
    # The proper names its answer gives (lowercased; a month or a day is a time, not a
    # name): what "what is the name of ..." needs.
    names: frozenset[str] = frozenset()
    # The terms of its answer within a few words of a name: "journal" in "the Beijing
    # Spring journal". A fact names a thing only if a name stands next to it ("land in
    # Beijing on Monday, officially for a conference" names no conference).
    name_context: frozenset[str] = frozenset()
    places: frozenset[str] = frozenset()  # the kinds of place its answer or quote names

    def gives_name(self, asked_terms: frozenset[str]) -> bool:
        """Whether the answer names something the question does not name already (as
        terms: "the US" names the United States)."""
        return bool(self.names - asked_terms)

    def can_answer(self, kind: str, asked_words: frozenset[str]) -> bool:
        """Whether a question of this kind can be answered by the fact. For "when", a time
        in the answer counts unless the question names it already ("when was Chen
        arrested in 1989" is not answered by a fact whose only time is 1989)."""
        return kind in self.gives or (kind == "when" and bool(self.times - asked_words))


def asked_place(analysis: Analysis) -> str | None:
    """The kind of place a question asks for by name: "prison" in "which prison was Chen
    held in?" ("where did he go after jail?" asks for no jail)."""
    if analysis.kind != "where":
        return None
    pairs = itertools.pairwise(analysis.words)
    return next((n for w, n in pairs if w in ("what", "which") and n in PLACE_NOUNS), None)


def answer_types(fact: Fact, quoted: str, analyze: Callable[[str], Analysis]) -> AnswerTypes:
    """`quoted`: the fact's quoted sentences (see quoted_sentences)."""
    asked = frozenset(k for q in fact.questions if (k := analyze(q).kind))
    if "where from" in asked:  # "where was the story filed from" answers "where" too
        asked |= {"where"}
    gives = set(asked)
    if _NUMBER.search(_DATE.sub("", fact.answer)):
        gives |= {"how many", "how old"}
    if _DURATION.search(fact.answer):
        gives.add("how long")
    times = frozenset(t.lower() for t in _TIME.findall(fact.answer))
    return AnswerTypes(
        asked=asked,
        gives=frozenset(gives),
        times=times,
        reports_speech=bool(_SPEECH.search(quoted)),
        names=frozenset(
            analyze(" ".join(w for w in proper_names(fact.answer) if w not in times)).terms
        ),
        name_context=frozenset(analyze(" ".join(_near_names(fact.answer, times))).terms),
        places=PLACE_NOUNS & set(word_list(f"{fact.answer} {quoted}")),
    )


_NAME_WINDOW = 3  # words either side of a name that it can be the name of


def _names_in_sentences(text: str) -> Iterator[tuple[list[str], int]]:
    """Each capitalised word of `text` that neither starts a sentence nor is a title: the
    words of its sentence and its place among them."""
    for sentence in SENTENCE_END.split(text):
        words = _WORD.findall(sentence)
        for i, w in enumerate(words):
            if i and w[0].isupper() and w.lower() not in _TITLES:
                yield words, i


def _near_names(text: str, times: frozenset[str]) -> list[str]:
    """The words of `text` within _NAME_WINDOW words of a proper name (see proper_names)."""
    out: list[str] = []
    for words, i in _names_in_sentences(text):
        if words[i].lower() not in times:
            out += words[max(0, i - _NAME_WINDOW) : i + _NAME_WINDOW + 1]
    return out


def proper_names(text: str) -> list[str]:
    """The capitalised words of `text` that do not start a sentence, and the words of
    what it quotes as a name ("most favored nation"), lowercased, in their order (so
    "United States" is still one name)."""
    out = [words[i].lower() for words, i in _names_in_sentences(text)]
    for quoted in QUOTED_TERM.findall(text):
        out += [w.lower() for w in _WORD.findall(quoted)]
    return out


def quoted_sentences(fact: Fact) -> str:
    """The sentences of the cited paragraph that the quote is part of, squashed."""
    return squash(fact.citation.sentence)
