"""Concurrent whole tip dialogues through tinbao's running pipeline, against bare
python-telegram-bot bots making the same Bot API calls, in the same run.

tinbao runs as ``tinbao run`` does (inbox worker and outbox sender as background tasks,
group commit, ``synchronous=FULL``) over the in-process fake Bot API; N citizens walk the
whole dialogue concurrently, each waiting for the bot's answer before the next step. The
step latency is the time from an update reaching the inbox to the bot's answer arriving
at the fake API.

Baselines, driven by the same citizens' update sequences, on the same fake transport:

* **call-matched bare bot**: a PTB Application with no database whose handler makes, per
  update, the same number and kinds of Bot API calls that tinbao made in its run
  (measured: calls by method / updates), spread evenly over the updates; so the ratio is
  what tinbao itself costs (SQLite, sealing, routing, the inbox and outbox);
* **echo bot**: one ``sendMessage`` per update.

Both baselines also process each chat's updates in order and chats concurrently.

Run: ``python -m bench.pipeline_throughput [citizens] [latency_ms]`` (default 40, 0).
"""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import Application, ContextTypes, TypeHandler

from bench.common import bind_tam_chuc_queue, open_bench
from handlers.telegram.fake.botapi import FakeBotApi
from handlers.telegram.fake.scripted import Driver
from handlers.telegram.fake.updates import FakeUser

SENDS = ("sendMessage", "sendPhoto", "sendDocument", "sendMediaGroup")
IGNORED = ("getMe", "getUpdates", "setMyCommands", "getChatMember", "deleteWebhook")


class LiveCitizen(Driver):
    """A citizen of a running bot: each step waits for the bot's answer in the chat."""

    def __init__(self, *args: Any, trace: list[dict[str, Any]], lat: list[float]) -> None:
        super().__init__(*args)
        self.trace = trace
        self.lat = lat

    async def deliver(self, update: dict[str, Any], *, flush: bool = True) -> None:
        chat = _chat_of(update)
        mark = self.api.mark()
        started = time.perf_counter()
        self.trace.append(update)
        await self.tinbao.telegram.accept([update])
        await self.api.wait_for(
            "sendMessage", lambda c: c.params.get("chat_id") == chat, timeout=60, since=mark
        )
        self.lat.append(time.perf_counter() - started)

    async def presses(
        self, user: FakeUser, label: str, chat_id: int | None = None, *, flush: bool = True
    ) -> dict[str, Any]:
        """A step's answer may be two messages: wait for the one with the button."""
        deadline = time.perf_counter() + 60
        chat = user.id if chat_id is None else chat_id
        while True:
            mark = self.api.mark()
            if (found := self._button(chat, label)) is not None:
                break
            if time.perf_counter() > deadline:
                raise LookupError(f"no button {label!r} in chat {chat}")
            with contextlib.suppress(TimeoutError):  # woken by the next message to the chat
                await self.api.wait_for(
                    "sendMessage", lambda c: c.params.get("chat_id") == chat, 0.05, since=mark
                )
        message, data = found
        update = self.updates.callback(user, message, data)
        await self.deliver(update, flush=flush)
        return update

    def _button(self, chat: int, label: str) -> tuple[dict[str, Any], str] | None:
        for message in self.api.recent_to(chat, 3):
            for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
                for button in row:
                    if label in button["text"] and "callback_data" in button:
                        return message, str(button["callback_data"])
        return None


def _chat_of(update: dict[str, Any]) -> int:
    if "message" in update:
        return int(update["message"]["chat"]["id"])
    return int(update["callback_query"]["message"]["chat"]["id"])


async def run_tinbao(
    citizens: int, latency: float, workdir: Path
) -> tuple[float, list[float], Counter[str], list[list[dict[str, Any]]], int]:
    tinbao, api = await open_bench(workdir / "bench.db", rate_limiter=False)
    api.latency = latency
    await tinbao.app.initialize()
    await bind_tam_chuc_queue(Driver(tinbao, api))
    await tinbao.sender.flush()
    await tinbao.start(polling=False, sender=True)
    api.clear_calls()
    traces: list[list[dict[str, Any]]] = [[] for _ in range(citizens)]
    lat: list[float] = []
    drivers = [LiveCitizen(tinbao, api, trace=traces[i], lat=lat) for i in range(citizens)]
    syncs_before = tinbao.db.syncs
    started = time.perf_counter()
    await asyncio.gather(
        *(d.file_tip(FakeUser(200_000 + i, f"Dân {i}"), flush=False) for i, d in enumerate(drivers))
    )
    # the last receipts: wait until the outbox is empty
    while True:
        async with tinbao.db.read() as tx:
            left = await tx.scalar("SELECT COUNT(*) FROM outbox WHERE status = 'pending'")
        if not left:
            break
        await asyncio.sleep(0.01)
    elapsed = time.perf_counter() - started
    syncs = tinbao.db.syncs - syncs_before
    calls = Counter(c.method for c in api.calls if c.method not in IGNORED)
    await tinbao.stop()
    updates = sum(len(t) for t in traces)
    return updates / elapsed, lat, calls, traces, syncs


async def run_bare(
    traces: list[list[dict[str, Any]]], latency: float, per_update: dict[str, float]
) -> tuple[float, list[float]]:
    """Replays the citizens' updates (per chat in order, chats concurrently) through a bare
    Application whose one handler makes ``per_update`` calls of each kind."""
    api = FakeBotApi(latency=latency)
    app = Application.builder().token(api.token).request(api).get_updates_request(api).build()
    owed: Counter[str] = Counter()
    owed_f: dict[str, float] = dict.fromkeys(per_update, 0.0)

    async def handler(update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        chat = update.effective_chat
        assert chat is not None
        for method, rate in per_update.items():
            owed_f[method] += rate
            owed[method] = int(owed_f[method])
            owed_f[method] -= owed[method]
        if update.callback_query is not None and owed["answerCallbackQuery"]:
            await update.callback_query.answer()
        for _ in range(owed["sendMessage"]):
            await app.bot.send_message(chat.id, "Bước tiếp theo")
        for _ in range(owed["editMessageText"] + owed["editMessageReplyMarkup"]):
            sent = await app.bot.send_message(chat.id, "…")
            await app.bot.edit_message_text("✔", chat.id, sent.message_id)

    app.add_handler(TypeHandler(Update, handler))
    await app.initialize()
    lat: list[float] = []

    async def citizen(trace: list[dict[str, Any]]) -> None:
        for raw in trace:
            started = time.perf_counter()
            await app.process_update(Update.de_json(raw, app.bot))
            lat.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(citizen(t) for t in traces))
    elapsed = time.perf_counter() - started
    await app.shutdown()
    return sum(len(t) for t in traces) / elapsed, lat


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def main(citizens: int, latency_ms: float) -> None:
    latency = latency_ms / 1000
    workdir = Path(tempfile.mkdtemp(prefix="tinbao-pipeline-"))
    rate, lat, calls, traces, syncs = await run_tinbao(citizens, latency, workdir)
    updates = sum(len(t) for t in traces)
    callbacks = sum(1 for t in traces for u in t if "callback_query" in u)
    per_update = {
        "sendMessage": sum(calls[m] for m in SENDS) / updates,
        "answerCallbackQuery": calls["answerCallbackQuery"] / max(1, callbacks),
        "editMessageText": calls["editMessageText"] / updates,
        "editMessageReplyMarkup": calls["editMessageReplyMarkup"] / updates,
    }
    matched, bare_lat = await run_bare(traces, latency, per_update)
    echo, _ = await run_bare(traces, latency, {"sendMessage": 1.0, "answerCallbackQuery": 0.0})
    mix = ", ".join(f"{m} {n}" for m, n in calls.most_common())
    print(f"{citizens} concurrent citizens, whole dialogues, {latency_ms:.0f} ms per Bot API call")
    print(f"  tinbao: {updates} updates in {updates / rate:.2f} s = {rate:,.0f} updates/s;")
    print(
        f"    step latency p50 {_pct(lat, 0.5):.0f} ms, p99 {_pct(lat, 0.99):.0f} ms;"
        f" {syncs} commits to disk ({syncs / updates:.2f} per update)"
    )
    print(f"    Bot API calls: {mix} ({sum(calls.values()) / updates:.2f} per update)")
    print(
        f"  bare PTB, same calls: {matched:,.0f} updates/s"
        f" (p50 {_pct(bare_lat, 0.5):.0f} ms, p99 {_pct(bare_lat, 0.99):.0f} ms)"
    )
    print(f"  bare PTB echo: {echo:,.0f} updates/s")
    print(f"  ratio tinbao / call-matched bare bot: {rate / matched:.2f}")
    print(f"  ratio tinbao / echo bot: {rate / echo:.2f}")
    print(f"  (median of step latencies: {statistics.median(lat) * 1000:.0f} ms)")


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    ms = float(sys.argv[2]) if len(sys.argv) > 2 else 0.0
    asyncio.run(main(n, ms))
