"""The typed dialogue draft: its sealed JSON, and drafts stored by the untyped version.

A citizen halfway through a tip while tinbao is upgraded must carry on where they were:
the end-to-end tests below store a draft exactly as the previous version wrote it (a
plain dict holding only the keys it had set so far, places as lists) and continue the
dialogue to the receipt.
"""

from __future__ import annotations

from typing import Any

from bot.draft import Candidate, Draft, DraftFile, Nearest
from bot.intake import DRAFT_CONTEXT
from bot.people import Person
from storage import dialogues, tips
from tests.harness import Harness
from tests.harness import Person as Citizen

DESCRIPTION = "Có người lạ mặt dò xét nhà dân vào ban đêm, đi xe máy không biển số."


def test_a_full_draft_survives_its_sealed_form() -> None:
    draft = Draft(
        draft_id="d1",
        step="review",
        category="crime",
        urgent=True,
        candidates=[Candidate(7, "Phường Tam Chúc", "Phường Ba Sao (Kim Bảng, Hà Nam)")],
        nearest=Nearest(7, "Phường Tam Chúc", 1.2),
        lat=20.55,
        lon=105.81,
        unit_id=7,
        unit_name="Phường Tam Chúc",
        address="Gần cổng chùa",
        occurred="now",
        occurred_note="lúc 9 giờ",
        description=DESCRIPTION,
        attachments=[DraftFile("photo", "f1", "u1", None, 1234), DraftFile("document", "f2", "u2")],
        contactable=True,
        phone="+84912345678",
        editing=True,
        wanted_notice_id=3,
        wanted_name="Đỗ Văn Đạt",
        tip_code="ABCD",
    )
    assert Draft.from_plain(draft.to_plain()) == draft


def test_a_draft_of_the_untyped_version_reads_as_it_was_meant() -> None:
    old: dict[str, Any] = {
        "draft_id": "d2",
        "step": "place_pick",
        "category": "crime",
        "urgent": False,
        "candidates": [[7, "Phường Tam Chúc", None], [9, "Phường Duy Tiên", "Thị trấn Hòa Mạc"]],
        "attachments": [
            {
                "kind": "photo",
                "file_id": "f1",
                "file_unique_id": "u1",
                "mime_type": None,
                "size_bytes": 99,
            }
        ],
        "a key no version knows": 1,
    }
    draft = Draft.from_plain(old)
    assert draft.step == "place_pick" and draft.category == "crime" and not draft.urgent
    assert draft.candidates == [
        Candidate(7, "Phường Tam Chúc", None),
        Candidate(9, "Phường Duy Tiên", "Thị trấn Hòa Mạc"),
    ]
    assert draft.attachments == [DraftFile("photo", "f1", "u1", None, 99)]
    assert draft.unit_id is None and draft.nearest is None and not draft.editing
    assert Draft.from_plain({"draft_id": "d3", "step": "relay", "tip_code": "XYZ"}) == Draft(
        "d3", "relay", tip_code="XYZ"
    )
    located = Draft.from_plain({"draft_id": "d4", "step": "place_confirm", "nearest": [7, "X", 2]})
    assert located.nearest == Nearest(7, "X", 2.0)


async def store_old_draft(h: Harness, citizen: Citizen, draft: dict[str, Any]) -> None:
    """Write ``draft`` the way the untyped version did: the dict itself, sealed."""
    user = citizen.user.id
    subject = h.tinbao.people.subject(Person("telegram", user, user))
    sealed = h.tinbao.people.box.seal(draft, context=DRAFT_CONTEXT)
    async with h.tinbao.db.transaction() as tx:
        await dialogues.save(tx, subject, draft["step"], sealed)


async def stored_draft(h: Harness, citizen: Citizen) -> dict[str, Any]:
    user = citizen.user.id
    subject = h.tinbao.people.subject(Person("telegram", user, user))
    async with h.tinbao.db.read() as tx:
        stored = await dialogues.load(tx, subject)
    assert stored is not None
    value: dict[str, Any] = h.tinbao.people.box.open(stored[1], context=DRAFT_CONTEXT)
    return value


async def tam_chuc(h: Harness) -> int:
    (match,) = h.tinbao.places.search("Tam Chúc", limit=1)
    return match.unit_id


async def the_tip(h: Harness, code: str) -> tuple[tips.Tip, list[tips.Attachment]]:
    async with h.tinbao.db.read() as tx:
        tip = await tips.by_code(tx, code.replace("-", ""))
        assert tip is not None
        return tip, await tips.attachments(tx, tip.id)


async def send_and_read_receipt(h: Harness, citizen: Citizen) -> str:
    await citizen.presses("Gửi tin báo")
    await h.flush()
    shown = citizen.last()
    assert "Mã tin báo của bạn:" in shown, shown
    return shown.split("Mã tin báo của bạn:")[1].split()[0]


async def test_a_citizen_picking_a_place_during_an_upgrade_keeps_their_draft(
    h: Harness,
) -> None:
    citizen = h.citizen()
    await citizen.says("/start")
    unit_id = await tam_chuc(h)
    await store_old_draft(
        h,
        citizen,
        {
            "draft_id": "0" * 32,
            "step": "place_pick",
            "attachments": [],
            "category": "crime",
            "urgent": False,
            "candidates": [[unit_id, "Phường Tam Chúc", None]],
        },
    )
    await citizen.says("/start")
    assert "chưa gửi" in citizen.last()  # the old draft is offered to resume
    await citizen.presses("Tiếp tục")
    await citizen.presses("Tam Chúc")  # the button comes from the old draft's candidates
    assert "Bước 4/7" in citizen.last()
    await citizen.presses("Bỏ qua")
    await citizen.presses("Hôm nay")
    await citizen.presses("Bỏ qua")
    await citizen.says(DESCRIPTION)
    await citizen.presses("Bỏ qua")
    await citizen.presses("Ẩn danh")
    code = await send_and_read_receipt(h, citizen)
    tip, files = await the_tip(h, code)
    assert (tip.category, tip.urgent, tip.unit_id) == ("crime", False, unit_id)
    assert (tip.occurred, tip.address, tip.description) == ("today", None, DESCRIPTION)
    assert files == []


async def test_a_citizen_sending_evidence_during_an_upgrade_keeps_their_files(
    h: Harness,
) -> None:
    citizen = h.citizen()
    await citizen.says("/baotin")
    await citizen.presses("Tố giác tội phạm")
    await citizen.presses("Đang xảy ra")
    await citizen.says("tam chuc")
    await citizen.presses("Tam Chúc")
    await citizen.says("Gần cổng chùa Tam Chúc")
    await citizen.says(DESCRIPTION)
    await citizen.sends(h.updates.photo(citizen.user))
    assert "Đã nhận 1/10" in citizen.last()
    (photo,) = (await stored_draft(h, citizen))["attachments"]
    unit_id = await tam_chuc(h)
    # As the untyped version stored it at this step: only the keys set so far.
    await store_old_draft(
        h,
        citizen,
        {
            "draft_id": "1" * 32,
            "step": "evidence",
            "attachments": [{k: v for k, v in photo.items() if v is not None}],
            "category": "crime",
            "urgent": True,
            "occurred": "now",
            "occurred_note": None,
            "unit_id": unit_id,
            "unit_name": "Phường Tam Chúc",
            "address": "Gần cổng chùa Tam Chúc",
            "description": DESCRIPTION,
        },
    )
    await citizen.sends(h.updates.photo(citizen.user))
    assert "Đã nhận 2/10" in citizen.last()
    await citizen.presses("Xong")
    await citizen.presses("Ẩn danh")
    assert "Gần cổng chùa Tam Chúc" in citizen.last()  # the review card shows the old fields
    code = await send_and_read_receipt(h, citizen)
    tip, files = await the_tip(h, code)
    assert (tip.category, tip.urgent, tip.unit_id, tip.occurred) == ("crime", True, unit_id, "now")
    assert tip.address == "Gần cổng chùa Tam Chúc" and tip.description == DESCRIPTION
    assert len(files) == 2 and files[0].file_unique_id == photo["file_unique_id"]
    assert files[1].file_unique_id != photo["file_unique_id"]
