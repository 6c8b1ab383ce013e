"""Time as a dependency, so deadlines and digests are tested without sleeping."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from storage.db import Clock

__all__ = ["Clock", "FakeClock", "Sleep", "system_clock"]

#: How the product waits (a retry's back-off): ``asyncio.sleep``, or a fake clock's.
Sleep = Callable[[float], Awaitable[None]]


def system_clock() -> datetime:
    return datetime.now(UTC)


class FakeClock:
    """A clock tests move by hand."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now

    async def sleep(self, seconds: float) -> None:
        """A wait on a fake clock moves the clock on instead of taking real time."""
        self.advance(seconds=max(0.0, seconds))
        await asyncio.sleep(0)
