"""Issue 8, delivery dead ends, end to end: real Bot API JSON through the fake Bot API,
a real SQLite file, the real Application.

A tip that reached nobody must say so and surface later; a group that became a
supergroup must be followed; a permanent refusal ends its row and is reported; rows
written by another process reach the running sender quickly; each unit that takes a tip
up tells the citizen once.
"""

from __future__ import annotations

import logging

import pytest

from bot.digests import DAILY, send_digest
from tests.harness import Harness, Person, file_tip

KIM_BANG_QUEUE = -100333
DUTY = -100999
SUPERVISORS = -100888


async def join(h: Harness, user_id: int, name: str, unit: str, role: str) -> Person:
    code, _, _ = await h.tinbao.staff.create_invite(unit, role)
    person = h.officer(user_id, name)
    await person.says(f"/join {code}")
    return person


async def kim_bang_tip(h: Harness, citizen: Person) -> str:
    return await file_tip(citizen, place="kim bang", choose="Kim Bảng")


def cards_in(h: Harness, chat_id: int, code: str) -> list[dict]:
    return [
        m
        for m in h.api.sent_to(chat_id)
        if code in m.get("text", "") and "TIN BÁO" in m.get("text", "")
    ]


# ---------------------------------------------------------------- 6: unrouted tips


async def test_receipt_of_a_tip_nobody_receives_says_it_waits_for_assignment(h: Harness) -> None:
    citizen = h.citizen()
    await kim_bang_tip(h, citizen)
    receipt_text = next(
        m["text"] for m in citizen.messages() if "Mã tin báo của bạn" in m.get("text", "")
    )
    assert "chuyển tới" not in receipt_text and "Kim Bảng" not in receipt_text
    assert "chờ phân công" in receipt_text


async def test_receipt_of_a_routed_tip_names_the_unit(h: Harness) -> None:
    lead = await join(h, 601, "Tú", "Kim Bảng", "lead")
    await lead.says("/bindqueue", chat=h.group("CA Kim Bảng", KIM_BANG_QUEUE))
    citizen = h.citizen()
    code = await kim_bang_tip(h, citizen)
    assert "Tin báo đã được chuyển tới Phường Kim Bảng" in citizen.last()
    assert len(cards_in(h, KIM_BANG_QUEUE, code)) == 1


async def test_unrouted_tip_surfaces_when_a_duty_group_is_bound(h: Harness) -> None:
    code = await kim_bang_tip(h, h.citizen())
    sup = await join(h, 701, "Sơn", "Ninh Bình", "supervisor")
    await sup.says("/bindduty", chat=h.group("Trực ban", DUTY))
    assert "1 tin báo" in (h.api.last_text(DUTY) or "")  # the binding says what came in
    await h.flush()
    cards = cards_in(h, DUTY, code)
    assert len(cards) == 1 and "Tiếp nhận" in str(cards[0]["reply_markup"])
    assert "chưa gắn nhóm tiếp nhận" in cards[0]["text"]
    # binding again brings nothing twice
    await sup.says("/bindduty", chat=h.group("Trực ban", DUTY))
    await h.flush()
    assert len(cards_in(h, DUTY, code)) == 1
    async with h.tinbao.db.read() as tx:
        actions = [r[0] for r in await tx.fetchall("SELECT action FROM tip_events ORDER BY id")]
    assert actions == ["submitted", "unroutable", "routed"]


async def test_unrouted_tip_surfaces_when_its_unit_binds_a_queue(h: Harness) -> None:
    code = await kim_bang_tip(h, h.citizen())
    other = await join(h, 501, "Hùng", "Tam Chúc", "lead")
    await other.says("/bindqueue", chat=h.group("CA Tam Chúc", -100111))
    await h.flush()
    assert cards_in(h, -100111, code) == []  # another unit's queue does not take it
    lead = await join(h, 601, "Tú", "Kim Bảng", "lead")
    await lead.says("/bindqueue", chat=h.group("CA Kim Bảng", KIM_BANG_QUEUE))
    await h.flush()
    assert len(cards_in(h, KIM_BANG_QUEUE, code)) == 1


async def test_start_up_warns_loudly_while_a_tip_is_unrouted(
    h: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    code = await kim_bang_tip(h, h.citizen())
    caplog.set_level(logging.WARNING)
    await h.tinbao.start(polling=False, sender=False)
    try:
        warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
        assert any("1 tip" in r.getMessage() and code in r.getMessage() for r in warnings)
    finally:
        await h.tinbao.app.stop()


async def test_next_daily_digest_lists_unrouted_tips(h: Harness) -> None:
    code = await kim_bang_tip(h, h.citizen())
    sup = await join(h, 701, "Sơn", "Ninh Bình", "supervisor")
    await sup.says("/bindsupervisors", chat=h.group("Lãnh đạo", SUPERVISORS))
    now = h.clock.advance(hours=23)  # 07:00 the next morning in the province
    sent = await send_digest(h.tinbao.digests, DAILY, now)
    assert sent
    await h.flush()
    digests = [m["text"] for m in h.api.sent_to(SUPERVISORS) if "📊" in m.get("text", "")]
    assert len(digests) == 1
    lines = [x for x in digests[0].splitlines() if "chưa tới nhóm nào" in x]
    assert len(lines) == 1 and ": 1 (" in lines[0] and code in lines[0]
