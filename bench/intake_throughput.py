"""Whole tip dialogues through the full tinbao stack, against a bare PTB bot.

Both run in this process over the same in-process fake Bot API: the bare bot echoes each
text (bench/bare_ptb.py), tinbao runs N complete citizen dialogues (/start to receipt,
15 updates each: SQLite transactions with synchronous=FULL, sealed drafts, place search,
outbox delivery of the receipt and the police card). Prints updates per second for both,
their ratio, and the database size per 1,000 tips.

Run: ``python bench/intake_throughput.py [tips]`` (default 300).
"""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from bench.bare_ptb import bare_throughput
from bench.common import bind_tam_chuc_queue, open_bench
from bot.clock import system_clock
from bot.places import sync_units
from handlers.telegram.fake.scripted import Driver
from handlers.telegram.fake.updates import FakeUser
from storage.db import Database

DESCRIPTION = (
    "Tối nay khoảng 21 giờ có nhóm 5-6 thanh niên đi xe máy không biển số tụ tập ở quán "
    "nước đầu thôn, nghi mua bán trái phép chất ma túy; có một người mặc áo khoác đen canh gác."
)


async def tinbao_throughput(tips: int, workdir: Path) -> tuple[float, int, int]:
    db_path = workdir / "bench.db"
    tinbao, api = await open_bench(db_path, rate_limiter=False)
    await tinbao.app.initialize()
    driver = Driver(tinbao, api)
    await bind_tam_chuc_queue(driver)
    updates_before = driver.updates.next_update_id()
    started = time.perf_counter()
    for i in range(tips):
        await driver.file_tip(FakeUser(100_000 + i, f"Dân {i}"), text=DESCRIPTION, flush=False)
        if i % 20 == 19:
            await tinbao.sender.flush()
    await tinbao.sender.flush()
    elapsed = time.perf_counter() - started
    n_updates = driver.updates.next_update_id() - updates_before - 1
    await tinbao.app.shutdown()
    await tinbao.db.close()
    with sqlite3.connect(db_path) as con:
        stored = con.execute("SELECT COUNT(*) FROM tips").fetchone()[0]
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = db_path.stat().st_size
    if stored != tips:
        raise RuntimeError(f"expected {tips} tips, found {stored}")
    return n_updates / elapsed, n_updates, size


async def main(tips: int) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="tinbao-bench-"))
    empty = workdir / "empty.db"
    db = await Database.open(empty, clock=system_clock)
    await sync_units(db, "Ninh Bình")
    await db.close()
    with sqlite3.connect(empty) as con:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    base_size = empty.stat().st_size
    rate, n_updates, size = await tinbao_throughput(tips, workdir)
    bare = await bare_throughput(n_updates)
    per_thousand = (size - base_size) / tips * 1000 / 1024 / 1024
    print(
        f"tinbao: {tips} whole dialogues = {n_updates} updates, {rate:,.0f} updates/s "
        f"({rate / (n_updates / tips):,.1f} tips/s)"
    )
    print(f"bare PTB echo, same fake transport, {n_updates} updates: {bare:,.0f} updates/s")
    print(f"ratio tinbao / bare: {rate / bare:.2f}")
    print(
        f"database: {size / 1024 / 1024:.2f} MiB with {tips} tips; "
        f"{per_thousand:.2f} MiB per 1,000 tips above the empty province database"
    )
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 300))
