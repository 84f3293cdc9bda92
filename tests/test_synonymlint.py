"""The synonym lint finds mappings that change what a question means."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bot.factbase import FactBase
from bot.synonymlint import lint_synonyms


def test_the_shipped_synonym_table_is_clean(factbase: FactBase) -> None:
    assert lint_synonyms(factbase.synonyms, factbase.reviewed) == []


def test_an_everyday_word_folded_into_another_word_is_found() -> None:
    # The issue's own example: "what was his magazine called" lost its fact.
    problems = lint_synonyms({"describe": ["call", "described", "nickname"]})
    assert len(problems) == 1
    assert "'call'" in problems[0]
    assert "'describe'" in problems[0]


def test_forms_of_the_canonical_word_and_rare_words_pass() -> None:
    # "made" is an irregular form of "make"; "emissary" is no everyday word.
    assert lint_synonyms({"make": ["made", "makes"], "envoy": ["emissary", "envoys"]}) == []


def test_a_reviewed_word_is_accepted() -> None:
    assert lint_synonyms({"describe": ["call"]}, reviewed=["call"]) == []


def test_a_variant_stemming_like_another_entrys_word_is_found() -> None:
    problems = lint_synonyms({"conference": ["summit", "meeting"], "meet": ["fulfil", "met"]})
    assert problems == [
        "'meeting' of 'conference' stems like 'meet': its other forms fold into neither; "
        "move or drop it, or list it under reviewed"
    ]


def test_a_variant_whose_stem_is_an_everyday_word_is_found() -> None:
    # "periodical" stems to "period": "over what period" became about the journal.
    problems = lint_synonyms({"journal": ["magazine", "periodical"]})
    assert len(problems) == 1
    assert "'period'" in problems[0]


def test_check_fails_naming_the_file_and_the_mapping(facts_copy: Path) -> None:
    synonyms = facts_copy / "synonyms.yaml"
    text = synonyms.read_text(encoding="utf-8")
    synonyms.write_text(text.replace("  describe: [", "  describe: [call, ", 1), encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-m", "bot", "--facts", str(facts_copy), "check"],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=facts_copy.parent,  # no developer .env is read from there
        env={"PATH": "/usr/bin:/bin"},
    )
    assert out.returncode == 1
    assert f"{synonyms}: 'call' is everyday English folded into 'describe'" in out.stdout
