"""Dates and numbers for Vietnamese (and English) readers, through Babel."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.numbers import format_decimal

from config.texts.languages import locale_name


def when(moment: datetime, lang: str, tz: ZoneInfo) -> str:
    """``28/11/2026, 07:05`` style, in the province's time zone."""
    return format_datetime(moment, "dd/MM/yyyy HH:mm", tzinfo=tz, locale=locale_name(lang))


def number(value: float, lang: str, digits: int = 1) -> str:
    """``1.234,5`` for Vietnamese readers, ``1,234.5`` for English."""
    pattern = "#,##0" + ("." + "#" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=locale_name(lang))
