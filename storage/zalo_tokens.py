"""SQL for the Zalo OA's token pair (migration 0022) and the Zalo backlog figures that
`tinbao zalo status` shows. The pair arrives here already sealed: storage holds no key."""

from __future__ import annotations

from dataclasses import dataclass

from storage.db import Tx


@dataclass(frozen=True)
class TokenRow:
    pair_enc: bytes
    generation: int
    access_expires_at: str | None
    refresh_expires_at: str
    obtained_at: str
    authorized_at: str
    refreshed_at: str | None
    last_error: str | None
    last_error_at: str | None
    refused: bool
    failing_since: str | None
    alerted_at: str | None


@dataclass(frozen=True)
class Backlog:
    inbox_pending: int
    inbox_failed: int
    outbox_pending: int
    outbox_failed: int


_COLUMNS = (
    "pair_enc, generation, access_expires_at, refresh_expires_at, obtained_at, authorized_at,"
    " refreshed_at, last_error, last_error_at, refused, failing_since, alerted_at"
)


async def get(tx: Tx) -> TokenRow | None:
    row = await tx.fetchone(f"SELECT {_COLUMNS} FROM zalo_tokens WHERE id = 1")
    if row is None:
        return None
    return TokenRow(
        pair_enc=bytes(row[0]),
        generation=int(row[1]),
        access_expires_at=row[2],
        refresh_expires_at=str(row[3]),
        obtained_at=str(row[4]),
        authorized_at=str(row[5]),
        refreshed_at=row[6],
        last_error=row[7],
        last_error_at=row[8],
        refused=bool(row[9]),
        failing_since=row[10],
        alerted_at=row[11],
    )


async def store_authorized(
    tx: Tx,
    pair_enc: bytes,
    *,
    access_expires_at: str | None,
    refresh_expires_at: str,
    at: str,
) -> int:
    """A pair (or a refresh token alone) an operator just authorized: it replaces whatever
    was stored and ends any failure streak. Returns the new generation."""
    await tx.execute(
        "INSERT INTO zalo_tokens(id, pair_enc, generation, access_expires_at,"
        " refresh_expires_at, obtained_at, authorized_at)"
        " VALUES (1, ?, 1, ?, ?, ?, ?)"
        " ON CONFLICT(id) DO UPDATE SET pair_enc = excluded.pair_enc,"
        " generation = zalo_tokens.generation + 1,"
        " access_expires_at = excluded.access_expires_at,"
        " refresh_expires_at = excluded.refresh_expires_at,"
        " obtained_at = excluded.obtained_at, authorized_at = excluded.authorized_at,"
        " last_error = NULL, last_error_at = NULL, refused = 0,"
        " failing_since = NULL, alerted_at = NULL",
        (pair_enc, access_expires_at, refresh_expires_at, at, at),
    )
    return int(await tx.scalar("SELECT generation FROM zalo_tokens WHERE id = 1"))


async def store_refreshed(
    tx: Tx,
    pair_enc: bytes,
    *,
    generation: int,
    access_expires_at: str,
    refresh_expires_at: str,
    at: str,
) -> bool:
    """The pair a refresh returned, replacing the one of ``generation`` (the one whose
    refresh token was spent). False when the row moved on meanwhile (an operator
    authorized anew): then the caller's pair is not the current one."""
    changed = await tx.execute(
        "UPDATE zalo_tokens SET pair_enc = ?, generation = generation + 1,"
        " access_expires_at = ?, refresh_expires_at = ?, obtained_at = ?, refreshed_at = ?,"
        " last_error = NULL, last_error_at = NULL, refused = 0,"
        " failing_since = NULL, alerted_at = NULL"
        " WHERE id = 1 AND generation = ?",
        (pair_enc, access_expires_at, refresh_expires_at, at, at, generation),
    )
    return changed == 1


async def record_failure(tx: Tx, *, generation: int, error: str, refused: bool, at: str) -> bool:
    """Note a failed refresh of ``generation``'s pair (the streak begins with the first).
    Returns whether this streak's alert is still to be sent."""
    await tx.execute(
        "UPDATE zalo_tokens SET last_error = ?, last_error_at = ?, refused = max(refused, ?),"
        " failing_since = coalesce(failing_since, ?) WHERE id = 1 AND generation = ?",
        (error[:300], at, int(refused), at, generation),
    )
    row = await tx.fetchone(
        "SELECT alerted_at FROM zalo_tokens WHERE id = 1 AND generation = ?", (generation,)
    )
    return row is not None and row[0] is None


async def mark_alerted(tx: Tx, at: str) -> None:
    await tx.execute("UPDATE zalo_tokens SET alerted_at = ? WHERE id = 1", (at,))


async def backlog(tx: Tx, channel: str) -> Backlog:
    """What waits for or on the channel: its inbox events not yet applied or set aside,
    and the outbox rows to its reporters (chosen by the reporter's channel)."""
    inbox = await tx.fetchone(
        "SELECT coalesce(sum(status = 'pending'), 0), coalesce(sum(status = 'failed'), 0)"
        " FROM inbox WHERE channel = ? AND status IN ('pending', 'failed')",
        (channel,),
    )
    out = await tx.fetchone(
        "SELECT coalesce(sum(o.status = 'pending'), 0), coalesce(sum(o.status = 'failed'), 0)"
        " FROM outbox o JOIN reporters r ON r.id = o.reporter_id"
        " WHERE r.channel = ? AND o.status IN ('pending', 'failed')",
        (channel,),
    )
    assert inbox is not None and out is not None
    return Backlog(int(inbox[0]), int(inbox[1]), int(out[0]), int(out[1]))
