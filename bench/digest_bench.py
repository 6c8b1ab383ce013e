"""Issue 4 figures: how long a digest takes to compute, and the memory it needs.

A digest is computed inside one read snapshot, which holds the database lock: while it
runs, citizens' tips wait. So the figure that matters is the compute time on a large
file. For each size the bench fills a fresh database with scripts/generate_tips.py
(two years of tips over 129 communes), then times, best and median of several runs:

* the daily digest (compute + render), the weekly (with its chart data), the monthly;
* the per-commune morning lists; one deadline sweep; a yearly /report;
* the whole start-up catch-up (compute, render, chart, CSV, outbox rows);
* peak Python memory of a daily digest (tracemalloc) and the process's peak RSS.

Run: ``python -m bench.digest_bench`` (1,000 tips) or ``python -m bench.digest_bench
--million`` (also 1,000,000; the fill takes a minute or two and ~1 GB of disk).
``--workdir DIR`` keeps the files and reuses them on the next run.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.clock import FakeClock
from bot.deadlines import sweep
from bot.digests import (
    DAILY,
    MONTHLY,
    WEEKLY,
    DigestServices,
    catch_up,
    compute,
    compute_unit_lists,
    latest_run,
    render,
)
from bot.reports import build, parse_period, render_report
from config.settings import DEMO_TOKEN, Settings
from scripts.generate_tips import fill
from storage.db import Database

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
START = datetime(2024, 12, 1, 17, tzinfo=UTC)  # 1 December 2024, 00:00 in the province
END = datetime(2026, 11, 30, 17, tzinfo=UTC)  # 1 December 2026, 00:00
NOW = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)  # 07:00 in the province: every digest due


def settings() -> Settings:
    return Settings(
        bot_token=DEMO_TOKEN,  # type: ignore[arg-type]
        secret_key="AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",  # type: ignore[arg-type]
        timezone="Asia/Ho_Chi_Minh",
        _env_file=None,  # type: ignore[call-arg]
    )


def file_size(path: Path) -> int | None:
    return path.stat().st_size if path.exists() else None


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


async def timed(label: str, runs: int, action: Callable[[], Awaitable[Any]]) -> None:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        await action()
        times.append(time.perf_counter() - started)
    print(
        f"  {label:<40} best {min(times) * 1000:9.1f} ms   median"
        f" {statistics.median(times) * 1000:9.1f} ms   ({runs} runs)"
    )


async def bench(path: Path, tips: int, runs: int) -> None:
    print(f"\n== {tips:,} tips ({path})")
    if file_size(path) is None:
        started = time.perf_counter()
        events = await fill(path, tips=tips, start=START, end=END, now=NOW, seed=4)
        took = time.perf_counter() - started
        print(f"  generated {tips:,} tips and {events:,} events in {took:.1f} s")
    print(f"  database file: {(file_size(path) or 0) / 1e6:,.0f} MB")
    s = settings()
    db = await Database.open(path, clock=lambda: NOW)
    try:
        async with db.transaction() as tx:  # a reused file: forget what a previous run sent
            for sql in (
                "DELETE FROM digest_log",
                "DELETE FROM outbox_files",
                "DELETE FROM outbox",
                "DELETE FROM tip_events WHERE action IN ('reminded', 'escalated')",
            ):
                await tx.execute(sql)
        async with db.read() as tx:
            counts = await tx.fetchall("SELECT status, COUNT(*) FROM tips GROUP BY 1 ORDER BY 1")
        print("  tips by status: " + ", ".join(f"{r[0]} {r[1]:,}" for r in counts))
        daily = latest_run(DAILY, s, NOW)[1]
        weekly = latest_run(WEEKLY, s, NOW)[1]
        monthly = latest_run(MONTHLY, s, NOW)[1]

        async def daily_digest() -> None:
            render(await compute(db, s, daily, NOW), s)

        digest = await compute(db, s, daily, NOW)
        rendered = render(digest, s)
        print(
            f"  daily digest of {daily.key}: {digest.new_total:,} new,"
            f" {len(digest.overdue_ack):,} overdue, {len(digest.verification):,} on the"
            f" verification watch; text {len(rendered.text)} chars,"
            f" CSV {len(rendered.csv or b''):,} bytes"
        )
        await timed("daily digest (compute + render)", runs, daily_digest)
        await timed("weekly digest data", runs, lambda: compute(db, s, weekly, NOW))
        await timed("monthly digest data", runs, lambda: compute(db, s, monthly, NOW))
        await timed("morning lists of every commune", runs, lambda: compute_unit_lists(db, s, NOW))
        year = parse_period(["year", "2026"], NOW, TZ)

        async def yearly_report() -> None:
            render_report(await build(db, s, year, NOW), s)

        await timed("/report year 2026", runs, yearly_report)
        started = time.perf_counter()
        result = await sweep(db, s, NOW)
        took = time.perf_counter() - started
        print(
            f"  {'deadline sweep, first (writes rungs)':<40} {took * 1000:9.1f} ms"
            f"   ({len(result.reminded)} reminders, {len(result.escalated)} escalations)"
        )
        await timed("deadline sweep, nothing due", runs, lambda: sweep(db, s, NOW))

        services = DigestServices(db, s, FakeClock(NOW), lambda: None)
        started = time.perf_counter()
        sent = await catch_up(services, NOW)
        took = time.perf_counter() - started
        rows = sum(len(x.outbox_ids) for x in sent)
        print(
            f"  {'start-up catch-up (all kinds, charts)':<40} {took * 1000:9.1f} ms"
            f"   ({len(sent)} recipients, {rows} outbox rows)"
        )

        tracemalloc.start()
        await daily_digest()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"  peak Python memory of a daily digest: {peak / 1e6:,.1f} MB (tracemalloc)")
        print(f"  peak RSS of the process so far: {rss_mb():,.0f} MB")
    finally:
        await db.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description="digest computation time and memory")
    parser.add_argument("--million", action="store_true", help="also 1,000,000 tips")
    parser.add_argument("--workdir", type=Path, default=None, help="keep and reuse databases")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="tinbao-digest-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"baseline RSS after imports: {rss_mb():,.0f} MB")
    sizes = [1_000] + ([1_000_000] if args.million else [])
    for tips in sizes:
        await bench(workdir / f"digest_{tips}.db", tips, args.runs)


if __name__ == "__main__":
    asyncio.run(main())
