"""Issue 3 end to end: several users and chats, real Bot API JSON, real SQLite."""

from __future__ import annotations

from tests.harness import Harness, file_tip
from tests.police import DUTY, OTHER_QUEUE, QUEUE, card_of, prompt, setup_unit, tip_id


async def test_tip_reaches_queue_as_card_with_evidence_and_pseudonym(h: Harness) -> None:
    await setup_unit(h)
    citizen = h.citizen()
    code = await file_tip(citizen, photos=2)
    card = card_of(h, QUEUE, code)
    assert "Phường Tam Chúc" in card["text"] and "(ẩn danh)" in card["text"]
    assert "Lan" not in card["text"] and str(citizen.user.id) not in card["text"]
    labels = [b["text"] for row in card["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == ["✅ Tiếp nhận", "🙋 Nhận xử lý", "❓ Hỏi thêm", "➡️ Chuyển đơn vị", "🔒 Đóng"]
    albums = [c for c in h.api.calls_of("sendMediaGroup") if c.params["chat_id"] == QUEUE]
    assert len(albums) == 1
    assert albums[0].params["reply_parameters"]["message_id"] == card["message_id"]
    # not urgent: no alert in the duty chat
    assert not any(code in (m.get("text") or "") for m in h.api.sent_to(DUTY))


async def test_urgent_tip_alerts_duty_and_unbound_unit_falls_back(h: Harness) -> None:
    citizen = h.citizen()
    sup_code, _, _ = await h.tinbao.staff.create_invite("Ninh Bình", "supervisor")
    sup = h.officer(503, "Sơn")
    await sup.says(f"/join {sup_code}")
    await sup.says("/bindduty", chat=h.group("Trực ban", DUTY))
    code = await file_tip(citizen, urgent=True)
    texts = [m.get("text", "") for m in h.api.sent_to(DUTY) if code in m.get("text", "")]
    # one working card, with the note and the urgent mark; no second alert in the same chat
    assert len(texts) == 1
    assert "chưa gắn nhóm tiếp nhận" in texts[0] and "KHẨN" in texts[0]


async def test_urgent_tip_with_bound_queue_also_alerts_duty(h: Harness) -> None:
    await setup_unit(h)
    code = await file_tip(h.citizen(), urgent=True)
    assert "KHẨN" in card_of(h, QUEUE, code)["text"]
    alerts = [m["text"] for m in h.api.sent_to(DUTY) if code in m.get("text", "")]
    assert len(alerts) == 1 and "BÁO ĐỘNG" in alerts[0]
    assert "reply_markup" not in h.api.sent_to(DUTY)[-1] or not h.api.sent_to(DUTY)[-1][
        "reply_markup"
    ].get("inline_keyboard")


async def test_acknowledge_take_ask_answer_close(h: Harness) -> None:
    _lead, officer = await setup_unit(h)
    group = h.group("CA Tam Chúc", QUEUE)
    citizen = h.citizen()
    code = await file_tip(citizen)
    await officer.presses("Tiếp nhận", chat=group)
    await h.flush()
    assert "Đã tiếp nhận — Mai" in card_of(h, QUEUE, code)["text"]
    assert "đã tiếp nhận tin báo" in citizen.last()
    # a second press of the same (now stale) button changes nothing
    before = len(h.api.sent_to(citizen.chat_id))
    message = card_of(h, QUEUE, code)
    await officer.sends(h.updates.callback(officer.user, message, f"q1|ack|{tip_id(h, code)}"))
    await h.flush()
    assert "Đã tiếp nhận" in officer.answers()[-1]
    assert len(h.api.sent_to(citizen.chat_id)) == before
    await officer.presses("Nhận xử lý", chat=group)
    await officer.presses("Hỏi thêm", chat=group)
    await officer.replies(prompt(h, QUEUE), "Bạn có nhớ biển số xe không?", chat=group)
    await officer.presses("Gửi", chat=group)  # after reading what the citizen will get
    await h.flush()
    assert "Bạn có nhớ biển số xe không?" in citizen.last()
    assert "Mai" not in citizen.last()  # the officer stays unknown to the citizen
    await citizen.presses("Trả lời")
    await citizen.says("Biển số 35A-123.45, xe màu đen.")
    await citizen.sends(h.updates.photo(citizen.user))
    await h.flush()
    relayed = [m for m in h.api.sent_to(QUEUE) if "35A-123.45" in m.get("text", "")]
    assert (
        relayed
        and relayed[0]["reply_to_message"]["message_id"] == card_of(h, QUEUE, code)["message_id"]
    )
    assert not h.api.calls_of("forwardMessage")
    assert "Đang xử lý" in card_of(h, QUEUE, code)["text"]
    await officer.presses("Đóng", chat=group)
    await officer.presses("Chuyển cơ quan điều tra", chat=group)
    await h.flush()
    card = card_of(h, QUEUE, code)
    assert "Đã đóng (chuyển cơ quan điều tra)" in card["text"]
    assert not card.get("reply_markup", {}).get("inline_keyboard")
    assert "cơ quan điều tra" in citizen.last()
    async with h.tinbao.db.read() as tx:
        actions = [r[0] for r in await tx.fetchall("SELECT action FROM tip_events ORDER BY id")]
    assert actions[:1] == ["submitted"] and "acknowledged" in actions and actions[-1] == "closed"


async def test_transfer_moves_the_card(h: Harness) -> None:
    _lead, officer = await setup_unit(h)
    group = h.group("CA Tam Chúc", QUEUE)
    other_code, _, _ = await h.tinbao.staff.create_invite("Kim Bảng", "lead")
    other = h.officer(601, "Tú")
    await other.says(f"/join {other_code}")
    await other.says("/bindqueue", chat=h.group("CA Kim Bảng", OTHER_QUEUE))
    code = await file_tip(h.citizen())
    await officer.presses("Chuyển đơn vị", chat=group)
    await officer.replies(prompt(h, QUEUE), "kim bang", chat=group)
    await officer.presses("Kim Bảng", chat=group)
    await h.flush()
    assert "Đã chuyển tới Phường Kim Bảng" in card_of(h, QUEUE, code)["text"]
    assert not card_of(h, QUEUE, code).get("reply_markup", {}).get("inline_keyboard")
    new_card = card_of(h, OTHER_QUEUE, code)
    assert "Tiếp nhận" in str(new_card["reply_markup"])
    # the old unit's officer can no longer act on it
    await officer.sends(
        h.updates.callback(officer.user, card_of(h, QUEUE, code), f"q1|close|{tip_id(h, code)}")
    )
    assert "Phường Kim Bảng" in officer.answers()[-1]


async def test_refusals_change_nothing(h: Harness) -> None:
    _lead, officer = await setup_unit(h)
    code = await file_tip(h.citizen())
    card = card_of(h, QUEUE, code)
    tid = tip_id(h, code)
    stranger = h.officer(777, "Khách")
    citizen = h.citizen()
    for person, data in [
        (stranger, f"q1|ack|{tid}"),  # a group member who is not an officer
        (citizen, f"q1|ack|{tid}"),  # the citizen
        (officer, f"q1|ack|{tid + 999}"),  # a forged tip id
        (officer, "q1|ack|abc"),  # malformed
        (officer, "q1|ack|" + "9" * 40),  # oversized
        (officer, "zz|totally|forged"),  # foreign scope
    ]:
        await person.sends(h.updates.callback(person.user, card, data))
    await h.flush()
    async with h.tinbao.db.read() as tx:
        status = await tx.scalar("SELECT status FROM tips WHERE id = ?", (tid,))
        events = await tx.scalar("SELECT COUNT(*) FROM tip_events WHERE tip_id = ?", (tid,))
    assert status == "new" and events == 1
    answers = officer.answers()
    assert sum("không có quyền" in a for a in answers) >= 2
    # a revoked officer can do nothing from that moment
    async with h.tinbao.db.read() as tx:
        officer_id = await tx.scalar("SELECT id FROM officers WHERE telegram_user_id = 502")
    assert await h.tinbao.staff.revoke(officer_id)
    await officer.sends(h.updates.callback(officer.user, card, f"q1|ack|{tid}"))
    assert "không có quyền" in officer.answers()[-1]


async def test_delivery_retries_429_5xx_timeout_and_alerts_on_block(h: Harness) -> None:
    await setup_unit(h)
    h.api.fail_next("sendMessage", "429", chat_id=QUEUE, retry_after=3)
    citizen = h.citizen()
    code = await file_tip(citizen)
    assert not any(code in (m.get("text") or "") for m in h.api.sent_to(QUEUE))
    h.clock.advance(seconds=4)
    h.api.fail_next("sendMessage", "5xx", chat_id=QUEUE)
    await h.flush()
    h.clock.advance(seconds=10)
    h.api.fail_next("sendMessage", "timeout", chat_id=QUEUE)
    await h.flush()
    h.clock.advance(seconds=10)
    await h.flush()
    cards = [
        m for m in h.api.sent_to(QUEUE) if code in (m.get("text") or "") and "TIN BÁO" in m["text"]
    ]
    assert len(cards) == 1  # arrived, once
    # the citizen blocks the bot: the notification fails for good and the duty chat hears of it
    h.api.block_chat(citizen.chat_id, "blocked")
    await h.officer(502, "Mai").presses("Tiếp nhận", chat=h.group("CA Tam Chúc", QUEUE))
    await h.flush()
    h.clock.advance(minutes=10)
    await h.flush()
    async with h.tinbao.db.read() as tx:
        failed = await tx.fetchall("SELECT purpose, attempts FROM outbox WHERE status = 'failed'")
    assert [tuple(r) for r in failed] == [("notify_ack", 1)]
    assert "Không gửi được" in (h.api.last_text(DUTY) or "")


async def test_undelivered_rows_are_sent_once_after_restart(h: Harness, tmp_path) -> None:
    await setup_unit(h)
    citizen = h.citizen()
    await h.driver.file_tip(citizen.user, flush=False)  # then the process dies
    async with h.tinbao.db.read() as tx:
        pending = await tx.scalar("SELECT COUNT(*) FROM outbox WHERE status = 'pending'")
    assert pending >= 2  # receipt + card
    # "crash": a new process on the same database file and the same Bot API
    from handlers.telegram.app import create

    await h.tinbao.app.shutdown()
    await h.tinbao.db.close()
    again = await create(h.tinbao.settings, request=h.api, clock=h.clock, rate_limiter=False)
    await again.app.initialize()
    h.tinbao = again
    await again.sender.flush()
    await again.sender.flush()
    receipts = [
        m for m in h.api.sent_to(citizen.chat_id) if "Mã tin báo của bạn" in m.get("text", "")
    ]
    assert len(receipts) == 1
    assert len([m for m in h.api.sent_to(QUEUE) if "TIN BÁO" in m.get("text", "")]) == 1


async def test_bindqueue_names_missing_rights(h: Harness) -> None:
    code, _, _ = await h.tinbao.staff.create_invite("Tam Chúc", "lead")
    lead = h.officer(501, "Hùng")
    await lead.says(f"/join {code}")
    h.api.set_bot_member(QUEUE, "left")
    await lead.says("/bindqueue", chat=h.group("CA Tam Chúc", QUEUE))
    assert "gửi tin nhắn" in str(h.api.calls_of("sendMessage")[-1].params)
    async with h.tinbao.db.read() as tx:
        assert await tx.scalar("SELECT COUNT(*) FROM chat_bindings") == 0
    officer_code, _, _ = await h.tinbao.staff.create_invite("Tam Chúc", "officer")
    officer = h.officer(502, "Mai")
    await officer.says(f"/join {officer_code}")
    h.api.set_bot_member(QUEUE, "administrator", can_pin_messages=True, can_post_messages=True)
    await officer.says("/bindqueue", chat=h.group("CA Tam Chúc", QUEUE))
    assert "Chỉ trưởng công an" in (h.api.last_text(QUEUE) or "")
    # an invite is single use
    await h.officer(503, "Khác").says(f"/join {code}")
    assert "không hợp lệ" in h.officer(503, "Khác").last()


async def test_contactable_phone_on_card_tip_history_and_queue_paging(h: Harness) -> None:
    _lead, officer = await setup_unit(h)
    code = await file_tip(h.citizen(), phone="+84912345678")
    assert "SĐT +84912345678" in card_of(h, QUEUE, code)["text"]
    for i in range(11):
        await file_tip(h.citizen(user_id=3000 + i, name=f"Dân {i}"))
    await officer.says(f"/tip {code}", chat=h.group("CA Tam Chúc", QUEUE))
    text = h.api.last_text(QUEUE) or ""
    assert "Lịch sử:" in text and "submitted" in text and "ngày thứ 1/20" in text
    await officer.says("/queue", chat=h.group("CA Tam Chúc", QUEUE))
    page_one = h.api.last_text(QUEUE) or ""
    assert "(12)" in page_one and "trang 1/2" in page_one
    assert code in page_one.split("\n")[1]  # oldest first
    await officer.presses("Sau", chat=h.group("CA Tam Chúc", QUEUE))
    assert "trang 2/2" in (h.api.last_text(QUEUE) or "")
    stranger = h.officer(888, "Người lạ")
    await stranger.says(f"/tip {code}")
    assert "không có quyền" in stranger.last()


async def test_citizen_adds_information_from_the_status_screen(h: Harness) -> None:
    await setup_unit(h)
    citizen = h.citizen()
    code = await file_tip(citizen)
    await citizen.says(f"/status {code}")
    await citizen.presses("Bổ sung thông tin")
    await citizen.says("Tối nay bọn họ lại tụ tập, khoảng 8 người.")
    await h.flush()
    relayed = [m for m in h.api.sent_to(QUEUE) if "khoảng 8 người" in m.get("text", "")]
    assert len(relayed) == 1 and "#" in relayed[0]["text"] and "Lan" not in relayed[0]["text"]
    await citizen.presses("Xong")
    assert "Cảm ơn bạn đã bổ sung" in " ".join(m.get("text", "") for m in citizen.messages()[-2:])


async def test_removed_from_group_marks_failed_and_alerts_duty_without_retry_storm(
    h: Harness,
) -> None:
    await setup_unit(h)
    h.api.block_chat(QUEUE, "chat_not_found")
    code = await file_tip(h.citizen())
    for _ in range(3):
        h.clock.advance(minutes=10)
        await h.flush()
    attempts = [
        c
        for c in h.api.calls_of("sendMessage")
        if c.params.get("chat_id") == QUEUE and "TIN BÁO" in c.params.get("text", "")
    ]
    assert len(attempts) == 1  # one try, no storm
    # acting on the tip later (edits of a card that never arrived) raises no new alerts
    async with h.tinbao.db.read() as tx:
        tid = await tx.scalar("SELECT id FROM tips")
    reply = await h.tinbao.queues.press(
        user_id=502, chat_id=DUTY, action="ack", value=str(tid), update_key=None
    )
    assert reply.changed
    await h.flush()
    alerts = [m["text"] for m in h.api.sent_to(DUTY) if "Không gửi được" in m.get("text", "")]
    assert len(alerts) == 1 and code in alerts[0]


async def test_queue_page_numbers_beyond_the_end_or_huge_show_the_last_page(h: Harness) -> None:
    """Fuzzing found /queue 99999999999999999999999 raising "Python int too large to convert
    to SQLite INTEGER"; a page past the end showed "trang 5/1" and no tips."""
    _lead, officer = await setup_unit(h)
    code = await file_tip(h.citizen())
    group = h.group("CA Tam Chúc", QUEUE)
    for page in ("99999999999999999999999", "5", "0", "-3", "abc", "²", "٣"):
        await officer.says(f"/queue {page}", chat=group)
        text = h.api.last_text(QUEUE) or ""
        assert "trang 1/1" in text and code in text, page
    # a forged transfer target too large for SQLite is a stale button, not a crash
    card = card_of(h, QUEUE, code)
    async with h.tinbao.db.read() as tx:
        tip_id = await tx.scalar("SELECT id FROM tips")
    forged = f"q1|xfer|{tip_id}:99999999999999999999999"
    await officer.sends(h.updates.callback(officer.user, card, forged))
    assert "không còn dùng được" in officer.answers()[-1]
    assert h.errors == []


async def test_edits_of_gone_unchanged_or_foreign_messages_are_harmless(h: Harness) -> None:
    """Telegram refuses an edit of a deleted message ("message to edit not found"), of one
    the bot did not write ("message can't be edited") and one that changes nothing ("message
    is not modified"); a handler treats all three as done, never as an error."""
    _lead, officer = await setup_unit(h)
    first = await file_tip(h.citizen())
    second = await file_tip(h.citizen(user_id=2002, name="An"))
    group = h.group("CA Tam Chúc", QUEUE)
    command = (await officer.says("/queue", chat=group))["message"]
    listing = h.api.sent_to(QUEUE)[-1]
    bound = next(m for m in h.api.sent_to(QUEUE) if "nhóm tiếp nhận" in m.get("text", ""))
    gone = {**listing, "message_id": 987_654}
    async with h.tinbao.db.read() as tx:
        unit_id = await tx.scalar("SELECT current_unit_id FROM tips")
        ids = {r[0]: r[1] for r in await tx.fetchall("SELECT code, id FROM tips")}
    presses = [
        (listing, f"q1|page|{unit_id}:1"),  # the page it already shows: not modified
        (listing, f"q1|page|{unit_id}:99999999999999999999"),  # the same, clamped
        (gone, f"q1|page|{unit_id}:1"),  # deleted: to edit not found
        (command, f"q1|page|{unit_id}:1"),  # the officer's own message: can't be edited
        (bound, f"q1|outcome|{ids[first.replace('-', '')]}:resolved"),  # no keyboard to take
        (gone, f"q1|outcome|{ids[second.replace('-', '')]}:spam"),  # deleted
    ]
    for message, data in presses:
        await officer.sends(h.updates.callback(officer.user, message, data))
    assert h.errors == []
    async with h.tinbao.db.read() as tx:
        closed = await tx.scalar("SELECT COUNT(*) FROM tips WHERE status = 'closed'")
    assert closed == 2  # the actions themselves took effect
