"""Rank the facts for a question, and describe each candidate by the features the decision
reads (see `bot.decide`). Ranking never refuses: whether to answer is the decision's call.

How a fact is scored for a question (terms come from `bot.analyzer`; each term weighs its
inverse document frequency across facts, so "chen" counts less than "hepatitis"):
- phrasing: the best weighted overlap (Dice) between the question and one of the fact's
  curated questions;
- coverage: how much of the question's weight the fact's whole text (questions, answer,
  quote, people, topics) accounts for, and a quarter of what its cited paragraph does;
- kind: a small bonus when the fact has been asked with the same kind of question
  ("who", "when", yes/no), so "who was rearrested" prefers the fact naming the person; a
  curated phrasing asking another kind of question counts for less.
A fact that cannot give the kind of answer asked for is not a candidate (see
`bot.answertypes`): "where did Chen go after his release" does not get the date of his
release. The score, 0-100, orders candidates. Grounding — how much of the question's weight
the fact together with its cited paragraph accounts for — is what tells a question the
article answers from one that only shares its names ("where was Chen born?"). A person the
question names must be named by the fact or the sentence it quotes, and "what did <person>
say" needs a quoted sentence that reports someone's words. All indexing happens at build
time.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from bot.analyzer import DECADE_TERMS, Analysis, Analyzer
from bot.answertypes import answer_types, asked_place, quoted_sentences
from bot.factbase import Fact, FactBase
from bot.lexicon import is_english
from bot.textnorm import LIGHT_WORDS, asks_which_of, stem

# A question's kind (who, when, ...) counts as one more term of this weight in the phrasing
# overlap, about a common word's: it tips ties, it does not outweigh a name.
KIND_WEIGHT = 1.0
# Words that say a little about what is asked ("what happened to") weigh as little as a
# word found in every fact, whatever their rarity.
LIGHT_WEIGHT = 1.0
# A decade ("the seventies") places a question in time without saying what happened.
LIGHT_TERMS = frozenset(stem(w) for w in LIGHT_WORDS) | DECADE_TERMS
# Words of the fact's own text count most for coverage; words only of its paragraph a
# quarter: the paragraph shows the subject is there, not that this fact answers it.
OWN_TEXT_SHARE = 0.75


@dataclass(frozen=True, slots=True)
class RankConfig:
    phrasing_weight: float = 0.6  # the rest of the score is coverage
    kind_bonus: float = 5.0
    # A curated phrasing asking another kind of question ("why" for "what") counts this much.
    kind_mismatch: float = 0.85
    text_phrasing_scale: float = 0.8  # how far an answer or quote counts as a phrasing
    # How much closer a question must be to one the article leaves open than to any it
    # answers before the bot says the article does not say (phrasing overlap, 0-1).
    open_margin: float = 0.05
    # How far below the best candidate one that gives a name may be and still go first
    # for a question asking for a name.
    name_margin: float = 10.0
    # Question kinds a fact must have been asked with to answer them: a "where" question
    # about Chen's release is not answered by the fact saying when he was released.
    strict_kinds: frozenset[str] = frozenset(
        {"where", "where from", "when", "how many", "how long", "how old", "outcome"}
    )


@dataclass(frozen=True, slots=True)
class Candidate:
    index: int  # the fact's position in the fact base
    score: float  # 0-100, orders candidates
    phrasing: float  # best overlap with one of its phrasings, 0-1
    coverage: float  # share of the question's weight its own text accounts for, 0-1
    grounding: float  # share the fact with its cited paragraph accounts for, 0-1
    kind_asked: bool  # the curator asked this fact with the question's kind
    names_ok: bool  # every person the question names is named by the fact (and speech)
    # Shares of the question's weight its fact and paragraph leave unaccounted for (set
    # for the best candidate only, the one the decision reads): words
    # other facts use ("reason", "job": often how a question is put, sometimes another
    # subject), English words no fact uses ("lawyer", "born": what the article lacks),
    # and other words no fact uses (names the article never mentions, chat spellings).
    ungrounded_known: float = 0.0
    ungrounded_english: float = 0.0
    ungrounded_other: float = 0.0


@dataclass(frozen=True, slots=True)
class Ranking:
    analysis: Analysis
    weight: float  # total weight of the question's content terms
    candidates: tuple[Candidate, ...]  # best first
    # The fact whose "unanswered" phrasing the question is clearly closest to, if any.
    open_fact: int | None = None


# One indexed phrasing: (fact index, question kind, total weight with the kind included,
# scale: 1 for a curated question, less for the answer and quote). A plain tuple, since
# the inner loop of every question unpacks thousands of them.
_Question = tuple[int, str | None, float, float]


class Ranker:
    def __init__(self, factbase: FactBase, config: RankConfig | None = None) -> None:
        self.config = config or RankConfig()
        facts = factbase.facts
        self.analyzer = Analyzer(
            factbase.synonyms,
            (t for f in facts for t in fact_texts(f)),
            is_english,
            names=(p for f in facts for p in f.people),
        )
        cache: dict[str, Analysis] = {}

        def analyze(text: str) -> Analysis:
            found = cache.get(text)
            if found is None:
                found = cache[text] = self.analyzer.analyze(text, fix_typos=False)
            return found

        # Every term a fact's own text mentions, for coverage; its passage (the cited
        # paragraph and every fact citing it), for grounding.
        docs = [{t for x in fact_texts(f) for t in analyze(x).terms} for f in facts]
        passages: dict[tuple[str, int], set[str]] = {}
        for f, doc in zip(facts, docs, strict=True):
            key = (f.citation.source.id, f.citation.paragraph)
            if key not in passages:
                passages[key] = set(analyze(f.citation.source.paragraph(key[1])).terms)
            passages[key] |= doc
        grounds = [passages[(f.citation.source.id, f.citation.paragraph)] for f in facts]

        df: dict[str, int] = defaultdict(int)
        for doc in docs:
            for term in doc:
                df[term] += 1
        n = max(len(facts), 1)
        self._idf = {t: math.log((n + 1) / (c + 0.5)) + 1.0 for t, c in df.items()}
        self._unknown_idf = math.log((n + 1) / 0.5) + 1.0
        self._doc_postings = _postings(docs)
        # A fact answers for the people it or its quoted sentence names, not for someone its
        # paragraph merely mentions ("the emissary Clinton sent" is not Bush's envoys).
        quoted = [quoted_sentences(f) for f in facts]
        self._named = [doc | set(analyze(q).terms) for q, doc in zip(quoted, docs, strict=True)]
        # What the fact itself says, its phrasings aside: there a surname names the person
        # ("Bush" in the sentence of Scowcroft's job names the "George Bush" asked about).
        self._says = [
            set(analyze(f"{q} {f.answer} {' '.join(f.people)}").terms)
            for q, f in zip(quoted, facts, strict=True)
        ]
        self._grounds = grounds
        self._ground_postings = _postings(grounds)
        self._types = [answer_types(f, q, analyze) for f, q in zip(facts, quoted, strict=True)]

        scale = self.config.text_phrasing_scale
        # The answer and quote stand in as phrasings too, at a discount, so keyword
        # questions that echo the article ("counterrevolutionary propaganda") match.
        self._questions, self._q_postings = self._index(
            [
                [(q, 1.0) for q in f.questions] + [(f.answer, scale), (f.citation.quote, scale)]
                for f in facts
            ],
            analyze,
        )
        # Questions the article leaves open, indexed the same way but apart.
        self._open, self._open_postings = self._index(
            [[(q, 1.0) for q in f.unanswered] for f in facts], analyze
        )

    def _index(
        self, texts: list[list[tuple[str, float]]], analyze: Callable[[str], Analysis]
    ) -> tuple[list[_Question], dict[str, list[int]]]:
        """Phrasings (text, scale) per fact, and the postings from term to phrasing."""
        questions: list[_Question] = []
        postings: dict[str, list[int]] = defaultdict(list)
        for fi, texts_of_fact in enumerate(texts):
            for text, scale in texts_of_fact:
                a = analyze(text)
                weights = self.weights(a.terms)
                norm = sum(weights.values()) + (KIND_WEIGHT if a.kind else 0.0)
                for term in weights:
                    postings[term].append(len(questions))
                questions.append((fi, a.kind, norm, scale))
        return questions, postings

    def grounds(self, index: int, terms: Iterable[str]) -> bool:
        """Does the fact at `index` (a candidate's) with its paragraph hold every term?"""
        return set(terms) <= self._grounds[index]

    def weight_of(self, term: str) -> float:
        if term in LIGHT_TERMS:
            return LIGHT_WEIGHT
        return self._idf.get(term, self._unknown_idf)

    def weights(self, terms: Iterable[str]) -> dict[str, float]:
        return {t: self.weight_of(t) for t in terms}

    def rank(self, analysis: Analysis, top: int = 8) -> Ranking:
        """The best candidates for an analysed question, best first, with their features."""
        cfg = self.config
        content = self.weights(analysis.terms)
        content_norm = sum(content.values())
        if not content:
            return Ranking(analysis, 0.0, ())
        kind = analysis.kind
        q_norm = content_norm + (KIND_WEIGHT if kind else 0.0)

        # Only questions sharing a content term are candidates; the kind only adds weight.
        phrasing = _phrasing(
            content, kind, q_norm, self._questions, self._q_postings, mismatch=cfg.kind_mismatch
        )
        if (place := asked_place(analysis)) is not None:
            # "which prison was Chen held in?": a square is no answer, nor a trip to the US.
            phrasing = {fi: o for fi, o in phrasing.items() if place in self._types[fi].places}
        open_fact = self._open_fact(content, kind, q_norm, phrasing)

        covered = _accumulate(content, self._doc_postings)
        grounded = _accumulate(content, self._ground_postings)
        names = self.analyzer.name_terms.intersection(content)
        asked_words = frozenset(analysis.words)
        speech = bool(names) and analysis.asks_speech  # "what did <person> say ..."
        pw = cfg.phrasing_weight
        # (sort key..., candidate): ties go to the closer phrasing, then to fact order, so
        # the same question always gets the same answer.
        scored: list[tuple[float, float, int, float, bool]] = []
        # A fact sharing no word with any of its phrasings is not a candidate.
        for fi, overlap in phrasing.items():
            grounding = grounded.get(fi, 0.0) / content_norm
            coverage = (
                OWN_TEXT_SHARE * covered.get(fi, 0.0) / content_norm
                + (1 - OWN_TEXT_SHARE) * grounding
            )
            score = 100 * (pw * overlap + (1 - pw) * coverage)
            types = self._types[fi]
            kind_asked = kind is not None and kind in types.asked
            if kind_asked:
                score = min(100.0, score + cfg.kind_bonus)
            elif kind in cfg.strict_kinds:
                if not types.can_answer(kind, asked_words):
                    continue  # the fact cannot answer this kind of question
                score -= cfg.kind_bonus  # it can, but was never asked that way
            scored.append((-round(score, 6), -overlap, fi, grounding, kind_asked))
        # Candidates are built for the few that are kept: the loop above runs per fact.
        choice = asks_which_of(analysis.words)
        best = []
        for neg_score, neg_overlap, fi, grounding, kind_asked in heapq.nsmallest(top, scored):
            types = self._types[fi]
            names_ok = self._names_ok(fi, names, choice) and not (
                speech and not types.reports_speech
            )
            own = covered.get(fi, 0.0) / content_norm
            best.append(
                Candidate(fi, -neg_score, -neg_overlap, own, grounding, kind_asked, names_ok)
            )
        name_of = analysis.name_of
        thing = set(self.analyzer.analyze(name_of, fix_typos=False).terms) if name_of else set()
        if best and thing and not thing & self.analyzer.name_terms and open_fact is None:
            # Asked for a place, a person asked about by one name is named by the other
            # ("where in the US did Wang go?" is not answered by a "Juntao"). (Asked for a
            # name, a person's full name may be it: "why is Chen such a big name?")
            parts = self.analyzer.name_parts if analysis.kind == "where" else {}
            asked = frozenset(content).union(*(parts.get(t, ()) for t in content))
            # "what is the name of ...": a fact that gives no name cannot answer it. A close
            # runner-up that gives one next to the thing named goes first ("the name of
            # the White House spokesman"); with none, the name is what the article leaves
            # open ("the name of the conference": the trip's fact names Beijing, not the
            # conference). "What's his name", read as "Tom Ross's name" in a conversation,
            # names its person already.
            named = [
                c
                for c in best
                if c.score >= best[0].score - cfg.name_margin
                and self._types[c.index].gives_name(asked)
                and (c is best[0] or thing <= self._types[c.index].name_context)
            ]
            if not named:
                open_fact = best[0].index
            elif named[0] is not best[0]:
                best.remove(named[0])
                best.insert(0, named[0])
        if best:  # what the best candidate leaves out, for the decision
            best[0] = self._ungrounded(best[0], analysis, content, content_norm)
        return Ranking(analysis, content_norm, tuple(best), open_fact)

    def _names_ok(self, fi: int, names: frozenset[str], choice: bool) -> bool:
        """Does the fact name every person the question names, or for "which of Chen and
        Wang had hepatitis?" (`choice`) one of them?"""
        named, says = self._named[fi], self._says[fi]
        found = {t for t in names if t in named or self.analyzer.name_parts[t] & says}
        if choice and len({self.analyzer.name_parts[t] for t in names}) > 1:
            return bool(found)
        return found == names

    def _open_fact(
        self, content: dict[str, float], kind: str | None, q_norm: float, phrasing: dict[int, float]
    ) -> int | None:
        """The fact under whose open questions this one is asked, when it is asked (nearly)
        as a question the curator knows the article leaves open, and closer to it than to
        any question it answers: the article does not say."""
        if not self._open:
            return None
        open_ = _phrasing(content, kind, q_norm, self._open, self._open_postings, same_kind=True)
        best_open = max(open_.items(), key=lambda kv: (kv[1], -kv[0]), default=None)
        closest = max(phrasing.values(), default=0.0)
        if best_open is not None and best_open[1] >= closest + self.config.open_margin:
            return best_open[0]
        return None

    def _ungrounded(
        self, cand: Candidate, analysis: Analysis, content: dict[str, float], norm: float
    ) -> Candidate:
        ground = self._grounds[cand.index]
        known = en = other = 0.0
        surface: dict[str, str] | None = None  # term -> the question's word, when needed
        for term, weight in content.items():
            if term in ground:
                continue
            if term in self._idf:
                known += weight
                continue
            if surface is None:
                surface = {stem(w): w for w in analysis.words}
            # A term no word of the question stems to came from the synonym table or a
            # typo fix: the curator's English. Only here is the English word list read,
            # so a question of known words never loads it.
            word = surface.get(term)
            if word is None or is_english(word):
                en += weight
            else:
                other += weight
        return replace(
            cand,
            ungrounded_known=known / norm,
            ungrounded_english=en / norm,
            ungrounded_other=other / norm,
        )


def _phrasing(
    content: dict[str, float],
    kind: str | None,
    q_norm: float,
    questions: list[_Question],
    postings: dict[str, list[int]],
    *,
    same_kind: bool = False,
    mismatch: float = 1.0,
) -> dict[int, float]:
    """Per fact, the best weighted Dice overlap between the question and its phrasings
    (only those asking the same kind of question, with same_kind)."""
    best: dict[int, float] = {}
    for qi, shared_terms in _accumulate(content, postings).items():
        fi, q_kind, norm, scale = questions[qi]
        shared = shared_terms
        if q_kind == kind:
            if kind is not None:
                shared += KIND_WEIGHT
        elif same_kind:
            continue
        dice = scale * 2 * shared / (q_norm + norm)
        if kind and q_kind and q_kind != kind:
            dice *= mismatch  # "why ... gestures" is not "what gestures"
        if dice > best.get(fi, 0.0):
            best[fi] = dice
    return best


def _postings(docs: list[set[str]]) -> dict[str, list[int]]:
    postings: dict[str, list[int]] = defaultdict(list)
    for i, doc in enumerate(docs):
        for term in doc:
            postings[term].append(i)
    return postings


def _accumulate(weights: dict[str, float], postings: dict[str, list[int]]) -> dict[int, float]:
    total: dict[int, float] = {}
    get = total.get
    for term, weight in weights.items():
        for i in postings.get(term, ()):
            total[i] = get(i, 0.0) + weight
    return total


def fact_texts(fact: Fact) -> list[str]:
    return [*fact.questions, fact.answer, fact.citation.quote, *fact.people, *fact.topics]
