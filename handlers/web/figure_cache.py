"""The overview's figures, kept between views while nothing they count has changed.

Why: the overview computes the digest four times (today, 7 days, 30 days and the 30 days
before). For a province of a million tips that is about 0.7 s of SQL and Python, against
a budget of 200 ms a page. The figures change only when the database does, or when the
clock moves past a deadline, so a view is answered from the last computation while the
database holds no new tip, tip event or change of a wanted notice
(:func:`storage.web_figures.figures_stamp`: other writes, such as messages sent, do not
count) and they are less than :data:`MAX_AGE` old; the page says when its figures were
computed. A background pass recomputes the figures of the
scopes viewed lately as soon as they go stale, so a supervisor opening the page at 7 a.m.
finds them ready.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Generic, TypeVar

from bot.clock import Clock
from storage import web_figures
from storage.db import Database

log = logging.getLogger(__name__)

MAX_AGE = timedelta(seconds=60)  # overdue counts move with the clock: never older
KEEP_WARM = timedelta(hours=12)  # a scope viewed within a session's life is kept fresh
WARM_EVERY = 10.0  # seconds between the background pass's looks

Scope = int | None  # a unit's id, or None for the province
T = TypeVar("T")


@dataclass(frozen=True)
class Kept(Generic[T]):
    stamp: tuple[object, ...]
    at: datetime
    value: T


class FigureCache(Generic[T]):
    def __init__(
        self,
        db: Database,
        clock: Clock,
        compute: Callable[[Scope, datetime], Awaitable[T]],
        today: Callable[[datetime], date],
    ) -> None:
        self.db = db
        self.clock = clock
        self.compute = compute
        self.today = today
        self.computed = 0  # computations made, for the tests and the benchmark
        self._kept: dict[Scope, Kept[T]] = {}
        self._viewed: dict[Scope, datetime] = {}
        self._locks: dict[Scope, asyncio.Lock] = {}

    async def _stamp(self, now: datetime) -> tuple[object, ...]:
        async with self.db.read() as tx:
            changed = await web_figures.figures_stamp(tx)
        return (*changed, self.today(now))  # a new day: "today" is another period

    def _fresh(self, kept: Kept[T] | None, stamp: tuple[object, ...], now: datetime) -> bool:
        return kept is not None and kept.stamp == stamp and timedelta(0) <= now - kept.at < MAX_AGE

    async def get(self, scope: Scope) -> tuple[datetime, T]:
        """The figures of ``scope`` and when they were computed."""
        self._viewed[scope] = self.clock()
        return await self._get(scope)

    async def _get(self, scope: Scope) -> tuple[datetime, T]:
        now = self.clock()
        stamp = await self._stamp(now)
        kept = self._kept.get(scope)
        if kept is not None and self._fresh(kept, stamp, now):
            return kept.at, kept.value
        async with self._locks.setdefault(scope, asyncio.Lock()):
            # another view may have computed them while this one waited
            now = self.clock()
            stamp = await self._stamp(now)
            kept = self._kept.get(scope)
            if kept is not None and self._fresh(kept, stamp, now):
                return kept.at, kept.value
            value = await self.compute(scope, now)
            self.computed += 1
            # the stamp read before computing: a commit made meanwhile is seen next time
            self._kept[scope] = Kept(stamp, now, value)
            return now, value

    async def warm_once(self) -> None:
        """Recompute the stale figures of every scope viewed within :data:`KEEP_WARM`."""
        now = self.clock()
        for scope, seen in list(self._viewed.items()):
            if now - seen > KEEP_WARM:
                del self._viewed[scope]
                self._kept.pop(scope, None)
                continue
            await self._get(scope)

    async def run(self) -> None:
        """The background pass, until cancelled; a failure is logged and tried again."""
        while True:
            try:
                await self.warm_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("the web overview's figures could not be computed")
            await asyncio.sleep(WARM_EVERY)
