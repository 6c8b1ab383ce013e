"""Thin Telegram adapters for wanted-person notices: browse, search, "I have seen them".

Commands ``/dstruyna`` (browse, one notice per message with its photo) and ``/timtruyna
<name>`` (search) in private chats; inline buttons with callback data ``w1|page|<n>`` and
``w1|seen|<notice id>``. Callback data is untrusted: every press re-reads the notice and
acts only if it still exists and is in force.

What a sighting does (an urgent tip linked to the notice, routed to the right queues) is
the lead's service, plugged in as ``bot_data["wanted_sighting"]``, an async callable
``(update, context, notice_id) -> None`` that also answers the callback query.

Handlers sit in group 0 and stop the update there (``ApplicationHandlerStop``), so the
citizen dialogue's catch-alls in group 1 never see these commands and buttons. What they
show is committed to the outbox by :class:`bot.wanted_desk.WantedDesk` (issue 9); only
the answer to a button press is a Bot API call made here.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Message, Update
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
from bot.wanted_desk import Trim, WantedDesk
from config.wanted_messages import t
from handlers.telegram.citizen import origin_of, person_of
from handlers.telegram.inbox import update_key
from handlers.telegram.render import answer_quietly
from storage.db import Database

PREFIX = "w1"
BROWSE_COMMAND = "dstruyna"
SEARCH_COMMAND = "timtruyna"
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


def _desk(context: ContextTypes.DEFAULT_TYPE) -> WantedDesk:
    data = context.application.bot_data
    desk = data.get("wanted_desk")
    if desk is None:
        desk = data["tinbao"].wanted_desk
    assert isinstance(desk, WantedDesk)
    return desk


def _wake(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Tell the outbox sender that rows are waiting."""
    data = context.application.bot_data
    app: Any = data.get("tinbao")
    wake: Callable[[], None] | None = (
        app.sender.wake if app is not None else data.get("wanted_wake")
    )
    if wake is not None:
        wake()


def _key(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """The update's idempotency key (its inbox event key)."""
    return update_key(update, _desk(context).people.box)


async def _language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """The citizen's chosen language when the full app is wired, else their phone's."""
    app: Any = context.application.bot_data.get("tinbao")
    person = person_of(update)
    if app is not None and person is not None:
        return str(await app.language_of(person))
    user = update.effective_user
    code = user.language_code if user is not None else None
    return "en" if code and code.lower().startswith("en") else "vi"


async def _say(update: Update, context: ContextTypes.DEFAULT_TYPE, key: str) -> None:
    origin = origin_of(update)
    if origin is not None:
        text = t(key, await _language(update, context))
        if await _desk(context).say(origin, text, key=_key(update, context)):
            _wake(context)


def _trim_of(message: Any) -> Trim | None:
    """The pressed card's "seen" row, to keep when paging on from it."""
    if not isinstance(message, Message) or message.reply_markup is None:
        return None
    rows = [
        [button.to_dict() for button in row]
        for row in message.reply_markup.inline_keyboard
        if any(str(b.callback_data or "").startswith(f"{PREFIX}|seen|") for b in row)
    ]
    return Trim(message.message_id, rows)


# ---------------------------------------------------------------- handlers


async def show_page(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    page_index: int,
    trim: Trim | None = None,
) -> None:
    """A page of notices (one notice per page), as outbox rows to the chat the update
    came from; the sender is woken."""
    origin = origin_of(update)
    if origin is None:
        return
    lang = await _language(update, context)
    if await _desk(context).show_page(
        origin, lang, page_index, key=_key(update, context), trim=trim
    ):
        _wake(context)


async def on_browse(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``/dstruyna [page]``: the active notices, one per message, dangerous ones first."""
    if update.effective_message is not None:
        args = context.args or []
        # ASCII digits only: "²".isdigit() is true, but int("²") raises.
        number = args[0] if args else ""
        page = int(number) - 1 if number.isascii() and number.isdigit() and len(number) < 7 else 0
        await show_page(update, context, page)
    raise ApplicationHandlerStop


async def on_search(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``/timtruyna <name>``: up to five matching cards, best first."""
    origin = origin_of(update)
    if origin is None:
        raise ApplicationHandlerStop
    lang = await _language(update, context)
    query = " ".join(context.args or [])[: wanted.MAX_QUERY_LENGTH]
    if await _desk(context).search(origin, lang, query, key=_key(update, context)):
        _wake(context)
    raise ApplicationHandlerStop


async def on_group_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Looking at wanted people and reporting one happens in private, never in a group."""
    await _say(update, context, "private_only")
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
        await answer_quietly(query, t("stale_button", lang))
        raise ApplicationHandlerStop
    action, value = parsed
    if not private:
        await answer_quietly(query, t("private_only", lang))
        raise ApplicationHandlerStop
    if action == "page":
        await answer_quietly(query, None)
        await show_page(update, context, value, trim=_trim_of(message))
        raise ApplicationHandlerStop
    notice = await wanted.active_notice(_db(context), value)
    if notice is None:  # forged id, or withdrawn since the card was sent
        await answer_quietly(query, t("not_active", lang))
        raise ApplicationHandlerStop
    sighting: Sighting | None = context.application.bot_data.get("wanted_sighting")
    if sighting is None:
        await answer_quietly(query, t("seen_unavailable", lang))
        raise ApplicationHandlerStop
    await sighting(update, context, notice.id)
    raise ApplicationHandlerStop


def register(
    application: Application,  # type: ignore[type-arg]
    *,
    db: Database | None = None,
    desk: WantedDesk | None = None,
    wake: Callable[[], None] | None = None,
) -> None:
    """Add the wanted-notice handlers. ``db``, ``desk`` and ``wake`` (the outbox
    sender's) are for an Application without the full tinbao wiring (tests); otherwise
    ``bot_data["tinbao"]`` provides them."""
    if db is not None:
        application.bot_data["wanted_db"] = db
    if desk is not None:
        application.bot_data["wanted_desk"] = desk
    if wake is not None:
        application.bot_data["wanted_wake"] = wake
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
