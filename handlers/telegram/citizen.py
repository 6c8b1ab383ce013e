"""Thin Telegram adapters for the citizen's private chat: parse, call the intake, render."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, cast

from telegram import Message, Update
from telegram.constants import ChatType
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.callbacks import decode
from bot.dialogue import (
    Command,
    ContactIn,
    Event,
    LocationIn,
    MediaIn,
    Press,
    TextIn,
    Unsupported,
)
from bot.people import Person
from bot.replies import Origin
from config.messages import t
from handlers.telegram.inbox import update_key
from handlers.telegram.render import answer_quietly

if TYPE_CHECKING:
    from handlers.telegram.app import Tinbao

log = logging.getLogger(__name__)

CITIZEN_COMMANDS = (
    "start",
    "help",
    "cancel",
    "language",
    "report",
    "baotin",
    "wanted",
    "truyna",
    "status",
    "tracuu",
    "menu",
)


def tinbao(context: ContextTypes.DEFAULT_TYPE) -> Tinbao:
    return cast("Tinbao", context.application.bot_data["tinbao"])


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


def event_of(message: Message) -> Event:
    """Classify what a citizen sent; the domain decides whether the step accepts it."""
    if message.text is not None:
        text = message.text
        if text.startswith("/"):
            head, _, arg = text.partition(" ")
            name = head[1:].split("@", 1)[0].lower()
            return Command(name if name in CITIZEN_COMMANDS else f"?{name}", arg)
        return TextIn(text)
    if message.location is not None:
        return LocationIn(message.location.latitude, message.location.longitude)
    if message.contact is not None:
        own = (
            message.contact.user_id is not None
            and message.from_user is not None
            and (message.contact.user_id == message.from_user.id)
        )
        return ContactIn(message.contact.phone_number, own)
    if message.photo:
        best = message.photo[-1]
        return MediaIn("photo", best.file_id, best.file_unique_id, "image/jpeg", best.file_size)
    for kind in ("video", "voice", "audio", "document"):
        media = getattr(message, kind)
        if media is not None:
            return MediaIn(
                kind,
                media.file_id,
                media.file_unique_id,
                getattr(media, "mime_type", None),
                media.file_size,
            )
    for kind in ("sticker", "animation", "video_note", "poll", "dice", "game", "venue"):
        if getattr(message, kind, None) is not None:
            return Unsupported(kind)
    return Unsupported("message")


async def on_private_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    person = person_of(update)
    if message is None or person is None:
        return
    app = tinbao(context)
    event = event_of(message)
    if isinstance(event, TextIn) and message.caption is None and len(event.text) > 4096:
        event = TextIn(event.text[:4097])  # Telegram never sends more; defensive cap
    outcome = await app.intake.handle(
        person, event, idempotency_key=update_key(update, tinbao(context).people.box)
    )
    if outcome.queued or outcome.tip_code:
        app.sender.wake()


def in_private(update: Update) -> bool:
    """The update comes from the user's own private chat with the bot (a button on an
    inline message has no chat and is not)."""
    chat = update.effective_chat
    return chat is not None and chat.type == ChatType.PRIVATE


async def on_citizen_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Citizen buttons work only in the private chat. Pressed (or forged) anywhere else,
    e.g. on a card in a police group, they get a pop-up and nothing is posted, edited or
    stored: the presser must not become a reporter answered in that group."""
    query = update.callback_query
    person = person_of(update)
    if query is None or person is None:
        return
    app = tinbao(context)
    parsed = decode(query.data)
    if parsed is None or parsed.scope != "c":
        lang = await app.language_of(person)
        await query.answer(t("stale_button", lang), show_alert=True)
        return
    if not in_private(update):
        await query.answer(t("private_only", await app.language_of(person)), show_alert=True)
        return
    if parsed.action == "menu" and parsed.value == "wanted" and query.message is not None:
        # With notices on record, a sighting starts from the notice (photo, warrant);
        # without any, the wanted-person report falls back to the plain dialogue.
        from bot.wanted import browse
        from handlers.telegram.wanted import show_page

        if (await browse(app.db, 0, 1)).items:
            await answer_quietly(query, None)
            await show_page(update, context, 0)
            return
    outcome = await app.intake.handle(
        person,
        Press(parsed.action, parsed.value),
        idempotency_key=update_key(update, tinbao(context).people.box),
    )
    if outcome.queued or outcome.tip_code:
        app.sender.wake()
    await answer_quietly(query, outcome.alert)


async def on_wanted_sighting(
    update: Update, context: ContextTypes.DEFAULT_TYPE, notice_id: int
) -> None:
    """ "Tôi đã nhìn thấy người này": start a sighting of an active notice (the wanted
    handler has already re-checked that it exists and is in force)."""
    from bot.wanted import active_notice

    query = update.callback_query
    person = person_of(update)
    if query is None or person is None or query.message is None:
        return
    app = tinbao(context)
    if not in_private(update):  # the wanted handler checks too; this is the citizen's door
        await query.answer(t("private_only", await app.language_of(person)), show_alert=True)
        return
    notice = await active_notice(app.db, notice_id)
    if notice is None:
        await query.answer(t("stale_button", await app.language_of(person)), show_alert=True)
        return
    outcome = await app.intake.start_sighting(
        person,
        notice.id,
        notice.full_name,
        notice.dangerous,
        idempotency_key=update_key(update, tinbao(context).people.box),
    )
    if outcome.queued:
        app.sender.wake()
    await answer_quietly(query, outcome.alert)


async def on_group_citizen_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Citizens must never report in a group, where everyone would see it."""
    origin = origin_of(update)
    if origin is None or origin.person is None:
        return
    app = tinbao(context)
    lang = await app.language_of(origin.person)
    if await app.replies.say(
        origin, t("private_only", lang), key=update_key(update, tinbao(context).people.box)
    ):
        app.sender.wake()


def register(application: Application) -> None:  # type: ignore[type-arg]
    private = filters.ChatType.PRIVATE
    # Every button that is not a police-queue button, forged and foreign ones included.
    application.add_handler(CallbackQueryHandler(on_citizen_button, pattern=r"^(?!q1\|)"), group=1)
    application.add_handler(
        CommandHandler(list(CITIZEN_COMMANDS), on_group_citizen_command, filters.ChatType.GROUPS),
        group=1,
    )
    application.add_handler(
        MessageHandler(private & ~filters.StatusUpdate.ALL, on_private_message), group=1
    )
