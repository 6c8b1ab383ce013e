"""Exports: one row per tip, no reporter columns, Vietnamese dates and numbers."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped, unused-ignore]

from bot import receipt
from bot.exports import headers, load, send_export, to_csv, to_xlsx
from scripts.generate_tips import fill
from storage import outbox_files
from storage.db import Database
from tests.dates import fixed_clock
from tests.seed import SUPERVISORS, TZ, Seed, local, province_settings

SETTINGS = province_settings()
START, END = local(2026, 11, 1), local(2026, 12, 1)
NOW = local(2026, 12, 2, 9)
SECRET = "Nguyễn Văn Bí Mật, 0912345678"
PSEUDONYM = "7Q2"


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "exports.db", clock=fixed_clock)
    yield database
    await database.close()


async def seed(db: Database) -> list[str]:
    codes = []
    async with db.transaction() as tx:
        s = Seed(tx)
        await s.unit("Tỉnh Ninh Bình", "province")
        a = await s.unit("Tam Chúc")
        b = await s.unit("Kim Bảng")
        reporter = await tx.execute(
            "INSERT INTO reporters(channel, blind_index, identity_enc, pseudonym, created_at)"
            " VALUES ('telegram', 'blind', ?, ?, '2026-01-01')",
            (SECRET.encode(), PSEUDONYM),
        )
        first = local(2026, 11, 3, 8)
        _, code = await s.tip(
            a,
            first,
            category="drugs",
            urgent=True,
            status="closed",
            outcome="forwarded",
            acknowledged=first + timedelta(minutes=1234, seconds=30),
            closed=first + timedelta(days=2),
            reporter_id=reporter,
            description=SECRET,
        )
        codes.append(code)
        _, code = await s.tip(
            a,
            local(2026, 11, 20, 23, 15),
            moved_to=b,
            moved_at=local(2026, 11, 21),
            status="transferred",
            reporter_id=reporter,
            description=SECRET,
        )
        codes.append(code)
        await s.tip(a, local(2026, 10, 31, 23, 59), reporter_id=reporter)  # October
        await s.tip(a, local(2026, 12, 1), reporter_id=reporter)  # December
    return codes


def all_text(values: list[list[object]]) -> str:
    return "\n".join(" | ".join("" if v is None else str(v) for v in row) for row in values)


async def test_xlsx_has_one_row_per_tip_and_no_reporter(db: Database) -> None:
    codes = await seed(db)
    data = to_xlsx(await load(db, START, END), "vi", TZ, NOW)
    assert data[:2] == b"PK"
    book = load_workbook(io.BytesIO(data))
    sheet = book["Tin báo"]
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0] == headers("vi")
    assert values[0][:3] == ["Mã tin báo", "Thời điểm nhận", "Loại tin"]
    lowered = " ".join(str(h).lower() for h in values[0])
    for word in ("người báo", "reporter", "bí danh", "điện thoại", "phone", "mô tả", "địa chỉ"):
        assert word not in lowered
    assert [row[0] for row in values[1:]] == [receipt.display(c) for c in codes]
    dump = all_text(values)
    assert SECRET not in dump and PSEUDONYM not in dump and "Thôn 3" not in dump
    first = dict(zip(values[0], values[1], strict=True))
    assert first["Thời điểm nhận"] == datetime(2026, 11, 3, 8, 0)  # province time
    assert first["Loại tin"] == "Ma túy"
    assert first["Khẩn"] == "Có"
    assert first["Kết quả"] == "chuyển Cơ quan điều tra"
    assert first["Thời gian tiếp nhận (phút)"] == 1234.5
    assert first["Ngày xác minh"] == 3  # closed on day 3
    second = dict(zip(values[0], values[2], strict=True))
    assert second["Xã/phường nơi xảy ra"] == "Tam Chúc"
    assert second["Đơn vị đang giữ"] == "Kim Bảng"
    assert second["Số lần chuyển"] == 1
    assert second["Thời gian tiếp nhận (phút)"] is None
    cell = sheet.cell(row=2, column=2)
    assert cell.number_format == "dd/mm/yyyy hh:mm"
    assert sheet.cell(row=2, column=10).number_format == "#,##0.0"
    assert sheet.freeze_panes == "A2"


async def test_csv_is_babel_formatted_for_vietnamese_readers(db: Database) -> None:
    codes = await seed(db)
    data = to_csv(await load(db, START, END), "vi", TZ, NOW)
    assert data.startswith(b"\xef\xbb\xbf")  # Excel needs the BOM to read UTF-8
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert table[0] == headers("vi")
    assert len(table) == 3
    first = dict(zip(table[0], table[1], strict=True))
    assert first["Mã tin báo"] == receipt.display(codes[0])
    assert first["Thời điểm nhận"] == "03/11/2026 08:00"
    assert first["Thời gian tiếp nhận (phút)"] == "1.234,5"
    assert first["Thời điểm kết thúc"] == "05/11/2026 08:00"
    second = dict(zip(table[0], table[2], strict=True))
    assert second["Thời điểm nhận"] == "20/11/2026 23:15"
    assert second["Trạng thái"] == "đã chuyển (chờ tiếp nhận)"
    assert second["Ngày xác minh"] == "12"
    assert second["Xã/phường nơi xảy ra"] == "Tam Chúc"
    assert second["Đơn vị đang giữ"] == "Kim Bảng"
    body = data.decode("utf-8-sig")
    assert SECRET not in body and PSEUDONYM not in body and "Thôn 3" not in body
    english = to_csv(await load(db, START, END), "en", TZ, NOW).decode("utf-8-sig")
    assert "1,234.5" in english and "Receipt code" in english


async def test_send_export_enqueues_the_file(db: Database) -> None:
    await seed(db)
    row = await send_export(
        db, SETTINGS, chat_id=SUPERVISORS, start=START, end=END, now=NOW, kind="xlsx"
    )
    async with db.read() as tx:
        files = await outbox_files.files_for(tx, row)
        found = await tx.fetchone("SELECT method, payload FROM outbox WHERE id = ?", (row,))
    assert found is not None and found[0] == "show"  # a document: the file, its caption
    assert json.loads(found[1])["media"] == {"kind": "document", "file_id": None}
    assert [f.filename for f in files] == ["tinbao_20261101_20261130.xlsx"]
    book = load_workbook(io.BytesIO(files[0].data))
    assert book.active is not None and book.active.max_row == 3


async def test_a_big_export_leaves_the_event_loop_free(tmp_path: Path) -> None:
    """Thousands of rows are read in a worker thread on a read-only connection of their
    own, and the file is built in a thread: a heartbeat task keeps running throughout.
    (Read on the loop's thread, as before, it could not tick once while the rows loaded.)"""
    path = tmp_path / "busy.db"
    await fill(path, tips=6_000, start=START, end=END, now=NOW, seed=3)
    db = await Database.open(path, clock=fixed_clock)
    ticks = 0
    beating = True

    async def heartbeat() -> None:
        nonlocal ticks
        while beating:
            ticks += 1
            await asyncio.sleep(0.001)  # a tick a millisecond: it must not starve the worker

    task = asyncio.create_task(heartbeat())
    try:
        await asyncio.sleep(0)
        before = ticks
        rows = await load(db, START, END)
        while_loading = ticks - before
        before = ticks
        row = await send_export(
            db, SETTINGS, chat_id=SUPERVISORS, start=START, end=END, now=NOW, kind="csv"
        )
        while_exporting = ticks - before
        async with db.read() as tx:
            files = await outbox_files.files_for(tx, row or 0)
    finally:
        beating = False
        await task
        await db.close()
    assert len(rows) == 6_000
    assert len(files[0].data.decode("utf-8-sig").splitlines()) == 6_001
    assert while_loading >= 5 and while_exporting >= 5


async def test_export_sees_a_group_commit_not_yet_on_disk(tmp_path: Path) -> None:
    """The reader's own connection sees only committed rows: with group commit on, the
    batch of transactions that have returned is committed before it reads."""
    db = await Database.open(tmp_path / "batched.db", clock=fixed_clock, group_commit=60.0)
    try:
        codes = await seed(db)  # returned, but waiting in the open batch
        rows = await load(db, START, END)
    finally:
        await db.close()
    assert [r.code for r in rows] == codes
