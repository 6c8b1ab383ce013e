"""SQL for wanted-person notices (lệnh truy nã) and their link to citizens' sightings.

Lists never load the photo bytes: a page of notices stays a few kilobytes however many
photos the province imported, and the photo is read only when it is about to be sent.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass

from storage.db import Tx

WITHDRAWN_REASONS = ("arrested", "surrendered", "cancelled")

_COLUMNS = (
    "w.id, w.warrant_number, w.warrant_date, w.full_name, w.aliases, w.birth_year, w.sex,"
    " w.last_residence, w.offence, w.issuing_unit_id, u.name AS issuing_unit_name,"
    " w.dangerous, w.photo IS NOT NULL AS has_photo, w.photo_sha256, w.photo_file_id,"
    " w.status, w.withdrawn_reason, w.withdrawn_at, w.created_at, w.updated_at"
)
_FROM = "wanted_notices w JOIN units u ON u.id = w.issuing_unit_id"
# Dangerous people first: they are the ones a citizen most needs to recognise.
_BROWSE_ORDER = "w.dangerous DESC, w.warrant_date DESC, w.id DESC"


@dataclass(frozen=True)
class WantedNotice:
    id: int
    warrant_number: str
    warrant_date: str  # ISO YYYY-MM-DD
    full_name: str
    aliases: tuple[str, ...]
    birth_year: int | None
    sex: str  # male | female
    last_residence: str
    offence: str
    issuing_unit_id: int
    issuing_unit_name: str  # "Phường Tam Chúc", "Tỉnh Ninh Bình"
    dangerous: bool
    has_photo: bool
    photo_sha256: str | None
    photo_file_id: str | None
    status: str  # active | withdrawn
    withdrawn_reason: str | None
    withdrawn_at: str | None
    created_at: str
    updated_at: str

    @property
    def active(self) -> bool:
        return self.status == "active"


@dataclass(frozen=True)
class NoticeFields:
    """What an import row sets; everything else (status, file id, times) is the store's."""

    warrant_number: str
    warrant_date: str
    full_name: str
    aliases: tuple[str, ...]
    search_key: str
    birth_year: int | None
    sex: str
    last_residence: str
    offence: str
    issuing_unit_id: int
    dangerous: bool
    photo: bytes | None
    photo_sha256: str | None


@dataclass(frozen=True)
class SearchEntry:
    """The search material of one active notice: ``keys`` are the folded name and aliases."""

    notice_id: int
    keys: tuple[str, ...]
    dangerous: bool
    warrant_date: str


def _notice(row: sqlite3.Row) -> WantedNotice:
    return WantedNotice(
        id=row["id"],
        warrant_number=row["warrant_number"],
        warrant_date=row["warrant_date"],
        full_name=row["full_name"],
        aliases=tuple(json.loads(row["aliases"])),
        birth_year=row["birth_year"],
        sex=row["sex"],
        last_residence=row["last_residence"],
        offence=row["offence"],
        issuing_unit_id=row["issuing_unit_id"],
        issuing_unit_name=row["issuing_unit_name"],
        dangerous=bool(row["dangerous"]),
        has_photo=bool(row["has_photo"]),
        photo_sha256=row["photo_sha256"],
        photo_file_id=row["photo_file_id"],
        status=row["status"],
        withdrawn_reason=row["withdrawn_reason"],
        withdrawn_at=row["withdrawn_at"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


async def get(tx: Tx, notice_id: int) -> WantedNotice | None:
    row = await tx.fetchone(f"SELECT {_COLUMNS} FROM {_FROM} WHERE w.id = ?", (notice_id,))
    return _notice(row) if row else None


async def by_warrant(tx: Tx, warrant_number: str) -> WantedNotice | None:
    """``warrant_number`` must already be normalised (see ``bot.wanted.normalize_warrant``)."""
    row = await tx.fetchone(
        f"SELECT {_COLUMNS} FROM {_FROM} WHERE w.warrant_number = ?", (warrant_number,)
    )
    return _notice(row) if row else None


async def by_warrants(tx: Tx, warrant_numbers: list[str]) -> dict[str, WantedNotice]:
    rows = await tx.fetchall(
        f"SELECT {_COLUMNS} FROM {_FROM}"
        " WHERE w.warrant_number IN (SELECT value FROM json_each(?))",
        (json.dumps(warrant_numbers),),
    )
    return {row["warrant_number"]: _notice(row) for row in rows}


async def get_many(tx: Tx, notice_ids: list[int]) -> dict[int, WantedNotice]:
    rows = await tx.fetchall(
        f"SELECT {_COLUMNS} FROM {_FROM} WHERE w.id IN (SELECT value FROM json_each(?))",
        (json.dumps(notice_ids),),
    )
    return {int(row["id"]): _notice(row) for row in rows}


async def photo(tx: Tx, notice_id: int) -> bytes | None:
    value = await tx.scalar("SELECT photo FROM wanted_notices WHERE id = ?", (notice_id,))
    return bytes(value) if value is not None else None


async def insert(tx: Tx, fields: NoticeFields, at: str) -> int:
    return await tx.execute(
        "INSERT INTO wanted_notices(warrant_number, warrant_date, full_name, aliases,"
        " search_key, birth_year, sex, last_residence, offence, issuing_unit_id, dangerous,"
        " photo, photo_sha256, created_at, updated_at)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (*_values(fields), at, at),
    )


async def update(tx: Tx, notice_id: int, fields: NoticeFields, at: str) -> None:
    """Overwrite the imported fields. A new photo forgets the cached Telegram file id,
    which belongs to the old picture."""
    await tx.execute(
        "UPDATE wanted_notices SET warrant_number = ?, warrant_date = ?, full_name = ?,"
        " aliases = ?, search_key = ?, birth_year = ?, sex = ?, last_residence = ?,"
        " offence = ?, issuing_unit_id = ?, dangerous = ?, photo = ?,"
        " photo_file_id = CASE WHEN photo_sha256 IS ? THEN photo_file_id END,"
        " photo_sha256 = ?, updated_at = ? WHERE id = ?",
        (*_values(fields), fields.photo_sha256, at, notice_id),
    )


def _values(fields: NoticeFields) -> tuple[object, ...]:
    return (
        fields.warrant_number,
        fields.warrant_date,
        fields.full_name,
        json.dumps(list(fields.aliases), ensure_ascii=False),
        fields.search_key,
        fields.birth_year,
        fields.sex,
        fields.last_residence,
        fields.offence,
        fields.issuing_unit_id,
        int(fields.dangerous),
        fields.photo,
        fields.photo_sha256,
    )


async def withdraw(tx: Tx, notice_id: int, reason: str, at: str) -> bool:
    """Active -> withdrawn; False if it was already withdrawn (nothing changes then)."""
    changed = await tx.execute(
        "UPDATE wanted_notices SET status = 'withdrawn', withdrawn_reason = ?,"
        " withdrawn_at = ?, updated_at = ? WHERE id = ? AND status = 'active'",
        (reason, at, at, notice_id),
    )
    return changed > 0


async def set_photo_file_id(tx: Tx, notice_id: int, sha256: str | None, file_id: str) -> bool:
    """Cache Telegram's id for the photo, unless the photo changed since it was read (a
    re-import raced the upload): an id for the old picture must not stick to the new one."""
    changed = await tx.execute(
        "UPDATE wanted_notices SET photo_file_id = ? WHERE id = ? AND photo_sha256 IS ?",
        (file_id, notice_id, sha256),
    )
    return changed > 0


async def clear_photo_file_id(tx: Tx, notice_id: int) -> None:
    await tx.execute("UPDATE wanted_notices SET photo_file_id = NULL WHERE id = ?", (notice_id,))


async def open_tip_ids(tx: Tx, notice_id: int) -> list[int]:
    """Sightings of this person that the police have not closed yet."""
    rows = await tx.fetchall(
        "SELECT id FROM tips WHERE wanted_notice_id = ? AND status != 'closed' ORDER BY id",
        (notice_id,),
    )
    return [int(row[0]) for row in rows]


async def count_active(tx: Tx) -> int:
    return int(await tx.scalar("SELECT COUNT(*) FROM wanted_notices WHERE status = 'active'"))


async def list_active(tx: Tx, offset: int, limit: int) -> list[WantedNotice]:
    rows = await tx.fetchall(
        f"SELECT {_COLUMNS} FROM {_FROM} WHERE w.status = 'active'"
        f" ORDER BY {_BROWSE_ORDER} LIMIT ? OFFSET ?",
        (limit, offset),
    )
    return [_notice(row) for row in rows]


async def search_entries(tx: Tx) -> list[SearchEntry]:
    rows = await tx.fetchall(
        "SELECT id, search_key, dangerous, warrant_date FROM wanted_notices"
        " WHERE status = 'active' ORDER BY id"
    )
    return [
        SearchEntry(
            int(row[0]),
            tuple(key for key in str(row[1]).split("|") if key),
            bool(row[2]),
            str(row[3]),
        )
        for row in rows
    ]


@dataclass(frozen=True)
class UnitRow:
    id: int
    code: str
    name: str
    short_name: str
    kind: str


async def active_units(tx: Tx) -> list[UnitRow]:
    """Every active unit, the province included: the issuer of a notice is one of them."""
    rows = await tx.fetchall(
        "SELECT id, code, name, short_name, kind FROM units WHERE active = 1 ORDER BY id"
    )
    return [UnitRow(int(r[0]), str(r[1]), str(r[2]), str(r[3]), str(r[4])) for r in rows]
