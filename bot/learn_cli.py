"""`python -m bot learn`: teach the fact base from the shell.

    learn add "QUESTION" FACT_ID             a phrasing the fact answers
    learn not-in-article "QUESTION" FACT_ID  a question near the fact the article leaves open
    learn                                    walk the question log's missed questions

Every change goes through `bot.learn`, which proves it safe before writing. Importing this
module is cheap (argparse only): the parser is built for every command, so even asyncio is
imported only by the functions that run the question log.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from bot.learn import Action, Learned
    from bot.matcher import Matcher
    from bot.questionlog import Row
    from bot.report import MissGroup
    from bot.settings import Settings

KEYS = (
    "a N: add as a phrasing of fact N \u00b7 n N: not in the article, near fact N \u00b7 "
    "s: skip \u00b7 q: quit\n"
    "(a fact id works instead of N; end with ! to add even when another fact answers it)"
)
_CHOICE = re.compile(r"^\s*(?P<key>[an])\s*(?P<target>[a-z0-9-]+)\s*(?P<force>!)?\s*$")


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    learn = sub.add_parser(
        "learn",
        help="teach the fact base a real question (interactive without arguments)",
        description=(
            "Add a question people asked as a phrasing of a fact, or as a question near a "
            "fact that the article leaves open. Each change is proven safe first: the fact "
            "base validates, the question gets the intended reply, no development question "
            "changes its reply. Without a subcommand: walk the question log's missed, "
            "\U0001f44e and asked-back questions, most asked first."
        ),
    )
    learn.add_argument("--since", default="7d", help="interactive: how far back (default 7d)")
    learn.add_argument(
        "--top", type=int, default=20, help="interactive: at most this many question groups"
    )
    learn.add_argument(
        "--dev",
        type=Path,
        help="development questions that must keep their replies "
        "(default: tests/data/dev.yaml when present)",
    )
    actions = learn.add_subparsers(dest="learn_action", metavar="ACTION")
    for name, text in (
        ("add", "add QUESTION as a phrasing that FACT_ID answers"),
        ("not-in-article", "add QUESTION to FACT_ID's `unanswered`: the article doesn't say"),
    ):
        one = actions.add_parser(name, help=text, description=text)
        one.add_argument("question", metavar="QUESTION")
        one.add_argument("fact_id", metavar="FACT_ID")
        one.add_argument(
            "--force", action="store_true", help="add it even when another fact answers it"
        )


def run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.learn import DEV_SET, Action

    dev = args.dev if args.dev is not None else (DEV_SET if DEV_SET.exists() else None)
    if dev is None:
        print("no development set found: skipping that check (pass --dev FILE)", file=sys.stderr)
    teacher = _Teacher(settings, dev)
    if args.learn_action is None:
        return _interactive(args, settings, teacher)
    ok, text = teacher.apply(Action(args.learn_action), args.question, args.fact_id, args.force)
    print(text, file=sys.stdout if ok else sys.stderr)
    return 0 if ok else 1


@dataclass
class _Teacher:
    """Applies one change through `bot.learn` and records it."""

    settings: Settings
    dev: Path | None
    matcher: Matcher | None = None  # the fact base as it is after the last change

    def apply(self, action: Action, question: str, fact_id: str, force: bool) -> tuple[bool, str]:
        from bot.learn import LearnError, learn

        try:
            learned = learn(
                self.settings.facts_dir,
                action,
                question,
                fact_id,
                force=force,
                config=self.settings.match_config(),
                dev_file=self.dev,
            )
        except LearnError as exc:
            hint = "; --force adds it anyway" if exc.forceable else ""
            return False, f"refused: {exc}{hint}"
        self.matcher = learned.matcher
        text = learned.summary()
        if learned.changed:
            checked = f"{learned.dev_checked} development questions" if self.dev else "no dev set"
            text += f"\n  checked: the fact base validates; {checked} keep their replies"
            warning = self._record(learned)
            if warning:
                text += f"\n  {warning}"
        return True, text

    def _record(self, learned: Learned) -> str | None:
        import asyncio

        from bot.learn import changes_file, record_change
        from bot.questionlog import curator_hash

        path = changes_file(self.settings.db_path)
        curator = asyncio.run(curator_hash(self.settings, _console_user()))
        try:
            record_change(path, learned, curator, "cli")
        except OSError as exc:
            return f"warning: the change is made but could not be recorded in {path}: {exc}"
        return None


def _interactive(args: argparse.Namespace, settings: Settings, teacher: _Teacher) -> int:
    import asyncio

    from bot.loader import FactBaseError, load_factbase
    from bot.matcher import Matcher
    from bot.report import build_report, parse_since, since_timestamp

    try:
        seconds = parse_since(args.since)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    if settings.db_url is None and not settings.db_path.exists():
        print(f"no question log at {settings.db_path} yet (BOT_DB_PATH)", file=sys.stderr)
        return 1
    try:
        matcher = Matcher(load_factbase(settings.facts_dir), settings.match_config())
    except FactBaseError as exc:
        print(exc.report(), file=sys.stderr)
        return 1
    rows = asyncio.run(_rows(settings, since_timestamp(seconds)))
    if rows is None:
        print(f"cannot read the question log at {settings.db_path}", file=sys.stderr)
        return 1
    report = build_report(rows, matcher, seconds, top=max(1, args.top))
    if not report.misses:
        print(f"Nothing to review: no missed questions since {args.since} ago.")
        return 0
    teacher.matcher = matcher
    return review(report.misses, teacher, sys.stdin, sys.stdout)


async def _rows(settings: Settings, since: float) -> list[Row] | None:
    from bot.questionlog import QuestionLog

    qlog = QuestionLog.from_settings(settings, retention_days=0)  # reading changes nothing
    if not await qlog.open():
        return None
    try:
        return await qlog.rows_since(since)
    finally:
        await qlog.close()


def review(misses: list[MissGroup], teacher: _Teacher, stdin: TextIO, stdout: TextIO) -> int:
    """One missed question group at a time: show it and its candidate facts, read a key."""
    from bot.learn import Action, describe

    def say(text: str = "") -> None:
        print(text, file=stdout, flush=True)

    say(f"{len(misses)} question group(s) to review, most asked first.\n{KEYS}")
    for number, miss in enumerate(misses, start=1):
        matcher = teacher.matcher
        assert matcher is not None
        facts = [f for f in (matcher.factbase.get(i) for i in miss.candidates) if f is not None]
        say()
        say(f"[{number}/{len(misses)}] {miss.count}\u00d7 \u201c{miss.question}\u201d")
        for wording in miss.wordings:
            if wording != miss.question:
                say(f"      also: {wording}")
        say(f"  the bot now {describe(matcher.answer(miss.question))}")
        for n, fact in enumerate(facts, start=1):
            picked = miss.picked.get(fact.id)
            note = f"   \u2190 people picked it {picked}\u00d7" if picked else ""
            say(f"  {n}. {fact.id}: {fact.display_question}{note}")
        while True:
            stdout.write("a N / n N / s / q> ")
            stdout.flush()
            line = stdin.readline()
            if not stdin.isatty():  # a script's answer, shown so the transcript reads
                say(line.rstrip("\n"))
            if not line or line.strip().lower() in ("q", "quit"):
                say("bye")
                return 0
            answer = line.strip().lower()
            if answer in ("s", "skip", ""):
                break
            m = _CHOICE.match(answer)
            if m is None:
                say(KEYS)
                continue
            target = m["target"]
            if target.isdigit():
                if not 1 <= int(target) <= len(facts):
                    say(f"pick 1 to {len(facts)}, or type a fact id")
                    continue
                fact_id = facts[int(target) - 1].id
            else:
                fact_id = target
            action = Action.ADD if m["key"] == "a" else Action.NOT_IN_ARTICLE
            ok, text = teacher.apply(action, miss.question, fact_id, bool(m["force"]))
            say(("\u2705 " if ok else "\u274c ") + text)
            if ok:
                break
    say("\nAll reviewed.")
    return 0


def _console_user() -> str:
    # bot.cli imports this module lazily; importing it back here at call time avoids a cycle.
    from bot.cli import console_user

    return console_user()
