"""Official units, their sync into SQLite, and place search, on the real 2025 data."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.places import (
    PlaceSearch,
    ProvinceMismatch,
    UnknownProvince,
    load_official_province,
    sync_units,
)
from bot.text import fold
from storage import units
from storage.db import Database
from tests.dates import fixed_clock

TAM_CHUC = (20.5558, 105.813)
HO_CHI_MINH_CITY = (10.78, 106.7)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "t.db", clock=fixed_clock)
    yield database
    await database.close()


@pytest.fixture
async def places(db: Database) -> PlaceSearch:
    await sync_units(db, "Ninh Bình")
    return await PlaceSearch.load(db)


def top(places: PlaceSearch, query: str) -> str:
    found = places.search(query)
    assert found, f"nothing found for {query!r}"
    return found[0].name


# ---------------------------------------------------------------- official data


@pytest.mark.parametrize("given", ["Ninh Bình", "ninh binh", "Tỉnh Ninh Bình", "37", " 37 "])
def test_province_spellings(given: str) -> None:
    province = load_official_province(given)
    assert (province.code, province.name, province.unit_type) == ("37", "Tỉnh Ninh Bình", "Tỉnh")
    assert len(province.communes) == 129


def test_unknown_province_lists_valid_names() -> None:
    with pytest.raises(UnknownProvince, match="Ninh Bình") as caught:
        load_official_province("Hà Tây")
    assert len(caught.value.valid) == 34
    assert "Tỉnh Ninh Bình" in caught.value.valid


def test_legacy_aliases_undivided_and_divided() -> None:
    communes = {c.name: c for c in load_official_province("37").communes}
    tam_chuc = {a.alias: a.search_key for a in communes["Phường Tam Chúc"].aliases}
    assert tam_chuc["Phường Ba Sao (Kim Bảng, Hà Nam)"] == "ba sao"
    assert communes["Phường Tam Chúc"].code == "13420"
    # Xã Gia Tân was split between two new units: both must know the old name.
    for name in ("Phường Tây Hoa Lư", "Xã Gia Vân"):
        assert "gia tan" in {a.search_key for a in communes[name].aliases}, name


# ---------------------------------------------------------------- sync


async def test_sync_loads_province_and_129_communes(db: Database) -> None:
    report = await sync_units(db, "Ninh Bình")
    assert (report.province, report.added, report.updated, report.deactivated) == (
        "Tỉnh Ninh Bình",
        129,
        0,
        0,
    )
    assert report.aliases > 300
    assert report.summary().startswith("Tỉnh Ninh Bình: 129 communes added, 0 updated")
    async with db.read() as tx:
        province = await units.get_province(tx)
        assert province is not None and province.kind == "province" and province.code == "37"
        assert await units.count_communes(tx, province.id) == 129
        assert await tx.scalar("SELECT COUNT(*) FROM units") == 130
        tam_chuc = await units.unit_by_code(tx, "13420")
        assert tam_chuc is not None and tam_chuc.name == "Phường Tam Chúc"
        assert tam_chuc.parent_id == province.id and tam_chuc.active
        assert await units.get_unit(tx, tam_chuc.id) == tam_chuc
        aliases = {a for uid, a, _ in await units.alias_rows(tx, province.id) if uid == tam_chuc.id}
        assert "Phường Ba Sao (Kim Bảng, Hà Nam)" in aliases


async def test_sync_is_idempotent_and_accepts_other_spellings(db: Database) -> None:
    first = await sync_units(db, "Ninh Bình")
    for spelling in ("ninh binh", "37"):
        again = await sync_units(db, spelling)
        assert (again.added, again.updated, again.deactivated) == (0, 0, 0)
        assert again.unchanged == 129 and again.aliases == first.aliases
    async with db.read() as tx:
        assert await tx.scalar("SELECT COUNT(*) FROM units") == 130
        assert await tx.scalar("SELECT COUNT(*) FROM unit_aliases") == first.aliases


async def test_sync_repairs_changes_and_deactivates_missing(db: Database) -> None:
    await sync_units(db, "Ninh Bình")
    async with db.transaction() as tx:
        province = await units.get_province(tx)
        assert province is not None
        await tx.execute("UPDATE units SET name = 'Phường Sai Tên' WHERE code = '13420'")
        await tx.execute("UPDATE units SET remote = 1 WHERE code = '13366'")
        await units.upsert_unit(
            tx,
            code="99999",
            kind="commune",
            name="Xã Đã Bỏ",
            short_name="Đã Bỏ",
            unit_type="Xã",
            search_key="da bo",
            parent_id=province.id,
            lat=None,
            lon=None,
            area_km2=None,
        )
    report = await sync_units(db, "Ninh Bình")
    assert (report.added, report.updated, report.unchanged, report.deactivated) == (0, 1, 128, 1)
    async with db.read() as tx:
        gone = await units.unit_by_code(tx, "99999")
        fixed = await units.unit_by_code(tx, "13420")
        kept = await units.unit_by_code(tx, "13366")
    assert gone is not None and not gone.active
    assert fixed is not None and fixed.name == "Phường Tam Chúc"
    assert kept is not None and kept.remote, "a re-sync must not undo the operator's flag"


async def test_second_province_is_refused(db: Database) -> None:
    await sync_units(db, "Ninh Bình")
    with pytest.raises(ProvinceMismatch, match="one database serves one province"):
        await sync_units(db, "Hà Nội")
    async with db.read() as tx:
        assert await tx.scalar("SELECT COUNT(*) FROM units") == 130


async def test_unknown_province_in_sync(db: Database) -> None:
    with pytest.raises(UnknownProvince):
        await sync_units(db, "Atlantis")
    async with db.read() as tx:
        assert await tx.scalar("SELECT COUNT(*) FROM units") == 0


# ---------------------------------------------------------------- search


@pytest.mark.parametrize(
    "query", ["Tam Chúc", "tam chuc", "TAM CHÚC", "tamchuc", "xã tam chúc", "phuong tam chuc"]
)
async def test_search_with_and_without_diacritics_or_prefix(
    places: PlaceSearch, query: str
) -> None:
    best = places.search(query)[0]
    assert (best.name, best.score, best.matched_alias) == ("Phường Tam Chúc", 100.0, None)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("p. tam chuc", "Phường Tam Chúc"),
        ("x. nho quan", "Xã Nho Quan"),
        ("xã gia viễn", "Xã Gia Viễn"),
        ("Phường Lý Thường Kiệt", "Phường Lý Thường Kiệt"),
    ],
)
async def test_search_type_prefixes(places: PlaceSearch, query: str, expected: str) -> None:
    assert top(places, query) == expected


async def test_search_folds_d_stroke(places: PlaceSearch) -> None:
    with_d = [u for u in places.communes if "đ" in u.short_name.lower()]
    assert len(with_d) >= 5
    for unit in with_d:
        for query in (unit.short_name, fold(unit.short_name), unit.short_name.upper()):
            assert places.search(query)[0].unit_id == unit.id, query
    assert top(places, "tam diep") == "Phường Tam Điệp"


async def test_every_commune_found_first_by_its_own_name(places: PlaceSearch) -> None:
    for unit in places.communes:
        best = places.search(fold(unit.short_name))[0]
        assert (best.unit_id, best.score) == (unit.id, 100.0), unit.name


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("tam chuk", "Phường Tam Chúc"),
        ("nho quann", "Xã Nho Quan"),
        ("ly thuong kit", "Phường Lý Thường Kiệt"),
    ],
)
async def test_search_typos(places: PlaceSearch, query: str, expected: str) -> None:
    best = places.search(query)[0]
    assert best.name == expected
    assert best.score < 90, "a typo must rank below exact and prefix matches"


async def test_search_ranks_exact_and_prefix_above_fuzzy(places: PlaceSearch) -> None:
    found = places.search("tam", limit=10)
    assert {m.name for m in found[:2]} == {"Phường Tam Chúc", "Phường Tam Điệp"}
    assert all(90 <= m.score < 100 for m in found[:2])
    scores = [m.score for m in found]
    assert scores == sorted(scores, reverse=True)


async def test_search_old_name_points_to_new_unit(places: PlaceSearch) -> None:
    for query in ("Ba Sao", "ba sao", "phường ba sao"):
        best = places.search(query)[0]
        assert best.name == "Phường Tam Chúc", query
        assert best.matched_alias == "Phường Ba Sao (Kim Bảng, Hà Nam)"


async def test_current_name_beats_an_old_name_spelled_the_same(places: PlaceSearch) -> None:
    # "Yên Thắng" is a ward today and was also a commune of Ý Yên, now in Xã Vạn Thắng.
    found = places.search("yen thang")
    assert (found[0].name, found[0].matched_alias) == ("Phường Yên Thắng", None)
    assert found[1].name == "Xã Vạn Thắng" and found[1].matched_alias is not None


@pytest.mark.parametrize(
    "query", ["xyzxyz", "hello world", "", "   ", "a", "x.", "đ", "trom cap xe may"]
)
async def test_search_nonsense_returns_nothing(places: PlaceSearch, query: str) -> None:
    assert places.search(query) == []


async def test_search_limit(places: PlaceSearch) -> None:
    assert len(places.search("nam", limit=3)) == 3


# ---------------------------------------------------------------- nearest


async def test_nearest_at_tam_chuc_centroid(places: PlaceSearch) -> None:
    match = places.nearest(*TAM_CHUC)
    assert match is not None and match.name == "Phường Tam Chúc"
    assert match.distance_km is not None and match.distance_km < 1


async def test_nearest_outside_province_is_none(places: PlaceSearch) -> None:
    assert places.nearest(*HO_CHI_MINH_CITY) is None


async def test_empty_database_then_reload(db: Database) -> None:
    places = await PlaceSearch.load(db)
    assert places.province is None
    assert places.search("tam chuc") == [] and places.nearest(*TAM_CHUC) is None
    await sync_units(db, "Ninh Bình")
    await places.reload()
    assert top(places, "tam chuc") == "Phường Tam Chúc"
