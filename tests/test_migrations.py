"""The migration runner: numbered files applied once, in order, never out of order."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage.db import Database, Migration, bundled_migrations
from tests.dates import fixed_clock


def test_bundled_migrations_are_numbered_uniquely_in_order() -> None:
    versions = [m.version for m in bundled_migrations()]
    assert versions[0] == 1 and versions == sorted(set(versions))


async def test_a_migration_older_than_the_newest_applied_is_refused(tmp_path: Path) -> None:
    """Parallel branches number their migrations ahead (one owns 0005 while another
    writes 0006). A database that already has 0006 must not get 0005 afterwards,
    silently out of order: start-up stops and names the file."""
    first = Migration(1, "0001_a.sql", "CREATE TABLE a (x INTEGER);")
    late = Migration(2, "0002_b.sql", "CREATE TABLE b (x INTEGER);")
    ahead = Migration(3, "0003_c.sql", "CREATE TABLE c (x INTEGER);")
    db = await Database.open(tmp_path / "m.db", clock=fixed_clock, migrate=False)
    try:
        assert await db.migrate([first, ahead]) == [1, 3]
        with pytest.raises(RuntimeError, match=r"0002_b\.sql"):
            await db.migrate([first, late, ahead])
        async with db.read() as tx:
            assert await tx.scalar("SELECT COUNT(*) FROM sqlite_master WHERE name = 'b'") == 0
    finally:
        await db.close()
