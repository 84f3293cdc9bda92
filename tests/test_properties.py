"""The matcher never raises and is deterministic, whatever it is given."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.matcher import Matcher
from bot.reply import Outcome, to_json, to_text
from bot.textnorm import MAX_QUESTION_CHARS


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text())
def test_any_unicode_gets_a_reply(matcher: Matcher, text: str) -> None:
    reply = matcher.answer(text)
    assert reply.question == text
    assert 0.0 <= reply.score <= 100.0
    assert (reply.fact is not None) == (reply.outcome in (Outcome.ANSWERED, Outcome.AMBIGUOUS))
    assert to_text(reply)
    out = to_json(reply)
    assert set(out) == {
        *("question", "answered", "answer", "fact_id", "score", "citation", "suggestions"),
        *("outcome", "suggestion_ids", "reading"),
    }
    assert out["reading"] is None  # no conversation, no reading
    assert out["outcome"] == reply.outcome.value
    assert [matcher.factbase.by_id[i].display_question for i in out["suggestion_ids"]] == (
        out["suggestions"]
    )
    assert matcher.answer(text) == reply


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(min_size=1, max_size=5), st.integers(min_value=1_000, max_value=100_000))
def test_huge_questions_get_a_reply(matcher: Matcher, chunk: str, size: int) -> None:
    text = (chunk * (size // len(chunk) + 1))[:size]
    reply = matcher.answer(text)
    assert reply.question == text
    # Only the first MAX_QUESTION_CHARS are read: the rest cannot change the reply.
    head = matcher.answer(text[:MAX_QUESTION_CHARS])
    assert replace(reply, question=head.question) == head


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=50))
def test_autocomplete_never_raises(matcher: Matcher, text: str) -> None:
    assert len(matcher.complete(text)) <= 25


def test_100k_character_question(matcher: Matcher) -> None:
    reply = matcher.answer("chen " * 20_000)
    # A name said over and over asks nothing about it: never an answer.
    assert reply.fact is None
    assert reply.outcome in (Outcome.CLARIFY, Outcome.NOT_IN_ARTICLE)
    assert to_json(reply)["question"] == "chen " * 20_000


@pytest.mark.parametrize("name", ["chen", "wang", "oksenberg", "clinton", "beijing"])
def test_a_word_said_over_and_over_is_never_answered(matcher: Matcher, name: str) -> None:
    # Whatever the fitted decision makes of it: a rule, not a threshold.
    assert matcher.answer(f"{name} {name} {name} {name}").fact is None
