"""The clocks of a tip, and the acknowledgement ladder that acts on the first one.

Nights, weekends and holidays count. Police duty is 24/7, a wanted person seen at 23:00
must be acted on at 23:00, and the legal clocks (the 24-hour hand-over, 48 hours in
remote areas; the 20-day verification under the Criminal Procedure Code) run in calendar
time. So every clock here is plain elapsed time from a UTC instant; no business hours.

Three clocks, each started when the tip reached the queue it is in now (its receipt, or
its last transfer) except the verification clock, which belongs to the tip and runs from
receipt whatever unit holds it:

* acknowledge: ``ack_minutes_urgent`` / ``ack_minutes_normal``. The ladder: after 1x the
  limit a reminder to the unit's queue chat (the province duty chat when the unit has
  none); after 2x an escalation to the supervisors' chat (duty chat as fallback). Each rung
  once per stay in a queue, recorded as a ``reminded`` / ``escalated`` tip event by
  ``system``; a transfer starts a new stay, because the new unit has not seen the tip.
  Never for tips acknowledged, taken up or closed: only ``new`` and ``transferred`` wait.
* transfer (hand-over): ``transfer_hours`` (``transfer_hours_remote`` when the unit has
  ``remote=1``) to pass a tip that is not the unit's to handle to the competent unit or the
  investigation agency. It stops when the tip is closed; it does not apply once the tip was
  closed with an outcome other than ``forwarded``. A card does not show it once the unit
  acknowledged the tip and kept it past the window (it is then the unit's own case).
* verification: ``verification_days`` from receipt, with a warning from day
  ``verification_warn_day`` (day 1 is the first 24 hours); stops at closing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot import receipt
from bot.fmt import when
from config.categories import category_label
from config.settings import Settings
from config.texts import t
from storage import bindings, ladder, outbox, tips
from storage import digests as store
from storage.db import Database, Tx, parse_utc, utc_text
from storage.digests import AWAITING_ACK, TipLine
from storage.ladder import LadderTip

log = logging.getLogger(__name__)

RUNNING, OVERDUE, MET, LATE = "running", "overdue", "met", "late"


def ack_limit(urgent: bool, settings: Settings) -> timedelta:
    return timedelta(minutes=settings.ack_minutes_urgent if urgent else settings.ack_minutes_normal)


def transfer_limit(remote: bool, settings: Settings) -> timedelta:
    return timedelta(hours=settings.transfer_hours_remote if remote else settings.transfer_hours)


@dataclass(frozen=True)
class Deadline:
    started_at: datetime
    due_at: datetime
    stopped_at: datetime | None  # when the clock stopped (acknowledged, closed)
    state: str  # running | overdue | met | late

    @property
    def limit(self) -> timedelta:
        return self.due_at - self.started_at

    def margin(self, now: datetime) -> timedelta:
        """Time left (positive) or past the deadline (negative), at stop or now."""
        return self.due_at - (self.stopped_at or now)


def deadline(
    started: datetime, limit: timedelta, stopped: datetime | None, now: datetime
) -> Deadline:
    due = started + limit
    if stopped is None:
        state = RUNNING if now < due else OVERDUE
    else:
        state = MET if stopped <= due else LATE
    return Deadline(started, due, stopped, state)


@dataclass(frozen=True)
class ClockFacts:
    """What the clocks of one tip depend on (see :func:`clock_facts` to read it)."""

    created_at: str
    urgent: bool
    status: str
    outcome: str | None
    closed_at: str | None
    arrived_at: str  # receipt, or the last transfer into the current unit
    acknowledged_at: str | None  # acknowledged (or taken up) during the current stay
    remote: bool  # the current unit is remote: the longer hand-over limit applies


@dataclass(frozen=True)
class TipClocks:
    acknowledge: Deadline
    remind_at: datetime
    escalate_at: datetime
    transfer: Deadline | None  # None once closed with an outcome other than forwarded
    verification: Deadline
    verification_warn_at: datetime
    verification_day: int  # 1-based, counted now (or at closing)
    verification_warning: bool  # still open and on or past the warning day


def clocks(tip: ClockFacts, settings: Settings, now: datetime) -> TipClocks:
    """The three clocks of a tip as of ``now`` (for the /tip card, digests, the sweep)."""
    created = parse_utc(tip.created_at)
    arrived = parse_utc(tip.arrived_at)
    closed = parse_utc(tip.closed_at) if tip.closed_at else None
    if tip.status in AWAITING_ACK:
        acked = None
    else:
        acked = parse_utc(tip.acknowledged_at) if tip.acknowledged_at else closed or now
    ack_span = ack_limit(tip.urgent, settings)
    transfer = None
    if closed is None or tip.outcome == "forwarded":
        transfer = deadline(arrived, transfer_limit(tip.remote, settings), closed, now)
    verification = deadline(created, timedelta(days=settings.verification_days), closed, now)
    day = ((closed or now) - created) // timedelta(days=1) + 1
    return TipClocks(
        acknowledge=deadline(arrived, ack_span, acked, now),
        remind_at=arrived + ack_span,
        escalate_at=arrived + 2 * ack_span,
        transfer=transfer,
        verification=verification,
        verification_warn_at=created + timedelta(days=settings.verification_warn_day - 1),
        verification_day=max(1, day),
        verification_warning=closed is None and day >= settings.verification_warn_day,
    )


async def clock_facts(tx: Tx, tip_id: int) -> ClockFacts | None:
    row = await tips.clock_row(tx, tip_id)
    if row is None:
        return None
    acknowledged_at = row.acknowledged_at
    if row.moved_at is not None and row.status not in AWAITING_ACK:
        # the column keeps the first acknowledgement ever; this stay's is in the events
        acknowledged_at = await tips.first_response_since(tx, tip_id, row.moved_at)
    return ClockFacts(
        created_at=row.created_at,
        urgent=row.urgent,
        status=row.status,
        outcome=row.outcome,
        closed_at=row.closed_at,
        arrived_at=row.moved_at or row.created_at,
        acknowledged_at=acknowledged_at,
        remote=row.remote,
    )


async def tip_clocks(tx: Tx, tip_id: int, settings: Settings, now: datetime) -> TipClocks | None:
    facts = await clock_facts(tx, tip_id)
    return clocks(facts, settings, now) if facts else None


# ---------------------------------------------------------------- presentation


def span(delta: timedelta, lang: str) -> str:
    """``2 ngày 3 giờ``, ``5 giờ 10 phút``, ``12 phút``: two units at most, for phones."""
    minutes = max(0, int(abs(delta).total_seconds() // 60))
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(t("n_days", lang, n=days))
    if hours:
        parts.append(t("n_hours", lang, n=hours))
    if mins and not days:
        parts.append(t("n_minutes", lang, n=mins))
    return " ".join(parts[:2]) or t("n_minutes", lang, n=0)


def render_clocks(c: TipClocks, lang: str, tz: ZoneInfo, now: datetime) -> str:
    """Three short lines for a tip card."""

    def status(d: Deadline) -> str:
        left = d.margin(now)
        key = {RUNNING: "clock_left", OVERDUE: "clock_over", MET: "clock_met", LATE: "clock_late"}
        return t(key[d.state], lang, span=span(left, lang))

    a = c.acknowledge
    lines = [
        t("clock_ack", lang, due=when(a.due_at, lang, tz), limit=span(a.limit, lang))
        + " — "
        + status(a)
    ]
    # Once the unit took the tip up and kept it past the hand-over window, the tip is
    # evidently its own to handle: an "overdue by 15 days" hand-over line would be noise.
    kept = a.state in (MET, LATE) and c.transfer is not None and c.transfer.state == OVERDUE
    if c.transfer is not None and not kept:
        d = c.transfer
        lines.append(
            t(
                "clock_transfer",
                lang,
                due=when(d.due_at, lang, tz),
                limit=t("n_hours", lang, n=int(d.limit.total_seconds() // 3600)),
            )
            + " — "
            + status(d)
        )
    v = c.verification
    verification = t(
        "clock_verification",
        lang,
        due=when(v.due_at, lang, tz),
        day=c.verification_day,
        days=v.limit.days,
    )
    if v.state != RUNNING or c.verification_warning:
        verification += " — " + status(v)
    lines.append(verification)
    return "\n".join(lines)


# ---------------------------------------------------------------- the ladder


@dataclass(frozen=True)
class SweepResult:
    reminded: list[str]  # receipt codes
    escalated: list[str]

    @property
    def enqueued(self) -> bool:
        return bool(self.reminded or self.escalated)


async def sweep(
    db: Database, settings: Settings, now: datetime, lang: str | None = None
) -> SweepResult:
    """Take every rung of the acknowledgement ladder that is due.

    Safe to run as often as wished (every minute) and after any outage: a rung already
    recorded for the current stay is never taken again, and a rung with nowhere to go (no
    chat bound at all) is left for a later sweep instead of being recorded as done. The
    usual minute with nothing due is one read; the write transaction (which blocks
    citizens' tips) is only opened when something is due, and re-reads under its lock."""
    lang = lang or settings.default_language
    tz = settings.tz
    shortest = min(ack_limit(True, settings), ack_limit(False, settings))
    before = utc_text(now - shortest)
    at = utc_text(now)
    async with db.read() as tx:
        if not _due(await ladder.ladder_candidates(tx, before), settings, now):
            return SweepResult([], [])
    reminded: list[str] = []
    escalated: list[str] = []
    async with db.transaction() as tx:
        due = _due(await ladder.ladder_candidates(tx, before), settings, now)
        province = await store.province(tx)
        duty = await _chat(tx, "duty", province[0]) if province else None
        supervisors = await _chat(tx, "supervisors", province[0]) if province else None
        for tip, remind, escalate in due:
            limit = ack_limit(tip.urgent, settings)
            if remind:
                queue = await _chat(tx, "queue", tip.unit_id)
                target = queue or duty
                if target is not None:
                    reply_to = await ladder.queue_card(tx, tip.id, target)
                    text = _reminder_text(tip, limit, now, lang, tz)
                    await _notify(tx, tip, target, text, "reminder", at, reply_to)
                    where = "queue" if queue else "duty"
                    await _event(tx, tip, "reminded", at, f"ack limit {limit}, sent to {where}")
                    reminded.append(tip.code)
            if escalate:
                target = supervisors or duty
                if target is not None:
                    text = _escalation_text(tip, limit, now, lang, tz)
                    await _notify(tx, tip, target, text, "escalation", at, None)
                    where = "supervisors" if supervisors else "duty"
                    await _event(tx, tip, "escalated", at, f"ack limit {limit}, sent to {where}")
                    escalated.append(tip.code)
    if reminded or escalated:
        log.info("deadline sweep: %d reminded, %d escalated", len(reminded), len(escalated))
    return SweepResult(reminded, escalated)


def _due(
    candidates: list[LadderTip], settings: Settings, now: datetime
) -> list[tuple[TipLine, bool, bool]]:
    """(tip, remind now, escalate now) for every tip with a rung due and not yet taken."""
    due = []
    for c in candidates:
        waited = now - parse_utc(c.tip.arrived_at)
        limit = ack_limit(c.tip.urgent, settings)
        remind = waited >= limit and not c.reminded
        escalate = waited >= 2 * limit and not c.escalated
        if remind or escalate:
            due.append((c.tip, remind, escalate))
    return due


async def _chat(tx: Tx, purpose: str, unit_id: int) -> int | None:
    binding = await bindings.for_unit(tx, purpose, unit_id)
    return binding.chat_id if binding is not None else None


async def _notify(
    tx: Tx, tip: TipLine, chat_id: int, text: str, purpose: str, at: str, reply_to: int | None
) -> None:
    await outbox.enqueue_text(
        tx,
        text,
        at=at,
        purpose=purpose,
        chat_id=chat_id,
        tip_id=tip.id,
        reply_to_outbox=reply_to,
    )


async def _event(tx: Tx, tip: TipLine, action: str, at: str, note: str) -> None:
    await tips.add_event(tx, tip.id, at=at, actor_kind="system", action=action, note=note)


def _facts(tip: TipLine, lang: str, tz: ZoneInfo) -> dict[str, str]:
    return {
        "code": receipt.display(tip.code),
        "category": category_label(tip.category, lang),
        "urgent": t("urgent_mark", lang) if tip.urgent else "",
        "unit": tip.unit_name,
        "received": when(parse_utc(tip.created_at), lang, tz),
    }


def _reminder_text(tip: TipLine, limit: timedelta, now: datetime, lang: str, tz: ZoneInfo) -> str:
    waited = now - parse_utc(tip.arrived_at)
    return t(
        "reminder",
        lang,
        limit=span(limit, lang),
        waited=span(waited, lang),
        **_facts(tip, lang, tz),
    )


def _escalation_text(tip: TipLine, limit: timedelta, now: datetime, lang: str, tz: ZoneInfo) -> str:
    waited = now - parse_utc(tip.arrived_at)
    return t(
        "escalation",
        lang,
        limit=span(limit, lang),
        waited=span(waited, lang),
        **_facts(tip, lang, tz),
    )
