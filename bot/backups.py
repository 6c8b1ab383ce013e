"""Backups a province can restore from: taken online every day, each verified after
writing, rotated (the last N days, the first of each of the last M months), and a
restore that refuses while the bot runs and checks the file before it replaces anything.

Why verify every copy: a backup that was never read back is a hope, not a backup; the
check is the one a restore makes (``storage.backups.verify``), against the row counts of
the snapshot it was copied from.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.clock import Clock
from config.settings import Settings
from storage.backups import BadBackup, Verified, copy, replace_database, verify
from storage.status import applied_versions

log = logging.getLogger(__name__)

_NAME = re.compile(r"tinbao-(\d{8})-(\d{6})\.db")


class BotRunning(Exception):
    """The database is in use by a running bot: stop it before restoring."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    verified: Verified
    removed: list[Path]

    def summary(self) -> str:
        counts = ", ".join(f"{k} {v}" for k, v in self.verified.counts.items())
        gone = f"; {len(self.removed)} old backup(s) removed" if self.removed else ""
        return f"backup {self.path} verified ({counts}){gone}"


def backup_name(now: datetime, tz: ZoneInfo) -> str:
    return f"tinbao-{now.astimezone(tz):%Y%m%d-%H%M%S}.db"


def take(
    database: Path, folder: Path, now: datetime, tz: ZoneInfo, *, daily: int, monthly: int
) -> BackupResult:
    """Copy, verify, rotate. Blocking: run it in a thread. A copy that fails its check
    is removed and the error raised (the previous backups stay)."""
    target = folder / backup_name(now, tz)
    counts = copy(database, target)
    try:
        verified = verify(target, counts)
    except BadBackup:
        target.unlink(missing_ok=True)
        raise
    removed = rotate(folder, daily=daily, monthly=monthly)
    return BackupResult(target, verified, removed)


def rotate(folder: Path, *, daily: int, monthly: int) -> list[Path]:
    """Keep the newest backup of each of the last ``daily`` days that have one, and the
    oldest backup of each of the last ``monthly`` months; remove the rest of tinbao's
    backups (files named otherwise are never touched)."""
    found = sorted(
        (m.group(1) + m.group(2), path)
        for path in folder.glob("tinbao-*.db")
        if (m := _NAME.fullmatch(path.name))
    )
    keep: set[Path] = set()
    by_day: dict[str, Path] = {}
    by_month: dict[str, Path] = {}
    for stamp, path in found:
        by_day[stamp[:8]] = path  # the newest of the day wins
        by_month.setdefault(stamp[:6], path)  # the oldest of the month wins
    keep.update(by_day[d] for d in sorted(by_day)[-daily:])
    if monthly:
        keep.update(by_month[m] for m in sorted(by_month)[-monthly:])
    removed = [path for _, path in found if path not in keep]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


@contextlib.contextmanager
def exclusive(database: Path) -> Iterator[None]:
    """Held by ``tinbao run`` for its lifetime and by a restore: the two never overlap.
    An advisory lock on ``<database>.lock`` (released by the kernel if the process dies,
    so a SIGKILLed bot does not block a restore)."""
    lock_path = database.with_name(database.name + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BotRunning(f"{database} is in use by a running tinbao; stop it first") from None
        yield
    finally:
        os.close(fd)


def restore(
    backup: Path, database: Path, now: datetime, tz: ZoneInfo
) -> tuple[Verified, Path | None]:
    """Replace ``database`` with ``backup`` after checking it; the database being replaced
    is kept beside it first (``<name>.before-restore-<time>``). Returns the check's
    result and where the old database was kept (None when there was none)."""
    verified = verify(backup)
    with exclusive(database):
        kept = None
        if database.exists():
            kept = database.with_name(
                f"{database.name}.before-restore-{now.astimezone(tz):%Y%m%d-%H%M%S}"
            )
            copy(database, kept)
        replace_database(backup, database)
    return verified, kept


def pending_migrations(database: Path, bundled: list[int]) -> list[int]:
    """Migrations the next start will apply to an existing database ([] for a new one)."""
    if not database.exists():
        return []
    applied = applied_versions(str(database))
    return [] if applied is None else sorted(set(bundled) - applied)


def before_upgrade(database: Path, folder: Path, now: datetime, tz: ZoneInfo) -> Path:
    """A verified copy taken before migrations change the file; never rotated away."""
    target = folder / f"pre-upgrade-{backup_name(now, tz)}"
    verify(target, copy(database, target))
    return target


def newest_backup(folder: Path) -> Path | None:
    found = sorted(p for p in folder.glob("tinbao-*.db") if _NAME.fullmatch(p.name))
    return found[-1] if found else None


def register_backup_job(app: Any, settings: Settings, clock: Clock) -> None:
    """Every day at TINBAO_BACKUP_TIME when TINBAO_BACKUP_DIR is set. A failure is
    logged at ERROR and shows in ``tinbao status`` (no backup for over a day)."""
    folder = settings.backup_dir
    if folder is None:
        return

    async def job(_: Any) -> None:
        try:
            result = await asyncio.to_thread(
                take,
                settings.database_path,
                folder,
                clock(),
                settings.tz,
                daily=settings.backup_keep_daily,
                monthly=settings.backup_keep_monthly,
            )
        except (OSError, BadBackup) as exc:
            log.error("scheduled backup failed: %s: %s", type(exc).__name__, exc)
            return
        log.info("%s", result.summary())

    at = time(settings.backup_time.hour, settings.backup_time.minute, tzinfo=settings.tz)
    app.job_queue.run_daily(
        job,
        time=at,
        name="backup",
        job_kwargs={"misfire_grace_time": 6 * 3600, "coalesce": True},
    )


def taken_at(path: Path, tz: ZoneInfo) -> datetime | None:
    """When a backup was taken, from its name (the province's local time)."""
    match = _NAME.fullmatch(path.name)
    if match is None:
        return None
    return datetime.strptime(match.group(1) + match.group(2), "%Y%m%d%H%M%S").replace(tzinfo=tz)
