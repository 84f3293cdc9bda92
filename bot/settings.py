"""Settings from the environment and `.env`, validated once at start.

Every setting is `BOT_<NAME>` except the token, which is `DISCORD_TOKEN` as Discord's own
docs name it. `.env.example` lists them all with a comment each. Every bad setting is
reported at once, one line each naming the variable.

A start reads them through `bot.settingscache.load_settings_cached`, which returns what
`load_settings` returned for the same inputs before without importing this module.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AliasChoices,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.factbase import default_facts_dir
from bot.indexcache import default_cache_dir
from bot.matcher import MatchConfig
from bot.rank import RankConfig

# Defined where a start that skips pydantic (bot.settingscache) can reach them too.
from bot.settingscache import ENV_FILE, SettingsError
from bot.textnorm import MAX_QUESTION_CHARS

_DEFAULT_MATCH = MatchConfig()


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="BOT_",
        env_file=ENV_FILE,
        env_file_encoding="utf-8",
        env_ignore_empty=True,
        populate_by_name=True,
        extra="ignore",
        allow_inf_nan=False,  # "nan" and "inf" are never a sensible number of anything
    )

    discord_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("DISCORD_TOKEN", "BOT_DISCORD_TOKEN")
    )
    command_prefix: str = Field(default="!", min_length=1, max_length=5)
    message_content_intent: bool = False
    dev_guild_id: int | None = Field(default=None, gt=0)  # a Discord id (snowflake)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    facts_dir: Path = Field(default_factory=default_facts_dir)
    facts_poll_seconds: float = Field(default=2.0, ge=0)  # reload on change; 0: only on demand
    # Where the built index is kept between starts (see bot.indexcache).
    cache_dir: Path | None = Field(default_factory=default_cache_dir)
    index_cache: bool = True

    # The matcher reads at most MAX_QUESTION_CHARS of a question, so no more is allowed.
    max_question_length: int = Field(default=500, ge=10, le=MAX_QUESTION_CHARS)
    cooldown_rate: int = Field(default=5, ge=1)  # questions ...
    cooldown_seconds: float = Field(default=30.0, gt=0)  # ... per this many seconds, per user

    shard_count: int | None = Field(default=None, ge=1)
    shard_ids: list[Annotated[int, Field(ge=0)]] | None = None
    auto_shard: bool = False

    db_path: Path = Path("data/questions.sqlite3")
    # postgresql://user:password@host:5432/database: the log goes there instead of db_path.
    db_url: SecretStr | None = None
    db_pool_size: int = Field(default=4, ge=1, le=100)  # connections per process, at most
    log_questions: bool = True
    retention_days: int = Field(default=90, ge=0)  # 0 keeps rows forever
    # None: a random salt is made on first use and kept with the log.
    hash_salt: SecretStr | None = None

    # Whether to answer is decided by facts/decision.json (refit: python -m bot calibrate).
    # Each `match_<name>` setting overrides the field <name> of MatchConfig or of its
    # RankConfig (see match_config); the defaults are theirs.
    match_ambiguity_margin: float = Field(default=_DEFAULT_MATCH.ambiguity_margin, ge=0, le=100)
    match_open_margin: float = Field(default=_DEFAULT_MATCH.rank.open_margin, ge=0, le=1)

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("discord_token", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _shards_agree(self) -> Settings:
        """Shard ids only mean something with the shard count they divide."""
        problems = []
        if self.shard_ids is not None:
            if self.shard_count is None:
                problems.append("BOT_SHARD_IDS: needs BOT_SHARD_COUNT (the total number of shards)")
            elif too_big := [i for i in self.shard_ids if i >= self.shard_count]:
                problems.append(
                    f"BOT_SHARD_IDS: {too_big} not below BOT_SHARD_COUNT ({self.shard_count}); "
                    f"ids run from 0 to {self.shard_count - 1}"
                )
            if len(set(self.shard_ids)) != len(self.shard_ids):
                problems.append("BOT_SHARD_IDS: an id is listed twice")
            if not self.shard_ids:
                problems.append("BOT_SHARD_IDS: an empty list runs no shard")
        if problems:
            raise ValueError("\n".join(problems))
        return self

    def match_config(self) -> MatchConfig:
        """MatchConfig with every `match_<name>` setting applied to its field <name>."""
        top: dict[str, object] = {}
        rank: dict[str, object] = {}
        for name in type(self).model_fields:
            if name.startswith("match_"):
                key = name.removeprefix("match_")
                (top if key in _MATCH_FIELDS else rank)[key] = getattr(self, name)
        return dataclasses.replace(
            _DEFAULT_MATCH, **top, rank=dataclasses.replace(_DEFAULT_MATCH.rank, **rank)
        )

    def index_cache_dir(self) -> Path | None:
        """Where to keep the built index, or None for no cache."""
        return self.cache_dir if self.index_cache else None


_MATCH_FIELDS = frozenset(f.name for f in dataclasses.fields(MatchConfig))
# The fields a `match_<name>` setting may name (a test holds every setting to it).
TUNABLE_FIELDS = _MATCH_FIELDS | {f.name for f in dataclasses.fields(RankConfig)}


def env_name(field_name: str) -> str:
    return "DISCORD_TOKEN" if field_name == "discord_token" else f"BOT_{field_name.upper()}"


def load_settings(**overrides: object) -> Settings:
    """Settings from env/.env (overrides win); one clear line per bad value."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise SettingsError("\n".join(_error_lines(exc))) from None
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        raise SettingsError(
            f"cannot read {ENV_FILE}: not UTF-8 text (byte 0x{exc.object[exc.start]:02x} "
            f"on line {line}); save it as UTF-8"
        ) from None
    except OSError as exc:
        raise SettingsError(f"cannot read {ENV_FILE}: {exc.strerror or exc}") from None


def _error_lines(exc: ValidationError) -> list[str]:
    lines = []
    for err in exc.errors():
        loc = err["loc"]
        if not loc:  # a check across settings: its message names the variables
            text = err["msg"].removeprefix("Value error, ")
            lines.extend(f"invalid setting {line}" for line in text.splitlines())
            continue
        where = env_name(str(loc[0]))
        if len(loc) > 1:
            where += f" (item {int(loc[1]) + 1})" if isinstance(loc[1], int) else f".{loc[1]}"
        lines.append(f"invalid setting {where}: {err['msg']}")
    return lines
