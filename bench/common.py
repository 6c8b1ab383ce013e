"""What the benchmarks share: a real tinbao over the fake Bot API on a fresh database."""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Any

from telegram.ext import BaseRateLimiter

from bot.clock import system_clock
from bot.places import sync_units
from config.settings import DEMO_TOKEN, Settings
from handlers.telegram.app import Tinbao, create
from handlers.telegram.fake.botapi import FakeBotApi
from handlers.telegram.fake.scripted import Driver
from handlers.telegram.fake.updates import FakeChat, FakeUser
from storage.db import Database

QUEUE = -100777


async def open_bench(
    db_path: Path,
    *,
    rate_limiter: bool | BaseRateLimiter[Any],
    api: FakeBotApi | None = None,
) -> tuple[Tinbao, FakeBotApi]:
    """Ninh Bình's communes loaded, abuse limits lifted (one process plays every citizen).
    ``rate_limiter`` as in :func:`handlers.telegram.app.create`; ``api`` e.g. one that enforces
    Telegram's limits (``FakeBotApi(enforce_limits=True)``)."""
    db = await Database.open(db_path, clock=system_clock)
    await sync_units(db, "Ninh Bình")
    await db.close()
    settings = Settings(
        bot_token=DEMO_TOKEN,  # type: ignore[arg-type]
        secret_key=base64.urlsafe_b64encode(os.urandom(32)).decode(),  # type: ignore[arg-type]
        database_path=db_path,
        tips_per_hour=1_000_000,
        messages_per_minute=1_000_000,
    )
    api = api or FakeBotApi()
    return await create(settings, request=api, rate_limiter=rate_limiter), api


async def bind_tam_chuc_queue(driver: Driver) -> None:
    """So that every tip also produces a police card (the real path)."""
    code, _, _ = await driver.tinbao.staff.create_invite("Tam Chúc", "lead")
    lead = FakeUser(1, "Trưởng")
    await driver.says(lead, f"/join {code}")
    await driver.says(lead, "/bindqueue", chat=FakeChat.supergroup("CA Tam Chúc", id=QUEUE))
