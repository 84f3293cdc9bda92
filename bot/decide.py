"""Decide what to do with a ranked question: answer it, ask back, or say the article
doesn't say. The decision is two logistic models fitted on labeled questions
(`python -m bot calibrate`), kept as data in `facts/decision.json`:

- `answer`: how likely the best candidate is the right answer. At or above its threshold
  the bot answers.
- `clarify`: how likely the question is about something the article covers, with the
  right fact among the first candidates. At or above its threshold the bot asks back
  ("Did you mean …?", best guess first); below it, the article doesn't say.

Both read the same features of the ranking (`FEATURES`), so `ask --explain` can show
exactly why a question got its outcome.

The spec is plain dataclasses, not pydantic models: the matcher keeps it, and a start that
reads the matcher from the index cache should not pay for importing pydantic. pydantic
still validates `decision.json` when it is read (`Decision.load`), against these same
classes; the checks pydantic cannot express as types are in their `__post_init__`, so a
spec made in code (`bot calibrate`) is held to them too.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, ClassVar

from bot.rank import Ranking

DECISION_FILE = "decision.json"

# What the decision reads of a ranking, in the order of the models' weights.
FEATURES: tuple[str, ...] = (
    "score",  # the best candidate's score, 0-1
    "margin",  # how far it leads the runner-up, 0-1
    "phrasing",  # its overlap with its closest curated phrasing, 0-1
    "coverage",  # share of the question's weight its own text accounts for
    "grounding",  # share its text and cited paragraph account for
    "kind_asked",  # 1 when the curator asked it with the question's kind
    "names_ok",  # 1 when every person the question names is one it names
    "log_weight",  # log(1 + total weight of the question's content terms)
    "has_kind",  # 1 when the question asks who/what/when/... (not keywords alone)
    # Shares of the question's weight the best fact and its paragraph leave out: in words
    # other facts use, in English words no fact uses, in other words no fact knows.
    "ungrounded_known",
    "ungrounded_english",
    "ungrounded_other",
    # 1 when the fact with its paragraph accounts for three quarters of the question and
    # names everyone it names: a step a linear model cannot draw from grounding alone.
    "well_grounded",
)


# Where well_grounded steps: the grounding the bot once needed to answer at all (the old
# hand-set bar); calibrate fits how much the step weighs.
WELL_GROUNDED = 0.75


class Verdict(StrEnum):
    ANSWER = "answer"
    CLARIFY = "clarify"
    NOT_IN_ARTICLE = "not_in_article"


def features(ranking: Ranking) -> list[float]:
    """The feature vector of a ranking's best candidate (all zeros when there is none)."""
    if not ranking.candidates:
        return [0.0] * len(FEATURES)
    best = ranking.candidates[0]
    runner_up = ranking.candidates[1].score if len(ranking.candidates) > 1 else 0.0
    return [
        best.score / 100,
        (best.score - runner_up) / 100,
        best.phrasing,
        best.coverage,
        best.grounding,
        float(best.kind_asked),
        float(best.names_ok),
        math.log1p(ranking.weight),
        float(ranking.analysis.kind is not None),
        best.ungrounded_known,
        best.ungrounded_english,
        best.ungrounded_other,
        float(best.grounding >= WELL_GROUNDED and best.names_ok),
    ]


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))  # clamped: no overflow


# pydantic reads this when it validates a dataclass: unknown keys are an error.
_FORBID_EXTRA: dict[str, Any] = {"extra": "forbid"}


@dataclass(frozen=True)
class LogisticModel:
    """p = sigmoid(bias + weights · x); the bot acts on it at p >= threshold."""

    __pydantic_config__: ClassVar[dict[str, Any]] = _FORBID_EXTRA
    weights: list[float]
    bias: float
    threshold: float

    def __post_init__(self) -> None:
        if not 0 <= self.threshold <= 1:
            raise ValueError(f"threshold must be between 0 and 1, not {self.threshold}")

    def probability(self, x: list[float]) -> float:
        return sigmoid(self.bias + sum(w * v for w, v in zip(self.weights, x, strict=True)))


@dataclass(frozen=True)
class DecisionSpec:
    """`facts/decision.json`: features are standardised ((x - mean) / scale) first."""

    __pydantic_config__: ClassVar[dict[str, Any]] = _FORBID_EXTRA
    features: list[str]
    mean: list[float]
    scale: list[float]
    answer: LogisticModel
    clarify: LogisticModel
    trained_on: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if tuple(self.features) != FEATURES:
            raise ValueError(f"features must be {list(FEATURES)}: refit with `bot calibrate`")
        n = len(FEATURES)
        for name, vec in (
            ("mean", self.mean),
            ("scale", self.scale),
            ("answer.weights", self.answer.weights),
            ("clarify.weights", self.clarify.weights),
        ):
            if len(vec) != n:
                raise ValueError(f"{name} must have {n} numbers")
        if any(s <= 0 for s in self.scale):
            raise ValueError("scale must be positive")


class DecisionError(Exception):
    """decision.json is missing or malformed; the message names the file and the problem."""


@dataclass(frozen=True, slots=True)
class Explanation:
    verdict: Verdict
    p_answer: float
    p_clarify: float
    values: dict[str, float]


class Decision:
    def __init__(self, spec: DecisionSpec) -> None:
        self.spec = spec

    @classmethod
    def load(cls, path: Path) -> Decision:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise DecisionError(f"{path}: cannot read: {exc.strerror}") from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise DecisionError(f"{path}: not valid JSON: {exc}") from None
        from pydantic import TypeAdapter, ValidationError  # only here: see the docstring

        try:
            return cls(TypeAdapter(DecisionSpec).validate_python(raw))
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = ".".join(str(p) for p in err["loc"]) or "top level"
            msg = err["msg"].removeprefix("Value error, ")  # a __post_init__ check's own words
            if err["type"] == "unexpected_keyword_argument":  # a dataclass's word for it
                msg = "Extra inputs are not permitted"
            raise DecisionError(f"{path}: {loc}: {msg}") from None

    def standardise(self, x: list[float]) -> list[float]:
        s = self.spec
        return [(v - m) / d for v, m, d in zip(x, s.mean, s.scale, strict=True)]

    def explain(self, ranking: Ranking) -> Explanation:
        x = features(ranking)
        values = dict(zip(FEATURES, x, strict=True))
        if not ranking.candidates or ranking.open_fact is not None:
            # Nothing shares a word with the question, or it is (nearly) a question the
            # curator marked as one the article leaves open.
            return Explanation(Verdict.NOT_IN_ARTICLE, 0.0, 0.0, values)
        z = self.standardise(x)
        p_answer = self.spec.answer.probability(z)
        p_clarify = self.spec.clarify.probability(z)
        if p_answer >= self.spec.answer.threshold:
            verdict = Verdict.ANSWER
        elif p_clarify >= self.spec.clarify.threshold:
            verdict = Verdict.CLARIFY
        else:
            verdict = Verdict.NOT_IN_ARTICLE
        return Explanation(verdict, p_answer, p_clarify, values)
