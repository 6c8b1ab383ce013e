"""The durable inbox: stored before confirmed, applied once, unreadable updates skipped.

Updates go in as Telegram sends them (JSON); a restart is a new ``Tinbao`` on the same
SQLite file, as after ``kill -9``.
"""

from __future__ import annotations

import logging

import pytest

from bot.app import create
from tests.harness import Harness
from tests.test_queues_e2e import DUTY, setup_unit


async def inbox_statuses(h: Harness) -> dict[str, int]:
    async with h.tinbao.db.read() as tx:
        rows = await tx.fetchall("SELECT status, COUNT(*) FROM inbox GROUP BY status")
    return {str(status): int(n) for status, n in rows}


async def restart(h: Harness) -> None:
    """What a new process finds: the same file, a fresh Application and inbox."""
    await h.tinbao.app.shutdown()
    await h.tinbao.db.close()
    h.tinbao = await create(h.tinbao.settings, request=h.api, clock=h.clock, rate_limiter=False)
    await h.tinbao.app.initialize()


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
