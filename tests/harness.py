"""Drive the real tinbao Application with real Bot API JSON through the fake Bot API.

Tests speak in user terms (``citizen.says("...")``, ``citizen.presses("✅ Gửi tin báo")``);
underneath, each step is an Update dict as Telegram would send it, processed by the same
``Application`` that ``tinbao run`` uses, on a real SQLite file.
"""

from __future__ import annotations

import base64
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from telegram import Update

from bot.app import Tinbao, create
from bot.clock import FakeClock
from bot.fakeapi import FakeBotApi
from bot.updates import FakeChat, FakeUser, UpdateFactory
from config.settings import DEMO_TOKEN, Settings

KEY = base64.urlsafe_b64encode(bytes(range(32))).decode()
_TEMPLATE: dict[str, Path] = {}


def make_settings(db_path: Path, **extra: Any) -> Settings:
    return Settings(
        bot_token=DEMO_TOKEN,  # type: ignore[arg-type]
        secret_key=KEY,  # type: ignore[arg-type]
        database_path=db_path,
        **extra,
    )


async def template_db(directory: Path) -> Path:
    """A migrated database with Ninh Bình's communes, built once per test session."""
    if "path" not in _TEMPLATE:
        from bot.places import sync_units
        from storage.db import Database

        path = directory / "template.db"
        db = await Database.open(path)
        await sync_units(db, "Ninh Bình")
        await db.close()
        _TEMPLATE["path"] = path
    return _TEMPLATE["path"]


@dataclass
class Harness:
    tinbao: Tinbao
    api: FakeBotApi
    updates: UpdateFactory
    clock: FakeClock

    async def deliver(self, update: dict[str, Any]) -> None:
        await self.tinbao.app.process_update(Update.de_json(update, self.tinbao.app.bot))

    async def flush(self) -> int:
        return await self.tinbao.sender.flush()

    def citizen(self, user_id: int = 1001, name: str = "Lan") -> Person:
        return Person(self, FakeUser(user_id, name))

    def officer(self, user_id: int, name: str) -> Person:
        return Person(self, FakeUser(user_id, name))

    def group(self, title: str, chat_id: int) -> FakeChat:
        return FakeChat.supergroup(title, id=chat_id)


@dataclass
class Person:
    h: Harness
    user: FakeUser

    @property
    def chat_id(self) -> int:
        return self.user.id

    async def says(self, text: str, chat: FakeChat | None = None) -> dict[str, Any]:
        update = self.h.updates.text(self.user, text, chat=chat)
        await self.h.deliver(update)
        return update

    async def sends(self, update: dict[str, Any]) -> None:
        await self.h.deliver(update)

    def messages(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        return self.h.api.sent_to(chat_id if chat_id is not None else self.chat_id)

    def last(self, chat_id: int | None = None) -> str:
        return self.h.api.last_text(chat_id if chat_id is not None else self.chat_id) or ""

    def find_button(self, label: str, chat_id: int | None = None) -> tuple[dict[str, Any], str]:
        """The newest message in the chat carrying a button whose text contains ``label``."""
        for message in reversed(self.messages(chat_id)):
            markup = message.get("reply_markup") or {}
            for row in markup.get("inline_keyboard", []):
                for button in row:
                    if label in button["text"] and "callback_data" in button:
                        return message, button["callback_data"]
        raise AssertionError(f"no button {label!r} in chat {chat_id or self.chat_id}")

    async def presses(
        self, label: str, chat: FakeChat | None = None, *, data: str | None = None
    ) -> dict[str, Any]:
        chat_id = chat.id if chat else None
        message, found = self.find_button(label, chat_id)
        update = self.h.updates.callback(self.user, message, data or found)
        await self.h.deliver(update)
        return update

    def answers(self) -> list[str]:
        """Texts of the pop-up answers to this person's button presses."""
        calls = self.h.api.calls_of("answerCallbackQuery")
        return [str(c.params.get("text") or "") for c in calls]


async def open_harness(tmp_path: Path, **settings_extra: Any) -> Harness:
    db_path = tmp_path / "tinbao.db"
    shutil.copy(await template_db(tmp_path.parent), db_path)
    settings = make_settings(db_path, **settings_extra)
    api = FakeBotApi()
    clock = FakeClock(datetime(2026, 11, 28, 1, 0, tzinfo=UTC))
    tinbao = await create(settings, request=api, clock=clock, rate_limiter=False)
    await tinbao.app.initialize()
    return Harness(tinbao, api, api.factory(), clock)


async def close_harness(h: Harness) -> None:
    await h.tinbao.app.shutdown()
    await h.tinbao.db.close()


async def file_tip(
    citizen: Person,
    *,
    place: str = "tam chuk",
    text: str | None = None,
    urgent: bool = False,
    photos: int = 0,
    phone: str | None = None,
) -> str:
    """Walk the whole dialogue; returns the receipt code shown to the citizen."""
    h = citizen.h
    await citizen.says("/start")
    await citizen.presses("Báo tin")
    await citizen.presses("Tố giác tội phạm")
    await citizen.presses("Đang xảy ra" if urgent else "Không, đã xảy ra rồi")
    await citizen.says(place)
    await citizen.presses("Tam Chúc")
    await citizen.says("Gần cổng chùa Tam Chúc, thôn Ba Sao")
    if not urgent:
        await citizen.presses("Hôm nay")
        await citizen.presses("Bỏ qua")
    await citizen.says(text or "Có nhóm thanh niên tụ tập đánh bạc ăn tiền tại quán nước.")
    for _ in range(photos):
        await citizen.sends(h.updates.photo(citizen.user))
    await citizen.presses("Xong" if photos else "Bỏ qua")
    if phone:
        await citizen.presses("Để lại số điện thoại")
        await citizen.sends(h.updates.contact(citizen.user, phone))
    else:
        await citizen.presses("Ẩn danh")
    await citizen.presses("Gửi tin báo")
    await h.flush()
    text_shown = citizen.last()
    assert "Mã tin báo của bạn:" in text_shown, text_shown
    return text_shown.split("Mã tin báo của bạn:")[1].split()[0]
