"""A tip's details on the web page: the card's facts as Telegram shows them (the phone
only for a contactable tip, never the reporter), its clocks in words, its history with
human labels, the tips linked to it, its wanted notice, its evidence; every view in the
audit trail; another unit's tip a 404; no personal data in any URL."""

from __future__ import annotations

import re
from pathlib import Path

from bot import receipt
from handlers.web.tip_detail import action_label
from storage import tips
from tests.harness import file_tip
from tests.police import QUEUE, setup_unit
from tests.seed import Seed
from tests.web import Web, get, links, logged_in, unit_id, web_harness

PHONE = "+84912345678"


async def views(web: Web, code: str) -> list[tips.TipEvent]:
    async with web.h.tinbao.db.read() as tx:
        tip = await tips.by_code(tx, receipt.canonical(code))
        assert tip is not None
        return [e for e in await tips.events(tx, tip.id) if e.action == "web_view"]


async def test_the_card_clocks_history_and_evidence(tmp_path: Path) -> None:
    async with web_harness(tmp_path) as web:
        _, officer = await setup_unit(web.h)
        code = await file_tip(web.h.citizen(1001, "Lan"), phone=PHONE, photos=2)
        await officer.presses("Tiếp nhận", chat=web.h.group("CA Tam Chúc", QUEUE))
        await web.h.flush()
        quiet = await file_tip(web.h.citizen(1002, "Bình"))
        async with web.client() as browser:
            await logged_in(web, browser, web.h.officer(501, "Hùng"))
            status, page = await get(web, browser, f"/tip/{code}")
            assert status == 200
            assert PHONE in page  # contactable: the lead sees the phone, as on the card
            assert "Lan" not in page  # never the reporter's name
            for words in ("Thời hạn", "Hạn tiếp nhận", "Hạn chuyển tin (24 giờ)", "Hạn xác minh"):
                assert words in page
            assert "Người dân gửi tin" in page and "Xem trên trang web" in page
            assert 'data-action="submitted"' in page
            assert page.count("<li>Ảnh ·") == 2 and "không hiển thị ảnh thu nhỏ" in page
            # the second tip: not contactable, waiting, no evidence
            status, other = await get(web, browser, f"/tip/{quiet}")
            assert status == 200 and "SĐT" not in other and PHONE not in other
            assert re.search(r'<span class="state">còn \d+ giờ', other)
            assert "Không có tệp đính kèm." in other
            for href in links(page) + links(other):
                assert PHONE not in href and "Lan" not in href and "Bình" not in href
            web.h.clock.advance(hours=5)
            _, late = await get(web, browser, f"/tip/{quiet}")
            assert re.search(r'<span class="state">quá hạn 1 giờ', late)
        async with web.client() as browser:  # a supervisor sees the phone too
            await logged_in(web, browser, web.h.officer(503, "Sơn"))
            _, page = await get(web, browser, f"/tip/{code}")
            assert PHONE in page
            assert 'data-action="acknowledged">Tiếp nhận</span> · Mai' in page
        viewed = await views(web, code)
        assert len(viewed) == 2 and all(e.actor_kind == "officer" for e in viewed)


async def test_another_units_tip_is_unknown_and_not_audited(tmp_path: Path) -> None:
    async with web_harness(tmp_path) as web:
        await setup_unit(web.h)
        code = await file_tip(web.h.citizen())
        invite, _, _ = await web.h.tinbao.staff.create_invite("Kim Bảng", "lead")
        other = web.h.officer(601, "Lan")
        await other.says(f"/join {invite}")
        async with web.client() as browser:
            await logged_in(web, browser, other)
            status, page = await get(web, browser, f"/tip/{code}")
            assert status == 404 and "Không tìm thấy" in page
            status, _ = await get(web, browser, "/tip/0000-0000-0000")
            assert status == 404
        assert await views(web, code) == []


async def test_linked_sightings_and_the_wanted_notice(tmp_path: Path) -> None:
    async with web_harness(tmp_path) as web:
        await setup_unit(web.h)
        tam, kim = await unit_id(web, "Tam Chúc"), await unit_id(web, "Kim Bảng")
        now = web.h.clock()
        async with web.h.tinbao.db.transaction() as tx:
            seed = Seed(tx)
            notice = await seed.notice("01/QĐTN", tam)
            _, first = await seed.tip(tam, now, category="wanted", notice=notice)
            _, second = await seed.tip(tam, now, category="wanted", notice=notice)
            _, far = await seed.tip(kim, now, category="wanted", notice=notice)
        first, second, far = (receipt.display(c) for c in (first, second, far))
        async with web.client() as browser:
            await logged_in(web, browser, web.h.officer(501, "Hùng"))
            _, page = await get(web, browser, f"/tip/{first}")
            assert f'<a href="/wanted/{notice}">Nguyễn Văn 01/QĐTN' in page
            assert f'<a href="/tip/{second}">' in page
            assert f'<a href="/tip/{far}">' not in page and "và 1 tin của đơn vị khác" in page
        async with web.client() as browser:
            await logged_in(web, browser, web.h.officer(503, "Sơn"))
            _, page = await get(web, browser, f"/tip/{first}")
            assert f'<a href="/tip/{second}">' in page and f'<a href="/tip/{far}">' in page


ROOT = Path(__file__).resolve().parent.parent
WRITTEN = re.compile(r'action="([a-z_]+)"|_event\(tx, tip, "([a-z_]+)"|"(taken)"')


def test_every_action_the_code_records_has_a_human_label() -> None:
    """The history never shows a raw code: every action bot/ (and the web page) writes to
    a tip's audit trail has its words in the catalogue."""
    found: set[str] = set()
    for source in [*(ROOT / "bot").glob("*.py"), ROOT / "handlers" / "web" / "tip_detail.py"]:
        for match in WRITTEN.finditer(source.read_text()):
            found.add(next(group for group in match.groups() if group))
    assert {"submitted", "acknowledged", "taken", "reminded", "web_view"} <= found
    for action in sorted(found):
        label = action_label(action)
        assert label != action and "_" not in label, action
