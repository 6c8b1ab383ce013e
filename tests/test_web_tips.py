"""The web page's tip list and a tip's details: the unit's tips for its officers, every
tip for a supervisor, never the reporter; each view of a tip's details is in its audit
trail; another unit's tip is a 404."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from bot import receipt
from storage import tips
from tests.harness import file_tip
from tests.police import setup_unit
from tests.seed import Seed
from tests.web import get, logged_in, unit_id, web_harness


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


NEXT = re.compile(r'<a href="([^"]+)" rel="next">')
PREV = re.compile(r'<a href="([^"]+)" rel="prev">')


def listed_codes(page: str) -> list[str]:
    return re.findall(r'<a href="/tip/([0-9A-Z-]+)">', page)


def href(found: re.Match[str] | None) -> str:
    assert found is not None
    return found.group(1).replace("&amp;", "&")


async def test_past_ten_thousand_tips_the_count_is_capped_and_next_still_pages(
    tmp_path: Path,
) -> None:
    """A unit's list counts at most 10,001 tips ("Hơn 10.000"); the province's count of
    all tips comes from the daily counts and stays exact. "Next" and "previous" carry a
    cursor and land on the same tips as the page numbers do."""
    async with web_harness(tmp_path) as web:
        await setup_unit(web.h)
        tam = await unit_id(web, "Tam Chúc")
        start = web.h.clock() - timedelta(days=60)
        async with web.h.tinbao.db.transaction() as tx:
            s = Seed(tx)
            for i in range(10_030):
                await s.tip(tam, start + timedelta(minutes=5 * i))
        async with web.client() as browser:
            await logged_in(web, browser, web.h.officer(501, "Hùng"))
            _, first = await get(web, browser, "/tips")
            assert "Hơn 10.000 tin báo" in first and "Trang 1<" in first
            assert PREV.search(first) is None
            _, second = await get(web, browser, href(NEXT.search(first)))
            _, by_number = await get(web, browser, "/tips?page=2")
            assert listed_codes(second) == listed_codes(by_number) and "Trang 2<" in second
            _, third = await get(web, browser, href(NEXT.search(second)))
            _, by_number = await get(web, browser, "/tips?page=3")
            assert listed_codes(third) == listed_codes(by_number) and "Trang 3<" in third
            _, back = await get(web, browser, href(PREV.search(third)))
            assert listed_codes(back) == listed_codes(second) and "Trang 2<" in back
            _, top = await get(web, browser, href(PREV.search(back)))
            assert listed_codes(top) == listed_codes(first) and PREV.search(top) is None
            _, deep = await get(web, browser, "/tips?page=99999")
            _, deepest = await get(web, browser, "/tips?page=400")
            assert "Trang 400<" in deep and listed_codes(deep) == listed_codes(deepest)
            status, tampered = await get(web, browser, "/tips?after=99999999&page=abc")
            assert status == 200 and listed_codes(tampered) == listed_codes(first)
        async with web.client() as browser:
            await logged_in(web, browser, web.h.officer(503, "Sơn"))
            _, page = await get(web, browser, "/tips")
            assert "10.030 tin báo" in page and "Trang 1/402" in page
