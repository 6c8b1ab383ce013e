"""SQL of the digest's figures for one unit (the web page's overview for a unit's
officers): the same measures as storage/digests.py, narrowed to the tips the unit's queue
holds (``current_unit_id``) or, for tips received, the commune of the place (``unit_id``,
as the digest counts them by commune). Each rides the index its province-wide twin does,
with the unit as an extra condition: the period's own rows, never the history's."""

from __future__ import annotations

from storage.db import Tx
from storage.digests import AWAITING_ACK, LINE_COLUMNS, OPEN_STATUSES, TipLine, line

_OPEN_MARKS = ",".join("?" for _ in OPEN_STATUSES)
_AWAIT_MARKS = ",".join("?" for _ in AWAITING_ACK)
_SIGHTING = "(t.wanted_notice_id IS NOT NULL OR t.category = 'wanted')"


async def open_by_status(tx: Tx, unit_id: int) -> dict[str, int]:
    rows = await tx.fetchall(
        "SELECT status, COUNT(*) FROM tips WHERE current_unit_id = ?"
        f" AND status <> 'closed' AND status IN ({_OPEN_MARKS}) GROUP BY status",
        (unit_id, *OPEN_STATUSES),
    )
    return {row[0]: int(row[1]) for row in rows}


async def ack_seconds(tx: Tx, start: str, end: str, unit_id: int) -> list[float]:
    """Receipt-to-acknowledgement times of the unit's tips acknowledged in the period."""
    rows = await tx.fetchall(
        "SELECT ack_wait FROM tips"
        " WHERE current_unit_id = ? AND acknowledged_at >= ? AND acknowledged_at < ?",
        (unit_id, start, end),
    )
    return [float(row[0]) for row in rows]


async def new_urgent(tx: Tx, start: str, end: str, unit_id: int) -> list[TipLine]:
    """Urgent tips received in the period that the unit's queue holds now (its share of
    storage/digests.py ``new_urgent``, on the unit's own urgent rows)."""
    rows = await tx.fetchall(
        f"SELECT {LINE_COLUMNS} FROM tips t JOIN units u ON u.id = t.current_unit_id"
        " WHERE t.current_unit_id = ? AND t.urgent = 1 AND t.created_at >= ?"
        " AND t.created_at < ? ORDER BY t.created_at, t.id",
        (unit_id, start, end),
    )
    return [line(row) for row in rows]


async def transfers(tx: Tx, start: str, end: str, unit_id: int) -> int:
    """Transfers in the period of tips the unit holds now or whose place is the unit's
    commune (moved in, or moved out of it)."""
    value = await tx.scalar(
        "SELECT COUNT(*) FROM tip_events e JOIN tips t ON t.id = e.tip_id"
        " WHERE e.action = 'transferred' AND e.at >= ? AND e.at < ?"
        " AND (t.current_unit_id = ? OR t.unit_id = ?)",
        (start, end, unit_id, unit_id),
    )
    return int(value or 0)


async def closed_by_outcome(tx: Tx, start: str, end: str, unit_id: int) -> dict[str, int]:
    rows = await tx.fetchall(
        "SELECT COALESCE(outcome, '?'), COUNT(*) FROM tips WHERE closed_at >= ?"
        " AND closed_at < ? AND +status = 'closed' AND current_unit_id = ? GROUP BY outcome",
        (start, end, unit_id),
    )
    return {
        str(outcome): int(n) for outcome, n in sorted((str(r[0]), int(r[1])) for r in rows) if n
    }


async def sightings(tx: Tx, start: str, end: str, unit_id: int) -> tuple[int, int]:
    """(sightings, distinct notices named) received in the period in the unit's commune."""
    row = await tx.fetchone(
        f"SELECT COALESCE(SUM({_SIGHTING}), 0), COUNT(DISTINCT t.wanted_notice_id)"
        " FROM tips t WHERE t.created_at >= ? AND t.created_at < ? AND t.unit_id = ?",
        (start, end, unit_id),
    )
    return (int(row[0]), int(row[1])) if row else (0, 0)


async def daily_new(
    tx: Tx, start: str, end: str, utc_offset_minutes: int, unit_id: int
) -> dict[str, int]:
    """{local date: tips received} in the unit's commune (the overview's daily chart; the
    province's comes from the daily counts, storage/digests.py ``daily_by_category``)."""
    rows = await tx.fetchall(
        "SELECT date(created_at, ?), COUNT(*) FROM tips"
        " WHERE unit_id = ? AND created_at >= ? AND created_at < ? GROUP BY 1",
        (f"{utc_offset_minutes:+d} minutes", unit_id, start, end),
    )
    return {str(r[0]): int(r[1]) for r in rows}


async def awaiting_ack(tx: Tx, created_before: str, unit_id: int) -> list[TipLine]:
    """The unit's unacknowledged tips received before the given time, oldest first (its
    queue's share of storage/digests.py ``awaiting_ack``, on the queue's index)."""
    rows = await tx.fetchall(
        f"SELECT {LINE_COLUMNS} FROM tips t JOIN units u ON u.id = t.current_unit_id"
        f" WHERE t.current_unit_id = ? AND t.status IN ({_AWAIT_MARKS}) AND t.created_at <= ?"
        " ORDER BY t.created_at, t.id",
        (unit_id, *AWAITING_ACK, created_before),
    )
    return [line(row) for row in rows]


async def open_received_before(tx: Tx, before: str, unit_id: int) -> list[TipLine]:
    """The unit's open tips received before a time, oldest first (verification clocks)."""
    rows = await tx.fetchall(
        f"SELECT {LINE_COLUMNS} FROM tips t JOIN units u ON u.id = t.current_unit_id"
        f" WHERE t.current_unit_id = ? AND t.status IN ({_OPEN_MARKS}) AND t.created_at <= ?"
        " ORDER BY t.created_at, t.id",
        (unit_id, *OPEN_STATUSES, before),
    )
    return [line(row) for row in rows]


async def figures_stamp(tx: Tx) -> tuple[object, ...]:
    """What changes whenever a figure of the digest may: a new tip, a new event on any
    tip (every change of a tip's state writes one, in the same transaction), a wanted
    notice issued, withdrawn or marked dangerous. Three index lookups and a small table:
    cheap enough to ask before every view of the overview."""
    row = await tx.fetchone(
        "SELECT (SELECT MAX(id) FROM tips), (SELECT MAX(id) FROM tip_events),"
        " (SELECT COUNT(*) FROM wanted_notices),"
        " (SELECT COALESCE(SUM(status = 'active'), 0) FROM wanted_notices),"
        " (SELECT COALESCE(SUM(dangerous), 0) FROM wanted_notices)"
    )
    return tuple(row) if row is not None else ()
