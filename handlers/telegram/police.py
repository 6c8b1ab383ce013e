"""Thin Telegram adapters for officers: card buttons, prompts, /join, /bind*, /tip, /queue.

Each parses the update, asks one service, which authorizes it against the database and
commits what the officer sees as outbox rows with the change itself (issue 9), wakes
the sender, and answers a button press inline (quick, best-effort). The only other Bot
API call is ``getChatMember`` before binding a group (a read of the bot's rights).
"""

from __future__ import annotations

import logging
import re

from telegram import Message, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.callbacks import Scope, decode, prefix
from bot.errors import StaleButton
from bot.queue_reply import Pressed
from config.texts import t
from handlers.telegram.commands import Callback, final, key_of, say
from handlers.telegram.common import origin_of
from handlers.telegram.context import Context, TinbaoApplication
from handlers.telegram.render import answer_quietly
from handlers.telegram.rights import missing_rights

log = logging.getLogger(__name__)
LANG = "vi"


async def _turn_page(update: Update, context: Context, value: str) -> None:
    query = update.callback_query
    user = update.effective_user
    if query is None or user is None or query.message is None:
        return
    app = context.services
    page = value.partition(":")[2]
    refused = await app.queues.turn_page(
        user_id=user.id,
        chat_id=query.message.chat.id,
        private=query.message.chat.type == "private",
        message_id=query.message.message_id,
        page=int(page) if page.isdigit() else 1,
        update_key=key_of(update, context),
    )
    app.outbox_ready()
    await answer_quietly(query, refused)


async def on_queue_button(update: Update, context: Context) -> None:
    query = update.callback_query
    user = update.effective_user
    if query is None or user is None or query.message is None:
        return
    app = context.services
    parsed = decode(query.data, Scope.QUEUE)
    if parsed is None:
        await answer_quietly(query, StaleButton().text(LANG))
        return
    if parsed.action == "page":
        await _turn_page(update, context, parsed.value)
        return
    message = query.message
    pressed = Pressed(message.message_id, message.text) if isinstance(message, Message) else None
    reply = await app.queues.press(
        user_id=user.id,
        chat_id=message.chat.id,
        action=parsed.action,
        value=parsed.value,
        update_key=key_of(update, context),
        pressed=pressed,
    )
    app.outbox_ready()  # card edits, notices, prompts: all committed with the press
    await answer_quietly(query, reply.alert, show_alert=bool(reply.alert) and not reply.changed)


async def on_group_text(update: Update, context: Context) -> None:
    """Officers answer prompts (question, transfer target, duplicate code) by replying to
    the bot's prompt message; every other message is the group's own conversation."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None or not message.text or message.text.startswith("/"):
        return
    app = context.services
    replied = message.reply_to_message
    author = replied.from_user if replied is not None else None
    by_bot = author is not None and author.id == context.bot.id
    reply = await app.queues.officer_text(
        user_id=user.id,
        chat_id=message.chat_id,
        reply_to=replied.message_id if replied else None,
        text=message.text[:4096],
        update_key=key_of(update, context),
        reply_to_bot_at=replied.date if replied is not None and by_bot else None,
    )
    if reply is not None:  # None: ordinary group chatter, not ours to answer
        app.outbox_ready()


async def on_join(update: Update, context: Context) -> None:
    origin = origin_of(update)
    user = update.effective_user
    if origin is None or user is None:
        return
    if not origin.private:
        await say(update, context, t("q_private_only", LANG))
        return
    if not context.args:
        await say(update, context, t("join_usage", LANG))
        return
    name = " ".join(p for p in (user.first_name, user.last_name) if p)
    app = context.services
    await app.staff.join(
        user_id=user.id,
        display_name=name or "?",
        code_text=context.args[0][:40],
        origin=origin,
        update_key=key_of(update, context),
    )
    app.outbox_ready()


async def _bind(update: Update, context: Context, purpose: str) -> None:
    message = update.effective_message
    user = update.effective_user
    origin = origin_of(update)
    if message is None or user is None or origin is None:
        return
    if message.chat.type not in ("group", "supergroup"):
        await say(update, context, t("q_group_only", LANG))
        return
    missing = await missing_rights(context.bot, message.chat_id)
    app = context.services
    await app.staff.bind(
        user_id=user.id,
        origin=origin,
        title=message.chat.title,
        purpose=purpose,
        missing_rights=missing,
        update_key=key_of(update, context),
    )
    app.outbox_ready()  # the answer, and tips that were waiting for a chat


async def on_bindqueue(update: Update, context: Context) -> None:
    await _bind(update, context, "queue")


async def on_bindduty(update: Update, context: Context) -> None:
    await _bind(update, context, "duty")


async def on_bindsupervisors(update: Update, context: Context) -> None:
    await _bind(update, context, "supervisors")


async def on_migration(update: Update, context: Context) -> None:
    """The service messages of a group's upgrade to a supergroup: ``migrate_to_chat_id``
    in the old group, ``migrate_from_chat_id`` in the new one (either may come first)."""
    message = update.effective_message
    if message is None:
        return
    if message.migrate_to_chat_id:
        old, new = message.chat_id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id:
        old, new = message.migrate_from_chat_id, message.chat_id
    else:  # pragma: no cover - the filter lets only these two through
        return
    app = context.services
    await app.staff.chat_migrated(
        old_chat_id=old, new_chat_id=new, update_key=key_of(update, context)
    )
    app.outbox_ready()


async def on_tip(update: Update, context: Context) -> None:
    origin = origin_of(update)
    user = update.effective_user
    if origin is None or user is None:
        return
    if not context.args:
        await say(update, context, t("q_tip_usage", LANG))
        return
    app = context.services
    await app.queues.tip_view(
        user_id=user.id,
        origin=origin,
        code_text=" ".join(context.args),
        update_key=key_of(update, context),
    )
    app.outbox_ready()


async def on_queue(update: Update, context: Context) -> None:
    origin = origin_of(update)
    user = update.effective_user
    if origin is None or user is None:
        return
    arg = context.args[0] if context.args else ""
    page = int(arg) if arg.isascii() and arg.isdecimal() else 1  # "²" must not reach int()
    app = context.services
    await app.queues.queue_view(
        user_id=user.id, origin=origin, page=page, update_key=key_of(update, context)
    )
    app.outbox_ready()


POLICE_COMMANDS: dict[str, Callback] = {
    "join": on_join,
    "bindqueue": on_bindqueue,
    "bindduty": on_bindduty,
    "bindsupervisors": on_bindsupervisors,
    "tip": on_tip,
    "queue": on_queue,
}


def register(application: TinbaoApplication) -> None:
    queue_buttons = "^" + re.escape(prefix(Scope.QUEUE))
    application.add_handler(CallbackQueryHandler(on_queue_button, pattern=queue_buttons), group=1)
    application.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, on_migration), group=0)
    for name, callback in POLICE_COMMANDS.items():
        application.add_handler(CommandHandler(name, final(callback)), group=0)
    application.add_handler(
        MessageHandler(
            filters.ChatType.GROUPS & filters.TEXT & filters.REPLY & ~filters.COMMAND,
            on_group_text,
        ),
        group=1,
    )
