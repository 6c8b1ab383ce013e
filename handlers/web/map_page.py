"""Bản đồ: the province's communes as circles at their official centroids, drawn in SVG
by the server (no tile server, no script: it works on a police network without internet).

A circle's area grows with the commune's open tips (a small grey dot for none), its colour
with how many of them are overdue for acknowledgement (the digest's rule), and a click
opens the tip list filtered to that commune. The table under the map says the same in
words, for screen readers and phones. A unit's officers see their own queue's counts only
(by the commune of the place), with their commune outlined.

The markup is a contract with the browser tests: each commune is one
``<a class="commune" href="/tips?commune=<code>" aria-label="<name>: <n> tin đang mở">``
around one ``<circle data-commune="<code>">`` with the name in a ``<title>``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import timedelta

from aiohttp import web

from bot.fmt import number
from config.texts import t
from handlers.web.common import LANG, Pages, Viewer, local_start, province_name
from handlers.web.tip_list import overdue_cuts
from storage import digests as digest_store
from storage import units, web_pages
from storage.db import utc_text

WIDTH = 600.0
PAD = 26.0
R_EMPTY = 3.0
R_MIN = 5.0
R_MAX = 16.0
SORTS = ("name", "open", "overdue", "new")


@dataclass(frozen=True)
class Commune:
    code: str
    name: str
    open: int
    overdue: int
    new: int
    own: bool
    x: float | None = None
    y: float | None = None
    r: float = R_EMPTY

    @property
    def level(self) -> str:
        """none / some / many overdue (many: three or more, or most of the open ones)."""
        if not self.open:
            return "empty"
        if not self.overdue:
            return "none"
        if self.overdue >= 3 or 2 * self.overdue > self.open:
            return "many"
        return "some"


def project(points: list[tuple[float, float]]) -> tuple[list[tuple[float, float]], float]:
    """Equirectangular with the cosine of the middle latitude, fitted to the box:
    ``(x, y)`` per ``(lat, lon)`` and the box's height."""
    if not points:
        return [], WIDTH / 2
    lats = [p[0] for p in points]
    lons = [p[1] for p in points]
    k = math.cos(math.radians((min(lats) + max(lats)) / 2))
    span_x = max((max(lons) - min(lons)) * k, 1e-6)
    span_y = max(max(lats) - min(lats), 1e-6)
    scale = (WIDTH - 2 * PAD) / max(span_x, span_y * (WIDTH - 2 * PAD) / (WIDTH * 1.3))
    height = span_y * scale + 2 * PAD
    placed = [
        (PAD + (lon - min(lons)) * k * scale, PAD + (max(lats) - lat) * scale)
        for lat, lon in points
    ]
    return placed, height


async def figures(pages: Pages, viewer: Viewer) -> list[Commune]:
    """Every commune of the province with the viewer's counts: open now, overdue now,
    received in the last 30 local days."""
    s = pages.services
    now = s.clock()
    tz = s.settings.tz
    today = now.astimezone(tz).date()
    start = utc_text(local_start(today - timedelta(days=29), tz))
    scope = viewer.unit_id
    async with s.db.read() as tx:
        province = await units.get_province(tx)
        communes = await units.list_communes(tx, province.id) if province else []
        open_now = await web_pages.count_by_place(
            tx, web_pages.TipFilter(unit_id=scope, status="open")
        )
        overdue = await web_pages.count_by_place(
            tx, web_pages.TipFilter(unit_id=scope, overdue_before=overdue_cuts(s.settings, now))
        )
        if scope is None:  # the province: the pre-aggregated daily counts
            new: dict[int, int] = {}
            cells = await digest_store.received_cells(tx, start, utc_text(now))
            for (unit_id, _), n in cells.items():
                new[unit_id] = new.get(unit_id, 0) + n
        else:
            new = await web_pages.count_by_place(
                tx, web_pages.TipFilter(unit_id=scope, start=start)
            )
    own = viewer.officer.unit_id
    found = [
        Commune(
            u.code,
            u.name,
            open_now.get(u.id, 0),
            overdue.get(u.id, 0),
            new.get(u.id, 0),
            u.id == own and not viewer.supervisor,
        )
        for u in communes
    ]
    located = [(c, u) for c, u in zip(found, communes, strict=True) if u.lat and u.lon]
    placed, _ = project([(float(u.lat or 0), float(u.lon or 0)) for _, u in located])
    top = max([c.open for c in found] + [1])
    drawn = {
        c.code: replace(c, x=round(x, 1), y=round(y, 1), r=radius(c.open, top))
        for (c, _), (x, y) in zip(located, placed, strict=True)
    }
    return [drawn.get(c.code, c) for c in found]


def radius(n: int, top: int) -> float:
    """Area in proportion to the count, from a visible minimum; a dot for none."""
    if n <= 0:
        return R_EMPTY
    return round(R_MIN + (R_MAX - R_MIN) * math.sqrt(n / top), 1)


async def show(pages: Pages, request: web.Request, viewer: Viewer) -> web.StreamResponse:
    found = await figures(pages, viewer)
    drawn = [c for c in found if c.x is not None]
    points = [(c.x or 0, c.y or 0) for c in drawn]
    height = max([y + PAD for _, y in points] + [WIDTH / 2])
    sort = request.query.get("sort", "open")
    sort = sort if sort in SORTS else "open"
    if sort == "name":
        table = sorted(found, key=lambda c: c.name)
    else:
        table = sorted(found, key=lambda c: (-getattr(c, sort), c.name))
    counted = [c for c in table if c.open or c.overdue or c.new or c.own]
    # a unit's own rows, not a page of zeros; a supervisor gets the quiet ones folded
    quiet = [] if not viewer.supervisor else [c for c in table if c not in counted]
    async with pages.services.db.read() as tx:
        province = await province_name(tx)
    return pages.page(
        "map.html",
        viewer,
        current="map",
        title=t("web_title", LANG, province=province),
        scope=viewer.scope_name,
        width=int(WIDTH),
        height=int(height),
        # big circles first, so that a small one on top of a big one stays clickable
        circles=sorted(drawn, key=lambda c: -c.r),
        table=counted,
        quiet=quiet,
        quiet_label=t("web_map_quiet", LANG, n=len(quiet)),
        sort=sort,
        sorts=[(key, t(f"web_map_col_{key}", LANG)) for key in SORTS],
        n=lambda value: number(value, LANG, 0),
        label=lambda c: t("web_map_label", LANG, name=c.name, n=c.open),
        legend=[(level, t(f"web_map_level_{level}", LANG)) for level in LEVELS],
        unplaced=len(found) - len(drawn),
    )


LEVELS = ("none", "some", "many", "empty")
