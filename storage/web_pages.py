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
    id: int  # for the next and previous pages' cursors only; never shown


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


#: The most tips the list counts one by one; past it the page says "more than 10,000"
#: (counting a million rows to print one figure would cost the page its 200 ms).
COUNT_CAP = 10_000


@dataclass(frozen=True)
class Cursor:
    """Where a page starts: after (older than) or before (newer than) the tip of this id,
    in the list's order. A tampered id only moves the window within the viewer's scope."""

    tip_id: int
    newer: bool = False  # True: the page before this tip ("previous")


def page_sql(
    f: TipFilter, at: tuple[str, int] | None = None, newer: bool = False
) -> tuple[str, list[object]]:
    """A page's ids first, by the filter's index alone (an OFFSET walks index entries,
    not rows), then those ids' rows; ``at`` (created_at, id) starts the page past that
    tip, toward older tips or, ``newer``, toward newer ones (keyset paging: a deep page
    costs what the page shows)."""
    condition, params = where(f)
    if at is not None:
        condition += " AND (t.created_at, t.id) " + (">" if newer else "<") + " (?, ?)"
        params = [*params, *at]
    order = "ASC" if newer else "DESC"
    return (
        "SELECT t.id, t.code, t.category, t.urgent, t.status, u.short_name, t.created_at"
        " FROM tips t JOIN units u ON u.id = t.unit_id WHERE t.id IN ("
        f"SELECT t.id FROM tips t WHERE {condition}"
        f" ORDER BY t.created_at {order}, t.id {order} LIMIT ? OFFSET ?)"
        " ORDER BY t.created_at DESC, t.id DESC",
        params,
    )


def count_sql(f: TipFilter, cap: int = COUNT_CAP) -> tuple[str, list[object]]:
    """How many tips the filter lets through, counting at most ``cap + 1``."""
    condition, params = where(f)
    return (
        f"SELECT COUNT(*) FROM (SELECT 1 FROM tips t WHERE {condition} LIMIT ?)",
        [*params, cap + 1],
    )


def counted_by_day(f: TipFilter) -> bool:
    """A filter of only the place, the category and whole local days (or none at all) in
    the province's scope: its exact count is a sum of the pre-aggregated daily counts
    (migration 0016), whatever the file's size."""
    return f.unit_id is None and f.status is None and not f.urgent and f.overdue_before is None


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
        if f.category in (None, category) and f.place_unit_id in (None, place)
    )


@dataclass(frozen=True)
class TipPage:
    tips: list[ListedTip]
    total: int  # exact, or COUNT_CAP + 1 for "more than COUNT_CAP"
    exact: bool
    more: bool  # there are tips past this page in the direction it was asked for


async def tip_page(
    tx: Tx,
    f: TipFilter,
    *,
    limit: int,
    offset: int = 0,
    cursor: Cursor | None = None,
    day_range: tuple[str, str] | None = None,
) -> TipPage:
    """A page of the tips the filter lets through (from ``offset``, or past ``cursor``),
    and how many it lets through in all: exact from the daily counts over ``day_range``
    when given and the filter allows, otherwise counted up to :data:`COUNT_CAP`."""
    if day_range is not None and counted_by_day(f):
        total, exact = await count_received(tx, f, *day_range), True
    else:
        sql, params = count_sql(f)
        total = int(await tx.scalar(sql, params) or 0)
        exact = total <= COUNT_CAP
    at = None
    if cursor is not None:
        row = await tx.fetchone("SELECT created_at, id FROM tips WHERE id = ?", (cursor.tip_id,))
        if row is not None:
            at = (str(row[0]), int(row[1]))
    newer = at is not None and cursor is not None and cursor.newer
    sql, params = page_sql(f, at, newer)
    rows = await tx.fetchall(sql, (*params, limit + 1, 0 if at else offset))
    listed = [ListedTip(r[1], r[2], bool(r[3]), r[4], r[5], r[6], int(r[0])) for r in rows]
    more = len(listed) > limit
    if more:  # the extra row is the one past the page's far end
        listed = listed[1:] if newer else listed[:limit]
    return TipPage(listed, total, exact, more)


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
