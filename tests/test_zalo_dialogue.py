"""Issue 11: the citizen dialogue on Zalo, through signed webhook events into the running
inbox and the Zalo sender out to the fake OA, the police on Telegram's fake Bot API.

A Zalo citizen files a whole tip by typing the options' numbers, by typing their words
and by pressing the OA buttons; shares a location and a phone number; browses wanted
notices and reports a sighting. Typed presses are re-checked like Telegram's buttons: a
stale or forged one changes nothing, and a number typed where free text is asked for is
text."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot import wanted
from handlers.zalo.choices import Option, Shown, normalize, phone_in, read
from tests.harness import WANTED_NOTICES
from tests.police import QUEUE, setup_unit
from tests.zalo_chat import FORM_IMAGE, UID, ZaloCitizen, ZaloWorld, close_zalo, open_zalo

DESCRIPTION = "Có hai thanh niên đi xe máy không biển số giật túi xách ở cổng chợ."


@pytest.fixture
async def zalo(tmp_path: Path) -> AsyncIterator[ZaloWorld]:
    world = await open_zalo(tmp_path, zalo_info_image_url=FORM_IMAGE)
    try:
        yield world
    finally:
        await close_zalo(world)


async def tips(world: ZaloWorld) -> list[tuple[str, int]]:
    async with world.h.tinbao.db.read() as tx:
        rows = await tx.fetchall("SELECT code, contactable FROM tips ORDER BY id")
    return [(str(r[0]), int(r[1])) for r in rows]


async def choose(citizen: ZaloCitizen, label: str) -> None:
    await citizen.says(citizen.number_of(label))


async def test_a_tip_filed_by_typing_the_numbers(zalo: ZaloWorld) -> None:
    await setup_unit(zalo.h)
    citizen = zalo.citizen()
    await citizen.says("xin chào")
    assert "Gõ 1, 2" in citizen.last()
    await choose(citizen, "Báo tin")
    assert "\n1. " in citizen.last()
    await choose(citizen, "Tố giác tội phạm")
    await choose(citizen, "Không, đã xảy ra rồi")
    assert "chia sẻ vị trí của bạn trong khung chat Zalo" in citizen.last()  # Zalo wording
    assert "Gửi vị trí»" not in citizen.last()
    await citizen.says("tam chuk")
    await choose(citizen, "Tam Chúc")
    await citizen.says("Gần cổng chùa Tam Chúc, thôn Ba Sao")
    await choose(citizen, "Hôm nay")
    await choose(citizen, "Bỏ qua")
    await citizen.says(DESCRIPTION)
    await choose(citizen, "Bỏ qua")
    assert "tài khoản Zalo" in citizen.last() and "Telegram" not in citizen.last()
    await choose(citizen, "Ẩn danh")
    assert "Phường Tam Chúc" in citizen.last() and (await tips(zalo)) == []
    assert not any("Mã tin báo" in text for text in citizen.texts())  # nothing before the commit
    await choose(citizen, "Gửi tin báo")
    ((code, contactable),) = await tips(zalo)
    assert citizen.receipt().replace("-", "") == code and contactable == 0
    await zalo.h.flush()
    assert any(DESCRIPTION in m.get("text", "") for m in zalo.h.api.sent_to(QUEUE))
    assert zalo.h.api.sent_to(int(UID)) == []  # not a word of it through Telegram


async def test_a_tip_filed_by_typing_the_options_words(zalo: ZaloWorld) -> None:
    citizen = zalo.citizen()
    await citizen.says("/start")
    await citizen.says("bao tin")
    await citizen.says("TO GIAC TOI PHAM")
    await citizen.says("khong")  # «Không, đã xảy ra rồi»
    await citizen.says("tam chuk")
    await citizen.says("phường tam chúc")
    await citizen.says("Gần cổng chùa Tam Chúc")
    await citizen.says("hom nay")
    await citizen.says("bỏ qua")
    await citizen.says(DESCRIPTION)
    await citizen.says("Bo qua")
    await citizen.says("an danh")  # «🕶 Ẩn danh (khuyên dùng)»
    await citizen.says("gui tin bao")
    assert len(await tips(zalo)) == 1 and citizen.receipt()


async def test_a_tip_filed_with_the_oa_buttons(zalo: ZaloWorld) -> None:
    citizen = zalo.citizen()
    await citizen.says("/baotin")
    assert zalo.oa.buttons_sent_to(UID) == []  # seven kinds: more than Zalo's buttons
    await citizen.says(citizen.number_of("Tố giác tội phạm"))
    buttons = zalo.oa.buttons_sent_to(UID)[-1]
    assert [b["payload"] for b in buttons] == ["c1|urgent|yes", "c1|urgent|no", "c1|cancel|"]
    assert {b["type"] for b in buttons} == {"oa.query.hide"}
    await citizen.presses("Đang xảy ra")
    assert any("113" in text for text in citizen.texts()[-3:])
    await citizen.says("tam chuk")
    await citizen.presses("Tam Chúc")
    await citizen.presses("Bỏ qua")
    await citizen.says(DESCRIPTION)
    await citizen.presses("Bỏ qua")
    await citizen.presses("Ẩn danh")
    await citizen.presses("Gửi tin báo")
    assert len(await tips(zalo)) == 1 and citizen.receipt()


async def test_a_shared_location_offers_the_nearest_commune(zalo: ZaloWorld) -> None:
    citizen = zalo.citizen()
    await citizen.says("/baotin")
    await choose(citizen, "Ma túy")
    await choose(citizen, "Không, đã xảy ra rồi")
    await citizen.sends(zalo.oa.location_event(UID, 20.5558, 105.813))
    assert "Phường Tam Chúc" in citizen.last() and "Đúng không" in citizen.last()
    await citizen.says("dung")  # «✅ Đúng»
    assert "Bước 4/7" in citizen.last()


async def test_the_phone_through_zalos_form_or_typed(zalo: ZaloWorld) -> None:
    citizen = zalo.citizen()
    await citizen.says("/baotin")
    for label in ("Ma túy", "Không, đã xảy ra rồi"):
        await choose(citizen, label)
    await citizen.says("tam chuk")
    for label in ("Tam Chúc", "Bỏ qua", "Hôm nay", "Bỏ qua"):
        await choose(citizen, label)
    await citizen.says(DESCRIPTION)
    await choose(citizen, "Bỏ qua")
    await choose(citizen, "Để lại số điện thoại")
    assert "Gõ số điện thoại của bạn" in citizen.last() and "mẫu yêu cầu" in citizen.last()
    (form,) = zalo.oa.forms_sent_to(UID)
    assert form["elements"][0]["image_url"] == FORM_IMAGE
    await citizen.says("xin lỗi")  # not a number
    assert "Chưa đọc được số điện thoại" in citizen.last()
    await citizen.sends(zalo.oa.submit_info_event(UID, "84912345678"))
    assert "+84912345678" in citizen.last()  # the review card
    await choose(citizen, "Sửa")
    await choose(citizen, "Danh tính")
    await choose(citizen, "Để lại số điện thoại")
    await citizen.says("0912 345 679")
    assert "0912345679" in citizen.last()
    await choose(citizen, "Gửi tin báo")
    assert (await tips(zalo))[0][1] == 1


async def test_stale_and_forged_choices_change_nothing(zalo: ZaloWorld) -> None:
    citizen = zalo.citizen()
    await citizen.says("/baotin")
    await citizen.says("c1|category|nothing")  # forged: no such kind
    assert "Nút này đã cũ" in citizen.last()
    await citizen.says("c1|review|submit")  # a button of another step
    assert "Nút này đã cũ" in citizen.last()
    await citizen.says("q1|ack|1")  # a police button: just text here
    assert "gõ số thứ tự hoặc bấm nút" in citizen.texts()[-2]  # Zalo's «use the buttons»
    await citizen.says("99")  # no such option
    assert "gõ số thứ tự hoặc bấm nút" in citizen.texts()[-2]
    async with zalo.h.tinbao.db.read() as tx:
        drafts = await tx.scalar("SELECT step FROM dialogues")
    assert drafts == "category"
    await choose(citizen, "Ma túy")
    await choose(citizen, "Không, đã xảy ra rồi")
    await citizen.says("tam chuk")
    await choose(citizen, "Tam Chúc")
    await choose(citizen, "Bỏ qua")
    await choose(citizen, "Hôm nay")
    await choose(citizen, "Bỏ qua")
    await citizen.says("1")  # free text here: the description is too short, not a press
    assert "quá ngắn" in citizen.last()
    await citizen.says(DESCRIPTION)
    await choose(citizen, "Bỏ qua")
    await choose(citizen, "Ẩn danh")
    await choose(citizen, "Gửi tin báo")
    assert len(await tips(zalo)) == 1
    await citizen.says("c1|review|submit")  # the old button again, after filing
    assert len(await tips(zalo)) == 1 and "Nút này đã cũ" in citizen.last()


async def test_a_follow_greets_with_the_menu(zalo: ZaloWorld) -> None:
    citizen = zalo.citizen()
    await citizen.sends(zalo.oa.follow_event(UID))
    assert "Báo tin" in citizen.last() and "Gõ 1, 2" in citizen.last()


async def test_wanted_notices_browsed_and_a_sighting_reported(zalo: ZaloWorld) -> None:
    report = await wanted.import_csv(zalo.h.tinbao.db, WANTED_NOTICES, clock=zalo.h.clock)
    assert report.ok
    citizen = zalo.citizen()
    await citizen.says("/start")
    await choose(citizen, "Báo tin về người bị truy nã")  # notices exist: browse them
    assert "Tôi đã nhìn thấy người này" in citizen.last()
    await choose(citizen, "Sau")
    first_page = citizen.texts()[-2]
    assert citizen.last() != first_page
    await choose(citizen, "Tôi đã nhìn thấy người này")
    assert any("nhìn thấy" in text.lower() for text in citizen.texts()[-3:])
    async with zalo.h.tinbao.db.read() as tx:
        step = await tx.scalar("SELECT step FROM dialogues")
    assert step == "urgent"
    await citizen.says("w1|seen|999999")  # a withdrawn or forged notice
    assert "không còn" in citizen.last().lower() or "hiệu lực" in citizen.last().lower()


def test_reading_a_text_against_the_options_shown() -> None:
    shown = Shown(
        [
            Option("⚠️ Đang xảy ra", "urgent", "yes"),
            Option("Không, đã xảy ra rồi", "urgent", "no"),
            Option("❌ Hủy", "cancel", ""),
        ]
    )
    assert read(shown, " 2 ") is not None and read(shown, "2").press.value == "no"  # type: ignore[union-attr]
    assert read(shown, "4") is None and read(shown, "０") is None
    assert read(shown, "KHÔNG").press.value == "no"  # type: ignore[union-attr]
    assert read(shown, "dang xay ra").press.value == "yes"  # type: ignore[union-attr]
    assert read(shown, "huy").press.action == "cancel"  # type: ignore[union-attr]
    assert read(shown, "không biết nữa") is None  # a text, not an option
    assert read(Shown(), "1") is None  # nothing showing: text
    both = Shown([Option("Không, sai", "a", "1"), Option("Không, đúng", "b", "2")])
    assert read(both, "khong") is None  # ambiguous: text
    assert read(shown, "w1|seen|7").scope == "w"  # type: ignore[union-attr]
    assert normalize("Đường Trần Hưng Đạo") == "duong tran hung dao"
    assert phone_in("0912 345 678") == "0912345678"
    assert phone_in("84912345678") == "+84912345678"
    assert phone_in("12345") is None and phone_in("1") is None


async def test_a_status_lookup_and_the_language_by_choices(zalo: ZaloWorld) -> None:
    citizen = zalo.citizen()
    await citizen.says("/baotin")
    for label in ("Ma túy", "Không, đã xảy ra rồi"):
        await choose(citizen, label)
    await citizen.says("tam chuk")
    for label in ("Tam Chúc", "Bỏ qua", "Hôm nay", "Bỏ qua"):
        await choose(citizen, label)
    await citizen.says(DESCRIPTION)
    for label in ("Bỏ qua", "Ẩn danh", "Gửi tin báo"):
        await choose(citizen, label)
    code = citizen.receipt()
    await citizen.says("/start")
    await choose(citizen, "Tra cứu tin báo")
    await citizen.says(code)
    assert "Tình trạng:" in citizen.last() or "Tình trạng:" in citizen.texts()[-2]
    await citizen.says("/start")
    await choose(citizen, "English")  # the menu's language option
    await citizen.says("english")  # its words, accents and flag aside
    assert "Type 1, 2" in citizen.last()
