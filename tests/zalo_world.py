"""The Zalo end-to-end world: tinbao started as ``tinbao run`` starts it, between the fake
Zalo OA and the fake Bot API, for tests/test_zalo_e2e.py.

Nothing is driven by hand: the OA's token pair is obtained as ``tinbao zalo authorize
--code`` obtains it (the token keeper against the fake OA's OAuth endpoint), then
``Tinbao.start(polling=True, sender=True)`` builds and starts everything itself: long
polling of the fake Bot API into the inbox, the inbox worker, Telegram's sender, the Zalo
webhook on its configured port, the Zalo delivery loop and its token keeper. Citizens
write through events the fake OA signs and POSTs to that webhook; officers press and
reply through updates the fake Bot API hands to ``getUpdates``. Each step then waits,
with a deadline, until the running process has nothing left to do now (:meth:`settle`).

The clock is the harness's fake clock: the 7-day window and retries are crossed by
moving it and waking the loops, never by waiting.
"""

from __future__ import annotations

import asyncio
import socket
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from bot.crypto import IdentityBox
from handlers.telegram.app import Tinbao
from handlers.telegram.fake.botapi import FakeBotApi
from handlers.telegram.fake.updates import FakeChat, FakeUser
from handlers.zalo.fake import FakeZaloOA
from handlers.zalo.tokens import TokenKeeper, ZaloOAuth
from storage import inbox, outbox
from storage.db import utc_text
from tests import zalo_screen as screen
from tests.harness import Harness, open_harness
from tests.police import QUEUE, setup_unit

APP_ID = "1234567890123456789"
OA_KEY = "oa-secret-key-of-the-province"
APP_SECRET = "app-secret-of-the-province"
UID = "2512523625412515"
SETTLE_SECONDS = 20.0  # the longest a step may take before the test fails


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class World:
    h: Harness
    oa: FakeZaloOA
    session: aiohttp.ClientSession
    twice: bool = False  # every event is delivered twice, as Zalo's retries do
    statuses: list[int] = field(default_factory=list)  # the webhook's answers

    @property
    def tinbao(self) -> Tinbao:
        return self.h.tinbao

    @property
    def api(self) -> FakeBotApi:
        return self.h.api

    @property
    def url(self) -> str:
        settings = self.tinbao.settings
        return f"http://127.0.0.1:{settings.zalo_webhook_port}{settings.zalo_webhook_path}"

    def citizen(self, uid: str = UID) -> Citizen:
        return Citizen(self, uid)

    def officer(self, user_id: int = 502, name: str = "Mai") -> Officer:
        return Officer(self, FakeUser(user_id, name))

    # ------------------------------------------------------------------ waiting -----
    async def settle(self, until: Callable[[], bool] | None = None) -> None:
        """Until the running process has nothing to do now (every update fetched, every
        inbox event applied, no outbox row of either channel due) and ``until`` holds;
        twice in a row, so a row written by the last send is seen too."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + SETTLE_SECONDS
        calm = 0
        while calm < 2:
            if loop.time() > deadline:
                raise AssertionError(f"not settled in {SETTLE_SECONDS}s: {await self.busy()}")
            await asyncio.sleep(0.02)
            busy = await self.busy()
            calm = calm + 1 if not busy and (until is None or until()) else 0

    async def busy(self) -> str:
        """What the process still has to do now ('' when nothing)."""
        if self.api.pending_updates:
            return "updates not fetched"
        t = self.tinbao
        async with t.db.read() as tx:
            if await inbox.pending(tx, limit=1):
                return "inbox events pending"
            now = utc_text(t.clock())
            for channel in ("telegram", "zalo"):
                if await outbox.due(tx, now, limit=1, channel=channel):
                    return f"{channel} outbox rows due"
        return ""

    async def later(self, **delta: float) -> None:
        """The fake clock moves on; the loops look at what fell due meanwhile."""
        self.h.clock.advance(**delta)
        self.tinbao.outbox_ready()
        await self.settle()

    # ------------------------------------------------------------------ reading -----
    def count(self, sql: str, *args: Any) -> int:
        """A count read from the database file by another connection: what is on disk,
        not what the running process holds in its batch."""
        conn = sqlite3.connect(self.tinbao.settings.database_path)
        try:
            return int(conn.execute(sql, args).fetchone()[0])
        finally:
            conn.close()

    def group_texts(self, chat_id: int = QUEUE) -> list[str]:
        return [str(m.get("text") or m.get("caption") or "") for m in self.api.sent_to(chat_id)]

    def card(self, code: str, chat_id: int = QUEUE) -> dict[str, Any]:
        for message in self.api.sent_to(chat_id):
            text = str(message.get("text") or "")
            if code in text and "TIN BÁO" in text:
                return message
        raise AssertionError(f"no card for {code} in {chat_id}")


@dataclass
class Citizen:
    w: World
    uid: str

    async def sends(self, event: dict[str, Any]) -> None:
        """One event, signed as Zalo signs it, to the running webhook (twice when the
        world says so: the same body, as Zalo's retry sends it); then the process works."""
        for _ in range(2 if self.w.twice else 1):
            status = await self.w.oa.deliver(self.w.url, event, session=self.w.session)
            self.w.statuses.append(status)
            assert status == 200, status
        await self.w.settle()

    async def says(self, text: str) -> None:
        await self.sends(self.w.oa.text_event(self.uid, text))

    async def types_number_of(self, label: str) -> None:
        """Types the number the newest numbered list gives the option (``Gõ 1, 2…``)."""
        await self.says(self.number_of(label))

    async def presses(self, label: str) -> None:
        """The first OA button whose title has ``label``, on the newest message with buttons:
        Zalo sends its payload back as the citizen's text."""
        (*_, buttons) = self.w.oa.buttons_sent_to(self.uid)
        payloads = [b["payload"] for b in buttons if label in b["title"]]
        assert payloads, f"no button {label!r} in {[b['title'] for b in buttons]}"
        await self.says(payloads[0])

    def texts(self) -> list[str]:
        return screen.texts(self.w.oa, self.uid)

    def last(self) -> str:
        return screen.last(self.texts())

    def number_of(self, label: str) -> str:
        return screen.number_of(self.texts(), label)

    def receipt(self) -> str:
        return screen.receipt(self.texts())


@dataclass
class Officer:
    w: World
    user: FakeUser

    def group(self, chat_id: int = QUEUE) -> FakeChat:
        return FakeChat.supergroup("CA Tam Chúc", id=chat_id)

    async def presses(self, label: str, chat_id: int = QUEUE) -> None:
        """A button of the newest message in the group carrying it, through getUpdates."""
        message, data = self.w.h.driver.find_button(chat_id, label)
        self.w.api.push_update(self.w.h.updates.callback(self.user, message, data))
        await self.w.settle()

    async def replies(self, to: dict[str, Any], text: str, chat_id: int = QUEUE) -> None:
        update = self.w.h.updates.text(self.user, text, chat=self.group(chat_id), reply_to=to)
        self.w.api.push_update(update)
        await self.w.settle()

    async def asks(self, question: str) -> None:
        """❓ Hỏi thêm, the reply to the bot's prompt, then Gửi after reading it."""
        await self.presses("Hỏi thêm")
        prompt = next(
            m
            for m in reversed(self.w.api.sent_to(QUEUE))
            if "trả lời tin nhắn này" in str(m.get("text", ""))
        )
        await self.replies(prompt, question)
        await self.presses("Gửi")


async def authorize(h: Harness, oa: FakeZaloOA) -> None:
    """What `tinbao zalo authorize --code` does (handlers/cli.py): the code Zalo's
    permission page gave, exchanged by the token keeper and the pair stored sealed."""
    settings = h.tinbao.settings
    async with aiohttp.ClientSession() as session:
        keeper = TokenKeeper(
            h.tinbao.db,
            IdentityBox(settings.key_bytes),
            ZaloOAuth.from_settings(settings, session),
            h.clock,
            alert=False,
        )
        await keeper.authorize_code(oa.issue_code())


async def open_world(tmp_path: Path, **settings: Any) -> World:
    """A province with Phường Tam Chúc's unit bound (its queue group, a duty group), the
    OA authorized, and tinbao running with Zalo on."""
    oa = FakeZaloOA(APP_ID, OA_KEY)
    oa.oauth.app_secret = APP_SECRET
    url = await oa.start()
    h = await open_harness(
        tmp_path,
        zalo_app_id=APP_ID,
        zalo_oa_secret_key=OA_KEY,
        zalo_app_secret=APP_SECRET,
        zalo_api_url=url,
        zalo_oauth_url=url,
        zalo_webhook_port=free_port(),
        **settings,
    )
    oa.clock = h.clock
    await setup_unit(h)  # before the start, as an operator binds groups on a running bot
    await authorize(h, oa)
    await h.tinbao.start(polling=True, sender=True)  # as `tinbao run` does
    world = World(h, oa, aiohttp.ClientSession())
    await world.settle()
    return world


async def close_world(world: World) -> None:
    """``Tinbao.stop`` ends everything it started, shuts the Application and closes the
    database (what ``close_harness`` does for a harness never started)."""
    await world.session.close()
    await world.tinbao.stop()
    await world.oa.stop()
