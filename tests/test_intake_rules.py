"""Issue 2 end to end: bad input, restarts, idempotency, encryption, limits, status."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from bot import receipt
from bot.clock import FakeClock
from bot.flood import FLOOD_SUBJECTS_KEPT, FloodGate
from bot.logs import OURS, QUIET, configure_logging
from config.settings import ConfigError, load_settings
from handlers.telegram.app import create
from handlers.telegram.fake.updates import FakeUser
from tests.dates import START, fixed_clock
from tests.harness import KEY, Harness, Person, close_harness, file_tip, open_harness


async def tip_count(h: Harness) -> int:
    async with h.tinbao.db.read() as tx:
        return int(await tx.scalar("SELECT COUNT(*) FROM tips"))


async def start_report(h: Harness, citizen) -> None:  # type: ignore[no-untyped-def]
    await citizen.says("/start")
    await citizen.presses("Báo tin")
    await citizen.presses("Tố giác tội phạm")
    await citizen.presses("Không, đã xảy ra rồi")
    await citizen.says("tam chuc")
    await citizen.presses("Tam Chúc")
    await citizen.presses("Bỏ qua")
    await citizen.presses("Hôm nay")
    await citizen.presses("Bỏ qua")


async def test_start_mentions_113_and_menu(h: Harness) -> None:
    citizen = h.citizen()
    await citizen.says("/start")
    text = citizen.last()
    assert "113" in text and "Ninh Bình" in text
    labels = [
        b["text"] for r in citizen.messages()[-1]["reply_markup"]["inline_keyboard"] for b in r
    ]
    assert any("Báo tin" in label for label in labels)
    assert any("truy nã" in label for label in labels)
    assert any("Tra cứu" in label for label in labels)


async def test_bad_text_lengths_get_clear_answers_and_change_nothing(h: Harness) -> None:
    citizen = h.citizen()
    await start_report(h, citizen)
    await citizen.says("ngắn")
    assert "quá ngắn" in citizen.last()
    await citizen.says("x" * 4001)
    assert "quá dài" in citizen.last() and "4000" in citizen.last()
    async with h.tinbao.db.read() as tx:
        step = await tx.scalar("SELECT step FROM dialogues")
    assert step == "description"
    assert await tip_count(h) == 0


async def test_unsupported_files_and_stickers_are_refused(h: Harness) -> None:
    citizen = h.citizen()
    await start_report(h, citizen)
    await citizen.sends(h.updates.sticker(citizen.user))
    assert "hãy gửi nội dung bằng chữ" in citizen.messages()[-2]["text"]
    await citizen.says("Kẻ gian bẻ khóa xe máy trước cửa nhà văn hóa.")
    await citizen.sends(
        h.updates.document(citizen.user, "virus.exe", "application/x-msdownload", 1000)
    )
    assert "không được nhận" in citizen.last()
    await citizen.sends(
        h.updates.document(citizen.user, "big.pdf", "application/pdf", 30 * 1024 * 1024)
    )
    assert "quá lớn" in citizen.last()
    await citizen.sends(h.updates.video_note(citizen.user))
    assert "không được nhận" in citizen.last()
    await citizen.sends(h.updates.document(citizen.user, "bien-ban.pdf", "application/pdf", 20_000))
    assert "Đã nhận 1/10" in citizen.last()


async def test_command_in_wrong_step_and_unknown_command(h: Harness) -> None:
    citizen = h.citizen()
    await start_report(h, citizen)
    await citizen.says("/foo")
    assert any("Lệnh không hợp lệ" in m["text"] for m in citizen.messages()[-2:])
    await citizen.says("/start")
    assert "chưa gửi" in citizen.last()  # offers to continue or start again
    await citizen.presses("Tiếp tục")
    assert "Bước 6/7" in citizen.last()


async def test_group_messages_get_private_only_answer(h: Harness) -> None:
    citizen = h.citizen()
    group = h.group("Nhóm xóm", -100500)
    await citizen.says("/baotin", chat=group)
    assert "cuộc trò chuyện riêng" in (h.api.last_text(-100500) or "")
    await citizen.says("chuyện phiếm trong nhóm", chat=group)
    assert len(h.api.sent_to(-100500)) == 1  # ordinary chatter is not answered
    async with h.tinbao.db.read() as tx:
        assert await tx.scalar("SELECT COUNT(*) FROM dialogues") == 0


async def test_restart_mid_dialogue_resumes_at_the_same_step(h: Harness) -> None:
    citizen = h.citizen()
    await start_report(h, citizen)
    await h.tinbao.app.shutdown()
    await h.tinbao.db.close()
    again = await create(h.tinbao.settings, request=h.api, clock=h.clock, rate_limiter=False)
    await again.app.initialize()
    h.tinbao = again
    await citizen.says("Có người lạ mặt dò xét nhà dân vào ban đêm.")
    assert "Bước 7/7" in citizen.last()


async def test_double_submit_and_redelivered_update_make_one_tip(h: Harness) -> None:
    citizen = h.citizen()
    await start_report(h, citizen)
    await citizen.says("Có người lạ mặt dò xét nhà dân vào ban đêm.")
    await citizen.presses("Bỏ qua")
    await citizen.presses("Ẩn danh")
    message, data = citizen.find_button("Gửi tin báo")
    first = h.updates.callback(citizen.user, message, data)
    second = h.updates.callback(citizen.user, message, data)
    await asyncio.gather(h.deliver(first), h.deliver(second))
    await h.deliver(first)  # Telegram redelivers the same update
    await h.flush()
    assert await tip_count(h) == 1
    receipts = [m for m in citizen.messages() if "Mã tin báo của bạn" in m.get("text", "")]
    assert len(receipts) == 1


async def test_a_recycled_update_id_is_not_taken_for_a_redelivery(h: Harness) -> None:
    """Update ids are unique only for a while: Telegram restarts the sequence at random
    after a quiet week, and a self-hosted Bot API server has its own. A fuzz run whose
    updates reused ids left a fresh user's /start unanswered ("already processed");
    only a true redelivery (the same message or button press again) may be skipped."""
    citizen, fresh = h.citizen(), h.citizen(2002, "Mới")
    first = await citizen.says("/start")
    recycled = h.updates.text(fresh.user, "/start")
    recycled["update_id"] = first["update_id"]
    await h.deliver(recycled)
    assert "Xin chào" in fresh.last()
    await h.deliver(recycled)  # this one is a redelivery: answered once only
    assert len(fresh.messages()) == 1
    message, data = citizen.find_button("Báo tin")
    press = h.updates.callback(citizen.user, message, data)
    await h.deliver(press)
    again = h.updates.callback(fresh.user, fresh.messages()[-1], data)
    again["update_id"] = press["update_id"]
    await h.deliver(again)
    assert "Bước 1/7" in fresh.last()
    assert h.errors == []


async def test_a_press_too_old_to_answer_still_gets_its_next_screen(h: Harness) -> None:
    """A press that waited while the bot was down can no longer be answered (Telegram:
    "query is too old"); the step it asked for is taken and its screen still sent. A
    press Telegram redelivers, already answered, is no error either."""
    citizen = h.citizen()
    await citizen.says("/start")
    h.api.fail_next("answerCallbackQuery", "query_too_old")
    press = await citizen.presses("Báo tin")
    assert "Bước 1/7" in citizen.last()
    await citizen.sends(press)  # redelivered
    assert h.errors == []


async def test_the_flood_gate_follows_the_injected_clock(tmp_path: Path) -> None:
    """The flood window is measured on the product's clock (it used time.monotonic()), so
    a minute later on that clock the citizen is heard again."""
    h = await open_harness(tmp_path, messages_per_minute=3)
    try:
        citizen = h.citizen()
        for _ in range(4):
            await citizen.says("/help")
        assert "quá nhanh" in citizen.last()
        h.clock.advance(seconds=61)
        await citizen.says("/start")
        assert "Xin chào" in citizen.last()
    finally:
        await close_harness(h)


def test_the_flood_gate_forgets_quiet_people() -> None:
    clock = FakeClock(START)
    gate = FloodGate(3, clock)
    for n in range(FLOOD_SUBJECTS_KEPT + 1):
        assert gate.check(f"người {n}") == "ok"
    clock.advance(seconds=61)
    assert gate.check("người mới") == "ok"
    assert len(gate._hits) == 1  # the quiet ones were dropped, the new one kept


async def test_identity_is_not_in_the_database_file_in_clear(h: Harness) -> None:
    citizen = Person(h, FakeUser(987654321, "Nguyễn Thị Hồng", username="hong_tayninh"))
    await file_tip(citizen, phone="+84912345678")
    await h.tinbao.db.close()
    path = Path(h.tinbao.settings.database_path)
    raw = path.read_bytes() + (
        Path(f"{path}-wal").read_bytes() if Path(f"{path}-wal").exists() else b""
    )
    for secret in (b"987654321", "Nguyễn Thị Hồng".encode(), b"hong_tayninh", b"912345678"):
        assert secret not in raw, secret
    h.tinbao.db = await type(h.tinbao.db).open(path, clock=h.clock)
    async with h.tinbao.db.read() as tx:
        contactable = await tx.scalar("SELECT contactable FROM tips")
    assert contactable == 1


async def test_phone_must_be_the_citizens_own(h: Harness) -> None:
    citizen = h.citizen()
    await start_report(h, citizen)
    await citizen.says("Có người lạ mặt dò xét nhà dân vào ban đêm.")
    await citizen.presses("Bỏ qua")
    await citizen.presses("Để lại số điện thoại")
    await citizen.sends(h.updates.contact(citizen.user, "+84900000000", own=False))
    assert "của chính bạn" in citizen.last()


async def test_tips_per_hour_limit(tmp_path: Path) -> None:
    h = await open_harness(tmp_path, tips_per_hour=2)
    try:
        citizen = h.citizen()
        await file_tip(citizen)
        await file_tip(citizen)
        await citizen.says("/baotin")
        assert "tối đa là 2" in citizen.last()
        h.clock.advance(hours=1, seconds=1)
        await citizen.says("/baotin")
        assert "Bước 1/7" in citizen.last()
    finally:
        await close_harness(h)


async def test_flooding_is_answered_once_then_ignored(tmp_path: Path) -> None:
    h = await open_harness(tmp_path, messages_per_minute=3)
    try:
        citizen = h.citizen()
        for _ in range(6):
            await citizen.says("/help")
        texts = [m["text"] for m in citizen.messages()]
        assert sum("quá nhanh" in t for t in texts) == 1
        assert len(texts) == 4
    finally:
        await close_harness(h)


async def test_status_lookup_shows_public_status_and_is_rate_limited(h: Harness) -> None:
    citizen = h.citizen()
    code = await file_tip(citizen)
    other = h.citizen(user_id=2002, name="Bình")
    await other.says(f"/status {code.lower()}")
    assert "Đã tiếp nhận vào hệ thống" in other.last()
    assert "Bổ sung" not in str(other.messages()[-1].get("reply_markup"))  # only the owner adds
    bad = code[:-1] + ("A" if code[-1] != "A" else "B")
    await other.says(f"/status {bad}")
    assert "không đúng dạng" in other.last()
    await other.says("/status ABCD")
    assert "không đúng dạng" in other.last()
    for _ in range(10):
        await other.says(f"/status {receipt.display(receipt.new_code())}")
    assert "quá nhiều lần" in other.last()


def test_receipt_code_check_character_catches_typos() -> None:
    code = receipt.new_code()
    assert receipt.canonical(receipt.display(code).lower()) == code
    assert not set("01OI") & set(code)
    for i in range(len(code)):
        for ch in receipt.ALPHABET:
            if ch != code[i]:
                with pytest.raises(receipt.MalformedCode):
                    receipt.canonical(code[:i] + ch + code[i + 1 :])
    swapped = code[1] + code[0] + code[2:]
    if swapped != code:
        with pytest.raises(receipt.MalformedCode):
            receipt.canonical(swapped)


def test_missing_or_wrong_settings_name_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TINBAO_BOT_TOKEN", raising=False)
    monkeypatch.setenv("TINBAO_SECRET_KEY", KEY)
    with pytest.raises(ConfigError, match="TINBAO_BOT_TOKEN is not set"):
        load_settings(_env_file=None)
    monkeypatch.setenv("TINBAO_BOT_TOKEN", "123:abcdefghijklmnop")
    monkeypatch.setenv("TINBAO_SECRET_KEY", "short")
    with pytest.raises(ConfigError, match="TINBAO_SECRET_KEY is invalid"):
        load_settings(_env_file=None)
    monkeypatch.setenv("TINBAO_SECRET_KEY", KEY)
    monkeypatch.setenv("TINBAO_TIMEZONE", "Mars/Olympus")
    with pytest.raises(ConfigError, match="TINBAO_TIMEZONE"):
        load_settings(_env_file=None)


async def test_migrations_apply_to_an_empty_file_and_are_idempotent(tmp_path: Path) -> None:
    from storage.db import Database, bundled_migrations

    db = await Database.open(tmp_path / "empty.db", clock=fixed_clock)
    assert await db.migrate() == []  # already applied at open
    async with db.read() as tx:
        versions = [r[0] for r in await tx.fetchall("SELECT version FROM schema_migrations")]
        mode = await tx.scalar("PRAGMA journal_mode")
    assert versions == [m.version for m in bundled_migrations()]
    assert mode == "wal"
    await db.close()


async def test_location_proposes_nearest_commune(h: Harness) -> None:
    citizen = h.citizen()
    await citizen.says("/baotin")
    await citizen.presses("Ma túy")
    await citizen.presses("Không, đã xảy ra rồi")
    await citizen.sends(h.updates.location(citizen.user, 20.5558, 105.813))
    assert "Phường Tam Chúc" in citizen.last() and "Đúng không" in citizen.last()
    await citizen.presses("Đúng")
    assert "Bước 4/7" in citizen.last()
    await citizen.says("/cancel")
    await citizen.says("/baotin")
    await citizen.presses("Ma túy")
    await citizen.presses("Không, đã xảy ra rồi")
    await citizen.sends(h.updates.location(citizen.user, 10.78, 106.7))
    assert "ngoài tỉnh" in citizen.messages()[-2]["text"]


async def test_english_on_request(h: Harness) -> None:
    citizen = h.citizen()
    await citizen.says("/language")
    await citizen.presses("English")
    await citizen.says("/report")
    assert "Step 1/7" in citizen.last()


async def test_a_failed_prompt_is_retried_not_lost(h: Harness) -> None:
    citizen = h.citizen()
    await citizen.says("/start")
    h.api.fail_next("sendMessage", "5xx", chat_id=citizen.chat_id)
    h.api.fail_next("sendMessage", "timeout", chat_id=citizen.chat_id)
    await citizen.presses("Báo tin")
    assert "Bước 1/7" not in citizen.last()  # both attempts failed; the step is committed
    for _ in range(2):  # the sender's backoff, on the product's clock (nothing sleeps)
        h.clock.advance(seconds=5)
        await h.flush()
    assert "Bước 1/7" in citizen.last()
    steps = [m for m in citizen.messages() if "Bước 1/7" in m.get("text", "")]
    assert len(steps) == 1


async def test_logs_never_hold_the_reporters_identity(
    h: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    root = logging.getLogger()
    names = [*QUIET, *OURS]
    saved = (root.level, list(root.handlers), {n: logging.getLogger(n).level for n in names})
    try:
        configure_logging(verbose=True)  # what `tinbao -v run` sets up
        caplog.set_level("DEBUG")
        citizen = Person(h, FakeUser(555123777, "Phạm Văn Khánh", username="khanh_nb"))
        h.api.fail_next("sendMessage", "429", chat_id=citizen.chat_id, retry_after=1)
        await citizen.says("/start")
        h.clock.advance(seconds=2)  # the 429's retry_after, on the product's clock
        await h.flush()
        await file_tip(citizen, phone="+84987654321")
        logged = "\n".join(r.getMessage() for r in caplog.records)
        assert logged  # something was logged (the retry), so the check below means something
        for secret in ("555123777", "Phạm Văn Khánh", "khanh_nb", "987654321"):
            assert secret not in logged
    finally:  # leave the process's logging as other tests expect it, even on a failure
        level, handlers, levels = saved
        root.setLevel(level)
        root.handlers[:] = handlers
        for name, old in levels.items():
            logging.getLogger(name).setLevel(old)
