"""Zalo's side of the durable inbox: events the webhook stored become the same domain
calls the Telegram handlers make (``services.intake.handle``), under the event's key.

A Zalo citizen's "private chat" is their per-OA user id (an OA conversation is always one
to one), so a Zalo person is ``Person("zalo", uid, uid)``. Zalo writes the id as a string
of digits; it is kept as a Python ``int``, which is exact at any length (a leading zero,
which Zalo's ids do not have, would be the only thing lost).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from bot import reach
from bot.dialogue import Command, Event, TextIn, Unsupported
from bot.errors import TinbaoError
from bot.inbox import Event as InboxEvent
from bot.inbox import Inbox, Paused, Unreadable
from bot.metrics import UPDATES
from bot.people import Person
from bot.replies import Origin, answer_failure
from bot.services import Services
from handlers.zalo.events import CHANNEL, KNOWN_EVENTS, MEDIA_KINDS, TEXT, event_key, lane_of
from handlers.zalo.events import user_of as zalo_user
from storage.db import Tx

log = logging.getLogger(__name__)

MAX_TEXT = 4097  # more than any step accepts: the step says "too long", not a crash
PAUSE_SECONDS = 30.0  # how often a full disk is looked at again


def person_of(event: dict[str, Any]) -> Person | None:
    uid = zalo_user(event)
    if uid is None:
        return None
    user_id = int(uid)
    return Person(CHANNEL, user_id, user_id) if user_id > 0 else None


def dialogue_event(text: str) -> Event:
    """What the citizen typed. A leading slash is a command as on Telegram (``/baotin``);
    numbered options and button payloads are read by the Zalo renderer's mapping, later."""
    if text.startswith("/"):
        head, _, arg = text.partition(" ")
        return Command(head[1:].lower(), arg)
    return TextIn(text[:MAX_TEXT])


class ZaloInbox:
    """Stores Zalo events (for the webhook) and applies them (for the inbox worker)."""

    def __init__(
        self,
        services: Services,
        inbox: Inbox,
        *,
        disk_low: Callable[[], bool] | None = None,
    ) -> None:
        self.services = services
        self.inbox = inbox
        self.disk_low = disk_low
        inbox.register(CHANNEL, self.apply, on_failed=self.failed)

    def to_event(self, raw: dict[str, Any]) -> InboxEvent:
        box = self.inbox.box
        return InboxEvent(event_key(raw, box), lane_of(raw, box), raw)

    async def accept(self, raws: list[dict[str, Any]]) -> int:
        """Store events (committed and synced when this returns); how many were new."""
        return await self.inbox.accept(CHANNEL, [self.to_event(raw) for raw in raws])

    async def apply(self, event: InboxEvent) -> None:
        name = str(event.body.get("event_name"))
        kind = name if name in KNOWN_EVENTS else "other"
        if name != TEXT and name not in MEDIA_KINDS:
            UPDATES.labels(CHANNEL, kind, "done").inc()
            return  # follow, receipts, ...: nothing a citizen asked for (yet)
        person = person_of(event.body)
        if person is None:
            UPDATES.labels(CHANNEL, kind, "refused").inc()
            raise Unreadable(f"{name} without a user id")
        if name == TEXT:
            message = event.body.get("message")
            text = message.get("text") if isinstance(message, dict) else None
            if not isinstance(text, str):
                UPDATES.labels(CHANNEL, kind, "refused").inc()
                raise Unreadable("user_send_text without a text")
            domain: Event = dialogue_event(text)
        else:
            # Evidence, places and contacts from Zalo come with the Zalo renderer and the
            # attachment download; until then the step says what it accepts.
            domain = Unsupported(MEDIA_KINDS[name])
        if self.disk_low is not None and await asyncio.to_thread(self.disk_low):
            # No answer could be written: the event waits, untouched (Zalo has its 200).
            raise Paused(PAUSE_SECONDS)
        await reach.person_wrote(self.services, person)  # held messages to them go now
        services = self.services
        try:
            outcome = await services.intake.handle(person, domain, idempotency_key=event.key)
        except TinbaoError as error:  # a definite answer: told, not tried again
            log.info("zalo event refused: %s", type(error).__name__)
            await self._refusal(person, error, event.key)
            UPDATES.labels(CHANNEL, kind, "done").inc()
            return
        if outcome.queued or outcome.tip_code:
            services.outbox_ready()
        UPDATES.labels(CHANNEL, kind, "done").inc()

    async def _refusal(self, person: Person, error: TinbaoError, key: str) -> None:
        services = self.services
        lang = await services.language_of(person)
        try:
            text = error.text(lang)
        except KeyError:
            text = TinbaoError().text(lang)
        if await services.replies.say(Origin(person.chat_id, person), text, key=key):
            services.outbox_ready()

    async def failed(self, tx: Tx, event: InboxEvent) -> None:
        """Its last try failed: the citizen is told to send it again."""
        person = person_of(event.body)
        if person is not None:
            await answer_failure(tx, self.services.people, Origin(person.chat_id, person))
