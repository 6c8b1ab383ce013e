"""The plain-value vocabulary between a channel adapter and the domain dialogues.

A Telegram handler (or, later, a Zalo webhook) turns what arrived into one of the input
events below; what the domain says back is a :class:`Screen` (text, options, a file),
written to the outbox as plain JSON under an :class:`Intent` (show, edit, delete, album)
and rendered by each channel's renderer at send time. Nothing here knows about Telegram,
so the same dialogue, and the same outbox row, serves every channel.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
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
    """An option to press: what it says, and the typed value it sends back
    (:mod:`bot.callbacks`: ``action`` and ``value`` in the screen's scope), or a link."""

    label: str
    action: str
    value: str = ""
    url: str | None = None


@dataclass(frozen=True)
class Keyboard:
    """A choice that asks the phone for something (``location``, ``contact``), or
    ``remove`` to take such a choice away."""

    kind: Literal["location", "contact", "remove"]
    label: str = ""
    cancel_label: str = ""


@dataclass(frozen=True)
class Media:
    """A file to show: by the channel's own reference to a file it already holds
    (``file_id``: a citizen's evidence as they sent it), or, without one, by the bytes
    attached to the outbox row under ``kind`` (a digest's chart, an export)."""

    kind: str  # photo, video, voice, audio, document
    file_id: str | None = None


@dataclass
class Screen:
    """What to say and the options offered with it; with ``media`` the text is the
    file's caption."""

    text: str
    buttons: list[list[Button]] = field(default_factory=list)
    keyboard: Keyboard | None = None
    media: Media | None = None


class Intent(StrEnum):
    """What an outbox row asks of a channel (its ``method``), in place of any platform's
    call: each channel's renderer turns it into that platform's own."""

    SHOW = "show"  # a new message: a screen (text, options, a file)
    EDIT = "edit"  # change a message: the row's ``edit_of_outbox``, or ``message_id``
    DELETE = "delete"  # take a message away (the same two ways of naming it)
    ALBUM = "album"  # several files shown as one group


def screen_to_plain(
    screen: Screen,
    scope: str,
    *,
    force_reply: bool = False,
    reply_to_message_id: int | None = None,
    message_id: int | None = None,
    wanted_photo: int | None = None,
    no_preview: bool = False,
) -> dict[str, Any]:
    """A screen as plain JSON for the outbox: what to show, not how a channel shows it
    (each channel's sender renders it at send time). The options, stored only when set:

    - ``force_reply``: the screen asks for a free-text answer given as a reply to it (an
      officer's prompt); the client opens the reply at once.
    - ``reply_to_message_id``: shown as an answer to that message of the same chat (the
      command it answers, the card whose button was pressed).
    - ``message_id``: the message an :attr:`Intent.EDIT` replaces, known only by its id
      (an edit of an outbox row uses ``edit_of_outbox``).
    - ``wanted_photo``: the text is the caption of that wanted notice's photo (the sender
      sends the channel's cached file id, or uploads the picture and caches the id).
    - ``no_preview``: the text carries a one-time link that no channel may fetch for a
      preview."""
    plain: dict[str, Any] = {"scope": scope, "text": screen.text}
    if screen.buttons:
        plain["buttons"] = [[asdict(button) for button in row] for row in screen.buttons]
    if screen.keyboard is not None:
        plain["keyboard"] = asdict(screen.keyboard)
    if screen.media is not None:
        plain["media"] = asdict(screen.media)
    if force_reply:
        plain["force_reply"] = True
    if no_preview:  # a one-time link: no channel should fetch it to show a preview
        plain["no_preview"] = True
    if reply_to_message_id is not None:
        plain["reply_to_message_id"] = reply_to_message_id
    if message_id is not None:
        plain["message_id"] = message_id
    if wanted_photo is not None:
        plain["wanted_photo"] = wanted_photo
    return plain


def buttons_to_plain(
    buttons: list[list[Button]], scope: str, *, message_id: int | None = None
) -> dict[str, Any]:
    """An :attr:`Intent.EDIT` of a message's options alone (its text stays): these
    buttons, or none."""
    plain: dict[str, Any] = {
        "scope": scope,
        "buttons": [[asdict(button) for button in row] for row in buttons],
    }
    if message_id is not None:
        plain["message_id"] = message_id
    return plain


def album_to_plain(items: list[Media]) -> dict[str, Any]:
    """An :attr:`Intent.ALBUM`: the files, shown as one group."""
    return {"album": [asdict(item) for item in items]}


def buttons_from_plain(plain: dict[str, Any]) -> list[list[Button]]:
    return [[Button(**button) for button in row] for row in plain.get("buttons") or []]


def screen_from_plain(plain: dict[str, Any]) -> tuple[Screen, str]:
    """The screen of a row, and its buttons' scope. Rows of the previous version (method
    ``screen``) read the same: they always stored ``buttons`` and ``keyboard``."""
    keyboard = plain.get("keyboard")
    media = plain.get("media")
    screen = Screen(
        str(plain.get("text") or ""),
        buttons_from_plain(plain),
        Keyboard(**keyboard) if keyboard else None,
        Media(**media) if media else None,
    )
    return screen, str(plain.get("scope") or "c")


def album_from_plain(plain: dict[str, Any]) -> list[Media]:
    return [Media(**item) for item in plain.get("album") or []]


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
