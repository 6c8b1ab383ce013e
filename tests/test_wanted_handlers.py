"""The wanted-notice Telegram handlers, driven through the real tinbao Application (the
same wiring as ``tinbao run``) with real Bot API update JSON and the in-process fake Bot
API, over a real SQLite file. What they show leaves through the outbox: each update is
followed by a flush of the real sender, as in the running bot."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot import wanted
from bot.callbacks import Scope, decode, encode
from config.texts import t
from handlers.telegram.fake.updates import FakeChat, FakeUser
from storage.db import Database
from tests.harness import Harness

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "wanted"
CITIZEN = FakeUser(1001, "Lan")
ENGLISH = FakeUser(1002, "Sam", language_code="en")
# What the citizen dialogue (group 1) would answer had a wanted update reached it.
FELL_THROUGH = {t(k, lang) for k in ("unknown_command", "stale_button") for lang in ("vi", "en")}


@dataclass
class Env:
    h: Harness

    @property
    def api(self) -> Any:
        return self.h.api

    @property
    def db(self) -> Database:
        return self.h.tinbao.db

    async def send(self, update: dict[str, Any]) -> None:
        await self.h.deliver(update)

    async def says(self, text: str, user: FakeUser = CITIZEN, chat: FakeChat | None = None) -> None:
        await self.send(self.h.updates.text(user, text, chat))

    async def presses(self, message: dict[str, Any], data: str, user: FakeUser = CITIZEN) -> None:
        await self.send(self.h.updates.callback(user, message, data))

    def cards(self, chat_id: int = CITIZEN.id) -> list[dict[str, Any]]:
        return [m for m in self.api.sent_to(chat_id) if "reply_markup" in m]

    def answers(self) -> list[str]:
        return [str(c.params.get("text") or "") for c in self.api.calls_of("answerCallbackQuery")]

    @property
    def fell_through(self) -> list[str]:
        """Answers only the citizen dialogue gives: none may follow a wanted update."""
        said = [str(c.params.get("text") or "") for c in self.api.calls]
        return [text for text in said if text in FELL_THROUGH]

    async def notice(self, name: str) -> wanted.WantedNotice:
        found = await wanted.search(self.db, name, 0, 1)
        assert found.items, name
        return found.items[0]


def buttons(message: dict[str, Any]) -> list[tuple[str, str]]:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [(b["text"], b.get("callback_data", "")) for row in rows for b in row]


def text_of(message: dict[str, Any]) -> str:
    return str(message.get("caption", message.get("text", "")))


@pytest.fixture
async def env(h: Harness) -> Env:
    report = await wanted.import_csv(h.tinbao.db, SAMPLES / "notices.csv")
    assert report.ok, report.summary()
    return Env(h)


def parse_callback(data: str | None) -> tuple[str, int] | None:
    parsed = decode(data, Scope.WANTED)
    return (parsed.action, parsed.number) if parsed else None


def test_callback_data_round_trip_and_rejects_forgeries() -> None:
    assert encode(Scope.WANTED, "seen", 12) == "w1|seen|12"
    assert parse_callback("w1|seen|12") == ("seen", 12)
    assert parse_callback("w1|page|0") == ("page", 0)
    for forged in ("w1|seen|abc", "w1|seen|-1", "w1|drop|1", "w2|seen|1", "w1|seen|1|x", None):
        assert parse_callback(forged) is None, forged
    assert parse_callback("w1|seen|" + "9" * 60) is None
    assert parse_callback("q1|ack|12") is None  # another scope's button
    with pytest.raises(ValueError):
        encode(Scope.WANTED, "delete", 1)


async def test_browse_sends_photo_card_and_caches_the_file_id(env: Env) -> None:
    await env.says("/dstruyna")
    (card,) = env.cards()
    manh = await env.notice("Lê Đức Mạnh")  # dangerous and the newest warrant: first
    assert "LÊ ĐỨC MẠNH" in card["caption"]
    assert "Không tiếp cận" in card["caption"] and "113" in card["caption"]
    assert "Trang 1/5" in card["caption"]
    assert buttons(card) == [
        ("👁 Tôi đã nhìn thấy người này", f"w1|seen|{manh.id}"),
        ("Sau ▶️", "w1|page|1"),
    ]
    (upload,) = env.api.calls_of("sendPhoto")
    assert str(upload.params["photo"]).startswith("upload:") and upload.files
    cached = (await env.notice("Lê Đức Mạnh")).photo_file_id
    assert cached == card["photo"][-1]["file_id"]

    await env.says("/dstruyna")
    second = env.api.calls_of("sendPhoto")[-1]
    assert second.params["photo"] == cached and not second.files
    assert env.fell_through == []


async def test_paging_shows_every_notice_once_and_trims_old_arrows(env: Env) -> None:
    await env.says("/dstruyna")
    seen_names = []
    for _ in range(10):
        card = env.cards()[-1]
        seen_names.append(text_of(card).split("\n")[1])
        nxt = [data for label, data in buttons(card) if label == "Sau ▶️"]
        if not nxt:
            break
        await env.presses(card, nxt[0])
    assert seen_names == [
        "👤 LÊ ĐỨC MẠNH",
        "👤 ĐỖ VĂN ĐẠT",
        "👤 VŨ THỊ ĐÀO",
        "👤 PHẠM VĂN ĐÔNG",
        "👤 TRẦN THỊ HOA",
    ]
    cards = env.cards()
    assert "photo" not in cards[3] and "text" in cards[3]  # Phạm Văn Đông has no photo
    for old in cards[:-1]:
        assert [label for label, _ in buttons(old)] == ["👁 Tôi đã nhìn thấy người này"]
    assert [label for label, _ in buttons(cards[-1])] == ["👁 Tôi đã nhìn thấy người này", "◀️ Trước"]
    assert env.fell_through == []


async def test_seen_starts_an_urgent_sighting_of_an_active_notice(env: Env) -> None:
    await env.says("/dstruyna")
    card = env.cards()[-1]
    manh = await env.notice("Lê Đức Mạnh")
    await env.presses(card, f"w1|seen|{manh.id}")
    shown = "\n".join(text_of(m) for m in env.api.sent_to(CITIZEN.id)[-3:])
    assert "Lê Đức Mạnh" in shown and "Bước 2/7" in shown  # the sighting's next step
    async with env.db.read() as tx:
        drafts = await tx.scalar("SELECT COUNT(*) FROM dialogues")
    assert drafts == 1  # the sighting's dialogue has begun
    assert env.fell_through == []


async def test_seen_rechecks_the_notice_on_every_press(env: Env) -> None:
    await env.says("/dstruyna")
    card = env.cards()[-1]
    manh = await env.notice("Lê Đức Mạnh")
    await wanted.withdraw(env.db, "03/QĐTN-MẪU", "arrested")
    await env.presses(card, f"w1|seen|{manh.id}")  # withdrawn since the card was sent
    await env.presses(card, "w1|seen|999999")  # forged id
    await env.presses(card, "w1|seen|abc")  # malformed
    await env.presses(card, "w1|burn|1")  # unknown action
    async with env.db.read() as tx:
        assert await tx.scalar("SELECT COUNT(*) FROM dialogues") == 0
    not_active = "Thông báo truy nã này không còn hiệu lực. Cảm ơn bạn đã quan tâm."
    stale = "Nút này đã cũ hoặc không hợp lệ. Gõ /dstruyna để xem danh sách mới nhất."
    assert env.answers() == [not_active, not_active, stale, stale]
    assert all(c.params.get("show_alert") for c in env.api.calls_of("answerCallbackQuery"))
    assert env.fell_through == []


async def test_search_finds_without_diacritics_and_with_a_typo(env: Env) -> None:
    await env.says("/timtruyna do van dta")
    messages = env.api.sent_to(CITIZEN.id)
    assert text_of(messages[0]) == "Tìm thấy 1 kết quả cho «do van dta»."
    (card,) = env.cards()
    assert "ĐỖ VĂN ĐẠT" in card["caption"] and "Đạt Đen; Tí Đạt" in card["caption"]
    dat = await env.notice("Đỗ Văn Đạt")
    assert buttons(card) == [("👁 Tôi đã nhìn thấy người này", f"w1|seen|{dat.id}")]

    await env.says("/timtruyna")
    assert env.api.last_text(CITIZEN.id) is not None
    assert env.api.last_text(CITIZEN.id).startswith("Gõ /timtruyna kèm họ tên")  # type: ignore[union-attr]
    await env.says("/timtruyna nguyen thi lan")
    assert "Không tìm thấy" in (env.api.last_text(CITIZEN.id) or "")
    assert env.fell_through == []


async def test_english_speakers_get_english_cards(env: Env) -> None:
    await env.says("/language", user=ENGLISH)
    await env.h.driver.presses(ENGLISH, "English")
    await env.says("/timtruyna hoa lun", user=ENGLISH)
    card = env.cards(ENGLISH.id)[-1]
    assert "TRẦN THỊ HOA" in card["caption"] and "Also known as: Hoa Lùn" in card["caption"]
    assert buttons(card)[0][0] == "👁 I have seen this person"


async def test_a_rejected_cached_file_id_falls_back_to_uploading(env: Env) -> None:
    dat = await env.notice("Đỗ Văn Đạt")
    await wanted.remember_photo_file_id(env.db, dat, "not-a-telegram-file-id")
    await env.says("/timtruyna do van dat")
    first, second = env.api.calls_of("sendPhoto")
    assert first.params["photo"] == "not-a-telegram-file-id" and not first.ok
    assert str(second.params["photo"]).startswith("upload:") and second.ok
    (card,) = env.cards()
    assert (await env.notice("Đỗ Văn Đạt")).photo_file_id == card["photo"][-1]["file_id"]


async def test_groups_get_a_private_only_answer(env: Env) -> None:
    group = FakeChat.supergroup("Tổ dân phố 5", id=-100500)
    await env.says("/dstruyna", chat=group)
    await env.says("/timtruyna dat", chat=group)
    texts = [text_of(m) for m in env.api.sent_to(group.id)]
    assert (
        texts
        == [
            "Vui lòng nhắn riêng cho bot để xem và báo tin về người bị truy nã.",
        ]
        * 2
    )
    assert env.api.calls_of("sendPhoto") == []
    assert env.fell_through == []


async def test_empty_list(env: Env) -> None:
    for number in ("01", "02", "03", "04", "05"):
        await wanted.withdraw(env.db, f"{number}/QĐTN-MẪU", "cancelled")
    await env.says("/dstruyna")
    assert env.api.last_text(CITIZEN.id) == "Hiện không có thông báo truy nã nào đang có hiệu lực."
    assert env.cards() == []


async def test_a_card_too_long_for_a_caption_goes_under_the_photo(env: Env, tmp_path: Path) -> None:
    header = "full_name,aliases,birth_year,sex,last_residence,offence,warrant_number,"
    header += "warrant_date,issuing_unit,dangerous,photo\n"
    aliases = ";".join(f"Biệt danh số {i} " + "x" * 80 for i in range(10))
    row = f"Đinh Văn Dài,{aliases},1990,nam,{'Thôn ' + 'y' * 290},{'Tội ' + 'z' * 290},"
    row += f"99/QĐTN-MẪU,2025-10-01,Phường Tam Chúc,có,{SAMPLES / 'photos/do-van-dat.png'}\n"
    path = tmp_path / "long.csv"
    path.write_text(header + row, encoding="utf-8")
    report = await wanted.import_csv(env.db, path)
    assert report.ok, report.summary()

    await env.says("/timtruyna dinh van dai")
    photo, card = env.api.sent_to(CITIZEN.id)[1:]
    assert photo["caption"] == "👤 ĐINH VĂN DÀI" and "reply_markup" not in photo
    assert len(card["text"]) > 1024 and "Không tiếp cận" in card["text"]
    assert buttons(card)[0][0] == "👁 Tôi đã nhìn thấy người này"


async def test_a_page_number_that_is_not_decimal_shows_the_first_page(env: Env) -> None:
    """Fuzzing found "/dstruyna ²" raising ValueError: "²".isdigit() is true, yet int()
    refuses it."""
    for page in ("²", "٣", "0", "99999999"):
        await env.says(f"/dstruyna {page}")
    captions = [text_of(card) for card in env.cards()]
    assert len(captions) == 4
    # only ASCII digits name a page: "٣" (Arabic-Indic three) is not taken for 3
    assert [c.count("Trang 1/5") for c in captions] == [1, 1, 1, 1]
