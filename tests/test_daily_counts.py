"""The pre-aggregated daily counts (migration 0016) against counts made from the tips.

Three ways in, each on a real SQLite file: tips filed, acknowledged, transferred and
closed through the running bot (the harness); rows of an older file counted by the
migration's backfill; and every digest and report figure read from the counts compared
with the same figure counted from the tips alone (a copy of the file whose counts are
kept in no zone, which is the path a period the counts cannot serve takes).
"""

from __future__ import annotations

import math
import random
import shutil
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.digest_figures import compute
from bot.digest_periods import day_period, month_period, week_period
from bot.reports import build, month, quarter, year_period
from scripts.generate_tips import EVENT_SQL, TIP_SQL, ensure_units, fill, generate
from storage import digests as store
from storage.db import Database, Tx, bundled_migrations, utc_text
from tests.dates import fixed_clock
from tests.harness import Harness, Person, file_tip
from tests.seed import Seed, local
from tests.seed import province_settings as make_settings

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
QUEUE, OTHER_QUEUE, DUTY = -100111, -100222, -100999

Key = tuple[str, str, int, str, str]


def local_day(text: str) -> str:
    """The province's date of a stored UTC time, by the zone database, not by SQL."""
    moment = datetime.strptime(text[:19], "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    return moment.astimezone(TZ).date().isoformat()


def minutes_waited(acknowledged: str, created: str) -> int | str:
    """Whole minutes from receipt to acknowledgement, rounded up, at most a week and one."""

    def moment(text: str) -> datetime:  # to the millisecond, as SQLite's julianday() reads it
        exact = datetime.strptime(text, "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=UTC)
        return exact.replace(microsecond=0) + timedelta(
            milliseconds=int(exact.microsecond / 1000 + 0.5)
        )

    minutes = (moment(acknowledged) - moment(created)).total_seconds() / 60
    return min(math.ceil(round(minutes, 5)), store.ACK_MINUTES_KEPT + 1)


async def direct_counts(tx: Tx) -> dict[Key, int]:
    """What daily_counts must hold, counted in Python from the tips and their events."""
    found: Counter[Key] = Counter()
    for row in await tx.fetchall(
        "SELECT created_at, unit_id, category, urgent, status, outcome, closed_at, transfers,"
        " wanted_notice_id, acknowledged_at FROM tips"
    ):
        created, unit, category, urgent, status, outcome, closed_at, transfers, notice, acked = row
        day = local_day(created)
        found[("received", day, unit, category, "")] += 1
        found[("received_month", day[:7], unit, category, "")] += 1
        sighting = notice is not None or category == "wanted"
        for measure, counted in (
            ("urgent", urgent == 1),
            ("sighting", sighting),
            ("sighting_acted", sighting and outcome in ("resolved", "forwarded")),
            ("open", status != "closed"),
            ("moved", transfers > 0),
        ):
            if counted:
                found[(measure, day, 0, "", "")] += 1
        if status == "closed":
            found[("outcome", day, 0, "", outcome or "?")] += 1
            if closed_at is not None:
                found[("closed", local_day(closed_at), 0, "", outcome or "?")] += 1
        if acked is not None:
            measure = "acked_urgent" if urgent else "acked_normal"
            found[(measure, day, 0, "", str(minutes_waited(acked, created)))] += 1
    for (at,) in await tx.fetchall("SELECT at FROM tip_events WHERE action = 'transferred'"):
        found[("transferred", local_day(at), 0, "", "")] += 1
    return dict(found)


async def counts_of(db: Database) -> tuple[dict[Key, int], dict[Key, int]]:
    async with db.read() as tx:
        return await store.daily_counts(tx), await direct_counts(tx)


# ---------------------------------------------------------------- through the bot


async def setup_units(h: Harness) -> tuple[Person, Person]:
    """A lead of Tam Chúc with its queue, a lead of Kim Bảng with its own, a duty chat."""
    staff = h.tinbao.staff
    lead_code, _, _ = await staff.create_invite("Tam Chúc", "lead")
    other_code, _, _ = await staff.create_invite("Kim Bảng", "lead")
    sup_code, _, _ = await staff.create_invite("Ninh Bình", "supervisor")
    lead, other, sup = h.officer(501, "Hùng"), h.officer(601, "Tú"), h.officer(503, "Sơn")
    await lead.says(f"/join {lead_code}")
    await other.says(f"/join {other_code}")
    await sup.says(f"/join {sup_code}")
    await lead.says("/bindqueue", chat=h.group("CA Tam Chúc", QUEUE))
    await other.says("/bindqueue", chat=h.group("CA Kim Bảng", OTHER_QUEUE))
    await sup.says("/bindduty", chat=h.group("Trực ban", DUTY))
    return lead, other


async def test_counts_follow_intake_ack_transfer_and_close_through_the_bot(h: Harness) -> None:
    lead, other = await setup_units(h)
    queue, other_queue = h.group("CA Tam Chúc", QUEUE), h.group("CA Kim Bảng", OTHER_QUEUE)
    # a tip acknowledged, taken and closed as forwarded
    await file_tip(h.citizen(1001, "Lan"))
    await lead.presses("Tiếp nhận", chat=queue)
    await lead.presses("Nhận xử lý", chat=queue)
    await lead.presses("Đóng", chat=queue)
    await lead.presses("Chuyển cơ quan điều tra", chat=queue)
    # an urgent tip transferred to Kim Bảng, acknowledged there, then closed as unfounded
    await file_tip(h.citizen(1002, "An"), urgent=True)
    await lead.presses("Chuyển đơn vị", chat=queue)
    prompt = next(
        m for m in reversed(h.api.sent_to(QUEUE)) if "trả lời tin nhắn này" in m.get("text", "")
    )
    await lead.replies(prompt, "kim bang", chat=queue)
    await lead.presses("Kim Bảng", chat=queue)
    h.clock.advance(hours=17)  # past the province's midnight: the next local day
    await other.presses("Tiếp nhận", chat=other_queue)
    await other.presses("Đóng", chat=other_queue)
    await other.presses("Không có cơ sở", chat=other_queue)
    # a tip about Kim Bảng's own place, closed as spam without being acknowledged
    await file_tip(h.citizen(1003, "Bình"), place="kim bang", choose="Kim Bảng")
    await other.presses("Đóng", chat=other_queue)
    await other.presses("Tin rác", chat=other_queue)
    # and one left new
    await file_tip(h.citizen(1004, "Hoa"), urgent=True)
    await h.flush()
    assert not h.errors

    counts, direct = await counts_of(h.tinbao.db)
    assert counts == direct
    first, second = (
        local_day(utc_text(h.clock() - timedelta(hours=17))),
        local_day(utc_text(h.clock())),
    )
    assert first != second
    assert counts[("transferred", first, 0, "", "")] == 1
    assert counts[("closed", first, 0, "", "forwarded")] == 1
    assert counts[("closed", second, 0, "", "unfounded")] == 1
    assert counts[("closed", second, 0, "", "spam")] == 1
    assert counts[("moved", first, 0, "", "")] == 1
    assert counts[("open", second, 0, "", "")] == 1
    assert sum(n for key, n in counts.items() if key[0] == "received") == 4
    assert sum(n for key, n in counts.items() if key[0] == "urgent") == 2


# ---------------------------------------------------------------- the migration's backfill


async def write_history(db: Database) -> None:
    """Tips of scripts/generate_tips.py and a few made by hand around the edges: a tip in
    the last microsecond of a local day, one at its first, sightings of a notice, a tip
    closed with no outcome, and a tip transferred twice."""
    now = datetime(2026, 12, 1, tzinfo=UTC)
    async with db.transaction() as tx:
        units = await ensure_units(tx, 12, utc_text(now))
        rng = random.Random("daily-counts")
        for tips, events in generate(
            rng,
            first_id=1,
            count=3_000,
            start=now - timedelta(days=90),
            end=now,
            now=now,
            communes=units.communes,
            tag="test",
        ):
            await tx.executemany(TIP_SQL, tips)
            await tx.executemany(EVENT_SQL, events)
        s = Seed(tx)
        a, b = units.communes[:2]
        await s.tip(a, local(2026, 11, 27) - timedelta(microseconds=1), category="drugs")
        await s.tip(b, local(2026, 11, 27), urgent=True)
        notice = await s.notice("W-1", a)
        await s.tip(
            a,
            local(2026, 11, 20, 10),
            category="other",
            notice=notice,
            status="closed",
            outcome="resolved",
            closed=local(2026, 11, 21, 9),
        )
        await s.tip(b, local(2026, 11, 22, 10), category="wanted", notice=notice)
        await s.tip(a, local(2026, 11, 23, 10), status="closed", closed=local(2026, 11, 24))
        tip_id, _ = await s.tip(
            a, local(2026, 11, 25, 23), moved_to=b, moved_at=local(2026, 11, 26, 1)
        )
        await s.event(tip_id, local(2026, 11, 26, 2), "transferred", "new", "transferred")


async def test_migration_backfill_counts_an_older_file_as_the_triggers_would(
    tmp_path: Path,
) -> None:
    counts = next(m.version for m in bundled_migrations() if m.name.endswith("_daily_counts.sql"))
    older = await Database.open(tmp_path / "older.db", clock=fixed_clock, migrate=False)
    await older.migrate([m for m in bundled_migrations() if m.version < counts])
    await write_history(older)
    assert counts in await older.migrate()  # the backfill runs here
    backfilled, direct = await counts_of(older)
    await older.close()
    assert backfilled == direct
    assert len(backfilled) > 1_000  # a real history: every measure over ninety days
    assert {key[0] for key in backfilled} == {
        "received",
        "received_month",
        "acked_urgent",
        "acked_normal",
        "urgent",
        "sighting",
        "sighting_acted",
        "open",
        "moved",
        "outcome",
        "closed",
        "transferred",
    }
    # the same rows written after the migration are counted by the triggers: the same
    current = await Database.open(tmp_path / "current.db", clock=fixed_clock)
    await write_history(current)
    by_triggers, _ = await counts_of(current)
    await current.close()
    assert by_triggers == backfilled


# ---------------------------------------------------------------- figures: counts vs tips


async def twin_files(tmp_path: Path) -> tuple[Database, Database]:
    """A file with three months of tips, and a copy whose counts are kept in no zone, so
    every figure there is counted from the tips themselves."""
    path = tmp_path / "counted.db"
    end = datetime(2026, 12, 1, tzinfo=UTC)
    await fill(path, tips=4_000, start=end - timedelta(days=95), end=end, now=end, seed=9)
    db = await Database.open(path, clock=fixed_clock)
    async with db.transaction() as tx:  # sightings of notices too, which the generator lacks
        s = Seed(tx)
        unit = int(await tx.scalar("SELECT MIN(id) FROM units WHERE kind = 'commune'"))
        first = await s.notice("W-1", unit)
        second = await s.notice("W-2", unit, reason="arrested", withdrawn=local(2026, 11, 12))
        for day, notice in ((3, first), (9, second), (9, first), (17, second)):
            await s.tip(unit, local(2026, 11, day, 15), notice=notice)
    await db.close()
    shutil.copy(path, tmp_path / "scanned.db")
    counted = await Database.open(path, clock=fixed_clock)
    scanned = await Database.open(tmp_path / "scanned.db", clock=fixed_clock)
    async with scanned.transaction() as tx:
        await tx.execute("DELETE FROM daily_counts_zone")
    return counted, scanned


async def figures(db: Database, start: datetime, end: datetime) -> dict[str, Any]:
    first, last = utc_text(start), utc_text(end)
    async with db.read() as tx:
        return {
            "new_by_category": await store.new_by_category(tx, first, last),
            "new_by_unit": await store.new_by_unit(tx, first, last),
            "received_by_unit_category": await store.received_by_unit_category(tx, first, last),
            "transfers": await store.transfers(tx, first, last),
            "closed_by_outcome": await store.closed_by_outcome(tx, first, last),
            "daily_by_category": await store.daily_by_category(tx, first, last, 420),
            "wanted": await store.wanted_figures(tx, first, last),
            "cohort": await store.cohort(tx, first, last, utc_text(end), 15, 240),
            # a deadline longer than the counts keep minute by minute: counted per tip
            "cohort_long": await store.cohort(tx, first, last, utc_text(end), 30, 20_000),
        }


async def test_every_figure_from_the_counts_equals_the_count_over_the_tips(
    tmp_path: Path,
) -> None:
    counted, scanned = await twin_files(tmp_path)
    try:
        async with counted.read() as tx:
            assert await store.count_zone(tx) == 420
        async with scanned.read() as tx:
            assert await store.count_zone(tx) is None
        ragged = [
            (local(2026, 11, 3, 9, 30), local(2026, 11, 19, 16, 45)),  # both edges part-days
            (local(2026, 11, 3), local(2026, 11, 19, 16, 45)),  # one edge
            (local(2026, 11, 3, 9, 30), local(2026, 11, 4, 2)),  # no whole day at all
            (local(2026, 11, 3, 9, 30), local(2026, 11, 3, 9, 30)),  # empty
        ]
        whole = [(local(2026, 11, d), local(2026, 11, d + 1)) for d in (1, 9, 17, 29)] + [
            (local(2026, 9, 1), local(2026, 12, 1))
        ]
        for start, end in whole + ragged:
            got = await figures(counted, start, end)
            assert got == await figures(scanned, start, end), (start, end)
        assert got["new_by_category"] == {}  # the empty range
        settings = make_settings(province="Thử Nghiệm")
        now = local(2026, 12, 1, 7)
        periods = [
            day_period(datetime(2026, 11, 30).date(), TZ),
            week_period(datetime(2026, 11, 23).date(), TZ),
            month_period(2026, 11, TZ),
            month_period(2026, 10, TZ),
        ]
        for period in periods:
            digest = await compute(counted, settings, period, now)
            assert digest == await compute(scanned, settings, period, now), period.key
            assert digest.new_total > 0 and digest.closed_by_outcome
        for report_period in (
            month(2026, 11, TZ),
            quarter(2026, 4, TZ),
            year_period(2026, TZ),
        ):
            report = await build(counted, settings, report_period, now)
            assert report == await build(scanned, settings, report_period, now)
        assert report.cohort.received == 4_004 and report.wanted.notices_sighted == 2
        assert report.cohort.by_outcome and report.cohort.transferred
    finally:
        await counted.close()
        await scanned.close()


def test_split_period_reads_whole_local_days_and_counts_the_edges() -> None:
    midnight_27 = utc_text(local(2026, 11, 27))  # 2026-11-26 17:00 UTC
    midnight_30 = utc_text(local(2026, 11, 30))
    split = store.split_period(midnight_27, midnight_30, 420)
    assert split == store.Split(("2026-11-27", "2026-11-30"), [])
    start, end = utc_text(local(2026, 11, 26, 12)), utc_text(local(2026, 11, 30, 6))
    split = store.split_period(start, end, 420)
    assert split.days == ("2026-11-27", "2026-11-30")
    assert split.edges == [(start, midnight_27), (midnight_30, end)]
    # counts kept at another offset, or a period that is not a stored time: all edge
    assert store.split_period(midnight_27, midnight_30, None).days is None
    assert store.split_period("2026-11-27", "2026-11-30", 420).edges == [
        ("2026-11-27", "2026-11-30")
    ]
    assert store.split_period(start, utc_text(local(2026, 11, 27, 6)), 420).days is None
