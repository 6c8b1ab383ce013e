"""SQL for evidence bytes kept in the database (migration 0023): what a Zalo citizen sent,
downloaded before its URL expired, until the police group has it."""

from __future__ import annotations

from dataclasses import dataclass

from storage.db import Tx

PREFIX = "stored:"
"""How a file id names one of these files (Telegram's own file ids have no colon)."""


@dataclass(frozen=True)
class StoredFile:
    name: str
    kind: str
    mime_type: str | None
    filename: str
    size_bytes: int
    sha256: str
    data: bytes


def is_stored(file_id: str | None) -> bool:
    return bool(file_id) and str(file_id).startswith(PREFIX)


async def put(tx: Tx, file: StoredFile) -> None:
    """Kept once under its name: the same event applied again stores nothing new."""
    await tx.execute(
        "INSERT OR IGNORE INTO stored_files"
        "(name, kind, mime_type, filename, size_bytes, sha256, data, created_at)"
        " VALUES (?,?,?,?,?,?,?,?)",
        (
            file.name,
            file.kind,
            file.mime_type,
            file.filename,
            file.size_bytes,
            file.sha256,
            file.data,
            tx.now_text(),
        ),
    )


async def get(tx: Tx, name: str) -> StoredFile | None:
    row = await tx.fetchone(
        "SELECT name, kind, mime_type, filename, size_bytes, sha256, data"
        " FROM stored_files WHERE name = ?",
        (name,),
    )
    if row is None:
        return None
    return StoredFile(
        str(row[0]),
        str(row[1]),
        None if row[2] is None else str(row[2]),
        str(row[3]),
        int(row[4]),
        str(row[5]),
        bytes(row[6]),
    )


async def drop_unfiled(tx: Tx, before: str) -> int:
    """Files of dialogues never finished (no tip holds them) once older than ``before``:
    a filed tip's evidence stays with the tip, as Telegram's files stay at Telegram."""
    return await tx.execute(
        "DELETE FROM stored_files WHERE created_at < ?"
        " AND name NOT IN (SELECT file_id FROM tip_attachments)",
        (before,),
    )
