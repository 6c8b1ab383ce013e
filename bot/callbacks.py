"""Callback data: versioned, parsed in one place, and treated as untrusted input.

Format ``<scope>1|<action>|<value>``: ``c`` for the citizen dialogue, ``q`` for the
police queue, ``w`` for wanted notices (parsed by ``handlers/telegram/wanted.py``, which takes
them first, ASCII digits only). Anything else (foreign, oversized, malformed, not even
encodable as UTF-8) parses to ``None`` and the caller answers "out of date" without
touching the database's state. Patterns are matched whole (``fullmatch``: ``$`` would let
a trailing newline in) and in ASCII only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_BYTES = 64  # Telegram's own limit for callback_data
_PART = re.compile(r"[a-z_]{1,20}", re.ASCII)
_VALUE = re.compile(r"[A-Za-z0-9_:\-]{0,40}", re.ASCII)
SCOPES = ("c", "q", "w")
VERSION = "1"


@dataclass(frozen=True)
class Callback:
    scope: str
    action: str
    value: str


def fits(data: str | None) -> bool:
    """Non-empty, valid UTF-8 and within Telegram's 64 bytes. A lone surrogate (which a
    forged update can carry, but no button of ours) cannot be encoded at all: it does not
    fit rather than raising inside a handler."""
    if not data:
        return False
    try:
        return len(data.encode()) <= MAX_BYTES
    except UnicodeEncodeError:
        return False


def encode(scope: str, action: str, value: str = "") -> str:
    data = f"{scope}{VERSION}|{action}|{value}"
    if scope not in SCOPES or not _PART.fullmatch(action) or not _VALUE.fullmatch(value):
        raise ValueError(f"cannot encode callback {data!r}")
    if not fits(data):
        raise ValueError(f"callback data too long: {data!r}")
    return data


def decode(data: str | None) -> Callback | None:
    if data is None or not fits(data):
        return None
    parts = data.split("|")
    if len(parts) != 3:
        return None
    head, action, value = parts
    if len(head) != 2 or head[0] not in SCOPES or head[1] != VERSION:
        return None
    if not _PART.fullmatch(action) or not _VALUE.fullmatch(value):
        return None
    return Callback(head[0], action, value)
