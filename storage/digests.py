"""SQL of the digests' and reports' figures: aggregates over tips and events, and the
lines of tips the digests list (the deadline sweep's SQL is storage/ladder.py, the
exports' storage/exports.py, the files a row carries storage/outbox_files.py).

Every period argument is a half-open UTC text range ``[start, end)`` so a tip received at
exactly midnight belongs to one day only. Queries are written to ride the indexes of
migrations 0001-0003 (``tips_created``, ``tips_open``, ``tips_acknowledged``,
``tips_closed``, ``tip_events_action``, ``tip_events_tip``): a daily digest over a million
tips must not scan them all while it holds the database lock. The database is never
ANALYZEd in production, so two habits keep SQLite's planner from bad guesses: queries on
open tips say ``status <> 'closed'`` (which selects the small partial index
``tips_open``), and lookups of one tip's events write ``+e.action`` (the unary plus keeps
the planner from scanning every event of that action instead of the tip's few events;
without it a digest over a million tips took 20 s instead of 5 ms). The lists of open
tips name ``tips_open`` outright (:data:`OPEN_LINES`): since migration 0026 it holds a
whole line, the time of the last transfer included, so a backlog of thousands of open
tips is read from that index alone, and the waits to acknowledgement are the indexed
``ack_wait`` column rather than worked out per tip each time. The wanted-notice
figures (migration 0004) read the small notice list by its ``status`` index.

Counts over a period read the pre-aggregated ``daily_counts`` of migration 0016 for the
whole local days inside it (a few rows a day, however many tips the file holds) and
count the tips themselves only on a ragged edge that is not a whole day (see
:func:`split_period`; digests and reports always ask for whole days). What must be read
per tip (the ack-time medians, the urgent list, the deadline share of a report, distinct
notices sighted) rides an index on the period's own rows, so its cost is the period's
volume, never the history's.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from storage.cards import UNROUTED
from storage.db import Tx, parse_utc, utc_text

OPEN_STATUSES = ("new", "transferred", "acknowledged", "in_progress", "needs_info")
AWAITING_ACK = ("new", "transferred")
OUTCOMES = ("resolved", "forwarded", "unfounded", "duplicate", "spam")

_OPEN_MARKS = ",".join("?" for _ in OPEN_STATUSES)
_AWAIT_MARKS = ",".join("?" for _ in AWAITING_ACK)

# When the tip reached the queue it is in now: its last transfer, or its receipt.
# Its last transfer is kept on the row (migration 0026), so a list of open tips reads the
# ``tips_open`` index alone, not each tip's events.
ARRIVED = "COALESCE(t.last_transfer_at, t.created_at)"


@dataclass(frozen=True)
class TipLine:
    """One tip as the digests, the deadline sweep and the unit lists show it."""

    id: int
    code: str
    category: str
    urgent: bool
    status: str
    unit_id: int  # whose queue holds it now
    unit_name: str
    remote: bool
    created_at: str
    arrived_at: str  # receipt, or the last transfer into the current unit
    acknowledged_at: str | None


LINE_COLUMNS = (
    "t.id, t.code, t.category, t.urgent, t.status, t.current_unit_id, u.short_name, u.remote,"
    f" t.created_at, {ARRIVED}, t.acknowledged_at"
)


# The open tips' lines, read from the ``tips_open`` index alone (migration 0026 made it
# hold every column of a line). Named, because without statistics the planner prefers
# ``tips_status`` for ``status IN (...)`` and then reads each tip's row: a backlog of
# 5,000 tips cost 600 ms that way, against a few ms from the index.
OPEN_LINES = "tips t INDEXED BY tips_open JOIN units u ON u.id = t.current_unit_id"


def line(row: Any) -> TipLine:
    v = list(row)
    return TipLine(v[0], v[1], v[2], bool(v[3]), v[4], v[5], v[6], bool(v[7]), v[8], v[9], v[10])


# ---------------------------------------------------------------- daily counts

#: The longest acknowledgement deadline (minutes) the counts answer "within" for: they
#: keep waits minute by minute up to a week (longer ones together). Settings beyond that
#: are counted per tip.
ACK_MINUTES_KEPT = 10080


@dataclass(frozen=True)
class Split:
    """A period as the counts read it: whole local days from ``daily_counts``
    (``[first, last)`` as 'YYYY-MM-DD', or None), and the UTC ranges left over, which
    are counted from the tips themselves (at most one part-day at each end)."""

    days: tuple[str, str] | None
    edges: list[tuple[str, str]]

    def months(self) -> tuple[tuple[str, str] | None, list[tuple[str, str]]]:
        """The whole local months within the days (``[first, last)`` as 'YYYY-MM', or
        None) and the day ranges left at either end, for the measures kept per month."""
        if self.days is None:
            return None, []
        first, last = date.fromisoformat(self.days[0]), date.fromisoformat(self.days[1])
        month_start = first if first.day == 1 else (first.replace(day=28) + timedelta(4))
        month_start = month_start.replace(day=1)
        month_end = last.replace(day=1)
        if month_start >= month_end:
            return None, [self.days]
        rest = []
        if first < month_start:
            rest.append((self.days[0], month_start.isoformat()))
        if month_end < last:
            rest.append((month_end.isoformat(), self.days[1]))
        return (month_start.isoformat()[:7], month_end.isoformat()[:7]), rest


def split_period(start: str, end: str, zone_minutes: int | None) -> Split:
    """Cut ``[start, end)`` (UTC texts) into the whole days of the zone the counts are
    kept in and the ragged edges. A period given in another form, or counts kept in no
    zone, is all edge: counted from the tips, as before the counts existed."""
    whole = Split(None, [(start, end)])
    if zone_minutes is None:
        return whole
    try:
        first_moment, end_moment = parse_utc(start), parse_utc(end)
    except ValueError:
        return whole
    shift = timedelta(minutes=zone_minutes)
    local_start, local_end = first_moment + shift, end_moment + shift
    first = local_start.date()
    if local_start.time() != time(0):
        first += timedelta(days=1)
    last = local_end.date()
    if first >= last:
        return whole

    def midnight(day: date) -> str:
        return utc_text(datetime.combine(day, time(0), tzinfo=UTC) - shift)

    edges = []
    if start < midnight(first):
        edges.append((start, midnight(first)))
    if midnight(last) < end:
        edges.append((midnight(last), end))
    return Split((first.isoformat(), last.isoformat()), edges)


async def count_zone(tx: Tx) -> int | None:
    """The UTC offset (minutes) whose local days ``daily_counts`` are kept in."""
    value = await tx.scalar("SELECT minutes FROM daily_counts_zone WHERE id = 1")
    return int(value) if value is not None else None


async def _split(tx: Tx, start: str, end: str) -> Split:
    return split_period(start, end, await count_zone(tx))


async def daily_counts(tx: Tx) -> dict[tuple[str, str, int, str, str], int]:
    """Every non-zero count: {(measure, day, unit id, category, detail): n}. For checks
    and tests; the figures read their own slices."""
    rows = await tx.fetchall(
        "SELECT measure, day, unit_id, category, detail, n FROM daily_counts WHERE n <> 0"
    )
    return {(r[0], r[1], int(r[2]), r[3], str(r[4])): int(r[5]) for r in rows}


# ---------------------------------------------------------------- flow in a period


async def received_cells(tx: Tx, start: str, end: str) -> dict[tuple[int, str], int]:
    """{(place unit id, category): tips received in the period}: whole months and days
    from the counts (a year is about 12 x 800 rows), the edges from the tips."""
    split = await _split(tx, start, end)
    months, days = split.months()
    found: Counter[tuple[int, str]] = Counter()
    ranges = [("received_month", months)] if months else []
    ranges += [("received", d) for d in days]
    for measure, (first, last) in ranges:
        for unit_id, category, n in await tx.fetchall(
            "SELECT unit_id, category, SUM(n) FROM daily_counts WHERE measure = ?"
            " AND day >= ? AND day < ? GROUP BY unit_id, category",
            (measure, first, last),
        ):
            found[(int(unit_id), category)] += int(n)
    for edge in split.edges:
        for unit_id, category, n in await tx.fetchall(
            "SELECT unit_id, category, COUNT(*) FROM tips WHERE created_at >= ?"
            " AND created_at < ? GROUP BY unit_id, category",
            edge,
        ):
            found[(int(unit_id), category)] += int(n)
    return {key: n for key, n in sorted(found.items()) if n}


async def unit_names(tx: Tx) -> dict[int, str]:
    """{unit id: short name} of every unit (a province's few hundred rows)."""
    return {int(r[0]): str(r[1]) for r in await tx.fetchall("SELECT id, short_name FROM units")}


Cells = dict[tuple[int, str], int]


def by_category(cells: Cells) -> dict[str, int]:
    """The province's tips received by category, from :func:`received_cells`."""
    found: Counter[str] = Counter()
    for (_, category), n in cells.items():
        found[category] += n
    return {category: n for category, n in sorted(found.items()) if n}


def by_unit(cells: Cells, names: dict[int, str]) -> list[tuple[str, int]]:
    """Tips received, by the commune of the place (not whoever holds them now), most
    first, from :func:`received_cells`."""
    found: Counter[int] = Counter()
    for (unit_id, _), n in cells.items():
        if unit_id in names:
            found[unit_id] += n
    return sorted(((names[u], n) for u, n in found.items()), key=lambda p: (-p[1], p[0]))


async def new_by_category(tx: Tx, start: str, end: str) -> dict[str, int]:
    return by_category(await received_cells(tx, start, end))


async def new_by_unit(tx: Tx, start: str, end: str) -> list[tuple[str, int]]:
    return by_unit(await received_cells(tx, start, end), await unit_names(tx))


async def new_urgent(tx: Tx, start: str, end: str) -> list[TipLine]:
    rows = await tx.fetchall(
        f"SELECT {LINE_COLUMNS} FROM tips t JOIN units u ON u.id = t.current_unit_id"
        " WHERE t.created_at >= ? AND t.created_at < ? AND t.urgent = 1"
        " ORDER BY t.created_at, t.id",
        (start, end),
    )
    return [line(row) for row in rows]


async def ack_seconds(tx: Tx, start: str, end: str) -> list[float]:
    """Receipt-to-first-acknowledgement times of the tips acknowledged in the period."""
    rows = await tx.fetchall(
        "SELECT ack_wait FROM tips WHERE acknowledged_at >= ? AND acknowledged_at < ?",
        (start, end),
    )
    return [float(row[0]) for row in rows]


async def ack_seconds_by_unit(tx: Tx, start: str, end: str) -> dict[str, list[float]]:
    """The same, per unit that holds the tip now (the one that acknowledged it, usually)."""
    rows = await tx.fetchall(
        "SELECT u.short_name, t.ack_wait FROM tips t JOIN units u ON u.id = t.current_unit_id"
        " WHERE t.acknowledged_at >= ? AND t.acknowledged_at < ?",
        (start, end),
    )
    found: dict[str, list[float]] = {}
    for name, seconds in rows:
        found.setdefault(name, []).append(float(seconds))
    return found


async def transfers(tx: Tx, start: str, end: str) -> int:
    split = await _split(tx, start, end)
    total = 0
    if split.days:
        total += int(
            await tx.scalar(
                "SELECT COALESCE(SUM(n), 0) FROM daily_counts WHERE measure = 'transferred'"
                " AND day >= ? AND day < ?",
                split.days,
            )
            or 0
        )
    for edge in split.edges:
        total += int(
            await tx.scalar(
                "SELECT COUNT(*) FROM tip_events WHERE action = 'transferred'"
                " AND at >= ? AND at < ?",
                edge,
            )
            or 0
        )
    return total


async def closed_by_outcome(tx: Tx, start: str, end: str) -> dict[str, int]:
    split = await _split(tx, start, end)
    found: Counter[str] = Counter()
    if split.days:
        for outcome, n in await tx.fetchall(
            "SELECT detail, SUM(n) FROM daily_counts WHERE measure = 'closed'"
            " AND day >= ? AND day < ? GROUP BY detail",
            split.days,
        ):
            found[outcome] += int(n)
    for edge in split.edges:
        for outcome, n in await tx.fetchall(
            "SELECT COALESCE(outcome, '?'), COUNT(*) FROM tips"
            " WHERE closed_at >= ? AND closed_at < ? AND +status = 'closed' GROUP BY outcome",
            edge,
        ):
            found[outcome] += int(n)
    return {outcome: n for outcome, n in sorted(found.items()) if n}


async def daily_by_category(
    tx: Tx, start: str, end: str, utc_offset_minutes: int
) -> dict[tuple[str, str], int]:
    """{(local date 'YYYY-MM-DD', category): count}. The offset is the province's; Vietnam
    has no daylight saving, so one offset is exact for a whole period. Read from the
    daily counts when they are kept at that offset."""
    zone = await count_zone(tx)
    split = split_period(start, end, zone if zone == utc_offset_minutes else None)
    found: Counter[tuple[str, str]] = Counter()
    if split.days:
        for day, category, n in await tx.fetchall(
            "SELECT day, category, SUM(n) FROM daily_counts WHERE measure = 'received'"
            " AND day >= ? AND day < ? GROUP BY day, category",
            split.days,
        ):
            found[(day, category)] += int(n)
    for edge in split.edges:
        for day, category, n in await tx.fetchall(
            "SELECT date(created_at, ?), category, COUNT(*) FROM tips"
            " WHERE created_at >= ? AND created_at < ? GROUP BY 1, 2",
            (f"{utc_offset_minutes:+d} minutes", *edge),
        ):
            found[(day, category)] += int(n)
    return {key: n for key, n in sorted(found.items()) if n}


# ---------------------------------------------------------------- state now


async def open_by_status(tx: Tx) -> dict[str, int]:
    rows = await tx.fetchall(
        "SELECT status, COUNT(*) FROM tips"
        f" WHERE status <> 'closed' AND status IN ({_OPEN_MARKS}) GROUP BY status",
        OPEN_STATUSES,
    )
    return {row[0]: int(row[1]) for row in rows}


async def awaiting_ack(tx: Tx, created_before: str) -> list[TipLine]:
    """Unacknowledged tips (new, or transferred and not yet taken up by the new unit)
    received before the given time, oldest first."""
    rows = await tx.fetchall(
        f"SELECT {LINE_COLUMNS} FROM {OPEN_LINES}"
        f" WHERE t.status <> 'closed' AND t.status IN ({_AWAIT_MARKS}) AND t.created_at <= ?"
        " ORDER BY t.created_at, t.id",
        (*AWAITING_ACK, created_before),
    )
    return [line(row) for row in rows]


async def open_received_before(tx: Tx, before: str) -> list[TipLine]:
    """Open tips received before a time, oldest first: the verification-clock watch list."""
    rows = await tx.fetchall(
        f"SELECT {LINE_COLUMNS} FROM {OPEN_LINES}"
        f" WHERE t.status <> 'closed' AND t.status IN ({_OPEN_MARKS}) AND t.created_at <= ?"
        " ORDER BY t.created_at, t.id",
        (*OPEN_STATUSES, before),
    )
    return [line(row) for row in rows]


async def open_tips(tx: Tx, unit_id: int | None = None) -> list[TipLine]:
    """Open tips, oldest first; of one queue when ``unit_id`` is given."""
    where = f"t.status <> 'closed' AND t.status IN ({_OPEN_MARKS})"
    params: tuple[Any, ...] = OPEN_STATUSES
    if unit_id is not None:
        where += " AND t.current_unit_id = ?"
        params = (*params, unit_id)
    rows = await tx.fetchall(
        f"SELECT {LINE_COLUMNS} FROM tips t JOIN units u ON u.id = t.current_unit_id"
        f" WHERE {where} ORDER BY t.created_at, t.id",
        params,
    )
    return [line(row) for row in rows]


async def unrouted(tx: Tx) -> list[TipLine]:
    """Open tips no police chat received (see ``storage.cards.UNROUTED``), oldest first.
    The ``+`` keeps the planner on the small ``tips_open`` index: ordering by a plain
    ``t.created_at`` made it walk ``tips_created``, every tip ever received, to skip a
    sort of a handful of rows."""
    rows = await tx.fetchall(
        f"SELECT {LINE_COLUMNS} FROM tips t JOIN units u ON u.id = t.current_unit_id"
        f" WHERE {UNROUTED} ORDER BY +t.created_at, t.id"
    )
    return [line(row) for row in rows]


async def units_without_queue(tx: Tx) -> list[str]:
    rows = await tx.fetchall(
        "SELECT u.short_name FROM units u WHERE u.kind = 'commune' AND u.active = 1"
        " AND NOT EXISTS (SELECT 1 FROM chat_bindings b WHERE b.unit_id = u.id"
        "  AND b.purpose = 'queue' AND b.active = 1)"
        " ORDER BY u.short_name"
    )
    return [row[0] for row in rows]


async def failed_deliveries(tx: Tx, start: str, end: str) -> list[tuple[str, int]]:
    """Messages that failed for good in the period, by the unit whose chat refused them
    (the chat id when no binding names it; citizens' chats counted as one line)."""
    rows = await tx.fetchall(
        "SELECT CASE WHEN o.chat_id IS NULL THEN '@reporters'"
        "  ELSE COALESCE((SELECT u.short_name FROM chat_bindings b JOIN units u"
        "   ON u.id = b.unit_id WHERE b.chat_id = o.chat_id ORDER BY b.active DESC, b.id DESC"
        "   LIMIT 1), CAST(o.chat_id AS TEXT)) END AS who, COUNT(*) AS n"
        " FROM outbox o WHERE o.status = 'failed' AND o.created_at >= ? AND o.created_at < ?"
        " GROUP BY who ORDER BY n DESC, who",
        (start, end),
    )
    return [(row[0], int(row[1])) for row in rows]


async def province(tx: Tx) -> tuple[int, str] | None:
    """(id, name) of the province unit: the owner of the duty and supervisors' chats."""
    row = await tx.fetchone(
        "SELECT id, name FROM units WHERE kind = 'province' AND active = 1 ORDER BY id LIMIT 1"
    )
    return (int(row[0]), str(row[1])) if row else None


async def queue_units(tx: Tx) -> list[tuple[int, str, int]]:
    """(unit id, short name, chat id) of every active queue binding."""
    rows = await tx.fetchall(
        "SELECT u.id, u.short_name, b.chat_id FROM chat_bindings b JOIN units u"
        " ON u.id = b.unit_id WHERE b.purpose = 'queue' AND b.active = 1 AND u.active = 1"
        " ORDER BY u.short_name"
    )
    return [(int(r[0]), str(r[1]), int(r[2])) for r in rows]


# ---------------------------------------------------------------- wanted persons

# A tip counts as a sighting when it names a notice (the "I have seen this person" button
# on a wanted notice) or when its category is 'wanted' (the plain tip dialogue, where the
# citizen picked "wanted person seen" without a notice to point at). Both are kept so
# that the figures do not depend on which door the citizen came through; a tip whose
# category an officer later changed still counts when it names a notice.
_SIGHTING = "(t.wanted_notice_id IS NOT NULL OR t.category = 'wanted')"


@dataclass(frozen=True)
class WantedFigures:
    """Wanted-person figures in the movement's terms ("33 wanted people were arrested
    or persuaded to surrender, 18 of them dangerous").

    Sightings are tips received in the period that name a wanted notice
    (``wanted_notice_id`` set) or have the category 'wanted' (the plain dialogue, no
    notice named); ``notices_sighted`` counts only the distinct notices named, so it
    can be less than the people the plain-dialogue tips were about. Withdrawals are
    notices whose ``withdrawn_at`` falls in the period, whenever they were issued: the
    annual report counts arrests made in the year, not the fate of the year's notices.
    ``active`` and ``active_dangerous`` are the list as it stands now.
    """

    sightings: int
    notices_sighted: int
    arrested: int
    surrendered: int
    cancelled: int
    caught_dangerous: int  # arrested or surrendered, and marked dangerous
    active: int
    active_dangerous: int

    @property
    def caught(self) -> int:
        """Arrested or surrendered: the movement's single figure (cancelled is not one)."""
        return self.arrested + self.surrendered

    @property
    def empty(self) -> bool:
        """Nothing to say at all: a daily digest then leaves the line out."""
        # the other counts are parts of these (a dangerous arrest is an arrest)
        return not (
            self.sightings or self.arrested or self.surrendered or self.cancelled or self.active
        )


async def wanted_figures(tx: Tx, start: str, end: str) -> WantedFigures:
    """Sightings and withdrawals in ``[start, end)``, and the active notices now.

    The sightings are daily counts like the other period figures; the notice list is
    small (hundreds of rows), and its ``wanted_notices_active`` index starts with
    ``status``, so both notice reads stay cheap without an index on ``withdrawn_at``.
    """
    split = await _split(tx, start, end)
    sightings = 0
    if split.days:
        sightings += int(
            await tx.scalar(
                "SELECT COALESCE(SUM(n), 0) FROM daily_counts WHERE measure = 'sighting'"
                " AND day >= ? AND day < ?",
                split.days,
            )
            or 0
        )
    for edge in split.edges:
        sightings += int(
            await tx.scalar(
                f"SELECT COUNT(*) FROM tips t WHERE t.created_at >= ? AND t.created_at < ?"
                f" AND {_SIGHTING}",
                edge,
            )
            or 0
        )
    # distinct notices cannot be added up day by day: read per tip, from the small
    # partial index of the tips that name a notice (``tips_notice_sightings``)
    notices = await tx.scalar(
        "SELECT COUNT(DISTINCT wanted_notice_id) FROM tips"
        " WHERE created_at >= ? AND created_at < ? AND wanted_notice_id IS NOT NULL",
        (start, end),
    )
    withdrawn: dict[str, tuple[int, int]] = {}
    for reason, n, dangerous in await tx.fetchall(
        "SELECT withdrawn_reason, COUNT(*), COALESCE(SUM(dangerous), 0) FROM wanted_notices"
        " WHERE status = 'withdrawn' AND withdrawn_at >= ? AND withdrawn_at < ?"
        " GROUP BY withdrawn_reason",
        (start, end),
    ):
        withdrawn[str(reason)] = (int(n), int(dangerous))
    active = await tx.fetchone(
        "SELECT COUNT(*), COALESCE(SUM(dangerous), 0) FROM wanted_notices WHERE status = 'active'"
    )
    assert active is not None
    arrested = withdrawn.get("arrested", (0, 0))
    surrendered = withdrawn.get("surrendered", (0, 0))
    return WantedFigures(
        sightings=sightings,
        notices_sighted=int(notices or 0),
        arrested=arrested[0],
        surrendered=surrendered[0],
        cancelled=withdrawn.get("cancelled", (0, 0))[0],
        caught_dangerous=arrested[1] + surrendered[1],
        active=int(active[0]),
        active_dangerous=int(active[1]),
    )


# ---------------------------------------------------------------- cohort (reports)


@dataclass(frozen=True)
class Cohort:
    """What became of the tips received in a period (counted now)."""

    received: int
    urgent: int
    wanted: int  # sightings, as :class:`WantedFigures` counts them
    wanted_acted: int  # sightings resolved or forwarded
    ack_measured: int  # acknowledged, or unacknowledged past their deadline
    ack_within: int
    open: int
    transferred: int  # tips moved to another unit at least once
    by_outcome: dict[str, int]


async def cohort(
    tx: Tx, start: str, end: str, now: str, ack_minutes_urgent: int, ack_minutes_normal: int
) -> Cohort:
    split = await _split(tx, start, end)
    limits = {"acked_urgent": int(ack_minutes_urgent), "acked_normal": int(ack_minutes_normal)}
    kept = max(limits.values()) <= ACK_MINUTES_KEPT  # else "within" is counted per tip
    counts: Counter[str] = Counter()
    outcomes: Counter[str] = Counter()
    if split.days:
        for measure, detail, n in await tx.fetchall(
            "SELECT measure, detail, SUM(n) FROM daily_counts"
            " WHERE measure IN ('urgent', 'sighting', 'sighting_acted', 'open', 'moved', 'outcome')"
            " AND day >= ? AND day < ? GROUP BY measure, detail",
            split.days,
        ):
            if measure == "outcome":
                outcomes[detail] += int(n)
            else:
                counts[measure] += int(n)
    if split.days and kept:
        # waits are kept per whole minute rounded up: within N minutes is up to row N
        acked = await tx.fetchone(
            "SELECT COALESCE(SUM(n), 0), COALESCE(SUM(CASE WHEN detail <> '?'"
            " AND CAST(detail AS INTEGER) <= (CASE measure WHEN 'acked_urgent' THEN :urgent"
            " ELSE :normal END) THEN n ELSE 0 END), 0) FROM daily_counts"
            " WHERE measure IN ('acked_urgent', 'acked_normal') AND day >= :first AND day < :last",
            {
                "urgent": limits["acked_urgent"],
                "normal": limits["acked_normal"],
                "first": split.days[0],
                "last": split.days[1],
            },
        )
        assert acked is not None
        counts["acked"] += int(acked[0])
        counts["within"] += int(acked[1])
    limit = (
        f"(CASE WHEN urgent = 1 THEN {limits['acked_urgent']} ELSE {limits['acked_normal']} END)"
    )
    # rounded to the millisecond: julianday arithmetic is floating point, and an
    # acknowledgement at exactly the deadline must count as within it (the same
    # expression as migration 0016's minute buckets)
    minutes_to_ack = "ROUND((julianday(acknowledged_at) - julianday(created_at)) * 1440.0, 5)"
    minutes_waiting = "ROUND((julianday(:now) - julianday(created_at)) * 1440.0, 5)"
    for first, last in split.edges if kept else [(start, end)]:
        row = await tx.fetchone(
            "SELECT COALESCE(SUM(acknowledged_at IS NOT NULL), 0),"
            f" COALESCE(SUM(CASE WHEN acknowledged_at IS NULL THEN 0"
            f"  ELSE {minutes_to_ack} <= {limit} END), 0)"
            " FROM tips WHERE created_at >= :first AND created_at < :last",
            {"first": first, "last": last},
        )
        assert row is not None
        counts["acked"] += int(row[0])
        counts["within"] += int(row[1])
    for edge in split.edges:
        row = await tx.fetchone(
            "SELECT COALESCE(SUM(urgent), 0),"
            f" COALESCE(SUM({_SIGHTING}), 0),"
            f" COALESCE(SUM({_SIGHTING} AND outcome IN ('resolved', 'forwarded')), 0),"
            " COALESCE(SUM(status <> 'closed'), 0), COALESCE(SUM(transfers > 0), 0)"
            " FROM tips t WHERE created_at >= ? AND created_at < ?",
            edge,
        )
        assert row is not None
        for measure, n in zip(
            ("urgent", "sighting", "sighting_acted", "open", "moved"), row, strict=True
        ):
            counts[measure] += int(n)
        for outcome, n in await tx.fetchall(
            "SELECT COALESCE(outcome, '?'), COUNT(*) FROM tips WHERE created_at >= ?"
            " AND created_at < ? AND +status = 'closed' GROUP BY outcome",
            edge,
        ):
            outcomes[outcome] += int(n)
    # The tips still unacknowledged count once their deadline has passed by now: per tip,
    # the few of the period that ``tips_ack_times`` holds under a NULL acknowledgement.
    late = await tx.scalar(
        f"SELECT COUNT(*) FROM tips WHERE created_at >= :start AND created_at < :end"
        f" AND acknowledged_at IS NULL AND {minutes_waiting} > {limit}",
        {"now": now, "start": start, "end": end},
    )
    by_outcome = {outcome: n for outcome, n in sorted(outcomes.items()) if n}
    return Cohort(
        # every tip is closed (counted by outcome) or not (open): together, all received
        received=counts["open"] + sum(by_outcome.values()),
        urgent=counts["urgent"],
        wanted=counts["sighting"],
        wanted_acted=counts["sighting_acted"],
        ack_measured=counts["acked"] + int(late or 0),
        ack_within=counts["within"],
        open=counts["open"],
        transferred=counts["moved"],
        by_outcome=by_outcome,
    )


async def received_by_unit_category(tx: Tx, start: str, end: str) -> dict[str, dict[str, int]]:
    """{commune of the place: {category: count}} of the tips received in a period."""
    names = await unit_names(tx)
    found: dict[str, dict[str, int]] = {}
    for (unit_id, category), n in (await received_cells(tx, start, end)).items():
        if unit_id in names:
            found.setdefault(names[unit_id], {})[category] = n
    return found


# ---------------------------------------------------------------- digest log


async def log_digest(
    tx: Tx, *, kind: str, period_key: str, recipient: str, at: str, chat_id: int | None
) -> bool:
    """Claim (kind, period, recipient). False when it was claimed before: send nothing."""
    await tx.execute(
        "INSERT OR IGNORE INTO digest_log(kind, period_key, recipient, chat_id, enqueued_at)"
        " VALUES (?,?,?,?,?)",
        (kind, period_key, recipient, chat_id, at),
    )
    return int(await tx.scalar("SELECT changes()") or 0) == 1


async def set_digest_outbox(
    tx: Tx, *, kind: str, period_key: str, recipient: str, outbox_id: int
) -> None:
    await tx.execute(
        "UPDATE digest_log SET outbox_id = ? WHERE kind = ? AND period_key = ? AND recipient = ?",
        (outbox_id, kind, period_key, recipient),
    )


async def logged_recipients(tx: Tx, kind: str, period_key: str) -> set[str]:
    rows = await tx.fetchall(
        "SELECT recipient FROM digest_log WHERE kind = ? AND period_key = ?", (kind, period_key)
    )
    return {str(row[0]) for row in rows}
