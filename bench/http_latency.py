"""Issue 9 figures: whole citizen dialogues against ``tinbao run`` over real HTTP.

The bot runs as a child process (``python -m handlers.cli run``: long polling into the
durable inbox, per-chat lanes, the outbox sender, SQLite with synchronous=FULL) and talks
HTTP/1.1 to the fake Bot API (handlers/telegram/fake/server.py), which this process serves on
loopback
while it plays N citizens walking /start → receipt concurrently (13 updates and 14
screens each, handlers/telegram/fake/remote.py). Then the same N citizens against a bare
python-telegram-bot
bot making the same calls (bench/bare_http_bot.py: PTB's own polling, the recorded
screens, no database). Printed for each: updates per second (all updates over the time
from the first push to the last receipt), and the step latency (from pushing an update
to the arrival of the screen that answers it) p50 / p90 / p99 / max, plus Bot API calls
per update and the CPU seconds of the bot process and of this process (fake Telegram +
citizens share the machine with the bot).

Two configurations: without the client-side rate limiter (what the pipeline can do), and
with Telegram's limits (``AIORateLimiter``: 30 messages/s, as in production), where both
bots are held at the same ceiling.

Run: ``python -m bench.http_latency [--citizens 40 200] [--limited 40]`` (numbers of
concurrent citizens; ``--limited`` runs with the limiter, ``--limited`` alone for none).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import resource
import shutil
import sqlite3
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.clock import system_clock
from bot.places import sync_units
from handlers.telegram.fake.botapi import FakeBotApi
from handlers.telegram.fake.remote import DIALOGUE, BotProcess, RemoteCitizen, bot_env, transcript
from handlers.telegram.fake.server import FakeBotServer
from handlers.telegram.fake.updates import FakeUser
from storage.db import Database

UPDATES_PER_DIALOGUE = len(DIALOGUE)


@dataclass
class Result:
    bot: str
    citizens: int
    limited: bool
    updates: int
    seconds: float
    latencies: list[float]
    calls: int
    bot_cpu: float
    driver_cpu: float

    def line(self) -> str:
        lat = sorted(self.latencies)

        def pct(p: float) -> float:
            return lat[min(len(lat) - 1, int(p * len(lat)))] * 1000

        return (
            f"{self.bot:<8} {self.citizens:>4} citizens {'limited' if self.limited else 'free':<8}"
            f" {self.updates / self.seconds:8,.0f} updates/s ({self.seconds:5.1f} s)"
            f"   step p50 {statistics.median(lat) * 1000:7.1f} ms  p90 {pct(0.9):7.1f}"
            f"  p99 {pct(0.99):7.1f}  max {lat[-1] * 1000:7.1f} ms"
            f"   {self.calls / self.updates:4.2f} calls/update"
            f"   CPU bot {self.bot_cpu:5.1f} s, driver {self.driver_cpu:5.1f} s"
        )


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def province_db(workdir: Path) -> Path:
    path = workdir / "province.db"
    db = await Database.open(path, clock=system_clock)
    await sync_units(db, "Ninh Bình")
    await db.close()
    with sqlite3.connect(path) as con:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


async def run(
    kind: str, citizens: int, limited: bool, workdir: Path, template: Path, script: Path
) -> tuple[Result, FakeBotApi, list[RemoteCitizen]]:
    run_dir = workdir / f"{kind}-{citizens}-{'limited' if limited else 'free'}"
    run_dir.mkdir()
    db_path = run_dir / "tinbao.db"
    shutil.copy(template, db_path)
    api = FakeBotApi(long_poll_cap=1.0)
    async with FakeBotServer(api) as server:
        env = bot_env(
            api,
            server.base_url,
            server.base_file_url,
            db_path,
            base64.urlsafe_b64encode(os.urandom(32)).decode(),
            tips_per_hour=1_000_000,
            messages_per_minute=1_000_000,
            bot_api_rate_limit=str(limited).lower(),
        )
        bare = str(Path(__file__).with_name("bare_http_bot.py"))
        argv = ("-m", "handlers.cli", "run") if kind == "tinbao" else (bare, str(script))
        bot = BotProcess(env, run_dir, run_dir / "bot.log", argv)
        cpu_before = children_cpu()
        await bot.start()
        try:
            await bot.ready(api.wait_for("getUpdates", timeout=60))
            await asyncio.sleep(0.5)  # start-up calls (setMyCommands...) out of the way
            factory = api.factory()
            people = [
                RemoteCitizen(api, factory, FakeUser(1_000_000 + i, f"Dân {i}"), step_timeout=300)
                for i in range(citizens)
            ]
            first_call = len(api.calls)
            driver_before = own_cpu()
            started = time.perf_counter()
            await asyncio.gather(*(p.file_tip() for p in people))
            seconds = time.perf_counter() - started
            driver_cpu = own_cpu() - driver_before
            calls = sum(1 for c in api.calls[first_call:] if c.method != "getUpdates")
        except BaseException:
            print(bot.output()[-3000:])
            raise
        finally:
            code = await bot.stop()
        if code != 0:
            raise RuntimeError(f"{kind} exited with {code}:\n{bot.output()[-3000:]}")
    result = Result(
        kind,
        citizens,
        limited,
        citizens * UPDATES_PER_DIALOGUE,
        seconds,
        [x for p in people for x in p.latencies],
        calls,
        children_cpu() - cpu_before,
        driver_cpu,
    )
    return result, api, people


def record_script(api: FakeBotApi, citizen: RemoteCitizen, target: Path) -> None:
    """The screens of one tinbao dialogue, grouped by step, for the bare bot to replay."""
    messages = api.sent_to(citizen.user.id)
    shown = transcript(messages)
    if shown.repeats or shown.unexpected:
        raise RuntimeError(f"unexpected transcript: {shown}")
    steps: list[list[dict[str, Any]]] = []
    position = 0
    for step in DIALOGUE:
        group = []
        for _ in step.screens:
            message = messages[position]
            position += 1
            group.append({"text": message["text"], "reply_markup": message.get("reply_markup")})
        steps.append(group)
    target.write_text(json.dumps(steps, ensure_ascii=False), "utf-8")


async def main(free: list[int], limited: list[int]) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="tinbao-http-bench-"))
    template = await province_db(workdir)
    script = workdir / "dialogue.json"
    print(
        f"whole dialogues (/start → receipt: {UPDATES_PER_DIALOGUE} updates, 14 screens)"
        " over loopback HTTP; the bot is a separate process"
    )
    plan = [(n, False) for n in free] + [(n, True) for n in limited]
    for citizens, is_limited in plan:
        for kind in ("tinbao", "bare"):
            if kind == "bare" and not script.exists():
                raise RuntimeError("the bare bot replays a tinbao run: run tinbao first")
            result, api, people = await run(kind, citizens, is_limited, workdir, template, script)
            if kind == "tinbao" and not script.exists():
                record_script(api, people[0], script)
            print(result.line(), flush=True)
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--citizens", type=int, nargs="*", default=[40, 200])
    parser.add_argument("--limited", type=int, nargs="*", default=[40])
    args = parser.parse_args()
    asyncio.run(main(args.citizens, args.limited))
