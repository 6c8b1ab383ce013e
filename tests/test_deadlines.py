"""The acknowledgement ladder and the clocks of a tip, with a FakeClock (nothing sleeps)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.deadlines import (
    LATE,
    MET,
    OVERDUE,
    RUNNING,
    ClockFacts,
    clocks,
    render_clocks,
    sweep,
    tip_clocks,
)
from storage.db import Database, utc_text
from tests.dates import fixed_clock
from tests.seed import (
    DUTY,
    QUEUE_A,
    QUEUE_B,
    SUPERVISORS,
    TZ,
    Seed,
    local,
    province_settings,
)

SETTINGS = province_settings()
T0 = local(2026, 11, 27, 22, 50)  # late evening: nights count


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "deadlines.db", clock=fixed_clock)
    yield database
    await database.close()


async def units(
    db: Database, *, queue: bool = True, supervisors: bool = True, duty: bool = True
) -> tuple[int, int, int]:
    async with db.transaction() as tx:
        s = Seed(tx)
        province = await s.unit("Tỉnh Ninh Bình", "province")
        a = await s.unit("Tam Chúc")
        b = await s.unit("Kim Bảng", remote=True)
        if queue:
            await s.bind(QUEUE_A, "queue", a)
            await s.bind(QUEUE_B, "queue", b)
        if duty:
            await s.bind(DUTY, "duty", province)
        if supervisors:
            await s.bind(SUPERVISORS, "supervisors", province)
    return province, a, b


async def new_tip(db: Database, unit: int, at: datetime, **kw: Any) -> int:
    async with db.transaction() as tx:
        tip_id, _ = await Seed(tx).tip(unit, at, **kw)
    return tip_id


async def card(db: Database, tip_id: int, chat_id: int) -> int:
    """A queue card as the lead's routing writes it, so the reminder can reply to it."""
    async with db.transaction() as tx:
        row = await tx.execute(
            "INSERT INTO outbox(created_at, chat_id, method, payload, purpose, tip_id,"
            " next_attempt_at) VALUES (?,?,'sendMessage','{}','card',?,?)",
            (utc_text(T0), chat_id, tip_id, utc_text(T0)),
        )
        await tx.execute(
            "INSERT INTO tip_cards(tip_id, chat_id, outbox_id, kind, created_at)"
            " VALUES (?,?,?,'queue',?)",
            (tip_id, chat_id, row, utc_text(T0)),
        )
    return row


async def ladder(db: Database) -> list[dict[str, Any]]:
    async with db.read() as tx:
        rows = await tx.fetchall(
            "SELECT id, chat_id, purpose, payload, tip_id, reply_to_outbox FROM outbox"
            " WHERE purpose IN ('reminder', 'escalation') ORDER BY id"
        )
    return [
        {
            "chat_id": r[1],
            "purpose": r[2],
            "text": json.loads(r[3])["text"],
            "tip_id": r[4],
            "reply_to": r[5],
        }
        for r in rows
    ]


async def events(db: Database, tip_id: int) -> list[tuple[str, str, str | None]]:
    async with db.read() as tx:
        rows = await tx.fetchall(
            "SELECT action, actor_kind, at FROM tip_events WHERE tip_id = ?"
            " AND action IN ('reminded', 'escalated') ORDER BY id",
            (tip_id,),
        )
    return [(r[0], r[1], r[2]) for r in rows]


async def test_ladder_reminds_at_once_the_limit_and_escalates_at_twice_once_each(
    db: Database,
) -> None:
    _, a, _ = await units(db)
    tip = await new_tip(db, a, T0, urgent=True, category="wanted")  # limit 15 min
    card_row = await card(db, tip, QUEUE_A)

    result = await sweep(db, SETTINGS, T0 + timedelta(minutes=14, seconds=59))
    assert not result.enqueued and await ladder(db) == []

    result = await sweep(db, SETTINGS, T0 + timedelta(minutes=15))
    assert len(result.reminded) == 1 and result.escalated == []
    rows = await ladder(db)
    assert [(r["purpose"], r["chat_id"], r["reply_to"]) for r in rows] == [
        ("reminder", QUEUE_A, card_row)
    ]
    assert "chưa được tiếp nhận sau 15 phút" in rows[0]["text"]
    assert "KHẨN" in rows[0]["text"] and "Người bị truy nã" in rows[0]["text"]

    for minute in (16, 20, 29):
        assert not (await sweep(db, SETTINGS, T0 + timedelta(minutes=minute))).enqueued
    assert len(await ladder(db)) == 1

    result = await sweep(db, SETTINGS, T0 + timedelta(minutes=30))
    assert result.reminded == [] and len(result.escalated) == 1
    rows = await ladder(db)
    assert [(r["purpose"], r["chat_id"]) for r in rows] == [
        ("reminder", QUEUE_A),
        ("escalation", SUPERVISORS),
    ]
    assert "Tam Chúc" in rows[1]["text"] and "đã chờ 30 phút" in rows[1]["text"]

    for minute in (31, 60, 600):
        assert not (await sweep(db, SETTINGS, T0 + timedelta(minutes=minute))).enqueued
    assert [(action, actor) for action, actor, _ in await events(db, tip)] == [
        ("reminded", "system"),
        ("escalated", "system"),
    ]


async def test_no_reminder_for_acknowledged_or_closed_tips(db: Database) -> None:
    _, a, _ = await units(db)
    acked = await new_tip(
        db, a, T0, status="acknowledged", acknowledged=T0 + timedelta(minutes=300)
    )
    taken = await new_tip(db, a, T0, status="in_progress", acknowledged=T0 + timedelta(hours=1))
    closed = await new_tip(
        db, a, T0, status="closed", outcome="spam", closed=T0 + timedelta(minutes=1)
    )
    for hours in (5, 9, 30):
        assert not (await sweep(db, SETTINGS, T0 + timedelta(hours=hours))).enqueued
    assert await ladder(db) == []
    for tip in (acked, taken, closed):
        assert await events(db, tip) == []


async def test_acknowledged_between_reminder_and_escalation_stops_the_ladder(
    db: Database,
) -> None:
    _, a, _ = await units(db)
    tip = await new_tip(db, a, T0)  # normal: 4 h
    assert (await sweep(db, SETTINGS, T0 + timedelta(hours=4))).reminded
    async with db.transaction() as tx:
        await tx.execute(
            "UPDATE tips SET status = 'acknowledged', acknowledged_at = ? WHERE id = ?",
            (utc_text(T0 + timedelta(hours=5)), tip),
        )
    assert not (await sweep(db, SETTINGS, T0 + timedelta(hours=8))).enqueued
    assert [r["purpose"] for r in await ladder(db)] == ["reminder"]


async def test_after_an_outage_both_rungs_go_once(db: Database) -> None:
    _, a, _ = await units(db)
    tip = await new_tip(db, a, T0, urgent=True)
    result = await sweep(db, SETTINGS, T0 + timedelta(hours=3))
    assert len(result.reminded) == 1 and len(result.escalated) == 1
    assert not (await sweep(db, SETTINGS, T0 + timedelta(hours=3, minutes=1))).enqueued
    assert len(await events(db, tip)) == 2


async def test_fallbacks_to_the_duty_chat(db: Database) -> None:
    _, a, _ = await units(db, queue=False, supervisors=False)
    await new_tip(db, a, T0, urgent=True)
    await sweep(db, SETTINGS, T0 + timedelta(minutes=30))
    assert [(r["purpose"], r["chat_id"]) for r in await ladder(db)] == [
        ("reminder", DUTY),
        ("escalation", DUTY),
    ]


async def test_nowhere_to_send_is_not_recorded_as_done(db: Database) -> None:
    province, a, _ = await units(db, queue=False, supervisors=False, duty=False)
    tip = await new_tip(db, a, T0, urgent=True)
    assert not (await sweep(db, SETTINGS, T0 + timedelta(minutes=20))).enqueued
    assert await events(db, tip) == []
    async with db.transaction() as tx:
        await Seed(tx).bind(QUEUE_A, "queue", a)
    result = await sweep(db, SETTINGS, T0 + timedelta(minutes=21))
    assert len(result.reminded) == 1 and result.escalated == []  # no supervisors, no duty
    assert province


async def test_a_transfer_starts_a_new_stay_for_the_receiving_unit(db: Database) -> None:
    _, a, b = await units(db)
    tip = await new_tip(db, a, T0)  # normal, 4 h
    await sweep(db, SETTINGS, T0 + timedelta(hours=4))  # reminder to Tam Chúc
    moved = T0 + timedelta(hours=5)
    async with db.transaction() as tx:
        await tx.execute(
            "UPDATE tips SET status = 'transferred', current_unit_id = ?, transfers = 1"
            " WHERE id = ?",
            (b, tip),
        )
        await Seed(tx).event(tip, moved, "transferred", "new", "transferred")
    # Tam Chúc's 2x would be at +8 h, but the tip is Kim Bảng's now: its clock runs from +5 h
    assert not (await sweep(db, SETTINGS, T0 + timedelta(hours=8, minutes=59))).enqueued
    result = await sweep(db, SETTINGS, moved + timedelta(hours=4))
    assert len(result.reminded) == 1 and result.escalated == []
    rows = await ladder(db)
    assert [(r["purpose"], r["chat_id"]) for r in rows] == [
        ("reminder", QUEUE_A),
        ("reminder", QUEUE_B),
    ]
    result = await sweep(db, SETTINGS, moved + timedelta(hours=8))
    assert len(result.escalated) == 1
    assert "Kim Bảng" in (await ladder(db))[-1]["text"]


# ---------------------------------------------------------------- clocks


def facts(**kw: Any) -> ClockFacts:
    values: dict[str, Any] = {
        "created_at": utc_text(T0),
        "urgent": False,
        "status": "new",
        "outcome": None,
        "closed_at": None,
        "arrived_at": utc_text(T0),
        "acknowledged_at": None,
        "remote": False,
    }
    values.update(kw)
    return ClockFacts(**values)


def test_clocks_count_nights() -> None:
    c = clocks(facts(), SETTINGS, T0 + timedelta(hours=1))
    # received 22:50, four hours: due at 02:50 the next morning, not the next office day
    assert c.acknowledge.due_at == local(2026, 11, 28, 2, 50)
    assert c.acknowledge.state == RUNNING
    assert c.remind_at == local(2026, 11, 28, 2, 50)
    assert c.escalate_at == local(2026, 11, 28, 6, 50)
    assert c.transfer is not None and c.transfer.due_at == local(2026, 11, 28, 22, 50)
    assert c.verification.due_at == local(2026, 12, 17, 22, 50)
    assert c.verification_warn_at == local(2026, 12, 11, 22, 50)
    assert c.verification_day == 1 and not c.verification_warning
    urgent = clocks(facts(urgent=True), SETTINGS, T0 + timedelta(minutes=16))
    assert urgent.acknowledge.due_at == T0 + timedelta(minutes=15)
    assert urgent.acknowledge.state == OVERDUE


def test_remote_units_get_48_hours_to_hand_over() -> None:
    c = clocks(facts(remote=True), SETTINGS, T0)
    assert c.transfer is not None and c.transfer.limit == timedelta(hours=48)


def test_acknowledged_and_closed_clocks() -> None:
    acked = facts(status="in_progress", acknowledged_at=utc_text(T0 + timedelta(hours=5)))
    c = clocks(acked, SETTINGS, T0 + timedelta(days=16))
    assert c.acknowledge.state == LATE
    assert c.acknowledge.margin(T0) == -timedelta(hours=1)
    assert c.verification_day == 17 and c.verification_warning
    assert c.verification.state == RUNNING
    closed = facts(
        status="closed",
        outcome="forwarded",
        acknowledged_at=utc_text(T0 + timedelta(minutes=5)),
        closed_at=utc_text(T0 + timedelta(hours=20)),
    )
    c = clocks(closed, SETTINGS, T0 + timedelta(days=40))
    assert c.acknowledge.state == MET
    assert c.transfer is not None and c.transfer.state == MET
    assert c.verification.state == MET and c.verification_day == 1
    unfounded = facts(
        status="closed", outcome="unfounded", closed_at=utc_text(T0 + timedelta(days=21))
    )
    c = clocks(unfounded, SETTINGS, T0 + timedelta(days=40))
    assert c.transfer is None
    assert c.verification.state == LATE and c.verification_day == 22


def test_day_fifteen_warns_and_day_twenty_one_is_overdue() -> None:
    assert not clocks(
        facts(status="acknowledged"), SETTINGS, T0 + timedelta(days=13, hours=23)
    ).verification_warning
    assert clocks(
        facts(status="acknowledged"), SETTINGS, T0 + timedelta(days=14)
    ).verification_warning
    c = clocks(facts(status="acknowledged"), SETTINGS, T0 + timedelta(days=20))
    assert c.verification.state == OVERDUE and c.verification_day == 21


async def test_tip_clocks_reads_the_stay_and_renders_vietnamese(db: Database) -> None:
    _, a, b = await units(db)
    moved = T0 + timedelta(hours=2)
    tip = await new_tip(db, a, T0, status="transferred", moved_to=b, moved_at=moved)
    async with db.read() as tx:
        c = await tip_clocks(tx, tip, SETTINGS, moved + timedelta(minutes=30))
    assert c is not None
    assert c.acknowledge.started_at == moved
    assert c.transfer is not None and c.transfer.limit == timedelta(hours=48)  # Kim Bảng
    lines = render_clocks(c, "vi", TZ, moved + timedelta(minutes=30)).splitlines()
    assert lines == [
        "⏱ Hạn tiếp nhận (4 giờ): 28/11/2026 04:50 — còn 3 giờ 30 phút",
        "🔁 Hạn chuyển tin (48 giờ): 30/11/2026 00:50 — còn 1 ngày 23 giờ",
        "📅 Hạn xác minh: 17/12/2026 22:50 (ngày thứ 1/20)",
    ]
    english = render_clocks(c, "en", TZ, moved + timedelta(minutes=30))
    assert "Acknowledge (4 h) by 28/11/2026 04:50 — 3 h 30 min left" in english
    async with db.read() as tx:
        assert await tip_clocks(tx, 999, SETTINGS, moved) is None
