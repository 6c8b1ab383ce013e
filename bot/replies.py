"""Answers to what people send, committed as outbox rows (issue 9; DESIGN.md rule 2).

No handler calls the Bot API to answer. The service that handles an update writes the
answer into the outbox in the transaction that carries the update's idempotency key,
together with the change it reports, and the sender delivers it: a crash or a failing
Bot API after the commit delays the answer, never loses it, and a redelivered update
finds its key taken and answers nothing twice.

Who is answered where:

- a group, by its chat id; an answer to a command is a reply to it (as a Telegram client
  shows answers in a busy group);
- a private chat, by its chat id only when the person is an active officer (staff ids are
  kept in clear in ``officers`` anyway);
- anyone else in private (a citizen trying ``/queue``, a stranger guessing ``/join``
  codes, a citizen browsing wanted notices) through a reporter row, i.e. a sealed
  identity, with the payload sealed: no citizen's Telegram id sits in clear in the
  outbox, and what they asked is not readable there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.dialogue import Intent, Screen, screen_to_plain
from bot.people import People, Person
from config.texts import t
from storage import officers, outbox, reporters
from storage.db import AlreadyProcessed, Database, Tx


@dataclass(frozen=True)
class Origin:
    """Where an update came from: the chat, who wrote (None for a service message or a
    bot), and the message (the command, or the message whose button was pressed)."""

    chat_id: int
    person: Person | None = None
    message_id: int | None = None

    @property
    def private(self) -> bool:
        return self.person is not None and self.person.in_private_chat


@dataclass(frozen=True)
class Target:
    """An outbox recipient: ``chat_id`` or ``reporter_id`` (sealed payloads)."""

    chat_id: int | None = None
    reporter_id: int | None = None

    @property
    def sealed(self) -> bool:
        return self.reporter_id is not None

    def fields(self) -> dict[str, int]:
        if self.reporter_id is not None:
            return {"reporter_id": self.reporter_id}
        assert self.chat_id is not None
        return {"chat_id": self.chat_id}


async def target_of(tx: Tx, people: People, origin: Origin) -> Target:
    """Where to answer ``origin`` (see the module's docstring)."""
    person = origin.person
    if not origin.private or person is None:
        return Target(chat_id=origin.chat_id)
    if await officers.find_active(tx, person.user_id) is not None:
        return Target(chat_id=origin.chat_id)
    reporter = await people.reporter_for(tx, person)
    return Target(reporter_id=reporter.id)


async def post(
    tx: Tx,
    people: People,
    target: Target,
    plain: dict[str, Any],
    *,
    intent: Intent = Intent.SHOW,
    purpose: str,
    seal: bool = False,
    at: str | None = None,
    tip_id: int | None = None,
    reply_to_outbox: int | None = None,
    edit_of_outbox: int | None = None,
) -> int:
    """One outbox row: ``intent`` with ``plain`` values (:mod:`bot.dialogue`), rendered
    by the channel only when sent. Rows to a reporter are always sealed; ``seal`` seals a
    row to a chat too (a card that quotes a citizen, an officer's screen that quotes words
    meant for one)."""
    if seal or target.sealed:
        plain = people.seal_payload(plain)
    return await outbox.enqueue(
        tx,
        at=at or tx.now_text(),
        method=intent.value,
        payload=plain,
        purpose=purpose,
        tip_id=tip_id,
        reply_to_outbox=reply_to_outbox,
        edit_of_outbox=edit_of_outbox,
        **target.fields(),
    )


async def enqueue_screen(
    tx: Tx,
    people: People,
    target: Target,
    screen: Screen,
    *,
    scope: str,
    purpose: str,
    seal: bool = False,
    tip_id: int | None = None,
    **options: Any,
) -> int:
    """One screen as an outbox row (``options``: see :func:`bot.dialogue.screen_to_plain`):
    shown, or, given the ``message_id`` of a message to replace, an edit."""
    intent = Intent.EDIT if options.get("message_id") is not None else Intent.SHOW
    return await post(
        tx,
        people,
        target,
        screen_to_plain(screen, scope, **options),
        intent=intent,
        purpose=purpose,
        seal=seal,
        tip_id=tip_id,
    )


async def answer(
    tx: Tx,
    people: People,
    origin: Origin,
    screens: list[Screen] | str,
    *,
    scope: str = "q",
    purpose: str = "reply",
    quote: bool = True,
    seal: bool = False,
) -> list[int]:
    """Answer ``origin`` with ``screens`` (a text is one screen), in the caller's
    transaction. In a group the first screen is a reply to the origin's message unless
    ``quote`` is off; ``seal`` seals rows to a chat too. Returns the outbox rows."""
    if isinstance(screens, str):
        screens = [Screen(screens)]
    target = await target_of(tx, people, origin)
    rows = []
    for index, screen in enumerate(screens):
        reply_to = None
        if quote and index == 0 and not origin.private and origin.message_id is not None:
            reply_to = origin.message_id
        rows.append(
            await enqueue_screen(
                tx,
                people,
                target,
                screen,
                scope=scope,
                purpose=purpose,
                seal=seal,
                reply_to_message_id=reply_to,
            )
        )
    return rows


async def answer_failure(tx: Tx, people: People, origin: Origin) -> None:
    """Tell whoever sent an update whose handling failed every time that nothing of it
    was kept and to send it again: in their language when they are a known reporter."""
    lang = people.default_language
    if origin.person is not None and origin.private:
        found = await reporters.find(tx, people.subject(origin.person))
        lang = found.language if found else lang
    await answer(tx, people, origin, t("update_failed", lang), purpose="failure")


class Replies:
    """For an answer that is the whole of what an update does (a usage hint, a refusal
    before any service is asked): committed under the update's key."""

    def __init__(self, db: Database, people: People) -> None:
        self.db = db
        self.people = people

    async def say(
        self,
        origin: Origin,
        screens: list[Screen] | str,
        *,
        key: str | None,
        scope: str = "q",
        purpose: str = "reply",
    ) -> int:
        """Returns how many rows were written (0: the update was handled before)."""
        try:
            async with self.db.transaction(key) as tx:
                return len(
                    await answer(tx, self.people, origin, screens, scope=scope, purpose=purpose)
                )
        except AlreadyProcessed:
            return 0
