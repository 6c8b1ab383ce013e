"""The overview's figures are kept between views while nothing they count changed, and
computed again the moment something did: a new tip, an event on a tip, a minute gone by,
a new day. A kept figure is never a wrong one for more than a minute."""

from __future__ import annotations

from pathlib import Path

from tests.harness import file_tip
from tests.police import setup_unit
from tests.web import Web, login_link, open_link, web_harness


async def overview(web: Web) -> str:
    link = await login_link(web.h.officer(503, "Sơn"))
    async with web.client() as browser:
        page = await open_link(browser, link)
        assert page.status == 200
        return await page.text()


async def test_figures_are_kept_while_nothing_changed_and_recomputed_when_it_did(
    tmp_path: Path,
) -> None:
    async with web_harness(tmp_path) as web:
        await setup_unit(web.h)
        await file_tip(web.h.citizen())
        cache = web.server.figures
        first = await overview(web)
        computed = cache.computed
        assert computed >= 1

        # a second view, and the background pass: nothing new, nothing computed
        again = await overview(web)
        await cache.warm_once()
        assert cache.computed == computed
        assert _new_today(again) == _new_today(first) == "1"

        # a new tip: computed again, and the page shows it
        await file_tip(web.h.citizen(1002, "Bình"), text="Có người đánh bạc ở chợ Tam Chúc.")
        after_tip = await overview(web)
        assert cache.computed > computed
        assert _new_today(after_tip) == "2"

        # a minute later with no change: computed again (overdue counts move with time)
        computed = cache.computed
        web.h.clock.advance(seconds=61)
        await cache.warm_once()  # the background pass finds them stale and recomputes
        assert cache.computed == computed + 1
        await overview(web)
        assert cache.computed == computed + 1  # the view found them ready


async def test_a_new_day_is_a_new_today(tmp_path: Path) -> None:
    async with web_harness(tmp_path) as web:
        await setup_unit(web.h)
        await file_tip(web.h.citizen())
        assert _new_today(await overview(web)) == "1"
        web.h.clock.advance(days=1)
        assert _new_today(await overview(web)) == "0"


def _new_today(page: str) -> str:
    marker = 'data-figure="new_total" data-period="today"'
    at = page.index(marker)
    start = page.index('<span class="value">', at) + len('<span class="value">')
    return page[start : page.index("</span>", start)].strip()
