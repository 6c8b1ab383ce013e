"""The plain-value vocabulary between a channel adapter and the domain dialogues.

A Telegram handler (or, later, a Zalo webhook) turns what arrived into one of the input
events below and renders the :class:`Screen` objects it gets back. Nothing here knows
about Telegram, so the same dialogue serves every channel.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal


@dataclass(frozen=True)
class Command:
    name: str
    arg: str = ""


@dataclass(frozen=True)
class Press:
    """An inline button: ``action`` and ``value`` come from untrusted callback data."""

    action: str
    value: str = ""


@dataclass(frozen=True)
class TextIn:
    text: str


@dataclass(frozen=True)
class LocationIn:
    lat: float
    lon: float


@dataclass(frozen=True)
class ContactIn:
    phone: str
    own: bool


@dataclass(frozen=True)
class MediaIn:
    kind: str  # photo, video, voice, audio, document
    file_id: str
    file_unique_id: str
    mime_type: str | None
    size_bytes: int | None


@dataclass(frozen=True)
class Unsupported:
    kind: str  # sticker, animation, video_note, poll, ...


Event = Command | Press | TextIn | LocationIn | ContactIn | MediaIn | Unsupported


@dataclass(frozen=True)
class Button:
    label: str
    action: str
    value: str = ""
    url: str | None = None


@dataclass(frozen=True)
class Keyboard:
    """A reply keyboard that asks the phone for something (location, contact),
    ``remove`` to take such a keyboard away, or ``force_reply``: open a reply to this
    message (an officer's prompt, answered in a busy group)."""

    kind: Literal["location", "contact", "remove", "force_reply"]
    label: str = ""
    cancel_label: str = ""


@dataclass
class Screen:
    text: str
    buttons: list[list[Button]] = field(default_factory=list)
    keyboard: Keyboard | None = None


def screen_to_plain(screen: Screen, scope: str, reply_to: int | None = None) -> dict[str, Any]:
    """A screen as plain JSON for the outbox: what to show, not how a channel shows it
    (each channel's sender renders it at send time); ``reply_to``: the id of the message
    in the same chat it answers, if any."""
    plain = {"scope": scope, **asdict(screen)}
    if reply_to is not None:
        plain["reply_to"] = reply_to
    return plain


def screen_from_plain(plain: dict[str, Any]) -> tuple[Screen, str]:
    keyboard = plain.get("keyboard")
    screen = Screen(
        str(plain["text"]),
        [[Button(**button) for button in row] for row in plain.get("buttons") or []],
        Keyboard(**keyboard) if keyboard else None,
    )
    return screen, str(plain.get("scope") or "c")


@dataclass
class Outcome:
    """What to show after an event. ``pressed`` is a short note to leave on the message
    whose button was pressed (its buttons are then removed); ``alert`` answers a button
    press with a pop-up instead."""

    screens: list[Screen] = field(default_factory=list)
    pressed: str | None = None
    alert: str | None = None
    tip_code: str | None = None
    duplicate: bool = False
    queued: int = 0  # messages committed to the outbox with the step
