"""SQL of the web page's wanted-notice pages: the notices with their sightings counted
(in the viewer's scope), and one notice's sightings. The notice list is small (hundreds);
each notice's sightings ride the partial index ``tips_wanted_notice``."""

from __future__ import annotations

from dataclasses import dataclass

from storage.db import Tx


@dataclass(frozen=True)
class NoticeLine:
    id: int
    warrant_number: str
    warrant_date: str
    full_name: str
    offence: str
    dangerous: bool
    status: str
    withdrawn_reason: str | None
    issuing_unit_id: int
    sightings: int
    open_sightings: int
    latest: str | None


@dataclass(frozen=True)
class Sighting:
    code: str
    status: str
    commune: str
    created_at: str
    current_unit_id: int


async def notices(tx: Tx, unit_id: int | None) -> list[NoticeLine]:
    """Every notice, active first, then the newest warrant; for a unit (``unit_id``) the
    notices it issued or whose sightings its queue holds, with those sightings only."""
    scope = "" if unit_id is None else " AND t.current_unit_id = :unit"
    rows = await tx.fetchall(
        "SELECT * FROM (SELECT n.id, n.warrant_number, n.warrant_date, n.full_name, n.offence,"
        " n.dangerous, n.status, n.withdrawn_reason, n.issuing_unit_id,"
        f" (SELECT COUNT(*) FROM tips t WHERE t.wanted_notice_id = n.id{scope}) AS seen,"
        f" (SELECT COUNT(*) FROM tips t WHERE t.wanted_notice_id = n.id"
        f"  AND t.status <> 'closed'{scope}),"
        f" (SELECT MAX(t.created_at) FROM tips t WHERE t.wanted_notice_id = n.id{scope})"
        " FROM wanted_notices n) WHERE :unit IS NULL OR issuing_unit_id = :unit OR seen > 0"
        " ORDER BY status = 'active' DESC, warrant_date DESC, id DESC",
        {"unit": unit_id},
    )
    return [
        NoticeLine(
            int(r[0]),
            r[1],
            r[2],
            r[3],
            r[4],
            bool(r[5]),
            r[6],
            r[7],
            int(r[8]),
            int(r[9]),
            int(r[10]),
            r[11],
        )
        for r in rows
    ]


async def sightings(tx: Tx, notice_id: int) -> list[Sighting]:
    """The tips about one notice, newest first (the caller keeps those in scope)."""
    rows = await tx.fetchall(
        "SELECT t.code, t.status, u.name, t.created_at, t.current_unit_id FROM tips t"
        " JOIN units u ON u.id = t.unit_id WHERE t.wanted_notice_id = ?"
        " ORDER BY t.created_at DESC, t.id DESC",
        (notice_id,),
    )
    return [Sighting(r[0], r[1], r[2], r[3], int(r[4])) for r in rows]
