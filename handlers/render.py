"""Turn channel-free :class:`~bot.dialogue.Screen` objects into Telegram messages."""

from __future__ import annotations

import asyncio
import logging
import warnings
from datetime import timedelta

from telegram import (
    Bot,
    CallbackQuery,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.warnings import PTBDeprecationWarning

from bot.callbacks import encode
from bot.dialogue import Screen

log = logging.getLogger(__name__)

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | ForceReply
MAX_WAIT_SECONDS = 30.0


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
    if keyboard.kind == "force_reply":
        return ForceReply()
    ask = KeyboardButton(
        keyboard.label,
        request_location=keyboard.kind == "location",
        request_contact=keyboard.kind == "contact",
    )
    rows = [[ask]]
    if keyboard.cancel_label:
        rows.append([KeyboardButton(keyboard.cancel_label)])
    return ReplyKeyboardMarkup(rows, resize_keyboard=True, one_time_keyboard=True)


async def send_screens(bot: Bot, chat_id: int, screens: list[Screen], scope: str = "c") -> None:
    for screen in screens:
        await send_with_retry(bot, chat_id, screen.text, markup(screen, scope))


async def send_with_retry(
    bot: Bot, chat_id: int, text: str, reply_markup: Markup | None, attempts: int = 4
) -> None:
    """A dialogue prompt is sent straight away (the state it shows is already committed),
    so a 5xx, a timeout or a 429 is waited out and tried again rather than leaving the
    citizen without the next question. A rare duplicate prompt is harmless; a lost one
    is not. Refusals (blocked, bad request) are not retried."""
    for attempt in range(attempts):
        last = attempt == attempts - 1
        try:
            await bot.send_message(chat_id, text, reply_markup=reply_markup)
            return
        except RetryAfter as exc:
            if last:
                raise
            with warnings.catch_warnings():  # PTB 22 warns that this becomes a timedelta
                warnings.simplefilter("ignore", PTBDeprecationWarning)
                wait = exc.retry_after
            seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
            delay = min(seconds, MAX_WAIT_SECONDS)
        except (BadRequest, Forbidden):
            raise
        except NetworkError:  # timeouts and 5xx
            if last:
                raise
            delay = 0.5 * 2**attempt
        log.info("reply to a chat failed, retrying in %.1fs", delay)
        await asyncio.sleep(delay)


async def settle_pressed(
    bot: Bot, chat_id: int, message_id: int, original: str | None, note: str | None
) -> None:
    """Take the buttons off the message that was pressed, leaving what was chosen, so an
    old keyboard cannot be pressed again by mistake."""
    try:
        if note and original is not None:
            await bot.edit_message_text(f"{original}\n\n✔ {note}", chat_id, message_id)
        else:
            await bot.edit_message_reply_markup(chat_id, message_id, reply_markup=None)
    except BadRequest as exc:  # already edited, or too old to edit: harmless
        log.debug("could not settle pressed message: %s", exc.message)


async def answer_quietly(
    query: CallbackQuery, alert: str | None, *, show_alert: bool | None = None
) -> None:
    """A button press is answered inline (it must be quick, and only the presser sees
    it), best-effort: the state change and the messages it causes are already committed
    and go out through the outbox, so a failed answer only leaves a spinner turning.
    ``show_alert`` defaults to a pop-up whenever there is a text."""
    try:
        await query.answer(alert, show_alert=bool(alert) if show_alert is None else show_alert)
    except TelegramError as exc:
        log.info("could not answer a button press: %s", type(exc).__name__)


def inline_markup(screen: Screen, scope: str = "c") -> InlineKeyboardMarkup | None:
    """For edits, which accept only inline keyboards."""
    result = markup(Screen(screen.text, screen.buttons), scope)
    return result if isinstance(result, InlineKeyboardMarkup) else None
