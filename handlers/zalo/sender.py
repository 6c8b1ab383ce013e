"""Delivers one outbox row addressed to a Zalo citizen through the OA API: the screen
rendered for Zalo (numbered options, 2,000-character pieces), sent in order.

What a row ends as: ``sent`` (with Zalo's id of its last piece); pending again later
when Zalo may take it then (network, 5xx, an invalid token awaiting its refresh: Zalo
down for an hour loses nothing); ``held`` when the citizen is outside the OA's 7-day
window (their last message is older, or Zalo answers its own out-of-window code): Zalo
is not called, the row and everything after it waits for the citizen's next message
(:mod:`bot.reach`); ``failed`` with the duty group alerted (the same hooks as Telegram's
sender) when Zalo names an error that will not pass (the user blocked or unfollowed the
OA, an invalid user). Edits and deletions do nothing on Zalo (its messages cannot be
changed) and end as sent.

Which rows come here is the outbox's choice (``outbox.due(channel="zalo")``, by the
reporter's channel); the loop that asks is handlers/zalo/delivery.py.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from bot import reach
from bot.clock import Clock
from bot.dialogue import Intent
from bot.people import IDENTITY_CONTEXT, People
from handlers.zalo import choices
from handlers.zalo.client import TOKEN_INVALID, ZaloApiError, ZaloClient
from handlers.zalo.events import CHANNEL
from storage import outbox, reporters
from storage.db import Database, Tx, parse_utc, utc_text
from storage.outbox import OutboxRow

log = logging.getLogger(__name__)

FailureHook = Callable[[Tx, OutboxRow, str], Awaitable[None]]
RETRY_MINUTES = (1, 5, 15, 30, 60)  # then hourly, for as long as it takes
WINDOW = timedelta(days=7)
"""An OA may send consultation messages to a user only within 7 days of the user's last
message to it (Zalo's OA messaging policy)."""
OUT_OF_WINDOW = -230
"""Zalo's answer to a message outside that window ("User has not interacted with the OA
in the past 7 days"; the code as integrators report it, not from Zalo's own table)."""
MAX_ATTEMPTS = 5  # for errors of our own (a bug, a database hiccup), as Telegram's sender


class NotZalo(Exception):
    """The row is not addressed to a Zalo citizen."""


class ZaloSender:
    def __init__(
        self,
        db: Database,
        people: People,
        client: ZaloClient,
        clock: Clock,
        *,
        on_failure: list[FailureHook] | None = None,
        info_image_url: str | None = None,
    ) -> None:
        self.info_image_url = info_image_url  # the user-info form's picture (it needs one)
        self.db = db
        self.people = people
        self.client = client
        self.clock = clock
        self.on_failure = on_failure or []

    async def deliver(self, row: OutboxRow) -> str:
        """Send one row; returns what it became: ``sent``, ``retry``, ``held``, ``again``
        (the citizen wrote while it was being held: due at once) or ``failed``. Raises
        :class:`NotZalo` for a row that is not a Zalo citizen's."""
        async with self.db.read() as tx:
            reporter = await reporters.get(tx, row.reporter_id) if row.reporter_id else None
        if reporter is None or reporter.channel != CHANNEL:
            raise NotZalo(f"outbox row {row.id}")
        if not reporter.identity_enc:
            # as on Telegram: the purge is policy, not a failure anyone must act on
            return await self._fail(row, "reporter purged", alert=False)
        if row.method in (Intent.EDIT, Intent.DELETE):
            return await self._sent(row)  # Zalo's messages cannot be changed: nothing to send
        last = reporter.last_inbound_at
        if last is not None and self.clock() - parse_utc(last) > WINDOW:
            return await self._held(row, last)
        identity = self.people.box.open(reporter.identity_enc, context=IDENTITY_CONTEXT)
        user_id = str(identity.get("user_id") or "")
        if row.method != Intent.SHOW:
            return await self._fail(row, f"{row.method} not yet sent to Zalo")
        plain = self.people.open_payload(row.payload)
        message_id: str | None = None
        try:
            # A retry after a failure in the middle repeats the pieces already sent.
            message_id = await choices.show(
                self.client,
                self.db,
                self.people,
                row,
                plain,
                reporter.language,
                user_id,
                info_image_url=self.info_image_url,
            )
        except ZaloApiError as error:
            if error.code == OUT_OF_WINDOW:
                return await self._held(row, last)
            if error.final and error.code != TOKEN_INVALID:
                return await self._fail(row, f"zalo error {error.code}")
            return await self._retry(row, f"zalo error {error.code}")
        return await self._sent(row, message_id)

    async def own_error(self, row: OutboxRow, exc: Exception) -> str:
        """An error of ours (not Zalo's answer, not the network): tried again later, and
        after :data:`MAX_ATTEMPTS` ended with the duty group's alert, so one broken row
        neither stops the others nor stays pending for ever."""
        log.error("zalo outbox row %s (%s): internal error", row.id, row.purpose, exc_info=exc)
        error = f"internal error ({type(exc).__name__})"  # the type only: no content
        if row.attempts + 1 >= MAX_ATTEMPTS:
            return await self._fail(row, error)
        return await self._retry(row, error)

    async def _sent(self, row: OutboxRow, message_id: str | None = None) -> str:
        at = utc_text(self.clock())
        async with self.db.transaction() as tx:
            await outbox.mark_sent(tx, row.id, at=at, message_id=message_id)
            await reach.delivered(tx, row.id, at)  # a held question reached the citizen
        return "sent"

    async def _held(self, row: OutboxRow, seen_inbound: str | None) -> str:
        """Outside the window: Zalo would refuse. Not an error and not the end: the row
        waits (with the reporter's others) until the citizen writes again; unless they
        wrote while this was decided, and then it is simply tried again at once."""
        assert row.reporter_id is not None
        at = utc_text(self.clock())
        async with self.db.transaction() as tx:
            held = await reach.cannot_reach(tx, row.reporter_id, at, seen_inbound=seen_inbound)
        if not held:
            return "again"
        log.info("zalo outbox row %s (%s): held, citizen outside the window", row.id, row.purpose)
        return "held"

    async def _retry(self, row: OutboxRow, error: str) -> str:
        minutes = RETRY_MINUTES[min(row.attempts, len(RETRY_MINUTES) - 1)]
        next_at = utc_text(self.clock() + timedelta(minutes=minutes))
        log.warning("zalo outbox row %s: %s; again in %d min", row.id, error, minutes)
        async with self.db.transaction() as tx:
            await outbox.mark_retry(tx, row.id, next_at=next_at, error=error)
        return "retry"

    async def _fail(self, row: OutboxRow, error: str, *, alert: bool = True) -> str:
        log.warning("zalo outbox row %s (%s) failed for good: %s", row.id, row.purpose, error)
        async with self.db.transaction() as tx:
            await outbox.mark_failed(tx, row.id, error=error)
            for hook in self.on_failure if alert else []:
                await hook(tx, row, error)  # the duty group hears of it: never a silent loss
        return "failed"
