"""Issue 11: a Zalo citizen's outbox rows reach them through the fake OA as numbered
text; Zalo's final errors end the row with the duty group's alert, passing ones leave it
pending for later. Rows are picked here by the outbox's Zalo query, one at a time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from bot.people import Person
from handlers.zalo.channel import ZaloChannel
from handlers.zalo.client import ZaloClient
from handlers.zalo.fake import ACCESS_TOKEN, FakeZaloOA
from handlers.zalo.sender import ZaloSender
from storage import outbox, reporters
from storage.outbox import OutboxRow
from tests.harness import Harness, close_harness, open_harness

APP_ID, OA_KEY, UID = "1234567890", "oa-key", "2512523625412515"


@dataclass
class World:
    h: Harness
    oa: FakeZaloOA
    channel: ZaloChannel
    session: aiohttp.ClientSession

    def sender(self, url: str | None = None) -> ZaloSender:
        async def token() -> str:
            return ACCESS_TOKEN

        async def no_wait(_: float) -> None:
            return None

        client = ZaloClient(url or self.oa.url, token, session=self.session, sleep=no_wait)
        t = self.h.tinbao
        return ZaloSender(t.db, t.people, client, t.clock, on_failure=t.sender.on_failure)

    async def says(self, text: str) -> list[OutboxRow]:
        webhook = self.channel.webhook
        url = f"http://127.0.0.1:{webhook.port}/zalo"
        assert await self.oa.deliver(url, self.oa.text_event(UID, text)) == 200
        await self.h.tinbao.inbox.drain()
        return await self.rows()

    async def rows(self) -> list[OutboxRow]:
        t = self.h.tinbao
        async with t.db.read() as tx:
            found = await reporters.find(tx, t.people.subject(Person("zalo", int(UID), int(UID))))
            assert found is not None
            due = await outbox.due(tx, tx.now_text(), channel="zalo")
        return [r for r in due if r.reporter_id == found.id]

    async def status(self, row: OutboxRow) -> str:
        async with self.h.tinbao.db.read() as tx:
            return str(await tx.scalar("SELECT status FROM outbox WHERE id = ?", (row.id,)))


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    h = await open_harness(
        tmp_path, zalo_app_id=APP_ID, zalo_oa_secret_key=OA_KEY, zalo_app_secret="app-secret"
    )
    channel = ZaloChannel(h.tinbao.services, h.tinbao.inbox, port=0)
    await channel.start()
    oa = FakeZaloOA(APP_ID, OA_KEY, clock=h.clock)
    await oa.start()
    session = aiohttp.ClientSession()
    try:
        yield World(h, oa, channel, session)
    finally:
        await session.close()
        await oa.stop()
        await channel.stop()
        await close_harness(h)


async def test_the_menu_reaches_the_zalo_citizen_as_numbered_text(world: World) -> None:
    rows = await world.says("xin chào")
    assert rows
    sender = world.sender()
    for row in rows:
        assert await sender.deliver(row) == "sent"
    texts = [m["text"] for m in world.oa.sent_to(UID)]
    assert texts and "\n1. " in texts[-1] and "\n2. " in texts[-1]
    assert texts[-1].endswith(".") and "Gõ 1, 2" in texts[-1]
    assert await world.rows() == []


async def test_a_final_zalo_error_ends_the_row_and_a_passing_one_waits(world: World) -> None:
    (first, *_) = await world.says("xin chào")
    world.oa.fail_next(-213, "User has not followed OA")
    assert await world.sender().deliver(first) == "failed"
    assert await world.status(first) == "failed"
    (row, *_) = await world.says("/baotin")
    assert await world.sender("http://127.0.0.1:9").deliver(row) == "retry"  # Zalo down
    assert await world.status(row) == "pending"
    world.oa.fail_next()  # an expired token: kept for after the refresh
    assert await world.sender().deliver(row) == "retry"
    assert await world.status(row) == "pending"
