"""Drive the real tinbao Application with real Bot API JSON through the fake Bot API.

Tests speak in user terms (``citizen.says("...")``, ``citizen.presses("✅ Gửi tin báo")``);
underneath, each step is an Update dict as Telegram would send it, processed by the same
``Application`` that ``tinbao run`` uses, on a real SQLite file.
"""

from __future__ import annotations

import base64
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.clock import FakeClock
from config.settings import DEMO_TOKEN, Settings
from handlers.telegram.app import Tinbao, create
from handlers.telegram.fake.botapi import FakeBotApi
from handlers.telegram.fake.scripted import Driver
from handlers.telegram.fake.updates import FakeChat, FakeUser, UpdateFactory
from tests.dates import START, fixed_clock

KEY = base64.urlsafe_b64encode(bytes(range(32))).decode()
#: The sample wanted notices (fictitious people) the wanted-person scenarios import.
WANTED_NOTICES = Path(__file__).resolve().parent.parent / "samples" / "wanted" / "notices.csv"
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
        db = await Database.open(path, clock=fixed_clock)
        await sync_units(db, "Ninh Bình")
        await db.close()
        _TEMPLATE["path"] = path
    return _TEMPLATE["path"]


@dataclass
class Harness:
    _tinbao: Tinbao
    api: FakeBotApi
    clock: FakeClock

    def __post_init__(self) -> None:
        self.driver = Driver(self._tinbao, self.api)
        self.updates: UpdateFactory = self.driver.updates
        #: Exceptions a handler raised (the Application passed them to its error handlers).
        self.errors: list[BaseException] = []
        self._tinbao.app.add_error_handler(self._record_error)

    async def _record_error(self, update: object, context: Any) -> None:
        self.errors.append(context.error)

    @property
    def tinbao(self) -> Tinbao:
        return self._tinbao

    @tinbao.setter
    def tinbao(self, value: Tinbao) -> None:
        """Tests that simulate a restart swap in a new process's Tinbao."""
        self._tinbao = value
        self.driver.tinbao = value
        value.app.add_error_handler(self._record_error)

    async def deliver(self, update: dict[str, Any]) -> None:
        await self.driver.deliver(update)

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
        return await self.h.driver.says(self.user, text, chat)

    async def sends(self, update: dict[str, Any]) -> None:
        await self.h.deliver(update)

    async def replies(self, to: dict[str, Any], text: str, chat: FakeChat) -> dict[str, Any]:
        """Telegram's "Reply" to message ``to`` (a message dict from the fake Bot API)."""
        update = self.h.updates.text(self.user, text, chat=chat, reply_to=to)
        await self.h.deliver(update)
        return update

    def messages(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        return self.h.api.sent_to(chat_id if chat_id is not None else self.chat_id)

    def last(self, chat_id: int | None = None) -> str:
        return self.h.api.last_text(chat_id if chat_id is not None else self.chat_id) or ""

    def find_button(self, label: str, chat_id: int | None = None) -> tuple[dict[str, Any], str]:
        return self.h.driver.find_button(self.chat_id if chat_id is None else chat_id, label)

    async def presses(self, label: str, chat: FakeChat | None = None) -> dict[str, Any]:
        return await self.h.driver.presses(self.user, label, chat.id if chat else None)

    def answers(self) -> list[str]:
        """Texts of the pop-up answers to button presses."""
        calls = self.h.api.calls_of("answerCallbackQuery")
        return [str(c.params.get("text") or "") for c in calls]


async def open_harness(tmp_path: Path, **settings_extra: Any) -> Harness:
    db_path = tmp_path / "tinbao.db"
    shutil.copy(await template_db(tmp_path.parent), db_path)
    settings = make_settings(db_path, **settings_extra)
    clock = FakeClock(START)
    api = FakeBotApi(clock=clock)
    tinbao = await create(settings, request=api, clock=clock, sleep=clock.sleep, rate_limiter=False)
    await tinbao.app.initialize()
    return Harness(tinbao, api, clock)


async def restart(h: Harness) -> None:
    """A crash and a new process: the same database file and Bot API, a fresh Application
    (and with it a fresh inbox and sender)."""
    await h.tinbao.app.shutdown()
    await h.tinbao.db.close()
    h.tinbao = await create(h.tinbao.settings, request=h.api, clock=h.clock, rate_limiter=False)
    await h.tinbao.app.initialize()


async def close_harness(h: Harness) -> None:
    await h.tinbao.app.shutdown()
    await h.tinbao.db.close()


async def file_tip(citizen: Person, **options: Any) -> str:
    """Walk the whole dialogue; returns the receipt code shown to the citizen."""
    code = await citizen.h.driver.file_tip(citizen.user, **options)
    assert code is not None
    return code
