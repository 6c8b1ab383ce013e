"""Danh sách tin báo: the tips in scope, filtered, a page at a time in a stable order.

Every filter is a plain query parameter (``commune=<official code>``, ``category``,
``status``, ``urgent=1``, ``from``/``to`` as local ``YYYY-MM-DD``, ``overdue=1``), so the
map links here and a filtered list can be bookmarked; none carries personal data. A value
the page does not know is named in a plain message above an empty list, never a 500.
Overdue is the digest's and the escalation's rule (bot/deadlines.py ``ack_limit``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from aiohttp import web

from bot import receipt
from bot.deadlines import ack_limit
from bot.exports import category_name
from bot.fmt import number, when
from config.categories import CATEGORIES
from config.settings import Settings
from config.texts import status_label, t
from handlers.web.common import (
    LANG,
    Pages,
    Viewer,
    local_end,
    local_start,
    parse_day,
    province_name,
    with_query,
)
from storage import units, web_pages
from storage.db import parse_utc, utc_text
from storage.digests import OPEN_STATUSES

PAGE_SIZE = 25
STATUSES = ("open", *OPEN_STATUSES, "closed")
MAX_PAGE = 100_000


@dataclass
class Asked:
    """The filters as asked (to refill the form) and what was wrong with them."""

    values: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)
    place_unit_id: int | None = None
    unknown_commune: bool = False


async def read_filters(
    pages: Pages, request: web.Request, viewer: Viewer, now: datetime
) -> tuple[web_pages.TipFilter, Asked]:
    settings = pages.services.settings
    q = request.query
    asked = Asked()
    status = q.get("status", "")
    if status and status not in STATUSES:
        asked.problems.append(t("web_bad_status", LANG))
        status = ""
    category = q.get("category", "")
    if category and category not in {c.code for c in CATEGORIES}:
        asked.problems.append(t("web_bad_category", LANG))
        category = ""
    urgent = q.get("urgent", "") == "1"
    overdue = q.get("overdue", "") == "1"
    first = parse_day(q.get("from", "")) if q.get("from") else None
    last = parse_day(q.get("to", "")) if q.get("to") else None
    if q.get("from") and first is None:
        asked.problems.append(t("web_bad_date", LANG, value=q.get("from", "")[:20]))
    if q.get("to") and last is None:
        asked.problems.append(t("web_bad_date", LANG, value=q.get("to", "")[:20]))
    if first and last and last < first:
        asked.problems.append(t("web_bad_range", LANG))
    commune_code = q.get("commune", "")
    commune_name = ""
    if commune_code:
        async with pages.services.db.read() as tx:
            unit = await units.unit_by_code(tx, commune_code[:20])
        if unit is None or unit.kind != "commune":
            asked.problems.append(t("web_bad_commune", LANG))
            asked.unknown_commune = True
        else:
            asked.place_unit_id, commune_name = unit.id, unit.name
    asked.values = {
        "commune": commune_code if asked.place_unit_id else "",
        "status": status,
        "category": category,
        "urgent": "1" if urgent else "",
        "overdue": "1" if overdue else "",
        "from": first.isoformat() if first else "",
        "to": last.isoformat() if last else "",
    }
    if commune_name:
        asked.summary.append(commune_name)
    if status:
        asked.summary.append(state_name(status))
    if category:
        asked.summary.append(category_name(category, LANG))
    if urgent:
        asked.summary.append(t("web_urgent", LANG))
    if overdue:
        asked.summary.append(t("web_overdue", LANG))
    if first or last:
        asked.summary.append(
            t(
                "web_date_range",
                LANG,
                start=first.strftime("%d/%m/%Y") if first else "…",
                end=last.strftime("%d/%m/%Y") if last else "…",
            )
        )
    tz = settings.tz
    f = web_pages.TipFilter(
        unit_id=viewer.unit_id,
        place_unit_id=asked.place_unit_id,
        status=status or None,
        category=category or None,
        urgent=urgent,
        start=utc_text(local_start(first, tz)) if first else None,
        end=utc_text(local_end(last, tz)) if last else None,
        overdue_before=overdue_cuts(settings, now) if overdue else None,
    )
    return f, asked


def state_name(code: str) -> str:
    return t("web_open_any", LANG) if code == "open" else status_label(code, LANG)


def overdue_cuts(settings: Settings, now: datetime) -> tuple[str, str]:
    """A tip that reached its queue before these (urgent, normal) waits past its limit."""
    return utc_text(now - ack_limit(True, settings)), utc_text(now - ack_limit(False, settings))


async def show(pages: Pages, request: web.Request, viewer: Viewer) -> web.StreamResponse:
    s = pages.services
    now = s.clock()
    f, asked = await read_filters(pages, request, viewer, now)
    page_text = request.query.get("page", "1")
    page = int(page_text) if page_text.isascii() and page_text.isdecimal() else 1
    page = min(max(1, page), MAX_PAGE)
    async with s.db.read() as tx:
        if asked.unknown_commune or (f.start and f.end and f.end <= f.start):
            listed: list[web_pages.ListedTip] = []
            total = 0
        else:
            first = await web_pages.oldest(tx)
            tz = s.settings.tz
            day_range = None
            if first is not None:  # all time, in whole local days
                day_range = (
                    utc_text(local_start(parse_utc(first).astimezone(tz).date(), tz)),
                    utc_text(local_end(now.astimezone(tz).date(), tz)),
                )
            listed, total = await web_pages.tip_page(
                tx, f, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE, day_range=day_range
            )
        province = await province_name(tx)
    pages_total = max(1, -(-total // PAGE_SIZE))
    query = asked.values
    filtered = any(query.values())
    return pages.page(
        "list.html",
        viewer,
        current="tips",
        title=t("web_title", LANG, province=province),
        scope=viewer.scope_name,
        rows=[
            {
                "code": receipt.display(tip.code),
                "category": category_name(tip.category, LANG),
                "urgent": tip.urgent,
                "status": status_label(tip.status, LANG),
                "commune": tip.commune,
                "received": when(parse_utc(tip.created_at), LANG, s.settings.tz),
            }
            for tip in listed
        ],
        count=t("web_tips_count", LANG, n=number(total, LANG, 0)),
        problems=asked.problems,
        summary=t("web_filter_summary", LANG, filters=", ".join(asked.summary))
        if asked.summary
        else "",
        clear="/tips" if filtered or asked.problems else "",
        statuses=[(code, state_name(code)) for code in STATUSES],
        categories=[(c.code, category_name(c.code, LANG)) for c in CATEGORIES],
        asked=query,
        page_label=t("web_page_of", LANG, page=page, pages=pages_total),
        previous=with_query("/tips", query, page=str(page - 1)) if page > 1 else None,
        following=with_query("/tips", query, page=str(page + 1)) if page < pages_total else None,
    )
