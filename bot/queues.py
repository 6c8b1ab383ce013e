"""Commune police queues: officers' actions on tips, the anonymous relay, the views.

Every action runs in one transaction that re-reads the officer and the tip from the
database (callback data only names a tip; it never grants anything), checks the
transition, updates the tip, writes its audit event, and enqueues the card edits, the
citizen's notification and what the officer sees (prompts, lists, previews, the pressed
message settled) as outbox rows; only the pop-up answer to a press is left to the
handler. A second press of the same button finds the tip already moved on and answers
with its current state, changing nothing; a redelivered update finds its key taken. A
refusal (not allowed, a stale or forged button) is a :mod:`bot.errors` error raised
before anything changes and answered with its text.
"""

from __future__ import annotations

from datetime import datetime

from bot import receipt
from bot.cards import OUTCOMES, outcome_buttons
from bot.clock import Clock
from bot.dialogue import Screen
from bot.dispatch import CardDispatch
from bot.errors import NotFound, StaleButton, TinbaoError
from bot.lifecycle import TRANSITIONS, Lifecycle, allowed
from bot.officer_relay import OfficerRelay
from bot.places import PlaceSearch
from bot.prompts import Prompts
from bot.queue_reply import Pressed, Reply, show
from bot.queue_views import QueueViews
from config.settings import Settings
from config.texts import t
from storage import tips
from storage.db import AlreadyProcessed, Database, Tx, utc_text
from storage.officers import Officer

LANG = "vi"
ACTIONS = ("ack", "take", "ask", "transfer", "close", "outcome", "xfer", "asksend", "askcancel")


class QueueService:
    """One entry for the police channel: a press or a reply becomes one transaction,
    handed to the part that does the work: the lifecycle (bot/lifecycle.py), the
    prompts (bot/prompts.py), the relay (bot/officer_relay.py) or the views
    (bot/queue_views.py)."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        places: PlaceSearch,
        clock: Clock,
        dispatch: CardDispatch,
    ) -> None:
        self.db = db
        self.clock = clock
        self.dispatch = dispatch
        self.lifecycle = Lifecycle(settings, clock, dispatch)
        self.relay = OfficerRelay(clock, self.lifecycle)
        self.prompts = Prompts(settings, places, clock, self.lifecycle, self.relay)
        self.views = QueueViews(db, settings, clock, self.lifecycle)
        # what the callers reach through this service, done where it belongs
        self.tip_view = self.views.tip_view
        self.queue_view = self.views.queue_view
        self.turn_page = self.views.turn_page
        self.relay_from_reporter = self.relay.relay_from_reporter
        self.close_sightings = self.lifecycle.close_sightings

    async def press(
        self,
        *,
        user_id: int,
        chat_id: int,
        action: str,
        value: str,
        update_key: str | None,
        pressed: Pressed | None = None,
    ) -> Reply:
        """A button on a card (or a follow-up list). ``value`` is untrusted text."""
        tip_part, _, arg = value.partition(":")
        if action not in ACTIONS or not tip_part.isdigit() or len(tip_part) > 12:
            return Reply(alert=StaleButton().text(LANG))
        tip_id = int(tip_part)
        try:
            async with self.db.transaction(update_key) as tx:
                tip = await tips.by_id(tx, tip_id)
                officer = await self.lifecycle.authorize(tx, user_id, tip)
                assert tip is not None
                reply = await self._act(tx, officer, tip, chat_id, action, arg)
                reply.clear_pressed = reply.changed and action in ("outcome", "xfer")
                await show(tx, self.dispatch.people, self.clock, chat_id, reply, pressed)
                return reply
        except AlreadyProcessed:
            return Reply()
        except TinbaoError as refused:  # raised before anything changed: nothing to keep
            return Reply(alert=refused.text(LANG))

    async def _act(
        self, tx: Tx, officer: Officer, tip: tips.Tip, chat_id: int, action: str, arg: str
    ) -> Reply:
        at = utc_text(self.clock())
        code = receipt.display(tip.code)
        if action == "outcome":
            return await self._close(tx, officer, tip, chat_id, arg, at)
        if action == "xfer":
            if not arg.isdigit() or len(arg) > 12:  # an id SQLite can hold
                raise StaleButton()
            return await self.lifecycle.transfer(tx, officer, tip, int(arg), at)
        if action in ("asksend", "askcancel"):
            return await self.prompts.confirm_question(tx, officer, tip, chat_id, action, arg, at)
        if action not in TRANSITIONS:
            raise StaleButton()
        if not allowed(action, tip.status):
            return await self.lifecycle.stale(tx, tip, at)  # show the truth on a stale card
        if action in ("ack", "take"):
            return await self.lifecycle.acknowledge(tx, officer, tip, action, at)
        if action == "ask":
            if tip.reporter_id is None:
                raise NotFound()
            return await self.prompts.open(tx, officer, tip, chat_id, "ask", at)
        if action == "transfer":
            return await self.prompts.open(tx, officer, tip, chat_id, "transfer", at)
        # close: choose the outcome
        return Reply(screens=[Screen(t("q_pick_outcome", LANG, code=code), outcome_buttons(tip))])

    async def _close(
        self, tx: Tx, officer: Officer, tip: tips.Tip, chat_id: int, outcome: str, at: str
    ) -> Reply:
        if outcome not in OUTCOMES:
            raise StaleButton()
        if not allowed("close", tip.status):
            return await self.lifecycle.stale(tx, tip, at)
        if outcome == "duplicate":
            return await self.prompts.open(tx, officer, tip, chat_id, "duplicate", at)
        return await self.lifecycle.close(tx, officer, tip, outcome, at, duplicate_of=None)

    async def officer_text(
        self,
        *,
        user_id: int,
        chat_id: int,
        reply_to: int | None,
        text: str,
        update_key: str | None,
        reply_to_bot_at: datetime | None = None,
    ) -> Reply | None:
        """A message in a police chat. It answers a prompt only if it is a reply to the
        bot's prompt message, by the officer who pressed, within ``prompt_minutes``;
        anything else is the group's own conversation and gets no answer (None). What
        the officer is shown is committed with the answer.

        ``reply_to_bot_at`` is when the replied-to message was sent, given only when it
        is the bot's own message (Telegram says so): a copy of the prompt whose id the
        bot never learnt (its answer was lost, so it was sent again) answers it too."""
        if reply_to is None:
            return None
        try:
            async with self.db.transaction(update_key) as tx:
                reply = await self.prompts.answer(
                    tx, user_id, chat_id, reply_to, text, reply_to_bot_at
                )
                if reply is not None:
                    await show(tx, self.dispatch.people, self.clock, chat_id, reply, None)
                return reply
        except AlreadyProcessed:
            return Reply()
