"""Conversations: what a follow-up question ("how old is he?", "why?", "and Wang?") is about.

Each conversation remembers the last question it answered, that fact and its people. A
follow-up is rewritten into a question that stands alone before it is ranked, and the reply
says how it was read ("reading "he" as Chen Ziming"), so a wrong reading is visible. A
follow-up with nothing to follow is never guessed at: the matcher asks back instead.

Memory is small and forgets: at most `max_conversations`, each for `ttl` seconds of
silence, never written to disk.
"""

from __future__ import annotations

import itertools
import re
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, replace

from bot.analyzer import DATE_WORDS, Analysis
from bot.factbase import Fact
from bot.textnorm import QUOTED_TERM, WH_WORDS, asks_which_of, stem, without_chat_tail, words

# Pronouns that stand for people, and for a thing.
_SINGULAR = frozenset({"he", "him", "she", "her", "hes", "shes"})
_POSSESSIVE = frozenset({"his", "hers"})  # "her" is both: read as the person
_PLURAL = frozenset({"they", "them", "their", "theirs", "theyre"})
_THING = frozenset({"it", "its"})  # "this article" names its thing
PRONOUNS = _SINGULAR | _POSSESSIVE | _PLURAL
# "and Wang?", "what about Oksenberg", "how about the other one": the same question again.
_AGAIN = (("and",), ("what", "about"), ("how", "about"), ("same", "for"), ("what", "of"))
_OTHER = frozenset({"other", "another"})
_THAT = frozenset({"that", "this"})
# Words before "of what?" that say back nothing of the last answer ("because of what?").
_NOT_SAID_BACK = frozenset({"because", "instead", "out", "made", "kind", "sort", "type"})
_BESIDES = frozenset({"besides", "except", "apart", "aside", "than"})
# "what happened to him after?", "... as a result": a consequence of the last answer.
_AFTER = _THAT | frozenset({"after", "afterwards", "afterward", "result", "then", "next"})
# "who said that?", "who says so?": who is the source of the last answer.
_SOURCE_ASKED = frozenset(
    stem(w)
    for w in """said says say claim admit admitted acknowledge statement report reported
    confirm deny denied refuse refused""".split()
)
_DONE_OPENERS = frozenset("has have had did does do is was so and but".split())
_DONE_PAIRS = frozenset(
    (verb, it)
    for verb in (
        *("done", "do", "did", "made", "make", "met", "meet", "happened", "happen"),
        *("managed", "manage", "achieved", "achieve", "accomplished", "accomplish"),
        *("delivered", "deliver"),
    )
    for it in ("so", "it", "that", "this", "yet")
) | frozenset({("that", "happened"), ("it", "happened"), ("that", "happen"), ("it", "happen")})
_NAMING = frozenset({"labeled", "labelled", "called", "named", "branded", "dubbed"})
# "who accompanied him?": who went with him, as "who went with him?" asks.
_ACCOMPANIED = frozenset({"accompanied", "accompany", "accompanies", "accompanying"})
_NAME_NOUNS = frozenset({"name", "names", "nickname", "term", "label", "word", "title"})
_CONDITION_NOUNS = frozenset({"condition", "conditions"})
# The words that ask for the condition the last answer set ("unless what?", "under what
# condition?", "what must they do to avoid it?"); the matcher reads them as terms too.
CONDITION_WORDS = _CONDITION_NOUNS | {"unless", "avoid"}
# "what would they have to do to avoid that?", "what must China do to avoid it?": what is
# needed, after "to", "must" or "should"; "what did China do to avoid it?" asks a deed.
_DO_TO_AVOID_IT = frozenset(
    ("do", "to", avoid, it)
    for avoid in ("avoid", "avert", "prevent", "escape", "stop")
    for it in ("it", "that", "this", "them")
)
_TO_AVOID_IT = frozenset(
    (need, *frame) for need in ("to", "must", "should") for frame in _DO_TO_AVOID_IT
)
# Or the need stands before the one who must: "what must China do to avoid it?".
_MODALS = frozenset({"must", "should", "need", "needs"})
# Longer, and the question says more than "what must they do to avoid it?".
_AVOID_MAX_WORDS = 11
# "another nickname", "any other charges": another thing, not the other person.
_THING_NOUNS = _NAME_NOUNS | frozenset(
    """nicknames terms labels words titles charge charges reason reasons thing things
    gesture gestures step steps way ways question questions condition conditions job jobs
    role roles post posts illness illnesses ailment ailments disease diseases""".split()
)
_CONDITION_ASKERS = frozenset({"what", "which", "under", "on", "any"})
_CONDITION_MAX_WORDS = 8  # "under what condition would he do it": nothing of its own
# "any example?", "can u give an example of one", "like who?": an instance of what the last
# answer told. Longer questions ask something of their own.
_EXAMPLE_WORDS = frozenset({"example", "examples", "instance", "instances", "eg"})
# What may stand beside the word and still ask for nothing of its own ("can u give me an
# example of one"); "any examples of other dissidents still in jail?" asks its own thing.
_EXAMPLE_FILLER = frozenset(
    """any an a for give me us can could you u one some someone somebody of them those
    got have there is are please pls name like such as another what who""".split()
)
_EXAMPLE_ASKED = frozenset({("like", "who"), ("like", "what"), ("such", "as")})
_MORE_OF = frozenset({"tell", "about", "anything", "something", "what", "info", "details"})
_SOURCE_REST = frozenset(
    """who else that this so it was did does is has have had and made wont won not to the a
    if i may ask""".split()
)
# "where did Bush send him?": a pronoun after the verb is not the name before it.
_OBJECTS = frozenset({"him", "them"})
# Words that may come before a name that leads the question: "and Chen, why was he freed?"
_LEADS = frozenset({"and", "so", "ok", "okay", "but", "what", "about", "how", "also", "now"})
_BOTH = frozenset({"both", "two"})  # "what did the two of them do?": every one of them
_OTHER_NOUNS = frozenset({"one", "guy", "person", "dude", "fellow", "the"})
_ONE_NOUNS = _OTHER_NOUNS - {"the"}
# "that man", "this woman" point back too ("the first man sent" is no ordinal for people).
_THAT_NOUNS = _ONE_NOUNS | {"man", "woman"}
_THAT_PERSON = frozenset(
    {"man", "guy", "woman", "dude", "fellow"}
)  # not "that person": unnamed ones
# "the second guy", "the first one", "the latter": one of the people the last reply offered.
_ORDINALS = {"first": 0, "former": 0, "second": 1, "latter": 1}
# "which official went to Beijing?" asks for a person as "who" does: its answer is whom
# "he" means next.
_PERSON_NOUNS = frozenset(
    """official officials person people dissident dissidents activist activists diplomat
    diplomats president leader leaders man men guy guys spokesman spokesperson envoy envoys
    emissary emissaries adviser advisers advisor advisors figure figures secretary
    officer officers""".split()
)
# "did the admin confirm they sent someone?", "why did china say they freed him?": "they"
# after a government or a country named in the question is that government. ("us" is left
# out: it is "tell us" as often as the U.S.)
_GROUP_NOUNS = frozenset(
    """admin administration government china beijing chinese authorities regime washington
    america americans leadership""".split()
)
# "which president did he work for?": a pronoun right after one of these is the subject
# the question asks about.
_AUXILIARIES = frozenset(
    "did does do is was were are has have had will would can could should".split()
)
# "why does that matter?", "what does that mean?": "that" is what came before.
_MATTERS = frozenset("matter matters mean means happen happened".split())
# The term "purpose", "motive" and "reason" all fold into (facts/synonyms.yaml, `reason`).
_REASON = "reason"
_WHAT_BEFELL = frozenset({"yes/no", "outcome"})  # what came of a deed, not who reacted
RESET_WORDS = frozenset({"reset", "new topic", "start over", "new question", "forget it"})
# A thing-pronoun question with at most this many content terms needs what came before:
# "when did it close?" does; "is it true that Chen was freed?" names what it is about.
_THIN = 1


@dataclass(frozen=True, slots=True)
class Topic:
    """What a conversation is about after its last answer."""

    question: str  # the last answered question, as it was read (follow-ups rewritten)
    fact_id: str
    people: tuple[str, ...]  # the people of the answered fact
    named: tuple[str, ...]  # the people the question itself named
    asked_who: bool  # the question asked who: its answer is a person it did not name
    answer: str = ""  # what the bot answered
    # Whom a pronoun of the question was read as: "he" still means them next time ("where
    # did Bush send him?" read with Eagleburger, then "who went with him?").
    read_people: tuple[str, ...] = ()
    before: str = ""  # the question answered before this one, in the same conversation
    kind: str | None = None  # what the question asked for, as the analyzer read it
    named_before: tuple[str, ...] = ()  # the people the question before this one named


@dataclass(frozen=True, slots=True)
class Reading:
    question: str  # the follow-up rewritten to stand alone
    note: str  # how it was read, for the reply: 'reading "he" as Chen Ziming'
    people: tuple[str, ...] = ()  # whom a pronoun, "the other one" or "the second" meant


class People:
    """Who a question names: every term of a person's name that no one else shares."""

    def __init__(self, facts: Iterable[Fact], analyze: Callable[[str], Analysis]) -> None:
        owners: dict[str, set[str]] = {}
        for fact in facts:
            for person in fact.people:
                for term in analyze(person).terms:
                    owners.setdefault(term, set()).add(person)
        self._by_term = {t: next(iter(p)) for t, p in owners.items() if len(p) == 1}

    def named(self, analysis: Analysis) -> tuple[str, ...]:
        found = (self._by_term.get(t) for t in analysis.terms)
        return tuple(dict.fromkeys(p for p in found if p is not None))


def _that_man_as_he(ws: tuple[str, ...]) -> tuple[str, ...]:
    """ "what illness did that man suffer from?" asks as "he" does."""
    out: list[str] = []
    for w in ws:
        if w in _THAT_PERSON and out and out[-1] == "that":  # "this man" may be the story's
            out[-1] = "he"
        else:
            out.append(w)
    return tuple(out)


def _that_man_said(ws: tuple[str, ...]) -> str:
    """ "that man", as typed, when the question points at someone so."""
    for w, nxt in itertools.pairwise(ws):
        if w == "that" and nxt in _THAT_PERSON:
            return f"{w} {nxt}"
    return ""


def follow_up_form(analysis: Analysis, named: tuple[str, ...], light: frozenset[str]) -> bool:
    """Does the question lean on what came before (a pronoun for a person, or nothing of
    its own to ask about)?"""
    if named:
        return False
    ws = set(analysis.words)
    content = content_terms(analysis, light)
    if free_pronouns(_that_man_as_he(analysis.words)):
        return True
    if (ws & _THING or _points_back(analysis.words)) and len(content) <= _THIN:
        return True
    return _is_other(analysis.words) or _ordinal(analysis.words) is not None


def _points_back(ws: tuple[str, ...]) -> bool:
    """ "That guy", "why does that matter?", "what happened next?": something said before."""
    for w, nxt in itertools.pairwise((*ws, "")):
        if w in _THAT and (nxt in _THAT_NOUNS or nxt in _AUXILIARIES or nxt in _MATTERS or not nxt):
            return True
    return "next" in ws and ("what" in ws or "then" in ws)


def free_pronouns(ws: tuple[str, ...]) -> list[str]:
    """The pronouns that stand for someone outside the question. In "which activist was
    rearrested after he had been freed?" or "what ails the guy they let go?" the pronoun
    follows a person the question itself describes, and means them (or no one named):
    the question stands alone. An object ("which official went with him?") still points
    outside, and so does the subject the question asks about ("which president did he
    work for?")."""
    free: list[str] = []
    described = group = False
    before = ""
    for w in ws:
        # "did the admin ever confirm they sent someone?": "they" is the admin
        the_group = w in _PLURAL and group and w not in _OBJECTS and before not in _AUXILIARIES
        if (
            w in PRONOUNS
            and not the_group
            and (w in _OBJECTS or not described or before in _AUXILIARIES)
        ):
            free.append(w)
        described = described or w in _PERSON_NOUNS
        group = group or w in _GROUP_NOUNS
        before = w
    return free


def _is_other(ws: tuple[str, ...]) -> bool:
    # "the other one?", "what about the other guy"; "the other one, what was his title?";
    # not "another nickname?" or "any other charge?", which ask for another thing.
    pairs = list(itertools.pairwise(ws))
    if any(w in _OTHER and n in _THING_NOUNS for w, n in pairs):
        return False
    return bool(set(ws) & _OTHER) and (
        len(ws) <= 6 or any(w in _OTHER and n in _OTHER_NOUNS for w, n in pairs)
    )


def asks_other_than(ws: tuple[str, ...]) -> bool:
    """ "who was the other one besides chen?": someone the last reply gave, not the one named."""
    return _is_other(ws) and bool(set(ws) & _BESIDES)


def _ordinal(ws: tuple[str, ...]) -> str | None:
    """The word ("second", "former") by which "the second guy" or "the former" points at
    one of the last reply's people (`_ORDINALS` says which)."""
    for w, n in itertools.pairwise(ws):
        if w in ("first", "second") and (n in _ONE_NOUNS or n == "guys"):  # "guys role"
            return w
        if w == "the" and n in ("former", "latter"):
            return n
    return None


_ANYONE = frozenset({"anyone", "anybody", "someone", "somebody"})


def asks_for_person(analysis: Analysis) -> bool:
    """Is the answer a person: "who ...?", "which official ...?", "what dissident ...?",
    "did anyone ...?"."""
    if analysis.kind == "who":
        return True
    ws = analysis.words
    # "did anyone ...?", "anybody criticize him?"; not "did he send someone?"
    first, second, *_ = (*itertools.dropwhile(lambda w: w in ("and", "so", "but"), ws), "", "")
    if first in _ANYONE or (first in _AUXILIARIES and second in _ANYONE):
        return True
    # One word may stand between: "which carter officials", "what two dissidents".
    return any(
        w in ("which", "what") and _PERSON_NOUNS.intersection(ws[i + 1 : i + 3])
        for i, w in enumerate(ws)
    )


def asks_source(ws: tuple[str, ...]) -> bool:
    """ "Who said that?", "who else admits that?": who is behind the last answer."""
    asked = {w for w in ws if stem(w) in _SOURCE_ASKED}
    return bool(asked) and "who" in ws and set(ws) <= asked | _SOURCE_REST


def asks_another(ws: tuple[str, ...]) -> bool:
    """ "who else was let out?", "what else did he do?", "tell me more about him": something
    besides the last answer."""
    return "else" in ws or ("more" in ws and bool(set(ws) & _MORE_OF))


def asks_if_done(ws: tuple[str, ...]) -> bool:
    """ "Has China done so?", "did they do it?", "has that happened yet?": whether what the
    last answer asked for came about."""
    pairs = set(itertools.pairwise(ws))
    # "and who has to make that decision?" asks who, not whether it was done ("has china
    # done it or what?" still asks whether)
    asks_wh = ws[1:2] != () and ws[1] in WH_WORDS
    return bool(ws) and ws[0] in _DONE_OPENERS and bool(pairs & _DONE_PAIRS) and not asks_wh


def asks_if_done_outright(ws: tuple[str, ...]) -> bool:
    """Whether it came about, and nothing more: the question ends on it ("has that
    happened?", "did they do it?"; not "did it say when?")."""
    ws = tuple(without_chat_tail(ws))
    return asks_if_done(ws) and tuple(ws[-2:]) in _DONE_PAIRS


def asks_companion(ws: tuple[str, ...]) -> bool:
    """ "Did he do it alone?", "with whom did he found it?", "who's going with him?": who
    else took part in what the last answer told, asked with a pronoun for the one told
    of ("what did they do together?" asks what both did)."""
    pairs = set(itertools.pairwise(ws))
    ends_with = ws[-1:] == ("with",) or (ws[-2:-1] == ("with",) and ws[-1] in PRONOUNS)
    with_whom = bool(pairs & {("with", "who"), ("with", "whom")}) or (ends_with and "who" in ws)
    one = set(free_pronouns(ws)) & (_SINGULAR | _POSSESSIVE)
    went_along = "who" in ws and bool(set(ws) & _ACCOMPANIED)  # "who accompanied him?"
    return bool(one) and ("alone" in ws or "together" in ws or with_whom or went_along)


def asks_example(ws: tuple[str, ...]) -> bool:
    """ "Any example?", "give me an example of someone", "like who?", "can you name one?": an
    instance of what the last answer told, and nothing else asked."""
    ws = tuple(without_chat_tail(ws))
    if set(ws) & _EXAMPLE_WORDS:
        return set(ws) <= _EXAMPLE_WORDS | _EXAMPLE_FILLER
    if "name" in ws and set(ws) & {"one", "a", "an"}:
        return set(ws) <= _EXAMPLE_FILLER
    return ws in _EXAMPLE_ASKED


def _with_its_term(ws: list[str], topic: Topic) -> list[str]:
    """ "anyone else get that label?" after Chen was labeled a "black hand": "that label"
    is the term the last answer quotes."""
    that_label = any(a in _THAT and b in _NAME_NOUNS for a, b in itertools.pairwise(ws))
    if not (that_label or _called_that(ws)):
        return ws
    return _adding(ws, words(" ".join(QUOTED_TERM.findall(topic.answer))))


def asks_who_was_called_that(ws: tuple[str, ...]) -> bool:
    """ "Who got called that?", "who was labeled that?": whom the last answer's quoted term
    was given to (not "who else ...", someone besides)."""
    return _called_that(ws) and "who" in ws and not set(ws) & (_OTHER | {"else"})


def _called_that(ws: Sequence[str]) -> bool:
    """ "called that", "labeled this": the term the last answer gave someone."""
    return any(a in _NAMING and b in _THAT for a, b in itertools.pairwise(ws))


def asks_other_name(ws: tuple[str, ...]) -> bool:
    """ "What's the other term it used?", "wasn't there another nickname?"."""
    return any(w in _OTHER and n in _NAME_NOUNS for w, n in itertools.pairwise(ws))


# "how often has he said that?", "a lot or just once?": how often the last answer's deed was
# done, which an answer saying "repeatedly" or "twice" tells.
_HOW_OFTEN = (("how", "often"), ("how", "many", "times"), ("how", "frequently"))
_OFTEN_OPENERS = frozenset({"has", "have", "did", "does", "do", "is"})
_OFTEN_ENDS = frozenset({"often", "lot", "repeatedly"})
_SAYING = frozenset("said say says saying threatened threaten threatens repeated mentioned".split())
_HOW_OFTEN_MAX_WORDS = 9  # longer, and it asks how often something of its own happens
# "same as who?", "the same as whom?": who else has what the last answer told.
_SAME_AS = frozenset(("same", "as", wh) for wh in ("who", "whom", "what", "which"))
_SAME_AS_MAX_WORDS = 5  # "the same as whom, exactly?"; more is a question of its own
# "what did those lead to?", "what was the result of this negotiation?": what came of the
# thing the last answer told, pointed at, and asking nothing else.
# ("What led to that?" asks the cause, not what came of it.)
_LED_TO = frozenset({("lead", "to"), ("leads", "to"), ("result",), ("results",)})
_POINTERS = _THAT | frozenset({"those", "these", "it"})
_LED_TO_MAX_WORDS = 8  # "what was the result of those talks, then?"


def _holds(ws: tuple[str, ...], seq: tuple[str, ...]) -> bool:
    """Do the words hold `seq`, in order and next to each other?"""
    n = len(seq)
    return any(ws[i : i + n] == seq for i in range(len(ws) - n + 1))


# "restrictions on what?", "threats from who", "negotiations for what?": a word of the last
# answer said back, asking what follows it there.
_ECHO_PREPS = frozenset("on of for from about with against to in".split())
_ECHO_WH = frozenset({"what", "who", "whom", "which"})
_ECHO_LEADS = frozenset({"and", "so", "but", "a", "an", "the", "ok", "okay"})
_ECHO_TAIL = frozenset({"exactly", "precisely", "specifically", "again", "then", "tho", "though"})


# Chat words a follow-up may open on before what it asks: "ok but why now tho".
_CHAT_LEADS = frozenset({"and", "so", "but", "ok", "okay", "well", "wait", "alright", "hmm"})
# Chat words a question may hold anywhere, which say nothing of what it asks.
_CHAT_WORDS = frozenset(
    "ok okay lol lmao tho though rn fr bro ngl tbh smh yo hey hmm pls plz".split()
)


def core_words(ws: Sequence[str]) -> list[str]:
    """The words without the chat words around them ("ok but why now tho" -> "why now")."""
    core = without_chat_tail(ws)
    start = 0
    while start < len(core) - 1 and core[start] in _CHAT_LEADS:
        start += 1
    return core[start:]


def echoed(ws: tuple[str, ...]) -> tuple[str, str] | None:
    """The word and preposition a question like "restrictions on what exactly?" says back."""
    core = list(without_chat_tail(ws))
    while core and core[0] in _ECHO_LEADS:
        core.pop(0)
    while core and core[-1] in _ECHO_TAIL:
        core.pop()
    if len(core) == 4 and core[1] == "up":  # "leading up to what?"
        del core[1]
    if len(core) != 3 or core[1] not in _ECHO_PREPS or core[2] not in _ECHO_WH:
        return None
    word = core[0]
    if word in PRONOUNS or word in _THING or word in _AUXILIARIES or word in WH_WORDS:
        return None
    return word, core[1]


def asks_how_often(ws: tuple[str, ...]) -> bool:
    """ "How often has he said that?", "has he said it a lot or just once?"."""
    ws = tuple(without_chat_tail(ws))
    if len(ws) > _HOW_OFTEN_MAX_WORDS:
        return False
    if any(_holds(ws, seq) for seq in _HOW_OFTEN) or ("once" in ws and "lot" in ws):
        return True
    # "has he said it often?", "has he said it a lot?": whether the last answer's words
    # were said often ("does China do that a lot?" asks of another's deed)
    often = bool(ws) and ws[0] in _OFTEN_OPENERS and ws[-1] in _OFTEN_ENDS
    return often and bool(set(ws) & _SAYING)


def asks_same_as(ws: tuple[str, ...]) -> bool:
    """ "Same as who?": whom the last answer compares with."""
    ws = tuple(without_chat_tail(ws))
    return len(ws) <= _SAME_AS_MAX_WORDS and any(_holds(ws, seq) for seq in _SAME_AS)


# "before what?", "between who", "with which country?": a preposition and what it takes,
# asked of the last answer.
_PREP_ASKED = frozenset("before after between with against from since until".split())
_PREP_NOUN_MAX = 1  # "with which country?" names at most one thing of its own


def preposition_asked(ws: tuple[str, ...]) -> str | None:
    """The preposition of a question like "between who?" or "with which country?"."""
    core = core_words(ws)
    if len(core) < 2 or core[0] not in _PREP_ASKED or core[1] not in _ECHO_WH:
        return None
    return core[0] if len(core) - 2 <= _PREP_NOUN_MAX else None


def asks_what_it_led_to(ws: tuple[str, ...]) -> bool:
    """ "What did those talks lead to?", "what was the result of this?": what came of the
    thing pointed at."""
    ws = tuple(without_chat_tail(ws))
    if len(ws) > _LED_TO_MAX_WORDS or "what" not in ws or not set(ws) & _POINTERS:
        return False
    return any(_holds(ws, seq) for seq in _LED_TO)


def asks_condition(ws: tuple[str, ...]) -> bool:
    """ "Unless they do what?", "unless what", "under what condition?": the condition the
    last answer set (not "what condition is chen in?")."""
    asked = "unless" in ws or any(
        w in _CONDITION_ASKERS and n in _CONDITION_NOUNS for w, n in itertools.pairwise(ws)
    )
    if asked:
        return len(ws) <= _CONDITION_MAX_WORDS
    # "what would China have to do to avoid that?": what the threat is conditioned on
    avoid = any(_holds(ws, frame) for frame in _TO_AVOID_IT) or (
        bool(set(ws) & _MODALS) and any(_holds(ws, frame) for frame in _DO_TO_AVOID_IT)
    )
    return avoid and len(ws) <= _AVOID_MAX_WORDS


def read_again(ws: tuple[str, ...]) -> bool:
    """Does it ask the last question again about someone else (\"and Wang?\")?"""
    return any(ws[: len(p)] == p for p in _AGAIN)


def only_again(ws: tuple[str, ...], named: tuple[str, ...]) -> bool:
    """As typed, "and Wang?" or "what about Oksenberg": a name and nothing else to ask.
    ("and who is Wang?" asks its own question; "tell me about Wang", which the analyzer
    reads as "what about wang", is not typed so.)"""
    prefix = next((p for p in _AGAIN if ws[: len(p)] == p), None)
    if prefix is None:
        return False
    name_words = _name_words(named)
    return all(w in name_words or w == "the" for w in ws[len(prefix) :])


def names_only(analysis: Analysis, named: tuple[str, ...], light: frozenset[str]) -> bool:
    """Is every content term of the question a name ("who are Brzezinski and Oksenberg?")?"""
    content = content_terms(analysis, light)
    return bool(named) and all(_names_term(t, named) for t in content)


def _join(names: Iterable[str]) -> str:
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def read(
    question: str,
    analysis: Analysis,
    named: tuple[str, ...],
    topic: Topic,
    light: frozenset[str],
) -> Reading | None:
    """The follow-up rewritten against the conversation's topic, or None when the question
    stands alone (it names someone new and is no "and X?")."""
    ws = _that_man_as_he(analysis.words)
    content = _asked(analysis, light)
    # "and Wang?", "what about Oksenberg": the last question again, about someone else.
    # ("and what did he say about bush?" asks about "he", not Bush in his place.)
    again = read_again(ws) and not free_pronouns(ws)
    if named and again and all(_names_term(t, named) for t in content):
        return _swap(topic, named, f"{question.strip()}")
    if asks_source(ws):
        # The last answer again: its quote says who said it.
        return Reading(
            topic.question, f"reading \u201c{question.strip()}\u201d as about the last answer"
        )
    if named and asks_other_than(ws):
        # "who was the other one besides chen?": of the last reply's people, not him.
        return _other_than(ws, topic, named)
    if echoes_nothing(ws, topic):
        return None
    subject = _subject(topic)
    if named and (not set(ws) & PRONOUNS or set(subject) <= set(named) or _named_first(ws, named)):
        # It says who it is about ("and Chen, why was he freed?"); "what did he say
        # about Bush" does not.
        return None
    if not named and ((said := _ordinal(ws)) is not None or _is_other(ws)):
        return _one_of_them(question, ws, topic, said)
    singular = set(ws) & (_SINGULAR | _POSSESSIVE)
    if set(ws) & PRONOUNS and not topic.people and not (singular and topic.named) and not named:
        # "who is he?" after an answer about no one: nobody to stand for. (A question
        # that named Chen, "where were the demonstrations Chen led?", gave "he".)
        return None
    # Beside "he", "they" is someone else ("why'd they let him go?": the authorities; "why
    # did they call him that?" after an answer about Chen and Wang: the government), and is
    # left as it is; "he" is who is read ("how many times did he send them?": Bush).
    plural_people = not set(ws) & (_SINGULAR | _POSSESSIVE)
    people = _people_meant(ws, topic, subject, bool(set(ws) & _PLURAL) and plural_people)
    group = _group_meant(ws, topic) if plural_people else None
    if group is not None:
        people = [group]
    rewritten, replaced = _put_people(ws, people, plural_people)
    # "what did he do?" after "when did Chen's career start?" asks about that too: with
    # nothing but the person ("who is he?" aside), the last question gives the rest.
    thin = (not replaced and len(content) <= _THIN) or (
        bool(replaced)
        and not content
        and analysis.kind not in ("who", None)
        and not _asks_identity(ws)
    )
    if thin:
        # "why?", "when did it close?", "how old?": the last question gives the subject.
        # "who was released today?" answered with Chen: "why?" is why *Chen* was released.
        # "on what charges?" asks its own thing: of the last question only the subject
        # (the rest of it would win the ranking back for the last fact).
        # "when did it stop publishing?" after "what is Beijing Spring?": "it" is the
        # thing the last question asked about, not its person.
        thing = bool(set(ws) & _THING) and not replaced
        last = _without_kind(words(topic.question))
        if analysis.kind == "why" and topic.before and topic.kind == "how old":
            # "who was released today?", "how old is he?", "why?": no one asks why an age;
            # it is why the one before happened.
            last = _without_kind(words(topic.before))
        # "who has to make that decision?" asks for someone: the last question says what
        # about, and the person it was about would be a guess at the answer.
        subject = _named_in_talk(topic) if analysis.kind == "who" else subject
        base = [] if content and subject and not thing and analysis.kind != "who" else last
        if analysis.kind == "outcome" and _AFTER & set(ws) and topic.answer:
            # "what happened to him after that?": a consequence of what the last answer
            # said. ("why did they do that?" asks about the last question's event.)
            base = [*last, *words(topic.answer)]
        rewritten = _adding(rewritten, [*base, *words(" ".join(subject))])
    elif replaced and topic.answer and asks_what_came_of(analysis):
        # "did he go to jail for it?", "what happened to him because of that?": "it" is
        # what the last answer says he did.
        rewritten = _adding(rewritten, words(topic.answer))
    text = " ".join(_with_its_term(rewritten, topic))
    # The person is what a reader checks; what is added from the last question is context.
    said = _that_man_said(analysis.words) or (replaced[0] if replaced else "")
    pronoun_note = f"reading \u201c{said}\u201d as {_join(people)}" if replaced else ""
    note = pronoun_note or f"reading it as \u201c{text}\u201d"
    # A group is no one "he" may mean next. A question about nothing new ("what year?")
    # leaves "he" whom it meant: after "who founded it with Chen?", Wang, not Chen.
    meant = tuple(people) if replaced and group is None else ()
    if thin and not replaced and not named:
        meant = subject if len(subject) == 1 else ()
    return Reading(text, note, meant)


def _put_people(
    ws: tuple[str, ...], people: list[str], plural_people: bool
) -> tuple[list[str], list[str]]:
    """The question with its pronouns replaced by the people meant, and those replaced."""
    rewritten: list[str] = []
    replaced: list[str] = []
    for w in ws:
        if w in _PLURAL and not plural_people:
            rewritten.append(w)
        elif w in _SINGULAR | _PLURAL and people:
            # "the two of them", "both of them": the people are all it says
            # ("which of them" keeps its "of": one of the people is asked for.)
            run = 0
            while run < len(rewritten) and rewritten[-1 - run] in _BOTH | {"of", "the", "all"}:
                run += 1
            if set(rewritten[len(rewritten) - run :]) & (_BOTH | {"all"}):
                del rewritten[len(rewritten) - run :]
            rewritten.append(_join(people))
            replaced.append(w)
        elif w in _POSSESSIVE | {"their", "theirs"} and people:
            rewritten.append(_join(people) + "'s")
            replaced.append(w)
        else:
            rewritten.append(w)
    return rewritten, replaced


def _people_meant(
    ws: tuple[str, ...], topic: Topic, subject: tuple[str, ...], plural: bool
) -> list[str]:
    """Whom the question's pronouns stand for: the subject, or for "they" the people."""
    if not plural:
        return list(subject)
    people = list(topic.people)
    if (set(ws) & _BOTH or _one_of(ws)) and (pair := _swapped(topic)):
        # "What was Oksenberg's role?", "and Brzezinski's?", "what did the two of them
        # do?": the one asked about before and the one asked about now.
        return pair
    if set(ws) & _BOTH and len(topic.people) > 1:
        return people
    if topic.asked_who:
        people = [p for p in topic.people if p not in topic.named] or people
        if len(people) < 2 and len(topic.named) > 1:
            people = list(topic.named)  # "whose administration did X and Y serve in?"
    elif len(topic.named) > 1:
        people = list(topic.named)  # "who are X and Y?" then "when do they land?"
    # "when do they land?" after the two Carter officials: not Carter, whose name the
    # answer gives only for his Administration.
    people = [p for p in people if not _only_as_administration(p, topic.answer)] or people
    if len(people) == 1 and "them" in ws and "they" not in ws and not topic.asked_who:
        # "who has been making them?" after the gestures Chen's release is one of: one
        # person is no "them"; the things the last question asked about are. (After "who
        # criticized the envoys?", "them" may well be the one person answered.)
        return []
    return people


# The group a last answer is about when it opens on one ("China hopes ...", "The Clinton
# Administration wants ...").
_GROUP_SUBJECT = re.compile(
    r"(?:the )?((?:Chinese|Beijing) government|China|Beijing|(?:Clinton )?Administration"
    r"|U\.S\.|United States|White House)\b(?!')",
    re.IGNORECASE,
)


def _group_meant(ws: tuple[str, ...], topic: Topic) -> str | None:
    """ "who are they hoping to convince?" after "China hopes the gestures are enough for
    the Clinton Administration to ...": "they" is China, not the people the fact names."""
    # "which two ppl were they?", "who were those guys?" ask for people.
    if "they" not in ws or set(ws) & (_BOTH | _PERSON_NOUNS | {"ppl"}):
        return None
    # After "who did China release?", "they" are whom it released. (After "who's running
    # the campaign?", answered with the Clinton Administration, no one.)
    answered = [
        p
        for p in topic.people
        if p not in topic.named and not _only_as_administration(p, topic.answer)
    ]
    if topic.asked_who and answered:
        return None
    group = _GROUP_SUBJECT.match(topic.answer)
    return group.group(0).replace("The ", "the ", 1) if group else None


def _only_as_administration(person: str, answer: str) -> bool:
    """Does the answer name the person only in "the Carter Administration"?"""
    surname = re.escape(person.rsplit(maxsplit=1)[-1])
    said = re.findall(rf"\b{surname}\b(\W+\w+)?", answer, flags=re.IGNORECASE)
    return bool(said) and all(
        rest.strip(" '’").lower().startswith("administration") for rest in said
    )


# "what is he known as?", "how is he described?", "what kind of activist is he?": who he
# is, as "who is he?" asks (the last question would win the ranking back for its fact).
_IDENTITY_WORDS = frozenset({"known", "described", "describe", "describes"})
_IDENTITY_PAIRS = frozenset({("kind", "of"), ("type", "of"), ("sort", "of")})


def _asks_identity(ws: tuple[str, ...]) -> bool:
    return bool(set(ws) & _IDENTITY_WORDS) or bool(set(itertools.pairwise(ws)) & _IDENTITY_PAIRS)


def _one_of(ws: tuple[str, ...]) -> bool:
    """ "which of them had hepatitis?", "either of them": one of the people is asked for."""
    return "neither" in ws or asks_which_of(ws)


def _swapped(topic: Topic) -> list[str]:
    """The person the last question named in place of the one named before it, and that
    one, when there is one of each and the two questions ask the same ("what was
    Oksenberg's role?", "and Brzezinski's?"); a question about someone new is no swap."""
    out = [p for p in topic.named_before if p not in (*topic.named, *topic.people)]
    came = [p for p in topic.named if p not in topic.named_before]
    if len(out) != 1 or len(came) != 1:
        return []
    names = _name_words((*topic.named_before, *topic.named, *topic.people))
    asked = [
        {w for w in words(q) if w not in names and len(w) > 1}
        for q in (topic.before, topic.question)
    ]
    return [*out, *came] if asked[0] == asked[1] else []


def in_context(question: str, analysis: Analysis, topic: Topic) -> Reading | None:
    """A question that stands alone, read with what the conversation is about added:
    the person it was about, or else the last question."""
    ws = list(analysis.words)
    who = analysis.kind == "who"
    person = words(" ".join(_named_in_talk(topic) if who else _subject(topic)))
    extra = person or _without_kind(words(topic.question))
    read_as = _with_its_term(_adding(ws, extra), topic)
    if read_as == ws:
        return None
    text = " ".join(read_as)
    return Reading(text, f"reading it as \u201c{text}\u201d")


_FOR_THE_DEED = frozenset(
    (*by, it) for by in (("for",), ("because", "of")) for it in ("it", "that", "this")
)


def asks_what_came_of(analysis: Analysis) -> bool:
    """ "Did he go to jail for it?", "what happened to him because of that lol": whether
    something, or what, came of the deed the last answer told."""
    ws = without_chat_tail(analysis.words)
    ends = any(tuple(ws[-len(end) :]) == end for end in _FOR_THE_DEED)
    return ends and analysis.kind in _WHAT_BEFELL


def content_terms(analysis: Analysis, light: frozenset[str]) -> list[str]:
    """The question's terms that say what it is about (light terms weigh little)."""
    return [t for t in analysis.terms if t not in light]


def _asked(analysis: Analysis, light: frozenset[str]) -> list[str]:
    """Its content terms for a reading: "for what purpose?" and "what was the reason?"
    ask "why?" and nothing more."""
    content = content_terms(analysis, light)
    return [] if content == [_REASON] else content


def _adding(ws: list[str], extra: Iterable[str]) -> list[str]:
    """The words with those of `extra` they lack added at the end, each once."""
    return [*ws, *(w for w in dict.fromkeys(extra) if w not in ws)]


_HOW_WHAT = frozenset({"long", "old", "many", "much", "often", "soon", "far"})


def _without_kind(ws: tuple[str, ...]) -> list[str]:
    """The words of a question without what it asked for ("how old", "when")."""
    out: list[str] = []
    for i, w in enumerate(ws):
        if w in WH_WORDS or (w in _HOW_WHAT and i > 0 and ws[i - 1] == "how"):
            continue
        if w in _CHAT_WORDS:
            continue  # "ok and why now tho": read again, "why now"
        if w in DATE_WORDS and i > 0 and ws[i - 1] in ("what", "which"):
            continue  # "what year was that?" asked when
        out.append(w)
    return out


def _name_words(named: tuple[str, ...]) -> set[str]:
    """The words of these people's names, as a question's words are split."""
    return {w for person in named for w in words(person)}


def echoes_nothing(ws: tuple[str, ...], topic: Topic) -> bool:
    """ "restrictions on what?" after an answer that speaks of none: no word of the last
    answer said back, so the question stands alone. ("together with who?" asks who was
    with the one answered.)"""
    echo = echoed(ws)
    if echo is None or echo[1] == "with" or echo[0] in _NOT_SAID_BACK:
        return False
    return stem(echo[0]) not in {stem(w) for w in words(topic.answer)}


def _named_first(ws: tuple[str, ...], named: tuple[str, ...]) -> bool:
    """Is someone named before the first pronoun ("and Chen, why was he freed?")? Not so
    when the name is the one acting on the pronoun: "where did Bush send him?"."""
    name_words = _name_words(named)
    at_name = next((i for i, w in enumerate(ws) if w in name_words), len(ws))
    at_pronoun = next((i for i, w in enumerate(ws) if w in PRONOUNS), len(ws))
    if at_name >= at_pronoun:
        return False
    leads = all(w in _LEADS for w in ws[:at_name])
    return leads or ws[at_pronoun] not in _OBJECTS


def _names_term(term: str, named: tuple[str, ...]) -> bool:
    return any(term in {stem(w) for w in words(p)} for p in named) or len(term) < 3


def _named_in_talk(topic: Topic) -> tuple[str, ...]:
    """Whom a "who" question is read with: only someone a pronoun of the talk was read as
    ("who allowed the trip?" after "where did he go?" about Wang). The people of the last
    fact, or those its question named, would be a guess at the answer ("who has to make
    that decision?" after the deadline is not about Clinton because the deadline's fact
    names him)."""
    return topic.read_people


def _subject(topic: Topic) -> tuple[str, ...]:
    """Whom "he" means: the one person a "who" question was answered with, else the person
    the question named, else the fact's first person. ("who did Bush send?" is answered
    with two people: "he" then is Bush.)"""
    if topic.asked_who:
        answered = [p for p in topic.people if p not in topic.named]
        # A fact names its main person first: "who called Bush's envoys fawning?" is
        # answered with Winston Lord, though the envoys are named too.
        if answered and (len(answered) == 1 or not topic.named or topic.people[0] in answered):
            return (answered[0],)
    if len(topic.read_people) == 1:
        return topic.read_people
    if topic.named:
        return topic.named[:1]
    return topic.people[:1]


def _offered(topic: Topic) -> tuple[str, ...]:
    """The people the last reply offered, in its order: those a "who" question was
    answered with, else those the question named, else the fact's (the others than the
    one it named, when they are more than one)."""
    if topic.asked_who:
        answered = tuple(p for p in topic.people if p not in topic.named)
        if answered:
            return answered
    if len(topic.named) > 1:
        return topic.named
    # "how many times did Bush send them?" then "the first guy": one of the two he sent.
    # (After "what does Chen's release mean for those in custody?", Chen is the first.)
    others = tuple(p for p in topic.people if p not in topic.named)
    return others if len(others) > 1 else topic.people


def _one_of_them(
    question: str, ws: tuple[str, ...], topic: Topic, said: str | None
) -> Reading | None:
    """ "the other one", "the second guy", "the former" (`said`): one of the last reply's
    people."""
    if said is not None:  # "what was the second guy ill with?"
        at = _ORDINALS[said]
        # After "wang's illness?", "and chen?": the first is Wang, asked about first.
        offered = tuple(_swapped(topic)) or _offered(topic)
        if len(offered) <= at:
            return None
        text = " ".join(offered[at] if w in _ORDINALS else w for w in ws if w not in _OTHER_NOUNS)
        note = f"reading \u201cthe {said}\u201d as {offered[at]}"
        return Reading(text, note, offered[at : at + 1])
    subject = _subject(topic)
    rest = [p for p in topic.people if p not in subject]
    if not rest:
        return None
    if read_again(ws):  # "what about the other one?": the last question, about them
        return _swap(topic, (rest[0],), question.strip())
    # "who's the other one?": the other person, asked about as asked
    text = " ".join(rest[0] if w in _OTHER else w for w in ws if w not in _OTHER_NOUNS)
    return Reading(text, f"reading \u201cthe other one\u201d as {rest[0]}", (rest[0],))


def _other_than(ws: tuple[str, ...], topic: Topic, named: tuple[str, ...]) -> Reading | None:
    offered = _offered(topic)
    rest = [p for p in offered if p not in named]
    if not rest or not set(named) <= set(offered):
        return None  # the one named was not offered: it is no "other one" of them
    skip = _name_words(named) | _BESIDES | _OTHER_NOUNS
    text = " ".join(rest[0] if w in _OTHER else w for w in ws if w not in skip)
    return Reading(text, f"reading \u201cthe other one\u201d as {rest[0]}", (rest[0],))


def _swap(topic: Topic, new: tuple[str, ...], typed: str) -> Reading | None:
    """The topic's question with its person replaced by `new`."""
    if not new:
        return None
    old_words: set[str] = set()
    for person in (*topic.named, *_subject(topic)):
        old_words |= set(words(person))
    base = [w for w in words(topic.question) if w not in old_words]
    text = " ".join([*base, *words(" ".join(new))])
    return Reading(text, f"reading \u201c{typed}\u201d as \u201c{text}\u201d")


class Conversations:
    """The topic of each conversation: least recently used forgotten first, and each
    forgotten after `ttl` seconds of silence."""

    def __init__(
        self,
        ttl: float = 300.0,
        max_conversations: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl
        self.max_conversations = max_conversations
        self._clock = clock
        self._topics: OrderedDict[Hashable, tuple[float, Topic]] = OrderedDict()

    def get(self, key: Hashable) -> Topic | None:
        found = self._topics.get(key)
        if found is None:
            return None
        at, topic = found
        if self._clock() - at > self.ttl:
            del self._topics[key]
            return None
        return topic

    def remember(self, key: Hashable, topic: Topic) -> None:
        earlier = self.get(key)
        if earlier is not None and not topic.before:
            topic = replace(topic, before=earlier.question, named_before=earlier.named)
        self._topics[key] = (self._clock(), topic)
        self._topics.move_to_end(key)
        while len(self._topics) > self.max_conversations:
            self._topics.popitem(last=False)

    def forget(self, key: Hashable) -> None:
        self._topics.pop(key, None)

    def __len__(self) -> int:
        return len(self._topics)
