"""The fact base as the rest of the program sees it: plain, immutable values."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from bot.textnorm import sentences_around

if TYPE_CHECKING:
    from bot.decide import DecisionSpec


def default_facts_dir() -> Path:
    """The fact base shipped with the bot: package data in an installed wheel
    (`bot/facts`), the checkout's `facts/` folder when run from the source tree."""
    package = Path(__file__).resolve().parent
    installed = package / "facts"
    return installed if installed.is_dir() else package.parent / "facts"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the fact base, located by file, fact id and field."""

    file: str
    fact_id: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.fact_id:
            where.append(f"fact {self.fact_id!r}")
        if self.field:
            where.append(self.field)
        return f"{': '.join(where)}: {self.message}"


class FactBaseError(Exception):
    """The fact base is broken; `problems` lists every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))

    def report(self) -> str:
        """How every front end shows a broken fact base: a problem a line, then the count."""
        return f"{self}\n{len(self.problems)} problem(s) in the fact base"


@dataclass(frozen=True, slots=True)
class Source:
    """One article: its metadata and its numbered body paragraphs (1-based)."""

    id: str
    title: str
    publication: str
    dateline: str
    headline: str
    paragraphs: tuple[str, ...]
    text_file: str

    def paragraph(self, number: int) -> str:
        return self.paragraphs[number - 1]

    @property
    def label(self) -> str:
        """How a citation names the source: "Title" (Publication)."""
        return f"\u201c{self.title}\u201d ({self.publication})"


@dataclass(frozen=True, slots=True)
class Citation:
    source: Source
    paragraph: int
    quote: str  # the curated words the answer rests on

    @property
    def sentence(self) -> str:
        """The whole sentence the quote is part of: what a reader is shown, since a clause
        like "renewed for another year" means little without the rest of it."""
        return sentences_around(self.source.paragraph(self.paragraph), self.quote)

    def to_json(self) -> dict[str, str | int]:
        """The citation in every JSON output (`ask --json`, `facts --json`)."""
        return {
            "source": self.source.label,
            "paragraph": self.paragraph,
            "quote": self.quote,
            "sentence": self.sentence,
        }


@dataclass(frozen=True, slots=True)
class Fact:
    id: str
    questions: tuple[str, ...]
    answer: str
    citation: Citation
    people: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    # Questions close to this fact that the article leaves open ("who is the emissary?"):
    # the bot says it does not know, and offers this fact instead.
    unanswered: tuple[str, ...] = ()

    @property
    def display_question(self) -> str:
        """The first phrasing is the curated, well-formed one shown on buttons and lists."""
        return self.questions[0]


@dataclass(frozen=True, slots=True)
class FactBase:
    sources: tuple[Source, ...]
    facts: tuple[Fact, ...]
    # canonical term -> variant phrasings, all in plain words as the curator wrote them
    synonyms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Variants folded on purpose where the synonym lint would warn (bot.synonymlint).
    reviewed: frozenset[str] = frozenset()
    # The fitted answer / clarify / not-in-the-article decision (facts/decision.json).
    decision: DecisionSpec | None = None
    by_id: dict[str, Fact] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_id", {f.id: f for f in self.facts})

    def get(self, fact_id: str) -> Fact | None:
        return self.by_id.get(fact_id)

    def related(self, fact: Fact) -> list[Fact]:
        return [r for r in (self.get(i) for i in fact.related) if r is not None]

    @property
    def question_count(self) -> int:
        return sum(len(f.questions) for f in self.facts)

    def topics(self) -> dict[str, list[Fact]]:
        return _group(self.facts, lambda f: f.topics)

    def people(self) -> dict[str, list[Fact]]:
        return _group(self.facts, lambda f: f.people)


def _group(facts: tuple[Fact, ...], keys) -> dict[str, list[Fact]]:  # type: ignore[no-untyped-def]
    groups: dict[str, list[Fact]] = {}
    for fact in facts:
        for key in keys(fact):
            groups.setdefault(key, []).append(fact)
    return dict(sorted(groups.items(), key=lambda kv: kv[0].casefold()))
