"""Is tinbao well? The figures an administrator needs at 2 a.m., and the verdict: what
needs a person now (``problems``: exit code 1, HTTP 503) and what should be looked at
(``warnings``). Shared by ``tinbao status`` and the ops server's ``/healthz``.

Why thresholds and not just figures: a tip line that goes quiet without anyone noticing
is worse than none, and a monitoring system can only page on a yes/no.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.backups import newest_backup, taken_at
from storage.db import bundled_migrations, parse_utc, utc_text
from storage.status import Figures, open_read_only, read_figures

STUCK_OUTBOX = timedelta(minutes=15)  # the sender retries within seconds; 15 min is an outage
STUCK_INBOX = timedelta(minutes=5)  # an update waits seconds at most while the bot runs
LATE_DAILY_DIGEST = timedelta(hours=26)  # a day and the catch-up's slack
LATE_BACKUP = timedelta(hours=26)
PROVINCE_TZ = ZoneInfo("Asia/Ho_Chi_Minh")  # the default of TINBAO_TIMEZONE


@dataclass
class Status:
    database: str
    database_bytes: int
    free_disk_mb: int
    figures: Figures | None
    last_backup: str | None = None
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return not self.problems

    def to_json(self) -> str:
        return json.dumps(asdict(self) | {"healthy": self.healthy}, ensure_ascii=False, indent=2)


def check(
    database: Path,
    now: datetime,
    *,
    min_free_disk_mb: int,
    backup_dir: Path | None = None,
    tz: ZoneInfo = PROVINCE_TZ,
) -> Status:
    """Read the database (read-only) and the disk; blocking: run it in a thread."""
    size = sum(
        p.stat().st_size
        for p in (database, database.with_name(database.name + "-wal"))
        if p.exists()
    )
    folder = database.parent if database.parent.exists() else Path(".")
    free_mb = shutil.disk_usage(folder).free // (1024 * 1024)
    status = Status(str(database), size, free_mb, None)
    if backup_dir is not None:
        newest = newest_backup(backup_dir) if backup_dir.is_dir() else None
        status.last_backup = str(newest) if newest else None
        if newest is None:
            status.problems.append(f"no backup in {backup_dir} yet (TINBAO_BACKUP_DIR)")
        elif now - (taken_at(newest, tz) or now) > LATE_BACKUP:
            status.problems.append(f"the newest backup, {newest.name}, is over a day old")
    if free_mb < min_free_disk_mb:
        status.problems.append(
            f"only {free_mb} MB free for the data folder"
            f" (TINBAO_MIN_FREE_DISK_MB={min_free_disk_mb})"
        )
    if not database.exists():
        status.problems.append(f"no database at {database} (TINBAO_DATABASE_PATH)")
        return status
    try:
        conn = open_read_only(str(database))
        try:
            figures = read_figures(conn, utc_text(now - timedelta(hours=24)))
        finally:
            conn.close()
    except sqlite3.Error as exc:
        status.problems.append(f"database unreadable: {type(exc).__name__}: {exc}")
        return status
    status.figures = figures
    _judge(status, figures, now)
    return status


def _judge(status: Status, f: Figures, now: datetime) -> None:
    problems, warnings = status.problems, status.warnings
    bundled = [m.version for m in bundled_migrations()]
    missing = sorted(set(bundled) - set(f.applied_migrations))
    unknown = sorted(set(f.applied_migrations) - set(bundled))
    if missing:
        problems.append(f"migrations not applied: {missing} (they run when the bot starts)")
    if unknown:
        problems.append(f"the database has migrations this version does not know: {unknown}")
    if f.outbox_oldest_pending and now - parse_utc(f.outbox_oldest_pending) > STUCK_OUTBOX:
        problems.append(
            f"{f.outbox_pending} message(s) waiting to be sent, the oldest since"
            f" {f.outbox_oldest_pending} UTC: is the bot running, can it reach Telegram?"
        )
    if f.inbox_oldest_pending and now - parse_utc(f.inbox_oldest_pending) > STUCK_INBOX:
        problems.append(
            f"{f.inbox_pending} received update(s) not handled, the oldest since"
            f" {f.inbox_oldest_pending} UTC: is the bot running?"
        )
    if f.failed_to_police_24h:
        problems.append(
            f"{f.failed_to_police_24h} message(s) to police chats failed for good in 24 h"
            " (was the bot removed from a group or its rights taken?)"
        )
    if f.unrouted_tips:
        problems.append(
            f"{f.unrouted_tips} tip(s) reached no police chat: bind a duty group (/bindduty)"
            " or the communes' queue groups (/bindqueue)"
        )
    daily = f.last_digest.get("daily")
    if f.supervisors_bound and daily and now - parse_utc(daily) > LATE_DAILY_DIGEST:
        problems.append(f"the last daily digest went out at {daily} UTC")
    if not f.duty_bound:
        warnings.append("no duty group bound: tips of unbound communes have nowhere to go")
    if not f.supervisors_bound:
        warnings.append("no supervisors group bound: digests and escalations are not sent")
    if f.unbound_communes:
        shown = ", ".join(f.unbound_communes[:5])
        more = f" and {len(f.unbound_communes) - 5} more" if len(f.unbound_communes) > 5 else ""
        warnings.append(
            f"{len(f.unbound_communes)} commune(s) without a queue group: {shown}{more}"
        )
    if f.failed_to_citizens_24h:
        warnings.append(
            f"{f.failed_to_citizens_24h} message(s) to citizens failed for good in 24 h"
            " (blocked the bot, deleted the account)"
        )
    if f.inbox_set_aside_24h:
        warnings.append(f"{f.inbox_set_aside_24h} update(s) set aside in 24 h (see the duty group)")


def render(status: Status) -> str:
    """What ``tinbao status`` prints: figures first, then the verdict."""
    f = status.figures
    lines = [
        f"database        {status.database} ({status.database_bytes / 1e6:.1f} MB)",
        f"free disk       {status.free_disk_mb} MB",
    ]
    if status.last_backup is not None:
        lines.append(f"last backup     {status.last_backup}")
    if f is not None:
        newest = max(f.applied_migrations, default=0)
        lines += [
            f"migrations      {len(f.applied_migrations)} applied (newest {newest:04d})",
            f"outbox          {f.outbox_pending} pending"
            + (f", oldest since {f.outbox_oldest_pending} UTC" if f.outbox_oldest_pending else ""),
            f"failed in 24 h  {f.failed_to_police_24h} to police chats,"
            f" {f.failed_to_citizens_24h} to citizens",
            f"inbox           {f.inbox_pending} pending, {f.inbox_set_aside_24h} set aside in 24 h",
            f"last update     {f.last_update_received or 'never'} UTC",
            "last digests    "
            + (", ".join(f"{k} {v}" for k, v in sorted(f.last_digest.items())) or "none yet"),
            f"groups          duty {'bound' if f.duty_bound else 'NOT bound'},"
            f" supervisors {'bound' if f.supervisors_bound else 'NOT bound'},"
            f" {len(f.unbound_communes)} commune(s) without a queue group",
        ]
    lines += [f"PROBLEM: {p}" for p in status.problems]
    lines += [f"warning: {w}" for w in status.warnings]
    lines.append("OK" if status.healthy else "NEEDS A PERSON")
    return "\n".join(lines)


def disk_low(database: Path, min_free_disk_mb: int) -> bool:
    """Below the floor an administrator set: stop writing before SQLite runs out of room
    mid-transaction (it would roll back cleanly, but every step would fail)."""
    folder = database.parent if database.parent.exists() else Path(".")
    return shutil.disk_usage(folder).free // (1024 * 1024) < min_free_disk_mb
