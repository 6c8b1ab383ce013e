"""SQL of the web page's tip list: a page of tips in a stable order, with the total.

Never the reporter: the list reads no reporter column. The order (newest first, then the
id) is the ``tips_created`` index's, so a page costs its own rows, not the table; a
commune's tips ride ``tips_place`` (migration 0025), a unit's its queue index, and the
overdue filter the small partial index of open tips (``tips_open``)."""

from __future__ import annotations

from dataclasses import dataclass

from storage import digests
from storage.db import Tx
from storage.digests import AWAITING_ACK, OPEN_STATUSES

# When the tip reached the queue it is in now: its last transfer, or its receipt (the
# digest's and the deadline sweep's rule; storage/digests.py).
ARRIVED = (
    "COALESCE((SELECT MAX(e.at) FROM tip_events e"
    " WHERE e.tip_id = t.id AND +e.action = 'transferred'), t.created_at)"
)
_AWAIT_MARKS = ",".join("?" for _ in AWAITING_ACK)
_OPEN_MARKS = ",".join("?" for _ in OPEN_STATUSES)


@dataclass(frozen=True)
class ListedTip:
    code: str
    category: str
    urgent: bool
    status: str
    commune: str
    created_at: str


@dataclass(frozen=True)
class TipFilter:
    """What the list is narrowed to; None is "any". ``unit_id`` is the viewer's scope
    (the queue holding the tip), ``place_unit_id`` the commune of the place. The overdue
    cut-offs are UTC texts: tips waiting for acknowledgement that reached their queue
    before them (urgent, normal) are overdue."""

    unit_id: int | None = None
    place_unit_id: int | None = None
    status: str | None = None  # one state, 'open' (any but closed) or 'closed'
    category: str | None = None
    urgent: bool = False
    start: str | None = None
    end: str | None = None
    overdue_before: tuple[str, str] | None = None


def where(f: TipFilter) -> tuple[str, list[object]]:
    """The condition over ``tips t`` and its parameters."""
    parts: list[str] = []
    params: list[object] = []
    if f.unit_id is not None:
        parts.append("t.current_unit_id = ?")
        params.append(f.unit_id)
    if f.place_unit_id is not None:
        parts.append("t.unit_id = ?")
        params.append(f.place_unit_id)
    if f.status == "closed":
        parts.append("t.status = 'closed'")
    elif f.status == "open":
        parts.append(f"t.status <> 'closed' AND t.status IN ({_OPEN_MARKS})")
        params += OPEN_STATUSES
    elif f.status:
        # "<> 'closed'" lets the planner pick the small partial index of open tips
        parts.append("t.status <> 'closed' AND t.status = ?")
        params.append(f.status)
    if f.category:
        parts.append("t.category = ?")
        params.append(f.category)
    if f.urgent:
        parts.append("t.urgent = 1")
    if f.start:
        parts.append("t.created_at >= ?")
        params.append(f.start)
    if f.end:
        parts.append("t.created_at < ?")
        params.append(f.end)
    if f.overdue_before is not None:
        urgent_cut, normal_cut = f.overdue_before
        parts.append(
            f"t.status <> 'closed' AND t.status IN ({_AWAIT_MARKS})"
            f" AND {ARRIVED} < (CASE WHEN t.urgent = 1 THEN ? ELSE ? END)"
        )
        params += [*AWAITING_ACK, urgent_cut, normal_cut]
    return (" AND ".join(parts) or "1 = 1"), params


def page_sql(f: TipFilter) -> tuple[str, list[object]]:
    condition, params = where(f)
    return (
        "SELECT t.code, t.category, t.urgent, t.status, u.short_name, t.created_at"
        f" FROM tips t JOIN units u ON u.id = t.unit_id WHERE {condition}"
        " ORDER BY t.created_at DESC, t.id DESC LIMIT ? OFFSET ?",
        params,
    )


def count_sql(f: TipFilter) -> tuple[str, list[object]]:
    condition, params = where(f)
    return f"SELECT COUNT(*) FROM tips t WHERE {condition}", params


def counted_by_day(f: TipFilter) -> bool:
    """A filter of only the place, the category and whole local days: its count is a sum
    of the pre-aggregated daily counts (migration 0016). The category alone has no index
    of its own, and counting it from the tips would read them all."""
    return (
        f.category is not None
        and f.unit_id is None
        and f.status is None
        and not f.urgent
        and f.overdue_before is None
    )


async def oldest(tx: Tx) -> str | None:
    """When the first tip was received (the start of "all time")."""
    value = await tx.scalar("SELECT MIN(created_at) FROM tips")
    return str(value) if value is not None else None


async def count_received(tx: Tx, f: TipFilter, start: str, end: str) -> int:
    """The count of a :func:`counted_by_day` filter over ``[start, end)``: the daily
    counts of whole days and months, the tips themselves only on a ragged edge."""
    cells = await digests.received_cells(tx, f.start or start, f.end or end)
    return sum(
        n
        for (place, category), n in cells.items()
        if category == f.category and f.place_unit_id in (None, place)
    )


async def tip_page(
    tx: Tx, f: TipFilter, *, limit: int, offset: int, day_range: tuple[str, str] | None = None
) -> tuple[list[ListedTip], int]:
    """A page of the tips the filter lets through, and how many it lets through in all
    (from the daily counts over ``day_range``, when given and the filter allows)."""
    if day_range is not None and counted_by_day(f):
        total = await count_received(tx, f, *day_range)
    else:
        sql, params = count_sql(f)
        total = int(await tx.scalar(sql, params) or 0)
    sql, params = page_sql(f)
    rows = await tx.fetchall(sql, (*params, limit, offset))
    listed = [ListedTip(r[0], r[1], bool(r[2]), r[3], r[4], r[5]) for r in rows]
    return listed, total


async def count_by_place(tx: Tx, f: TipFilter) -> dict[int, int]:
    """{commune of the place (unit id): tips the filter lets through} (the map)."""
    condition, params = where(f)
    rows = await tx.fetchall(
        f"SELECT t.unit_id, COUNT(*) FROM tips t WHERE {condition} GROUP BY t.unit_id", params
    )
    return {int(r[0]): int(r[1]) for r in rows}


async def plan(tx: Tx, sql: str, params: list[object]) -> list[str]:
    """``EXPLAIN QUERY PLAN`` of a statement, its detail lines (for the index tests)."""
    rows = await tx.fetchall("EXPLAIN QUERY PLAN " + sql, params)
    return [str(r[3]) for r in rows]
