"""The dates the suite runs at, so no test depends on the day it happens to run.

The product takes all its time from an injected clock. The harness starts that clock at
``START``; the suite also re-runs itself with ``TINBAO_TEST_SHIFT_DAYS`` set, which moves
``START`` years ahead (see ``test_any_date.py``), so a wall-clock call that slipped into
the product shows up as a failure instead of passing until the calendar moves on.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

SHIFT_ENV = "TINBAO_TEST_SHIFT_DAYS"
BASE = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)
START = BASE + timedelta(days=int(os.environ.get(SHIFT_ENV, "0")))


def fixed_clock() -> datetime:
    """For unit tests whose scenario sets its own dates: rows they stamp get ``BASE``."""
    return BASE


class Tick:
    """A clock in seconds that tests move by hand."""

    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds
