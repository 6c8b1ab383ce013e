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
* the export rows of November (:func:`bot.exports.load`);

each run alternately on both files, with the ratio of the big history to the small one
(the issue's goal: within 2x); then for each file once a whole XLSX export of November
with the longest stall of the event loop meanwhile (a heartbeat task), the morning
lists, the deadline sweep, the start-up catch-up and memory.

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
from bot.digest_figures import compute
from bot.digest_periods import DAILY, MONTHLY, WEEKLY, latest_run
from bot.digest_text import render
from bot.digests import DigestServices, catch_up
from bot.exports import load, send_export
from bot.reports import build, parse_period, render_report
from bot.unit_lists import compute_unit_lists
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


async def open_file(path: Path, history: int, per_day: int) -> Database:
    """The file of a history, made if missing, migrated if older, reset if reused."""
    print(f"\n== history of {history:,} tips before 2026, then 2026 at {per_day:,} a day ({path})")
    if file_size(path) is None:
        await make(path, history, per_day)
    print(f"  database file: {(file_size(path) or 0) / 1e6:,.0f} MB")
    started = time.perf_counter()
    db = await Database.open(path, clock=lambda: NOW, migrate=False)
    applied = await db.migrate()
    if applied:
        took = time.perf_counter() - started
        print(f"  migrations {applied} applied to this file in {took:.1f} s")
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
    return db


def items(db: Database, s: Settings) -> dict[str, Callable[[], Awaitable[Any]]]:
    """What is compared between the two histories (the same periods in both)."""

    def digest_of(kind: str) -> Callable[[], Awaitable[None]]:
        period = latest_run(kind, s, NOW)[1]

        async def run() -> None:
            render(await compute(db, s, period, NOW), s)

        return run

    def report_of(words: list[str]) -> Callable[[], Awaitable[None]]:
        period = parse_period(words, NOW, TZ)

        async def run() -> None:
            render_report(await build(db, s, period, NOW), s)

        return run

    return {
        "daily digest": digest_of(DAILY),
        "weekly digest": digest_of(WEEKLY),
        "monthly digest": digest_of(MONTHLY),
        "/report month": report_of(["month", "11/2026"]),
        "/report year": report_of(["year", "2026"]),
        "export rows (Nov.)": lambda: load(db, *NOVEMBER),
    }


async def compare(dbs: dict[int, Database], runs: int) -> None:
    """Each item run alternately on every file, ``runs`` times: on a machine shared with
    other work, a slow spell then falls on both sides instead of on one."""
    s = settings()
    first = next(iter(dbs.values()))
    digest = await compute(first, s, latest_run(DAILY, s, NOW)[1], NOW)
    rendered = render(digest, s)
    print(
        f"\n== the same periods in every file; daily digest of {digest.period.key}:"
        f" {digest.new_total:,} new, {len(digest.overdue_ack):,} overdue,"
        f" {len(digest.verification):,} on the verification watch; text"
        f" {len(rendered.text)} chars, CSV {len(rendered.csv or b''):,} bytes"
    )
    actions = {history: items(db, s) for history, db in dbs.items()}
    small, big = sorted(dbs)
    print(f"  {'best (median) in ms, history':<24} {small:>18,} {big:>20,}    ratio (median)")
    for item in actions[small]:
        times: dict[int, list[float]] = {history: [] for history in dbs}
        for _ in range(runs):
            for history in dbs:
                started = time.perf_counter()
                await actions[history][item]()
                times[history].append(time.perf_counter() - started)
        best = {h: min(t) for h, t in times.items()}
        median = {h: statistics.median(t) for h, t in times.items()}
        print(
            f"  {item:<24} {best[small] * 1000:8.1f} ({median[small] * 1000:7.1f})"
            f" {best[big] * 1000:9.1f} ({median[big] * 1000:8.1f})"
            f"    {best[big] / best[small]:4.2f} ({median[big] / median[small]:4.2f})"
        )


async def once_each(history: int, db: Database, runs: int) -> None:
    """A whole export with the event loop watched, and the rest, for one file."""
    s = settings()
    print(f"\n== history of {history:,} tips")

    async def export() -> None:
        await send_export(
            db, s, chat_id=SUPERVISORS_CHAT, start=NOVEMBER[0], end=NOVEMBER[1], now=NOW
        )

    took, stall, beats = await with_heartbeat(export)
    print(
        f"  {'export of November as XLSX':<40} {took * 1000:9.1f} ms"
        f"   longest event-loop stall {stall * 1000:,.1f} ms ({beats:,} heartbeats)"
    )
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
    render(await compute(db, s, latest_run(DAILY, s, NOW)[1], NOW), s)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"  peak Python memory of a daily digest: {peak / 1e6:,.1f} MB (tracemalloc)")
    print(f"  peak RSS of the process so far: {rss_mb():,.0f} MB")


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
    dbs: dict[int, Database] = {}
    try:
        for history in (1_000, 1_000_000 if args.million else 10_000):
            path = workdir / f"history_{history}_{args.per_day}.db"
            dbs[history] = await open_file(path, history, args.per_day)
        await compare(dbs, args.runs)
        for history, db in dbs.items():
            await once_each(history, db, args.runs)
    finally:
        for db in dbs.values():
            await db.close()


if __name__ == "__main__":
    asyncio.run(main())
