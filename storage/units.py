"""SQL for the units aggregate: the province row, its communes and their search aliases.

Units are never deleted: tips keep pointing at the commune they were filed under, so a
commune that disappears from the official list is only marked inactive.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from storage.db import Tx

_COLUMNS = (
    "id, code, kind, name, short_name, unit_type, parent_id, lat, lon, area_km2, remote, active"
)


@dataclass(frozen=True)
class Unit:
    id: int
    code: str
    kind: str
    name: str
    short_name: str
    unit_type: str
    parent_id: int | None
    lat: float | None
    lon: float | None
    area_km2: float | None
    remote: bool
    active: bool


def _unit(row: sqlite3.Row) -> Unit:
    return Unit(
        id=row["id"],
        code=row["code"],
        kind=row["kind"],
        name=row["name"],
        short_name=row["short_name"],
        unit_type=row["unit_type"],
        parent_id=row["parent_id"],
        lat=row["lat"],
        lon=row["lon"],
        area_km2=row["area_km2"],
        remote=bool(row["remote"]),
        active=bool(row["active"]),
    )


async def upsert_unit(
    tx: Tx,
    *,
    code: str,
    kind: str,
    name: str,
    short_name: str,
    unit_type: str,
    search_key: str,
    parent_id: int | None,
    lat: float | None,
    lon: float | None,
    area_km2: float | None,
    remote: bool = False,
) -> int:
    """Insert or refresh by official code, re-activating it.

    ``remote`` only applies on insert: after that it is the operator's call (it lengthens
    transfer deadlines), so a re-sync must not undo it.
    """
    rows = await tx.fetchall(
        "INSERT INTO units(code, kind, name, short_name, unit_type, parent_id, lat, lon,"
        " area_km2, search_key, remote, active, synced_at)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,1,?)"
        " ON CONFLICT(code) DO UPDATE SET kind = excluded.kind, name = excluded.name,"
        " short_name = excluded.short_name, unit_type = excluded.unit_type,"
        " parent_id = excluded.parent_id, lat = excluded.lat, lon = excluded.lon,"
        " area_km2 = excluded.area_km2, search_key = excluded.search_key, active = 1,"
        " synced_at = excluded.synced_at"
        " RETURNING id",
        (
            code,
            kind,
            name,
            short_name,
            unit_type,
            parent_id,
            lat,
            lon,
            area_km2,
            search_key,
            int(remote),
            tx.now_text(),
        ),
    )
    return int(rows[0][0])


async def replace_aliases(tx: Tx, unit_id: int, aliases: Iterable[tuple[str, str, str]]) -> None:
    """Swap the whole alias set of a unit: ``(alias, search_key, kind)`` rows."""
    await tx.execute("DELETE FROM unit_aliases WHERE unit_id = ?", (unit_id,))
    await tx.executemany(
        "INSERT INTO unit_aliases(unit_id, alias, search_key, kind) VALUES (?,?,?,?)",
        [(unit_id, alias, key, kind) for alias, key, kind in aliases],
    )


async def deactivate_missing(tx: Tx, province_id: int, keep_codes: Iterable[str]) -> int:
    """Mark inactive the communes of the province that the official list no longer has."""
    return await tx.execute(
        "UPDATE units SET active = 0 WHERE parent_id = ? AND kind = 'commune' AND active = 1"
        " AND code NOT IN (SELECT value FROM json_each(?))",
        (province_id, json.dumps(sorted(keep_codes))),
    )


async def get_unit(tx: Tx, unit_id: int) -> Unit | None:
    row = await tx.fetchone(f"SELECT {_COLUMNS} FROM units WHERE id = ?", (unit_id,))
    return _unit(row) if row else None


async def unit_by_code(tx: Tx, code: str) -> Unit | None:
    row = await tx.fetchone(f"SELECT {_COLUMNS} FROM units WHERE code = ?", (code,))
    return _unit(row) if row else None


async def get_province(tx: Tx) -> Unit | None:
    """The province this database serves; two active ones would be a corrupt setup."""
    rows = await tx.fetchall(
        f"SELECT {_COLUMNS} FROM units WHERE kind = 'province' AND active = 1 LIMIT 2"
    )
    if len(rows) > 1:
        raise RuntimeError("more than one active province in the database")
    return _unit(rows[0]) if rows else None


async def list_communes(tx: Tx, province_id: int, active_only: bool = True) -> list[Unit]:
    rows = await tx.fetchall(
        f"SELECT {_COLUMNS} FROM units WHERE parent_id = ? AND kind = 'commune'"
        " AND (active = 1 OR ? = 0) ORDER BY search_key, id",
        (province_id, int(active_only)),
    )
    return [_unit(row) for row in rows]


async def alias_rows(tx: Tx, province_id: int) -> list[tuple[int, str, str]]:
    """``(unit_id, alias, search_key)`` of the province's active communes, for the index."""
    rows = await tx.fetchall(
        "SELECT a.unit_id, a.alias, a.search_key FROM unit_aliases a"
        " JOIN units u ON u.id = a.unit_id"
        " WHERE u.parent_id = ? AND u.kind = 'commune' AND u.active = 1"
        " ORDER BY a.unit_id, a.search_key",
        (province_id,),
    )
    return [(int(row[0]), str(row[1]), str(row[2])) for row in rows]


async def count_communes(tx: Tx, province_id: int, active_only: bool = True) -> int:
    count = await tx.scalar(
        "SELECT COUNT(*) FROM units WHERE parent_id = ? AND kind = 'commune'"
        " AND (active = 1 OR ? = 0)",
        (province_id, int(active_only)),
    )
    return int(count or 0)
