"""Follow-up questions read against the conversation, and never guessed without one."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.context import Conversations, Topic, asks_example, asks_source
from bot.loader import load_factbase
from bot.matcher import Matcher
from bot.reply import Outcome, Reply, to_json, to_text
from bot.textnorm import words


def talk(matcher: Matcher, *questions: str, key: object = "me") -> list[str | None]:
    conversations = Conversations()
    return [
        (r.fact.id if r.fact else None)
        for r in (matcher.converse(q, conversations, key) for q in questions)
    ]


def follow_up(matcher: Matcher, *questions: str) -> Reply:
    """The reply to the last question, asked right after the others in one conversation."""
    conversations = Conversations()
    *earlier, then = questions
    for question in earlier:
        matcher.converse(question, conversations, 1)
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
    "question",
    [
        *("how old is he?", "what were their jobs?", "why?", "and wang?", "what about lord"),
        *("what was the second guy ill with", "what year was that", "unless they do what?"),
        *("how old is that guy?", "why does that matter?", "so what happened next?"),
        *("how old is that man?", "ok but why now tho"),
    ],
)
def test_a_follow_up_with_no_context_is_never_answered(matcher: Matcher, question: str) -> None:
    reply = matcher.converse(question, Conversations(), "new")
    assert reply.fact is None
    assert reply.outcome in (Outcome.CLARIFY, Outcome.HELP)


@pytest.mark.parametrize(
    ("question", "fact_id"),
    [
        (
            "which democracy activist did beijing rearrest after he had been freed?",
            "wei-rearrested",
        ),
        ("how old is the activist they just let go?", "chen-age"),
    ],
)
def test_a_pronoun_after_the_person_it_means_needs_no_context(
    matcher: Matcher, question: str, fact_id: str
) -> None:
    # The pronoun stands for the person the question itself describes.
    reply = matcher.converse(question, Conversations(), "new")
    assert reply.fact is not None
    assert reply.fact.id == fact_id


@pytest.mark.parametrize(
    ("question", "said"),
    [
        ("who was among those rearrested?", "Wei Jingsheng"),
        ("where were those demonstrations", "Tian An Men Square"),
        ("what were those gestures", "de-link"),
    ],
)
def test_those_in_a_question_alone_needs_no_context(
    matcher: Matcher, question: str, said: str
) -> None:
    reply = matcher.converse(question, Conversations(), "new")
    assert reply.fact is not None
    assert said in reply.fact.answer


@pytest.mark.parametrize(
    ("before", "then", "said"),
    [
        ("how old is chen", "ok but what's the deadline", "June 3"),
        ("how old is chen", "what's the deadline", "June 3"),
        ("who is chen ziming", "ok but what is mfn", "tariffs"),
    ],
)
def test_a_short_question_sure_alone_is_not_read_with_the_last(
    matcher: Matcher, before: str, then: str, said: str
) -> None:
    reply = follow_up(matcher, before, then)
    assert reply.fact is not None
    assert said in reply.fact.answer
    assert reply.read_as is None


def test_chat_words_around_a_bare_follow_up_leave_it_bare(matcher: Matcher) -> None:
    # "ok but why now tho" is "why now?": the last question says what about.
    asked = "what is the clinton administration trying to get out of china in these talks"
    for then in ("why now?", "ok but why now tho", "ok and why now tho"):
        reply = follow_up(matcher, asked, then)
        assert reply.fact is not None
        assert "final weeks" in reply.fact.answer


def test_the_pronoun_a_question_asks_about_still_needs_context(matcher: Matcher) -> None:
    # "which president did he work for?": "he" is someone from before, not the president.
    alone = matcher.converse("which president did he work for?", Conversations(), "new")
    assert alone.fact is None
    reply = follow_up(matcher, "who is michel oksenberg?", "which president did he work for?")
    assert reply.reading == "reading \u201che\u201d as Michel Oksenberg"


@pytest.mark.parametrize(
    ("before", "then", "fact_id"),
    [
        (
            "how did a senior official defend all the secrecy",
            "anything else they said?",
            "secrecy-official",
        ),
        (
            "what did chen do in 1976?",
            "what journal did he start a few years later?",
            "beijing-spring",
        ),
    ],
)
def test_the_conversation_vouches_for_a_guess_next_to_its_topic(
    matcher: Matcher, before: str, then: str, fact_id: str
) -> None:
    reply = follow_up(matcher, before, then)
    assert reply.read_as is not None
    # Read alone, the rewritten question is only a guess: the bot would ask back ...
    alone = matcher.answer(reply.read_as)
    assert alone.outcome is Outcome.CLARIFY
    assert alone.suggestions[0].id == fact_id
    # ... but the guess is next to what was just answered, so the follow-up is answered.
    assert reply.outcome is Outcome.ANSWERED
    assert reply.fact is not None
    assert reply.fact.id == fact_id


def test_the_conversation_vouches_for_a_guess_two_steps_from_its_topic(matcher: Matcher) -> None:
    # The trade status leads on to what it means, which leads on to the deadline for it:
    # "by when?" alone is unsure, and the deadline is what the talk is heading for.
    asked = talk(matcher, "what trading status is at stake for china?", "by when?")
    assert asked == ["mfn-name", "decision-deadline"]


def test_a_guess_far_from_the_topic_is_still_asked_back(matcher: Matcher) -> None:
    # What Beijing wants of Washington is nowhere near Chen's age: the bot asks back as it
    # would alone.
    question = "what does the Asian government want Washington to stop linking together?"
    reply = follow_up(matcher, "how old is chen?", question)
    alone = matcher.answer(question)
    assert alone.outcome is Outcome.CLARIFY
    assert reply.outcome is Outcome.CLARIFY


def test_this_or_that_thing_is_the_one_just_talked_about(matcher: Matcher) -> None:
    # Alone, "when was that visit?" is read as the visit in the news (Brzezinski and
    # Oksenberg's); after Christopher's visit, it is his.
    question = "and when was that visit?"
    alone = matcher.answer(question)
    assert (alone.fact or alone.suggestions[0]).id == "beijing-trip-when"  # its best guess
    reply = follow_up(matcher, "how did Christopher's visit to Beijing go?", question)
    assert reply.fact is not None
    assert reply.fact.id == "christopher-when"
    assert reply.reading is not None
    assert "christopher" in reply.reading.lower()  # the reply says how it read "that visit"


def test_that_thing_far_from_the_last_answer_is_another_topic(matcher: Matcher) -> None:
    # Nothing next to Christopher's visit comes near "when did chen start that journal".
    question = "when did chen start that journal"
    reply = follow_up(matcher, "how did Christopher's visit to Beijing go?", question)
    assert reply.fact is not None
    assert reply.fact.id == matcher.answer(question).fact.id == "beijing-spring"


def test_asking_if_it_still_exists_asks_whether_it_was_closed(matcher: Matcher) -> None:
    reply = follow_up(matcher, "which magazine did chen start?", "does it still exist?")
    assert reply.fact is not None
    assert reply.fact.id == "beijing-spring-closed"


def test_they_after_an_answer_about_no_one_is_no_person(matcher: Matcher) -> None:
    # China's biggest export market names no one: "they" is China, and the question has
    # enough of its own to be answered.
    question = "so what trade status are they at risk of losing?"
    assert matcher.answer(question).outcome is Outcome.CLARIFY  # alone: who are "they"?
    reply = follow_up(matcher, "what is china's biggest export market?", question)
    assert reply.fact is not None
    assert reply.fact.id == "mfn-name"
    # With next to nothing of its own, it is still asked back.
    short = follow_up(matcher, "what is china's biggest export market?", "why do they care?")
    assert short.outcome is Outcome.CLARIFY


@pytest.mark.parametrize(
    "then", ["unless what?", "on what conditions?", "under what condition would he do it?"]
)
def test_unless_what_asks_the_condition_the_last_answer_set(matcher: Matcher, then: str) -> None:
    reply = follow_up(matcher, "what does clinton threaten to do to china?", then)
    assert reply.fact is not None
    assert reply.fact.id == "clinton-threat"
    assert "concrete steps" in reply.fact.answer
    assert reply.reading == "the condition is in the last answer"
    # An answer that sets no condition is not given again for it.
    other = follow_up(matcher, "how old is chen?", then)
    assert other.fact is None or other.fact.id != "chen-age"
    # Chen's condition is his health, not the condition the threat set.
    health = follow_up(
        matcher, "what does clinton threaten to do to china?", "what's chen's condition?"
    )
    assert health.fact is not None
    assert health.fact.id != "clinton-threat"


@pytest.mark.parametrize(
    "then", ["what's the other term it used for them?", "wasnt there another nickname too?"]
)
def test_the_other_name_is_in_an_answer_giving_two(matcher: Matcher, then: str) -> None:
    # "the main ringleaders, or "black hands"": another name, not the other person (Wang).
    first = "how did the government describe chen and wang after the crackdown?"
    reply = follow_up(matcher, first, then)
    assert reply.fact is not None
    assert reply.fact.id == "ringleaders"
    assert reply.reading == "the last answer gives both names"
    # An answer with one name only is not given again for it.
    other = follow_up(matcher, "what did beijing label chen ziming?", then)
    assert other.reading != "the last answer gives both names"


@pytest.mark.parametrize("then", ["anyone else get that label?", "anyone else get labeled that"])
def test_that_label_is_the_term_the_last_answer_quotes(matcher: Matcher, then: str) -> None:
    # Chen was labeled a "black hand": the others with that label are Chen and Wang, the
    # "black hands"; not what is next to Chen's label (his health).
    reply = follow_up(matcher, "why do they call chen a black hand", then)
    assert reply.fact is not None
    assert reply.fact.id == "ringleaders"
    assert reply.read_as is not None
    assert "black hand" in reply.read_as


def test_another_thing_is_not_the_other_person(matcher: Matcher) -> None:
    first = "how did the government describe chen and wang after the crackdown?"
    reply = follow_up(matcher, first, "any other charges?")
    assert reply.reading is None or "the other one" not in reply.reading
    assert "Wang" not in (reply.read_as or "")
    assert reply.suggestions[0].id == "chen-charges"


@pytest.mark.parametrize(
    ("first", "then", "fact_id"),
    [
        # An opening "and" asks nothing of the talk by itself.
        (None, "and what is mfn?", "mfn-meaning"),
        ("who was released today?", "and when is the deadline?", "decision-deadline"),
        # "the first man sent" is no pointing back at the one just talked about.
        ("who is chen ziming?", "who was the first man sent to beijing?", "bush-envoys"),
        # A question of its own with "conditions" is not the threat's condition.
        (
            "what does clinton threaten to do to china?",
            "under what conditions was the dissident released?",
            "release-on-bail",
        ),
    ],
)
def test_questions_of_their_own_are_not_read_as_follow_ups(
    matcher: Matcher, first: str | None, then: str, fact_id: str
) -> None:
    reply = follow_up(matcher, *([first] if first else []), then)
    assert reply.fact is not None
    assert reply.fact.id == fact_id


def test_them_after_a_who_answer_may_be_the_one_person(matcher: Matcher) -> None:
    reply = follow_up(matcher, "who criticized bush's envoys?", "what post did clinton give them?")
    assert reply.reading == "reading \u201cthem\u201d as Winston Lord"


def test_them_after_an_answer_about_one_person_is_no_person(matcher: Matcher) -> None:
    # The gestures Chen's release is one of: "them" are the gestures, made by the Chinese
    # government, not Chen.
    reply = follow_up(
        matcher,
        "What series of moves is Chen's release described as part of?",
        "Who has been making them?",
    )
    assert reply.read_as is not None
    assert "Chen Ziming" not in reply.read_as
    assert reply.fact is not None
    assert "Chinese government" in reply.fact.answer


@pytest.mark.parametrize("then", ["why now?", "Why now, though?"])
def test_why_now_asks_about_the_timing_of_the_last_answer(matcher: Matcher, then: str) -> None:
    reply = follow_up(matcher, "what is the clinton administration doing secretly", then)
    assert reply.fact is not None
    assert reply.fact.id == "campaign-timing"


def test_trashing_someone_is_criticizing_them(matcher: Matcher) -> None:
    asked = talk(
        matcher,
        "by using secret diplomacy, whose path is the administration following?",
        "lol didnt clinton trash him for that",
        "when?",
    )
    assert asked == ["same-path-as-bush", "coddling-dictators", "clinton-criticized-when"]


def test_they_after_which_x_officials_are_the_officials_not_x(matcher: Matcher) -> None:
    # "which carter officials ..." asks for people and names Carter: "they" are the two
    # officials the answer gives, not Carter.
    reply = follow_up(matcher, "which carter officials are flying to beijing?", "when do they land")
    assert reply.reading == "reading \u201cthey\u201d as Zbigniew Brzezinski and Michel Oksenberg"


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


def test_he_beside_them_after_who_did_he_send_is_the_sender(matcher: Matcher) -> None:
    # "them" are the envoys just answered and stay as typed; "he" is Bush, so "him" next
    # is Bush too, and Lord is who criticized him.
    first = "Who did President Bush send on secret missions to Beijing after the 1989 crackdown?"
    reply = follow_up(matcher, first, "How many times did he send them?")
    assert reply.reading == "reading \u201che\u201d as George Bush"
    asked = talk(matcher, first, "How many times did he send them?", "Who criticized him for it?")
    assert asked == ["bush-envoys", "bush-missions-when", "lord-fawning"]


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
    # Alone, "what happens to the benefits?" is asked back (which benefits?); in a talk
    # about the trade status it is about what may happen to them: renewed for a year, or
    # curbed as Clinton threatens (both are given), and the reply says how it was read.
    question = "what happens to the benefits?"
    assert matcher.answer(question).outcome is Outcome.CLARIFY
    reply = follow_up(matcher, "what does most favored nation status mean?", question)
    assert reply.fact is not None
    given = {reply.fact.id, *(f.id for f in reply.alternatives)}
    assert "clinton-threat" in given
    assert given <= {"clinton-threat", "renewal-another-year"}
    assert reply.read_as is not None
    assert "clinton" in reply.read_as.lower()
    assert reply.reading is not None
    assert reply.reading.startswith("reading it as")


def test_it_is_the_thing_the_last_question_asked_about(matcher: Matcher) -> None:
    # "it" is Beijing Spring, not Chen (the person of the answer about it). (Asked "when"
    # it stopped, the article has no date: that is not in the article.)
    reply = follow_up(matcher, "what is beijing spring?", "why did it stop publishing?")
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


@pytest.mark.parametrize(
    "then", ["did he get locked up for it?", "and what happened to him because of that"]
)
def test_what_came_of_it_is_what_followed_the_deed_just_told(matcher: Matcher, then: str) -> None:
    # "it" is the 1976 speech the last answer told of, and jail is what followed.
    asked = talk(matcher, "how did chen's career as a dissident start?", then)
    assert asked == ["chen-career-start", "chen-first-jailed"]


def test_what_came_of_it_is_a_fact_whose_own_words_say_what_was_asked(matcher: Matcher) -> None:
    # Bush's envoys: the facts of the same sentence share the last answer's words, but
    # only Lord's own words ("denounced") say anyone criticized him; and "did anyone ...?"
    # asked for a person, so "he" next is the one it was answered with.
    asked = talk(
        matcher,
        "who did bush send on secret trips to beijing after 1989",
        "did anyone criticize him for it",
        "what did he call those guys",
    )
    assert asked == ["bush-envoys", "lord-fawning", "lord-fawning"]


def test_what_came_of_a_deed_the_article_leaves_open_is_asked_back(matcher: Matcher) -> None:
    # Nothing says Lord was punished: his criticism is not answered again, and what is
    # next to it (Bush's envoys) does not speak of punishment, so it is only offered.
    first = follow_up(matcher, "who denounced bush?")
    assert first.fact is not None
    assert first.fact.id == "lord-fawning"
    reply = follow_up(matcher, "who denounced bush?", "was he punished for it?")
    assert reply.outcome is Outcome.CLARIFY
    assert reply.fact is None
    assert reply.suggestions  # what is near it is offered
    assert "lord-fawning" not in [s.id for s in reply.suggestions]


@pytest.mark.parametrize("why", ["for what purpose?", "for what reason?", "how come?"])
def test_a_bare_reason_question_asks_why_the_last_answer_happened(
    matcher: Matcher, why: str
) -> None:
    # "purpose" is only what is asked, not a subject: the last question gives the rest,
    # and Wang's travel was for medical treatment.
    reply = follow_up(matcher, "where was wang juntao allowed to go?", why)
    assert reply.fact is not None
    assert reply.fact.id == "wang-travel"
    assert reply.read_as is not None
    assert "go" in reply.read_as.split()


@pytest.mark.parametrize("companion", ["did he do it alone?", "he make it together with who?"])
def test_did_he_do_it_alone_is_answered_by_who_was_with_him(
    matcher: Matcher, companion: str
) -> None:
    # The last answer names Wang beside Chen: it says who else founded the institute.
    reply = follow_up(matcher, "what institute did chen found in 1986?", companion)
    assert reply.fact is not None
    assert reply.fact.id == "research-institute"
    assert "Wang Juntao" in reply.fact.answer
    assert reply.read_people == ("Wang Juntao",)  # "that guy" next is Wang


def test_with_whom_is_answered_with_the_one_who_was_with_him(matcher: Matcher) -> None:
    # Answered by the last answer or by a fact about Wang himself: either names him.
    reply = follow_up(
        matcher, "what institute did chen found in 1986?", "with whom did he found it?"
    )
    assert reply.fact is not None
    assert "Wang Juntao" in reply.fact.answer


def test_what_did_they_do_together_asks_about_both(matcher: Matcher) -> None:
    # "together" with "they" asks what both did, not who was with them.
    asked = talk(matcher, "who are brzezinski and oksenberg?", "what did they do together in 1978?")
    assert asked == ["carter-officials", "negotiations-1978"]


def test_why_did_they_do_that_asks_about_the_last_question(matcher: Matcher) -> None:
    # "that" is the release just asked about, not the whole of the answer's sentence.
    asked = talk(matcher, "who was released today?", "why did they do that?")
    assert asked == ["chen-released", "release-reason"]


def test_which_official_is_answered_with_the_person_he_then_means(matcher: Matcher) -> None:
    # The question names Clinton, but its answer is Christopher: "his" is Christopher.
    reply = follow_up(
        matcher,
        "which official visited beijing in march and failed to make china take clinton's"
        " threats seriously?",
        "what is his job?",
    )
    assert reply.fact is not None
    assert reply.fact.id == "secretary-of-state"
    assert reply.reading == "reading \u201chis\u201d as Warren Christopher"


def test_a_name_before_the_pronoun_is_who_the_pronoun_means(matcher: Matcher) -> None:
    reply = follow_up(
        matcher, "where did wang juntao go after he got out", "and chen, why was he released?"
    )
    assert reply.fact is not None
    assert reply.fact.id == "release-reason"
    assert reply.reading is None  # it stood alone: Chen, not Wang


def test_the_other_one_leads_a_longer_question(matcher: Matcher) -> None:
    asked = talk(
        matcher,
        "who did bush send to beijing after the crackdown",
        "how many times?",
        "the other one, what was his title?",
    )
    assert asked[2] == "scowcroft-eagleburger-jobs"


def test_the_two_of_them_means_both_people(matcher: Matcher) -> None:
    reply = follow_up(
        matcher,
        "what institute did chen found in 1986?",
        "with who?",
        "what did the two of them do during the 1989 movement?",
    )
    assert reply.fact is not None
    assert reply.fact.id == "chen-stance-1989"
    assert reply.reading == "reading \u201cthem\u201d as Chen Ziming and Wang Juntao"


def test_who_said_that_asks_for_the_source_of_the_last_answer(matcher: Matcher) -> None:
    first, then = talk(
        matcher, "why is the administration so secretive about it?", "who said that?"
    )
    assert first is not None
    assert then == first


def test_what_happened_after_is_a_consequence_of_the_last_answer(matcher: Matcher) -> None:
    asked = talk(
        matcher, "how did chen ziming's career as a dissident begin?", "what happened to him after?"
    )
    assert asked == ["chen-career-start", "chen-first-jailed"]


def test_a_plural_pronoun_means_the_people_named_not_the_one_answered(matcher: Matcher) -> None:
    # "whose administration did they serve in?" is answered with Carter; "they" next is
    # still Brzezinski and Oksenberg.
    reply = follow_up(
        matcher,
        "what did brzezinski and oksenberg negotiate in 1978?",
        "whose administration did they serve in?",
        "how is their trip officially described?",
    )
    assert reply.fact is not None
    assert reply.fact.id == "trip-official-reason"
    assert "Zbigniew Brzezinski and Michel Oksenberg" in (reply.reading or "")


def test_a_who_answer_that_names_no_one_still_reads_the_next_follow_up(matcher: Matcher) -> None:
    # "who decides?" answered by a fact naming no one: "by when?" has no person to lean
    # on, and is read with the last question instead (it once raised IndexError).
    topic = Topic("who decides on the trade status", "decision-deadline", (), (), True)
    reply = matcher.answer("by when?", topic)
    assert reply.fact is not None
    assert reply.fact.id == "decision-deadline"
    assert reply.read_as == "by when decides on the trade status"


def test_who_else_admits_that_asks_about_the_last_answer(matcher: Matcher) -> None:
    reply = follow_up(
        matcher, "what do human rights groups say about china's progress?", "who else admits that?"
    )
    assert reply.fact is not None
    assert reply.fact.id == "progress-not-made"  # it names the officials who admit it too
    assert reply.reading == "reading \u201cwho else admits that?\u201d as about the last answer"


def test_was_he_punished_for_it_after_the_speech(matcher: Matcher) -> None:
    asked = talk(matcher, "where did chen give his 1976 speech?", "was he punished for it?")
    assert asked == ["speech-1976-location", "chen-first-jailed"]


def test_the_first_and_the_second_are_the_people_the_last_reply_offered(
    matcher: Matcher,
) -> None:
    custody = "what does chen's release mean for leaders in custody?"  # Chen, then Wang
    first = follow_up(matcher, custody, "how old is the first one?")
    assert (first.fact.id if first.fact else None) == "chen-age"
    assert first.reading == "reading \u201cthe first\u201d as Chen Ziming"
    second = follow_up(matcher, custody, "what was the second guy ill with")
    assert (second.fact.id if second.fact else None) == "wang-illness"
    latter = follow_up(matcher, custody, "what illness did the latter have?")
    assert latter.reading == "reading \u201cthe latter\u201d as Wang Juntao"


def test_a_question_with_nothing_of_its_own_asks_about_the_last_answer(
    matcher: Matcher,
) -> None:
    # "what year was that?" is longer than "when?" but asks no more: it reads the last
    # question, without what that one asked for.
    reply = follow_up(matcher, "how did chen's dissident career start?", "what year was that")
    assert reply.fact is not None
    assert "1976" in reply.fact.answer
    assert reply.read_as is not None
    assert "year" not in reply.read_as.split()[3:]  # the kind is not carried on


def test_a_pronoun_after_the_name_acting_on_it_means_the_last_person(matcher: Matcher) -> None:
    # "where did Bush send him?": Bush sends; "him" is Eagleburger, and stays him next.
    sent = follow_up(matcher, "whos eagleburger", "where did bush send him")
    assert sent.read_as == "where did bush send Lawrence Eagleburger"
    went = follow_up(matcher, "whos eagleburger", "where did bush send him", "and who went w/ him")
    assert went.reading == "reading \u201chim\u201d as Lawrence Eagleburger"
    assert went.fact is not None
    assert "Scowcroft" in went.fact.answer
    # A name leading the question is whom its pronoun means: "and Chen, why was he freed?"
    led = follow_up(matcher, "who is wang juntao?", "and chen, why was he let go?")
    assert led.read_as is None
    assert (led.fact.id if led.fact else None) == "release-reason"


def test_what_for_asks_why_the_last_answer_happened(matcher: Matcher) -> None:
    asked = talk(matcher, "how long was chen supposed to be locked up", "what for")
    assert asked == ["chen-sentence", "chen-charges"]


def test_why_after_an_age_asks_why_the_answer_before_it_happened(matcher: Matcher) -> None:
    # The issue's own example: nobody asks why someone is 41.
    asked = talk(
        matcher,
        "who was released today?",
        "how old is he?",
        "why?",
        "what was he charged with?",
    )
    assert asked == ["chen-released", "chen-age", "release-reason", "chen-charges"]
    # With nothing before the age, "why?" still reads the age question (and asks back).
    alone = follow_up(matcher, "how old is chen?", "why?")
    assert alone.read_as is not None
    assert "old" not in alone.read_as.split()  # the kind is not carried


def test_who_else_is_not_the_last_answer_again(matcher: Matcher) -> None:
    reply = follow_up(matcher, "which dissident did beijing release", "who else was let out")
    assert reply.fact is None or reply.fact.id != "chen-released"
    assert reply.reading is not None
    assert "again" in reply.reading
    assert "chen-released" not in [f.id for f in reply.suggestions]


def test_tell_me_more_moves_on_to_a_fact_next_to_the_last(matcher: Matcher) -> None:
    reply = follow_up(matcher, "who is michel oksenberg", "tell me more about him")
    assert reply.fact is not None
    assert reply.fact.id != "oksenberg-role"
    assert "Oksenberg" in reply.fact.answer


def test_who_else_may_be_in_an_answer_naming_two_people(matcher: Matcher) -> None:
    # The institute's fact names Wang too: "who else" is answered by it.
    reply = follow_up(matcher, "what did chen found in 1986", "who else")
    assert reply.fact is not None
    assert "Wang Juntao" in reply.fact.answer


def test_who_said_that_is_the_last_answer_and_its_source(matcher: Matcher) -> None:
    first = follow_up(matcher, "why is the administration keeping it secret")
    reply = follow_up(matcher, "why is the administration keeping it secret", "who said that")
    assert first.fact is not None
    assert reply.fact == first.fact


def test_has_it_been_done_is_whether_the_last_answers_requirement_came_about(
    matcher: Matcher,
) -> None:
    reply = follow_up(
        matcher,
        "what did clinton's executive order require from china?",
        "when was it issued?",
        "has china done it?",
    )
    assert reply.fact is not None
    assert reply.fact.answer.startswith("No:")
    assert "overall significant progress" in reply.fact.answer
    assert reply.reading is not None
    assert "came about" in reply.reading
    # Without a conversation, "it" is nothing to go on.
    assert matcher.answer("has china done it?").fact is None


@pytest.mark.parametrize(
    "before", [(), ("by when",)], ids=["right after", "after the requirement's date"]
)
@pytest.mark.parametrize("then", ["has china managed it?", "has that happened?"])
def test_has_it_happened_is_not_the_requirement_again(
    matcher: Matcher, before: tuple[str, ...], then: str
) -> None:
    # Found again, or a fact beside it that gives no yes or no: still whether it came about.
    first = "what did clinton's executive order require from china?"
    reply = follow_up(matcher, first, *before, then)
    assert reply.fact is not None
    assert reply.fact.id == "progress-not-made"
    assert reply.reading is not None
    assert "came about" in reply.reading


@pytest.mark.parametrize(
    ("then", "fact_id"),
    [
        ("did it say when?", "executive-order-when"),
        ("did it come with a deadline?", "executive-order"),
    ],
)
def test_did_it_asking_more_is_not_whether_it_came_about(
    matcher: Matcher, then: str, fact_id: str
) -> None:
    reply = follow_up(matcher, "what did the executive order require?", then)
    assert reply.fact is not None
    assert reply.fact.id == fact_id


def test_has_it_been_done_outweighs_a_done_in_some_other_facts_phrasing(facts_copy: Path) -> None:
    # A curator adds a phrasing with "done" to a fact far from the talk: "has China done
    # it?" still asks whether the last answer's requirement came about.
    path = facts_copy / "china-human-rights.yaml"
    text = path.read_text(encoding="utf-8")
    anchor = "  - id: christopher-visit\n    questions:\n"
    assert anchor in text
    added = anchor + "      - did christopher get anything done in beijing?\n"
    path.write_text(text.replace(anchor, added), encoding="utf-8")
    curated = Matcher(load_factbase(facts_copy))
    reply = follow_up(
        curated, "what did clinton's executive order require from china?", "has china done it?"
    )
    assert reply.fact is not None
    assert reply.fact.id == "progress-not-made"
    assert curated.answer("did christopher get anything done in beijing?").fact is not None
    # A question about someone the last answer does not name asks its own thing.
    other = follow_up(
        curated, "what did clinton's executive order require from china?", "did wei do it again?"
    )
    assert other.fact is None or other.fact.id != "progress-not-made"


def test_after_asking_back_a_follow_up_leans_on_the_person_the_question_named(
    matcher: Matcher,
) -> None:
    first = "Who is Wang Juntao and what did he do in 1989?"
    assert matcher.answer(first).outcome is Outcome.CLARIFY
    reply = follow_up(matcher, first, "what sickness he had?")
    assert reply.fact is not None
    assert reply.fact.id == "wang-illness"
    assert reply.reading == "reading \u201che\u201d as Wang Juntao"


def test_they_beside_him_is_someone_else_even_after_two_people(matcher: Matcher) -> None:
    reply = follow_up(
        matcher, "what did the government call chen and wang", "why did they call him that?"
    )
    assert reply.read_as is not None
    assert reply.read_as.count("Wang Juntao") <= 1  # "they" is not "Chen Ziming and Wang Juntao"
    assert "they" in reply.read_as.split()


def test_they_after_an_answer_about_one_person_may_be_the_other_party(matcher: Matcher) -> None:
    # The MFN fact is about Clinton's administration; "they" who care are the Chinese. Read
    # as "Bill Clinton", the question finds nothing; read with the last question it does.
    reply = follow_up(
        matcher, "what does most favored nation status mean for china", "why do they care so much"
    )
    assert reply.fact is not None
    assert reply.fact.id == "us-export-market"
    assert reply.read_as is not None
    assert "Clinton" not in reply.read_as


def test_that_year_is_the_year_of_the_last_answer(matcher: Matcher) -> None:
    reply = follow_up(
        matcher, "when did chen start out as a dissident", "and what happened that year"
    )
    assert reply.fact is not None
    assert "denounc" in reply.fact.answer
    assert reply.reading is not None
    assert reply.reading.startswith("reading \u201cthat year\u201d as 1976")


def test_take_what_seriously_is_answered_by_the_last_answers_own_words(
    matcher: Matcher,
) -> None:
    # The fact's quote once stopped at "take seriously": the follow-up found Christopher's
    # visit, but not what he could not make the Chinese take seriously.
    reply = follow_up(
        matcher, "what was christopher unable to do in beijing", "take what seriously?"
    )
    assert reply.fact is not None
    assert reply.fact.id == "christopher-visit"
    assert "oft-repeated threats" in reply.fact.citation.quote


def test_an_example_is_the_fact_beside_the_last_answer_that_gives_one(matcher: Matcher) -> None:
    asked = talk(matcher, "has beijing gone backward on human rights lately?", "for example?")
    assert asked == ["steps-backward", "wei-rearrested"]
    # Asked again, the example already given is the example.
    again = talk(
        matcher, "has beijing gone backward on rights lately?", "like what", "got an example?"
    )
    assert again[1:] == ["wei-rearrested", "wei-rearrested"]
    # With nothing before it there is nothing to give an example of.
    assert talk(matcher, "for example?") == [None]
    # An answer with no example beside it is not given again as its own example.
    assert talk(matcher, "who was released today?", "any example?") == ["chen-released", None]
    # A question of its own is no request for an example.
    own = talk(
        matcher, "who was released today?", "any examples of other dissidents still in jail?"
    )
    assert own[1] != "chen-released"


@pytest.mark.parametrize(
    ("question", "example"),
    [
        ("any example?", True),
        ("can u give me an example of one", True),
        ("like who?", True),
        ("for instance lol", True),
        ("could you name one of them?", True),
        ("give me a name", True),
        ("what is his name", False),  # asks for the name of someone talked about
        ("how so?", False),  # asks how or why, not for an instance
        ("any examples of other dissidents still in jail?", False),
    ],
)
def test_what_asks_for_an_example(question: str, example: bool) -> None:
    assert asks_example(words(question)) is example


@pytest.mark.parametrize(
    ("question", "source"),
    [
        ("who said that?", True),
        ("who confirmed it?", True),
        ("who denied it?", True),
        ("who made the statement?", True),
        ("who wont confirm it", True),
        ("who's refusing?", True),
        ("who confirmed chen's release?", False),  # asks its own thing
        ("who was released?", False),
    ],
)
def test_what_asks_who_stands_behind_the_last_answer(question: str, source: bool) -> None:
    assert asks_source(words(question)) is source


def test_a_thin_follow_up_the_last_answer_says_is_answered_with_it(matcher: Matcher) -> None:
    first = "was chen the most prominent dissident still jailed?"
    reply = follow_up(matcher, first, "which movement was that?")
    assert reply.fact is not None
    assert reply.fact.id == "chen-who"
    assert reply.reading is not None
    assert reply.reading.endswith("the last answer says it")
    # A word the last answer does not hold is not read into it.
    council = follow_up(matcher, first, "which council?")
    assert council.fact is None or council.fact.id != "chen-who"
    assert "the last answer says it" not in (council.reading or "")


@pytest.mark.parametrize(
    ("first", "then", "fact_id"),
    [
        (
            "did clinton send a secret emissary to beijing?",
            "who won't confirm it?",
            "emissary-reports",
        ),
        (
            "why is the administration keeping its diplomacy secret?",
            "who made that statement?",
            "secrecy-defense",
        ),
    ],
)
def test_who_stands_behind_the_last_answer(
    matcher: Matcher, first: str, then: str, fact_id: str
) -> None:
    reply = follow_up(matcher, first, then)
    assert reply.fact is not None
    assert reply.fact.id == fact_id
    assert reply.reading is not None
    assert "as about the last answer" in reply.reading


def test_they_after_a_government_the_question_names_is_that_government(matcher: Matcher) -> None:
    # "they" is the administration the question itself names: it stands alone.
    assert talk(matcher, "has the administration admitted they sent an envoy to beijing?") == [
        "emissary-reports"
    ]
    assert talk(matcher, "what do the chinese want their releases to achieve?") == [
        "china-delink-goal"
    ]
    # With no one named before it, "they" is someone from a talk that never happened.
    assert talk(matcher, "have they admitted sending an envoy to beijing?") == [None]


def test_they_after_an_answer_about_no_one_leans_on_the_talk(matcher: Matcher) -> None:
    # The trading status names no person for "they"; the best guess is next to it.
    asked = talk(
        matcher, "what trading status could china lose?", "why do they care about it so much?"
    )
    assert asked == ["mfn-name", "us-export-market"]
    reply = follow_up(
        matcher, "what trading status could china lose?", "why do they care about it so much?"
    )
    assert reply.reading is not None
    assert reply.reading.startswith("reading it with the last question")
    # With no talk before it, it is asked back.
    assert talk(matcher, "why do they care about it so much?") == [None]


def test_trouble_for_it_is_any_penalty_the_fact_beside_tells_of(matcher: Matcher) -> None:
    # Jailed for the 1976 speech: a penalty, though not the word "trouble".
    asked = talk(matcher, "where did chen give his 1976 speech?", "did he get in trouble for it?")
    assert asked == ["speech-1976-location", "chen-first-jailed"]
    # Lord's words about Bush's envoys led to no penalty the article tells of: offered only.
    reply = follow_up(
        matcher, "what did winston lord call bush's envoys?", "did he get in trouble for it?"
    )
    assert reply.fact is None
    assert reply.outcome is Outcome.CLARIFY


def test_who_else_after_an_answer_naming_the_others_is_that_answer(matcher: Matcher) -> None:
    first = "what do china's trade benefits let it do?"
    reply = follow_up(matcher, first, "who else has those?")
    assert reply.fact is not None
    assert reply.fact.id == "mfn-meaning"
    assert reply.reading == "the last answer names the others"
    # "What else?" asks for more, not for the others the answer names.
    more = follow_up(matcher, first, "what else do they allow?")
    assert more.reading != "the last answer names the others"
    # An answer naming no others: "who else" is still someone besides.
    assert talk(matcher, "who was released today?", "who else was let out?")[1] != "chen-released"


@pytest.mark.parametrize(
    "then", ["and who has to make that decision?", "who has to make the call?"]
)
def test_who_after_an_answer_is_read_with_the_last_question_not_its_person(
    matcher: Matcher, then: str
) -> None:
    # The deadline names Clinton's administration; reading "who" with Clinton would
    # guess the answer before looking.
    reply = follow_up(matcher, "when is the deadline for deciding on china's trade status?", then)
    assert reply.fact is not None
    assert reply.fact.id == "decision-deadline"
    assert reply.reading is not None
    assert "clinton" not in reply.reading.lower()


def test_has_it_been_done_or_what_still_asks_whether(matcher: Matcher) -> None:
    # "what" at the end is chat, not a question about someone.
    reply = follow_up(
        matcher,
        "what did clinton's executive order require from china?",
        "has china done it or what?",
    )
    assert reply.fact is not None
    assert reply.fact.id == "progress-not-made"


def test_how_often_is_answered_by_a_last_answer_that_says_how_often(matcher: Matcher) -> None:
    threat = "what has clinton threatened china with"
    for asked in (
        "how often has he said that?",
        "has he said it a lot or just once",
        "has he said it often?",
        "has he said it a lot?",
    ):
        reply = follow_up(matcher, threat, asked)
        assert reply.fact is not None
        assert reply.fact.id == "clinton-threat"
        assert "repeatedly" in reply.fact.answer
        assert reply.reading == "the last answer says how often"
    # An answer that says nothing of how often is not given again for it.
    reply = follow_up(matcher, "who was released today?", "how often has he been jailed?")
    assert reply.reading != "the last answer says how often"
    assert reply.fact is None or reply.fact.id != "chen-released"
    # Asked of another's deed, "a lot" is not the last answer's "repeatedly".
    deed = follow_up(matcher, threat, "does china do that a lot?")
    assert deed.reading != "the last answer says how often"
    # Nor is one that counts something else than what is asked.
    other = follow_up(
        matcher, threat, "how often does the administration review china's trade status?"
    )
    assert other.reading != "the last answer says how often"


def test_same_as_whom_is_answered_by_the_last_answer_naming_the_others(
    matcher: Matcher,
) -> None:
    for asked in ("same as who?", "The same as whom?"):
        assert talk(matcher, "what do china's trade benefits allow?", asked) == [
            "mfn-meaning",
            "mfn-meaning",
        ]
    # With nothing before it, there is no one to compare with.
    assert talk(matcher, "same as who?") == [None]


def test_what_the_thing_pointed_at_led_to_is_in_the_last_answer(matcher: Matcher) -> None:
    talks = "who was in charge of the 1978 negotiations?"
    for asked in ("what did those talks lead to?", "what was the result of that?"):
        reply = follow_up(matcher, talks, asked)
        assert reply.fact is not None
        assert reply.fact.id == "negotiations-1978"
        assert "establishment of diplomatic relations" in reply.fact.answer
        assert reply.reading == "the last answer says what it led to"
    # What led to the talks asks their cause, which the last answer does not give.
    cause = follow_up(matcher, talks, "what led to those talks?")
    assert cause.reading != "the last answer says what it led to"
    # Other things pointed at are not the talks: the protests led to something else.
    assert (
        follow_up(matcher, talks, "what did those protests lead to?").fact
        != follow_up(matcher, talks, "what did those talks lead to?").fact
    )


def test_those_things_are_the_ones_the_last_answer_tells_of(matcher: Matcher) -> None:
    lord = "what did winston lord say about bush's secret missions to china?"
    # Alone, "those emissaries" may be the secret one the article does not name.
    assert talk(matcher, "who were those emissaries?") == [None]
    reply = follow_up(matcher, lord, "and who were those emissaries?")
    assert reply.fact is not None
    assert "Scowcroft" in reply.fact.answer
    assert reply.reading is not None
    assert reply.reading.startswith("reading it with the last question")
    # The secret emissary the reports tell of is one the article leaves unnamed.
    reports = "what did officials say about reports of a secret emissary?"
    assert talk(matcher, reports, "who was that emissary?") == ["emissary-reports", None]
    # Pointing at something the last answer does not tell of leaves the question as it is.
    other = follow_up(matcher, lord, "and who were those dissidents?")
    assert other.fact is None or "Scowcroft" not in other.fact.answer


def test_who_criticized_it_is_the_reaction_told_next_to_the_last_answer(
    matcher: Matcher,
) -> None:
    envoys = "who did bush send to beijing after the 1989 crackdown?"
    for asked in ("and who complained about it", "did anybody complain about it"):
        reply = follow_up(matcher, envoys, "how many times?", asked)
        assert reply.fact is not None
        assert "Winston Lord" in reply.fact.answer
        assert reply.reading == "reading \u201cit\u201d as the last answer"
    # "him" read as one of the envoys does not keep the question on the envoys' jobs.
    reply = follow_up(matcher, envoys, "what were their jobs?", "who criticized him for it?")
    assert reply.fact is not None
    assert "Winston Lord" in reply.fact.answer
    # With nothing pointing back at a deed, the question is its own.
    own = follow_up(matcher, envoys, "who criticized bush in 1992?")
    assert own.fact is not None
    assert "Clinton" in own.fact.answer


def test_what_year_he_founded_it_is_in_the_last_answer_about_it(matcher: Matcher) -> None:
    reply = follow_up(
        matcher, "what journal did chen start", "what happened to it?", "what year did he found it"
    )
    assert reply.fact is not None
    assert "1979" in reply.fact.answer
    assert reply.reading == "the last answer says when"
    # Its year is when the journal was founded, not when it was closed.
    closed = follow_up(matcher, "what happened to chen's journal?", "when did he close it?")
    assert closed.reading != "the last answer says when"
    assert closed.fact is None or "1979" not in closed.fact.answer
    # An answer whose year is not when the thing asked of was done is not taken for it.
    other = follow_up(
        matcher, "when did chen's career as a dissident begin?", "when did he found it?"
    )
    assert other.reading != "the last answer says when"


def test_an_elliptical_what_is_answered_by_the_last_answer_it_is_unsure_of(
    matcher: Matcher,
) -> None:
    campaign = "whats the clinton admin doing behind the scenes with china"
    reply = follow_up(matcher, campaign, "to get what")
    assert reply.fact is not None
    assert "more concessions on human rights" in reply.fact.answer
    assert reply.reading is not None
    assert reply.reading.endswith("the last answer says it")
    # Asking past the last answer is not answered by it.
    after = follow_up(matcher, campaign, "what did they do after it?")
    assert after.fact is None or not (after.reading or "").endswith("the last answer says it")


def test_what_year_is_the_year_the_last_answer_gives_when_unsure(matcher: Matcher) -> None:
    reply = follow_up(
        matcher,
        "which two carter officials are going to beijing?",
        "what negotiations were they in charge of back in the day?",
        "what year?",
    )
    assert reply.fact is not None
    assert "1978" in reply.fact.answer
    assert reply.reading is not None


def test_they_are_not_someone_named_only_for_his_administration(matcher: Matcher) -> None:
    # The answer names Jimmy Carter only in "the Jimmy Carter Administration": "they" are
    # the two officials it is about, not Carter with them.
    asked = "which two carter officials are going to beijing?"
    land = follow_up(matcher, asked, "when do they land?")
    assert land.reading == "reading \u201cthey\u201d as Zbigniew Brzezinski and Michel Oksenberg"
    why = follow_up(matcher, asked, "what r they supposedly going there for")
    assert why.fact is not None
    assert "conference" in why.fact.answer
    # Named for himself, he is one of "them": "what did Clinton say about it?" and the like
    # still read him (his name stands alone in the answer there).
    threat = follow_up(matcher, "what has clinton threatened china with", "why did he do that?")
    assert threat.read_people == ("Bill Clinton",)


def test_what_to_do_to_avoid_it_is_the_condition_the_last_answer_set(matcher: Matcher) -> None:
    threat = "what has clinton threatened china with"
    for asked in (
        "what would china have to do to avoid that?",
        "what does china need to do to avoid it?",
        "what must china do to avoid it",
    ):
        reply = follow_up(matcher, threat, asked)
        assert reply.fact is not None
        assert "ease its repressive policies" in reply.fact.answer
        assert reply.reading == "the condition is in the last answer"
    # What China did to avoid it is a deed, not the condition: its last-minute gestures.
    for deed in ("what did china do to avoid it?", "so what did beijing do to avoid that?"):
        reply = follow_up(matcher, threat, deed)
        assert reply.reading != "the condition is in the last answer"
        assert reply.fact is not None
        assert reply.fact.id == "gestures-purpose"


def test_the_two_of_them_after_and_x_are_the_one_before_and_x(matcher: Matcher) -> None:
    reply = follow_up(
        matcher,
        "What was Michel Oksenberg's role under Carter?",
        "and brzezinski's?",
        "what did the two of them handle back then?",
    )
    assert reply.reading == "reading \u201cthem\u201d as Michel Oksenberg and Zbigniew Brzezinski"
    assert reply.fact is not None
    assert "1978 negotiations" in reply.fact.answer
    # A question about someone new is no swap: the two are the envoys, not Wang and Bush.
    new = follow_up(
        matcher,
        "what illness does wang juntao have?",
        "who did bush send to beijing?",
        "what were the jobs of the two of them?",
    )
    assert new.reading is not None
    assert "Wang" not in new.reading
    assert "Brent Scowcroft" in new.reading
    # Without a swap, "the two of them" are the last answer's people.
    pair = follow_up(matcher, "who did bush send to beijing?", "what did the two of them do?")
    assert pair.reading is not None
    assert "Brent Scowcroft and Lawrence Eagleburger" in pair.reading


def test_words_said_back_are_answered_by_the_last_answer_that_says_them(
    matcher: Matcher,
) -> None:
    gestures = "What is China trying to avoid with its last-minute gestures?"
    for asked in ("Restrictions on what, exactly?", "restrictions on what, precisely?"):
        reply = follow_up(matcher, gestures, asked)
        assert reply.fact is not None
        assert "most favored nation" in reply.fact.answer
        assert reply.reading == "the last answer says it"
    led = follow_up(matcher, "who was in charge of the 1978 negotiations?", "leading up to what?")
    assert led.fact is not None
    assert "establishment of diplomatic relations" in led.fact.answer
    # Said back to an answer that does not say them, they are not taken for it.
    other = follow_up(matcher, "who was released today?", "restrictions on what?")
    assert other.reading != "the last answer says it"


def test_who_got_called_that_are_the_people_the_last_answer_gives_the_term(
    matcher: Matcher,
) -> None:
    meaning = "what does 'black hand' mean in the article"
    reply = follow_up(matcher, meaning, "who got called that?")
    assert reply.fact is not None
    assert "Chen and Wang" in reply.fact.answer
    assert reply.reading == "the last answer names them"
    # Someone besides them is another question.
    other = follow_up(matcher, meaning, "who else got called that?")
    assert other.reading != "the last answer names them"


def test_in_what_year_is_the_one_year_the_last_answer_gives(matcher: Matcher) -> None:
    reply = follow_up(matcher, "where were the protests?", "and in what year?")
    assert reply.fact is not None
    assert "1989" in reply.fact.answer
    assert reply.reading == "the last answer says when"
    # The year must be that of what is asked, and "the year after" asks past it.
    freed = follow_up(matcher, "who is chen ziming?", "what year was he freed?")
    assert freed.reading != "the last answer says when"
    shut = follow_up(matcher, "when did chen found beijing spring?", "which year was it shut down?")
    assert shut.reading != "the last answer says when"
    after = follow_up(matcher, "when was chen sentenced?", "and what happened the year after?")
    assert after.reading != "the last answer says when"
    # A year for something the last answer does not tell of is another fact's.
    other = follow_up(
        matcher, "why did beijing label chen a black hand", "what year was he sentenced?"
    )
    assert other.fact is not None
    assert "1991" in other.fact.answer


def test_who_accompanied_him_is_who_the_last_answer_names_with_him(matcher: Matcher) -> None:
    reply = follow_up(
        matcher,
        "who did bush send to beijing after the crackdown?",
        "what was scowcroft's job?",
        "And who accompanied him on those missions?",
    )
    assert reply.reading == "the last answer names who was with him"
    assert reply.fact is not None
    assert "Eagleburger" in reply.fact.answer


def test_the_first_guy_after_what_bush_did_is_the_first_he_sent(matcher: Matcher) -> None:
    reply = follow_up(
        matcher,
        "who did bush secretly send to beijing after the 1989 crackdown?",
        "how many times?",
        "and what was the first guy's role?",
    )
    assert reply.reading == "reading \u201cthe first\u201d as Brent Scowcroft"
    assert reply.fact is not None
    assert "national security adviser" in reply.fact.answer
    typed = follow_up(
        matcher,
        "who did bush send to beijng after the 1989 crackdown",
        "how many times",
        "what was the first guys role",
    )
    assert typed.reading == "reading \u201cthe first\u201d as Brent Scowcroft"


def test_a_bare_when_unsure_alone_is_the_date_the_last_answer_gives(matcher: Matcher) -> None:
    reply = follow_up(matcher, "was chen freed completely or on some condition?", "when?")
    assert reply.fact is not None
    assert "today" in reply.fact.citation.quote  # "his release on bail today"
    assert reply.reading == "the last answer says when"
    # Sure of another fact, it is that fact: "when was that?" after his sentence.
    sentence = follow_up(matcher, "how long was chen sentenced to prison?", "when was that?")
    assert sentence.fact is not None
    assert "1991" in sentence.fact.answer
    assert sentence.reading != "the last answer says when"


def test_they_after_an_answer_about_a_government_is_that_government(matcher: Matcher) -> None:
    freed = "what reason did china give for freeing chen"
    bowed = follow_up(matcher, freed, "did they bow to pressure?")
    assert bowed.reading == "reading \u201cthey\u201d as the Chinese government"
    assert bowed.fact is not None
    assert "U.S. pressure" in bowed.fact.answer
    # A government is no one "him" may mean next: he is still Chen.
    health = follow_up(
        matcher, freed, "did they bow to pressure?", "whats wrong with him health-wise"
    )
    assert health.reading == "reading \u201chim\u201d as Chen Ziming"
    # After "who did china release?", "they" are whom it released, not China.
    sick = follow_up(matcher, "who did china release", "what are they sick with")
    assert sick.reading == "reading \u201cthey\u201d as Chen Ziming"
    # After "who's running the campaign?", answered with the Administration: it.
    campaign = follow_up(
        matcher,
        "whos running the secret diplomatic campain on china",
        "what do they want from china",
    )
    assert campaign.fact is not None
    assert "more concessions" in campaign.fact.answer
    # Asked who "they" were, they are the people the answer names.
    two = follow_up(
        matcher, "What does chen's release mean for the democracy movement?", "which two were they?"
    )
    assert two.reading == "reading \u201cthey\u201d as Chen Ziming and Wang Juntao"


def test_the_other_one_besides_someone_named_is_the_other_person_offered(
    matcher: Matcher,
) -> None:
    asked = "how many top democracy movement figures were still in custody"
    reply = follow_up(matcher, asked, "who was the other one besides chen")
    assert reply.reading == "reading \u201cthe other one\u201d as Wang Juntao"
    assert reply.fact is not None
    assert "Wang Juntao" in reply.fact.answer
    # The other of those the last reply offered, not of everyone its fact names.
    sent = follow_up(matcher, "who did bush send to beijing", "other than scowcroft, who went?")
    assert sent.reading == "reading \u201cthe other one\u201d as Lawrence Eagleburger"
    # Someone the last reply did not offer has no "other one" there.
    mfn = follow_up(matcher, "what is mfn", "who is the other one besides wang")
    assert mfn.reading != "reading \u201cthe other one\u201d as Bill Clinton"


def test_he_is_the_one_the_last_question_named_when_its_answer_names_no_one(
    matcher: Matcher,
) -> None:
    reply = follow_up(
        matcher,
        "Where were the 1989 demonstrations that Chen helped lead?",
        "What role did he play in them, according to Beijing?",
    )
    assert reply.reading == "reading \u201che\u201d as Chen Ziming"
    assert reply.fact is not None
    assert "leadership role" in reply.fact.answer


def test_and_a_question_about_someone_by_a_pronoun_is_no_swap(matcher: Matcher) -> None:
    # "and what did he say about bush?" asks about "he", not the last question about Bush.
    reply = follow_up(
        matcher,
        "What job does Winston Lord have now?",
        "and what did he say about bush back then",
    )
    assert reply.fact is not None
    assert "fawning emissaries" in reply.fact.answer


def test_a_preposition_asked_back_is_what_the_last_answer_gives_it(matcher: Matcher) -> None:
    talks = (
        "who was in charge of the 1978 negotiations with beijing",
        "what did those talks lead to?",
    )
    reply = follow_up(matcher, *talks, "between who")
    assert reply.fact is not None
    assert "between Washington and Beijing" in reply.fact.answer
    assert reply.reading == "the last answer says it"
    gestures = (
        "what series of moves is chen's release the latest in?",
        "what are they trying to avoid?",
    )
    country = follow_up(matcher, *gestures, "with which country?")
    assert country.fact is not None
    assert "United States" in country.fact.answer
    # A preposition the last answer does not use asks something else.
    since = follow_up(matcher, *talks, "since when?")
    assert since.reading != "the last answer says it"


def test_them_after_a_swap_are_the_two_asked_about_in_order(matcher: Matcher) -> None:
    both = ("when was wang juntao released", "and chen?")
    which = follow_up(matcher, *both, "which of them had hepatitis?")
    assert which.reading == "reading \u201cthem\u201d as Wang Juntao and Chen Ziming"
    assert which.fact is not None
    assert "hepatitis" in which.fact.answer
    first = follow_up(
        matcher, "wat was wang juntao sick wiht", "and chen?", "when did the first guy get out"
    )
    assert first.reading == "reading \u201cthe first\u201d as Wang Juntao"
    assert first.fact is not None
    assert "April 23" in first.fact.answer


def test_otherwise_asks_nothing_of_its_own(matcher: Matcher) -> None:
    reply = follow_up(
        matcher,
        "what does clinton want china to do if it wants to keep its trade benefits?",
        "and what has he threatened otherwise",
    )
    assert reply.fact is not None
    assert "curb China's trade benefits" in reply.fact.answer


def test_what_he_is_known_as_asks_who_he_is(matcher: Matcher) -> None:
    reply = follow_up(
        matcher,
        "How had Beijing been treating freed dissidents in the months before Chen's release?",
        "give me an example",
        "what is he known as",
    )
    assert reply.reading == "reading \u201che\u201d as Wei Jingsheng"
    assert reply.fact is not None
    assert "leading democracy activist" in reply.fact.answer


def test_when_is_that_after_an_undated_deadline_is_the_deadline(matcher: Matcher) -> None:
    asked = (
        "what's the clinton administration's secret campaign trying to get from china?",
        "ok and why now tho",
    )
    for then in ("when is that?", "and the date of that?"):
        reply = follow_up(matcher, *asked, then)
        assert reply.fact is not None
        assert "June 3" in reply.fact.answer
        assert reply.reading == "reading \u201cthat\u201d as the deadline the last answer tells of"
    # An answer that gives its own date is not read past: Wang's release is April 23.
    wang = follow_up(matcher, "who was released before chen?", "when was that")
    assert wang.fact is not None
    assert "April 23" in wang.fact.answer


def test_an_unsure_question_asking_what_the_last_answer_lacks_is_not_that_answer(
    matcher: Matcher,
) -> None:
    # Read with the last question it found the export market again, which names no
    # trading status; next to it, the status is the answer.
    reply = follow_up(
        matcher,
        "Which country is China's biggest export market?",
        "what trading status is china scared of losing there?",
    )
    assert reply.fact is not None
    assert "Most favored nation" in reply.fact.answer


def test_he_after_a_question_about_nothing_new_is_still_whom_it_meant(matcher: Matcher) -> None:
    # "who founded it with chen?" is answered with Wang; "what year" asks nothing new, so
    # "he" and "that guy" are still Wang, not Chen whom the first question named.
    first = "who co-founded the social and economic research institute with chen?"
    for then in ("what illness did he have", "what illness did that guy have"):
        reply = follow_up(matcher, first, "what year was that", then)
        assert reply.fact is not None
        assert "hepatitis" in reply.fact.answer


def test_that_man_is_read_as_he(matcher: Matcher) -> None:
    reply = follow_up(
        matcher,
        "In what year did Chen found the Social and Economic Research Institute?",
        "With whom did he found it?",
        "What illness did that man suffer from?",
    )
    assert reply.reading == "reading \u201cthat man\u201d as Wang Juntao"
    assert reply.fact is not None
    assert "hepatitis" in reply.fact.answer


def test_a_short_question_fairly_sure_alone_is_still_read_with_the_talk(matcher: Matcher) -> None:
    # "under which president?" after Lord's job: alone it is fairly sure of the President,
    # but only a question sure alone skips the talk; read with it, it is Lord's president.
    reply = follow_up(
        matcher, "whats winston lord's job now", "for what region", "under which president?"
    )
    assert reply.fact is not None
    assert reply.read_as is not None
    assert "Clinton" in reply.fact.answer


def test_a_word_said_back_that_the_last_answer_never_said_stands_alone(matcher: Matcher) -> None:
    # The last answer (the reason China gave) speaks of no restrictions: "restrictions on
    # what" is not read as about Chen (his sentence), and asks back with the trading status.
    reply = follow_up(
        matcher,
        "i was wondering why china said it released chen",
        "was that really the only reason tho?",
        "restrictions on what",
    )
    assert reply.fact is None
    assert reply.suggestions
    assert "most favored nation" in reply.suggestions[0].answer.lower()
