"""Issue 12: ``tinbao status`` says whether a person is needed, from the real database,
without changing it."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from bot.status import check
from handlers.cli import main
from tests.harness import Harness, file_tip
from tests.police import setup_unit


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


async def status_of(h: Harness, **extra: int) -> tuple[bool, list[str], list[str]]:
    await h.tinbao.db.sync()
    status = check(h.tinbao.settings.database_path, h.clock(), min_free_disk_mb=extra.get("mb", 1))
    return status.healthy, status.problems, status.warnings


async def test_a_working_province_is_healthy_with_its_warnings(h: Harness) -> None:
    await setup_unit(h)
    await file_tip(h.citizen())
    healthy, problems, warnings = await status_of(h)
    assert healthy and problems == []
    assert any("supervisors" in w for w in warnings)  # not bound in this province
    assert any("without a queue group" in w for w in warnings)


async def test_messages_that_cannot_leave_need_a_person(h: Harness) -> None:
    await setup_unit(h)
    citizen = h.citizen()
    await file_tip(citizen)
    h.api.fail_next("sendMessage", "5xx", times=1000)  # Telegram unreachable from now on
    await citizen.says("/help")
    h.clock.advance(minutes=20)
    healthy, problems, _ = await status_of(h)
    assert not healthy and any("waiting to be sent" in p for p in problems)


async def test_a_tip_no_police_chat_received_needs_a_person(h: Harness) -> None:
    await file_tip(h.citizen())  # no group bound at all
    healthy, problems, warnings = await status_of(h)
    assert not healthy and any("reached no police chat" in p for p in problems)
    assert any("no duty group" in w for w in warnings)


async def test_a_full_disk_needs_a_person(h: Harness) -> None:
    healthy, problems, _ = await status_of(h, mb=10**9)  # more than any disk has free
    assert not healthy and any("free for the data folder" in p for p in problems)


async def test_an_old_database_and_a_missing_one_are_reported(tmp_path: Path, h: Harness) -> None:
    await h.tinbao.db.sync()
    import sqlite3

    with sqlite3.connect(h.tinbao.settings.database_path) as conn:
        conn.execute("DELETE FROM schema_migrations WHERE version = 10")
    _, problems, _ = await status_of(h)
    assert any("migrations not applied: [10]" in p for p in problems)
    missing = check(tmp_path / "nothing.db", h.clock(), min_free_disk_mb=1)
    assert not missing.healthy and "no database" in missing.problems[0]


async def test_the_command_reads_without_writing_and_exits_1_when_needed(
    h: Harness, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    await file_tip(h.citizen())  # unrouted: a problem
    await h.tinbao.db.sync()
    path = h.tinbao.settings.database_path
    before = digest(path)
    monkeypatch.setenv("TINBAO_DATABASE_PATH", str(path))
    monkeypatch.setenv("TINBAO_SECRET_KEY", h.tinbao.settings.secret_key.get_secret_value())
    with pytest.raises(SystemExit) as exited:
        main(["status", "--json"])
    assert exited.value.code == 1
    shown = json.loads(capsys.readouterr().out)
    assert shown["healthy"] is False and shown["figures"]["unrouted_tips"] == 1
    assert digest(path) == before  # read-only: nothing migrated, nothing written
