"""Truy nã: the wanted notices and the citizens' sightings of them, in the viewer's scope.

A supervisor sees every notice and every sighting; a unit's officers the notices their
unit issued or that their queue holds sightings of, and only those sightings. Another
unit's notice is a 404, as another unit's tip is."""

from __future__ import annotations

from aiohttp import web

from bot import receipt
from bot.fmt import number, when
from bot.wanted_cards import police_card
from config.texts import status_label, t
from handlers.web.common import LANG, Pages, Viewer, province_name
from storage import wanted as wanted_store
from storage import web_wanted
from storage.db import parse_utc


async def show_list(pages: Pages, request: web.Request, viewer: Viewer) -> web.StreamResponse:
    s = pages.services
    tz = s.settings.tz
    async with s.db.read() as tx:
        found = await web_wanted.notices(tx, viewer.unit_id)
        province = await province_name(tx)
    return pages.page(
        "wanted.html",
        viewer,
        current="wanted",
        title=t("web_title", LANG, province=province),
        scope=viewer.scope_name,
        count=t("web_wanted_count", LANG, n=number(len(found), LANG, 0)),
        notices=[
            {
                "id": n.id,
                "name": n.full_name,
                "warrant": n.warrant_number,
                "offence": n.offence,
                "dangerous": n.dangerous,
                "state": t("web_notice_active", LANG)
                if n.status == "active"
                else t(f"reason_{n.withdrawn_reason}", LANG),
                "active": n.status == "active",
                "sightings": number(n.sightings, LANG, 0),
                "open": number(n.open_sightings, LANG, 0),
                "latest": when(parse_utc(n.latest), LANG, tz) if n.latest else "—",
            }
            for n in found
        ],
    )


async def show_notice(pages: Pages, request: web.Request, viewer: Viewer) -> web.StreamResponse:
    text = request.match_info["id"]
    if not (text.isascii() and text.isdecimal() and len(text) < 10):
        return pages.not_found(viewer, "web_notice_not_found", "web_wanted")
    s = pages.services
    tz = s.settings.tz
    async with s.db.read() as tx:
        notice = await wanted_store.get(tx, int(text))
        seen = await web_wanted.sightings(tx, int(text)) if notice else []
        province = await province_name(tx)
    mine = [x for x in seen if viewer.may_see(x.current_unit_id)]
    if notice is None or not (
        viewer.supervisor or notice.issuing_unit_id == viewer.officer.unit_id or mine
    ):
        return pages.not_found(viewer, "web_notice_not_found", "web_wanted")
    return pages.page(
        "notice.html",
        viewer,
        current="wanted",
        title=t("web_title", LANG, province=province),
        heading=notice.full_name,
        dangerous=notice.dangerous,
        card=police_card(notice, LANG, tz),
        sightings=[
            {
                "code": receipt.display(x.code),
                "status": status_label(x.status, LANG),
                "commune": x.commune,
                "received": when(parse_utc(x.created_at), LANG, tz),
            }
            for x in mine
        ],
        count=t("web_sightings_count", LANG, n=number(len(mine), LANG, 0)),
    )
