"""SQL for the tip aggregate: the tip, its evidence, its audit trail."""

from __future__ import annotations

from dataclasses import dataclass

from storage.db import Tx


@dataclass(frozen=True)
class NewTip:
    code: str
    idempotency_key: str
    reporter_id: int
    channel: str
    category: str
    urgent: bool
    unit_id: int
    address: str | None
    lat: float | None
    lon: float | None
    occurred: str
    occurred_note: str | None
    description: str
    contactable: bool
    contact_enc: bytes | None
    language: str
    created_at: str
    wanted_notice_id: int | None = None


@dataclass(frozen=True)
class Attachment:
    kind: str
    file_id: str
    file_unique_id: str
    mime_type: str | None
    size_bytes: int | None


@dataclass(frozen=True)
class Tip:
    id: int
    code: str
    reporter_id: int | None
    category: str
    urgent: bool
    unit_id: int
    current_unit_id: int
    address: str | None
    lat: float | None
    lon: float | None
    occurred: str
    occurred_note: str | None
    description: str
    contactable: bool
    status: str
    outcome: str | None
    language: str
    created_at: str
    updated_at: str
    wanted_notice_id: int | None = None


@dataclass(frozen=True)
class TipEvent:
    id: int
    tip_id: int
    at: str
    actor_kind: str
    actor_id: int | None
    action: str
    from_status: str | None
    to_status: str | None
    note: str | None
    public: bool


_TIP_COLUMNS = (
    "id, code, reporter_id, category, urgent, unit_id, current_unit_id, address, lat, lon,"
    " occurred, occurred_note, description, contactable, status, outcome, language,"
    " created_at, updated_at, wanted_notice_id"
)


def _tip(row: object) -> Tip:
    values = list(row)  # type: ignore[call-overload]
    values[4] = bool(values[4])
    values[13] = bool(values[13])
    return Tip(*values)


async def insert(tx: Tx, tip: NewTip) -> int:
    return await tx.execute(
        "INSERT INTO tips(code, idempotency_key, reporter_id, channel, category, urgent,"
        " unit_id, current_unit_id, address, lat, lon, occurred, occurred_note, description,"
        " contactable, contact_enc, status, language, created_at, updated_at,"
        " wanted_notice_id)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,'new',?,?,?,?)",
        (
            tip.code,
            tip.idempotency_key,
            tip.reporter_id,
            tip.channel,
            tip.category,
            int(tip.urgent),
            tip.unit_id,
            tip.unit_id,
            tip.address,
            tip.lat,
            tip.lon,
            tip.occurred,
            tip.occurred_note,
            tip.description,
            int(tip.contactable),
            tip.contact_enc,
            tip.language,
            tip.created_at,
            tip.created_at,
            tip.wanted_notice_id,
        ),
    )


async def add_attachments(
    tx: Tx, tip_id: int, items: list[Attachment], *, source: str, at: str
) -> int:
    """Append evidence; a file already attached to this tip is skipped (idempotent)."""
    start = int(
        await tx.scalar(
            "SELECT COALESCE(MAX(position), 0) FROM tip_attachments WHERE tip_id = ?", (tip_id,)
        )
    )
    added = 0
    for offset, item in enumerate(items, start=1):
        cursor_id = await tx.execute(
            "INSERT OR IGNORE INTO tip_attachments(tip_id, position, kind, file_id,"
            " file_unique_id, mime_type, size_bytes, source, created_at)"
            " VALUES (?,?,?,?,?,?,?,?,?)",
            (
                tip_id,
                start + offset,
                item.kind,
                item.file_id,
                item.file_unique_id,
                item.mime_type,
                item.size_bytes,
                source,
                at,
            ),
        )
        added += 1 if cursor_id else 0
    return added


async def attachments(tx: Tx, tip_id: int) -> list[Attachment]:
    rows = await tx.fetchall(
        "SELECT kind, file_id, file_unique_id, mime_type, size_bytes FROM tip_attachments"
        " WHERE tip_id = ? ORDER BY position",
        (tip_id,),
    )
    return [Attachment(*row) for row in rows]


async def add_event(
    tx: Tx,
    tip_id: int,
    *,
    at: str,
    actor_kind: str,
    action: str,
    actor_id: int | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
    note: str | None = None,
    public: bool = False,
) -> int:
    return await tx.execute(
        "INSERT INTO tip_events(tip_id, at, actor_kind, actor_id, action, from_status,"
        " to_status, note, public) VALUES (?,?,?,?,?,?,?,?,?)",
        (tip_id, at, actor_kind, actor_id, action, from_status, to_status, note, int(public)),
    )


async def has_event(tx: Tx, tip_id: int, action: str, *, note: str | None = None) -> bool:
    """Whether the tip's trail holds an event of ``action`` (with exactly ``note``)."""
    sql = "SELECT 1 FROM tip_events WHERE tip_id = ? AND +action = ?"
    params: tuple[object, ...] = (tip_id, action)
    if note is not None:
        sql += " AND note = ?"
        params = (*params, note)
    return await tx.scalar(sql + " LIMIT 1", params) is not None


async def events(tx: Tx, tip_id: int, *, public_only: bool = False) -> list[TipEvent]:
    rows = await tx.fetchall(
        "SELECT id, tip_id, at, actor_kind, actor_id, action, from_status, to_status, note,"
        " public FROM tip_events WHERE tip_id = ?"
        + (" AND public = 1" if public_only else "")
        + " ORDER BY at, id",
        (tip_id,),
    )
    return [
        TipEvent(
            id=row[0],
            tip_id=row[1],
            at=row[2],
            actor_kind=row[3],
            actor_id=row[4],
            action=row[5],
            from_status=row[6],
            to_status=row[7],
            note=row[8],
            public=bool(row[9]),
        )
        for row in rows
    ]


async def by_code(tx: Tx, code: str) -> Tip | None:
    row = await tx.fetchone(f"SELECT {_TIP_COLUMNS} FROM tips WHERE code = ?", (code,))
    return _tip(row) if row else None


async def by_id(tx: Tx, tip_id: int) -> Tip | None:
    row = await tx.fetchone(f"SELECT {_TIP_COLUMNS} FROM tips WHERE id = ?", (tip_id,))
    return _tip(row) if row else None


async def by_idempotency_key(tx: Tx, key: str) -> Tip | None:
    row = await tx.fetchone(f"SELECT {_TIP_COLUMNS} FROM tips WHERE idempotency_key = ?", (key,))
    return _tip(row) if row else None


async def count_by_reporter_since(tx: Tx, reporter_id: int, since_text: str) -> int:
    value = await tx.scalar(
        "SELECT COUNT(*) FROM tips WHERE reporter_id = ? AND created_at >= ?",
        (reporter_id, since_text),
    )
    return int(value or 0)


async def duplicate_of_code(tx: Tx, tip_id: int) -> str | None:
    """The receipt code (canonical) of the original a tip was closed as a duplicate of."""
    value = await tx.scalar(
        "SELECT t2.code FROM tips t1 JOIN tips t2 ON t2.id = t1.duplicate_of WHERE t1.id = ?",
        (tip_id,),
    )
    return str(value) if value else None


async def code_exists(tx: Tx, code: str) -> bool:
    return bool(await tx.scalar("SELECT 1 FROM tips WHERE code = ?", (code,)))


async def code_of(tx: Tx, tip_id: int) -> str | None:
    value = await tx.scalar("SELECT code FROM tips WHERE id = ?", (tip_id,))
    return str(value) if value else None


async def last_state_change(tx: Tx, tip_id: int) -> tuple[str, str | None] | None:
    """(when, which officer's display name) of the tip's latest change of state; the
    name is None when no officer made it (the system, the reporter)."""
    row = await tx.fetchone(
        "SELECT e.at, o.display_name FROM tip_events e LEFT JOIN officers o"
        " ON o.id = e.actor_id AND e.actor_kind = 'officer' WHERE e.tip_id = ?"
        " AND e.to_status IS NOT NULL ORDER BY e.at DESC, e.id DESC LIMIT 1",
        (tip_id,),
    )
    return (row[0], row[1]) if row else None


async def contact_enc(tx: Tx, tip_id: int) -> bytes | None:
    value = await tx.scalar("SELECT contact_enc FROM tips WHERE id = ?", (tip_id,))
    return bytes(value) if value else None


OPEN_STATUSES = ("new", "transferred", "acknowledged", "in_progress", "needs_info")


async def update_state(
    tx: Tx,
    tip_id: int,
    *,
    status: str,
    at: str,
    outcome: str | None = None,
    assigned_officer_id: int | None = None,
    acknowledged: bool = False,
    closed: bool = False,
    current_unit_id: int | None = None,
    duplicate_of: int | None = None,
) -> None:
    """One UPDATE for every lifecycle change; columns not given keep their value."""
    await tx.execute(
        "UPDATE tips SET status = ?, updated_at = ?,"
        " outcome = COALESCE(?, outcome),"
        " assigned_officer_id = COALESCE(?, assigned_officer_id),"
        " acknowledged_at = CASE WHEN ? AND acknowledged_at IS NULL THEN ?"
        " ELSE acknowledged_at END,"
        " closed_at = CASE WHEN ? THEN ? ELSE closed_at END,"
        " current_unit_id = COALESCE(?, current_unit_id),"
        " transfers = transfers + CASE WHEN ? IS NOT NULL THEN 1 ELSE 0 END,"
        " duplicate_of = COALESCE(?, duplicate_of)"
        " WHERE id = ?",
        (
            status,
            at,
            outcome,
            assigned_officer_id,
            int(acknowledged),
            at,
            int(closed),
            at,
            current_unit_id,
            current_unit_id,
            duplicate_of,
            tip_id,
        ),
    )


async def lifecycle_fields(tx: Tx, tip_id: int) -> tuple[int | None, str | None] | None:
    """(assigned officer, acknowledged_at) of a tip."""
    row = await tx.fetchone(
        "SELECT assigned_officer_id, acknowledged_at FROM tips WHERE id = ?", (tip_id,)
    )
    return (row[0], row[1]) if row else None


async def open_for_unit(tx: Tx, unit_id: int, *, limit: int, offset: int) -> tuple[list[Tip], int]:
    marks = ",".join("?" for _ in OPEN_STATUSES)
    total = await tx.scalar(
        f"SELECT COUNT(*) FROM tips WHERE current_unit_id = ? AND status IN ({marks})",
        (unit_id, *OPEN_STATUSES),
    )
    rows = await tx.fetchall(
        f"SELECT {_TIP_COLUMNS} FROM tips WHERE current_unit_id = ? AND status IN ({marks})"
        " ORDER BY created_at, id LIMIT ? OFFSET ?",
        (unit_id, *OPEN_STATUSES, limit, offset),
    )
    return [_tip(r) for r in rows], int(total or 0)


async def sightings_of(tx: Tx, notice_id: int, *, exclude: int | None = None) -> list[Tip]:
    """Every tip about one wanted notice, oldest first: the trail officers follow."""
    rows = await tx.fetchall(
        f"SELECT {_TIP_COLUMNS} FROM tips WHERE wanted_notice_id = ? AND id != ?"
        " ORDER BY created_at, id",
        (notice_id, exclude or 0),
    )
    return [_tip(r) for r in rows]


# ---------------------------------------------------------------- clocks


@dataclass(frozen=True)
class ClockRow:
    """What the clocks of one tip are computed from (bot/deadlines.py)."""

    created_at: str
    urgent: bool
    status: str
    outcome: str | None
    closed_at: str | None
    acknowledged_at: str | None  # the first acknowledgement ever, whatever the unit
    remote: bool  # the unit holding the tip now is remote
    moved_at: str | None  # its last transfer, if any


async def clock_row(tx: Tx, tip_id: int) -> ClockRow | None:
    row = await tx.fetchone(
        "SELECT t.created_at, t.urgent, t.status, t.outcome, t.closed_at, t.acknowledged_at,"
        " u.remote, (SELECT MAX(e.at) FROM tip_events e WHERE e.tip_id = t.id"
        "  AND +e.action = 'transferred')"
        " FROM tips t JOIN units u ON u.id = t.current_unit_id WHERE t.id = ?",
        (tip_id,),
    )
    if row is None:
        return None
    created_at, urgent, status, outcome, closed_at, acknowledged_at, remote, moved_at = row
    return ClockRow(
        created_at,
        bool(urgent),
        status,
        outcome,
        closed_at,
        acknowledged_at,
        bool(remote),
        moved_at,
    )


async def first_response_since(tx: Tx, tip_id: int, since: str) -> str | None:
    """When the tip was first acknowledged, taken up, asked about or closed from ``since``
    on (the current stay's acknowledgement, after a transfer)."""
    value = await tx.scalar(
        "SELECT MIN(at) FROM tip_events WHERE tip_id = ? AND at >= ?"
        " AND +action IN ('acknowledged', 'taken', 'asked', 'closed')",
        (tip_id, since),
    )
    return str(value) if value is not None else None
