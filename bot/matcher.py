"""The facade every front end calls: a question in, a `Reply` out.

    question -> analyze (bot.analyzer) -> rank (bot.rank) -> decide (bot.decide) -> Reply

Before ranking, a few kinds of message are recognised by their form: greetings and "help"
(help), questions about the bot itself ("who made you", help), and tasks for the bot or
how-tos ("how do I get to Beijing", "could you book a flight"), which the article cannot
answer. Everything else is ranked, and the fitted decision answers, asks back with the
best candidates, or says the article doesn't say.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Collection, Hashable
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from rapidfuzz import fuzz, process, utils

from bot.analyzer import Analysis, unwrap
from bot.context import (
    CONDITION_WORDS,
    PRONOUNS,
    RESET_WORDS,
    Conversations,
    People,
    Reading,
    Topic,
    asks_another,
    asks_companion,
    asks_condition,
    asks_example,
    asks_for_person,
    asks_how_often,
    asks_if_done,
    asks_if_done_outright,
    asks_other_name,
    asks_other_than,
    asks_same_as,
    asks_source,
    asks_what_came_of,
    asks_what_it_led_to,
    asks_who_was_called_that,
    content_terms,
    core_words,
    echoed,
    echoes_nothing,
    follow_up_form,
    free_pronouns,
    in_context,
    names_only,
    only_again,
    preposition_asked,
    read,
    read_again,
)
from bot.decide import DECISION_FILE, Decision, Explanation, Verdict
from bot.factbase import Fact, FactBase, FactBaseError, Problem
from bot.rank import LIGHT_TERMS, RankConfig, Ranker, Ranking
from bot.reply import Outcome, Reply
from bot.textnorm import QUOTED_TERM, stem, words

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
    r"|quote|provide|outline|remind|help|mind|possibly|maybe|kindly|just|know|happen|recall"
    r"|remember|confirm|clarify|check|elaborate"
    # more ways to ask politely: "could you walk me through", "shed light on", "sum up"
    r"|(?:walk|run|go|shed|spell|break|share|characteri[sz]e|point|sum|recap|lay|brief"
    r"|enlighten|detail|inform|update|fill|expand|illuminate|elucidate|explicate|recount"
    r"|relate|indicate|specify|mention|answer)\b)\w+"
)


def form_outcome(question: str, analysis: Analysis) -> Outcome | None:
    """Help or "not in the article" for a message known by its form alone, else None."""
    # Nothing to look up ("help", "who made you", "what's the time right now").
    if set(analysis.terms) <= _HELP_TERMS | LIGHT_TERMS | _CLOCK:
        greeting = any(w in _GREETINGS for w in analysis.words)
        asked_help = bool(analysis.terms) and set(analysis.terms) <= _HELP_TERMS
        # Nothing but filler ("who are you?") gets help; only light words ("who made you")
        # are a question the article cannot answer.
        help_ = greeting or asked_help or not analysis.terms
        return Outcome.HELP if help_ else Outcome.NOT_IN_ARTICLE
    about_bot = analysis.words[-1] in _YOU or analysis.words[0] in _YOU or "your" in analysis.words
    if about_bot or analysis.words[:2] == ("are", "you"):
        return Outcome.HELP  # "who created you", "you speak chinese?": about the bot
    if _ASKS_FOR_ME.search(" ".join(words(unwrap(question)))):
        # "how do I get to Beijing", "could you book a flight": a task for the bot
        return Outcome.NOT_IN_ARTICLE
    return None


# A fact that answers a yes/no question says so first ("No: ...").
_YES_NO = re.compile(r"(?:yes|no)\b", re.IGNORECASE)

_PLURAL_ONLY = frozenset({"they", "them", "their", "theyre"})
_SINGULAR_WORDS = frozenset({"he", "him", "his", "she", "her", "hes", "shes"})
_CONDITION = re.compile(r"\b(?:if|unless)\b", re.IGNORECASE)
_ALSO_CALLED = re.compile(r"\bor \"")  # "the main ringleaders, or "black hands""
# "who criticized it?", "did anybody complain about that?": a reaction to the deed the
# last answer told (synonyms fold "complain", "slam" and "denounce" into it).
_REACTION_TERMS = frozenset({"critic"})
_DEED_POINTERS = frozenset({"it", "that", "this"})
# An answer that says how often: "oft-repeated threats", "twice sent".
_HOW_OFTEN_SAID = re.compile(r"\b(?:oft-repeated|repeatedly|twice|\w+ times)\b", re.IGNORECASE)
_YEAR_SAID = re.compile(r"\b(?:19|20)\d\d\b")
# What a question unsure alone asks that the last answer does not say, from which it asks
# something else (the training conversations: one term loses four, two gain two).
_UNSAID_TERMS = 2
# How sure (score, 0-100) a short question must be of an answer on its own to be taken so
# in a conversation: "what's the deadline?" is 100; "under which president?", after Lord's
# job, is less and asks Lord's president.
_SURE_ALONE = 95.0
_DEADLINE_SAID = re.compile(r"\bdeadline\b", re.IGNORECASE)
_DATE_TERMS = frozenset({"date", "day", "time"})
_DATE_SAID = re.compile(
    r"\b(?:(?:19|20)\d\d|(?:january|february|march|april|may|june|july|august|september"
    r"|october|november|december) \d{1,2}|monday|tuesday|wednesday|thursday|friday"
    r"|saturday|sunday|today|yesterday|tomorrow)\b",
    re.IGNORECASE,
)
# How far before and after a year the deed it dates may stand: "founded the "Beijing
# Spring" journal in 1979", "In 1986 Chen founded"; not "in 1979 but was forced to close it".
_YEAR_BEFORE, _YEAR_AFTER = 6, 2
# The words that ask how often, as the analyzer reads them: not what is counted.
_HOW_OFTEN_TERMS = frozenset({"often", "time", "lot", "frequent"})
# An answer that says what something led to: "the negotiations that led up to ...".
_LED_TO_SAID = re.compile(r"\b(?:led|leading|resulted|resulting)(?: up)? (?:to|in)\b", re.I)
# The words that ask what it led to, as the analyzer reads them ("lead to" folds into reason).
_LED_TO_TERMS = frozenset({"reason", "result"})
# Terms a question with "they" for no one needs to stand alone ("what trading status could
# they lose?" has three); the training conversations gain with three, lose one with two.
_OWN_TERMS = 3
_RANK = {
    Outcome.ANSWERED: 3,
    Outcome.AMBIGUOUS: 3,
    Outcome.CLARIFY: 2,
    Outcome.NOT_IN_ARTICLE: 1,
    Outcome.HELP: 0,
}

# "that year", "the same year": the year of the last answer, when it gives exactly one.
_THAT_YEAR = re.compile(r"\b(?:in\s+)?(?:that|the\s+same)\s+year\b", re.IGNORECASE)
_A_YEAR = re.compile(r"\b(?:1[89]|20)\d\d\b")


def _year_meant(question: str, topic: Topic) -> str | None:
    if not _THAT_YEAR.search(question):
        return None
    years = set(_A_YEAR.findall(topic.answer))
    return years.pop() if len(years) == 1 else None


# A word said this many times, and nothing else, asks nothing about it ("chen chen chen").
SAID_OVER = 3


# "What did Tom Ross do before becoming spokesman?", "what did Wang do after he got to the
# States?", "what did Oksenberg do after the Carter administration?": what someone did
# before or after an event. The fact telling of that event, or of the one who did it, says
# nothing of before or after unless its own words do ("six months after the crackdown",
# "over the previous few months").
_DEED_AROUND = re.compile(
    r"\bwhat (?:did|does|has|had) (?:\w+ ){1,3}do (?:before|after)\b"
    r"|\bwhat (?:\w+ ){1,3}did (?:before|after)\b"  # unwrapped: "what Tom Ross did before"
    r"|\b(?:position|job|role|post|title|work) did (?:\w+ ){1,3}(?:hold|have|do) before\b"
)
_TIME_RELATION = re.compile(
    r"\b(?:after|before|later|previously|previous|preceding|prior|earlier|following|until"
    r"|afterward|afterwards|ago)\b",
    re.IGNORECASE,
)


def _around_a_deed_untold(analysis: Analysis, fact: Fact) -> bool:
    """Does the question ask what someone did before or after an event, which the fact's
    words do not place in time?"""
    if not _DEED_AROUND.search(" ".join(analysis.words)):
        return False
    return not _TIME_RELATION.search(_own_text(fact))


def _said_over(analysis: Analysis) -> bool:
    terms = analysis.terms
    return analysis.kind is None and len(terms) >= SAID_OVER and len(set(terms)) == 1


# Completions when the caller names no limit: as many as Discord's autocomplete shows
# (render.CHOICES_MAX, which the cog passes; the core does not import render).
COMPLETIONS = 25


@dataclass(frozen=True, slots=True)
class MatchConfig:
    ambiguity_margin: float = 6.0  # answered runners-up this close to the best are offered
    max_alternatives: int = 2
    max_suggestions: int = 3  # also how many candidates a clarification offers
    rank: RankConfig = field(default_factory=RankConfig)


# "this visit", "that trip": a thing the conversation has talked about.
_THIS_NOUN = frozenset({"this", "that", "these", "those"})
# "did he get in trouble for it?", "any consequences?": any penalty will do, so the fact
# beside the last answer need not say the word, but must tell of one (a jail term, a
# charge, a sentence). Both are read as the analyzer reads them (synonyms fold them).
_ANY_CONSEQUENCE_WORDS = "trouble consequences penalty punished"
_PENALTY_WORDS = "jailed sentenced charged rearrested"
_OTHERS = re.compile(r"\bother (?!than\b)\w+", re.IGNORECASE)  # "most other nations"
_WHO_ELSE = frozenset({"who", "whom", "anyone", "anybody", "someone", "which"})
# What a question asks for when the words of an answer can be the answer ("from which
# movement?", "which country is that?"): a thing or a place, not a reason.
_THING_KINDS = frozenset({None, "what", "which", "where"})
# With nothing of its own asked, these ask past the last answer: "what did he do after it?".
_BEYOND_LAST = frozenset({"after", "afterwards", "next", "then", "else", "later", "before"})
# How far (score, 0-100) below the best a candidate next to the last answer may be and still
# be the one "this"/"that" means: the training conversations gain up to 20 and lose past 30.
BESIDE_MARGIN = 20.0
# How many of the next candidates a "what came of it" follow-up looks through for one whose
# own words say what it asks.
_OWN_WORDS_DEPTH = 5


def _own_text(fact: Fact) -> str:
    """A fact's own words: its answer and its quote (not the rest of its paragraph)."""
    return f"{fact.answer} {fact.citation.quote}"


class Matcher:
    def __init__(self, factbase: FactBase, config: MatchConfig | None = None) -> None:
        if factbase.decision is None:
            raise FactBaseError(
                [Problem(DECISION_FILE, None, None, "not found: run `python -m bot calibrate`")]
            )
        self.factbase = factbase
        self.config = config or MatchConfig()
        self._facts = factbase.facts
        self.ranker = Ranker(factbase, self.config.rank)
        self.analyzer = self.ranker.analyzer
        self.people = People(self._facts, self.analyzer.analyze)
        self.decision = Decision(factbase.decision)
        # For autocomplete: every curated question, pre-processed once.
        self._choices = [(q, fact.id) for fact in self._facts for q in fact.questions]
        self._own: dict[str, frozenset[str]] = {}  # each fact's own terms, read once
        self._any_consequence = self._terms_of_each(_ANY_CONSEQUENCE_WORDS)
        self._penalties = self._terms_of_each(_PENALTY_WORDS)
        self._condition_terms = self._terms_of_each(" ".join(sorted(CONDITION_WORDS)))
        self._choice_keys = [utils.default_process(q) for q, _ in self._choices]

    def answer(self, question: str, topic: Topic | None = None) -> Reply:
        """Never raises: any string in, a Reply out. With the conversation's `topic`, a
        follow-up ("how old is he?", "why?", "and Wang?") is read against it; without
        one, a follow-up is never guessed at: the bot asks back."""
        if topic is not None and (year := _year_meant(question, topic)) is not None:
            # "what did he do that year?" after an answer about 1976: in 1976.
            said = _THAT_YEAR.sub(f"in {year}", question)
            reply = self._answer(said, topic)
            note = "; ".join(
                x for x in (f"reading \u201cthat year\u201d as {year}", reply.reading) if x
            )
            return replace(reply, question=question, read_as=reply.read_as or said, reading=note)
        reply = self._answer(question, topic)
        if topic is None:
            return reply
        ws = words(question)
        last = self.factbase.get(topic.fact_id)
        source = asks_source(ws)
        if source and last is not None and reply.fact != last:
            # "who said that?": the last answer's own quote says who; asking its question
            # again may find another fact.
            return self._answered_with(reply, last)
        # The question read once for the rules below, each of which may need it.
        analysis = self.analyzer.analyze(question)
        if last is not None and (said := self._detail_of_last(analysis, ws, reply, last)):
            # "how often has he said that?", "same as who?", "what did those talks lead
            # to?": the last answer's own words give it.
            return self._answered_with(reply, last, said)
        if last is not None and (deadline := self._deadline_of(analysis, last)) is not None:
            # "when is that?" after the campaign "in the final weeks before the U.S.
            # deadline": the answer gives no date, and the date asked is the deadline's.
            note = "reading \u201cthat\u201d as the deadline the last answer tells of"
            return self._answered_with(reply, deadline, note)
        if last is not None and asks_example(ws) and reply.fact in (None, last):
            # "any example?" after Beijing's steps backward: the fact beside it that gives one.
            example = self._example_of(last)
            if example is not None:
                note = "reading it as an example of the last answer"
                # What comes next is about the example: its own question is what was asked.
                answered = self._answered_with(reply, example, note)
                return replace(answered, read_as=example.questions[0])
        if (
            last is not None
            and asks_if_done(ws)
            and (
                reply.fact is None
                or self._far_and_unnamed(analysis, reply.fact, last)
                or (
                    asks_if_done_outright(ws)
                    and self._unnamed(analysis, last)
                    and self._says_not_whether(reply.fact, last)
                )
            )
        ):
            # "has China done so?" after what the order required: the fact that says
            # whether it was done, when the last answer leads on to one (and the question
            # found nothing next to the last answer: "done" in some phrasing of another
            # fact does not make it the answer). "Has that happened?", asking nothing
            # else, is not answered by the requirement again, nor by a fact beside it
            # that gives no yes or no.
            near = self._leads_on_to(last)
            done = [f for f in near if f.id != last.id and _YES_NO.match(f.answer)]
            if done:
                note = f"reading it as whether \u201c{last.questions[0]}\u201d came about"
                return self._answered_with(reply, done[0], note)
        if last is not None and reply.fact is not None and _THIS_NOUN.intersection(ws):
            # "when was this visit?" after Christopher's visit: the visit talked about, when
            # a candidate next to the last answer is nearly as good as the best.
            beside = self._beside_candidate(reply, last)
            if beside is not None:
                note = f"reading it with the last question, \u201c{topic.question}\u201d"
                return self._answered_with(reply, beside, note)
        if (
            last is not None
            and reply.fact is None
            and (pointed := self._pointed_beside(analysis, ws, reply, last)) is not None
        ):
            # "who were those emissaries?" after Lord's words on Bush's "fawning
            # emissaries": the ones the last answer tells of, not the secret emissary the
            # article does not name.
            note = f"reading it with the last question, \u201c{topic.question}\u201d"
            return self._answered_with(reply, pointed, note)
        if last is not None and (critic := self._reaction_beside(analysis, ws, reply, last)):
            # "who complained about it?" after Bush's envoys: the reaction the article
            # tells of next to the last answer, not the envoys again.
            return self._answered_with(reply, critic, "reading \u201cit\u201d as the last answer")
        if last is not None and asks_companion(ws) and (with_him := self._companions(reply, last)):
            # "did he found it alone?" after an answer naming who founded it with him; "that
            # guy" next is whoever was with him.
            answered = self._answered_with(reply, last, "the last answer names who was with him")
            return replace(answered, read_people=with_him)
        if (
            last is not None
            and asks_condition(ws)
            and _CONDITION.search(last.answer)
            and self._unnamed(analysis, last)
            # "under what conditions was the dissident released?" asks its own thing;
            # "unless China does what?" asks nothing the last answer does not say
            and self._asked_terms(analysis) <= self._condition_terms | self._own_terms(last)
        ):
            # "unless they do what?" after Clinton's threat: its condition is in the answer.
            return self._answered_with(reply, last, "the condition is in the last answer")
        if last is not None and asks_other_name(ws) and _ALSO_CALLED.search(last.answer):
            # "what's the other term it used?" after "the main ringleaders, or "black
            # hands"": the last answer gives both.
            return self._answered_with(reply, last, "the last answer gives both names")
        if (
            last is not None
            and asks_another(ws)
            and bool(_WHO_ELSE & set(ws))
            and not source
            and reply.fact in (None, last)
            and _OTHERS.search(last.answer)
        ):
            # "who else gets that deal?" after "the same low tariffs most other nations
            # enjoy": the last answer names the others.
            return self._answered_with(reply, last, "the last answer names the others")
        # "who else was let out?" found the last answer again. (An answer naming two people
        # may hold the other one: "who else founded it?")
        if (
            reply.fact is not None
            and reply.fact == last
            and asks_another(ws)
            and not source
            and len(topic.people) <= 1
        ):
            return self._another(reply, last)
        # "did he go to jail for it?" asks what came of the last answer, not it again: what
        # is next to it answers only if its passage says so ("jail"); "was he punished for
        # it?" after Lord's words about Bush is offered, not answered.
        came_of = reply.fact is not None and reply.fact == last and bool(reply.read_people)
        if came_of and asks_what_came_of(analysis):
            asked = self._asked_terms(analysis)
            any_of = self._penalties if asked & self._any_consequence else frozenset()
            return self._another(reply, last, asked - self._any_consequence, any_of)
        return reply

    def _detail_of_last(
        self, analysis: Analysis, ws: tuple[str, ...], reply: Reply, last: Fact
    ) -> str | None:
        """How the question was read when it asks a detail the last answer's own words
        give (None when it does not)."""
        if not self._unnamed(analysis, last):
            return None
        own = _own_text(last)
        asked = self._asked_terms(analysis)
        # What is counted must be what the last answer counts: "how many times was he
        # criticized?" after Bush's two missions is not "twice".
        counted = asked - _HOW_OFTEN_TERMS <= self._own_terms(last)
        often = asks_how_often(ws) and counted and reply.fact in (None, last)
        if often and _HOW_OFTEN_SAID.search(own):
            return "the last answer says how often"
        if asks_who_was_called_that(ws) and last.people and QUOTED_TERM.search(last.answer):
            # "who got called that?" after the government's "black hands": the people the
            # last answer gives the term to.
            return "the last answer names them"
        if asks_same_as(ws) and _OTHERS.search(last.answer):
            return "the last answer names the others"
        # "what year did he found it?" after the journal he founded: "it" is the journal,
        # and the last answer gives the year of what was asked ("founded in 1979"), not of
        # something else ("when did he close it?" is not 1979).
        when = analysis.kind == "when" and "it" in ws and reply.fact != last
        if when and asked and self._year_of(asked, own):
            return "the last answer says when"
        # "and in what year?" after the 1989 demonstrations: the one year the last answer
        # gives. What the question asks must stand by that year ("what year was he freed?"
        # after Chen's 1989 movement is not 1989), and "the year after" asks past it.
        one_year = "year" in ws and len(set(_YEAR_SAID.findall(own))) == 1
        dated = not asked or self._year_of(asked, own)
        if one_year and dated and reply.fact != last and not set(ws) & _BEYOND_LAST:
            return "the last answer says when"
        # "when was that?" after Wang's release on April 23: nothing asked but when, and
        # the last answer dates what it tells.
        bare_when = analysis.kind == "when" and not asked and reply.fact is None
        if bare_when and _DATE_SAID.search(own):
            return "the last answer says when"
        if (echo := echoed(ws)) is not None and reply.fact != last:
            # "restrictions on what?" after "... to avert restrictions on its trading
            # status": the last answer says what follows the words said back.
            word, prep = echo
            said = re.compile(rf"\b{re.escape(stem(word))}\w*\s+(?:\w+\s+)?{prep}\b", re.I)
            if said.search(own):
                return "the last answer says it"
        prep = preposition_asked(ws)
        if prep is not None and reply.fact != last and re.search(rf"\b{prep}\b", own, re.I):
            # "between who?" after talks that led to relations "between Washington and
            # Beijing": the last answer says what the preposition takes.
            return "the last answer says it"
        # Pointed at ("those talks"), so any reading of it elsewhere is a guess; what it
        # names must be the last answer's ("what did those protests lead to?" after the
        # talks is not).
        led = asks_what_it_led_to(ws) and asked - _LED_TO_TERMS <= self._own_terms(last)
        if led and _LED_TO_SAID.search(own):
            return "the last answer says what it led to"
        return None

    def _deadline_of(self, analysis: Analysis, last: Fact) -> Fact | None:
        """The fact dating the deadline an undated last answer speaks of, for a question
        asking only when ("when is that?", "and the date of that?")."""
        own = _own_text(last)
        asked = self._asked_terms(analysis) - _DATE_TERMS
        when = analysis.kind == "when" or "date" in analysis.words
        if not when or asked or _DATE_SAID.search(own):
            return None
        if not _DEADLINE_SAID.search(last.answer):
            return None
        dated = self._deadline_fact
        return dated if dated not in (None, last) else None

    @cached_property
    def _deadline_fact(self) -> Fact | None:
        """The fact that dates the deadline: the same for every question, so found once."""
        return self.answer("when is the deadline?").fact

    def _year_of(self, asked: set[str], text: str) -> bool:
        """Does a year in the text stand next to a word for what was asked?"""
        ws = text.split()
        for i, w in enumerate(ws):
            if _YEAR_SAID.search(w):
                near = " ".join(ws[max(0, i - _YEAR_BEFORE) : i + _YEAR_AFTER + 1])
                if asked & self._terms_of_each(near):
                    return True
        return False

    def _far_and_unnamed(self, analysis: Analysis, found: Fact, last: Fact) -> bool:
        """Found far from the last answer, by a question naming no one the last answer does
        not: "has China done it?" is still about the talk; "did Wei do it again?" is not."""
        return not self._beside(found, last) and self._unnamed(analysis, last)

    def _says_not_whether(self, found: Fact, last: Fact) -> bool:
        return found == last or not _YES_NO.match(found.answer)

    def _unnamed(self, analysis: Analysis, last: Fact) -> bool:
        """Does the question name no one the last answer does not?"""
        return set(self.people.named(analysis)) <= set(last.people)

    def _example_of(self, last: Fact) -> Fact | None:
        """A fact the last answer leads on to in its own paragraph that names someone it
        does not: where an article gives its example. When the last answer is itself such
        an example (a fact beside it tells the same without its people), it is the answer
        again ("like what?" then "any example?")."""
        beside = [
            f
            for f in self.factbase.related(last)
            if f.citation.paragraph == last.citation.paragraph
        ]
        for fact in beside:
            if set(fact.people) - set(last.people):
                return fact
        if any(set(last.people) - set(f.people) for f in beside):
            return last
        return None

    def _companions(self, reply: Reply, last: Fact) -> tuple[str, ...]:
        """The people the last answer names beside the one a pronoun was read as, when the
        reply found no fact naming any of them."""
        others = tuple(p for p in last.people if p not in reply.read_people)
        if not reply.read_people or not others:
            return ()
        if reply.fact is not None and set(reply.fact.people) & set(others):
            return ()  # "who went with him?" found a fact about the one with him
        return others

    def _other_party(
        self, question: str, analysis: Analysis, reading: Reading, reply: Reply, topic: Topic
    ) -> Reply | None:
        """ "unless they do what?" after what Clinton threatened China with: "they" read as
        the last answer's one person may be the other party. Read with the last question
        instead, and keep that reading when it is surer."""
        ws = set(analysis.words)
        if len(reading.people) != 1 or not ws & _PLURAL_ONLY or ws & _SINGULAR_WORDS:
            return None
        nobody = replace(topic, people=(), named=(), read_people=())
        alt = in_context(question, analysis, nobody)
        if alt is None:
            return None
        other = self._near_topic(self.answer(alt.question), topic)
        surer = _RANK[other.outcome] > _RANK[reply.outcome] or (
            _RANK[other.outcome] == _RANK[reply.outcome] and other.score > reply.score + 10
        )
        if not surer:
            return None
        return replace(other, question=question, read_as=alt.question, reading=alt.note)

    def _answered_with(self, reply: Reply, fact: Fact, reading: str | None = None) -> Reply:
        """The reply answered with `fact` the conversation chose, and what it leads on to."""
        related = tuple(self.factbase.related(fact)[: self.config.max_suggestions])
        return replace(
            reply,
            outcome=Outcome.ANSWERED,
            fact=fact,
            alternatives=(),
            suggestions=related,
            reading=reading or reply.reading,
        )

    def _another(
        self,
        reply: Reply,
        last: Fact,
        needs: Collection[str] = (),
        needs_one_of: Collection[str] = (),
    ) -> Reply:
        """ "who else was let out?" (or "was he jailed for it?") read as the last question
        found the last answer again: the next candidate instead, answered when it is next
        to the last answer (its paragraph, or a fact it leads on to) and its passage holds
        every term of `needs` (and its own words one of `needs_one_of`, when given), else
        offered."""
        ranking = self.ranker.rank(self.analyzer.analyze(reply.read_as or reply.question))
        ranked = [c for c in ranking.candidates if self._facts[c.index].id != last.id]
        others = [self._facts[c.index] for c in ranked]
        note = "; ".join(
            x for x in (reply.reading, f"not \u201c{last.questions[0]}\u201d again") if x
        )
        if not others:
            return replace(self._no_answer(reply.question, Outcome.NOT_IN_ARTICLE), reading=note)
        # "did anyone criticize him for it?": the last answer's words in the reading favour
        # its neighbours from the same sentence; a candidate whose own words say what was
        # asked ("denounced") goes first.
        at = next(
            (
                i
                for i, f in enumerate(others[:_OWN_WORDS_DEPTH])
                if needs and set(needs) <= self._own_terms(f)
            ),
            0,
        )
        best = others[at]
        index = ranked[at].index
        # The penalty in the fact's own words: its paragraph may tell of someone else's.
        one_of = not needs_one_of or bool(self._own_terms(best) & set(needs_one_of))
        if self._beside(best, last) and self.ranker.grounds(index, needs) and one_of:
            return self._answered_with(reply, best, note)
        suggestions = tuple(others[: self.config.max_suggestions])
        return replace(
            reply,
            outcome=Outcome.CLARIFY,
            fact=None,
            alternatives=(),
            suggestions=suggestions,
            reading=note,
        )

    def _answer(self, question: str, topic: Topic | None) -> Reply:
        analysis = self.analyzer.analyze(question)
        named = self.people.named(analysis)
        if topic is not None and self._leans_on_context(analysis, named):
            if (alone := self._short_but_whole(question, analysis, named, topic)) is not None:
                return alone
            reading = read(question, analysis, named, topic, LIGHT_TERMS)
            if reading is not None:
                unsure = self._near_topic(self.answer(reading.question), topic)
                reply = self._held_by_last(unsure, analysis, topic)
                other = self._other_party(question, analysis, reading, reply, topic)
                if other is not None:
                    return other
                # Both say how it was read: the rewritten question, and when the last
                # answer was taken for saying it, that too.
                note = reading.note if reply is unsure else f"{reading.note}; {reply.reading}"
                return replace(
                    reply,
                    question=question,
                    read_as=reading.question,
                    reading=note,
                    read_people=reading.people,
                )
        # A follow-up with nothing to follow, or one word said over ("wang wang wang"):
        # nothing is asked that could be answered, so ask back.
        if (
            (
                follow_up_form(analysis, named, LIGHT_TERMS)
                and not self._thing_meant(analysis, topic)
            )
            or only_again(words(question), named)
            or _said_over(analysis)
        ):
            asked_back = self._ask_who(question, analysis)
            if topic is None:
                return asked_back
            # "why does it matter so much to them?" after the trading status, an answer
            # about no one: "them" is no person to read, but the best guess may be next to
            # what the talk is about.
            vouched = self._near_topic(asked_back, topic)
            if vouched is asked_back:
                return asked_back
            note = f"reading it with the last question, \u201c{topic.question}\u201d"
            return replace(vouched, reading=note)
        early = self._by_form(question, analysis)
        if early is not None:
            return early
        ranking = self.ranker.rank(analysis)
        reply = self._reply(question, ranking, self.decision.explain(ranking))
        if topic is not None and reply.outcome is Outcome.CLARIFY and not named:
            # "when's the decision due?" in a talk about the trade benefits: unsure alone,
            # it may be sure about what the talk is about.
            # ("restrictions on what?" after an answer that speaks of none is not.)
            reading = (
                None
                if echoes_nothing(analysis.words, topic)
                else in_context(question, analysis, topic)
            )
            last = self.factbase.get(topic.fact_id)
            if reading is not None:
                again = self.answer(reading.question)
                # "what trading status is China scared of losing there?" after its biggest
                # export market: the last answer again, though it says nothing asked.
                said_before = again.fact is not None and again.fact == last
                unsaid = self._asked_terms(analysis) - self._own_terms(last)
                if said_before and len(unsaid) >= _UNSAID_TERMS:
                    again = replace(again, fact=None)
                if again.fact is not None:
                    return replace(
                        again, question=question, read_as=reading.question, reading=reading.note
                    )
            vouched = self._near_topic(reply, topic)
            if vouched is not reply:  # say so: the conversation, not the question, decided
                note = f"reading it with the last question, \u201c{topic.question}\u201d"
                return replace(vouched, reading=note)
        return reply

    def _held_by_last(self, reply: Reply, analysis: Analysis, topic: Topic) -> Reply:
        """ "from which movement?" after "was Chen the best-known dissident still jailed?":
        unsure, with the last answer as its best guess, and every word it asks in the last
        answer's own words: the last answer says it. Only a question for a thing ("what",
        "which", "where"), or "when" if the last answer gives a year ("what year?" after
        the 1978 negotiations): a "why" is not answered by the words being there. Asking
        nothing of its own ("to get what?"), it may not ask past the last answer ("what did
        he do after it?")."""
        if reply.outcome is not Outcome.CLARIFY or not reply.suggestions:
            return reply
        last = self.factbase.get(topic.fact_id)
        if last is None or reply.suggestions[0] != last:
            return reply
        # "what year?" after the 1978 negotiations: a year the last answer gives is when.
        dated = analysis.kind == "when" and _YEAR_SAID.search(_own_text(last)) is not None
        if analysis.kind not in _THING_KINDS and not dated:
            return reply
        asked = self._asked_terms(analysis)
        if not asked and set(analysis.words) & _BEYOND_LAST:
            return reply  # "what did he do after it?" asks past the last answer
        if not asked <= self._own_terms(last):
            return reply
        return self._answered_with(reply, last, "the last answer says it")

    def _terms_of_each(self, text: str) -> frozenset[str]:
        """The terms of each word, read alone (a phrase across two would fold otherwise)."""
        return frozenset(t for w in text.split() for t in self.analyzer.analyze(w).terms)

    def _asked_terms(self, analysis: Analysis) -> set[str]:
        """What a question asks about besides the people it names."""
        names = self.analyzer.name_terms
        return {t for t in content_terms(analysis, LIGHT_TERMS) if t not in names}

    def _own_terms(self, fact: Fact) -> frozenset[str]:
        """The terms of a fact's own words (its answer and quote), not its paragraph's: the
        paragraph may tell of another thing."""
        found = self._own.get(fact.id)
        if found is None:
            found = self._own[fact.id] = frozenset(self.analyzer.analyze(_own_text(fact)).terms)
        return found

    def _near_topic(self, reply: Reply, topic: Topic) -> Reply:
        """A follow-up the decision is unsure of, whose best guess is next to what the
        conversation is about (the same paragraph, or a fact the last one leads on to,
        or one step further): the conversation vouches for the guess."""
        if reply.outcome is not Outcome.CLARIFY or not reply.suggestions:
            return reply
        best, last = reply.suggestions[0], self.factbase.get(topic.fact_id)
        if last is None or best.id == last.id:
            return reply
        if not (self._beside(best, last) or best in self._leads_on_to(last)):
            return reply
        return self._answered_with(reply, best)

    def _beside_candidate(self, reply: Reply, last: Fact) -> Fact | None:
        """A candidate next to the last answer, nearly as good as the answer found, when
        that answer is not itself next to it."""
        if reply.fact is None or self._beside(reply.fact, last) or reply.fact == last:
            return None
        ranking = self.ranker.rank(self.analyzer.analyze(reply.read_as or reply.question))
        if not ranking.candidates:
            return None
        top = ranking.candidates[0].score
        for c in ranking.candidates[1:]:
            if top - c.score > BESIDE_MARGIN:
                break
            fact = self._facts[c.index]
            if fact != last and self._beside(fact, last):
                return fact
        return None

    def _pointed_beside(
        self, analysis: Analysis, ws: tuple[str, ...], reply: Reply, last: Fact
    ) -> Fact | None:
        """For "who were those emissaries?", a thing the last answer names: the first
        suggestion next to the last answer. Only a question for someone; and not when the
        question the article leaves open is the last answer's own ("who was that
        emissary?" after the reports of a secret one: the article does not say)."""
        if not asks_for_person(analysis):
            return None
        if reply.suggestions[:1] == (last,):
            return None
        pointed = [b for a, b in itertools.pairwise(ws) if a in _THIS_NOUN]
        own = self._own_terms(last)
        if not any(set(self.analyzer.analyze(w).terms) & own for w in pointed):
            return None
        if not self._unnamed(analysis, last):
            return None
        for fact in reply.suggestions:
            if fact != last and self._beside(fact, last):
                return fact
        return None

    def _reaction_beside(
        self, analysis: Analysis, ws: tuple[str, ...], reply: Reply, last: Fact
    ) -> Fact | None:
        """For "who criticized it?", "did anybody complain about that?": a fact next to the
        last answer whose own words tell of that reaction, when the reply's do not."""
        if not set(ws) & _DEED_POINTERS:
            return None
        reaction = self._asked_terms(analysis) & _REACTION_TERMS
        if not reaction:
            return None
        if reply.fact is not None and reaction <= self._own_terms(reply.fact):
            return None
        for fact in self._leads_on_to(last):
            if fact != last and reaction <= self._own_terms(fact):
                return fact
        return None

    def _leads_on_to(self, last: Fact) -> list[Fact]:
        """What the last answer leads on to, then one step further, in that order."""
        near = self.factbase.related(last)
        return [*near, *(g for f in near for g in self.factbase.related(f))]

    def _beside(self, fact: Fact, last: Fact) -> bool:
        """Next to the last answer: in its paragraph, or a fact it leads on to."""
        return fact.citation.paragraph == last.citation.paragraph or fact in self.factbase.related(
            last
        )

    def converse(self, question: str, conversations: Conversations, key: Hashable) -> Reply:
        """Answer within a conversation, and remember what it is about now."""
        if " ".join(words(question)) in RESET_WORDS:
            conversations.forget(key)
            return replace(self._no_answer(question, Outcome.HELP), reading="new conversation")
        reply = self.answer(question, conversations.get(key))
        topic = self.topic_after(reply) or self._tentative(reply, conversations.get(key))
        if topic is not None:
            conversations.remember(key, topic)
        return reply

    def _tentative(self, reply: Reply, current: Topic | None) -> Topic | None:
        """After asking back, what a follow-up may still lean on: the people the question
        named ("who is Wang Juntao, he is related with Chen?" then "what sickness he
        had?"), or, in a conversation with nothing yet, the best guess offered."""
        if reply.outcome is not Outcome.CLARIFY or not reply.suggestions:
            return None
        guess = reply.suggestions[0]
        analysis = self.analyzer.analyze(reply.question)
        named = self.people.named(analysis)
        if not named and current is not None:
            return None
        # "which official attacked Bush?" asks for someone it does not name: the guess's.
        asked_who = asks_for_person(analysis) and not names_only(analysis, named, LIGHT_TERMS)
        people = guess.people if asked_who else named or guess.people
        return Topic(reply.question, guess.id, people, named, asked_who, "", kind=analysis.kind)

    def topic_after(self, reply: Reply) -> Topic | None:
        """What the conversation is about once this reply is given (None: unchanged)."""
        if reply.fact is None:
            return None
        asked = reply.read_as or reply.question
        analysis = self.analyzer.analyze(asked)
        named = self.people.named(analysis)
        # "who are Brzezinski and Oksenberg?" is answered about them; "who did Bush send?"
        # with someone it did not name.
        asked_who = asks_for_person(analysis) and not names_only(analysis, named, LIGHT_TERMS)
        return Topic(
            asked,
            reply.fact.id,
            reply.fact.people,
            named,
            asked_who,
            reply.fact.answer,
            reply.read_people,
            kind=analysis.kind,
        )

    def _leans_on_context(self, analysis: Analysis, named: tuple[str, ...]) -> bool:
        content = content_terms(analysis, LIGHT_TERMS)
        if follow_up_form(analysis, named, LIGHT_TERMS):
            return True
        if named and (read_again(analysis.words) or set(analysis.words) & PRONOUNS):
            return True  # "and Wang?", "what did he say about Bush?"
        if named and asks_other_than(analysis.words):
            return True  # "who was the other one besides chen?"
        if asks_source(analysis.words):
            return True  # "who said that?", "who else admits that?"
        # "why?", "why now?", "how old?": a question word and next to nothing to ask about;
        # "what year was that?": nothing at all of its own.
        return (
            analysis.kind is not None
            and not named
            and ((len(content) <= 1 and len(core_words(analysis.words)) <= 3) or not content)
        )

    def _short_but_whole(
        self, question: str, analysis: Analysis, named: tuple[str, ...], topic: Topic
    ) -> Reply | None:
        """ "what's the deadline?" after Chen's age: short, but pointing at nothing before
        and sure of an answer alone, which the last answer does not give ("why now?" and
        "how old?" are not answered alone)."""
        if named or follow_up_form(analysis, named, LIGHT_TERMS) or asks_source(analysis.words):
            return None
        content = content_terms(analysis, LIGHT_TERMS)
        last = self.factbase.get(topic.fact_id)
        if not content or last is None or set(content) <= self._own_terms(last):
            return None
        alone = self.answer(question)
        sure = alone.outcome is Outcome.ANSWERED and alone.score >= _SURE_ALONE
        return alone if sure and alone.fact != last else None

    def _thing_meant(self, analysis: Analysis, topic: Topic | None) -> bool:
        """ "what trading status could they lose?" after China's biggest export market: an
        answer about no one, so "they" is no person; the question says enough of its own."""
        if topic is None or topic.people:
            return False
        if not set(free_pronouns(analysis.words)) <= _PLURAL_ONLY:
            return False  # "he" is someone
        content = {t for t in analysis.terms if t not in LIGHT_TERMS}
        return len(content) >= _OWN_TERMS

    def _ask_who(self, question: str, analysis: Analysis) -> Reply:
        """A follow-up with no conversation: ask back with the best guesses, or help."""
        ranking = self.ranker.rank(analysis)
        picks = tuple(self._facts[c.index] for c in ranking.candidates)
        if not picks:
            return self._no_answer(question, Outcome.HELP)
        score = ranking.candidates[0].score
        n = self.config.max_suggestions
        return Reply(question, Outcome.CLARIFY, score, suggestions=picks[:n])

    def explain(self, question: str) -> dict[str, Any]:
        """Why a question gets its reply: how it was read, the candidates with their
        features, and the decision's probabilities (for `ask --explain`)."""
        analysis = self.analyzer.analyze(question)
        reply = self.answer(question)
        out: dict[str, Any] = {
            "terms": list(analysis.terms),
            "kind": analysis.kind,
            "outcome": reply.outcome.value,
        }
        if self._by_form(question, analysis) is not None:
            out["why"] = "recognised by its form (greeting, help, about the bot, or a how-to)"
            return out
        ranking = self.ranker.rank(analysis)
        exp = self.decision.explain(ranking)
        spec = self.decision.spec
        out["p_answer"] = round(exp.p_answer, 3)
        out["answer_threshold"] = spec.answer.threshold
        out["p_clarify"] = round(exp.p_clarify, 3)
        out["clarify_threshold"] = spec.clarify.threshold
        out["features"] = {k: round(v, 3) for k, v in exp.values.items()}
        if ranking.open_fact is not None:
            out["why"] = (
                "closest to a question the article leaves open, curated under "
                f"{self._facts[ranking.open_fact].id!r}"
            )
        out["candidates"] = [
            {
                "fact_id": self._facts[c.index].id,
                "score": round(c.score, 1),
                "phrasing": round(c.phrasing, 3),
                "coverage": round(c.coverage, 3),
                "grounding": round(c.grounding, 3),
                "kind_asked": c.kind_asked,
                "names_ok": c.names_ok,
            }
            for c in ranking.candidates[:5]
        ]
        return out

    def nearest(self, question: str) -> tuple[Fact, float] | None:
        """The closest fact and its score, even when too far to answer (for curators)."""
        ranking = self.ranker.rank(self.analyzer.analyze(question), top=1)
        if not ranking.candidates:
            return None
        best = ranking.candidates[0]
        return self._facts[best.index], best.score

    def reply_for(self, fact_id: str) -> Reply | None:
        """The reply for a fact chosen directly (a suggestion button), or None if unknown."""
        fact = self.factbase.get(fact_id)
        if fact is None:
            return None
        related = tuple(self.factbase.related(fact)[: self.config.max_suggestions])
        return Reply(fact.display_question, Outcome.ANSWERED, 100.0, fact, (), related)

    def _by_form(self, question: str, analysis: Analysis) -> Reply | None:
        """Help, a question about the bot, or a task for it: known by its form alone."""
        outcome = form_outcome(question, analysis)
        if outcome is None:
            return None
        return self._no_answer(question, outcome)

    def _reply(self, question: str, ranking: Ranking, exp: Explanation) -> Reply:
        cfg = self.config
        cands = ranking.candidates
        score = cands[0].score if cands else 0.0
        if exp.verdict is Verdict.ANSWER and _around_a_deed_untold(
            ranking.analysis, self._facts[cands[0].index]
        ):
            # Offered, not answered: the fact may still tell what came next ("released and
            # allowed to travel to the United States").
            exp = replace(exp, verdict=Verdict.CLARIFY)
        if exp.verdict is Verdict.ANSWER:
            best = cands[0]
            fact = self._facts[best.index]
            close = tuple(
                self._facts[c.index]
                for c in cands[1:]
                if c.score >= best.score - cfg.ambiguity_margin and c.names_ok
            )[: cfg.max_alternatives]
            related = tuple(self.factbase.related(fact)[: cfg.max_suggestions])
            outcome = Outcome.AMBIGUOUS if close else Outcome.ANSWERED
            return Reply(question, outcome, score, fact, close, related)
        if exp.verdict is Verdict.CLARIFY:
            picks = tuple(self._facts[c.index] for c in cands[: cfg.max_suggestions])
            return Reply(question, Outcome.CLARIFY, score, suggestions=picks)
        nearest = [ranking.open_fact] if ranking.open_fact is not None else []
        nearest += [c.index for c in cands if c.index not in nearest]
        return Reply(question, Outcome.NOT_IN_ARTICLE, score, suggestions=self._suggest(nearest))

    def _no_answer(self, question: str, outcome: Outcome) -> Reply:
        """Help or "the article doesn't say", with the article's opening questions."""
        return Reply(question, outcome, 0.0, suggestions=self._suggest([]))

    def _suggest(self, nearest: list[int]) -> tuple[Fact, ...]:
        """Questions the bot can answer: the nearest facts, else the article's headlines."""
        n = self.config.max_suggestions
        picks = [self._facts[i] for i in nearest[:n]]
        # Then what the nearest fact leads on to, then the article's opening facts.
        followups = self.factbase.related(picks[0]) if picks else []
        for fact in [*followups, *self._facts]:
            if len(picks) >= n:
                break
            if fact not in picks:
                picks.append(fact)
        return tuple(picks)

    def complete(self, partial: str, limit: int = COMPLETIONS) -> list[tuple[str, str]]:
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
