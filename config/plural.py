"""Formatting catalogue texts, with plural forms chosen by count.

English says "1 tip" and "2 tips"; Vietnamese has no plural form ("1 tin", "2 tin"). A
catalogue text picks a word by a count with a format spec of two forms, ``one|other``,
written next to the count itself: ``"{n} {n:tip|tips}"``. Which form a number takes is
the language's CLDR cardinal rule, through Babel (already used for dates and numbers), not
a hand-written ``n == 1`` — English "1.0 tips" and "0 tips" are plural, and a language
added later brings its own rule. Vietnamese texts simply never use the spec.

A count may be an int or a number already formatted by Babel for the language (digests
pass ``"1,234"``/``"1.234"``): it is parsed back with the same locale. A plain ``|`` never
occurs in a standard format spec, so ``{pct:.0%}`` and friends keep working.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from decimal import Decimal
from functools import cache
from typing import Any

from babel import Locale
from babel.numbers import NumberFormatError, parse_decimal

LOCALES = {"vi": "vi_VN", "en": "en_GB"}  # as bot/fmt.py formats numbers


@cache
def _locale(lang: str) -> Locale:
    return Locale.parse(LOCALES.get(lang, "vi_VN"))


def plural_category(count: object, lang: str) -> str:
    """CLDR category (``one``, ``other``, …) of ``count`` in ``lang``."""
    locale = _locale(lang)
    if isinstance(count, bool) or not isinstance(count, int | Decimal | str):
        raise TypeError(f"not a count: {count!r}")
    if isinstance(count, str):
        try:
            count = parse_decimal(count, locale=locale, strict=True)
        except NumberFormatError as exc:
            raise ValueError(f"not a count: {count!r}") from exc
    return str(locale.plural_form(count))


def plural(count: object, lang: str, one: str, other: str) -> str:
    """``one`` or ``other`` for ``count`` (any category but ``one`` takes ``other``)."""
    return one if plural_category(count, lang) == "one" else other


class _Formatter(string.Formatter):
    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang = lang

    def format_field(self, value: Any, format_spec: str) -> str:
        if "|" not in format_spec:
            return str(super().format_field(value, format_spec))
        forms = format_spec.split("|")
        if len(forms) != 2:
            raise ValueError(f"a plural spec has two forms, one|other: {format_spec!r}")
        return plural(value, self.lang, forms[0], forms[1])


def render(text: str, lang: str, params: Mapping[str, object]) -> str:
    """``text.format(**params)``, with ``{n:one|other}`` choosing a word by the count."""
    return _Formatter(lang).vformat(text, (), params) if params else text
