"""Settings read from the environment and an optional .env file (pydantic-settings)."""

from __future__ import annotations

import re
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

TELEGRAM_API = "https://api.telegram.org"
_TOKEN_RE = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{20,}$")
_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class Settings(BaseSettings):
    """Every setting of the bot; the README's table lists them."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: SecretStr | None = Field(default=None, validation_alias="BOT_TOKEN")
    bot_api_url: str = Field(default=TELEGRAM_API, validation_alias="BOT_API_URL")
    bot_username: str | None = Field(default=None, validation_alias="BOT_USERNAME")
    data_dir: Path = Field(default=Path("data"), validation_alias="DATA_DIR")
    database_url: str | None = Field(default=None, validation_alias="DATABASE_URL")
    timezone: str = Field(default="Asia/Shanghai", validation_alias="BOT_TIMEZONE")
    log_level: str = Field(default="INFO", validation_alias="LOG_LEVEL")
    shutdown_grace: float = Field(default=30.0, ge=0, le=600, validation_alias="SHUTDOWN_GRACE")
    send_max_wait: float = Field(default=60.0, ge=1, le=600, validation_alias="SEND_MAX_WAIT")
    # messages per second over all chats; Telegram allows about 30 (per chat and group limits are fixed)
    send_rate: float = Field(default=28.0, gt=0, le=1000, validation_alias="SEND_RATE")

    @field_validator("bot_token", "bot_username", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _TOKEN_RE.match(value.get_secret_value()):
            raise ValueError("格式应为 123456789:ABC…（从 @BotFather 获得）")
        return value

    @field_validator("bot_api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        if not re.match(r"^https?://[^\s/]+", value):
            raise ValueError("应为 http:// 或 https:// 开头的地址")
        return value.rstrip("/")

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("不是有效的时区名，例如 Asia/Shanghai") from exc
        return value

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        if value.upper() not in _LEVELS:
            raise ValueError("应为 " + "、".join(_LEVELS) + " 之一")
        return value.upper()

    @field_validator("database_url")
    @classmethod
    def _db_url(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        return normalise_database_url(value)

    @property
    def zone(self) -> ZoneInfo:
        """The zone every calendar fact (periods, due dates) is read in."""
        return ZoneInfo(self.timezone)

    @property
    def db_url(self) -> str:
        """DATABASE_URL, or the SQLite file under DATA_DIR."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'bot.sqlite3').as_posix()}"

    def token(self) -> str:
        """The token, or a SettingsError naming BOT_TOKEN."""
        if self.bot_token is None:
            raise SettingsError(
                "BOT_TOKEN 未设置：请在环境变量或 .env 中填写从 @BotFather 获得的令牌"
            )
        return self.bot_token.get_secret_value()


class SettingsError(Exception):
    """A setting is missing or malformed; the message is one Chinese line."""


def normalise_database_url(value: str) -> str:
    """Give a bare postgresql:// or sqlite:// URL its async driver; reject anything else."""
    if value.startswith(("postgresql://", "postgres://")):
        return "postgresql+asyncpg://" + value.split("://", 1)[1]
    if value.startswith("sqlite://"):
        return "sqlite+aiosqlite://" + value.split("://", 1)[1]
    if value.startswith(("postgresql+asyncpg://", "sqlite+aiosqlite://")):
        return value
    raise ValueError("应为 postgresql://… 或 sqlite:///…")


def load_settings() -> Settings:
    """Read Settings, turning a validation failure into one clear SettingsError line."""
    try:
        return Settings()
    except ValidationError as exc:
        parts = []
        for err in exc.errors():
            name = str(err["loc"][0]) if err["loc"] else "?"
            message = str(err["msg"]).removeprefix("Value error, ")
            parts.append(f"{name}: {message}")
        raise SettingsError("配置有误 — " + "；".join(parts)) from None
