"""Wanted-person notices over a real SQLite file with Ninh Bình's real 2025 units."""

from __future__ import annotations

import csv
import shutil
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot import wanted
from bot.clock import FakeClock
from bot.places import sync_units
from storage.db import Database, Tx, utc_text
from tests.dates import fixed_clock

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "wanted"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
OTHER_PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 32
NOW = datetime(2026, 3, 1, 3, 0, tzinfo=UTC)

GOOD = {
    "full_name": "Đỗ Văn Đạt",
    "aliases": "Đạt Đen; Tí Đạt",
    "birth_year": "1989",
    "sex": "nam",
    "last_residence": "Thôn Đồng Tâm, xã Gia Viễn",
    "offence": "Cướp tài sản",
    "warrant_number": "01/QĐTN",
    "warrant_date": "2025-07-15",
    "issuing_unit": "Tỉnh Ninh Bình",
    "dangerous": "có",
    "photo": "dat.png",
}


def person(**changes: str) -> dict[str, str]:
    return {**GOOD, **changes}


TWO_MORE = [
    person(
        full_name="Trần Thị Hoa",
        aliases="Hoa Lùn",
        birth_year="1995",
        sex="nữ",
        warrant_number="02/QĐTN",
        warrant_date="20/08/2025",
        issuing_unit="Phường Tam Chúc",
        dangerous="không",
        photo="",
    ),
    person(
        full_name="Lê Đức Mạnh",
        aliases="",
        birth_year="",
        sex="male",
        warrant_number="03/QĐTN",
        issuing_unit="13420",
        dangerous="no",
        photo="",
    ),
]


def write_csv(directory: Path, rows: list[dict[str, str]], name: str = "notices.csv") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "dat.png").write_bytes(PNG)
    path = directory / name
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(GOOD))
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "t.db", clock=fixed_clock)
    await sync_units(database, "Ninh Bình")
    yield database
    await database.close()


async def count(db: Database) -> int:
    async with db.read() as tx:
        return int(await tx.scalar("SELECT COUNT(*) FROM wanted_notices"))


async def notice_named(db: Database, name: str) -> wanted.WantedNotice:
    async with db.read() as tx:
        found = await tx.scalar("SELECT id FROM wanted_notices WHERE full_name = ?", (name,))
    assert found is not None, name
    notice = await wanted.get(db, int(found))
    assert notice is not None
    return notice


async def import_ok(db: Database, path: Path) -> wanted.ImportReport:
    report = await wanted.import_csv(db, path, clock=FakeClock(NOW))
    assert report.ok, report.summary()
    return report


# ---------------------------------------------------------------- import


async def test_sample_file_imports_with_every_unit_spelling(db: Database) -> None:
    report = await wanted.import_csv(db, SAMPLES / "notices.csv")
    assert report.ok, report.summary()
    assert (report.rows, report.added, report.updated, report.unchanged) == (5, 5, 0, 0)
    page = await wanted.browse(db, 0, 10)
    assert page.total == 5
    assert [n.dangerous for n in page.items] == [True, True, False, False, False]
    issuers = {n.full_name: n.issuing_unit_name for n in page.items}
    assert issuers == {
        "Đỗ Văn Đạt": "Tỉnh Ninh Bình",  # the province itself
        "Trần Thị Hoa": "Phường Tam Chúc",  # exact name
        "Lê Đức Mạnh": "Phường Hoa Lư",  # "Công an phường Hoa Lư"
        "Phạm Văn Đông": "Xã Nghĩa Hưng",  # unit code 13891
        "Vũ Thị Đào": "Phường Nam Định",  # "phuong nam dinh"
    }
    dat = await notice_named(db, "Đỗ Văn Đạt")
    assert dat.aliases == ("Đạt Đen", "Tí Đạt")
    assert (dat.birth_year, dat.sex, dat.warrant_date) == (1989, "male", "2025-07-15")
    assert await wanted.photo_bytes(db, dat.id) == (SAMPLES / "photos/do-van-dat.png").read_bytes()
    dong = await notice_named(db, "Phạm Văn Đông")
    assert (dong.birth_year, dong.has_photo, dong.warrant_date) == (None, False, "2025-10-10")
    assert await wanted.photo_bytes(db, dong.id) is None


async def test_sample_photos_are_labelled_placeholders() -> None:
    from PIL import Image

    photos = sorted((SAMPLES / "photos").glob("*.png"))
    assert len(photos) == 4
    for path in photos:
        with Image.open(path) as image:
            assert image.size == (360, 480)
            # The top band is a flat label colour, not a photograph.
            assert image.convert("RGB").getpixel((2, 2)) in {(183, 28, 28), (55, 71, 79)}


async def test_one_bad_row_imports_nothing_and_names_the_row(db: Database, tmp_path: Path) -> None:
    await import_ok(db, write_csv(tmp_path / "v1", [GOOD]))
    rows = [
        person(offence="Giết người"),  # would update row 1's notice
        TWO_MORE[0],
        person(full_name="Lê Đức Mạnh", warrant_number="03/QĐTN", birth_year="19x0"),
    ]
    report = await wanted.import_csv(db, write_csv(tmp_path / "v2", rows), clock=FakeClock(NOW))
    assert not report.ok
    assert [(e.row, e.column) for e in report.errors] == [(4, "birth_year")]
    assert "'19x0' is not a four-digit year" in report.errors[0].reason
    assert "nothing imported" in report.summary()
    assert "row 4, column birth_year" in report.summary()
    assert await count(db) == 1
    assert (await notice_named(db, "Đỗ Văn Đạt")).offence == "Cướp tài sản"


@pytest.mark.parametrize(
    ("changes", "column", "fragment"),
    [
        ({"sex": "x"}, "sex", "not one of nam, nữ, male, female"),
        ({"dangerous": "maybe"}, "dangerous", "not one of yes, no, có, không"),
        ({"dangerous": ""}, "dangerous", "required, but empty"),
        ({"full_name": "  "}, "full_name", "required, but empty"),
        ({"full_name": "A" * 101}, "full_name", "longer than 100"),
        ({"warrant_date": "31/02/2025"}, "warrant_date", "not a date"),
        ({"warrant_date": "2026-03-02"}, "warrant_date", "in the future"),
        ({"birth_year": "2026"}, "birth_year", "not between 1900 and 2025"),
        ({"birth_year": "¹⁹⁹⁰"}, "birth_year", "not a four-digit year"),  # isdigit(), not int
        ({"issuing_unit": "Phường Tam Chuc Xyz"}, "issuing_unit", "did you mean 'Phường Tam Chúc'"),
        ({"issuing_unit": "Quận 1"}, "issuing_unit", "unknown unit"),
        ({"photo": "missing.png"}, "photo", "no such file"),
        ({"photo": "notices.csv"}, "photo", "not a PNG or JPEG"),
        ({"aliases": ";".join(f"Tên {i}" for i in range(11))}, "aliases", "at most 10"),
    ],
)
async def test_bad_cells_are_reported(
    db: Database, tmp_path: Path, changes: dict[str, str], column: str, fragment: str
) -> None:
    path = write_csv(tmp_path, [TWO_MORE[0], person(**changes)])
    report = await wanted.import_csv(db, path, clock=FakeClock(NOW))
    assert [(e.row, e.column) for e in report.errors] == [(3, column)], report.summary()
    assert fragment in report.errors[0].reason
    assert await count(db) == 0


async def test_file_level_problems(db: Database, tmp_path: Path) -> None:
    clock = FakeClock(NOW)
    duplicate = write_csv(tmp_path / "dup", [GOOD, person(warrant_number=" 01/qđtn ")])
    report = await wanted.import_csv(db, duplicate, clock=clock)
    assert [(e.row, e.column) for e in report.errors] == [(3, "warrant_number")]
    assert "already on row 2" in report.errors[0].reason

    header = tmp_path / "header.csv"
    header.write_text("full_name,sex,colour\nA,nam,red\n", encoding="utf-8")
    reasons = [str(e) for e in (await wanted.import_csv(db, header, clock=clock)).errors]
    assert any("unknown column(s) ['colour']" in r for r in reasons), reasons
    assert any("missing required column(s) ['last_residence'" in r for r in reasons), reasons

    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes(",".join(GOOD).encode() + b"\n\xe9\n")
    (error,) = (await wanted.import_csv(db, latin1, clock=clock)).errors
    assert error.row == 0 and "not UTF-8" in error.reason

    short = tmp_path / "short.csv"
    short.write_text(",".join(GOOD) + "\nA,B\n\n\n", encoding="utf-8")
    (error,) = (await wanted.import_csv(db, short, clock=clock)).errors
    assert (error.row, error.reason) == (2, "2 cells, but the header has 11")

    empty = tmp_path / "empty.csv"
    empty.write_text(",".join(GOOD) + "\n", encoding="utf-8")
    (error,) = (await wanted.import_csv(db, empty, clock=clock)).errors
    assert "no notices" in error.reason
    assert await count(db) == 0


async def test_excel_bom_and_decomposed_unicode_are_accepted(db: Database, tmp_path: Path) -> None:
    import unicodedata

    path = write_csv(tmp_path, [GOOD])
    text = unicodedata.normalize("NFD", path.read_text(encoding="utf-8"))
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    await import_ok(db, path)
    notice = await notice_named(db, "Đỗ Văn Đạt")  # stored composed (NFC)
    assert notice.issuing_unit_name == "Tỉnh Ninh Bình"


async def test_reimport_upserts_by_warrant_number(db: Database, tmp_path: Path) -> None:
    await import_ok(db, write_csv(tmp_path / "v1", [GOOD, *TWO_MORE]))
    dat = await notice_named(db, "Đỗ Văn Đạt")
    hoa = await notice_named(db, "Trần Thị Hoa")
    assert await wanted.remember_photo_file_id(db, dat, "AgAC-dat")

    changed = person(
        warrant_number="01/qđtn",  # same warrant, typed differently
        aliases="Đạt Còi",
        offence="Cướp tài sản; Cố ý gây thương tích",
        photo="new.png",
    )
    directory = tmp_path / "v2"
    path = write_csv(directory, [changed, *TWO_MORE])
    (directory / "new.png").write_bytes(OTHER_PNG)
    report = await import_ok(db, path)
    assert (report.added, report.updated, report.unchanged) == (0, 1, 2)
    assert await count(db) == 3
    after = await notice_named(db, "Đỗ Văn Đạt")
    assert after.id == dat.id
    assert after.aliases == ("Đạt Còi",)
    assert after.offence == "Cướp tài sản; Cố ý gây thương tích"
    assert await wanted.photo_bytes(db, dat.id) == OTHER_PNG
    assert after.photo_file_id is None  # the cached id was for the old picture
    assert (await notice_named(db, "Trần Thị Hoa")).updated_at == hoa.updated_at
    assert [n.id for n in (await wanted.search(db, "dat coi")).items] == [dat.id]
    assert (await wanted.search(db, "dat den")).total == 0


async def test_reimport_with_same_photo_keeps_cached_file_id(db: Database, tmp_path: Path) -> None:
    path = write_csv(tmp_path, [GOOD])
    await import_ok(db, path)
    dat = await notice_named(db, "Đỗ Văn Đạt")
    await wanted.remember_photo_file_id(db, dat, "AgAC-dat")
    path.write_text(path.read_text(encoding="utf-8").replace("Cướp", "Trộm"), encoding="utf-8")
    report = await import_ok(db, path)
    assert report.updated == 1
    after = await notice_named(db, "Đỗ Văn Đạt")
    assert (after.offence, after.photo_file_id) == ("Trộm tài sản", "AgAC-dat")


async def test_stale_file_id_is_not_cached_over_a_new_photo(db: Database, tmp_path: Path) -> None:
    await import_ok(db, write_csv(tmp_path / "v1", [GOOD]))
    read_before_reimport = await notice_named(db, "Đỗ Văn Đạt")
    directory = tmp_path / "v2"
    path = write_csv(directory, [person(photo="new.png")])
    (directory / "new.png").write_bytes(OTHER_PNG)
    await import_ok(db, path)
    assert not await wanted.remember_photo_file_id(db, read_before_reimport, "AgAC-old")
    assert (await notice_named(db, "Đỗ Văn Đạt")).photo_file_id is None


async def test_reimport_does_not_revive_a_withdrawn_notice(db: Database, tmp_path: Path) -> None:
    path = write_csv(tmp_path, [GOOD, *TWO_MORE])
    await import_ok(db, path)
    await wanted.withdraw(db, "01/QĐTN", "arrested", FakeClock(NOW))
    report = await import_ok(db, path)
    assert report.kept_withdrawn == ("01/QĐTN",)
    assert "1 left withdrawn" in report.summary()
    assert (await notice_named(db, "Đỗ Văn Đạt")).status == "withdrawn"
    assert (await wanted.browse(db, 0, 10)).total == 2


# ---------------------------------------------------------------- search and browse


@pytest.mark.parametrize(
    "query",
    ["Đỗ Văn Đạt", "do van dat", "DO VAN DAT", "dovandat", "do van dta", "đo van dạt", "dat den"],
)
async def test_search_without_diacritics_and_with_typos(
    db: Database, tmp_path: Path, query: str
) -> None:
    await import_ok(db, write_csv(tmp_path, [GOOD, *TWO_MORE]))
    found = await wanted.search(db, query, 0, 5)
    assert [n.full_name for n in found.items][:1] == ["Đỗ Văn Đạt"]


@pytest.mark.parametrize("query", ["nguyen thi lan", "d", "  ", "xyzw"])
async def test_search_does_not_invent_matches(db: Database, tmp_path: Path, query: str) -> None:
    await import_ok(db, write_csv(tmp_path, [GOOD, *TWO_MORE]))
    assert (await wanted.search(db, query, 0, 5)).total == 0


async def test_search_and_browse_page(db: Database, tmp_path: Path) -> None:
    rows = [
        person(full_name=f"Nguyễn Văn {name}", warrant_number=f"{i}/QĐTN", aliases="", photo="")
        for i, name in enumerate(["An", "Bình", "Cường", "Dũng", "Đức"], start=10)
    ]
    await import_ok(db, write_csv(tmp_path, rows))
    first = await wanted.search(db, "nguyen van", 0, 2)
    assert (first.total, first.pages, len(first.items), first.has_next) == (5, 3, 2, True)
    last = await wanted.search(db, "nguyen van", 99, 2)  # clamped to the last page
    assert (last.page, len(last.items), last.has_next, last.has_prev) == (2, 1, False, True)
    seen = {n.id for p in range(3) for n in (await wanted.browse(db, p, 2)).items}
    assert len(seen) == 5
    with pytest.raises(ValueError):
        await wanted.browse(db, 0, 0)


# ---------------------------------------------------------------- withdrawal


async def add_tip(tx: Tx, notice_id: int, code: str, status: str) -> int:
    unit = int(await tx.scalar("SELECT id FROM units WHERE code = '13420'"))
    now = utc_text(NOW)
    tip_id = await tx.execute(
        "INSERT INTO tips(code, idempotency_key, channel, category, urgent, unit_id,"
        " current_unit_id, occurred, description, language, created_at, updated_at, status,"
        " wanted_notice_id) VALUES (?,?,'telegram','wanted',1,?,?,'now','seen him','vi',?,?,?,?)",
        (code, code, unit, unit, now, now, status, notice_id),
    )
    return tip_id


async def test_withdraw_hides_the_notice_and_lists_open_sightings(
    db: Database, tmp_path: Path
) -> None:
    await import_ok(db, write_csv(tmp_path, [GOOD, *TWO_MORE]))
    dat = await notice_named(db, "Đỗ Văn Đạt")
    async with db.transaction() as tx:
        open_tip = await add_tip(tx, dat.id, "A1", "new")
        await add_tip(tx, dat.id, "A2", "closed")

    clock = FakeClock(NOW)
    result = await wanted.withdraw(db, " 01/qđtn ", "surrendered", clock)
    assert (result.notice_id, result.changed, result.open_tip_ids) == (dat.id, True, (open_tip,))
    assert "withdrawn, reason surrendered; 1 open sighting tip(s)" in result.summary()
    after = await notice_named(db, "Đỗ Văn Đạt")
    assert (after.status, after.withdrawn_reason) == ("withdrawn", "surrendered")
    assert after.withdrawn_at == utc_text(NOW)
    browse = await wanted.browse(db, 0, 10)
    assert dat.id not in {n.id for n in browse.items} and browse.total == 2
    assert (await wanted.search(db, "do van dat")).total == 0
    assert await wanted.active_notice(db, dat.id) is None

    clock.advance(days=1)
    again = await wanted.withdraw(db, "01/QĐTN", "cancelled", clock)
    assert (again.changed, again.reason, again.open_tip_ids) == (False, "surrendered", (open_tip,))
    assert "already withdrawn" in again.summary()
    assert (await notice_named(db, "Đỗ Văn Đạt")).withdrawn_at == utc_text(NOW)


async def test_withdraw_closes_sightings_in_the_same_transaction(
    db: Database, tmp_path: Path
) -> None:
    await import_ok(db, write_csv(tmp_path, [GOOD]))
    dat = await notice_named(db, "Đỗ Văn Đạt")
    async with db.transaction() as tx:
        await add_tip(tx, dat.id, "B1", "acknowledged")

    async def failing(tx: Tx, result: wanted.WithdrawResult) -> None:
        await tx.execute("UPDATE tips SET status = 'closed' WHERE id = ?", result.open_tip_ids)
        raise RuntimeError("queue card could not be written")

    with pytest.raises(RuntimeError):
        await wanted.withdraw(db, "01/QĐTN", "arrested", close_sightings=failing)
    assert (await notice_named(db, "Đỗ Văn Đạt")).status == "active"  # rolled back together

    async def closing(tx: Tx, result: wanted.WithdrawResult) -> None:
        for tip_id in result.open_tip_ids:
            await tx.execute("UPDATE tips SET status = 'closed' WHERE id = ?", (tip_id,))

    result = await wanted.withdraw(db, "01/QĐTN", "arrested", close_sightings=closing)
    assert result.changed and len(result.open_tip_ids) == 1
    async with db.read() as tx:
        assert await tx.scalar("SELECT status FROM tips WHERE code = 'B1'") == "closed"


async def test_withdraw_refuses_unknown_warrants_and_reasons(db: Database, tmp_path: Path) -> None:
    await import_ok(db, write_csv(tmp_path, [GOOD]))
    with pytest.raises(wanted.UnknownWarrant, match="99/QĐTN"):
        await wanted.withdraw(db, "99/qđtn", "arrested")
    with pytest.raises(wanted.BadReason, match="arrested, surrendered, cancelled"):
        await wanted.withdraw(db, "01/QĐTN", "died")
    assert (await notice_named(db, "Đỗ Văn Đạt")).status == "active"


# ---------------------------------------------------------------- cards


async def test_public_card_shows_only_public_fields(db: Database, tmp_path: Path) -> None:
    await import_ok(db, write_csv(tmp_path, [GOOD, *TWO_MORE]))
    await wanted.remember_photo_file_id(db, await notice_named(db, "Đỗ Văn Đạt"), "AgAC-secret")
    dat = await notice_named(db, "Đỗ Văn Đạt")
    card = wanted.public_card(dat, "vi")
    for expected in (
        "ĐỖ VĂN ĐẠT",
        "Đạt Đen; Tí Đạt",
        "Sinh năm: 1989",
        "Giới tính: Nam",
        "Thôn Đồng Tâm, xã Gia Viễn",
        "Cướp tài sản",
        "Lệnh truy nã số 01/QĐTN ngày 15/07/2025 của Công an tỉnh Ninh Bình",
        "Không tiếp cận",
        "113",
    ):
        assert expected in card, expected
    for private in ("AgAC-secret", f"#{dat.id}", "active", "truy nã #", "Nhập lúc"):
        assert private not in card, private

    english = wanted.public_card(dat, "en")
    assert "Do not approach" in english and "call 113" in english
    assert "2025-07-15" in english and "the police of Tỉnh Ninh Bình" in english

    hoa = wanted.public_card(await notice_named(db, "Trần Thị Hoa"), "vi")
    assert "Không tiếp cận" not in hoa and "Giới tính: Nữ" in hoa
    manh = wanted.public_card(await notice_named(db, "Lê Đức Mạnh"), "en")
    assert "Year of birth: unknown" in manh and "Also known as" not in manh


async def test_police_card_adds_the_record_state(db: Database, tmp_path: Path) -> None:
    await import_ok(db, write_csv(tmp_path, [GOOD]))
    await wanted.withdraw(db, "01/QĐTN", "arrested", FakeClock(NOW))
    dat = await notice_named(db, "Đỗ Văn Đạt")
    card = wanted.police_card(dat, "vi")
    assert f"#{dat.id}" in card
    assert "đã đình nã (đã bị bắt, 01/03/2026 10:00)" in card  # UTC 03:00 is 10:00 in Vietnam
    assert "⚠️ Nguy hiểm: có" in card and "Ảnh: có" in card
    assert "withdrawn (arrested" in wanted.police_card(dat, "en")


def test_sample_script_is_reproducible(tmp_path: Path) -> None:
    """The committed samples are what the script writes (nobody hand-edited them)."""
    import importlib.util

    script = SAMPLES.parent.parent / "scripts" / "make_wanted_samples.py"
    spec = importlib.util.spec_from_file_location("make_wanted_samples", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while executing
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    module.OUT = tmp_path / "out"
    module.main()
    assert (tmp_path / "out/notices.csv").read_bytes() == (SAMPLES / "notices.csv").read_bytes()
    # Photo bytes depend on the Pillow and FreeType versions; their names must match.
    made = sorted(p.name for p in (tmp_path / "out/photos").glob("*.png"))
    assert made == sorted(p.name for p in (SAMPLES / "photos").glob("*.png"))
    shutil.rmtree(tmp_path / "out")
