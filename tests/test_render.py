"""Embed and button rendering: pure functions, checked against Discord's limits."""

from __future__ import annotations

import dataclasses

import discord
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.factbase import Citation, FactBase
from bot.matcher import Matcher
from bot.render import (
    answer_embed,
    clean_user_text,
    facts_page_embed,
    offer_buttons,
    person_embed,
    quote_block,
    shorten,
    source_embed,
)
from bot.reply import Outcome, to_text


def _within_discord_limits(embed: discord.Embed) -> None:
    assert len(embed.title or "") <= 256
    assert len(embed.description or "") <= 4096
    assert len(embed.fields) <= 25
    for f in embed.fields:
        assert 0 < len(f.name) <= 256
        assert 0 < len(f.value) <= 1024
    assert len(embed) <= 6000


def test_answer_embed_shows_answer_quote_paragraph_and_source(matcher: Matcher) -> None:
    reply = matcher.answer("what disease does wang juntao have")
    fact = reply.fact
    assert fact is not None
    embed = answer_embed(reply)
    assert embed.description == fact.answer
    assert embed.fields[0].name == f"Paragraph {fact.citation.paragraph}"
    # The whole sentence, with the quoted words the answer rests on in bold.
    sentence = fact.citation.sentence
    assert fact.citation.quote in sentence
    assert len(sentence) > len(fact.citation.quote)
    assert embed.fields[0].value == "> " + sentence.replace(
        fact.citation.quote, f"**{fact.citation.quote}**"
    )
    assert embed.footer.text == f"Source: {fact.citation.source.label}"


def test_the_quote_is_bold_inside_its_escaped_sentence(factbase: FactBase) -> None:
    text = "It began. Wang said yes - a *fine* day. It ended."
    source = dataclasses.replace(factbase.sources[0], paragraphs=(text,))
    block = quote_block(Citation(source, 1, "Wang said yes"))
    # Escaped as one sentence: " - a" after the bold is no list item to escape.
    assert block == "> **Wang said yes** - a \\*fine\\* day."
    # A quote that is the whole sentence, or is not in it, is shown without bold.
    assert quote_block(Citation(source, 1, "It began.")) == "> It began."
    assert quote_block(Citation(source, 1, "not there")) == "> not there"


def test_text_and_embed_render_the_same_reply(matcher: Matcher) -> None:
    reply = matcher.answer("how old is chen")
    assert reply.fact is not None
    text = to_text(reply)
    embed = answer_embed(reply)
    assert reply.fact.answer in text
    assert embed.description == reply.fact.answer
    assert reply.fact.citation.sentence in text


def test_abstention_embed_lists_suggestions(matcher: Matcher) -> None:
    reply = matcher.answer("where was chen born")
    assert reply.outcome is Outcome.NOT_IN_ARTICLE
    embed = answer_embed(reply)
    assert "doesn't say" in (embed.description or "")
    assert all(f.display_question in embed.fields[0].value for f in reply.suggestions)


def test_user_text_cannot_break_markdown_or_ping() -> None:
    assert clean_user_text("**bold** `code` @everyone <@123456789012345678>", 256) == (
        "\\*\\*bold\\*\\* \\`code\\` @\u200beveryone <@\u200b123456789012345678>"
    )
    assert clean_user_text("   ", 256) == "\u200b"  # an embed title may not be empty


def test_shorten_cuts_at_a_word_with_an_ellipsis() -> None:
    assert shorten("one two three", 100) == "one two three"
    assert shorten("one two three", 9) == "one two\u2026"
    assert len(shorten("x" * 500, 80)) == 80


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=3000))
def test_any_question_renders_within_discord_limits(matcher: Matcher, question: str) -> None:
    reply = matcher.answer(question)
    _within_discord_limits(answer_embed(reply))
    for button in offer_buttons(reply):
        assert 0 < len(button.label or "") <= 80
        assert len(button.custom_id or "") <= 100


def test_every_fact_renders_within_limits(matcher: Matcher, factbase: FactBase) -> None:
    for fact in factbase.facts:
        reply = matcher.reply_for(fact.id)
        assert reply is not None
        _within_discord_limits(answer_embed(reply))
    for name, facts in factbase.people().items():
        _within_discord_limits(person_embed(name, facts))
    _within_discord_limits(source_embed(factbase.sources[0]))
    everything = list(factbase.facts)
    for page in range(10):
        _within_discord_limits(facts_page_embed("All", everything, page, 10, ["x"] * 300))


def test_clarification_asks_back_with_the_candidates_as_buttons(factbase: FactBase) -> None:
    from tests.test_matcher import _with_thresholds

    unsure = Matcher(_with_thresholds(factbase, answer=1.0, clarify=0.0))
    reply = unsure.answer("how old is chen ziming")
    assert reply.outcome is Outcome.CLARIFY
    embed = answer_embed(reply)
    assert (embed.description or "").startswith("I'm not sure I understood. Did you mean:")
    buttons = offer_buttons(reply)
    # The bot's best guess is the first button, and every candidate is one.
    assert [b.custom_id for b in buttons] == [f"qa:ask:{f.id}" for f in reply.suggestions]
    assert buttons[0].custom_id == "qa:ask:chen-age"
    assert all(b.style is discord.ButtonStyle.primary for b in buttons)
