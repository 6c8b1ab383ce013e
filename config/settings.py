"""The one place every tunable of tinbao lives.

Everything comes from the environment (prefix ``TINBAO_``) or a ``.env`` file, so a
province is set up without touching code. A missing or malformed value must stop the
process at start with a line that names the variable: an operator at 2 a.m. should not
read a traceback to learn that ``TINBAO_SECRET_KEY`` is too short.
"""

from __future__ import annotations

import base64
import binascii
from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from config.texts.languages import Language

ENV_PREFIX = "TINBAO_"
DEMO_TOKEN = "123456:DEMO-token-for-the-in-process-fake-bot-api"


class ConfigError(Exception):
    """A setting is missing or wrong; the message names the environment variable."""


class Settings(BaseSettings):
    """All settings. Field ``x`` is read from ``TINBAO_X``."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    # Telegram
    bot_token: SecretStr = Field(description="Bot token from @BotFather")
    bot_api_url: str = "https://api.telegram.org/bot"
    bot_file_url: str = "https://api.telegram.org/file/bot"
    # Telegram's flood limits kept on our side (30 messages/s, 20/min per group). Off only
    # against a Bot API server without them: the loopback fake of the benchmarks.
    bot_api_rate_limit: bool = True

    # Storage and crypto
    database_path: Path = Path("data/tinbao.db")
    secret_key: SecretStr = Field(
        description="32-byte key, base64 (urlsafe or standard), that encrypts reporters' identity"
    )

    # Province
    province: str = "Ninh Bình"
    timezone: str = "Asia/Ho_Chi_Minh"
    default_language: Language = "vi"

    # Abuse limits
    tips_per_hour: int = Field(default=5, ge=1)
    messages_per_minute: int = Field(default=30, ge=1)
    status_lookups_per_hour: int = Field(default=10, ge=1)
    join_attempts_per_hour: int = Field(default=5, ge=1)  # wrong /join codes per person

    # Text and evidence limits
    description_min_chars: int = Field(default=10, ge=1)
    description_max_chars: int = Field(default=4000, ge=10, le=4096)
    address_max_chars: int = Field(default=300, ge=10)
    max_attachments: int = Field(default=10, ge=0, le=50)
    max_attachment_mb: int = Field(default=20, ge=1, le=2000)
    attachment_kinds: list[str] = ["photo", "video", "voice", "audio", "document"]
    document_mime_types: list[str] = [
        "application/pdf",
        "image/jpeg",
        "image/png",
        "image/heic",
        "video/mp4",
        "audio/mpeg",
        "audio/ogg",
    ]

    # Deadlines (minutes / hours / days)
    ack_minutes_urgent: int = Field(default=15, ge=1)
    ack_minutes_normal: int = Field(default=240, ge=1)
    transfer_hours: int = Field(default=24, ge=1)
    transfer_hours_remote: int = Field(default=48, ge=1)
    verification_days: int = Field(default=20, ge=1)
    verification_warn_day: int = Field(default=15, ge=1)
    retention_days: int = Field(default=365, ge=30)

    # Digests
    daily_digest_time: time = time(7, 0)
    weekly_digest_weekday: int = Field(default=0, ge=0, le=6)
    monthly_digest_day: int = Field(default=1, ge=1, le=28)

    # Invites
    invite_hours: int = Field(default=72, ge=1)

    # Officers' prompts (❓ question, ➡️ transfer target, duplicate's original): only a
    # reply to the bot's prompt, by the officer who pressed, within this many minutes
    # counts; the «Gửi» of a question counts for as long again after it is typed.
    prompt_minutes: int = Field(default=10, ge=1, le=1440)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("secret_key")
    @classmethod
    def _key_is_32_bytes(cls, value: SecretStr) -> SecretStr:
        decode_key(value.get_secret_value())
        return value

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr) -> SecretStr:
        token = value.get_secret_value()
        head, sep, tail = token.partition(":")
        if not sep or not head.isdigit() or len(tail) < 10:
            raise ValueError("expected the form <digits>:<secret> given by @BotFather")
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def key_bytes(self) -> bytes:
        return decode_key(self.secret_key.get_secret_value())


def decode_key(text: str) -> bytes:
    """Accept a 32-byte key in urlsafe or standard base64 (what ``tinbao keygen`` prints)."""
    raw = text.strip()
    for decoder in (base64.urlsafe_b64decode, base64.b64decode):
        try:
            key = decoder(raw + "=" * (-len(raw) % 4))
        except (binascii.Error, ValueError):
            continue
        if len(key) == 32:
            return key
    raise ValueError("must be 32 random bytes in base64; generate one with `tinbao keygen`")


def load_settings(**overrides: object) -> Settings:
    """Build :class:`Settings` or raise :class:`ConfigError` naming the variable at fault."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else "?"
            variable = ENV_PREFIX + field.upper()
            if error["type"] == "missing":
                lines.append(f"{variable} is not set")
            else:
                lines.append(f"{variable} is invalid: {error['msg']}")
        raise ConfigError("; ".join(lines)) from None
