"""Thin Telegram adapters for wanted-person notices: browse, search, "I have seen them".

Commands ``/dstruyna`` (browse, one notice per message with its photo) and ``/timtruyna
<name>`` (search) in private chats; inline buttons with callback data ``w1|page|<n>`` and
``w1|seen|<notice id>``. Callback data is untrusted: every press re-reads the notice and
acts only if it still exists and is in force.

What a sighting does (an urgent tip linked to the notice, routed to the right queues) is
the lead's service, plugged in as ``bot_data["wanted_sighting"]``, an async callable
``(update, context, notice_id) -> None`` that also answers the callback query.

Handlers sit in group 0 and stop the update there (``ApplicationHandlerStop``), so the
citizen dialogue's catch-alls in group 1 never see these commands and buttons.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.error import BadRequest
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    filters,
)

from bot import wanted
from bot.callbacks import fits
from bot.text import CAPTION_LIMIT, fit, utf16_len
from bot.wanted import Page, WantedNotice
from config.wanted_messages import t
from handlers.citizen import person_of
from handlers.render import answer_quietly
from storage.db import Database

log = logging.getLogger(__name__)

PREFIX = "w1"
BROWSE_COMMAND = "dstruyna"
SEARCH_COMMAND = "timtruyna"
SEARCH_LIMIT = 5  # cards sent for one search; more means the name was too vague
# ASCII digits only (``\d`` would take "١"), matched whole (``$`` lets a newline in).
_CALLBACK = re.compile(r"w1\|(page|seen)\|([0-9]{1,9})", re.ASCII)

Sighting = Callable[[Update, ContextTypes.DEFAULT_TYPE, int], Awaitable[None]]


# ---------------------------------------------------------------- callback data


def callback_data(action: str, value: int) -> str:
    data = f"{PREFIX}|{action}|{value}"
    if not _CALLBACK.fullmatch(data) or not fits(data):
        raise ValueError(f"cannot encode wanted callback {data!r}")
    return data


def parse_callback(data: str | None) -> tuple[str, int] | None:
    """``("page", n)`` or ``("seen", notice_id)``; None for anything forged or foreign,
    including data that is not valid UTF-8 (a lone surrogate) or over 64 bytes."""
    if data is None or not fits(data):
        return None
    match = _CALLBACK.fullmatch(data)
    return (match.group(1), int(match.group(2))) if match else None


# ---------------------------------------------------------------- context helpers


def _db(context: ContextTypes.DEFAULT_TYPE) -> Database:
    data = context.application.bot_data
    db = data.get("wanted_db")
    if db is None:
        db = data["tinbao"].db
    assert isinstance(db, Database)
    return db


async def _language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """The citizen's chosen language when the full app is wired, else their phone's."""
    app: Any = context.application.bot_data.get("tinbao")
    person = person_of(update)
    if app is not None and person is not None:
        return str(await app.language_of(person))
    user = update.effective_user
    code = user.language_code if user is not None else None
    return "en" if code and code.lower().startswith("en") else "vi"


# ---------------------------------------------------------------- rendering


def _markup(notice: WantedNotice, lang: str, page: Page | None) -> InlineKeyboardMarkup:
    rows = [
        [InlineKeyboardButton(t("btn_seen", lang), callback_data=callback_data("seen", notice.id))]
    ]
    if page is not None and (page.has_prev or page.has_next):
        nav = []
        if page.has_prev:
            nav.append(
                InlineKeyboardButton(
                    t("btn_prev", lang), callback_data=callback_data("page", page.page - 1)
                )
            )
        if page.has_next:
            nav.append(
                InlineKeyboardButton(
                    t("btn_next", lang), callback_data=callback_data("page", page.page + 1)
                )
            )
        rows.append(nav)
    return InlineKeyboardMarkup(rows)


def _photo_name(data: bytes, notice_id: int) -> str:
    extension = "png" if data.startswith(b"\x89PNG") else "jpg"
    return f"truyna-{notice_id}.{extension}"


async def _send_photo(
    bot: Bot, db: Database, chat_id: int, notice: WantedNotice, caption: str, markup: Any
) -> Message | None:
    """Send the notice's photo: the cached Telegram file id if there is one, else the bytes
    (then cache the id Telegram returns). None if the notice has no photo after all."""
    if notice.photo_file_id:
        try:
            return await bot.send_photo(
                chat_id, notice.photo_file_id, caption=caption, reply_markup=markup
            )
        except BadRequest as exc:  # another bot token, or Telegram dropped the file
            log.warning("cached photo of wanted notice %s refused: %s", notice.id, exc.message)
            await wanted.forget_photo_file_id(db, notice.id)
    data = await wanted.photo_bytes(db, notice.id)
    if data is None:
        return None
    sent = await bot.send_photo(
        chat_id,
        data,
        caption=caption,
        reply_markup=markup,
        filename=_photo_name(data, notice.id),
    )
    if sent.photo:
        await wanted.remember_photo_file_id(db, notice, sent.photo[-1].file_id)
    return sent


async def send_notice(
    bot: Bot,
    db: Database,
    chat_id: int,
    notice: WantedNotice,
    lang: str,
    page: Page | None = None,
) -> Message:
    """One notice as one message (photo with the card as caption), buttons attached.
    A card too long for a caption goes in its own message under a photo titled by name."""
    text = wanted.public_card(notice, lang)
    if page is not None and page.pages > 1:
        text += "\n\n" + t("page_label", lang, n=page.page + 1, total=page.pages)
    markup = _markup(notice, lang, page)
    if notice.has_photo:
        if utf16_len(text) <= CAPTION_LIMIT:  # UTF-16 units: the card's emoji count twice
            sent = await _send_photo(bot, db, chat_id, notice, text, markup)
            if sent is not None:
                return sent
        else:
            title = t("card_name", lang, name=notice.full_name.upper())
            await _send_photo(bot, db, chat_id, notice, fit(title, CAPTION_LIMIT), None)
    return await bot.send_message(chat_id, fit(text), reply_markup=markup)


async def _keep_only_seen_button(query: Any) -> None:
    """After paging on, the old card keeps its "seen" button but loses the arrows, so the
    chat does not fill up with navigation that leads to pages already shown."""
    message = query.message
    if not isinstance(message, Message) or message.reply_markup is None:
        return
    rows = [
        row
        for row in message.reply_markup.inline_keyboard
        if any(str(b.callback_data or "").startswith(f"{PREFIX}|seen|") for b in row)
    ]
    try:
        await message.edit_reply_markup(InlineKeyboardMarkup(rows) if rows else None)
    except BadRequest as exc:  # too old, or already edited: harmless
        log.debug("could not trim wanted card buttons: %s", exc.message)


# ---------------------------------------------------------------- handlers


async def show_page(
    update: Update, context: ContextTypes.DEFAULT_TYPE, chat_id: int, page_index: int
) -> None:
    lang = await _language(update, context)
    db = _db(context)
    page = await wanted.browse(db, page_index, 1)
    if not page.items:
        await context.bot.send_message(chat_id, t("browse_empty", lang))
        return
    await send_notice(context.bot, db, chat_id, page.items[0], lang, page)


async def on_browse(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``/dstruyna [page]``: the active notices, one per message, dangerous ones first."""
    message = update.effective_message
    if message is not None:
        args = context.args or []
        # ASCII digits only: "²".isdigit() and "١".isdecimal() are true, but int() refuses
        number = args[0] if args else ""
        page = int(number) - 1 if number.isascii() and number.isdigit() and len(number) < 7 else 0
        await show_page(update, context, message.chat_id, page)
    raise ApplicationHandlerStop


async def on_search(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``/timtruyna <name>``: up to five matching cards, best first."""
    message = update.effective_message
    if message is None:
        raise ApplicationHandlerStop
    lang = await _language(update, context)
    query = " ".join(context.args or [])[: wanted.MAX_QUERY_LENGTH]
    if not query.strip():
        await message.reply_text(t("search_usage", lang))
        raise ApplicationHandlerStop
    db = _db(context)
    found = await wanted.search(db, query, 0, SEARCH_LIMIT)
    if not found.items:
        await message.reply_text(t("search_none", lang, query=query))
        raise ApplicationHandlerStop
    await message.reply_text(t("search_found", lang, total=found.total, query=query))
    for notice in found.items:
        await send_notice(context.bot, db, message.chat_id, notice, lang)
    if found.total > len(found.items):
        await context.bot.send_message(
            message.chat_id,
            t("search_more", lang, shown=len(found.items), total=found.total),
        )
    raise ApplicationHandlerStop


async def on_group_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Looking at wanted people and reporting one happens in private, never in a group."""
    message = update.effective_message
    if message is not None:
        await message.reply_text(t("private_only", await _language(update, context)))
    raise ApplicationHandlerStop


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None:
        raise ApplicationHandlerStop
    lang = await _language(update, context)
    parsed = parse_callback(query.data)
    message = query.message
    private = message is not None and message.chat.type == "private"
    if parsed is None or message is None:
        await answer_quietly(query, t("stale_button", lang), show_alert=True)
        raise ApplicationHandlerStop
    action, value = parsed
    if not private:
        await answer_quietly(query, t("private_only", lang), show_alert=True)
        raise ApplicationHandlerStop
    if action == "page":
        await answer_quietly(query)
        await _keep_only_seen_button(query)
        await show_page(update, context, message.chat.id, value)
        raise ApplicationHandlerStop
    notice = await wanted.active_notice(_db(context), value)
    if notice is None:  # forged id, or withdrawn since the card was sent
        await answer_quietly(query, t("not_active", lang), show_alert=True)
        raise ApplicationHandlerStop
    sighting: Sighting | None = context.application.bot_data.get("wanted_sighting")
    if sighting is None:
        await answer_quietly(query, t("seen_unavailable", lang), show_alert=True)
        raise ApplicationHandlerStop
    await sighting(update, context, notice.id)
    raise ApplicationHandlerStop


def register(application: Application, *, db: Database | None = None) -> None:  # type: ignore[type-arg]
    """Add the wanted-notice handlers. ``db`` is for an Application without the full
    tinbao wiring (tests); otherwise ``bot_data["tinbao"].db`` is used."""
    if db is not None:
        application.bot_data["wanted_db"] = db
    commands = [BROWSE_COMMAND, SEARCH_COMMAND]
    private = filters.ChatType.PRIVATE
    # /wanted and /truyna browse the notices too, now that the registry exists.
    browse = [BROWSE_COMMAND, "wanted", "truyna"]
    application.add_handler(CommandHandler(browse, on_browse, private), group=0)
    application.add_handler(CommandHandler(SEARCH_COMMAND, on_search, private), group=0)
    application.add_handler(
        CommandHandler(commands, on_group_command, filters.ChatType.GROUPS), group=0
    )
    application.add_handler(CallbackQueryHandler(on_button, pattern=rf"^{PREFIX}\|"), group=0)
