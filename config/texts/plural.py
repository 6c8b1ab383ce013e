"""Formatting catalogue texts, with plural forms chosen by count.

English says "1 tip" and "2 tips"; Vietnamese nouns do not change ("1 tin", "2 tin"). A text
picks a word by a count with a format spec written next to the count itself, in either of
two shapes:

* ``"{n} {n:tip|tips}"`` — two forms, the CLDR category ``one`` and everything else;
* ``"{n} {n:one=tip|other=tips}"`` — forms named by CLDR category (``zero``, ``one``,
  ``two``, ``few``, ``many``, ``other``), for a language with more than two; ``other`` is
  required and serves any category not given.

Which category a number falls in is the language's CLDR cardinal rule through Babel
(``Locale.plural_form``), not a hand-written ``n == 1``: English "1.0 tips" and "0 tips" are
plural, and a language added later brings its own rule. Vietnamese texts never use the
spec (CLDR 46, in Babel 2.17+, gives Vietnamese a ``one`` for 0 and 1, but it only changes
pronouns, never the noun after a count).

A count may be an int, a Decimal or a number already formatted by Babel for the language
(digests pass ``"1,234"``/``"1.234"``): a string is parsed back with the same locale. A plain
``|`` never occurs in a standard format spec, so ``{pct:.0%}`` and friends keep working.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from decimal import Decimal
from functools import cache
from typing import Any

from babel import Locale
from babel.numbers import NumberFormatError, parse_decimal

from config.texts.languages import locale_name

CATEGORIES = ("zero", "one", "two", "few", "many", "other")  # CLDR's, in its order


@cache
def _locale(lang: str) -> Locale:
    return Locale.parse(locale_name(lang))


def categories(lang: str) -> frozenset[str]:
    """The CLDR categories ``lang`` distinguishes (``other`` always among them)."""
    return frozenset(_locale(lang).plural_form.tags | {"other"})


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


def is_plural_spec(format_spec: str) -> bool:
    """Forms apart (``|``) or a single named one (``other=…``): never a standard spec."""
    category, named, _ = format_spec.partition("=")
    return "|" in format_spec or (bool(named) and category in CATEGORIES)


def parse_forms(format_spec: str) -> dict[str, str]:
    """``"tip|tips"`` or ``"one=tip|other=tips"`` as ``{category: form}``."""
    parts = format_spec.split("|")
    if all("=" not in part for part in parts):
        if len(parts) != 2:
            raise ValueError(
                f"a plural spec without names has two forms, one|other: {format_spec!r}"
            )
        return {"one": parts[0], "other": parts[1]}
    forms: dict[str, str] = {}
    for part in parts:
        category, sep, form = part.partition("=")
        if not sep or category not in CATEGORIES or category in forms:
            raise ValueError(f"not a plural form (zero|one|two|few|many|other=…): {part!r}")
        forms[category] = form
    if "other" not in forms:
        raise ValueError(f"a plural spec needs an other= form: {format_spec!r}")
    return forms


def plural(count: object, lang: str, forms: Mapping[str, str]) -> str:
    """The form of ``forms`` for ``count``'s category, else the ``other`` form."""
    return forms.get(plural_category(count, lang), forms["other"])


class _Formatter(string.Formatter):
    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang = lang

    def format_field(self, value: Any, format_spec: str) -> str:
        if not is_plural_spec(format_spec):
            return str(super().format_field(value, format_spec))
        return plural(value, self.lang, parse_forms(format_spec))


def render(text: str, lang: str, params: Mapping[str, object]) -> str:
    """``text.format(**params)``, with ``{n:one|other}`` choosing a word by the count."""
    return _Formatter(lang).vformat(text, (), params) if params else text
