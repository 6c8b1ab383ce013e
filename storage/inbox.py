"""SQL for the inbox: incoming events kept from the moment they arrive until handled.

An event's ``event_key`` is also the idempotency key of the transaction that applies it
(see :meth:`storage.db.Database.transaction`), which marks the row done in that same
transaction: an event is either fully applied and done, or pending and applied again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from storage.db import Tx


@dataclass(frozen=True)
class InboxRow:
    id: int
    channel: str
    event_key: str
    lane: str
    raw_enc: bytes
    attempts: int = 0
    next_attempt_at: str | None = None  # after a failure: not before then


@dataclass(frozen=True)
class Arrival:
    """One event to store: its key, its lane (chat) and its sealed body."""

    event_key: str
    lane: str
    raw_enc: bytes


async def store(tx: Tx, channel: str, arrivals: Iterable[Arrival]) -> int:
    """Insert what is new; an event seen before (redelivered by the platform) is ignored,
    whatever became of it. Returns how many rows were new."""
    added = 0
    at = tx.now_text()
    for arrival in arrivals:
        await tx.execute(
            "INSERT OR IGNORE INTO inbox(channel, event_key, lane, raw_enc, received_at)"
            " VALUES (?,?,?,?,?)",
            (channel, arrival.event_key, arrival.lane, arrival.raw_enc, at),
        )
        added += int(await tx.scalar("SELECT changes()") or 0)
    return added


async def pending(tx: Tx, limit: int = 500, after_id: int = 0) -> list[InboxRow]:
    rows = await tx.fetchall(
        "SELECT id, channel, event_key, lane, raw_enc, attempts, next_attempt_at FROM inbox"
        " WHERE status = 'pending' AND id > ? ORDER BY id LIMIT ?",
        (after_id, limit),
    )
    return [InboxRow(*row) for row in rows]


async def mark_done(tx: Tx, event_key: str) -> int:
    """Done, and the body forgotten: what it caused is in the tables it changed."""
    return await tx.execute(
        "UPDATE inbox SET status = 'done', raw_enc = NULL, done_at = ?"
        " WHERE event_key = ? AND status = 'pending'",
        (tx.now_text(), event_key),
    )


async def mark_refused(tx: Tx, event_key: str, error: str) -> int:
    """Could not be read: kept (sealed) for a person to look at, never tried again."""
    return await tx.execute(
        "UPDATE inbox SET status = 'refused', done_at = ?, error = ?"
        " WHERE event_key = ? AND status = 'pending'",
        (tx.now_text(), error[:300], event_key),
    )


async def mark_retry(tx: Tx, event_key: str, error: str, next_attempt_at: str) -> int:
    """Its handler failed before committing: left pending, tried again from then."""
    return await tx.execute(
        "UPDATE inbox SET attempts = attempts + 1, next_attempt_at = ?, error = ?"
        " WHERE event_key = ? AND status = 'pending'",
        (next_attempt_at, error[:300], event_key),
    )


async def mark_failed(tx: Tx, event_key: str, error: str) -> int:
    """Its handler failed every time: set aside (sealed) for a person, not tried again.
    Returns 0 when the event was applied after all (its effects committed meanwhile)."""
    return await tx.execute(
        "UPDATE inbox SET status = 'failed', attempts = attempts + 1, done_at = ?, error = ?"
        " WHERE event_key = ? AND status = 'pending'",
        (tx.now_text(), error[:300], event_key),
    )


async def counts(tx: Tx) -> dict[str, int]:
    rows = await tx.fetchall("SELECT status, COUNT(*) FROM inbox GROUP BY status")
    return {str(status): int(n) for status, n in rows}


async def drop_handled_before(tx: Tx, before: str) -> int:
    """Keys of handled events are kept a while so a late redelivery is still recognised."""
    return await tx.execute(
        "DELETE FROM inbox WHERE status = 'done' AND done_at < ?",
        (before,),
    )
