"""Personal data of closed tips is forgotten after the retention period; the trail stays."""

from __future__ import annotations

from bot.retention import purge
from storage.db import utc_text
from tests.harness import Harness, file_tip


async def test_purge_forgets_identity_and_phone_but_keeps_the_tip(h: Harness) -> None:
    citizen = h.citizen()
    code = await file_tip(citizen, phone="+84912345678")
    fresh = await purge(h.tinbao.db, h.tinbao.settings, h.clock())
    assert fresh.tip_contacts == 0 and fresh.reporters == 0  # an open tip keeps everything
    async with h.tinbao.db.transaction() as tx:
        await tx.execute(
            "UPDATE tips SET status = 'closed', outcome = 'resolved', closed_at = ?",
            (utc_text(h.clock()),),
        )
    h.clock.advance(days=h.tinbao.settings.retention_days + 1)
    report = await purge(h.tinbao.db, h.tinbao.settings, h.clock())
    assert report.tip_contacts == 1 and report.reporters == 1
    async with h.tinbao.db.read() as tx:
        tip = await tx.fetchone("SELECT contact_enc, status FROM tips")
        reporter = await tx.fetchone(
            "SELECT identity_enc, phone_enc, blind_index, pseudonym FROM reporters"
        )
        events = await tx.scalar("SELECT COUNT(*) FROM tip_events")
    assert tip is not None and tip[0] is None and tip[1] == "closed"
    assert reporter is not None and reporter[:3] == (None, None, None) and reporter[3]
    assert events >= 1
    # the code still answers; a message to the forgotten reporter is dropped, not retried
    await citizen.says(f"/status {code}")
    assert "Đã xử lý xong" in citizen.last()


async def test_keys_of_handled_updates_are_kept_a_week_then_dropped(h: Harness) -> None:
    """A late repeat of an update within the week is still recognised; older keys go, so
    the inbox does not grow for ever. Pending and set-aside rows are never dropped."""
    citizen = h.citizen()
    first = h.updates.text(citizen.user, "/start")
    await h.deliver(first)
    h.clock.advance(days=6)
    assert (await purge(h.tinbao.db, h.tinbao.settings, h.clock())).inbox_keys == 0
    assert await h.tinbao.telegram.accept([first]) == 0  # still recognised
    h.clock.advance(days=2)
    assert (await purge(h.tinbao.db, h.tinbao.settings, h.clock())).inbox_keys == 1
    async with h.tinbao.db.read() as tx:
        assert await tx.scalar("SELECT COUNT(*) FROM inbox") == 0
