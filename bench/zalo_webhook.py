"""Issue 11 figures: Zalo's webhook under a burst, over real loopback HTTP into a real
SQLite file (WAL, synchronous=FULL).

N signed ``user_send_text`` events from M citizens (signed as Zalo signs them, by the fake
OA) are POSTed by C concurrent connections to the running receiver
(handlers/zalo/webhook.py): each is checked (signature in constant time, app id, age),
stored sealed in the durable inbox, committed and synced, and only then answered 200.
Measured: events accepted per second (all N over the time from the first POST to the
last 200) and the ack time of each POST (from sending it to its 200) p50 / p99 / max,
which Zalo wants under about 2 s.

Three runs, in this order, each on its own fresh database:

* **bare**: the baseline, an aiohttp handler on the same stack that reads the body,
  parses it, checks the same signature, and answers 200, storing nothing;
* **storing only**: tinbao's receiver, the inbox worker not running;
* **worker applying**: the same while the inbox worker turns the events into dialogue
  steps at the same time (sealed drafts, screens into the outbox: the real load that
  competes with the receiver for the event loop and the database). Also printed: how long
  after the last 200 the worker had applied every event.

The client (aiohttp) runs in the same process and shares the 2 cores with the receiver,
so its CPU is part of every figure, the baseline's included.

Run: ``python -m bench.zalo_webhook [--events 3000] [--users 500] [--concurrency 50]``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hmac
import json
import os
import shutil
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from bot.clock import system_clock
from bot.places import sync_units
from config.settings import DEMO_TOKEN, Settings
from handlers.telegram.app import Tinbao, create
from handlers.telegram.fake.botapi import FakeBotApi
from handlers.zalo.channel import ZaloChannel
from handlers.zalo.events import SIGNATURE_HEADER, signature
from handlers.zalo.fake import FakeZaloOA
from storage.db import Database

APP_ID, OA_KEY = "1234567890", "bench-oa-secret-key"
TEXTS = ("xin chào", "/baotin", "tôi muốn báo tin", "1", "Tam Chúc")


@dataclass
class Run:
    name: str
    events: int
    seconds: float
    acks: list[float]
    statuses: dict[int, int]
    applied_after: float | None = None

    def row(self) -> str:
        acks = sorted(self.acks)
        p50 = statistics.median(acks) * 1000
        p99 = acks[min(len(acks) - 1, int(len(acks) * 0.99))] * 1000
        worst = acks[-1] * 1000
        ok = self.statuses.get(200, 0)
        after = ""
        if self.applied_after is not None:
            after = f"  all applied {self.applied_after:.1f} s after the last 200"
        return (
            f"{self.name:<28} {self.events / self.seconds:>9,.0f} {p50:>8.1f} {p99:>8.1f}"
            f" {worst:>8.1f} {ok:>6}/{self.events}{after}"
        )


def bodies(oa: FakeZaloOA, events: int, users: int) -> list[tuple[bytes, dict[str, str]]]:
    """Signed events, each user's in order, users interleaved as a burst would be."""
    out = []
    for i in range(events):
        user = str(2_512_523_625_400_000 + i % users)
        event = oa.text_event(user, TEXTS[(i // users) % len(TEXTS)], msg_id=f"bench{i:09d}")
        out.append(oa.signed(event))
    return out


async def post_all(
    url: str, signed: list[tuple[bytes, dict[str, str]]], concurrency: int
) -> tuple[float, list[float], dict[int, int]]:
    acks: list[float] = []
    statuses: dict[int, int] = {}
    queue: asyncio.Queue[tuple[bytes, dict[str, str]]] = asyncio.Queue()
    for item in signed:
        queue.put_nowait(item)
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker() -> None:
            while not queue.empty():
                body, headers = queue.get_nowait()
                sent = time.perf_counter()
                async with session.post(url, data=body, headers=headers) as response:
                    await response.read()
                acks.append(time.perf_counter() - sent)
                statuses[response.status] = statuses.get(response.status, 0) + 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return elapsed, acks, statuses


async def bare(signed: list[tuple[bytes, dict[str, str]]], concurrency: int) -> Run:
    """The same check and nothing else: what aiohttp and the client cost by themselves."""

    async def receive(request: web.Request) -> web.Response:
        body = await request.read()
        given = request.headers.get(SIGNATURE_HEADER, "")
        raw = json.loads(body)
        expected = signature(str(raw["app_id"]), body, str(raw["timestamp"]), OA_KEY)
        if not hmac.compare_digest(given.encode(), expected.encode()):
            return web.Response(status=401)
        return web.Response(status=200)

    app = web.Application(client_max_size=1024 * 1024)
    app.router.add_post("/zalo", receive)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = int(site._server.sockets[0].getsockname()[1])  # type: ignore[union-attr]
    try:
        elapsed, acks, statuses = await post_all(
            f"http://127.0.0.1:{port}/zalo", signed, concurrency
        )
    finally:
        await runner.cleanup()
    return Run("bare aiohttp + signature", len(signed), elapsed, acks, statuses)


async def open_tinbao(workdir: Path, template: Path, name: str) -> Tinbao:
    path = workdir / f"{name}.db"
    shutil.copy(template, path)
    settings = Settings(
        bot_token=DEMO_TOKEN,  # type: ignore[arg-type]
        secret_key=base64.urlsafe_b64encode(os.urandom(32)).decode(),  # type: ignore[arg-type]
        database_path=path,
        tips_per_hour=1_000_000,
        messages_per_minute=1_000_000,
        zalo_app_id=APP_ID,
        zalo_oa_secret_key=OA_KEY,  # type: ignore[arg-type]
        zalo_app_secret="app-secret",  # type: ignore[arg-type]
    )
    tinbao = await create(settings, request=FakeBotApi(), rate_limiter=False)
    await tinbao.app.initialize()
    return tinbao


async def receiver(
    tinbao: Tinbao,
    signed: list[tuple[bytes, dict[str, str]]],
    concurrency: int,
    *,
    applying: bool,
) -> Run:
    channel = ZaloChannel(tinbao.services, tinbao.inbox, port=0)
    await channel.start()
    worker: asyncio.Task[Any] | None = None
    if applying:
        worker = asyncio.create_task(tinbao.inbox.run())
    try:
        url = f"http://127.0.0.1:{channel.webhook.port}/zalo"
        elapsed, acks, statuses = await post_all(url, signed, concurrency)
        ended = time.perf_counter()
        applied_after = None
        if worker is not None:
            await tinbao.inbox.drain()
            applied_after = time.perf_counter() - ended
            tinbao.inbox.stop()
            await worker
    finally:
        await channel.stop()
    async with tinbao.db.read() as tx:
        stored = await tx.scalar("SELECT count(*) FROM inbox WHERE channel = 'zalo'")
        pending = await tx.scalar(
            "SELECT count(*) FROM inbox WHERE channel = 'zalo' AND status = 'pending'"
        )
    if stored != len(signed) or (applying and pending):
        raise RuntimeError(f"stored {stored} of {len(signed)}, {pending} still pending")
    name = "tinbao, worker applying" if applying else "tinbao, storing only"
    return Run(name, len(signed), elapsed, acks, statuses, applied_after)


async def main(events: int, users: int, concurrency: int) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="tinbao-zalo-bench-"))
    template = workdir / "template.db"
    db = await Database.open(template, clock=system_clock)
    await sync_units(db, "Ninh Bình")
    await db.close()
    oa = FakeZaloOA(APP_ID, OA_KEY)
    runs = [await bare(bodies(oa, events, users), concurrency)]
    for applying in (False, True):
        tinbao = await open_tinbao(workdir, template, f"applying{applying}")
        try:
            signed = bodies(oa, events, users)  # signed now: fresh timestamps
            runs.append(await receiver(tinbao, signed, concurrency, applying=applying))
        finally:
            await tinbao.app.shutdown()
            await tinbao.db.close()
    print(f"{events} events from {users} users, {concurrency} concurrent connections")
    print(f"{'':<28} {'events/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'200s':>13}")
    for run in runs:
        print(run.row())
    base = runs[0].events / runs[0].seconds
    for run in runs[1:]:
        print(f"{run.name}: {run.events / run.seconds / base:.2f}x the bare handler's rate")
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=50)
    args = parser.parse_args()
    asyncio.run(main(args.events, args.users, args.concurrency))
