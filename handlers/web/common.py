"""What every page of the web module shares: the viewer and their scope, the renderer
with the catalogue's words, and small formatting helpers.

Kept apart from server.py so that each page module imports this and never the server
(the server imports the pages): the pages stay small and free of import cycles.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from aiohttp import web
from jinja2 import Environment

from bot.services import Services
from config.texts import t
from handlers.web.figure_cache import FigureCache
from storage import digests as digest_store
from storage.db import Tx
from storage.officers import Officer
from storage.units import Unit

LANG = "vi"

# The catalogue's words the templates show as they are (the templates ask ``words``).
PAGE_KEYS = (
    "web_overview",
    "web_map",
    "web_wanted",
    "web_downloads",
    "web_logout",
    "web_menu",
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
    "web_clear_filters",
    "web_previous",
    "web_next",
    "web_description",
    "web_history",
    "web_from",
    "web_to",
    "web_only_urgent",
    "web_only_overdue",
    "web_overdue",
    "web_holder",
    "web_card",
    "web_clocks",
    "web_linked",
    "web_evidence",
    "web_no_evidence",
    "web_col_person",
    "web_col_notice_state",
    "web_col_sightings",
    "web_col_latest",
    "web_dangerous",
    "web_open_short",
    "web_download_csv",
    "web_download_xlsx",
    "web_map_note",
    "web_brand",
    "web_login_button",
    "web_login_once",
)


@dataclass(frozen=True)
class Viewer:
    """The logged-in officer and what they may see: the province (``unit_id`` None, a
    supervisor) or the tips their unit's queue holds."""

    officer: Officer
    unit: Unit | None

    @property
    def supervisor(self) -> bool:
        return self.officer.role == "supervisor"

    @property
    def unit_id(self) -> int | None:
        return None if self.supervisor else self.officer.unit_id

    def may_see(self, current_unit_id: int) -> bool:
        return self.supervisor or current_unit_id == self.officer.unit_id

    @property
    def scope_name(self) -> str:
        if self.supervisor:
            return t("web_scope_province", LANG)
        return self.unit.name if self.unit else "?"


@dataclass
class Pages:
    """The renderer and the services, handed to every page."""

    services: Services
    templates: Environment
    figures: FigureCache[Any]  # the overview's (overview.Figures), kept between views

    def page(
        self,
        name: str,
        viewer: Viewer | None,
        *,
        current: str = "",
        http_status: int = 200,
        **values: object,
    ) -> web.Response:
        words = {key: t(key, LANG) for key in PAGE_KEYS}
        html = self.templates.get_template(name).render(
            words=words,
            lang=LANG,
            officer=viewer.officer if viewer else None,
            current=current,
            **values,
        )
        return web.Response(text=html, status=http_status, content_type="text/html")

    def message(
        self,
        title_key: str,
        text: str,
        status: int,
        viewer: Viewer | None = None,
        back: tuple[str, str] | None = None,
    ) -> web.Response:
        """A plain page of one sentence; ``back`` (path, the page's name) adds a way back."""
        link = None
        if back is not None:
            link = {"href": back[0], "label": t("web_back", LANG, page=back[1])}
        return self.page(
            "message.html",
            viewer,
            http_status=status,
            heading=t(title_key, LANG),
            text=text,
            back=link,
        )

    def not_found(
        self, viewer: Viewer, text_key: str = "web_not_found", title_key: str = "web_tips"
    ) -> web.Response:
        """404 inside a section (a tip, a notice): the way back is to that section's list."""
        back = {"web_tips": "/tips", "web_wanted": "/wanted"}.get(title_key, "/")
        return self.message(
            title_key, t(text_key, LANG), 404, viewer, (back, t(title_key, LANG).lower())
        )


async def province_name(tx: Tx) -> str:
    found = await digest_store.province(tx)
    return found[1] if found else ""


def local_start(day: date, tz: ZoneInfo) -> datetime:
    """The province's midnight opening ``day``."""
    return datetime.combine(day, time(0), tzinfo=tz)


def local_end(day: date, tz: ZoneInfo) -> datetime:
    """The province's midnight closing ``day`` (the next day's start)."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)


def with_query(path: str, query: dict[str, str], **more: str) -> str:
    merged = {k: v for k, v in {**query, **more}.items() if v}
    return path + ("?" + urlencode(merged) if merged else "")


def parse_day(text: str) -> date | None:
    """``YYYY-MM-DD`` (what an ``<input type=date>`` sends) or None for anything else."""
    if len(text) != 10 or not text.isascii():
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None
