"""The periods digests report on, and when each kind is due.

Periods are calendar periods in the province's time zone: the daily digest at
``daily_digest_time`` covers the previous local day; the weekly one (on
``weekly_digest_weekday``, Monday = 0 as Python counts) the seven days before; the monthly
one (on ``monthly_digest_day``) the previous calendar month. A commune queue's morning
list (``unit``) is sent at the same time and is about that very day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from config.settings import Settings
from storage.db import utc_text

DAILY, UNIT, WEEKLY, MONTHLY = "daily", "unit", "weekly", "monthly"
KINDS = (DAILY, UNIT, WEEKLY, MONTHLY)


@dataclass(frozen=True)
class Period:
    kind: str
    key: str  # the digest_log period key
    start: datetime  # aware, the province's midnight
    end: datetime  # exclusive

    @property
    def start_text(self) -> str:
        return utc_text(self.start)

    @property
    def end_text(self) -> str:
        return utc_text(self.end)

    @property
    def days(self) -> list[date]:
        first = self.start.date()
        return [first + timedelta(days=i) for i in range((self.end.date() - first).days)]


def _midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz)


def day_period(day: date, tz: ZoneInfo, kind: str = DAILY) -> Period:
    return Period(kind, day.isoformat(), _midnight(day, tz), _midnight(day + timedelta(days=1), tz))


def week_period(first: date, tz: ZoneInfo) -> Period:
    return Period(
        WEEKLY, first.isoformat(), _midnight(first, tz), _midnight(first + timedelta(7), tz)
    )


def month_period(year: int, month: int, tz: ZoneInfo) -> Period:
    first = date(year, month, 1)
    following = date(year + month // 12, month % 12 + 1, 1)
    return Period(
        MONTHLY, f"{year:04d}-{month:02d}", _midnight(first, tz), _midnight(following, tz)
    )


def latest_run(kind: str, settings: Settings, now: datetime) -> tuple[datetime, Period]:
    """The most recent scheduled time of a digest kind at or before ``now``, and the
    period that run reports on."""
    tz = settings.tz
    local = now.astimezone(tz)
    at = settings.daily_digest_time.replace(tzinfo=None)

    def run_on(day: date) -> datetime:
        return datetime.combine(day, at, tzinfo=tz)

    today = local.date()
    if kind in (DAILY, UNIT):
        day = today if run_on(today) <= local else today - timedelta(days=1)
        if kind == UNIT:
            return run_on(day), day_period(day, tz, UNIT)
        return run_on(day), day_period(day - timedelta(days=1), tz)
    if kind == WEEKLY:
        day = today - timedelta(days=(today.weekday() - settings.weekly_digest_weekday) % 7)
        if run_on(day) > local:
            day -= timedelta(days=7)
        return run_on(day), week_period(day - timedelta(days=7), tz)
    if kind == MONTHLY:
        day = today.replace(day=settings.monthly_digest_day)
        if run_on(day) > local:
            day = (day.replace(day=1) - timedelta(days=1)).replace(day=settings.monthly_digest_day)
        previous = day.replace(day=1) - timedelta(days=1)
        return run_on(day), month_period(previous.year, previous.month, tz)
    raise ValueError(f"unknown digest kind {kind!r}")
