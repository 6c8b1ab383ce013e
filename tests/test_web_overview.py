"""The web page's overview: the digest's figures for today, 7 and 30 days, from the
digest's own code, the province for a supervisor and the unit for its lead."""

from __future__ import annotations

import html
import re
from pathlib import Path

from bot import digest_figures, digest_periods
from bot.exports import category_name
from bot.fmt import number
from handlers.web import overview
from storage import officers
from tests.harness import file_tip
from tests.police import QUEUE, setup_unit
from tests.web import Web, login_link, open_link, web_harness

ROW = re.compile(r'<th scope="row">(.*?)</th>(.*?)</tr>', re.S)
VALUE = re.compile(r'<span class="value">(.*?)</span>', re.S)


def table(page: str) -> dict[str, list[str]]:
    return {
        html.unescape(label): [html.unescape(v) for v in VALUE.findall(cells)]
        for label, cells in ROW.findall(page)
    }


async def overview_of(web: Web, user_id: int, name: str) -> str:
    link = await login_link(web.h.officer(user_id, name))
    async with web.client() as browser:
        page = await open_link(browser, link)
        assert page.status == 200
        return await page.text()


async def test_a_supervisor_sees_the_digests_figures_for_the_province(tmp_path: Path) -> None:
    async with web_harness(tmp_path) as web:
        await setup_unit(web.h)
        await file_tip(web.h.citizen())
        await file_tip(web.h.citizen(1002, "Bình"), text="Có người đánh bạc ở chợ Tam Chúc.")
        web.h.clock.advance(days=2)
        await file_tip(web.h.citizen(1003, "Cúc"))
        page = await overview_of(web, 503, "Sơn")
        assert "Toàn tỉnh" in page and "<script" not in page
        rows = table(page)

        s = web.h.tinbao.services
        now = s.clock()
        today = now.astimezone(s.settings.tz).date()
        day = await digest_figures.compute(
            s.db, s.settings, digest_periods.day_period(today, s.settings.tz), now
        )
        assert day.new_total == 1
        assert rows["Tin báo mới"] == [number(day.new_total, "vi", 0), "3", "3"]
        for code, count in day.new_by_category.items():
            assert rows[f"Mới · {category_name(code, 'vi')}"][0] == str(count)
        assert rows["Đang xử lý (hiện tại)"][0] == str(day.open_total) == "3"
        assert rows["Chuyển đơn vị"][0] == str(day.transfers)
        assert rows["Tin về đối tượng truy nã"][0] == str(day.wanted.sightings)
        assert rows["Quá hạn tiếp nhận (hiện tại)"][0] == str(len(day.overdue_ack))
        # the 7- and 30-day columns are the digest's figures of those spans too
        for column, (key, days) in enumerate((("7d", 7), ("30d", 30)), start=1):
            span = await digest_figures.compute(
                s.db, s.settings, overview.span_period(key, today, days, s.settings), now
            )
            assert rows["Tin báo mới"][column] == str(span.new_total)
            assert rows["Chuyển đơn vị"][column] == str(span.transfers)
            assert rows["Tin về đối tượng truy nã"][column] == str(span.wanted.sightings)


async def test_a_unit_lead_sees_the_digests_figures_for_the_unit_only(tmp_path: Path) -> None:
    async with web_harness(tmp_path) as web:
        await setup_unit(web.h)
        await file_tip(web.h.citizen())
        await file_tip(web.h.citizen(1002, "Bình"), place="kim bang", choose="Kim Bảng")
        page = await overview_of(web, 501, "Hùng")
        rows = table(page)
        assert "Toàn tỉnh" not in page and "Tam Chúc" in page
        s = web.h.tinbao.services
        now = s.clock()
        today = digest_periods.day_period(now.astimezone(s.settings.tz).date(), s.settings.tz)
        lead = web.h.officer(501, "Hùng")
        async with s.db.read() as tx:
            officer = await officers.find_active(tx, lead.user.id)
        assert officer is not None
        unit = await digest_figures.compute(s.db, s.settings, today, now, officer.unit_id)
        province = await digest_figures.compute(s.db, s.settings, today, now)
        assert province.new_total == 2 and unit.new_total == 1
        assert rows["Tin báo mới"][0] == str(unit.new_total)
        assert rows["Đang xử lý (hiện tại)"][0] == str(unit.open_total) == "1"
        assert rows["Quá hạn tiếp nhận (hiện tại)"][0] == str(len(unit.overdue_ack))
        # the province's digest is untouched by the unit's scope, and is the sum of its
        # units' for what is counted per unit
        assert province.open_total == 2
        async with s.db.read() as tx:
            unit_ids = [int(r[0]) for r in await tx.fetchall("SELECT id FROM units")]
        each = [await digest_figures.compute(s.db, s.settings, today, now, u) for u in unit_ids]
        assert sum(d.new_total for d in each) == province.new_total
        assert sum(d.open_total for d in each) == province.open_total
        assert sum(len(d.overdue_ack) for d in each) == len(province.overdue_ack)


async def test_the_overview_compares_30_days_with_the_30_before(tmp_path: Path) -> None:
    async with web_harness(tmp_path) as web:
        await setup_unit(web.h)
        await file_tip(web.h.citizen())
        web.h.clock.advance(days=31)
        await file_tip(web.h.citizen(1002, "Bình"))
        await file_tip(web.h.citizen(1003, "Cúc"))
        page = await overview_of(web, 503, "Sơn")
        change = re.search(
            r'<tr class="change"><th scope="row" class="label">Tin báo mới</th>'
            r"<td>(\d+)</td><td>(\d+)</td><td[^>]*>([^<]+)</td>",
            page,
        )
        assert change is not None and change.groups() == ("2", "1", "+100 %")
        assert page.count('<rect x="') == 30  # the daily chart: one bar a day
        assert "style=" not in page and "<script" not in page


async def test_a_median_acknowledgement_of_no_time_is_0_minutes_not_none(tmp_path: Path) -> None:
    async with web_harness(tmp_path) as web:
        lead, _ = await setup_unit(web.h)
        await file_tip(web.h.citizen())
        await lead.presses("Tiếp nhận", chat=web.h.group("CA Tam Chúc", QUEUE))
        shown = table(await overview_of(web, 503, "Sơn"))
        assert shown["Thời gian tiếp nhận (trung vị)"] == ["0 phút"] * 3
        page = await overview_of(web, 501, "Hùng")
        assert table(page)["Thời gian tiếp nhận (trung vị)"] == ["0 phút"] * 3
