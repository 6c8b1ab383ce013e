"""Reading the police's CSV list of wanted persons: every row checked, every problem
reported at once with its row and column, so the operator fixes the file in one go.

Pure: no database. The registry (bot/wanted.py) passes in the units a row may name and
imports the rows only if the whole file is clean.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from rapidfuzz import fuzz, process

from bot.text import fold
from storage.wanted import NoticeFields, UnitRow

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
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")  # the days of warrants and imports

_SEX = {"nam": "male", "male": "male", "nu": "female", "female": "female"}
_YES_NO = {"yes": True, "co": True, "no": False, "khong": False}
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_VN_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_SPACES = re.compile(r"\s+")
_ISSUER_PREFIXES = ("cong an ", "ca ")
_PNG = b"\x89PNG\r\n\x1a\n"
_JPEG = b"\xff\xd8\xff"


def normalize_warrant(text: str) -> str:
    """The key a warrant number is stored and looked up by. Spreadsheets add stray spaces
    and people type "qđ" as often as "QĐ"; both must name the same warrant."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip().upper()


def _clean(text: str) -> str:
    """NFC (Windows tools often write decomposed Vietnamese) and single-line spacing."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


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
class Row:
    row: int
    fields: NoticeFields


class Units:
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
    units: Units,
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


def parse(
    text: str, units: Units, base: Path, today: date
) -> tuple[list[Row], list[RowError], int]:
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

    rows: list[Row] = []
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
            rows.append(Row(index, fields))
    if data_rows == 0:
        errors.append(RowError(0, None, "the file has a header but no notices"))
    return rows, errors, data_rows
