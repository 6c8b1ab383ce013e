"""SQL for purging personal data that has outlived its purpose (DESIGN.md rule 4)."""

from __future__ import annotations

from storage.db import Tx


async def purge_closed_tip_contacts(tx: Tx, closed_before: str) -> int:
    """The sealed phone of tips closed long ago; the tip and its audit trail stay."""
    return await tx.execute(
        "UPDATE tips SET contact_enc = NULL WHERE contact_enc IS NOT NULL"
        " AND status = 'closed' AND closed_at < ?",
        (closed_before,),
    )


async def purge_reporters(tx: Tx, closed_before: str, idle_before: str, at: str) -> int:
    """Forget who a reporter was once every tip of theirs is closed and old, and they
    have not been seen since: no identity, no blind index (so no re-linking), no phone."""
    return await tx.execute(
        "UPDATE reporters SET identity_enc = NULL, phone_enc = NULL, blind_index = NULL,"
        " purged_at = ? WHERE purged_at IS NULL AND created_at < ?"
        " AND NOT EXISTS (SELECT 1 FROM tips t WHERE t.reporter_id = reporters.id"
        "   AND (t.status != 'closed' OR t.closed_at >= ?))"
        " AND NOT EXISTS (SELECT 1 FROM tips t WHERE t.reporter_id = reporters.id"
        "   AND t.updated_at >= ?)",
        (at, idle_before, closed_before, idle_before),
    )


async def drop_stale_dialogues(tx: Tx, before: str) -> int:
    return await tx.execute("DELETE FROM dialogues WHERE updated_at < ?", (before,))


async def drop_old_keys(tx: Tx, before: str) -> int:
    deleted = await tx.execute("DELETE FROM processed_keys WHERE at < ?", (before,))
    return deleted + await tx.execute("DELETE FROM rate_hits WHERE at < ?", (before,))


async def drop_delivered_outbox(tx: Tx, before: str) -> int:
    """Delivered messages keep their texts in ``payload``; once old, only the fact stays.
    Rows a card or reply still points at are kept (their message ids are needed)."""
    return await tx.execute(
        "UPDATE outbox SET payload = '{}' WHERE status = 'sent' AND sent_at < ?"
        " AND payload != '{}'",
        (before,),
    )
