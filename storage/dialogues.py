"""SQL for persisted dialogues: one sealed draft per person, so a restart resumes it."""

from __future__ import annotations

from storage.db import Tx


async def load(tx: Tx, subject: str) -> tuple[str, bytes] | None:
    row = await tx.fetchone("SELECT step, state_enc FROM dialogues WHERE subject = ?", (subject,))
    return (row[0], row[1]) if row else None


async def save(tx: Tx, subject: str, step: str, state_enc: bytes) -> None:
    await tx.execute(
        "INSERT INTO dialogues(subject, step, state_enc, updated_at) VALUES (?,?,?,?)"
        " ON CONFLICT(subject) DO UPDATE SET step = excluded.step,"
        " state_enc = excluded.state_enc, updated_at = excluded.updated_at",
        (subject, step, state_enc, tx.now_text()),
    )


async def delete(tx: Tx, subject: str) -> None:
    await tx.execute("DELETE FROM dialogues WHERE subject = ?", (subject,))
