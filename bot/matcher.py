"""Match a question to the fact that answers it, or abstain.

How a fact is scored for a question (terms come from `bot.analyzer`; each term weighs its
inverse document frequency across facts, so "chen" counts less than "hepatitis"):
- phrasing: the best weighted overlap (Dice) between the question and one of the fact's
  curated questions;
- coverage: how much of the question's weight the fact's whole text (questions, answer,
  quote, people, topics) accounts for;
- kind: a small bonus when the fact has been asked with the same kind of question
  ("who", "when", yes/no), so "who was rearrested" prefers the fact naming the person; a
  curated phrasing asking another kind of question counts for less.
A fact that cannot give the kind of answer asked for is not a candidate (see
`bot.answertypes`): "where did Chen go after his release" does not get the date of his
release.
The score, 0-100, ranks facts. Whether to answer at all is decided by grounding: how much
of the question's weight the fact together with its cited paragraph accounts for. A
question that names people in the article but asks about something the article never
mentions ("where was Chen born?") is poorly grounded, and that is what makes the bot
abstain instead of answering confidently and wrongly. A person the question names must be
named by the fact or the sentence it quotes, not only elsewhere in its paragraph, and
"what did <person> say" needs a quoted sentence that reports someone's words. All indexing
happens at build time.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from rapidfuzz import fuzz, process, utils

from bot.analyzer import Analysis, Analyzer
from bot.answertypes import answer_types, quoted_sentences
from bot.factbase import Fact, FactBase
from bot.lexicon import is_english
from bot.reply import Outcome, Reply
from bot.textnorm import LIGHT_WORDS, stem, words

# Words that make a message a request for help rather than a question about the article.
_HELP_TERMS = frozenset({"help", "command", "usag", "menu", "start", "hello", "instruct"})
_GREETINGS = frozenset(
    {"hi", "hey", "hello", "hiya", "yo", "heya", "thanks", "thank", "thx", "ty", "cheers", "ok"}
)
_YOU = frozenset({"you", "u", "ya", "yourself"})
_CLOCK = frozenset({"now"})  # "now" alone asks the time, not the article
# Someone asking how to do something themselves wants a how-to, not the article.
_ASKS_FOR_ME = re.compile(
    r"\b(?:how|where|what|when|can|could|should|do)(?: do| can| should)? i\b|\bhow to\b"
    # "what is a tariff": a definition of a word, which the article does not give
    r"|^(?:what|whats) (?:is |are )?(?:a|an) \w+$"
    r"|^(?:please )?(?:can|could|would|will) (?:you|u) (?:please )?"
    r"(?!please|tell|explain|summari[sz]e|show|give|say|describe|list|let|state|name|identify|define"
    r"|quote|provide|outline|remind)\w+"
)
KIND_WEIGHT = 1.0
LIGHT_WEIGHT = 1.0
_LIGHT_TERMS = frozenset(stem(w) for w in LIGHT_WORDS)


@dataclass(frozen=True, slots=True)
class MatchConfig:
    min_score: float = 50.0  # below this the best fact is not good enough to answer
    min_grounding: float = 0.75  # share of the question's weight fact + paragraph must cover
    ambiguity_margin: float = 6.0  # runners-up this close to the best are offered
    max_alternatives: int = 2
    # How much closer a question must be to one the article leaves open than to any it
    # answers before the bot says the article does not say (phrasing overlap, 0-1).
    open_margin: float = 0.05
    max_suggestions: int = 3
    phrasing_weight: float = 0.6  # the rest of the score is coverage
    kind_bonus: float = 5.0
    # A curated phrasing asking another kind of question ("why" for "what") counts this much.
    kind_mismatch: float = 0.85
    text_phrasing_scale: float = 0.8  # how far an answer or quote counts as a phrasing
    # A question whose words are all common ("who made you") says too little to pick a fact
    # unless it scores at least sure_score.
    min_weight: float = 3.0
    sure_score: float = 90.0
    # Question kinds a fact must have been asked with to answer them: a "where" question
    # about Chen's release is not answered by the fact saying when he was released.
    strict_kinds: frozenset[str] = frozenset(
        {"where", "where from", "when", "how many", "how long", "how old", "outcome"}
    )


# One indexed phrasing: (fact index, question kind, total weight with the kind included,
# scale: 1 for a curated question, less for the answer and quote). A plain tuple, since
# the inner loop of every question unpacks thousands of them.
_Question = tuple[int, str | None, float, float]


class Matcher:
    def __init__(self, factbase: FactBase, config: MatchConfig | None = None) -> None:
        self.factbase = factbase
        self.config = config or MatchConfig()
        facts = factbase.facts
        self._facts = facts
        self.analyzer = Analyzer(
            factbase.synonyms, (t for f in facts for t in _fact_texts(f)), is_english
        )

        cache: dict[str, Analysis] = {}

        def analyze(text: str) -> Analysis:
            found = cache.get(text)
            if found is None:
                found = cache[text] = self.analyzer.analyze(text, fix_typos=False)
            return found

        # Every term a fact's own text mentions, for coverage; its passage (the cited
        # paragraph and every fact citing it), for grounding.
        docs = [{t for x in _fact_texts(f) for t in analyze(x).terms} for f in facts]
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
        self._name_terms = frozenset(t for f in facts for p in f.people for t in analyze(p).terms)
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
        # For autocomplete: every curated question, pre-processed once.
        self._choices = [(q, fact.id) for fact in facts for q in fact.questions]
        self._choice_keys = [utils.default_process(q) for q, _ in self._choices]

    def _index(
        self, texts: list[list[tuple[str, float]]], analyze: Callable[[str], Analysis]
    ) -> tuple[list[_Question], dict[str, list[int]]]:
        """Phrasings (text, scale) per fact, and the postings from term to phrasing."""
        questions: list[_Question] = []
        postings: dict[str, list[int]] = defaultdict(list)
        for fi, fact_texts in enumerate(texts):
            for text, scale in fact_texts:
                a = analyze(text)
                weights = self._weights(a)
                norm = sum(weights.values()) + (KIND_WEIGHT if a.kind else 0.0)
                for term in weights:
                    postings[term].append(len(questions))
                questions.append((fi, a.kind, norm, scale))
        return questions, postings

    def _idf_of(self, term: str) -> float:
        if term in _LIGHT_TERMS:
            return LIGHT_WEIGHT
        return self._idf.get(term, self._unknown_idf)

    def _weights(self, analysis: Analysis) -> dict[str, float]:
        return {t: self._idf_of(t) for t in analysis.terms}

    def answer(self, question: str) -> Reply:
        """Never raises: any string in, a Reply out."""
        cfg = self.config
        analysis = self.analyzer.analyze(question)
        # Nothing to look up ("help", "who made you", "what's the time right now").
        if set(analysis.terms) <= _HELP_TERMS | _LIGHT_TERMS | _CLOCK:
            return self._help_or_abstain(question, analysis)
        about_bot = (
            analysis.words[-1] in _YOU or analysis.words[0] in _YOU or "your" in analysis.words
        )
        if about_bot or analysis.words[:2] == ("are", "you"):
            # "who created you", "you speak chinese?": about the bot, not the article
            return self._no_answer(question, Outcome.HELP)
        if _ASKS_FOR_ME.search(" ".join(words(question))):  # "how do I get to Beijing", "could
            # you book a flight": a task for the bot, not a question about the article
            return self._no_answer(question, Outcome.ABSTAINED)
        content = self._weights(analysis)
        ranked = self._rank(analysis, content)
        best_i, best_score, grounding = ranked[0] if ranked else (0, 0.0, 0.0)
        # A question of only common words ("who made you") says too little to pick a fact,
        # unless it is (nearly) a question the curator wrote.
        vague = sum(content.values()) < cfg.min_weight and best_score < cfg.sure_score
        if not ranked or best_score < cfg.min_score or grounding < cfg.min_grounding or vague:
            return Reply(question, Outcome.ABSTAINED, best_score, suggestions=self._suggest(ranked))
        fact = self._facts[best_i]
        close = [
            self._facts[i]
            for i, score, grounding in ranked[1:]
            if score >= best_score - cfg.ambiguity_margin
            and score >= cfg.min_score
            and grounding >= cfg.min_grounding
        ][: cfg.max_alternatives]
        related = tuple(self.factbase.related(fact)[: cfg.max_suggestions])
        if close:
            return Reply(question, Outcome.AMBIGUOUS, best_score, fact, tuple(close), related)
        return Reply(question, Outcome.ANSWERED, best_score, fact, (), related)

    def nearest(self, question: str) -> tuple[Fact, float] | None:
        """The closest fact and its score, even when too far to answer (for curators)."""
        analysis = self.analyzer.analyze(question)
        ranked = self._rank(analysis, self._weights(analysis), top=1) if analysis.terms else []
        return (self._facts[ranked[0][0]], ranked[0][1]) if ranked else None

    def reply_for(self, fact_id: str) -> Reply | None:
        """The reply for a fact chosen directly (a suggestion button), or None if unknown."""
        fact = self.factbase.get(fact_id)
        if fact is None:
            return None
        related = tuple(self.factbase.related(fact)[: self.config.max_suggestions])
        return Reply(fact.display_question, Outcome.ANSWERED, 100.0, fact, (), related)

    def _rank(
        self, analysis: Analysis, content: dict[str, float], top: int = 8
    ) -> list[tuple[int, float, float]]:
        """The best (fact index, score, grounding) triples, best first; `content` is the
        question's term weights."""
        cfg = self.config
        content_norm = sum(content.values())
        kind = analysis.kind
        q_norm = content_norm + (KIND_WEIGHT if kind else 0.0)

        # Only questions sharing a content term are candidates; the kind only adds weight.
        phrasing = self._phrasing(
            content, kind, q_norm, self._questions, self._q_postings, mismatch=cfg.kind_mismatch
        )
        if self._open:
            # Asked (nearly) as a question the curator knows the article leaves open, and
            # closer to it than to any question it answers: the article does not say.
            open_ = self._phrasing(
                content, kind, q_norm, self._open, self._open_postings, same_kind=True
            )
            best_open = max(open_.items(), key=lambda kv: (kv[1], -kv[0]), default=None)
            closest = max(phrasing.values(), default=0.0)
            if best_open is not None and best_open[1] >= closest + cfg.open_margin:
                return [(best_open[0], 100 * best_open[1], 0.0)]

        covered = _accumulate(content, self._doc_postings)
        names = self._name_terms.intersection(content)
        asked_words = frozenset(analysis.words)
        speech = bool(names) and analysis.asks_speech  # "what did <person> say ..."
        grounded = _accumulate(content, self._ground_postings)
        pw = cfg.phrasing_weight
        # (sort key..., fact index, score, grounding): ties go to the closer phrasing, then
        # to fact order, so the same question always gets the same answer.
        scored: list[tuple[float, float, int, float, float]] = []
        # A fact sharing no word with any of its phrasings scores at most the coverage part,
        # below min_score: only facts with some phrasing overlap are scored.
        for fi in phrasing:
            grounding = grounded.get(fi, 0.0) / content_norm
            # Words of the fact's own text count most; words only of its passage a quarter.
            coverage = 0.75 * covered.get(fi, 0.0) / content_norm + 0.25 * grounding
            score = 100 * (pw * phrasing.get(fi, 0.0) + (1 - pw) * coverage)
            types = self._types[fi]
            if kind is not None and kind in types.asked:
                score = min(100.0, score + cfg.kind_bonus)
            elif kind in cfg.strict_kinds:
                if not types.can_answer(kind, asked_words):
                    continue  # the fact cannot answer this kind of question
                score -= cfg.kind_bonus  # it can, but was never asked that way
            if not names <= self._named[fi] or (speech and not types.reports_speech):
                grounding = 0.0
            scored.append((-round(score, 6), -phrasing.get(fi, 0.0), fi, score, grounding))
        return [(fi, score, grounding) for *_, fi, score, grounding in heapq.nsmallest(top, scored)]

    @staticmethod
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

    def _help_or_abstain(self, question: str, analysis: Analysis) -> Reply:
        greeting = any(w in _GREETINGS for w in analysis.words)
        asked_help = bool(analysis.terms) and set(analysis.terms) <= _HELP_TERMS
        # Nothing but filler ("who are you?") gets help; only light words ("who made you")
        # are a question the article cannot answer.
        outcome = (
            Outcome.HELP if (greeting or asked_help or not analysis.terms) else Outcome.ABSTAINED
        )
        return self._no_answer(question, outcome)

    def _no_answer(self, question: str, outcome: Outcome) -> Reply:
        """Help or "the article doesn't say", with the article's opening questions."""
        return Reply(question, outcome, 0.0, suggestions=self._suggest([]))

    def _suggest(self, ranked: list[tuple[int, float, float]]) -> tuple[Fact, ...]:
        """Questions the bot can answer: the nearest facts, else the article's headlines."""
        n = self.config.max_suggestions
        picks = [self._facts[i] for i, _, _ in ranked[:n]]
        # Then what the nearest fact leads on to, then the article's opening facts.
        followups = self.factbase.related(picks[0]) if picks else []
        for fact in [*followups, *self._facts]:
            if len(picks) >= n:
                break
            if fact not in picks:
                picks.append(fact)
        return tuple(picks)

    def complete(self, partial: str, limit: int = 25) -> list[tuple[str, str]]:
        """Known questions matching a half-typed one: (question, fact id), for autocomplete."""
        key = utils.default_process(partial[:200])
        if not key:
            seen: dict[str, str] = {}
            for fact in self._facts:
                seen.setdefault(fact.display_question, fact.id)
            return list(seen.items())[:limit]
        hits = process.extract(
            key, self._choice_keys, scorer=fuzz.WRatio, processor=None, limit=limit * 3
        )
        out: list[tuple[str, str]] = []
        seen_facts: set[str] = set()
        for _, _, idx in hits:
            question, fact_id = self._choices[idx]
            if fact_id not in seen_facts:
                seen_facts.add(fact_id)
                out.append((question, fact_id))
            if len(out) >= limit:
                break
        return out


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


def _fact_texts(fact: Fact) -> list[str]:
    return [*fact.questions, fact.answer, fact.citation.quote, *fact.people, *fact.topics]
