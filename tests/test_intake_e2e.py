from __future__ import annotations

from tests.harness import Harness, file_tip


async def test_happy_path_gives_receipt_after_commit(h: Harness) -> None:
    citizen = h.citizen()
    code = await file_tip(citizen, photos=2)
    async with h.tinbao.db.read() as tx:
        row = await tx.fetchone("SELECT category, status, description FROM tips")
        files = await tx.scalar("SELECT COUNT(*) FROM tip_attachments")
    assert row is not None and row[0] == "crime" and row[1] == "new"
    assert files == 2
    assert len(code.replace("-", "")) == 12
