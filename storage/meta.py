"""Installation facts (table ``meta``): small values the start-up checks compare."""

from __future__ import annotations

from storage.db import Tx


async def get(tx: Tx, key: str) -> bytes | None:
    value = await tx.scalar("SELECT value FROM meta WHERE key = ?", (key,))
    if value is None:
        return None
    return value if isinstance(value, bytes) else str(value).encode()


async def put_new(tx: Tx, key: str, value: bytes) -> None:
    """Record a fact the first time only (a later start compares, never overwrites)."""
    await tx.execute("INSERT OR IGNORE INTO meta(key, value) VALUES (?, ?)", (key, value))


async def any_identity(tx: Tx) -> bytes | None:
    """One stored sealed identity, for databases from before the canary."""
    value = await tx.scalar(
        "SELECT identity_enc FROM reporters WHERE identity_enc IS NOT NULL LIMIT 1"
    )
    return value if isinstance(value, bytes) else None
