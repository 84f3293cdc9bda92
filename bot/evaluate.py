"""Score the matcher on an evaluation file (the `dev.yaml` format).

answerable: the reply must answer, and its answer or quote must contain one `expect`
phrase (case-insensitive, whitespace folded); an optional `register` (plain, casual, typo,
keyword, formal, learner, indirect, paraphrase, ...) groups the scores. out_of_scope: the
reply must not answer.

Besides right and wrong: a clarification is helpful when its first choice is the right
fact, and "the article doesn't say" to an answerable question is the costliest miss.
"""

from __future__ import annotations

import random
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot import lexicon
from bot.factbase import Fact
from bot.matcher import Matcher
from bot.reply import Outcome, Reply
from bot.textnorm import squash


class EvalFileError(Exception):
    """The evaluation file cannot be read or is not in the expected format."""


class _Answerable(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    q: str
    expect: list[str] = Field(min_length=1)
    # "register" names a BaseModel method; the file's key maps to this field.
    style: str | None = Field(default=None, alias="register")


class _OutOfScope(BaseModel):
    model_config = ConfigDict(extra="forbid")
    off_topic: list[str] = []
    near_topic: list[str] = []


class EvalSet(BaseModel):
    model_config = ConfigDict(extra="forbid")
    answerable: list[_Answerable] = []
    out_of_scope: _OutOfScope = _OutOfScope()

    @property
    def size(self) -> int:
        oos = self.out_of_scope
        return len(self.answerable) + len(oos.off_topic) + len(oos.near_topic)


# The questions each percentage of the summary is taken over: a percentage of none is
# reported as 100 (nothing went wrong) but proves nothing, so no floor accepts it.
SCORED_OVER = {
    "correct_pct": "answerable",
    "wrong_pct": "answerable",
    "helpful_pct": "answerable",
    "not_in_article_pct": "answerable",
    "off_topic_abstained_pct": "off_topic",
    "near_topic_abstained_pct": "near_topic",
}


@dataclass
class Miss:
    kind: str  # answerable / off_topic / near_topic
    question: str
    verdict: str  # wrong / clarify / not_in_article / help / answered
    said: str
    expected: list[str] = field(default_factory=list)


@dataclass
class EvalReport:
    answerable: int = 0
    correct: int = 0
    wrong: int = 0
    abstained: int = 0  # not answered: clarified, "not in the article" or help
    clarified: int = 0
    clarified_right_first: int = 0  # a clarification whose first choice is right
    not_in_article: int = 0  # "the article doesn't say" to an answerable question
    off_topic: int = 0
    off_topic_abstained: int = 0
    near_topic: int = 0
    near_topic_abstained: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    misses: list[Miss] = field(default_factory=list)
    # register -> [asked, right, wrong]
    registers: dict[str, list[int]] = field(default_factory=dict)

    @staticmethod
    def _pct(part: int, whole: int) -> float:
        return 100.0 * part / whole if whole else 100.0

    @property
    def correct_pct(self) -> float:
        return self._pct(self.correct, self.answerable)

    @property
    def wrong_pct(self) -> float:
        return self._pct(self.wrong, self.answerable) if self.answerable else 0.0

    @property
    def helpful_pct(self) -> float:
        return self._pct(self.correct + self.clarified_right_first, self.answerable)

    @property
    def not_in_article_pct(self) -> float:
        return self._pct(self.not_in_article, self.answerable) if self.answerable else 0.0

    @property
    def off_topic_pct(self) -> float:
        return self._pct(self.off_topic_abstained, self.off_topic)

    @property
    def near_topic_pct(self) -> float:
        return self._pct(self.near_topic_abstained, self.near_topic)

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return 0.0
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

    def summary(self) -> dict[str, Any]:
        return {
            "answerable": self.answerable,
            "correct": self.correct,
            "wrong": self.wrong,
            "abstained": self.abstained,
            "clarified": self.clarified,
            "not_in_article": self.not_in_article,
            "correct_pct": round(self.correct_pct, 1),
            "wrong_pct": round(self.wrong_pct, 1),
            "helpful_pct": round(self.helpful_pct, 1),
            "not_in_article_pct": round(self.not_in_article_pct, 1),
            "off_topic": self.off_topic,
            "off_topic_abstained_pct": round(self.off_topic_pct, 1),
            "near_topic": self.near_topic,
            "near_topic_abstained_pct": round(self.near_topic_pct, 1),
            "latency_ms_p50": round(self.percentile(50), 3),
            "latency_ms_p99": round(self.percentile(99), 3),
            "by_register": {
                name: {"asked": n, "correct": right, "wrong": wrong}
                for name, (n, right, wrong) in sorted(self.registers.items())
            },
            "misses": [asdict(m) for m in self.misses],
        }

    def to_text(self) -> str:
        lines = [
            f"MISS [{m.kind}] {m.question!r}: {m.verdict}; said: {m.said}" for m in self.misses
        ]
        if lines:
            lines.append("")
        lines += [
            f"answerable: {self.correct}/{self.answerable} correct ({self.correct_pct:.1f}%), "
            f"{self.wrong} wrong ({self.wrong_pct:.1f}%), {self.abstained} not answered "
            f'({self.clarified} asked back, {self.not_in_article} "not in the article")',
            f"helpful (right, or asked back with the right fact first): {self.helpful_pct:.1f}%; "
            f'"not in the article" to answerable: {self.not_in_article_pct:.1f}%',
            f"off-topic abstained: {self.off_topic_abstained}/{self.off_topic} "
            f"({self.off_topic_pct:.1f}%)",
            f"near-topic abstained: {self.near_topic_abstained}/{self.near_topic} "
            f"({self.near_topic_pct:.1f}%)",
            f"latency: p50 {self.percentile(50):.3f} ms, p99 {self.percentile(99):.3f} ms",
        ]
        if len(self.registers) > 1 or None not in self.registers:
            lines.append(
                "by register: "
                + ", ".join(
                    f"{name} {self._pct(right, n):.0f}% ({wrong} wrong)"
                    for name, (n, right, wrong) in sorted(self.registers.items())
                )
            )
        return "\n".join(lines)


def load_eval_set(path: Path) -> EvalSet:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise EvalFileError(f"{path}: cannot read: {exc.strerror}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise EvalFileError(f"{path}: not valid YAML: {str(exc).splitlines()[0]}") from None
    try:
        return EvalSet.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"])
        raise EvalFileError(f"{path}: {loc}: {err['msg'].lower()}") from None


def with_typos(evalset: EvalSet, seed: int) -> EvalSet:
    """The same questions with one typo each (a letter swapped, dropped, doubled or
    replaced in a word of six letters or more), the same for the same seed: how the
    matcher holds up when people mistype."""
    rng = random.Random(seed)

    def typo(question: str) -> str:
        tokens = question.split(" ")
        long_words = [i for i, w in enumerate(tokens) if len(w) >= 6 and w.isalpha()]
        if not long_words:
            return question
        i = rng.choice(long_words)
        w, j = tokens[i], rng.randrange(1, len(tokens[i]) - 1)
        edit = rng.choice(("swap", "drop", "double", "replace"))
        if edit == "swap":
            w = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
        elif edit == "drop":
            w = w[:j] + w[j + 1 :]
        elif edit == "double":
            w = w[:j] + w[j] + w[j:]
        else:
            w = w[:j] + rng.choice("aeiou") + w[j + 1 :]
        tokens[i] = w
        return " ".join(tokens)

    oos = evalset.out_of_scope
    return EvalSet(
        answerable=[a.model_copy(update={"q": typo(a.q)}) for a in evalset.answerable],
        out_of_scope=_OutOfScope(
            off_topic=[typo(q) for q in oos.off_topic],
            near_topic=[typo(q) for q in oos.near_topic],
        ),
    )


def _said(reply: Reply) -> str:
    if reply.outcome is Outcome.CLARIFY and reply.suggestions:
        return f"(clarify; first choice [{reply.suggestions[0].id}])"
    if reply.fact is None:
        return f"({reply.outcome.value})"
    return f"[{reply.fact.id}] {reply.fact.answer}"


def _timed(matcher: Matcher, question: str, report: EvalReport) -> Reply:
    start = time.perf_counter()
    reply = matcher.answer(question)
    report.latencies_ms.append((time.perf_counter() - start) * 1000)
    return reply


def right_fact(fact: Fact, expect: list[str]) -> bool:
    haystack = squash(fact.answer) + "\n" + squash(fact.citation.quote)
    return any(squash(e) in haystack for e in expect)


def evaluate(matcher: Matcher, evalset: EvalSet) -> EvalReport:
    lexicon.preload()  # a one-off quarter second is not a question's latency
    report = EvalReport()
    for item in evalset.answerable:
        report.answerable += 1
        reply = _timed(matcher, item.q, report)
        tally = report.registers.setdefault(item.style or "unlabeled", [0, 0, 0])
        tally[0] += 1
        if reply.fact is None:
            report.abstained += 1
            if reply.outcome is Outcome.CLARIFY:
                report.clarified += 1
                if reply.suggestions and right_fact(reply.suggestions[0], item.expect):
                    report.clarified_right_first += 1
            elif reply.outcome is Outcome.NOT_IN_ARTICLE:
                report.not_in_article += 1
            verdict = reply.outcome.value
            report.misses.append(Miss("answerable", item.q, verdict, _said(reply), item.expect))
        elif right_fact(reply.fact, item.expect):
            report.correct += 1
            tally[1] += 1
        else:
            report.wrong += 1
            tally[2] += 1
            report.misses.append(Miss("answerable", item.q, "wrong", _said(reply), item.expect))
    for kind, questions in (
        ("off_topic", evalset.out_of_scope.off_topic),
        ("near_topic", evalset.out_of_scope.near_topic),
    ):
        for q in questions:
            reply = _timed(matcher, q, report)
            setattr(report, kind, getattr(report, kind) + 1)
            if reply.fact is None:
                setattr(report, f"{kind}_abstained", getattr(report, f"{kind}_abstained") + 1)
            else:
                report.misses.append(Miss(kind, q, "answered", _said(reply)))
    return report
