"""The command line, run as a user runs it: a subprocess of `python -m bot`."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.conftest import DATA, ROOT, clean_env, run, run_bytes

JSON_KEYS = {
    *("question", "answered", "answer", "fact_id", "score", "citation", "suggestions"),
    *("outcome", "suggestion_ids", "reading"),
}


def test_ask_prints_answer_paragraph_quote_and_source() -> None:
    out = run("ask", "how old is chen ziming")
    assert out.returncode == 0, out.stderr
    assert "Chen Ziming is 41." in out.stdout
    # The whole sentence the curated quote ("Chen, 41,") is part of.
    assert "Tian An Men Square, Chen, 41, is said to be suffering" in out.stdout
    assert "paragraph 3" in out.stdout
    assert "Los Angeles Times" in out.stdout


def test_ask_abstains_in_plain_words_with_suggestions() -> None:
    out = run("ask", "Where was Chen Ziming born?")
    assert out.returncode == 0
    assert "The article doesn't say" in out.stdout
    assert "Questions I can answer:" in out.stdout


def test_ask_json_has_exactly_the_contract_keys() -> None:
    out = run("ask", "--json", "wang juntao hepatitus", "where was chen born")
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert [set(r) for r in lines] == [JSON_KEYS, JSON_KEYS]
    answered, abstained = lines
    assert answered["answered"] is True
    assert answered["fact_id"] == "wang-illness"
    assert answered["citation"]["paragraph"] == 20
    assert answered["citation"]["quote"] == "Wang, who suffered from hepatitis"
    assert answered["citation"]["sentence"].startswith("Wang, who suffered from hepatitis, was")
    assert isinstance(answered["score"], float | int)
    assert 0 <= answered["score"] <= 100
    assert abstained["answered"] is False
    assert abstained["answer"] is None
    assert abstained["citation"] is None
    assert abstained["fact_id"] is None
    assert 1 <= len(abstained["suggestions"]) <= 3
    assert (answered["outcome"], abstained["outcome"]) == ("answered", "not_in_article")
    assert len(abstained["suggestion_ids"]) == len(abstained["suggestions"])
    assert len(answered["suggestion_ids"]) == len(answered["suggestions"])


def test_calibrate_refits_the_decision_file(tmp_path: Path) -> None:
    import shutil

    facts = tmp_path / "facts"
    shutil.copytree(ROOT / "facts", facts)
    (facts / "decision.json").write_text("{}", encoding="utf-8")
    # A broken decision file is named by `check` ...
    broken = run("--facts", str(facts), "check")
    assert broken.returncode == 1
    assert "decision.json: features" in broken.stdout + broken.stderr
    # ... and calibrate writes a valid one from labeled questions.
    out = run("--facts", str(facts), "calibrate", str(DATA / "train" / "blind-a.yaml"))
    assert out.returncode == 0, out.stderr
    assert "answer at p >=" in out.stdout
    fitted = json.loads((facts / "decision.json").read_text(encoding="utf-8"))
    assert fitted["trained_on"]["files"] == ["blind-a.yaml"]
    assert run("--facts", str(facts), "check").returncode == 0
    asked = run("--facts", str(facts), "ask", "--json", "how old is chen ziming")
    assert json.loads(asked.stdout)["fact_id"] == "chen-age"


def test_ask_explain_shows_why() -> None:
    out = run("ask", "--json", "--explain", "where was chen ziming born")
    line = json.loads(out.stdout)
    assert line["outcome"] == "not_in_article"
    why = line["explain"]
    assert why["outcome"] == "not_in_article"
    assert why["p_clarify"] < why["clarify_threshold"]
    assert why["features"]["ungrounded_english"] > 0  # "born": a word the article never uses


def test_ask_json_reads_one_question_a_line_from_stdin() -> None:
    out = run("ask", "--json", "-", stdin="how old is chen\n\nwho is tom ross\n")
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["question"] for r in rows] == ["how old is chen", "who is tom ross"]
    assert [r["fact_id"] for r in rows] == ["chen-age", "white-house-spokesman"]


def test_facts_json_lists_every_fact() -> None:
    out = run("facts", "--json")
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(rows) >= 80
    assert all(set(r) == {"id", "questions", "answer", "citation"} for r in rows)
    assert all(set(r["citation"]) == {"source", "paragraph", "quote", "sentence"} for r in rows)
    assert all(r["citation"]["quote"] in r["citation"]["sentence"] for r in rows)


def test_check_summarises_the_real_fact_base() -> None:
    out = run("check")
    assert out.returncode == 0
    assert out.stdout.startswith("ok: 1 source(s), ")
    assert "21/21 paragraphs cited" in out.stdout


def test_check_fails_with_every_problem_on_a_broken_base(facts_copy: Path) -> None:
    path = facts_copy / "china-human-rights.yaml"
    path.write_text(
        path.read_text().replace("paragraph: 3\n", "paragraph: 300\n"), encoding="utf-8"
    )
    out = run("--facts", str(facts_copy), "check")
    assert out.returncode == 1
    problems = [line for line in out.stdout.splitlines() if "out of range" in line]
    assert len(problems) >= 2
    assert all(line.startswith(f"{path}: fact '") for line in problems)


def test_eval_scores_the_dev_questions_above_the_floor() -> None:
    out = run("eval", str(DATA / "dev.yaml"), "--json", "--floor", str(DATA / "eval_floor.json"))
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["answerable"] == 45
    assert report["correct"] + report["wrong"] + report["abstained"] == 45
    assert report["latency_ms_p99"] > 0


def test_eval_fails_below_the_floor(tmp_path: Path) -> None:
    floor = tmp_path / "floor.json"
    floor.write_text('{"correct_pct": 100.1}')
    out = run("eval", str(DATA / "dev.yaml"), "--floor", str(floor))
    assert out.returncode == 1
    assert "below floor: correct_pct" in out.stderr


def test_eval_lists_every_miss(tmp_path: Path) -> None:
    file = tmp_path / "e.yaml"
    file.write_text('answerable:\n  - {q: "how old is chen", expect: ["42"]}\n')
    out = run("eval", str(file))
    assert "MISS [answerable] 'how old is chen': wrong; said: [chen-age]" in out.stdout


def test_eval_with_typos_misspells_each_question_once_and_repeatably(tmp_path: Path) -> None:
    from rapidfuzz.distance import OSA

    from bot.evaluate import load_eval_set, with_typos

    dev = load_eval_set(DATA / "dev.yaml")
    once, again, other = (with_typos(dev, seed) for seed in (7, 7, 8))
    assert once == again
    assert once != other
    pairs = list(zip([a.q for a in dev.answerable], [a.q for a in once.answerable], strict=True))
    pairs += list(zip(dev.out_of_scope.near_topic, once.out_of_scope.near_topic, strict=True))
    changed = [(a, b) for a, b in pairs if a != b]
    assert len(changed) > len(pairs) // 2  # most questions have a word long enough
    assert all(OSA.distance(a, b) == 1 for a, b in changed)
    out = run("eval", str(DATA / "dev.yaml"), "--typos", "7", "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["answerable"] == 45


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("bogus",), "invalid choice: 'bogus'"),
        (("eval", "no/such/file.yaml"), "cannot read"),
        (("eval", str(ROOT / "pyproject.toml")), "not valid YAML"),
        (("ask",), "the following arguments are required"),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(args: tuple[str, ...], message: str) -> None:
    out = run(*args)
    assert out.returncode == 2
    assert message in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_bad_setting_is_one_line_and_exit_1() -> None:
    out = run("ask", "hi", env={"BOT_MAX_QUESTION_LENGTH": "lots"})
    assert out.returncode == 1
    assert out.stderr.strip().splitlines() == [
        "invalid setting BOT_MAX_QUESTION_LENGTH: Input should be a valid integer, "
        "unable to parse string as an integer"
    ]


def test_chat_without_token_answers_and_picks_suggestions_by_number() -> None:
    out = run(stdin="who is tom ross\n1\nquit\n")
    assert out.returncode == 0
    assert out.stdout.startswith("No DISCORD_TOKEN set: console chat.")
    assert "Tom Ross is the White House spokesman" in out.stdout
    assert "> How did the White House respond" in out.stdout


def test_answering_from_the_cli_does_not_import_discord() -> None:
    code = (
        "import sys; from bot.cli import main; main(['ask', 'how old is chen']); "
        "print('discord' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=clean_env(), check=True
    )
    assert out.stdout.strip().splitlines()[-1] == "False"


def test_a_second_ask_imports_neither_pydantic_nor_asyncio() -> None:
    # The settings and the index come from the cache the first start wrote (bot.settingscache).
    code = (
        "import sys; from bot.cli import main; main(['ask', 'how old is chen']); "
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'pydantic', 'pydantic_settings', 'asyncio', 'yaml'}))"
    )
    for _ in range(2):
        out = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            env=clean_env(),
            check=True,
        )
    assert out.stdout.strip().splitlines()[-1] == "[]"


@pytest.mark.parametrize(
    "command", ["ask", "facts", "check", "eval", "chat", "bench", "learn", "run", "sync"]
)
def test_every_command_has_help(command: str) -> None:
    out = run(command, "--help")
    assert out.returncode == 0
    assert "usage: python -m bot" in out.stdout


def test_bench_reports_the_article_and_a_synthetic_base() -> None:
    # A base smaller than the bench's sample of phrasings works too.
    out = run("bench", "--synthetic-facts", "10", "--rounds", "1")
    assert out.returncode == 0, out.stderr
    article, synthetic = out.stdout.strip().splitlines()
    assert article.startswith("article: 8")
    assert synthetic.startswith("synthetic: 10 facts / 50 questions;")
    assert "p99" in synthetic


# -- bytes, environment and settings ---------------------------------------------------------


def test_ask_json_stdin_with_bad_bytes_and_crlf_gives_valid_utf8_lines() -> None:
    stdin = b"how old is chen\r\nwho is \xff\xfe tom ross\r\n\r\nchen \xc3\r\n"
    out = run_bytes("ask", "--json", "-", stdin=stdin)
    assert out.returncode == 0, out.stderr
    text = out.stdout.decode("utf-8")  # strict: raises on anything not UTF-8
    rows = [json.loads(line) for line in text.splitlines()]
    assert [r["question"] for r in rows] == [
        "how old is chen",
        "who is \ufffd\ufffd tom ross",
        "chen \ufffd",
    ]
    assert rows[0]["fact_id"] == "chen-age"
    assert all(set(r) == JSON_KEYS for r in rows)


def test_ask_with_bad_bytes_in_argv_gives_valid_json() -> None:
    out = run_bytes("ask", "--json", b"how old is \xffchen\r")
    assert out.returncode == 0, out.stderr
    [row] = [json.loads(line) for line in out.stdout.decode("utf-8").splitlines()]
    assert row["question"] == "how old is \ufffdchen"


def test_unreadable_stdin_is_one_line(tmp_path: Path) -> None:
    def ask_with(stdin: int | None, close_it: bool) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot", "ask", "--json", "-"],
            stdin=stdin,
            preexec_fn=(lambda: os.close(0)) if close_it else None,
            capture_output=True,
            text=True,
            env=clean_env(),
            timeout=120,
            check=False,
        )

    with (tmp_path / "out.txt").open("w") as write_only:  # reading it fails: EBADF
        bad = ask_with(write_only.fileno(), close_it=False)
    closed = ask_with(subprocess.DEVNULL, close_it=True)  # no standard input at all
    assert (bad.returncode, closed.returncode) == (2, 2)
    assert bad.stderr.strip().splitlines() == ["cannot read standard input: Bad file descriptor"]
    assert closed.stderr.strip().splitlines() == ["cannot read standard input: no standard input"]


def test_env_file_that_is_not_utf8_is_one_line() -> None:
    Path(".env").write_bytes(b"BOT_LOG_LEVEL=INFO\nBOT_COMMAND_PREFIX=\xff\n")
    out = run("ask", "how old is chen")
    assert out.returncode == 1
    [line] = out.stderr.strip().splitlines()
    assert line.startswith("cannot read .env: not UTF-8 text (byte 0xff on line 2)")


def test_every_bad_setting_is_reported_at_once() -> None:
    out = run(
        "ask",
        "hi",
        env={
            "BOT_MAX_QUESTION_LENGTH": "lots",
            "BOT_COOLDOWN_SECONDS": "nan",
            "BOT_MATCH_OPEN_MARGIN": "inf",
            "BOT_DEV_GUILD_ID": "-5",
        },
    )
    assert out.returncode == 1
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 4, lines
    assert lines[0].startswith("invalid setting BOT_DEV_GUILD_ID: Input should be greater than 0")
    assert lines[1].startswith("invalid setting BOT_MAX_QUESTION_LENGTH: Input should be a valid")
    assert lines[2] == "invalid setting BOT_COOLDOWN_SECONDS: Input should be a finite number"
    assert lines[3] == "invalid setting BOT_MATCH_OPEN_MARGIN: Input should be a finite number"


def test_a_user_without_a_passwd_entry_can_log_questions(tmp_path: Path) -> None:
    """Containers often run as a uid with no passwd entry, where getpass.getuser raises."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("needs root to become a uid with no passwd entry")
    import pwd

    uid = next(u for u in range(54_321, 60_000) if not _has_passwd_entry(pwd, u))
    work = Path(tempfile.mkdtemp(prefix="nopasswd-"))  # pytest's tmp folders are private
    try:
        work.chmod(0o777)
        db = work / "q.sqlite3"
        # Python and the venv may live where that uid cannot read (/root): import all the
        # command needs first, then drop to the uid and run it.
        code = (
            "import os, sys, json, asyncio, getpass, hmac, hashlib, sqlite3, aiosqlite\n"
            "import bot.cli, bot.questionlog, bot.indexcache, bot.loader, bot.matcher\n"
            "import bot.settings\n"
            "import bot.reply, bot.chat, bot.lexicon, spellchecker\n"
            "from bot.lexicon import preload; preload()\n"
            f"os.setgid({uid}); os.setuid({uid})\n"
            "sys.exit(bot.cli.main(sys.argv[1:]))\n"
        )
        env = {k: v for k, v in clean_env().items() if k not in _USER_VARS}
        env |= {"BOT_DB_PATH": str(db), "BOT_INDEX_CACHE": "false"}
        for argv, stdin in ((["ask", "--log", "how old is chen"], ""), ([], "who is tom ross\n")):
            out = subprocess.run(
                [sys.executable, "-c", code, *argv],
                input=stdin,
                capture_output=True,
                text=True,
                cwd=work,
                env=env,
                timeout=120,
                check=False,
            )
            assert out.returncode == 0, out.stderr
            assert "Traceback" not in out.stderr
        with sqlite3.connect(db) as conn:
            rows = conn.execute(
                "SELECT surface, user_hash FROM questions ORDER BY asked_at"
            ).fetchall()
        assert [surface for surface, _ in rows] == ["cli", "console"]
        assert all(user_hash for _, user_hash in rows)
    finally:
        shutil.rmtree(work, ignore_errors=True)


_USER_VARS = {"USER", "LOGNAME", "LNAME", "USERNAME"}  # what getpass reads before passwd


def _has_passwd_entry(pwd, uid: int) -> bool:  # type: ignore[no-untyped-def]
    try:
        pwd.getpwuid(uid)
    except KeyError:
        return False
    return True


def test_same_replies_in_every_process_whatever_the_hash_seed_and_the_cache(
    tmp_path: Path,
) -> None:
    """Answered, ambiguous, asked-back and help replies, in full, from processes with
    different hash seeds: one building its own index and writing the cache, and one
    reading it."""
    questions = [
        "how old is chen",
        "Chen's prison term?",
        "what did the white house say about the diplomacy",
        "Who is Chen Ziming's lawyer?",
        "where was chen born",
        "hello",
    ]
    cache = str(tmp_path / "cache")
    runs = [
        {"PYTHONHASHSEED": "1", "BOT_CACHE_DIR": cache},  # builds and writes the cache
        {"PYTHONHASHSEED": "2", "BOT_CACHE_DIR": cache},  # reads it
    ]
    outputs = [run("ask", "--json", *questions, env=env) for env in runs]
    assert all(out.returncode == 0 for out in outputs), [o.stderr for o in outputs]
    first = [json.loads(line) for line in outputs[0].stdout.splitlines()]
    # The comparison must be able to fail: the replies carry facts, candidates and scores.
    assert {"answered", "ambiguous", "clarify", "help"} <= {r["outcome"] for r in first}
    assert all(out.stdout == outputs[0].stdout for out in outputs[1:])
    assert list((tmp_path / "cache").glob("index-*.pickle"))


# -- bench and eval edges ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("bench", "--rounds", "0"), "argument --rounds: must be at least 1, got 0"),
        (("bench", "--synthetic-facts", "-1"), "argument --synthetic-facts: must be at least 0"),
        (("bench", "--rounds", "many"), "argument --rounds: 'many' is not a whole number"),
    ],
)
def test_bench_rejects_bad_counts_in_one_line(args: tuple[str, ...], message: str) -> None:
    out = run(*args)
    assert out.returncode == 2
    [line] = out.stderr.strip().splitlines()
    assert message in line


def test_bench_startup_reports_cold_and_warm_starts() -> None:
    out = run("bench", "--startup", "--rounds", "1")
    assert out.returncode == 0, out.stderr
    text = out.stdout
    for kind in ("import discord.py", "ask, cold", "ask, warm", "chat, one question", "bot up"):
        assert kind in text
    assert "ask warm / import discord.py, wall clock: " in text
    assert "ask warm / import discord.py, CPU time: " in text


def test_an_eval_file_without_questions_fails(tmp_path: Path) -> None:
    empty = tmp_path / "empty.yaml"
    empty.write_text("answerable: []\n")
    out = run("eval", str(empty), "--floor", str(DATA / "eval_floor.json"))
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == [f"{empty}: no questions to score" + _NEEDS]


_NEEDS = " (it needs answerable: or out_of_scope: entries)"


def test_a_floor_on_questions_the_file_lacks_fails(tmp_path: Path) -> None:
    only_off_topic = tmp_path / "off.yaml"
    only_off_topic.write_text("out_of_scope:\n  off_topic: ['what is the weather']\n")
    out = run("eval", str(only_off_topic), "--floor", str(DATA / "eval_floor.json"))
    assert out.returncode == 1
    assert "below floor: correct_pct: the file has no answerable questions" in out.stderr
    assert "below floor: near_topic_abstained_pct: the file has no near-topic" in out.stderr


def test_a_floor_naming_an_unknown_score_fails(tmp_path: Path) -> None:
    floor = tmp_path / "floor.json"
    floor.write_text('{"corect_pct": 10}')
    out = run("eval", str(DATA / "dev.yaml"), "--floor", str(floor))
    assert out.returncode == 1
    assert "below floor: corect_pct: not a score" in out.stderr


def test_the_floor_file_is_pinned_to_the_readme_bars() -> None:
    """Lowering tests/data/eval_floor.json (or the README's bars) fails here, and CI."""
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    found = re.search(
        r"its bars: (\d+)% correct, at most (\d+)% wrong, off-topic (\d+)% and near-topic "
        r"(\d+)%",
        readme,
    )
    assert found, "README.md must state the floor's bars"
    correct, wrong, off_topic, near_topic = (float(x) for x in found.groups())
    # The bars (95% correct, at most 2% wrong, off-topic 100%, near-topic 90%)
    # are the least the README may state.
    assert correct >= 95.0
    assert wrong <= 2.0
    assert off_topic >= 100.0
    assert near_topic >= 90.0
    floor = json.loads((DATA / "eval_floor.json").read_text(encoding="utf-8"))
    assert floor["correct_pct"] >= correct
    assert floor["wrong_pct_max"] <= wrong
    assert floor["off_topic_abstained_pct"] >= off_topic
    assert floor["near_topic_abstained_pct"] >= near_topic
