"""Issue 11: the OA's access token is refreshed ahead of its expiry, once for every
concurrent caller; the new pair is stored sealed, and stored before its access token is
used (Zalo's refresh token is single use); an access token that dies mid-burst is renewed
and nothing is lost; a refused refresh alerts the duty group once while the Zalo rows
wait, and they go once an operator authorizes again. All over the fake OA on loopback."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
from cryptography.exceptions import InvalidTag

from bot.crypto import IdentityBox
from bot.people import Person
from handlers.zalo.channel import ZaloChannel
from handlers.zalo.client import ZaloClient
from handlers.zalo.fake import OAUTH_BAD_REFRESH, FakeZaloOA
from handlers.zalo.sender import ZaloSender
from handlers.zalo.tokens import (
    PAIR_CONTEXT,
    NoAccessToken,
    OAuthError,
    TokenKeeper,
    ZaloOAuth,
)
from storage import outbox, reporters
from storage.outbox import OutboxRow
from tests.harness import Harness, close_harness, open_harness
from tests.police import DUTY, setup_unit

APP_ID, OA_KEY, APP_SECRET, UID = "1234567890", "oa-key", "app-secret", "2512523625412515"


async def no_wait(_: float) -> None:
    return None


@dataclass
class World:
    h: Harness
    oa: FakeZaloOA
    channel: ZaloChannel
    session: aiohttp.ClientSession
    keeper: TokenKeeper

    def new_keeper(self) -> TokenKeeper:
        t = self.h.tinbao
        oauth = ZaloOAuth(self.oa.url, APP_ID, APP_SECRET, session=self.session, timeout=0.3)
        box = IdentityBox(t.settings.key_bytes)
        return TokenKeeper(t.db, box, oauth, self.h.clock, sleep=no_wait)

    def sender(self) -> ZaloSender:
        client = ZaloClient(
            self.oa.url,
            self.keeper.token,
            session=self.session,
            sleep=no_wait,
            on_invalid_token=self.keeper.invalidate,
        )
        t = self.h.tinbao
        return ZaloSender(t.db, t.people, client, t.clock, on_failure=t.sender.on_failure)

    async def authorize(self) -> str:
        await self.keeper.authorize_code(self.oa.issue_code())
        return await self.keeper.token()

    async def says(self, text: str) -> list[OutboxRow]:
        url = f"http://127.0.0.1:{self.channel.webhook.port}/zalo"
        assert await self.oa.deliver(url, self.oa.text_event(UID, text)) == 200
        await self.h.tinbao.inbox.drain()
        t = self.h.tinbao
        async with t.db.read() as tx:
            found = await reporters.find(tx, t.people.subject(Person("zalo", int(UID), int(UID))))
            assert found is not None
            rows = await tx.fetchall(
                "SELECT id FROM outbox WHERE reporter_id = ? AND status = 'pending'", (found.id,)
            )
            due = await outbox.due(tx, "9999", channel="zalo")
        wanted = {int(r[0]) for r in rows}
        return [r for r in due if r.id in wanted]

    async def statuses(self, rows: list[OutboxRow]) -> set[str]:
        async with self.h.tinbao.db.read() as tx:
            return {
                str(await tx.scalar("SELECT status FROM outbox WHERE id = ?", (r.id,)))
                for r in rows
            }

    async def alerts(self) -> list[str]:
        async with self.h.tinbao.db.read() as tx:
            found = await tx.fetchall(
                "SELECT payload FROM outbox WHERE purpose = 'zalo_token_alert' AND chat_id = ?",
                (DUTY,),
            )
        return [str(r[0]) for r in found]

    def stored_pair(self) -> tuple[bytes, dict[str, str]]:
        """The row as another process would read it from the file (synced data only)."""
        path = self.h.tinbao.settings.database_path
        with sqlite3.connect(path) as conn:
            (blob,) = conn.execute("SELECT pair_enc FROM zalo_tokens").fetchone()
        box = IdentityBox(self.h.tinbao.settings.key_bytes)
        return bytes(blob), box.open(bytes(blob), context=PAIR_CONTEXT)


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    h = await open_harness(
        tmp_path, zalo_app_id=APP_ID, zalo_oa_secret_key=OA_KEY, zalo_app_secret=APP_SECRET
    )
    channel = ZaloChannel(h.tinbao.services, h.tinbao.inbox, port=0)
    await channel.start()
    oa = FakeZaloOA(APP_ID, OA_KEY, clock=h.clock)
    oa.oauth.app_secret = APP_SECRET
    oa.access_token = "never-issued"  # only tokens obtained through OAuth work
    await oa.start()
    session = aiohttp.ClientSession()
    world = World(h, oa, channel, session, None)  # type: ignore[arg-type]
    world.keeper = world.new_keeper()
    try:
        yield world
    finally:
        await session.close()
        await oa.stop()
        await channel.stop()
        await close_harness(h)


async def test_the_token_is_refreshed_ahead_of_its_expiry_with_zalos_form(world: World) -> None:
    first = await world.authorize()
    assert world.oa.oauth.calls[-1]["grant_type"] == "authorization_code"
    world.h.clock.advance(hours=23, minutes=55)  # 1 h 5 min left: still the same
    assert await world.keeper.token() == first and world.keeper.refreshes == 0
    world.h.clock.advance(minutes=10)  # 55 min left: renewed now, while it still works
    second = await world.keeper.token()
    assert second != first and world.keeper.refreshes == 1
    sent = world.oa.oauth.calls[-1]
    assert sent["grant_type"] == "refresh_token" and sent["app_id"] == APP_ID
    assert sent["refresh_token"]  # the one stored at authorize, spent now
    world.h.clock.advance(hours=2)
    assert await world.keeper.token() == second  # a day's token again


async def test_concurrent_callers_wait_for_one_refresh_and_share_it(world: World) -> None:
    await world.authorize()
    world.h.clock.advance(hours=25)  # expired
    got = await asyncio.gather(*(world.keeper.token() for _ in range(30)))
    assert len(set(got)) == 1 and got[0] == world.oa.access_token
    assert world.keeper.refreshes == 1 and world.oa.oauth.issued == 2  # authorize + one


async def test_the_pair_is_stored_sealed(world: World) -> None:
    access = await world.authorize()
    path = world.h.tinbao.settings.database_path
    with sqlite3.connect(path) as conn:
        conn.row_factory = sqlite3.Row
        row = dict(conn.execute("SELECT * FROM zalo_tokens").fetchone())
    blob, pair = world.stored_pair()
    refresh = pair["refresh_token"]
    assert pair["access_token"] == access and refresh in world.oa.oauth.refresh_tokens
    for value in row.values():
        raw = value if isinstance(value, bytes) else str(value).encode()
        assert access.encode() not in raw and refresh.encode() not in raw
    for file in (path, path.with_name(path.name + "-wal")):  # nor anywhere in the files
        if file.exists():
            assert refresh.encode() not in await asyncio.to_thread(file.read_bytes)
    with pytest.raises(InvalidTag):  # bound to its column: no other context opens it
        IdentityBox(world.h.tinbao.settings.key_bytes).open(blob, context="reporter.identity")


async def test_the_new_pair_is_on_disk_before_its_token_is_handed_out(world: World) -> None:
    await world.authorize()
    world.h.clock.advance(hours=25)
    token = await world.keeper.token()
    assert world.stored_pair()[1]["access_token"] == token  # read from the file, not memory

    # Now the store fails right after Zalo spent the old refresh token: nobody gets the
    # new access token until the pair is stored, and no second refresh spends anything.
    world.h.clock.advance(hours=25)
    with sqlite3.connect(world.h.tinbao.settings.database_path) as conn:
        conn.execute(
            "CREATE TRIGGER no_store BEFORE UPDATE ON zalo_tokens"
            " BEGIN SELECT RAISE(ABORT, 'disk full'); END"
        )
    with pytest.raises(NoAccessToken):
        await world.keeper.token()
    issued = world.oa.access_token
    assert world.keeper.refreshes == 2 and world.stored_pair()[1]["access_token"] == token
    with pytest.raises(NoAccessToken):
        await world.keeper.token()  # still not stored: still not handed out
    await world.h.tinbao.db.sync()  # the bot's open batch lets go of the file
    with sqlite3.connect(world.h.tinbao.settings.database_path) as conn:
        conn.execute("DROP TRIGGER no_store")
    assert await world.keeper.token() == issued  # the pair held in memory, stored first
    assert world.stored_pair()[1]["access_token"] == issued
    assert world.keeper.refreshes == 2


async def test_a_token_that_dies_mid_burst_is_renewed_once_and_nothing_is_lost(
    world: World,
) -> None:
    await world.authorize()
    rows = await world.says("xin chào") + await world.says("/baotin")
    assert len(rows) >= 2
    sender = world.sender()
    assert await sender.deliver(rows[0]) == "sent"
    world.oa.expire_access_token()  # Zalo answers -216 from now on
    results = await asyncio.gather(*(sender.deliver(r) for r in rows[1:]))
    assert set(results) == {"sent"} and await world.statuses(rows) == {"sent"}
    assert world.keeper.refreshes == 1
    rejected = [c for c in world.oa.calls if c.answer.get("error") == -216]
    assert rejected and all(c.access_token != world.oa.access_token for c in rejected)
    assert len(world.oa.sent_to(UID)) >= len(rows)


async def test_a_refused_refresh_alerts_once_the_rows_wait_and_go_after_authorize(
    world: World,
) -> None:
    await setup_unit(world.h)
    await world.authorize()
    world.oa.oauth.refresh_tokens.clear()  # Zalo no longer knows the refresh token
    world.h.clock.advance(hours=25)
    rows = await world.says("xin chào")
    sender = world.sender()
    for _ in range(3):  # the sender comes back to them, again and again
        assert {await sender.deliver(r) for r in rows} == {"retry"}
    assert await world.statuses(rows) == {"pending"}
    assert world.oa.sent_to(UID) == []
    alerts = await world.alerts()
    assert len(alerts) == 1 and "tinbao zalo authorize" in alerts[0]
    assert len(world.oa.oauth.calls) == 2  # authorize + the refused refresh: no hammering

    await world.keeper.authorize_code(world.oa.issue_code())  # the operator, again
    assert {await sender.deliver(r) for r in rows} == {"sent"}
    assert len(world.oa.sent_to(UID)) == len(rows)

    world.oa.oauth.refresh_tokens.clear()  # a new streak is told again
    world.h.clock.advance(hours=25)
    with pytest.raises(NoAccessToken):
        await world.keeper.token()
    assert len(await world.alerts()) == 2


async def test_network_failures_are_retried_and_told_only_when_messages_must_wait(
    world: World,
) -> None:
    await setup_unit(world.h)
    first = await world.authorize()
    world.h.clock.advance(hours=24, minutes=30)  # 30 min left: refresh ahead
    for fault in ("500", "timeout", "500", "500"):
        world.oa.fail_token_next(fault, delay=1.0)
    assert await world.keeper.token() == first  # failed four times: the old one still works
    assert world.keeper.refreshes == 0 and await world.alerts() == []
    world.h.clock.advance(minutes=31)  # expired, and Zalo's OAuth still down
    for _ in range(4):
        world.oa.fail_token_next((-32, "Your application reached limit call api"))
    with pytest.raises(NoAccessToken):
        await world.keeper.token()
    alerts = await world.alerts()
    assert len(alerts) == 1 and "vẫn đang thử lại" in alerts[0]
    world.h.clock.advance(minutes=2)
    renewed = await world.keeper.token()  # Zalo is back
    assert renewed == world.oa.access_token and world.keeper.refreshes == 1
    async with world.h.tinbao.db.read() as tx:
        row = await tx.fetchone("SELECT last_error, failing_since, refreshed_at FROM zalo_tokens")
    assert row is not None and row[0] is None and row[1] is None and row[2] is not None


async def test_a_reused_or_unknown_code_and_a_spent_refresh_token_are_refused(
    world: World,
) -> None:
    code = world.oa.issue_code("verifier-1")
    with pytest.raises(OAuthError) as refused:
        await world.keeper.authorize_code(code)  # asked with PKCE: the verifier is needed
    assert refused.value.final and refused.value.code == -14005
    console = world.oa.issue_refresh_token()
    held = await world.keeper.authorize_refresh_token(console)
    assert held.access_token == world.oa.access_token and held.refresh_token != console
    with pytest.raises(OAuthError) as spent:
        await world.keeper.authorize_refresh_token(console)  # single use
    assert spent.value.code == OAUTH_BAD_REFRESH[0]
    assert await world.keeper.token() == held.access_token  # the working pair is kept


async def test_an_answer_lost_after_zalo_spent_the_refresh_token_is_told_at_once(
    world: World,
) -> None:
    """What no client can prevent (Zalo's refresh token is single use and its answer has
    no idempotency key): the duty group hears of it at the first refusal, the rows wait."""
    await setup_unit(world.h)
    await world.authorize()
    world.h.clock.advance(hours=25)
    world.oa.fail_token_next("lost", delay=1.0)  # issued, then the connection times out
    with pytest.raises(NoAccessToken):
        await world.keeper.token()
    assert world.oa.oauth.issued == 2 and world.keeper.refreshes == 0
    alerts = await world.alerts()
    assert len(alerts) == 1 and "tinbao zalo authorize" in alerts[0]
    async with world.h.tinbao.db.read() as tx:
        error = await tx.scalar("SELECT last_error FROM zalo_tokens WHERE refused = 1")
    assert error == "-14014 Invalid refresh token"
