"""``/report month|quarter|year``: a summary in the shape of the movement's annual report.

The provincial conference reports count what was *received* in a period and what became
of it ("citizens gave over 460 tips ... 33 wanted people arrested"), so this is a cohort
view: the tips received in the period, with their state now. A digest, by contrast, is a
flow view (what happened in the period). Figures of the current period are "to date".

Wanted persons are the exception, because the conference report counts them that way:
"33 wanted people were arrested or persuaded to surrender" are the notices *withdrawn*
in the year (as arrested or surrendered), whenever they were issued, beside the
sightings received in the period and the notices still active now (see
:class:`storage.digests.WantedFigures`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from bot.digest_text import Rendered, wanted_line
from bot.digests import enqueue_rendered
from bot.errors import BadInput
from bot.exports import category_name, csv_bytes
from bot.fmt import number, when
from bot.text import fold
from config.categories import CATEGORIES
from config.settings import Settings
from config.texts import outcome_label, t
from storage import digests as store
from storage.db import AlreadyProcessed, Database, utc_text
from storage.digests import OUTCOMES, Cohort, WantedFigures

KINDS = {
    "month": "month",
    "thang": "month",
    "quarter": "quarter",
    "quy": "quarter",
    "year": "year",
    "nam": "year",
}
UNITS_SHOWN = 5
#: A period or an export date further than this from today is a typo (``9999``, ``0001``),
#: not a question; it is answered with the usage, never computed (year 1 does not even
#: survive the move to UTC, nor the day after 31/12/9999 exist).
YEARS_AROUND = 100


def plausible_year(year: int, now: datetime) -> bool:
    return abs(year - now.year) <= YEARS_AROUND


class ReportUsage(BadInput, ValueError):
    """The arguments do not name a period; show ``t('r_usage')``."""

    key = "r_usage"

    def __init__(self, given: str = "") -> None:
        super().__init__()  # what was typed stays out of the error


@dataclass(frozen=True)
class ReportPeriod:
    kind: str  # month | quarter | year
    label: str  # '11/2026', '4/2026', '2026'
    start: datetime  # aware, the province's midnight
    end: datetime  # exclusive


def _start(year: int, month: int, tz: ZoneInfo) -> datetime:
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return datetime.combine(date(year, month, 1), time(0), tzinfo=tz)


def month(year: int, m: int, tz: ZoneInfo) -> ReportPeriod:
    return ReportPeriod("month", f"{m:02d}/{year}", _start(year, m, tz), _start(year, m + 1, tz))


def quarter(year: int, q: int, tz: ZoneInfo) -> ReportPeriod:
    first = 3 * (q - 1) + 1
    return ReportPeriod(
        "quarter", f"{q}/{year}", _start(year, first, tz), _start(year, first + 3, tz)
    )


def year_period(year: int, tz: ZoneInfo) -> ReportPeriod:
    return ReportPeriod("year", str(year), _start(year, 1, tz), _start(year + 1, 1, tz))


def parse_period(args: Sequence[str], now: datetime, tz: ZoneInfo) -> ReportPeriod:
    """``[]``/``month``: this month; ``month 2026-10`` or ``month 10/2026``;
    ``quarter``/``quarter 2026-Q3``/``quý 3/2026``; ``year``/``year 2025``. Vietnamese
    words (tháng, quý, năm) work with or without diacritics."""
    local = now.astimezone(tz)
    words = [fold(a) for a in args if fold(a)]
    kind = KINDS.get(words[0], "") if words else "month"
    if not kind:
        raise ReportUsage(" ".join(args))
    rest = " ".join(words[1:])
    try:
        numbers = [int(n) for n in re.findall(r"\d+", rest)]
        if kind == "year":
            if len(numbers) > 1:
                raise ReportUsage(rest)
            period = year_period(numbers[0] if numbers else local.year, tz)
        elif not numbers:
            if kind == "month":
                period = month(local.year, local.month, tz)
            else:
                period = quarter(local.year, (local.month - 1) // 3 + 1, tz)
        else:
            if len(numbers) != 2:
                raise ReportUsage(rest)
            big, small = max(numbers), min(numbers)  # '2026-10' and '10/2026' alike
            if kind == "month" and 1 <= small <= 12:
                period = month(big, small, tz)
            elif kind == "quarter" and 1 <= small <= 4:
                period = quarter(big, small, tz)
            else:
                raise ReportUsage(rest)
    except (ValueError, OverflowError) as exc:
        raise ReportUsage(rest) from exc
    if not plausible_year(period.start.year, local):
        raise ReportUsage(rest)
    return period


@dataclass(frozen=True)
class Report:
    period: ReportPeriod
    as_of: datetime
    province: str
    cohort: Cohort
    by_category: dict[str, int]
    by_unit: dict[str, dict[str, int]]  # commune of the place -> category -> count
    wanted: WantedFigures

    @property
    def units_ranked(self) -> list[tuple[str, int]]:
        totals = [(unit, sum(counts.values())) for unit, counts in self.by_unit.items()]
        return sorted(totals, key=lambda kv: (-kv[1], kv[0]))


async def build(db: Database, settings: Settings, period: ReportPeriod, now: datetime) -> Report:
    start, end = utc_text(period.start), utc_text(period.end)
    async with db.read() as tx:
        province = await store.province(tx)
        cohort = await store.cohort(
            tx,
            start,
            end,
            utc_text(now),
            settings.ack_minutes_urgent,
            settings.ack_minutes_normal,
        )
        by_category = await store.new_by_category(tx, start, end)
        by_unit = await store.received_by_unit_category(tx, start, end)
        wanted = await store.wanted_figures(tx, start, end)
    return Report(
        period,
        now,
        province[1] if province else settings.province,
        cohort,
        by_category,
        by_unit,
        wanted,
    )


def render_report(report: Report, settings: Settings, lang: str | None = None) -> Rendered:
    lang = lang or settings.default_language
    c = report.cohort

    def n(value: int) -> str:
        return number(value, lang, 0)

    heading = t(f"r_title_{report.period.kind}", lang, label=report.period.label)
    lines = [
        heading,
        t("r_subtitle", lang, province=report.province, at=when(report.as_of, lang, settings.tz)),
        t("r_received", lang, n=n(c.received), urgent=n(c.urgent)),
    ]
    codes = [cat.code for cat in CATEGORIES] + sorted(
        set(report.by_category) - {cat.code for cat in CATEGORIES}
    )
    for code in codes:
        if report.by_category.get(code):
            label = category_name(code, lang)
            lines.append(t("r_category_line", lang, label=label, n=n(report.by_category[code])))
    # always shown, zeros included: this is the line the annual report is asked for
    lines.append(wanted_line(report.wanted, lang))
    if c.wanted:
        lines.append(t("r_wanted_acted", lang, acted=n(c.wanted_acted), n=n(c.wanted)))
    if c.ack_measured:
        pct = number(100 * c.ack_within / c.ack_measured, lang, 1) + "%"
        lines.append(t("r_ack", lang, pct=pct, within=n(c.ack_within), measured=n(c.ack_measured)))
    else:
        lines.append(t("r_ack_none", lang))
    lines.append(t("r_forwarded", lang, n=n(c.by_outcome.get("forwarded", 0))))
    closed = sum(c.by_outcome.values())
    outcomes = [(o, c.by_outcome[o]) for o in OUTCOMES if c.by_outcome.get(o)]
    items = ", ".join(f"{outcome_label(o, lang)} {n(v)}" for o, v in outcomes)
    lines.append(t("r_outcomes", lang, n=n(closed), items=items or "—"))
    lines.append(t("r_open", lang, n=n(c.open)))
    lines.append(t("r_transfers", lang, n=n(c.transferred)))
    ranked = report.units_ranked
    if ranked:
        top = ", ".join(f"{unit} {n(v)}" for unit, v in ranked[:UNITS_SHOWN])
        lines.append(t("r_units", lang, n=n(len(ranked)), items=top))
    data = None
    if len(ranked) > UNITS_SHOWN:
        header = [t("col_unit", lang), t("col_count", lang)]
        header += [category_name(cat.code, lang) for cat in CATEGORIES]
        rows = [
            [unit, total] + [report.by_unit[unit].get(cat.code, 0) for cat in CATEGORIES]
            for unit, total in ranked
        ]
        data = csv_bytes(header, rows)
        lines.append(t("d_attached", lang))
    key = report.period.label.replace("/", "-")
    return Rendered("\n".join(lines), heading, data, f"tinbao_{report.period.kind}_{key}.csv")


async def send_report(
    db: Database,
    settings: Settings,
    *,
    chat_id: int,
    period: ReportPeriod,
    now: datetime,
    lang: str | None = None,
    idempotency_key: str | None = None,
) -> list[int]:
    """Enqueue a report to a chat (text, and the per-commune table as CSV when long).
    The /report handler checks the asker is a supervisor, then wakes the sender. With
    the update's ``idempotency_key``, a redelivered ``/report`` enqueues nothing ([])."""
    lang = lang or settings.default_language
    rendered = render_report(await build(db, settings, period, now), settings, lang)
    try:
        async with db.transaction(idempotency_key) as tx:
            return await enqueue_rendered(
                tx, chat_id, rendered, at=utc_text(now), purpose="report", lang=lang
            )
    except AlreadyProcessed:
        return []
