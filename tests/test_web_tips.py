"""The web page's tip list and a tip's details: the unit's tips for its officers, every
tip for a supervisor, never the reporter; each view of a tip's details is in its audit
trail; another unit's tip is a 404."""

from __future__ import annotations

import re
from pathlib import Path

from bot import receipt
from storage import tips
from tests.harness import file_tip
from tests.police import setup_unit
from tests.web import logged_in, web_harness


async def test_a_unit_lead_lists_and_opens_the_units_tips(tmp_path: Path) -> None:
    async with web_harness(tmp_path) as web:
        await setup_unit(web.h)
        codes = [await file_tip(web.h.citizen(1001 + i, f"Dân {i}")) for i in range(3)]
        lead = web.h.officer(501, "Hùng")
        async with web.client() as browser:
            await logged_in(web, browser, lead)
            async with browser.get(web.base + "/tips") as page:
                text = await page.text()
            assert "3 tin báo" in text
            shown = re.findall(r'<a href="/tip/([0-9A-Z-]+)">', text)
            assert shown == list(reversed(codes))  # newest first
            assert "Dân" not in text  # never the reporter
            async with browser.get(web.base + "/tips?status=closed") as page:
                assert "0 tin báo" in await page.text()
            async with browser.get(web.base + "/tips?status=new&category=nonsense") as page:
                assert "3 tin báo" in await page.text()
            async with browser.get(f"{web.base}/tip/{codes[0]}") as page:
                assert page.status == 200
                text = await page.text()
            assert f"Tin báo {codes[0]}" in text and "Lịch sử xử lý" in text
            async with browser.get(f"{web.base}/tip/{codes[0]}") as page:
                assert page.status == 200
        async with web.h.tinbao.db.read() as tx:
            tip = await tips.by_code(tx, receipt.canonical(codes[0]))
            assert tip is not None
            views = [e for e in await tips.events(tx, tip.id) if e.action == "web_view"]
        assert len(views) == 2 and all(e.actor_kind == "officer" and e.actor_id for e in views)


async def test_another_units_officer_gets_404_and_a_supervisor_sees_all(tmp_path: Path) -> None:
    async with web_harness(tmp_path) as web:
        await setup_unit(web.h)
        code = await file_tip(web.h.citizen())
        other_code, _, _ = await web.h.tinbao.staff.create_invite("Kim Bảng", "lead")
        other = web.h.officer(601, "Lan")
        await other.says(f"/join {other_code}")
        async with web.client() as browser:
            await logged_in(web, browser, other)
            async with browser.get(f"{web.base}/tip/{code}") as page:
                assert page.status == 404
                assert "Không tìm thấy" in await page.text()
            async with browser.get(f"{web.base}/tip/NOTACODE") as page:
                assert page.status == 404
            async with browser.get(web.base + "/tips") as page:
                assert "0 tin báo" in await page.text()
        async with web.client() as browser:
            await logged_in(web, browser, web.h.officer(503, "Sơn"))
            async with browser.get(web.base + "/tips") as page:
                assert code in await page.text()
            async with browser.get(f"{web.base}/tip/{code}") as page:
                assert page.status == 200


async def test_the_list_pages_in_a_stable_order(tmp_path: Path) -> None:
    async with web_harness(tmp_path) as web:
        await setup_unit(web.h)
        codes = []
        for i in range(27):
            codes.append(await file_tip(web.h.citizen(2000 + i, f"Dân {i}")))
            web.h.clock.advance(minutes=1)
        async with web.client() as browser:
            await logged_in(web, browser, web.h.officer(503, "Sơn"))
            seen = []
            url = web.base + "/tips"
            while url:
                async with browser.get(url) as page:
                    text = await page.text()
                seen += re.findall(r'<a href="/tip/([0-9A-Z-]+)">', text)
                following = re.search(r'<a href="([^"]+)" rel="next">', text)
                url = web.base + following.group(1).replace("&amp;", "&") if following else ""
        assert seen == list(reversed(codes))
