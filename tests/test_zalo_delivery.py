"""Issue 11: Zalo switched on beside Telegram. A Zalo citizen's messages leave through the
OA API (the fake OA on loopback) and never through the Bot API, a Telegram citizen's
never through Zalo, even when their numbers are the same; each recipient's order holds
per channel; Zalo down for a while loses nothing; a final Zalo error ends the row with
an alert in the duty group; ``Tinbao.start`` with Zalo settings runs the webhook and the
delivery loop and stops them cleanly."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from storage import outbox
from tests.harness import open_harness
from tests.police import DUTY, setup_unit
from tests.zalo import APP_ID, OA_KEY, UID, ZaloWorld, close_zalo, fake_token, open_zalo


@pytest.fixture
async def w(tmp_path: Path) -> AsyncIterator[ZaloWorld]:
    world = await open_zalo(tmp_path)
    try:
        yield world
    finally:
        await close_zalo(world)


async def test_a_zalo_citizens_answer_goes_through_the_oa_never_the_bot_api(w: ZaloWorld) -> None:
    citizen = w.citizen()
    await citizen.says("xin chào")
    assert citizen.texts() and "\n1. " in citizen.last()  # the menu, numbered
    assert w.h.api.sent_to(int(UID)) == []  # not the Telegram chat with the same number
    rows = await w.rows()
    assert rows and all(status == "sent" for _, _, status, _ in rows)
    async with w.h.tinbao.db.read() as tx:
        stored = await tx.scalar("SELECT sent_message_id FROM outbox WHERE id = ?", (rows[0][0],))
        # Zalo's id (a string) is kept; Telegram's readers see no message id of theirs
        assert isinstance(stored, str) and stored.startswith("fake")
        assert (await outbox.sent_message(tx, rows[0][0]) or (0, 0, ""))[1] is None


async def test_the_same_number_on_both_channels_reaches_each_person_on_their_own(
    w: ZaloWorld,
) -> None:
    same = 2512523625  # a Telegram user id that is also this Zalo user's id
    zalo = w.citizen(str(same))
    telegram = w.h.citizen(same, "Lan")
    await telegram.says("/start")
    await zalo.says("/start")
    await w.flush()
    telegram_texts = [m.get("text", "") for m in telegram.messages()]
    assert len(telegram_texts) == 1 and len(zalo.texts()) == 1
    # each got their own answer, once: no Zalo row went to Telegram, none the other way
    calls_to = [c for c in w.oa.calls if (c.body.get("recipient") or {}).get("user_id")]
    assert len(calls_to) == 1
    async with w.h.tinbao.db.read() as tx:
        assert await outbox.due(tx, "9999", channel="telegram") == []
        assert await outbox.due(tx, "9999", channel="zalo") == []


async def test_a_telegram_citizens_rows_never_reach_the_zalo_loop(w: ZaloWorld) -> None:
    citizen = w.h.citizen(1001, "Lan")
    w.h.api.fail_next("sendMessage", "500", chat_id=1001)  # so that its row still waits
    await citizen.says("/start")
    async with w.h.tinbao.db.read() as tx:
        assert await outbox.due(tx, "9999", channel="zalo") == []
        assert len(await outbox.due(tx, "9999", channel="telegram")) == 1
    assert await w.delivery.flush() == 0
    assert w.oa.calls == []
    w.h.clock.advance(seconds=2)
    await w.flush()
    assert citizen.messages()


async def test_each_recipients_order_holds_per_channel(w: ZaloWorld) -> None:
    zalo = w.citizen()
    telegram = w.h.citizen(1001, "Lan")
    # two answers wait for the Zalo citizen; the first meets Zalo's front end down
    assert await zalo.writes("/start") == 200
    assert await zalo.writes("/help") == 200
    w.oa.fail_http(502, times=4)  # every quick retry of the first row's call
    await telegram.says("/start")
    await w.flush()
    assert zalo.texts() == []  # the second waits behind the first, which waits a minute
    assert telegram.messages()  # Telegram's recipients are not held up by Zalo's
    statuses = [status for _, _, status, _ in await w.rows()]
    assert statuses == ["pending", "pending"]
    w.h.clock.advance(minutes=1)
    await w.flush()
    assert [status for _, _, status, _ in await w.rows()] == ["sent", "sent"]
    first, second = zalo.texts()
    assert "\n1. " in first  # the menu first, as written
    assert first != second


async def test_zalo_down_for_an_hour_then_up_loses_nothing(w: ZaloWorld) -> None:
    citizens = [w.citizen(f"25125236254{n:05d}") for n in range(3)]
    for citizen in citizens:
        assert await citizen.writes("/start") == 200
    await w.oa.go_down()  # connections refused
    await w.flush()
    for _ in range(6):  # an hour of retries: 1, 5, 15, 30 minutes ...
        w.h.clock.advance(minutes=16)
        await w.flush()
    assert all(c.texts() == [] for c in citizens)
    async with w.h.tinbao.db.read() as tx:
        attempts = await tx.scalar("SELECT MIN(attempts) FROM outbox WHERE reporter_id IS NOT NULL")
        failed = await tx.scalar("SELECT COUNT(*) FROM outbox WHERE status = 'failed'")
    assert attempts >= 3 and failed == 0
    await w.oa.come_back()
    w.h.clock.advance(minutes=61)
    await w.flush()
    for citizen in citizens:
        assert len(citizen.texts()) == 1  # delivered, once
        assert all(status == "sent" for _, _, status, _ in await w.rows(citizen.uid))


async def test_a_final_zalo_error_ends_the_row_with_an_alert_in_the_duty_group(
    w: ZaloWorld,
) -> None:
    await setup_unit(w.h)
    citizen = w.citizen()
    assert await citizen.writes("xin chào") == 200
    w.oa.fail_next(-213, "User has not followed OA")
    await w.flush()
    assert [status for _, _, status, _ in await w.rows()] == ["failed"]
    alert = w.h.api.last_text(DUTY) or ""
    assert "zalo error -213" in alert
    assert UID not in alert  # the citizen's id is never in an alert


async def test_tinbao_start_runs_zalo_and_stop_ends_it(tmp_path: Path) -> None:
    from handlers.zalo.fake import FakeZaloOA

    oa = FakeZaloOA(APP_ID, OA_KEY)
    url = await oa.start()
    h = await open_harness(
        tmp_path,
        zalo_app_id=APP_ID,
        zalo_oa_secret_key=OA_KEY,
        zalo_app_secret="app-secret",
        zalo_api_url=url,
    )
    oa.clock = h.clock
    tinbao = h.tinbao
    tinbao.zalo = tinbao.zalo_channel(port=0, token=fake_token)  # `tinbao run` builds its own
    try:
        await tinbao.start(polling=False, sender=True)
        channel = tinbao.zalo
        assert channel is not None and channel.delivery is not None
        hook = f"http://127.0.0.1:{channel.webhook.port}/zalo"
        # the citizen writes; the running process applies it and the loop answers
        assert await oa.deliver(hook, oa.text_event(UID, "xin chào")) == 200
        for _ in range(200):
            if oa.sent_to(UID):
                break
            await asyncio.sleep(0.05)
        assert oa.sent_to(UID) and h.api.sent_to(int(UID)) == []
    finally:
        await tinbao.stop()
        await oa.stop()
    assert channel._loop is None and channel.session is None
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.ClientConnectionError):
            await session.post(hook, data=b"{}")


async def test_a_telegram_only_run_starts_no_zalo(tmp_path: Path) -> None:
    h = await open_harness(tmp_path)
    await h.tinbao.start(polling=False, sender=True)
    try:
        assert not h.tinbao.settings.zalo_on and h.tinbao.zalo is None
        citizen = h.citizen()
        await citizen.says("/start")
        assert citizen.messages()
    finally:
        await h.tinbao.stop()


async def test_telegrams_sender_refuses_a_zalo_row_even_if_handed_one(w: ZaloWorld) -> None:
    citizen = w.citizen()
    assert await citizen.writes("xin chào") == 200
    async with w.h.tinbao.db.read() as tx:
        (row,) = await outbox.due(tx, "9999", channel="zalo")
    # as if the query had been wrong: the sender's own check keeps it off Telegram
    assert await w.h.tinbao.sender._deliver(row, None) == 0
    assert w.h.api.sent_to(int(UID)) == [] and not w.h.api.calls_of("sendMessage")
    assert [status for _, _, status, _ in await w.rows()] == ["pending"]  # left to Zalo
    await w.flush()
    assert citizen.texts() and [s for _, _, s, _ in await w.rows()] == ["sent"]


def test_the_telegram_wiring_imports_no_zalo_module() -> None:
    import subprocess
    import sys

    probe = (
        "import sys, handlers.telegram.app, handlers.cli\n"
        "print(','.join(m for m in sys.modules if m.startswith('handlers.zalo')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == ""
