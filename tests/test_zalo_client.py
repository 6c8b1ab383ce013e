"""Issue 11: the OA client against the fake OA over loopback: a text is sent with the
access token; Zalo's errors (HTTP 200, non-zero ``error``) are final and named; a
network failure or a 5xx is tried again with backoff."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from handlers.zalo.client import ZaloApiError, ZaloClient
from handlers.zalo.fake import ACCESS_TOKEN, FakeZaloOA

UID = "2512523625412515"


@pytest.fixture
async def oa() -> AsyncIterator[FakeZaloOA]:
    fake = FakeZaloOA("1234567890", "oa-key")
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


async def token() -> str:
    return ACCESS_TOKEN


async def test_a_text_reaches_the_citizen(oa: FakeZaloOA) -> None:
    async with aiohttp.ClientSession() as session:
        client = ZaloClient(oa.url, token, session=session)
        sent = await client.send_text(UID, "Mã tin báo của bạn: AB12-CD34")
    assert sent.message_id
    assert oa.sent_to(UID) == [{"text": "Mã tin báo của bạn: AB12-CD34"}]
    assert oa.calls[0].access_token == ACCESS_TOKEN


async def test_zalo_errors_are_final_and_named(oa: FakeZaloOA) -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    async with aiohttp.ClientSession() as session:
        client = ZaloClient(oa.url, token, session=session, sleep=sleep)
        oa.fail_next(-213, "User has not followed OA")
        with pytest.raises(ZaloApiError) as caught:
            await client.send_text(UID, "x")
    assert caught.value.code == -213 and caught.value.final
    assert waits == [] and len(oa.calls) == 1


async def test_a_network_failure_is_tried_again_then_reported(oa: FakeZaloOA) -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    async with aiohttp.ClientSession() as session:
        dead = ZaloClient("http://127.0.0.1:9", token, session=session, sleep=sleep)
        with pytest.raises(ZaloApiError) as caught:
            await dead.send_text(UID, "x")
    assert caught.value.code == 0 and not caught.value.final
    assert waits == [1.0, 5.0, 30.0]
