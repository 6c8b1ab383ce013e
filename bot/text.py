"""Text folding shared by place search, wanted-notice search and receipt codes; and the
measure of Telegram's length limits, which count UTF-16 units (an emoji counts twice)."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_NOT_WORD = re.compile(r"[^a-z0-9 ]+")


def fold(text: str) -> str:
    """Lower-case, strip Vietnamese diacritics (đ/Đ to d) and punctuation, squeeze spaces.

    ``fold("Phường Tam Chúc")`` is ``"phuong tam chuc"``; citizens type either.
    """
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    lowered = _NOT_WORD.sub(" ", stripped.lower())
    return _SPACES.sub(" ", lowered).strip()


TEXT_LIMIT = 4096  # a message's text, in UTF-16 units after entity parsing
CAPTION_LIMIT = 1024  # a media caption
MARK = "…"


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units, not code points."""
    return len(text.encode("utf-16-le")) // 2


def _head(text: str, units: int) -> str:
    """The longest prefix of ``text`` within ``units`` UTF-16 units (never half a pair)."""
    if utf16_len(text) <= units:
        return text
    count = 0
    for index, char in enumerate(text):
        count += 2 if ord(char) > 0xFFFF else 1
        if count > units:
            return text[:index]
    return text  # pragma: no cover - the length check above returned already


def fit(text: str, limit: int = TEXT_LIMIT, mark: str = MARK) -> str:
    """``text`` if it fits ``limit``, else cut to fit with ``mark`` showing the cut."""
    if utf16_len(text) <= limit:
        return text
    return _head(text, limit - utf16_len(mark)).rstrip() + mark


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Parts of ``text`` that each fit ``limit``, nothing left out: cut at the last line end
    of each window (else the last space, else anywhere between two characters); the line
    end or space at a cut is dropped, and blank parts are not kept."""
    parts: list[str] = []
    rest = text
    while utf16_len(rest) > limit:
        head = _head(rest, limit)
        cut = head.rfind("\n")
        if cut < len(head) // 2:
            cut = head.rfind(" ")
        if cut < len(head) // 2:
            parts.append(head)
            rest = rest[len(head) :]
        else:
            parts.append(head[:cut])
            rest = rest[cut + 1 :]
    parts.append(rest)
    return [part for part in parts if part.strip()] or [text]
