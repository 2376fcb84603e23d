"""Settings read from the environment and an optional .env file (pydantic-settings)."""

from __future__ import annotations

import re
from datetime import datetime, time
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from storage.db import normalise_database_url, sqlite_url

TELEGRAM_API = "https://api.telegram.org"
_TOKEN_RE = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{20,}$")
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{16,256}$")
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
    reminder_days_before: str = Field(default="10,5,1", validation_alias="REMINDER_DAYS_BEFORE")
    reminder_overdue_after: int = Field(
        default=1, ge=1, le=30, validation_alias="REMINDER_OVERDUE_AFTER"
    )
    escalate_secretary_after: int = Field(
        default=3, ge=1, le=60, validation_alias="ESCALATE_SECRETARY_AFTER"
    )
    escalate_admin_after: int = Field(
        default=10, ge=1, le=120, validation_alias="ESCALATE_ADMIN_AFTER"
    )
    # an item imported (or made) late is first the holder's to hear of: escalation waits this long
    escalation_grace: int = Field(default=3, ge=0, le=60, validation_alias="ESCALATION_GRACE_DAYS")
    reminder_time: str = Field(default="09:00", validation_alias="REMINDER_TIME")
    # drills and end-to-end tests: the bot's clock starts at this instant and runs at real pace
    bot_now: datetime | None = Field(default=None, validation_alias="BOT_NOW")
    quiet_hours: str = Field(default="21:00-08:00", validation_alias="QUIET_HOURS")
    selfcheck_prompt_before: int = Field(
        default=5, ge=0, le=30, validation_alias="SELFCHECK_PROMPT_BEFORE"
    )
    # the 3+1 ranking (README: 排名（3+1）): quarter = 100 × (wc × completion + wt × timeliness)
    ranking_weight_completion: float = Field(
        default=0.7, ge=0, le=1, validation_alias="RANKING_WEIGHT_COMPLETION"
    )
    ranking_weight_timeliness: float = Field(
        default=0.3, ge=0, le=1, validation_alias="RANKING_WEIGHT_TIMELINESS"
    )
    ranking_weight_assessment: float = Field(
        default=0.4, ge=0, le=1, validation_alias="RANKING_WEIGHT_ASSESSMENT"
    )
    assessment_scores: str = Field(
        default="好=100,较好=85,一般=70,差=50", validation_alias="ASSESSMENT_SCORES"
    )
    # the web view's public address, mount path included: /web's links start with it
    web_url: str = Field(default="http://127.0.0.1:8080/web", validation_alias="WEB_URL")
    # `serve` (README: Deploying with webhooks): Telegram posts updates to WEBHOOK_URL with
    # WEBHOOK_SECRET in a header; each worker listens on WEBHOOK_LISTEN behind the proxy
    webhook_url: str | None = Field(default=None, validation_alias="WEBHOOK_URL")
    webhook_secret: SecretStr | None = Field(default=None, validation_alias="WEBHOOK_SECRET")
    webhook_listen: str = Field(default="127.0.0.1:8080", validation_alias="WEBHOOK_LISTEN")
    # the pacer's budget shared by every worker (Telegram's 30/s is per token); unset: in-process
    redis_url: str | None = Field(default=None, validation_alias="REDIS_URL")
    # seconds between a standby's attempts at the scheduler lock (takeover within a minute)
    leader_retry: float = Field(default=15.0, gt=0, le=50, validation_alias="LEADER_RETRY")

    @field_validator(
        "bot_token", "bot_username", "webhook_url", "webhook_secret", "redis_url", mode="before"
    )
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _TOKEN_RE.match(value.get_secret_value()):
            raise ValueError("格式应为 123456789:ABC…（从 @BotFather 获得）")
        return value

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^\s/]+(/\S*)?$", value):
            raise ValueError("应为 https://域名/路径，例如 https://bot.example.org/telegram")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _webhook_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _SECRET_RE.match(value.get_secret_value()):
            raise ValueError("应为 16–256 个字母、数字、_ 或 -（Telegram 的 secret_token 规则）")
        return value

    @field_validator("webhook_listen")
    @classmethod
    def _listen(cls, value: str) -> str:
        host, sep, port = value.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError("应为 主机:端口，例如 127.0.0.1:8080")
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("应为 redis://主机:端口/库号，例如 redis://127.0.0.1:6379/0")
        return value

    @field_validator("bot_api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        if not re.match(r"^https?://[^\s/]+", value):
            raise ValueError("应为 http:// 或 https:// 开头的地址")
        return value.rstrip("/")

    @field_validator("web_url")
    @classmethod
    def _web_url(cls, value: str) -> str:
        if not re.match(r"^https?://[^\s/]+/[^\s?#]*$", value.rstrip("/") + "/"):
            raise ValueError(
                "应为 http:// 或 https:// 开头的地址，可带路径，例如 https://example.org/web"
            )
        return value.rstrip("/")

    @property
    def web_path(self) -> str:
        """Where the web view is mounted: WEB_URL's path ("/web"; "" at the root)."""
        return urlsplit(self.web_url).path.rstrip("/")

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("不是有效的时区名，例如 Asia/Shanghai") from exc
        return value

    @field_validator("reminder_days_before")
    @classmethod
    def _days_before(cls, value: str) -> str:
        parts = [p.strip() for p in value.replace("，", ",").split(",") if p.strip()]
        if not parts or not all(p.isdigit() and 1 <= int(p) <= 60 for p in parts):
            raise ValueError("应为逗号分隔的工作日数，例如 10,5,1")
        return ",".join(parts)

    @field_validator("reminder_time")
    @classmethod
    def _clock_time(cls, value: str) -> str:
        parse_clock_time(value)
        return value

    @field_validator("quiet_hours")
    @classmethod
    def _quiet(cls, value: str, info: ValidationInfo) -> str:
        start, sep, end = value.partition("-")
        if not sep:
            raise ValueError("应为 开始-结束，例如 21:00-08:00")
        quiet_from, quiet_until = parse_clock_time(start), parse_clock_time(end)
        if quiet_from == quiet_until:
            raise ValueError("开始与结束不能相同，例如 21:00-08:00 或 12:00-14:00")
        send_at = info.data.get("reminder_time")
        if send_at is not None and quiet_until < quiet_from <= max(
            quiet_until, parse_clock_time(send_at)
        ):
            raise ValueError(f"REMINDER_TIME {send_at} 之后全天都在静默时段内，提醒永远不会发出")
        return value

    @field_validator("assessment_scores")
    @classmethod
    def _assessment_scores(cls, value: str) -> str:
        parse_scores(value)
        return value

    @field_validator("ranking_weight_timeliness")
    @classmethod
    def _weights_add_up(cls, value: float, info: ValidationInfo) -> float:
        completion = info.data.get("ranking_weight_completion")
        if completion is not None and abs(completion + value - 1) > 1e-9:
            raise ValueError("RANKING_WEIGHT_COMPLETION 与 RANKING_WEIGHT_TIMELINESS 之和应为 1")
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
    def quiet(self) -> tuple[time, time]:
        """QUIET_HOURS as (from, until)."""
        start, _, end = self.quiet_hours.partition("-")
        return parse_clock_time(start), parse_clock_time(end)

    @property
    def zone(self) -> ZoneInfo:
        """The zone every calendar fact (periods, due dates) is read in."""
        return ZoneInfo(self.timezone)

    @property
    def db_url(self) -> str:
        """DATABASE_URL, or the SQLite file under DATA_DIR."""
        if self.database_url:
            return self.database_url
        return sqlite_url(self.data_dir)

    @property
    def listen(self) -> tuple[str, int]:
        """WEBHOOK_LISTEN as (host, port)."""
        host, _, port = self.webhook_listen.rpartition(":")
        return host.strip("[]"), int(port)

    def webhook(self) -> tuple[str, str]:
        """(WEBHOOK_URL, WEBHOOK_SECRET), or a SettingsError naming the missing one (`serve`)."""
        if self.webhook_url is None:
            raise SettingsError("WEBHOOK_URL 未设置：serve 需要 Telegram 投递更新的 https 地址")
        if self.webhook_secret is None:
            raise SettingsError(
                "WEBHOOK_SECRET 未设置：serve 需要 16–256 位随机字符串（字母、数字、_、-）"
            )
        return self.webhook_url, self.webhook_secret.get_secret_value()

    def token(self) -> str:
        """The token, or a SettingsError naming BOT_TOKEN."""
        if self.bot_token is None:
            raise SettingsError(
                "BOT_TOKEN 未设置：请在环境变量或 .env 中填写从 @BotFather 获得的令牌"
            )
        return self.bot_token.get_secret_value()


def parse_clock_time(value: str) -> time:
    try:
        hour, minute = (int(part) for part in value.strip().split(":"))
        return time(hour, minute)
    except ValueError:
        raise ValueError(f"“{value}”不是有效的时刻，应为 HH:MM，例如 09:00") from None


def parse_scores(value: str) -> tuple[tuple[str, float], ...]:
    """ASSESSMENT_SCORES: 好=100,较好=85,… as (word, score) pairs in the order written."""
    pairs = []
    for part in value.replace("，", ",").split(","):
        word, sep, number = part.partition("=")
        try:
            score = float(number)
        except ValueError:
            score = -1.0
        if not sep or not word.strip() or not 0 <= score <= 100:
            raise ValueError("应为 结果=分数，逗号分隔，例如 好=100,较好=85,一般=70,差=50")
        pairs.append((word.strip(), score))
    return tuple(pairs)


class SettingsError(Exception):
    """A setting is missing or malformed; the message is one Chinese line."""


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
