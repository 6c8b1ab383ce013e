"""Issue 12: webhook mode. Telegram's POSTs over real loopback HTTP: the secret is
checked on every request, an update is stored in the inbox before the 200, a repeat is
applied once, and going back to polling deletes the webhook and loses nothing."""

from __future__ import annotations

import json
import shutil
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from handlers.telegram.app import Tinbao, create
from handlers.telegram.fake.botapi import FakeBotApi
from handlers.telegram.fake.updates import FakeUser
from tests.harness import make_settings, template_db

SECRET = "s3cret-token_for-the-webhook"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def hooked(tmp_path: Path) -> AsyncIterator[tuple[Tinbao, FakeBotApi, str]]:
    db_path = tmp_path / "webhook.db"
    shutil.copy(await template_db(tmp_path.parent), db_path)
    port = free_port()
    settings = make_settings(
        db_path,
        webhook_url="https://tinbao.example.vn/",
        webhook_secret=SECRET,
        webhook_port=port,
    )
    api = FakeBotApi()
    tinbao = await create(settings, request=api)
    await tinbao.start(polling=False, sender=True, webhook=True)
    try:
        yield tinbao, api, f"http://127.0.0.1:{port}/telegram"
    finally:
        await tinbao.stop()


async def post(url: str, body: Any, secret: str | None = SECRET) -> int:
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=data, headers=headers) as r,
    ):
        return r.status


async def inbox_count(tinbao: Tinbao) -> int:
    async with tinbao.db.read() as tx:
        return int(await tx.scalar("SELECT COUNT(*) FROM inbox") or 0)


async def test_telegram_is_told_the_url_and_the_secret(
    hooked: tuple[Tinbao, FakeBotApi, str],
) -> None:
    _, api, _ = hooked
    (call,) = api.calls_of("setWebhook")
    assert call.params["url"] == "https://tinbao.example.vn/telegram"
    assert call.params["secret_token"] == SECRET
    assert not call.params.get("drop_pending_updates")


async def test_an_update_is_stored_then_answered_once_however_often_it_comes(
    hooked: tuple[Tinbao, FakeBotApi, str],
) -> None:
    tinbao, api, url = hooked
    update = api.factory().text(FakeUser(4242, "Hà"), "/start")
    assert await post(url, update) == 200
    assert await inbox_count(tinbao) == 1  # stored before the 200 went back
    assert await post(url, update) == 200  # Telegram's retry after a lost answer
    call = await api.wait_for("sendMessage", lambda c: c.params.get("chat_id") == 4242, timeout=10)
    assert "113" in call.params["text"]
    await tinbao.inbox.drain()
    assert await inbox_count(tinbao) == 1
    assert len([c for c in api.calls_of("sendMessage") if c.params.get("chat_id") == 4242]) == 1


async def test_forged_or_malformed_requests_are_refused_and_store_nothing(
    hooked: tuple[Tinbao, FakeBotApi, str],
) -> None:
    tinbao, api, url = hooked
    update = api.factory().text(FakeUser(4243, "Lan"), "/start")
    assert await post(url, update, secret=None) == 401
    assert await post(url, update, secret="wrong-secret-token-xx") == 401
    assert await post(url, b"{not json") == 400
    assert await post(url, {"no": "update_id"}) == 400
    assert await post(url, b"x" * (2 * 1024 * 1024)) == 413
    assert await inbox_count(tinbao) == 0


async def test_back_to_polling_deletes_the_webhook_and_applies_a_seen_update_once(
    tmp_path: Path, hooked: tuple[Tinbao, FakeBotApi, str]
) -> None:
    tinbao, api, url = hooked
    update = api.factory().text(FakeUser(4244, "Minh"), "/start")
    assert await post(url, update) == 200  # delivered by webhook, then the bot restarts
    await api.wait_for("sendMessage", lambda c: c.params.get("chat_id") == 4244, timeout=10)
    await tinbao.stop()
    polling = await create(tinbao.settings.model_copy(update={"webhook_url": None}), request=api)
    api.push_update(update)  # Telegram offers it again through getUpdates
    await polling.start(polling=True, sender=True)
    try:
        await api.wait_for("deleteWebhook", timeout=10)
        later = api.push_update(api.factory().text(FakeUser(4244, "Minh"), "/help"))
        await api.wait_for(
            "sendMessage",
            lambda c: c.params.get("chat_id") == 4244 and "Hướng dẫn" in c.params["text"],
            timeout=10,
        )
        confirmed = later["update_id"]
        await api.wait_for("getUpdates", lambda c: (c.params.get("offset") or 0) > confirmed)
    finally:
        await polling.stop()
    answers = [c for c in api.calls_of("sendMessage") if c.params.get("chat_id") == 4244]
    assert len(answers) == 2  # /start once (by webhook), /help once (by polling)
