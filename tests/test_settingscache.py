"""Settings kept between starts: the values validating gave, only for the same inputs,
never a secret on disk, and never a reason to let a bad setting through."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError, load_settings
from bot.settingscache import ENV_FILE, KEEP, SettingsSnapshot, load_settings_cached


@pytest.fixture
def cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A cache folder of the test's own; settings read the working folder's `.env` (the
    test's own too), as they do outside the tests."""
    monkeypatch.setitem(Settings.model_config, "env_file", ENV_FILE)
    folder = tmp_path / "cache"
    monkeypatch.setenv("BOT_CACHE_DIR", str(folder))
    return folder


def _snapshots(folder: Path) -> list[Path]:
    return sorted(folder.glob("settings-*.pickle"))


def test_a_second_start_reads_what_the_first_validated(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BOT_SHARD_COUNT", "4")
    monkeypatch.setenv("bot_shard_ids", "[2,3]")  # any case, as pydantic-settings reads it
    monkeypatch.setenv("BOT_MATCH_OPEN_MARGIN", "0.2")
    Path(".env").write_text("BOT_COMMAND_PREFIX=?\n", encoding="utf-8")
    first = load_settings_cached()
    assert isinstance(first, Settings)
    assert len(_snapshots(cache)) == 1
    second = load_settings_cached()
    assert isinstance(second, SettingsSnapshot)
    for name in Settings.model_fields:
        assert getattr(second, name) == getattr(first, name), name
    assert (second.command_prefix, second.shard_ids) == ("?", [2, 3])
    assert second.match_config() == first.match_config()
    assert second.index_cache_dir() == first.index_cache_dir() == cache


@pytest.mark.parametrize(
    "change",
    ["environment", "variable in lower case", ".env", ".env removed", "override"],
)
def test_other_inputs_are_validated_afresh(
    cache: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    Path(".env").write_text("BOT_COMMAND_PREFIX=?\n", encoding="utf-8")
    overrides: dict[str, object] = {}
    assert load_settings_cached().command_prefix == "?"
    if change == "environment":
        monkeypatch.setenv("BOT_COMMAND_PREFIX", "$")
    elif change == "variable in lower case":
        monkeypatch.setenv("bot_command_prefix", "$")
    elif change == ".env":
        Path(".env").write_text("BOT_COMMAND_PREFIX=$\n", encoding="utf-8")
    elif change == ".env removed":
        Path(".env").unlink()
    else:
        overrides["command_prefix"] = "$"
    again = load_settings_cached(**overrides)
    assert isinstance(again, Settings)
    assert again.command_prefix == ("!" if change == ".env removed" else "$")


def test_a_bad_setting_after_a_good_start_is_reported_as_ever(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_settings_cached()
    load_settings_cached()
    monkeypatch.setenv("BOT_COOLDOWN_SECONDS", "nan")
    Path(".env").write_text("BOT_DEV_GUILD_ID=-5\n", encoding="utf-8")
    with pytest.raises(SettingsError) as cached:
        load_settings_cached()
    with pytest.raises(SettingsError) as direct:
        load_settings()
    assert str(cached.value) == str(direct.value)
    assert str(cached.value).splitlines() == [
        "invalid setting BOT_DEV_GUILD_ID: Input should be greater than 0",
        "invalid setting BOT_COOLDOWN_SECONDS: Input should be a finite number",
    ]


def test_secrets_are_never_written_and_still_read(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "sekret-token")
    Path(".env").write_text("BOT_DB_URL=postgresql://u:sekret-pw@db/q\n", encoding="utf-8")
    load_settings_cached()
    snapshot = load_settings_cached()
    assert isinstance(snapshot, SettingsSnapshot)
    for path in cache.iterdir():
        assert b"sekret" not in path.read_bytes(), path
    [kept] = _snapshots(cache)
    assert kept.stat().st_mode & 0o077 == 0  # only the user reads it, as the index cache
    assert snapshot.discord_token is not None
    assert snapshot.discord_token.get_secret_value() == "sekret-token"
    assert snapshot.db_url is not None
    assert snapshot.db_url.get_secret_value() == "postgresql://u:sekret-pw@db/q"
    # What the snapshot does not keep comes from the real settings.
    assert snapshot.model_copy(update={"dev_guild_id": 5}).dev_guild_id == 5


def test_nothing_is_kept_with_the_cache_off(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_INDEX_CACHE", "false")
    load_settings_cached()
    assert isinstance(load_settings_cached(), Settings)
    assert not cache.exists()


def test_a_damaged_snapshot_means_validating(cache: Path) -> None:
    load_settings_cached()
    [kept] = _snapshots(cache)
    kept.write_bytes(kept.read_bytes()[:20])
    assert isinstance(load_settings_cached(), Settings)
    assert isinstance(load_settings_cached(), SettingsSnapshot)  # and it was written anew


def test_settings_that_read_no_env_file_neither_keep_nor_read_a_snapshot(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Path(".env").write_text("BOT_COMMAND_PREFIX=?\n", encoding="utf-8")
    load_settings_cached()
    # As the test suite's own process does: what a start reads is not what it would.
    monkeypatch.setitem(Settings.model_config, "env_file", None)
    ignoring = load_settings_cached()
    assert isinstance(ignoring, Settings)
    assert ignoring.command_prefix == "!"
    monkeypatch.setenv("BOT_COOLDOWN_RATE", "7")
    load_settings_cached()
    assert len(_snapshots(cache)) == 1


def test_snapshots_do_not_pile_up(cache: Path) -> None:
    for n in range(KEEP + 3):  # other overrides: a snapshot of their own each
        load_settings_cached(cooldown_rate=n + 1)
    assert len(_snapshots(cache)) == KEEP
    assert isinstance(load_settings_cached(cooldown_rate=KEEP + 3), SettingsSnapshot)
    assert not list(cache.glob(".settings-*"))  # no temporary file left behind
