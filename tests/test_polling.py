"""`tinbao run`'s path: the Application polls the (fake) Bot API with getUpdates."""

from __future__ import annotations

import shutil
from pathlib import Path

from handlers.telegram.app import create
from handlers.telegram.fake.botapi import FakeBotApi
from handlers.telegram.fake.updates import FakeUser
from tests.harness import make_settings, template_db


async def test_long_polling_serves_a_citizen_and_the_sender_runs(tmp_path: Path) -> None:
    db_path = tmp_path / "polling.db"
    shutil.copy(await template_db(tmp_path.parent), db_path)
    api = FakeBotApi()
    tinbao = await create(make_settings(db_path), request=api)
    await tinbao.start(polling=True, sender=True)
    try:
        factory = api.factory()
        user = FakeUser(4242, "Hà")
        api.push_update(factory.text(user, "/start"))
        call = await api.wait_for(
            "sendMessage", lambda c: c.params.get("chat_id") == 4242, timeout=10
        )
        assert "113" in call.params["text"]
        mark = api.mark()
        api.push_update(factory.text(user, "/status 7Q2K-M9XD-TR4C"))
        await api.wait_for(
            "sendMessage", lambda c: c.params.get("chat_id") == 4242, since=mark, timeout=10
        )
    finally:
        await tinbao.stop()
    offsets = [c.params.get("offset") for c in api.calls_of("getUpdates")]
    assert max(o or 0 for o in offsets) >= 2  # both updates were confirmed to Telegram
