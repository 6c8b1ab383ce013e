"""Issue 12: start-up refuses what would do harm, with one line naming the setting: a
secret key that is not the database's, a token of another bot, a token revoked while
running; ``check-config --online`` names a group the bot can no longer post in."""

from __future__ import annotations

import asyncio
import base64
import shutil
from pathlib import Path

import pytest

from bot.startup import StartRefused, check_bot
from handlers.telegram.app import create
from handlers.telegram.checks import online_checks
from handlers.telegram.fake.botapi import FakeBotApi
from handlers.telegram.fake.updates import FakeUser
from tests.harness import Harness, file_tip, make_settings, template_db
from tests.police import QUEUE, setup_unit

OTHER_KEY = base64.urlsafe_b64encode(bytes(range(100, 132))).decode()


async def test_a_secret_key_that_is_not_the_databases_stops_the_start(h: Harness) -> None:
    await file_tip(h.citizen())
    await h.tinbao.db.sync()
    settings = type(h.tinbao.settings)(
        **{**h.tinbao.settings.model_dump(), "secret_key": OTHER_KEY}
    )
    with pytest.raises(StartRefused, match="TINBAO_SECRET_KEY"):
        await create(settings, request=h.api, clock=h.clock, rate_limiter=False)
    async with h.tinbao.db.read() as tx:  # nothing was sealed with the wrong key
        assert await tx.scalar("SELECT COUNT(*) FROM reporters") == 1


async def test_the_right_key_passes_and_a_database_from_before_gets_its_canary(
    h: Harness,
) -> None:
    await file_tip(h.citizen())
    await h.tinbao.db.sync()
    async with h.tinbao.db.transaction() as tx:  # as a database made before the canary
        await tx.execute("DELETE FROM meta")
    again = await create(h.tinbao.settings, request=h.api, clock=h.clock, rate_limiter=False)
    try:
        async with again.db.read() as tx:
            assert await tx.scalar("SELECT COUNT(*) FROM meta WHERE key = 'key_canary'") == 1
    finally:
        await again.app.shutdown()
        await again.db.close()


async def test_the_token_of_another_bot_is_refused(h: Harness) -> None:
    await check_bot(h.tinbao.db, 7000000001, "tinbao_test_bot")  # the first run records it
    await check_bot(h.tinbao.db, 7000000001, "tinbao_test_bot")
    with pytest.raises(StartRefused, match="TINBAO_BOT_TOKEN"):
        await check_bot(h.tinbao.db, 7000000002, "someone_elses_bot")


async def test_online_checks_name_the_group_the_bot_was_removed_from(h: Harness) -> None:
    found = await online_checks(h.tinbao)
    assert any("no duty group" in w for w in found.warnings)  # nothing bound yet
    await setup_unit(h)
    found = await online_checks(h.tinbao)
    assert found.problems == found.warnings == []
    assert any("queue group" in line for line in found.lines)
    h.api.set_bot_member(QUEUE, "left")
    found = await online_checks(h.tinbao)
    (problem,) = found.problems
    assert "queue group" in problem and "may not send" in problem


async def test_a_token_revoked_while_running_stops_with_one_line(tmp_path: Path) -> None:
    db_path = tmp_path / "revoked.db"
    shutil.copy(await template_db(tmp_path.parent), db_path)
    api = FakeBotApi()
    tinbao = await create(make_settings(db_path), request=api)
    await tinbao.start(polling=True, sender=True)
    try:
        api.push_update(api.factory().text(FakeUser(4242, "Hà"), "/start"))
        await api.wait_for("sendMessage", timeout=10)
        api.token_revoked = True
        await asyncio.wait_for(tinbao.fatal.wait(), timeout=10)
        assert "TINBAO_BOT_TOKEN" in tinbao.fatal_reason
    finally:
        await tinbao.stop()
