"""Turn channel-free :class:`~bot.dialogue.Screen` objects into Telegram calls.

Nothing here sends anything: the outbox sender renders each ``screen`` row through
:func:`render_screen` at send time (so no rendered personal data sits in the database),
and a handler answers a button press with :func:`answer_quietly`, the one Bot API call a
handler makes itself.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import (
    CallbackQuery,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.error import TelegramError

from bot.callbacks import encode
from bot.dialogue import Screen, screen_from_plain

log = logging.getLogger(__name__)

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove


def markup(screen: Screen, scope: str = "c") -> Markup | None:
    if screen.buttons:
        return InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(b.label, url=b.url)
                    if b.url
                    else InlineKeyboardButton(
                        b.label, callback_data=encode(scope, b.action, b.value)
                    )
                    for b in row
                ]
                for row in screen.buttons
            ]
        )
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


def render_screen(plain: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The Bot API call for an outbox ``screen`` row (its plain form, see
    :func:`bot.dialogue.screen_to_plain`, with ``chat_id`` resolved and, for an edit,
    ``message_id``; a wanted notice's photo resolved to ``photo``)."""
    screen, scope = screen_from_plain(plain)
    keyboard: Markup | ForceReply | None = markup(screen, scope)
    rendered: dict[str, Any] = {"chat_id": plain["chat_id"]}
    if plain.get("message_id") is not None:
        # an edit: only an inline keyboard may stay; without one the old one goes
        rendered.update(message_id=plain["message_id"], text=screen.text)
        if isinstance(keyboard, InlineKeyboardMarkup):
            rendered["reply_markup"] = keyboard
        return "editMessageText", rendered
    if keyboard is None and plain.get("force_reply"):
        keyboard = ForceReply()
    if keyboard is not None:
        rendered["reply_markup"] = keyboard
    if plain.get("reply_parameters"):  # a reply to another outbox row's message
        rendered["reply_parameters"] = plain["reply_parameters"]
    elif plain.get("reply_to_message_id"):
        rendered["reply_parameters"] = {
            "message_id": plain["reply_to_message_id"],
            "allow_sending_without_reply": True,
        }
    if plain.get("photo") is not None:
        rendered["photo"] = plain["photo"]
        rendered["caption"] = screen.text
        return "sendPhoto", rendered
    rendered["text"] = screen.text
    return "sendMessage", rendered


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
