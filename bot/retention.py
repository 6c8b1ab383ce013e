"""Forgetting on schedule: personal data of closed tips goes after the retention period.

What goes: the sealed phone of closed tips; a reporter's sealed identity, phone and blind
index once all their tips are closed and old (the pseudonym stays, so the audit trail
still reads "#7Q2 reported..."); unfinished dialogues after 7 days; idempotency keys and
rate-limit hits after 7 days; message texts of delivered outbox rows after 30 days;
files a Zalo citizen sent for a dialogue never filed, with the dialogue.
What stays: tips, their events, the outcome: the province's accountable record.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from bot.clock import Clock
from config.settings import Settings
from storage import inbox, retention, stored_files
from storage.db import Database, utc_text

DIALOGUE_DAYS = 7
KEY_DAYS = 7
OUTBOX_TEXT_DAYS = 30
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PurgeReport:
    tip_contacts: int
    reporters: int
    dialogues: int
    keys: int
    outbox_texts: int
    inbox_keys: int = 0
    unfiled_files: int = 0

    def summary(self) -> str:
        return (
            f"purged: {self.tip_contacts} phone numbers of closed tips, {self.reporters}"
            f" reporter identities, {self.dialogues} abandoned dialogues, {self.keys} old keys,"
            f" {self.outbox_texts} delivered message texts, {self.inbox_keys} handled update keys,"
            f" {self.unfiled_files} files of unfinished dialogues"
        )


async def purge(db: Database, settings: Settings, now: datetime) -> PurgeReport:
    closed_before = utc_text(now - timedelta(days=settings.retention_days))
    async with db.transaction() as tx:
        return PurgeReport(
            tip_contacts=await retention.purge_closed_tip_contacts(tx, closed_before),
            reporters=await retention.purge_reporters(
                tx, closed_before, closed_before, utc_text(now)
            ),
            dialogues=await retention.drop_stale_dialogues(
                tx, utc_text(now - timedelta(days=DIALOGUE_DAYS))
            ),
            keys=await retention.drop_old_keys(tx, utc_text(now - timedelta(days=KEY_DAYS))),
            outbox_texts=await retention.drop_delivered_outbox(
                tx, utc_text(now - timedelta(days=OUTBOX_TEXT_DAYS))
            ),
            # Telegram redelivers for a day at most; a week of keys still recognises a
            # late repeat, and the table does not grow for ever.
            inbox_keys=await inbox.drop_handled_before(
                tx, utc_text(now - timedelta(days=KEY_DAYS))
            ),
            # A Zalo citizen's evidence kept for a draft abandoned like the draft itself.
            unfiled_files=await stored_files.drop_unfiled(
                tx, utc_text(now - timedelta(days=DIALOGUE_DAYS))
            ),
        )


def register_purge_job(app: Any, db: Database, settings: Settings, clock: Clock) -> None:
    """Every night at 03:00 in the province's time zone."""

    async def job(_: Any) -> None:
        report = await purge(db, settings, clock())
        log.info("%s", report.summary())

    app.job_queue.run_daily(
        job,
        time=time(3, 0, tzinfo=settings.tz),
        name="retention purge",
        job_kwargs={"misfire_grace_time": 6 * 3600, "coalesce": True},
    )
