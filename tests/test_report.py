"""The curator report, from a real question log."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.matcher import Matcher
from bot.questionlog import Asked, QuestionLog, Row
from bot.report import build_report, group_questions, parse_since, to_text
from tests.conftest import run, run_bytes


def test_near_duplicate_questions_are_grouped() -> None:
    groups = group_questions(
        [
            "where was chen born",
            "Where was Chen born??",
            "where was chen ziming born",
            "what is china's gdp",
            "where was chen born",
        ]
    )
    assert [len(g) for g in groups] == [4, 1]
    assert groups[0][0] == "where was chen born"
    assert groups[1] == ["what is china's gdp"]


@pytest.mark.parametrize(
    ("text", "seconds"), [("30m", 1800), ("24h", 86_400), ("7d", 604_800), ("2w", 1_209_600)]
)
def test_periods(text: str, seconds: float) -> None:
    assert parse_since(text) == seconds


def test_bad_period_is_explained() -> None:
    with pytest.raises(ValueError, match=r"use e\.g\. 30m, 24h, 7d or 2w"):
        parse_since("last week")


async def test_report_counts_rates_misses_and_votes(tmp_path: Path, matcher: Matcher) -> None:
    qlog = QuestionLog(tmp_path / "q.sqlite3", "s")
    assert await qlog.open()
    asked = [
        ("how old is chen", 1),
        ("how old is chen ziming", 2),
        ("where was chen born", 1),
        ("Where was Chen Ziming born?", 3),
        ("hello", 2),
    ]
    ids = [await qlog.record(matcher.answer(q), Asked("dm", user_id=u), 0.1) for q, u in asked]
    assert ids[0] is not None
    assert ids[1] is not None
    await qlog.vote(ids[0], 1, "chen-age", "down")
    await qlog.vote(ids[1], 2, "chen-age", "up")
    await asyncio.wait_for(qlog.flush(), 10)
    rows = await qlog.rows_since(0)
    await qlog.close()
    assert rows is not None
    report = build_report(rows, matcher, 7 * 86_400)
    assert (report.total, report.answered, report.abstained, report.help, report.askers) == (
        5,
        2,
        2,
        1,
        3,
    )
    assert report.answer_rate == 50.0
    miss, disliked = report.misses
    assert miss.count == 2
    assert (miss.unanswered, miss.down, miss.picked) == (2, 0, {})
    assert (disliked.question, disliked.count, disliked.down) == ("how old is chen", 1, 1)
    assert disliked.candidates[0] == "chen-age"
    nearest = matcher.nearest(miss.question)
    assert nearest is not None
    assert miss.nearest_fact == nearest[0].id
    [down] = report.most_down
    assert (down.fact_id, down.down, down.up, down.asked) == ("chen-age", 1, 1, 2)
    assert report.most_asked[0].fact_id == "chen-age"
    text = to_text(report)
    assert "Answer rate 50.0%" in text
    assert f"2\u00d7 \u201c{miss.question}\u201d \u2192 nearest: {miss.nearest_fact}" in text


def _row(at: float, user: str, question: str, outcome: str, fact_id: str | None, **kw: int) -> Row:
    """A logged question as the log returns it; `button=1` for a suggestion button."""
    surface = "button" if kw.pop("button", 0) else "slash"
    votes = {"votes_up": 0, "votes_down": 0, "votes_none": 0, **kw}
    return Row(at, surface, user, question, outcome, fact_id, 50.0, 1.0, **votes)


def test_what_people_picked_after_a_miss_is_the_strongest_suggestion(matcher: Matcher) -> None:
    slang = "yo how many yrs did chen get locked up for"
    sentence = matcher.factbase.get("chen-sentence")
    health = matcher.factbase.get("chen-health")
    assert sentence is not None
    assert health is not None
    rows = [
        # a asks, is asked back, and picks the sentence fact from the buttons
        _row(0, "a", slang, "clarify", None),
        _row(5, "a", sentence.display_question, "answered", "chen-sentence", button=1),
        # b asks, then asks something else before clicking: that click is not a pick
        _row(10, "b", slang, "clarify", None),
        _row(12, "b", "who is tom ross", "answered", "white-house-spokesman"),
        _row(13, "b", sentence.display_question, "answered", "chen-age", button=1),
        # c picks in the console, by number (logged as the fact's own question)
        _row(20, "c", slang, "clarify", None),
        _row(25, "c", sentence.display_question, "answered", "chen-sentence"),
        # d clicks an hour later: too late to be about that question
        _row(30, "d", slang, "clarify", None),
        _row(3630, "d", sentence.display_question, "answered", "chen-sentence", button=1),
        # e gets an answer, 👎 it, and picks the health fact instead
        _row(40, "e", "is chen ill", "answered", "chen-age", votes_down=1),
        _row(45, "e", health.display_question, "answered", "chen-health", button=1),
    ]
    report = build_report(rows, matcher, 86_400)
    slang_group, ill = report.misses
    assert (slang_group.question, slang_group.count, slang_group.clarified) == (slang, 4, 4)
    assert slang_group.picked == {"chen-sentence": 2}
    assert slang_group.candidates[0] == "chen-sentence"
    assert (ill.question, ill.down, ill.picked) == ("is chen ill", 1, {"chen-health": 1})
    assert ill.candidates[0] == "chen-health"
    text = to_text(report)
    assert (
        f"4\u00d7 \u201c{slang}\u201d \u2192 people picked: chen-sentence (2\u00d7); nearest:"
        in text
    )
    assert "[4 asked back]" in text
    assert report.to_json()["misses"][1]["picked"] == {"chen-health": 1}


def _cli(
    tmp_path: Path, *args: str, stdin: str = "", **env: str
) -> subprocess.CompletedProcess[str]:
    return run(*args, stdin=stdin, env={"BOT_DB_PATH": str(tmp_path / "q.sqlite3"), **env})


def test_console_chat_is_logged_and_reported(tmp_path: Path) -> None:
    chat = _cli(tmp_path, "chat", stdin="how old is chen\nwhen did chen die\nquit\n")
    assert chat.returncode == 0
    report = _cli(tmp_path, "report", "--since", "1h")
    assert report.returncode == 0, report.stderr
    assert "2 messages, 1 distinct askers" in report.stdout
    assert "\u201cwhen did chen die\u201d" in report.stdout


def test_one_shot_ask_logs_only_when_asked(tmp_path: Path) -> None:
    _cli(tmp_path, "ask", "how old is chen")
    assert not (tmp_path / "q.sqlite3").exists()
    _cli(tmp_path, "ask", "--log", "how old is chen")
    report = _cli(tmp_path, "report", "--json")
    assert '"total": 1' in report.stdout


def test_logging_off_writes_nothing(tmp_path: Path) -> None:
    chat = _cli(tmp_path, "chat", stdin="how old is chen\n", BOT_LOG_QUESTIONS="false")
    assert chat.returncode == 0
    assert "Chen Ziming is 41." in chat.stdout
    assert list(tmp_path.iterdir()) == []


def test_report_without_a_log_is_one_line(tmp_path: Path) -> None:
    out = _cli(tmp_path, "report")
    assert out.returncode == 1
    assert out.stderr.strip() == f"no question log at {tmp_path / 'q.sqlite3'} yet (BOT_DB_PATH)"
    bad = _cli(tmp_path, "report", "--since", "forever")
    assert bad.returncode == 2


def test_an_empty_or_endless_period_is_worded_clearly(tmp_path: Path) -> None:
    _cli(tmp_path, "ask", "--log", "how old is chen")
    empty = _cli(tmp_path, "report", "--since", "0m")
    assert empty.returncode == 2
    assert empty.stderr.strip() == "the period '0m' is empty: use e.g. 30m, 24h, 7d or 2w"
    for endless in ("99999999w", "1" + "0" * 400 + "d"):
        out = _cli(tmp_path, "report", "--since", endless)
        assert out.returncode == 0, out.stderr
        assert out.stdout.startswith("All time: 1 messages, 1 distinct askers.")
    assert _cli(tmp_path, "report", "--since", "90m").stdout.startswith("Last 90 minutes: 1")


def test_blank_questions_are_not_logged(tmp_path: Path) -> None:
    out = _cli(tmp_path, "ask", "--log", "", "  ", "how old is chen")
    assert out.returncode == 0, out.stderr
    report = json.loads(_cli(tmp_path, "report", "--json").stdout)
    assert report["total"] == 1


@pytest.mark.parametrize("locale", ["C", "C.UTF-8"])  # stdin decoded leniently, or strictly
def test_undecodable_bytes_with_logging_on_are_answered_and_logged(
    tmp_path: Path, locale: str
) -> None:
    log = str(tmp_path / "q.sqlite3")
    bad = b"who is chen \xff\xfe\x00ziming\r\n"
    chat = run_bytes("chat", stdin=bad + b"how old is chen\nquit\n", BOT_DB_PATH=log, LC_ALL=locale)
    assert chat.returncode == 0, chat.stderr
    assert b"Chen Ziming is 41." in chat.stdout  # the question after the bad one is answered
    assert chat.stderr == b""
    ask = run_bytes("ask", "--log", "-", stdin=bad, BOT_DB_PATH=log, LC_ALL=locale)
    assert ask.returncode == 0, ask.stderr
    argv = run_bytes("ask", "--log", b"chen \xff", stdin=b"", BOT_DB_PATH=log, LC_ALL=locale)
    assert argv.returncode == 0, argv.stderr
    report = json.loads(_cli(tmp_path, "report", "--json").stdout)
    assert report["total"] == 4
    with contextlib.closing(sqlite3.connect(tmp_path / "q.sqlite3")) as conn:
        stored = [q for (q,) in conn.execute("SELECT question FROM questions")]
    assert "chen \ufffd" in stored
    assert sum(q.startswith("who is chen \ufffd") for q in stored) == 2


def test_a_locked_log_costs_the_console_no_wait_and_one_line(tmp_path: Path) -> None:
    db = tmp_path / "q.sqlite3"
    assert _cli(tmp_path, "ask", "--log", "who is tom ross").returncode == 0
    base = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "DISCORD_"))}
    with contextlib.closing(sqlite3.connect(db, isolation_level=None)) as other:
        other.execute("BEGIN EXCLUSIVE")
        chat = subprocess.Popen(
            [sys.executable, "-m", "bot", "chat"],
            cwd=Path.cwd(),  # the test's own folder: no .env there
            env={**base, "BOT_DB_PATH": str(db), "PYTHONUNBUFFERED": "1"},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert chat.stdin is not None
        assert chat.stdout is not None
        try:
            chat.stdin.write("how old is chen\n" * 3)
            chat.stdin.flush()
            answers = 0
            while answers < 3:  # every answer arrives while the log is still locked
                line = chat.stdout.readline()
                assert line, "chat ended early"
                answers += line.strip() == "Chen Ziming is 41."
            _out, err = chat.communicate("quit\n", timeout=60)
        finally:
            if chat.poll() is None:
                chat.kill()
        other.execute("ROLLBACK")
    assert chat.returncode == 0
    # One line: the write that failed, or (when the chat ended first) the rows not stored.
    [line] = err.strip().splitlines()
    assert line.startswith("question log")
