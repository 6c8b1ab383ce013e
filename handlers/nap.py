"""The senders' idle wait, shared by every channel's delivery loop.

A loop sleeps up to ``seconds`` and ends early when it is woken (this process wrote rows,
or a send ended) or when the database's ``data_version`` moved: another process wrote
(``tinbao wanted withdraw`` puts its notices in the outbox from the command line), and
its rows would otherwise wait for the timeout."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from storage.db import Database

log = logging.getLogger(__name__)


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


async def pass_until_stopped(
    one_pass: Callable[[], Awaitable[float]],
    wake: asyncio.Event,
    db: Database,
    *,
    poll: float,
    longest: float,
    stopping: Callable[[], bool],
    what: str,
) -> None:
    """A delivery loop: a pass (which returns the seconds until more may be due), then a
    :func:`nap`, until stopped. A failing pass (the database is unwell) keeps the loop,
    slowing down (1, 2, 4 … s, at most ``longest``) and logging each failure."""
    strikes = 0
    while not stopping():
        wake.clear()  # before the pass, so a wake during it is not lost
        version: int | None = None
        try:
            # read before the pass: a row another process commits during it changes the
            # version, and the nap below ends at once instead of missing it
            version = await db.data_version()
            pause = await one_pass()
            strikes = 0
        except Exception:
            strikes += 1
            pause = min(longest, 2.0**strikes)
            log.exception("%s pass failed; next in %.0f s", what, pause)
        await nap(wake, db, seconds=pause, version=version, poll=poll, stopping=stopping)
