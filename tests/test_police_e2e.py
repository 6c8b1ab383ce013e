"""Issue 8, as officers, citizens and an attacker would try it: prompts answered only by
their officer's reply in time, page buttons that cannot overwrite cards, tip data only
in the unit's own chats, staff commands never read as a citizen's, /join brute force.
Real Bot API JSON through the real Application, on a real SQLite file."""

from __future__ import annotations

from typing import Any

from tests.harness import Harness, Person, file_tip
from tests.police import OTHER_QUEUE, QUESTION, QUEUE, card_of, questions_to, setup_unit, tip_id

UNBOUND = -100555

PROMPT_MARK = "trả lời tin nhắn này"


def prompt_of(h: Harness, chat_id: int, who: str = "") -> dict[str, Any]:
    """The bot's newest prompt in the chat (the message an officer must reply to), to
    the officer named ``who`` if given."""
    for message in reversed(h.api.sent_to(chat_id)):
        text = message.get("text", "")
        if PROMPT_MARK in text and text.startswith(who):
            return message
    raise AssertionError(f"no prompt in {chat_id}")


async def answer_prompt(h: Harness, officer: Person, text: str) -> None:
    await officer.replies(prompt_of(h, QUEUE), text, chat=h.group("CA Tam Chúc", QUEUE))


# ---------------------------------------------------------------- 4: duplicate's code --
async def test_duplicate_close_names_the_original_code(h: Harness) -> None:
    _lead, officer = await setup_unit(h)
    group = h.group("CA Tam Chúc", QUEUE)
    original = await file_tip(h.citizen())
    duplicate = await file_tip(h.citizen(1002, "Bình"))
    stale_card = card_of(h, QUEUE, duplicate)
    await officer.presses("Đóng", chat=group)  # the newest card: the duplicate's
    await officer.presses("Trùng tin báo khác", chat=group)
    await answer_prompt(h, officer, original)
    await h.flush()
    assert f"Đã đóng (trùng tin báo {original})" in (h.api.last_text(QUEUE) or "")
    assert f"trùng tin báo {original}" in card_of(h, QUEUE, duplicate)["text"]
    # a stale button on the closed card names the original too, never "?"
    tid = tip_id(h, duplicate)
    await officer.sends(h.updates.callback(officer.user, stale_card, f"q1|ack|{tid}"))
    assert f"trùng tin báo {original}" in officer.answers()[-1]
    assert "?" not in officer.answers()[-1]


# ---------------------------------------------------------------- 6: /join guessing ----
async def test_join_guesses_are_limited_per_user_per_hour(h: Harness) -> None:
    code, _, _ = await h.tinbao.staff.create_invite("Tam Chúc", "officer")
    guesser = h.officer(901, "Đoán")
    for attempt in range(5):
        await guesser.says(f"/join WRONGCODE{attempt}")
        assert "không hợp lệ" in guesser.last()
    await guesser.says("/join WRONGCODE9")
    assert "quá nhiều lần" in guesser.last()
    await guesser.says(f"/join {code}")  # even the right code waits: no brute force
    assert "quá nhiều lần" in guesser.last()
    async with h.tinbao.db.read() as tx:
        assert await tx.scalar("SELECT COUNT(*) FROM officers") == 0
        subjects = [r[0] for r in await tx.fetchall("SELECT subject FROM rate_hits")]
    assert subjects and all("901" not in s for s in subjects)  # no Telegram id in clear
    # another person is not affected, and the limit lifts after an hour
    other = h.officer(902, "Khác")
    await other.says("/join WRONGCODE")
    assert "không hợp lệ" in other.last()
    h.clock.advance(minutes=61)
    await guesser.says(f"/join {code}")
    assert "Bạn đã được đăng ký" in guesser.last()


# ---------------------------------------------------------------- 3: where tips show --
async def bind_other_unit(h: Harness) -> Person:
    """Phường Kim Bảng's lead and its queue group."""
    code, _, _ = await h.tinbao.staff.create_invite("Kim Bảng", "lead")
    other = h.officer(601, "Tú")
    await other.says(f"/join {code}")
    await other.says("/bindqueue", chat=h.group("CA Kim Bảng", OTHER_QUEUE))
    return other


async def test_queue_and_tip_answer_only_in_the_units_chats(h: Harness) -> None:
    _lead, officer = await setup_unit(h)
    await bind_other_unit(h)
    code = await file_tip(h.citizen(), text="Có người bán ma túy ở bến xe Tam Chúc.")
    for chat in (h.group("Hội đồng hương", UNBOUND), h.group("CA Kim Bảng", OTHER_QUEUE)):
        for command in ("/queue", f"/tip {code}"):
            await officer.says(command, chat=chat)
            answer = h.api.last_text(chat.id) or ""
            assert "nhóm tiếp nhận của đơn vị" in answer, (chat.title, command, answer)
            assert code not in answer and "ma túy" not in answer
    await officer.says("/queue", chat=h.group("CA Tam Chúc", QUEUE))
    assert code in (h.api.last_text(QUEUE) or "")
    await officer.says(f"/tip {code}", chat=h.group("CA Tam Chúc", QUEUE))
    assert "ma túy" in (h.api.last_text(QUEUE) or "")
    await officer.says("/queue")  # the officer's private chat
    assert code in officer.last()
    await officer.says(f"/tip {code}")
    assert "ma túy" in officer.last()


async def test_bind_refuses_a_group_bound_to_another_unit(h: Harness) -> None:
    await setup_unit(h)
    other = await bind_other_unit(h)
    await other.says("/bindqueue", chat=h.group("CA Tam Chúc", QUEUE))
    refusal = h.api.last_text(QUEUE) or ""
    assert "đơn vị khác" in refusal and "Tam Chúc" not in refusal
    sup_code, _, _ = await h.tinbao.staff.create_invite("Ninh Bình", "supervisor")
    sup = h.officer(504, "Thảo")
    await sup.says(f"/join {sup_code}")
    await sup.says("/bindduty", chat=h.group("CA Tam Chúc", QUEUE))
    assert "đơn vị khác" in (h.api.last_text(QUEUE) or "")
    async with h.tinbao.db.read() as tx:
        rows = await tx.fetchall(
            "SELECT b.purpose, u.short_name FROM chat_bindings b JOIN units u ON u.id = b.unit_id"
            " WHERE b.chat_id = ? AND b.active = 1",
            (QUEUE,),
        )
    assert [tuple(r) for r in rows] == [("queue", "Tam Chúc")]
    code = await file_tip(h.citizen())
    card_of(h, QUEUE, code)  # Tam Chúc's tips still arrive in Tam Chúc's group


# ---------------------------------------------------------------- 5: staff commands ----
async def test_staff_commands_are_never_read_as_citizen_text(h: Harness) -> None:
    lead, officer = await setup_unit(h)
    for command in ("/report month", "/baocao quarter", "/report"):
        await lead.says(command)  # a unit lead, in private: not a supervisor
        assert "chỉ dành cho lãnh đạo Công an tỉnh" in lead.last(), command
    await lead.says("/report month", chat=h.group("CA Tam Chúc", QUEUE))
    assert "chỉ dành cho lãnh đạo Công an tỉnh" in (h.api.last_text(QUEUE) or "")
    # a staff command whose answer fails still belongs to its own handler: the error is
    # logged, and the text is never handed to the citizen dialogue as an unknown command
    h.api.fail_next("sendMessage", "5xx", chat_id=officer.chat_id)
    await officer.says("/queue")
    texts = [m.get("text", "") for m in lead.messages() + officer.messages()]
    assert not any("Bước" in t or "Lệnh không hợp lệ" in t for t in texts), texts
    async with h.tinbao.db.read() as tx:
        assert await tx.scalar("SELECT COUNT(*) FROM dialogues") == 0
        assert await tx.scalar("SELECT COUNT(*) FROM tips") == 0


# ---------------------------------------------------------------- 2: page buttons ------
def edits_in(h: Harness, chat_id: int) -> int:
    return len([c for c in h.api.calls_of("editMessageText") if c.params.get("chat_id") == chat_id])


async def test_forged_page_buttons_edit_nothing(h: Harness) -> None:
    _lead, officer = await setup_unit(h)
    other = await bind_other_unit(h)
    ours = await file_tip(h.citizen())
    theirs = await file_tip(h.citizen(1002, "Bình"), place="kim bang", choose="Kim Bảng")
    our_card, their_card = card_of(h, QUEUE, ours), card_of(h, OTHER_QUEUE, theirs)
    stranger = h.officer(777, "Khách")
    async with h.tinbao.db.read() as tx:
        unit = await tx.scalar("SELECT id FROM units WHERE short_name = 'Tam Chúc'")
    before = edits_in(h, QUEUE), edits_in(h, OTHER_QUEUE)
    for person, message in [
        (stranger, our_card),  # a group member who is no officer, on a card
        (officer, their_card),  # an officer of another unit, in that unit's group
        (officer, our_card),  # an officer on their own unit's card: a card is no page
        (other, their_card),
    ]:
        await person.sends(h.updates.callback(person.user, message, f"q1|page|{unit}:1"))
        assert officer.answers()[-1], "a refusal is answered with a pop-up"
    await h.flush()
    assert (edits_in(h, QUEUE), edits_in(h, OTHER_QUEUE)) == before
    assert card_of(h, QUEUE, ours)["text"] == our_card["text"]
    assert card_of(h, OTHER_QUEUE, theirs)["text"] == their_card["text"]
    # a real queue page turns for the unit's officer, and for nobody else
    for i in range(10):
        await file_tip(h.citizen(3000 + i, f"Dân {i}"))
    await officer.says("/queue", chat=h.group("CA Tam Chúc", QUEUE))
    page, data = officer.find_button("Sau", chat_id=QUEUE)
    await stranger.sends(h.updates.callback(stranger.user, page, data))
    await other.sends(h.updates.callback(other.user, page, data))
    assert "trang 1/2" in (h.api.message(QUEUE, page["message_id"]) or {}).get("text", "")
    await officer.sends(h.updates.callback(officer.user, page, data))
    assert "trang 2/2" in (h.api.message(QUEUE, page["message_id"]) or {}).get("text", "")


# ---------------------------------------------------------------- 1: prompts -----------
CHATTER = "ok anh em, 9h họp giao ban nhé"


async def asked(h: Harness) -> tuple[Person, Person, Person, int]:
    """A tip, and the officer Mai has pressed ❓ Hỏi thêm on its card."""
    lead, officer = await setup_unit(h)
    citizen = h.citizen()
    code = await file_tip(citizen)
    await officer.presses("Hỏi thêm", chat=h.group("CA Tam Chúc", QUEUE))
    return lead, officer, citizen, tip_id(h, code)


async def status_of(h: Harness, tid: int) -> str:
    async with h.tinbao.db.read() as tx:
        return str(await tx.scalar("SELECT status FROM tips WHERE id = ?", (tid,)))


async def test_group_chatter_after_ask_never_reaches_the_citizen(h: Harness) -> None:
    lead, officer, citizen, tid = await asked(h)
    group = h.group("CA Tam Chúc", QUEUE)
    before = len(citizen.messages())
    await lead.says(CHATTER, chat=group)
    await officer.says(CHATTER, chat=group)  # the officer who pressed, not replying either
    await officer.replies(card_of(h, QUEUE, "TIN BÁO"), CHATTER, chat=group)  # to the card
    await h.flush()
    assert len(citizen.messages()) == before
    assert not any(CHATTER in m.get("text", "") for m in h.api.sent_to(QUEUE))
    assert await status_of(h, tid) == "new"


async def test_a_reply_to_the_prompt_by_anyone_else_is_ignored(h: Harness) -> None:
    lead, _officer, citizen, tid = await asked(h)
    group = h.group("CA Tam Chúc", QUEUE)
    # the lead has a question of their own pending, on another citizen's tip
    other_citizen = h.citizen(1002, "Bình")
    await file_tip(other_citizen)
    await lead.presses("Hỏi thêm", chat=group)
    before = len(citizen.messages()), len(other_citizen.messages())
    shown = len(h.api.sent_to(QUEUE))
    await lead.replies(prompt_of(h, QUEUE, who="Mai"), QUESTION, chat=group)
    stranger = h.officer(777, "Khách")
    await stranger.replies(prompt_of(h, QUEUE, who="Mai"), QUESTION, chat=group)
    await h.flush()
    assert (len(citizen.messages()), len(other_citizen.messages())) == before
    assert len(h.api.sent_to(QUEUE)) == shown  # no confirmation offered to them
    assert await status_of(h, tid) == "new"
    assert await status_of(h, tid + 1) == "new"


async def test_a_reply_after_the_prompt_expired_is_refused(h: Harness) -> None:
    _lead, officer, citizen, tid = await asked(h)
    before = len(citizen.messages())
    h.clock.advance(minutes=h.tinbao.settings.prompt_minutes + 1)
    await answer_prompt(h, officer, QUESTION)
    await h.flush()
    assert "hết hạn" in (h.api.last_text(QUEUE) or "")
    assert len(citizen.messages()) == before
    assert await status_of(h, tid) == "new"
    with_buttons = [m for m in h.api.sent_to(QUEUE) if "Gửi" in str(m.get("reply_markup"))]
    assert not with_buttons


async def test_a_copy_of_the_prompt_whose_answer_was_lost_answers_it_too(h: Harness) -> None:
    """Telegram took the prompt but its answer was lost, so the sender sent it again: the
    group shows two copies and the bot knows the id of the second only. A reply to
    either is the officer's answer; to the card or by someone else it is still not."""
    lead, officer = await setup_unit(h)
    group = h.group("CA Tam Chúc", QUEUE)
    await file_tip(h.citizen())
    h.api.fail_next("sendMessage", "timeout_after", chat_id=QUEUE)
    await officer.presses("Hỏi thêm", chat=group)
    h.clock.advance(seconds=1)  # the sender's first retry
    await h.flush()
    copies = [m for m in h.api.sent_to(QUEUE) if PROMPT_MARK in m.get("text", "")]
    assert len(copies) == 2 and copies[0]["text"] == copies[1]["text"]
    shown = len(h.api.sent_to(QUEUE))
    await lead.replies(copies[0], QUESTION, chat=group)  # not the officer who pressed
    await officer.replies(card_of(h, QUEUE, "TIN BÁO"), QUESTION, chat=group)  # the card
    await h.flush()
    assert len(h.api.sent_to(QUEUE)) == shown
    await officer.replies(copies[0], QUESTION, chat=group)
    await h.flush()
    confirm = h.api.sent_to(QUEUE)[-1]
    assert QUESTION in confirm["text"] and "Công an hỏi thêm về tin báo" in confirm["text"]


async def test_question_is_sent_only_after_its_officer_confirms(h: Harness) -> None:
    lead, officer, citizen, tid = await asked(h)
    group = h.group("CA Tam Chúc", QUEUE)
    before = len(citizen.messages())
    await answer_prompt(h, officer, QUESTION)
    confirm = h.api.sent_to(QUEUE)[-1]
    assert QUESTION in confirm["text"] and "Công an hỏi thêm về tin báo" in confirm["text"]
    labels = [b["text"] for row in confirm["reply_markup"]["inline_keyboard"] for b in row]
    assert any("Gửi" in label for label in labels) and any("Hủy" in label for label in labels)
    await h.flush()
    assert len(citizen.messages()) == before  # nothing leaves before «Gửi»
    _, send = officer.find_button("Gửi", chat_id=QUEUE)
    await lead.sends(h.updates.callback(lead.user, confirm, send))  # not the one who asked
    await h.flush()
    assert len(citizen.messages()) == before
    assert "Chỉ cán bộ đã soạn câu hỏi này" in officer.answers()[-1]
    await officer.presses("Gửi", chat=group)
    await h.flush()
    assert QUESTION in citizen.last() and "Mai" not in citizen.last()
    assert questions_to(citizen) == 1
    assert await status_of(h, tid) == "needs_info"
    settled = h.api.message(QUEUE, confirm["message_id"]) or {}
    assert "Đã gửi câu hỏi" in settled["text"] and "reply_markup" not in settled
    # the same press again (a double tap, or a forged copy) sends nothing more
    await officer.sends(h.updates.callback(officer.user, confirm, send))
    await h.flush()
    assert questions_to(citizen) == 1


async def test_cancelled_question_is_never_sent(h: Harness) -> None:
    _lead, officer, citizen, tid = await asked(h)
    before = len(citizen.messages())
    await answer_prompt(h, officer, QUESTION)
    confirm = h.api.sent_to(QUEUE)[-1]
    _, send = officer.find_button("Gửi", chat_id=QUEUE)
    await officer.presses("Hủy", chat=h.group("CA Tam Chúc", QUEUE))
    assert "Đã hủy" in officer.answers()[-1]
    await officer.sends(h.updates.callback(officer.user, confirm, send))
    await h.flush()
    assert len(citizen.messages()) == before
    assert await status_of(h, tid) == "new"


async def test_transfer_and_duplicate_answers_need_a_reply_too(h: Harness) -> None:
    _lead, officer = await setup_unit(h)
    await bind_other_unit(h)
    group = h.group("CA Tam Chúc", QUEUE)
    original = await file_tip(h.citizen())
    await file_tip(h.citizen(1002, "Bình"))
    await officer.presses("Chuyển đơn vị", chat=group)
    await officer.says("kim bang", chat=group)
    assert "Chuyển tin báo" not in (h.api.last_text(QUEUE) or "")
    await answer_prompt(h, officer, "kim bang")
    assert "Chuyển tin báo" in (h.api.last_text(QUEUE) or "")
    await officer.presses("Đóng", chat=group)
    await officer.presses("Trùng tin báo khác", chat=group)
    await officer.says(original, chat=group)
    await h.flush()
    assert await status_of(h, tip_id(h, original) + 1) != "closed"
