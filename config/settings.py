"""The one place every tunable of tinbao lives.

Everything comes from the environment (prefix ``TINBAO_``) or a ``.env`` file, so a
province is set up without touching code. A missing or malformed value must stop the
process at start with a line that names the variable: an operator at 2 a.m. should not
read a traceback to learn that ``TINBAO_SECRET_KEY`` is too short.
"""

from __future__ import annotations

import base64
import binascii
import re
from datetime import time
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
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
        env_ignore_empty=True,  # "TINBAO_OPS_PORT=" in .env means unset, as in .env.example
    )

    # Telegram
    bot_token: SecretStr = Field(description="Bot token from @BotFather")
    bot_api_url: str = "https://api.telegram.org/bot"
    bot_file_url: str = "https://api.telegram.org/file/bot"
    # Telegram's flood limits kept on our side (30 messages/s, 20/min per group). Off only
    # against a Bot API server without them: the loopback fake of the benchmarks.
    bot_api_rate_limit: bool = True
    # A self-hosted Bot API server started with --local (compose.yaml's bot-api profile):
    # files up to 2000 MB, read from its data folder mounted into tinbao's container.
    bot_api_local_mode: bool = False

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

    # Webhook mode instead of long polling: Telegram POSTs updates to this public HTTPS
    # URL (a reverse proxy in front forwards them to the listen address below). Unset:
    # long polling, the default. The secret is checked on every request.
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    webhook_path: str = "/telegram"

    # Operations (issue 12)
    # Bot API traffic through an HTTP(S) or SOCKS proxy, as many provincial networks need
    # (e.g. http://proxy.local:3128); unset: direct.
    proxy_url: str | None = None
    # Log lines as plain text (people) or JSON lines (log shippers); never personal data.
    log_format: Literal["plain", "json"] = "plain"
    # A small HTTP server for /healthz (and /metrics when metrics are on): off unless a
    # port is set; bound to 127.0.0.1 unless another address is given.
    ops_port: int | None = Field(default=None, ge=1, le=65535)
    ops_host: str = "127.0.0.1"
    metrics: bool = False  # Prometheus figures at /metrics on the ops server
    # Scheduled online backups: off unless a folder is set; each verified after writing.
    backup_dir: Path | None = None
    backup_time: time = time(3, 30)  # in TINBAO_TIMEZONE
    backup_keep_daily: int = Field(default=7, ge=1)
    backup_keep_monthly: int = Field(default=12, ge=0)
    # `tinbao status` fails (exit 1, HTTP 503) below this much free disk for the data.
    min_free_disk_mb: int = Field(default=500, ge=1)

    # Zalo Official Account (issue 11): on when the app id and the OA secret key are set.
    # Zalo signs each webhook event with the OA secret key (not the app secret, which
    # only the token refresh uses); the receiver listens behind the HTTPS reverse proxy.
    zalo_app_id: str | None = None
    zalo_app_secret: SecretStr | None = None
    zalo_oa_secret_key: SecretStr | None = None
    zalo_webhook_listen: str = "127.0.0.1"
    zalo_webhook_port: int = Field(default=8444, ge=1, le=65535)
    zalo_webhook_path: str = "/zalo"
    zalo_api_url: str = "https://openapi.zalo.me"
    # Zalo's OAuth server (OA access tokens: /v4/oa/access_token); a proxy or a test double
    # may stand in.
    zalo_oauth_url: str = "https://oauth.zaloapp.com"
    # Zalo retries an unanswered event for hours; an older one is a replay, not a retry.
    zalo_max_event_age_seconds: int = Field(default=43200, ge=60)
    # The picture on Zalo's user-info form (a PNG/JPG URL, e.g. the OA's logo): Zalo
    # requires one, so without it a citizen leaves their number by typing it.
    zalo_info_image_url: str | None = None

    # The supervisors' web page (issue 13): off unless a port is set; bound to 127.0.0.1
    # (put a reverse proxy with HTTPS in front). Its login links and sessions are signed
    # with a key derived from TINBAO_SECRET_KEY: there is no second secret to keep.
    web_port: int | None = Field(default=None, ge=1, le=65535)
    web_host: str = "127.0.0.1"
    # The address officers open, used in the /web links (e.g. https://tinbao.example.vn);
    # unset: http://TINBAO_WEB_HOST:TINBAO_WEB_PORT. Cookies are Secure when it is https.
    web_base_url: str | None = None
    web_links_per_hour: int = Field(default=5, ge=1)  # /web links one officer may ask for

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

    @field_validator("webhook_url")
    @classmethod
    def _https_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("https://"):
            raise ValueError("Telegram sends webhooks only to an https:// URL")
        return value.rstrip("/") if value else value

    @field_validator("webhook_secret")
    @classmethod
    def _secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not re.fullmatch(
            r"[A-Za-z0-9_-]{16,256}", value.get_secret_value()
        ):
            raise ValueError("16 to 256 characters of A-Z, a-z, 0-9, _ and - (Telegram's rule)")
        return value

    @field_validator("webhook_path")
    @classmethod
    def _path_shape(cls, value: str) -> str:
        if not re.fullmatch(r"/[A-Za-z0-9_/-]*", value):
            raise ValueError("a path such as /telegram")
        return value

    @model_validator(mode="after")
    def _webhook_needs_its_secret(self) -> Settings:
        if self.webhook_url and self.webhook_secret is None:
            raise ValueError("TINBAO_WEBHOOK_SECRET must be set with TINBAO_WEBHOOK_URL")
        return self

    @field_validator("zalo_app_id")
    @classmethod
    def _zalo_app_id_shape(cls, value: str | None) -> str | None:
        if value is not None and not value.isdigit():
            raise ValueError("the digits of the app id shown in Zalo's developer console")
        return value

    @field_validator("zalo_webhook_path")
    @classmethod
    def _zalo_path_shape(cls, value: str) -> str:
        if not re.fullmatch(r"/[A-Za-z0-9_/-]*", value):
            raise ValueError("a path such as /zalo")
        return value

    @field_validator("zalo_api_url")
    @classmethod
    def _zalo_api_url_shape(cls, value: str) -> str:
        if not re.match(r"https?://", value):
            raise ValueError("an http(s):// URL such as https://openapi.zalo.me")
        return value.rstrip("/")

    @field_validator("zalo_oauth_url")
    @classmethod
    def _zalo_oauth_url_shape(cls, value: str) -> str:
        if not re.match(r"https?://", value):
            raise ValueError("an http(s):// URL such as https://oauth.zaloapp.com")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _zalo_all_or_nothing(self) -> Settings:
        """Half a Zalo setup would run deaf (no signature check possible) or refuse every
        event: name what is missing instead of starting."""
        given = {
            "TINBAO_ZALO_APP_ID": self.zalo_app_id is not None,
            "TINBAO_ZALO_OA_SECRET_KEY": self.zalo_oa_secret_key is not None,
            # the app secret renews the OA's access token (handlers/zalo/tokens.py)
            "TINBAO_ZALO_APP_SECRET": self.zalo_app_secret is not None,
        }
        if any(given.values()):
            missing = [name for name, present in given.items() if not present]
            if missing:
                raise ValueError(
                    f"Zalo is half set up: {' and '.join(missing)} must be set too"
                    " (or unset every TINBAO_ZALO_ secret to run without Zalo)"
                )
        return self

    @property
    def zalo_on(self) -> bool:
        return self.zalo_app_id is not None and self.zalo_oa_secret_key is not None

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
            if not error["loc"]:  # a rule across settings: its message names them
                lines.append(str(error["msg"]).removeprefix("Value error, "))
                continue
            variable = ENV_PREFIX + str(error["loc"][0]).upper()
            if error["type"] == "missing":
                lines.append(f"{variable} is not set")
            else:
                lines.append(f"{variable} is invalid: {error['msg']}")
        raise ConfigError("; ".join(lines)) from None
