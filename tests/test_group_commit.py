"""Group commit: transactions of a burst share one fsync, and nothing they caused leaves
the process before that fsync (DESIGN.md rule 1 still holds)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from storage.db import Database
from tests.dates import fixed_clock
from tests.harness import Harness
from tests.police import setup_unit


def committed_count(path: Path, sql: str) -> int:
    """What another connection (or the disk after a crash) sees."""
    with sqlite3.connect(path) as other:
        return int(other.execute(sql).fetchone()[0])


async def test_a_reply_is_on_disk_before_it_is_sent(h: Harness) -> None:
    citizen = h.citizen()
    path = Path(h.tinbao.settings.database_path)
    await h.tinbao.db.sync()
    h.tinbao.db.group_commit = 60.0  # no timer commits during the test: only the sender
    await h.tinbao.telegram.accept([h.updates.text(citizen.user, "/start")])
    await h.tinbao.inbox.drain()
    # applied and answered inside the open batch, not yet on disk, and not yet sent
    async with h.tinbao.db.read() as tx:
        assert await tx.scalar("SELECT COUNT(*) FROM outbox WHERE purpose = 'reply'") == 1
    assert committed_count(path, "SELECT COUNT(*) FROM outbox WHERE purpose = 'reply'") == 0
    assert citizen.messages() == []
    await h.flush()  # the sender commits the batch first, then sends
    assert committed_count(path, "SELECT COUNT(*) FROM outbox WHERE purpose = 'reply'") == 1
    assert "113" in citizen.last()


async def test_a_failed_unit_of_work_undoes_only_itself(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "g.db", clock=fixed_clock, group_commit=60)
    try:
        async with db.transaction("first") as tx:
            await tx.execute("INSERT INTO rate_hits(subject, kind, at) VALUES ('a','x','t')")
        with pytest.raises(RuntimeError):
            async with db.transaction("second") as tx:
                await tx.execute("INSERT INTO rate_hits(subject, kind, at) VALUES ('b','x','t')")
                raise RuntimeError("a handler failed")
        async with db.transaction("third") as tx:
            await tx.execute("INSERT INTO rate_hits(subject, kind, at) VALUES ('c','x','t')")
        assert committed_count(tmp_path / "g.db", "SELECT COUNT(*) FROM rate_hits") == 0
        await db.sync()
        assert db.syncs == 1  # three units of work, one commit to disk
        with sqlite3.connect(tmp_path / "g.db") as other:
            subjects = [r[0] for r in other.execute("SELECT subject FROM rate_hits ORDER BY 1")]
            keys = [r[0] for r in other.execute("SELECT key FROM processed_keys ORDER BY 1")]
        assert subjects == ["a", "c"] and keys == ["first", "third"]
    finally:
        await db.close()


async def test_no_outbox_row_holds_a_citizens_words_or_phone_in_clear(h: Harness) -> None:
    """Cards quote the description and, for a contactable citizen, the phone: they are
    sealed in the outbox like the citizen's own screens, and emptied once delivered."""
    await setup_unit(h)
    citizen = h.citizen()
    await h.driver.file_tip(
        citizen.user, text="Nhóm đối tượng bán ma túy ở quán Hoa Sữa.", phone="+84912345678"
    )
    async with h.tinbao.db.read() as tx:
        payloads = [str(r[0]) for r in await tx.fetchall("SELECT payload FROM outbox")]
    for payload in payloads:
        assert "Hoa Sữa" not in payload and "912345678" not in payload
