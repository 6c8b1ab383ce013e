"""Turn channel-free :class:`~bot.dialogue.Screen` objects into Telegram messages."""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Awaitable
from datetime import timedelta

from telegram import (
    Bot,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter
from telegram.warnings import PTBDeprecationWarning

from bot.callbacks import encode
from bot.clock import Sleep
from bot.dialogue import Screen
from bot.text import TEXT_LIMIT, fit, utf16_len

log = logging.getLogger(__name__)

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove
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
    ask = KeyboardButton(
        keyboard.label,
        request_location=keyboard.kind == "location",
        request_contact=keyboard.kind == "contact",
    )
    rows = [[ask]]
    if keyboard.cancel_label:
        rows.append([KeyboardButton(keyboard.cancel_label)])
    return ReplyKeyboardMarkup(rows, resize_keyboard=True, one_time_keyboard=True)


async def send_screens(
    bot: Bot,
    chat_id: int,
    screens: list[Screen],
    scope: str = "c",
    *,
    sleep: Sleep = asyncio.sleep,
) -> None:
    for screen in screens:
        await send_with_retry(bot, chat_id, screen.text, markup(screen, scope), sleep=sleep)


async def send_with_retry(
    bot: Bot,
    chat_id: int,
    text: str,
    reply_markup: Markup | None,
    attempts: int = 4,
    *,
    sleep: Sleep = asyncio.sleep,
) -> None:
    """A dialogue prompt is sent straight away (the state it shows is already committed),
    so a 5xx, a timeout or a 429 is waited out and tried again rather than leaving the
    citizen without the next question. A rare duplicate prompt is harmless; a lost one
    is not. Refusals (blocked, bad request) are not retried. ``sleep`` waits out the
    back-off (``Tinbao.sleep``: real time in production, the fake clock in tests)."""
    text = fit(text)  # screens are short; a long one is cut rather than refused
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
        await sleep(delay)


#: Telegram's answers to an edit that has nothing left to do: the message was deleted, is
#: not the bot's (or too old), or already shows exactly this. Harmless, never an error.
HARMLESS_EDIT_ERRORS = (
    "message to edit not found",
    "message can't be edited",
    "message is not modified",
)


async def edit_quietly(edit: Awaitable[object]) -> bool:
    """Await an edit from a handler; False (logged, not raised) if Telegram answered with
    one of :data:`HARMLESS_EDIT_ERRORS`. Any other refusal still raises."""
    try:
        await edit
    except BadRequest as exc:
        if not any(marker in exc.message.lower() for marker in HARMLESS_EDIT_ERRORS):
            raise
        log.debug("edit not applied: %s", exc.message)
        return False
    return True


async def answer_quietly(
    query: CallbackQuery, text: str | None = None, *, show_alert: bool = False
) -> None:
    """Answer a button press, best effort. A press that waited while the bot was down is
    past its answer window, and one Telegram redelivers was answered already: Telegram
    refuses both ("query is too old ... or query ID is invalid"), yet the step the press
    asked for is taken and its screens sent all the same."""
    try:
        await query.answer(text, show_alert=show_alert)
    except BadRequest as exc:
        if "query is too old" not in exc.message.lower():
            raise
        log.debug("press not answered: %s", exc.message)


async def settle_pressed(
    bot: Bot, chat_id: int, message_id: int, original: str | None, note: str | None
) -> None:
    """Take the buttons off the message that was pressed, leaving what was chosen, so an
    old keyboard cannot be pressed again by mistake."""
    try:
        if note and original is not None:
            suffix = f"\n\n✔ {note}"
            text = fit(original, TEXT_LIMIT - utf16_len(suffix)) + suffix
            await bot.edit_message_text(text, chat_id, message_id)
        else:
            await bot.edit_message_reply_markup(chat_id, message_id, reply_markup=None)
    except BadRequest as exc:  # already edited, or too old to edit: harmless
        log.debug("could not settle pressed message: %s", exc.message)


def inline_markup(screen: Screen, scope: str = "c") -> InlineKeyboardMarkup | None:
    """For edits, which accept only inline keyboards."""
    result = markup(Screen(screen.text, screen.buttons), scope)
    return result if isinstance(result, InlineKeyboardMarkup) else None
