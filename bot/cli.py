"""`python -m bot`: the command line. Its JSON output is a contract other tools rely on.

Discord is imported only by the commands that connect to it, and everything else a
command needs is imported by that command, so asking a question from the shell starts
fast: the matcher comes from the index cache (`bot.indexcache`), not from YAML, and the
settings as validated by an earlier start (`bot.settingscache`), without importing pydantic.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from bot import learn_cli
from bot.factbase import FactBaseError
from bot.settingscache import SettingsError, load_settings_cached

if TYPE_CHECKING:
    from bot.matcher import Matcher
    from bot.reply import Reply
    from bot.settings import Settings

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """Usage errors are one line and exit 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see --help)\n")


def _fail(message: str, code: int = EXIT_FAIL) -> int:
    print(message, file=sys.stderr)
    return code


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m bot",
        description=(
            "Answer questions about a news article, citing paragraph and quote. "
            "With no command: connects to Discord when DISCORD_TOKEN is set, "
            "otherwise starts the console chat."
        ),
    )
    parser.add_argument(
        "--facts", type=Path, help="facts folder (default: BOT_FACTS_DIR or facts/)"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    chat = sub.add_parser("chat", help="talk to the bot in the console")
    chat.add_argument(
        "--json",
        action="store_true",
        help="one question a line in, one JSON reply a line out, follow-ups kept in context; "
        "an empty line starts a new conversation",
    )

    ask = sub.add_parser("ask", help="answer questions and exit")
    ask.add_argument("questions", nargs="+", metavar="QUESTION", help="a question, or - for stdin")
    ask.add_argument("--json", action="store_true", help="one JSON object a line")
    ask.add_argument("--log", action="store_true", help="record the questions in the question log")
    ask.add_argument(
        "--explain",
        action="store_true",
        help="also show how the question was read, the candidates and why (JSON)",
    )

    cal = sub.add_parser(
        "calibrate", help="refit the answer / ask back / not-in-article decision (decision.json)"
    )
    cal.add_argument(
        "files",
        type=Path,
        nargs="*",
        metavar="FILE",
        help="labeled questions (dev.yaml format; default: tests/data/train/*.yaml)",
    )
    cal.add_argument("--dry-run", action="store_true", help="show the fit, write nothing")

    facts = sub.add_parser("facts", help="list every fact")
    facts.add_argument("--json", action="store_true", help="one JSON object a line")

    sub.add_parser("check", help="validate the fact base (exit 1 with every problem)")

    ev = sub.add_parser("eval", help="score the bot on an evaluation file (dev.yaml format)")
    ev.add_argument("file", type=Path)
    ev.add_argument("--json", action="store_true", help="the report as one JSON object")
    ev.add_argument(
        "--floor", type=Path, help="JSON file of minimum scores; exit 1 when any is missed"
    )
    ev.add_argument(
        "--typos",
        type=int,
        metavar="SEED",
        help="put one random typo in each question first (the same for the same seed)",
    )

    bench = sub.add_parser("bench", help="measure answer latency, build and start-up time")
    bench.add_argument(
        "--synthetic-facts",
        type=_count(0),
        default=10_000,
        metavar="N",
        help="also time a synthetic base of N facts (0: skip; default 10000)",
    )
    bench.add_argument(
        "--rounds",
        type=_count(1),
        help="passes over the questions (default 20), or start-ups of each kind (default 10)",
    )
    bench.add_argument(
        "--questions",
        type=Path,
        help="eval file whose questions to time (default: the fact base's own phrasings)",
    )
    bench.add_argument(
        "--startup",
        action="store_true",
        help="time start-ups instead: `ask` cold and warm, `chat`, the bot, import discord",
    )

    report = sub.add_parser("report", help="curator report from the question log")
    report.add_argument("--since", default="7d", help="how far back: 30m, 24h, 7d, 2w (default 7d)")
    report.add_argument("--json", action="store_true", help="the report as one JSON object")

    learn_cli.add_parser(sub)

    sub.add_parser("run", help="connect to Discord (needs DISCORD_TOKEN)")
    sync = sub.add_parser("sync", help="register the slash commands with Discord")
    sync.add_argument("--guild", type=int, help="a server id: sync there only (instant)")
    return parser


def _count(least: int):  # type: ignore[no-untyped-def]
    """An argparse type: a whole number of at least `least`."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < least:
            raise argparse.ArgumentTypeError(f"must be at least {least}, got {value}")
        return value

    return parse


def clean_text(text: str) -> str:
    """Valid Unicode without carriage returns. Bytes that were not UTF-8 (which Python
    keeps in argv and stdin as lone surrogates) become U+FFFD, so every output and the
    question log can encode what was asked."""
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate that did not come from a byte
        raw = text.encode("utf-8", "surrogatepass")
    return raw.decode("utf-8", "replace").replace("\r", "")


def _reconfigure_stdio() -> None:
    """Undecodable input becomes U+FFFD instead of an error, and output is UTF-8 whatever
    the locale, so a JSON line is always valid UTF-8."""
    for stream, errors in ((sys.stdin, "replace"), (sys.stdout, "replace")):
        if hasattr(stream, "reconfigure"):
            with contextlib.suppress(ValueError, OSError):  # detached or already read
                stream.reconfigure(encoding="utf-8", errors=errors)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _reconfigure_stdio()
    try:
        # Validated by pydantic, or as validated by an earlier start with the same inputs.
        settings = load_settings_cached(**({"facts_dir": args.facts} if args.facts else {}))
    except SettingsError as exc:
        return _fail(str(exc))
    command = args.command or ("run" if settings.discord_token else "chat")
    handler = _COMMANDS[command]
    try:
        return handler(args, settings)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # a bug: one line for the user, the traceback with DEBUG
        if settings.log_level == "DEBUG":
            raise
        return _fail(f"error: {exc!r} (set BOT_LOG_LEVEL=DEBUG for the traceback)")


def _matcher(settings: Settings) -> Matcher | None:
    from bot.indexcache import matcher_for

    try:
        return matcher_for(settings)
    except FactBaseError as exc:
        print(exc.report(), file=sys.stderr)
        return None


def console_user() -> str:
    """Who is at the console, for the question log's user hash. A container's user often
    has no passwd entry (getpass then raises): the numeric id stands in."""
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid {os.getuid()}" if hasattr(os, "getuid") else "console"


@contextlib.contextmanager
def _question_log(settings: Settings, surface: str, enabled: bool = True):  # type: ignore[no-untyped-def]
    """A `record(reply, latency_ms)` callback for the question log, or None when logging is
    off. It returns at once: the log writes on a thread of its own, so a locked or slow
    database costs the console no wait (and at most one line on stderr)."""
    if not (enabled and settings.log_questions):
        yield None
        return
    # Imported only when logging: it brings in asyncio, which `ask` alone never needs.
    from bot.questionlog import Asked, QuestionLog, log_in_thread

    asked = Asked(surface, user_id=console_user())
    with log_in_thread(QuestionLog.from_settings(settings)) as qlog:

        def record(reply: Reply, latency_ms: float) -> None:
            qlog.submit(reply, asked, latency_ms)

        yield record


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    from bot.chat import run_chat, run_chat_json

    matcher = _matcher(settings)
    if matcher is None:
        return EXIT_FAIL
    if getattr(args, "json", False):
        with _question_log(settings, "console") as record:
            return run_chat_json(matcher, on_reply=record)
    intro = None
    if args.command is None:
        intro = "No DISCORD_TOKEN set: console chat. Set it (see README) to connect to Discord."
    with _question_log(settings, "console") as record:
        return run_chat(matcher, intro=intro, on_reply=record)


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    matcher = _matcher(settings)
    if matcher is None:
        return EXIT_FAIL
    questions: list[str] = []
    for q in args.questions:
        if q != "-":
            questions.append(clean_text(q))
            continue
        try:
            if sys.stdin is None:
                raise OSError("no standard input")
            data = sys.stdin.buffer.read()
        except OSError as exc:
            return _fail(f"cannot read standard input: {exc.strerror or exc}", EXIT_USAGE)
        # One question a line, whatever the line ends (CRLF too) and whatever the bytes.
        text = clean_text(data.decode("utf-8", "replace"))
        questions.extend(line for line in text.splitlines() if line.strip())
    with _question_log(settings, "cli", enabled=args.log) as record:
        for q in questions:
            _ask_one(matcher, q, args, len(questions) > 1, record)
    return EXIT_OK


def _ask_one(matcher: Matcher, q: str, args: argparse.Namespace, several: bool, record) -> None:  # type: ignore[no-untyped-def]
    from bot.reply import to_json, to_text

    start = time.perf_counter()
    reply = matcher.answer(q)
    if record is not None:
        record(reply, (time.perf_counter() - start) * 1000)
    if args.explain:
        out = to_json(reply) if args.json else {"question": q}
        out["explain"] = matcher.explain(q)
        print(json.dumps(out, ensure_ascii=False, indent=None if args.json else 2))
        if args.json:
            return
    if args.json:
        print(json.dumps(to_json(reply), ensure_ascii=False))
    else:
        if several:
            print(f"Q: {q}")
        print(to_text(reply))
        if several:
            print()


def cmd_facts(args: argparse.Namespace, settings: Settings) -> int:
    matcher = _matcher(settings)
    if matcher is None:
        return EXIT_FAIL
    for fact in matcher.factbase.facts:
        cite = fact.citation
        if args.json:
            row = {
                "id": fact.id,
                "questions": list(fact.questions),
                "answer": fact.answer,
                "citation": cite.to_json(),
            }
            print(json.dumps(row, ensure_ascii=False))
        else:
            print(f"{fact.id} (\u00b6{cite.paragraph}): {fact.display_question}")
            print(f"    {fact.answer}")
    return EXIT_OK


def cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    from bot.loader import load_factbase

    try:
        fb = load_factbase(settings.facts_dir)  # never the cache: check reads every file
    except FactBaseError as exc:
        print(exc.report())
        return EXIT_FAIL
    from bot.loader import SYNONYMS_FILE
    from bot.synonymlint import lint_synonyms

    lint = lint_synonyms(fb.synonyms, fb.reviewed)
    if lint:
        for line in lint:
            print(f"{settings.facts_dir / SYNONYMS_FILE}: {line}")
        print(f"{len(lint)} problem(s) found")
        return EXIT_FAIL
    total = sum(len(s.paragraphs) for s in fb.sources)
    cited = {(f.citation.source.id, f.citation.paragraph) for f in fb.facts}
    print(
        f"ok: {len(fb.sources)} source(s), {len(fb.facts)} facts, {fb.question_count} questions, "
        f"{len(cited)}/{total} paragraphs cited"
    )
    return EXIT_OK


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from bot.evaluate import EvalFileError, evaluate, load_eval_set, with_typos

    if _is_conversation_file(args.file):
        return _eval_conversations(args, settings)
    try:
        evalset = load_eval_set(args.file)
    except EvalFileError as exc:
        return _fail(str(exc), EXIT_USAGE)
    if not evalset.size:
        return _fail(
            f"{args.file}: no questions to score (it needs answerable: or out_of_scope: entries)",
            EXIT_USAGE,
        )
    if args.typos is not None:
        evalset = with_typos(evalset, args.typos)
    floor = None
    if args.floor:
        try:
            floor = json.loads(args.floor.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            return _fail(f"{args.floor}: cannot read floor: {exc}", EXIT_USAGE)
    matcher = _matcher(settings)
    if matcher is None:
        return EXIT_FAIL
    report = evaluate(matcher, evalset)
    summary = report.summary()
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
    else:
        print(report.to_text())
    if floor is not None:
        failures = below_floor(summary, floor)
        for failure in failures:
            print(f"below floor: {failure}", file=sys.stderr)
        if failures:
            return EXIT_FAIL
    return EXIT_OK


def _is_conversation_file(path: Path) -> bool:
    import yaml

    from bot.evalconversations import is_conversation_file

    try:
        return is_conversation_file(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return False  # the evaluation loader says what is wrong with it


def _eval_conversations(args: argparse.Namespace, settings: Settings) -> int:
    from bot.evalconversations import EvalFileError, evaluate_conversations, load_conversations

    try:
        data = load_conversations(args.file)
    except EvalFileError as exc:
        return _fail(str(exc), EXIT_USAGE)
    matcher = _matcher(settings)
    if matcher is None:
        return EXIT_FAIL
    report = evaluate_conversations(matcher, data)
    if args.json:
        print(json.dumps(report.summary(), ensure_ascii=False))
    else:
        print("\n".join(report.lines()))
    return EXIT_OK


def below_floor(summary: dict[str, object], floor: object) -> list[str]:
    """What misses the floor. Keys ending in _max are ceilings; every other key is a
    minimum. A score of no questions (a percentage of nothing) meets no floor, and a key
    the report does not have is a mistake in the floor file, not a pass."""
    from bot.evaluate import SCORED_OVER

    if not isinstance(floor, dict) or not floor:
        return ['the floor file must be a JSON object of scores, e.g. {"correct_pct": 95}']
    failures = []
    for key, bound in floor.items():
        name = key.removesuffix("_max")
        value = summary.get(name)
        if not isinstance(value, int | float) or not isinstance(bound, int | float):
            failures.append(f"{key}: not a score (see `eval --json` for the names)")
            continue
        population = SCORED_OVER.get(name)
        if population is not None and not summary.get(population):
            failures.append(f"{name}: the file has no {population.replace('_', '-')} questions")
        elif (key.endswith("_max") and value > bound) or (
            not key.endswith("_max") and value < bound
        ):
            failures.append(f"{name} = {value} (bound {bound})")
    return failures


def cmd_calibrate(args: argparse.Namespace, settings: Settings) -> int:
    from bot.calibrate import CalibrationError, collect, fit, load_sets, write
    from bot.evaluate import EvalFileError
    from bot.loader import load_factbase

    try:
        factbase = load_factbase(settings.facts_dir, decision=False)
    except FactBaseError as exc:
        return _fail(exc.report())
    files = args.files or sorted((settings.facts_dir.parent / "tests/data/train").glob("*.yaml"))
    if not files:
        return _fail("no training files: name them (calibrate FILE ...)", EXIT_USAGE)
    try:
        sets = load_sets(files)
    except EvalFileError as exc:
        return _fail(str(exc), EXIT_USAGE)
    samples = collect(factbase, sets, settings.match_config())
    trained_on = {"files": [p.name for p in files], "questions": len(samples)}
    try:
        result = fit(samples, trained_on)
    except CalibrationError as exc:
        return _fail(str(exc))
    spec = result.spec
    print(
        f"fitted on {result.samples} questions from {len(files)} file(s); "
        f"answer at p >= {spec.answer.threshold:.3f}, ask back at p >= "
        f"{spec.clarify.threshold:.3f}"
    )
    print(
        f"on the training questions: right {100 * result.right:.1f}%, "
        f"wrong {100 * result.wrong:.1f}%, helpful {100 * result.helpful:.1f}%, "
        f"not-in-article to answerable {100 * result.not_in_article:.1f}%, "
        f"near-topic answered {100 * result.near_answered:.1f}%"
    )
    if args.dry_run:
        return EXIT_OK
    print(f"wrote {write(spec, settings.facts_dir)}")
    return EXIT_OK


def cmd_bench(args: argparse.Namespace, settings: Settings) -> int:
    from bot.bench import run_bench, run_startup_bench
    from bot.evaluate import EvalFileError, load_eval_set

    if args.startup:
        try:
            lines = run_startup_bench(settings.facts_dir, args.rounds or 10)
        except RuntimeError as exc:
            return _fail(str(exc))
        print("\n".join(lines))
        return EXIT_OK
    questions = None
    if args.questions:
        try:
            evalset = load_eval_set(args.questions)
        except EvalFileError as exc:
            return _fail(str(exc), EXIT_USAGE)
        questions = [a.q for a in evalset.answerable]
        questions += evalset.out_of_scope.off_topic + evalset.out_of_scope.near_topic
        if not questions:
            return _fail(f"{args.questions}: no questions to time", EXIT_USAGE)
    try:
        results = run_bench(questions, settings.facts_dir, args.synthetic_facts, args.rounds or 20)
    except FactBaseError as exc:
        return _fail(exc.report())
    for result in results:
        print(result.line())
    return EXIT_OK


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    import asyncio

    from bot.questionlog import QuestionLog
    from bot.report import build_report, parse_since, since_timestamp
    from bot.report import to_text as report_text

    try:
        seconds = parse_since(args.since)
    except ValueError as exc:
        return _fail(str(exc), EXIT_USAGE)
    if settings.db_url is None and not settings.db_path.exists():
        return _fail(f"no question log at {settings.db_path} yet (BOT_DB_PATH)")
    matcher = _matcher(settings)
    if matcher is None:
        return EXIT_FAIL
    qlog = QuestionLog.from_settings(settings, retention_days=0)  # reading changes nothing

    async def rows():  # type: ignore[no-untyped-def]
        try:
            return await qlog.rows_since(since_timestamp(seconds)) if await qlog.open() else None
        finally:
            await qlog.close()

    found = asyncio.run(rows())
    if found is None:
        return _fail(f"cannot read the question log at {qlog.where} (see the error above)")
    report = build_report(found, matcher, seconds)
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False))
    else:
        print(report_text(report))
    return EXIT_OK


def cmd_learn(args: argparse.Namespace, settings: Settings) -> int:
    return learn_cli.run(args, settings)


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.runner import run_discord

    return run_discord(settings)


def cmd_sync(args: argparse.Namespace, settings: Settings) -> int:
    from bot.runner import sync_commands

    return sync_commands(settings, args.guild)


_COMMANDS = {
    "chat": cmd_chat,
    "ask": cmd_ask,
    "facts": cmd_facts,
    "check": cmd_check,
    "eval": cmd_eval,
    "bench": cmd_bench,
    "calibrate": cmd_calibrate,
    "report": cmd_report,
    "learn": cmd_learn,
    "run": cmd_run,
    "sync": cmd_sync,
}
