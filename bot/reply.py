"""The matcher's verdict on one question, and its plain-text and JSON renderings.

A `Reply` is what every front end receives: the console, the JSON CLI and Discord all
render the same value, so they can never disagree about an answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from bot.factbase import Fact


class Outcome(StrEnum):
    ANSWERED = "answered"
    AMBIGUOUS = "ambiguous"  # answered with the best fact, close runners-up offered
    CLARIFY = "clarify"  # not sure what was meant: the best candidates, best guess first
    NOT_IN_ARTICLE = "not_in_article"  # the article does not answer it
    HELP = "help"  # a greeting, thanks, "help" or nothing at all


@dataclass(frozen=True, slots=True)
class Reply:
    question: str
    outcome: Outcome
    score: float
    fact: Fact | None = None
    alternatives: tuple[Fact, ...] = ()  # "Did you mean" for an ambiguous match
    suggestions: tuple[Fact, ...] = ()  # follow-ups when answered, ideas when not
    # A follow-up read against the conversation: the question as it was answered, and a
    # note saying so ('reading "he" as Chen Ziming'), shown with the reply.
    read_as: str | None = None
    reading: str | None = None
    read_people: tuple[str, ...] = ()  # whom a pronoun was read as, for the next follow-up

    @property
    def answered(self) -> bool:
        return self.fact is not None

    @property
    def offers(self) -> tuple[Fact, ...]:
        """What to offer next: the alternatives first, then the suggestions, no repeats."""
        seen: dict[str, Fact] = {}
        for fact in (*self.alternatives, *self.suggestions):
            if self.fact is None or fact.id != self.fact.id:
                seen.setdefault(fact.id, fact)
        return tuple(seen.values())


HELP_TEXT = (
    "Ask me anything about the article \u201cU.S. Secretly Pushing Human Rights in China\u201d "
    "(Los Angeles Times): who was released, why, the trade deadline, the secret diplomacy. "
    "Every answer quotes the paragraph it comes from."
)
ABSTAIN_TEXT = "The article doesn't say. I only answer what the article itself reports."
CLARIFY_TEXT = "I'm not sure I understood. Did you mean:"


def to_json(reply: Reply) -> dict[str, Any]:
    """The stable JSON shape of `python -m bot ask --json` (a contract for other tools)."""
    fact = reply.fact
    return {
        "question": reply.question,
        "answered": reply.answered,
        "answer": fact.answer if fact else None,
        "fact_id": fact.id if fact else None,
        "score": round(reply.score, 1),
        "citation": fact.citation.to_json() if fact else None,
        "suggestions": [f.display_question for f in reply.offers],
        "outcome": reply.outcome.value,
        "suggestion_ids": [f.id for f in reply.offers],
        "reading": reply.reading,
    }


def to_text(reply: Reply) -> str:
    """The reply as a person reads it in a terminal."""
    lines: list[str] = [f"({reply.reading})"] if reply.reading else []
    fact = reply.fact
    if fact is not None:
        cite = fact.citation
        lines.append(fact.answer)
        lines.append("")
        lines.append(f"  \u201c{cite.sentence}\u201d")
        lines.append(f"  \u2014 paragraph {cite.paragraph}, {cite.source.label}")
        if reply.alternatives:
            lines.append("")
            lines.append("Did you mean:")
            lines.extend(f"  \u2022 {f.display_question}" for f in reply.alternatives)
        elif reply.suggestions:
            lines.append("")
            lines.append("Related:")
            lines.extend(f"  \u2022 {f.display_question}" for f in reply.suggestions)
        return "\n".join(lines)
    if reply.outcome is Outcome.CLARIFY:
        lines.append(CLARIFY_TEXT)
        lines.extend(f"  \u2022 {f.display_question}" for f in reply.suggestions)
        return "\n".join(lines)
    lines.append(HELP_TEXT if reply.outcome is Outcome.HELP else ABSTAIN_TEXT)
    if reply.suggestions:
        lines.append("")
        lines.append(
            "You could ask:" if reply.outcome is Outcome.HELP else "Questions I can answer:"
        )
        lines.extend(f"  \u2022 {f.display_question}" for f in reply.suggestions)
    return "\n".join(lines)
