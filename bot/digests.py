"""Digests: what supervisors and commune queues are told on a schedule, and when.

A digest is computed from the database as plain dataclasses (bot/digest_figures.py),
rendered as a short text for a phone (bot/digest_text.py; a queue's morning list:
bot/unit_lists.py), and written as outbox rows (:func:`send_due`, here). The periods
and when each kind is due: bot/digest_periods.py.

Exactly once, across restarts: every (kind, period, recipient) claims a ``digest_log``
row in the same transaction as its outbox rows. A job that fires, a catch-up at start-up
and a second catch-up after another restart all call :func:`send_due`; whichever commits
first sends, the others find the claim and send nothing. Only the latest period of each
kind is ever caught up (a bot down for three days sends one daily digest, not three), and
only within :data:`CATCH_UP_GRACE` of its scheduled time.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot import charts
from bot.clock import Clock
from bot.dialogue import Intent, Media, Screen, screen_to_plain
from bot.digest_figures import Digest, compute
from bot.digest_periods import DAILY, KINDS, MONTHLY, UNIT, WEEKLY, latest_run
from bot.digest_text import Rendered, render, short_day
from bot.unit_lists import compute_unit_lists, render_unit
from config.settings import Settings
from config.texts import t
from storage import bindings, officers, outbox, outbox_files
from storage import digests as store
from storage.db import Database, Tx, utc_text

log = logging.getLogger(__name__)

CATCH_UP_GRACE = {
    DAILY: timedelta(hours=24),
    UNIT: timedelta(hours=12),  # a "morning list" after 19:00 helps nobody
    WEEKLY: timedelta(days=3),
    MONTHLY: timedelta(days=5),
}


@dataclass
class DigestServices:
    """What the scheduled jobs need; ``wake`` nudges the outbox sender after a write."""

    db: Database
    settings: Settings
    clock: Clock
    wake: Callable[[], None]


@dataclass(frozen=True)
class Recipient:
    key: str  # the digest_log recipient: 'supervisors', 'officer:12', 'unit:34'
    chat_id: int


@dataclass(frozen=True)
class Sent:
    kind: str
    period_key: str
    recipient: str
    outbox_ids: list[int]


async def supervisor_recipients(tx: Tx) -> list[Recipient]:
    """The supervisors' chat of the province and every supervisor who opted in."""
    found = []
    province = await store.province(tx)
    if province is not None:
        chat = await bindings.for_unit(tx, "supervisors", province[0])
        if chat is not None:
            found.append(Recipient("supervisors", chat.chat_id))
    for officer in await officers.supervisors_opted_in(tx):
        found.append(Recipient(f"officer:{officer.id}", officer.telegram_user_id))
    return found


async def enqueue_rendered(
    tx: Tx,
    chat_id: int,
    rendered: Rendered,
    *,
    at: str,
    purpose: str,
    lang: str,
    photo: bytes | None = None,
    photo_caption: str = "",
    photo_name: str = "chart.png",
) -> list[int]:
    """Text, then the chart, then the full list: the sender keeps one chat's rows in order."""
    ids = [await outbox.enqueue_text(tx, rendered.text, at=at, purpose=purpose, chat_id=chat_id)]
    if photo is not None:
        row = await outbox.enqueue(
            tx,
            at=at,
            method=Intent.SHOW,  # the chart attached below
            payload=screen_to_plain(Screen(photo_caption, media=Media("photo")), "q"),
            purpose=purpose,
            chat_id=chat_id,
        )
        await outbox_files.attach_file(tx, row, "photo", photo_name, photo)
        ids.append(row)
    if rendered.csv is not None:
        caption = t("d_file_caption", lang, title=rendered.title)[:1024]
        row = await outbox.enqueue(
            tx,
            at=at,
            method=Intent.SHOW,  # the list attached below
            payload=screen_to_plain(Screen(caption, media=Media("document")), "q"),
            purpose=purpose,
            chat_id=chat_id,
        )
        await outbox_files.attach_file(tx, row, "document", rendered.csv_name, rendered.csv)
        ids.append(row)
    return ids


async def _pending(db: Database, kind: str, key: str, unit: bool) -> list[Recipient]:
    async with db.read() as tx:
        if unit:
            recipients = [
                Recipient(f"unit:{u}", chat) for u, _, chat in await store.queue_units(tx)
            ]
        else:
            recipients = await supervisor_recipients(tx)
        done = await store.logged_recipients(tx, kind, key)
    return [r for r in recipients if r.key not in done]


async def _chart(d: Digest, lang: str) -> tuple[bytes | None, str]:
    """Drawn in a worker thread: a chart takes a few hundred milliseconds of CPU."""
    p = d.period
    if p.kind == WEEKLY:
        png = await asyncio.to_thread(charts.tips_per_day, p.days, d.chart_counts, lang)
        last = p.end.date() - timedelta(days=1)
        return png, t("d_chart_caption", lang, start=f"{p.start:%d/%m}", end=short_day(last))
    if p.kind == MONTHLY:
        png = await asyncio.to_thread(charts.ack_time_by_unit, d.ack_by_unit, lang)
        return png, t("d_ack_chart_caption", lang, month=f"{p.start:%m/%Y}")
    return None, ""


async def send_digest(services: DigestServices, kind: str, now: datetime) -> list[Sent]:
    """Send the latest due digest of one kind to every recipient not yet served."""
    s = services.settings
    lang = s.default_language
    scheduled, period = latest_run(kind, s, now)
    if now - scheduled > CATCH_UP_GRACE[kind]:
        return []
    pending = await _pending(services.db, kind, period.key, kind == UNIT)
    if not pending:
        return []
    at = utc_text(now)
    sent: list[Sent] = []
    if kind == UNIT:
        lists = {f"unit:{u.unit_id}": u for u in await compute_unit_lists(services.db, s, now)}
        async with services.db.transaction() as tx:
            for r in pending:
                unit_list = lists.get(r.key)
                if unit_list is None or not await store.log_digest(
                    tx, kind=kind, period_key=period.key, recipient=r.key, at=at, chat_id=r.chat_id
                ):
                    continue
                if not unit_list.tips:  # nothing open: claim the day, say nothing
                    sent.append(Sent(kind, period.key, r.key, []))
                    continue
                ids = await enqueue_rendered(
                    tx,
                    r.chat_id,
                    render_unit(unit_list, s, lang),
                    at=at,
                    purpose="digest",
                    lang=lang,
                )
                await store.set_digest_outbox(
                    tx, kind=kind, period_key=period.key, recipient=r.key, outbox_id=ids[0]
                )
                sent.append(Sent(kind, period.key, r.key, ids))
        return sent
    digest = await compute(services.db, s, period, now)
    # the text and its CSV of every listed tip take a busy province 0.1-0.4 s of
    # formatting: in a worker thread, like the chart, so citizens are not kept waiting
    rendered = await asyncio.to_thread(render, digest, s, lang)
    photo, caption = await _chart(digest, lang)
    async with services.db.transaction() as tx:
        for r in pending:
            if not await store.log_digest(
                tx, kind=kind, period_key=period.key, recipient=r.key, at=at, chat_id=r.chat_id
            ):
                continue
            ids = await enqueue_rendered(
                tx,
                r.chat_id,
                rendered,
                at=at,
                purpose="digest",
                lang=lang,
                photo=photo,
                photo_caption=caption,
                photo_name=f"tinbao_{kind}_{period.key}.png",
            )
            await store.set_digest_outbox(
                tx, kind=kind, period_key=period.key, recipient=r.key, outbox_id=ids[0]
            )
            sent.append(Sent(kind, period.key, r.key, ids))
    return sent


async def send_due(
    services: DigestServices, now: datetime | None = None, kinds: Sequence[str] = KINDS
) -> list[Sent]:
    """Send every digest of ``kinds`` whose time has come and that is not yet sent; wake
    the sender when anything was written. The scheduled jobs and :func:`catch_up` both
    come through here, which is what makes a digest go out exactly once."""
    now = now or services.clock()
    sent: list[Sent] = []
    for kind in kinds:
        sent += await send_digest(services, kind, now)
    if any(s.outbox_ids for s in sent):
        log.info(
            "digests enqueued: %s",
            ", ".join(f"{s.kind}/{s.period_key}/{s.recipient}" for s in sent),
        )
        services.wake()
    return sent


async def catch_up(services: DigestServices, now: datetime | None = None) -> list[Sent]:
    """At start-up: send the latest digest of each kind missed while the bot was down
    (within :data:`CATCH_UP_GRACE`), once; a second call, or a call after another
    restart, finds the ``digest_log`` claims and sends nothing."""
    return await send_due(services, now)
