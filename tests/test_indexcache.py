"""The index cache: used when fresh, rebuilt when anything that shapes it changes, and
never a reason to fail."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.indexcache import default_cache_dir, load_matcher_from
from bot.matcher import MatchConfig, Matcher
from bot.reply import to_json

QUESTIONS = ["how old is chen", "who is tom ross", "Who is Chen Ziming's lawyer?", "hi"]


def _answers(matcher: Matcher) -> list[dict[str, object]]:
    return [to_json(matcher.answer(q)) for q in QUESTIONS]


def test_a_fresh_cache_is_used_and_answers_alike(
    facts_copy: Path, tmp_path: Path, matcher: Matcher
) -> None:
    cache = tmp_path / "cache"
    built, hit = load_matcher_from(facts_copy, None, cache)
    assert not hit
    [file] = cache.glob("index-*.pickle")
    loaded, hit = load_matcher_from(facts_copy, None, cache)
    assert hit
    assert _answers(loaded) == _answers(built) == _answers(matcher)
    assert not list(cache.glob(".index-*"))  # no temporary file left behind
    assert len(list(cache.iterdir())) == 1
    assert file.exists()


def test_editing_a_fact_file_makes_the_cache_stale(facts_copy: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    load_matcher_from(facts_copy, None, cache)
    path = facts_copy / "china-human-rights.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "answer: Chen Ziming is 41.", "answer: Forty-one."
        ),
        encoding="utf-8",
    )
    rebuilt, hit = load_matcher_from(facts_copy, None, cache)
    assert not hit
    assert rebuilt.answer("how old is chen").fact.answer == "Forty-one."  # type: ignore[union-attr]
    assert load_matcher_from(facts_copy, None, cache)[1]  # and cached again
    assert len(list(cache.iterdir())) == 1  # replaced, not piled up


def test_a_new_file_in_the_facts_folder_makes_the_cache_stale(
    facts_copy: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    load_matcher_from(facts_copy, None, cache)
    (facts_copy / "notes.txt").write_text("a curator's note\n", encoding="utf-8")
    assert not load_matcher_from(facts_copy, None, cache)[1]


def test_other_match_settings_make_the_cache_stale(facts_copy: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    load_matcher_from(facts_copy, None, cache)
    other = MatchConfig(ambiguity_margin=1.0)
    matcher, hit = load_matcher_from(facts_copy, other, cache)
    assert not hit
    assert matcher.config == other


def test_another_version_is_never_trusted(
    facts_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot

    cache = tmp_path / "cache"
    load_matcher_from(facts_copy, None, cache)
    monkeypatch.setattr(bot, "__version__", "0.0.0-other")
    assert not load_matcher_from(facts_copy, None, cache)[1]


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # truncated
        lambda data: b"",  # empty
        lambda data: b"not a cache at all\n" + data,  # foreign
        lambda data: data.replace(b'"format": 1', b'"format": 99'),  # another format
    ],
)
def test_a_damaged_cache_file_is_rebuilt(facts_copy: Path, tmp_path: Path, damage) -> None:  # type: ignore[no-untyped-def]
    cache = tmp_path / "cache"
    load_matcher_from(facts_copy, None, cache)
    [file] = cache.glob("index-*.pickle")
    file.write_bytes(damage(file.read_bytes()))
    matcher, hit = load_matcher_from(facts_copy, None, cache)
    assert not hit
    assert matcher.answer("how old is chen").fact is not None
    assert load_matcher_from(facts_copy, None, cache)[1]  # repaired


def test_an_unwritable_cache_folder_means_no_cache(facts_copy: Path, tmp_path: Path) -> None:
    blocked = tmp_path / "a-file-not-a-folder"
    blocked.write_text("", encoding="utf-8")
    matcher, hit = load_matcher_from(facts_copy, None, blocked / "cache")
    assert not hit
    assert matcher.answer("how old is chen").fact is not None


def test_the_cache_folder_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_cache_dir() == tmp_path / "article-qa-bot"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_cache_dir() == tmp_path / "home" / ".cache" / "article-qa-bot"
