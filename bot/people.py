"""Who is talking: turn a channel user into a reporter row without storing the id in clear."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from bot.crypto import IdentityBox
from storage import reporters
from storage.db import Tx
from storage.reporters import Reporter

IDENTITY_CONTEXT = "reporter.identity"
PAYLOAD_CONTEXT = "outbox.payload"
PHONE_CONTEXT = "tip.contact"


@dataclass(frozen=True)
class Person:
    """A user of a channel as the channel describes them (plain values, no Telegram types)."""

    channel: str
    user_id: int
    chat_id: int
    first_name: str | None = None
    last_name: str | None = None
    username: str | None = None


class People:
    def __init__(self, box: IdentityBox, default_language: str) -> None:
        self.box = box
        self.default_language = default_language

    def subject(self, person: Person) -> str:
        return self.box.blind_index(person.channel, person.user_id)

    async def reporter_for(self, tx: Tx, person: Person) -> Reporter:
        """Find or create the reporter row; the identity is sealed before it is written."""
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
        """Where the bot reaches this reporter (None once purged)."""
        if not reporter.identity_enc:
            return None
        identity = self.box.open(reporter.identity_enc, context=IDENTITY_CONTEXT)
        return int(identity["chat_id"])

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
