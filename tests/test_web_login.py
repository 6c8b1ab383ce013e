"""Passwordless login to the web page: /web in a private chat gives a one-time link that
opens a session; forged, reused, expired links and revoked officers open nothing."""

from __future__ import annotations

from pathlib import Path

import aiohttp

from bot.web_login import LINK_LIFETIME
from storage import officers
from tests.harness import open_harness
from tests.police import setup_unit
from tests.web import free_port, login_link, open_link, web_harness

REFUSED = "Không đăng nhập được"


async def test_a_web_link_from_the_bot_opens_a_session_once(tmp_path: Path) -> None:
    async with web_harness(tmp_path) as web:
        lead, _ = await setup_unit(web.h)
        link = await login_link(lead)
        assert "dùng một lần" in lead.last()
        async with web.client() as browser:
            page = await open_link(browser, link)
            assert page.status == 200
            assert str(page.url) == web.base + "/"  # redirected to the overview
            assert "Tổng quan" in await page.text()
            cookie = page.history[0].headers["Set-Cookie"]
            assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
            assert "Secure" not in cookie  # plain http on loopback
            assert "Max-Age=43200" in cookie
        async with web.client() as other:
            async with other.get(link) as again:
                assert again.status == 403
                text = await again.text()
                assert REFUSED in text and "đã được dùng" in text
            async with other.get(web.base + "/") as overview:
                assert overview.status == 401


async def test_looking_at_a_link_does_not_use_it_up(tmp_path: Path) -> None:
    """Telegram's link preview, a mail scanner or a second look GET the link: each sees
    whose link it is and a button, and the link still opens the session once."""
    async with web_harness(tmp_path) as web:
        lead, _ = await setup_unit(web.h)
        link = await login_link(lead)
        sent = web.h.api.calls_of("sendMessage")[-1].params
        assert sent["link_preview_options"] == {"is_disabled": True}
        async with web.client() as scanner:
            for _ in range(3):
                async with scanner.get(link) as page:
                    assert page.status == 200
                    text = await page.text()
                    assert "Đăng nhập với tư cách Hùng (trưởng công an, Phường Tam Chúc)" in text
                    assert 'method="post" action="/login"' in text
                    assert "Set-Cookie" not in page.headers
            async with scanner.get(web.base + "/") as page:
                assert page.status == 401
        async with web.client() as browser:
            page = await open_link(browser, link)
            assert str(page.url) == web.base + "/" and "Tổng quan" in await page.text()
            again = await open_link(browser, link)
            assert again.status == 403 and "đã được dùng" in await again.text()


async def test_a_login_post_from_another_site_opens_nothing(tmp_path: Path) -> None:
    """The button's POST must come from our own page: another site cannot log a browser
    in as the holder of a link it got (and the link stays good for its officer)."""
    async with web_harness(tmp_path) as web:
        lead, _ = await setup_unit(web.h)
        link = await login_link(lead)
        forged = (
            {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
            {"Sec-Fetch-Site": "same-site"},
            {"Origin": "https://evil.example"},
            {"Origin": "null"},
        )
        async with web.client() as browser:
            for headers in forged:
                page = await open_link(browser, link, headers=headers)
                assert page.status == 403, headers
                assert "không đến từ trang này" in await page.text()
            async with browser.get(web.base + "/") as page:
                assert page.status == 401
            ours = {"Sec-Fetch-Site": "same-origin", "Origin": "null"}
            page = await open_link(browser, link, headers=ours)
            assert page.status == 200 and str(page.url) == web.base + "/"
        async with web.client() as browser:
            fresh = await login_link(lead)
            page = await open_link(browser, fresh, headers={"Origin": web.base})
            assert page.status == 200 and str(page.url) == web.base + "/"


async def test_tampered_forged_and_expired_links_are_refused(tmp_path: Path) -> None:
    async with web_harness(tmp_path) as web:
        lead, _ = await setup_unit(web.h)
        link = await login_link(lead)
        base, _, token = link.partition("?t=")
        parts = token.split(".")
        other_officer = ".".join([parts[0], str(int(parts[1]) + 1), *parts[2:]])
        longer = ".".join([*parts[:2], str(int(parts[2]) + 3600), *parts[3:]])
        async with web.client() as browser:
            for bad in (other_officer, longer, "v1.1.2.3.4", "nonsense", ""):
                async with browser.get(f"{base}?t={bad}") as page:
                    assert page.status == 403
                    assert "không hợp lệ" in await page.text()
            web.h.clock.advance(seconds=LINK_LIFETIME.total_seconds() + 1)
            async with browser.get(link) as page:
                assert page.status == 403
                assert "đã hết hạn" in await page.text()


async def test_revoking_an_officer_ends_their_session(tmp_path: Path) -> None:
    async with web_harness(tmp_path) as web:
        lead, _ = await setup_unit(web.h)
        link = await login_link(lead)
        unused = await login_link(lead)
        async with web.client() as browser:
            page = await open_link(browser, link)
            assert page.status == 200
            async with web.h.tinbao.db.read() as tx:
                officer = await officers.find_active(tx, lead.user.id)
            assert officer is not None
            assert await web.h.tinbao.staff.revoke(officer.id)
            async with browser.get(web.base + "/") as page:
                assert page.status == 401
        # nor does a link made before the revocation
        async with web.client() as browser, browser.get(unused) as page:
            assert page.status == 403
            assert "không còn hiệu lực" in await page.text()
        await lead.says("/web")
        assert "Chỉ cán bộ" in lead.last()


async def test_logout_ends_the_session(tmp_path: Path) -> None:
    async with web_harness(tmp_path) as web:
        lead, _ = await setup_unit(web.h)
        link = await login_link(lead)
        async with web.client() as browser:
            page = await open_link(browser, link)
            assert page.status == 200
            async with browser.post(web.base + "/logout") as page:
                assert "đã đăng xuất" in await page.text()
            async with browser.get(web.base + "/") as page:
                assert page.status == 401


async def test_only_officers_in_private_chats_get_links_and_only_a_few_an_hour(
    tmp_path: Path,
) -> None:
    async with web_harness(tmp_path, web_links_per_hour=2) as web:
        lead, _ = await setup_unit(web.h)
        citizen = web.h.citizen()
        await citizen.says("/web")
        assert "Chỉ cán bộ" in citizen.last()
        await lead.says("/web", chat=web.h.group("CA Tam Chúc", -100555))
        assert "/login" not in web.h.api.last_text(-100555)
        await login_link(lead)
        await login_link(lead)
        await lead.says("/web")
        assert "quá nhiều" in lead.last()
        web.h.clock.advance(hours=1, seconds=1)
        await login_link(lead)


async def test_every_page_carries_the_security_headers(tmp_path: Path) -> None:
    async with web_harness(tmp_path) as web, web.client() as browser:
        for path in ("/", "/login?t=x", "/static/web.css", "/nowhere", "/static/nothing"):
            async with browser.get(web.base + path) as page:
                headers = page.headers
                assert headers["Content-Security-Policy"].startswith("default-src 'self'")
                assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
                assert headers["X-Frame-Options"] == "DENY"
                assert headers["Referrer-Policy"] == "no-referrer"


async def test_behind_https_the_link_carries_the_public_address_and_the_cookie_is_secure(
    tmp_path: Path,
) -> None:
    async with web_harness(tmp_path, web_base_url="https://tinbao.example.vn/") as web:
        lead, _ = await setup_unit(web.h)
        link = await login_link(lead)
        assert link.startswith("https://tinbao.example.vn/login?t=v1.")
        local = link.replace("https://tinbao.example.vn", web.base)
        async with web.client() as browser:
            page = await open_link(browser, local, allow_redirects=False)
            assert page.status == 303 and page.headers["Location"] == "/"
            cookie = page.headers["Set-Cookie"]
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie


async def test_tinbao_serves_the_page_when_a_port_is_set(tmp_path: Path) -> None:
    port = free_port()
    h = await open_harness(tmp_path, web_port=port)
    await h.tinbao.start(polling=False, sender=False)
    try:
        async with (
            aiohttp.ClientSession() as browser,
            browser.get(f"http://127.0.0.1:{port}/") as r,
        ):
            assert r.status == 401 and r.headers["X-Frame-Options"] == "DENY"
    finally:
        await h.tinbao.stop()  # stops the web server, the Application and the database
    assert h.tinbao.web is not None


async def test_without_a_port_tinbao_serves_no_page(tmp_path: Path) -> None:
    h = await open_harness(tmp_path)
    await h.tinbao.start(polling=False, sender=False)
    await h.tinbao.stop()
    assert h.tinbao.settings.web_port is None and h.tinbao.web is None
