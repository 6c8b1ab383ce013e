"""A digest rendered for a phone: a short text (under :data:`MAX_CHARS`; long lists are
cut to a few items and "+N more") and, when anything was cut, the full lists as a CSV
file, so the text stays readable and nothing is lost."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from bot import receipt
from bot.deadlines import span
from bot.digest_figures import Digest
from bot.digest_periods import DAILY, MONTHLY, WEEKLY
from bot.exports import category_name, csv_bytes
from bot.fmt import number, when
from config.settings import Settings
from config.texts import outcome_label, status_label, t
from storage.db import parse_utc
from storage.digests import OPEN_STATUSES, TipLine, WantedFigures

MAX_CHARS = 1500
SHOW = 5  # list items shown in the text before "+N more"


@dataclass(frozen=True)
class Rendered:
    text: str
    title: str
    csv: bytes | None  # the full lists, when the text had to cut them
    csv_name: str


def figure(value: int, lang: str) -> str:
    return number(value, lang, 0)


def item_list(pairs: Sequence[tuple[str, int]], lang: str, show: int) -> str:
    shown = ", ".join(f"{name} {figure(n, lang)}" for name, n in pairs[:show])
    rest = len(pairs) - show
    return shown + (f", {t('more', lang, n=figure(rest, lang))}" if rest > 0 else "")


def wanted_line(w: WantedFigures, lang: str) -> str:
    """The movement's wanted-person figures in one line, shared by the digests and
    /report so that a month's digest and the month's report read the same way."""
    return t(
        "wanted_line",
        lang,
        sightings=figure(w.sightings, lang),
        # people are known only through the notices sightings name; tips from the plain
        # dialogue name none, and "(0 people)" beside them would read as "nobody"
        people=t("wanted_people", lang, n=figure(w.notices_sighted, lang))
        if w.notices_sighted
        else "",
        arrested=figure(w.arrested, lang),
        surrendered=figure(w.surrendered, lang),
        dangerous=figure(w.caught_dangerous, lang),
        # a cancelled notice is no success of the movement: named only when it happened
        cancelled=t("wanted_cancelled", lang, n=figure(w.cancelled, lang)) if w.cancelled else "",
        active=figure(w.active, lang),
        active_dangerous=figure(w.active_dangerous, lang),
    )


def short_day(day: date) -> str:
    return f"{day:%d/%m/%Y}"


def title(d: Digest, lang: str) -> str:
    p = d.period
    if p.kind == WEEKLY:
        last = p.end.date() - timedelta(days=1)
        return t(
            "d_title_weekly",
            lang,
            start=f"{p.start:%d/%m}",
            end=short_day(last),
            province=d.province,
        )
    if p.kind == MONTHLY:
        return t("d_title_monthly", lang, month=f"{p.start:%m/%Y}", province=d.province)
    return t("d_title_daily", lang, date=short_day(p.start.date()), province=d.province)


def _lines(d: Digest, lang: str, show: int) -> tuple[list[str], bool]:
    """The text lines with at most ``show`` items per list; True when something was cut."""
    cut = False

    def more(total: int) -> str:
        nonlocal cut
        if total > show:
            cut = True
            return "  " + t("more", lang, n=figure(total - show, lang))
        return ""

    lines = [title(d, lang)]
    lines.append(t("d_new", lang, n=figure(d.new_total, lang), urgent=figure(len(d.urgent), lang)))
    if d.new_total:
        categories = sorted(d.new_by_category.items(), key=lambda kv: (-kv[1], kv[0]))
        named = [(category_name(code, lang), n) for code, n in categories]
        lines.append(t("d_by_category", lang, items=item_list(named, lang, len(named))))
        lines.append(t("d_by_unit", lang, items=item_list(d.new_by_unit, lang, show)))
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
            t("d_unrouted", lang, n=figure(len(d.unrouted), lang), items=", ".join(items) or "…")
            + more(len(d.unrouted))
        )
    states = [(status_label(s, lang), d.open_by_status.get(s, 0)) for s in OPEN_STATUSES]
    lines.append(
        t("d_open", lang, n=figure(d.open_total, lang))
        + (" — " + item_list([p for p in states if p[1]], lang, 9) if d.open_total else "")
    )
    lines.append(t("d_overdue", lang, n=figure(len(d.overdue_ack), lang)))
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
                n=figure(d.ack_count, lang),
            )
        )
    else:
        lines.append(t("d_ack_none", lang))
    lines.append(t("d_transfers", lang, n=figure(d.transfers, lang)))
    closed_total = sum(d.closed_by_outcome.values())
    outcomes = sorted(d.closed_by_outcome.items(), key=lambda kv: (-kv[1], kv[0]))
    lines.append(
        t("d_closed", lang, n=figure(closed_total, lang))
        + (
            " — " + item_list([(outcome_label(o, lang), n) for o, n in outcomes], lang, 9)
            if closed_total
            else ""
        )
    )
    if d.verification:
        lines.append(
            t(
                "d_verification",
                lang,
                days=figure(d.verification_days, lang),
                warn=figure(d.verification_warn, lang),
                over=figure(d.verification_over, lang),
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
            names += ", " + t("more", lang, n=figure(rest, lang))
        lines.append(t("d_no_queue", lang, n=figure(len(d.units_without_queue), lang), items=names))
    if d.failed:
        failed = [(t("reporters", lang) if w == "@reporters" else w, n) for w, n in d.failed]
        lines.append(t("d_failed", lang, items=item_list(failed, lang, show)))
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
        rows.append([t("sec_by_unit", lang), "", unit, "", "", "", "", "", "", figure(n, lang)])
    for unit in d.units_without_queue:
        rows.append([t("sec_no_queue", lang), "", unit, "", "", "", "", "", "", ""])
    for who, n in d.failed:
        who = t("reporters", lang) if who == "@reporters" else who
        rows.append([t("sec_failed", lang), "", who, "", "", "", "", "", "", figure(n, lang)])
    return csv_bytes(header, rows)
