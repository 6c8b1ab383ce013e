"""``kill -9`` of ``tinbao run`` while citizens file tips (issue 9, "faults to test").

The bot is a real child process (``python -m handlers.cli run``, production settings except
the abuse limits, which one test process playing every citizen would trip) talking HTTP
to the fake Bot API, which this process serves on loopback. Citizens walk the whole
dialogue concurrently, pushing updates and reading answers as a phone would, while the
bot is killed with SIGKILL three times and restarted on the same database:

* at a seeded random moment after a seeded number of messages;
* exactly between Telegram executing a ``sendMessage`` and the bot hearing the answer
  (the fake holds the HTTP answer and the test kills the bot first): that message must
  be sent again, since the bot cannot know it arrived;
* at another random moment.

Then, with the bot stopped: every citizen saw a receipt; each receipt is exactly one tip,
one per citizen, one receipt message row per tip; every update pushed is in the inbox and
done (none pending, none refused, none unknown); every outbox row is sent; and each
citizen's chat shows every screen of the dialogue once, in order, where the only thing
allowed to repeat is a message immediately again (a send whose success died with the
process). Repeats are counted and reported, and bounded by the number of kills per chat.
"""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import sqlite3
from pathlib import Path
from typing import Any

from bot.receipt import canonical
from handlers.telegram.fake.botapi import FakeBotApi
from handlers.telegram.fake.remote import (
    RECEIPT_MARK,
    SCREENS,
    BotProcess,
    RemoteCitizen,
    bot_env,
    transcript,
)
from handlers.telegram.fake.server import FakeBotServer
from handlers.telegram.fake.updates import FakeUser
from tests.harness import KEY, template_db

CITIZENS = 30
SEED = int(os.environ.get("KILL_TEST_SEED", "20261129"))  # another seed: other moments


def snapshot(db_path: Path) -> dict[str, int]:
    """What a restart finds (read while the bot is dead)."""
    with sqlite3.connect(db_path) as con:
        return {
            "inbox_pending": con.execute(
                "SELECT COUNT(*) FROM inbox WHERE status = 'pending'"
            ).fetchone()[0],
            "outbox_pending": con.execute(
                "SELECT COUNT(*) FROM outbox WHERE status = 'pending'"
            ).fetchone()[0],
            "tips": con.execute("SELECT COUNT(*) FROM tips").fetchone()[0],
        }


async def kill_before_an_answer(server: FakeBotServer, bot: BotProcess) -> None:
    """Kill the bot once the fake has stored its next ``sendMessage`` and before the HTTP
    answer is written: Telegram has the message, the bot never hears so."""
    killed = asyncio.Event()

    async def hold(method: str, _params: dict[str, Any], status: int) -> None:
        if method == "sendMessage" and status == 200 and not killed.is_set():
            killed.set()
            server.before_reply = None
            await bot.kill()

    server.before_reply = hold
    await killed.wait()


async def chaos(
    api: FakeBotApi,
    server: FakeBotServer,
    bot: BotProcess,
    db_path: Path,
    rng: random.Random,
    kills: list[dict[str, Any]],
) -> None:
    """Kill the bot three times and restart it after a seeded pause each time: early in
    the dialogues, mid-way exactly before an answer, and while tips are being committed
    (once a seeded number of receipts is out)."""
    total = CITIZENS * len(SCREENS)
    plan = [
        ("messages", rng.randrange(total // 10, total * 3 // 10)),
        ("messages", rng.randrange(total * 4 // 10, total * 6 // 10)),
        ("receipts", rng.randrange(1, CITIZENS // 2)),
    ]
    arrived = api.watch()
    messages = receipts = 0
    for number, (what, threshold) in enumerate(plan):
        while (messages if what == "messages" else receipts) < threshold:
            message = await arrived.get()
            messages += 1
            receipts += RECEIPT_MARK in str(message.get("text"))
        if number == 1:
            await kill_before_an_answer(server, bot)
            how = "between a sendMessage and its answer"
        else:
            await asyncio.sleep(rng.uniform(0.0, 0.3))
            await bot.kill()
            how = "at a random moment"
        kills.append({"after": f"{messages} messages, {receipts} receipts", "how": how})
        kills[-1].update(snapshot(db_path))
        await asyncio.sleep(rng.uniform(0.1, 1.0))
        await bot.start()
    api.unwatch(arrived)


async def test_kill_9_loses_nothing_and_applies_nothing_twice(tmp_path: Path) -> None:
    db_path = tmp_path / "tinbao.db"
    shutil.copy(await template_db(tmp_path.parent), db_path)
    rng = random.Random(SEED)
    api = FakeBotApi(long_poll_cap=1.0)
    kills: list[dict[str, Any]] = []
    async with FakeBotServer(api) as server:
        env = bot_env(
            api,
            server.base_url,
            server.base_file_url,
            db_path,
            KEY,
            tips_per_hour=1000,
            messages_per_minute=1000,
        )
        bot = BotProcess(env, tmp_path, tmp_path / "bot.log")
        await bot.start()
        factory = api.factory()
        citizens = [
            RemoteCitizen(api, factory, FakeUser(300_000 + i, f"Dân {i}"), step_timeout=60)
            for i in range(CITIZENS)
        ]
        try:
            async with asyncio.timeout(180):
                chaos_task = asyncio.create_task(chaos(api, server, bot, db_path, rng, kills))
                codes = await asyncio.gather(*(c.file_tip() for c in citizens))
                await chaos_task
        except BaseException:
            print(bot.output()[-5000:])
            raise
        finally:
            exit_code = await bot.stop()
    assert exit_code == 0, bot.output()[-3000:]
    assert bot.kills == 3 and bot.starts == 4

    # every citizen saw a receipt, each a different tip
    assert len(codes) == CITIZENS and len(set(codes)) == CITIZENS
    with sqlite3.connect(db_path) as con:
        tips = con.execute("SELECT code, reporter_id FROM tips").fetchall()
        reporters = con.execute("SELECT COUNT(*) FROM reporters").fetchone()[0]
        # an event key is "tg:<update id>:<keyed digest of what it carries>"
        inbox = {
            ":".join(key.split(":")[:2]): status
            for key, status in con.execute("SELECT event_key, status FROM inbox").fetchall()
        }
        stored = con.execute("SELECT COUNT(*) FROM inbox").fetchone()[0]
        outbox = dict(con.execute("SELECT status, COUNT(*) FROM outbox GROUP BY status").fetchall())
        receipts = con.execute(
            "SELECT tip_id, COUNT(*) FROM outbox WHERE purpose = 'receipt' GROUP BY tip_id"
        ).fetchall()
        processed = con.execute(
            "SELECT COUNT(*) FROM processed_keys WHERE key LIKE 'tg:%'"
        ).fetchone()[0]
    # a receipt shown is a tip stored; no tip twice; one tip per citizen
    assert sorted(code for code, _ in tips) == sorted(canonical(c) for c in codes)
    assert len({reporter for _, reporter in tips}) == CITIZENS == reporters
    assert len(receipts) == CITIZENS and all(n == 1 for _, n in receipts)
    # no update lost: every update pushed was stored and applied, nothing else was
    pushed = {f"tg:{u}" for c in citizens for u in c.update_ids}
    assert len(pushed) == CITIZENS * 13
    assert inbox == dict.fromkeys(pushed, "done") and stored == len(pushed)
    assert processed <= len(pushed)
    # every message committed was delivered
    assert outbox == {"sent": outbox["sent"]}
    # every screen once and in order; only an immediate repeat is allowed (at least once)
    repeats = 0
    for citizen in citizens:
        shown = transcript(api.sent_to(citizen.user.id))
        assert shown.unexpected == [], (citizen.user.id, shown.unexpected)
        assert shown.screens == list(SCREENS), citizen.user.id
        assert shown.repeats <= bot.kills
        repeats += shown.repeats
    # the kill between Telegram's "done" and the bot hearing it must cost a repeat
    assert repeats >= 1
    print(f"\nkills: {kills}\nrepeated messages (at least once, after a kill): {repeats}")
