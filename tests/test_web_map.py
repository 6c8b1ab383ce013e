"""The web page's map: one circle per commune at its official centroid, sized by the open
tips and coloured by the overdue ones, each a link to the commune's list; the same in a
table for screen readers; a unit's officers see only their own counts."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from pathlib import Path

from storage import units
from tests.police import setup_unit
from tests.seed import Seed
from tests.web import Web, get, logged_in, unit_code, unit_id, web_harness

COMMUNE = re.compile(
    r'<a class="commune( own)?" href="/tips\?commune=([^"]+)" aria-label="([^"]+)">'
    r'<circle data-commune="([^"]+)" class="level-(\w+)" cx="([\d.]+)" cy="([\d.]+)"'
    r' r="([\d.]+)"><title>([^<]+)</title></circle></a>'
)


def circles(page: str) -> dict[str, dict[str, str]]:
    found = {}
    for own, code, label, data, level, cx, cy, r, title in COMMUNE.findall(page):
        assert code == data
        found[code] = {
            "own": own,
            "label": html.unescape(label),
            "level": level,
            "r": r,
            "title": html.unescape(title),
            "x": cx,
            "y": cy,
        }
    return found


async def seed_tips(web: Web) -> None:
    tam, kim = await unit_id(web, "Tam Chúc"), await unit_id(web, "Kim Bảng")
    now = web.h.clock()
    async with web.h.tinbao.db.transaction() as tx:
        seed = Seed(tx)
        await seed.tip(tam, now - timedelta(minutes=30))  # open, within its 4 h
        await seed.tip(tam, now - timedelta(hours=6))  # open, overdue
        await seed.tip(
            tam,
            now - timedelta(days=2),
            status="closed",
            outcome="resolved",
            acknowledged=now - timedelta(days=2),
            closed=now - timedelta(days=1),
        )
        for hours in (5, 6, 7):  # three overdue: many
            await seed.tip(kim, now - timedelta(hours=hours))


async def test_every_commune_is_a_circle_linking_to_its_list(tmp_path: Path) -> None:
    async with web_harness(tmp_path) as web:
        await setup_unit(web.h)
        await seed_tips(web)
        async with web.h.tinbao.db.read() as tx:
            province = await units.get_province(tx)
            assert province is not None
            communes = await units.list_communes(tx, province.id)
        async with web.client() as browser:
            await logged_in(web, browser, web.h.officer(503, "Sơn"))
            status, page = await get(web, browser, "/map")
            assert status == 200
            found = circles(page)
            assert set(found) == {c.code for c in communes if c.lat and c.lon}
            assert len(found) > 50
            tam, kim = await unit_code(web, "Tam Chúc"), await unit_code(web, "Kim Bảng")
            names = {c.code: c.name for c in communes}
            assert found[tam]["label"] == f"{names[tam]}: 2 tin đang mở"
            assert found[tam]["title"] == names[tam]
            assert found[tam]["level"] == "some"  # one of two overdue
            assert found[kim]["label"] == f"{names[kim]}: 3 tin đang mở"
            assert found[kim]["level"] == "many"
            others = [c for code, c in found.items() if code not in (tam, kim)]
            assert all(c["level"] == "empty" and c["r"] == "3.0" for c in others)
            assert float(found[kim]["r"]) > float(found[tam]["r"]) > 3.0
            # inside the drawing and not all on one spot
            assert len({(c["x"], c["y"]) for c in found.values()}) > 50
            assert "style=" not in page and "<script" not in page
            # a click is the commune's list
            status, listed = await get(web, browser, f"/tips?commune={tam}")
            assert status == 200 and "3 tin báo" in listed
            assert html.unescape(names[tam]) in html.unescape(listed)
            # the table under the map, sorted by a link
            status, by_open = await get(web, browser, "/map?sort=open")
            rows = re.findall(r'<tr><th scope="row"><a href="/tips\?commune=([^"]+)">', by_open)
            assert rows[:2] == [kim, tam]
            status, by_name = await get(web, browser, "/map?sort=name")
            counted, quiet = by_name.split('<details class="quiet">')
            named = re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a>', counted)
            assert len(named) == 2 and named == sorted(named)  # the communes with tips
            folded = re.findall(r'<th scope="row"><a href="([^"]+)">([^<]+)</a>', quiet)
            assert [n for _, n in folded] == sorted(n for _, n in folded)
            assert len(folded) + 2 == len(communes)  # and the quiet ones, folded
            status, _ = await get(web, browser, "/map?sort=nonsense")
            assert status == 200


async def test_a_unit_lead_sees_only_the_units_counts(tmp_path: Path) -> None:
    async with web_harness(tmp_path) as web:
        await setup_unit(web.h)
        await seed_tips(web)
        async with web.client() as browser:
            await logged_in(web, browser, web.h.officer(501, "Hùng"))
            status, page = await get(web, browser, "/map")
        assert status == 200
        found = circles(page)
        tam, kim = await unit_code(web, "Tam Chúc"), await unit_code(web, "Kim Bảng")
        assert found[tam]["own"] == " own" and found[tam]["label"].endswith(": 2 tin đang mở")
        assert found[kim]["own"] == "" and found[kim]["label"].endswith(": 0 tin đang mở")
        assert [code for code, c in found.items() if c["own"]] == [tam]
        table = re.findall(r'<a href="/tips\?commune=([^"]+)">[^<]+</a></th>', page)
        assert table == [tam]  # the unit's own rows, not a page of zeros


async def test_the_map_needs_a_session(tmp_path: Path) -> None:
    async with web_harness(tmp_path) as web, web.client() as browser:
        status, page = await get(web, browser, "/map")
        assert status == 401 and "commune" not in page
