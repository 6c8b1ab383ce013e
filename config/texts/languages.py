"""The languages tinbao speaks: the one place that lists them.

Vietnamese is the province's language and the fallback of every text; English serves
foreigners and officers who ask for it. A language added here needs its texts in every
area module (tests/test_catalogue.py refuses a key without it) and a Babel locale, which
brings its number format and its plural rule.
"""

from __future__ import annotations

from typing import Literal

Language = Literal["vi", "en"]
LANGUAGES: tuple[Language, ...] = ("vi", "en")
DEFAULT_LANGUAGE: Language = "vi"

# Babel locales: numbers and dates as bot/fmt.py writes them, and plural rules
LOCALES: dict[str, str] = {"vi": "vi_VN", "en": "en_GB"}


def locale_name(lang: str) -> str:
    """The Babel locale of ``lang``; an unknown code reads as the default language."""
    return LOCALES.get(lang, LOCALES[DEFAULT_LANGUAGE])
