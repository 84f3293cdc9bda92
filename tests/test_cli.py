"""The command line, run as a user runs it: a subprocess of `python -m bot`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import DATA, ROOT, clean_env

JSON_KEYS = {
    *("question", "answered", "answer", "fact_id", "score", "citation", "suggestions"),
    *("outcome", "suggestion_ids", "reading"),
}


def run(
    *args: str, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`python -m bot ARGS` in the test's own temporary folder (no .env there), with none
    of the developer's settings."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=Path.cwd(),
        env=clean_env(**(env or {})),
        timeout=120,
        check=False,
    )


def run_bytes(
    *args: str | bytes, stdin: bytes = b"", **env: str
) -> subprocess.CompletedProcess[bytes]:
    """`run`, with raw bytes in and out."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        cwd=Path.cwd(),
        env=clean_env(**env),
        timeout=120,
        check=False,
    )


def test_ask_prints_answer_paragraph_quote_and_source() -> None:
    out = run("ask", "how old is chen ziming")
    assert out.returncode == 0, out.stderr
    assert "Chen Ziming is 41." in out.stdout
    assert "\u201cChen, 41,\u201d" in out.stdout
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
    assert all(set(r["citation"]) == {"source", "paragraph", "quote"} for r in rows)


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


@pytest.mark.parametrize(
    "command", ["ask", "facts", "check", "eval", "chat", "bench", "learn", "run", "sync"]
)
def test_every_command_has_help(command: str) -> None:
    out = run(command, "--help")
    assert out.returncode == 0
    assert "usage: python -m bot" in out.stdout


def test_bench_reports_the_article_and_a_synthetic_base() -> None:
    out = run("bench", "--synthetic-facts", "300", "--rounds", "1")
    assert out.returncode == 0, out.stderr
    article, synthetic = out.stdout.strip().splitlines()
    assert article.startswith("article: 8")
    assert synthetic.startswith("synthetic: 300 facts / 1500 questions;")
    assert "p99" in synthetic
