"""A reporter who cannot be reached now, and the moment they can be again.

Some channels let us write to a citizen only for a while after their last message (a
Zalo Official Account: 7 days). What the window is, and when a channel refuses, is the
channel adapter's knowledge; what follows is the domain's and the same for any channel:

* nothing addressed to the reporter is dropped or failed: their pending messages are
  *held* (still pending, in order), and so is whatever is written to them meanwhile;
* the units working their tips hear it once per tip, in reply to the tip's card, when
  a question or a status notice waits: the officer who asked must not believe the
  citizen has it;
* the moment the reporter writes again, in the transaction that records it, their held
  messages fall due at once and go in their order; once the last held question or notice
  of a tip has gone, the unit hears that it reached the citizen.

The police are told neither the channel nor anything of the reporter but the pseudonym
they already see on the card.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot import receipt
from bot.people import Person
from config.texts import t
from storage import cards, outbox, reporters, tips
from storage.db import Tx, utc_text

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)

LANG = "vi"
WAITED_ON = ("question", "notify", "notify_ack")
"""Purposes a unit waits on: an officer's question (bot/officer_relay.py) and the status
notices (bot/lifecycle.py). A held menu or receipt is not the unit's concern."""
PURPOSE = "reach"  # the units' notices written here


async def cannot_reach(tx: Tx, reporter_id: int, at: str, *, seen_inbound: str | None) -> bool:
    """The reporter's channel will not take our messages until they write again (as
    judged from ``seen_inbound``, their last message as the channel saw it): hold their
    pending rows and tell the units of tips whose question or notice now waits, once per
    tip. Returns False, holding nothing, when they wrote since that judgement (their
    message and the refusal crossed): the row is simply tried again."""
    current = await reporters.get(tx, reporter_id)
    if current is None or current.last_inbound_at != seen_inbound:
        return False
    await reporters.mark_unreachable(tx, reporter_id, at)
    await _hold(tx, reporter_id, at)
    return True


async def hold_new(tx: Tx, reporter_id: int, at: str) -> int:
    """Hold what was written for a reporter who is still unreachable (a new question,
    a notice), telling the units as :func:`cannot_reach` does. Returns how many rows."""
    current = await reporters.get(tx, reporter_id)
    if current is None or current.unreachable_since is None:
        return 0  # they wrote meanwhile: the rows go
    return await _hold(tx, reporter_id, at)


async def _hold(tx: Tx, reporter_id: int, at: str) -> int:
    told = await outbox.held_tips(tx, reporter_id, WAITED_ON)
    held = await outbox.hold(tx, reporter_id, at=at)
    for tip_id in dict.fromkeys(
        row.tip_id for row in held if row.purpose in WAITED_ON and row.tip_id is not None
    ):
        if tip_id is not None and tip_id not in told:
            await _tell_units(tx, tip_id, reporter_id, "q_reach_held", at)
    if held:
        log.info("reporter %s cannot be reached now: %d message(s) held", reporter_id, len(held))
    return len(held)


async def reporter_wrote(tx: Tx, reporter_id: int, at: str) -> int:
    """The reporter wrote at ``at``: record it, and make their held messages due now (in
    this same transaction). Returns how many fell due."""
    await reporters.wrote(tx, reporter_id, at)
    return await outbox.release(tx, reporter_id, at=at)


async def forget_purged(tx: Tx, at: str) -> int:
    """Reporters purged while unreachable will never write again: their held messages
    fall due, to be ended by the sender as undeliverable (a purged reporter has no
    address), instead of waiting for ever. Returns how many rows."""
    released = 0
    for reporter_id in await reporters.purged_unreachable(tx):
        await reporters.clear_unreachable(tx, reporter_id)
        released += await outbox.release(tx, reporter_id, at=at)
    return released


async def person_wrote(services: Services, person: Person) -> int:
    """:func:`reporter_wrote` now, for a person who may not be a reporter yet (their
    first message creates the reporter, with its time: nothing to record before); the
    senders are woken when held messages fell due."""
    async with services.db.transaction() as tx:
        found = await reporters.find(tx, services.people.subject(person))
        if found is None:
            return 0
        released = await reporter_wrote(tx, found.id, utc_text(services.clock()))
    if released:
        services.outbox_ready()
    return released


async def delivered(tx: Tx, row_id: int, at: str) -> None:
    """A row was delivered (recorded in ``tx``): if it was held and was the last held
    question or notice of its tip, the unit hears that what waited reached the citizen."""
    row = await outbox.held_row(tx, row_id)
    if row is None or row.tip_id is None or row.purpose not in WAITED_ON:
        return
    if await outbox.still_held(tx, row.reporter_id, row.tip_id, WAITED_ON, but=row_id):
        return
    await _tell_units(tx, row.tip_id, row.reporter_id, "q_reach_delivered", at)


async def _tell_units(tx: Tx, tip_id: int, reporter_id: int, key: str, at: str) -> None:
    """One notice in each group holding the tip's working card, as a reply to it."""
    code = await tips.code_of(tx, tip_id)
    reporter = await reporters.get(tx, reporter_id)
    text = t(
        key,
        LANG,
        code=receipt.display(code) if code else "?",
        pseudonym=reporter.pseudonym if reporter else "?",
    )
    for card in await cards.active(tx, tip_id):
        if card.kind != "queue":
            continue
        await outbox.enqueue_text(
            tx,
            text,
            at=at,
            purpose=PURPOSE,
            chat_id=card.chat_id,
            tip_id=tip_id,
            reply_to_outbox=card.outbox_id,
        )
