"""Fill a tinbao database with synthetic tips and their events, for benchmarks and demos.

    python scripts/generate_tips.py data/bench.db --tips 1000000 \\
        --start 2025-01-01 --end 2026-12-01 --seed 1

Everything goes in through one transaction with ``executemany`` in chunks (a million tips
and their ~4 million events in about a minute on a laptop), so a half-written file never
exists. Tips are plausible rather than real: a category mix like the province's reports,
10% urgent, log-normal times to acknowledge and to close, 5% transferred once, outcomes
in realistic shares, and a few left unacknowledged so deadline lists are not empty. The
reporter is always NULL: no identity is ever made up. With no units in the file, a
province with ``--communes`` synthetic communes, their queue chats (90% bound), a duty
and a supervisors' chat and one opted-in supervisor are created first; with units (e.g.
after ``tinbao units sync``) those are used. No ANALYZE afterwards: production files are
never analysed either, so benchmarks see the query plans the bot will get.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from stdnum import luhn

from bot.receipt import ALPHABET, RANDOM_CHARS
from storage.db import Database, Tx, utc_text

CATEGORIES = (
    ("crime", 0.35),
    ("drugs", 0.20),
    ("social_evils", 0.15),
    ("public_order", 0.15),
    ("wanted", 0.05),
    ("other", 0.10),
)
OUTCOMES = (
    ("resolved", 0.45),
    ("forwarded", 0.25),
    ("unfounded", 0.15),
    ("duplicate", 0.08),
    ("spam", 0.07),
)
CHUNK = 50_000
TIP_SQL = (
    "INSERT INTO tips(id, code, idempotency_key, reporter_id, channel, category, urgent,"
    " unit_id, current_unit_id, occurred, description, status, outcome, language, created_at,"
    " updated_at, acknowledged_at, closed_at, transfers)"
    " VALUES (?,?,?,NULL,'telegram',?,?,?,?,'today','Tin báo thử nghiệm',?,?,'vi',?,?,?,?,?)"
)
EVENT_SQL = (
    "INSERT INTO tip_events(tip_id, at, actor_kind, action, from_status, to_status)"
    " VALUES (?,?,?,?,?,?)"
)


@dataclass(frozen=True)
class Units:
    communes: list[int]


async def ensure_units(tx: Tx, communes: int, now: str) -> Units:
    found = [
        int(r[0])
        for r in await tx.fetchall(
            "SELECT id FROM units WHERE kind = 'commune' AND active = 1 ORDER BY id"
        )
    ]
    if found:
        return Units(found)
    province = await tx.execute(
        "INSERT INTO units(code, kind, name, short_name, unit_type, search_key, synced_at)"
        " VALUES ('P00', 'province', 'Tỉnh Thử Nghiệm', 'Thử Nghiệm', 'Tỉnh', 'thu nghiem', ?)",
        (now,),
    )
    ids = []
    for i in range(1, communes + 1):
        unit = await tx.execute(
            "INSERT INTO units(code, kind, name, short_name, unit_type, parent_id, search_key,"
            " remote, synced_at) VALUES (?, 'commune', ?, ?, 'Xã', ?, ?, ?, ?)",
            (
                f"C{i:03d}",
                f"Xã Số {i:03d}",
                f"Số {i:03d}",
                province,
                f"so {i:03d}",
                int(i % 10 == 0),
                now,
            ),
        )
        ids.append(unit)
        if i % 10 != 5:  # one commune in ten has not bound its group yet
            await tx.execute(
                "INSERT INTO chat_bindings(chat_id, purpose, unit_id, bound_at)"
                " VALUES (?, 'queue', ?, ?)",
                (-1_000_000_000 - i, unit, now),
            )
    for chat, purpose in ((-2_000_000_001, "duty"), (-2_000_000_002, "supervisors")):
        await tx.execute(
            "INSERT INTO chat_bindings(chat_id, purpose, unit_id, bound_at) VALUES (?,?,?,?)",
            (chat, purpose, province, now),
        )
    await tx.execute(
        "INSERT INTO officers(telegram_user_id, display_name, unit_id, role, joined_at,"
        " digest_opt_in) VALUES (900000001, 'Lãnh đạo thử nghiệm', ?, 'supervisor', ?, 1)",
        (province, now),
    )
    return Units(ids)


def _pick(rng: random.Random, table: tuple[tuple[str, float], ...]) -> str:
    roll = rng.random()
    for value, weight in table:
        roll -= weight
        if roll < 0:
            return value
    return table[-1][0]


def _minutes(rng: random.Random, median: float, sigma: float) -> timedelta:
    return timedelta(minutes=median * math.exp(rng.gauss(0.0, sigma)))


def _code(rng: random.Random) -> str:
    body = "".join(rng.choices(ALPHABET, k=RANDOM_CHARS))
    return body + luhn.calc_check_digit(body, alphabet=ALPHABET)


Row = tuple[object, ...]


def generate(
    rng: random.Random,
    *,
    first_id: int,
    count: int,
    start: datetime,
    end: datetime,
    now: datetime,
    communes: list[int],
    tag: str,
) -> Iterator[tuple[list[Row], list[Row]]]:
    """Chunks of (tip rows, event rows); times ascend with ids, like a real database."""
    span = (end - start) / max(1, count)
    tip_id = first_id
    for chunk_start in range(0, count, CHUNK):
        size = min(CHUNK, count - chunk_start)
        offsets = sorted(rng.random() * size for _ in range(size))
        tips: list[Row] = []
        events: list[Row] = []
        for offset in offsets:
            created = start + span * (chunk_start + offset)
            category = _pick(rng, CATEGORIES)
            urgent = rng.random() < (0.5 if category == "wanted" else 0.08)
            unit = rng.choice(communes)
            current = unit
            c = utc_text(created)
            events.append((tip_id, c, "reporter", "submitted", None, "new"))
            status, outcome, acked_at, closed_at, transfers = "new", None, None, None, 0
            ack = created + _minutes(rng, 5 if urgent else 25, 1.0)
            if rng.random() < 0.02:  # forgotten: never acknowledged, closed by a supervisor
                ack = created + timedelta(days=3650)
                swept = created + _minutes(rng, 10 * 1440, 0.3)
                if swept <= now:
                    status, outcome, closed_at = "closed", "unfounded", utc_text(swept)
                    events.append((tip_id, closed_at, "officer", "closed", "new", status))
            if ack <= now:
                status, acked_at = "acknowledged", utc_text(ack)
                events.append((tip_id, acked_at, "officer", "acknowledged", "new", status))
                last = ack
                if rng.random() < 0.05 and len(communes) > 1:
                    moved = ack + _minutes(rng, 90, 0.8)
                    if moved <= now:
                        current = rng.choice([u for u in communes[:50] if u != unit] or communes)
                        transfers = 1
                        events.append(
                            (
                                tip_id,
                                utc_text(moved),
                                "officer",
                                "transferred",
                                status,
                                "transferred",
                            )
                        )
                        status, last = "transferred", moved
                        again = moved + _minutes(rng, 30, 1.0)
                        if again <= now:
                            events.append(
                                (
                                    tip_id,
                                    utc_text(again),
                                    "officer",
                                    "acknowledged",
                                    "transferred",
                                    "acknowledged",
                                )
                            )
                            status, last = "acknowledged", again
                if status == "acknowledged":
                    taken = last + _minutes(rng, 60, 1.0)
                    if taken <= now:
                        events.append(
                            (tip_id, utc_text(taken), "officer", "taken", status, "in_progress")
                        )
                        status, last = "in_progress", taken
                    close = last + _minutes(rng, 3 * 1440, 1.0)
                    if status == "in_progress" and close <= now:
                        outcome = _pick(rng, OUTCOMES)
                        closed_at = utc_text(close)
                        events.append((tip_id, closed_at, "officer", "closed", status, "closed"))
                        status = "closed"
                    elif status == "in_progress" and rng.random() < 0.1:
                        status = "needs_info"
            updated = closed_at or acked_at or c
            tips.append(
                (
                    tip_id,
                    _code(rng),
                    f"{tag}:{tip_id}",
                    category,
                    int(urgent),
                    unit,
                    current,
                    status,
                    outcome,
                    c,
                    updated,
                    acked_at,
                    closed_at,
                    transfers,
                )
            )
            tip_id += 1
        yield tips, events


async def fill(
    path: Path,
    *,
    tips: int,
    start: datetime,
    end: datetime,
    now: datetime | None = None,
    seed: int = 1,
    communes: int = 129,
    stream: str | None = None,
) -> int:
    """Add ``tips`` synthetic tips to the database at ``path``; returns the event count.

    ``stream`` names the random sequence: the same stream gives the same tips (times,
    categories, lifecycles, codes) whatever ids they get, so two files can hold an
    identical period on top of different histories. By default it is the seed and the
    first id."""
    now = now or end
    db = await Database.open(path, clock=lambda: now)
    try:
        async with db.transaction() as tx:
            units = await ensure_units(tx, communes, utc_text(now))
            first_id = int(await tx.scalar("SELECT COALESCE(MAX(id), 0) FROM tips") or 0) + 1
            rng = random.Random(stream or f"{seed}:{first_id}")
            n_events = 0
            for tip_rows, event_rows in generate(
                rng,
                first_id=first_id,
                count=tips,
                start=start,
                end=end,
                now=now,
                communes=units.communes,
                tag=f"gen{seed}",
            ):
                await tx.executemany(TIP_SQL, tip_rows)
                await tx.executemany(EVENT_SQL, event_rows)
                n_events += len(event_rows)
    finally:
        await db.close()
    return n_events


def _date(text: str) -> datetime:
    return (
        datetime.fromisoformat(text).replace(tzinfo=UTC)
        if "T" not in text
        else (datetime.fromisoformat(text).astimezone(UTC))
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("database", type=Path)
    parser.add_argument("--tips", type=int, default=1000)
    parser.add_argument("--start", default="2025-01-01")
    parser.add_argument("--end", default="2026-12-01")
    parser.add_argument("--now", default=None, help="lifecycle cut-off (default: --end)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--communes", type=int, default=129)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    events = asyncio.run(
        fill(
            args.database,
            tips=args.tips,
            start=_date(args.start),
            end=_date(args.end),
            now=_date(args.now) if args.now else None,
            seed=args.seed,
            communes=args.communes,
        )
    )
    took = time.perf_counter() - started
    print(f"{args.tips:,} tips and {events:,} events written to {args.database} in {took:.1f} s")


if __name__ == "__main__":
    main()
