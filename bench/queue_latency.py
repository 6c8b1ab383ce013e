"""Issue 3 figures: Submit → the card's sendMessage call, and the sender's ceiling.

1. Latency: the real sender runs as a background task (as in ``tinbao run``); for each of
   N tips we time from delivering the Submit press to the fake Bot API receiving the
   card's sendMessage for the queue group. Prints p50 and p99.
2. Ceiling: 1,000 pending outbox rows to 1,000 private chats drained without any limit,
   the in-process cost of a delivery. The drain within Telegram's limits, against a fake
   that enforces them, is ``bench/outbox_drain.py`` (issue 9).

Run: ``python -m bench.queue_latency [tips]`` (default 200).
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.common import QUEUE, bind_tam_chuc_queue, open_bench
from handlers.telegram.app import Tinbao
from handlers.telegram.fake.botapi import FakeBotApi
from handlers.telegram.fake.scripted import Driver
from handlers.telegram.fake.updates import FakeUser
from storage import outbox


async def _open(workdir: Path, name: str, *, rate_limiter: bool) -> tuple[Tinbao, FakeBotApi]:
    return await open_bench(workdir / f"{name}.db", rate_limiter=rate_limiter)


async def submit_to_card(tips: int, workdir: Path) -> list[float]:
    # No limiter here: Telegram allows a group 20 messages a minute, so a benchmark that
    # files a tip every few milliseconds into one group would measure only that pacing
    # (see the grouped drain below); this measures commit → sender → Bot API call.
    tinbao, api = await _open(workdir, "latency", rate_limiter=False)
    await tinbao.start(polling=False, sender=True)
    driver = Driver(tinbao, api)
    await bind_tam_chuc_queue(driver)
    samples = []
    for i in range(tips):
        user = FakeUser(200_000 + i, f"Dân {i}")
        await driver.file_tip(user, flush=False, text="Có người lạ đột nhập kho hàng lúc nửa đêm.")
        # file_tip's last step was the Submit press; time the next one on a fresh dialogue
        await driver.says(user, "/baotin")
        await driver.presses(user, "Tố giác tội phạm")
        await driver.presses(user, "Không, đã xảy ra rồi")
        await driver.says(user, "tam chuc")
        await driver.presses(user, "Tam Chúc")
        await driver.presses(user, "Bỏ qua")
        await driver.presses(user, "Hôm nay")
        await driver.presses(user, "Bỏ qua")
        await driver.says(user, "Có người lạ đột nhập kho hàng lúc nửa đêm, lần thứ hai.")
        await driver.presses(user, "Bỏ qua")
        await driver.presses(user, "Ẩn danh")
        mark = api.mark()
        started = time.perf_counter()
        await driver.presses(user, "Gửi tin báo")
        await api.wait_for(
            "sendMessage",
            lambda call: call.params.get("chat_id") == QUEUE and "TIN BÁO" in str(call.params),
            since=mark,
            timeout=30,
        )
        samples.append((time.perf_counter() - started) * 1000)
    await tinbao.stop()
    return samples


async def drain(rows: int, workdir: Path, *, groups: int = 0) -> float:
    tinbao, _ = await _open(workdir, f"drain-{groups}", rate_limiter=False)
    await tinbao.app.initialize()
    async with tinbao.db.transaction() as tx:
        for i in range(rows):
            chat = -100_000 - (i % groups) if groups else 300_000 + i
            await outbox.enqueue(
                tx,
                at=tx.now_text(),
                method="sendMessage",
                payload={"text": f"Thông báo {i}"},
                purpose="bench",
                chat_id=chat,
            )
    started = time.perf_counter()
    sent = 0
    while sent < rows:
        sent += await tinbao.sender.flush()
        if sent < rows:
            await asyncio.sleep(0.05)
    elapsed = time.perf_counter() - started
    await tinbao.app.shutdown()
    await tinbao.db.close()
    return elapsed


async def main(tips: int) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="tinbao-bench-"))
    samples = await submit_to_card(tips, workdir)
    q = statistics.quantiles(samples, n=100)
    print(
        f"Submit → card sendMessage over {tips} tips: p50 {statistics.median(samples):.1f} ms, "
        f"p99 {q[98]:.1f} ms, max {max(samples):.1f} ms"
    )
    bare = await drain(1000, workdir)
    print(
        f"1,000 outbox rows, no limits (in-process ceiling): {bare:.2f} s, "
        f"{1000 / bare:,.0f} rows/s (within Telegram's limits: python -m bench.outbox_drain)"
    )


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 200))
