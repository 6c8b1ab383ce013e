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
    """A reply keyboard that asks the phone for something (location, contact), or
    ``remove`` to take such a keyboard away."""

    kind: Literal["location", "contact", "remove"]
    label: str = ""
    cancel_label: str = ""


@dataclass
class Screen:
    text: str
    buttons: list[list[Button]] = field(default_factory=list)
    keyboard: Keyboard | None = None


def screen_to_plain(
    screen: Screen,
    scope: str,
    *,
    force_reply: bool = False,
    reply_to_message_id: int | None = None,
    message_id: int | None = None,
    wanted_photo: int | None = None,
) -> dict[str, Any]:
    """A screen as plain JSON for the outbox: what to show, not how a channel shows it
    (each channel's sender renders it at send time). The options, stored only when set:

    - ``force_reply``: the screen asks for a free-text answer given as a reply to it (an
      officer's prompt); the client opens the reply at once.
    - ``reply_to_message_id``: shown as an answer to that message of the same chat (the
      command it answers, the card whose button was pressed).
    - ``message_id``: the screen replaces that message of the chat (an edit of a message
      known only by its id; an edit of an outbox row uses ``edit_of_outbox``).
    - ``wanted_photo``: the text is the caption of that wanted notice's photo (the sender
      sends Telegram's cached file id, or uploads the picture and caches the id)."""
    plain: dict[str, Any] = {"scope": scope, **asdict(screen)}
    if force_reply:
        plain["force_reply"] = True
    if reply_to_message_id is not None:
        plain["reply_to_message_id"] = reply_to_message_id
    if message_id is not None:
        plain["message_id"] = message_id
    if wanted_photo is not None:
        plain["wanted_photo"] = wanted_photo
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
