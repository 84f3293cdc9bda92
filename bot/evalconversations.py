"""Score follow-up questions: scripted conversations, each turn read in its context.

    conversations:
      - turns:
          - {q: "who was released today?", expect: ["chen ziming"]}
          - {q: "how old is he?", expect: ["41"]}
    no_context:
      - "how old is he?"      # never answered: nothing to follow

A turn is right when the reply answers and its answer or quote holds one `expect` phrase.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.context import Conversations, free_pronouns
from bot.evaluate import EvalFileError, right_fact
from bot.matcher import Matcher


class _Turn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    q: str
    expect: list[str] = Field(min_length=1)


class _Conversation(BaseModel):
    model_config = ConfigDict(extra="forbid")
    turns: list[_Turn] = Field(min_length=1)


class ConversationSet(BaseModel):
    model_config = ConfigDict(extra="forbid")
    conversations: list[_Conversation] = []
    no_context: list[str] = []


@dataclass
class ConversationReport:
    first: int = 0
    first_right: int = 0
    follow_ups: int = 0
    follow_ups_right: int = 0
    follow_ups_wrong: int = 0
    no_context: int = 0
    no_context_answered: int = 0
    # The bar is about these: "how old is he?" with no one to be "he".
    pronoun_no_context: int = 0
    pronoun_no_context_answered: int = 0
    misses: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, object]:
        return {
            "first_turns": self.first,
            "first_turns_right": self.first_right,
            "follow_ups": self.follow_ups,
            "follow_ups_right": self.follow_ups_right,
            "follow_ups_wrong": self.follow_ups_wrong,
            "no_context": self.no_context,
            "no_context_answered": self.no_context_answered,
            "pronoun_no_context": self.pronoun_no_context,
            "pronoun_no_context_answered": self.pronoun_no_context_answered,
            "misses": self.misses,
        }

    def lines(self) -> list[str]:
        def pct(n: int, d: int) -> str:
            return f"{100 * n / d:.1f}%" if d else "-"

        return [
            *self.misses,
            "",
            f"first turns: {self.first_right}/{self.first} right "
            f"({pct(self.first_right, self.first)})",
            f"follow-ups: {self.follow_ups_right}/{self.follow_ups} right "
            f"({pct(self.follow_ups_right, self.follow_ups)}), {self.follow_ups_wrong} wrong",
            f"follow-ups with no context: {self.no_context - self.no_context_answered}/"
            f"{self.no_context} not answered "
            f"({pct(self.no_context - self.no_context_answered, self.no_context)}); "
            f"with a pronoun: {self.pronoun_no_context - self.pronoun_no_context_answered}/"
            f"{self.pronoun_no_context}",
        ]


def is_conversation_file(raw: object) -> bool:
    return isinstance(raw, dict) and ("conversations" in raw or "no_context" in raw)


def load_conversations(path: Path) -> ConversationSet:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        return ConversationSet.model_validate(raw)
    except (OSError, UnicodeDecodeError, yaml.YAMLError, ValidationError) as exc:
        raise EvalFileError(f"{path}: {exc}") from None


def evaluate_conversations(matcher: Matcher, data: ConversationSet) -> ConversationReport:
    report = ConversationReport()
    for n, conversation in enumerate(data.conversations):
        conversations = Conversations()
        for i, turn in enumerate(conversation.turns):
            reply = matcher.converse(turn.q, conversations, n)
            right = reply.fact is not None and right_fact(reply.fact, turn.expect)
            if i == 0:
                report.first += 1
                report.first_right += right
            else:
                report.follow_ups += 1
                report.follow_ups_right += right
                report.follow_ups_wrong += reply.fact is not None and not right
            if not right:
                said = f"[{reply.fact.id}]" if reply.fact else f"({reply.outcome.value})"
                read = f" read as {reply.read_as!r}" if reply.read_as else ""
                report.misses.append(
                    f"MISS conversation {n + 1} turn {i + 1} {turn.q!r}{read}: {said}, "
                    f"expected {turn.expect}"
                )
    for question in data.no_context:
        report.no_context += 1
        pronoun = bool(free_pronouns(matcher.analyzer.analyze(question).words))
        report.pronoun_no_context += pronoun
        reply = matcher.answer(question)
        if reply.fact is not None:
            report.no_context_answered += 1
            report.pronoun_no_context_answered += pronoun
            report.misses.append(f"MISS no context {question!r}: answered [{reply.fact.id}]")
    return report
