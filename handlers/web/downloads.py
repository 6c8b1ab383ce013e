"""Tải xuống: the same CSV and XLSX files as the bot's ``/export`` (bot/exports.py
``build``: one exporter), of the viewer's scope (the province, or the tips the unit's
queue holds), built off the event loop as the bot builds them, each download written to
the web page's audit trail (who, when, which period and format, which scope).

The period is ``from``/``to`` as local ``YYYY-MM-DD``; without them the last 30 days up
to today, as ``/export`` without arguments. The file carries no reporter identity,
description, address or coordinates (storage/exports.py ``ExportRow``)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from aiohttp import web

from bot import exports
from bot.reports import plausible_year
from config.texts import t
from handlers.web.common import (
    LANG,
    Pages,
    Viewer,
    local_end,
    local_start,
    parse_day,
    province_name,
)
from storage import web_audit
from storage.db import utc_text

TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
MAX_DAYS = 366


def period(request: web.Request, now: datetime, tz: ZoneInfo) -> tuple[date, date] | None:
    """The asked days, or the last 30 by default; None for a bad or implausible one."""
    q = request.query
    today = now.astimezone(tz).date()
    first = parse_day(q["from"]) if q.get("from") else today - timedelta(days=29)
    last = parse_day(q["to"]) if q.get("to") else today
    if first is None or last is None:
        return None
    if last < first:
        first, last = last, first
    if not (plausible_year(first.year, now) and plausible_year(last.year, now)):
        return None
    if (last - first).days >= MAX_DAYS:
        return None
    return first, last


async def show(pages: Pages, request: web.Request, viewer: Viewer) -> web.StreamResponse:
    s = pages.services
    today = s.clock().astimezone(s.settings.tz).date()
    async with s.db.read() as tx:
        province = await province_name(tx)
    return pages.page(
        "export.html",
        viewer,
        current="export",
        title=t("web_title", LANG, province=province),
        scope=viewer.scope_name,
        first=(today - timedelta(days=29)).isoformat(),
        last=today.isoformat(),
        note=t("web_export_note", LANG, days=MAX_DAYS),
    )


async def csv_file(pages: Pages, request: web.Request, viewer: Viewer) -> web.StreamResponse:
    return await download(pages, request, viewer, "csv")


async def xlsx_file(pages: Pages, request: web.Request, viewer: Viewer) -> web.StreamResponse:
    return await download(pages, request, viewer, "xlsx")


async def download(
    pages: Pages, request: web.Request, viewer: Viewer, kind: str
) -> web.StreamResponse:
    s = pages.services
    settings, now = s.settings, s.clock()
    tz = settings.tz
    asked = period(request, now, tz)
    if asked is None:
        return pages.message("web_downloads", t("web_export_bad", LANG, days=MAX_DAYS), 400, viewer)
    first, last = asked
    built = await exports.build(
        s.db,
        settings,
        start=local_start(first, tz),
        end=local_end(last, tz),
        now=now,
        kind=kind,
        lang=settings.default_language,
        unit_id=viewer.unit_id,
    )
    scope = "province" if viewer.unit_id is None else f"unit={viewer.unit_id}"
    async with s.db.transaction() as tx:
        await web_audit.record(
            tx,
            viewer.officer.id,
            utc_text(now),
            "export",
            f"{kind} {first.isoformat()}..{last.isoformat()} {scope} rows={built.rows}",
        )
    return web.Response(
        body=built.data,
        headers={
            "Content-Type": TYPES[kind],
            "Content-Disposition": f'attachment; filename="{built.filename}"',
        },
    )
