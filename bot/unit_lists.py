"""One commune queue's morning list: its own open tips, oldest first, flagged where an
acknowledgement is overdue or a verification clock runs out; sent to the queue itself
with the digests (kind ``unit``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot import receipt
from bot.deadlines import ack_limit
from bot.digest_text import Rendered, figure, item_list, short_day
from bot.exports import category_name, csv_bytes
from bot.fmt import when
from config.settings import Settings
from config.texts import status_label, t
from storage import digests as store
from storage.db import Database, parse_utc
from storage.digests import OPEN_STATUSES, TipLine

UNIT_SHOW = 15


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
    heading = t("u_title", lang, unit=u.unit_name, date=short_day(u.day))
    counts: dict[str, int] = {}
    for item in u.tips:
        counts[item.tip.status] = counts.get(item.tip.status, 0) + 1
    states = [(status_label(s, lang), counts[s]) for s in OPEN_STATUSES if counts.get(s)]
    lines = [
        heading,
        t("d_open", lang, n=figure(len(u.tips), lang)) + " — " + item_list(states, lang, 9),
    ]
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
        lines.append(t("more", lang, n=figure(len(u.tips) - UNIT_SHOW, lang)))
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
