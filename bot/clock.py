"""Time as a dependency, so deadlines and digests are tested without sleeping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage.db import Clock

__all__ = ["Clock", "FakeClock", "system_clock"]


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
