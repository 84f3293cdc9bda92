"""The curator's report: what people asked, what went unanswered, what they disliked."""

from __future__ import annotations

import re
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from rapidfuzz import fuzz, process, utils

from bot.factbase import FactBase
from bot.matcher import Matcher
from bot.storage import Row

_SINCE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([mhdw])\s*$")
_UNIT_SECONDS = {"m": 60, "h": 3600, "d": 86_400, "w": 604_800}
ALL_TIME = 100 * 365.25 * 86_400  # any longer period reaches back before the first row
GROUP_SIMILARITY = 80.0  # token-set similarity (0-100) at which two questions are one group
PICK_WINDOW_SECONDS = 600.0  # a pick this soon after a missed question is its answer
CANDIDATES = 5  # facts offered for teaching one missed question


def parse_since(text: str) -> float:
    """'7d', '24h', '30m', '2w' -> seconds; a period longer than the log can hold means
    everything (ALL_TIME)."""
    m = _SINCE.match(text)
    if not m:
        raise ValueError(f"cannot read {text!r} as a period: use e.g. 30m, 24h, 7d or 2w")
    seconds = float(m.group(1)) * _UNIT_SECONDS[m.group(2)]
    if seconds <= 0:
        raise ValueError(f"the period {text!r} is empty: use e.g. 30m, 24h, 7d or 2w")
    return min(seconds, ALL_TIME)


def describe_period(seconds: float) -> str:
    """'30 minutes', '24 hours', '2 weeks', 'all time': in the largest whole unit."""
    if seconds >= ALL_TIME:
        return "all time"
    units = (("week", 604_800), ("day", 86_400), ("hour", 3600), ("minute", 60), ("second", 1))
    for unit, size in units:
        count = seconds / size
        if count >= (2 if unit == "week" else 1) and count.is_integer():  # "7 days", not "1 week"
            return f"{count:,.0f} {unit}{'' if count == 1 else 's'}"
    return f"{seconds:,.1f} seconds"


@dataclass
class MissGroup:
    question: str  # the most asked wording
    count: int
    wordings: list[str]
    nearest_fact: str | None
    nearest_question: str | None
    nearest_score: float
    # Why its questions were missed: said not in the article, asked back, 👎, "none of these".
    unanswered: int = 0
    clarified: int = 0
    down: int = 0
    none_of_these: int = 0
    # Facts people picked right after asking (a button, or a number in the console), most
    # picked first: the strongest suggestion for what the question meant.
    picked: dict[str, int] = field(default_factory=dict)
    # Facts to teach the question to, strongest first: the picked, then the nearest.
    candidates: list[str] = field(default_factory=list)


@dataclass
class FactStat:
    fact_id: str
    question: str
    asked: int
    up: int
    down: int


@dataclass
class Report:
    since_seconds: float
    total: int = 0
    answered: int = 0
    ambiguous: int = 0
    abstained: int = 0  # "the article doesn't say"
    clarified: int = 0  # asked back "did you mean"
    help: int = 0
    askers: int = 0
    none_of_these: int = 0
    answer_rate: float = 0.0
    misses: list[MissGroup] = field(default_factory=list)
    most_down: list[FactStat] = field(default_factory=list)
    most_asked: list[FactStat] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


_MISSED = frozenset({"abstained", "not_in_article", "clarify"})


def group_questions(questions: list[str], threshold: float = GROUP_SIMILARITY) -> list[list[str]]:
    """Near-duplicate questions together, biggest group first (greedy, by frequency)."""
    counts = Counter(" ".join(q.split()) for q in questions if q.strip())
    distinct = [q for q, _ in counts.most_common()]
    keys = [utils.default_process(q) for q in distinct]
    free = dict(enumerate(keys))  # not yet in a group
    groups: list[list[str]] = []
    for i in range(len(distinct)):
        if i not in free:
            continue
        hits = process.extract(
            keys[i],
            free,
            scorer=fuzz.token_set_ratio,
            processor=None,
            score_cutoff=threshold,
            limit=None,
        )
        members = sorted({i, *(j for _, _, j in hits)})
        for j in members:
            free.pop(j, None)
        groups.append([q for j in members for q in [distinct[j]] * counts[distinct[j]]])
    groups.sort(key=len, reverse=True)
    return groups


def build_report(rows: list[Row], matcher: Matcher, since_seconds: float, top: int = 10) -> Report:
    report = Report(since_seconds=since_seconds, total=len(rows))
    outcomes = Counter(r.outcome for r in rows)
    report.answered = outcomes["answered"]
    report.ambiguous = outcomes["ambiguous"]
    # Rows logged before clarifications existed say "abstained".
    report.abstained = outcomes["abstained"] + outcomes["not_in_article"]
    report.clarified = outcomes["clarify"]
    report.help = outcomes["help"]
    report.askers = len({r.user_hash for r in rows if r.user_hash})
    report.none_of_these = sum(1 for r in rows if r.votes_none)
    questions = report.total - report.help
    if questions:
        report.answer_rate = round(100.0 * (report.answered + report.ambiguous) / questions, 1)

    factbase = matcher.factbase
    missed: dict[str, list[int]] = {}  # wording -> indexes of its rows
    for i, r in enumerate(rows):
        if _missed(r, factbase):
            missed.setdefault(" ".join(r.question.split()), []).append(i)
    picks = _picks(rows, factbase)
    for group in group_questions([q for q, rs in missed.items() for _ in rs])[:top]:
        nearest = matcher.nearest(group[0])
        miss = MissGroup(
            question=group[0],
            count=len(group),
            wordings=sorted(set(group)),
            nearest_fact=nearest[0].id if nearest else None,
            nearest_question=nearest[0].display_question if nearest else None,
            nearest_score=round(nearest[1], 1) if nearest else 0.0,
        )
        picked: Counter[str] = Counter()
        for wording in miss.wordings:
            for i in missed[wording]:
                _count_why(miss, rows[i])
                if i in picks:
                    picked[picks[i]] += 1
        miss.picked = dict(picked.most_common())
        ranked = matcher.ranker.rank(matcher.analyzer.analyze(group[0]), top=CANDIDATES)
        ids = [*miss.picked, *(factbase.facts[c.index].id for c in ranked.candidates)]
        miss.candidates = [i for i in dict.fromkeys(ids) if factbase.get(i)][:CANDIDATES]
        report.misses.append(miss)

    stats: dict[str, FactStat] = {}
    for r in rows:
        if r.fact_id is None:
            continue
        fact = matcher.factbase.get(r.fact_id)
        stat = stats.setdefault(
            r.fact_id, FactStat(r.fact_id, fact.display_question if fact else "(removed)", 0, 0, 0)
        )
        stat.asked += 1
        stat.up += r.votes_up
        stat.down += r.votes_down
    report.most_asked = sorted(stats.values(), key=lambda s: (-s.asked, s.fact_id))[:top]
    report.most_down = sorted(
        (s for s in stats.values() if s.down), key=lambda s: (-s.down, s.fact_id)
    )[:top]
    return report


def _is_pick(row: Row, factbase: FactBase) -> bool:
    """A fact chosen rather than asked: a suggestion button, or a number in the console,
    both logged as the fact's own display question."""
    if row.fact_id is None:
        return False
    fact = factbase.get(row.fact_id)
    return row.surface == "button" or (fact is not None and row.question == fact.display_question)


def _missed(row: Row, factbase: FactBase) -> bool:
    """Asked, and not answered to the asker's liking: not in the article, asked back,
    "none of these", or an answer with more 👎 than 👍."""
    if _is_pick(row, factbase):  # a 👎 on a picked fact is about the answer, not the wording
        return False
    return row.outcome in _MISSED or bool(row.votes_none) or row.votes_down > row.votes_up


def _count_why(miss: MissGroup, row: Row) -> None:
    if row.votes_down > row.votes_up:
        miss.down += 1
    elif row.outcome == "clarify":
        miss.clarified += 1
    elif row.outcome in _MISSED:
        miss.unanswered += 1
    else:
        miss.none_of_these += 1


def _picks(rows: list[Row], factbase: FactBase) -> dict[int, str]:
    """Index of a missed row -> the fact its asker picked next. Each asker's first pick within
    PICK_WINDOW_SECONDS after a missed question, before they ask anything else, is taken as
    what the question meant."""
    out: dict[int, str] = {}
    waiting: dict[str, int] = {}  # asker -> their last missed question, not yet resolved
    for i in sorted(range(len(rows)), key=lambda i: rows[i].asked_at):
        r = rows[i]
        if r.user_hash is None:
            continue
        if r.fact_id is not None and _is_pick(r, factbase):
            last = waiting.pop(r.user_hash, None)
            if last is not None and r.asked_at - rows[last].asked_at <= PICK_WINDOW_SECONDS:
                out[last] = r.fact_id
        elif _missed(r, factbase):
            waiting[r.user_hash] = i
        else:
            waiting.pop(r.user_hash, None)
    return out


def why_missed(miss: MissGroup) -> str:
    """'2 not in the article, 1 👎': why a group's questions were missed."""
    parts = [
        (miss.unanswered, "not in the article"),
        (miss.clarified, "asked back"),
        (miss.down, "\U0001f44e"),
        (miss.none_of_these, "none of these"),
    ]
    return ", ".join(f"{n} {label}" for n, label in parts if n)


def to_text(report: Report, *, short: bool = False) -> str:
    period = describe_period(report.since_seconds)
    heading = "All time" if period == "all time" else f"Last {period}"
    lines = [
        f"{heading}: {report.total} messages, {report.askers} distinct askers.",
        f"Answer rate {report.answer_rate:.1f}%: {report.answered} answered, "
        f"{report.ambiguous} ambiguous, {report.clarified} asked back, "
        f"{report.abstained} unanswered, {report.help} help; "
        f"{report.none_of_these} marked \u201cnone of these\u201d.",
    ]
    top = 5 if short else len(report.misses)
    if report.misses:
        lines += ["", "Top missed (teach them with: python -m bot learn):"]
        for g in report.misses[:top]:
            near = f"{g.nearest_fact} ({g.nearest_score:.0f})" if g.nearest_fact else "none"
            picked = ", ".join(f"{i} ({n}\u00d7)" for i, n in g.picked.items())
            lines.append(
                f"  {g.count}\u00d7 \u201c{g.question}\u201d \u2192 "
                + (f"people picked: {picked}; " if picked else "")
                + f"nearest: {near} [{why_missed(g)}]"
            )
            if not short and len(g.wordings) > 1:
                lines.extend(f"       also: {w}" for w in g.wordings if w != g.question)
    if report.most_down:
        lines += ["", "Most \U0001f44e:"]
        lines += [
            f"  {s.down}\u00d7 {s.fact_id} ({s.up} \U0001f44d)" for s in report.most_down[:top]
        ]
    if report.most_asked:
        lines += ["", "Most asked:"]
        lines += [f"  {s.asked}\u00d7 {s.fact_id}" for s in report.most_asked[:top]]
    return "\n".join(lines)


def since_timestamp(since_seconds: float) -> float:
    return max(0.0, time.time() - since_seconds)
