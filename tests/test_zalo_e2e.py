"""Issue 11, done when: end to end over the fake Zalo OA and the fake Bot API together,
with tinbao started as ``tinbao run`` starts it (tests/zalo_world.py): polling, the inbox,
Telegram's sender, the Zalo webhook, the Zalo delivery loop and its token keeper holding
a pair obtained as ``tinbao zalo authorize`` obtains it.

A Zalo citizen files a tip with a photo and a shared location (typing numbers and
pressing OA buttons) and gets the receipt only once the tip is on disk; the card and the
photo reach the commune's Telegram group; an officer acknowledges and asks, the citizen
answers from Zalo, the answer reaches the group; a question outside the 7-day window is
held, the group told, and delivered when the citizen writes (the group told again); the
tip is closed and the citizen told. The same walk with every event forged first, with
every event delivered twice, with the access token dying mid-walk; a burst of citizens
while the token dies; Zalo failing for a while, then for good."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from handlers.zalo.events import SIGNATURE_HEADER
from handlers.zalo.fake import ApiCall
from tests.police import DUTY, QUEUE
from tests.zalo_world import UID, Citizen, World, close_world, open_world

PHOTO = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40 + b"\xff\xd9"  # a small "JPEG"
DESCRIPTION = "Có người lạ cạy cửa kho hàng ở cuối thôn lúc nửa đêm."
QUESTION = "Bạn có nhớ biển số xe không?"
ANSWER = "Biển số 35A-123.45, xe màu đen."
LATER_QUESTION = "Người đó còn quay lại không?"
HELD = "chưa liên lạc được với người báo tin"
REACHED = "đã được gửi tới họ"
RECEIPT = "Mã tin báo của bạn:"


@pytest.fixture
async def w(tmp_path: Path) -> AsyncIterator[World]:
    world = await open_world(tmp_path)
    try:
        yield world
    finally:
        await close_world(world)


@dataclass
class Checks:
    """What each variant of the walk checks at every citizen step."""

    w: World
    forged: bool = False
    twice: bool = False
    expire_every: int = 0  # the access token dies before every n-th step
    steps: int = 0
    expired: int = 0
    forgeries: int = 0
    receipts_on_disk: list[int] = field(default_factory=list)

    def watch_receipts(self) -> None:
        """When Zalo gets the receipt, the tip it names is already in the database file."""

        def seen(call: ApiCall) -> None:
            text = str((call.body.get("message") or {}).get("text") or "")
            if RECEIPT in text:
                code = text.split(RECEIPT)[1].split()[0].replace("-", "")
                self.receipts_on_disk.append(
                    self.w.count("SELECT COUNT(*) FROM tips WHERE code = ?", code)
                )

        self.w.oa.on_call.append(seen)

    async def sends(self, citizen: Citizen, event: dict[str, Any]) -> None:
        w = self.w
        self.steps += 1
        if self.expire_every and self.steps % self.expire_every == 0:
            w.oa.expire_access_token()
            self.expired += 1
        if self.forged:
            await self.forge(event)
        before = self.seen()
        await citizen.sends(event)
        if self.twice:  # Zalo's retry of the same event: nothing more happens
            after = self.seen()
            assert after != before or event.get("event_name") == "user_send_image"
            await citizen.sends(event)
            assert self.seen() == after

    def seen(self) -> tuple[int, int, int, int]:
        """Messages the OA accepted, messages in the group, inbox rows, outbox rows."""
        w = self.w
        accepted = len([c for c in w.oa.calls if c.answer.get("error") == 0])
        return (
            accepted,
            len(w.api.sent_to(QUEUE)),
            w.count("SELECT COUNT(*) FROM inbox"),
            w.count("SELECT COUNT(*) FROM outbox"),
        )

    async def forge(self, event: dict[str, Any]) -> None:
        """The event signed with another key, then with no signature, then the signature
        of another body: 401 each time, and nothing stored or sent."""
        w = self.w
        before = self.seen()
        body, headers = w.oa.signed(event)
        wrong_key = w.oa.signed({**event})[1] | {
            SIGNATURE_HEADER: "mac=" + "0" * 64,
        }
        other = w.oa.signed({**event, "timestamp": str(int(event["timestamp"]) + 1)})[1]
        for sent in (wrong_key, {"Content-Type": "application/json"}, other):
            status = await w.oa.deliver(w.url, body, headers=sent, session=w.session)
            assert status == 401
            self.forgeries += 1
        assert headers[SIGNATURE_HEADER] != wrong_key[SIGNATURE_HEADER]
        await w.settle()
        assert self.seen() == before


async def walk(w: World, checks: Checks) -> None:
    """The whole story, as in the issue's "done when"."""
    checks.watch_receipts()
    oa, c = w.oa, w.citizen()

    async def says(text: str) -> None:
        await checks.sends(c, oa.text_event(UID, text))

    async def number(label: str) -> None:
        await says(c.number_of(label))

    async def press(label: str) -> None:
        (*_, buttons) = oa.buttons_sent_to(UID)
        payloads = [b["payload"] for b in buttons if label in b["title"]]
        assert payloads, (label, buttons)
        await says(payloads[0])

    # ------------------------------------------------ the citizen files on Zalo --
    await says("xin chào")
    assert "Gõ 1, 2, 3, 4 hoặc 5." in c.last()
    await press("Báo tin")  # an OA button: its payload comes back as text
    await number("Tố giác tội phạm")  # six kinds: more than Zalo's buttons, typed
    await press("Không, đã xảy ra rồi")
    await checks.sends(c, oa.location_event(UID, 20.5558, 105.813))
    assert "Phường Tam Chúc" in c.last() and "Đúng không" in c.last()
    await press("Đúng")
    await says("Gần cổng chùa Tam Chúc, thôn Ba Sao")
    await press("Hôm nay")
    await number("Bỏ qua")
    await says(DESCRIPTION)
    await checks.sends(c, oa.image_event(UID, oa.attachment_url("a1b2.jpg", PHOTO)))
    assert "Đã nhận 1/" in c.last()
    await press("Xong")
    await number("Ẩn danh")
    assert "Bằng chứng: 1 tệp" in c.last() and "Phường Tam Chúc" in c.last()
    assert w.count("SELECT COUNT(*) FROM tips") == 0
    await press("Gửi tin báo")
    code = c.receipt()
    assert checks.receipts_on_disk == [1]  # shown only once the tip was committed
    assert oa.downloads == ["a1b2.jpg"]  # fetched once, at once (its URL expires)

    # ------------------------------------------------ the card in the group -----
    card = w.card(code)
    assert "Phường Tam Chúc" in card["text"] and DESCRIPTION in card["text"]
    assert "Bằng chứng: 1 tệp" in card["text"] and "20.555800,105.813000" in card["text"]
    assert UID not in str(w.api.sent_to(QUEUE)) and "Zalo" not in card["text"]
    photos = [x for x in w.api.calls_of("sendPhoto", ok_only=True) if x.params["chat_id"] == QUEUE]
    assert len(photos) == 1 and str(photos[0].params["photo"]).startswith("upload:")
    assert PHOTO in w.api._file_bytes.values()

    # ------------------------------------------------ acknowledged, asked, answered --
    officer = w.officer()
    await officer.presses("Tiếp nhận")
    assert "Đã tiếp nhận — Mai" in w.card(code)["text"]
    assert "đã tiếp nhận tin báo" in c.last() and "Mai" not in c.last()
    await officer.asks(QUESTION)
    assert QUESTION in c.last() and "Mai" not in c.last()
    await press("Trả lời")
    await says(ANSWER)
    relayed = [m for m in w.api.sent_to(QUEUE) if ANSWER in str(m.get("text", ""))]
    assert len(relayed) == 1
    assert relayed[0]["reply_to_message"]["message_id"] == w.card(code)["message_id"]

    # ------------------------------------------------ outside the 7-day window ----
    calls = len(oa.calls)
    await w.later(days=7, minutes=1)
    await officer.asks(LATER_QUESTION)
    assert len(oa.calls) == calls  # Zalo is not even asked
    told = [t for t in w.group_texts() if HELD in t]
    assert len(told) == 1 and "Zalo" not in told[0]
    held = w.count("SELECT COUNT(*) FROM outbox WHERE purpose = 'question' AND held_at IS NOT NULL")
    assert held == 1
    await says("Tôi đây, có việc gì không ạ?")
    assert any(LATER_QUESTION in text for text in c.texts()[-3:])
    assert len([t for t in w.group_texts() if REACHED in t]) == 1

    # ------------------------------------------------ closed, the citizen told ----
    await officer.presses("Đóng")
    await officer.presses("Chuyển cơ quan điều tra")
    assert "Đã đóng (chuyển cơ quan điều tra)" in w.card(code)["text"]
    assert "cơ quan điều tra" in c.last()

    # ------------------------------------------------ nothing lost, nothing doubled --
    assert w.count("SELECT COUNT(*) FROM tips") == 1
    assert w.count("SELECT COUNT(*) FROM outbox WHERE status != 'sent'") == 0
    assert w.count("SELECT COUNT(*) FROM inbox WHERE status != 'done'") == 0
    texts = c.texts()
    assert len([t for t in texts if RECEIPT in t]) == 1
    assert len([t for t in texts if QUESTION in t]) == 1
    assert len([t for t in texts if LATER_QUESTION in t]) == 1
    assert not [t for t in w.group_texts(DUTY) if "zalo" in t.lower()]  # no alert


async def test_a_zalo_citizens_tip_from_first_message_to_closed(w: World) -> None:
    await walk(w, Checks(w))
    assert w.oa.oauth.issued == 2  # authorized, then renewed once as the week passed


async def test_forged_events_are_refused_and_store_nothing(w: World) -> None:
    checks = Checks(w, forged=True)
    await walk(w, checks)
    assert checks.forgeries == 3 * checks.steps > 45
    assert w.statuses == [200] * checks.steps  # the citizen's own deliveries all went in


async def test_every_event_delivered_twice_changes_nothing(w: World) -> None:
    w.twice = False  # Checks sends the second copy itself, after looking
    checks = Checks(w, twice=True)
    await walk(w, checks)
    assert w.statuses == [200] * (2 * checks.steps)


async def test_the_access_token_dying_mid_walk_is_renewed_and_loses_nothing(w: World) -> None:
    checks = Checks(w, expire_every=4)
    await walk(w, checks)
    assert checks.expired >= 4
    # one renewal per death (and one as the week passed): never two for one
    assert w.oa.oauth.issued <= 1 + checks.expired + 1
    refused = [c for c in w.oa.calls if c.answer.get("error") == -216]
    assert len(refused) == checks.expired  # each death cost one refused call, no more


async def test_a_burst_while_the_token_dies_renews_it_once(w: World) -> None:
    citizens = [w.citizen(f"25125236254{n:05d}") for n in range(8)]
    for citizen in citizens:
        await citizen.says("xin chào")
    issued = w.oa.oauth.issued
    w.oa.expire_access_token()
    events = [w.oa.text_event(c.uid, "1") for c in citizens]  # «Báo tin», all at once
    statuses = await asyncio.gather(*(w.oa.deliver(w.url, e, session=w.session) for e in events))
    assert statuses == [200] * len(citizens)
    await w.settle()
    assert w.oa.oauth.issued == issued + 1  # one refresh for the whole burst
    for citizen in citizens:
        assert "Bước 1/7" in citizen.last()
    assert w.count("SELECT COUNT(*) FROM outbox WHERE status != 'sent'") == 0


async def test_zalo_failing_for_a_while_then_for_good(w: World) -> None:
    """Hanging calls, 5xx, Zalo down for an hour: the rows wait and go, once; then an
    error that will not pass: the row ends, and the duty group hears of it."""
    client = w.tinbao.zalo.delivery.sender.client  # type: ignore[union-attr]
    client.timeout = aiohttp.ClientTimeout(total=0.3)  # the same logic, sooner
    c = w.citizen()
    code = await quick_tip(w, c)
    officer = w.officer()

    w.oa.stall(1.0, times=2)  # no answer in time, twice
    w.oa.fail_http(502, times=4)  # then Zalo's front end fails
    await officer.presses("Tiếp nhận")
    assert w.oa.stalled == 2
    assert "đã tiếp nhận tin báo" not in c.last()
    pending = w.count("SELECT COUNT(*) FROM outbox WHERE status = 'pending' AND attempts > 0")
    assert pending == 1  # waits for its next try, not failed
    await w.later(minutes=1)  # the last two 502s, then Zalo takes it
    assert "đã tiếp nhận tin báo" in c.last()

    await w.oa.go_down()  # connections refused for an hour
    await officer.asks(QUESTION)
    for minutes in (1, 5, 15, 30):
        await w.later(minutes=minutes)
        assert QUESTION not in c.last()
    await w.oa.come_back()
    await w.later(minutes=60)
    assert QUESTION in c.last()
    assert len([t for t in c.texts() if QUESTION in t]) == 1
    assert "đã tiếp nhận tin báo" in "".join(c.texts())
    assert w.count("SELECT COUNT(*) FROM outbox WHERE status = 'failed'") == 0
    assert not [t for t in w.group_texts(DUTY) if "zalo" in t.lower()]

    w.oa.fail_next(-213, "User has not followed OA")  # the citizen unfollowed: final
    await officer.presses("Đóng")
    await officer.presses("Chuyển cơ quan điều tra")
    assert "Đã đóng" in w.card(code)["text"]
    assert w.count("SELECT COUNT(*) FROM outbox WHERE status = 'failed'") == 1
    (alert,) = [t for t in w.group_texts(DUTY) if "zalo error -213" in t]
    assert UID not in alert  # the citizen's id is never in an alert
    assert "cơ quan điều tra" not in c.last()


async def quick_tip(w: World, c: Citizen) -> str:
    """A tip typed from the start to the receipt (words and numbers only)."""
    for text in ("/baotin", "1", "khong", "tam chuk", "phường tam chúc", "Gần cổng chùa"):
        await c.says(text)
    for text in ("hom nay", "bo qua", DESCRIPTION, "bo qua", "an danh", "gui tin bao"):
        await c.says(text)
    code = c.receipt()
    assert w.card(code)
    return code
