"""What a digest says, as figures: computed from the database as plain dataclasses, in
one consistent snapshot, before anything is rendered. The state parts (open tips,
overdue, verification clocks) are as of the moment of computing; the rest counts what
happened in the period."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from bot.deadlines import ack_limit
from bot.digest_periods import MONTHLY, WEEKLY, Period
from config.settings import Settings
from storage import digests as store
from storage import web_figures as unit_store
from storage.db import Database, parse_utc, utc_text
from storage.digests import TipLine, WantedFigures


@dataclass(frozen=True)
class Waiting:
    tip: TipLine
    waited: timedelta


@dataclass(frozen=True)
class Verifying:
    tip: TipLine
    day: int
    overdue: bool


@dataclass(frozen=True)
class Digest:
    period: Period
    generated_at: datetime
    province: str
    new_by_category: dict[str, int]
    new_by_unit: list[tuple[str, int]]
    urgent: list[TipLine]
    open_by_status: dict[str, int]
    overdue_ack: list[Waiting]
    ack_count: int
    ack_median: timedelta | None
    ack_p90: timedelta | None
    transfers: int
    closed_by_outcome: dict[str, int]
    verification: list[Verifying]
    units_without_queue: list[str]
    failed: list[tuple[str, int]]
    wanted: WantedFigures  # sightings and withdrawals in the period, active notices now
    verification_days: int = 20
    chart_counts: dict[tuple[str, str], int] = field(default_factory=dict)
    ack_by_unit: dict[str, list[float]] = field(default_factory=dict)
    unrouted: list[TipLine] = field(default_factory=list)  # open tips no police chat holds

    @property
    def new_total(self) -> int:
        return sum(self.new_by_category.values())

    @property
    def open_total(self) -> int:
        return sum(self.open_by_status.values())

    @property
    def verification_over(self) -> int:
        return sum(1 for v in self.verification if v.overdue)

    @property
    def verification_warn(self) -> int:
        return len(self.verification) - self.verification_over


def _moment(text: str) -> datetime:
    """A stored time (``storage.db.utc_text``). The lists hold thousands of open tips,
    and ``parse_utc``'s strptime cost 17 us a tip (a quarter of a second for the web
    overview of a 15,000-tip backlog); ``fromisoformat`` reads the same text exactly,
    in a fiftieth of it. Anything not in the stored shape goes the strict way."""
    if len(text) == 26 and text[10] == " ":
        return datetime.fromisoformat(text).replace(tzinfo=UTC)
    return parse_utc(text)


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile: a value that actually occurred (no interpolation), so
    "90% within 2 h" is literally true of the tips counted."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * int(fraction * 100) // 100))
    return ordered[rank - 1]


async def compute(
    db: Database,
    settings: Settings,
    period: Period,
    now: datetime,
    unit_id: int | None = None,
    *,
    state: bool = True,
) -> Digest:
    """The digest of a period, read in one consistent snapshot: of the province, or with
    ``unit_id`` of one unit (the web page's unit view). A unit's digest counts the tips
    received in its commune and the tips its queue holds; the wanted list, the units
    without a queue and failed deliveries stay the province's own lines (not shown for
    a unit: the lists are left empty). ``state=False`` leaves out the parts that are "as
    of now" (open tips, overdue, verification clocks, unrouted), for a caller showing
    several periods beside one reading of them."""
    start, end = period.start_text, period.end_text
    warn_age = timedelta(days=settings.verification_warn_day - 1)
    shortest = min(ack_limit(True, settings), ack_limit(False, settings))
    async with db.read() as tx:
        province = await store.province(tx)
        waiting: list[TipLine] = []
        old: list[TipLine] = []
        unrouted: list[TipLine] = []
        open_by_status: dict[str, int] = {}
        if state and unit_id is None:
            waiting = await store.awaiting_ack(tx, utc_text(now - shortest))
            old = await store.open_received_before(tx, utc_text(now - warn_age))
            unrouted = await store.unrouted(tx)
            open_by_status = await store.open_by_status(tx)
        ack_by_unit: dict[str, list[float]] = {}
        wanted = await store.wanted_figures(tx, start, end)
        chart_counts: dict[tuple[str, str], int] = {}
        if unit_id is None:
            urgent = await store.new_urgent(tx, start, end)
            cells = await store.received_cells(tx, start, end)  # read once for both
            by_category = store.by_category(cells)
            by_unit = store.by_unit(cells, await store.unit_names(tx))
            if period.kind == MONTHLY:  # the chart's figures hold every wait: one read
                ack_by_unit = await store.ack_seconds_by_unit(tx, start, end)
                ack = [seconds for waits in ack_by_unit.values() for seconds in waits]
            else:
                ack = await store.ack_seconds(tx, start, end)
            transfers = await store.transfers(tx, start, end)
            closed = await store.closed_by_outcome(tx, start, end)
            no_queue = await store.units_without_queue(tx)
            failed = await store.failed_deliveries(tx, start, end)
            if period.kind == WEEKLY:
                offset = now.astimezone(settings.tz).utcoffset() or timedelta(0)
                chart_counts = await store.daily_by_category(
                    tx, start, end, int(offset.total_seconds() // 60)
                )
        else:
            # received: in the unit's commune (by id: short names may repeat); urgent,
            # open, overdue, acknowledged and closed: the tips its queue holds
            by_category = {}
            for (place, category), n in (await store.received_cells(tx, start, end)).items():
                if place == unit_id:
                    by_category[category] = n
            name = (await store.unit_names(tx)).get(unit_id, "?")
            by_unit = [(name, sum(by_category.values()))] if by_category else []
            urgent = await unit_store.new_urgent(tx, start, end, unit_id)
            if state:
                waiting = await unit_store.awaiting_ack(tx, utc_text(now - shortest), unit_id)
                old = await unit_store.open_received_before(tx, utc_text(now - warn_age), unit_id)
                unrouted = [tip for tip in await store.unrouted(tx) if tip.unit_id == unit_id]
                open_by_status = await unit_store.open_by_status(tx, unit_id)
            ack = await unit_store.ack_seconds(tx, start, end, unit_id)
            transfers = await unit_store.transfers(tx, start, end, unit_id)
            closed = await unit_store.closed_by_outcome(tx, start, end, unit_id)
            no_queue, failed = [], []
            seen, notices = await unit_store.sightings(tx, start, end, unit_id)
            wanted = replace(wanted, sightings=seen, notices_sighted=notices)
    overdue = []
    for tip in waiting:
        waited = now - _moment(tip.arrived_at)
        if waited > ack_limit(tip.urgent, settings):
            overdue.append(Waiting(tip, waited))
    overdue.sort(key=lambda w: -w.waited)
    verification = []
    for tip in old:
        age = now - _moment(tip.created_at)
        day = age // timedelta(days=1) + 1
        verification.append(Verifying(tip, day, age >= timedelta(days=settings.verification_days)))
    return Digest(
        period=period,
        generated_at=now,
        province=province[1] if province else settings.province,
        new_by_category=by_category,
        new_by_unit=by_unit,
        urgent=urgent,
        open_by_status=open_by_status,
        overdue_ack=overdue,
        ack_count=len(ack),
        ack_median=timedelta(seconds=statistics.median(ack)) if ack else None,
        ack_p90=timedelta(seconds=percentile(ack, 0.9)) if ack else None,
        transfers=transfers,
        closed_by_outcome=closed,
        verification=verification,
        units_without_queue=no_queue,
        failed=failed,
        wanted=wanted,
        verification_days=settings.verification_days,
        chart_counts=chart_counts,
        ack_by_unit=ack_by_unit,
        unrouted=unrouted,
    )
