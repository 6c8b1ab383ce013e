"""Who is talking: turn a channel user into a reporter row without storing the id in clear.

A reporter is reached only in their own private chat with the bot. For Telegram a private
chat's id *is* the user's id (positive); groups and channels have negative ids. A group
recorded as a reporter's chat would send their receipt, status and the police's questions
to everyone in it (issue 8: a citizen button pressed in a police group did exactly that),
so the rule is kept here, in the domain, whatever a front end passes in.
"""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag

from bot.crypto import IdentityBox
from bot.errors import WrongChat
from storage import reporters
from storage.db import Database, Tx
from storage.reporters import Reporter

log = logging.getLogger(__name__)
IDENTITY_CONTEXT = "reporter.identity"
PAYLOAD_CONTEXT = "outbox.payload"
PHONE_CONTEXT = "tip.contact"
REPAIR_BATCH = 500


@dataclass(frozen=True)
class Person:
    """A user of a channel as the channel describes them (plain values, no Telegram types)."""

    channel: str
    user_id: int
    chat_id: int
    first_name: str | None = None
    last_name: str | None = None
    username: str | None = None

    @property
    def in_private_chat(self) -> bool:
        """True when the chat is the person's own one-to-one chat with the bot (Telegram:
        the chat id equals the user id and is positive; a channel adapter without groups
        passes its user id as the chat id)."""
        return self.chat_id == self.user_id and self.user_id > 0


class NotPrivateChat(WrongChat, ValueError):
    """A reporter was to be found or recorded from a chat that is not their private one."""

    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason


def private_chat(channel: str, identity: dict[str, Any]) -> int | None:
    """The private chat in which a sealed identity is reached, or None if it has none.

    An identity written by an older version may name a group as its chat; for Telegram the
    private chat is the user id, so it is re-resolved rather than trusted."""
    user_id = int(identity.get("user_id") or 0)
    chat_id = int(identity.get("chat_id") or 0)
    if chat_id == user_id > 0:
        return chat_id
    if channel == "telegram" and user_id > 0:
        return user_id
    return None


class People:
    def __init__(self, box: IdentityBox, default_language: str) -> None:
        self.box = box
        self.default_language = default_language

    def subject(self, person: Person) -> str:
        return self.box.blind_index(person.channel, person.user_id)

    async def reporter_for(self, tx: Tx, person: Person) -> Reporter:
        """Find or create the reporter row; the identity is sealed before it is written.

        Refuses (:class:`NotPrivateChat`) a person writing from anywhere but their private
        chat, so a group can never become where a reporter is answered."""
        if not person.in_private_chat:
            raise NotPrivateChat(f"{person.channel} chat is not the user's private chat")
        found = await reporters.find(tx, self.subject(person))
        if found:
            return found
        sealed = self.box.seal(
            {
                "user_id": person.user_id,
                "chat_id": person.chat_id,
                "first_name": person.first_name,
                "last_name": person.last_name,
                "username": person.username,
            },
            context=IDENTITY_CONTEXT,
        )
        return await reporters.create(
            tx,
            channel=person.channel,
            blind_index=self.subject(person),
            identity_enc=sealed,
            language=self.default_language,
        )

    def chat_of(self, reporter: Reporter) -> int | None:
        """Where the bot reaches this reporter: always a private chat, or None (purged, or
        no private chat known). Every citizen-facing outbox row is addressed through here."""
        if not reporter.identity_enc:
            return None
        identity = self.box.open(reporter.identity_enc, context=IDENTITY_CONTEXT)
        chat = private_chat(reporter.channel, identity)
        if chat != identity.get("chat_id"):
            log.warning("reporter %s: stored chat is not private, re-resolved", reporter.id)
        return chat

    def repaired_identity(self, reporter: Reporter) -> bytes | None:
        """The identity re-sealed with its private chat, or None if it needs no change
        (or has no private chat to point to: then sending to it is refused instead)."""
        if not reporter.identity_enc:
            return None
        identity = self.box.open(reporter.identity_enc, context=IDENTITY_CONTEXT)
        chat = private_chat(reporter.channel, identity)
        if chat is None or chat == identity.get("chat_id"):
            return None
        return self.box.seal({**identity, "chat_id": chat}, context=IDENTITY_CONTEXT)

    def seal_phone(self, phone: str) -> bytes:
        return self.box.seal(phone, context=PHONE_CONTEXT)

    def open_phone(self, blob: bytes) -> str:
        return str(self.box.open(blob, context=PHONE_CONTEXT))

    def seal_payload(self, payload: dict[str, Any]) -> dict[str, Any]:
        """An outbox payload that may hold personal data, sealed for the database."""
        sealed = self.box.seal(payload, context=PAYLOAD_CONTEXT)
        return {"sealed": base64.b64encode(sealed).decode()}

    def open_payload(self, payload: dict[str, Any]) -> dict[str, Any]:
        if "sealed" not in payload:
            return payload
        opened = self.box.open(base64.b64decode(payload["sealed"]), context=PAYLOAD_CONTEXT)
        return dict(opened)


async def repair_reporter_chats(db: Database, people: People) -> int:
    """Start-up pass that finishes migration 0005: re-seal every marked identity whose chat
    is a group with the reporter's private chat. Returns how many rows changed.

    Why a Python pass after the SQL migration and not the migration itself: the chat is
    inside the AES-GCM sealed identity and only the running bot holds the key (settings),
    while migrations run in ``Database.open`` without it. The migration marks the rows, so
    this pass does its work once, survives a crash half-way (each batch commits with its
    marks; the rest stays marked) and costs one indexed empty query on later starts. A row
    that cannot be opened (a foreign key, damaged bytes) is logged and left marked;
    ``People.chat_of`` keeps such a reporter from ever being addressed in a group anyway.
    """
    changed = 0
    after = 0
    while True:
        async with db.transaction() as tx:
            batch = await reporters.unchecked_chats(tx, after, REPAIR_BATCH)
            for reporter in batch:
                after = reporter.id
                try:
                    repaired = people.repaired_identity(reporter)
                except (InvalidTag, ValueError):
                    log.warning("reporter %s: identity cannot be opened, left marked", reporter.id)
                    continue
                await reporters.mark_chat_checked(tx, reporter.id, repaired)
                changed += repaired is not None
        if len(batch) < REPAIR_BATCH:
            break
    if changed:
        log.info("repaired the reply chat of %d reporter(s)", changed)
    return changed
