"""Issue 12: backups that restore. A verified copy of the live database, rotation, a
restore that refuses a bad file or a running bot, and the drill: restore, start the bot
on the restored file, find the citizen's tip and their sealed identity intact."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.backups import BotRunning, exclusive, restore, rotate, take
from handlers.telegram.app import create
from storage import reporters
from storage.backups import BadBackup, verify
from tests.harness import Harness, file_tip

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


async def test_the_drill_backup_restore_and_run_on_the_restored_file(
    h: Harness, tmp_path: Path
) -> None:
    citizen = h.citizen()
    code = await file_tip(citizen)
    await h.tinbao.db.sync()
    result = take(
        h.tinbao.settings.database_path, tmp_path / "b", h.clock(), TZ, daily=7, monthly=12
    )
    assert result.verified.counts["tips"] == 1
    await citizen.says("/help")  # the bot goes on after the copy
    target = tmp_path / "restored" / "tinbao.db"
    verified, kept = restore(result.path, target, h.clock(), TZ)
    assert kept is None and verified.counts["tips"] == 1
    settings = h.tinbao.settings.model_copy(update={"database_path": target})
    restored = await create(settings, request=h.api, clock=h.clock, rate_limiter=False)
    try:
        async with restored.db.read() as tx:
            row = await tx.fetchone("SELECT code, reporter_id FROM tips")
        assert row is not None and str(row[0]) == code.replace("-", "")
        async with restored.db.read() as tx:
            reporter = await reporters.get(tx, int(row[1]))
        assert reporter is not None  # the sealed identity opens with the same key:
        assert restored.people.chat_of(reporter) == citizen.chat_id
    finally:
        await restored.app.shutdown()
        await restored.db.close()


async def test_a_truncated_or_foreign_file_is_refused_and_nothing_replaced(
    h: Harness, tmp_path: Path
) -> None:
    await file_tip(h.citizen())
    await h.tinbao.db.sync()
    good = take(h.tinbao.settings.database_path, tmp_path / "b", h.clock(), TZ, daily=7, monthly=0)
    truncated = tmp_path / "truncated.db"
    data = good.path.read_bytes()
    truncated.write_bytes(data[: len(data) // 2])
    foreign = tmp_path / "notes.db"
    foreign.write_bytes(b"not a database at all" * 100)
    target = tmp_path / "live.db"
    restore(good.path, target, h.clock(), TZ)
    before = target.read_bytes()
    for bad in (truncated, foreign, tmp_path / "missing.db"):
        with pytest.raises(BadBackup):
            restore(bad, target, h.clock(), TZ)
    assert target.read_bytes() == before


async def test_restore_refuses_while_the_bot_holds_the_database(h: Harness, tmp_path: Path) -> None:
    await h.tinbao.db.sync()
    good = take(h.tinbao.settings.database_path, tmp_path / "b", h.clock(), TZ, daily=7, monthly=0)
    target = tmp_path / "live.db"
    with exclusive(target), pytest.raises(BotRunning):  # as `tinbao run` holds it
        restore(good.path, target, h.clock(), TZ)
    assert not target.exists()
    restore(good.path, target, h.clock(), TZ)  # stopped: it goes through
    assert verify(target).counts == good.verified.counts


def test_rotation_keeps_the_last_days_and_the_first_of_each_month(tmp_path: Path) -> None:
    stamps = [
        datetime(2026, 9, 1, 3, 30),
        datetime(2026, 9, 2, 3, 30),
        datetime(2026, 10, 1, 3, 30),
        datetime(2026, 10, 15, 3, 30),
        datetime(2026, 11, 20, 3, 30),
        datetime(2026, 11, 21, 3, 30),
        datetime(2026, 11, 21, 15, 0),  # a second one that day: the newer is kept
        datetime(2026, 11, 22, 3, 30),
    ]
    for stamp in stamps:
        (tmp_path / f"tinbao-{stamp:%Y%m%d-%H%M%S}.db").write_bytes(b"x")
    (tmp_path / "pre-upgrade-tinbao-20260101-000000.db").write_bytes(b"x")  # never rotated
    rotate(tmp_path, daily=2, monthly=2)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "pre-upgrade-tinbao-20260101-000000.db",
        "tinbao-20261001-033000.db",
        "tinbao-20261120-033000.db",
        "tinbao-20261121-150000.db",
        "tinbao-20261122-033000.db",
    ]


async def test_the_scheduled_job_writes_a_verified_backup_and_status_sees_it(
    tmp_path: Path,
) -> None:
    from bot.status import check
    from tests.harness import close_harness, open_harness

    folder = tmp_path / "backups"
    h = await open_harness(tmp_path, backup_dir=folder)
    try:
        before = check(
            h.tinbao.settings.database_path, h.clock(), min_free_disk_mb=1, backup_dir=folder, tz=TZ
        )
        assert any("no backup" in p for p in before.problems)
        (job,) = h.tinbao.app.job_queue.get_jobs_by_name("backup")  # type: ignore[union-attr]
        await h.tinbao.db.sync()
        await job.callback(None)  # type: ignore[arg-type]
        (made,) = folder.glob("tinbao-*.db")
        assert verify(made).counts["units"] > 100
        after = check(
            h.tinbao.settings.database_path, h.clock(), min_free_disk_mb=1, backup_dir=folder, tz=TZ
        )
        assert after.last_backup == str(made) and not any("backup" in p for p in after.problems)
    finally:
        await close_harness(h)


async def test_a_copy_is_taken_before_migrations_change_an_existing_database(
    h: Harness, tmp_path: Path
) -> None:
    import sqlite3

    from bot.backups import before_upgrade, pending_migrations
    from storage.db import bundled_migrations

    bundled = [m.version for m in bundled_migrations()]
    path = h.tinbao.settings.database_path
    await h.tinbao.db.sync()
    assert pending_migrations(path, bundled) == []
    with sqlite3.connect(path) as conn:  # as a database of the previous version
        conn.execute("DELETE FROM schema_migrations WHERE version = ?", (bundled[-1],))
    assert pending_migrations(path, bundled) == [bundled[-1]]
    kept = before_upgrade(path, tmp_path / "b", h.clock(), TZ)
    assert kept.name.startswith("pre-upgrade-") and verify(kept).newest_migration < bundled[-1]
    assert pending_migrations(tmp_path / "new.db", bundled) == []  # a new database: nothing


async def test_the_commands_back_up_and_restore(
    h: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from handlers.cli import main

    await file_tip(h.citizen())
    await h.tinbao.db.sync()
    monkeypatch.setenv("TINBAO_SECRET_KEY", h.tinbao.settings.secret_key.get_secret_value())
    monkeypatch.setenv("TINBAO_DATABASE_PATH", str(h.tinbao.settings.database_path))
    copy_path = tmp_path / "copy.db"
    with pytest.raises(SystemExit) as done:
        main(["backup", str(copy_path)])
    assert done.value.code == 0 and "verified" in capsys.readouterr().out
    restored = tmp_path / "restored.db"
    monkeypatch.setenv("TINBAO_DATABASE_PATH", str(restored))
    with pytest.raises(SystemExit) as done:
        main(["restore", str(copy_path)])
    assert done.value.code == 0 and verify(restored).counts["tips"] == 1
    broken = tmp_path / "broken.db"
    broken.write_bytes(copy_path.read_bytes()[:4096])
    with pytest.raises(SystemExit) as done:
        main(["restore", str(broken)])
    assert done.value.code == 1 and "refused" in capsys.readouterr().err
    assert verify(restored).counts["tips"] == 1
