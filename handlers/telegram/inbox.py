"""Telegram's side of the durable inbox: long polling that stores every update before
its offset is confirmed, and the function that applies one stored update.

python-telegram-bot's own ``Updater`` advances the ``getUpdates`` offset as soon as it has
fetched a batch, before the updates are handled; a crash then loses them. Here the batch
is committed to the inbox first (one transaction, one fsync), and only the next
``getUpdates`` call, carrying the new offset, tells Telegram it may forget them.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
import warnings
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.error import (
    Conflict,
    EndPointNotFound,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import Application
from telegram.warnings import PTBDeprecationWarning, PTBUserWarning

from bot.crypto import IdentityBox
from bot.errors import TinbaoError
from bot.inbox import Event, HandlerFailed, Inbox, Paused, Unreadable
from bot.metrics import HANDLER_SECONDS, UPDATES
from bot.people import People, Person
from bot.replies import Origin, answer_failure
from config.texts import t
from storage.db import Tx

log = logging.getLogger(__name__)

PAUSE_SECONDS = 30.0  # how often a full disk is looked at again

CHANNEL = "telegram"
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]
_CHAT_HOLDERS = ("message", "edited_message", "channel_post", "my_chat_member", "chat_member")


_MESSAGES = (
    "message",
    "edited_message",
    "channel_post",
    "edited_channel_post",
    "business_message",
    "edited_business_message",
)


def _keyed(update_id: int, carries: str | None, box: IdentityBox) -> str:
    if carries is None:
        return f"tg:{update_id}"
    return f"tg:{update_id}:{box.blind_index('telegram-update', carries)[:20]}"


def event_key(raw: dict[str, Any], box: IdentityBox) -> str:
    """An update's key: its id *and* what it carries (the press, or the chat and message).
    Telegram's redelivery of an update has the same key; an update whose id was recycled
    (the sequence restarts at random after a quiet week; a self-hosted Bot API server
    keeps its own) does not, so it is applied instead of dropped as a repeat. What it
    carries (a private chat's id is a user id) enters only through the keyed blind index.
    It is also the idempotency key of the transaction that applies the update, which
    marks its inbox row done (``update_key`` computes the same from the parsed update)."""
    carries = None
    query = raw.get("callback_query")
    if isinstance(query, dict) and "id" in query:
        carries = f"cb:{query['id']}"
    else:
        for field in _MESSAGES:
            message = raw.get(field)
            if isinstance(message, dict) and isinstance(message.get("chat"), dict):
                carries = f"msg:{message['chat'].get('id')}:{message.get('message_id')}"
                break
    return _keyed(int(raw["update_id"]), carries, box)


def update_key(update: Update, box: IdentityBox) -> str:
    """:func:`event_key` of a parsed update: what handlers pass to their transaction."""
    carries = None
    if update.callback_query is not None:
        carries = f"cb:{update.callback_query.id}"
    elif (message := update.effective_message) is not None:
        carries = f"msg:{message.chat_id}:{message.message_id}"
    return _keyed(update.update_id, carries, box)


def lane_of(raw: dict[str, Any]) -> str:
    """Updates of one chat are applied in order; a button press belongs to the chat of the
    message it sits under. Anything else gets a lane of its own sender."""
    for field in _CHAT_HOLDERS:
        chat = (raw.get(field) or {}).get("chat")
        if isinstance(chat, dict) and "id" in chat:
            return f"tg:{chat['id']}"
    query = raw.get("callback_query") or {}
    chat = (query.get("message") or {}).get("chat")
    if isinstance(chat, dict) and "id" in chat:
        return f"tg:{chat['id']}"
    for value in raw.values():
        sender = value.get("from") if isinstance(value, dict) else None
        if isinstance(sender, dict) and "id" in sender:
            return f"tg:user:{sender['id']}"
    return "tg:other"


def to_event(raw: Any, box: IdentityBox) -> Event | None:
    if not isinstance(raw, dict) or not isinstance(raw.get("update_id"), int):
        return None
    return Event(event_key(raw, box), lane_of(raw), raw)


class TelegramInbox:
    """Wires one Application to the inbox: stores updates, applies them through the
    Application's handlers."""

    def __init__(
        self,
        app: Application,  # type: ignore[type-arg]
        inbox: Inbox,
        people: People,
        *,
        poll_timeout: int = 25,
        disk_low: Callable[[], bool] | None = None,
    ) -> None:
        self.app = app
        self.inbox = inbox
        self.people = people
        self.disk_low = disk_low
        self._told_paused: set[int] = set()  # chats told of the pause, until it ends
        self.poll_timeout = poll_timeout
        self.retry_base = 0.5
        """After n failed ``getUpdates`` in a row, wait ``retry_base * 2**n`` s (30 s at most)."""
        self._stopping = False
        self._errors: dict[int, BaseException] = {}
        inbox.register(CHANNEL, self.apply, on_failed=self.failed)
        app.add_error_handler(self._note_error)

    async def apply(self, event: Event) -> None:
        """Parse and handle one stored update. A handler's exception reaches the
        Application's error handlers, not its caller; it is noted there and raised here
        as :class:`HandlerFailed`, so the inbox tries the update again instead of
        marking it done; except a refusal (:class:`~bot.errors.TinbaoError`) the error
        handler has answered, a definite answer that another try would only repeat."""
        kind = next((k for k in event.body if k != "update_id"), "other")
        try:
            update = self._parse(event)
        except Unreadable:
            UPDATES.labels(CHANNEL, kind, "refused").inc()
            raise
        if self.disk_low is not None and await asyncio.to_thread(self.disk_low):
            await self._tell_paused(update)
            raise Paused(PAUSE_SECONDS)
        self._told_paused.clear()
        started = time.perf_counter()
        try:
            await self.app.process_update(update)
        finally:
            error = self._errors.pop(id(update), None)
            HANDLER_SECONDS.labels(CHANNEL).observe(time.perf_counter() - started)
        failed = error is not None and not (isinstance(error, TinbaoError) and error.answered)
        UPDATES.labels(CHANNEL, kind, "failed" if failed else "done").inc()
        if failed:
            raise HandlerFailed(type(error).__name__)  # a refusal answered is handled

    async def failed(self, tx: Tx, event: Event) -> None:
        """Its last try failed: tell the sender (in the transaction that sets it aside)."""
        update = self._parse(event)
        chat, user = update.effective_chat, update.effective_user
        if chat is None:
            return
        person = None
        if user is not None and not user.is_bot:
            person = Person(CHANNEL, user.id, chat.id, user.first_name, user.last_name)
        message = update.effective_message
        origin = Origin(chat.id, person, message.message_id if message else None)
        await answer_failure(tx, self.people, origin)

    async def _tell_paused(self, update: Update) -> None:
        """The disk is full, so no answer can be written to the outbox: a citizen or an
        officer writing in private is told once, directly and best effort, that their
        message is kept (it is: the update stays pending until the disk has room)."""
        chat = update.effective_chat
        if chat is None or chat.type != "private" or chat.id in self._told_paused:
            return
        self._told_paused.add(chat.id)
        log.error("the disk is nearly full (TINBAO_MIN_FREE_DISK_MB): updates wait")
        try:
            await self.app.bot.send_message(
                chat.id, t("storage_paused", self.people.default_language)
            )
        except TelegramError as exc:
            log.warning("pause notice not sent (%s)", type(exc).__name__)

    def _parse(self, event: Event) -> Update:
        try:
            return Update.de_json(event.body, self.app.bot)
        except Exception as exc:  # a field of a newer Bot API, or a malformed update
            # only the exception's class: its text may quote the update's content
            raise Unreadable(f"unparsable update ({type(exc).__name__})") from None

    async def _note_error(self, update: object, context: Any) -> None:
        if isinstance(update, Update) and context.error is not None:
            self._errors[id(update)] = context.error

    async def accept(self, raws: list[Any]) -> int:
        """Store raw updates (as received over HTTP); returns how many were new."""
        events = [e for e in (to_event(raw, self.inbox.box) for raw in raws) if e is not None]
        return await self.inbox.accept(CHANNEL, events)

    def stop(self) -> None:
        self._stopping = True

    async def _delete_webhook(self) -> None:
        try:
            await self.app.bot.delete_webhook(drop_pending_updates=False)
        except TelegramError as exc:  # tried again on the next conflict
            log.warning("deleteWebhook failed (%s)", type(exc).__name__)
            await asyncio.sleep(self.retry_base)

    async def poll(self) -> None:
        """Long-poll ``getUpdates`` until stopped. The offset handed to Telegram only ever
        moves past updates the inbox has committed."""
        offset: int | None = None
        failures = 0
        bot = self.app.bot
        while not self._stopping:
            try:
                with warnings.catch_warnings():  # raw JSON on purpose: parsed when applied
                    warnings.simplefilter("ignore", PTBUserWarning)
                    raws = await bot.do_api_request(
                        "getUpdates",
                        api_kwargs={
                            "offset": offset,
                            "timeout": self.poll_timeout,
                            "allowed_updates": ALLOWED_UPDATES,
                        },
                        read_timeout=self.poll_timeout + 10,
                    )
            except InvalidToken:
                raise
            except EndPointNotFound as exc:
                # getUpdates exists: through do_api_request, PTB reports Telegram's 401/404
                # for a revoked or wrong token under this name.
                raise InvalidToken(exc.message) from None
            except RetryAfter as exc:
                await asyncio.sleep(_seconds(exc))
                continue
            except Conflict as exc:
                if "webhook" in exc.message.lower():
                    # Back from webhook mode: Telegram keeps what it has not delivered;
                    # an update it already delivered there is in the inbox (same key).
                    log.warning("a webhook is set; deleting it to poll instead")
                    await self._delete_webhook()
                    continue
                failures += 1
                delay = min(30.0, self.retry_base * 2 ** min(failures, 10))
                log.warning("getUpdates conflict (another poller?); again in %.1fs", delay)
                await asyncio.sleep(delay)
                continue
            except (NetworkError, TelegramError) as exc:
                failures += 1
                delay = min(30.0, self.retry_base * 2 ** min(failures, 10))
                log.warning("getUpdates failed (%s); again in %.1fs", type(exc).__name__, delay)
                await asyncio.sleep(delay)
                continue
            failures = 0
            if not isinstance(raws, list) or not raws:
                continue
            try:
                await self.accept(raws)
            except sqlite3.Error as exc:  # a full disk: Telegram keeps them (offset unmoved)
                log.error("updates not stored (%s); fetched again shortly", type(exc).__name__)
                await asyncio.sleep(PAUSE_SECONDS)
                continue
            ids = [r["update_id"] for r in raws if isinstance(r, dict) and "update_id" in r]
            if ids:
                offset = max(ids) + 1


def _seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22 warns that this becomes a timedelta
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        wait = exc.retry_after
    return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
