"""Issue 8, delivery dead ends, end to end: real Bot API JSON through the fake Bot API,
a real SQLite file, the real Application.

A tip that reached nobody must say so and surface later; a group that became a
supergroup must be followed; a permanent refusal ends its row and is reported; rows
written by another process reach the running sender quickly; each unit that takes a tip
up tells the citizen once.
"""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.digest_periods import DAILY
from bot.digests import send_digest
from handlers.telegram.fake.scripted import DEFAULT_DESCRIPTION
from handlers.telegram.fake.updates import FakeChat
from storage import outbox
from storage.db import Database
from tests.harness import Harness, Person, file_tip
from tests.police import DUTY, prompt

KIM_BANG_QUEUE = -100333
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
    said = [m.get("text", "") for m in h.api.sent_to(DUTY)]
    assert any("1 tin báo" in text for text in said)  # the binding says what came in
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


# ---------------------------------------------------------------- 7: migrated groups

OLD_GROUP = -4_000_000_111  # a basic group: Telegram upgrades it and gives a new id
NEW_GROUP = -1_000_000_000_111
TAM_CHUC_GROUP = FakeChat.group("CA Tam Chúc", id=OLD_GROUP)


async def tam_chuc_in_a_basic_group(h: Harness) -> tuple[Person, Person]:
    """Phường Tam Chúc's queue is a basic group; the province has a duty group."""
    lead = await join(h, 501, "Hùng", "Tam Chúc", "lead")
    officer = await join(h, 502, "Mai", "Tam Chúc", "officer")
    sup = await join(h, 701, "Sơn", "Ninh Bình", "supervisor")
    h.api.register_chat(TAM_CHUC_GROUP)
    await lead.says("/bindqueue", chat=TAM_CHUC_GROUP)
    await sup.says("/bindduty", chat=h.group("Trực ban", DUTY))
    return lead, officer


async def queue_chat(h: Harness) -> list[int]:
    async with h.tinbao.db.read() as tx:
        rows = await tx.fetchall(
            "SELECT chat_id FROM chat_bindings WHERE purpose = 'queue' AND active = 1"
        )
    return [int(r[0]) for r in rows]


async def outbox_states(h: Harness) -> dict[str, int]:
    async with h.tinbao.db.read() as tx:
        rows = await tx.fetchall("SELECT status, COUNT(*) FROM outbox GROUP BY status")
    return {str(r[0]): int(r[1]) for r in rows}


async def test_send_into_an_upgraded_group_follows_it_to_the_supergroup(h: Harness) -> None:
    _lead, officer = await tam_chuc_in_a_basic_group(h)
    first = await file_tip(h.citizen())
    assert len(cards_in(h, OLD_GROUP, first)) == 1
    h.api.migrate_chat(OLD_GROUP, NEW_GROUP)  # upgraded; the bot is told nothing yet
    second = await file_tip(h.citizen(1002, "Bình"))
    await h.flush()
    assert await queue_chat(h) == [NEW_GROUP]
    # the new card arrives once, and the open tip whose card is in the old group gets a
    # fresh one with working buttons (the old group can no longer be written to)
    assert len(cards_in(h, NEW_GROUP, second)) == 1
    assert len(cards_in(h, NEW_GROUP, first)) == 1
    states = await outbox_states(h)
    assert states.get("pending", 0) == 0 and states.get("failed", 0) == 0
    new_group = FakeChat.supergroup("CA Tam Chúc", id=NEW_GROUP)
    await officer.presses("Tiếp nhận", chat=new_group)
    await h.flush()
    assert "Đã tiếp nhận — Mai" in cards_in(h, NEW_GROUP, first)[0]["text"]
    third = await file_tip(h.citizen(1003, "Chi"))
    assert len(cards_in(h, NEW_GROUP, third)) == 1


async def test_an_edit_into_an_upgraded_group_sends_the_card_again(h: Harness) -> None:
    _lead, officer = await tam_chuc_in_a_basic_group(h)
    citizen = h.citizen()
    code = await file_tip(citizen)
    h.api.migrate_chat(OLD_GROUP, NEW_GROUP)
    await officer.presses("Tiếp nhận", chat=TAM_CHUC_GROUP)  # on the card in the old group
    await h.flush()
    assert "đã tiếp nhận tin báo" in citizen.last()
    again = cards_in(h, NEW_GROUP, code)
    assert len(again) == 1 and "Đã tiếp nhận — Mai" in again[0]["text"]
    assert await queue_chat(h) == [NEW_GROUP]
    async with h.tinbao.db.read() as tx:
        failed = await tx.fetchall("SELECT purpose FROM outbox WHERE status = 'failed'")
    assert [r[0] for r in failed] == ["card_edit"]  # the old message, replaced, no alert
    assert not [m for m in h.api.sent_to(DUTY) if "Không gửi được" in m.get("text", "")]


async def test_migration_service_messages_rebind_the_group(h: Harness) -> None:
    lead, officer = await tam_chuc_in_a_basic_group(h)
    code = await file_tip(h.citizen())
    h.api.migrate_chat(OLD_GROUP, NEW_GROUP)
    new_group = FakeChat.supergroup("CA Tam Chúc", id=NEW_GROUP)
    to_old, to_new = h.updates.migration(lead.user, TAM_CHUC_GROUP, new_group)
    await h.deliver(to_old)
    await h.deliver(to_new)  # the second announcement of the same move changes nothing
    assert await queue_chat(h) == [NEW_GROUP]
    await h.flush()
    assert len(cards_in(h, NEW_GROUP, code)) == 1
    await officer.presses("Nhận xử lý", chat=new_group)
    await h.flush()
    assert "Đang xử lý — Mai" in cards_in(h, NEW_GROUP, code)[0]["text"]
    states = await outbox_states(h)
    assert states.get("pending", 0) == 0 and states.get("failed", 0) == 0
    async with h.tinbao.db.read() as tx:
        active_cards = await tx.fetchall("SELECT chat_id FROM tip_cards WHERE active = 1")
    assert [r[0] for r in active_cards] == [NEW_GROUP]


async def test_a_permanent_error_ends_the_row_and_alerts_the_duty_group(h: Harness) -> None:
    await tam_chuc_in_a_basic_group(h)
    code = await file_tip(h.citizen())
    tid = await tip_id(h, code)
    # a method the Bot API server does not have (an older self-hosted server): 404
    async with h.tinbao.db.transaction() as tx:
        await outbox.enqueue(
            tx,
            at=tx.now_text(),
            method="sendChecklist",
            payload={"checklist": {"title": "Việc cần làm", "tasks": []}},
            purpose="evidence",
            chat_id=OLD_GROUP,
            tip_id=tid,
        )
    for _ in range(8):
        await h.flush()
        h.clock.advance(minutes=10)
    async with h.tinbao.db.read() as tx:
        row = await tx.fetchone(
            "SELECT status, attempts FROM outbox WHERE method = 'sendChecklist'"
        )
    assert row is not None and tuple(row) == ("failed", 1)
    alerts = [m["text"] for m in h.api.sent_to(DUTY) if "Không gửi được" in m.get("text", "")]
    assert len(alerts) == 1 and code in alerts[0] and "Tam Chúc" in alerts[0]
    assert "Lan" not in alerts[0] and "1001" not in alerts[0]


async def test_an_error_in_our_own_code_is_retried_a_bounded_number_of_times(
    h: Harness,
) -> None:
    await tam_chuc_in_a_basic_group(h)
    code = await file_tip(h.citizen())
    tid = await tip_id(h, code)
    async with h.tinbao.db.transaction() as tx:  # an album item no renderer knows
        await outbox.enqueue(
            tx,
            at=tx.now_text(),
            method="sendMediaGroup",
            payload={"media": [{"type": "sticker", "media": "x"}]},
            purpose="evidence",
            chat_id=OLD_GROUP,
            tip_id=tid,
        )
    for _ in range(12):
        await h.flush()  # the broken row neither stops the pass nor stays forever
        h.clock.advance(minutes=10)
    async with h.tinbao.db.read() as tx:
        row = await tx.fetchone(
            "SELECT status, attempts FROM outbox WHERE method = 'sendMediaGroup'"
        )
    assert row is not None and row[0] == "failed" and 2 <= row[1] <= 6
    alerts = [m["text"] for m in h.api.sent_to(DUTY) if "Không gửi được" in m.get("text", "")]
    assert len(alerts) == 1 and code in alerts[0]


async def test_without_a_duty_group_delivery_failures_alert_the_supervisors(h: Harness) -> None:
    lead = await join(h, 501, "Hùng", "Tam Chúc", "lead")
    sup = await join(h, 701, "Sơn", "Ninh Bình", "supervisor")
    await lead.says("/bindqueue", chat=h.group("CA Tam Chúc", -100111))
    await sup.says("/bindsupervisors", chat=h.group("Lãnh đạo", SUPERVISORS))
    h.api.block_chat(-100111)  # the bot was removed from the unit's group
    code = await file_tip(h.citizen())
    await h.flush()
    alerts = [m["text"] for m in h.api.sent_to(SUPERVISORS) if "Không gửi được" in m["text"]]
    assert len(alerts) == 1 and code in alerts[0]
    assert DEFAULT_DESCRIPTION not in alerts[0] and "Lan" not in alerts[0]


async def tip_id(h: Harness, code: str) -> int:
    async with h.tinbao.db.read() as tx:
        value = await tx.scalar("SELECT id FROM tips WHERE code = ?", (code.replace("-", ""),))
    assert value is not None
    return int(value)


# ---------------------------------------------------------------- 8: other processes


async def test_rows_another_process_writes_reach_the_running_sender_quickly(h: Harness) -> None:
    """``tinbao wanted withdraw`` writes its outbox rows from another process, on another
    connection to the same file: the running sender must notice without being woken.
    It polls SQLite's ``data_version`` every half second while idle; before that it
    slept up to 30 s. (The 5 s allowance below is generous for a 0.5 s poll and far
    below the old 30 s, so the test is neither slow nor flaky.)"""
    sender = h.tinbao.sender
    running = asyncio.create_task(sender.run())
    try:
        async with h.tinbao.db.transaction() as tx:  # a pass, then the sender goes idle
            await outbox.enqueue_text(tx, "một", at=tx.now_text(), purpose="test", chat_id=DUTY)
        sender.wake()
        await h.api.wait_for("sendMessage", lambda c: c.params["text"] == "một", timeout=5)
        await asyncio.sleep(0.2)
        other = await Database.open(h.tinbao.settings.database_path, clock=h.clock)
        try:
            async with other.transaction() as tx:
                await outbox.enqueue_text(tx, "hai", at=tx.now_text(), purpose="test", chat_id=DUTY)
        finally:
            await other.close()
        await h.api.wait_for("sendMessage", lambda c: c.params["text"] == "hai", timeout=5)
    finally:
        sender.stop()
        await asyncio.wait_for(running, timeout=5)


# ---------------------------------------------------------------- 9: one notice per unit


async def test_each_unit_that_takes_the_tip_up_tells_the_citizen_once(h: Harness) -> None:
    tam_chuc = h.group("CA Tam Chúc", -100111)
    kim_bang = h.group("CA Kim Bảng", KIM_BANG_QUEUE)
    a_lead = await join(h, 501, "Hùng", "Tam Chúc", "lead")
    a_officer = await join(h, 502, "Mai", "Tam Chúc", "officer")
    b_lead = await join(h, 601, "Tú", "Kim Bảng", "lead")
    await a_lead.says("/bindqueue", chat=tam_chuc)
    await b_lead.says("/bindqueue", chat=kim_bang)
    citizen = h.citizen()
    code = await file_tip(citizen)

    def told() -> list[str]:
        return [m["text"] for m in citizen.messages() if "đã tiếp nhận tin báo" in m["text"]]

    await a_officer.presses("Tiếp nhận", chat=tam_chuc)
    await h.flush()
    assert len(told()) == 1 and "Tam Chúc" in told()[0]
    await a_officer.presses("Nhận xử lý", chat=tam_chuc)  # the same unit: nothing new
    await a_officer.presses("Chuyển đơn vị", chat=tam_chuc)
    await a_officer.replies(prompt(h, -100111), "kim bang", chat=tam_chuc)
    await a_officer.presses("Kim Bảng", chat=tam_chuc)
    await h.flush()
    assert len(told()) == 1
    await b_lead.presses("Tiếp nhận", chat=kim_bang)
    await h.flush()
    assert len(told()) == 2
    assert "Kim Bảng" in told()[1] and code in told()[1]
    for internal in ("Tú", "Mai", "Hùng", "Tam Chúc", "chuyển"):  # neutral: no unit detail
        assert internal not in told()[1]
    # a double press, and the next step of the same unit, tell nothing more
    card = cards_in(h, KIM_BANG_QUEUE, code)[0]
    await b_lead.sends(h.updates.callback(b_lead.user, card, f"q1|ack|{await tip_id(h, code)}"))
    await b_lead.presses("Nhận xử lý", chat=kim_bang)
    await h.flush()
    assert len(told()) == 2
