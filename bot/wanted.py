"""Wanted-person notices: import from the police's CSV, withdrawal, search and cards.

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

import csv
import hashlib
import io
import math
import re
import unicodedata
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from rapidfuzz import fuzz, process

from bot.clock import Clock, system_clock
from bot.fmt import when
from bot.text import fold
from config.texts import t
from storage import wanted as store
from storage.db import Database, Tx, parse_utc, utc_text
from storage.wanted import WITHDRAWN_REASONS, NoticeFields, UnitRow, WantedNotice

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
    "normalize_warrant",
    "photo_bytes",
    "police_card",
    "public_card",
    "remember_photo_file_id",
    "search",
    "withdraw",
]

COLUMNS = (
    "full_name",
    "aliases",
    "birth_year",
    "sex",
    "last_residence",
    "offence",
    "warrant_number",
    "warrant_date",
    "issuing_unit",
    "dangerous",
    "photo",
)
REQUIRED = frozenset(COLUMNS) - {"aliases", "birth_year", "photo"}
MAX_LENGTHS = {
    "full_name": 100,
    "last_residence": 300,
    "offence": 300,
    "warrant_number": 50,
    "issuing_unit": 120,
    "photo": 255,
}
MAX_ALIASES = 10
MAX_ALIAS_LENGTH = 100
MAX_PHOTO_BYTES = 5 * 1024 * 1024  # Telegram accepts 10 MB; a notice photo needs far less
MAX_PAGE_SIZE = 50
MAX_QUERY_LENGTH = 100
FUZZY_CUTOFF = 80.0  # rapidfuzz score; below it a "typo" is usually another person
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")

_SEX = {"nam": "male", "male": "male", "nu": "female", "female": "female"}
_YES_NO = {"yes": True, "co": True, "no": False, "khong": False}
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_VN_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_SPACES = re.compile(r"\s+")
_ISSUER_PREFIXES = ("cong an ", "ca ")
_PNG = b"\x89PNG\r\n\x1a\n"
_JPEG = b"\xff\xd8\xff"


class WantedError(Exception):
    """A request about notices that cannot be carried out; the message is for the operator."""


class UnknownWarrant(WantedError, LookupError):
    pass


class BadReason(WantedError, ValueError):
    pass


def normalize_warrant(text: str) -> str:
    """The key a warrant number is stored and looked up by. Spreadsheets add stray spaces
    and people type "qđ" as often as "QĐ"; both must name the same warrant."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip().upper()


def _clean(text: str) -> str:
    """NFC (Windows tools often write decomposed Vietnamese) and single-line spacing."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


# ---------------------------------------------------------------- import


@dataclass(frozen=True)
class RowError:
    """``row`` counts like a spreadsheet (the header is row 1); 0 is the file itself."""

    row: int
    column: str | None
    reason: str

    def __str__(self) -> str:
        where = "file" if self.row == 0 else f"row {self.row}"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.reason}"


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


@dataclass(frozen=True)
class _Row:
    row: int
    fields: NoticeFields


class _Units:
    """Resolves the ``issuing_unit`` cell: a unit code, the exact name, or the name in any
    spelling ("cong an phuong tam chuc"); an ambiguous short name is refused, not guessed."""

    def __init__(self, rows: list[UnitRow]) -> None:
        self._by_code = {u.code: u for u in rows}
        self._by_name: dict[str, list[UnitRow]] = {}
        self._by_folded: dict[str, list[UnitRow]] = {}
        self._by_short: dict[str, list[UnitRow]] = {}
        for unit in rows:
            self._by_name.setdefault(unit.name, []).append(unit)
            self._by_folded.setdefault(fold(unit.name), []).append(unit)
            self._by_short.setdefault(fold(unit.short_name), []).append(unit)
        self._choices = {u.id: fold(u.name) for u in rows}
        self._rows = {u.id: u for u in rows}

    def resolve(self, given: str) -> UnitRow | str:
        """The unit, or the reason it cannot be told."""
        if given in self._by_code:
            return self._by_code[given]
        if len(self._by_name.get(given, [])) == 1:
            return self._by_name[given][0]
        folded = fold(given)
        for prefix in _ISSUER_PREFIXES:
            if folded.startswith(prefix):
                folded = folded[len(prefix) :]
                break
        for index in (self._by_folded, self._by_short):
            found = index.get(folded, [])
            if len(found) == 1:
                return found[0]
            if len(found) > 1:
                listed = "; ".join(f"{u.name} (code {u.code})" for u in found)
                return f"{given!r} is ambiguous: it could be {listed}; use the unit code"
        if not self._rows:
            return "no units in the database; run `tinbao units sync` first"
        reason = f"unknown unit {given!r}; use a unit code or its name, e.g. 'Phường Tam Chúc'"
        best = process.extractOne(folded, self._choices, scorer=fuzz.WRatio, score_cutoff=75)
        if best is not None:
            unit = self._rows[best[2]]
            reason += f" (did you mean {unit.name!r}, code {unit.code}?)"
        return reason


def _parse_date(text: str) -> date | None:
    for pattern, order in ((_ISO_DATE, (0, 1, 2)), (_VN_DATE, (2, 1, 0))):
        match = pattern.match(text)
        if match:
            parts = [int(p) for p in match.groups()]
            try:
                return date(parts[order[0]], parts[order[1]], parts[order[2]])
            except ValueError:
                return None
    return None


def _read_photo(base: Path, relative: str) -> bytes | str:
    """The image bytes, or why they cannot be used."""
    path = base / relative
    try:
        if not path.is_file():
            return f"no such file: {path}"
        if path.stat().st_size > MAX_PHOTO_BYTES:
            return f"{path} is larger than {MAX_PHOTO_BYTES // (1024 * 1024)} MB"
        data = path.read_bytes()
    except OSError as exc:
        return f"cannot read {path}: {exc.strerror or exc}"
    if not (data.startswith(_PNG) or data.startswith(_JPEG)):
        return f"{path} is not a PNG or JPEG image"
    return data


def _search_key(full_name: str, aliases: Sequence[str]) -> str:
    keys = dict.fromkeys(k for k in (fold(full_name), *(fold(a) for a in aliases)) if k)
    return "|".join(keys)


def _validate_row(
    number: int,
    cells: dict[str, str],
    units: _Units,
    base: Path,
    today: date,
    errors: list[RowError],
) -> NoticeFields | None:
    """One data row to the fields it sets, adding every problem found to ``errors``."""
    found: list[RowError] = []

    def bad(column: str, reason: str) -> None:
        found.append(RowError(number, column, reason))

    values = {c: _clean(cells.get(c, "")) for c in COLUMNS}
    for column in COLUMNS:
        if column in REQUIRED and not values[column]:
            bad(column, "required, but empty")
        elif column in MAX_LENGTHS and len(values[column]) > MAX_LENGTHS[column]:
            bad(column, f"longer than {MAX_LENGTHS[column]} characters")

    full_name = values["full_name"]
    if full_name and not any(ch.isalpha() for ch in full_name):
        bad("full_name", f"{full_name!r} is not a name")

    aliases: list[str] = []
    for alias in (_clean(a) for a in values["aliases"].split(";")):
        if not alias or fold(alias) in {fold(full_name), *(fold(a) for a in aliases)}:
            continue
        if len(alias) > MAX_ALIAS_LENGTH:
            bad("aliases", f"alias {alias[:20]!r}... is longer than {MAX_ALIAS_LENGTH} characters")
        aliases.append(alias)
    if len(aliases) > MAX_ALIASES:
        bad("aliases", f"{len(aliases)} aliases; at most {MAX_ALIASES}")

    sex = _SEX.get(fold(values["sex"]))
    if values["sex"] and sex is None:
        bad("sex", f"{values['sex']!r} is not one of nam, nữ, male, female")

    dangerous = _YES_NO.get(fold(values["dangerous"]))
    if values["dangerous"] and dangerous is None:
        bad("dangerous", f"{values['dangerous']!r} is not one of yes, no, có, không")

    warrant_date = _parse_date(values["warrant_date"])
    if values["warrant_date"]:
        if warrant_date is None:
            bad(
                "warrant_date",
                f"{values['warrant_date']!r} is not a date as YYYY-MM-DD or DD/MM/YYYY",
            )
        elif warrant_date > today:
            bad("warrant_date", f"{warrant_date.isoformat()} is in the future")
        elif warrant_date.year < 1950:
            bad("warrant_date", f"{warrant_date.isoformat()} is before 1950")

    birth_year: int | None = None
    if values["birth_year"]:
        latest = warrant_date.year if warrant_date else today.year
        if not values["birth_year"].isdecimal() or len(values["birth_year"]) != 4:
            bad("birth_year", f"{values['birth_year']!r} is not a four-digit year")
        elif not 1900 <= int(values["birth_year"]) <= latest:
            bad("birth_year", f"{values['birth_year']} is not between 1900 and {latest}")
        else:
            birth_year = int(values["birth_year"])

    unit: UnitRow | None = None
    if values["issuing_unit"]:
        resolved = units.resolve(values["issuing_unit"])
        if isinstance(resolved, str):
            bad("issuing_unit", resolved)
        else:
            unit = resolved

    photo: bytes | None = None
    if values["photo"]:
        read = _read_photo(base, values["photo"])
        if isinstance(read, str):
            bad("photo", read)
        else:
            photo = read

    errors.extend(found)
    if found or sex is None or dangerous is None or warrant_date is None or unit is None:
        return None
    return NoticeFields(
        warrant_number=normalize_warrant(values["warrant_number"]),
        warrant_date=warrant_date.isoformat(),
        full_name=full_name,
        aliases=tuple(aliases),
        search_key=_search_key(full_name, aliases),
        birth_year=birth_year,
        sex=sex,
        last_residence=values["last_residence"],
        offence=values["offence"],
        issuing_unit_id=unit.id,
        dangerous=dangerous,
        photo=photo,
        photo_sha256=hashlib.sha256(photo).hexdigest() if photo is not None else None,
    )


def _parse(
    text: str, units: _Units, base: Path, today: date
) -> tuple[list[_Row], list[RowError], int]:
    """All rows of the file, or all of its problems: ``(rows, errors, data row count)``."""
    errors: list[RowError] = []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        records = list(reader)
    except csv.Error as exc:
        return [], [RowError(0, None, f"not a readable CSV file: {exc}")], 0
    if not records:
        return [], [RowError(0, None, "the file is empty")], 0
    header = [_clean(h).lower() for h in records[0]]
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        errors.append(
            RowError(1, None, f"unknown column(s) {unknown}; expected {', '.join(COLUMNS)}")
        )
    duplicated = sorted({h for h in header if header.count(h) > 1})
    if duplicated:
        errors.append(RowError(1, None, f"column(s) {duplicated} appear more than once"))
    missing = sorted(REQUIRED - set(header), key=COLUMNS.index)
    if missing:
        errors.append(RowError(1, None, f"missing required column(s) {missing}"))
    if errors:
        return [], errors, 0

    rows: list[_Row] = []
    first_row_of: dict[str, int] = {}
    data_rows = 0
    for index, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue  # spreadsheets leave blank lines at the end
        data_rows += 1
        if len(record) != len(header):
            errors.append(
                RowError(index, None, f"{len(record)} cells, but the header has {len(header)}")
            )
            continue
        cells = dict(zip(header, record, strict=True))
        fields = _validate_row(index, cells, units, base, today, errors)
        warrant = normalize_warrant(cells["warrant_number"])
        if warrant and warrant in first_row_of:
            errors.append(
                RowError(
                    index,
                    "warrant_number",
                    f"{warrant} is already on row {first_row_of[warrant]}",
                )
            )
            continue
        if warrant:
            first_row_of[warrant] = index
        if fields is not None:
            rows.append(_Row(index, fields))
    if data_rows == 0:
        errors.append(RowError(0, None, "the file has a header but no notices"))
    return rows, errors, data_rows


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
        units = _Units(await store.active_units(tx))
    today = clock().astimezone(VIETNAM).date()
    rows, errors, count = _parse(text, units, path.parent, today)
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


# ---------------------------------------------------------------- cards


def _date(iso: str, lang: str) -> str:
    day = date.fromisoformat(iso)
    return day.isoformat() if lang == "en" else day.strftime("%d/%m/%Y")


def issuer_name(unit_name: str, lang: str) -> str:
    """ "Công an phường Tam Chúc": in running Vietnamese text the unit type is lower case."""
    if lang == "en":
        return t("issuer", lang, unit=unit_name)
    return t("issuer", lang, unit=unit_name[:1].lower() + unit_name[1:])


def public_card(notice: WantedNotice, lang: str) -> str:
    """What a citizen may see: the fields printed on a public wanted notice, nothing of
    the record's internals, and for a dangerous person the warning not to approach."""
    lines = [t("w_card_title", lang), t("card_name", lang, name=notice.full_name.upper())]
    if notice.aliases:
        lines.append(t("card_aliases", lang, aliases="; ".join(notice.aliases)))
    year = str(notice.birth_year) if notice.birth_year else t("year_unknown", lang)
    lines.append(t("card_born_sex", lang, year=year, sex=t(f"sex_{notice.sex}", lang)))
    lines.append(t("card_residence", lang, place=notice.last_residence))
    lines.append(t("card_offence", lang, offence=notice.offence))
    lines.append(
        t(
            "card_warrant",
            lang,
            number=notice.warrant_number,
            date=_date(notice.warrant_date, lang),
            issuer=issuer_name(notice.issuing_unit_name, lang),
        )
    )
    if notice.dangerous:
        lines += ["", t("card_dangerous", lang)]
    lines += ["", t("card_call_to_action", lang)]
    return "\n".join(lines)


def police_card(notice: WantedNotice, lang: str, tz: ZoneInfo = VIETNAM) -> str:
    """The public card's facts plus the record's state, for officers and the operator."""
    if notice.active:
        status = t("status_active", lang)
    else:
        status = t(
            "status_withdrawn",
            lang,
            reason=t(f"reason_{notice.withdrawn_reason}", lang),
            at=when(parse_utc(str(notice.withdrawn_at)), lang, tz),
        )
    lines = [
        t("police_header", lang, id=notice.id, status=status),
        t("card_name", lang, name=notice.full_name.upper()),
    ]
    if notice.aliases:
        lines.append(t("card_aliases", lang, aliases="; ".join(notice.aliases)))
    year = str(notice.birth_year) if notice.birth_year else t("year_unknown", lang)
    lines += [
        t("card_born_sex", lang, year=year, sex=t(f"sex_{notice.sex}", lang)),
        t("card_residence", lang, place=notice.last_residence),
        t("card_offence", lang, offence=notice.offence),
        t(
            "card_warrant",
            lang,
            number=notice.warrant_number,
            date=_date(notice.warrant_date, lang),
            issuer=issuer_name(notice.issuing_unit_name, lang),
        ),
        t("police_dangerous" if notice.dangerous else "police_not_dangerous", lang),
        t(
            "police_photo",
            lang,
            photo=t("photo_yes" if notice.has_photo else "photo_no", lang),
            created=when(parse_utc(notice.created_at), lang, tz),
            updated=when(parse_utc(notice.updated_at), lang, tz),
        ),
    ]
    return "\n".join(lines)
