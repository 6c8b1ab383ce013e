"""SQL of the web page's tip list: a page of tips in a stable order, with the total.

Never the reporter: the list reads no reporter column. The order (newest first, then the
id) is the ``tips_created`` index's, so a page costs its own rows, not the table."""

from __future__ import annotations

from dataclasses import dataclass

from storage.db import Tx


@dataclass(frozen=True)
class ListedTip:
    code: str
    category: str
    urgent: bool
    status: str
    commune: str
    created_at: str


async def tip_page(
    tx: Tx,
    *,
    unit_id: int | None,
    status: str | None,
    category: str | None,
    limit: int,
    offset: int,
) -> tuple[list[ListedTip], int]:
    """A page of tips (all of them for ``unit_id`` None, else the unit's, i.e. those its
    queue holds now) and how many match in all."""
    where: list[str] = ["1 = 1"]
    params: list[object] = []
    if unit_id is not None:
        where.append("t.current_unit_id = ?")
        params.append(unit_id)
    if status:
        where.append("t.status = ?")
        params.append(status)
    if category:
        where.append("t.category = ?")
        params.append(category)
    condition = " AND ".join(where)
    total = await tx.scalar(f"SELECT COUNT(*) FROM tips t WHERE {condition}", params)
    rows = await tx.fetchall(
        "SELECT t.code, t.category, t.urgent, t.status, u.short_name, t.created_at"
        f" FROM tips t JOIN units u ON u.id = t.unit_id WHERE {condition}"
        " ORDER BY t.created_at DESC, t.id DESC LIMIT ? OFFSET ?",
        (*params, limit, offset),
    )
    listed = [ListedTip(r[0], r[1], bool(r[2]), r[3], r[4], r[5]) for r in rows]
    return listed, int(total or 0)
