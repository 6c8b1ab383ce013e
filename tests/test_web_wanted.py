"""The wanted notices on the web page: every notice and sighting for a supervisor; for a
unit's officers the notices their unit issued or holds sightings of, with only those
sightings; another unit's notice is a 404."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from bot import receipt
from tests.police import setup_unit
from tests.seed import Seed
from tests.web import Web, get, logged_in, unit_id, web_harness

ROW = re.compile(r'<a href="/wanted/(\d+)">([^<]+)</a>')
SEEN = re.compile(r'<a href="/wanted/(\d+)">.*?<span class="sightings">(\d+)</span>', re.S)


async def seed(web: Web) -> dict[str, int | str]:
    tam, kim = await unit_id(web, "Tam Chúc"), await unit_id(web, "Kim Bảng")
    now = web.h.clock()
    async with web.h.tinbao.db.read() as tx:
        province = int(await tx.scalar("SELECT id FROM units WHERE kind = 'province'") or 0)
    async with web.h.tinbao.db.transaction() as tx:
        s = Seed(tx)
        ours = await s.notice("01/TC", tam, dangerous=True)
        theirs = await s.notice("02/KB", kim)
        wide = await s.notice("03/NB", province, reason="arrested", withdrawn=now)
        _, a = await s.tip(tam, now - timedelta(days=2), category="wanted", notice=ours)
        _, b = await s.tip(tam, now - timedelta(hours=1), category="wanted", notice=wide)
        _, c = await s.tip(kim, now - timedelta(hours=3), category="wanted", notice=ours)
        _, d = await s.tip(kim, now - timedelta(hours=2), category="wanted", notice=theirs)
    return {"ours": ours, "theirs": theirs, "wide": wide, "a": a, "b": b, "c": c, "d": d}


async def test_a_supervisor_sees_every_notice_and_sighting(tmp_path: Path) -> None:
    async with web_harness(tmp_path) as web:
        await setup_unit(web.h)
        found = await seed(web)
        async with web.client() as browser:
            await logged_in(web, browser, web.h.officer(503, "Sơn"))
            status, page = await get(web, browser, "/wanted")
            assert status == 200 and "3 lệnh truy nã" in page
            counts = {int(i): int(n) for i, n in SEEN.findall(page)}
            assert counts == {int(found["ours"]): 2, int(found["theirs"]): 1, int(found["wide"]): 1}
            order = [int(i) for i, _ in ROW.findall(page)]
            assert order[-1] == found["wide"]  # withdrawn last
            assert "Nguy hiểm" in page and "<td>đã bị bắt</td>" in page
            status, page = await get(web, browser, f"/wanted/{found['ours']}")
            assert status == 200 and "NGUYỄN VĂN 01/TC" in page and "2 tin báo" in page
            shown = re.findall(r'<a href="/tip/([0-9A-Z-]+)">', page)
            assert shown == [receipt.display(str(found["c"])), receipt.display(str(found["a"]))]


async def test_a_unit_sees_its_own_notices_and_sightings_only(tmp_path: Path) -> None:
    async with web_harness(tmp_path) as web:
        await setup_unit(web.h)
        found = await seed(web)
        async with web.client() as browser:
            await logged_in(web, browser, web.h.officer(501, "Hùng"))
            status, page = await get(web, browser, "/wanted")
            assert status == 200
            counts = {int(i): int(n) for i, n in SEEN.findall(page)}
            # issued by Tam Chúc (its own sighting only), and the province's notice it
            # holds a sighting of; not Kim Bảng's
            assert counts == {int(found["ours"]): 1, int(found["wide"]): 1}
            status, page = await get(web, browser, f"/wanted/{found['ours']}")
            assert status == 200
            shown = re.findall(r'<a href="/tip/([0-9A-Z-]+)">', page)
            assert shown == [receipt.display(str(found["a"]))]
            for path in (f"/wanted/{found['theirs']}", "/wanted/999999", "/wanted/abc"):
                status, page = await get(web, browser, path)
                assert status == 404 and "Không tìm thấy lệnh truy nã" in page, path
