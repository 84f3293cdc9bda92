"""`chat --json`: a scripted conversation through the real CLI, follow-ups in context."""

from __future__ import annotations

import io
import json
from pathlib import Path

from bot.chat import run_chat
from bot.matcher import Matcher
from tests.conftest import run


def chat_json(lines: list[str]) -> list[dict[str, object]]:
    stdin = "\n".join(lines) + "\n"
    out = run("chat", "--json", stdin=stdin, env={"BOT_LOG_QUESTIONS": "false"})
    assert out.returncode == 0, out.stderr
    return [json.loads(line) for line in out.stdout.splitlines()]


def test_a_conversation_keeps_its_context_until_an_empty_line() -> None:
    replies = chat_json(
        [
            "who was released today?",
            "how old is he?",
            "and wang?",  # Wang's age is not in the article
            "",
            "how old is he?",  # a new conversation: nobody to mean
        ]
    )
    assert len(replies) == 4  # the empty line answers nothing
    first, age, wang, fresh = replies
    assert (first["fact_id"], age["fact_id"]) == ("chen-released", "chen-age")
    assert age["reading"] == "reading \u201che\u201d as Chen Ziming"
    assert age["question"] == "how old is he?"
    assert wang["fact_id"] != "chen-age"
    assert fresh["answered"] is False
    assert fresh["outcome"] == "clarify"
    assert fresh["reading"] is None


def test_the_console_chat_is_one_conversation(matcher: Matcher) -> None:
    out = io.StringIO()
    run_chat(matcher, stdin=io.StringIO("who was released today?\nhow old is he?\n"), stdout=out)
    text = out.getvalue()
    assert "(reading \u201che\u201d as Chen Ziming)\nChen Ziming is 41." in text


def test_a_picked_suggestion_continues_the_conversation(matcher: Matcher) -> None:
    out = io.StringIO()
    # With no context "how old is he?" asks back; the pick answers and sets the topic.
    run_chat(matcher, stdin=io.StringIO("how old is he?\n1\nhow old is he?\n"), stdout=out)
    text = out.getvalue()
    assert text.count("Chen Ziming is 41.") == 2


def test_eval_scores_a_conversation_file(tmp_path: Path) -> None:
    conversations = tmp_path / "talk.yaml"
    conversations.write_text(
        "conversations:\n"
        "  - turns:\n"
        '      - {q: "who was released today?", expect: ["chen ziming"]}\n'
        '      - {q: "how old is he?", expect: ["41"]}\n'
        "no_context:\n"
        '  - "how old is he?"\n'
        '  - "and what were the charges?"\n',
        encoding="utf-8",
    )
    out = run("eval", str(conversations), "--json")
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout)
    assert (summary["first_turns_right"], summary["follow_ups_right"]) == (1, 1)
    assert summary["no_context"] == 2
    # The bar is about a pronoun with nothing to stand for: counted apart.
    assert (summary["pronoun_no_context"], summary["pronoun_no_context_answered"]) == (1, 0)
    text = run("eval", str(conversations)).stdout
    assert "with a pronoun: 1/1" in text
