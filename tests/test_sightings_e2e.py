"""Issue 5 end to end: a citizen browses wanted notices, reports a sighting, the sighting
reaches the queue of the place and the issuing unit's queue, withdrawal closes it."""

from __future__ import annotations

from bot import wanted
from tests.harness import WANTED_NOTICES, Harness, Person
from tests.police import DUTY

TAM_CHUC = -100111
KIM_BANG = -100222


async def setup(h: Harness) -> None:
    report = await wanted.import_csv(h.tinbao.db, WANTED_NOTICES, clock=h.clock)
    assert report.ok, report.summary()
    q = h.tinbao.staff
    for unit, role, user_id, chat, command in (
        ("Tam Chúc", "lead", 501, TAM_CHUC, "/bindqueue"),
        ("Kim Bảng", "lead", 601, KIM_BANG, "/bindqueue"),
        ("Ninh Bình", "supervisor", 701, DUTY, "/bindduty"),
    ):
        code, _, _ = await q.create_invite(unit, role)
        person = h.officer(user_id, f"Cán bộ {user_id}")
        await person.says(f"/join {code}")
        await person.says(command, chat=h.group(unit, chat))


async def report_sighting(h: Harness, citizen: Person, name: str, place: str, choose: str) -> None:
    await citizen.says(f"/timtruyna {name}")
    await citizen.presses("Tôi đã nhìn thấy người này")
    await citizen.presses("Đang xảy ra")
    await citizen.says(place)
    await citizen.presses(choose)
    await citizen.presses("Bỏ qua")
    await citizen.says("Thấy người giống trong ảnh ngồi ở quán cà phê cạnh bến xe.")
    await citizen.presses("Bỏ qua")
    await citizen.presses("Ẩn danh")
    await citizen.presses("Gửi tin báo")
    await h.flush()


def cards_in(h: Harness, chat_id: int) -> list[str]:
    return [m["text"] for m in h.api.sent_to(chat_id) if "TIN BÁO" in m.get("text", "")]


async def test_sighting_goes_to_the_place_and_the_issuing_unit(h: Harness) -> None:
    await setup(h)
    citizen = h.citizen()
    # Trần Thị Hoa's warrant was issued by Phường Tam Chúc; she is seen in Kim Bảng.
    await report_sighting(h, citizen, "tran thi hoa", "kim bang", "Kim Bảng")
    assert "Mã tin báo của bạn" in citizen.last()
    kim_bang, tam_chuc = cards_in(h, KIM_BANG), cards_in(h, TAM_CHUC)
    assert len(kim_bang) == 1 and len(tam_chuc) == 1
    for card in (kim_bang[0], tam_chuc[0]):
        assert "TRUY NÃ: Trần Thị Hoa" in card and "02/QĐTN-MẪU" in card and "KHẨN" in card
    photos = [
        c for c in h.api.calls_of("sendPhoto") if c.params.get("chat_id") in (KIM_BANG, TAM_CHUC)
    ]
    assert len(photos) == 2  # the notice's photo under both cards
    async with h.tinbao.db.read() as tx:
        row = await tx.fetchone("SELECT urgent, category, wanted_notice_id FROM tips")
    assert row is not None and row[0] == 1 and row[1] == "wanted" and row[2] is not None


async def test_dangerous_person_warning_and_trail_and_withdrawal(h: Harness) -> None:
    await setup(h)
    first, second = h.citizen(1001, "Lan"), h.citizen(1002, "Minh")
    await report_sighting(h, first, "do van dat", "tam chuc", "Tam Chúc")
    texts = [m.get("text", "") for m in first.messages()]
    assert any("KHÔNG tiếp cận" in t for t in texts)  # told plainly not to approach
    # issued by the province: the second working card goes to the duty queue
    assert len(cards_in(h, TAM_CHUC)) == 1 and len(cards_in(h, DUTY)) == 1
    await report_sighting(h, second, "dat den", "tam chuc", "Tam Chúc")
    latest = cards_in(h, TAM_CHUC)[-1]
    assert "Các lần nhìn thấy khác" in latest  # officers see the trail
    result = await wanted.withdraw(
        h.tinbao.db,
        "01/QĐTN-MẪU",
        "arrested",
        h.clock,
        close_sightings=h.tinbao.queues.close_sightings,
    )
    assert len(result.open_tip_ids) == 2
    await h.flush()
    async with h.tinbao.db.read() as tx:
        states = [r[0] for r in await tx.fetchall("SELECT status FROM tips")]
    assert states == ["closed", "closed"]
    for citizen in (first, second):
        assert "Cảm ơn bạn đã cung cấp thông tin" in citizen.last()
        assert "bắt" not in citizen.last()  # neutral words, nothing about an arrest
    assert "Đã đóng" in cards_in(h, TAM_CHUC)[0]


async def test_withdrawn_notice_cannot_be_reported_and_forged_ids_change_nothing(
    h: Harness,
) -> None:
    await setup(h)
    citizen = h.citizen()
    await citizen.says("/timtruyna tran thi hoa")
    message, seen = citizen.find_button("Tôi đã nhìn thấy")
    await wanted.withdraw(h.tinbao.db, "02/QĐTN-MẪU", "surrendered", h.clock)
    await citizen.sends(h.updates.callback(citizen.user, message, seen))
    await citizen.sends(h.updates.callback(citizen.user, message, "w1|seen|999999"))
    async with h.tinbao.db.read() as tx:
        assert await tx.scalar("SELECT COUNT(*) FROM dialogues") == 0
    assert all("Bước" not in m.get("text", "") for m in citizen.messages())


async def test_wanted_command_and_menu_button_browse_notices(h: Harness) -> None:
    citizen = h.citizen()
    await citizen.says("/start")
    await citizen.presses("truy nã")  # no notices on record yet: the plain report flow
    assert "Bước 2/7" in citizen.last()
    await citizen.says("/cancel")
    await setup(h)
    await citizen.says("/wanted")
    assert citizen.find_button("Tôi đã nhìn thấy người này")
    await citizen.says("/start")
    await citizen.presses("truy nã")
    message, _ = citizen.find_button("Tôi đã nhìn thấy người này")
    assert "THÔNG BÁO TRUY NÃ" in (message.get("caption") or message.get("text") or "")
