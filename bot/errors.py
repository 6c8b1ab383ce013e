"""The errors a person is told about: each carries the catalogue key of what they read.

A :class:`TinbaoError` is a definite answer, not a fault: the request was understood and
refused (not allowed, a stale or forged button, nothing by that code, input that cannot
be right). A service raises it before it changes anything; whoever called the service
turns it into the answer (:meth:`TinbaoError.text`), in the asker's language; a channel's
error handler does so for one that escaped (``handlers/telegram/app.py``), and the inbox
does not try such an update again, as it would a fault (``bot/inbox.py``).

Its ``params`` may quote the person (the code they typed): they are never in ``str()`` of
the error, which names the key only, so a log line cannot leak them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from config.texts import t

Catalogue = Callable[..., str]


class TinbaoError(Exception):
    key: ClassVar[str] = "update_failed"

    def __init__(self, key: str | None = None, **params: object) -> None:
        self.message_key = key or type(self).key
        self.params = params
        self.answered = False
        """Set by the channel adapter once the person has been told: an update whose
        refusal could not even be answered is tried again like any failure."""
        super().__init__(self.message_key)

    def text(self, lang: str, catalogue: Catalogue = t) -> str:
        """What the person reads, in ``lang``."""
        return catalogue(self.message_key, lang, **self.params)


class NotAuthorized(TinbaoError):
    """The person may not do this (not an active officer, or not of the right unit)."""

    key = "q_not_officer"


class OtherUnit(NotAuthorized):
    """The tip belongs to another unit (``unit``: its name)."""

    key = "q_other_unit"


class WrongChat(NotAuthorized):
    """Not here: a citizen's business belongs in their private chat, a unit's in its
    group."""

    key = "private_only"


class NotFound(TinbaoError):
    key = "q_unknown_tip"


class StaleButton(TinbaoError):
    """A button that is out of date, forged, or not for this message."""

    key = "stale_button"


class BadInput(TinbaoError):
    """What was typed cannot be right (a code that fails its check, a period that is not
    one); the subclass names the key."""
