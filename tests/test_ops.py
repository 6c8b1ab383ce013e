"""Issue 12: the ops server over real loopback HTTP: /healthz says 200 or 503 with the
status figures, /metrics serves Prometheus text with no personal data in it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from handlers.ops import OpsServer
from tests.harness import Harness, close_harness, file_tip, open_harness
from tests.police import setup_unit


@pytest.fixture
async def ops_h(tmp_path: Path) -> AsyncIterator[tuple[Harness, str]]:
    h = await open_harness(tmp_path, metrics=True)
    server = OpsServer(h.tinbao.settings, h.clock, port=0)
    await server.start()
    try:
        yield h, f"http://127.0.0.1:{server.port}"
    finally:
        await server.stop()
        await close_harness(h)


async def get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.text()


async def test_healthz_is_200_when_well_and_503_when_a_person_is_needed(
    ops_h: tuple[Harness, str],
) -> None:
    h, base = ops_h
    await setup_unit(h)
    await h.tinbao.db.sync()
    code, body = await get(base + "/healthz")
    assert code == 200 and '"healthy": true' in body
    h.api.fail_next("sendMessage", "5xx", times=1000)
    await h.citizen().says("/start")  # its answer cannot leave
    h.clock.advance(minutes=30)
    await h.tinbao.db.sync()
    code, body = await get(base + "/healthz")
    assert code == 503 and "waiting to be sent" in body


async def test_metrics_count_updates_and_tips_without_personal_data(
    ops_h: tuple[Harness, str],
) -> None:
    h, base = ops_h
    await setup_unit(h)
    citizen = h.citizen(user_id=8123456, name="Bí Mật")
    await file_tip(citizen)
    await h.tinbao.db.sync()
    code, body = await get(base + "/metrics")
    assert code == 200
    assert 'tinbao_updates_total{channel="telegram",kind="message",outcome="done"}' in body
    assert 'tinbao_updates_total{channel="telegram",kind="callback_query",outcome="done"}' in body
    assert "tinbao_handler_seconds_bucket" in body
    assert 'tinbao_tips{category="' in body and 'tinbao_outbox_rows{state="sent"}' in body
    for secret in ("8123456", "Bí Mật", str(h.tinbao.settings.bot_token.get_secret_value())):
        assert secret not in body


async def test_metrics_are_off_unless_asked(tmp_path: Path) -> None:
    h = await open_harness(tmp_path)
    server = OpsServer(h.tinbao.settings, h.clock, port=0)
    await server.start()
    try:
        code, _ = await get(f"http://127.0.0.1:{server.port}/metrics")
        assert code == 404
    finally:
        await server.stop()
        await close_harness(h)


async def test_bot_api_calls_are_counted_by_method_and_outcome_over_http() -> None:
    from telegram import Bot
    from telegram.error import NetworkError, RetryAfter

    from bot.metrics import BOT_API_CALLS
    from handlers.telegram.counted import CountedRequest
    from handlers.telegram.fake.botapi import FakeBotApi
    from handlers.telegram.fake.server import FakeBotServer

    def seen(method: str, outcome: str) -> float:
        return BOT_API_CALLS.labels(method, outcome)._value.get()

    api = FakeBotApi()
    before = {k: seen("sendMessage", k) for k in ("ok", "429", "network")}
    async with FakeBotServer(api) as server:
        bot = Bot(api.token, base_url=server.base_url, request=CountedRequest())
        async with bot:
            await bot.send_message(1001, "một")
            api.fail_next("sendMessage", "429", retry_after=1)
            with pytest.raises(RetryAfter):
                await bot.send_message(1001, "hai")
            api.fail_next("sendMessage", "5xx")
            with pytest.raises(NetworkError):
                await bot.send_message(1001, "ba")
    assert seen("sendMessage", "ok") - before["ok"] == 1
    assert seen("sendMessage", "429") - before["429"] == 1
    assert seen("sendMessage", "5xx") >= 1
