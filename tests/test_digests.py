"""Digests over a seeded real SQLite file: the numbers, the text, catch-up exactly once,
the jobs, the reports and the charts. Time is a FakeClock; nothing sleeps.

The province is seeded straight into SQL (tests/seed.py, shared with test_deadlines.py
and test_exports.py).
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from telegram.ext import Application
from telegram.request import BaseRequest, RequestData

from bot import receipt
from bot.charts import PNG_MAGIC, ack_time_by_unit, tips_per_day
from bot.clock import FakeClock
from bot.digest_figures import compute, percentile
from bot.digest_periods import DAILY, MONTHLY, UNIT, WEEKLY, day_period, latest_run, week_period
from bot.digest_text import render
from bot.digests import DigestServices, catch_up, send_due
from bot.reports import ReportUsage, build, parse_period, render_report, send_report
from config.settings import DEMO_TOKEN
from handlers.telegram.jobs import JOB_NAMES, register_jobs, run_sweep
from storage import digests as store
from storage import outbox_files
from storage.db import Database, utc_text
from tests.dates import fixed_clock
from tests.harness import Harness, file_tip
from tests.seed import (
    DUTY,
    QUEUE_A,
    QUEUE_B,
    SUPERVISOR_USER,
    SUPERVISORS,
    TZ,
    Seed,
    local,
    province_settings,
)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "digests.db", clock=fixed_clock)
    yield database
    await database.close()


# The scenario: Friday 27/11/2026 in the province, digest at 07:00 on Saturday 28/11.
DAY = (2026, 11, 27)
NOW = local(2026, 11, 28, 7, 0)


@dataclass
class World:
    province: int
    a: int
    b: int
    c: int
    codes: dict[str, str]


async def seed_world(db: Database) -> World:
    codes: dict[str, str] = {}
    async with db.transaction() as tx:
        s = Seed(tx)
        province = await s.unit("Tỉnh Ninh Bình", "province")
        a = await s.unit("Tam Chúc")
        b = await s.unit("Kim Bảng", remote=True)
        c = await s.unit("Ba Sao")  # no queue chat
        await s.bind(QUEUE_A, "queue", a)
        await s.bind(QUEUE_B, "queue", b)
        await s.bind(DUTY, "duty", province)
        await s.bind(SUPERVISORS, "supervisors", province)
        await s.officer(SUPERVISOR_USER, province, "supervisor", opt_in=True)
        await s.officer(778, province, "supervisor", opt_in=False)
        await s.officer(779, a, "officer", opt_in=True)  # not a supervisor: no digest
        # on the day: five new tips
        _, codes["t1"] = await s.tip(
            a, local(*DAY, 8), status="acknowledged", acknowledged=local(*DAY, 8, 10)
        )
        _, codes["t2"] = await s.tip(
            a,
            local(*DAY, 9),
            category="wanted",
            urgent=True,
            status="in_progress",
            acknowledged=local(*DAY, 9, 5),
        )
        _, codes["t3"] = await s.tip(
            b,
            local(*DAY, 10),
            category="drugs",
            status="closed",
            outcome="resolved",
            acknowledged=local(*DAY, 12),
            closed=local(*DAY, 15),
        )
        _, codes["t4"] = await s.tip(b, local(*DAY, 23, 30))
        _, codes["t5"] = await s.tip(
            a,
            local(*DAY, 22),
            category="public_order",
            urgent=True,
            status="transferred",
            moved_to=b,
            moved_at=local(*DAY, 23),
        )
        # before the day
        _, codes["t6"] = await s.tip(
            a,
            local(2026, 11, 26, 23, 59),
            status="closed",
            outcome="forwarded",
            acknowledged=local(2026, 11, 26, 23, 59) + timedelta(seconds=30),
            closed=local(*DAY, 10),
        )
        _, codes["t7"] = await s.tip(
            c, NOW - timedelta(days=16), status="in_progress", acknowledged=NOW - timedelta(days=16)
        )
        _, codes["t8"] = await s.tip(
            a,
            NOW - timedelta(days=21),
            status="acknowledged",
            acknowledged=NOW - timedelta(days=21),
        )
        _, codes["t9"] = await s.tip(
            a,
            NOW - timedelta(days=10),
            status="closed",
            outcome="spam",
            closed=NOW - timedelta(days=9),
        )
        await s.failed(QUEUE_B, local(*DAY, 11))
        await s.failed(QUEUE_B, local(2026, 11, 25, 11))  # another day
    return World(province, a, b, c, codes)


def services(
    db: Database, clock: FakeClock, wakes: list[int] | None = None, **extra: Any
) -> DigestServices:
    woken = wakes if wakes is not None else []
    return DigestServices(db, province_settings(**extra), clock, lambda: woken.append(1))


async def outbox_rows(db: Database, purpose: str = "digest") -> list[dict[str, Any]]:
    async with db.read() as tx:
        rows = await tx.fetchall(
            "SELECT id, chat_id, method, payload FROM outbox WHERE purpose = ? ORDER BY id",
            (purpose,),
        )
    return [
        {"id": r[0], "chat_id": r[1], "method": r[2], "payload": json.loads(r[3])} for r in rows
    ]


def media_kind(row: dict[str, Any]) -> str | None:
    """The kind of file a row shows (its text the caption), or None."""
    media = row["payload"].get("media") if row["method"] == "show" else None
    return str(media["kind"]) if media else None


def is_text(row: dict[str, Any]) -> bool:
    return row["method"] == "show" and media_kind(row) is None


# ---------------------------------------------------------------- the numbers


async def test_daily_digest_numbers(db: Database) -> None:
    w = await seed_world(db)
    settings = province_settings()
    scheduled, period = latest_run(DAILY, settings, NOW)
    assert scheduled == NOW and period.key == "2026-11-27"
    d = await compute(db, settings, period, NOW)

    assert d.new_total == 5
    assert d.new_by_category == {"crime": 2, "wanted": 1, "drugs": 1, "public_order": 1}
    assert d.new_by_unit == [("Tam Chúc", 3), ("Kim Bảng", 2)]
    assert [tip.code for tip in d.urgent] == [w.codes["t2"], w.codes["t5"]]
    assert d.open_by_status == {"acknowledged": 2, "in_progress": 2, "new": 1, "transferred": 1}
    # t5 waits since its transfer at 23:00 (urgent: 15 min), t4 since 23:30 (normal: 4 h)
    assert [(x.tip.code, x.waited) for x in d.overdue_ack] == [
        (w.codes["t5"], timedelta(hours=8)),
        (w.codes["t4"], timedelta(hours=7, minutes=30)),
    ]
    assert d.overdue_ack[0].tip.unit_name == "Kim Bảng"
    # acknowledged during the day: 10 min, 5 min, 2 h (t6 was acknowledged the day before)
    assert d.ack_count == 3
    assert d.ack_median == timedelta(minutes=10)
    assert d.ack_p90 == timedelta(hours=2)
    assert d.transfers == 1
    assert d.closed_by_outcome == {"resolved": 1, "forwarded": 1}
    assert [(v.tip.code, v.day, v.overdue) for v in d.verification] == [
        (w.codes["t8"], 22, True),
        (w.codes["t7"], 17, False),
    ]
    assert (d.verification_warn, d.verification_over) == (1, 1)
    assert d.units_without_queue == ["Ba Sao"]
    assert d.failed == [("Kim Bảng", 1)]


async def test_daily_digest_text_is_short_vietnamese_and_complete(db: Database) -> None:
    w = await seed_world(db)
    settings = province_settings()
    _, period = latest_run(DAILY, settings, NOW)
    rendered = render(await compute(db, settings, period, NOW), settings)
    body = rendered.text
    assert len(body) < 1500
    assert rendered.csv is None  # nothing had to be cut
    assert body.startswith("📊 Tin báo ngày 27/11/2026 — Tỉnh Ninh Bình")
    assert "🆕 Tin mới: 5 (khẩn: 2)" in body
    assert "Tam Chúc 3, Kim Bảng 2" in body
    assert receipt.display(w.codes["t5"]) + " Kim Bảng, chờ 8 giờ" in body
    assert "trung vị 10 phút, 90% trong 2 giờ (3 tin)" in body
    assert "🔁 Chuyển đơn vị: 1" in body
    assert "đã giải quyết 1" in body and "chuyển Cơ quan điều tra 1" in body
    assert "sắp hết hạn 1, quá hạn 1" in body
    assert "Ba Sao" in body
    assert "❗ Gửi tin thất bại: Kim Bảng 1" in body
    # t2, a wanted-person tip from the plain dialogue, is a sighting of no notice
    assert (
        "🔎 Truy nã: 1 tin báo nhìn thấy; bắt 0, đầu thú 0 (nguy hiểm: 0);"
        " còn 0 lệnh đang truy nã (0 nguy hiểm)"
    ) in body
    english = render(await compute(db, settings, period, NOW), settings, "en").text
    assert "🆕 New tips: 5 (urgent: 2)" in english


async def test_long_digest_keeps_text_short_and_attaches_full_csv(db: Database) -> None:
    await seed_world(db)
    codes = []
    async with db.transaction() as tx:
        s = Seed(tx)
        for i in range(40):
            unit = await s.unit(f"Xã số {i:02d}")
            codes.append((await s.tip(unit, local(*DAY, 1) + timedelta(minutes=i)))[1])
    settings = province_settings()
    _, period = latest_run(DAILY, settings, NOW)
    rendered = render(await compute(db, settings, period, NOW), settings)
    assert len(rendered.text) < 1500
    assert "📎" in rendered.text
    assert rendered.csv is not None and rendered.csv.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(rendered.csv.decode("utf-8-sig"))))
    assert table[0][:3] == ["Mục", "Mã tin báo", "Đơn vị"]
    overdue = {row[1] for row in table if row[0] == "Quá hạn tiếp nhận"}
    assert {receipt.display(c) for c in codes} <= overdue
    assert len([row for row in table if row[0] == "Chưa gắn nhóm tiếp nhận"]) == 41


# ---------------------------------------------------------------- wanted persons


async def seed_wanted(db: Database, w: World) -> None:
    """Notices and sightings around Friday 27/11, on top of :func:`seed_world` (whose t2
    is a 'wanted' tip from the plain dialogue, naming no notice).

    On the day: sightings t2, two of N1, one of N2 (re-filed by an officer as 'crime',
    still naming N2) and one of A1, the notice arrested that morning: 5 sightings of 3
    notices. Withdrawn on the day: A1 arrested (dangerous), S1 surrendered at the very
    first microsecond of the day (not dangerous), C1 cancelled (dangerous, but a
    cancellation is no arrest). Active now: N1 (dangerous), N2, N3 (dangerous), N4.
    Outside the day but in November: a sighting of N4 on Thursday and A2 arrested at
    the exclusive end of the day (dangerous); in October: S2 surrendered (dangerous).
    """
    async with db.transaction() as tx:
        s = Seed(tx)
        n1 = await s.notice("N1", w.province, dangerous=True)
        n2 = await s.notice("N2", w.province)
        await s.notice("N3", w.province, dangerous=True)
        n4 = await s.notice("N4", w.province)
        a1 = await s.notice(
            "A1", w.province, dangerous=True, reason="arrested", withdrawn=local(*DAY, 9)
        )
        await s.notice("S1", w.province, reason="surrendered", withdrawn=local(*DAY))
        await s.notice(
            "C1", w.province, dangerous=True, reason="cancelled", withdrawn=local(*DAY, 16)
        )
        await s.notice(
            "A2", w.province, dangerous=True, reason="arrested", withdrawn=local(2026, 11, 28)
        )
        await s.notice(
            "S2",
            w.province,
            dangerous=True,
            reason="surrendered",
            withdrawn=local(2026, 10, 31, 23),
        )
        await s.tip(
            w.a,
            local(*DAY, 8, 30),
            category="wanted",
            urgent=True,
            notice=a1,
            status="closed",
            outcome="resolved",
            closed=local(*DAY, 9),
        )
        await s.tip(
            w.a,
            local(*DAY, 12),
            category="wanted",
            urgent=True,
            notice=n1,
            status="closed",
            outcome="forwarded",
            closed=local(*DAY, 14),
        )
        await s.tip(w.b, local(*DAY, 13), category="wanted", urgent=True, notice=n1)
        await s.tip(w.b, local(*DAY, 14), category="crime", urgent=True, notice=n2)
        await s.tip(w.c, local(2026, 11, 26, 10), category="wanted", urgent=True, notice=n4)


async def test_daily_digest_counts_sightings_arrests_and_surrenders(db: Database) -> None:
    w = await seed_world(db)
    await seed_wanted(db, w)
    settings = province_settings()
    _, period = latest_run(DAILY, settings, NOW)
    d = await compute(db, settings, period, NOW)
    assert d.wanted == store.WantedFigures(
        sightings=5,
        notices_sighted=3,
        arrested=1,
        surrendered=1,
        cancelled=1,
        caught_dangerous=1,
        active=4,
        active_dangerous=2,
    )
    assert d.wanted.caught == 2 and not d.wanted.empty
    body = render(d, settings).text
    assert len(body) < 1500
    assert (
        "\n🔎 Truy nã: 5 tin báo nhìn thấy (3 đối tượng); bắt 1, đầu thú 1 (nguy hiểm: 1);"
        " hủy 1 lệnh; còn 4 lệnh đang truy nã (2 nguy hiểm)\n"
    ) in body
    english = render(d, settings, "en").text
    assert (
        "🔎 Wanted: 5 sightings (3 people); arrested 1, surrendered 1 (dangerous: 1);"
        " 1 cancelled; 4 notices still active (2 dangerous)"
    ) in english


async def test_report_counts_wanted_people_caught_in_the_period(db: Database) -> None:
    w = await seed_world(db)
    await seed_wanted(db, w)
    settings = province_settings()
    report = await build(db, settings, parse_period(["month", "11/2026"], NOW, TZ), NOW)
    # November: the day's figures, the sighting of N4 on Thursday and A2 arrested at
    # midnight; S2 surrendered in October and belongs to October's report
    assert report.wanted == store.WantedFigures(
        sightings=6,
        notices_sighted=4,
        arrested=2,
        surrendered=1,
        cancelled=1,
        caught_dangerous=2,
        active=4,
        active_dangerous=2,
    )
    # the cohort counts the same sightings (the re-filed 'crime' one included), and what
    # became of them: A1's closed when he was arrested, N1's forwarded
    assert (report.cohort.wanted, report.cohort.wanted_acted) == (6, 2)
    assert (
        "🔎 Truy nã: 6 tin báo nhìn thấy (4 đối tượng); bắt 2, đầu thú 1 (nguy hiểm: 2);"
        " hủy 1 lệnh; còn 4 lệnh đang truy nã (2 nguy hiểm)\n"
        "• Tin báo nhìn thấy đã giải quyết hoặc chuyển Cơ quan điều tra: 2/6"
    ) in render_report(report, settings).text
    october = await build(db, settings, parse_period(["month", "10/2026"], NOW, TZ), NOW)
    assert (october.wanted.surrendered, october.wanted.caught_dangerous) == (1, 1)
    assert (october.wanted.arrested, october.wanted.sightings) == (0, 0)
    english = render_report(october, settings, "en").text
    assert (
        "🔎 Wanted: 0 sightings; arrested 0, surrendered 1 (dangerous: 1);"
        " 4 notices still active (2 dangerous)"
    ) in english
    assert "Sightings resolved" not in english  # no sighting to say anything of


async def test_wanted_line_left_out_only_of_an_all_zero_daily_digest(db: Database) -> None:
    async with db.transaction() as tx:
        s = Seed(tx)
        province = await s.unit("Tỉnh Ninh Bình", "province")
        a = await s.unit("Tam Chúc")
        await s.tip(a, local(*DAY, 8))  # a crime tip: no sighting
        # arrested a microsecond before the day: Thursday's news, not Friday's
        before = local(*DAY) - timedelta(microseconds=1)
        await s.notice("OLD", province, dangerous=True, reason="arrested", withdrawn=before)
    settings = province_settings()
    _, period = latest_run(DAILY, settings, NOW)
    d = await compute(db, settings, period, NOW)
    assert d.wanted.empty
    assert "Truy nã" not in render(d, settings).text
    monday = local(2026, 11, 30, 7)
    week = await compute(db, settings, latest_run(WEEKLY, settings, monday)[1], monday)
    assert (
        "🔎 Truy nã: 0 tin báo nhìn thấy; bắt 1, đầu thú 0 (nguy hiểm: 1);"
        " còn 0 lệnh đang truy nã (0 nguy hiểm)"
    ) in render(week, settings).text
    quiet_week = await compute(db, settings, week_period(date(2026, 11, 16), TZ), monday)
    assert quiet_week.wanted.empty  # a weekly digest shows its zeros, as the report does
    assert "🔎 Truy nã: 0 tin báo nhìn thấy; bắt 0" in render(quiet_week, settings).text
    report = await build(db, settings, parse_period(["month", "9/2026"], NOW, TZ), NOW)
    assert report.wanted.empty
    assert (
        "🔎 Truy nã: 0 tin báo nhìn thấy; bắt 0, đầu thú 0 (nguy hiểm: 0);"
        " còn 0 lệnh đang truy nã (0 nguy hiểm)"
    ) in render_report(report, settings).text
    # one notice on the list is something to say, even on a quiet day
    async with db.transaction() as tx:
        await Seed(tx).notice("NEW", province)
    d = await compute(db, settings, period, NOW)
    assert (d.wanted.active, d.wanted.empty) == (1, False)
    assert "còn 1 lệnh đang truy nã (0 nguy hiểm)" in render(d, settings).text


def test_percentile_is_nearest_rank() -> None:
    assert percentile([5.0, 1.0, 3.0], 0.9) == 5.0
    assert percentile(list(map(float, range(1, 11))), 0.9) == 9.0
    assert percentile([7.0], 0.9) == 7.0


def test_latest_runs_and_periods() -> None:
    s = province_settings()
    before = local(2026, 12, 1, 6, 59)  # Tuesday 1 December, before 07:00
    run, period = latest_run(DAILY, s, before)
    assert run == local(2026, 11, 30, 7) and period.key == "2026-11-29"
    assert period.start == local(2026, 11, 29) and period.end == local(2026, 11, 30)
    run, period = latest_run(WEEKLY, s, before)
    assert run == local(2026, 11, 30, 7) and period.key == "2026-11-23"
    assert period.end == local(2026, 11, 30)
    run, period = latest_run(MONTHLY, s, before)
    assert run == local(2026, 11, 1, 7) and period.key == "2026-10"
    run, period = latest_run(MONTHLY, s, local(2026, 12, 1, 7))
    assert run == local(2026, 12, 1, 7) and period.key == "2026-11"
    assert period.start == local(2026, 11, 1) and period.end == local(2026, 12, 1)
    run, period = latest_run(UNIT, s, local(2026, 12, 1, 7))
    assert period.key == "2026-12-01"
    friday = province_settings(weekly_digest_weekday=4)
    run, period = latest_run(WEEKLY, friday, local(2026, 12, 1, 9))
    assert run == local(2026, 11, 27, 7) and period.key == "2026-11-20"
    jan = latest_run(MONTHLY, s, local(2027, 1, 1, 8))[1]
    assert jan.key == "2026-12" and jan.end == local(2027, 1, 1)


# ---------------------------------------------------------------- sending exactly once


async def test_catch_up_after_outage_across_seven_sends_once(db: Database) -> None:
    await seed_world(db)
    clock = FakeClock(local(2026, 11, 28, 6, 0))
    wakes: list[int] = []
    svc = services(db, clock, wakes)
    # running before the outage: yesterday's 07:00 digest goes out (it was due)
    first = await catch_up(svc, clock())
    assert {(s.kind, s.period_key) for s in first if s.outbox_ids} >= {(DAILY, "2026-11-26")}
    before = await outbox_rows(db)
    # down from 06:00 to 09:00, across 07:00; the start-up catch-up sends the missed one
    clock.advance(hours=3)
    sent = await catch_up(svc, clock())
    daily = [s for s in sent if s.kind == DAILY]
    assert {(s.period_key, s.recipient) for s in daily} == {
        ("2026-11-27", "supervisors"),
        ("2026-11-27", "officer:1"),
    }
    new_rows = (await outbox_rows(db))[len(before) :]
    messages = [r for r in new_rows if is_text(r) and "27/11/2026" in r["payload"]["text"]]
    assert sorted(r["chat_id"] for r in messages) == [SUPERVISORS, SUPERVISOR_USER]
    assert wakes  # the sender was nudged
    # a second start-up later the same morning finds everything claimed
    clock.advance(minutes=5)
    assert await catch_up(svc, clock()) == []
    assert len(await outbox_rows(db)) == len(before) + len(new_rows)


async def test_exactly_once_across_two_restarts(tmp_path: Path) -> None:
    path = tmp_path / "restarts.db"
    first_db = await Database.open(path, clock=fixed_clock)
    await seed_world(first_db)
    await first_db.close()
    now = local(2026, 12, 1, 9)  # Tuesday 1 December: daily, unit, weekly and monthly due
    counts = []
    for _ in range(3):  # the first start, and two restarts
        database = await Database.open(path, clock=fixed_clock)
        await catch_up(services(database, FakeClock(now)), now)
        async with database.read() as tx:
            counts.append(
                (
                    await tx.scalar("SELECT COUNT(*) FROM outbox WHERE purpose = 'digest'"),
                    await tx.scalar("SELECT COUNT(*) FROM digest_log"),
                    await tx.scalar("SELECT COUNT(*) FROM outbox_files"),
                )
            )
            kinds = await tx.fetchall(
                "SELECT kind, period_key, COUNT(*) FROM digest_log GROUP BY 1, 2 ORDER BY 1"
            )
        await database.close()
        now += timedelta(minutes=30)
    assert counts[0] == counts[1] == counts[2]
    assert [tuple(k) for k in kinds] == [
        ("daily", "2026-11-30", 2),
        ("monthly", "2026-11", 2),
        ("unit", "2026-12-01", 2),
        ("weekly", "2026-11-23", 2),
    ]


async def test_a_job_racing_the_start_up_catch_up_sends_once(db: Database) -> None:
    """Both read "not sent yet" before either writes; the claim in the write decides."""
    await seed_world(db)
    svc = services(db, FakeClock(NOW))
    first, second = await asyncio.gather(
        send_due(svc, NOW, kinds=(DAILY,)), send_due(svc, NOW, kinds=(DAILY,))
    )
    assert len(first) + len(second) == 2  # supervisors' chat and the opted-in supervisor
    rows = await outbox_rows(db)
    assert sorted(r["chat_id"] for r in rows) == [SUPERVISORS, SUPERVISOR_USER]


async def test_weekly_digest_carries_a_chart_photo(db: Database) -> None:
    await seed_world(db)
    now = local(2026, 11, 30, 7)  # Monday
    sent = await send_due(services(db, FakeClock(now)), now, kinds=(WEEKLY,))
    assert {s.recipient for s in sent} == {"supervisors", "officer:1"}
    rows = await outbox_rows(db)
    photos = [r for r in rows if media_kind(r) == "photo"]
    assert len(photos) == 2 and "23/11" in photos[0]["payload"]["text"]  # the caption
    async with db.read() as tx:
        files = await outbox_files.files_for(tx, photos[0]["id"])
    assert [(f.field, f.filename, f.data[:8]) for f in files] == [
        ("photo", "tinbao_weekly_2026-11-23.png", PNG_MAGIC)
    ]
    week_text = next(r for r in rows if is_text(r))["payload"]["text"]
    assert week_text.startswith("📊 Tin báo tuần 23/11 – 29/11/2026")
    assert "🆕 Tin mới: 6 (khẩn: 2)" in week_text  # the five of Friday and t6 of Thursday


async def test_unit_morning_lists_own_open_tips_oldest_first(db: Database) -> None:
    w = await seed_world(db)
    await send_due(services(db, FakeClock(NOW)), NOW, kinds=(UNIT,))
    rows = await outbox_rows(db)
    by_chat = {r["chat_id"]: r["payload"]["text"] for r in rows}
    assert set(by_chat) == {QUEUE_A, QUEUE_B}  # Ba Sao has no queue chat
    a_text = by_chat[QUEUE_A]
    assert a_text.startswith("🌅 Tin báo đang mở của Tam Chúc — 28/11/2026")
    order = [a_text.index(receipt.display(w.codes[k])) for k in ("t8", "t1", "t2")]
    assert order == sorted(order)
    assert receipt.display(w.codes["t5"]) not in a_text  # moved to Kim Bảng
    assert "🔴" in a_text  # t8 is past its 20 days
    b_text = by_chat[QUEUE_B]
    assert receipt.display(w.codes["t5"]) in b_text and "⏰" in b_text


async def test_no_recipient_means_no_claim_until_one_exists(db: Database) -> None:
    async with db.transaction() as tx:
        s = Seed(tx)
        province = await s.unit("Tỉnh Ninh Bình", "province")
    svc = services(db, FakeClock(NOW))
    assert await send_due(svc, NOW, kinds=(DAILY,)) == []
    async with db.transaction() as tx:
        await Seed(tx).bind(SUPERVISORS, "supervisors", province)
    later = NOW + timedelta(hours=2)
    sent = await send_due(svc, later, kinds=(DAILY,))
    assert [(s.period_key, s.recipient) for s in sent] == [("2026-11-27", "supervisors")]


async def test_stale_weekly_is_not_caught_up(db: Database) -> None:
    await seed_world(db)
    friday = local(2026, 12, 4, 9)  # Monday's weekly is four days old: past its grace
    assert await send_due(services(db, FakeClock(friday)), friday, kinds=(WEEKLY,)) == []


# ---------------------------------------------------------------- jobs


class CapturingRequest(BaseRequest):
    """A Bot API transport that records requests and answers like Telegram would."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, RequestData | None]] = []

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        self.calls.append((url.rsplit("/", 1)[-1], request_data))
        if url.endswith("getMe"):
            result: Any = {
                "id": 1,
                "is_bot": True,
                "first_name": "tinbao",
                "username": "tinbao_bot",
            }
        else:
            result = {
                "message_id": 5,
                "date": 0,
                "chat": {"id": -3000, "type": "group", "title": "Lãnh đạo"},
                "photo": [{"file_id": "f", "file_unique_id": "u", "width": 1, "height": 1}],
            }
        return 200, json.dumps({"ok": True, "result": result}).encode()


async def test_register_jobs_schedules_sweep_and_digests_in_province_time(db: Database) -> None:
    app = Application.builder().token(DEMO_TOKEN).request(CapturingRequest()).build()
    svc = services(db, FakeClock(NOW), weekly_digest_weekday=0, monthly_digest_day=3)
    register_jobs(app, svc)
    assert app.job_queue is not None
    await app.job_queue.start()
    try:
        jobs = {job.name: job for job in app.job_queue.jobs()}
        assert set(jobs) == set(JOB_NAMES)
        now_local = datetime.now(TZ)
        daily = jobs["tinbao:daily-digest"].next_t
        weekly = jobs["tinbao:weekly-digest"].next_t
        monthly = jobs["tinbao:monthly-digest"].next_t
        assert daily is not None and weekly is not None and monthly is not None
        for moment in (daily, weekly, monthly):
            assert (
                moment.astimezone(TZ).time().replace(second=0, microsecond=0).isoformat()
                == "07:00:00"
            )
        assert weekly.astimezone(TZ).weekday() == 0  # Monday, as Python counts
        assert monthly.astimezone(TZ).day == 3
        assert timedelta(0) < daily - now_local <= timedelta(days=1)
        sweep = jobs["tinbao:deadline-sweep"]
        assert sweep.job.trigger.interval == timedelta(seconds=60)
    finally:
        await app.job_queue.stop(wait=False)


async def test_sweep_job_wakes_the_sender_only_when_it_wrote(db: Database) -> None:
    await seed_world(db)
    wakes: list[int] = []
    svc = services(db, FakeClock(NOW), wakes)
    await run_sweep(svc, NOW)
    assert len(wakes) == 1
    await run_sweep(svc, NOW + timedelta(minutes=1))
    assert len(wakes) == 1


async def download(h: Harness, file_id: str) -> bytes:
    """A file as a member of the chat downloads it from Telegram."""
    file = await h.tinbao.app.bot.get_file(file_id)
    return bytes(await file.download_as_bytearray())


async def test_the_sender_uploads_the_chart_and_the_full_list_with_the_digest(h: Harness) -> None:
    """What the supervisors' group gets from the running bot: the text, the chart as a
    photo, the full lists as a CSV document, in that order, each uploaded under its name
    with the bytes the digest made; once they are sent the bytes leave the database."""
    sup_code, _, _ = await h.tinbao.staff.create_invite("Ninh Bình", "supervisor")
    sup = h.officer(701, "Sơn")
    await sup.says(f"/join {sup_code}")
    await sup.says("/bindsupervisors", chat=h.group("Lãnh đạo", SUPERVISORS))
    await file_tip(h.citizen())  # no commune has a queue group: the text cuts that list
    settings = h.tinbao.settings
    here = h.clock().astimezone(settings.tz)
    days = (settings.weekly_digest_weekday - here.weekday()) % 7 or 7
    due = datetime.combine(
        here.date() + timedelta(days=days), settings.daily_digest_time, here.tzinfo
    )
    h.clock.advance(seconds=(due - here).total_seconds())
    mark = h.api.mark()
    sent = await send_due(h.tinbao.digests, kinds=(WEEKLY,))
    assert [s.recipient for s in sent] == ["supervisors"]
    await h.flush()

    calls = [c for c in h.api.calls[mark:] if c.params.get("chat_id") == SUPERVISORS]
    assert [(c.method, c.ok) for c in calls] == [
        ("sendMessage", True),
        ("sendPhoto", True),
        ("sendDocument", True),
    ]
    _, period = latest_run(WEEKLY, settings, h.clock())
    text, photo, document = calls
    assert text.params["text"].startswith("📊 Tin báo tuần")
    assert photo.files == {"photo": f"tinbao_weekly_{period.key}.png"}
    assert f"{period.start.astimezone(settings.tz):%d/%m}" in photo.params["caption"]
    assert document.files == {"document": f"tinbao_weekly_{period.key}.csv"}
    _, chart, table = h.api.sent_to(SUPERVISORS)[-3:]
    png = await download(h, chart["photo"][-1]["file_id"])
    assert png.startswith(PNG_MAGIC) and len(png) > 1000
    assert table["document"]["file_name"] == f"tinbao_weekly_{period.key}.csv"
    rows = list(
        csv.reader(
            io.StringIO((await download(h, table["document"]["file_id"])).decode("utf-8-sig"))
        )
    )
    assert rows[0][:3] == ["Mục", "Mã tin báo", "Đơn vị"]
    assert (
        len([r for r in rows if r[0] == "Chưa gắn nhóm tiếp nhận"]) > 3
    )  # more than the text shows
    async with h.tinbao.db.read() as tx:
        assert await tx.scalar("SELECT COUNT(*) FROM outbox_files") == 0


# ---------------------------------------------------------------- reports and charts


async def test_report_counts_the_cohort_of_the_month(db: Database) -> None:
    w = await seed_world(db)
    settings = province_settings()
    period = parse_period(["tháng", "11/2026"], NOW, TZ)
    report = await build(db, settings, period, NOW)
    c = report.cohort
    assert c.received == 9
    assert c.urgent == 2
    assert (c.wanted, c.wanted_acted) == (1, 0)
    assert c.by_outcome == {"resolved": 1, "forwarded": 1, "spam": 1}
    assert c.open == 6
    assert c.transferred == 1
    # measured: 6 acknowledged + t4 and t5 overdue unacknowledged; t9 (spam, closed without
    # acknowledgement after its deadline) counts as missed too
    assert c.ack_measured == 9
    assert c.ack_within == 6  # t1 10 min, t2 5 min (urgent), t3 2 h, t6 30 s, t7 and t8 at once
    rendered = render_report(report, settings)
    assert rendered.text.startswith("📘 Báo cáo tháng 11/2026")
    assert "Tiếp nhận 9 tin báo" in rendered.text
    assert (
        "🔎 Truy nã: 1 tin báo nhìn thấy; bắt 0, đầu thú 0 (nguy hiểm: 0);"
        " còn 0 lệnh đang truy nã (0 nguy hiểm)\n"
        "• Tin báo nhìn thấy đã giải quyết hoặc chuyển Cơ quan điều tra: 0/1"
    ) in rendered.text
    assert "📤 Chuyển Cơ quan điều tra: 1" in rendered.text
    assert "Tiếp nhận trong hạn: " in rendered.text
    ids = await send_report(db, settings, chat_id=SUPERVISORS, period=period, now=NOW)
    assert len(ids) == 1
    # the seed is what the numbers above count: all nine of its tips, and only they, were
    # received in November
    async with db.read() as tx:
        received = await tx.fetchall(
            "SELECT code FROM tips WHERE created_at >= ? AND created_at < ?",
            (utc_text(period.start), utc_text(period.end)),
        )
    assert sorted(w.codes) == [f"t{i}" for i in range(1, 10)]
    assert sorted(r[0] for r in received) == sorted(w.codes.values())


async def test_report_within_deadline_percentage(db: Database) -> None:
    async with db.transaction() as tx:
        s = Seed(tx)
        await s.unit("Tỉnh Ninh Bình", "province")
        a = await s.unit("Tam Chúc")
        start = local(2026, 3, 2, 8)
        for i in range(3):  # 3 normal tips acknowledged in 1 h: within 4 h
            await s.tip(
                a,
                start + timedelta(hours=i),
                status="acknowledged",
                acknowledged=start + timedelta(hours=i + 1),
            )
        await s.tip(
            a, start, urgent=True, status="acknowledged", acknowledged=start + timedelta(minutes=16)
        )  # urgent, 16 min: late
        await s.tip(a, start + timedelta(days=400), urgent=True)  # another year
    settings = province_settings()
    report = await build(db, settings, parse_period(["year", "2026"], NOW, TZ), NOW)
    assert (report.cohort.ack_within, report.cohort.ack_measured) == (3, 4)
    assert "75% (3/4 tin)" in render_report(report, settings).text


def test_report_period_parsing() -> None:
    now = local(2026, 11, 28, 7)
    assert parse_period([], now, TZ).label == "11/2026"
    assert parse_period(["quarter", "2026-Q3"], now, TZ).start == local(2026, 7, 1)
    assert parse_period(["quý"], now, TZ).label == "4/2026"
    assert parse_period(["nam", "2025"], now, TZ).end == local(2026, 1, 1)
    assert parse_period(["month", "2026-12"], now, TZ).end == local(2027, 1, 1)
    for bad in (["week"], ["month", "13/2026"], ["quarter", "2026-Q5"], ["year", "2025", "2"]):
        with pytest.raises(ReportUsage):
            parse_period(bad, now, TZ)


def test_charts_are_png() -> None:
    days = day_period(datetime(2026, 11, 23).date(), TZ).days
    assert len(days) == 1
    week = [days[0] + timedelta(days=i) for i in range(7)]
    png = tips_per_day(week, {("2026-11-23", "crime"): 3, ("2026-11-24", "drugs"): 1}, "vi")
    assert png.startswith(PNG_MAGIC) and len(png) > 1000
    png = ack_time_by_unit({"Tam Chúc": [600.0, 7200.0], "Kim Bảng": [60.0]}, "en")
    assert png.startswith(PNG_MAGIC)
    assert ack_time_by_unit({}, "vi").startswith(PNG_MAGIC)
