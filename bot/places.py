"""Where a tip happened: place search over the province's communes.

Citizens name places the way they speak: without diacritics, with or without "xã", with
typos, and very often by the pre-2025 name of a commune that was merged on 1 July 2025
(kept as an alias of the commune it joined). The official list and its sync are
bot/communes.py, re-exported here for the callers that load units.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from rapidfuzz import fuzz

from bot.communes import (
    OfficialAlias,
    OfficialCommune,
    OfficialProvince,
    ProvinceMismatch,
    SyncReport,
    UnknownProvince,
    load_official_province,
    name_key,
    strip_prefix,
    sync_units,
)
from bot.text import fold
from storage import units
from storage.db import Database

__all__ = [
    "OfficialAlias",
    "OfficialCommune",
    "OfficialProvince",
    "PlaceMatch",
    "PlaceSearch",
    "ProvinceMismatch",
    "SyncReport",
    "UnknownProvince",
    "haversine_km",
    "load_official_province",
    "name_key",
    "sync_units",
]

# Folded words citizens put in front of a commune name; dropped before matching.
TYPE_PREFIXES = ("thi tran", "dac khu", "phuong", "xa", "tt", "dk", "p", "x")
FUZZY_CUTOFF = 75.0  # rapidfuzz ratio; below it a typo is more likely another word
RELATIVE_CUTOFF = 20.0  # next to an exact hit, "did you mean" noise only distracts
NEAREST_MAX_KM = 60.0  # beyond this from every centroid the point is outside the province
_EARTH_KM = 6371.0088


@dataclass(frozen=True)
class PlaceMatch:
    """``matched_alias`` is the old name that matched (the UI says "X, nay thuộc Y");
    ``distance_km`` is set by :meth:`PlaceSearch.nearest`, whose score is always 100."""

    unit_id: int
    name: str
    score: float
    matched_alias: str | None = None
    distance_km: float | None = None


# ---------------------------------------------------------------- search


@dataclass(frozen=True)
class _Entry:
    unit_id: int
    key: str  # folded, with spaces
    flat: str  # folded, without spaces
    alias: str | None  # the old name's display form, None for the unit's own name


def _score(query_key: str, query_flat: str, entry: _Entry) -> float:
    """Tiers keep exact > prefix > word-prefix/mention > fuzzy, whatever the lengths."""
    if query_flat == entry.flat:
        return 100.0
    cover = len(query_flat) / len(entry.flat)
    if entry.flat.startswith(query_flat):
        return 90.0 + 5.0 * cover
    if f" {entry.key}".find(f" {query_key}") >= 0:
        return 80.0 + 5.0 * min(cover, 1.0)
    if len(entry.flat) >= 4 and f" {entry.key} " in f" {query_key} ":
        return 80.0  # "thon 3 xa gia vien": the name is mentioned among other words
    if len(query_flat) < 4:
        return 0.0
    ratio = max(fuzz.ratio(query_key, entry.key), fuzz.ratio(query_flat, entry.flat))
    return ratio * 0.8 if ratio >= FUZZY_CUTOFF else 0.0


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_KM * math.asin(math.sqrt(a))


class PlaceSearch:
    """An in-memory index of the province's active communes; a few hundred entries, so a
    linear scan per query beats keeping any cleverer structure in sync."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self.province: units.Unit | None = None
        self._communes: dict[int, units.Unit] = {}
        self._entries: list[_Entry] = []

    @classmethod
    async def load(cls, db: Database) -> PlaceSearch:
        search = cls(db)
        await search.reload()
        return search

    @property
    def communes(self) -> list[units.Unit]:
        """The active communes in the index, for menus that list them all."""
        return sorted(self._communes.values(), key=lambda u: name_key(u.name, u.short_name))

    async def reload(self) -> None:
        """Re-read after a sync; the old index serves until the new one is complete."""
        async with self._db.read() as tx:
            province = await units.get_province(tx)
            communes = await units.list_communes(tx, province.id) if province else []
            aliases = await units.alias_rows(tx, province.id) if province else []
        entries = [
            _Entry(u.id, key, key.replace(" ", ""), None)
            for u in communes
            for key in [name_key(u.name, u.short_name)]
        ]
        entries += [_Entry(uid, key, key.replace(" ", ""), alias) for uid, alias, key in aliases]
        self.province, self._communes = province, {u.id: u for u in communes}
        self._entries = [e for e in entries if e.flat]

    def search(self, query: str, limit: int = 5) -> list[PlaceMatch]:
        folded = fold(query)
        variants = dict.fromkeys([folded, strip_prefix(folded, TYPE_PREFIXES)])  # ordered
        best: dict[int, tuple[float, str | None]] = {}
        for variant in variants:
            flat = variant.replace(" ", "")
            if len(flat) < 2:
                continue
            for entry in self._entries:
                score = _score(variant, flat, entry)
                if entry.alias is not None:
                    score -= 0.5  # at equal tier the current name comes first
                if score > 0 and score > best.get(entry.unit_id, (0.0, None))[0]:
                    best[entry.unit_id] = (score, entry.alias)
        matches = [
            PlaceMatch(uid, self._communes[uid].name, round(score, 2), alias)
            for uid, (score, alias) in best.items()
        ]
        matches.sort(key=lambda m: (-m.score, fold(m.name)))
        floor = matches[0].score - RELATIVE_CUTOFF if matches else 0.0
        return [m for m in matches if m.score >= floor][:limit]

    def nearest(self, lat: float, lon: float, max_km: float = NEAREST_MAX_KM) -> PlaceMatch | None:
        """The commune whose centroid is closest. Centroids, not borders: near a boundary
        the answer can be the neighbour, so the UI should let the citizen confirm."""
        found: tuple[float, units.Unit] | None = None
        for unit in self._communes.values():
            if unit.lat is None or unit.lon is None:
                continue
            distance = haversine_km(lat, lon, unit.lat, unit.lon)
            if found is None or distance < found[0]:
                found = (distance, unit)
        if found is None or found[0] > max_km:
            return None
        return PlaceMatch(found[1].id, found[1].name, 100.0, None, round(found[0], 3))
