"""Danh sách tin báo: the tips in scope, filtered, a page at a time in a stable order.

Every filter is a plain query parameter (``commune=<official code>``, ``category``,
``status``, ``urgent=1``, ``from``/``to`` as local ``YYYY-MM-DD``, ``overdue=1``), so the
map links here and a filtered list can be bookmarked; none carries personal data. A value
the page does not know is named in a plain message above an empty list, never a 500.
Overdue is the digest's and the escalation's rule (bot/deadlines.py ``ack_limit``)."""

from __future__ import annotations

from collections.abc import Mapping
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
from storage.web_pages import COUNT_CAP

PAGE_SIZE = 25
STATUSES = ("open", *OPEN_STATUSES, "closed")
#: The deepest page opened by its number (as far as the count goes one by one); deeper
#: pages are reached by "next", whose cursor costs a page whatever the depth.
MAX_PAGE = COUNT_CAP // PAGE_SIZE
MAX_LABEL = 10**9


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


def _number(text: str, top: int) -> int | None:
    """A positive whole number of at most ``top`` from a query value, else None (query
    values are typed by anyone)."""
    if not (text.isascii() and text.isdecimal()) or len(text) > 12:
        return None
    value = int(text)
    return value if 1 <= value <= top else None


def _cursor(query: Mapping[str, str]) -> web_pages.Cursor | None:
    for name, newer in (("after", False), ("before", True)):
        tip_id = _number(query.get(name, ""), 2**62)
        if tip_id is not None:
            return web_pages.Cursor(tip_id, newer)
    return None


async def show(pages: Pages, request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """Page numbers up to :data:`MAX_PAGE` open directly (an OFFSET over the filter's
    index); "next" and "previous" carry a cursor (the tip at the page's edge), so paging
    on past them costs a page, not the pages before it. ``page`` beside a cursor is only
    the label."""
    s = pages.services
    now = s.clock()
    f, asked = await read_filters(pages, request, viewer, now)
    cursor = _cursor(request.query)
    page = _number(request.query.get("page", ""), MAX_LABEL) or 1
    if cursor is None:
        page = min(page, MAX_PAGE)
    async with s.db.read() as tx:
        if asked.unknown_commune or (f.start and f.end and f.end <= f.start):
            found = web_pages.TipPage([], 0, True, False)
        else:
            first = await web_pages.oldest(tx)
            tz = s.settings.tz
            day_range = None
            if first is not None:  # all time, in whole local days
                day_range = (
                    utc_text(local_start(parse_utc(first).astimezone(tz).date(), tz)),
                    utc_text(local_end(now.astimezone(tz).date(), tz)),
                )

            async def read(cursor: web_pages.Cursor | None, page: int) -> web_pages.TipPage:
                return await web_pages.tip_page(
                    tx,
                    f,
                    limit=PAGE_SIZE,
                    offset=(page - 1) * PAGE_SIZE,
                    cursor=cursor,
                    day_range=day_range,
                )

            found = await read(cursor, page)
            if cursor is not None and cursor.newer and not found.more:
                page = 1  # "previous" reached the newest tips: that is the first page
                found = await read(None, 1)
        province = await province_name(tx)
    query = asked.values
    listed = found.tips
    older = found.more if not (cursor and cursor.newer) else bool(listed)
    previous = None
    if page > 1 and listed:
        previous = (
            with_query("/tips", query)
            if page == 2
            else with_query("/tips", query, before=str(listed[0].id), page=str(page - 1))
        )
    following = None
    if older and listed:
        following = with_query("/tips", query, after=str(listed[-1].id), page=str(page + 1))
    if found.exact:
        count = t("web_tips_count", LANG, n=number(found.total, LANG, 0))
        pages_total = max(1, -(-found.total // PAGE_SIZE))
        page_label = t(
            "web_page_of", LANG, page=number(page, LANG, 0), pages=number(pages_total, LANG, 0)
        )
    else:
        count = t("web_tips_count_over", LANG, n=number(web_pages.COUNT_CAP, LANG, 0))
        page_label = t("web_page_n", LANG, page=number(page, LANG, 0))
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
        count=count,
        problems=asked.problems,
        summary=t("web_filter_summary", LANG, filters=", ".join(asked.summary))
        if asked.summary
        else "",
        clear="/tips" if filtered or asked.problems else "",
        statuses=[(code, state_name(code)) for code in STATUSES],
        categories=[(c.code, category_name(c.code, LANG)) for c in CATEGORIES],
        asked=query,
        page_label=page_label,
        previous=previous,
        following=following,
    )
