"""The web page for supervisors and unit leads: read-only, server-rendered, no scripts.

Off unless ``TINBAO_WEB_PORT`` is set; bound to 127.0.0.1 unless ``TINBAO_WEB_HOST`` says
otherwise (a reverse proxy terminates HTTPS in front of it). Officers log in with a
one-time link from ``/web`` (bot/web_login.py); every request reads the session and the
officer's ``active`` flag, so revoking an officer shuts the page at once. This module
holds the application, its headers, the login and the session; each page lives in a
module of its own (overview, map_page, tip_list, tip_detail, wanted_page, downloads).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import urlsplit

from aiohttp import web
from jinja2 import Environment, PackageLoader, select_autoescape

from bot.services import Services
from bot.web_login import SESSION_LIFETIME, Refusal, Refused, WebLogin, base_url
from config.texts import t
from handlers.web import downloads, map_page, overview, tip_detail, tip_list, wanted_page
from handlers.web.common import LANG, Pages, Viewer
from handlers.web.figure_cache import FigureCache
from storage import units

log = logging.getLogger(__name__)

COOKIE = "tinbao_session"
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}
REFUSALS = {
    Refusal.FORGED: "web_refused_forged",
    Refusal.EXPIRED: "web_refused_expired",
    Refusal.USED: "web_refused_used",
    Refusal.INACTIVE: "web_refused_inactive",
}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
PageHandler = Callable[[Pages, web.Request, Viewer], Awaitable[web.StreamResponse]]


@web.middleware
async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        response = await handler(request)
    except web.HTTPException as exc:  # aiohttp's own 404 and 405 carry them too
        exc.headers.update(SECURITY_HEADERS)
        raise
    response.headers.update(SECURITY_HEADERS)
    return response


class WebServer:
    def __init__(self, services: Services, *, port: int | None = None) -> None:
        self.services = services
        settings = services.settings
        self.host = settings.web_host
        self.port = port if port is not None else (settings.web_port or 0)
        self.login = WebLogin(services.db, settings, services.clock, services.people)
        self.secure = base_url(settings).startswith("https://")
        tz = settings.tz
        self.figures: FigureCache[overview.Figures] = FigureCache(
            services.db,
            services.clock,
            lambda scope, now: overview.compute(self.pages, scope, now),
            today=lambda now: now.astimezone(tz).date(),
        )
        self.pages = Pages(
            services,
            Environment(
                loader=PackageLoader("handlers.web", "templates"),
                autoescape=select_autoescape(["html"]),
            ),
            self.figures,
        )
        self._warm: asyncio.Task[None] | None = None
        self._runner: web.AppRunner | None = None
        app = web.Application(middlewares=[security_headers, self._missing_page])
        routes: dict[str, PageHandler] = {
            "/": overview.show,
            "/map": map_page.show,
            "/tips": tip_list.show,
            "/tip/{code}": tip_detail.show,
            "/wanted": wanted_page.show_list,
            "/wanted/{id}": wanted_page.show_notice,
            "/export": downloads.show,
            "/export.csv": downloads.csv_file,
            "/export.xlsx": downloads.xlsx_file,
        }
        for path, page in routes.items():
            app.router.add_get(path, self._guarded(page))
        app.router.add_get("/login", self.show_link)
        app.router.add_post("/login", self.open_link)
        app.router.add_post("/logout", self.logout)
        app.router.add_static("/static", _static_dir())
        self.app = app

    async def start(self) -> None:
        # No access log: a login URL carries its token, and URLs are not for logs.
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        sockets = getattr(site._server, "sockets", None) or []
        if sockets:
            self.port = int(sockets[0].getsockname()[1])
        log.info("web page on http://%s:%d", self.host, self.port)
        self._warm = asyncio.create_task(self.figures.run())

    async def stop(self) -> None:
        if self._warm is not None:
            self._warm.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._warm
            self._warm = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @web.middleware
    async def _missing_page(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """An address we do not serve: our own page, with the menu and a way back, in
        place of aiohttp's bare "404: Not Found"."""
        try:
            return await handler(request)
        except web.HTTPNotFound:
            viewer = await self.viewer(request)
            back = ("/", t("web_overview", LANG).lower())
            text = t("web_page_missing", LANG)
            return self.pages.message("web_page_missing_title", text, 404, viewer, back)

    # ------------------------------------------------------------------ session ---------
    def _guarded(self, page: PageHandler) -> Handler:
        """The page for a live session's officer; a plain "log in first" page otherwise."""

        async def handler(request: web.Request) -> web.StreamResponse:
            viewer = await self.viewer(request)
            if viewer is None:
                return self.pages.message("web_refused_title", t("web_login_needed", LANG), 401)
            return await page(self.pages, request, viewer)

        return handler

    async def viewer(self, request: web.Request) -> Viewer | None:
        officer = await self.login.officer_of(request.cookies.get(COOKIE))
        if officer is None:
            return None
        async with self.services.db.read() as tx:
            unit = await units.get_unit(tx, officer.unit_id)
        return Viewer(officer, unit)

    async def show_link(self, request: web.Request) -> web.StreamResponse:
        """A look at the link, which leaves it unused: Telegram's preview, a mail scanner
        and the officer's own click all GET it. The page's button POSTs it back from our
        own origin, so the session cookie is set in a same-site chain and holds even
        when the click came from another site (a SameSite=Strict cookie set on a
        redirect that another site started is not sent on the redirect's next hop)."""
        token = request.query.get("t", "")
        try:
            officer = await self.login.check_link(token)
        except Refused as refused:
            return self.pages.message("web_refused_title", t(REFUSALS[refused.reason], LANG), 403)
        async with self.services.db.read() as tx:
            unit = await units.get_unit(tx, officer.unit_id)
        as_whom = t(
            "web_login_as",
            LANG,
            name=officer.display_name,
            role=t(f"role_{officer.role}", LANG),
            unit=unit.name if unit else "?",
        )
        return self.pages.page(
            "login.html", None, heading=t("web_login_title", LANG), as_whom=as_whom, token=token
        )

    async def open_link(self, request: web.Request) -> web.StreamResponse:
        """The login page's button: spends the link and opens the session."""
        if not self._from_our_page(request):
            return self.pages.message("web_refused_title", t("web_refused_cross_site", LANG), 403)
        form = await request.post()
        token = form.get("t")
        try:
            opened = await self.login.open_session(token if isinstance(token, str) else "")
        except Refused as refused:
            return self.pages.message("web_refused_title", t(REFUSALS[refused.reason], LANG), 403)
        response = web.Response(status=303, headers={"Location": "/"})
        response.set_cookie(
            COOKIE,
            opened.cookie,
            max_age=int(SESSION_LIFETIME.total_seconds()),
            path="/",
            httponly=True,
            samesite="Strict",
            secure=self.secure,
        )
        log.info("web session opened for officer %d", opened.officer.id)
        return response

    def _from_our_page(self, request: web.Request) -> bool:
        """A login POST must come from our own login page (no other site may log a
        browser in as whoever's link it holds). Browsers say where a request comes from
        in ``Sec-Fetch-Site``; where it is missing, ``Origin`` (which is ``null`` under our
        no-referrer policy, hence only a real origin counts); a client that sends neither
        is not a browser another site can drive."""
        site = request.headers.get("Sec-Fetch-Site")
        if site is not None:
            return site == "same-origin"
        origin = request.headers.get("Origin")
        if origin is None:
            return True
        ours = {_origin(base_url(self.services.settings)), f"{request.scheme}://{request.host}"}
        return origin in ours

    async def logout(self, request: web.Request) -> web.StreamResponse:
        cookie = request.cookies.get(COOKIE)
        if cookie:
            await self.login.close_session(cookie)
        response = self.pages.message("web_logout", t("web_logged_out", LANG), 200)
        response.del_cookie(COOKIE, path="/")
        return response


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _static_dir() -> str:
    return str(Path(__file__).resolve().parent / "static")
