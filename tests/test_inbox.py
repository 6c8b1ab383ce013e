"""The durable inbox: stored before confirmed, applied once, unreadable updates skipped.

Updates go in as Telegram sends them (JSON); a restart is a new ``Tinbao`` on the same
SQLite file, as after ``kill -9``.
"""

from __future__ import annotations

import logging
import sqlite3

import pytest

from config.texts import t
from tests.harness import Harness, restart
from tests.police import DUTY, setup_unit


async def inbox_statuses(h: Harness) -> dict[str, int]:
    async with h.tinbao.db.read() as tx:
        rows = await tx.fetchall("SELECT status, COUNT(*) FROM inbox GROUP BY status")
    return {str(status): int(n) for status, n in rows}


async def test_an_update_stored_before_a_crash_is_applied_after_restart(h: Harness) -> None:
    citizen = h.citizen()
    update = h.updates.text(citizen.user, "/start")
    await h.tinbao.telegram.accept([update])  # committed; then the process dies
    assert citizen.messages() == []
    await restart(h)
    await h.tinbao.inbox.drain()
    await h.flush()
    assert "113" in citizen.last()
    assert await inbox_statuses(h) == {"done": 1}


async def test_a_redelivered_update_is_applied_once(h: Harness) -> None:
    citizen = h.citizen()
    update = h.updates.text(citizen.user, "/start")
    await h.deliver(update)
    # Telegram sends it again (the offset that confirmed it was lost with a crash)
    assert await h.tinbao.telegram.accept([update]) == 0
    await restart(h)
    assert await h.tinbao.telegram.accept([update]) == 0
    await h.tinbao.inbox.drain()
    await h.flush()
    assert len(citizen.messages()) == 1


async def test_the_step_and_its_reply_commit_together(h: Harness) -> None:
    citizen = h.citizen()
    await citizen.says("/start")
    # the step is applied, its answer committed, the Bot API never reached: a crash now
    await h.driver.presses(citizen.user, "Báo tin", flush=False)
    async with h.tinbao.db.read() as tx:
        pending = await tx.scalar("SELECT COUNT(*) FROM outbox WHERE status = 'pending'")
        sealed = await tx.scalar("SELECT payload FROM outbox WHERE status = 'pending'")
    assert pending == 1 and "Bước" not in sealed  # the screen waits, sealed
    await restart(h)
    await h.flush()
    assert "Bước 1/7" in citizen.last()


async def test_an_unreadable_update_is_kept_skipped_and_alerted_once(
    h: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    await setup_unit(h)
    caplog.set_level(logging.DEBUG, logger="bot")
    caplog.set_level(logging.DEBUG, logger="handlers")
    mark = h.api.mark()
    citizen = h.citizen(user_id=8123456, name="Bí Mật")
    good = h.updates.text(citizen.user, "/start")
    broken = {
        "update_id": good["update_id"] + 1,
        "message": {"message_id": 1, "chat": "not an object", "text": "Bí Mật 0912345678"},
    }
    await h.tinbao.telegram.accept([broken, good])
    await h.tinbao.inbox.drain()
    await h.tinbao.inbox.drain()  # a second pass does not try it again
    await h.flush()
    assert "113" in citizen.last()  # the good one is not held up
    statuses = await inbox_statuses(h)
    assert statuses["refused"] == 1 and "pending" not in statuses
    alerts = [c for c in h.api.calls[mark:] if c.method == "sendMessage"]
    alerts = [c for c in alerts if c.params["chat_id"] == DUTY]
    assert len(alerts) == 1 and f"tg:{broken['update_id']}" in alerts[0].params["text"]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "refused" in logged
    for secret in ("Bí Mật", "0912345678", "8123456"):
        assert secret not in logged


async def break_replies(h: Harness, *, but: tuple[str, ...] = ()) -> None:
    """A fault in the storage under every reply (as a full disk or a bug would raise):
    a trigger on the real file, added by another connection as an operator could."""
    await h.tinbao.db.sync()  # the open group-commit batch holds the write lock
    spared = " AND ".join(f"NEW.purpose != '{p}'" for p in but) or "1"
    with sqlite3.connect(h.tinbao.db.path) as conn:
        conn.execute(
            f"CREATE TRIGGER broken BEFORE INSERT ON outbox WHEN {spared}"
            " BEGIN SELECT RAISE(ABORT, 'Lan 0912345678 disk trouble'); END"
        )


async def mend(h: Harness) -> None:
    await h.tinbao.db.sync()
    with sqlite3.connect(h.tinbao.db.path) as conn:
        conn.execute("DROP TRIGGER broken")


async def inbox_rows(h: Harness) -> list[tuple[str, int]]:
    async with h.tinbao.db.read() as tx:
        rows = await tx.fetchall("SELECT status, attempts FROM inbox ORDER BY id")
    return [(str(status), int(attempts)) for status, attempts in rows]


async def test_a_step_whose_handler_fails_is_tried_again_in_order_and_applied_once(
    h: Harness,
) -> None:
    lan, minh = h.citizen(1001, "Lan"), h.citizen(1002, "Minh")
    await break_replies(h)
    await lan.says("/start")
    await lan.says("/help")  # the same chat: waits behind the failed step
    assert lan.messages() == []
    assert await inbox_rows(h) == [("pending", 1), ("pending", 0)]
    await mend(h)
    await minh.says("/start")  # another chat does not wait
    assert "113" in minh.last()
    assert lan.messages() == []  # not before its time
    h.clock.advance(seconds=2)
    await h.tinbao.inbox.drain()
    await h.flush()
    texts = [m["text"] for m in lan.messages()]
    assert len(texts) == 2 and "113" in texts[0] and "Hướng dẫn" in texts[1]  # in order, once
    assert [s for s, _ in await inbox_rows(h)] == ["done"] * 3


async def test_a_step_that_fails_every_time_is_set_aside_and_its_sender_told(
    h: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    await setup_unit(h)
    caplog.set_level(logging.INFO)  # as tinbao run -v logs: its own modules at DEBUG
    for ours in ("bot", "handlers", "storage"):
        caplog.set_level(logging.DEBUG, logger=ours)
    lan = h.citizen(8123456, "Lan")
    mark = h.api.mark()
    await break_replies(h, but=("failure", "inbox_alert"))
    await lan.says("/start")
    for wait in (2, 10, 30):
        assert lan.messages() == []
        h.clock.advance(seconds=wait)
        await h.tinbao.inbox.drain()
        await h.flush()
    assert (await inbox_rows(h))[-1] == ("failed", 4)
    assert len(lan.messages()) == 1 and "gửi lại" in lan.last()
    alerts = [c for c in h.api.calls[mark:] if c.method == "sendMessage"]
    alerts = [c.params["text"] for c in alerts if c.params["chat_id"] == DUTY]
    assert len(alerts) == 1 and "IntegrityError" in alerts[0]
    h.clock.advance(seconds=60)
    await h.tinbao.inbox.drain()
    await h.flush()
    assert len(lan.messages()) == 1  # set aside: never tried again
    await mend(h)
    await lan.says("/start")  # the chat is not jammed
    assert "113" in lan.last()
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "set aside" in logged
    for secret in ("0912345678", "8123456", "Lan"):
        assert secret not in logged


async def test_a_full_disk_pauses_the_bot_keeps_every_message_and_says_so_once(
    h: Harness,
) -> None:
    """The floor is set above any disk's free space, as a full disk would look: nothing is
    applied or written, the citizen is told once that the message is kept, and when there
    is room again each update is applied once, in order."""
    citizen = h.citizen()
    settings = h.tinbao.settings
    floor = settings.min_free_disk_mb
    settings.min_free_disk_mb = 10**9  # the disk is "full"
    try:
        await citizen.says("/start")
        await citizen.says("/help")
        texts = [m["text"] for m in citizen.messages()]
        assert texts == [t("storage_paused", "vi")]  # told once, directly
        assert await inbox_rows(h) == [("pending", 0), ("pending", 0)]  # not failures
    finally:
        settings.min_free_disk_mb = floor
    await h.tinbao.inbox.drain()  # still paused for its 30 s: nothing yet
    assert len(citizen.messages()) == 1
    h.tinbao.inbox._paused_until = 0.0  # the 30 s have passed
    await h.tinbao.inbox.drain()
    await h.flush()
    texts = [m["text"] for m in citizen.messages()]
    assert len(texts) == 3 and "113" in texts[1] and "Hướng dẫn" in texts[2]
    assert [s for s, _ in await inbox_rows(h)] == ["done", "done"]
