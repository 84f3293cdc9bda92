"""Text normalisation shared by fact loading and matching.

Everything here is pure and deterministic. Questions and fact text go through the
same pipeline, so a curator's phrasing and a user's typing meet in the same form.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

import snowballstemmer

# Hard cap on what we normalise: nobody asks a 100,000-character question, and the
# matcher must stay fast whatever is pasted into it.
MAX_QUESTION_CHARS = 2000

_QUOTE_MAP = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201b": "'",
        "\u2032": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201f": '"',
        "\u2013": "-",
        "\u2014": "-",
    }
)
_POSSESSIVE = re.compile(r"(?<=\w)'s\b")
_CONTRACTION = re.compile(r"(?<=\w)'(?:re|ve|ll|d|m|t)\b")
_APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)")
_WORD = re.compile(r"[^\W_]+")
# Chat shorthand a slash would split into stray letters: "what's wrong w/ chen", "b/c".
# Not "w/e" (whatever), nor a "w/" inside a longer slashed word ("news/w/").
_SLASHED = re.compile(r"(?<![\w/])(w/o\b|w/(?!e\b)|b/c\b)")
_SLASHED_AS = {"w/o": " without ", "w/": " with ", "b/c": " because "}
# Laughter and hesitation however long it is typed ("hahaha", "lmaooo", "ummm", "hmmmm"):
# no word of a question.
_INTERJECTION = re.compile(
    r"(?:a?h[ae]){2,}h?|(?:he){2,}|(?:lo)+l+|lmf?a+o+|ro+f+l+|u+m+|h+m+|u+h+|e+r+m+|a+h+|o+h+"
)
# Discord markup is not part of a question: user, role and channel mentions, custom emoji,
# @everyone and @here.
_DISCORD_MARKUP = re.compile(r"<(?:@[!&]?|#)\d+>|<a?:\w+:\d+>|@(?:everyone|here)\b")

WH_WORDS = frozenset({"who", "what", "when", "where", "why", "how", "which", "whom", "whose"})

# Words that carry no meaning for matching. Chat filler and greetings are here too, so
# "hey bot, who founded beijing spring??" is the same question as "who founded beijing spring".
# The content words that remain ("name", "time", "many", "day", "mean", ...) are here because
# the training batches say so: taking any one of them out costs right answers or adds wrong
# ones. The 53 whose removal cost nothing or helped ("called", "women", "details",
# "mentioned", ...) were taken out together (+4 right, -2 wrong on 1,973 training questions,
# the dev set unchanged); the fitted decision weighs such words instead. The other way
# round, of the English words the blind batches' questions use twice or more and the fact
# base never does, the formal and learner frames that helped and cost nothing went in
# ("with respect to", "ongoing", "prior", "stay", "example", "objective": +15 right, no
# wrong, the dev set unchanged), then chat's "confused", "actually", "all of a sudden" and
# formal "upon", "suggest", "intended" (+8 right on the blind training batches, no wrong).
# A later round's batches (t-w, y, ad) added formal qualifiers and hedges that three or
# more batches used ("legal", "signify", "attribute", "broader", "in what manner", "with
# regard to", "originally", "newly", "remained in custody", "sorry if ...": +26 right on
# the training batches, no wrong, team and dev unchanged). "In a nutshell" asks for the
# short answer, which every answer is ("tldr" is a question of its own here).
STOP_WORDS = (
    frozenset(
        """
    a about above after again against all also am an and any are aren as at be because been
    before being below between both but by can cannot could couldn did didn do does doesn doing
    don down during each few for from further had hadn has hasn have haven having he her here
    hers herself him himself his i if in into is isn it its itself just let me more most my
    myself no nor not of off on once only or ought our ours ourselves out over own
    same she should so some such than that the their theirs them themselves then there these
    they this those through to too under until up very was wasn we were weren while with won
    would wouldn you your yours yourself yourselves s t re ve ll d m
    hey hi hello hiya yo heya greetings bot please pls plz thanks thank thx ty cheers ok okay
    tell explain know wondering wonder curious quick question questions q anyone somebody
    someone say says said mean actually really exactly basically like kind sort
    article story news report reported according lol btw um uh hmm
    get got go goes going gone went thing things time times
    enough much many lots supposed meant
    put puts putting give gave given gives come came comes see saw seen look looks looked
    use used become became seem seems seemed ever even name
    true truly right heard hear read day today tonight
    deal u ur r abt bc cuz bout outta wat wut background info bio quote
    quotes quoted think thinks thought believe believes feel play phrase phrases
    toward towards regarding concerning good great nice cool sup
    doesnt dont didnt isnt wasnt arent werent wont cant couldnt wouldnt shouldnt hasnt havent hadnt
    saying telling explaining knowing thinking hold holds holding held
    reporter reporters journalist journalists press media
    whether need needs since yet anything everything something along well shall may
    might must morning afternoon evening yesterday tomorrow
    known compare compared connected
    reading guy guys dude folks wait whole stuff wise lately else back remember recall anybody
    receive received pro
    man men anywhere somewhere involve involvement per
    apply applied duration individual individuals identity identities together measure
    statement statements remark remarks
    attach attached among
    offer offered provide provides
    cite
    reportedly allegedly apparently
    istg wow yah qq eli5 alright sis bestie
    ngl tbh tho though bruh lowkey highkey smth sth nah lmao lmfao rofl idk imo imho iirc afaik fyi
    fr rn kinda sorta gonna wanna gotta yall yeah yep yup nope omg wtf ikr anyway anyways
    idea forgot forget remind mind happen wondered ppl n srsly literally
    honestly seriously totally super pretty quite rather still already
    respect ongoing prior preceding stay example objective objectives
    confused sudden suddenly actual real upon suggest suggests intend intended
    hm hmmm ah ahh oh ooh eh meh huh welp aight w lost
    standing parties certain seek will fill track earlier court throw recently surrounding
    tryna lemme gimme dunno ya rly lmk nvm thru
    bro bros fam srs smh af asf deadass ye yea da dat lil
    legal within signify attribute broader manner regard period actions originally remained
    newly sorry hardcore behalf nutshell otherwise
    """.split()
    )
    - WH_WORDS
)

# Words that say a little about what is asked ("what happened to ...") but not enough to
# refuse a question over: they weigh little, whatever their rarity.
LIGHT_WORDS = frozenset(
    """happens happened happening want wants wanted try tried trying adopt
    adopted people person help helps helped last lasted lasting date dates acronym produce
    produces produced yield achieve
    achieved achieves accomplish accomplished""".split()
)

# Chat words a question may end on after what it asks: "... locked up for tho", "... lol".
_CHAT_TAILS = frozenset(
    "lol lmao tho though then really even exactly rn fr bro ngl tbh smh".split()
)


def without_chat_tail(ws: Sequence[str]) -> list[str]:
    """The words without the chat words they end on ("... for it lol" -> "... for it")."""
    end = len(ws)
    while end and ws[end - 1] in _CHAT_TAILS:
        end -= 1
    return list(ws[:end])


def asks_which_of(ws: Sequence[str]) -> bool:
    """Does the question ask which one of several ("which of X and Y", "either of them")?"""
    return "either" in ws or ("which", "of") in itertools.pairwise(ws)


_stemmer = snowballstemmer.stemmer("english")


def fold(text: str) -> str:
    """Unicode-normalise, case-fold and straighten quotes; keeps punctuation."""
    text = unicodedata.normalize("NFKC", text[:MAX_QUESTION_CHARS])
    return text.translate(_QUOTE_MAP).casefold()


@lru_cache(maxsize=32768)
def words(text: str) -> tuple[str, ...]:
    """Split folded text into words: possessives and contractions dropped, "u.s." kept whole."""
    text = _DISCORD_MARKUP.sub(" ", fold(text))
    text = _SLASHED.sub(lambda m: _SLASHED_AS[m.group(1)], text)
    text = _POSSESSIVE.sub("", text)
    text = _CONTRACTION.sub("", text)
    text = _APOSTROPHE.sub("", text)
    # "U.S." and "D.C." become one word before punctuation splits them apart.
    text = re.sub(r"\b((?:[^\W\d_]\.){2,})", lambda m: m.group(1).replace(".", ""), text)
    return tuple(w for w in _WORD.findall(text) if not _INTERJECTION.fullmatch(w))


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return _stemmer.stemWord(word)


def squash(text: str) -> str:
    """Whitespace-folded, case-folded text: how quotes are compared with the article."""
    return " ".join(fold(text).split())


# A name a text puts in quotes: "black hand", "most favored nation".
QUOTED_TERM = re.compile(r'"([^"]{1,40})"')

# A sentence ends at . ! or ? (and a closing quote) before a space, but not after an
# initial ("U.S.", "S.").
SENTENCE_END = re.compile(r"(?<![.\s]\w[.])(?<=[.!?])[\"']?\s+")


def sentences_around(paragraph: str, quote: str) -> str:
    """The whole sentences of `paragraph` that `quote` is part of, as written; `quote` itself
    when the paragraph does not hold it."""
    start = paragraph.find(quote) if quote else -1
    if start < 0:
        return quote
    end = start + len(quote)
    first, last = 0, len(paragraph)
    for gap in SENTENCE_END.finditer(paragraph):
        stop = gap.start() + len(gap.group().rstrip())  # after a closing quote mark
        if stop <= start:
            first = gap.end()
        elif stop >= end:  # a quote may end on the closing quote mark
            last = stop
            break
    return paragraph[first:last].strip()
