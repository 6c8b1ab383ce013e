"""The digest's figures read from indexes (migration 0026, issue 13 "fast at scale")
against a straightforward recount, and their query plans.

A file of a few thousand generated tips (scripts/generate_tips.py) is stirred with a
seeded random: tips reopened as unacknowledged, transferred once or twice, marked
unroutable, transfer events deleted and moved. Then the lists of open tips, the urgent
list and the acknowledgement waits are compared with the same rows read the plain way
(each tip's events for the time it reached its queue, the waits worked out from the two
times), for the province and unit by unit; and every statement ``compute`` runs is
explained, so that none reads the whole tips table or every event.
"""

from __future__ import annotations

import random
import sqlite3
import statistics
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.digest_figures import compute, percentile
from bot.digest_periods import DAILY, Period, day_period
from scripts.generate_tips import fill
from storage import digests as store
from storage import web_figures
from storage.db import Database, parse_utc, utc_text
from tests.dates import START
from tests.seed import province_settings

NOW = START
SETTINGS = province_settings()

# The definitions before migration 0026, written out: per tip, its events.
ARRIVED = (
    "COALESCE((SELECT MAX(e.at) FROM tip_events e NOT INDEXED"
    " WHERE e.tip_id = t.id AND e.action = 'transferred'), t.created_at)"
)
LINE = (
    "t.id, t.code, t.category, t.urgent, t.status, t.current_unit_id, u.short_name, u.remote,"
    f" t.created_at, {ARRIVED}, t.acknowledged_at"
)
FROM = "tips t NOT INDEXED JOIN units u ON u.id = t.current_unit_id"
UNROUTED = (
    "t.status <> 'closed'"
    " AND EXISTS (SELECT 1 FROM tip_events e NOT INDEXED WHERE e.tip_id = t.id"
    "  AND e.action = 'unroutable')"
    " AND NOT EXISTS (SELECT 1 FROM tip_cards c WHERE c.tip_id = t.id AND c.active = 1"
    "  AND c.kind = 'queue')"
)
WAIT = "MAX(0.0, ROUND((julianday(acknowledged_at) - julianday(created_at)) * 86400.0, 3))"


def span(days: int) -> Period:
    today = NOW.astimezone(SETTINGS.tz).date()
    first = day_period(today - timedelta(days=days - 1), SETTINGS.tz).start
    return Period(DAILY, f"test-{days}", first, day_period(today, SETTINGS.tz).end)


async def stirred(path: Path, seed: int) -> Database:
    """Generated tips, then an open backlog with the transfer histories the lists read."""
    await fill(path, tips=3_000, start=NOW - timedelta(days=60), end=NOW, now=NOW, seed=seed)
    rng = random.Random(seed)
    db = await Database.open(path, clock=lambda: NOW)
    async with db.transaction() as tx:
        units = [
            int(r[0]) for r in await tx.fetchall("SELECT id FROM units WHERE kind = 'commune'")
        ]
        rows = await tx.fetchall("SELECT id, created_at FROM tips ORDER BY id")
        for tip_id, created in rng.sample(list(rows), 400):
            roll = rng.random()
            await tx.execute(
                "DELETE FROM tip_events WHERE tip_id = ? AND action <> 'submitted'", (tip_id,)
            )
            status, current, transfers = "new", None, 0
            for hours in (1, 5)[: 0 if roll < 0.4 else 1 if roll < 0.8 else 2]:
                at = utc_text(min(NOW, parse_utc(created) + timedelta(hours=hours * rng.random())))
                await tx.execute(
                    "INSERT INTO tip_events(tip_id, at, actor_kind, action, from_status,"
                    " to_status) VALUES (?, ?, 'officer', 'transferred', ?, 'transferred')",
                    (tip_id, at, status),
                )
                status, current, transfers = "transferred", rng.choice(units), transfers + 1
            if rng.random() < 0.3:
                await tx.execute(
                    "INSERT INTO tip_events(tip_id, at, actor_kind, action) VALUES"
                    " (?, ?, 'system', 'unroutable')",
                    (tip_id, created),
                )
            acked = rng.random() < 0.3  # taken up and left open: the verification list
            await tx.execute(
                "UPDATE tips SET status = ?, outcome = NULL, closed_at = NULL,"
                " acknowledged_at = CASE WHEN ? THEN acknowledged_at END,"
                " current_unit_id = COALESCE(?, unit_id), transfers = ? WHERE id = ?",
                ("in_progress" if acked else status, acked, current, transfers, tip_id),
            )
        # transfer events moved and deleted: the kept time follows
        moved = await tx.fetchall(
            "SELECT id, tip_id FROM tip_events WHERE action = 'transferred' ORDER BY id"
        )
        for event_id, _ in rng.sample(list(moved), min(40, len(moved))):
            if rng.random() < 0.5:
                await tx.execute("DELETE FROM tip_events WHERE id = ?", (event_id,))
            else:
                await tx.execute(
                    "UPDATE tip_events SET at = strftime('%Y-%m-%d %H:%M:%f', at, '-30 minutes')"
                    " WHERE id = ?",
                    (event_id,),
                )
    return db


def plain(path: Path, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(path)
    try:
        return [tuple(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


def lines(found: list[store.TipLine]) -> list[tuple[Any, ...]]:
    return [
        (
            t.id,
            t.code,
            t.category,
            int(t.urgent),
            t.status,
            t.unit_id,
            t.unit_name,
            int(t.remote),
            t.created_at,
            t.arrived_at,
            t.acknowledged_at,
        )
        for t in found
    ]


async def test_indexed_figures_equal_a_plain_recount(tmp_path: Path) -> None:
    path = tmp_path / "stirred.db"
    db = await stirred(path, seed=26)
    try:
        kept = plain(
            path,
            "SELECT t.id, t.last_transfer_at, (SELECT MAX(at) FROM tip_events e"
            " WHERE e.tip_id = t.id AND e.action = 'transferred') FROM tips t",
        )
        assert all(row[1] == row[2] for row in kept)
        assert sum(1 for row in kept if row[1]) > 100
        shortest = utc_text(NOW - timedelta(minutes=15))
        old = utc_text(NOW - timedelta(days=SETTINGS.verification_warn_day - 1))
        order = " ORDER BY t.created_at, t.id"
        awaiting = f"SELECT {LINE} FROM {FROM} WHERE t.status IN ('new', 'transferred')"
        opened = f"SELECT {LINE} FROM {FROM} WHERE t.status <> 'closed'"
        async with db.read() as tx:
            assert lines(await store.awaiting_ack(tx, shortest)) == plain(
                path, awaiting + " AND t.created_at <= ?" + order, (shortest,)
            )
            assert lines(await store.open_received_before(tx, old)) == plain(
                path, opened + " AND t.created_at <= ?" + order, (old,)
            )
            unrouted = plain(path, f"SELECT {LINE} FROM {FROM} WHERE {UNROUTED}" + order)
            assert lines(await store.unrouted(tx)) == unrouted
            assert unrouted
            units = sorted({row[5] for row in plain(path, opened + order)})
            for unit in units[:25]:
                assert lines(await web_figures.awaiting_ack(tx, shortest, unit)) == plain(
                    path,
                    awaiting + " AND t.created_at <= ? AND t.current_unit_id = ?" + order,
                    (shortest, unit),
                )
                assert lines(await web_figures.open_received_before(tx, old, unit)) == plain(
                    path,
                    opened + " AND t.created_at <= ? AND t.current_unit_id = ?" + order,
                    (old, unit),
                )
        for days in (1, 7, 30):
            period = span(days)
            bounds = (period.start_text, period.end_text)
            province = await compute(db, SETTINGS, period, NOW)
            urgent = plain(
                path,
                f"SELECT {LINE} FROM {FROM} WHERE t.urgent = 1 AND t.created_at >= ?"
                " AND t.created_at < ?" + order,
                bounds,
            )
            assert lines(province.urgent) == urgent
            waits = [
                r[0]
                for r in plain(
                    path,
                    f"SELECT {WAIT} FROM tips NOT INDEXED WHERE acknowledged_at >= ?"
                    " AND acknowledged_at < ?",
                    bounds,
                )
            ]
            assert province.ack_count == len(waits) > 0
            assert province.ack_median == timedelta(seconds=statistics.median(waits))
            assert province.ack_p90 == timedelta(seconds=percentile(waits, 0.9))
            for unit in units[:10]:
                mine = await compute(db, SETTINGS, period, NOW, unit)
                assert lines(mine.urgent) == [row for row in urgent if row[5] == unit]
                unit_waits = [
                    r[0]
                    for r in plain(
                        path,
                        f"SELECT {WAIT} FROM tips NOT INDEXED WHERE acknowledged_at >= ?"
                        " AND acknowledged_at < ? AND current_unit_id = ?",
                        (*bounds, unit),
                    )
                ]
                assert mine.ack_count == len(unit_waits)
                if unit_waits:
                    assert mine.ack_median == timedelta(seconds=statistics.median(unit_waits))
                closed = plain(
                    path,
                    "SELECT COALESCE(outcome, '?'), COUNT(*) FROM tips NOT INDEXED"
                    " WHERE status = 'closed' AND closed_at >= ? AND closed_at < ?"
                    " AND current_unit_id = ? GROUP BY 1 ORDER BY 1",
                    (*bounds, unit),
                )
                assert mine.closed_by_outcome == dict(closed)
        # the monthly path reads the waits per unit: the same waits
        async with db.read() as tx:
            period = span(30)
            per_unit = await store.ack_seconds_by_unit(tx, period.start_text, period.end_text)
            flat = sorted(w for waits in per_unit.values() for w in waits)
            assert flat == sorted(await store.ack_seconds(tx, period.start_text, period.end_text))
    finally:
        await db.close()


def full_scans(path: Path, statements: list[str]) -> list[tuple[str, str]]:
    """(statement, plan line) of every read of the whole tips or events table: a scan
    that is not of the open tips' own index."""
    conn = sqlite3.connect(path)
    found = []
    try:
        for sql in statements:
            for row in conn.execute("EXPLAIN QUERY PLAN " + sql):
                detail = str(row[3])
                words = detail.split()
                table = words[1] in ("tips", "t", "tip_events", "e")
                if words[0] == "SCAN" and table and "tips_open" not in detail:
                    found.append((sql, detail))
    finally:
        conn.close()
    return found


async def test_the_digests_queries_read_indexes_not_the_history(tmp_path: Path) -> None:
    path = tmp_path / "plans.db"
    db = await stirred(path, seed=13)
    statements: list[str] = []
    try:
        # the statements as SQLite runs them, with their values: traced on the file's own
        # connection while the overview's computes run
        raw: sqlite3.Connection = db._conn._conn  # type: ignore[attr-defined]
        raw.set_trace_callback(statements.append)
        unit = int(plain(path, "SELECT MIN(current_unit_id) FROM tips WHERE status = 'new'")[0][0])
        for scope in (None, unit):
            for days in (1, 7, 30):
                await compute(db, SETTINGS, span(days), NOW, scope, state=days == 30)
        raw.set_trace_callback(None)
    finally:
        await db.close()
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(reads) > 30
    assert full_scans(path, reads) == []
    # the lists of open tips come from the open tips' index alone, the waits from theirs
    conn = sqlite3.connect(path)
    try:

        def plan(sql: str) -> str:
            return " | ".join(str(r[3]) for r in conn.execute("EXPLAIN QUERY PLAN " + sql))

        lists = [s for s in reads if "INDEXED BY tips_open" in s]
        assert len(lists) == 2  # overdue acknowledgements, verification clocks
        for sql in lists:
            assert "COVERING INDEX tips_open" in plan(sql)
            assert "tip_events" not in plan(sql)
        waits = [s for s in reads if s.startswith("SELECT ack_wait")]
        assert waits
        for sql in waits:
            assert "tips_ack_waits" in plan(sql) or "tips_queue_acks" in plan(sql)
        for sql in reads:
            if "unroutable" in sql:
                assert "tip_events_unroutable" in plan(sql)
    finally:
        conn.close()
