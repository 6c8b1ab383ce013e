"""Thin Telegram adapters for wanted-person notices: browse, search, "I have seen them".

Commands ``/dstruyna`` (browse, one notice per message with its photo) and ``/timtruyna
<name>`` (search) in private chats; inline buttons of the wanted scope of the one codec
(:mod:`bot.callbacks`: ``w1|page|<n>`` and ``w1|seen|<notice id>``). Callback data is
untrusted: every press re-reads the notice and acts only if it still exists and is in
force.

A sighting is an urgent tip linked to the notice: the intake service starts it, and the
citizen dialogue goes on from there.

Handlers sit in group 0 and stop the update there (``ApplicationHandlerStop``), so the
citizen dialogue's catch-alls in group 1 never see these commands and buttons. What they
show is committed to the outbox by :class:`bot.wanted_desk.WantedDesk` (issue 9); only
the answer to a button press is a Bot API call made here.
"""

from __future__ import annotations

import re
from typing import Any

from telegram import Message, Update
from telegram.ext import (
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    filters,
)

from bot import wanted
from bot.callbacks import Scope, decode, prefix
from bot.dialogue import Button
from bot.wanted_desk import Trim
from config.texts import t
from handlers.telegram.common import key_of, origin_of, person_of
from handlers.telegram.context import Context, TinbaoApplication
from handlers.telegram.render import answer_quietly

BROWSE_COMMAND = "dstruyna"
SEARCH_COMMAND = "timtruyna"


# ---------------------------------------------------------------- context helpers


def _key(update: Update, context: Context) -> str:
    return key_of(update, context)


async def _language(update: Update, context: Context) -> str:
    """The citizen's chosen language (the province's default for someone new)."""
    person = person_of(update)
    if person is None:
        return context.services.settings.default_language
    return await context.services.language_of(person)


async def _say(update: Update, context: Context, key: str) -> None:
    origin = origin_of(update)
    if origin is not None:
        text = t(key, await _language(update, context))
        if await context.services.wanted_desk.say(origin, text, key=_key(update, context)):
            context.services.outbox_ready()


def _trim_of(message: Any) -> Trim | None:
    """The pressed card's "seen" row, to keep when paging on from it."""
    if not isinstance(message, Message) or message.reply_markup is None:
        return None
    rows = []
    for row in message.reply_markup.inline_keyboard:
        kept = []
        for button in row:
            data = button.callback_data if isinstance(button.callback_data, str) else None
            pressed = decode(data, Scope.WANTED)
            if pressed is not None and pressed.action == "seen":
                kept.append(Button(button.text, pressed.action, pressed.value))
        if kept:
            rows.append(kept)
    return Trim(message.message_id, rows)


# ---------------------------------------------------------------- handlers


async def show_page(
    update: Update,
    context: Context,
    page_index: int,
    trim: Trim | None = None,
) -> None:
    """A page of notices (one notice per page), as outbox rows to the chat the update
    came from; the sender is woken."""
    origin = origin_of(update)
    if origin is None:
        return
    lang = await _language(update, context)
    if await context.services.wanted_desk.show_page(
        origin, lang, page_index, key=_key(update, context), trim=trim
    ):
        context.services.outbox_ready()


async def on_browse(update: Update, context: Context) -> None:
    """``/dstruyna [page]``: the active notices, one per message, dangerous ones first."""
    if update.effective_message is not None:
        args = context.args or []
        # ASCII digits only: "²".isdigit() is true, but int("²") raises.
        number = args[0] if args else ""
        page = int(number) - 1 if number.isascii() and number.isdigit() and len(number) < 7 else 0
        await show_page(update, context, page)
    raise ApplicationHandlerStop


async def on_search(update: Update, context: Context) -> None:
    """``/timtruyna <name>``: up to five matching cards, best first."""
    origin = origin_of(update)
    if origin is None:
        raise ApplicationHandlerStop
    lang = await _language(update, context)
    query = " ".join(context.args or [])[: wanted.MAX_QUERY_LENGTH]
    if await context.services.wanted_desk.search(origin, lang, query, key=_key(update, context)):
        context.services.outbox_ready()
    raise ApplicationHandlerStop


async def on_group_command(update: Update, context: Context) -> None:
    """Looking at wanted people and reporting one happens in private, never in a group."""
    await _say(update, context, "w_private_only")
    raise ApplicationHandlerStop


async def on_button(update: Update, context: Context) -> None:
    query = update.callback_query
    if query is None:
        raise ApplicationHandlerStop
    lang = await _language(update, context)
    parsed = decode(query.data, Scope.WANTED)
    message = query.message
    private = message is not None and message.chat.type == "private"
    if parsed is None or message is None:
        await answer_quietly(query, t("w_stale_button", lang))
        raise ApplicationHandlerStop
    action, value = parsed.action, parsed.number
    if not private:
        await answer_quietly(query, t("w_private_only", lang))
        raise ApplicationHandlerStop
    if action == "page":
        await answer_quietly(query, None)
        await show_page(update, context, value, trim=_trim_of(message))
        raise ApplicationHandlerStop
    notice = await wanted.active_notice(context.services.db, value)
    if notice is None:  # forged id, or withdrawn since the card was sent
        await answer_quietly(query, t("not_active", lang))
        raise ApplicationHandlerStop
    await on_sighting(update, context, notice.id)
    raise ApplicationHandlerStop


async def on_sighting(update: Update, context: Context, notice_id: int) -> None:
    """ "Tôi đã nhìn thấy người này" on a notice :func:`on_button` has just re-read and
    found in force: an urgent tip linked to the notice starts (the citizen dialogue goes
    on from there)."""
    query = update.callback_query
    person = person_of(update)
    if query is None or person is None:
        return
    services = context.services
    notice = await wanted.active_notice(services.db, notice_id)
    if notice is None:
        await answer_quietly(query, t("not_active", await _language(update, context)))
        return
    outcome = await services.intake.start_sighting(
        person,
        notice.id,
        notice.full_name,
        notice.dangerous,
        idempotency_key=key_of(update, context),
    )
    if outcome.queued:
        services.outbox_ready()
    await answer_quietly(query, outcome.alert)


def register(application: TinbaoApplication) -> None:
    """Add the wanted-notice handlers (group 0, before the citizen dialogue)."""
    commands = [BROWSE_COMMAND, SEARCH_COMMAND]
    private = filters.ChatType.PRIVATE
    # /wanted and /truyna browse the notices too, now that the registry exists.
    browse = [BROWSE_COMMAND, "wanted", "truyna"]
    application.add_handler(CommandHandler(browse, on_browse, private), group=0)
    application.add_handler(CommandHandler(SEARCH_COMMAND, on_search, private), group=0)
    application.add_handler(
        CommandHandler(commands, on_group_command, filters.ChatType.GROUPS), group=0
    )
    pattern = "^" + re.escape(prefix(Scope.WANTED))
    application.add_handler(CallbackQueryHandler(on_button, pattern=pattern), group=0)
