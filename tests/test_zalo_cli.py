"""Issue 11: `tinbao zalo authorize` stores the OA's first token pair, from an
authorization code (with its PKCE verifier) or from a refresh token copied out of Zalo's
console, against the fake OA's OAuth endpoint; `tinbao zalo status` shows the tokens'
expiry, the last refresh and its error, and what waits in Zalo's inbox and outbox. The
command runs in a thread (it runs its own event loop) while this loop serves the fake."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from handlers.cli import main
from handlers.zalo.channel import ZaloChannel
from handlers.zalo.fake import FakeZaloOA
from tests.harness import Harness, close_harness, open_harness

APP_ID, OA_KEY, APP_SECRET, UID = "1234567890", "oa-key", "app-secret", "2512523625412515"


@dataclass
class Cli:
    h: Harness
    oa: FakeZaloOA
    capsys: pytest.CaptureFixture[str]

    async def run(self, *argv: str) -> tuple[int, str]:
        await self.h.tinbao.db.sync()  # the running bot's batch lets go of the file
        self.capsys.readouterr()
        with pytest.raises(SystemExit) as exited:
            await asyncio.to_thread(main, list(argv))
        captured = self.capsys.readouterr()
        return int(exited.value.code or 0), captured.out + captured.err

    def stored(self) -> sqlite3.Row | None:
        with sqlite3.connect(self.h.tinbao.settings.database_path) as conn:
            conn.row_factory = sqlite3.Row
            row: sqlite3.Row | None = conn.execute("SELECT * FROM zalo_tokens").fetchone()
            return row


@pytest.fixture
async def cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> AsyncIterator[Cli]:
    monkeypatch.chdir(tmp_path)  # no .env of the developer's
    h = await open_harness(
        tmp_path, zalo_app_id=APP_ID, zalo_oa_secret_key=OA_KEY, zalo_app_secret=APP_SECRET
    )
    oa = FakeZaloOA(APP_ID, OA_KEY)  # the command line runs on the real clock
    oa.oauth.app_secret = APP_SECRET
    url = await oa.start()
    settings = h.tinbao.settings
    for name, value in {
        "TINBAO_DATABASE_PATH": str(settings.database_path),
        "TINBAO_SECRET_KEY": settings.secret_key.get_secret_value(),
        "TINBAO_ZALO_APP_ID": APP_ID,
        "TINBAO_ZALO_OA_SECRET_KEY": OA_KEY,
        "TINBAO_ZALO_APP_SECRET": APP_SECRET,
        "TINBAO_ZALO_OAUTH_URL": url,
    }.items():
        monkeypatch.setenv(name, value)
    try:
        yield Cli(h, oa, capsys)
    finally:
        await oa.stop()
        await close_harness(h)


async def test_authorize_with_a_code_and_its_verifier_then_status(cli: Cli) -> None:
    code, out = await cli.run("zalo", "status")
    assert code == 1 and "none stored: run `tinbao zalo authorize`" in out
    given = cli.oa.issue_code("the-verifier")
    code, out = await cli.run("zalo", "authorize", "--code", given, "--code-verifier", "x")
    assert code == 1 and "-14005" in out and cli.stored() is None  # wrong verifier
    given = cli.oa.issue_code("the-verifier")
    code, out = await cli.run(
        "zalo", "authorize", "--code", given, "--code-verifier", "the-verifier"
    )
    assert code == 0 and "Zalo OA authorized" in out
    sent = cli.oa.oauth.calls[-1]
    assert sent == {
        "app_id": APP_ID,
        "grant_type": "authorization_code",
        "code": given,
        "code_verifier": "the-verifier",
    }
    row = cli.stored()
    assert row is not None and cli.oa.access_token.encode() not in bytes(row["pair_enc"])
    code, out = await cli.run("zalo", "status")
    assert code == 0, out
    assert "access token   valid until" in out and "(in 1 d 0 h)" in out
    assert "last refresh   never" in out and "refresh error  none" in out
    assert "Zalo inbox       0 pending, 0 failed" in out
    assert "Zalo outbox      0 pending, 0 failed" in out


async def test_authorize_with_a_console_refresh_token_uses_it_at_once(cli: Cli) -> None:
    console = cli.oa.issue_refresh_token()
    code, out = await cli.run("zalo", "authorize", "--refresh-token", console)
    assert code == 0 and "valid until" in out
    assert cli.oa.oauth.calls[-1]["grant_type"] == "refresh_token"
    assert console not in cli.oa.oauth.refresh_tokens  # spent; the new one is stored
    first = cli.stored()
    assert first is not None and first["generation"] == 1
    code, out = await cli.run("zalo", "authorize", "--refresh-token", console)
    assert code == 1 and "-14014 Invalid refresh token" in out
    after = cli.stored()
    assert after is not None and after["pair_enc"] == first["pair_enc"]  # left as it was
    for _ in range(3):  # every try the command makes
        cli.oa.fail_token_next("500")
    fresh = cli.oa.issue_refresh_token()
    code, out = await cli.run("zalo", "authorize", "--refresh-token", fresh)
    assert code == 1 and "tries again when it runs" in out
    kept = cli.stored()
    assert kept is not None and kept["generation"] == 2 and kept["access_expires_at"] is None
    code, out = await cli.run("zalo", "status")
    assert code == 1 and "none yet (a refresh token waits to be used)" in out


async def test_status_counts_what_waits_in_zalos_inbox_and_outbox(cli: Cli) -> None:
    h = cli.h
    channel = ZaloChannel(h.tinbao.services, h.tinbao.inbox, port=0)
    await channel.start()
    try:
        sender_oa = FakeZaloOA(APP_ID, OA_KEY, clock=h.clock)  # events dated on the bot's clock
        url = f"http://127.0.0.1:{channel.webhook.port}/zalo"
        assert await sender_oa.deliver(url, sender_oa.text_event(UID, "xin chào")) == 200
        _, out = await cli.run("zalo", "status")
        assert "Zalo inbox       1 pending, 0 failed" in out
        await h.tinbao.inbox.drain()
        async with h.tinbao.db.read() as tx:
            waiting = await tx.scalar(
                "SELECT count(*) FROM outbox o JOIN reporters r ON r.id = o.reporter_id"
                " WHERE r.channel = 'zalo' AND o.status = 'pending'"
            )
        _, out = await cli.run("zalo", "status")
        assert waiting >= 1
        assert "Zalo inbox       0 pending, 0 failed" in out
        assert f"Zalo outbox      {waiting} pending, 0 failed" in out
    finally:
        await channel.stop()
