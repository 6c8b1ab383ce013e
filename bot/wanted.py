"""Wanted-person notices: the registry (import, withdrawal, browsing and search). The
CSV file is read and checked in bot/wanted_csv.py, the cards are worded in
bot/wanted_cards.py; both are re-exported here, the one name the callers import.

Plain values in and out (no Telegram types), so the ``tinbao wanted`` command line, the
Telegram handlers and a later Zalo front end share one set of rules:

- An import is all or nothing. The operator fixes the file and runs it again; a half
  imported list would leave citizens looking at a mix of old and new notices.
- Re-importing upserts by warrant number, and never brings a withdrawn notice back: the
  list the operator exported may be older than the arrest that withdrew it.
- Only public fields ever reach a citizen (:func:`public_card`); the police card adds the
  record's state.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz

from bot.clock import Clock, system_clock
from bot.text import fold
from bot.wanted_cards import issuer_name, police_card, public_card
from bot.wanted_csv import COLUMNS, VIETNAM, RowError, Units, normalize_warrant, parse
from storage import wanted as store
from storage.db import Database, Tx, utc_text
from storage.wanted import WITHDRAWN_REASONS, NoticeFields, WantedNotice

__all__ = [
    "COLUMNS",
    "WITHDRAWN_REASONS",
    "BadReason",
    "ImportReport",
    "Page",
    "RowError",
    "UnknownWarrant",
    "WantedError",
    "WantedNotice",
    "WithdrawResult",
    "active_notice",
    "browse",
    "forget_photo_file_id",
    "get",
    "import_csv",
    "issuer_name",
    "normalize_warrant",
    "photo_bytes",
    "police_card",
    "public_card",
    "remember_photo_file_id",
    "search",
    "withdraw",
]

MAX_PAGE_SIZE = 50
MAX_QUERY_LENGTH = 100
FUZZY_CUTOFF = 80.0  # rapidfuzz score; below it a "typo" is usually another person


class WantedError(Exception):
    """A request about notices that cannot be carried out; the message is for the operator."""


class UnknownWarrant(WantedError, LookupError):
    pass


class BadReason(WantedError, ValueError):
    pass


# ---------------------------------------------------------------- import


@dataclass(frozen=True)
class ImportReport:
    path: str
    rows: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    kept_withdrawn: tuple[str, ...] = ()  # warrant numbers skipped because withdrawn
    errors: tuple[RowError, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        """What ``tinbao wanted import`` prints: the counts, or every error to fix."""
        name = Path(self.path).name
        if self.errors:
            lines = [f"{name}: nothing imported; fix these {len(self.errors)} error(s):"]
            lines += [f"  {error}" for error in self.errors]
            return "\n".join(lines)
        text = (
            f"{name}: {self.rows} notice(s) read; {self.added} added, {self.updated} updated,"
            f" {self.unchanged} unchanged"
        )
        if self.kept_withdrawn:
            text += (
                f"; {len(self.kept_withdrawn)} left withdrawn (not re-activated):"
                f" {', '.join(self.kept_withdrawn)}"
            )
        return text


def _same(notice: WantedNotice, fields: NoticeFields) -> bool:
    return (
        notice.warrant_date,
        notice.full_name,
        notice.aliases,
        notice.birth_year,
        notice.sex,
        notice.last_residence,
        notice.offence,
        notice.issuing_unit_id,
        notice.dangerous,
        notice.photo_sha256,
    ) == (
        fields.warrant_date,
        fields.full_name,
        fields.aliases,
        fields.birth_year,
        fields.sex,
        fields.last_residence,
        fields.offence,
        fields.issuing_unit_id,
        fields.dangerous,
        fields.photo_sha256,
    )


async def import_csv(
    db: Database, path: Path | str, *, clock: Clock = system_clock
) -> ImportReport:
    """Validate every row, then upsert them all in one transaction, or import nothing.

    Notices missing from the file are left alone: taking a notice down needs a reason
    (arrested, surrendered, cancelled), which only :func:`withdraw` records.
    """
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        return ImportReport(str(path), errors=(RowError(0, None, f"cannot read: {exc}"),))
    except UnicodeDecodeError as exc:
        reason = (
            f"not UTF-8 text (byte {exc.start}); in Excel use 'Save as: CSV UTF-8 (comma"
            " delimited)'"
        )
        return ImportReport(str(path), errors=(RowError(0, None, reason),))
    async with db.read() as tx:
        units = Units(await store.active_units(tx))
    today = clock().astimezone(VIETNAM).date()
    rows, errors, count = parse(text, units, path.parent, today)
    if errors:
        return ImportReport(str(path), rows=count, errors=tuple(errors))

    added = updated = unchanged = 0
    kept: list[str] = []
    at = utc_text(clock())
    async with db.transaction() as tx:
        existing = await store.by_warrants(tx, [r.fields.warrant_number for r in rows])
        for row in rows:
            old = existing.get(row.fields.warrant_number)
            if old is None:
                await store.insert(tx, row.fields, at)
                added += 1
            elif not old.active:
                kept.append(old.warrant_number)
            elif _same(old, row.fields):
                unchanged += 1
            else:
                await store.update(tx, old.id, row.fields, at)
                updated += 1
    return ImportReport(str(path), count, added, updated, unchanged, tuple(kept))


# ---------------------------------------------------------------- withdrawal


@dataclass(frozen=True)
class WithdrawResult:
    notice_id: int
    warrant_number: str
    full_name: str
    reason: str  # the reason on record (the first one, if it was already withdrawn)
    withdrawn_at: str
    changed: bool  # False: it was already withdrawn, nothing changed
    open_tip_ids: tuple[int, ...]  # sightings still open, for the lifecycle to close

    def summary(self) -> str:
        """What ``tinbao wanted withdraw`` prints."""
        if self.changed:
            head = f"{self.warrant_number} ({self.full_name}): withdrawn, reason {self.reason}"
        else:
            head = (
                f"{self.warrant_number} ({self.full_name}): already withdrawn on"
                f" {self.withdrawn_at[:10]}, reason {self.reason}; nothing changed"
            )
        if self.open_tip_ids:
            ids = ", ".join(str(i) for i in self.open_tip_ids)
            return f"{head}; {len(self.open_tip_ids)} open sighting tip(s): {ids}"
        return f"{head}; no open sighting tips"


CloseSightings = Callable[[Tx, WithdrawResult], Awaitable[None]]


async def withdraw(
    db: Database,
    warrant: str,
    reason: str,
    clock: Clock = system_clock,
    *,
    close_sightings: CloseSightings | None = None,
) -> WithdrawResult:
    """Take a notice down (arrested, surrendered or cancelled) and list its open sightings.

    ``close_sightings`` runs inside the same transaction, so the notice and the tips that
    reported seeing the person change together or not at all. Withdrawing twice is
    harmless: the first reason stays, and the still-open tips are listed again so a
    closing step that failed can be retried.
    """
    if reason not in WITHDRAWN_REASONS:
        raise BadReason(f"reason must be one of {', '.join(WITHDRAWN_REASONS)}, not {reason!r}")
    key = normalize_warrant(warrant)
    at = utc_text(clock())
    async with db.transaction() as tx:
        notice = await store.by_warrant(tx, key)
        if notice is None:
            raise UnknownWarrant(f"no wanted notice with warrant number {key!r}")
        changed = await store.withdraw(tx, notice.id, reason, at)
        tips = tuple(await store.open_tip_ids(tx, notice.id))
        result = WithdrawResult(
            notice_id=notice.id,
            warrant_number=notice.warrant_number,
            full_name=notice.full_name,
            reason=reason if changed else str(notice.withdrawn_reason),
            withdrawn_at=at if changed else str(notice.withdrawn_at),
            changed=changed,
            open_tip_ids=tips,
        )
        if close_sightings is not None:
            await close_sightings(tx, result)
    return result


# ---------------------------------------------------------------- reading


@dataclass(frozen=True)
class Page:
    """``page`` is 0-based and already clamped into range; ``items`` never hold photos."""

    items: tuple[WantedNotice, ...]
    page: int
    page_size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.page_size))

    @property
    def has_prev(self) -> bool:
        return self.page > 0

    @property
    def has_next(self) -> bool:
        return self.page + 1 < self.pages


def _window(page: int, page_size: int, total: int) -> tuple[int, int]:
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValueError(f"page_size must be 1..{MAX_PAGE_SIZE}, not {page_size}")
    pages = max(1, math.ceil(total / page_size))
    page = min(max(page, 0), pages - 1)
    return page, page * page_size


async def browse(db: Database, page: int = 0, page_size: int = 1) -> Page:
    """Active notices, dangerous ones first, then the newest warrants."""
    async with db.read() as tx:
        total = await store.count_active(tx)
        page, offset = _window(page, page_size, total)
        items = await store.list_active(tx, offset, page_size)
    return Page(tuple(items), page, page_size, total)


def _score(query: str, key: str) -> float:
    """Tiers keep exact > whole words > word prefix > fuzzy, whatever the lengths."""
    flat_query, flat_key = query.replace(" ", ""), key.replace(" ", "")
    if query == key:
        return 100.0
    if flat_query == flat_key:
        return 99.0  # "vanduc" for "van duc"
    cover = min(len(flat_query) / len(flat_key), 1.0)
    if f" {query} " in f" {key} ":
        return 90.0 + 5.0 * cover  # "duc", "van duc": whole words of the name
    if f" {key}".find(f" {query}") >= 0 and len(flat_query) >= 3:
        return 85.0 + 4.0 * cover  # "nguyen van du": still typing
    if len(flat_query) < 4:
        return 0.0
    ratio = max(
        fuzz.ratio(query, key),
        fuzz.token_sort_ratio(query, key),
        fuzz.partial_ratio(query, key) if len(flat_query) >= 5 else 0.0,
    )
    return ratio * 0.8 if ratio >= FUZZY_CUTOFF else 0.0


async def search(db: Database, query: str, page: int = 0, page_size: int = 5) -> Page:
    """Active notices whose name or an alias matches, with or without diacritics and with
    a typo or two; best match first. A query under two letters matches nothing (it would
    list everyone)."""
    folded = fold(query[:MAX_QUERY_LENGTH])
    if len(folded.replace(" ", "")) < 2:
        _window(0, page_size, 0)
        return Page((), 0, page_size, 0)
    async with db.read() as tx:
        entries = await store.search_entries(tx)
    scored = []
    for entry in entries:
        best = max((_score(folded, key) for key in entry.keys), default=0.0)
        if best > 0:
            scored.append((best, entry))
    scored.sort(key=lambda s: (-s[0], not s[1].dangerous, s[1].warrant_date, s[1].notice_id))
    page, offset = _window(page, page_size, len(scored))
    ids = [entry.notice_id for _, entry in scored[offset : offset + page_size]]
    async with db.read() as tx:
        found = await store.get_many(tx, ids)
    # A notice withdrawn between the two reads is dropped rather than shown.
    items = tuple(found[i] for i in ids if i in found and found[i].active)
    return Page(items, page, page_size, len(scored))


async def get(db: Database, notice_id: int) -> WantedNotice | None:
    async with db.read() as tx:
        return await store.get(tx, notice_id)


async def active_notice(db: Database, notice_id: int) -> WantedNotice | None:
    """The notice if it is still in force. Every button press re-checks this: callback
    data is untrusted and a notice may have been withdrawn since the card was sent."""
    notice = await get(db, notice_id)
    return notice if notice is not None and notice.active else None


async def photo_bytes(db: Database, notice_id: int) -> bytes | None:
    async with db.read() as tx:
        return await store.photo(tx, notice_id)


async def remember_photo_file_id(db: Database, notice: WantedNotice, file_id: str) -> bool:
    """Cache the file id Telegram gave the uploaded photo, so later cards send the id
    instead of the bytes. Refused if the photo was replaced since ``notice`` was read."""
    async with db.transaction() as tx:
        return await store.set_photo_file_id(tx, notice.id, notice.photo_sha256, file_id)


async def forget_photo_file_id(db: Database, notice_id: int) -> None:
    """Telegram rejected the cached id (another bot token, a purged file): upload again."""
    async with db.transaction() as tx:
        await store.clear_photo_file_id(tx, notice_id)
