"""Callback data: versioned, parsed in one place, and treated as untrusted input.

Format ``<scope>1|<action>|<value>``: ``c`` for the citizen dialogue, ``q`` for the
police queue. Anything else (foreign, oversized, malformed) parses to ``None`` and the
caller answers "out of date" without touching the database's state.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_BYTES = 64  # Telegram's own limit for callback_data
_PART = re.compile(r"^[a-z_]{1,20}$")
_VALUE = re.compile(r"^[A-Za-z0-9_:\-]{0,40}$")
SCOPES = ("c", "q")
VERSION = "1"


@dataclass(frozen=True)
class Callback:
    scope: str
    action: str
    value: str


def encode(scope: str, action: str, value: str = "") -> str:
    data = f"{scope}{VERSION}|{action}|{value}"
    if scope not in SCOPES or not _PART.match(action) or not _VALUE.match(value):
        raise ValueError(f"cannot encode callback {data!r}")
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data too long: {data!r}")
    return data


def decode(data: str | None) -> Callback | None:
    if not data or len(data.encode()) > MAX_BYTES:
        return None
    parts = data.split("|")
    if len(parts) != 3:
        return None
    head, action, value = parts
    if len(head) != 2 or head[0] not in SCOPES or head[1] != VERSION:
        return None
    if not _PART.match(action) or not _VALUE.match(value):
        return None
    return Callback(head[0], action, value)
