"""Issue 9: the outbox sender keeps Telegram's limits itself, one chat's trouble is that
chat's alone, and a row Telegram has is never sent again by the same process.

The sender runs with :class:`handlers.telegram.sendlimits.SendLimits` on the harness's fake clock
and
the fake Bot API enforces Telegram's limits (:class:`handlers.telegram.fake.botapi.FloodRules`) on
the
same clock, so a test steps time by hand and nothing sleeps through a real back-off.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import defaultdict
from typing import Any

import httpx
import pytest
from telegram.error import NetworkError, TimedOut

from handlers.telegram.fake.botapi import ApiCall, FloodRules
from handlers.telegram.sender import MAYBE_SENT, OutboxSender, not_sent
from handlers.telegram.sendlimits import Limits, SendLimits
from storage import outbox, tips
from tests.harness import Harness, file_tip
from tests.police import QUEUE, setup_unit

GROUPS = [-100_500 - i for i in range(3)]
PRIVATE = [500_000 + i for i in range(5)]


def limited(h: Harness, limits: Limits | None = None) -> OutboxSender:
    """A sender scheduling within Telegram's limits on the harness's clock, against a
    fake that enforces them on the same clock."""
    h.api.flood = FloodRules(lambda: h.clock().timestamp())
    return OutboxSender(
        h.tinbao.db,
        h.tinbao.app.bot,
        h.tinbao.people,
        h.clock,
        limits=SendLimits(limits, now=lambda: h.clock().timestamp()),
    )


async def enqueue(h: Harness, chat_id: int, text: str, **extra: Any) -> int:
    async with h.tinbao.db.transaction() as tx:
        return await outbox.enqueue_text(
            tx, text, at=tx.now_text(), purpose="test", chat_id=chat_id, **extra
        )


async def pending(h: Harness) -> int:
    async with h.tinbao.db.read() as tx:
        return await outbox.pending_count(tx)


def delivered(h: Harness) -> list[ApiCall]:
    return [c for c in h.api.calls if c.method.startswith("send") and c.ok]


async def test_a_mixed_backlog_drains_within_every_limit_without_a_single_429(h: Harness) -> None:
    sender = limited(h)
    rows = [(g, 25) for g in GROUPS] + [(p, 3) for p in PRIVATE]
    order = [chat for chat, n in rows for _ in range(n)]
    random.Random(9).shuffle(order)
    for i, chat in enumerate(order):
        await enqueue(h, chat, f"#{i}")
    start = h.clock().timestamp()
    steps = 0
    while await pending(h):
        await sender.flush()
        h.clock.advance(seconds=0.25)
        steps += 1
        assert steps < 2000
    assert not h.api.too_many_requests()
    sent = delivered(h)
    assert len(sent) == len(order)
    times: dict[int, list[float]] = defaultdict(list)
    for call in sent:
        times[call.params["chat_id"]].append(float(call.params["_at"]))
    for chat in PRIVATE:
        gaps = [b - a for a, b in zip(times[chat], times[chat][1:], strict=False)]
        assert min(gaps) >= 1.0
    for chat in GROUPS:
        stamps = times[chat]
        assert all(stamps[i + 20] - stamps[i] >= 60 for i in range(len(stamps) - 20))
    # 25 per group: the 21st-25th wait for the minute; nothing else should
    assert max(max(v) for v in times.values()) - start <= 62
    # each chat saw its messages in order
    for chat, _ in rows:
        numbers = [int(m["text"][1:]) for m in h.api.sent_to(chat)]
        assert numbers == sorted(numbers)


@pytest.fixture(autouse=True)
def stamp_calls(h: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    """Record the fake clock's time on each call (the fake's own ``at`` is monotonic)."""
    original = h.api._take_fault

    def take(call: ApiCall) -> Any:
        call.params["_at"] = h.clock().timestamp()
        return original(call)

    monkeypatch.setattr(h.api, "_take_fault", take)


async def test_a_long_retry_after_in_one_chat_delays_no_other_chat(h: Harness) -> None:
    sender = limited(h)
    slow, other = PRIVATE[0], PRIVATE[1]
    h.api.fail_next("sendMessage", "429", chat_id=slow, retry_after=600)
    for i in range(3):
        await enqueue(h, slow, f"slow {i}")
        await enqueue(h, other, f"other {i}")
    await sender.flush()
    assert [m["text"] for m in h.api.sent_to(other)] == ["other 0"]
    assert h.api.sent_to(slow) == []
    assert sender.limits is not None
    assert sender.limits.ready_at(slow) >= h.clock().timestamp() + 599
    for _ in range(4):  # the other chat goes on at its own pace
        h.clock.advance(seconds=1)
        await sender.flush()
    assert [m["text"] for m in h.api.sent_to(other)] == ["other 0", "other 1", "other 2"]
    assert h.api.sent_to(slow) == []
    h.clock.advance(seconds=600)
    for _ in range(3):
        await sender.flush()
        h.clock.advance(seconds=1)
    assert [m["text"] for m in h.api.sent_to(slow)] == ["slow 0", "slow 1", "slow 2"]
    assert len(h.api.too_many_requests()) == 1  # the injected one only


async def test_the_loop_looks_again_when_the_overall_budget_frees(h: Harness) -> None:
    """The first row in line waits a minute for its group, and the overall budget is
    spent for a second: the next look is in a second (for the other chats), not in a
    minute (the bug that left a drain idle for 30 s)."""
    sender = limited(h, Limits(overall=2, group=1, group_window=60))
    for i in range(3):
        await enqueue(h, GROUPS[0], f"g{i}")  # the group that needs longest goes first
    for chat in PRIVATE[:3]:
        await enqueue(h, chat, "p")
    started, _ = await sender._start_due()
    assert len(started) == 2  # the group's first and one private chat: 2 per second
    await asyncio.gather(*started)
    started, pause = await sender._start_due()
    assert started == [] and 0 < pause <= 1.0
    h.clock.advance(seconds=1)
    assert await sender.flush() == 2  # two more private chats; the group waits its minute


async def test_rows_not_yet_allowed_wait_without_flush_sleeping(h: Harness) -> None:
    sender = limited(h)
    for i in range(3):
        await enqueue(h, PRIVATE[0], f"{i}")
    assert await sender.flush() == 1  # the other two are not the chat's turn yet
    assert await sender.flush() == 0
    h.clock.advance(seconds=1)
    assert await sender.flush() == 1
    assert not h.api.too_many_requests()


async def test_an_exception_in_one_row_does_not_stop_the_pass(h: Harness) -> None:
    async with h.tinbao.db.transaction() as tx:  # an album item no renderer knows
        await outbox.enqueue(
            tx,
            at=tx.now_text(),
            method="sendMediaGroup",
            payload={"media": [{"type": "sticker", "media": "x"}]},
            purpose="test",
            chat_id=GROUPS[0],
        )
    for chat in PRIVATE:
        await enqueue(h, chat, "ok")
    assert await h.flush() == len(PRIVATE)
    async with h.tinbao.db.read() as tx:
        row = await tx.fetchone("SELECT status, last_error FROM outbox WHERE purpose = 'test'")
    assert row is not None and row[0] == "pending" and "internal error" in row[1]


async def test_a_broken_failure_alert_still_ends_the_row(h: Harness) -> None:
    async def broken(*_: Any) -> None:
        raise RuntimeError("alert hook broke")

    h.tinbao.sender.on_failure.append(broken)
    h.api.block_chat(PRIVATE[0], "blocked")
    await enqueue(h, PRIVATE[0], "to a chat that blocked us")
    await enqueue(h, PRIVATE[1], "fine")
    assert await h.flush() == 1
    async with h.tinbao.db.read() as tx:
        states = await tx.fetchall("SELECT chat_id, status FROM outbox ORDER BY id")
    assert [tuple(r) for r in states] == [(PRIVATE[0], "failed"), (PRIVATE[1], "sent")]
    h.clock.advance(minutes=10)
    assert await h.flush() == 0
    assert len(h.api.calls_of("sendMessage")) == 2  # not tried again


async def test_a_row_telegram_has_is_not_sent_again_when_its_record_fails(
    h: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = outbox.mark_sent
    failures = iter([True])

    async def flaky(*args: Any, **kwargs: Any) -> None:
        if next(failures, False):
            raise RuntimeError("disk I/O error")
        await original(*args, **kwargs)

    monkeypatch.setattr(outbox, "mark_sent", flaky)
    row_id = await enqueue(h, PRIVATE[0], "once")
    await enqueue(h, PRIVATE[1], "another")
    assert await h.flush() == 1  # the other row is not held up
    async with h.tinbao.db.read() as tx:
        assert await tx.scalar("SELECT status FROM outbox WHERE id = ?", (row_id,)) == "pending"
    assert await h.flush() == 0  # resting, not retried in a tight loop
    for _ in range(3):
        h.clock.advance(seconds=5)
        await h.flush()
    assert len(h.api.calls_of("sendMessage")) == 2  # "once" went out once
    async with h.tinbao.db.read() as tx:
        status, message_id = await tx.fetchone(
            "SELECT status, sent_message_id FROM outbox WHERE id = ?", (row_id,)
        )
    assert status == "sent" and message_id == h.api.sent_to(PRIVATE[0])[0]["message_id"]


async def test_flush_and_run_together_send_each_row_once(h: Harness) -> None:
    h.api.latency = 0.002
    chats = [600_000 + i for i in range(40)]
    for chat in chats:
        for i in range(3):
            await enqueue(h, chat, f"{chat}:{i}")
    running = asyncio.create_task(h.tinbao.sender.run())
    try:
        for _ in range(10):
            await h.flush()
        for _ in range(200):
            if not await pending(h):
                break
            await asyncio.sleep(0.01)
    finally:
        h.tinbao.sender.stop()
        await asyncio.wait_for(running, timeout=5)
    texts = [c.params["text"] for c in h.api.calls_of("sendMessage")]
    assert len(texts) == len(set(texts)) == 120


async def test_the_loop_does_not_spin_on_a_row_waiting_behind_a_late_one(
    h: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A chat's first row retries in five minutes and its second row is long due: the
    loop must sleep until the first is due, not wake every 50 ms for the second."""
    h.api.fail_next("sendMessage", "5xx", chat_id=PRIVATE[0], times=9)
    await enqueue(h, PRIVATE[0], "first")
    await h.flush()
    async with h.tinbao.db.transaction() as tx:
        await tx.execute("UPDATE outbox SET next_attempt_at = ?", ("2100-01-01 00:00:00.000000",))
    await enqueue(h, PRIVATE[0], "second")
    sender = h.tinbao.sender
    passes = 0
    original = sender._start_due

    async def counted() -> Any:
        nonlocal passes
        passes += 1
        return await original()

    monkeypatch.setattr(sender, "_start_due", counted)
    running = asyncio.create_task(sender.run())
    await asyncio.sleep(0.4)
    sender.stop()
    await asyncio.wait_for(running, timeout=5)
    assert passes <= 2


async def test_run_keeps_real_time_limits_against_the_enforcing_fake(h: Harness) -> None:
    """The production loop in real time, with the limits shrunk twenty-fold on both
    sides so that it takes about a second: no 429, and every chat in order."""
    small: dict[str, Any] = {
        "overall": 6,
        "overall_window": 0.2,
        "private_interval": 0.05,
        "group": 3,
        "group_window": 0.4,
    }
    h.api.flood = FloodRules(time.monotonic, **small)
    sender = OutboxSender(
        h.tinbao.db,
        h.tinbao.app.bot,
        h.tinbao.people,
        h.clock,
        limits=SendLimits(Limits(**small)),
    )
    for i in range(8):
        for chat in GROUPS[:2] + PRIVATE[:3]:
            await enqueue(h, chat, f"{i}")
    running = asyncio.create_task(sender.run())
    try:
        for _ in range(500):
            if not await pending(h):
                break
            await asyncio.sleep(0.01)
    finally:
        sender.stop()
        await asyncio.wait_for(running, timeout=5)
    assert await pending(h) == 0
    assert not h.api.too_many_requests()
    for chat in GROUPS[:2] + PRIVATE[:3]:
        assert [m["text"] for m in h.api.sent_to(chat)] == [str(i) for i in range(8)]


# ---------------------------------------------------------------- lost answers


def test_failures_known_to_precede_the_request_are_told_apart() -> None:
    def caused(exc: Exception, cause: Exception) -> Exception:
        exc.__cause__ = cause
        return exc

    request = httpx.Request("POST", "https://api.telegram.org/")
    assert not_sent(caused(TimedOut(), httpx.ConnectTimeout("x", request=request)))
    assert not_sent(caused(NetworkError("x"), httpx.ConnectError("x", request=request)))
    assert not_sent(TimedOut("Pool timeout: ... Request was *not* sent to Telegram. ..."))
    assert not not_sent(caused(TimedOut(), httpx.ReadTimeout("x", request=request)))
    assert not not_sent(NetworkError("Bad Gateway"))


async def test_a_send_whose_answer_was_lost_is_marked_maybe_delivered(h: Harness) -> None:
    h.api.fail_next("sendMessage", "timeout_after", chat_id=PRIVATE[0])
    row_id = await enqueue(h, PRIVATE[0], "một")
    await h.flush()
    async with h.tinbao.db.read() as tx:
        error = await tx.scalar("SELECT last_error FROM outbox WHERE id = ?", (row_id,))
    assert error.startswith(MAYBE_SENT)
    h.clock.advance(seconds=5)
    await h.flush()
    # at least once: Telegram had executed the first call, so the chat has it twice
    assert [m["text"] for m in h.api.sent_to(PRIVATE[0])] == ["một", "một"]


async def test_edits_and_deletes_whose_answer_was_lost_are_done_once(h: Harness) -> None:
    first = await enqueue(h, PRIVATE[0], "bản đầu")
    await h.flush()
    async with h.tinbao.db.transaction() as tx:
        await outbox.enqueue(
            tx,
            at=tx.now_text(),
            method="editMessageText",
            payload={"text": "bản sửa"},
            purpose="test",
            chat_id=PRIVATE[0],
            edit_of_outbox=first,
        )
    h.api.fail_next("editMessageText", "timeout_after")
    await h.flush()
    h.clock.advance(seconds=5)
    await h.flush()  # "message is not modified": done
    message_id = h.api.sent_to(PRIVATE[0])[0]["message_id"]
    async with h.tinbao.db.transaction() as tx:
        await outbox.enqueue(
            tx,
            at=tx.now_text(),
            method="deleteMessage",
            payload={"message_id": message_id},
            purpose="test",
            chat_id=PRIVATE[0],
        )
    h.api.fail_next("deleteMessage", "timeout_after")
    await h.flush()
    h.clock.advance(seconds=5)
    await h.flush()  # "message to delete not found": done
    async with h.tinbao.db.read() as tx:
        states = await tx.fetchall("SELECT status FROM outbox ORDER BY id")
    assert [r[0] for r in states] == ["sent", "sent", "sent"]
    assert [m["text"] for m in h.api.deleted(PRIVATE[0])] == ["bản sửa"]


async def test_a_second_card_for_a_chat_holding_the_tips_card_is_an_edit(h: Harness) -> None:
    await setup_unit(h)
    code = await file_tip(h.citizen())
    cards = [m for m in h.api.sent_to(QUEUE) if code in m.get("text", "")]
    assert len(cards) == 1
    tinbao = h.tinbao
    async with tinbao.db.transaction() as tx:
        tip_id = await tx.scalar("SELECT id FROM tips")
        tip = await tips.by_id(tx, tip_id)
        assert tip is not None
        await tinbao.queues.dispatch.send_cards(tx, tip, tip.current_unit_id)
        methods = await tx.fetchall(
            "SELECT method FROM outbox WHERE status = 'pending' AND chat_id = ?", (QUEUE,)
        )
    assert [m[0] for m in methods] == ["edit"]
    await h.flush()
    assert len([m for m in h.api.sent_to(QUEUE) if code in m.get("text", "")]) == 1


# ---------------------------------------------------------------- production wiring


async def test_production_wiring_paces_direct_calls_and_lets_the_senders_through(
    h: Harness,
) -> None:
    """``create(rate_limiter=True)`` shares one budget between the sender and PTB's
    rate-limiter hook: a call made outside the sender waits for its chat's slot in its
    own task, a 429 blocks only its chat, and the sender's admitted calls pass."""
    from telegram.error import RetryAfter

    from handlers.telegram.app import create
    from handlers.telegram.sendlimits import SendLimiter

    tinbao = await create(h.tinbao.settings, request=h.api, clock=h.clock, rate_limiter=True)
    await tinbao.app.initialize()
    try:
        bot = tinbao.app.bot
        assert isinstance(bot.rate_limiter, SendLimiter)
        assert tinbao.sender.limits is bot.rate_limiter.limits
        await bot.send_message(PRIVATE[0], "một")
        second = asyncio.create_task(bot.send_message(PRIVATE[0], "hai"))
        await asyncio.sleep(0.05)
        assert not second.done()  # the chat's second is due one second later
        await asyncio.wait_for(bot.send_message(PRIVATE[1], "khác"), timeout=1)
        h.clock.advance(seconds=1)
        await asyncio.wait_for(second, timeout=1)
        h.api.fail_next("sendMessage", "429", chat_id=GROUPS[0], retry_after=30)
        with pytest.raises(RetryAfter):
            await bot.send_message(GROUPS[0], "bị chặn")
        assert tinbao.sender.limits.ready_at(GROUPS[0]) >= h.clock().timestamp() + 29
        await asyncio.wait_for(bot.send_message(GROUPS[1], "nhóm khác"), timeout=1)
        # the sender's rows go through the same hook without waiting on themselves
        h.clock.advance(seconds=1)
        for chat in (PRIVATE[2], PRIVATE[3], GROUPS[1]):
            await enqueue(h, chat, "từ hàng đợi")
        await h.tinbao.db.sync()  # written through the harness's connection: commit them
        assert await asyncio.wait_for(tinbao.sender.flush(), timeout=2) == 3
    finally:
        await tinbao.app.shutdown()
        await tinbao.db.close()
