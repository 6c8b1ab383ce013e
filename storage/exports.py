"""SQL of the exports (``/export``, the web page's download): the tips of a period as rows
for a spreadsheet, inside a transaction or on a read-only connection of their own."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storage.db import Tx


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


_EXPORT_SQL = (
    "SELECT t.code, t.created_at, t.category, t.urgent, p.short_name, c.short_name,"
    " t.status, t.outcome, t.acknowledged_at, t.closed_at, t.transfers,"
    " (SELECT COUNT(*) FROM tip_attachments a WHERE a.tip_id = t.id)"
    " FROM tips t JOIN units p ON p.id = t.unit_id JOIN units c ON c.id = t.current_unit_id"
    " WHERE t.created_at >= ? AND t.created_at < ?{unit} ORDER BY t.created_at, t.id"
)


def _export_query(start: str, end: str, unit_id: int | None) -> tuple[str, tuple[Any, ...]]:
    """The export's statement: the province's tips, or those one unit's queue holds."""
    if unit_id is None:
        return _EXPORT_SQL.format(unit=""), (start, end)
    return _EXPORT_SQL.format(unit=" AND t.current_unit_id = ?"), (start, end, unit_id)


def _export_row(r: Any) -> ExportRow:
    return ExportRow(
        r[0], r[1], r[2], bool(r[3]), r[4], r[5], r[6], r[7], r[8], r[9], int(r[10]), int(r[11])
    )


async def export_rows(tx: Tx, start: str, end: str, unit_id: int | None = None) -> list[ExportRow]:
    """The rows inside an open transaction (a database that lives only in memory)."""
    return [_export_row(r) for r in await tx.fetchall(*_export_query(start, end, unit_id))]


def read_export_rows(
    path: Path, start: str, end: str, unit_id: int | None = None
) -> list[ExportRow]:
    """The same rows, read **blocking**, on a connection of its own opened read-only: for
    a worker thread, so that a month of tens of thousands of tips does not hold the event
    loop (statements of a :class:`Tx` run on the loop's thread). WAL lets this reader
    work beside the bot's connection; it sees what was committed when it began, which
    is why the caller syncs a group commit first."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        conn.execute("PRAGMA busy_timeout=5000")
        return [_export_row(r) for r in conn.execute(*_export_query(start, end, unit_id))]
    finally:
        conn.close()
