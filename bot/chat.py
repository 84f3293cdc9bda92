"""The console chat: the bot without Discord, for trying it and for curators."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

from bot.matcher import Matcher
from bot.reply import Reply, to_text

BANNER = (
    "Ask about \u201c{title}\u201d ({publication}). "
    "Type a question, a number to pick a suggestion, or 'quit'."
)
QUIT_WORDS = frozenset({"quit", "exit", "bye", ":q", "/quit"})


def numbered(reply: Reply) -> str:
    """The reply text with its offers numbered, so the user can type 1, 2 or 3."""
    text = to_text(reply)
    for n, fact in enumerate(reply.offers, start=1):
        text = text.replace(f"\u2022 {fact.display_question}", f"{n}. {fact.display_question}", 1)
    return text


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
        if last is not None and question.isdigit() and 1 <= int(question) <= len(last.offers):
            question = last.offers[int(question) - 1].display_question
            print(f"> {question}", file=stdout)
        start = time.perf_counter()
        reply = matcher.answer(question)
        if on_reply is not None:
            on_reply(reply, (time.perf_counter() - start) * 1000)
        print(("\nbot> " if interactive else "") + numbered(reply), file=stdout)
        last = reply
    return 0
