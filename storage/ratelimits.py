"""SQL for persistent rate-limit hits (tips per hour, status-code guesses)."""

from __future__ import annotations

from storage.db import Tx


async def count_since(tx: Tx, subject: str, kind: str, since_text: str) -> int:
    value = await tx.scalar(
        "SELECT COUNT(*) FROM rate_hits WHERE subject = ? AND kind = ? AND at >= ?",
        (subject, kind, since_text),
    )
    return int(value or 0)


async def record(tx: Tx, subject: str, kind: str, at_text: str) -> None:
    await tx.execute(
        "INSERT INTO rate_hits(subject, kind, at) VALUES (?,?,?)", (subject, kind, at_text)
    )
