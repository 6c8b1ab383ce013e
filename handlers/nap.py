"""The senders' idle wait, shared by every channel's delivery loop.

A loop sleeps up to ``seconds`` and ends early when it is woken (this process wrote rows,
or a send ended) or when the database's ``data_version`` moved: another process wrote
(``tinbao wanted withdraw`` puts its notices in the outbox from the command line), and
its rows would otherwise wait for the timeout."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

from storage.db import Database


async def nap(
    wake: asyncio.Event,
    db: Database,
    *,
    seconds: float,
    version: int | None,
    poll: float,
    stopping: Callable[[], bool],
) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not stopping():
        remaining = deadline - loop.time()
        if remaining <= 0:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), timeout=min(remaining, poll))
            return
        if version is None:
            continue
        try:
            if await db.data_version() != version:
                return
        except Exception:  # pragma: no cover - the pass will say what is wrong
            return
