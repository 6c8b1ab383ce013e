"""Issue 13 item 5: the digest's figures as the web overview reads them, at 100,000 and
1,000,000 tips with an open backlog.

The web overview computes the digest of today, 7 and 30 days (the "as of now" parts,
open tips, overdue acknowledgements and verification clocks, once with the 30 days) and
the 30 days before, for the province or one unit. What a history of tips costs there
should be its periods' volume and the size of the open backlog, never the whole file. So
each file holds two years of tips (scripts/generate_tips.py, triggers keeping the daily
counts) and then a backlog: ``--backlog`` old tips reopened as never acknowledged (a
third of them transferred to another commune, waiting for it to take them up) and as
many taken up and left open past the verification warning, spread over the two years.
Reopening goes through ordinary UPDATEs and event rows, so migration 0016's triggers keep
the counts consistent, as they would for the bot's own writes.

For each file it times, best and median of ``--runs`` runs, ``compute`` of today, 7 and
30 days (state with the 30 days, as the page does) and the 30 days before, for the
province and for the commune holding the most open tips.

Run: ``python -m bench.digest_scale`` (100,000 tips) or ``--million`` (100,000 and
1,000,000; the fill takes minutes and ~1.5 GB of disk). ``--workdir DIR`` keeps the files
and reuses them; a file made by older code is migrated when opened.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.digest_figures import compute
from bot.digest_periods import DAILY, Period, day_period
from config.settings import DEMO_TOKEN, Settings
from scripts.generate_tips import fill
from storage.db import Database

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # 10:00 in the province
YEARS = timedelta(days=730)


def settings() -> Settings:
    return Settings(
        bot_token=DEMO_TOKEN,  # type: ignore[arg-type]
        secret_key="AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",  # type: ignore[arg-type]
        timezone="Asia/Ho_Chi_Minh",
        _env_file=None,  # type: ignore[call-arg]
    )


async def reopen(db: Database, backlog: int, seed: int) -> None:
    """Turn ``backlog`` tips into unacknowledged ones and as many into stale open ones:
    their later events go, so their history stays a plausible one. Set-based statements
    over a chosen list: the triggers do the per-row work of the counts."""
    rng = random.Random(seed)
    async with db.transaction() as tx:
        top = int(await tx.scalar("SELECT MAX(id) FROM tips") or 0)
        communes = [
            int(r[0]) for r in await tx.fetchall("SELECT id FROM units WHERE kind = 'commune'")
        ]
        chosen = rng.sample(range(1, top - 2_000), 2 * backlog)
        await tx.execute(
            "CREATE TEMP TABLE chosen(tip_id INTEGER PRIMARY KEY, kind TEXT, unit INT)"
        )
        await tx.executemany(
            "INSERT INTO chosen VALUES (?,?,?)",
            [
                (
                    tip_id,
                    "stale" if i >= backlog else "moved" if i % 3 == 0 else "new",
                    rng.choice(communes),
                )
                for i, tip_id in enumerate(chosen)
            ],
        )
        waiting = "SELECT tip_id FROM chosen WHERE kind <> 'stale'"
        await tx.execute(
            f"DELETE FROM tip_events WHERE tip_id IN ({waiting}) AND action <> 'submitted'"
        )
        await tx.execute(
            "DELETE FROM tip_events WHERE action = 'closed'"
            " AND tip_id IN (SELECT tip_id FROM chosen WHERE kind = 'stale')"
        )
        # transferred two hours after receipt, not yet taken up by the new unit
        await tx.execute(
            "INSERT INTO tip_events(tip_id, at, actor_kind, action, from_status, to_status)"
            " SELECT t.id, datetime(t.created_at, '+2 hours') || substr(t.created_at, 20),"
            " 'officer', 'transferred', 'new', 'transferred'"
            " FROM tips t JOIN chosen c ON c.tip_id = t.id WHERE c.kind = 'moved'"
        )
        await tx.execute(
            "UPDATE tips SET status = 'transferred', outcome = NULL, acknowledged_at = NULL,"
            " closed_at = NULL, transfers = 1, current_unit_id = CASE WHEN (SELECT unit FROM"
            " chosen c WHERE c.tip_id = tips.id) = unit_id THEN (SELECT MIN(id) FROM units"
            " WHERE kind = 'commune' AND id <> tips.unit_id) ELSE (SELECT unit FROM chosen c"
            " WHERE c.tip_id = tips.id) END"
            " WHERE id IN (SELECT tip_id FROM chosen WHERE kind = 'moved')"
        )
        await tx.execute(
            "UPDATE tips SET status = 'new', outcome = NULL, acknowledged_at = NULL,"
            " closed_at = NULL, transfers = 0, current_unit_id = unit_id"
            " WHERE id IN (SELECT tip_id FROM chosen WHERE kind = 'new')"
        )
        await tx.execute(
            "UPDATE tips SET status = CASE WHEN acknowledged_at IS NULL THEN 'new'"
            " ELSE 'in_progress' END, outcome = NULL, closed_at = NULL"
            " WHERE id IN (SELECT tip_id FROM chosen WHERE kind = 'stale')"
        )
        await tx.execute("DROP TABLE temp.chosen")


async def open_file(path: Path, tips: int, backlog: int) -> Database:
    print(f"\n== {tips:,} tips over two years, backlog {backlog:,} ({path})")
    if not path.exists():  # noqa: ASYNC240 - a benchmark's set-up, nothing else runs
        started = time.perf_counter()
        events = await fill(path, tips=tips, start=NOW - YEARS, end=NOW, now=NOW, seed=13)
        db = await Database.open(path, clock=lambda: NOW)
        await reopen(db, backlog, seed=13)
        await db.close()
        took = time.perf_counter() - started
        print(f"  generated {tips:,} tips, {events:,} events and the backlog in {took:.1f} s")
    size = path.stat().st_size  # noqa: ASYNC240
    print(f"  database file: {size / 1e6:,.0f} MB")
    started = time.perf_counter()
    db = await Database.open(path, clock=lambda: NOW, migrate=False)
    applied = await db.migrate()
    if applied:
        print(f"  migrations {applied} applied in {time.perf_counter() - started:.1f} s")
    async with db.read() as tx:
        counts = await tx.fetchall("SELECT status, COUNT(*) FROM tips GROUP BY 1 ORDER BY 1")
    print("  tips by status: " + ", ".join(f"{r[0]} {r[1]:,}" for r in counts))
    return db


def span(days: int, back: int = 0) -> Period:
    s = settings()
    today = NOW.astimezone(s.tz).date() - timedelta(days=back)
    first = day_period(today - timedelta(days=days - 1), s.tz).start
    return Period(DAILY, f"bench-{days}-{back}", first, day_period(today, s.tz).end)


async def busiest_unit(db: Database) -> int:
    async with db.read() as tx:
        value = await tx.scalar(
            "SELECT current_unit_id FROM tips WHERE status <> 'closed'"
            " GROUP BY 1 ORDER BY COUNT(*) DESC LIMIT 1"
        )
    return int(value or 0)


async def timed(label: str, runs: int, action: Callable[[], Awaitable[Any]]) -> None:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        await action()
        times.append(time.perf_counter() - started)
    print(
        f"  {label:<44} best {min(times) * 1000:8.1f} ms   median"
        f" {statistics.median(times) * 1000:8.1f} ms"
    )


async def measure(db: Database, runs: int) -> None:
    s = settings()
    unit = await busiest_unit(db)
    d = await compute(db, s, span(30), NOW)
    print(
        f"  province now: {d.open_total:,} open, {len(d.overdue_ack):,} overdue,"
        f" {len(d.verification):,} on the verification watch; unit {unit}"
    )
    for scope, name in ((None, "province"), (unit, "unit")):

        def one(
            days: int, state: bool, back: int = 0, scope: int | None = scope
        ) -> Callable[[], Awaitable[Any]]:
            async def run() -> None:
                await compute(db, s, span(days, back), NOW, scope, state=state)

            return run

        await timed(f"{name}: today", runs, one(1, False))
        await timed(f"{name}: 7 days", runs, one(7, False))
        await timed(f"{name}: 30 days", runs, one(30, False))
        await timed(f"{name}: 30 days with the state now", runs, one(30, True))

        async def page(scope: int | None = scope) -> None:
            for days, state, back in ((1, False, 0), (7, False, 0), (30, True, 0), (30, False, 30)):
                await compute(db, s, span(days, back), NOW, scope, state=state)

        await timed(f"{name}: the overview's four computes", runs, page)


async def main() -> None:
    parser = argparse.ArgumentParser(description="the digest's figures at 100k and 1M tips")
    parser.add_argument("--million", action="store_true", help="also 1,000,000 tips")
    parser.add_argument("--workdir", type=Path, default=None, help="keep and reuse databases")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--backlog", type=int, default=5_000, help="open tips unacknowledged")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="tinbao-digest-scale-"))
    workdir.mkdir(parents=True, exist_ok=True)
    for tips in (100_000, 1_000_000) if args.million else (100_000,):
        db = await open_file(workdir / f"tips_{tips}_{args.backlog}.db", tips, args.backlog)
        try:
            await measure(db, args.runs)
        finally:
            await db.close()


if __name__ == "__main__":
    asyncio.run(main())
