"""The tip list's filters: commune, category, state, urgency, date range and overdue
combine; paging is stable; a bad value gets a plain message, never a 500; the overdue
filter is the digest's rule; the list and its count stay on indexes."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from bot import digest_figures, digest_periods, receipt
from handlers.web.tip_list import overdue_cuts
from storage import web_pages
from tests.police import setup_unit
from tests.seed import Seed
from tests.web import Web, get, logged_in, unit_code, unit_id, web_harness

CODE = re.compile(r'<a href="/tip/([0-9A-Z-]+)">')


async def seed(web: Web) -> dict[str, str]:
    """Tips of Tam Chúc and Kim Bảng over ten days; returns {name: code as shown}."""
    tam, kim = await unit_id(web, "Tam Chúc"), await unit_id(web, "Kim Bảng")
    now = web.h.clock()
    codes = {}
    async with web.h.tinbao.db.transaction() as tx:
        s = Seed(tx)
        plan = {
            "fresh": (tam, now - timedelta(minutes=10), {}),
            "late": (tam, now - timedelta(hours=5), {}),
            "urgent_late": (tam, now - timedelta(minutes=40), {"urgent": True}),
            "drugs": (
                tam,
                now - timedelta(days=3),
                {
                    "category": "drugs",
                    "status": "closed",
                    "outcome": "resolved",
                    "closed": now - timedelta(days=2),
                },
            ),
            "drugs_kim": (kim, now - timedelta(days=4), {"category": "drugs", "urgent": True}),
            "old": (
                kim,
                now - timedelta(days=9),
                {"status": "in_progress", "acknowledged": now - timedelta(days=9)},
            ),
        }
        for name, (unit, at, options) in plan.items():
            _, code = await s.tip(unit, at, **options)  # type: ignore[arg-type]
            codes[name] = receipt.display(code)
    return codes


def shown(page: str) -> list[str]:
    return CODE.findall(page)


async def test_filters_combine_and_each_narrows_the_list(tmp_path: Path) -> None:
    async with web_harness(tmp_path) as web:
        await setup_unit(web.h)
        codes = await seed(web)
        tam = await unit_code(web, "Tam Chúc")
        local_today = web.h.clock().astimezone(web.h.tinbao.settings.tz).date()
        async with web.client() as browser:
            await logged_in(web, browser, web.h.officer(503, "Sơn"))

            async def listed(query: str) -> list[str]:
                status, page = await get(web, browser, "/tips?" + query)
                assert status == 200
                return shown(page)

            assert len(await listed("")) == 6
            assert set(await listed(f"commune={tam}")) == {
                codes[n] for n in ("fresh", "late", "urgent_late", "drugs")
            }
            assert await listed("category=drugs") == [codes["drugs"], codes["drugs_kim"]]
            assert await listed(f"category=drugs&commune={tam}") == [codes["drugs"]]
            assert await listed("urgent=1") == [codes["urgent_late"], codes["drugs_kim"]]
            assert await listed("urgent=1&category=drugs") == [codes["drugs_kim"]]
            assert await listed("status=closed") == [codes["drugs"]]
            assert set(await listed("status=open")) == set(codes.values()) - {codes["drugs"]}
            assert await listed("status=in_progress") == [codes["old"]]
            five = (local_today - timedelta(days=5)).isoformat()
            two = (local_today - timedelta(days=2)).isoformat()
            assert await listed(f"from={five}&to={two}") == [codes["drugs"], codes["drugs_kim"]]
            assert await listed(f"from={five}&to={two}&urgent=1") == [codes["drugs_kim"]]
            overdue = await listed("overdue=1")
            assert overdue == [codes["urgent_late"], codes["late"], codes["drugs_kim"]]
            assert await listed(f"overdue=1&commune={tam}&urgent=1") == [codes["urgent_late"]]
            # the summary line says what is filtered, and how to clear it
            _, page = await get(web, browser, f"/tips?category=drugs&commune={tam}&urgent=1")
            assert "Đang lọc: Phường Tam Chúc, Ma túy, Khẩn" in page
            assert '<a href="/tips" class="clear">Bỏ lọc</a>' in page
            _, page = await get(web, browser, "/tips")
            assert "Đang lọc" not in page and 'class="clear"' not in page


async def test_overdue_is_the_digests_rule(tmp_path: Path) -> None:
    async with web_harness(tmp_path) as web:
        await setup_unit(web.h)
        await seed(web)
        s = web.h.tinbao.services
        now = s.clock()
        today = digest_periods.day_period(now.astimezone(s.settings.tz).date(), s.settings.tz)
        digest = await digest_figures.compute(s.db, s.settings, today, now)
        async with web.client() as browser:
            await logged_in(web, browser, web.h.officer(503, "Sơn"))
            _, page = await get(web, browser, "/tips?overdue=1")
        expected = {receipt.display(w.tip.code) for w in digest.overdue_ack}
        assert set(shown(page)) == expected and len(expected) == 3


async def test_bad_values_get_a_message_not_an_error(tmp_path: Path) -> None:
    async with web_harness(tmp_path) as web:
        await setup_unit(web.h)
        await seed(web)
        async with web.client() as browser:
            await logged_in(web, browser, web.h.officer(503, "Sơn"))
            for query, words in (
                ("status=lost", "Trạng thái không hợp lệ"),
                ("category=%3Cscript%3E", "Loại tin không hợp lệ"),
                ("from=2026-13-45", "không hợp lệ"),
                ("to=yesterday", "không hợp lệ"),
                ("commune=99999999", "Không có xã/phường với mã này"),
                ("from=2026-11-20&to=2026-11-01", "Ngày kết thúc trước ngày bắt đầu"),
                ("page=-3", ""),
                ("page=99999999999999999999", ""),
                ("page=%EF%BC%92", ""),
            ):
                status, page = await get(web, browser, "/tips?" + query)
                assert status == 200, query
                assert words in page, query
                assert "<script>" not in page
            _, page = await get(web, browser, "/tips?commune=99999999")
            assert "0 tin báo" in page and not shown(page)


async def test_a_unit_lead_filters_within_the_unit(tmp_path: Path) -> None:
    async with web_harness(tmp_path) as web:
        await setup_unit(web.h)
        codes = await seed(web)
        kim = await unit_code(web, "Kim Bảng")
        async with web.client() as browser:
            await logged_in(web, browser, web.h.officer(501, "Hùng"))
            _, page = await get(web, browser, "/tips")
            assert set(shown(page)) == {codes[n] for n in ("fresh", "late", "urgent_late", "drugs")}
            _, page = await get(web, browser, "/tips?category=drugs")
            assert shown(page) == [codes["drugs"]]
            _, page = await get(web, browser, f"/tips?commune={kim}")
            assert shown(page) == [] and "0 tin báo" in page


async def test_the_list_and_its_counts_ride_indexes(tmp_path: Path) -> None:
    """No filter the page offers reads the whole tips table: each plan line that reads
    tips goes through an index (W2's benchmark measures the time at 1,000,000 tips)."""
    async with web_harness(tmp_path) as web:
        await setup_unit(web.h)
        s = web.h.tinbao.services
        tam = await unit_id(web, "Tam Chúc")
        cuts = overdue_cuts(s.settings, s.clock())
        F = web_pages.TipFilter
        filters = [
            F(),
            F(unit_id=tam),
            F(place_unit_id=tam),
            F(place_unit_id=tam, category="drugs", urgent=True),
            F(category="drugs", start="2026-11-01 00:00:00.000000"),
            F(unit_id=tam, status="new"),
            F(status="open"),
            F(status="needs_info"),
            F(start="2026-11-01 00:00:00.000000", end="2026-11-08 00:00:00.000000"),
            F(urgent=True),
            F(overdue_before=cuts),
            F(unit_id=tam, overdue_before=cuts),
        ]
        async with s.db.read() as tx:
            for f in filters:
                at = ("2026-11-01 00:00:00.000000", 7)
                pages = [
                    web_pages.page_sql(f),  # by page number
                    web_pages.page_sql(f, at),  # "next": older than a tip
                    web_pages.page_sql(f, at, newer=True),  # "previous"
                ]
                statements = [(sql, [*params, 26, 0]) for sql, params in pages]
                if not web_pages.counted_by_day(f):  # else the daily counts are summed
                    statements.append(web_pages.count_sql(f))
                for sql, params in statements:
                    for line in await web_pages.plan(tx, sql, params):
                        if re.match(r"SCAN (t|tips)\b", line):
                            assert "INDEX" in line, (f, line)


async def test_a_category_is_counted_from_the_daily_counts_as_from_the_tips(
    tmp_path: Path,
) -> None:
    async with web_harness(tmp_path) as web:
        await setup_unit(web.h)
        await seed(web)
        tam = await unit_id(web, "Tam Chúc")
        s = web.h.tinbao.services
        F = web_pages.TipFilter
        async with s.db.read() as tx:
            start = await web_pages.oldest(tx)
            assert start is not None
            end = "2999-01-01 00:00:00.000000"
            for f in (
                F(),
                F(place_unit_id=tam),
                F(start="2026-11-01 00:00:00.000000", end="2026-11-08 00:00:00.000000"),
                F(category="drugs"),
                F(category="drugs", place_unit_id=tam),
                F(category="crime"),
                F(category="gambling"),
            ):
                assert web_pages.counted_by_day(f)
                sql, params = web_pages.count_sql(f)
                assert await web_pages.count_received(tx, f, start, end) == await tx.scalar(
                    sql, params
                ), f
        async with web.client() as browser:
            await logged_in(web, browser, web.h.officer(503, "Sơn"))
            _, page = await get(web, browser, "/tips?category=drugs")
            assert "2 tin báo" in page
