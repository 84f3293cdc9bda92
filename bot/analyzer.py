"""Turn text into matching terms: typo-corrected, synonym-folded, stemmed, stop-words out.

The analyzer is built once from the fact base (its vocabulary and synonym table), so a
question is analysed with dictionary look-ups and, only for words the fact base has never
seen, one rapidfuzz search for the closest known word.
"""

from __future__ import annotations

import itertools
import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.textnorm import MAX_QUESTION_CHARS, STOP_WORDS, WH_WORDS, stem, without_chat_tail, words

# Chat spellings of question words.
_WH_ALIASES = {
    "whos": "who",
    "whats": "what",
    "wats": "what",
    "wheres": "where",
    "whens": "when",
    "hows": "how",
    # Fast or phonetic typing: "wat was chen's age when ..." asks "what", not "when".
    **dict.fromkeys(("wat", "wut", "wht", "whta", "waht", "wha"), "what"),
    **dict.fromkeys(("wen", "whn"), "when"),
    **dict.fromkeys(("wher", "whre"), "where"),
    "hw": "how",
    "y": "why",  # "y tho", "y did they let him go"
    "wich": "which",
    "whic": "which",
}
# Words too short for typo correction that chat shortens or misspells all the same.
# A letter typed three times or more is emphasis ("sooo"); a doubled one, sometimes ("whyy").
_STRETCH = re.compile(r"([a-z])\1{2,}")
_DOUBLE = re.compile(r"([a-z])\1")
_SHORTHAND = {
    **dict.fromkeys(("yr", "yeer", "yaer", "yer"), "year"),
    **dict.fromkeys(("yrs", "yeers", "yaers"), "years"),
    **dict.fromkeys(("mo", "mos", "mnths"), "months"),
    "govt": "government",
    "gov": "government",
    "admin": "administration",
    "pres": "president",
    "prez": "president",
    "w": "with",  # "whats wrong w chen": chat drops the slash of "w/"
}
# What kind of answer a question wants.
_KIND_OF = {"whom": "who", "whose": "who"}
# A question that opens with one of these and has no question word wants a yes or a no.
_YES_NO_OPENERS = frozenset(
    "is are was were did does do has have had can could will would should"
    " isnt arent wasnt werent doesnt dont didnt hasnt havent cant couldnt wont wouldnt".split()
)
# Chat openers before the question proper: "so did China make progress or nah".
_CHAT_OPENERS = frozenset(
    "so ok okay wait but and well also hey yo lol lmao ngl bruh tbh hmm um uh oh anyway".split()
)
_MIN_PREFIX = 5
_SPEECH_WORDS = frozenset(
    "say says said saying tell tells told telling claim claimed stated discuss discussed"
    " discusses discussing talk talked talking".split()
)
_ASKER = frozenset("you u me us i".split())
# "tell the students to ...": up to this many words between the verb and "to".
_OBJECT_WORDS = 2


# "did the admin ever say if Clinton sent someone?", "what did Clinton say he will do?":
# what the words say, a fact or an intention, is asked, not the words themselves.
_CLAUSE_OPENERS = frozenset({"if", "whether"})
_CLAUSE_SUBJECTS = frozenset({"he", "she", "they", "it", "china", "beijing"})
_CLAUSE_VERBS = frozenset({"will", "would", "wants", "want", "plans", "had", "has", "is", "was"})


def _says_a_clause(after: str, then: str) -> bool:
    return after in _CLAUSE_OPENERS or (after in _CLAUSE_SUBJECTS and then in _CLAUSE_VERBS)


@dataclass(frozen=True, slots=True)
class Analysis:
    terms: tuple[str, ...]  # content terms, in order, duplicates kept
    kind: str | None  # the answer wanted: "who", "when", ..., "yes/no", or None
    words: tuple[str, ...]  # the corrected surface words

    @property
    def asks_speech(self) -> bool:
        """Asks what someone said ("what did Christopher say in Beijing?"); "can you tell
        me ..." is only a polite way to ask, and "what did they tell people to do" asks
        what they urged, said in any words."""
        ws = self.words
        padded = ("", *ws, "", "")
        return any(
            w in _SPEECH_WORDS
            and before not in _ASKER
            and after not in _ASKER
            and "to" not in ws[i + 2 : i + 2 + _OBJECT_WORDS]
            and not _says_a_clause(after, then)
            for i, (before, w, after, then) in enumerate(
                zip(padded, padded[1:], padded[2:], padded[3:], strict=False)
            )
        )

    @property
    def name_of(self) -> str | None:
        """What a question asking for a name wants the name of: "conference" for "what is
        the name of the conference", "the conference's name" and "conference name"; ""
        when it does not say ("what's his name"); None when it asks for no name ("what did
        they call him" asks for a label; "name the groups" is an order)."""
        ws = self.words
        for i, w in enumerate(ws):
            # "what city did he go to", "where in the US": a place finer than the one named.
            if w in ("what", "which") and i + 1 < len(ws) and ws[i + 1] in _NAMED_PLACES:
                return ws[i + 1]
            if w == "where" and i + 1 < len(ws) and ws[i + 1] == "in":
                rest = [x for x in ws[i + 2 :] if x not in _DETERMINERS]
                return rest[0] if rest else None  # the place it asks within
            if w not in ("name", "names") or i == 0:
                continue
            if i + 1 < len(ws) and ws[i + 1] == "of":
                rest = [x for x in ws[i + 2 :] if x not in _DETERMINERS]
                return rest[0] if rest else ""
            before = ws[i - 1]
            return "" if before in _DETERMINERS or before in _NOT_NAMED else before
        return None


_NAMED_PLACES = frozenset({"city", "town", "state", "province", "hospital", "university"})
_DETERMINERS = frozenset(
    "the a an this that these those his her their its my your our whose".split()
)
_NOT_NAMED = frozenset("what which is was are were s full real first last".split())


# Typo correction. Shorter words are one edit from too many others ("then", "chen"): only
# two swapped neighbours are corrected there (_SWAP_ONLY_LEN).
_TYPO_MIN = 5
# Correction targets may be a letter shorter than a typo: the typo can add one.
_TARGET_MIN = 4
# From this length a typo may be two edits off: a long word keeps its shape through two.
_TWO_EDITS = 7
_NAME_TWO_EDITS = 6  # the same, for the words of a person's name
# A word this short has too many one-edit neighbours ("lord", "load", "loud"), but one
# with two neighbouring letters swapped ("lrod", "wiht") is still unmistakable.
_SWAP_ONLY_LEN = 4


class Analyzer:
    def __init__(
        self,
        synonyms: Mapping[str, Iterable[str]],
        vocabulary: Iterable[str],
        is_word: Callable[[str], bool] = lambda word: False,
        names: Iterable[str] = (),
    ) -> None:
        fact_words = {w for text in vocabulary for w in words(text)}
        known = fact_words | {w for vs in synonyms.values() for v in vs for w in words(v)}
        # Variants are keyed by their stems, so "released", "releasing" and "releases" all
        # meet the same entry however the curator spelled it. A one-word variant whose stem
        # a word of another entry shares ("confer" and "conference") is matched as written.
        entries: list[tuple[tuple[str, ...], str, str | None]] = []
        singles: dict[str, set[str]] = defaultdict(set)
        for canonical, variants in synonyms.items():
            target = "_".join(stem(w) for w in words(canonical)) or canonical
            for variant in (canonical, *variants):
                ws = words(variant)
                if ws:
                    single = ws[0] if len(ws) == 1 else None
                    entries.append((tuple(stem(w) for w in ws), target, single))
                    if single is not None:
                        singles[target].add(single)
        by_stem: dict[str, set[str]] = defaultdict(set)
        for words_of_group in singles.values():
            for w in words_of_group:
                by_stem[stem(w)].add(w)
        self._exact: dict[str, str] = {}
        self._phrases: dict[tuple[str, ...], str] = {}
        self._longest: dict[str, int] = {}  # first stem -> longest phrase starting with it
        for key, target, single in entries:
            if single is not None:
                self._exact[single] = target
                if not by_stem[key[0]] <= singles[target]:
                    continue
            self._phrases[key] = target
            self._longest[key[0]] = max(self._longest.get(key[0], 0), len(key))
        self._known = frozenset(known)
        self._is_word = is_word  # a real word is never a typo, even one letter off a fact word
        self._stems = sorted({stem(w) for w in known if len(w) >= _MIN_PREFIX})
        # Typos rarely hit the first letter, and bucketing keeps the fuzzy search small.
        # Fact words come first in each bucket, so they win ties against filler words.
        self._by_initial: dict[str, list[str]] = {}
        filler = (known - fact_words) | STOP_WORDS | WH_WORDS
        for w in [*sorted(fact_words), *sorted(filler - fact_words)]:
            if w.isalpha() and len(w) >= _TARGET_MIN:
                self._by_initial.setdefault(w[0], []).append(w)
        # The terms the article's people's names become: a title before one is dropped
        # ("President Bush"), and the ranker tells a question's people by them.
        self.name_terms: frozenset[str] = frozenset()  # analyze reads it: empty until built
        names = list(names)
        terms_of = [frozenset(self.analyze(name, fix_typos=False).terms) for name in names]
        self.name_terms = frozenset(t for terms in terms_of for t in terms)
        # Each name term with the other terms of its person's name: a fact naming any part
        # of it ("Bush", "Chen") names the "George Bush" or "Chen Ziming" a question asks
        # about. (People sharing a term would share their parts; the article has none.)
        parts: dict[str, frozenset[str]] = {}
        for terms in terms_of:
            for t in terms:
                parts[t] = parts.get(t, frozenset()) | terms
        self.name_parts = parts
        # The long words of people's names, which a typist may get two letters wrong
        # ("Clnitn", "Zmiinng"): distinctive enough to be found two edits away.
        self._names_by_initial: dict[str, list[str]] = {}
        for w in sorted({w for name in names for w in words(name) if len(w) >= _NAME_TWO_EDITS}):
            self._names_by_initial.setdefault(w[0], []).append(w)
        # Short words by their letters: a swap of two is the only typo trusted there. (The
        # people's names are in the vocabulary: their facts name them.)
        self._short_by_letters: dict[str, set[str]] = defaultdict(set)
        for w in known | STOP_WORDS | WH_WORDS:
            if len(w) == _SWAP_ONLY_LEN and w.isalpha():
                self._short_by_letters["".join(sorted(w))].add(w)

    def correct(self, word: str) -> str:
        """The closest known word for a likely typo, or the word itself."""
        if word in self._known or word in STOP_WORDS or word in WH_WORDS:
            return word
        if len(word) == _SWAP_ONLY_LEN:
            return self._unswapped(word)
        if len(word) < _TYPO_MIN:
            return word
        if not word.isalpha() or self._is_word(word):
            return word
        candidates = self._by_initial.get(word[0])
        if not candidates:
            return word
        max_dist = 1 if len(word) < _TWO_EDITS else 2  # two edits only in long words
        # OSA counts two swapped letters ("relesaed") as one edit.
        best = process.extractOne(word, candidates, scorer=OSA.distance, score_cutoff=max_dist)
        if best is None and max_dist < 2 and len(word) >= _NAME_TWO_EDITS:
            names = self._names_by_initial.get(word[0], ())
            best = process.extractOne(word, names, scorer=OSA.distance, score_cutoff=2)
        return best[0] if best is not None else word

    def _unswapped(self, word: str) -> str:
        """A short word with two neighbouring letters swapped ("lrod", "wnag", "wiht") as
        the one word it can be; a real word ("veer", not "ever") stays."""
        letters = "".join(sorted(word))
        meant = [w for w in self._short_by_letters.get(letters, ()) if OSA.distance(word, w) == 1]
        if len(meant) != 1 or self._is_word(word):
            return word
        return meant[0]

    def _known_stem(self, word_stem: str) -> str:
        """For a stem never seen, the known stem it extends ("expertis" -> "expert")."""
        if len(word_stem) <= _MIN_PREFIX:
            return word_stem
        # The longest known stem that is a prefix of this one sorts right before it.
        i = bisect_right(self._stems, word_stem)
        while i > 0:
            cand = self._stems[i - 1]
            if not word_stem.startswith(cand[:_MIN_PREFIX]):
                break
            if len(cand) >= _MIN_PREFIX and word_stem.startswith(cand):
                return cand
            i -= 1
        return word_stem

    def _join_particles(self, surface: list[str]) -> list[str]:
        """The words with a phrasal verb's particle moved back beside its verb ("let Chen
        go" -> "let go Chen", "locked him up" -> "locked up him"), so the synonym table's
        two-word phrase is recognised."""
        out = list(surface)
        for i in range(len(out) - 2):
            if out[i] in STOP_WORDS and out[i] not in _PHRASAL_VERBS:
                continue
            for j in range(i + 2, min(i + 2 + _PARTICLE_GAP, len(out))):
                if out[j] in _NOT_AN_OBJECT:
                    break
                # Stemmed only once a particle is found: most questions have none.
                if out[j] in _PARTICLES and (stem(out[i]), stem(out[j])) in self._phrases:
                    out.insert(i + 1, out.pop(j))
                    break
        return out

    def _full_year(self, word: str) -> str:
        """ "in 92" means 1992 when the facts know the year; "the 70s" and "the seventies"
        are the 1970s."""
        if len(word) == 2 and word.isdigit() and (year := "19" + word) in self._known:
            return year
        return _DECADES.get(word) or _decade_of(word) or word

    def _unstretched(self, word: str) -> str:
        """A word stretched for emphasis ("whyyy", "sooo", "realllly", "whyy") as meant."""
        if word in self._known or word in STOP_WORDS or word in WH_WORDS:
            return word
        if _STRETCH.search(word):
            two = _STRETCH.sub(r"\1\1", word)
            if two in self._known or two in STOP_WORDS or self._is_word(two):
                return two
            return _STRETCH.sub(r"\1", word)
        once = _DOUBLE.sub(r"\1", word)
        return once if once in WH_WORDS else word

    def analyze(self, text: str, *, fix_typos: bool = True) -> Analysis:
        raw = [
            self._full_year(_WH_ALIASES.get(w) or _SHORTHAND.get(w) or self._unstretched(w))
            for w in words(unwrap(text))
        ]
        raw = _without_idioms(raw)
        # "the late seventies": the decade is the term; how late in it is not.
        raw = [
            w
            for i, w in enumerate(raw)
            if not (w in _DECADE_PARTS and i + 1 < len(raw) and raw[i + 1] in DECADE_TERMS)
        ]
        # "Could you please describe ...": the politeness asks nothing.
        if len(raw) > 2 and raw[0] in _POLITE and raw[1] in ("you", "u"):
            raw = raw[3:] if raw[2] == "please" else raw[2:]
        # "Describe Oksenberg's role", "tell me who ...": an instruction is a question;
        # "summarize the article" asks for the summary, "summarize the order" about the order.
        if raw and raw[0] in _SUMMARIZE and not all(w in STOP_WORDS for w in raw[1:]):
            raw = ["what", *raw[1:]]
        if len(raw) > 1 and raw[0] in _IMPERATIVES:
            rest = raw[2:] if raw[1] in ("me", "us") else raw[1:]
            raw = rest if rest and rest[0] in WH_WORDS else [_IMPERATIVES[raw[0]], *rest]
        typed = [self.correct(w) for w in raw] if fix_typos else raw
        surface = self._join_particles(typed)  # for the terms; the words keep their order
        stems = [stem(w) for w in surface]
        kind = _kind(surface)
        raw_kind = _kind(raw)  # the skips below read the words as typed
        terms: list[str] = []
        i = 0
        while i < len(surface):
            longest = max(self._longest.get(stems[i], 0), 1)
            for size in range(min(longest, len(surface) - i), 0, -1):
                target = self._phrases.get(tuple(stems[i : i + size]))
                if size == 1:  # a one-word variant as written wins over a shared stem
                    target = self._exact.get(surface[i]) or (
                        None if surface[i] in STOP_WORDS else target  # "concerning": no "concern"
                    )
                if target is not None:
                    if target not in STOP_WORDS:  # "end up" means "go": filler
                        terms.append(target)
                    i += size
                    break
            else:
                word = surface[i]
                if word in WH_WORDS:
                    pass  # the question word sets the kind (see _kind), not a term
                elif (
                    (word in DATE_WORDS or word in _DURATION_WORDS)
                    and i > 0
                    and surface[i - 1] in ("what", "which")
                ) or (word in ("span", "frame") and i > 0 and surface[i - 1] == "time"):
                    pass  # "what year ...", "what period": only asks for a date or a duration
                elif word in _PLACE_WORDS and raw_kind == "where":
                    pass  # "which country ...": only asks for a place (see _kind)
                elif word in ("year", "date") and i == len(surface) - 1 and raw_kind == "when":
                    pass  # "chen arrest year": a keyword question asking for a date
                elif word in ("long", "soon") and i > 0 and surface[i - 1] == "how":
                    pass  # "how long ...": only asks for a duration (see _kind)
                elif word not in STOP_WORDS and not _unknown_adverb(word, self._known):
                    if word in self._known:
                        terms.append(stems[i])
                        if _YEAR.fullmatch(word):  # 1979 is in the late seventies too
                            terms.append(word[:3] + "0s")
                    else:
                        term = self._known_stem(stems[i]) if fix_typos else stems[i]
                        terms.append(self._phrases.get((term,), term))
                i += 1
        return Analysis(self._untitled(terms), kind, tuple(typed))

    def _untitled(self, terms: list[str]) -> tuple[str, ...]:
        """The terms without a title directly before a name: "President Bush" asks about
        Bush, and "president" would otherwise weigh as a subject the fact never mentions."""
        return tuple(
            t
            for i, t in enumerate(terms)
            if not (t in _TITLES and i + 1 < len(terms) and terms[i + 1] in self.name_terms)
        )


# "What's the deal with Wang?" asks about Wang: no deal, and no way of "dealing with" him.
# "Chen's release relative to other gestures", "in relation to": no diplomatic relations.
# "What is the US to China in terms of trade?": no terms of the executive order.
_IDIOMS = {
    ("the", "deal", "with"): ("about",),
    ("relative", "to"): ("about",),
    ("in", "relation", "to"): ("about",),
    ("with", "relation", "to"): ("about",),
    ("in", "terms", "of"): ("about",),
}

_CLEFTS = frozenset(
    {("it", "was", "that"), ("was", "it", "that"), ("is", "it", "that"), ("it", "is", "that")}
)

# A decade ("the 70s", "the late seventies") is a term of its own, which every year of it
# carries too: "the magazine he started in the late seventies" finds 1979.
_YEAR = re.compile(r"1[89]\d\d|20\d\d")
_DECADES = {
    f"{name}ies": f"19{n}0s"
    for n, name in enumerate(
        ("twent", "thirt", "fort", "fift", "sixt", "sevent", "eight", "ninet"), start=2
    )
}
# Every decade a year of _YEAR falls in, so that each one weighs as a decade.
DECADE_TERMS = frozenset(f"{c}{n}0s" for c in ("18", "19", "20") for n in range(10))
_DECADE_PARTS = frozenset({"late", "early", "mid"})


def _decade_of(word: str) -> str | None:
    """ "70s", "1970s" -> "1970s"."""
    if re.fullmatch(r"(?:19)?[1-9]0s", word):
        return "19" + word[-3:]
    return None


def _without_idioms(raw: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(raw):
        if out and out[-1] in WH_WORDS and tuple(raw[i : i + 3]) in _CLEFTS:
            i += 3  # "when was it that they met?" asks "when they met?"
            continue
        for idiom, meaning in _IDIOMS.items():
            if tuple(raw[i : i + len(idiom)]) == idiom:
                out.extend(meaning)
                i += len(idiom)
                break
        else:
            out.append(raw[i])
            i += 1
    return out


def _unknown_adverb(word: str, known: frozenset[str]) -> bool:
    # "completely", "honestly": manner words the facts never use say nothing about the
    # subject, so they must not make the bot refuse.
    base = word[:-2]  # "complete"-ly; "family" (fami-) is no adverb
    return word.endswith("ly") and len(base) >= 5 and base[-1] not in "aiouy" and word not in known


# Titles that name no subject of their own when a name follows ("President Clinton").
_TITLES = frozenset(stem(w) for w in "president mr mrs ms dr senator".split())

# A phrasal verb's object sits between it and its particle ("let the two men go"): up to
# three words, none of them a word that starts a new clause or phrase.
_PARTICLE_GAP = 3
_NOT_AN_OBJECT = frozenset(
    "to and or but that which who whom when where why how if because so than as in on at"
    " for with of from by into about after before during".split()
)
# What ends a phrasal verb: "let ... go", "lock ... up", "set ... free".
_PARTICLES = frozenset("up out down off away back over free loose go".split())
# Verbs the stop-word list holds that still make a phrase with a particle ("let ... go").
_PHRASAL_VERBS = frozenset("let set put".split())


_HAPPEN = frozenset({"happen", "happens", "happened", "happening"})
_BECOME = frozenset({"become", "became"})  # "what became of Beijing Spring?"
DATE_WORDS = frozenset({"year", "month", "date", "day", "time", "point", "moment"})
_SPANS = (["span"], ["frame"], ["period"])  # after "what time"
# A place noun before one of these is no place: "what prison term did he get?"
_SPELL_WORDS = frozenset({"term", "terms", "sentence", "sentences", "time", "stay"})
_DURATION_WORDS = frozenset({"period", "timeframe", "timespan", "span", "duration", "length"})
_PLACE_WORDS = frozenset({"country", "city", "place", "location", "nation", "town", "site"})
_WHO_NOUNS = frozenset({"individual", "individuals", "person", "persons"})
_POLITE = frozenset({"can", "could", "would", "will"})
_SUMMARIZE = frozenset({"summarize", "summarise", "outline"})
# An instruction that opens a question, and the question word it stands for.
_IMPERATIVES = {
    **dict.fromkeys(
        "describe explain state define discuss specify give"
        " provide tell show assess list quote detail characterize characterise recount".split(),
        "what",
    ),
    **dict.fromkeys("identify name".split(), "which"),
    "locate": "where",
}
# Places that are also what the question is about ("which prison held Wang?").
# Kinds of place a question may ask for by name ("which prison"): the answer must be one.
PLACE_NOUNS = frozenset({"prison", "jail", "hospital", "clinic", "university", "school", "square"})
_WHERE_NOUNS = _PLACE_WORDS | PLACE_NOUNS
_AMOUNT_WORDS = frozenset({"many", "much", "often", "far", "big", "large"})
_NUMBER_WORDS = frozenset({"rate", "rates", "percentage", "percent", "proportion", "number"})
# "for what period": the noun says what is asked, not "why".
_WHAT_NOUNS = DATE_WORDS | _DURATION_WORDS | _NUMBER_WORDS | _WHERE_NOUNS


# The frame people put around a question ("I was hoping someone could clarify who ...",
# "sorry to bother you, but ...", "any chance you know when ..."): words of asking,
# knowing and politeness, the asker and the asked. A frame has at least one of _FRAME_CORE;
# the rest may be any word that asks nothing (STOP_WORDS).
_FRAME_CORE = frozenset(
    """i im id ive me my you u ya someone somebody anyone anybody everyone guys folks
    possible possibly able ask asking wonder wondering hoping hope clarify understand
    figure find remind remember recall forget forgetting forgot sure unsure unclear confused
    love appreciate appreciated help bother sorry trouble chance meaning keep trying
    maybe perhaps kindly grateful kind inquire enquire indicate specify state elaborate
    confirm record knowledge information provided text account described based reference
    reported per mind reminding telling explaining fill missed miss curious rush hurry
    mentions mention mentioned covers covered curiosity interested interest learn clear
    random question questions we""".split()
)
_FRAME_WORDS = _FRAME_CORE | frozenset(
    """be able out bit little entirely quick one los angeles times friend advance sense makes
    much whether if wrong right correct obvious silly dumb stupid basic simple lost checking
    check understanding ignorance forgive excuse pardon want wanted hoped double newbie new
    here isnt probably misremembering misremember mistaken forgetful rusty when get piece
    article roughly approximately followed fuzzy hazy lot class course homework essay
    assignment project civics walk through shed light spell break down share point sum
    lay brief enlighten run go over recap knowing odd weird la lat paper newspaper say says
    explain explains story offhand handy top head""".split()
)
# "What I'd like to know is ...": who may ask in a frame that opens with a question word.
_CLEFT_ASKERS = frozenset({"i", "id", "im", "we"})
# "Does the piece say why ...": the article and what it says, before the question word.
# ("The piece: who wrote it?" names the piece as its subject: no verb of saying.)
_SOURCE_NOUNS = frozenset("article piece story report text".split())
_SOURCE_VERBS = frozenset(
    "say says said mention mentions explain explains tell tells cover covers state states".split()
)
_LEAD_WORDS = _FRAME_WORDS | STOP_WORDS | _SOURCE_NOUNS | _SOURCE_VERBS
_PURPOSE_MAX = 120  # characters: "..., for my political science class"
_MAX_FRAMES = 3  # frames taken off each end: people do not stack more
# After the question: "..., if you know", "... asking for a friend", "thanks in advance".
_TAIL_CORE = _FRAME_CORE | frozenset("thanks thank thx ty cheers curious sense".split())
_TAIL_SPLIT = re.compile(
    r"[,;:?!]+|\s[-\u2013\u2014]+\s|\s(?=(?:if|thanks|thank|thx|pls|please|asking)\b)"
)
_SPLIT = re.compile(r"[,:;]|\s[-\u2013\u2014]+\s")
# "... for my class": why they ask, not what.
_PURPOSE = re.compile(
    r"(?:\s*,)?\s+for (?:my|our) (?:\w+ )?(?:class|course|homework|essay|assignment"
    r"|project|paper|exam|test|quiz|presentation|discussion|seminar)\b\W*$",
    re.IGNORECASE,
)


@lru_cache(maxsize=4096)  # read by the analyzer and again by the matcher's form checks
def unwrap(text: str) -> str:
    """The question inside a frame that asks nothing of its own: "could I ask who Chen
    is?" is "who Chen is?"; "sorry to bother you, but was Chen freed?" is "but was Chen
    freed?". Text without such a frame is returned as it is."""
    text = text[:MAX_QUESTION_CHARS]
    end = max(0, len(text) - _PURPOSE_MAX)  # only the end can hold it: no quadratic search
    text = text[:end] + _PURPOSE.sub("", text[end:])
    for _ in range(_MAX_FRAMES):  # a frame after the question
        body = text.rstrip(" ?!.,;:-")
        seps = list(_TAIL_SPLIT.finditer(body))
        if not seps or not _is_frame(words(body[seps[-1].end() :]), _TAIL_CORE):
            break
        text = body[: seps[-1].start()].rstrip(" ,;:-")
    for _ in range(_MAX_FRAMES):  # a frame before a comma, a colon or a dash
        sep = _SPLIT.search(text)
        if sep is None or not _is_frame(words(text[: sep.start()])):
            break
        text = text[sep.end() :]
    ws = words(text)
    # The question starts at the last question word the frame runs up to: "I was wondering
    # whether you could tell me how ..." asks how.
    start = 0
    # "What I want to know is why ...": a frame that opens with "what"; the question comes
    # later.
    cleft = ws[:1] == ("what",) and len(ws) > 1 and ws[1] in _CLEFT_ASKERS
    for i, w in enumerate(ws):
        if w in WH_WORDS or w in _WH_ALIASES or w == "whether":
            if i == 0 and cleft:
                continue
            if not (i and _leads_to_question(ws[int(cleft) : i])):
                break
            start = i
    return " ".join(ws[start:]) if start else text


def _leads_to_question(ws: tuple[str, ...]) -> bool:
    """Is this all that comes before the question word a frame: asking words, or the
    article and what it says ("does the piece say")?"""
    if _is_frame(ws):
        return True
    said = bool(set(ws) & _SOURCE_NOUNS) and bool(set(ws) & _SOURCE_VERBS)
    return said and all(w in _LEAD_WORDS for w in ws)


def _is_frame(ws: tuple[str, ...], core: frozenset[str] = _FRAME_CORE) -> bool:
    return (
        bool(ws)
        and all(w in _FRAME_WORDS or w in STOP_WORDS for w in ws)
        and any(w in core for w in ws)
    )


# "Do you happen to know ...": a wrapper, not a question about what happened.
_HAPPEN_TO_VERBS = frozenset("know remember recall have be".split())
# "Do you know if Chen was ill": this "if" is "whether", not a condition.
_WHETHER_VERBS = frozenset(
    """know knows wondering wonder wondered sure ask asking asked tell check see curious say
    says said confirm confirmed announce announced reveal revealed mention mentioned""".split()
)


# "Sorry if I missed it", "if I remember right": a hedge about the asker, not a condition.
_HEDGE_BEFORE_IF = frozenset("sorry apologies apologise apologize forgive pardon excuse".split())
_ASKER_AFTER_IF = frozenset("i im ive id".split())
_SPECIFIC_WH = frozenset("who whom whose when where how".split())


def _conditional(raw: list[str]) -> bool:
    """Does the question ask what follows from a condition ("what happens if China ...")?
    "How long would it be renewed if China met the terms?" still asks how long."""
    return any(
        w == "if"
        and (i == 0 or raw[i - 1] not in _WHETHER_VERBS | _HEDGE_BEFORE_IF)
        and not _ASKER_AFTER_IF.intersection(raw[i + 1 : i + 2])
        and not _SPECIFIC_WH.intersection(raw[:i])
        for i, w in enumerate(raw)
    )


_BE = frozenset("is was are were".split())


# Done to someone, for a reason; "what was China asked for?" asks what, "what was the
# meeting scheduled for?" when.
_PASSIVE_IRREGULAR = frozenset("held sent put caught kept thrown taken beaten".split())
_NOT_FOR_A_REASON = frozenset("asked scheduled planned slated set named called".split())


def _for_a_deed(rest: list[str]) -> bool:
    """ "Chen sentenced for", "he locked up for tho": a passive verb, then a closing "for"."""
    rest = without_chat_tail(rest)
    if len(rest) < 3 or rest[-1] != "for":
        return False
    verb = rest[-3] if rest[-2] in _PARTICLES else rest[-2]
    if verb in _NOT_FOR_A_REASON:
        return False
    return verb.endswith("ed") or verb in _PASSIVE_IRREGULAR


def _kind(raw: list[str]) -> str | None:
    # "What happens if ...", "what happened to ...", "what became of ...": the answer is a
    # consequence or a fate, whatever the question word.
    if (
        _conditional(raw)
        or any(
            (w in _HAPPEN and nxt in ("to", "at", "during") and after not in _HAPPEN_TO_VERBS)
            or (w in _BECOME and nxt == "of")
            for w, nxt, after in zip(raw, [*raw[1:], ""], [*raw[2:], "", ""], strict=False)
        )
        or raw[-2:] in (["what", "happened"], ["what", "happens"])
    ):  # "journal what happened"
        return "outcome"
    for i, (word, nxt) in enumerate(itertools.pairwise([*raw, ""])):
        if word in ("what", "which") and nxt == "time" and raw[i + 2 : i + 3] in _SPANS:
            return "how long"  # "over what time span": a duration, not a date
        if word in ("what", "which") and nxt in DATE_WORDS:  # "what year ...": a date
            return "when"
        if word in ("what", "which") and nxt in _WHERE_NOUNS:  # "which country", "which prison"
            if raw[i + 2 : i + 3] and raw[i + 2] in _SPELL_WORDS:
                return "how long"  # "what prison term", "what jail sentence": a duration
            return "where"
        if word == "what" and nxt == "for":  # "what for?": a reason
            return "why"
        if word == "what" and nxt in _BE and _for_a_deed(raw[i + 2 :]):
            return "why"  # "what was Chen jailed for?": the reason he was
        if (
            word == "for"
            and nxt == "what"
            and raw[0] in ("for", "and", "but", "so")
            and (raw[i + 2] if i + 2 < len(raw) else "") not in _WHAT_NOUNS
        ):
            return "why"  # "for what?", "and for what?": a reason too ("for what period": not)
        if ((word, nxt) == ("to", "what") and raw[i + 2 : i + 3] == ["end"]) or (
            (word, nxt) == ("do", "what") and raw[max(0, i - 1) : i] == ["to"]
        ):
            return "why"  # "to what end?", "to do what?": a purpose
        if word == "what" and raw[-2:] == ["to", "do"] and "sent" in raw:
            return "why"  # "what was the emissary sent to Beijing to do?": a purpose
        if word in ("what", "which") and (nxt in _WHO_NOUNS or "identity" in raw[i + 1 : i + 4]):
            return "who"  # "which individuals did China free", "what is the identity of"
        if word in ("what", "which") and nxt in _DURATION_WORDS:  # "over what period": how long
            return "how long"
        if word == "how" and nxt == "soon":  # "how soon ...": a time
            return "when"
        if word == "how" and nxt == "come":  # "how come they let him go?": a reason
            return "why"
        if word == "how" and nxt in ("long", "old"):  # "how long ...": a duration; an age
            return f"how {nxt}"
        if word == "where" and raw[-1] == "from":  # "where is he from": an origin
            return "where from"
        if word == "how" and nxt in _AMOUNT_WORDS:  # "how many ...": a number
            return "how many"
        if word in ("what", "which") and _NUMBER_WORDS.intersection(raw[i + 1 : i + 4]):
            return "how many"  # "what tariff rate ...", "what is the number of ...": a number
        if word in WH_WORDS:
            return _KIND_OF.get(word, word)
    opener = next((w for w in raw if w not in _CHAT_OPENERS), "")
    if opener in _YES_NO_OPENERS or raw[-2:] in (["or", "nah"], ["or", "not"], ["or", "no"]):
        return "yes/no"
    if any(w in ("whether", "if") for w in raw):  # "I wonder if Chen was ill"
        return "yes/no"
    if raw and raw[-1] in ("year", "date", "dates", "timing", "timeframe", "when"):
        return "when"  # "chen arrest year", "missions timing": keywords asking for a date
    return None
