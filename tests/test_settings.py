"""Settings: every bad value reported at once, one line each naming the variable."""

from __future__ import annotations

import dataclasses

import pytest

from bot.matcher import MatchConfig
from bot.settings import TUNABLE_FIELDS, Settings, SettingsError, load_settings
from bot.textnorm import MAX_QUESTION_CHARS


def _errors(monkeypatch: pytest.MonkeyPatch, **env: str) -> list[str]:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as info:
        load_settings()
    return str(info.value).splitlines()


def test_the_defaults_are_valid() -> None:
    settings = load_settings()
    assert settings.shard_ids is None
    assert settings.index_cache_dir() is not None


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (
            {"BOT_SHARD_IDS": "[0, 1]"},
            ["invalid setting BOT_SHARD_IDS: needs BOT_SHARD_COUNT (the total number of shards)"],
        ),
        (
            {"BOT_SHARD_IDS": "[1, 2]", "BOT_SHARD_COUNT": "2"},
            [
                "invalid setting BOT_SHARD_IDS: [2] not below BOT_SHARD_COUNT (2); "
                "ids run from 0 to 1"
            ],
        ),
        (
            {"BOT_SHARD_IDS": "[0, -1]", "BOT_SHARD_COUNT": "2"},
            ["invalid setting BOT_SHARD_IDS (item 2): Input should be greater than or equal to 0"],
        ),
        (
            {"BOT_SHARD_IDS": "[1, 1]", "BOT_SHARD_COUNT": "2"},
            ["invalid setting BOT_SHARD_IDS: an id is listed twice"],
        ),
        (
            {"BOT_SHARD_COUNT": "0"},
            ["invalid setting BOT_SHARD_COUNT: Input should be greater than or equal to 1"],
        ),
    ],
)
def test_shard_settings_are_checked_together(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected: list[str]
) -> None:
    assert _errors(monkeypatch, **env) == expected


def test_shards_that_agree_are_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_SHARD_COUNT", "4")
    monkeypatch.setenv("BOT_SHARD_IDS", "[2,3]")
    settings = load_settings()
    assert (settings.shard_count, settings.shard_ids) == (4, [2, 3])


def test_nan_inf_and_a_negative_guild_id_are_rejected_all_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lines = _errors(
        monkeypatch,
        BOT_COOLDOWN_SECONDS="inf",
        BOT_MATCH_AMBIGUITY_MARGIN="nan",
        BOT_DEV_GUILD_ID="-1",
    )
    assert lines == [
        "invalid setting BOT_DEV_GUILD_ID: Input should be greater than 0",
        "invalid setting BOT_COOLDOWN_SECONDS: Input should be a finite number",
        "invalid setting BOT_MATCH_AMBIGUITY_MARGIN: Input should be a finite number",
    ]


def test_questions_may_be_no_longer_than_the_matcher_reads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BOT_MAX_QUESTION_LENGTH", str(MAX_QUESTION_CHARS))
    assert load_settings().max_question_length == MAX_QUESTION_CHARS
    [line] = _errors(monkeypatch, BOT_MAX_QUESTION_LENGTH=str(MAX_QUESTION_CHARS + 1))
    assert line.startswith("invalid setting BOT_MAX_QUESTION_LENGTH: Input should be less than")


def test_match_settings_are_derived_from_the_match_config(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    names = {n.removeprefix("match_") for n in Settings.model_fields if n.startswith("match_")}
    assert names <= TUNABLE_FIELDS  # every match_<name> setting names a config field
    assert load_settings().match_config() == MatchConfig()  # the defaults are the config's
    monkeypatch.setenv("BOT_MATCH_AMBIGUITY_MARGIN", "3")
    monkeypatch.setenv("BOT_MATCH_OPEN_MARGIN", "0.2")
    config = load_settings().match_config()
    assert config.ambiguity_margin == 3
    assert config.rank.open_margin == 0.2
    assert dataclasses.replace(config.rank, open_margin=0.05) == MatchConfig().rank


def test_the_cache_can_be_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_INDEX_CACHE", "false")
    assert load_settings().index_cache_dir() is None
