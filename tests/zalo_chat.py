"""A Zalo citizen talking to the running bot, for the Zalo dialogue and evidence tests.

Events are signed by the fake OA and POSTed to the real webhook; the inbox applies them;
the citizen's due outbox rows are then delivered through the real ``ZaloSender`` to the
fake OA (until the delivery loop of the outbox split runs it), and the citizen reads what
the fake OA accepted for them: texts, buttons, forms. The police stay on Telegram: the
harness's fake Bot API and ``h.flush()``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from bot.people import Person
from handlers.zalo.channel import ZaloChannel
from handlers.zalo.client import ZaloClient
from handlers.zalo.fake import ACCESS_TOKEN, FakeZaloOA
from handlers.zalo.sender import ZaloSender
from storage import outbox, reporters
from tests import zalo_screen as screen
from tests.harness import Harness, close_harness, open_harness

APP_ID = "1234567890123456789"
OA_KEY = "oa-secret-key-of-the-province"
UID = "2512523625412515"  # a per-OA user id as Zalo writes it
FORM_IMAGE = "https://oa.example.vn/logo.png"


@dataclass
class ZaloWorld:
    h: Harness
    oa: FakeZaloOA
    channel: ZaloChannel
    session: aiohttp.ClientSession
    sender: ZaloSender

    @property
    def url(self) -> str:
        webhook = self.channel.webhook
        return f"http://127.0.0.1:{webhook.port}{webhook.settings.zalo_webhook_path}"

    def citizen(self, uid: str = UID) -> ZaloCitizen:
        return ZaloCitizen(self, uid)

    async def deliver(self, uid: str = UID) -> int:
        """Send the Zalo citizen's due rows through the Zalo sender, oldest first (the
        outbox offers one row a recipient at a time, to keep their order)."""
        t = self.h.tinbao
        person = Person("zalo", int(uid), int(uid))
        sent = 0
        while True:
            async with t.db.read() as tx:
                found = await reporters.find(tx, t.people.subject(person))
                if found is None:
                    return sent
                due = await outbox.due(tx, tx.now_text(), channel="zalo")
            rows = [r for r in due if r.reporter_id == found.id]
            if not rows:
                return sent
            for row in rows:
                if await self.sender.deliver(row) != "sent":
                    return sent
                sent += 1


@dataclass
class ZaloCitizen:
    world: ZaloWorld
    uid: str

    async def sends(self, event: dict[str, Any]) -> None:
        """One event through the webhook, applied, and the answers delivered."""
        assert await self.world.oa.deliver(self.world.url, event) == 200
        await self.world.h.tinbao.inbox.drain()
        await self.world.deliver(self.uid)

    async def says(self, text: str) -> None:
        await self.sends(self.world.oa.text_event(self.uid, text))

    async def presses(self, label: str) -> None:
        """The OA button whose title has ``label``, on the newest message with buttons:
        Zalo sends its payload back as the citizen's text."""
        (*_, buttons) = self.world.oa.buttons_sent_to(self.uid)
        (payload,) = [b["payload"] for b in buttons if label in b["title"]]
        await self.says(payload)

    def texts(self) -> list[str]:
        return screen.texts(self.world.oa, self.uid)

    def last(self) -> str:
        return screen.last(self.texts())

    def number_of(self, label: str) -> str:
        return screen.number_of(self.texts(), label)

    def receipt(self) -> str:
        return screen.receipt(self.texts())


async def open_zalo(tmp_path: Path, **settings: Any) -> ZaloWorld:
    h = await open_harness(
        tmp_path,
        zalo_app_id=APP_ID,
        zalo_oa_secret_key=OA_KEY,
        zalo_app_secret="app-secret",
        **settings,
    )
    channel = ZaloChannel(h.tinbao.services, h.tinbao.inbox, port=0)
    await channel.start()
    oa = FakeZaloOA(APP_ID, OA_KEY, clock=h.clock)
    await oa.start()
    session = aiohttp.ClientSession()

    async def token() -> str:
        return ACCESS_TOKEN

    async def no_wait(_: float) -> None:
        return None

    client = ZaloClient(oa.url, token, session=session, sleep=no_wait)
    t = h.tinbao
    sender = ZaloSender(
        t.db,
        t.people,
        client,
        t.clock,
        on_failure=t.sender.on_failure,
        info_image_url=settings.get("zalo_info_image_url"),
    )
    return ZaloWorld(h, oa, channel, session, sender)


async def close_zalo(world: ZaloWorld) -> None:
    await world.session.close()
    await world.oa.stop()
    await world.channel.stop()
    await close_harness(world.h)
