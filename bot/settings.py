"""Settings from the environment and `.env`, validated once at start.

Every setting is `BOT_<NAME>` except the token, which is `DISCORD_TOKEN` as Discord's own
docs name it. `.env.example` lists them all with a comment each.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.loader import default_facts_dir
from bot.matcher import MatchConfig
from bot.rank import RankConfig

_DEFAULT_MATCH = MatchConfig()


class SettingsError(Exception):
    """A setting is missing or invalid; the message is one line naming the variable."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="BOT_",
        env_file=".env",
        env_file_encoding="utf-8",
        env_ignore_empty=True,
        populate_by_name=True,
        extra="ignore",
    )

    discord_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("DISCORD_TOKEN", "BOT_DISCORD_TOKEN")
    )
    command_prefix: str = Field(default="!", min_length=1, max_length=5)
    message_content_intent: bool = False
    dev_guild_id: int | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    facts_dir: Path = Field(default_factory=default_facts_dir)
    facts_poll_seconds: float = Field(default=2.0, ge=0)  # reload on change; 0: only on demand

    max_question_length: int = Field(default=500, ge=10, le=4000)
    cooldown_rate: int = Field(default=5, ge=1)  # questions ...
    cooldown_seconds: float = Field(default=30.0, gt=0)  # ... per this many seconds, per user

    shard_count: int | None = Field(default=None, ge=1)
    shard_ids: list[int] | None = None
    auto_shard: bool = False

    db_path: Path = Path("data/questions.sqlite3")
    log_questions: bool = True
    retention_days: int = Field(default=90, ge=0)  # 0 keeps rows forever
    hash_salt: SecretStr = SecretStr("change-me")

    # Whether to answer is decided by facts/decision.json (refit: python -m bot calibrate).
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

    def match_config(self) -> MatchConfig:
        return MatchConfig(
            ambiguity_margin=self.match_ambiguity_margin,
            rank=RankConfig(open_margin=self.match_open_margin),
        )


def load_settings(**overrides: object) -> Settings:
    """Settings from env/.env (overrides win); one clear line on a bad value."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        err = exc.errors()[0]
        name = str(err["loc"][0]) if err["loc"] else "?"
        env = "DISCORD_TOKEN" if name == "discord_token" else f"BOT_{name.upper()}"
        raise SettingsError(f"invalid setting {env}: {err['msg']}") from None
