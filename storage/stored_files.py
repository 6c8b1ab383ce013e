"""SQL for evidence bytes kept in the database (migrations 0023, 0027): what a Zalo
citizen sent, downloaded before its URL expired, until the police group has it.

The file's bytes and its own name are sealed together (``seal``/``open_`` are the
province key's :meth:`bot.crypto.IdentityBox.seal_bytes`/``open_bytes``, handed in: this
module knows SQL, not keys), bound to the row's name, so a copied database file shows
neither a citizen's photo nor the name of a document they sent (often their own name).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from storage.db import Tx

PREFIX = "stored:"
"""How a file id names one of these files (Telegram's own file ids have no colon)."""

Sealer = Callable[..., bytes]
"""``seal(data, context=...)`` or ``open(blob, context=...)``."""


@dataclass(frozen=True)
class StoredFile:
    name: str
    kind: str
    mime_type: str | None
    filename: str
    size_bytes: int
    sha256: str  # a keyed digest (no plain hash that would confirm a known picture)
    data: bytes


def is_stored(file_id: str | None) -> bool:
    return bool(file_id) and str(file_id).startswith(PREFIX)


def _context(name: str) -> str:
    return "stored_file:" + name


def _pack(filename: str, data: bytes) -> bytes:
    encoded = filename.encode("utf-8", "surrogatepass")[:1000]
    return len(encoded).to_bytes(2, "big") + encoded + data


def _unpack(plain: bytes) -> tuple[str, bytes]:
    size = int.from_bytes(plain[:2], "big")
    return plain[2 : 2 + size].decode("utf-8", "replace"), plain[2 + size :]


async def put(tx: Tx, file: StoredFile, *, seal: Sealer) -> None:
    """Kept once under its name: the same event applied again stores nothing new."""
    blob = seal(_pack(file.filename, file.data), context=_context(file.name))
    await tx.execute(
        "INSERT OR IGNORE INTO stored_files"
        "(name, kind, mime_type, filename, size_bytes, sha256, data, created_at, sealed)"
        " VALUES (?,?,?,?,?,?,?,?,1)",
        (
            file.name,
            file.kind,
            file.mime_type,
            "",  # inside the sealed data
            file.size_bytes,
            file.sha256,
            blob,
            tx.now_text(),
        ),
    )


async def get(tx: Tx, name: str, *, open_: Sealer) -> StoredFile | None:
    """The file opened; raises when the blob does not open (another key, altered)."""
    row = await tx.fetchone(
        "SELECT name, kind, mime_type, filename, size_bytes, sha256, data, sealed"
        " FROM stored_files WHERE name = ?",
        (name,),
    )
    if row is None:
        return None
    filename, data = str(row[3]), bytes(row[6])
    if row[7]:
        filename, data = _unpack(open_(data, context=_context(name)))
    return StoredFile(
        str(row[0]),
        str(row[1]),
        None if row[2] is None else str(row[2]),
        filename,
        int(row[4]),
        str(row[5]),
        data,
    )


async def drop_unfiled(tx: Tx, before: str) -> int:
    """Files of dialogues never finished (no tip holds them) once older than ``before``:
    a filed tip's evidence stays with the tip, as Telegram's files stay at Telegram."""
    return await tx.execute(
        "DELETE FROM stored_files WHERE created_at < ?"
        " AND name NOT IN (SELECT file_id FROM tip_attachments)",
        (before,),
    )
