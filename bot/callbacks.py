"""Callback data: the one codec for every button, versioned, typed by scope, and treated
as untrusted input.

A button's value is what comes back when it is pressed: a Telegram button's data
today, a Zalo button's payload tomorrow; the same text either way, so nothing here knows
a channel. Format ``<scope><version>|<action>|<value>``; each :class:`Scope` has its own
grammar of actions and values:

- ``c`` (:attr:`Scope.CITIZEN`): the citizen dialogue; the action names a step's choice
  and is checked against the step that showed it;
- ``q`` (:attr:`Scope.QUEUE`): the police queue; card actions name a tip
  (``ack|42``, ``outcome|42:resolved``), ``page`` a unit's page (``page|7:2``);
- ``w`` (:attr:`Scope.WANTED`): wanted notices; ``page|<n>`` and ``seen|<notice id>``,
  ASCII digits only (``\\d`` would take "١").

Anything else (another version, a foreign scope, oversized, malformed, not even encodable
as UTF-8) parses to ``None`` and the caller answers "out of date" without touching the
database's state. Patterns are matched whole (``fullmatch``: ``$`` would let a trailing
newline in) and in ASCII only. Version 1 is the only one so far; a later version would be
parsed beside it, so buttons already sent keep working.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

MAX_BYTES = 64  # Telegram's limit for a button's data, the tightest of the channels
VERSION = "1"


class Scope(StrEnum):
    CITIZEN = "c"
    QUEUE = "q"
    WANTED = "w"


@dataclass(frozen=True)
class Grammar:
    action: re.Pattern[str]
    value: re.Pattern[str]


_ACTION = re.compile(r"[a-z_]{1,20}", re.ASCII)
_VALUE = re.compile(r"[A-Za-z0-9_:\-]{0,40}", re.ASCII)
GRAMMARS: dict[Scope, Grammar] = {
    Scope.CITIZEN: Grammar(_ACTION, _VALUE),
    Scope.QUEUE: Grammar(_ACTION, _VALUE),
    Scope.WANTED: Grammar(re.compile(r"page|seen", re.ASCII), re.compile(r"[0-9]{1,9}", re.ASCII)),
}
SCOPES = tuple(scope.value for scope in Scope)


@dataclass(frozen=True)
class Callback:
    scope: Scope
    action: str
    value: str

    @property
    def number(self) -> int:
        """The value as a whole number (a wanted button's always is; the grammar saw to
        it that it is ASCII digits)."""
        if not (self.value.isascii() and self.value.isdigit()):
            raise ValueError("not a number")
        return int(self.value)


def fits(data: str | None) -> bool:
    """Non-empty, valid UTF-8 and within :data:`MAX_BYTES`. A lone surrogate (which a
    forged update can carry, but no button of ours) cannot be encoded at all: it does not
    fit rather than raising inside a handler."""
    if not data:
        return False
    try:
        return len(data.encode()) <= MAX_BYTES
    except UnicodeEncodeError:
        return False


def prefix(scope: Scope | str) -> str:
    """What every button of ``scope`` starts with (``q1|``), to route presses by."""
    return f"{Scope(scope)}{VERSION}|"


def encode(scope: Scope | str, action: str, value: str | int = "") -> str:
    """A button's data; refuses (``ValueError``) what :func:`decode` would refuse."""
    data = f"{scope}{VERSION}|{action}|{value}"
    grammar = GRAMMARS.get(Scope(scope))  # an unknown scope raises ValueError here
    if grammar is None or not grammar.action.fullmatch(action):
        raise ValueError(f"cannot encode callback {data!r}")
    if not grammar.value.fullmatch(str(value)):
        raise ValueError(f"cannot encode callback {data!r}")
    if not fits(data):
        raise ValueError(f"callback data too long: {data!r}")
    return data


def decode(data: str | None, scope: Scope | None = None) -> Callback | None:
    """The press, or None for anything forged, foreign or stale; ``scope`` accepts only
    that scope's buttons."""
    if data is None or not fits(data):
        return None
    parts = data.split("|")
    if len(parts) != 3:
        return None
    head, action, value = parts
    if len(head) != 2 or head[0] not in SCOPES or head[1] != VERSION:
        return None
    found = Scope(head[0])
    if scope is not None and found != scope:
        return None
    grammar = GRAMMARS[found]
    if not grammar.action.fullmatch(action) or not grammar.value.fullmatch(value):
        return None
    return Callback(found, action, value)
