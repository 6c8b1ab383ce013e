"""Every page of the web module, in both scopes: the navigation bar on each, nothing the
Content-Security-Policy (``default-src 'self'``) would block (no script, no inline style,
no ``style=`` attribute, no event handler attribute, nothing from another origin), and no
personal data in any link."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from tests.harness import file_tip
from tests.police import setup_unit
from tests.seed import Seed
from tests.web import get, links, logged_in, unit_code, unit_id, web_harness

NAV = ["/", "/map", "/tips", "/wanted", "/export"]
BLOCKED = re.compile(r"<script|<style|\sstyle=|\son[a-z]+=|https?://|javascript:", re.I)
PHONE = "+84912345678"


async def test_every_page_has_the_navigation_and_nothing_the_csp_blocks(tmp_path: Path) -> None:
    async with web_harness(tmp_path) as web:
        await setup_unit(web.h)
        code = await file_tip(web.h.citizen(1001, "Lan"), phone=PHONE, photos=1)
        tam = await unit_id(web, "Tam Chúc")
        async with web.h.tinbao.db.transaction() as tx:
            s = Seed(tx)
            notice = await s.notice("01/TC", tam)
            await s.tip(tam, web.h.clock() - timedelta(hours=3), category="wanted", notice=notice)
        commune = await unit_code(web, "Tam Chúc")
        paths = [
            "/",
            "/map",
            "/map?sort=new",
            "/tips",
            f"/tips?commune={commune}&urgent=1&overdue=1&category=drugs&status=open",
            "/tips?from=nonsense",
            f"/tip/{code}",
            "/wanted",
            f"/wanted/{notice}",
            "/export",
            "/tip/0000-0000-0000",  # a 404 page keeps the bar too
            "/nowhere",  # and so does an address we do not serve
        ]
        for user, name in ((503, "Sơn"), (501, "Hùng")):
            async with web.client() as browser:
                await logged_in(web, browser, web.h.officer(user, name))
                for path in paths:
                    status, page = await get(web, browser, path)
                    assert status in (200, 404), (path, status)
                    assert BLOCKED.search(page) is None, (path, BLOCKED.search(page))
                    hrefs = links(page)
                    for target in NAV:
                        assert target in hrefs, (path, target)
                    assert 'action="/logout"' in page, path
                    assert page.count('aria-current="page"') <= 1, path
                    for href in hrefs:
                        assert PHONE not in href and "Lan" not in href, (path, href)
                        assert not href.startswith("/login"), (path, href)
                    assert code in page or path != f"/tip/{code}"
                    if status == 404:  # a way back to where the officer was going
                        assert "← Về trang" in page, path
        async with web.client() as browser:
            status, page = await get(web, browser, "/static/web.css")
            assert status == 200 and "nav.main" in page
