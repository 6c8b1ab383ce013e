"""Issue 11: the fake Zalo OA answers the OA API as Zalo does (HTTP 200 always, a
non-zero ``error`` for a failure) and records every call."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from handlers.zalo.fake import ACCESS_TOKEN, FakeZaloOA


@pytest.fixture
async def oa() -> AsyncIterator[FakeZaloOA]:
    fake = FakeZaloOA("1234567890", "oa-key")
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


async def send(oa: FakeZaloOA, body: Any, token: str | None = ACCESS_TOKEN) -> tuple[int, Any]:
    headers = {"access_token": token} if token is not None else {}
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{oa.url}/v3.0/oa/message/cs", json=body, headers=headers) as r,
    ):
        return r.status, await r.json()


MESSAGE = {"recipient": {"user_id": "2512523625412515"}, "message": {"text": "Chào bạn"}}


async def test_a_message_is_accepted_and_recorded(oa: FakeZaloOA) -> None:
    status, answer = await send(oa, MESSAGE)
    assert status == 200 and answer["error"] == 0 and answer["data"]["message_id"]
    assert oa.sent_to("2512523625412515") == [{"text": "Chào bạn"}]


async def test_errors_come_as_200_with_a_nonzero_error(oa: FakeZaloOA) -> None:
    assert await send(oa, MESSAGE, token="expired") == (
        200,
        {"error": -216, "message": "Access token is invalid"},
    )
    oa.fail_next(-32, "Exceeded the rate limit")
    status, answer = await send(oa, MESSAGE)
    assert status == 200 and answer == {"error": -32, "message": "Exceeded the rate limit"}
    status, answer = await send(oa, {"message": {"text": "x"}})
    assert status == 200 and answer["error"] != 0
    assert len(oa.calls) == 3 and oa.sent_to("2512523625412515") == []
