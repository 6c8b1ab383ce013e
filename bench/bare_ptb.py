"""Baseline throughput of a bare PTB echo bot over
:class:`handlers.telegram.fake.botapi.FakeBotApi`.

tinbao's full stack (SQLite, dialogue state, outbox) is measured against this number: the
difference is what tinbao itself costs per update, since both run the same PTB and the same
fake transport.  Timing covers ``Update.de_json`` plus ``Application.process_update`` (what
polling does per update after the HTTP fetch) and the reply's round trip through the fake
API; building the update dicts happens before the clock starts.

Run: ``/tmp/venv/bin/python bench/bare_ptb.py [n_updates]``.
"""

from __future__ import annotations

import asyncio
import sys
import time

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from handlers.telegram.fake.botapi import FakeBotApi
from handlers.telegram.fake.updates import FakeUser, UpdateFactory


async def _echo(update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None and update.message.text is not None
    await update.message.reply_text(update.message.text)


async def bare_throughput(n_updates: int) -> float:
    """Updates per second for ``n_updates`` text messages from distinct users, processed
    one after another (PTB's default, ``concurrent_updates=False``)."""
    api = FakeBotApi()
    app = Application.builder().token(api.token).request(api).get_updates_request(api).build()
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, _echo))
    make = UpdateFactory()  # unbound: the fake stores only the replies, as in production
    payloads = [
        make.text(FakeUser(10_000 + i, f"Dân {i}"), f"Tin báo số {i}: có người lạ ở xóm {i % 9}")
        for i in range(n_updates)
    ]
    await app.initialize()
    try:
        started = time.perf_counter()
        for payload in payloads:
            await app.process_update(Update.de_json(payload, app.bot))
        elapsed = time.perf_counter() - started
    finally:
        await app.shutdown()
    replies = len(api.calls_of("sendMessage", ok_only=True))
    if replies != n_updates:
        raise RuntimeError(f"expected {n_updates} replies, the fake API saw {replies}")
    return n_updates / elapsed


def main() -> None:
    """Print the figure for ``argv[1]`` updates (default 2,000)."""
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2_000
    rate = asyncio.run(bare_throughput(n))
    print(f"bare PTB echo over FakeBotApi: {n} updates, {rate:,.0f} updates/s")


if __name__ == "__main__":
    main()
