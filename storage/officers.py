"""SQL for officers and their one-time invites."""

from __future__ import annotations

from dataclasses import dataclass

from storage.db import Tx


@dataclass(frozen=True)
class Officer:
    id: int
    telegram_user_id: int
    display_name: str
    unit_id: int
    role: str  # officer | lead | supervisor
    active: bool
    digest_opt_in: bool


_COLUMNS = "id, telegram_user_id, display_name, unit_id, role, active, digest_opt_in"


def _officer(row: object) -> Officer:
    v = list(row)  # type: ignore[call-overload]
    return Officer(v[0], v[1], v[2], v[3], v[4], bool(v[5]), bool(v[6]))


async def find_active(tx: Tx, telegram_user_id: int) -> Officer | None:
    """The active officer behind a Telegram user, or None (citizens, revoked officers)."""
    row = await tx.fetchone(
        f"SELECT {_COLUMNS} FROM officers WHERE telegram_user_id = ? AND active = 1",
        (telegram_user_id,),
    )
    return _officer(row) if row else None


async def get(tx: Tx, officer_id: int) -> Officer | None:
    row = await tx.fetchone(f"SELECT {_COLUMNS} FROM officers WHERE id = ?", (officer_id,))
    return _officer(row) if row else None


async def list_all(tx: Tx, *, active_only: bool = False) -> list[Officer]:
    where = " WHERE active = 1" if active_only else ""
    rows = await tx.fetchall(f"SELECT {_COLUMNS} FROM officers{where} ORDER BY unit_id, id")
    return [_officer(r) for r in rows]


async def supervisors_opted_in(tx: Tx) -> list[Officer]:
    rows = await tx.fetchall(
        f"SELECT {_COLUMNS} FROM officers WHERE active = 1 AND role = 'supervisor'"
        " AND digest_opt_in = 1 ORDER BY id"
    )
    return [_officer(r) for r in rows]


async def insert(
    tx: Tx, *, telegram_user_id: int, display_name: str, unit_id: int, role: str, at: str
) -> int:
    return await tx.execute(
        "INSERT INTO officers(telegram_user_id, display_name, unit_id, role, joined_at)"
        " VALUES (?,?,?,?,?)",
        (telegram_user_id, display_name, unit_id, role, at),
    )


async def revoke(tx: Tx, officer_id: int, at: str) -> bool:
    changed = await tx.execute(
        "UPDATE officers SET active = 0, revoked_at = ? WHERE id = ? AND active = 1",
        (at, officer_id),
    )
    return changed > 0


async def set_digest_opt_in(tx: Tx, officer_id: int, value: bool) -> None:
    await tx.execute("UPDATE officers SET digest_opt_in = ? WHERE id = ?", (int(value), officer_id))


@dataclass(frozen=True)
class Invite:
    id: int
    unit_id: int
    role: str
    expires_at: str
    used_at: str | None


async def insert_invite(
    tx: Tx, *, code_hash: str, unit_id: int, role: str, at: str, expires_at: str
) -> int:
    return await tx.execute(
        "INSERT INTO invites(code_hash, unit_id, role, created_at, expires_at) VALUES (?,?,?,?,?)",
        (code_hash, unit_id, role, at, expires_at),
    )


async def invite_by_hash(tx: Tx, code_hash: str) -> Invite | None:
    row = await tx.fetchone(
        "SELECT id, unit_id, role, expires_at, used_at FROM invites WHERE code_hash = ?",
        (code_hash,),
    )
    return Invite(*row) if row else None


async def consume_invite(tx: Tx, invite_id: int, officer_id: int, at: str) -> bool:
    changed = await tx.execute(
        "UPDATE invites SET used_at = ?, officer_id = ? WHERE id = ? AND used_at IS NULL",
        (at, officer_id, invite_id),
    )
    return changed > 0
