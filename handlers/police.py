"""Thin Telegram adapters for officers: card buttons, prompts, /join, /bind*, /tip, /queue."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import ChatMemberAdministrator, ChatMemberOwner, Message, Update
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.callbacks import decode
from config.messages import t
from handlers.citizen import tinbao
from handlers.render import answer_quietly, inline_markup, markup

log = logging.getLogger(__name__)
LANG = "vi"
Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]


async def on_queue_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    user = update.effective_user
    if query is None or user is None or query.message is None:
        return
    app = tinbao(context)
    parsed = decode(query.data)
    if parsed is None or parsed.scope != "q":
        await answer_quietly(query, t("stale_button", LANG))
        return
    chat_id = query.message.chat.id
    if parsed.action == "page":  # a read-only view: shown straight away, not committed
        page = parsed.value.partition(":")[2]
        screen = await app.queues.queue_view(
            user_id=user.id, chat_id=chat_id, page=int(page) if page.isdigit() else 1
        )
        await answer_quietly(query, None)
        if isinstance(query.message, Message):
            await context.bot.edit_message_text(
                screen.text,
                chat_id,
                query.message.message_id,
                reply_markup=inline_markup(screen, "q"),
            )
        return
    # What the press changes and the screens answering it (an outcome list, a prompt)
    # are committed together and leave through the outbox; only the pop-up is direct.
    reply = await app.queues.press(
        user_id=user.id,
        chat_id=chat_id,
        action=parsed.action,
        value=parsed.value,
        update_key=f"tg:{update.update_id}",
        message_id=query.message.message_id if isinstance(query.message, Message) else None,
    )
    if reply.changed or reply.queued:
        app.sender.wake()
    await answer_quietly(query, reply.alert, show_alert=bool(reply.alert) and not reply.changed)


async def on_group_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Officers answer prompts (question, transfer target, duplicate code) in the group."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None or not message.text or message.text.startswith("/"):
        return
    app = tinbao(context)
    reply = await app.queues.officer_text(
        user_id=user.id,
        chat_id=message.chat_id,
        text=message.text[:4096],
        update_key=f"tg:{update.update_id}",
        message_id=message.message_id,
    )
    if reply is None:
        return  # ordinary group chatter: not ours to answer
    if reply.changed or reply.queued:
        app.sender.wake()


async def on_join(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    if message.chat.type != "private":
        await message.reply_text(t("q_private_only", LANG))
        return
    if not context.args:
        await message.reply_text(t("join_usage", LANG))
        return
    name = " ".join(p for p in (user.first_name, user.last_name) if p)
    text = await tinbao(context).staff.join(
        user_id=user.id, display_name=name or "?", code_text=context.args[0][:40]
    )
    await message.reply_text(text)


async def _missing_rights(context: ContextTypes.DEFAULT_TYPE, chat_id: int) -> list[str]:
    """Ask Telegram whether the bot may post in the group. Cards need nothing else: the
    bot does not pin, and officers answer its prompts by replying, which reaches a bot
    even in privacy mode."""
    try:
        member = await context.bot.get_chat_member(chat_id, context.bot.id)
    except TelegramError as exc:
        log.warning("getChatMember failed: %s", exc)
        return ["send"]
    if isinstance(member, ChatMemberOwner | ChatMemberAdministrator):
        return []
    if member.status in (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED):
        return ["send"]
    if member.status == ChatMemberStatus.RESTRICTED and not getattr(
        member, "can_send_messages", True
    ):
        return ["send"]
    return []


async def _bind(update: Update, context: ContextTypes.DEFAULT_TYPE, purpose: str) -> None:
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    if message.chat.type not in ("group", "supergroup"):
        await message.reply_text(t("q_group_only", LANG))
        return
    missing = await _missing_rights(context, message.chat_id)
    text = await tinbao(context).staff.bind(
        user_id=user.id,
        chat_id=message.chat_id,
        title=message.chat.title,
        purpose=purpose,
        missing_rights=missing,
    )
    await message.reply_text(text)


async def on_bindqueue(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _bind(update, context, "queue")


async def on_bindduty(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _bind(update, context, "duty")


async def on_bindsupervisors(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _bind(update, context, "supervisors")


async def on_tip(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    if not context.args:
        await message.reply_text("/tip <mã tin báo>")
        return
    text = await tinbao(context).queues.tip_view(user_id=user.id, code_text=" ".join(context.args))
    await message.reply_text(text)


async def on_queue(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    page = int(context.args[0]) if context.args and context.args[0].isdigit() else 1
    screen = await tinbao(context).queues.queue_view(
        user_id=user.id, chat_id=message.chat_id, page=page
    )
    await message.reply_text(screen.text, reply_markup=markup(screen, "q"))


def _final(callback: Callback) -> Callback:
    """Police commands are answered here and nowhere else (not as a citizen's unknown
    command further down)."""

    async def wrapped(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await callback(update, context)
        raise ApplicationHandlerStop

    return wrapped


POLICE_COMMANDS: dict[str, Callback] = {
    "join": on_join,
    "bindqueue": on_bindqueue,
    "bindduty": on_bindduty,
    "bindsupervisors": on_bindsupervisors,
    "tip": on_tip,
    "queue": on_queue,
}


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CallbackQueryHandler(on_queue_button, pattern=r"^q1\|"), group=1)
    for name, callback in POLICE_COMMANDS.items():
        application.add_handler(CommandHandler(name, _final(callback)), group=0)
    application.add_handler(
        MessageHandler(filters.ChatType.GROUPS & filters.TEXT & ~filters.COMMAND, on_group_text),
        group=1,
    )
