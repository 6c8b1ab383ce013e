from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.harness import Harness, close_harness, open_harness


@pytest.fixture
def ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    """PTB 22 warns whenever ``RetryAfter`` is built unless periods are timedeltas: for
    the modules that make the fake answer 429 (``usefixtures("ptb_timedelta")``)."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture
async def h(tmp_path: Path) -> AsyncIterator[Harness]:
    harness = await open_harness(tmp_path)
    try:
        yield harness
    finally:
        await close_harness(harness)
