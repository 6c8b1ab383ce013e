"""Zalo citizens beside the Telegram police, for the Zalo end-to-end scenarios: the fake
OA serving the OA API on loopback, tinbao wired as ``tinbao run`` wires Zalo
(``Tinbao.zalo_channel``: the webhook on the shared inbox, the delivery loop, failures
alerted like Telegram's), and citizens who write through signed webhook events.

A Zalo citizen's choice reaches the dialogue as the domain's ``Press``, read from the
screen the outbox holds for them before it is sent (the Zalo renderer's numbered options
and OA buttons are read into the same presses; this helper skips that reading so the
delivery scenarios do not depend on it).
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.dialogue import Press, screen_from_plain
from bot.people import Person
from handlers.zalo.channel import ZaloChannel
from handlers.zalo.delivery import ZaloDelivery
from handlers.zalo.fake import ACCESS_TOKEN, FakeZaloOA
from storage import outbox, reporters
from storage.db import utc_text
from tests.harness import Harness, close_harness, open_harness

APP_ID = "1234567890123456789"
OA_KEY = "oa-secret-key-of-the-province"
UID = "2512523625412515"
_KEYS = itertools.count(1)


async def fake_token() -> str:
    return ACCESS_TOKEN


@dataclass
class ZaloWorld:
    h: Harness
    oa: FakeZaloOA
    channel: ZaloChannel
    citizens: list[ZaloCitizen] = field(default_factory=list)

    @property
    def delivery(self) -> ZaloDelivery:
        assert self.channel.delivery is not None
        return self.channel.delivery

    @property
    def url(self) -> str:
        webhook = self.channel.webhook
        return f"http://127.0.0.1:{webhook.port}{webhook.settings.zalo_webhook_path}"

    def citizen(self, uid: str = UID) -> ZaloCitizen:
        citizen = ZaloCitizen(self, uid)
        self.citizens.append(citizen)
        return citizen

    async def flush(self) -> int:
        """Both channels' senders, until neither has anything due now (a Zalo delivery
        may write a notice for a Telegram group, and the other way round)."""
        total = 0
        t = self.h.tinbao
        for _ in range(20):
            for citizen in self.citizens:
                await citizen.capture()
            total += await self.h.flush() + await self.delivery.flush()
            async with t.db.read() as tx:
                now = utc_text(t.clock())
                due = await outbox.due(tx, now, channel="telegram") + await outbox.due(
                    tx, now, channel="zalo"
                )
            if not due:
                break
        return total

    async def rows(self, uid: str = UID) -> list[tuple[int, str, str, str | None]]:
        """(id, purpose, status, held_at) of every row to the Zalo citizen, in order."""
        t = self.h.tinbao
        async with t.db.read() as tx:
            found = await reporters.find(tx, t.people.subject(zalo_person(uid)))
            if found is None:
                return []
            got = await tx.fetchall(
                "SELECT id, purpose, status, held_at FROM outbox WHERE reporter_id = ? ORDER BY id",
                (found.id,),
            )
        return [(int(r[0]), str(r[1]), str(r[2]), r[3]) for r in got]

    async def rows_of_all(self) -> list[tuple[int, str, str, str | None]]:
        """(id, purpose, status, held_at) of every row to a reporter, in order."""
        async with self.h.tinbao.db.read() as tx:
            got = await tx.fetchall(
                "SELECT id, purpose, status, held_at FROM outbox"
                " WHERE reporter_id IS NOT NULL ORDER BY id"
            )
        return [(int(r[0]), str(r[1]), str(r[2]), r[3]) for r in got]


def zalo_person(uid: str) -> Person:
    return Person("zalo", int(uid), int(uid))


@dataclass
class ZaloCitizen:
    w: ZaloWorld
    uid: str
    screens: list[dict[str, Any]] = field(default_factory=list)
    _seen: int = 0

    @property
    def person(self) -> Person:
        return zalo_person(self.uid)

    async def writes(self, text: str) -> int:
        """A signed ``user_send_text`` through the running webhook; the inbox applies it.
        Returns the webhook's HTTP status."""
        status = await self.w.oa.deliver(self.w.url, self.w.oa.text_event(self.uid, text))
        await self.w.h.tinbao.inbox.drain()
        await self.capture()
        return status

    async def says(self, text: str) -> None:
        assert await self.writes(text) == 200
        await self.w.flush()

    async def presses(self, label: str) -> None:
        """The newest option whose label contains ``label``, as the dialogue receives it."""
        for plain in reversed(self.screens):
            screen, _ = screen_from_plain(plain)
            for row in screen.buttons:
                for button in row:
                    if label in button.label and button.url is None:
                        services = self.w.h.tinbao.services
                        key = f"test-press:{next(_KEYS)}"
                        await services.intake.handle(
                            self.person, Press(button.action, button.value), idempotency_key=key
                        )
                        await self.w.flush()
                        return
        raise LookupError(f"no option {label!r} offered to the Zalo citizen")

    async def capture(self) -> None:
        """Keep the screens written to this citizen before the sender wipes them."""
        t = self.w.h.tinbao
        async with t.db.read() as tx:
            found = await reporters.find(tx, t.people.subject(self.person))
            if found is None:
                return
            rows = await tx.fetchall(
                "SELECT id, payload FROM outbox WHERE reporter_id = ? AND id > ?"
                " AND status = 'pending' ORDER BY id",
                (found.id, self._seen),
            )
        for row_id, payload in rows:
            self.screens.append(t.people.open_payload(json.loads(payload)))
            self._seen = int(row_id)

    def texts(self) -> list[str]:
        """What the OA delivered to this citizen, oldest first."""
        return [str(m.get("text") or "") for m in self.w.oa.sent_to(self.uid)]

    def last(self) -> str:
        texts = self.texts()
        return texts[-1] if texts else ""

    async def file_tip(self, text: str = "Có người bán ma túy ở cổng chợ mỗi tối.") -> str:
        """The whole dialogue of a tip in Phường Tam Chúc; returns the receipt code."""
        await self.says("/start")
        await self.presses("Báo tin")
        await self.presses("Tố giác tội phạm")
        await self.presses("Không, đã xảy ra rồi")
        await self.says("tam chuk")
        await self.presses("Tam Chúc")
        await self.says("Gần cổng chùa Tam Chúc, thôn Ba Sao")
        await self.presses("Hôm nay")
        await self.presses("Bỏ qua")
        await self.says(text)
        await self.presses("Bỏ qua")
        await self.presses("Ẩn danh")
        await self.presses("Gửi tin báo")
        shown = next((x for x in reversed(self.texts()) if "Mã tin báo của bạn:" in x), "")
        assert shown, self.texts()[-3:]
        return shown.split("Mã tin báo của bạn:")[1].split()[0]


async def open_zalo(tmp_path: Path, **settings: Any) -> ZaloWorld:
    """tinbao with Zalo set up against a fresh fake OA: the channel built by the same
    wiring as ``tinbao run`` and its webhook started; its delivery loop is built but not
    run (scenarios flush it, as they flush Telegram's sender)."""
    oa = FakeZaloOA(APP_ID, OA_KEY)
    url = await oa.start()
    h = await open_harness(
        tmp_path,
        zalo_app_id=APP_ID,
        zalo_oa_secret_key=OA_KEY,
        zalo_app_secret="app-secret",
        zalo_api_url=url,
        **settings,
    )
    oa.clock = h.clock
    channel = h.tinbao.zalo_channel(port=0, token=fake_token)
    h.tinbao.zalo = channel
    channel.build_delivery()
    await channel.start()
    return ZaloWorld(h, oa, channel)


async def close_zalo(world: ZaloWorld) -> None:
    await world.channel.stop()
    await world.oa.stop()
    await close_harness(world.h)
