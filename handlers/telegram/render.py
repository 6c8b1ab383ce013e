"""The Telegram renderer: an outbox row's plain values become one Bot API call.

The domain writes what to say (:mod:`bot.dialogue`: a screen's text, its options, a file)
under an intent (show, edit, delete, album); this is the one place that knows how
Telegram says it: which method, an inline keyboard of buttons whose data is the
:mod:`bot.callbacks` codec's, a reply keyboard that asks for the phone's location or
contact, a prompt that opens a reply. The sender renders each row only when it sends it
(:func:`render`), so no rendered personal data sits in the database.

Rows written before the outbox held intents carry a Bot API method and its parameters
(their buttons already as Telegram's JSON); :func:`render` sends them as they are, so a
row still pending at the upgrade is delivered all the same.

Nothing here sends anything, except :func:`answer_quietly`: the answer to a button press,
the one Bot API call a handler makes itself.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

from telegram import (
    CallbackQuery,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    InputMedia,
    InputMediaAudio,
    InputMediaDocument,
    InputMediaPhoto,
    InputMediaVideo,
    KeyboardButton,
    LinkPreviewOptions,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.error import TelegramError

from bot.callbacks import encode
from bot.crypto import IdentityBox
from bot.dialogue import (
    Button,
    Intent,
    Media,
    Screen,
    album_from_plain,
    buttons_from_plain,
    screen_from_plain,
)
from bot.text import CAPTION_LIMIT, TEXT_LIMIT, fit
from handlers.telegram.sendlimits import message_count
from storage import stored_files
from storage.db import Tx
from storage.stored_files import is_stored

log = logging.getLogger(__name__)

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove
Call = tuple[str, dict[str, Any]]  # a Bot API method and its parameters

SCREEN = "screen"  # the intent of rows written before intents: a show, or an edit
_BOT_API_METHOD = re.compile(r"[a-z]+[A-Z][A-Za-z]*", re.ASCII)
_SEND_MEDIA = {
    "photo": "sendPhoto",
    "video": "sendVideo",
    "voice": "sendVoice",
    "audio": "sendAudio",
    "document": "sendDocument",
}
_INPUT_MEDIA: dict[str, type[InputMedia]] = {
    "photo": InputMediaPhoto,
    "video": InputMediaVideo,
    "document": InputMediaDocument,
    "audio": InputMediaAudio,
}


@dataclass
class Found:
    """What the sender looked up for a row at send time: where it goes, the messages it
    refers to, the bytes attached to it, and a wanted notice's picture."""

    chat_id: int
    message_id: int | None = None  # the message an edit or a deletion acts on
    reply_to: int | None = None  # the message this one answers
    files: dict[str, InputFile] = field(default_factory=dict)  # attached bytes, by name
    photo: str | InputFile | None = None  # the notice's photo (``wanted_photo``)


def inline_keyboard(buttons: list[list[Button]], scope: str) -> InlineKeyboardMarkup | None:
    """Buttons as Telegram's inline keyboard: each sends its typed value back."""
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(b.label, url=b.url)
                if b.url
                else InlineKeyboardButton(b.label, callback_data=encode(scope, b.action, b.value))
                for b in row
            ]
            for row in buttons
        ]
    )


def markup(screen: Screen, scope: str = "c") -> Markup | None:
    """A screen's options: its buttons, else the reply keyboard asking for the phone's
    location or contact (with a cancel key), or the removal of such a keyboard."""
    if screen.buttons:
        return inline_keyboard(screen.buttons, scope)
    keyboard = screen.keyboard
    if keyboard is None:
        return None
    if keyboard.kind == "remove":
        return ReplyKeyboardRemove()
    ask = KeyboardButton(
        keyboard.label,
        request_location=keyboard.kind == "location",
        request_contact=keyboard.kind == "contact",
    )
    rows = [[ask]]
    if keyboard.cancel_label:
        rows.append([KeyboardButton(keyboard.cancel_label)])
    return ReplyKeyboardMarkup(rows, resize_keyboard=True, one_time_keyboard=True)


def intent_of(method: str, plain: dict[str, Any], found: Found | None = None) -> str:
    """A row's intent; a ``screen`` row of the previous version is an edit when it names
    a message to replace, else a show."""
    if method != SCREEN:
        return method
    replaces = plain.get("message_id") is not None or (found and found.message_id is not None)
    return Intent.EDIT if replaces else Intent.SHOW


def messages(method: str, plain: dict[str, Any]) -> int:
    """How many messages a row counts for against Telegram's limits (before it is
    rendered: the chat's limits decide whether it may go now)."""
    intent = intent_of(method, plain)
    if intent in (Intent.SHOW, Intent.EDIT):
        return 1
    if intent == Intent.DELETE:
        return 0
    if intent == Intent.ALBUM:
        return max(1, len(plain.get("album") or ()))
    return message_count(method, plain)  # a row of the old shape: its method says


def render(method: str, plain: dict[str, Any], found: Found) -> Call:
    """The Bot API call for an outbox row: its ``method`` (an intent, or a Bot API
    method for a row of the old shape), its plain values opened, what the sender found.
    Raises on a row that cannot be right (an unknown intent or kind of file)."""
    intent = intent_of(method, plain, found)
    if intent == Intent.SHOW:
        call = _show(plain, found)
    elif intent == Intent.EDIT:
        call = _edit(plain, found)
    elif intent == Intent.DELETE:
        call = "deleteMessage", {"chat_id": found.chat_id, "message_id": _target(plain, found)}
    elif intent == Intent.ALBUM:
        call = _album(plain, found)
    elif _BOT_API_METHOD.fullmatch(method):
        call = _old_shape(method, plain, found)
    else:
        raise ValueError(f"unknown outbox intent {method!r}")
    name, kwargs = call
    # Telegram refuses a text over 4,096 UTF-16 units (a caption over 1,024): the paths
    # that build texts keep within them; this cut with a mark is the last line of defence.
    for key, limit in (("text", TEXT_LIMIT), ("caption", CAPTION_LIMIT)):
        if isinstance(kwargs.get(key), str):
            kwargs[key] = fit(kwargs[key], limit)
    return name, kwargs


def _reply_parameters(message_id: int) -> dict[str, Any]:
    return {"message_id": message_id, "allow_sending_without_reply": True}


def _file(media: Media, found: Found) -> str | InputFile:
    """The channel's file id; the bytes of a file kept in the database (a Zalo citizen's
    evidence: :func:`stored_uploads` found them under its id); or the bytes attached to
    the row under the file's kind."""
    if media.file_id and is_stored(media.file_id):
        return found.files[media.file_id]
    if media.file_id:
        return media.file_id
    return found.files[media.kind]


def stored_ids(plain: dict[str, Any]) -> list[str]:
    """The files of a row that are kept in the database, not at Telegram."""
    items = [plain.get("media"), *(plain.get("album") or [])]
    return [
        str(item["file_id"])
        for item in items
        if isinstance(item, dict) and is_stored(item.get("file_id"))
    ]


async def stored_uploads(tx: Tx, plain: dict[str, Any], box: IdentityBox) -> dict[str, InputFile]:
    """The bytes to upload for a row's stored files, by file id. A file no longer kept
    (purged) is missing here, and the row cannot be rendered: it fails with an alert."""
    found: dict[str, InputFile] = {}
    for file_id in stored_ids(plain):
        file = await stored_files.get(tx, file_id, open_=box.open_bytes)
        if file is not None:
            found[file_id] = InputFile(file.data, filename=file.filename)
    return found


def _show(plain: dict[str, Any], found: Found) -> Call:
    screen, scope = screen_from_plain(plain)
    kwargs: dict[str, Any] = {"chat_id": found.chat_id}
    keyboard: Markup | ForceReply | None = markup(screen, scope)
    if keyboard is None and plain.get("force_reply"):
        keyboard = ForceReply()
    if keyboard is not None:
        kwargs["reply_markup"] = keyboard
    reply_to = found.reply_to or plain.get("reply_to_message_id")
    if reply_to:  # a reply to another row's message, or to a message of the chat
        kwargs["reply_parameters"] = _reply_parameters(int(reply_to))
    if found.photo is not None:  # a wanted notice: its card is the photo's caption
        kwargs.update(photo=found.photo, caption=screen.text)
        return "sendPhoto", kwargs
    media = screen.media
    if media is not None:
        kwargs[media.kind] = _file(media, found)
        if screen.text:
            kwargs["caption"] = screen.text
        return _SEND_MEDIA[media.kind], kwargs
    kwargs["text"] = screen.text
    if plain.get("no_preview"):
        kwargs["link_preview_options"] = LinkPreviewOptions(is_disabled=True)
    return "sendMessage", kwargs


def _target(plain: dict[str, Any], found: Found) -> int:
    message_id = found.message_id or plain.get("message_id")
    if message_id is None:
        raise ValueError("an edit or a deletion names no message")
    return int(message_id)


def _edit(plain: dict[str, Any], found: Found) -> Call:
    """A new text with its buttons (none: the old ones go), or, without a text, new
    buttons alone. Only an inline keyboard can sit on an edited message."""
    kwargs: dict[str, Any] = {"chat_id": found.chat_id, "message_id": _target(plain, found)}
    scope = str(plain.get("scope") or "c")
    keyboard = inline_keyboard(buttons_from_plain(plain), scope)
    if keyboard is not None:
        kwargs["reply_markup"] = keyboard
    if "text" not in plain:
        return "editMessageReplyMarkup", kwargs
    kwargs["text"] = str(plain["text"])
    return "editMessageText", kwargs


def _album(plain: dict[str, Any], found: Found) -> Call:
    media = [
        _INPUT_MEDIA[item.kind](media=_attached(_file(item, found)))  # type: ignore[call-arg]
        for item in album_from_plain(plain)
    ]
    kwargs: dict[str, Any] = {"chat_id": found.chat_id, "media": media}
    if found.reply_to:
        kwargs["reply_parameters"] = _reply_parameters(found.reply_to)
    return "sendMediaGroup", kwargs


def _attached(file: str | InputFile) -> str | InputFile:
    """Bytes in an album go as parts of their own (``attach://``), one a file: uploaded
    as the call's plain file parameter, each would overwrite the one before."""
    if isinstance(file, InputFile) and file.attach_name is None:
        return InputFile(file.input_file_content, filename=file.filename, attach=True)
    return file


def _old_shape(method: str, payload: dict[str, Any], found: Found) -> Call:
    """A row written before intents: the Bot API call it names, with what the sender
    found filled in as it always was."""
    kwargs = dict(payload)
    kwargs["chat_id"] = found.chat_id
    if found.message_id is not None:
        kwargs["message_id"] = found.message_id
    if found.reply_to:
        kwargs["reply_parameters"] = _reply_parameters(found.reply_to)
    kwargs.update(found.files)  # attached bytes, named by the parameter they fill
    if isinstance(kwargs.get("media"), list):
        kwargs["media"] = [_old_input_media(item) for item in kwargs["media"]]
    return method, kwargs


def _old_input_media(item: dict[str, Any]) -> InputMedia:
    kind = _INPUT_MEDIA[item["type"]]
    caption = item.get("caption")
    caption = fit(caption, CAPTION_LIMIT) if isinstance(caption, str) else caption
    return kind(media=item["media"], caption=caption)  # type: ignore[call-arg]


async def answer_quietly(
    query: CallbackQuery, text: str | None, *, show_alert: bool | None = None
) -> None:
    """A button press is answered inline (it must be quick, and only the presser sees
    it), best-effort: the state change and the messages it causes are already committed
    and go out through the outbox, so a failed answer only leaves a spinner turning.
    A text is a pop-up to dismiss unless ``show_alert`` says otherwise."""
    try:
        await query.answer(text, show_alert=bool(text) if show_alert is None else show_alert)
    except TelegramError as exc:
        log.info("could not answer a button press: %s", type(exc).__name__)
