"""Text folding shared by place search, wanted-notice search and receipt codes."""

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


def squash(text: str) -> str:
    """:func:`fold` without spaces, for comparing "tamchuc" with "tam chuc"."""
    return fold(text).replace(" ", "")
