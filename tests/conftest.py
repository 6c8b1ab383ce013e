from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.harness import Harness, close_harness, open_harness


@pytest.fixture
async def h(tmp_path: Path) -> AsyncIterator[Harness]:
    harness = await open_harness(tmp_path)
    try:
        yield harness
    finally:
        await close_harness(harness)
