"""How questions become terms: typo correction, question kinds."""

from __future__ import annotations

import pytest

from bot.analyzer import unwrap
from bot.matcher import Matcher
from bot.textnorm import words


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("relesaed", "released"),  # two letters swapped count as one edit
        ("hepatitsi", "hepatitis"),
        ("brzezinksi", "brzezinski"),
        ("articel", "article"),  # filler words are corrected too, so they stay filler
        ("recentuy", "recently"),  # not the fact word "recent", two edits away
        ("fuondde", "founded"),  # two edits in a word of seven letters
        ("clnitn", "clinton"),  # and in a person's name of six or more
        ("zmiinng", "ziming"),
        ("zemin", "zemin"),  # a short word two edits from a name is left alone
        ("lrod", "lord"),  # a four-letter word with two letters swapped
        ("wnag", "wang"),
        ("chne", "chen"),
        ("wiht", "with"),  # and so with any short word the facts or questions use
        ("yera", "year"),
        ("load", "load"),  # but a real word one edit from a short name is left alone
        ("lard", "lard"),
        ("veer", "veer"),  # a real word that is "ever" with two letters swapped
        ("wag", "wag"),  # and so is any other edit of a short name
        ("chan", "chan"),
    ],
)
def test_typos_are_corrected_towards_known_words(matcher: Matcher, typed: str, meant: str) -> None:
    assert matcher.analyzer.correct(typed) == meant


@pytest.mark.parametrize("word", ["funded", "spend", "react", "weather"])
def test_common_english_words_are_never_corrected(matcher: Matcher, word: str) -> None:
    # One letter away from a fact word ("founded", "send", "reach", "whether"), but real.
    assert matcher.analyzer.correct(word) == word


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("what year was chen sentenced", "when"),
        ("how many times did bush send envoys", "how many"),
        ("how long is chen's sentence", "how long"),
        ("what became of beijing spring", "outcome"),
        ("what happened at the conference", "outcome"),
        ("how old is wang", "how old"),
        ("how soon after 1989 did bush send envoys", "when"),
        ("where does wang come from", "where from"),
        ("locate the 1989 protests", "where"),  # an instruction
        ("could you tell me when chen was jailed", "when"),
        ("what hapened to wei jingsheng", "outcome"),  # the kind survives a typo
        ("is chen sick", "yes/no"),
        # Indirect wrappers: "happen to know" asks nothing about what happened, and "if"
        # after "know" is "whether", not a condition.
        ("do you happen to know why the administration keeps quiet", "why"),
        ("do you know if chen was sick", "yes/no"),
        ("i was wondering whether wang was released", "yes/no"),
        ("what happens if china makes no progress", "outcome"),
        # A condition after another question word asks that question.
        ("how long would the benefits be renewed if china met the terms", "how long"),
        ("who decides if they get renewed", "who"),
        # A hedge about the asker sets no condition.
        ("if i remember right clinton criticized bush, which year was that", "when"),
        ("sorry if i missed it, but how long was chen jailed", "how long"),
        ("y did they let chen go", "why"),  # chat spelling
        ("what for?", "why"),  # a reason, though it opens with "what"
        ("how come they let chen go", "why"),  # not a manner
        ("what was chen sentenced for", "why"),  # a passive verb, then "for": the reason
        ("bro what was chen even locked up for", "why"),
        ("what are they hoping for", "what"),  # no deed done to anyone: the thing hoped
        ("what was china asked for", "what"),  # what was asked, not why
        ("what was the meeting scheduled for", "what"),
        ("what was he held for", "why"),  # an irregular participle
        ("which prison was chen held in", "where"),
        ("what prison term did chen get", "how long"),  # no place: a duration
        ("and for what?", "why"),
        ("so did china make the progress or nah", "yes/no"),  # a chat opener first
        ("chen got released on bail or not", "yes/no"),
        ("isnt clinton doing the same thing now", "yes/no"),
        ("what tariff rate do chinese goods pay", "how many"),  # a rate is a number
        ("what percentage of china's exports go to the us", "how many"),
        ("what is the number of missions bush sent", "how many"),
        ("at what point was wang freed", "when"),
        ("and for what period was chen jailed", "how long"),  # not "for what?": a reason
        ("over what time span did bush send envoys", "how long"),  # not a date
        ("wang juntao institute what happened", "outcome"),  # keywords, then the question
        ("bush envoys beijing timing", "when"),
        ("which individuals did china free", "who"),
        ("to do what?", "why"),  # a purpose
        ("to what end did bush send envoys", "why"),
        ("what was the emissary sent to beijing to do", "why"),
        ("wich yeer did chen start beijing spring", "when"),  # chat spelling of "year"
        ("how many yrs did chen get", "how many"),
        ("what is the identity of the spokesman", "who"),
    ],
)
def test_question_kind(matcher: Matcher, question: str, kind: str) -> None:
    assert matcher.analyzer.analyze(question).kind == kind


def test_a_variant_sharing_a_stem_with_another_entry_matches_only_as_written(
    matcher: Matcher,
) -> None:
    # "authorities" (the government) and "author" (who wrote it) share the stem "author".
    assert matcher.analyzer.analyze("the authorities").terms == ("govern",)
    assert matcher.analyzer.analyze("who is the author").terms == ("author",)


@pytest.mark.parametrize(
    ("split", "phrase"),
    [
        ("why did they let chen go", "let go"),
        ("how long did they lock chen up", "locked up"),
        ("when did beijing let the two men out", "let out"),
        ("did they shut the journal down", "shut down"),
    ],
)
def test_a_phrasal_verb_split_by_its_object_reads_as_the_phrase(
    matcher: Matcher, split: str, phrase: str
) -> None:
    # "let ... go" is the synonym table's "let go": the object between must not hide it.
    (term,) = matcher.analyzer.analyze(phrase).terms
    assert term in matcher.analyzer.analyze(split).terms


def test_a_particle_past_a_clause_word_is_no_phrase(matcher: Matcher) -> None:
    # "let Clinton decide to go" lets nobody go: "to" starts another verb's phrase.
    release = matcher.analyzer.analyze("let go").terms[0]
    assert release not in matcher.analyzer.analyze("would they let clinton decide to go").terms
    assert release in matcher.analyzer.analyze("would they let clinton go").terms


def test_only_a_particle_is_moved_beside_its_verb(matcher: Matcher) -> None:
    # "release the dissidents" is no "released dissident" (Chen): "dissidents" is no particle.
    terms = matcher.analyzer.analyze("why did china release the dissidents").terms
    assert matcher.analyzer.analyze("dissidents").terms[0] in terms


def test_the_words_keep_the_order_they_were_typed_in(matcher: Matcher) -> None:
    # The reply quotes how it read a follow-up from these words.
    assert matcher.analyzer.analyze("why'd they let him go").words[-2:] == ("him", "go")


def test_a_title_before_a_name_is_not_a_subject(matcher: Matcher) -> None:
    titled = matcher.analyzer.analyze("What did President Clinton threaten?").terms
    assert titled == matcher.analyzer.analyze("What did Clinton threaten?").terms
    # Without a name after it, "president" is what the question asks about.
    assert "presid" in matcher.analyzer.analyze("who is the president").terms


@pytest.mark.parametrize(
    ("question", "speech"),
    [
        ("what did christopher tell beijing", True),
        ("what did tom ross say to reporters", True),
        ("can you tell me what chen did", False),  # a polite way to ask
        ("what did chen and wang tell people to do in 1989", False),  # what they urged
        ("what did warren christopher discuss in beijing", True),  # what was said, too
        ("did the admin ever say if clinton sent an envoy", False),  # whether it happened
        ("what did clinton say he will do if china does not change", False),  # his intent
    ],
)
def test_what_someone_said_is_told_from_what_they_urged(
    matcher: Matcher, question: str, speech: bool
) -> None:
    assert matcher.analyzer.analyze(question).asks_speech is speech


def test_what_someone_discussed_needs_a_fact_that_reports_words(matcher: Matcher) -> None:
    # Christopher's visit is told, not what was said there.
    assert matcher.answer("what did warren christopher discuss in beijing?").fact is None
    visit = matcher.answer("what did christopher try to win in beijing?").fact
    assert visit is not None
    assert visit.id == "christopher-visit"


def test_whats_the_deal_with_asks_about_the_person(matcher: Matcher) -> None:
    # The idiom asks about Wang; it is not "dealing with" (a stance) anyone.
    deal = matcher.analyzer.analyze("whats the deal with wang juntao")
    assert deal.terms == matcher.analyzer.analyze("what about wang juntao").terms
    reply = matcher.answer("whats the deal with wang juntao")
    assert reply.fact is not None
    assert reply.fact.id == "wang-who"


@pytest.mark.parametrize(
    "shorthand",
    [
        *("tryna", "lemme", "gimme", "dunno", "lmk", "nvm", "bro", "srs", "hahaha", "lmaooo"),
        *("ummm", "though", "istg", "wow", "yah", "qq", "eli5", "alright", "sis", "bestie"),
    ],
)
def test_chat_shorthand_asks_nothing(matcher: Matcher, shorthand: str) -> None:
    # "what's china tryna avoid": the shorthand is filler, not a word the article lacks.
    terms = matcher.analyzer.analyze(f"what is china {shorthand} avoid").terms
    assert terms == matcher.analyzer.analyze("what is china avoid").terms


@pytest.mark.parametrize(
    ("stretched", "plain"),
    [
        ("whyyy did they let chen go", "why did they let chen go"),
        ("whyy did they let chen go", "why did they let chen go"),
        ("sooo how old is chennn", "so how old is chen"),
        ("who founded beijing springgg plsss", "who founded beijing spring pls"),
        ("what happened in 2000", "what happened in 2000"),  # digits are no stretching
    ],
)
def test_a_word_stretched_for_emphasis_is_read_as_meant(
    matcher: Matcher, stretched: str, plain: str
) -> None:
    a, b = matcher.analyzer.analyze(stretched), matcher.analyzer.analyze(plain)
    assert (a.terms, a.kind) == (b.terms, b.kind)


@pytest.mark.parametrize(
    ("formal", "plain"),
    [
        (
            "under what legal conditions was chen released",
            "under what conditions was chen released",
        ),
        ("what does his release signify", "what does his release mean"),
        ("in what manner did beijing describe chen", "how did beijing describe chen"),
        ("how long was the sentence originally", "how long was the sentence"),
    ],
)
def test_formal_qualifiers_ask_nothing(matcher: Matcher, formal: str, plain: str) -> None:
    assert matcher.analyzer.analyze(formal).terms == matcher.analyzer.analyze(plain).terms


@pytest.mark.parametrize(
    "verb", ["roast", "trash", "rip into", "lash out at", "call out", "complain about"]
)
def test_slang_for_criticizing(matcher: Matcher, verb: str) -> None:
    said = matcher.analyzer.analyze(f"what did clinton {verb} bush for").terms
    assert said == matcher.analyzer.analyze("what did clinton criticize bush for").terms


@pytest.mark.parametrize("typed", ["wats", "whats", "wat"])
def test_fast_typing_of_what(matcher: Matcher, typed: str) -> None:
    said = matcher.analyzer.analyze(f"{typed} mfn")
    plain = matcher.analyzer.analyze("what is mfn")
    assert (said.kind, said.terms) == (plain.kind, plain.terms)


def test_getting_out_of_something_is_gain_only_for_all_of_it_or_when_tried(
    matcher: Matcher,
) -> None:
    analyze = matcher.analyzer.analyze
    gain = analyze("what is china trying to get out of all these releases").terms
    assert gain == analyze("what is china trying to gain from all these releases").terms
    tried = analyze("what are they trying to get out of it").terms
    assert "achiev" in tried
    assert "releas" not in tried
    # Trying to get out of a place is leaving it: Wang's trip, not a gain.
    assert "achiev" not in analyze("is wang trying to get out of china?").terms


def test_in_a_nutshell_asks_nothing_more(matcher: Matcher) -> None:
    analyze = matcher.analyzer.analyze
    assert (
        analyze("who is chen ziming, in a nutshell?").terms == analyze("who is chen ziming").terms
    )
    # "get out of it" is still getting out (of jail): Chen's release.
    reply = matcher.answer("how did chen get out of it?")
    assert reply.fact is not None
    assert "releas" in analyze(reply.fact.answer).terms


def test_let_china_keep_is_no_definition_of_the_trade_status(matcher: Matcher) -> None:
    reply = matcher.answer("did clinton let china keep its trade benefits?")
    assert reply.fact is None or reply.fact.id not in ("mfn-meaning", "mfn-name")


@pytest.mark.parametrize("caught", ["nabbed", "hauled in", "rounded up"])
def test_slang_for_arresting(matcher: Matcher, caught: str) -> None:
    said = matcher.analyzer.analyze(f"when was chen {caught}").terms
    assert said == matcher.analyzer.analyze("when was chen arrested").terms


def test_to_authorize_is_to_allow_not_to_write(matcher: Matcher) -> None:
    # "authorized" stems like "author": read that way, a question about Wang's permission
    # to travel would ask who wrote the article.
    analyze = matcher.analyzer.analyze
    assert (
        analyze("was wang authorized to leave").terms == analyze("was wang allowed to leave").terms
    )
    assert "allow" not in analyze("who is the author").terms


def test_a_cleft_after_a_question_word_asks_nothing(matcher: Matcher) -> None:
    cleft = matcher.analyzer.analyze("when was it that chen was freed")
    assert cleft.terms == matcher.analyzer.analyze("when chen was freed").terms
    assert cleft.kind == "when"


def test_a_filler_word_is_not_read_as_a_synonym_sharing_its_stem(matcher: Matcher) -> None:
    # "concerning" is a preposition here, not "concern" (care).
    terms = matcher.analyzer.analyze("what did clinton say concerning bush").terms
    assert terms == matcher.analyzer.analyze("what did clinton say about bush").terms


@pytest.mark.parametrize("word", ["hahaha", "hehe", "lolol", "lmfaooo", "ummm", "hmmm", "uhh"])
def test_laughter_and_hesitation_are_no_words(word: str) -> None:
    assert words(f"how old is chen {word}") == ("how", "old", "is", "chen")


def test_words_that_only_look_like_laughter_are_kept() -> None:
    assert words("ha, oh my, mao and hahn") == ("ha", "my", "mao", "and", "hahn")


def test_slashed_chat_shorthand_is_the_word_it_stands_for(matcher: Matcher) -> None:
    assert words("whats wrong w/chen, w/o bail b/c") == (
        "whats", "wrong", "with", "chen", "without", "bail", "because",
    )  # fmt: skip
    assert words("the w/e report and/or news/w") == (
        "the", "w", "e", "report", "and", "or", "news", "w",
    )  # fmt: skip
    typed = matcher.analyzer.analyze("whats wrong w/ chen health wise").terms
    assert typed == matcher.analyzer.analyze("whats wrong with chen health wise").terms
    # Chat drops the slash too.
    bare = matcher.analyzer.analyze("whats wrong w chen health wise").terms
    assert bare == typed


@pytest.mark.parametrize(
    "question",
    ["the 70s journal", "a journal in the seventies", "journal of the late-70s", "1970s journal"],
)
def test_a_decade_is_one_term_however_it_is_written(matcher: Matcher, question: str) -> None:
    assert sorted(matcher.analyzer.analyze(question).terms) == ["1970s", "journal"]


def test_a_year_is_in_its_decade_too(matcher: Matcher) -> None:
    assert matcher.analyzer.analyze("journal 1979").terms == ("journal", "1979", "1970s")


@pytest.mark.parametrize(
    ("question", "fact_id"),
    [
        ("which journal did chen set up in the late 70s?", "beijing-spring"),  # 1979
        ("what did chen co-found in the eighties", "research-institute"),  # 1986
    ],
)
def test_a_decade_finds_the_year_in_it(matcher: Matcher, question: str, fact_id: str) -> None:
    reply = matcher.answer(question)
    assert reply.fact is not None
    assert reply.fact.id == fact_id


def test_relative_to_is_no_diplomatic_relations(matcher: Matcher) -> None:
    terms = matcher.analyzer.analyze("chen's release relative to other gestures").terms
    assert "relations" not in terms
    assert terms == matcher.analyzer.analyze("chen's release and other gestures").terms


def test_in_terms_of_asks_about_no_terms(matcher: Matcher) -> None:
    # "terms" alone is the executive order's conditions; in the idiom it means "about".
    terms = matcher.analyzer.analyze("what is the us to china in terms of trade").terms
    assert terms == matcher.analyzer.analyze("what is the us to china about trade").terms
    assert matcher.analyzer.analyze("terms").terms[0] not in terms


@pytest.mark.parametrize(
    "question",
    ["over what period did bush send the missions", "within what timeframe were the missions sent"],
)
def test_what_period_asks_how_long(matcher: Matcher, question: str) -> None:
    analysis = matcher.analyzer.analyze(question)
    assert analysis.kind == "how long"
    assert "period" not in analysis.terms
    assert "timefram" not in analysis.terms


@pytest.mark.parametrize(
    ("question", "name_of"),
    [
        ("what is the name of the conference", "conference"),
        ("whats the conference's name", "conference"),
        ("conference name", "conference"),
        ("what are the names of the dissidents still in jail", "dissidents"),
        ("whats his name", ""),  # whose name: the conversation knows
        ("what city did wang go to", "city"),  # a place's name
        ("where in the us did wang go", "us"),
        ("what did they call chen", None),  # a label, not a name
        ("name the human rights groups", None),  # an order
        ("who was named as a ringleader", None),
    ],
)
def test_what_a_question_wants_the_name_of(
    matcher: Matcher, question: str, name_of: str | None
) -> None:
    assert matcher.analyzer.analyze(question).name_of == name_of


@pytest.mark.parametrize(
    ("typed", "question"),
    [
        ("could I ask who Chen Ziming is?", "who chen ziming is"),
        ("I was hoping someone could clarify when Wang was freed", "when wang was freed"),
        ("sorry to bother you, but was Chen freed?", " but was Chen freed?"),
        ("not sure if you can help: why was Chen let go", " why was Chen let go"),
        ("I'd appreciate it if you could tell me whether Chen is ill", "whether chen is ill"),
        ("how old is Chen, for my class?", "how old is Chen"),
        ("how old is Chen? thanks in advance!", "how old is Chen?"),
        ("why was Chen freed, if you know", "why was Chen freed"),
        ("who is Wang? asking for a friend", "who is Wang?"),
        ("what happens if China makes no progress?", "what happens if China makes no progress?"),
        ("why was Chen freed? and Wang?", "why was Chen freed? and Wang?"),
        ("I might be wrong here, but was Chen freed?", " but was Chen freed?"),
        ("I was wondering whether you could tell me how old Chen is", "how old chen is"),
        ("do you know whether Chen was ill", "whether chen was ill"),
        ("would you mind reminding me who Wang is?", "who wang is"),
        ("how old is Chen? I missed it", "how old is Chen"),
        ("just curious, and no rush - why was Chen freed?", "why was Chen freed?"),
        ("when you get a chance, could you fill me in on who Wang is", "who wang is"),
        ("not sure if the article covers this, but was Chen freed?", " but was Chen freed?"),
        ("any chance you could tell me roughly when Wang was freed", "when wang was freed"),
        ("for my civics class, why was Chen freed?", " why was Chen freed?"),
        ("when was Chen freed, if you remember", "when was Chen freed"),
        ("What I want to know is why Chen was released", "why chen was released"),
        ("what we'd like to know is when Wang was freed", "when wang was freed"),
        ("random question but why was Chen freed?", "why was chen freed"),
        ("I'm interested in knowing when Wang was freed", "when wang was freed"),
        ("could you walk me through why Chen was freed", "why chen was freed"),
        ("does the piece say why Chen was freed", "why chen was freed"),
        ("per the LA Times, why was Chen freed?", " why was Chen freed?"),
        # Not frames: the words before the question word ask something themselves.
        ("I know Chen was released, but why?", "I know Chen was released, but why?"),
        ("and for what?", "and for what?"),
        ("in what year was Chen jailed", "in what year was Chen jailed"),
        ("what I need to know to get bail", "what I need to know to get bail"),
        ("The piece: who wrote it?", "The piece: who wrote it?"),  # the piece is its subject
        ("what did you say?", "what did you say?"),
    ],
)
def test_the_frame_around_a_question_is_taken_off(typed: str, question: str) -> None:
    assert unwrap(typed) == question
