"""Pure functions from core values to Discord embeds and buttons.

Nothing here talks to Discord; the tests call these directly. Discord's limits are named and
enforced here, once: Discord refuses a whole message (400) when any one part is too long.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

import discord

from bot.factbase import Citation, Fact, FactBase, Source
from bot.reply import ABSTAIN_TEXT, CLARIFY_TEXT, HELP_TEXT, Outcome, Reply

NO_PINGS = discord.AllowedMentions.none()
ANSWER_COLOUR = discord.Colour(0x2B6CB0)
UNSURE_COLOUR = discord.Colour(0xD69E2E)
ABSTAIN_COLOUR = discord.Colour(0x718096)

APOLOGY = "Sorry, something went wrong on my side. Please try again."

# Discord's limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits
# and the component and interaction docs).
TITLE_MAX = 256  # embed title, field name
FIELD_MAX = 1024  # embed field value
DESCRIPTION_MAX = 4096  # embed description
FOOTER_MAX = 2048  # embed footer text
FIELDS_MAX = 25  # fields in one embed
EMBEDS_MAX = 10  # embeds in one message
CONTENT_MAX = 2000  # plain message content
LABEL_MAX = 80  # button label
CHOICE_MAX = 100  # autocomplete choice name and value
CHOICES_MAX = 25  # autocomplete choices in one answer
OPTION_MAX = 100  # select menu option label and description
# Ours: how much of a user's own text we echo back in a short notice.
ECHO_MAX = 100

# Bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069): echoed from
# a user, they can reverse how the rest of a title or line reads.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True, slots=True)
class AskId:
    """The custom id of a suggested-question button: `qa:ask:<fact id>`."""

    TEMPLATE: ClassVar[str] = r"qa:ask:(?P<fact_id>[a-z0-9-]+)"
    fact_id: str

    def __str__(self) -> str:
        return f"qa:ask:{self.fact_id}"

    @classmethod
    def parse(cls, custom_id: str) -> AskId | None:
        match = re.fullmatch(cls.TEMPLATE, custom_id)
        return cls(match["fact_id"]) if match else None


@dataclass(frozen=True, slots=True)
class VoteId:
    """The custom id of a vote button: `qa:vote:<up|down|none>:<question id>:<fact id or empty>`."""

    TEMPLATE: ClassVar[str] = (
        r"qa:vote:(?P<vote>up|down|none):(?P<question_id>\d+):(?P<fact_id>[a-z0-9-]*)"
    )
    vote: str
    question_id: int
    fact_id: str | None

    def __str__(self) -> str:
        return f"qa:vote:{self.vote}:{self.question_id}:{self.fact_id or ''}"

    @classmethod
    def parse(cls, custom_id: str) -> VoteId | None:
        match = re.fullmatch(cls.TEMPLATE, custom_id)
        if match is None:
            return None
        return cls(match["vote"], int(match["question_id"]), match["fact_id"] or None)


def shorten(text: str, limit: int) -> str:
    """Cut to `limit` characters at a word boundary, with an ellipsis when cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] or text[: limit - 1]
    return cut + "\u2026"


def strip_bidi(text: str) -> str:
    return _BIDI_CONTROLS.sub("", text)


def clean_user_text(text: str, limit: int) -> str:
    """User text made harmless for an embed: no Markdown, no mentions, no bidirectional
    controls, bounded length."""
    text = " ".join(strip_bidi(text).split())
    escaped = discord.utils.escape_mentions(discord.utils.escape_markdown(text))
    return shorten(escaped, limit) or "\u200b"


def quote_block(cite: Citation) -> str:
    """The cited sentence as a block quote, the words the answer rests on in bold."""
    # Escaped whole, then the escaped quote found in it: escaping a piece alone would
    # take its start for a line's (" - a" becomes "\\ - a").
    sentence = discord.utils.escape_markdown(cite.sentence)
    quote = discord.utils.escape_markdown(cite.quote.strip())
    before, found, after = sentence.partition(quote)
    marked = f"> {before}**{quote}**{after}"
    if not found or quote == sentence or len(marked) > FIELD_MAX:
        # Bold only what it marks whole: a cut-off "**" would show as stars.
        return shorten("> " + sentence, FIELD_MAX)
    return marked


def answer_embed(reply: Reply) -> discord.Embed:
    """The embed for any reply: a cited answer, an abstention, or help; a follow-up read
    in its conversation says how it was read, above everything else."""
    embed = _answer_embed(reply)
    if reply.reading and reply.outcome is not Outcome.HELP:
        # The embed's author line: short, first, and apart from the answer.
        embed.set_author(name=clean_user_text(f"({reply.reading})", TITLE_MAX))
    return embed


def _answer_embed(reply: Reply) -> discord.Embed:
    if reply.outcome is Outcome.HELP:
        return help_embed(reply)
    title = clean_user_text(reply.question, TITLE_MAX)
    fact = reply.fact
    if reply.outcome is Outcome.CLARIFY:
        # The candidates are the buttons below, best guess first; listed here too so
        # the message reads on its own (and in notifications).
        return discord.Embed(
            title=title,
            description=shorten(f"{CLARIFY_TEXT}\n{_bullets(reply.suggestions)}", DESCRIPTION_MAX),
            colour=UNSURE_COLOUR,
        )
    if fact is None:
        embed = discord.Embed(title=title, description=ABSTAIN_TEXT, colour=ABSTAIN_COLOUR)
        if reply.suggestions:
            embed.add_field(
                name="Questions I can answer",
                value=_bullets(reply.suggestions),
                inline=False,
            )
        return embed
    cite = fact.citation
    colour = UNSURE_COLOUR if reply.outcome is Outcome.AMBIGUOUS else ANSWER_COLOUR
    embed = discord.Embed(
        title=title, description=shorten(fact.answer, DESCRIPTION_MAX), colour=colour
    )
    embed.add_field(name=f"Paragraph {cite.paragraph}", value=quote_block(cite), inline=False)
    if reply.alternatives:
        embed.add_field(name="Did you mean", value=_bullets(reply.alternatives), inline=False)
    embed.set_footer(text=shorten(f"Source: {cite.source.label}", FOOTER_MAX))
    return embed


def help_embed(reply: Reply | None = None, prefix: str = "!") -> discord.Embed:
    embed = discord.Embed(
        title="Ask me about the article", description=HELP_TEXT, colour=ANSWER_COLOUR
    )
    embed.add_field(
        name="How to ask",
        value=(
            "\u2022 `/ask question:` \u2014 add `private:True` so only you see the answer\n"
            f"\u2022 `{prefix}ask who was released?`\n"
            "\u2022 mention me with your question, or send me a direct message"
        ),
        inline=False,
    )
    embed.add_field(
        name="Explore",
        value=(
            "`/facts` everything I know, by topic or person \u2022 `/person` a card for one "
            "person \u2022 `/source` the article and how to cite it \u2022 `/help` this"
        ),
        inline=False,
    )
    if reply is not None and reply.suggestions:
        embed.add_field(name="Try", value=_bullets(reply.suggestions), inline=False)
    return embed


def offer_buttons(reply: Reply, limit: int = 3) -> list[discord.ui.Button[discord.ui.View]]:
    """Buttons for the follow-ups, "did you mean" alternatives or suggestions of a reply."""
    style = discord.ButtonStyle.primary if reply.fact is None else discord.ButtonStyle.secondary
    return [ask_button(fact, style) for fact in reply.offers[:limit]]


def feedback_buttons(reply: Reply, question_id: int) -> list[discord.ui.Button[discord.ui.View]]:
    """👍 / 👎 for an answer; "None of these" when the bot offered choices instead of, or
    besides, a sure answer. Each carries the logged question's id."""
    fact_id = reply.fact.id if reply.fact else None
    buttons = []
    if reply.outcome in (Outcome.AMBIGUOUS, Outcome.CLARIFY, Outcome.NOT_IN_ARTICLE):
        buttons.append(
            discord.ui.Button(
                label="None of these",
                custom_id=str(VoteId("none", question_id, fact_id)),
                style=discord.ButtonStyle.danger,
            )
        )
    if reply.fact is not None:
        for vote, emoji in (("up", "\U0001f44d"), ("down", "\U0001f44e")):
            buttons.append(
                discord.ui.Button(
                    emoji=emoji,
                    custom_id=str(VoteId(vote, question_id, fact_id)),
                    style=discord.ButtonStyle.secondary,
                )
            )
    return buttons


def ask_button(fact: Fact, style: discord.ButtonStyle) -> discord.ui.Button[discord.ui.View]:
    return discord.ui.Button(
        label=shorten(fact.display_question, LABEL_MAX),
        custom_id=str(AskId(fact.id)),
        style=style,
    )


def source_embed(source: Source) -> discord.Embed:
    embed = discord.Embed(title=shorten(source.title, TITLE_MAX), colour=ANSWER_COLOUR)
    embed.description = shorten(source.headline, DESCRIPTION_MAX)
    embed.add_field(name="Publication", value=source.publication)
    embed.add_field(name="Dateline", value=source.dateline.title())
    embed.add_field(name="Body paragraphs", value=str(len(source.paragraphs)))
    embed.add_field(
        name="How to cite",
        value=f"\u201c{source.title}.\u201d *{source.publication}*, paragraph N.",
        inline=False,
    )
    embed.set_footer(text="Paragraphs are numbered from 1, after the headline.")
    return embed


def facts_page_embed(
    title: str, facts: list[Fact], page: int, per_page: int, topics: list[str]
) -> discord.Embed:
    pages = max(1, -(-len(facts) // per_page))
    page = min(max(page, 0), pages - 1)
    chunk = facts[page * per_page : (page + 1) * per_page]
    lines = [
        f"**{page * per_page + n}.** {discord.utils.escape_markdown(f.display_question)} "
        f"(\u00b6{f.citation.paragraph})"
        for n, f in enumerate(chunk, start=1)
    ]
    embed = discord.Embed(
        title=shorten(title, TITLE_MAX),
        description=shorten("\n".join(lines) or "Nothing here.", DESCRIPTION_MAX),
        colour=ANSWER_COLOUR,
    )
    if topics:
        embed.add_field(name="Topics and people", value=shorten(" \u2022 ".join(topics), FIELD_MAX))
    embed.set_footer(text=f"Page {page + 1} of {pages} \u2022 {len(facts)} facts")
    return embed


def person_embed(name: str, facts: list[Fact]) -> discord.Embed:
    embed = discord.Embed(title=shorten(name, TITLE_MAX), colour=ANSWER_COLOUR)
    for fact in facts[:FIELDS_MAX]:
        embed.add_field(
            name=shorten(fact.display_question, TITLE_MAX),
            value=shorten(f"{fact.answer} (\u00b6{fact.citation.paragraph})", FIELD_MAX),
            inline=False,
        )
    if len(facts) > FIELDS_MAX:
        embed.set_footer(text=f"{len(facts) - FIELDS_MAX} more: /facts topic:{name}")
    return embed


def browse_groups(factbase: FactBase) -> dict[str, list[Fact]]:
    """Topics and people, each with its facts, for /facts and /person."""
    return {**factbase.topics(), **factbase.people()}


def _bullets(facts: tuple[Fact, ...] | list[Fact]) -> str:
    return shorten(
        "\n".join(f"\u2022 {discord.utils.escape_markdown(f.display_question)}" for f in facts),
        FIELD_MAX,
    )
