"""Issue 4 and 9 figures: digests, /report and exports as the history grows.

A digest or a report reads one period; what it costs should depend on that period's
volume, not on how many tips the file has gathered over the years. So the bench builds
two files that hold **the same year** of tips (2026 to 1 December, ``--per-day`` tips a
day, 1,370 by default: a million over two years, the volume the issue measured at) on
top of **different histories** (1,000 tips, or 1,000,000 with ``--million``, 10,000
without) received before 2026 at the same daily volume. The year is generated from the
same random stream in both files, so the digests and reports of both read identical
periods. For each file it times, best and median of ``--runs`` runs:

* the daily digest of 30 November, the weekly of 23-29 November, the monthly of
  November (compute + render, as :func:`bot.digests.send_digest` does before the chart);
* ``/report month 11/2026`` and ``/report year 2026`` (build + render);
* the export rows of November (:func:`bot.exports.load`), and once a whole XLSX export
  of November with the longest stall of the event loop meanwhile (a heartbeat task);
* the morning lists, the deadline sweep, the start-up catch-up, memory;

then a table of the medians with the ratio of the big history to the small one (the
issue's goal: within 2x).

Run: ``python -m bench.digest_bench`` (histories of 1,000 and 10,000 tips) or
``python -m bench.digest_bench --million`` (1,000 and 1,000,000; the fill takes a few
minutes and ~2 GB of disk). ``--workdir DIR`` keeps the files and reuses them on the next
run; a file made by older code is migrated when opened, and the time that took is shown.
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
from datetime import UTC, datetime, timedelta
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
from bot.exports import load, send_export
from bot.reports import build, parse_period, render_report
from config.settings import DEMO_TOKEN, Settings
from scripts.generate_tips import fill
from storage.db import Database

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
YEAR_START = datetime(2025, 12, 31, 17, tzinfo=UTC)  # 1 January 2026, 00:00 in the province
END = datetime(2026, 11, 30, 17, tzinfo=UTC)  # 1 December 2026, 00:00
NOW = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)  # 07:00 in the province: every digest due
NOVEMBER = (datetime(2026, 10, 31, 17, tzinfo=UTC), END)
SUPERVISORS_CHAT = -2_000_000_002  # made by scripts/generate_tips.py
PER_DAY = 1_370  # 1,000,000 tips over two years


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


async def timed(label: str, runs: int, action: Callable[[], Awaitable[Any]]) -> tuple[float, float]:
    """Prints best and median; returns both, in seconds."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        await action()
        times.append(time.perf_counter() - started)
    median = statistics.median(times)
    print(
        f"  {label:<40} best {min(times) * 1000:9.1f} ms   median"
        f" {median * 1000:9.1f} ms   ({runs} runs)"
    )
    return min(times), median


async def with_heartbeat(action: Callable[[], Awaitable[Any]]) -> tuple[float, float, int]:
    """(seconds the action took, longest gap between two heartbeats, heartbeats): a task
    that asks to wake every millisecond shows how long the event loop was held."""
    gaps: list[float] = []
    running = True

    async def beat() -> None:
        last = time.perf_counter()
        while running:
            await asyncio.sleep(0.001)
            moment = time.perf_counter()
            gaps.append(moment - last)
            last = moment

    task = asyncio.create_task(beat())
    await asyncio.sleep(0.01)
    gaps.clear()
    started = time.perf_counter()
    await action()
    took = time.perf_counter() - started
    running = False
    await task
    return took, max(gaps, default=0.0), len(gaps)


async def make(path: Path, history: int, per_day: int) -> None:
    """History first (older tips, lower ids, as in a real file), then the year."""
    year_tips = per_day * (END - YEAR_START).days
    started = time.perf_counter()
    events = await fill(
        path,
        tips=history,
        start=YEAR_START - timedelta(days=history / per_day),
        end=YEAR_START,
        now=NOW,
        seed=4,
    )
    events += await fill(
        path, tips=year_tips, start=YEAR_START, end=END, now=NOW, seed=4, stream="year-2026"
    )
    took = time.perf_counter() - started
    print(f"  generated {history + year_tips:,} tips and {events:,} events in {took:.1f} s")


async def bench(
    path: Path, history: int, per_day: int, runs: int
) -> dict[str, tuple[float, float]]:
    print(f"\n== history of {history:,} tips before 2026, then 2026 at {per_day:,} a day ({path})")
    if file_size(path) is None:
        await make(path, history, per_day)
    print(f"  database file: {(file_size(path) or 0) / 1e6:,.0f} MB")
    s = settings()
    found: dict[str, tuple[float, float]] = {}  # best, median
    started = time.perf_counter()
    db = await Database.open(path, clock=lambda: NOW, migrate=False)
    applied = await db.migrate()
    if applied:
        took = time.perf_counter() - started
        print(f"  migrations {applied} applied to this file in {took:.1f} s")
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
            year = await tx.scalar("SELECT COUNT(*) FROM tips WHERE created_at >= '2025-12-31 17'")
        print("  tips by status: " + ", ".join(f"{r[0]} {r[1]:,}" for r in counts))
        print(f"  received in 2026: {year:,}")
        daily = latest_run(DAILY, s, NOW)[1]
        weekly = latest_run(WEEKLY, s, NOW)[1]
        monthly = latest_run(MONTHLY, s, NOW)[1]

        def digest_of(period: Any) -> Callable[[], Awaitable[None]]:
            async def run() -> None:
                render(await compute(db, s, period, NOW), s)

            return run

        digest = await compute(db, s, daily, NOW)
        rendered = render(digest, s)
        print(
            f"  daily digest of {daily.key}: {digest.new_total:,} new,"
            f" {len(digest.overdue_ack):,} overdue, {len(digest.verification):,} on the"
            f" verification watch; text {len(rendered.text)} chars,"
            f" CSV {len(rendered.csv or b''):,} bytes"
        )
        found["daily digest"] = await timed("daily digest", runs, digest_of(daily))
        found["weekly digest"] = await timed("weekly digest", runs, digest_of(weekly))
        found["monthly digest"] = await timed("monthly digest", runs, digest_of(monthly))
        for words, label in ((["month", "11/2026"], "month"), (["year", "2026"], "year")):
            period = parse_period(words, NOW, TZ)

            async def report(period: Any = period) -> None:
                render_report(await build(db, s, period, NOW), s)

            found[f"/report {label}"] = await timed(f"/report {' '.join(words)}", runs, report)
        rows = await load(db, *NOVEMBER)
        found["export rows"] = await timed(
            f"export rows of November ({len(rows):,})", runs, lambda: load(db, *NOVEMBER)
        )

        async def export() -> None:
            await send_export(
                db, s, chat_id=SUPERVISORS_CHAT, start=NOVEMBER[0], end=NOVEMBER[1], now=NOW
            )

        took, stall, beats = await with_heartbeat(export)
        found["export XLSX (once)"] = (took, took)
        print(
            f"  {'export of November as XLSX (once)':<40} {took * 1000:9.1f} ms"
            f"   longest event-loop stall {stall * 1000:,.1f} ms ({beats:,} heartbeats)"
        )
        found["export: loop stall"] = (stall, stall)
        await timed("morning lists of every commune", runs, lambda: compute_unit_lists(db, s, NOW))
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
        outbox_rows = sum(len(x.outbox_ids) for x in sent)
        print(
            f"  {'start-up catch-up (all kinds, charts)':<40} {took * 1000:9.1f} ms"
            f"   ({len(sent)} recipients, {outbox_rows} outbox rows)"
        )

        tracemalloc.start()
        await digest_of(daily)()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"  peak Python memory of a daily digest: {peak / 1e6:,.1f} MB (tracemalloc)")
        print(f"  peak RSS of the process so far: {rss_mb():,.0f} MB")
    finally:
        await db.close()
    return found


async def main() -> None:
    parser = argparse.ArgumentParser(description="digests, reports and exports vs history")
    parser.add_argument("--million", action="store_true", help="a history of 1,000,000 tips")
    parser.add_argument("--workdir", type=Path, default=None, help="keep and reuse databases")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--per-day", type=int, default=PER_DAY, help="tips a day")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="tinbao-digest-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"baseline RSS after imports: {rss_mb():,.0f} MB")
    small, big = 1_000, 1_000_000 if args.million else 10_000
    found = {}
    for history in (small, big):
        path = workdir / f"history_{history}_{args.per_day}.db"
        found[history] = await bench(path, history, args.per_day, args.runs)
    print(f"\n== history {small:,} vs {big:,} tips, the same 2026 in both: best (median) ms")
    for item, (fast, fast_median) in found[small].items():
        slow, slow_median = found[big][item]
        print(
            f"  {item:<20} {fast * 1000:9.1f} ({fast_median * 1000:9.1f})"
            f" {slow * 1000:9.1f} ({slow_median * 1000:9.1f})"
            f"   ratio {slow / fast if fast else float('nan'):5.2f}"
            f" ({slow_median / fast_median if fast_median else float('nan'):5.2f})"
        )


if __name__ == "__main__":
    asyncio.run(main())
