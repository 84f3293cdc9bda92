"""The console chat: the bot without Discord, for trying it and for curators."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

from bot.context import Conversations
from bot.factbase import Fact
from bot.matcher import Matcher
from bot.reply import Reply, to_json, to_text

BANNER = (
    "Ask about \u201c{title}\u201d ({publication}). "
    "Type a question, a number to pick one of the questions listed, or 'quit'."
)
QUIT_WORDS = frozenset({"quit", "exit", "bye", ":q", "/quit"})
# The console is one conversation.
CONSOLE = "console"


def shown(reply: Reply) -> tuple[Fact, ...]:
    """The facts the reply lists, in order: what typing 1, 2, 3 picks."""
    if reply.fact is not None:
        return reply.alternatives or reply.suggestions
    return reply.suggestions


def numbered(reply: Reply) -> str:
    """The reply text with the questions it lists numbered, so the user can type 1, 2 or 3."""
    lines = to_text(reply).split("\n")
    picks = iter(enumerate(shown(reply), start=1))
    for i, line in enumerate(lines):
        if line.startswith("  \u2022 "):
            n, fact = next(picks)
            lines[i] = f"  {n}. {fact.display_question}"
    return "\n".join(lines)


def run_chat(
    matcher: Matcher,
    *,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
    on_reply: Callable[[Reply, float], None] | None = None,
    intro: str | None = None,
) -> int:
    source = matcher.factbase.sources[0]
    interactive = stdin.isatty()
    if intro:
        print(intro, file=stdout)
    print(BANNER.format(title=source.title, publication=source.publication), file=stdout)
    last: Reply | None = None
    conversations = Conversations()
    while True:
        if interactive:
            stdout.write("\nyou> ")
            stdout.flush()
        line = stdin.readline()
        if not line:
            break
        question = line.strip()
        if question.casefold() in QUIT_WORDS:
            break
        if not question:
            continue
        start = time.perf_counter()
        picks = shown(last) if last is not None else ()
        if question.isdigit() and picks and not 1 <= int(question) <= len(picks):
            print(f"Pick 1 to {len(picks)}, or type a question.", file=stdout)
            continue
        if question.isdigit() and picks:
            # A pick answers with the fact chosen, not by asking its question again.
            fact = picks[int(question) - 1]
            print(f"> {fact.display_question}", file=stdout)
            reply = matcher.reply_for(fact.id) or matcher.answer(fact.display_question)
            if (topic := matcher.topic_after(reply)) is not None:
                conversations.remember(CONSOLE, topic)  # a pick continues the conversation
        else:
            reply = matcher.converse(question, conversations, CONSOLE)
        if on_reply is not None:
            on_reply(reply, (time.perf_counter() - start) * 1000)
        print(("\nbot> " if interactive else "") + numbered(reply), file=stdout)
        last = reply
    return 0


def run_chat_json(
    matcher: Matcher,
    *,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
    on_reply: Callable[[Reply, float], None] | None = None,
) -> int:
    """One question a line in, one `ask --json` object a line out, as one conversation;
    an empty line starts a new one."""
    import json

    conversations = Conversations()
    for line in stdin:
        question = line.rstrip("\r\n")
        if not question.strip():
            conversations.forget(CONSOLE)
            continue
        start = time.perf_counter()
        reply = matcher.converse(question, conversations, CONSOLE)
        if on_reply is not None:
            on_reply(reply, (time.perf_counter() - start) * 1000)
        print(json.dumps(to_json(reply), ensure_ascii=False), file=stdout, flush=True)
    return 0
