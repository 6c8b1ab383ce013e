"""Issue 9 figures: an outbox backlog drained against a fake Bot API that keeps Telegram's
limits (``FakeBotApi(enforce_limits=True)``: 30 messages/s overall, one per second to a
private chat, 20 per rolling 60 s to a group, 429 with ``retry_after`` beyond them).

The mix: 1,000 ``sendMessage`` rows in a shuffled order (seed 9): 20 groups × 25
(500) and 200 private chats (100 × 3, 100 × 2: 500). Chosen so that every limit
matters: 25 per group is more than one group's minute, so the drain cannot beat 60 s;
three to a private chat need two seconds between; 30/s overall shapes the first seconds.

The bound, the least time any sender could take (with zero round trips):

* overall: message k (from 0) goes no earlier than ⌊k/30⌋ s: ⌊999/30⌋ = 33 s;
* private chats: the third message 2 s after the first: 2 s;
* groups: a group's 21st-25th messages go at least 60 s after its 1st-5th; the first five
  of all 20 groups are 100 messages, the last of them no earlier than ⌊99/30⌋ = 3 s: 63 s.

So the allowed average rate is 1,000 / 63 s = 15.9 messages/s, and a sender's share is
that bound over its time. The same run drains the same mix with PTB's ``AIORateLimiter``
(as production had, ``max_retries=2``) instead of tinbao's own limits, as the baseline;
both run at once on separate databases and fake servers (the machine is idle otherwise:
the load is a few dozen messages a second each). From each fake's call log it also
measures what the server saw: the most messages in any 1 s, the most to one group in any
60 s, the shortest gap between two messages to one private chat.

Run: ``python -m bench.outbox_drain [--cap SECONDS]`` (default cap 300 s per drain).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import logging
import random
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from telegram.ext import AIORateLimiter, BaseRateLimiter

from bench.common import open_bench
from handlers.telegram.fake.botapi import ApiCall, FakeBotApi
from storage import outbox

GROUPS = 20
PER_GROUP = 25
PRIVATE = 200
OVERALL, GROUP_LIMIT, GROUP_WINDOW = 30, 20, 60


def mix(seed: int = 9) -> list[int]:
    """The chat of each of the 1,000 rows, in the order they are written."""
    chats = [-100_000 - g for g in range(GROUPS) for _ in range(PER_GROUP)]
    for p in range(PRIVATE):
        chats += [300_000 + p] * (3 if p < PRIVATE // 2 else 2)
    random.Random(seed).shuffle(chats)
    return chats


def bound(chats: list[int]) -> float:
    """The least drain time in seconds for this mix (see the module)."""
    per_chat: dict[int, int] = defaultdict(int)
    for chat in chats:
        per_chat[chat] += 1
    overall = (len(chats) - 1) // OVERALL
    private = max(n - 1 for c, n in per_chat.items() if c > 0)
    group = 0
    groups = [n for c, n in per_chat.items() if c < 0]
    rounds = max((n - 1) // GROUP_LIMIT for n in groups)
    if rounds:
        first = sum(n - GROUP_LIMIT * rounds for n in groups if (n - 1) // GROUP_LIMIT == rounds)
        group = GROUP_WINDOW * rounds + (first - 1) // OVERALL
    return float(max(overall, private, group))


@dataclass
class Drain:
    name: str
    seconds: float
    delivered: int
    too_many: int
    peak_second: int
    peak_group_minute: int
    min_private_gap: float
    finished: bool
    tried: tuple[int, int, float]


def observed(calls: list[ApiCall], *, accepted: bool = True) -> tuple[int, int, float]:
    """What the server saw (``accepted``: the messages it took; else every attempt,
    refused ones included): the most in any 1 s, the most to one group in any 60 s, the
    shortest gap between two to one private chat."""
    sent = sorted(
        (c for c in calls if c.method == "sendMessage" and (c.ok or not accepted)),
        key=lambda c: c.at,
    )
    times = [c.at for c in sent]
    peak = 0
    j = 0
    for i, t in enumerate(times):
        while times[j] <= t - 1.0:
            j += 1
        peak = max(peak, i - j + 1)
    by_chat: dict[int, list[float]] = defaultdict(list)
    for call in sent:
        by_chat[int(call.params["chat_id"])].append(call.at)
    group_peak = 0
    gap = float("inf")
    for chat, stamps in by_chat.items():
        if chat < 0:
            j = 0
            for i, t in enumerate(stamps):
                while stamps[j] <= t - GROUP_WINDOW:
                    j += 1
                group_peak = max(group_peak, i - j + 1)
        else:
            gap = min([gap, *(b - a for a, b in itertools.pairwise(stamps))])
    return peak, group_peak, gap


async def drain(
    name: str,
    chats: list[int],
    workdir: Path,
    rate_limiter: bool | BaseRateLimiter[Any],
    cap: float,
) -> Drain:
    api = FakeBotApi(enforce_limits=True)
    tinbao, _ = await open_bench(workdir / f"{name}.db", rate_limiter=rate_limiter, api=api)
    await tinbao.app.initialize()
    async with tinbao.db.transaction() as tx:
        for i, chat in enumerate(chats):
            await outbox.enqueue(
                tx,
                at=tx.now_text(),
                method="sendMessage",
                payload={"text": f"Thông báo {i}"},
                purpose="bench",
                chat_id=chat,
            )
    api.clear_calls()  # getMe
    started = time.monotonic()
    running = asyncio.create_task(tinbao.sender.run())
    finished = False
    while time.monotonic() - started < cap:
        await asyncio.sleep(0.1)
        async with tinbao.db.read() as tx:
            if not await outbox.pending_count(tx):
                finished = True
                break
    tinbao.sender.stop()
    await asyncio.wait_for(running, timeout=30)
    ok = [c for c in api.calls if c.method == "sendMessage" and c.ok]
    end = max(c.at for c in ok) if ok else time.monotonic()
    peak, group_peak, gap = observed(api.calls)
    await tinbao.app.shutdown()
    await tinbao.db.close()
    return Drain(
        name,
        end - started,
        len(ok),
        len(api.too_many_requests()),
        peak,
        group_peak,
        gap,
        finished,
        observed(api.calls, accepted=False),
    )


def report(result: Drain, least: float, total: int) -> str:
    rate = result.delivered / result.seconds
    share = f"{least / result.seconds:.1%} of the allowed rate" if result.finished else "unfinished"
    second, minute, gap = result.tried
    return (
        f"{result.name}: {result.delivered} of {total} in {result.seconds:.1f} s,"
        f" {rate:.1f} msg/s = {share}; {result.too_many} × 429\n"
        f"  accepted: ≤{result.peak_second}/s overall, ≤{result.peak_group_minute} per group"
        f" in 60 s, ≥{result.min_private_gap:.2f} s apart in a private chat\n"
        f"  attempted: ≤{second}/s overall, ≤{minute} per group in 60 s,"
        f" ≥{gap:.2f} s apart in a private chat"
    )


async def main(cap: float) -> None:
    # AIORateLimiter logs a traceback for each 429 it gives up on; the counts say enough
    logging.getLogger("telegram").setLevel(logging.CRITICAL)
    logging.getLogger("handlers.telegram.sender").setLevel(logging.CRITICAL)
    chats = mix()
    least = bound(chats)
    print(
        f"mix: {len(chats)} messages, {GROUPS} groups × {PER_GROUP}, {PRIVATE} private chats"
        f" × 2-3, shuffled; bound {least:.0f} s, allowed average {len(chats) / least:.1f} msg/s"
    )
    workdir = Path(tempfile.mkdtemp(prefix="tinbao-drain-"))
    ours, baseline = await asyncio.gather(
        drain("tinbao limits", chats, workdir, True, cap),
        drain("AIORateLimiter", chats, workdir, AIORateLimiter(max_retries=2), cap),
    )
    print(report(ours, least, len(chats)))
    print(report(baseline, least, len(chats)))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cap", type=float, default=300.0, help="seconds allowed per drain")
    asyncio.run(main(parser.parse_args().cap))
