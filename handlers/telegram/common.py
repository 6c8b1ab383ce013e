"""What every Telegram handler needs from an update: who sent it, where to answer, its
idempotency key; and the one-line answer that is a whole reply."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType

from bot.people import Person
from bot.replies import Origin
from handlers.telegram.context import Context
from handlers.telegram.inbox import update_key


def person_of(update: Update) -> Person | None:
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None or user.is_bot:
        return None
    return Person("telegram", user.id, chat.id, user.first_name, user.last_name, user.username)


def origin_of(update: Update) -> Origin | None:
    """Where to answer an update: its chat, who sent it, and its message (the command,
    or the message whose button was pressed)."""
    chat = update.effective_chat
    if chat is None:
        return None
    message = update.effective_message
    return Origin(chat.id, person_of(update), message.message_id if message else None)


def in_private(update: Update) -> bool:
    """The update comes from the user's own private chat with the bot (a button on an
    inline message has no chat and is not)."""
    chat = update.effective_chat
    return chat is not None and chat.type == ChatType.PRIVATE


def key_of(update: Update, context: Context) -> str:
    """The update's idempotency key (its inbox event key)."""
    return update_key(update, context.services.people.box)


async def say(update: Update, context: Context, text: str) -> None:
    """A usage hint or a refusal that is the whole answer, committed under the key."""
    origin = origin_of(update)
    if origin is None:
        return
    services = context.services
    if await services.replies.say(origin, text, key=key_of(update, context)):
        services.outbox_ready()
