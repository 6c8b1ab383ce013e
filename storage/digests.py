"""SQL for digests, deadline sweeps, reports and exports: aggregates over tips and events.

Every period argument is a half-open UTC text range ``[start, end)`` so a tip received at
exactly midnight belongs to one day only. Queries are written to ride the indexes of
migrations 0001-0003 (``tips_created``, ``tips_open``, ``tips_acknowledged``,
``tips_closed``, ``tip_events_action``, ``tip_events_tip``): a daily digest over a million
tips must not scan them all while it holds the database lock. The database is never
ANALYZEd in production, so two habits keep SQLite's planner from bad guesses: queries on
open tips say ``status <> 'closed'`` (which selects the small partial index
``tips_open``), and lookups of one tip's events write ``+e.action`` (the unary plus keeps
the planner from scanning every event of that action instead of the tip's few events;
without it a digest over a million tips took 20 s instead of 5 ms). The wanted-notice
figures (migration 0004) read the small notice list by its ``status`` index.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from storage.cards import UNROUTED
from storage.db import Tx

OPEN_STATUSES = ("new", "transferred", "acknowledged", "in_progress", "needs_info")
AWAITING_ACK = ("new", "transferred")
OUTCOMES = ("resolved", "forwarded", "unfounded", "duplicate", "spam")

_OPEN_MARKS = ",".join("?" for _ in OPEN_STATUSES)
_AWAIT_MARKS = ",".join("?" for _ in AWAITING_ACK)

# When the tip reached the queue it is in now: its last transfer, or its receipt.
_ARRIVED = (
    "COALESCE((SELECT MAX(e.at) FROM tip_events e"
    " WHERE e.tip_id = t.id AND +e.action = 'transferred'), t.created_at)"
)


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


_LINE_COLUMNS = (
    "t.id, t.code, t.category, t.urgent, t.status, t.current_unit_id, u.short_name, u.remote,"
    f" t.created_at, {_ARRIVED}, t.acknowledged_at"
)


def _line(row: Any) -> TipLine:
    v = list(row)
    return TipLine(v[0], v[1], v[2], bool(v[3]), v[4], v[5], v[6], bool(v[7]), v[8], v[9], v[10])


# ---------------------------------------------------------------- flow in a period


async def new_by_category(tx: Tx, start: str, end: str) -> dict[str, int]:
    rows = await tx.fetchall(
        "SELECT category, COUNT(*) FROM tips WHERE created_at >= ? AND created_at < ?"
        " GROUP BY category",
        (start, end),
    )
    return {row[0]: int(row[1]) for row in rows}


async def new_by_unit(tx: Tx, start: str, end: str) -> list[tuple[str, int]]:
    """Tips received, by the commune of the place (not whoever holds them now), most first."""
    rows = await tx.fetchall(
        "SELECT u.short_name, COUNT(*) AS n FROM tips t JOIN units u ON u.id = t.unit_id"
        " WHERE t.created_at >= ? AND t.created_at < ? GROUP BY t.unit_id"
        " ORDER BY n DESC, u.short_name",
        (start, end),
    )
    return [(row[0], int(row[1])) for row in rows]


async def new_urgent(tx: Tx, start: str, end: str) -> list[TipLine]:
    rows = await tx.fetchall(
        f"SELECT {_LINE_COLUMNS} FROM tips t JOIN units u ON u.id = t.current_unit_id"
        " WHERE t.created_at >= ? AND t.created_at < ? AND t.urgent = 1"
        " ORDER BY t.created_at, t.id",
        (start, end),
    )
    return [_line(row) for row in rows]


async def ack_seconds(tx: Tx, start: str, end: str) -> list[float]:
    """Receipt-to-first-acknowledgement times of the tips acknowledged in the period."""
    rows = await tx.fetchall(
        "SELECT ROUND((julianday(acknowledged_at) - julianday(created_at)) * 86400.0, 3) FROM tips"
        " WHERE acknowledged_at >= ? AND acknowledged_at < ?",
        (start, end),
    )
    return [max(0.0, float(row[0])) for row in rows]


async def ack_seconds_by_unit(tx: Tx, start: str, end: str) -> dict[str, list[float]]:
    """The same, per unit that holds the tip now (the one that acknowledged it, usually)."""
    rows = await tx.fetchall(
        "SELECT u.short_name,"
        " ROUND((julianday(t.acknowledged_at) - julianday(t.created_at)) * 86400.0, 3)"
        " FROM tips t JOIN units u ON u.id = t.current_unit_id"
        " WHERE t.acknowledged_at >= ? AND t.acknowledged_at < ?",
        (start, end),
    )
    found: dict[str, list[float]] = {}
    for name, seconds in rows:
        found.setdefault(name, []).append(max(0.0, float(seconds)))
    return found


async def transfers(tx: Tx, start: str, end: str) -> int:
    value = await tx.scalar(
        "SELECT COUNT(*) FROM tip_events WHERE action = 'transferred' AND at >= ? AND at < ?",
        (start, end),
    )
    return int(value or 0)


async def closed_by_outcome(tx: Tx, start: str, end: str) -> dict[str, int]:
    rows = await tx.fetchall(
        "SELECT COALESCE(outcome, '?'), COUNT(*) FROM tips"
        " WHERE closed_at >= ? AND closed_at < ? AND +status = 'closed' GROUP BY outcome",
        (start, end),
    )
    return {row[0]: int(row[1]) for row in rows}


async def daily_by_category(
    tx: Tx, start: str, end: str, utc_offset_minutes: int
) -> dict[tuple[str, str], int]:
    """{(local date 'YYYY-MM-DD', category): count}. The offset is the province's; Vietnam
    has no daylight saving, so one offset is exact for a whole period."""
    rows = await tx.fetchall(
        "SELECT date(created_at, ?), category, COUNT(*) FROM tips"
        " WHERE created_at >= ? AND created_at < ? GROUP BY 1, 2",
        (f"{utc_offset_minutes:+d} minutes", start, end),
    )
    return {(row[0], row[1]): int(row[2]) for row in rows}


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
        f"SELECT {_LINE_COLUMNS} FROM tips t JOIN units u ON u.id = t.current_unit_id"
        f" WHERE t.status <> 'closed' AND t.status IN ({_AWAIT_MARKS}) AND t.created_at <= ?"
        " ORDER BY t.created_at, t.id",
        (*AWAITING_ACK, created_before),
    )
    return [_line(row) for row in rows]


async def open_received_before(tx: Tx, before: str) -> list[TipLine]:
    """Open tips received before a time, oldest first: the verification-clock watch list."""
    rows = await tx.fetchall(
        f"SELECT {_LINE_COLUMNS} FROM tips t JOIN units u ON u.id = t.current_unit_id"
        f" WHERE t.status <> 'closed' AND t.status IN ({_OPEN_MARKS}) AND t.created_at <= ?"
        " ORDER BY t.created_at, t.id",
        (*OPEN_STATUSES, before),
    )
    return [_line(row) for row in rows]


async def open_tips(tx: Tx, unit_id: int | None = None) -> list[TipLine]:
    """Open tips, oldest first; of one queue when ``unit_id`` is given."""
    where = f"t.status <> 'closed' AND t.status IN ({_OPEN_MARKS})"
    params: tuple[Any, ...] = OPEN_STATUSES
    if unit_id is not None:
        where += " AND t.current_unit_id = ?"
        params = (*params, unit_id)
    rows = await tx.fetchall(
        f"SELECT {_LINE_COLUMNS} FROM tips t JOIN units u ON u.id = t.current_unit_id"
        f" WHERE {where} ORDER BY t.created_at, t.id",
        params,
    )
    return [_line(row) for row in rows]


async def unrouted(tx: Tx) -> list[TipLine]:
    """Open tips no police chat received (see ``storage.cards.UNROUTED``), oldest first."""
    rows = await tx.fetchall(
        f"SELECT {_LINE_COLUMNS} FROM tips t JOIN units u ON u.id = t.current_unit_id"
        f" WHERE {UNROUTED} ORDER BY t.created_at, t.id"
    )
    return [_line(row) for row in rows]


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


# ---------------------------------------------------------------- deadline ladder


@dataclass(frozen=True)
class LadderTip:
    """A tip waiting for acknowledgement, and which rungs its current stay already took."""

    tip: TipLine
    reminded: bool
    escalated: bool


def _rung(action: str) -> str:
    return (
        f"EXISTS (SELECT 1 FROM tip_events r WHERE r.tip_id = t.id AND +r.action = '{action}'"
        f" AND r.at >= {_ARRIVED})"
    )


async def ladder_candidates(tx: Tx, created_before: str) -> list[LadderTip]:
    """Unacknowledged tips received before a time, with their rungs: one query, so the
    sweep that finds nothing to do (most minutes) costs one index range read."""
    rows = await tx.fetchall(
        f"SELECT {_LINE_COLUMNS}, {_rung('reminded')}, {_rung('escalated')}"
        " FROM tips t JOIN units u ON u.id = t.current_unit_id"
        f" WHERE t.status <> 'closed' AND t.status IN ({_AWAIT_MARKS}) AND t.created_at <= ?"
        " ORDER BY t.created_at, t.id",
        (*AWAITING_ACK, created_before),
    )
    return [LadderTip(_line(row[:11]), bool(row[11]), bool(row[12])) for row in rows]


async def queue_card(tx: Tx, tip_id: int, chat_id: int) -> int | None:
    """The outbox row of the tip's active card in a chat, to reply to it."""
    value = await tx.scalar(
        "SELECT outbox_id FROM tip_cards WHERE tip_id = ? AND chat_id = ? AND active = 1"
        " ORDER BY id DESC LIMIT 1",
        (tip_id, chat_id),
    )
    return int(value) if value is not None else None


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

    The sightings ride ``tips_created`` like the other period counts; the notice list
    is small (hundreds of rows), and its ``wanted_notices_active`` index starts with
    ``status``, so both notice reads stay cheap without an index on ``withdrawn_at``.
    """
    seen = await tx.fetchone(
        "SELECT COUNT(*), COUNT(DISTINCT t.wanted_notice_id) FROM tips t"
        f" WHERE t.created_at >= ? AND t.created_at < ? AND {_SIGHTING}",
        (start, end),
    )
    assert seen is not None
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
        sightings=int(seen[0]),
        notices_sighted=int(seen[1]),
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
    limit = (
        f"(CASE WHEN urgent = 1 THEN {int(ack_minutes_urgent)} ELSE {int(ack_minutes_normal)} END)"
    )
    # rounded to the millisecond: julianday arithmetic is floating point, and an
    # acknowledgement at exactly the deadline must count as within it
    minutes_to_ack = "ROUND((julianday(acknowledged_at) - julianday(created_at)) * 1440.0, 5)"
    minutes_waiting = "ROUND((julianday(:now) - julianday(created_at)) * 1440.0, 5)"
    row = await tx.fetchone(
        "SELECT COUNT(*), COALESCE(SUM(urgent), 0),"
        " COALESCE(SUM(wanted_notice_id IS NOT NULL OR category = 'wanted'), 0),"
        " COALESCE(SUM((wanted_notice_id IS NOT NULL OR category = 'wanted')"
        "  AND outcome IN ('resolved', 'forwarded')), 0),"
        f" COALESCE(SUM(acknowledged_at IS NOT NULL OR {minutes_waiting} > {limit}), 0),"
        f" COALESCE(SUM(acknowledged_at IS NOT NULL AND {minutes_to_ack} <= {limit}), 0),"
        " COALESCE(SUM(status <> 'closed'), 0), COALESCE(SUM(transfers > 0), 0)"
        " FROM tips WHERE created_at >= :start AND created_at < :end",
        {"now": now, "start": start, "end": end},
    )
    assert row is not None
    outcomes = await tx.fetchall(
        "SELECT outcome, COUNT(*) FROM tips WHERE created_at >= ? AND created_at < ?"
        " AND +status = 'closed' GROUP BY outcome",
        (start, end),
    )
    return Cohort(
        received=int(row[0]),
        urgent=int(row[1]),
        wanted=int(row[2]),
        wanted_acted=int(row[3]),
        ack_measured=int(row[4]),
        ack_within=int(row[5]),
        open=int(row[6]),
        transferred=int(row[7]),
        by_outcome={str(r[0] or "?"): int(r[1]) for r in outcomes},
    )


async def received_by_unit_category(tx: Tx, start: str, end: str) -> dict[str, dict[str, int]]:
    """{commune of the place: {category: count}} of the tips received in a period."""
    rows = await tx.fetchall(
        "SELECT u.short_name, t.category, COUNT(*) FROM tips t JOIN units u ON u.id = t.unit_id"
        " WHERE t.created_at >= ? AND t.created_at < ? GROUP BY t.unit_id, t.category",
        (start, end),
    )
    found: dict[str, dict[str, int]] = {}
    for unit, category, n in rows:
        found.setdefault(unit, {})[category] = int(n)
    return found


# ---------------------------------------------------------------- exports


@dataclass(frozen=True)
class ExportRow:
    """One tip for a spreadsheet. Deliberately without the reporter, the description, the
    address and the coordinates: an export leaves the system, and statistics need none."""

    code: str
    created_at: str
    category: str
    urgent: bool
    place_unit: str
    current_unit: str
    status: str
    outcome: str | None
    acknowledged_at: str | None
    closed_at: str | None
    transfers: int
    attachments: int


async def export_rows(tx: Tx, start: str, end: str) -> list[ExportRow]:
    rows = await tx.fetchall(
        "SELECT t.code, t.created_at, t.category, t.urgent, p.short_name, c.short_name,"
        " t.status, t.outcome, t.acknowledged_at, t.closed_at, t.transfers,"
        " (SELECT COUNT(*) FROM tip_attachments a WHERE a.tip_id = t.id)"
        " FROM tips t JOIN units p ON p.id = t.unit_id JOIN units c ON c.id = t.current_unit_id"
        " WHERE t.created_at >= ? AND t.created_at < ? ORDER BY t.created_at, t.id",
        (start, end),
    )
    return [
        ExportRow(
            r[0], r[1], r[2], bool(r[3]), r[4], r[5], r[6], r[7], r[8], r[9], int(r[10]), int(r[11])
        )
        for r in rows
    ]


# ---------------------------------------------------------------- digest log and files


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


@dataclass(frozen=True)
class OutboxFile:
    field: str  # the Bot API parameter: 'photo', 'document'
    filename: str
    data: bytes


async def attach_file(tx: Tx, outbox_id: int, field: str, filename: str, data: bytes) -> None:
    """Bytes a row shows as its file (``field``: the file's kind, a photo or a document),
    uploaded when it is sent; written in the row's own transaction."""
    await tx.execute(
        "INSERT INTO outbox_files(outbox_id, field, filename, data) VALUES (?,?,?,?)",
        (outbox_id, field, filename, data),
    )


async def files_for(tx: Tx, outbox_id: int) -> list[OutboxFile]:
    rows = await tx.fetchall(
        "SELECT field, filename, data FROM outbox_files WHERE outbox_id = ? ORDER BY field",
        (outbox_id,),
    )
    return [OutboxFile(str(r[0]), str(r[1]), bytes(r[2])) for r in rows]


async def drop_files(tx: Tx, outbox_id: int) -> None:
    """Forget the bytes once the row is sent (call with ``mark_sent``): a year of charts
    and lists should not live on in the database as blobs nobody reads."""
    await tx.execute("DELETE FROM outbox_files WHERE outbox_id = ?", (outbox_id,))
