"""The catalogue: every word a user sees, Vietnamese first, English second, behind one ``t``.

Texts are data, not f-strings scattered through the code, so a translator reviews them in
one place and another channel (a Zalo front end, the web) reuses them as they are. They
are kept in one module per reader, merged here into one table with one lookup:

* config/texts/shared.py — yes/no, tip categories, the languages' own names;
* config/texts/citizen.py — the citizen's dialogue, receipt, status and notifications;
* config/texts/police.py — tip cards, officers' and supervisors' commands, alerts;
* config/texts/digest.py — digests, reminders, reports, exports, charts;
* config/texts/wanted.py — wanted-person notices, browsing and search;
* config/texts/web.py — the web page and its /web login links.

A key lives in one module only (two defining it stop the import); keys carry their area's
prefix where a word would otherwise be ambiguous (``q_`` queues, ``s_`` supervisors,
``d_`` digests, ``r_`` reports, ``x_`` exports, ``w_`` wanted notices). Placeholders are
``str.format`` names; ``{n:tip|tips}`` picks a word by a count (config/texts/plural.py).
tests/test_catalogue.py checks that every key has every language with the same
placeholders, that every key is used and that every key the code asks for exists.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from config.texts import citizen, digest, police, shared, wanted, web
from config.texts.languages import DEFAULT_LANGUAGE, LANGUAGES, LOCALES, Language
from config.texts.plural import render

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "LOCALES",
    "TEXTS",
    "Language",
    "outcome_label",
    "status_label",
    "t",
]


def _merge(*areas: Mapping[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {}
    for area in areas:
        twice = merged.keys() & area.keys()
        if twice:
            raise ValueError(f"text keys defined in two modules: {sorted(twice)}")
        merged.update(area)
    return merged


TEXTS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    _merge(shared.TEXTS, citizen.TEXTS, police.TEXTS, digest.TEXTS, wanted.TEXTS, web.TEXTS)
)


def t(key: str, lang: str, **params: object) -> str:
    """The text for ``key`` in ``lang`` (the default language's if ``lang`` is unknown),
    formatted with ``params``; ``{n:one|other}`` picks a word by a count."""
    entry = TEXTS[key]
    text = entry.get(lang) or entry[DEFAULT_LANGUAGE]
    return render(text, lang, params)


def status_label(status: str, lang: str) -> str:
    """A tip's status as digests and exports name it (``st_<status>``), else the code."""
    key = f"st_{status}"
    return t(key, lang) if key in TEXTS else status


def outcome_label(outcome: str | None, lang: str) -> str:
    """A closed tip's outcome as digests and exports name it (``oc_<outcome>``)."""
    key = f"oc_{outcome}"
    return t(key, lang) if key in TEXTS else (outcome or "")
