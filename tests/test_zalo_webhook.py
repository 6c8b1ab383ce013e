"""Issue 11: Zalo's webhook over real loopback HTTP, events signed by the fake OA exactly
as Zalo signs them, a real SQLite file: a forged or unsigned event is refused and stores
nothing; a signed one is stored before the 200, applied once however often it comes, and
moves the Zalo citizen's dialogue as the same text on Telegram would."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from bot.people import Person
from handlers.zalo.channel import ZaloChannel
from handlers.zalo.events import SIGNATURE_HEADER, signature
from handlers.zalo.fake import FakeZaloOA
from storage import dialogues, reporters
from tests.harness import Harness, close_harness, open_harness

APP_ID = "1234567890123456789"
OA_KEY = "oa-secret-key-of-the-province"
UID = "2512523625412515"  # a per-OA user id as Zalo writes it


@dataclass
class Zalo:
    h: Harness
    oa: FakeZaloOA
    channel: ZaloChannel

    @property
    def url(self) -> str:
        webhook = self.channel.webhook
        return f"http://127.0.0.1:{webhook.port}{webhook.settings.zalo_webhook_path}"

    async def post(self, event: dict[str, object] | bytes, **kw: dict[str, str]) -> int:
        return await self.oa.deliver(self.url, event, **kw)

    async def inbox_rows(self) -> list[tuple[str, str]]:
        async with self.h.tinbao.db.read() as tx:
            rows = await tx.fetchall("SELECT event_key, status FROM inbox WHERE channel='zalo'")
        return [(str(r[0]), str(r[1])) for r in rows]

    def person(self, uid: str = UID) -> Person:
        return Person("zalo", int(uid), int(uid))

    async def outbox_for(self, uid: str = UID) -> int:
        people = self.h.tinbao.people
        async with self.h.tinbao.db.read() as tx:
            found = await reporters.find(tx, people.subject(self.person(uid)))
            if found is None:
                return 0
            return int(
                await tx.scalar("SELECT COUNT(*) FROM outbox WHERE reporter_id = ?", (found.id,))
                or 0
            )

    async def step(self, uid: str = UID) -> str | None:
        people = self.h.tinbao.people
        async with self.h.tinbao.db.read() as tx:
            stored = await dialogues.load(tx, people.subject(self.person(uid)))
        return stored[0] if stored else None


@pytest.fixture
async def zalo(tmp_path: Path) -> AsyncIterator[Zalo]:
    h = await open_harness(
        tmp_path, zalo_app_id=APP_ID, zalo_oa_secret_key=OA_KEY, zalo_app_secret="app-secret"
    )
    channel = ZaloChannel(h.tinbao.services, h.tinbao.inbox, port=0)
    await channel.start()
    try:
        yield Zalo(h, FakeZaloOA(APP_ID, OA_KEY, clock=h.clock), channel)
    finally:
        await channel.stop()
        await close_harness(h)


def test_the_signature_is_sha256_of_app_id_body_timestamp_and_oa_key() -> None:
    body = b'{"app_id":"1","timestamp":"1700000000000"}'
    expected = hashlib.sha256(b"1" + body + b"1700000000000" + b"k").hexdigest()
    assert signature("1", body, "1700000000000", "k") == f"mac={expected}"


async def test_unsigned_or_forged_events_are_refused_and_store_nothing(
    zalo: Zalo, caplog: pytest.LogCaptureFixture
) -> None:
    event = zalo.oa.text_event(UID, "Có người buôn ma túy ở chợ")
    body, headers = zalo.oa.signed(event)
    with caplog.at_level(logging.WARNING):
        assert await zalo.post(body, headers={}) == 401  # unsigned
        forged = FakeZaloOA(APP_ID, "a-guessed-key", clock=zalo.h.clock)
        assert await forged.deliver(zalo.url, event) == 401
        tampered = body.replace("ma túy".encode(), b"ma tuy")
        assert await zalo.post(tampered, headers=headers) == 401
        wrong = {SIGNATURE_HEADER: "mac=" + "0" * 64}
        assert await zalo.post(body, headers=wrong) == 401
    assert await zalo.inbox_rows() == []
    logged = caplog.text
    assert "refused" in logged
    assert UID not in logged and "ma túy" not in logged and OA_KEY not in logged


async def test_a_signed_text_is_stored_before_the_200_and_applied_once(zalo: Zalo) -> None:
    event = zalo.oa.text_event(UID, "xin chào", msg_id="8f1d0a2c3b")
    assert await zalo.post(event) == 200
    assert await zalo.inbox_rows() == [("zalo:8f1d0a2c3b", "pending")]  # before any apply
    assert await zalo.post(event) == 200  # Zalo's retry after a lost 200
    await zalo.h.tinbao.inbox.drain()
    assert await zalo.inbox_rows() == [("zalo:8f1d0a2c3b", "done")]
    answered = await zalo.outbox_for()
    assert answered >= 1  # the menu, addressed to the Zalo reporter
    async with zalo.h.tinbao.db.read() as tx:
        found = await reporters.find(tx, zalo.h.tinbao.people.subject(zalo.person()))
    assert found is not None and found.channel == "zalo"
    assert await zalo.post(event) == 200  # and once more, after it was applied
    await zalo.h.tinbao.inbox.drain()
    assert await zalo.outbox_for() == answered


async def test_the_citizens_step_is_recorded_as_on_telegram(zalo: Zalo) -> None:
    assert await zalo.post(zalo.oa.text_event(UID, "/baotin")) == 200
    await zalo.h.tinbao.inbox.drain()
    assert await zalo.step() == "category"
    assert await zalo.post(zalo.oa.text_event(UID, "/cancel")) == 200
    await zalo.h.tinbao.inbox.drain()
    assert await zalo.step() is None


async def test_an_old_or_future_event_is_ignored(zalo: Zalo) -> None:
    now = zalo.oa.now_ms()
    max_age = zalo.h.tinbao.settings.zalo_max_event_age_seconds * 1000
    old = zalo.oa.text_event(UID, "cũ", at_ms=now - max_age - 1000)
    assert await zalo.post(old) == 200  # a replay: Zalo need not repeat it
    future = zalo.oa.text_event(
        UID, "sau", at_ms=now + int(timedelta(hours=1).total_seconds() * 1000)
    )
    assert await zalo.post(future) == 200
    assert await zalo.inbox_rows() == []
    retried = zalo.oa.text_event(UID, "vừa", at_ms=now - 2 * 3600 * 1000)  # Zalo's late retry
    assert await zalo.post(retried) == 200
    assert len(await zalo.inbox_rows()) == 1


async def test_an_event_for_another_app_is_refused(zalo: Zalo) -> None:
    other = FakeZaloOA("9999999999", OA_KEY, clock=zalo.h.clock)
    assert await other.deliver(zalo.url, other.text_event(UID, "xin chào")) == 403
    assert await zalo.inbox_rows() == []


async def test_bad_bodies_are_refused(zalo: Zalo) -> None:
    headers = {SIGNATURE_HEADER: "mac=" + "0" * 64}
    assert await zalo.post(b"x" * (2 * 1024 * 1024), headers=headers) == 413
    assert await zalo.post(b"{not json", headers=headers) == 400
    assert await zalo.post(b"[1, 2]", headers=headers) == 400
    assert await zalo.post(json.dumps({"event_name": "x"}).encode(), headers=headers) == 400
    assert await zalo.inbox_rows() == []


async def test_an_unknown_event_type_is_answered_and_ignored(
    zalo: Zalo, caplog: pytest.LogCaptureFixture
) -> None:
    event = zalo.oa.text_event(UID, "bí mật")
    event["event_name"] = "oa_send_consent"
    with caplog.at_level(logging.INFO, logger="handlers.zalo.webhook"):
        assert await zalo.post(event) == 200
    assert await zalo.inbox_rows() == []
    assert "type oa_send_consent" in caplog.text and UID not in caplog.text


async def test_an_event_without_msg_id_is_keyed_by_its_digest(zalo: Zalo) -> None:
    follow = zalo.oa.follow_event(UID)
    assert await zalo.post(follow) == 200
    assert await zalo.post(follow) == 200
    ((key, _),) = await zalo.inbox_rows()
    assert key.startswith("zalo:d:") and UID not in key
    await zalo.h.tinbao.inbox.drain()
    assert await zalo.inbox_rows() == [(key, "done")]
    assert await zalo.outbox_for() == 1  # the start menu, once however often it came


async def test_a_photo_gets_a_defined_answer_until_evidence_comes_from_zalo(zalo: Zalo) -> None:
    event = zalo.oa.text_event(UID, "")
    event["event_name"] = "user_send_image"
    event["message"] = {"msg_id": "img1", "attachments": [{"type": "image", "payload": {}}]}
    assert await zalo.post(event) == 200
    await zalo.h.tinbao.inbox.drain()
    assert await zalo.inbox_rows() == [("zalo:img1", "done")]
    assert await zalo.outbox_for() >= 1


async def test_a_full_disk_keeps_the_event_pending(tmp_path: Path) -> None:
    h = await open_harness(
        tmp_path,
        zalo_app_id=APP_ID,
        zalo_oa_secret_key=OA_KEY,
        zalo_app_secret="app-secret",
        min_free_disk_mb=10**9,
    )
    channel = ZaloChannel(h.tinbao.services, h.tinbao.inbox, port=0)
    await channel.start()
    try:
        zalo = Zalo(h, FakeZaloOA(APP_ID, OA_KEY, clock=h.clock), channel)
        assert await zalo.post(zalo.oa.text_event(UID, "xin chào", msg_id="m1")) == 200
        await h.tinbao.inbox.drain()
        assert await zalo.inbox_rows() == [("zalo:m1", "pending")]  # kept, not failed
        assert await zalo.outbox_for() == 0
    finally:
        await channel.stop()
        await close_harness(h)


async def test_a_zalo_citizens_answer_never_goes_to_telegram(zalo: Zalo) -> None:
    assert await zalo.post(zalo.oa.text_event(UID, "xin chào")) == 200
    await zalo.h.tinbao.inbox.drain()
    assert await zalo.outbox_for() >= 1
    await zalo.h.flush()  # the Telegram sender's pass over due rows
    assert zalo.h.api.sent_to(int(UID)) == []
