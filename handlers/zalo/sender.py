"""Delivers one outbox row addressed to a Zalo citizen through the OA API: the screen
rendered for Zalo (numbered options, 2,000-character pieces), sent in order.

What a row ends as: ``sent``; pending again later when Zalo may take it then (network,
5xx, an invalid token awaiting its refresh: Zalo down for an hour loses nothing);
``failed`` with the duty group alerted (the same hooks as Telegram's sender) when Zalo
names an error that will not pass (the user blocked or unfollowed the OA, an invalid
user, outside the 7-day window). Edits and deletions do nothing on Zalo (its messages
cannot be changed) and end as sent.

Which rows to deliver is not decided here yet: the outbox's ``due`` query serves every
channel, and choosing Zalo's rows (and keeping Telegram's sender off them) belongs in
storage/outbox.py and handlers/telegram/sender.py.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from bot.clock import Clock
from bot.dialogue import Intent
from bot.people import IDENTITY_CONTEXT, People
from handlers.zalo import choices
from handlers.zalo.client import TOKEN_INVALID, ZaloApiError, ZaloClient
from handlers.zalo.events import CHANNEL
from storage import outbox, reporters
from storage.db import Database, Tx, utc_text
from storage.outbox import OutboxRow

log = logging.getLogger(__name__)

FailureHook = Callable[[Tx, OutboxRow, str], Awaitable[None]]
RETRY_MINUTES = (1, 5, 15, 30, 60)  # then hourly, for as long as it takes


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
        """Send one row; returns what it became: ``sent``, ``retry`` or ``failed``."""
        async with self.db.read() as tx:
            reporter = await reporters.get(tx, row.reporter_id) if row.reporter_id else None
        if reporter is None or reporter.channel != CHANNEL:
            raise NotZalo(f"outbox row {row.id}")
        if not reporter.identity_enc:
            return await self._fail(row, "reporter purged")
        identity = self.people.box.open(reporter.identity_enc, context=IDENTITY_CONTEXT)
        user_id = str(identity.get("user_id") or "")
        if row.method in (Intent.EDIT, Intent.DELETE):
            return await self._sent(row)  # Zalo's messages cannot be changed
        if row.method != Intent.SHOW:
            return await self._fail(row, f"{row.method} not yet sent to Zalo")
        plain = self.people.open_payload(row.payload)
        try:
            # A retry after a failure in the middle repeats the pieces already sent.
            await choices.show(
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
            if error.final and error.code != TOKEN_INVALID:
                return await self._fail(row, f"zalo error {error.code}")
            return await self._retry(row, f"zalo error {error.code}")
        return await self._sent(row)

    async def _sent(self, row: OutboxRow) -> str:
        async with self.db.transaction() as tx:
            await outbox.mark_sent(tx, row.id, at=utc_text(self.clock()), message_id=None)
        return "sent"

    async def _retry(self, row: OutboxRow, error: str) -> str:
        minutes = RETRY_MINUTES[min(row.attempts, len(RETRY_MINUTES) - 1)]
        next_at = utc_text(self.clock() + timedelta(minutes=minutes))
        log.warning("zalo outbox row %s: %s; again in %d min", row.id, error, minutes)
        async with self.db.transaction() as tx:
            await outbox.mark_retry(tx, row.id, next_at=next_at, error=error)
        return "retry"

    async def _fail(self, row: OutboxRow, error: str) -> str:
        log.warning("zalo outbox row %s (%s) failed for good: %s", row.id, row.purpose, error)
        async with self.db.transaction() as tx:
            await outbox.mark_failed(tx, row.id, error=error)
            for hook in self.on_failure:
                await hook(tx, row, error)  # the duty group hears of it: never a silent loss
        return "failed"
