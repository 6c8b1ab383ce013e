"""SQL for reporters: sealed identity, blind index, pseudonym, language, and whether their
channel lets us write to them now (``last_inbound_at``, ``unreachable_since``: 0021)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from storage.db import Tx

PSEUDONYM_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


@dataclass(frozen=True)
class Reporter:
    id: int
    channel: str
    pseudonym: str
    language: str
    identity_enc: bytes | None
    phone_enc: bytes | None
    # their last message to us, kept where the channel has a reply window (Zalo); until a
    # second message, the first (a reporter is created by their first message)
    last_inbound_at: str | None = None
    unreachable_since: str | None = None  # their channel refuses our messages until they write


_COLUMNS = (
    "id, channel, pseudonym, language, identity_enc, phone_enc,"
    " COALESCE(last_inbound_at, created_at), unreachable_since"
)


async def find(tx: Tx, blind_index: str) -> Reporter | None:
    row = await tx.fetchone(
        f"SELECT {_COLUMNS} FROM reporters WHERE blind_index = ?",
        (blind_index,),
    )
    return Reporter(*row) if row else None


async def get(tx: Tx, reporter_id: int) -> Reporter | None:
    row = await tx.fetchone(
        f"SELECT {_COLUMNS} FROM reporters WHERE id = ?",
        (reporter_id,),
    )
    return Reporter(*row) if row else None


async def create(
    tx: Tx, *, channel: str, blind_index: str, identity_enc: bytes, language: str
) -> Reporter:
    """Insert with a fresh random pseudonym (retrying the rare collision)."""
    for _ in range(20):
        pseudonym = "".join(secrets.choice(PSEUDONYM_ALPHABET) for _ in range(4))
        taken = await tx.scalar("SELECT 1 FROM reporters WHERE pseudonym = ?", (pseudonym,))
        if not taken:
            break
    else:  # pragma: no cover - one in a million twenty times over
        raise RuntimeError("could not find a free pseudonym")
    now = tx.now_text()
    reporter_id = await tx.execute(
        "INSERT INTO reporters(channel, blind_index, identity_enc, pseudonym, language,"
        " created_at) VALUES (?,?,?,?,?,?)",
        (channel, blind_index, identity_enc, pseudonym, language, now),
    )
    return Reporter(reporter_id, channel, pseudonym, language, identity_enc, None, now)


async def update_identity(tx: Tx, reporter_id: int, identity_enc: bytes) -> None:
    await tx.execute(
        "UPDATE reporters SET identity_enc = ? WHERE id = ?", (identity_enc, reporter_id)
    )


async def set_language(tx: Tx, reporter_id: int, language: str) -> None:
    await tx.execute("UPDATE reporters SET language = ? WHERE id = ?", (language, reporter_id))


async def unchecked_chats(tx: Tx, after_id: int, limit: int) -> list[Reporter]:
    """Reporters whose sealed chat migration 0005 marked for the start-up repair pass."""
    rows = await tx.fetchall(
        f"SELECT {_COLUMNS} FROM reporters WHERE chat_checked = 0 AND id > ? ORDER BY id LIMIT ?",
        (after_id, limit),
    )
    return [Reporter(*row) for row in rows]


async def mark_chat_checked(tx: Tx, reporter_id: int, identity_enc: bytes | None) -> None:
    """Record the repair of one row: its re-sealed identity, if it had to change."""
    if identity_enc is not None:
        await update_identity(tx, reporter_id, identity_enc)
    await tx.execute("UPDATE reporters SET chat_checked = 1 WHERE id = ?", (reporter_id,))


async def wrote(tx: Tx, reporter_id: int, at: str) -> bool:
    """The reporter wrote to us at ``at``: their channel lets us answer again. Returns
    whether they were unreachable until now. An older time never moves the mark back
    (a late retry of an event applied after a newer one)."""
    row = await tx.fetchone("SELECT unreachable_since FROM reporters WHERE id = ?", (reporter_id,))
    await tx.execute(
        "UPDATE reporters SET unreachable_since = NULL,"
        " last_inbound_at = CASE WHEN last_inbound_at IS NULL OR last_inbound_at < ?"
        "  THEN ? ELSE last_inbound_at END WHERE id = ?",
        (at, at, reporter_id),
    )
    return bool(row and row[0] is not None)


async def mark_unreachable(tx: Tx, reporter_id: int, at: str) -> bool:
    """Their channel refuses our messages until they write again; whether that is news."""
    changed = await tx.execute(
        "UPDATE reporters SET unreachable_since = ? WHERE id = ? AND unreachable_since IS NULL",
        (at, reporter_id),
    )
    return changed > 0


async def purged_unreachable(tx: Tx) -> list[int]:
    """Unreachable reporters whose identity was purged since: they can never write again
    (nothing finds them), so what waits for them must end instead of waiting for ever."""
    rows = await tx.fetchall(
        "SELECT id FROM reporters WHERE unreachable_since IS NOT NULL AND identity_enc IS NULL"
    )
    return [int(r[0]) for r in rows]


async def clear_unreachable(tx: Tx, reporter_id: int) -> None:
    await tx.execute("UPDATE reporters SET unreachable_since = NULL WHERE id = ?", (reporter_id,))
