"""Follow-up questions read against the conversation, and never guessed without one."""

from __future__ import annotations

import pytest

from bot.context import Conversations
from bot.matcher import Matcher
from bot.reply import Outcome, Reply, to_json, to_text


def talk(matcher: Matcher, *questions: str, key: object = "me") -> list[str | None]:
    conversations = Conversations()
    return [
        (r.fact.id if r.fact else None)
        for r in (matcher.converse(q, conversations, key) for q in questions)
    ]


def follow_up(matcher: Matcher, first: str, then: str) -> Reply:
    """The reply to `then`, asked right after `first` in one conversation."""
    conversations = Conversations()
    matcher.converse(first, conversations, 1)
    return matcher.converse(then, conversations, 1)


def test_a_pronoun_means_the_person_just_answered(matcher: Matcher) -> None:
    assert talk(matcher, "who was released today?", "how old is he?") == [
        "chen-released",
        "chen-age",
    ]


def test_the_reply_says_how_it_read_the_follow_up(matcher: Matcher) -> None:
    reply = follow_up(matcher, "what illness does wang juntao have?", "where did he go?")
    assert reply.fact is not None
    assert reply.fact.id == "wang-travel"
    assert reply.reading == "reading \u201che\u201d as Wang Juntao"
    assert reply.question == "where did he go?"  # what the user typed stays
    assert to_text(reply).startswith("(reading \u201che\u201d as Wang Juntao)\n")
    assert to_json(reply)["reading"] == reply.reading


def test_and_x_asks_the_last_question_about_someone_else(matcher: Matcher) -> None:
    assert talk(matcher, "what illness does wang juntao have?", "and chen?") == [
        "wang-illness",
        "chen-health",
    ]


def test_a_bare_question_word_asks_about_the_last_answer(matcher: Matcher) -> None:
    asked = talk(matcher, "who was released today?", "why?")
    assert asked[1] == "release-reason"


def test_a_pronoun_beside_a_name_still_means_the_last_person(matcher: Matcher) -> None:
    # "he" is Winston Lord; Bush is who he spoke about.
    asked = talk(matcher, "who is winston lord", "what did he say about bush?")
    assert asked == ["winston-lord-role", "lord-fawning"]


def test_the_other_one_is_the_other_person_of_the_last_answer(matcher: Matcher) -> None:
    conversations = Conversations()
    first = matcher.converse(
        "what does chen's release mean for leaders in custody?", conversations, 1
    )
    assert first.fact is not None
    assert set(first.fact.people) == {"Chen Ziming", "Wang Juntao"}
    reply = matcher.converse("who's the other one?", conversations, 1)
    assert reply.fact is not None
    assert "Wang Juntao" in reply.fact.answer


@pytest.mark.parametrize(
    "question", ["how old is he?", "what were their jobs?", "why?", "and wang?", "what about lord"]
)
def test_a_follow_up_with_no_context_is_never_answered(matcher: Matcher, question: str) -> None:
    reply = matcher.converse(question, Conversations(), "new")
    assert reply.fact is None
    assert reply.outcome in (Outcome.CLARIFY, Outcome.HELP)


def test_they_after_who_are_x_and_y_means_x_and_y(matcher: Matcher) -> None:
    # "who are X and Y?" is answered about them, not about someone else the fact names.
    reply = follow_up(
        matcher, "who are zbigniew brzezinski and michel oksenberg?", "when do they land"
    )
    assert reply.read_as is not None
    assert "Oksenberg" in reply.read_as
    assert "Carter" not in reply.read_as


def test_they_beside_he_is_someone_else(matcher: Matcher) -> None:
    # "why'd they let him go?": he is Chen; they are the ones who let him go.
    reply = follow_up(matcher, "who was released today?", "why'd they let him go?")
    assert reply.read_as is not None
    assert reply.read_as.startswith("why they let Chen Ziming go")


def test_a_follow_up_with_its_own_term_keeps_only_the_subject(matcher: Matcher) -> None:
    # The rest of the last question would win the ranking back for the last fact.
    asked = talk(matcher, "how long was chen ziming sentenced to prison?", "on what charges?")
    assert asked == ["chen-sentence", "chen-charges"]


def test_a_pronoun_and_nothing_else_asks_about_the_last_question_too(matcher: Matcher) -> None:
    # "what did he do?": the career start just asked about, not who Chen is in general.
    asked = talk(matcher, "when did chen's career as a dissident start?", "what did he do?")
    assert asked == ["chen-career-start", "chen-career-start"]


def test_two_people_in_one_channel_do_not_share_context(matcher: Matcher) -> None:
    conversations = Conversations()
    alice, bob = ("channel", "alice"), ("channel", "bob")
    matcher.converse("who was released today?", conversations, alice)
    assert matcher.converse("how old is he?", conversations, bob).fact is None
    reply = matcher.converse("how old is he?", conversations, alice)
    assert reply.fact is not None
    assert reply.fact.id == "chen-age"


def test_naming_someone_else_starts_a_new_topic(matcher: Matcher) -> None:
    asked = talk(
        matcher, "who was released today?", "what illness does wang juntao have?", "how old is he?"
    )
    # Wang's age is not in the article: never Chen's age for "he" now.
    assert asked[2] != "chen-age"


def test_reset_forgets_the_conversation(matcher: Matcher) -> None:
    conversations = Conversations()
    matcher.converse("who was released today?", conversations, 1)
    reset = matcher.converse("reset", conversations, 1)
    assert reset.outcome is Outcome.HELP
    assert reset.reading == "new conversation"
    assert matcher.converse("how old is he?", conversations, 1).fact is None


def test_memory_forgets_after_silence_and_keeps_a_bound() -> None:
    now = [0.0]
    conversations = Conversations(ttl=60, max_conversations=2, clock=lambda: now[0])
    from bot.context import Topic

    topic = Topic("who was released today?", "chen-released", ("Chen Ziming",), (), True)
    for key in ("a", "b", "c"):
        conversations.remember(key, topic)
    assert conversations.get("a") is None  # the least recently used went first
    assert conversations.get("c") == topic
    now[0] = 61.0
    assert conversations.get("c") is None  # a minute of silence ends it
    assert len(conversations) == 1


def test_a_question_unsure_alone_is_read_with_the_topic(matcher: Matcher) -> None:
    # Alone, "who criticized the missions?" is asked back (which missions?); after Bush's
    # envoys it is about theirs, and the reply says how it was read.
    question = "who criticized the missions?"
    assert matcher.answer(question).outcome is Outcome.CLARIFY
    reply = follow_up(matcher, "who did bush send to beijing?", question)
    assert reply.fact is not None
    assert reply.fact.id == "lord-fawning"
    assert reply.read_as is not None
    assert "bush" in reply.read_as.lower()
    assert reply.reading is not None
    assert reply.reading.startswith("reading it as")


def test_it_is_the_thing_the_last_question_asked_about(matcher: Matcher) -> None:
    # "it" is Beijing Spring, not Chen (the person of the answer about it).
    reply = follow_up(matcher, "what is beijing spring?", "when did it stop publishing?")
    assert reply.read_as is not None
    assert "beijing spring" in reply.read_as
    assert reply.fact is not None
    assert reply.fact.id.startswith("beijing-spring")


def test_what_happened_after_that_follows_the_last_answer(matcher: Matcher) -> None:
    # "that" is the 1976 speech the last answer told of; what followed was a jail term.
    asked = talk(
        matcher,
        "how did chen's career as a dissident start?",
        "what happened to him after that?",
    )
    assert asked == ["chen-career-start", "chen-first-jailed"]


def test_why_did_they_do_that_asks_about_the_last_question(matcher: Matcher) -> None:
    # "that" is the release just asked about, not the whole of the answer's sentence.
    asked = talk(matcher, "who was released today?", "why did they do that?")
    assert asked == ["chen-released", "release-reason"]
