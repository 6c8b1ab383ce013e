"""Thin Telegram adapters for officers: card buttons, prompts, /join, /bind*, /tip, /queue."""

from __future__ import annotations

import logging

from telegram import ChatMemberAdministrator, ChatMemberOwner, ForceReply, Message, Update
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.callbacks import decode
from bot.queues import Reply
from bot.text import fit, split_text
from config.messages import t
from handlers.citizen import tinbao, update_key
from handlers.commands import Callback, final
from handlers.render import answer_quietly, edit_quietly, inline_markup, markup, settle_pressed

log = logging.getLogger(__name__)
LANG = "vi"


async def _render(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, reply: Reply, reply_to: int | None = None
) -> None:
    for screen in reply.screens:
        keyboard = markup(screen, scope="q")
        text = fit(screen.text)
        if reply.force_reply and keyboard is None:
            sent = await context.bot.send_message(
                chat_id,
                text,
                reply_markup=ForceReply(),
                reply_to_message_id=reply_to,
            )
            if reply.prompt_id is not None:
                await tinbao(context).queues.prompt_shown(reply.prompt_id, sent.message_id)
        else:
            await context.bot.send_message(chat_id, text, reply_markup=keyboard)


async def _turn_page(update: Update, context: ContextTypes.DEFAULT_TYPE, value: str) -> None:
    query = update.callback_query
    user = update.effective_user
    if query is None or user is None or query.message is None:
        return
    page = value.partition(":")[2]
    turned = await tinbao(context).queues.turn_page(
        user_id=user.id,
        chat_id=query.message.chat.id,
        private=query.message.chat.type == "private",
        message_id=query.message.message_id,
        page=int(page) if page.isascii() and page.isdecimal() else 1,
    )
    if isinstance(turned, str):
        await answer_quietly(query, turned, show_alert=True)
        return
    await answer_quietly(query)
    await edit_quietly(
        context.bot.edit_message_text(
            fit(turned.screen.text),
            query.message.chat.id,
            query.message.message_id,
            reply_markup=inline_markup(turned.screen, "q"),
        )
    )


async def on_queue_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    user = update.effective_user
    if query is None or user is None or query.message is None:
        return
    app = tinbao(context)
    parsed = decode(query.data)
    if parsed is None or parsed.scope != "q":
        await answer_quietly(query, t("stale_button", LANG), show_alert=True)
        return
    if parsed.action == "page":
        await _turn_page(update, context, parsed.value)
        return
    chat_id = query.message.chat.id
    reply = await app.queues.press(
        user_id=user.id,
        chat_id=chat_id,
        action=parsed.action,
        value=parsed.value,
        update_key=update_key(update, context),
    )
    await answer_quietly(query, reply.alert, show_alert=bool(reply.alert) and not reply.changed)
    if reply.changed:
        app.sender.wake()
    pressed = query.message if isinstance(query.message, Message) else None
    if pressed is not None and reply.settle is not None:
        await settle_pressed(context.bot, chat_id, pressed.message_id, pressed.text, reply.settle)
    elif pressed is not None and reply.changed and parsed.action in ("outcome", "xfer"):
        # the follow-up list (outcomes, units) has done its job
        await edit_quietly(context.bot.edit_message_reply_markup(chat_id, pressed.message_id))
    await _render(context, chat_id, reply, pressed.message_id if pressed else None)


async def on_group_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Officers answer prompts (question, transfer target, duplicate code) by replying to
    the bot's prompt message; every other message is the group's own conversation."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None or not message.text or message.text.startswith("/"):
        return
    app = tinbao(context)
    reply = await app.queues.officer_text(
        user_id=user.id,
        chat_id=message.chat_id,
        reply_to=message.reply_to_message.message_id if message.reply_to_message else None,
        text=message.text[:4096],
        update_key=update_key(update, context),
    )
    if reply is None:
        return  # ordinary group chatter: not ours to answer
    if reply.changed:
        app.sender.wake()
    await _render(context, message.chat_id, reply, message.message_id)


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
    app = tinbao(context)
    text = await app.staff.bind(
        user_id=user.id,
        chat_id=message.chat_id,
        title=message.chat.title,
        purpose=purpose,
        missing_rights=missing,
    )
    app.sender.wake()  # tips that were waiting for a chat may have just been given one
    await message.reply_text(text)


async def on_bindqueue(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _bind(update, context, "queue")


async def on_bindduty(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _bind(update, context, "duty")


async def on_bindsupervisors(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _bind(update, context, "supervisors")


async def on_migration(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
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
    app = tinbao(context)
    await app.staff.chat_migrated(
        old_chat_id=old, new_chat_id=new, update_key=f"tg:{update.update_id}"
    )
    app.sender.wake()


async def on_tip(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    if not context.args:
        await message.reply_text("/tip <mã tin báo>")
        return
    text = await tinbao(context).queues.tip_view(
        user_id=user.id,
        chat_id=message.chat_id,
        private=message.chat.type == "private",
        code_text=" ".join(context.args),
    )
    for part in split_text(text):  # a long history takes several messages
        await message.reply_text(part)


async def on_queue(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    arg = context.args[0] if context.args else ""
    page = int(arg) if arg.isascii() and arg.isdecimal() else 1  # "²" must not reach int()
    shown = await tinbao(context).queues.queue_view(
        user_id=user.id,
        chat_id=message.chat_id,
        private=message.chat.type == "private",
        page=page,
    )
    sent = await message.reply_text(shown.screen.text, reply_markup=markup(shown.screen, "q"))
    await tinbao(context).queues.page_shown(
        chat_id=message.chat_id, message_id=sent.message_id, shown=shown
    )


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
