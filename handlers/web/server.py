"""The web page for supervisors and unit leads: read-only, server-rendered, no scripts.

Off unless ``TINBAO_WEB_PORT`` is set; bound to 127.0.0.1 unless ``TINBAO_WEB_HOST`` says
otherwise (a reverse proxy terminates HTTPS in front of it). Officers log in with a
one-time link from ``/web`` (bot/web_login.py); every request reads the session and the
officer's ``active`` flag, so revoking an officer shuts the page at once. The figures are
the digest's own (:func:`bot.digest_figures.compute`), never counted a second way here.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode

from aiohttp import web
from jinja2 import Environment, PackageLoader, select_autoescape

from bot import digest_figures, digest_periods, receipt
from bot.deadlines import span
from bot.exports import category_name
from bot.fmt import number, when
from bot.services import Services
from bot.web_login import SESSION_LIFETIME, Refusal, Refused, WebLogin, base_url
from config.categories import CATEGORIES
from config.settings import Settings
from config.texts import outcome_label, status_label, t
from storage import digests as digest_store
from storage import officers, tips, units, web_pages
from storage.db import Tx, parse_utc, utc_text
from storage.digests import OPEN_STATUSES
from storage.officers import Officer

log = logging.getLogger(__name__)

LANG = "vi"
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

# The catalogue's words the templates show as they are (the templates ask ``words``).
PAGE_KEYS = (
    "web_overview",
    "web_logout",
    "web_figure",
    "web_tips",
    "web_col_code",
    "web_col_category",
    "web_col_status",
    "web_col_commune",
    "web_col_received",
    "web_urgent",
    "web_all",
    "web_filter",
    "web_previous",
    "web_next",
    "web_description",
    "web_history",
)
PAGE_SIZE = 25
STATUSES = (*OPEN_STATUSES, "closed")
REFUSALS = {
    Refusal.FORGED: "web_refused_forged",
    Refusal.EXPIRED: "web_refused_expired",
    Refusal.USED: "web_refused_used",
    Refusal.INACTIVE: "web_refused_inactive",
}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        response = await handler(request)
    except web.HTTPException as exc:  # aiohttp's own 404 and 405 carry them too
        exc.headers.update(SECURITY_HEADERS)
        raise
    response.headers.update(SECURITY_HEADERS)
    return response


@dataclass(frozen=True)
class Row:
    label: str
    values: list[str]
    bars: list[int]  # 0-100 per column, for the SVG bar; empty: no bar


class WebServer:
    def __init__(self, services: Services, *, port: int | None = None) -> None:
        self.services = services
        settings = services.settings
        self.host = settings.web_host
        self.port = port if port is not None else (settings.web_port or 0)
        self.login = WebLogin(services.db, settings, services.clock, services.people)
        self.secure = base_url(settings).startswith("https://")
        self.templates = Environment(
            loader=PackageLoader("handlers.web", "templates"),
            autoescape=select_autoescape(["html"]),
        )
        self._runner: web.AppRunner | None = None
        app = web.Application(middlewares=[security_headers])
        app.router.add_get("/", self.overview)
        app.router.add_get("/tips", self.tip_list)
        app.router.add_get("/tip/{code}", self.tip_detail)
        app.router.add_get("/login", self.open_link)
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

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # ------------------------------------------------------------------ pages ----------
    def page(self, name: str, http_status: int = 200, **values: object) -> web.Response:
        words = {key: t(key, LANG) for key in PAGE_KEYS}
        html = self.templates.get_template(name).render(words=words, lang=LANG, **values)
        return web.Response(text=html, status=http_status, content_type="text/html")

    def message(self, title_key: str, text_key: str, status: int) -> web.Response:
        return self.page("message.html", status, title=t(title_key, LANG), text=t(text_key, LANG))

    async def open_link(self, request: web.Request) -> web.StreamResponse:
        try:
            opened = await self.login.open_session(request.query.get("t", ""))
        except Refused as refused:
            return self.message("web_refused_title", REFUSALS[refused.reason], 403)
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

    async def logout(self, request: web.Request) -> web.StreamResponse:
        cookie = request.cookies.get(COOKIE)
        if cookie:
            await self.login.close_session(cookie)
        response = self.message("web_logout", "web_logged_out", 200)
        response.del_cookie(COOKIE, path="/")
        return response

    async def officer(self, request: web.Request) -> Officer | None:
        return await self.login.officer_of(request.cookies.get(COOKIE))

    async def overview(self, request: web.Request) -> web.StreamResponse:
        officer = await self.officer(request)
        if officer is None:
            return self.message("web_refused_title", "web_login_needed", 401)
        s = self.services
        settings, now = s.settings, s.clock()
        today = now.astimezone(settings.tz).date()
        periods = [
            _span_period("today", today, 1, settings),
            _span_period("7d", today, 7, settings),
            _span_period("30d", today, 30, settings),
        ]
        figures = [await digest_figures.compute(s.db, settings, p, now) for p in periods]
        async with s.db.read() as tx:
            unit = await units.get_unit(tx, officer.unit_id)
        unit_name = unit.name if unit else "?"
        if officer.role == "supervisor":
            rows, scope = _province_rows(figures), t("web_scope_province", LANG)
        else:
            rows, scope = _unit_rows(figures, unit.short_name if unit else "?"), unit_name
        return self.page(
            "overview.html",
            title=t("web_title", LANG, province=figures[0].province),
            scope=scope,
            unit_note=t("web_unit_note", LANG, unit=unit_name)
            if officer.role != "supervisor"
            else "",
            officer=officer,
            columns=[t("web_today", LANG), t("web_7_days", LANG), t("web_30_days", LANG)],
            rows=rows,
            generated=t("web_generated", LANG, at=when(now, LANG, settings.tz)),
        )

    async def tip_list(self, request: web.Request) -> web.StreamResponse:
        """A page of tips in a stable order; a unit's own queue for anyone but a
        supervisor. Filters are checked against the known values (anything else: none)."""
        officer = await self.officer(request)
        if officer is None:
            return self.message("web_refused_title", "web_login_needed", 401)
        status = request.query.get("status") or None
        status = status if status in STATUSES else None
        category = request.query.get("category") or None
        category = category if category in {c.code for c in CATEGORIES} else None
        page_text = request.query.get("page", "1")
        page = int(page_text) if page_text.isascii() and page_text.isdecimal() else 1
        page = max(1, page)
        s = self.services
        scope = None if officer.role == "supervisor" else officer.unit_id
        async with s.db.read() as tx:
            listed, total = await web_pages.tip_page(
                tx,
                unit_id=scope,
                status=status,
                category=category,
                limit=PAGE_SIZE,
                offset=(page - 1) * PAGE_SIZE,
            )
            province = await _province(tx)
        pages = max(1, -(-total // PAGE_SIZE))
        query = {k: v for k, v in (("status", status), ("category", category)) if v}
        return self.page(
            "list.html",
            title=t("web_title", LANG, province=province),
            officer=officer,
            rows=[
                {
                    "code": receipt.display(tip.code),
                    "category": category_name(tip.category, LANG),
                    "urgent": tip.urgent,
                    "status": status_label(tip.status, LANG),
                    "commune": tip.commune,
                    "received": when(parse_utc(tip.created_at), LANG, s.settings.tz),
                }
                for tip in listed
            ],
            count=t("web_tips_count", LANG, n=number(total, LANG, 0)),
            statuses=[(code, status_label(code, LANG)) for code in STATUSES],
            categories=[(c.code, category_name(c.code, LANG)) for c in CATEGORIES],
            status=status or "",
            category=category or "",
            page_label=t("web_page_of", LANG, page=page, pages=pages),
            previous=_page_query(query, page - 1) if page > 1 else None,
            following=_page_query(query, page + 1) if page < pages else None,
        )

    async def tip_detail(self, request: web.Request) -> web.StreamResponse:
        """A tip's details and history. Each view is written to the tip's audit trail
        (who looked, when); another unit's tip is as unknown as a missing one (404)."""
        officer = await self.officer(request)
        if officer is None:
            return self.message("web_refused_title", "web_login_needed", 401)
        try:
            code = receipt.canonical(request.match_info["code"])
        except receipt.MalformedCode:
            return self.message("web_tips", "web_not_found", 404)
        s = self.services
        async with s.db.transaction() as tx:
            tip = await tips.by_code(tx, code)
            if tip is None or (
                officer.role != "supervisor" and tip.current_unit_id != officer.unit_id
            ):
                return self.message("web_tips", "web_not_found", 404)
            await tips.add_event(
                tx,
                tip.id,
                at=utc_text(s.clock()),
                actor_kind="officer",
                actor_id=officer.id,
                action="web_view",
            )
            history = []
            for event in await tips.events(tx, tip.id):
                if event.actor_kind == "officer" and event.actor_id:
                    actor_row = await officers.get(tx, event.actor_id)
                    actor = actor_row.display_name if actor_row else "?"
                elif event.actor_kind == "reporter":
                    actor = t("web_reporter", LANG)
                else:
                    actor = t("web_system", LANG)
                history.append(
                    {
                        "at": when(parse_utc(event.at), LANG, s.settings.tz),
                        "action": event.action,
                        "actor": actor,
                        "change": f"{status_label(event.from_status, LANG)} → "
                        f"{status_label(event.to_status, LANG)}"
                        if event.from_status and event.to_status
                        else "",
                    }
                )
            unit = await units.get_unit(tx, tip.unit_id)
            province = await _province(tx)
        return self.page(
            "tip.html",
            title=t("web_title", LANG, province=province),
            officer=officer,
            heading=t("web_tip_title", LANG, code=receipt.display(tip.code)),
            category=category_name(tip.category, LANG),
            urgent=tip.urgent,
            status=status_label(tip.status, LANG),
            commune=unit.name if unit else "?",
            received=when(parse_utc(tip.created_at), LANG, s.settings.tz),
            description=tip.description,
            history=history,
        )


async def _province(tx: Tx) -> str:
    found = await digest_store.province(tx)
    return found[1] if found else ""


def _page_query(query: dict[str, str], page: int) -> str:
    return "/tips?" + urlencode({**query, "page": str(page)})


def _static_dir() -> str:
    return str(Path(__file__).resolve().parent / "static")


def _span_period(key: str, today: date, days: int, settings: Settings) -> digest_periods.Period:
    """The last ``days`` local days up to and including today, as the digest counts a
    period: from the province's midnight, state parts as of now."""
    first = today - timedelta(days=days - 1)
    start = digest_periods.day_period(first, settings.tz).start
    end = digest_periods.day_period(today, settings.tz).end
    return digest_periods.Period(digest_periods.DAILY, f"web-{key}", start, end)


def _n(value: int) -> str:
    return number(value, LANG, 0)


def _bars(values: list[int]) -> list[int]:
    top = max(values) if values else 0
    return [round(100 * v / top) if top else 0 for v in values]


def _count_row(label: str, values: list[int], bars: bool = True) -> Row:
    return Row(label, [_n(v) for v in values], _bars(values) if bars else [])


def _keys(dicts: list[dict[str, int]]) -> list[str]:
    seen: dict[str, None] = {}
    for d in dicts:
        for key in d:
            seen.setdefault(key, None)
    return list(seen)


def _province_rows(figures: list[digest_figures.Digest]) -> list[Row]:
    rows = [_count_row(t("web_new_total", LANG), [d.new_total for d in figures])]
    for code in _keys([d.new_by_category for d in figures]):
        rows.append(
            _count_row(
                t("web_new_in", LANG, category=category_name(code, LANG)),
                [d.new_by_category.get(code, 0) for d in figures],
            )
        )
    rows.append(_count_row(t("web_open_total", LANG), [d.open_total for d in figures], False))
    for state in _keys([d.open_by_status for d in figures]):
        rows.append(
            _count_row(
                t("web_open_in", LANG, state=status_label(state, LANG)),
                [d.open_by_status.get(state, 0) for d in figures],
                False,
            )
        )
    rows.append(
        _count_row(t("web_overdue_ack", LANG), [len(d.overdue_ack) for d in figures], False)
    )
    rows.append(
        Row(
            t("web_ack_median", LANG),
            [span(d.ack_median, LANG) if d.ack_median else t("web_none", LANG) for d in figures],
            [],
        )
    )
    rows.append(_count_row(t("web_transfers", LANG), [d.transfers for d in figures]))
    for outcome in _keys([d.closed_by_outcome for d in figures]):
        rows.append(
            _count_row(
                t("web_closed_in", LANG, outcome=outcome_label(outcome, LANG)),
                [d.closed_by_outcome.get(outcome, 0) for d in figures],
            )
        )
    rows.append(_count_row(t("web_sightings", LANG), [d.wanted.sightings for d in figures]))
    return rows


def _unit_rows(figures: list[digest_figures.Digest], short_name: str) -> list[Row]:
    """The digest names units by their short name in ``new_by_unit`` (tips by the commune
    of the place); the other figures are province-wide in the digest, not shown here."""
    values = [dict(d.new_by_unit).get(short_name, 0) for d in figures]
    return [_count_row(t("web_unit_new", LANG), values)]
