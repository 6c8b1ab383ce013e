"""The durable inbox: events are stored before the platform is told they arrived, then
applied one lane (chat) at a time in order, lanes concurrently.

Why: python-telegram-bot confirms an update to Telegram (the next ``getUpdates`` offset)
before tinbao has handled it, so a crash used to lose fetched updates; and handling one
update at a time left every citizen waiting behind the slowest round trip. Zalo's webhook
needs the same shape (answer 200 only once the event is stored), so nothing here knows a
channel: an adapter stores events with :meth:`Inbox.accept` and gives the worker a
function that applies one.

Exactly once: the transaction that applies an event carries its ``event_key`` as the
idempotency key, and that transaction marks the inbox row done (``storage/db.py``). An
event whose handler commits nothing is marked done once the handler returns. A crash at
any moment leaves the row pending (applied again; a committed change is not repeated) or
done (never applied again).

A handler that fails before committing (a bug, a storage fault) does not lose its event
and does not jam its chat: the event is tried again after :data:`RETRY_SECONDS`, later
events of that chat waiting behind it so their order holds; after the last try it is
set aside as ``failed`` (kept sealed for a person) and the adapter tells the sender,
in their language, to send it again. Other chats never wait.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bot.crypto import IdentityBox
from storage import inbox
from storage.db import Database, Tx, parse_utc, utc_text
from storage.inbox import Arrival, InboxRow

log = logging.getLogger(__name__)

RAW_CONTEXT = "inbox.raw"
RETRY_SECONDS = (2.0, 10.0, 30.0)
"""Waits before the second, third and fourth try of an event whose handler failed; a
transient fault (a locked or full disk freed, a restart) has passed by then, a bug has
not, and its sender should not wait longer than a minute to hear so."""


class Unreadable(Exception):
    """The event cannot be parsed: kept for a person, never tried again."""


class Paused(Exception):
    """Nothing can be written now (the disk is full): the event stays pending, untouched,
    and no event is applied for ``seconds``; it is not a failure of the event."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"paused for {seconds:.0f}s")
        self.seconds = seconds


class HandlerFailed(Exception):
    """The event was parsed but its handler raised before committing (``reason`` names
    the error's class only: its text may quote the event's content)."""


@dataclass(frozen=True)
class Event:
    """An event as the channel delivered it (a JSON object), with its key and lane."""

    key: str
    lane: str
    body: dict[str, Any]


Apply = Callable[[Event], Awaitable[None]]
Refused = Callable[[Tx, str, str, bool], Awaitable[None]]
"""Told in the transaction that sets an event aside: (tx, event key, reason, whether it
was parsed and its handler failed rather than unreadable), e.g. to alert the duty group."""
Failed = Callable[[Tx, Event], Awaitable[None]]
"""Told in the transaction that sets a failed event aside: the adapter answers its sender."""


class Inbox:
    def __init__(
        self,
        db: Database,
        box: IdentityBox,
        *,
        max_lanes: int = 64,
        on_refused: Refused | None = None,
    ) -> None:
        self.db = db
        self.box = box
        self.max_lanes = max_lanes
        self.on_refused = on_refused
        self._apply: dict[str, Apply] = {}
        self._on_failed: dict[str, Failed] = {}
        self._lanes: dict[str, deque[InboxRow]] = {}
        self._running: dict[str, asyncio.Task[None]] = {}
        self._queued: set[int] = set()
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._stopping = False
        self._slots = asyncio.Semaphore(max_lanes)
        self._next_wait = 5.0
        self._paused_until = 0.0

    def register(self, channel: str, apply: Apply, on_failed: Failed | None = None) -> None:
        self._apply[channel] = apply
        if on_failed is not None:
            self._on_failed[channel] = on_failed

    async def accept(self, channel: str, events: Iterable[Event]) -> int:
        """Store a batch in one transaction (one fsync); returns how many were new. Only
        after this returns may the channel be told the events arrived."""
        # A lane names a chat, and a private chat's id is the citizen's user id: only a
        # keyed hash of it is stored.
        arrivals = [
            Arrival(
                e.key,
                self.box.blind_index("lane", e.lane)[:20],
                self.box.seal(e.body, context=RAW_CONTEXT),
            )
            for e in events
        ]
        if not arrivals:
            return 0
        async with self.db.transaction() as tx:
            added = await inbox.store(tx, channel, arrivals)
        await self.db.sync()  # on disk before the platform hears that it arrived
        if added:
            self.wake()
        return added

    def wake(self) -> None:
        self._wake.set()

    # ------------------------------------------------------------------ worker --
    async def run(self) -> None:
        """Until stopped: pick up pending rows, hand each to its lane."""
        while not self._stopping:
            self._wake.clear()
            try:
                await self._schedule()
            except Exception:  # pragma: no cover - keep the worker alive for operators
                log.exception("inbox pass failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self._next_wait)

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    async def drain(self) -> None:
        """Apply everything pending now and wait until it is done (tests, start-up)."""
        while True:
            await self._schedule()
            if not self._running:
                return
            await asyncio.gather(*self._running.values(), return_exceptions=True)

    async def wait_stopped(self) -> None:
        tasks = list(self._running.values())
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    def _loop_time(self) -> float:
        return asyncio.get_running_loop().time()

    async def _schedule(self) -> None:
        paused = self._paused_until - self._loop_time()
        if paused > 0:  # the disk is full: nothing is applied until it may be again
            self._next_wait = paused
            return
        async with self.db.read() as tx:
            rows = await inbox.pending(tx, limit=1000, after_id=0)
        now = self.db.clock()
        waiting: set[str] = set()  # lanes whose oldest event waits for its next try
        self._next_wait = 5.0
        for row in rows:
            if row.lane in waiting:
                continue
            if row.next_attempt_at is not None and row.id not in self._queued:
                due = (parse_utc(row.next_attempt_at) - now).total_seconds()
                if due > 0:
                    waiting.add(row.lane)
                    self._next_wait = max(0.05, min(self._next_wait, due))
                    continue
            if row.id in self._queued:
                continue
            self._queued.add(row.id)
            self._lanes.setdefault(row.lane, deque()).append(row)
            if row.lane not in self._running:
                self._running[row.lane] = asyncio.create_task(self._run_lane(row.lane))

    async def _run_lane(self, lane: str) -> None:
        """One chat's events strictly in order; other chats' lanes run beside it."""
        queue = self._lanes[lane]
        failed = False
        try:
            async with self._slots:
                while queue and not self._stopping:
                    row = queue[0]
                    if not await self._apply_row(row):
                        failed = True  # it waits for its next try, and the lane behind it
                        break
                    queue.popleft()
                    self._queued.discard(row.id)
        finally:
            for row in queue:
                self._queued.discard(row.id)
            self._lanes.pop(lane, None)
            self._running.pop(lane, None)
            if failed:
                self.wake()  # the worker plans the next try

    async def _apply_row(self, row: InboxRow) -> bool:
        """Apply one event; False when it failed and waits for another try."""
        body = self.box.open(row.raw_enc, context=RAW_CONTEXT)
        event = Event(row.event_key, row.lane, body)
        apply = self._apply.get(row.channel)
        try:
            if apply is None:
                raise Unreadable(f"no adapter for channel {row.channel!r}")
            await apply(event)
        except Paused as exc:
            self._paused_until = self._loop_time() + exc.seconds
            self._next_wait = min(self._next_wait, exc.seconds)
            return False
        except Unreadable as exc:
            log.warning("inbox row %s refused: %s", row.id, exc)
            async with self.db.transaction() as tx:
                await inbox.mark_refused(tx, row.event_key, str(exc))
                if self.on_refused is not None:
                    await self.on_refused(tx, row.event_key, str(exc), False)
            return True
        except Exception as exc:  # HandlerFailed, or the adapter's own trouble
            await self._failed(row, event, exc)
            return False
        async with self.db.transaction() as tx:
            await inbox.mark_done(tx, row.event_key)
        return True

    async def _failed(self, row: InboxRow, event: Event, exc: Exception) -> None:
        reason = str(exc) if isinstance(exc, HandlerFailed) else type(exc).__name__
        tries = row.attempts + 1
        if tries <= len(RETRY_SECONDS):
            wait = RETRY_SECONDS[tries - 1]
            log.warning(
                "inbox row %s failed (%s), try %d; again in %.0fs", row.id, reason, tries, wait
            )
            again = utc_text(self.db.clock() + timedelta(seconds=wait))
            async with self.db.transaction() as tx:
                await inbox.mark_retry(tx, row.event_key, reason, again)
            return
        log.error("inbox row %s failed %d times (%s): set aside", row.id, tries, reason)
        try:
            async with self.db.transaction() as tx:
                if await inbox.mark_failed(tx, row.event_key, reason):
                    told = self._on_failed.get(row.channel)
                    if told is not None:
                        await told(tx, event)
                    if self.on_refused is not None:
                        await self.on_refused(tx, row.event_key, reason, True)
        except Exception as told_exc:  # even telling fails: set it aside all the same
            log.error("inbox row %s: telling failed (%s)", row.id, type(told_exc).__name__)
            async with self.db.transaction() as tx:
                await inbox.mark_failed(tx, row.event_key, reason)
