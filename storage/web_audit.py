"""SQL of the web page's own audit trail (migration 0025): what an officer did on the page
that is not an event of one tip, such as downloading an export (tip views are written to
the tip's own trail, ``tip_events``)."""

from __future__ import annotations

from dataclasses import dataclass

from storage.db import Tx


@dataclass(frozen=True)
class AuditEntry:
    officer_id: int
    at: str
    action: str
    detail: str


async def record(tx: Tx, officer_id: int, at: str, action: str, detail: str) -> None:
    await tx.execute(
        "INSERT INTO web_audit(officer_id, at, action, detail) VALUES (?,?,?,?)",
        (officer_id, at, action, detail),
    )


async def entries(tx: Tx, officer_id: int) -> list[AuditEntry]:
    rows = await tx.fetchall(
        "SELECT officer_id, at, action, detail FROM web_audit WHERE officer_id = ? ORDER BY at, id",
        (officer_id,),
    )
    return [AuditEntry(int(r[0]), str(r[1]), str(r[2]), str(r[3])) for r in rows]
