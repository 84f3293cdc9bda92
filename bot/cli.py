"""`python -m bot`: the command line. Its JSON output is a contract other tools rely on.

Discord is imported only by the commands that connect to it, so asking a question from
the shell starts fast.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from bot import learn_cli
from bot.loader import FactBaseError, load_factbase
from bot.matcher import Matcher
from bot.reply import Reply, to_json, to_text
from bot.settings import Settings, SettingsError, load_settings

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

    bench = sub.add_parser("bench", help="measure answer latency and build time")
    bench.add_argument("--synthetic-facts", type=int, default=10_000, metavar="N")
    bench.add_argument("--rounds", type=int, default=20, help="passes over the questions")
    bench.add_argument("--questions", type=Path, help="eval file whose questions to time")

    report = sub.add_parser("report", help="curator report from the question log")
    report.add_argument("--since", default="7d", help="how far back: 30m, 24h, 7d, 2w (default 7d)")
    report.add_argument("--json", action="store_true", help="the report as one JSON object")

    learn_cli.add_parser(sub)

    sub.add_parser("run", help="connect to Discord (needs DISCORD_TOKEN)")
    sync = sub.add_parser("sync", help="register the slash commands with Discord")
    sync.add_argument("--guild", type=int, help="a server id: sync there only (instant)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings(**({"facts_dir": args.facts} if args.facts else {}))
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
    try:
        return Matcher(load_factbase(settings.facts_dir), settings.match_config())
    except FactBaseError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"{len(exc.problems)} problem(s) in the fact base", file=sys.stderr)
        return None


@contextlib.contextmanager
def _question_log(settings: Settings, surface: str, enabled: bool = True):  # type: ignore[no-untyped-def]
    """A `record(reply, latency_ms)` callback writing to the question log, or None when
    logging is off. The log runs on an event loop of its own: the console is synchronous."""
    from bot.questionlog import Asked, QuestionLog

    if not (enabled and settings.log_questions):
        yield None
        return
    loop = asyncio.new_event_loop()
    qlog = QuestionLog(
        settings.db_path, settings.hash_salt.get_secret_value(), settings.retention_days
    )
    asked = Asked(surface, user_id=getpass.getuser())
    try:
        if not loop.run_until_complete(qlog.open()):
            yield None
            return

        def record(reply: Reply, latency_ms: float) -> None:
            loop.run_until_complete(qlog.record(reply, asked, latency_ms))

        yield record
    finally:
        loop.run_until_complete(qlog.close())
        loop.close()


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
        if q == "-":
            questions.extend(line.rstrip("\n") for line in sys.stdin if line.strip())
        else:
            questions.append(q)
    with _question_log(settings, "cli", enabled=args.log) as record:
        for q in questions:
            _ask_one(matcher, q, args, len(questions) > 1, record)
    return EXIT_OK


def _ask_one(matcher: Matcher, q: str, args: argparse.Namespace, several: bool, record) -> None:  # type: ignore[no-untyped-def]
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
    try:
        factbase = load_factbase(settings.facts_dir)
    except FactBaseError as exc:
        return _fail(str(exc))
    for fact in factbase.facts:
        cite = fact.citation
        if args.json:
            row = {
                "id": fact.id,
                "questions": list(fact.questions),
                "answer": fact.answer,
                "citation": {
                    "source": cite.source.label,
                    "paragraph": cite.paragraph,
                    "quote": cite.quote,
                },
            }
            print(json.dumps(row, ensure_ascii=False))
        else:
            print(f"{fact.id} (\u00b6{cite.paragraph}): {fact.display_question}")
            print(f"    {fact.answer}")
    return EXIT_OK


def cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    try:
        fb = load_factbase(settings.facts_dir)
    except FactBaseError as exc:
        for problem in exc.problems:
            print(problem)
        print(f"{len(exc.problems)} problem(s) found")
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
        failures = _below_floor(summary, floor)
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


def _below_floor(summary: dict[str, object], floor: dict[str, float]) -> list[str]:
    """Keys ending in _max are ceilings; every other key is a minimum."""
    failures = []
    for key, bound in floor.items():
        name = key.removesuffix("_max")
        value = float(summary.get(name, 0.0))  # type: ignore[arg-type]
        if (key.endswith("_max") and value > bound) or (not key.endswith("_max") and value < bound):
            failures.append(f"{name} = {value} (bound {bound})")
    return failures


def cmd_calibrate(args: argparse.Namespace, settings: Settings) -> int:
    from bot.calibrate import CalibrationError, collect, fit, load_sets, write
    from bot.evaluate import EvalFileError

    try:
        factbase = load_factbase(settings.facts_dir, decision=False)
    except FactBaseError as exc:
        return _fail(str(exc))
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
    from bot.bench import run_bench
    from bot.evaluate import EvalFileError, load_eval_set

    questions_file = (
        args.questions or Path(__file__).resolve().parent.parent / "tests/data/dev.yaml"
    )
    try:
        evalset = load_eval_set(questions_file)
    except EvalFileError as exc:
        return _fail(str(exc), EXIT_USAGE)
    questions = [a.q for a in evalset.answerable]
    questions += evalset.out_of_scope.off_topic + evalset.out_of_scope.near_topic
    for result in run_bench(questions, settings.facts_dir, args.synthetic_facts, args.rounds):
        print(result.line())
    return EXIT_OK


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    from bot.questionlog import QuestionLog
    from bot.report import build_report, parse_since, since_timestamp
    from bot.report import to_text as report_text

    try:
        seconds = parse_since(args.since)
    except ValueError as exc:
        return _fail(str(exc), EXIT_USAGE)
    if not settings.db_path.exists():
        return _fail(f"no question log at {settings.db_path} yet (BOT_DB_PATH)")
    matcher = _matcher(settings)
    if matcher is None:
        return EXIT_FAIL

    async def rows():  # type: ignore[no-untyped-def]
        qlog = QuestionLog(settings.db_path, settings.hash_salt.get_secret_value())
        if not await qlog.open():
            return None
        try:
            return await qlog.rows_since(since_timestamp(seconds))
        finally:
            await qlog.close()

    found = asyncio.run(rows())
    if found is None:
        return _fail(f"cannot read the question log at {settings.db_path} (see the error above)")
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
