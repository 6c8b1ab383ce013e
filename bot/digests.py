"""Digests: what supervisors and commune queues are told on a schedule, and when.

A digest is computed from the database as plain dataclasses (:func:`compute`), rendered
as a short text for a phone (:func:`render`, < 1,500 characters: long lists are cut and
the full list travels as a CSV file), and written as outbox rows (:func:`send_due`).

Exactly once, across restarts: every (kind, period, recipient) claims a ``digest_log``
row in the same transaction as its outbox rows. A job that fires, a catch-up at start-up
and a second catch-up after another restart all call :func:`send_due`; whichever commits
first sends, the others find the claim and send nothing. Only the latest period of each
kind is ever caught up (a bot down for three days sends one daily digest, not three), and
only within :data:`CATCH_UP_GRACE` of its scheduled time.

Periods are calendar periods in the province's time zone: the daily digest at
``daily_digest_time`` covers the previous local day; the weekly one (on
``weekly_digest_weekday``, Monday = 0 as Python counts) the seven days before; the monthly
one (on ``monthly_digest_day``) the previous calendar month. The state parts (open tips,
overdue, verification clocks) are as of the moment of computing.
"""

from __future__ import annotations

import asyncio
import logging
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot import charts, receipt
from bot.clock import Clock
from bot.deadlines import ack_limit, span
from bot.dialogue import Intent, Media, Screen, screen_to_plain
from bot.exports import category_name, csv_bytes
from bot.fmt import number, when
from config.settings import Settings
from config.texts import outcome_label, status_label, t
from storage import digests as store
from storage import officers, outbox
from storage.db import Database, Tx, parse_utc, utc_text
from storage.digests import OPEN_STATUSES, TipLine, WantedFigures

log = logging.getLogger(__name__)

DAILY, UNIT, WEEKLY, MONTHLY = "daily", "unit", "weekly", "monthly"
KINDS = (DAILY, UNIT, WEEKLY, MONTHLY)
CATCH_UP_GRACE = {
    DAILY: timedelta(hours=24),
    UNIT: timedelta(hours=12),  # a "morning list" after 19:00 helps nobody
    WEEKLY: timedelta(days=3),
    MONTHLY: timedelta(days=5),
}
MAX_CHARS = 1500
SHOW = 5  # list items shown in the text before "+N more"
UNIT_SHOW = 15


@dataclass
class DigestServices:
    """What the scheduled jobs need; ``wake`` nudges the outbox sender after a write."""

    db: Database
    settings: Settings
    clock: Clock
    wake: Callable[[], None]


# ---------------------------------------------------------------- periods


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


# ---------------------------------------------------------------- the digest


@dataclass(frozen=True)
class Waiting:
    tip: TipLine
    waited: timedelta


@dataclass(frozen=True)
class Verifying:
    tip: TipLine
    day: int
    overdue: bool


@dataclass(frozen=True)
class Digest:
    period: Period
    generated_at: datetime
    province: str
    new_by_category: dict[str, int]
    new_by_unit: list[tuple[str, int]]
    urgent: list[TipLine]
    open_by_status: dict[str, int]
    overdue_ack: list[Waiting]
    ack_count: int
    ack_median: timedelta | None
    ack_p90: timedelta | None
    transfers: int
    closed_by_outcome: dict[str, int]
    verification: list[Verifying]
    units_without_queue: list[str]
    failed: list[tuple[str, int]]
    wanted: WantedFigures  # sightings and withdrawals in the period, active notices now
    verification_days: int = 20
    chart_counts: dict[tuple[str, str], int] = field(default_factory=dict)
    ack_by_unit: dict[str, list[float]] = field(default_factory=dict)
    unrouted: list[TipLine] = field(default_factory=list)  # open tips no police chat holds

    @property
    def new_total(self) -> int:
        return sum(self.new_by_category.values())

    @property
    def open_total(self) -> int:
        return sum(self.open_by_status.values())

    @property
    def verification_over(self) -> int:
        return sum(1 for v in self.verification if v.overdue)

    @property
    def verification_warn(self) -> int:
        return len(self.verification) - self.verification_over


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile: a value that actually occurred (no interpolation), so
    "90% within 2 h" is literally true of the tips counted."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * int(fraction * 100) // 100))
    return ordered[rank - 1]


async def compute(db: Database, settings: Settings, period: Period, now: datetime) -> Digest:
    """The digest of a period, read in one consistent snapshot."""
    start, end = period.start_text, period.end_text
    warn_age = timedelta(days=settings.verification_warn_day - 1)
    shortest = min(ack_limit(True, settings), ack_limit(False, settings))
    async with db.read() as tx:
        province = await store.province(tx)
        by_category = await store.new_by_category(tx, start, end)
        by_unit = await store.new_by_unit(tx, start, end)
        urgent = await store.new_urgent(tx, start, end)
        open_by_status = await store.open_by_status(tx)
        waiting = await store.awaiting_ack(tx, utc_text(now - shortest))
        ack_by_unit: dict[str, list[float]] = {}
        if period.kind == MONTHLY:  # the chart's figures hold every wait: one read
            ack_by_unit = await store.ack_seconds_by_unit(tx, start, end)
            ack = [seconds for waits in ack_by_unit.values() for seconds in waits]
        else:
            ack = await store.ack_seconds(tx, start, end)
        transfers = await store.transfers(tx, start, end)
        closed = await store.closed_by_outcome(tx, start, end)
        old = await store.open_received_before(tx, utc_text(now - warn_age))
        no_queue = await store.units_without_queue(tx)
        unrouted = await store.unrouted(tx)
        failed = await store.failed_deliveries(tx, start, end)
        wanted = await store.wanted_figures(tx, start, end)
        chart_counts: dict[tuple[str, str], int] = {}
        if period.kind == WEEKLY:
            offset = now.astimezone(settings.tz).utcoffset() or timedelta(0)
            chart_counts = await store.daily_by_category(
                tx, start, end, int(offset.total_seconds() // 60)
            )
    overdue = []
    for tip in waiting:
        waited = now - parse_utc(tip.arrived_at)
        if waited > ack_limit(tip.urgent, settings):
            overdue.append(Waiting(tip, waited))
    overdue.sort(key=lambda w: -w.waited)
    verification = []
    for tip in old:
        age = now - parse_utc(tip.created_at)
        day = age // timedelta(days=1) + 1
        verification.append(Verifying(tip, day, age >= timedelta(days=settings.verification_days)))
    return Digest(
        period=period,
        generated_at=now,
        province=province[1] if province else settings.province,
        new_by_category=by_category,
        new_by_unit=by_unit,
        urgent=urgent,
        open_by_status=open_by_status,
        overdue_ack=overdue,
        ack_count=len(ack),
        ack_median=timedelta(seconds=statistics.median(ack)) if ack else None,
        ack_p90=timedelta(seconds=percentile(ack, 0.9)) if ack else None,
        transfers=transfers,
        closed_by_outcome=closed,
        verification=verification,
        units_without_queue=no_queue,
        failed=failed,
        wanted=wanted,
        verification_days=settings.verification_days,
        chart_counts=chart_counts,
        ack_by_unit=ack_by_unit,
        unrouted=unrouted,
    )


# ---------------------------------------------------------------- rendering


@dataclass(frozen=True)
class Rendered:
    text: str
    title: str
    csv: bytes | None  # the full lists, when the text had to cut them
    csv_name: str


def _n(value: int, lang: str) -> str:
    return number(value, lang, 0)


def _items(pairs: Sequence[tuple[str, int]], lang: str, show: int) -> str:
    shown = ", ".join(f"{name} {_n(n, lang)}" for name, n in pairs[:show])
    rest = len(pairs) - show
    return shown + (f", {t('more', lang, n=_n(rest, lang))}" if rest > 0 else "")


def wanted_line(w: WantedFigures, lang: str) -> str:
    """The movement's wanted-person figures in one line, shared by the digests and
    /report so that a month's digest and the month's report read the same way."""
    return t(
        "wanted_line",
        lang,
        sightings=_n(w.sightings, lang),
        # people are known only through the notices sightings name; tips from the plain
        # dialogue name none, and "(0 people)" beside them would read as "nobody"
        people=t("wanted_people", lang, n=_n(w.notices_sighted, lang)) if w.notices_sighted else "",
        arrested=_n(w.arrested, lang),
        surrendered=_n(w.surrendered, lang),
        dangerous=_n(w.caught_dangerous, lang),
        # a cancelled notice is no success of the movement: named only when it happened
        cancelled=t("wanted_cancelled", lang, n=_n(w.cancelled, lang)) if w.cancelled else "",
        active=_n(w.active, lang),
        active_dangerous=_n(w.active_dangerous, lang),
    )


def _short_day(day: date) -> str:
    return f"{day:%d/%m/%Y}"


def title(d: Digest, lang: str) -> str:
    p = d.period
    if p.kind == WEEKLY:
        last = p.end.date() - timedelta(days=1)
        return t(
            "d_title_weekly",
            lang,
            start=f"{p.start:%d/%m}",
            end=_short_day(last),
            province=d.province,
        )
    if p.kind == MONTHLY:
        return t("d_title_monthly", lang, month=f"{p.start:%m/%Y}", province=d.province)
    return t("d_title_daily", lang, date=_short_day(p.start.date()), province=d.province)


def _lines(d: Digest, lang: str, show: int) -> tuple[list[str], bool]:
    """The text lines with at most ``show`` items per list; True when something was cut."""
    cut = False

    def more(total: int) -> str:
        nonlocal cut
        if total > show:
            cut = True
            return "  " + t("more", lang, n=_n(total - show, lang))
        return ""

    lines = [title(d, lang)]
    lines.append(t("d_new", lang, n=_n(d.new_total, lang), urgent=_n(len(d.urgent), lang)))
    if d.new_total:
        categories = sorted(d.new_by_category.items(), key=lambda kv: (-kv[1], kv[0]))
        named = [(category_name(code, lang), n) for code, n in categories]
        lines.append(t("d_by_category", lang, items=_items(named, lang, len(named))))
        lines.append(t("d_by_unit", lang, items=_items(d.new_by_unit, lang, show)))
        cut = cut or len(d.new_by_unit) > show
    if d.urgent:
        lines.append(t("d_urgent", lang))
        for tip in d.urgent[:show]:
            lines.append(
                t(
                    "d_tip_line",
                    lang,
                    code=receipt.display(tip.code),
                    unit=tip.unit_name,
                    category=category_name(tip.category, lang),
                )
            )
        lines[-1] += more(len(d.urgent))
    # a quiet day with no notice on the list says nothing; weekly and monthly digests
    # always carry the line, as the report does, so that a zero is seen to be a zero
    if d.period.kind != DAILY or not d.wanted.empty:
        lines.append(wanted_line(d.wanted, lang))
    if d.unrouted:
        # tips no officer can see: the codes on the line itself, it is the one to act on
        items = [f"{receipt.display(tip.code)} {tip.unit_name}" for tip in d.unrouted[:show]]
        lines.append(
            t("d_unrouted", lang, n=_n(len(d.unrouted), lang), items=", ".join(items) or "…")
            + more(len(d.unrouted))
        )
    states = [(status_label(s, lang), d.open_by_status.get(s, 0)) for s in OPEN_STATUSES]
    lines.append(
        t("d_open", lang, n=_n(d.open_total, lang))
        + (" — " + _items([p for p in states if p[1]], lang, 9) if d.open_total else "")
    )
    lines.append(t("d_overdue", lang, n=_n(len(d.overdue_ack), lang)))
    for w in d.overdue_ack[:show]:
        lines.append(
            t(
                "d_overdue_line",
                lang,
                code=receipt.display(w.tip.code),
                unit=w.tip.unit_name,
                age=span(w.waited, lang),
            )
        )
    if d.overdue_ack:
        lines[-1] += more(len(d.overdue_ack))
    if d.ack_median is not None and d.ack_p90 is not None:
        lines.append(
            t(
                "d_ack_times",
                lang,
                median=span(d.ack_median, lang),
                p90=span(d.ack_p90, lang),
                n=_n(d.ack_count, lang),
            )
        )
    else:
        lines.append(t("d_ack_none", lang))
    lines.append(t("d_transfers", lang, n=_n(d.transfers, lang)))
    closed_total = sum(d.closed_by_outcome.values())
    outcomes = sorted(d.closed_by_outcome.items(), key=lambda kv: (-kv[1], kv[0]))
    lines.append(
        t("d_closed", lang, n=_n(closed_total, lang))
        + (
            " — " + _items([(outcome_label(o, lang), n) for o, n in outcomes], lang, 9)
            if closed_total
            else ""
        )
    )
    if d.verification:
        lines.append(
            t(
                "d_verification",
                lang,
                days=_n(d.verification_days, lang),
                warn=_n(d.verification_warn, lang),
                over=_n(d.verification_over, lang),
            )
        )
        for v in d.verification[:show]:
            lines.append(
                t(
                    "d_verification_line",
                    lang,
                    code=receipt.display(v.tip.code),
                    unit=v.tip.unit_name,
                    day=v.day,
                )
            )
        lines[-1] += more(len(d.verification))
    if d.units_without_queue:
        names = ", ".join(d.units_without_queue[: min(show, 3)])
        rest = len(d.units_without_queue) - min(show, 3)
        if rest > 0:
            cut = True
            names += ", " + t("more", lang, n=_n(rest, lang))
        lines.append(t("d_no_queue", lang, n=_n(len(d.units_without_queue), lang), items=names))
    if d.failed:
        failed = [(t("reporters", lang) if w == "@reporters" else w, n) for w, n in d.failed]
        lines.append(t("d_failed", lang, items=_items(failed, lang, show)))
        cut = cut or len(failed) > show
    return lines, cut


def render(d: Digest, settings: Settings, lang: str | None = None) -> Rendered:
    """The phone text; when lists had to be cut to stay under :data:`MAX_CHARS`, the
    full lists as a CSV file."""
    lang = lang or settings.default_language
    for show in (SHOW, 3, 1, 0):
        lines, cut = _lines(d, lang, show)
        text = "\n".join(lines)
        if cut:
            text += "\n" + t("d_attached", lang)
        if len(text) <= MAX_CHARS:
            break
    else:  # pragma: no cover - even the bare summary is long: cut hard, the file has all
        text = text[: MAX_CHARS - 1] + "…"
        cut = True
    heading = title(d, lang)
    name = f"tinbao_{d.period.kind}_{d.period.key}.csv"
    return Rendered(text, heading, full_list_csv(d, settings, lang) if cut else None, name)


def full_list_csv(d: Digest, settings: Settings, lang: str) -> bytes:
    tz = settings.tz
    header = [
        t(k, lang)
        for k in (
            "col_section",
            "col_code",
            "col_unit",
            "col_category",
            "col_urgent",
            "col_status",
            "col_received",
            "col_waited_hours",
            "col_day",
            "col_count",
        )
    ]
    now = d.generated_at
    rows: list[list[object]] = []

    def tip_row(section: str, tip: TipLine, waited: timedelta | None, day: int | None) -> None:
        rows.append(
            [
                t(section, lang),
                receipt.display(tip.code),
                tip.unit_name,
                category_name(tip.category, lang),
                t("yes" if tip.urgent else "no", lang),
                status_label(tip.status, lang),
                when(parse_utc(tip.created_at), lang, tz),
                number(waited.total_seconds() / 3600, lang, 1) if waited else "",
                day if day is not None else "",
                "",
            ]
        )

    for tip in d.urgent:
        tip_row("sec_urgent", tip, None, None)
    for tip in d.unrouted:
        tip_row("sec_unrouted", tip, now - parse_utc(tip.created_at), None)
    for w in d.overdue_ack:
        tip_row("sec_overdue", w.tip, w.waited, None)
    for v in d.verification:
        section = "sec_verification_over" if v.overdue else "sec_verification_warn"
        tip_row(section, v.tip, now - parse_utc(v.tip.created_at), v.day)
    for unit, n in d.new_by_unit:
        rows.append([t("sec_by_unit", lang), "", unit, "", "", "", "", "", "", _n(n, lang)])
    for unit in d.units_without_queue:
        rows.append([t("sec_no_queue", lang), "", unit, "", "", "", "", "", "", ""])
    for who, n in d.failed:
        who = t("reporters", lang) if who == "@reporters" else who
        rows.append([t("sec_failed", lang), "", who, "", "", "", "", "", "", _n(n, lang)])
    return csv_bytes(header, rows)


# ---------------------------------------------------------------- one queue's morning list


@dataclass(frozen=True)
class UnitTip:
    tip: TipLine
    day: int
    overdue_ack: bool
    verification: str  # '', 'warn', 'over'


@dataclass(frozen=True)
class UnitList:
    unit_id: int
    unit_name: str
    chat_id: int
    day: date
    tips: list[UnitTip]


async def compute_unit_lists(db: Database, settings: Settings, now: datetime) -> list[UnitList]:
    """Every bound queue with its own open tips, oldest first."""
    warn_day = settings.verification_warn_day
    async with db.read() as tx:
        queues = await store.queue_units(tx)
        tips = await store.open_tips(tx)
    by_unit: dict[int, list[UnitTip]] = {}
    for tip in tips:
        age = now - parse_utc(tip.created_at)
        day = age // timedelta(days=1) + 1
        waiting = tip.status in store.AWAITING_ACK
        overdue = waiting and now - parse_utc(tip.arrived_at) > ack_limit(tip.urgent, settings)
        if age >= timedelta(days=settings.verification_days):
            verification = "over"
        elif day >= warn_day:
            verification = "warn"
        else:
            verification = ""
        by_unit.setdefault(tip.unit_id, []).append(UnitTip(tip, day, overdue, verification))
    today = now.astimezone(settings.tz).date()
    return [
        UnitList(unit_id, name, chat_id, today, by_unit.get(unit_id, []))
        for unit_id, name, chat_id in queues
    ]


def render_unit(u: UnitList, settings: Settings, lang: str | None = None) -> Rendered:
    lang = lang or settings.default_language
    tz = settings.tz
    heading = t("u_title", lang, unit=u.unit_name, date=_short_day(u.day))
    counts: dict[str, int] = {}
    for item in u.tips:
        counts[item.tip.status] = counts.get(item.tip.status, 0) + 1
    states = [(status_label(s, lang), counts[s]) for s in OPEN_STATUSES if counts.get(s)]
    lines = [heading, t("d_open", lang, n=_n(len(u.tips), lang)) + " — " + _items(states, lang, 9)]
    flagged = False
    for i, item in enumerate(u.tips[:UNIT_SHOW], start=1):
        flags = (" ⏰" if item.overdue_ack else "") + {"warn": " 📅", "over": " 🔴"}.get(
            item.verification, ""
        )
        flagged = flagged or bool(flags)
        lines.append(
            t(
                "u_line",
                lang,
                i=i,
                code=receipt.display(item.tip.code),
                category=category_name(item.tip.category, lang),
                status=status_label(item.tip.status, lang),
                received=when(parse_utc(item.tip.created_at), lang, tz)[:5],
                day=item.day,
                flags=flags,
            )
        )
    cut = len(u.tips) > UNIT_SHOW
    if cut:
        lines.append(t("more", lang, n=_n(len(u.tips) - UNIT_SHOW, lang)))
    if flagged:
        lines.append(t("u_legend", lang))
    if cut:
        lines.append(t("d_attached", lang))
    text = "\n".join(lines)
    data = None
    if cut:
        header = [
            t(k, lang)
            for k in (
                "col_code",
                "col_category",
                "col_urgent",
                "col_status",
                "col_received",
                "col_day",
            )
        ]
        rows = [
            [
                receipt.display(item.tip.code),
                category_name(item.tip.category, lang),
                t("yes" if item.tip.urgent else "no", lang),
                status_label(item.tip.status, lang),
                when(parse_utc(item.tip.created_at), lang, tz),
                item.day,
            ]
            for item in u.tips
        ]
        data = csv_bytes(header, rows)
    return Rendered(text, heading, data, f"tinbao_open_{u.unit_id}_{u.day.isoformat()}.csv")


# ---------------------------------------------------------------- sending


@dataclass(frozen=True)
class Recipient:
    key: str  # the digest_log recipient: 'supervisors', 'officer:12', 'unit:34'
    chat_id: int


@dataclass(frozen=True)
class Sent:
    kind: str
    period_key: str
    recipient: str
    outbox_ids: list[int]


async def supervisor_recipients(tx: Tx) -> list[Recipient]:
    """The supervisors' chat of the province and every supervisor who opted in."""
    found = []
    province = await store.province(tx)
    if province is not None:
        chat = await tx.scalar(
            "SELECT chat_id FROM chat_bindings WHERE purpose = 'supervisors' AND unit_id = ?"
            " AND active = 1",
            (province[0],),
        )
        if chat is not None:
            found.append(Recipient("supervisors", int(chat)))
    for officer in await officers.supervisors_opted_in(tx):
        found.append(Recipient(f"officer:{officer.id}", officer.telegram_user_id))
    return found


async def enqueue_rendered(
    tx: Tx,
    chat_id: int,
    rendered: Rendered,
    *,
    at: str,
    purpose: str,
    lang: str,
    photo: bytes | None = None,
    photo_caption: str = "",
    photo_name: str = "chart.png",
) -> list[int]:
    """Text, then the chart, then the full list: the sender keeps one chat's rows in order."""
    ids = [await outbox.enqueue_text(tx, rendered.text, at=at, purpose=purpose, chat_id=chat_id)]
    if photo is not None:
        row = await outbox.enqueue(
            tx,
            at=at,
            method=Intent.SHOW,  # the chart attached below
            payload=screen_to_plain(Screen(photo_caption, media=Media("photo")), "q"),
            purpose=purpose,
            chat_id=chat_id,
        )
        await store.attach_file(tx, row, "photo", photo_name, photo)
        ids.append(row)
    if rendered.csv is not None:
        caption = t("d_file_caption", lang, title=rendered.title)[:1024]
        row = await outbox.enqueue(
            tx,
            at=at,
            method=Intent.SHOW,  # the list attached below
            payload=screen_to_plain(Screen(caption, media=Media("document")), "q"),
            purpose=purpose,
            chat_id=chat_id,
        )
        await store.attach_file(tx, row, "document", rendered.csv_name, rendered.csv)
        ids.append(row)
    return ids


async def _pending(db: Database, kind: str, key: str, unit: bool) -> list[Recipient]:
    async with db.read() as tx:
        if unit:
            recipients = [
                Recipient(f"unit:{u}", chat) for u, _, chat in await store.queue_units(tx)
            ]
        else:
            recipients = await supervisor_recipients(tx)
        done = await store.logged_recipients(tx, kind, key)
    return [r for r in recipients if r.key not in done]


async def _chart(d: Digest, lang: str) -> tuple[bytes | None, str]:
    """Drawn in a worker thread: a chart takes a few hundred milliseconds of CPU."""
    p = d.period
    if p.kind == WEEKLY:
        png = await asyncio.to_thread(charts.tips_per_day, p.days, d.chart_counts, lang)
        last = p.end.date() - timedelta(days=1)
        return png, t("d_chart_caption", lang, start=f"{p.start:%d/%m}", end=_short_day(last))
    if p.kind == MONTHLY:
        png = await asyncio.to_thread(charts.ack_time_by_unit, d.ack_by_unit, lang)
        return png, t("d_ack_chart_caption", lang, month=f"{p.start:%m/%Y}")
    return None, ""


async def send_digest(services: DigestServices, kind: str, now: datetime) -> list[Sent]:
    """Send the latest due digest of one kind to every recipient not yet served."""
    s = services.settings
    lang = s.default_language
    scheduled, period = latest_run(kind, s, now)
    if now - scheduled > CATCH_UP_GRACE[kind]:
        return []
    pending = await _pending(services.db, kind, period.key, kind == UNIT)
    if not pending:
        return []
    at = utc_text(now)
    sent: list[Sent] = []
    if kind == UNIT:
        lists = {f"unit:{u.unit_id}": u for u in await compute_unit_lists(services.db, s, now)}
        async with services.db.transaction() as tx:
            for r in pending:
                unit_list = lists.get(r.key)
                if unit_list is None or not await store.log_digest(
                    tx, kind=kind, period_key=period.key, recipient=r.key, at=at, chat_id=r.chat_id
                ):
                    continue
                if not unit_list.tips:  # nothing open: claim the day, say nothing
                    sent.append(Sent(kind, period.key, r.key, []))
                    continue
                ids = await enqueue_rendered(
                    tx,
                    r.chat_id,
                    render_unit(unit_list, s, lang),
                    at=at,
                    purpose="digest",
                    lang=lang,
                )
                await store.set_digest_outbox(
                    tx, kind=kind, period_key=period.key, recipient=r.key, outbox_id=ids[0]
                )
                sent.append(Sent(kind, period.key, r.key, ids))
        return sent
    digest = await compute(services.db, s, period, now)
    # the text and its CSV of every listed tip take a busy province 0.1-0.4 s of
    # formatting: in a worker thread, like the chart, so citizens are not kept waiting
    rendered = await asyncio.to_thread(render, digest, s, lang)
    photo, caption = await _chart(digest, lang)
    async with services.db.transaction() as tx:
        for r in pending:
            if not await store.log_digest(
                tx, kind=kind, period_key=period.key, recipient=r.key, at=at, chat_id=r.chat_id
            ):
                continue
            ids = await enqueue_rendered(
                tx,
                r.chat_id,
                rendered,
                at=at,
                purpose="digest",
                lang=lang,
                photo=photo,
                photo_caption=caption,
                photo_name=f"tinbao_{kind}_{period.key}.png",
            )
            await store.set_digest_outbox(
                tx, kind=kind, period_key=period.key, recipient=r.key, outbox_id=ids[0]
            )
            sent.append(Sent(kind, period.key, r.key, ids))
    return sent


async def send_due(
    services: DigestServices, now: datetime | None = None, kinds: Sequence[str] = KINDS
) -> list[Sent]:
    """Send every digest of ``kinds`` whose time has come and that is not yet sent; wake
    the sender when anything was written. The scheduled jobs and :func:`catch_up` both
    come through here, which is what makes a digest go out exactly once."""
    now = now or services.clock()
    sent: list[Sent] = []
    for kind in kinds:
        sent += await send_digest(services, kind, now)
    if any(s.outbox_ids for s in sent):
        log.info(
            "digests enqueued: %s",
            ", ".join(f"{s.kind}/{s.period_key}/{s.recipient}" for s in sent),
        )
        services.wake()
    return sent


async def catch_up(services: DigestServices, now: datetime | None = None) -> list[Sent]:
    """At start-up: send the latest digest of each kind missed while the bot was down
    (within :data:`CATCH_UP_GRACE`), once; a second call, or a call after another
    restart, finds the ``digest_log`` claims and sends nothing."""
    return await send_due(services, now)
