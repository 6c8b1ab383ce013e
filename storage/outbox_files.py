"""SQL of the files an outbox row carries (a digest's chart and list, an export, a wanted
notice's photo): written with the row in its transaction, uploaded when it is sent, and
forgotten once it is."""

from __future__ import annotations

from dataclasses import dataclass

from storage.db import Tx


@dataclass(frozen=True)
class OutboxFile:
    field: str  # the Bot API parameter: 'photo', 'document'
    filename: str
    data: bytes


async def attach_file(tx: Tx, outbox_id: int, field: str, filename: str, data: bytes) -> None:
    """Bytes a row shows as its file (``field``: the file's kind, a photo or a document),
    uploaded when it is sent; written in the row's own transaction."""
    await tx.execute(
        "INSERT INTO outbox_files(outbox_id, field, filename, data) VALUES (?,?,?,?)",
        (outbox_id, field, filename, data),
    )


async def files_for(tx: Tx, outbox_id: int) -> list[OutboxFile]:
    rows = await tx.fetchall(
        "SELECT field, filename, data FROM outbox_files WHERE outbox_id = ? ORDER BY field",
        (outbox_id,),
    )
    return [OutboxFile(str(r[0]), str(r[1]), bytes(r[2])) for r in rows]


async def drop_files(tx: Tx, outbox_id: int) -> None:
    """Forget the bytes once the row is sent (call with ``mark_sent``): a year of charts
    and lists should not live on in the database as blobs nobody reads."""
    await tx.execute("DELETE FROM outbox_files WHERE outbox_id = ?", (outbox_id,))
