"""Teaching the fact base from real questions: `python -m bot learn`, on a copy of facts/.

The bars: an added phrasing makes `ask` answer with that fact and the YAML diff has only
added lines; a question another fact answers is refused, naming it, and nothing changes;
`not-in-article` makes `ask` say the article doesn't say; `check` stays green.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from difflib import SequenceMatcher
from pathlib import Path

import pytest

from bot.cli import main
from bot.learn import Action, LearnError, learn
from bot.matcher import Matcher
from bot.questionlog import Asked, QuestionLog
from bot.reply import Outcome
from tests.conftest import run

YAML = "china-human-rights.yaml"
# Asked in chat the way people type; before teaching, the bot only asks back.
SLANG = "yo how many winters did chen get locked up for"
WIFE = "chen ziming wife"


def added_lines(before: str, after: str) -> list[str]:
    """The lines `after` adds to `before`; fails the test if any line was changed or removed."""
    a, b = before.splitlines(), after.splitlines()
    out = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        assert tag in ("equal", "insert"), f"{tag}: {a[i1:i2]} -> {b[j1:j2]}"
        out += b[j1:j2] if tag == "insert" else []
    return out


def _env(tmp_path: Path) -> dict[str, str]:
    return {"BOT_DB_PATH": str(tmp_path / "data" / "q.sqlite3"), "BOT_HASH_SALT": "pepper"}


@pytest.fixture
def cli(
    facts_copy: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Callable[..., tuple[int, str, str]]:
    """`python -m bot --facts COPY ...` in this process (the same code path as the shell,
    without paying the start-up again): (exit code, stdout, stderr)."""
    for name in [n for n in os.environ if n.startswith(("BOT_", "DISCORD_"))]:
        monkeypatch.delenv(name)
    for name, value in _env(tmp_path).items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)  # no developer's .env

    def call(*args: str) -> tuple[int, str, str]:
        code = main(["--facts", str(facts_copy), *args])
        out = capsys.readouterr()
        return code, out.out, out.err

    return call


def ask(cli: Callable[..., tuple[int, str, str]], question: str) -> dict[str, object]:
    code, out, err = cli("ask", "--json", question)
    assert code == 0, err
    return json.loads(out)  # type: ignore[no-any-return]


def test_learn_add_makes_ask_answer_with_only_an_added_line(
    cli: Callable[..., tuple[int, str, str]], facts_copy: Path, tmp_path: Path, matcher: Matcher
) -> None:
    path = facts_copy / YAML
    before = path.read_text(encoding="utf-8")
    assert matcher.answer(SLANG).outcome is Outcome.CLARIFY  # the real facts, untaught

    code, out, err = cli("learn", "add", SLANG, "chen-sentence")

    assert code == 0, err
    assert "the bot now answers with 'chen-sentence'" in out
    assert "development questions keep their replies" in out
    assert added_lines(before, path.read_text(encoding="utf-8")) == [f"      - {SLANG}"]
    reply = ask(cli, SLANG)
    assert (reply["outcome"], reply["fact_id"]) == ("answered", "chen-sentence")
    [entry] = [
        json.loads(x) for x in (tmp_path / "data" / "learned.jsonl").read_text().split("\n") if x
    ]
    assert entry["action"] == "add"
    assert entry["question"] == SLANG
    assert entry["fact_id"] == "chen-sentence"
    assert entry["via"] == "cli"
    assert len(entry["curator"]) == 32  # hashed, never the login name
    assert entry["at"].endswith("Z")


def test_a_question_another_fact_answers_is_refused_and_nothing_changes(
    cli: Callable[..., tuple[int, str, str]], facts_copy: Path, tmp_path: Path
) -> None:
    before = {p.name: p.read_bytes() for p in facts_copy.iterdir()}

    question = "how old is chen ziming now"
    code, out, err = cli("learn", "add", question, "chen-health")

    assert code == 1
    assert out == ""
    assert err.strip().splitlines() == [
        f"refused: 'chen-age' already answers \u201c{question}\u201d confidently; "
        "--force adds it anyway"
    ]
    assert {p.name: p.read_bytes() for p in facts_copy.iterdir()} == before
    assert not (tmp_path / "data").exists()  # nothing recorded either


def test_learn_not_in_article_makes_ask_say_so_and_check_stays_green(
    cli: Callable[..., tuple[int, str, str]], facts_copy: Path, matcher: Matcher
) -> None:
    path = facts_copy / YAML
    before = path.read_text(encoding="utf-8")
    assert matcher.answer(WIFE).outcome is Outcome.CLARIFY

    code, out, err = cli("learn", "not-in-article", WIFE, "chen-who")

    assert code == 0, err
    # chen-who had no `unanswered`: the list is added at the end of the fact.
    assert added_lines(before, path.read_text(encoding="utf-8")) == [
        "    unanswered:",
        f"      - {WIFE}",
    ]
    reply = ask(cli, WIFE)
    assert reply["outcome"] == "not_in_article"
    assert reply["suggestion_ids"][0] == "chen-who"  # type: ignore[index]
    code, out, _ = cli("check")
    assert code == 0
    assert out.startswith("ok: 1 source(s), 80 facts")


def test_a_question_added_to_the_last_fact_of_a_section_stays_above_the_next_section(
    cli: Callable[..., tuple[int, str, str]], facts_copy: Path
) -> None:
    path = facts_copy / YAML
    before = path.read_text(encoding="utf-8").splitlines()
    # trip-official-reason ends its paragraph's section: a blank line and the next
    # section's comment follow its last `unanswered` line.
    start = before.index("  - id: trip-official-reason")
    end = next(i for i in range(start, len(before)) if before[i].startswith("  # ----"))
    last = max(i for i in range(start, end) if before[i].startswith("      - "))
    question = "who chaired the conference"

    code, _, err = cli("learn", "not-in-article", "--force", question, "trip-official-reason")

    assert code == 0, err
    after = path.read_text(encoding="utf-8").splitlines()
    assert after[: last + 1] == before[: last + 1]
    assert after[last + 1] == f"      - {question}"  # right below the fact's last line
    assert after[last + 2 :] == before[last + 1 :]  # the blank line and comment after it


# -- the core, in process: every refusal writes nothing --------------------------------------


def _unchanged(folder: Path, before: dict[str, bytes]) -> None:
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_answered_by_another_fact_is_refused_naming_it_and_forcing_keeps_the_dev_guard(
    facts_copy: Path,
) -> None:
    before = {p.name: p.read_bytes() for p in facts_copy.iterdir()}
    question = "why does china care so much about mfn"
    with pytest.raises(LearnError, match=r"^'us-export-market' already answers") as refused:
        learn(facts_copy, Action.ADD, question, "mfn-meaning")
    assert refused.value.fact_id == "us-export-market"
    assert refused.value.forceable
    _unchanged(facts_copy, before)
    # Forced, it is still refused: the development question it is nearly the same as would
    # change its answer.
    with pytest.raises(LearnError, match="development question") as refused:
        learn(facts_copy, Action.ADD, question, "mfn-meaning", force=True)
    assert str(refused.value) == (
        "it would change the reply to the development question \u201cwhy does china care about "
        "mfn so much\u201d (answered 'us-export-market' \u2192 answered 'mfn-meaning'); "
        "nothing written"
    )
    _unchanged(facts_copy, before)


def test_a_known_phrasing_is_refused_for_another_fact_and_a_no_op_for_its_own(
    facts_copy: Path,
) -> None:
    before = {p.name: p.read_bytes() for p in facts_copy.iterdir()}
    with pytest.raises(LearnError, match="is already a phrasing of 'chen-age'") as refused:
        learn(facts_copy, Action.ADD, "How old is Chen Ziming?!", "chen-health")
    assert refused.value.fact_id == "chen-age"
    assert not refused.value.forceable  # two facts cannot share a phrasing
    same = learn(facts_copy, Action.ADD, "chen's  age", "chen-age")
    assert not same.changed
    assert same.summary() == (
        "\u201cchen's age\u201d is already a phrasing of 'chen-age'; nothing changed"
    )
    _unchanged(facts_copy, before)


@pytest.mark.parametrize(
    ("question", "fact_id", "message"),
    [
        ("   ", "chen-age", "the question has no words"),
        ("?!", "chen-age", "the question has no words"),
        ("x" * 301, "chen-age", "the question is 301 characters (at most 300)"),
        ("how old\x00 is he", "chen-age", "control or unassigned characters"),
        ("how old is he", "chen-agee", "no fact 'chen-agee' (did you mean 'chen-age'?)"),
        (WIFE, "no-such-fact-at-all", "no fact 'no-such-fact-at-all'"),
    ],
)
def test_bad_input_is_refused(facts_copy: Path, question: str, fact_id: str, message: str) -> None:
    before = {p.name: p.read_bytes() for p in facts_copy.iterdir()}
    with pytest.raises(LearnError, match=re.escape(message)):
        learn(facts_copy, Action.ADD, question, fact_id)
    _unchanged(facts_copy, before)


def test_a_broken_fact_base_is_not_edited(facts_copy: Path) -> None:
    path = facts_copy / YAML
    path.write_text(path.read_text().replace("quote: Chen, 41,", "quote: Chen, 42,"))
    before = {p.name: p.read_bytes() for p in facts_copy.iterdir()}
    with pytest.raises(LearnError, match=r"fix it first .*'chen-age': citation\.quote"):
        learn(facts_copy, Action.ADD, SLANG, "chen-sentence")
    _unchanged(facts_copy, before)


def test_an_edit_that_would_reformat_a_line_is_refused(facts_copy: Path) -> None:
    # A flow list cannot grow without rewriting its line.
    path = facts_copy / YAML
    text = path.read_text(encoding="utf-8")
    old = "    questions:\n      - How old is Chen Ziming?\n"
    start = text.index(old)
    end = text.index("    answer: Chen Ziming is 41.")
    listed = [q.strip()[2:] for q in text[start + len("    questions:\n") : end].splitlines()]
    flow = "    questions: [" + ", ".join(json.dumps(q) for q in listed) + "]\n"
    path.write_text(text[:start] + flow + text[end:], encoding="utf-8")
    before = {p.name: p.read_bytes() for p in facts_copy.iterdir()}
    with pytest.raises(LearnError, match="would reformat other lines; add the question by hand"):
        learn(facts_copy, Action.ADD, "chens years on earth", "chen-age")
    _unchanged(facts_copy, before)


# -- the interactive session, through a real subprocess ---------------------------------------


async def _seed_log(db: Path, matcher: Matcher) -> None:
    """A week in the server: a slang question asked three times (one asker then picked the
    sentence fact from the buttons), one about Chen's wife twice, and a 👎'd answer."""
    qlog = QuestionLog(db, "pepper")
    assert await qlog.open()
    for user in (1, 2, 3):
        await qlog.record(matcher.answer(SLANG), Asked("slash", user_id=user), 1.0)
    picked = matcher.reply_for("chen-sentence")
    assert picked is not None
    await qlog.record(picked, Asked("button", user_id=3), 1.0)
    for user in (4, 5):
        await qlog.record(matcher.answer(WIFE), Asked("mention", user_id=user), 1.0)
    liked = await qlog.record(matcher.answer("how old is chen"), Asked("dm", user_id=6), 1.0)
    assert liked is not None
    await qlog.vote(liked, 6, "chen-age", "down")
    await qlog.close()


async def test_interactive_learn_walks_the_misses_most_asked_first(
    facts_copy: Path, tmp_path: Path, matcher: Matcher
) -> None:
    await _seed_log(tmp_path / "data" / "q.sqlite3", matcher)
    path = facts_copy / YAML
    before = path.read_text(encoding="utf-8")

    # 1: the picked fact is offered first; "a 1" adds it. 2: a typo, an out-of-range pick,
    # then "n chen-who". 3: skip. Then stdin ends, which quits.
    done = run(
        *("--facts", str(facts_copy), "learn"),
        stdin="a 1\nwhat?\nn 9\nn chen-who\ns\n",
        env=_env(tmp_path),
    )
    code, out, err = done.returncode, done.stdout, done.stderr

    assert code == 0, err
    assert "3 question group(s) to review, most asked first." in out
    first, second, third = out.split("\n[")[1:4]
    assert first.startswith(f"1/3] 3\u00d7 \u201c{SLANG}\u201d")
    assert "the bot now asks back" in first
    assert (
        "  1. chen-sentence: What was Chen's prison sentence?   \u2190 people picked it 1\u00d7"
        in first
    )
    assert f"\u2705 added \u201c{SLANG}\u201d as a phrasing of 'chen-sentence'" in first
    assert second.startswith(f"2/3] 2\u00d7 \u201c{WIFE}\u201d")
    assert "a N: add as a phrasing of fact N" in second  # the keys again after "what?"
    assert "pick 1 to " in second
    assert f"\u2705 added \u201c{WIFE}\u201d as not in the article, near 'chen-who'" in second
    assert third.startswith("3/3] 1\u00d7 \u201chow old is chen\u201d")
    assert "the bot now answers with 'chen-age'" in third
    assert added_lines(before, path.read_text(encoding="utf-8")) == [
        "    unanswered:",
        f"      - {WIFE}",
        f"      - {SLANG}",
    ]
    log = (tmp_path / "data" / "learned.jsonl").read_text().splitlines()
    assert [json.loads(x)["action"] for x in log] == ["add", "not-in-article"]


def test_interactive_learn_without_a_log_is_one_line(
    cli: Callable[..., tuple[int, str, str]], tmp_path: Path
) -> None:
    code, _, err = cli("learn")
    assert code == 1
    assert err.strip() == f"no question log at {tmp_path / 'data' / 'q.sqlite3'} yet (BOT_DB_PATH)"
