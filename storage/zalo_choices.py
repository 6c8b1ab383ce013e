"""SQL for the options last shown to a Zalo citizen (migration 0023): one row a reporter,
replaced when a new screen is shown."""

from __future__ import annotations

from storage.db import Tx


async def get(tx: Tx, reporter_id: int) -> bytes | None:
    """The sealed options, or None when none were recorded."""
    value = await tx.scalar(
        "SELECT options_enc FROM zalo_choices WHERE reporter_id = ?", (reporter_id,)
    )
    return bytes(value) if value is not None else None


async def put(tx: Tx, reporter_id: int, outbox_id: int, options_enc: bytes) -> None:
    await tx.execute(
        "INSERT INTO zalo_choices(reporter_id, outbox_id, options_enc, shown_at) VALUES (?,?,?,?)"
        " ON CONFLICT(reporter_id) DO UPDATE SET outbox_id = excluded.outbox_id,"
        " options_enc = excluded.options_enc, shown_at = excluded.shown_at",
        (reporter_id, outbox_id, options_enc, tx.now_text()),
    )
