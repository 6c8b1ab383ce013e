"""Issue 8: how citizen-facing texts read — the sighting's review card, English plurals."""

from __future__ import annotations

from pathlib import Path

from bot import wanted
from tests.harness import Harness

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "wanted" / "notices.csv"


async def test_sighting_review_names_the_wanted_person_under_the_header(h: Harness) -> None:
    report = await wanted.import_csv(h.tinbao.db, SAMPLES, clock=h.clock)
    assert report.ok
    citizen = h.citizen()
    await citizen.says("/timtruyna tran thi hoa")
    await citizen.presses("Tôi đã nhìn thấy người này")
    await citizen.presses("Đang xảy ra")
    await citizen.says("kim bang")
    await citizen.presses("Kim Bảng")
    await citizen.presses("Bỏ qua")
    await citizen.says("Thấy người giống trong ảnh ngồi ở quán cà phê cạnh bến xe.")
    await citizen.presses("Bỏ qua")
    await citizen.presses("Ẩn danh")
    lines = citizen.last().splitlines()
    assert lines[:4] == [
        "Kiểm tra lại tin báo trước khi gửi:",
        "",
        "Người bị truy nã: Trần Thị Hoa",
        "Loại: 🔎 Người bị truy nã",
    ], lines
