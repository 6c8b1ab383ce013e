"""SQL for the web page's one-time login links and its sessions (migration 0020)."""

from __future__ import annotations

from dataclasses import dataclass

from storage.db import Tx


@dataclass(frozen=True)
class Session:
    officer_id: int
    expires_at: str


async def insert_link(tx: Tx, nonce: str, officer_id: int, at: str, expires_at: str) -> None:
    await tx.execute(
        "INSERT INTO web_login_links(nonce, officer_id, created_at, expires_at) VALUES (?,?,?,?)",
        (nonce, officer_id, at, expires_at),
    )


async def use_link(tx: Tx, nonce: str, officer_id: int, at: str) -> bool:
    """Marks the link used; False when it is unknown, someone else's or used before."""
    changed = await tx.execute(
        "UPDATE web_login_links SET used_at = ?"
        " WHERE nonce = ? AND officer_id = ? AND used_at IS NULL",
        (at, nonce, officer_id),
    )
    return changed == 1


async def link_unused(tx: Tx, nonce: str, officer_id: int) -> bool:
    """True while the link is known, the officer's and not yet used (a look, no write)."""
    row = await tx.fetchone(
        "SELECT 1 FROM web_login_links WHERE nonce = ? AND officer_id = ? AND used_at IS NULL",
        (nonce, officer_id),
    )
    return row is not None


async def insert_session(
    tx: Tx, token_hash: str, officer_id: int, at: str, expires_at: str
) -> None:
    await tx.execute(
        "INSERT INTO web_sessions(token_hash, officer_id, created_at, expires_at) VALUES (?,?,?,?)",
        (token_hash, officer_id, at, expires_at),
    )


async def live_session(tx: Tx, token_hash: str, now: str) -> Session | None:
    """The session, if not ended, not expired, and its officer still active."""
    row = await tx.fetchone(
        "SELECT s.officer_id, s.expires_at FROM web_sessions s"
        " JOIN officers o ON o.id = s.officer_id"
        " WHERE s.token_hash = ? AND s.ended_at IS NULL AND s.expires_at > ? AND o.active = 1",
        (token_hash, now),
    )
    return Session(int(row[0]), str(row[1])) if row else None


async def end_session(tx: Tx, token_hash: str, at: str) -> None:
    await tx.execute(
        "UPDATE web_sessions SET ended_at = ? WHERE token_hash = ? AND ended_at IS NULL",
        (at, token_hash),
    )
