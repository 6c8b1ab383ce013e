"""Zalo's side of the durable inbox: events the webhook stored become the same domain
calls the Telegram handlers make, under the event's key.

- ``user_send_text``: a command (``/baotin``), a press (an OA button's payload, the
  number or the words of an option showing: :mod:`handlers.zalo.choices`), a phone
  number typed where one is asked for, or a text;
- ``user_send_image``/``_video``/``_audio``/``_file``: evidence, downloaded at once
  where the dialogue takes files (:mod:`handlers.zalo.attachments`);
- ``user_send_location``: the phone's location (the nearest commune is offered);
- ``user_submit_info``: the phone number shared through Zalo's user-info form;
- ``follow``: the start menu, as ``/start`` shows it.

A press has no callback query to answer on Zalo: a refusal the domain gives as a pop-up
on Telegram (a stale button) is written to the citizen as a message instead.

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

from bot import reach, wanted
from bot.dialogue import (
    Command,
    ContactIn,
    Event,
    LocationIn,
    MediaIn,
    Outcome,
    Press,
    TextIn,
    Unsupported,
)
from bot.errors import TinbaoError
from bot.inbox import Event as InboxEvent
from bot.inbox import Inbox, Paused, Unreadable
from bot.metrics import UPDATES
from bot.people import Person
from bot.replies import Origin, answer_failure
from bot.services import Services
from bot.tip_form import check_media
from config.texts import t
from handlers.zalo import attachments, choices
from handlers.zalo.events import CHANNEL, KNOWN_EVENTS, MEDIA_KINDS, TEXT, event_key, lane_of
from handlers.zalo.events import user_of as zalo_user
from storage import dialogues, reporters
from storage.db import Tx

log = logging.getLogger(__name__)

MAX_TEXT = 4097  # more than any step accepts: the step says "too long", not a crash
PAUSE_SECONDS = 30.0  # how often a full disk is looked at again
APPLIED = frozenset({TEXT, *MEDIA_KINDS, "follow", "user_submit_info"})
FILE_STEPS = frozenset({"evidence", "relay"})  # where the dialogue takes files
BROWSE = frozenset({"dstruyna", "wanted", "truyna"})  # as on Telegram: the notices
SEARCH = "timtruyna"
NOTICE = "zalo_notice"  # a message that leaves the options showing as they were


def person_of(event: dict[str, Any]) -> Person | None:
    uid = zalo_user(event)
    if uid is None:
        return None
    user_id = int(uid)
    return Person(CHANNEL, user_id, user_id) if user_id > 0 else None


def dialogue_event(text: str) -> Event:
    """What the citizen typed, options aside. A leading slash is a command as on
    Telegram (``/baotin``)."""
    if text.startswith("/"):
        head, _, arg = text.partition(" ")
        return Command(head[1:].lower(), arg)
    return TextIn(text[:MAX_TEXT])


def location_of(event: dict[str, Any]) -> LocationIn | None:
    """``message.attachments[0].payload.coordinates`` (numbers, or numbers as text)."""
    message = event.get("message")
    found = message.get("attachments") if isinstance(message, dict) else None
    if not isinstance(found, list) or not found or not isinstance(found[0], dict):
        return None
    payload = found[0].get("payload")
    coordinates = payload.get("coordinates") if isinstance(payload, dict) else None
    if not isinstance(coordinates, dict):
        return None
    try:
        lat = float(coordinates["latitude"])
        lon = float(coordinates["longitude"])
    except (KeyError, TypeError, ValueError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return LocationIn(lat, lon)


def submitted_phone(event: dict[str, Any]) -> str | None:
    """``info.phone`` of a ``user_submit_info`` (Zalo writes ``84…``)."""
    info = event.get("info")
    phone = info.get("phone") if isinstance(info, dict) else None
    if isinstance(phone, int) and not isinstance(phone, bool):
        phone = str(phone)
    if not isinstance(phone, str):
        return None
    return choices.phone_in(phone)


class ZaloInbox:
    """Stores Zalo events (for the webhook) and applies them (for the inbox worker)."""

    def __init__(
        self,
        services: Services,
        inbox: Inbox,
        *,
        disk_low: Callable[[], bool] | None = None,
        download_timeout: float = attachments.DOWNLOAD_TIMEOUT,
    ) -> None:
        self.services = services
        self.inbox = inbox
        self.disk_low = disk_low
        self.download_timeout = download_timeout
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
        if name not in APPLIED:
            UPDATES.labels(CHANNEL, kind, "done").inc()
            return  # unfollow, receipts, ...: nothing a citizen asked for
        person = person_of(event.body)
        if person is None:
            UPDATES.labels(CHANNEL, kind, "refused").inc()
            raise Unreadable(f"{name} without a user id")
        if self.disk_low is not None and await asyncio.to_thread(self.disk_low):
            # No answer could be written: the event waits, untouched (Zalo has its 200).
            raise Paused(PAUSE_SECONDS)
        if name.startswith("user_send_"):
            # What the citizen sent opens Zalo's 7-day window: held messages go now.
            await reach.person_wrote(self.services, person)
        try:
            await self._apply(person, name, event)
        except TinbaoError as error:  # a definite answer: told, not tried again
            log.info("zalo event refused: %s", type(error).__name__)
            await self._refusal(person, error, event.key)
        UPDATES.labels(CHANNEL, kind, "done").inc()

    async def _apply(self, person: Person, name: str, event: InboxEvent) -> None:
        body = event.body
        domain: Event | choices.Picked | None
        if name == "follow":
            domain = Command("start")
        elif name == TEXT:
            message = body.get("message")
            text = message.get("text") if isinstance(message, dict) else None
            if not isinstance(text, str):
                UPDATES.labels(CHANNEL, name, "refused").inc()
                raise Unreadable("user_send_text without a text")
            domain = await self._read_text(person, text)
        elif name == "user_submit_info":
            phone = submitted_phone(body)
            domain = ContactIn(phone, own=True) if phone else Unsupported("contact")
        elif name == "user_send_location":
            domain = location_of(body) or Unsupported("location")
        elif name in attachments.KINDS:
            domain = await self._evidence(person, event)
        else:
            domain = Unsupported(MEDIA_KINDS[name])
        if domain is None:
            return  # answered already (a file that could not be taken)
        if isinstance(domain, choices.Picked):
            await self._press(person, domain, event.key)
        elif isinstance(domain, Command) and domain.name in BROWSE | {SEARCH}:
            await self._wanted_command(person, domain, event.key)
        else:
            await self._handle(person, domain, event.key)

    # ------------------------------------------------------------------ texts ------
    async def _read_text(self, person: Person, text: str) -> Event | choices.Picked:
        if text.startswith("/"):
            return dialogue_event(text)
        services = self.services
        reporter_id = await self._reporter_id(person)
        if reporter_id is None:
            shown = choices.Shown()
        else:
            shown = await choices.shown_to(services.db, services.people, reporter_id)
        picked = choices.read(shown, text)
        if picked is not None:
            return picked
        if shown.asks == "contact":
            phone = choices.phone_in(text)
            if phone is not None:  # typed where the number is asked for
                return ContactIn(phone, own=True)
        return dialogue_event(text)

    async def _reporter_id(self, person: Person) -> int | None:
        services = self.services
        async with services.db.read() as tx:
            found = await reporters.find(tx, services.people.subject(person))
        return found.id if found else None

    # ------------------------------------------------------------------ presses ----
    async def _press(self, person: Person, picked: choices.Picked, key: str) -> None:
        services = self.services
        press = picked.press
        if picked.scope == "w":
            await self._wanted_press(person, press, key)
            return
        # With notices on record a sighting starts from the notice, as on Telegram.
        wanted_menu = press.action == "menu" and press.value == "wanted"
        if wanted_menu and (await wanted.browse(services.db, 0, 1)).items:
            await self._show_notices(person, 0, key)
            return
        await self._handle(person, press, key)

    async def _wanted_press(self, person: Person, press: Press, key: str) -> None:
        services = self.services
        lang = await services.language_of(person)
        number = int(press.value) if press.value.isascii() and press.value.isdigit() else -1
        if press.action == "page" and 0 <= number < 10**6:
            await self._show_notices(person, number, key)
            return
        notice = await wanted.active_notice(services.db, number) if press.action == "seen" else None
        if notice is None:  # forged, stale, or withdrawn since the card was sent
            await self._notice(person, t("not_active", lang), key)
            return
        outcome = await services.intake.start_sighting(
            person, notice.id, notice.full_name, notice.dangerous, idempotency_key=key
        )
        await self._after(person, outcome, key)

    async def _wanted_command(self, person: Person, command: Command, key: str) -> None:
        services = self.services
        origin = Origin(person.chat_id, person)
        if command.name == SEARCH:
            lang = await services.language_of(person)
            query = command.arg[: wanted.MAX_QUERY_LENGTH]
            if await services.wanted_desk.search(origin, lang, query, key=key):
                services.outbox_ready()
            return
        arg = command.arg.strip()
        page = int(arg) - 1 if arg.isascii() and arg.isdigit() and len(arg) < 7 else 0
        await self._show_notices(person, max(page, 0), key)

    async def _show_notices(self, person: Person, page: int, key: str) -> None:
        services = self.services
        lang = await services.language_of(person)
        origin = Origin(person.chat_id, person)
        if await services.wanted_desk.show_page(origin, lang, page, key=key):
            services.outbox_ready()

    # ------------------------------------------------------------------ evidence ---
    async def _evidence(self, person: Person, event: InboxEvent) -> Event | None:
        """The file, downloaded and stored, where the dialogue takes files; elsewhere
        the step says what it takes, with nothing fetched."""
        name = str(event.body.get("event_name"))
        found = attachments.attachment_of(event.body)
        if found is None or await self._step(person) not in FILE_STEPS:
            return Unsupported(MEDIA_KINDS[name])
        services = self.services
        settings = services.settings
        lang = await services.language_of(person)
        declared = found.declared()
        if declared.kind == "document" and declared.mime_type is None:
            # The name says nothing of the type: the server's answer will.
            allowed = settings.document_mime_types[0] if settings.document_mime_types else None
            declared = MediaIn("document", "", "", allowed, found.size)
        problem = check_media(settings, declared, lang)
        if problem is not None:
            await self._notice(person, problem, event.key)
            return None
        limit = settings.max_attachment_mb * 1024 * 1024
        try:
            data, served = await attachments.download(
                found.url, limit=limit, seconds=self.download_timeout
            )
        except attachments.DownloadFailed as failed:
            if failed.reason == "too_big":
                mb = round((failed.size or limit + 1) / 1024 / 1024, 1)
                text = t("file_too_big", lang, mb=mb, max=settings.max_attachment_mb)
            else:
                text = t("zalo_file_unreachable", lang)
            await self._notice(person, text, event.key)
            return None
        mime = found.mime_type or served
        file = attachments.stored(found, event.key, data, mime, services.people.box)
        media = attachments.media_in(file)
        problem = check_media(settings, media, lang)
        if problem is not None:
            await self._notice(person, problem, event.key)
            return None
        async with services.db.transaction() as tx:
            await attachments.keep(tx, file, services.people.box)
        return media

    async def _step(self, person: Person) -> str | None:
        services = self.services
        async with services.db.read() as tx:
            stored = await dialogues.load(tx, services.people.subject(person))
        return stored[0] if stored else None

    # ------------------------------------------------------------------ answers ----
    async def _handle(self, person: Person, domain: Event, key: str) -> None:
        outcome = await self.services.intake.handle(person, domain, idempotency_key=key)
        await self._after(person, outcome, key)

    async def _after(self, person: Person, outcome: Outcome, key: str) -> None:
        """What Telegram shows as a pop-up (a stale press) is a message on Zalo."""
        services = self.services
        if outcome.queued or outcome.tip_code:
            services.outbox_ready()
        if outcome.alert and not outcome.screens and not outcome.duplicate:
            await self._notice(person, outcome.alert, key)

    async def _notice(self, person: Person, text: str, key: str) -> None:
        """A message under its own key (the event's own may be spent on the step)."""
        origin = Origin(person.chat_id, person)
        if await self.services.replies.say(origin, text, key=f"{key}:notice", purpose=NOTICE):
            self.services.outbox_ready()

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
