"""SQL for the options last shown to a Zalo citizen (migration 0023): one row a reporter,
replaced when a new screen is shown, extended by the rows of the same answer."""

from __future__ import annotations

from dataclasses import dataclass

from storage.db import Tx


@dataclass(frozen=True)
class Recorded:
    batch: str  # created_at of the outbox rows that set it
    options_enc: bytes


async def get(tx: Tx, reporter_id: int) -> Recorded | None:
    row = await tx.fetchone(
        "SELECT batch, options_enc FROM zalo_choices WHERE reporter_id = ?", (reporter_id,)
    )
    return Recorded(str(row[0]), bytes(row[1])) if row else None


async def put(tx: Tx, reporter_id: int, batch: str, options_enc: bytes) -> None:
    await tx.execute(
        "INSERT INTO zalo_choices(reporter_id, batch, options_enc, shown_at) VALUES (?,?,?,?)"
        " ON CONFLICT(reporter_id) DO UPDATE SET batch = excluded.batch,"
        " options_enc = excluded.options_enc, shown_at = excluded.shown_at",
        (reporter_id, batch, options_enc, tx.now_text()),
    )


async def batch_of(tx: Tx, outbox_id: int) -> str | None:
    """The rows one answer wrote share their ``created_at`` (one transaction, one time)."""
    value = await tx.scalar("SELECT created_at FROM outbox WHERE id = ?", (outbox_id,))
    return str(value) if value is not None else None
