"""Issue 4 through Telegram: supervisors' commands, the ladder and the catch-up as wired
into the running Application (the digest contents themselves: tests/test_digests.py)."""

from __future__ import annotations

from handlers.telegram.jobs import catch_up, run_sweep
from tests.harness import Harness, Person, file_tip

QUEUE, DUTY, SUPERVISORS = -100111, -100999, -100888


async def setup(h: Harness) -> tuple[Person, Person]:
    q = h.tinbao.staff
    lead_code, _, _ = await q.create_invite("Tam Chúc", "lead")
    sup_code, _, _ = await q.create_invite("Ninh Bình", "supervisor")
    lead, sup = h.officer(501, "Hùng"), h.officer(701, "Sơn")
    await lead.says(f"/join {lead_code}")
    await sup.says(f"/join {sup_code}")
    await lead.says("/bindqueue", chat=h.group("CA Tam Chúc", QUEUE))
    await sup.says("/bindduty", chat=h.group("Trực ban", DUTY))
    await sup.says("/bindsupervisors", chat=h.group("Lãnh đạo", SUPERVISORS))
    return lead, sup


async def test_report_and_export_for_supervisors_only(h: Harness) -> None:
    lead, sup = await setup(h)
    await file_tip(h.citizen())
    await sup.says("/report year")
    await h.flush()
    year = h.clock().astimezone(h.tinbao.settings.tz).year
    assert f"Báo cáo năm {year}" in sup.last()
    await sup.says("/export csv")
    await h.flush()
    documents = [c for c in h.api.calls_of("sendDocument") if c.params.get("chat_id") == 701]
    assert len(documents) == 1 and str(documents[0].params["document"]).endswith(".csv")
    await lead.says("/export")
    assert "chỉ dành cho lãnh đạo" in lead.last()
    citizen = h.citizen(2002, "An")
    await citizen.says("/report")  # for a citizen, /report is "report a tip"
    assert "Bước 1/7" in citizen.last()


async def test_digest_opt_in(h: Harness) -> None:
    _lead, sup = await setup(h)
    await sup.says("/digest")
    assert "07:00" in sup.last()
    async with h.tinbao.db.read() as tx:
        assert (
            await tx.scalar("SELECT digest_opt_in FROM officers WHERE telegram_user_id = 701") == 1
        )
    await sup.says("/digest off")
    async with h.tinbao.db.read() as tx:
        assert (
            await tx.scalar("SELECT digest_opt_in FROM officers WHERE telegram_user_id = 701") == 0
        )


async def test_ladder_reminds_then_escalates_once_and_stops_on_ack(h: Harness) -> None:
    lead, _sup = await setup(h)
    code = await file_tip(h.citizen())  # normal tip: 240 minutes to acknowledge
    services = h.tinbao.digests
    h.clock.advance(minutes=241)
    await run_sweep(services, h.clock())
    await run_sweep(services, h.clock())  # a second sweep adds nothing
    await h.flush()
    reminders = [m for m in h.api.sent_to(QUEUE) if "Nhắc việc" in m.get("text", "")]
    assert len(reminders) == 1 and code in reminders[0]["text"]
    h.clock.advance(minutes=240)
    await run_sweep(services, h.clock())
    await h.flush()
    escalations = [m for m in h.api.sent_to(SUPERVISORS) if "Chậm tiếp nhận" in m.get("text", "")]
    assert len(escalations) == 1
    await lead.presses("Tiếp nhận", chat=h.group("CA Tam Chúc", QUEUE))
    h.clock.advance(days=1)
    await run_sweep(services, h.clock())
    await h.flush()
    assert len([m for m in h.api.sent_to(SUPERVISORS) if "Chậm" in m.get("text", "")]) == 1


async def test_start_up_catch_up_sends_missed_daily_digest_once(h: Harness) -> None:
    await setup(h)
    await file_tip(h.citizen())
    h.clock.advance(days=1, hours=1)  # the bot "was down" across 07:00
    await h.tinbao.start(polling=False, sender=True)  # start-up runs the catch-up
    try:
        await h.api.wait_for(
            "sendMessage",
            lambda c: c.params.get("chat_id") == SUPERVISORS and "📊" in c.params.get("text", ""),
            timeout=10,
        )
        await catch_up(h.tinbao.digests, h.clock())  # a second start-up sends nothing more
        await h.flush()
        daily = [m for m in h.api.sent_to(SUPERVISORS) if "📊 Tin báo ngày" in m.get("text", "")]
        assert len(daily) == 1
        jobs = {job.name for job in h.tinbao.app.job_queue.jobs()}  # type: ignore[union-attr]
        assert len(jobs) == 5  # deadline sweep, daily, weekly, monthly, retention purge
    finally:
        h.tinbao.sender.stop()
        await h.tinbao.app.stop()


async def test_dates_out_of_range_get_the_usage_answer(h: Harness) -> None:
    """Fuzzing found /export 31/12/9999 raising OverflowError (the day after it does not
    exist) and year 1 overflowing when moved to UTC; every such date is a usage answer."""
    _lead, sup = await setup(h)
    for args in (
        "31/12/9999",
        "01/01/0001",
        "9999-12-31",
        "0001-01-01 csv",
        "01/01/0001 31/12/9999",
        "01/01/1900",
        "31/02/2026",
        "1/1/2026/1",
        "01/11/2026 30/11/2026 01/12/2026",
    ):
        await sup.says(f"/export {args}")
        assert "Cú pháp: /export" in sup.last(), args
    for args in (
        "year 1",
        "year 9999",
        "year 0",
        "month 12/9999",
        "month 1/0001",
        "quarter 4/9999",
    ):
        await sup.says(f"/report {args}")
        assert "Cách dùng: /report" in sup.last(), args
    await h.flush()
    assert h.api.calls_of("sendDocument") == []
    assert h.errors == []
