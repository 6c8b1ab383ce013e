"""SQL for reporters: sealed identity, blind index, pseudonym, language."""

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


async def find(tx: Tx, blind_index: str) -> Reporter | None:
    row = await tx.fetchone(
        "SELECT id, channel, pseudonym, language, identity_enc, phone_enc"
        " FROM reporters WHERE blind_index = ?",
        (blind_index,),
    )
    return Reporter(*row) if row else None


async def get(tx: Tx, reporter_id: int) -> Reporter | None:
    row = await tx.fetchone(
        "SELECT id, channel, pseudonym, language, identity_enc, phone_enc"
        " FROM reporters WHERE id = ?",
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
    reporter_id = await tx.execute(
        "INSERT INTO reporters(channel, blind_index, identity_enc, pseudonym, language,"
        " created_at) VALUES (?,?,?,?,?,?)",
        (channel, blind_index, identity_enc, pseudonym, language, tx.now_text()),
    )
    return Reporter(reporter_id, channel, pseudonym, language, identity_enc, None)


async def update_identity(tx: Tx, reporter_id: int, identity_enc: bytes) -> None:
    await tx.execute(
        "UPDATE reporters SET identity_enc = ? WHERE id = ?", (identity_enc, reporter_id)
    )


async def set_language(tx: Tx, reporter_id: int, language: str) -> None:
    await tx.execute("UPDATE reporters SET language = ? WHERE id = ?", (language, reporter_id))


async def unchecked_chats(tx: Tx, after_id: int, limit: int) -> list[Reporter]:
    """Reporters whose sealed chat migration 0005 marked for the start-up repair pass."""
    rows = await tx.fetchall(
        "SELECT id, channel, pseudonym, language, identity_enc, phone_enc FROM reporters"
        " WHERE chat_checked = 0 AND id > ? ORDER BY id LIMIT ?",
        (after_id, limit),
    )
    return [Reporter(*row) for row in rows]


async def mark_chat_checked(tx: Tx, reporter_id: int, identity_enc: bytes | None) -> None:
    """Record the repair of one row: its re-sealed identity, if it had to change."""
    if identity_enc is not None:
        await update_identity(tx, reporter_id, identity_enc)
    await tx.execute("UPDATE reporters SET chat_checked = 1 WHERE id = ?", (reporter_id,))
