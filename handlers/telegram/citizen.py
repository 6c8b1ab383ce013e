"""Thin Telegram adapters for the citizen's private chat: parse, call the intake, render."""

from __future__ import annotations

import logging

from telegram import Message, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
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
from bot.wanted import browse
from config.texts import t
from handlers.telegram.common import in_private, key_of, origin_of, person_of
from handlers.telegram.context import Context, TinbaoApplication
from handlers.telegram.render import answer_quietly
from handlers.telegram.wanted import show_page

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


async def on_private_message(update: Update, context: Context) -> None:
    message = update.effective_message
    person = person_of(update)
    if message is None or person is None:
        return
    app = context.services
    event = event_of(message)
    if isinstance(event, TextIn) and message.caption is None and len(event.text) > 4096:
        event = TextIn(event.text[:4097])  # Telegram never sends more; defensive cap
    outcome = await app.intake.handle(person, event, idempotency_key=key_of(update, context))
    if outcome.queued or outcome.tip_code:
        app.outbox_ready()


async def on_citizen_button(update: Update, context: Context) -> None:
    """Citizen buttons work only in the private chat. Pressed (or forged) anywhere else,
    e.g. on a card in a police group, they get a pop-up and nothing is posted, edited or
    stored: the presser must not become a reporter answered in that group."""
    query = update.callback_query
    person = person_of(update)
    if query is None or person is None:
        return
    app = context.services
    parsed = decode(query.data)
    if parsed is None or parsed.scope != "c":
        lang = await app.language_of(person)
        await query.answer(t("stale_button", lang), show_alert=True)
        return
    if not in_private(update):
        await query.answer(t("private_only", await app.language_of(person)), show_alert=True)
        return
    # With notices on record, a sighting starts from the notice (photo, warrant); without
    # any, the wanted-person report falls back to the plain dialogue.
    wanted_menu = parsed.action == "menu" and parsed.value == "wanted"
    if wanted_menu and query.message is not None and (await browse(app.db, 0, 1)).items:
        await answer_quietly(query, None)
        await show_page(update, context, 0)
        return
    outcome = await app.intake.handle(
        person,
        Press(parsed.action, parsed.value),
        idempotency_key=key_of(update, context),
    )
    if outcome.queued or outcome.tip_code:
        app.outbox_ready()
    await answer_quietly(query, outcome.alert)


async def on_group_citizen_command(update: Update, context: Context) -> None:
    """Citizens must never report in a group, where everyone would see it."""
    origin = origin_of(update)
    if origin is None or origin.person is None:
        return
    app = context.services
    lang = await app.language_of(origin.person)
    if await app.replies.say(origin, t("private_only", lang), key=key_of(update, context)):
        app.outbox_ready()


def register(application: TinbaoApplication) -> None:
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
