"""Tổng quan: today, 7 days and 30 days in the digest's own figures
(:func:`bot.digest_figures.compute`, never counted a second way here), of the province
for a supervisor and of the unit for its officers; a bar per figure, a daily chart of
the last 30 days, and the last 30 days beside the 30 before them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from aiohttp import web

from bot import digest_figures, digest_periods
from bot.deadlines import span
from bot.exports import category_name
from bot.fmt import number, when
from config.settings import Settings
from config.texts import outcome_label, status_label, t
from handlers.web.common import LANG, Pages, Viewer, province_name
from storage import digests as digest_store
from storage import web_figures

Digest = digest_figures.Digest
PERIODS = ("today", "7d", "30d")  # the columns' ``data-period``


@dataclass(frozen=True)
class Row:
    key: str  # the digest's figure (``data-figure``): stable for tests and scrapers
    label: str
    values: list[str]
    bars: list[int]  # 0-100 per column, for the SVG bar; empty: no bar


@dataclass(frozen=True)
class Change:
    label: str
    now: str
    before: str
    delta: str
    direction: str  # up | down | same


@dataclass(frozen=True)
class Day:
    label: str
    n: int
    x: float
    height: float


def span_period(key: str, today: date, days: int, settings: Settings) -> digest_periods.Period:
    """The last ``days`` local days up to and including ``today``, as the digest counts a
    period: from the province's midnight, state parts as of now."""
    first = today - timedelta(days=days - 1)
    start = digest_periods.day_period(first, settings.tz).start
    end = digest_periods.day_period(today, settings.tz).end
    return digest_periods.Period(digest_periods.DAILY, f"web-{key}", start, end)


@dataclass(frozen=True)
class Figures:
    """What the overview shows for one scope, computed at one moment."""

    periods: list[Digest]
    previous: Digest  # the 30 days before the last 30
    days: list[Day]


async def compute(pages: Pages, scope: int | None, now: datetime) -> Figures:
    """The digest's own figures for the overview's periods (see figure_cache.py for why
    they are kept between views)."""
    s = pages.services
    settings = s.settings
    today = now.astimezone(settings.tz).date()
    periods = [
        span_period("today", today, 1, settings),
        span_period("7d", today, 7, settings),
        span_period("30d", today, 30, settings),
    ]
    before = span_period("30d-before", today - timedelta(days=30), 30, settings)
    # the "as of now" figures are read once, with the 30 days, and shown in every column
    figures = [
        await digest_figures.compute(s.db, settings, p, now, scope, state=p is periods[2])
        for p in periods
    ]
    previous = await digest_figures.compute(s.db, settings, before, now, scope, state=False)
    days = await daily_chart(pages, periods[2], today, now, scope)
    return Figures(figures, previous, days)


async def show(pages: Pages, request: web.Request, viewer: Viewer) -> web.StreamResponse:
    s = pages.services
    settings = s.settings
    now, kept = await pages.figures.get(viewer.unit_id)
    found: Figures = kept
    figures, previous, days = found.periods, found.previous, found.days
    async with s.db.read() as tx:
        province = await province_name(tx)
    return pages.page(
        "overview.html",
        viewer,
        current="overview",
        title=t("web_title", LANG, province=province),
        scope=viewer.scope_name,
        columns=[t("web_today", LANG), t("web_7_days", LANG), t("web_30_days", LANG)],
        periods=PERIODS,
        rows=rows(figures),
        changes=changes(figures[2], previous),
        days=days,
        day_top=number(max([d.n for d in days] + [0]), LANG, 0),
        chart_title=t("web_chart_daily", LANG),
        compare_title=t("web_compare", LANG),
        compare_columns=[
            t("web_figure", LANG),
            t("web_last_30", LANG),
            t("web_previous_30", LANG),
            t("web_change", LANG),
        ],
        generated=t("web_generated", LANG, at=when(now, LANG, settings.tz)),
    )


async def daily_chart(
    pages: Pages, period: digest_periods.Period, today: date, now: datetime, unit_id: int | None
) -> list[Day]:
    """New tips per local day of the last 30: the daily counts for the province, the
    commune's own tips for a unit."""
    s = pages.services
    offset = now.astimezone(s.settings.tz).utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    async with s.db.read() as tx:
        if unit_id is None:
            cells = await digest_store.daily_by_category(
                tx, period.start_text, period.end_text, minutes
            )
            per_day: dict[str, int] = {}
            for (day, _), n in cells.items():
                per_day[day] = per_day.get(day, 0) + n
        else:
            per_day = await web_figures.daily_new(
                tx, period.start_text, period.end_text, minutes, unit_id
            )
    top = max([*per_day.values(), 1])
    found = []
    for i in range(30):
        moment = today - timedelta(days=29 - i)
        n = per_day.get(moment.isoformat(), 0)
        found.append(Day(moment.strftime("%d/%m"), n, i * 10.0, round(96 * n / top, 1)))
    return found


def _n(value: int) -> str:
    return number(value, LANG, 0)


def _bars(values: list[int]) -> list[int]:
    top = max(values) if values else 0
    return [round(100 * v / top) if top else 0 for v in values]


def _count_row(key: str, label: str, values: list[int], bars: bool = True) -> Row:
    return Row(key, label, [_n(v) for v in values], _bars(values) if bars else [])


def _keys(dicts: list[dict[str, int]]) -> list[str]:
    seen: dict[str, None] = {}
    for d in dicts:
        for key in d:
            seen.setdefault(key, None)
    return list(seen)


def _median(d: Digest) -> str:
    """The median time to acknowledge; "—" only when nothing was acknowledged (a median
    of 0, all acknowledged within the minute, is "0 phút", not "none")."""
    if d.ack_median is None:
        return t("web_none", LANG)
    return span(d.ack_median, LANG)


def rows(figures: list[Digest]) -> list[Row]:
    """The table; the state figures (open, overdue, verification) are the last column's
    reading, the same now for every column."""
    now = figures[-1]
    found = [_count_row("new_total", t("web_new_total", LANG), [d.new_total for d in figures])]
    for code in _keys([d.new_by_category for d in figures]):
        found.append(
            _count_row(
                f"new_by_category.{code}",
                t("web_new_in", LANG, category=category_name(code, LANG)),
                [d.new_by_category.get(code, 0) for d in figures],
            )
        )
    found.append(_count_row("urgent", t("web_urgent_new", LANG), [len(d.urgent) for d in figures]))
    columns = len(figures)
    found.append(
        _count_row("open_total", t("web_open_total", LANG), [now.open_total] * columns, False)
    )
    for state in now.open_by_status:
        found.append(
            _count_row(
                f"open_by_status.{state}",
                t("web_open_in", LANG, state=status_label(state, LANG)),
                [now.open_by_status[state]] * columns,
                False,
            )
        )
    overdue = [len(now.overdue_ack)] * columns
    found.append(_count_row("overdue_ack", t("web_overdue_ack", LANG), overdue, False))
    found.append(Row("ack_median", t("web_ack_median", LANG), [_median(d) for d in figures], []))
    found.append(_count_row("transfers", t("web_transfers", LANG), [d.transfers for d in figures]))
    for outcome in _keys([d.closed_by_outcome for d in figures]):
        found.append(
            _count_row(
                f"closed_by_outcome.{outcome}",
                t("web_closed_in", LANG, outcome=outcome_label(outcome, LANG)),
                [d.closed_by_outcome.get(outcome, 0) for d in figures],
            )
        )
    sightings = [d.wanted.sightings for d in figures]
    found.append(_count_row("sightings", t("web_sightings", LANG), sightings))
    over = [d.verification_over for d in figures]
    found.append(_count_row("verification_over", t("web_verification_over", LANG), over, False))
    return found


def _change(label: str, now: int, before: int) -> Change:
    delta = now - before
    if before:
        text = f"{'+' if delta > 0 else ''}{number(100 * delta / before, LANG, 0)} %"
    else:
        text = f"+{_n(delta)}" if delta > 0 else "0"
    direction = "up" if delta > 0 else "down" if delta < 0 else "same"
    return Change(label, _n(now), _n(before), text if delta else "0", direction)


def changes(last: Digest, before: Digest) -> list[Change]:
    """The flow of the last 30 days beside the 30 before (state figures, which are "as of
    now" in both, are left out: they would only compare now with now)."""
    found = [_change(t("web_new_total", LANG), last.new_total, before.new_total)]
    for code in _keys([last.new_by_category, before.new_by_category]):
        found.append(
            _change(
                t("web_new_in", LANG, category=category_name(code, LANG)),
                last.new_by_category.get(code, 0),
                before.new_by_category.get(code, 0),
            )
        )
    found.append(_change(t("web_urgent_new", LANG), len(last.urgent), len(before.urgent)))
    found.append(_change(t("web_transfers", LANG), last.transfers, before.transfers))
    closed_now = sum(last.closed_by_outcome.values())
    closed_before = sum(before.closed_by_outcome.values())
    found.append(_change(t("web_closed_total", LANG), closed_now, closed_before))
    found.append(_change(t("web_sightings", LANG), last.wanted.sightings, before.wanted.sightings))
    median = Change(t("web_ack_median", LANG), _median(last), _median(before), "", "same")
    return [*found, median]
