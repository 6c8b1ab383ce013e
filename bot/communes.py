"""The province's official communes: read from the ``vietnamadminunits`` package, with
the pre-2025 names joined in as aliases, and synced into the units tables.

The official lists come from that package so nobody hand-types 3,321 units; the pre-2025
names are joined in as aliases so "Ba Sao" still finds Tam Chúc (the search itself is
bot/places.py). One database serves one province.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from bot.text import fold
from storage import units
from storage.db import Database

PROVINCE_PREFIXES = ("thanh pho", "tinh", "tp")
_SAFE_KEY = re.compile(r"^[a-z0-9]+$")


class UnknownProvince(ValueError):
    """The configured province is not one of the 34; ``valid`` lists the names to use."""

    def __init__(self, given: str, valid: list[str]) -> None:
        super().__init__(f"unknown province {given!r}; expected one of: {', '.join(valid)}")
        self.valid = valid


class ProvinceMismatch(RuntimeError):
    """One database serves one province: loading a second would mix two police forces."""


@dataclass(frozen=True)
class OfficialAlias:
    alias: str  # "Phường Ba Sao (Kim Bảng, Hà Nam)"
    search_key: str  # "ba sao"
    kind: str = "legacy"


@dataclass(frozen=True)
class OfficialCommune:
    code: str
    name: str
    short_name: str
    unit_type: str
    lat: float | None
    lon: float | None
    area_km2: float | None
    aliases: tuple[OfficialAlias, ...]


@dataclass(frozen=True)
class OfficialProvince:
    code: str
    name: str
    short_name: str
    unit_type: str
    lat: float | None
    lon: float | None
    communes: tuple[OfficialCommune, ...]


@dataclass(frozen=True)
class SyncReport:
    """Counts are about communes; the province row itself is upserted alongside."""

    province: str
    added: int
    updated: int
    unchanged: int
    deactivated: int
    aliases: int

    def summary(self) -> str:
        """One line for the operator running ``tinbao units sync``."""
        return (
            f"{self.province}: {self.added} communes added, {self.updated} updated,"
            f" {self.unchanged} unchanged, {self.deactivated} deactivated;"
            f" {self.aliases} pre-2025 names kept as aliases"
        )


def name_key(name: str, short_name: str) -> str:
    """The search key of a unit: its folded short name, unless that is a bare number
    ("Phường 1"), which only means something together with its type."""
    key = fold(short_name)
    return fold(name) if key.isdigit() else key


def strip_prefix(folded: str, prefixes: Sequence[str]) -> str:
    for prefix in prefixes:
        if folded.startswith(prefix + " ") and len(folded) > len(prefix) + 1:
            return folded[len(prefix) + 1 :]
    return folded


# ---------------------------------------------------------------- official data (pure)


def query(sql: str) -> list[dict[str, Any]]:
    """The official data's database, imported only when units are synced: it costs the
    running bot ~70 MB and most of a second at start for nothing otherwise."""
    from vietnamadminunits.database import query as official_query

    return list(official_query(sql))


@cache
def _provinces() -> tuple[dict[str, Any], ...]:
    return tuple(
        query(
            "SELECT DISTINCT province, provinceShort, provinceCode, provinceLat, provinceLon,"
            " provinceKey, provinceKeywords FROM admin_units ORDER BY provinceCode"
        )
    )


@cache
def _converter() -> dict[str, Any]:
    path = resources.files("vietnamadminunits") / "data/converter_2025.json"
    data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return data


def _resolve_province(given: str) -> dict[str, Any]:
    text = given.strip()
    folded = strip_prefix(fold(text), PROVINCE_PREFIXES).replace(" ", "")
    for row in _provinces():
        keys = {row["provinceCode"], *json.loads(row["provinceKeywords"] or "[]")}
        keys.add(fold(row["provinceShort"]).replace(" ", ""))
        if (text.isdigit() and text.zfill(2) == row["provinceCode"]) or folded in keys:
            return row
    raise UnknownProvince(given, [row["province"] for row in _provinces()])


def _legacy_aliases(province_key: str) -> dict[str, list[OfficialAlias]]:
    """New ward key -> the pre-2025 units merged into it, from the package's converter.

    A divided old ward is an alias of every new ward that received part of it: the
    citizen's spot may lie in either, and the UI lets them pick.
    """
    converter = _converter()
    old_provinces = converter["DICT_PROVINCE"][province_key]
    if not all(_SAFE_KEY.match(key) for key in old_provinces):
        raise RuntimeError(f"unexpected province key in converter data: {old_provinces}")
    quoted = ", ".join(f"'{key}'" for key in old_provinces)  # checked [a-z0-9]+ above
    legacy = {
        f"{r['provinceKey']}_{r['districtKey']}_{r['wardKey'] or ''}": r
        for r in query(
            "SELECT ward, district, wardShort, districtShort, provinceShort, provinceKey,"
            f" districtKey, wardKey FROM admin_units_legacy WHERE provinceKey IN ({quoted})"
        )
    }
    links: list[tuple[str, str]] = [
        (new_key, old_key)
        for new_key, old_keys in converter["DICT_PROVINCE_WARD_NO_DIVIDED"][province_key].items()
        for old_key in old_keys
    ]
    divided = converter["DICT_PROVINCE_WARD_DIVIDED"].get(province_key, {})
    links += [(new["newWardKey"], old) for old, news in divided.items() for new in news]
    found: dict[str, list[OfficialAlias]] = defaultdict(list)
    for new_key, old_key in links:
        row = legacy.get(old_key)
        if row is None:
            continue
        if row["ward"]:  # islands had a district and no ward: the district is the name
            display = f"{row['ward']} ({row['districtShort']}, {row['provinceShort']})"
            key = name_key(row["ward"], row["wardShort"])
        else:
            display = f"{row['district']} ({row['provinceShort']})"
            key = name_key(row["district"], row["districtShort"])
        found[new_key].append(OfficialAlias(display, key))
    return found


@cache
def _load(code: str) -> OfficialProvince:
    row = next(r for r in _provinces() if r["provinceCode"] == code)
    legacy = _legacy_aliases(row["provinceKey"])
    communes = []
    for ward in query(
        "SELECT ward, wardShort, wardType, wardCode, wardLat, wardLon, wardAreaKm2, wardKey"
        f" FROM admin_units WHERE provinceCode = '{code}' ORDER BY wardCode"  # code from the DB
    ):
        own = name_key(ward["ward"], ward["wardShort"])
        aliases: dict[str, OfficialAlias] = {}
        for alias in sorted(legacy.get(ward["wardKey"], []), key=lambda a: a.alias):
            if alias.search_key != own:  # the old ward that gave its name adds nothing
                aliases.setdefault(alias.search_key, alias)
        communes.append(
            OfficialCommune(
                code=ward["wardCode"],
                name=ward["ward"],
                short_name=ward["wardShort"],
                unit_type=ward["wardType"],
                lat=ward["wardLat"],
                lon=ward["wardLon"],
                area_km2=ward["wardAreaKm2"],
                aliases=tuple(aliases.values()),
            )
        )
    name, short = row["province"], row["provinceShort"]
    return OfficialProvince(
        code=code,
        name=name,
        short_name=short,
        unit_type=name.removesuffix(short).strip(),
        lat=row["provinceLat"],
        lon=row["provinceLon"],
        communes=tuple(communes),
    )


def load_official_province(province: str) -> OfficialProvince:
    """The 2025 province and its communes; ``province`` is a name in any spelling or a code."""
    return _load(_resolve_province(province)["provinceCode"])


# ---------------------------------------------------------------- sync


async def sync_units(db: Database, province: str) -> SyncReport:
    """Make the units tables match the official list, in one transaction, idempotently."""
    official = load_official_province(province)
    added = updated = unchanged = alias_count = 0
    async with db.transaction() as tx:
        current = await units.get_province(tx)
        if current is not None and current.code != official.code:
            raise ProvinceMismatch(
                f"this database serves {current.name} ({current.code}); refusing to load"
                f" {official.name} ({official.code}): one database serves one province"
            )
        province_id = await units.upsert_unit(
            tx,
            code=official.code,
            kind="province",
            name=official.name,
            short_name=official.short_name,
            unit_type=official.unit_type,
            search_key=name_key(official.name, official.short_name),
            parent_id=None,
            lat=official.lat,
            lon=official.lon,
            area_km2=None,
        )
        before = {u.code: u for u in await units.list_communes(tx, province_id, False)}
        old_aliases: dict[int, set[tuple[str, str]]] = defaultdict(set)
        for unit_id, alias, key in await units.alias_rows(tx, province_id):
            old_aliases[unit_id].add((alias, key))
        for commune in official.communes:
            unit_id = await units.upsert_unit(
                tx,
                code=commune.code,
                kind="commune",
                name=commune.name,
                short_name=commune.short_name,
                unit_type=commune.unit_type,
                search_key=name_key(commune.name, commune.short_name),
                parent_id=province_id,
                lat=commune.lat,
                lon=commune.lon,
                area_km2=commune.area_km2,
                remote=commune.unit_type == "Đặc khu",
            )
            await units.replace_aliases(
                tx, unit_id, [(a.alias, a.search_key, a.kind) for a in commune.aliases]
            )
            alias_count += len(commune.aliases)
            old = before.get(commune.code)
            if old is None:
                added += 1
            elif _differs(old, commune, province_id) or old_aliases[unit_id] != {
                (a.alias, a.search_key) for a in commune.aliases
            }:
                updated += 1
            else:
                unchanged += 1
        deactivated = await units.deactivate_missing(
            tx, province_id, [c.code for c in official.communes]
        )
    return SyncReport(official.name, added, updated, unchanged, deactivated, alias_count)


def _differs(old: units.Unit, new: OfficialCommune, province_id: int) -> bool:
    return (
        old.name,
        old.short_name,
        old.unit_type,
        old.parent_id,
        old.lat,
        old.lon,
        old.area_km2,
        old.active,
    ) != (
        new.name,
        new.short_name,
        new.unit_type,
        province_id,
        new.lat,
        new.lon,
        new.area_km2,
        True,
    )
