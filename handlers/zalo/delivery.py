"""The loop that delivers Zalo citizens' outbox rows, beside Telegram's sender.

It asks the outbox for Zalo's due rows only (``outbox.due(channel="zalo")``: rows of
reporters whose channel is Zalo), one head row per citizen, so each citizen's messages
keep their order, and hands each to :class:`handlers.zalo.sender.ZaloSender`, several
citizens at a time. It wakes when rows are written (``services.outbox_ready``), when the
next row falls due (``outbox.next_due_after``: a retry after Zalo was down), when a send
ends, and when another process wrote to the database (its ``data_version`` moved).

Each pass also holds what was written meanwhile for citizens who cannot be reached now
(outside the OA's 7-day window: :mod:`bot.reach`), so the units hear of a new question
that waits without the loop ever calling Zalo for it.

Before anything leaves, the database batch that caused it is committed to disk
(``Database.sync``), as for Telegram.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from bot import reach
from bot.clock import Clock
from handlers.nap import pass_until_stopped
from handlers.zalo.sender import NotZalo, ZaloSender
from storage import outbox, reporters
from storage.db import Database, parse_utc, utc_text
from storage.outbox import OutboxRow

log = logging.getLogger(__name__)

CHANNEL = "zalo"
DUE_BATCH = 200  # citizens looked at per pass
CONCURRENCY = 8  # sends at once (each a few HTTP calls to the OA API)
IDLE_SECONDS = 30.0  # the longest sleep between passes when nothing is due
IDLE_POLL_SECONDS = 0.5  # how often an idle loop asks whether another process wrote
MIN_PAUSE_SECONDS = 0.002  # never a busy loop
MAX_REST_SECONDS = 300.0


class ZaloDelivery:
    def __init__(
        self,
        db: Database,
        sender: ZaloSender,
        clock: Clock,
        *,
        concurrency: int = CONCURRENCY,
        idle_poll: float = IDLE_POLL_SECONDS,
        wake_all: Callable[[], None] | None = None,
    ) -> None:
        self.db = db
        # Every channel's sender (services.outbox_ready): a send or a hold here may write
        # rows for Telegram's groups (a held question's notice, "it reached them", a
        # failure's alert), which must not wait for Telegram's sender's idle timeout.
        self._wake_all = wake_all
        self.sender = sender
        self.clock = clock
        self.idle_poll = idle_poll
        self._slots = asyncio.Semaphore(concurrency)
        self._wake = asyncio.Event()
        self._stopping = False
        self._busy: set[int] = set()  # reporters with a send under way
        self._tasks: set[asyncio.Task[str]] = set()
        # rows left alone for a while without the database (it failed us): until, strikes
        self._resting: dict[int, tuple[datetime, int]] = {}
        self._pick = asyncio.Lock()

    def wake(self) -> None:
        self._wake.set()

    def wake_all(self) -> None:
        self._wake.set()
        if self._wake_all is not None:
            self._wake_all()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    async def flush(self, max_passes: int = 1000) -> int:
        """Deliver everything due now, pass after pass, without sleeping (tests, the
        demo); sends under way are waited for too. Returns how many rows were sent."""
        sent = 0
        for _ in range(max_passes):
            started, _ = await self._start_due()
            others = [task for task in self._tasks if task not in started]
            if not started and not others:
                break
            if started:
                sent += sum(1 for fate in await asyncio.gather(*started) if fate == "sent")
            if others:
                await asyncio.wait(others)
        return sent

    async def run(self) -> None:
        """Until stopped: start what is due, then sleep until something may be."""
        try:
            await pass_until_stopped(
                self._pass,
                self._wake,
                self.db,
                poll=self.idle_poll,
                longest=IDLE_SECONDS,
                stopping=lambda: self._stopping,
                what="zalo outbox",
            )
        finally:
            if self._tasks:  # let the sends under way finish and record their answers
                await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def _pass(self) -> float:
        _, pause = await self._start_due()
        return pause

    async def _start_due(self) -> tuple[list[asyncio.Task[str]], float]:
        """Hold what waits for unreachable citizens, then start a task for the head row
        of each idle citizen. Returns the tasks and the seconds until more may be due."""
        async with self._pick:
            await self.db.sync()  # nothing leaves before the change that caused it is on disk
            now = self.clock()
            now_text = utc_text(now)
            async with self.db.read() as tx:
                to_hold = await outbox.unheld_of_unreachable(tx)
                purged = await reporters.purged_unreachable(tx)
            for reporter_id in to_hold:
                async with self.db.transaction() as tx:
                    await reach.hold_new(tx, reporter_id, now_text)
            if purged:
                async with self.db.transaction() as tx:
                    await reach.forget_purged(tx, now_text)
            if to_hold or purged:
                self.wake_all()
            async with self.db.read() as tx:
                rows = await outbox.due(tx, now_text, limit=DUE_BATCH, channel=CHANNEL)
                later = await outbox.next_due_after(tx, now_text, channel=CHANNEL)
            pause = IDLE_SECONDS
            if later:
                pause = min(pause, (parse_utc(later) - now).total_seconds())
            started = []
            for row in rows:
                reporter_id = int(row.reporter_id or 0)
                if reporter_id in self._busy:
                    continue  # its task wakes the loop when it ends
                resting = self._resting.get(row.id)
                if resting and resting[0] > now:
                    pause = min(pause, (resting[0] - now).total_seconds())
                    continue
                self._busy.add(reporter_id)
                task = asyncio.create_task(self._deliver(row))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
                started.append(task)
        return started, max(pause, MIN_PAUSE_SECONDS)

    async def _deliver(self, row: OutboxRow) -> str:
        """One row's fate; never raises (a failure here is this row's alone)."""
        try:
            async with self._slots:
                fate = await self.sender.deliver(row)
            self._resting.pop(row.id, None)
            return fate
        except NotZalo:
            # outbox.due chose it as Zalo's; the reporter changed since (or a bug): it is
            # not this loop's to send or to fail
            log.error("outbox row %s is not a Zalo citizen's: left alone", row.id)
            self._rest(row)
            return "skipped"
        except Exception as exc:
            try:
                return await self.sender.own_error(row, exc)
            except Exception:
                log.exception("zalo outbox row %s: could not record its error", row.id)
                self._rest(row)
                return "error"
        finally:
            async with self._pick:
                self._busy.discard(int(row.reporter_id or 0))
            self.wake_all()

    def _rest(self, row: OutboxRow) -> None:
        """Leave a row alone for a while without the database: 2, 4, 8 ... 300 s."""
        strikes = self._resting.get(row.id, (self.clock(), 0))[1] + 1
        pause = min(MAX_REST_SECONDS, 2.0**strikes)
        self._resting[row.id] = (self.clock() + timedelta(seconds=pause), strikes)
