"""Issue 9, officers' side: everything an officer or a supervisor is shown leaves through
the outbox, committed with the change it reports under the update's idempotency key.

A 5xx, a timeout or a crash after the commit delays a prompt or a citizen's notice,
never loses it; a redelivered update sends nothing twice; no handler calls the Bot API
to send or edit. Real Bot API JSON through the real Application, on a real SQLite file.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path
from typing import Any

import telegram
from telegram import Update

from bot import wanted
from tests.harness import WANTED_NOTICES, Harness, file_tip, restart
from tests.police import QUESTION, QUEUE, card_of, prompt, questions_to, setup_unit, tip_id

HANDLERS = Path(__file__).resolve().parent.parent / "handlers" / "telegram"
SENDS = {"sender.py"}  # the one module that sends


def sent_calls(h: Harness) -> list[Any]:
    """Every Bot API call that shows something (all but the inline press answers)."""
    return [c for c in h.api.calls if c.method not in ("answerCallbackQuery", "getChatMember")]


async def pending_rows(h: Harness) -> list[tuple[str, str, str]]:
    async with h.tinbao.db.read() as tx:
        rows = await tx.fetchall(
            "SELECT method, purpose, payload FROM outbox WHERE status = 'pending' ORDER BY id"
        )
    return [(str(r[0]), str(r[1]), str(r[2])) for r in rows]


# ---------------------------------------------------------------- (a) flaky Bot API, crash


async def test_a_failing_bot_api_after_an_officers_action_loses_nothing(h: Harness) -> None:
    _lead, officer = await setup_unit(h)
    group = h.group("CA Tam Chúc", QUEUE)
    citizen = h.citizen()
    code = await file_tip(citizen)
    # the prompt is committed with the press; the Bot API answers 5xx, then times out
    h.api.fail_next("sendMessage", "5xx", chat_id=QUEUE)
    await officer.presses("Hỏi thêm", chat=group)
    assert "Hỏi thêm" not in " ".join(officer.answers()[-1:])  # the press was answered
    assert not any("trả lời tin nhắn này" in m.get("text", "") for m in h.api.sent_to(QUEUE))
    h.clock.advance(seconds=10)
    h.api.fail_next("sendMessage", "timeout", chat_id=QUEUE)
    await h.flush()
    assert not any("trả lời tin nhắn này" in m.get("text", "") for m in h.api.sent_to(QUEUE))
    h.clock.advance(seconds=10)
    await h.flush()
    prompts = [m for m in h.api.sent_to(QUEUE) if "trả lời tin nhắn này" in m.get("text", "")]
    assert len(prompts) == 1  # arrived, once, as a reply to the card that was pressed
    assert prompts[0]["reply_to_message"]["message_id"] == card_of(h, QUEUE, code)["message_id"]
    # a reply to the prompt is matched through the row that finally sent it
    await officer.replies(prompt(h, QUEUE), QUESTION, chat=group)
    assert QUESTION in (h.api.last_text(QUEUE) or "")  # the preview, for «Gửi»
    # «Gửi»: the citizen's notices meet a 5xx and a timeout, then arrive once each
    h.api.fail_next("sendMessage", "5xx", chat_id=citizen.chat_id)
    await officer.presses("Gửi", chat=group)
    assert questions_to(citizen) == 0
    h.clock.advance(seconds=10)
    h.api.fail_next("sendMessage", "timeout", chat_id=citizen.chat_id)
    await h.flush()
    h.clock.advance(seconds=10)
    await h.flush()
    h.clock.advance(seconds=10)
    await h.flush()
    assert questions_to(citizen) == 1
    assert len([m for m in citizen.messages() if "đã tiếp nhận" in m.get("text", "")]) == 1
    async with h.tinbao.db.read() as tx:
        assert await tx.scalar("SELECT COUNT(*) FROM outbox WHERE status != 'sent'") == 0


async def test_a_crash_after_the_commit_delays_the_officers_screens_never_loses_them(
    h: Harness,
) -> None:
    _lead, officer = await setup_unit(h)
    group = h.group("CA Tam Chúc", QUEUE)
    citizen = h.citizen()
    code = await file_tip(citizen)
    # the press is applied and committed; the process dies before the sender runs
    await h.driver.presses(officer.user, "Hỏi thêm", QUEUE, flush=False)
    assert [purpose for _, purpose, _ in await pending_rows(h)] == ["prompt"]
    await restart(h)
    await h.flush()
    await officer.replies(prompt(h, QUEUE), QUESTION, chat=group)
    # the preview quotes what the citizen will read: sealed while it waits
    await h.driver.presses(officer.user, "Gửi", QUEUE, flush=False)
    waiting = await pending_rows(h)
    assert {purpose for _, purpose, _ in waiting} >= {"settle", "question", "card_edit"}
    for method, purpose, payload in waiting:
        if purpose in ("settle", "question"):
            assert payload.startswith('{"sealed"') and QUESTION not in payload, (method, purpose)
    await restart(h)
    await h.flush()
    assert questions_to(citizen) == 1
    settled = [m for m in h.api.sent_to(QUEUE) if "Đã gửi câu hỏi" in m.get("text", "")]
    assert len(settled) == 1 and "reply_markup" not in settled[0]
    # «Đóng»: the outcome list, committed, waits out a crash too
    await h.driver.presses(officer.user, "Đóng", QUEUE, flush=False)
    await restart(h)
    await h.flush()
    await officer.presses("Chuyển cơ quan điều tra", chat=group)
    assert "Đã đóng (chuyển cơ quan điều tra)" in card_of(h, QUEUE, code)["text"]
    outcome_list = [m for m in h.api.sent_to(QUEUE) if "với kết quả:" in m.get("text", "")]
    assert outcome_list and not outcome_list[-1].get("reply_markup")  # its buttons went
    assert "cơ quan điều tra" in citizen.last()


async def test_a_queue_page_turns_after_its_first_send_failed(h: Harness) -> None:
    _lead, officer = await setup_unit(h)
    for i in range(11):
        await file_tip(h.citizen(3000 + i, f"Dân {i}"))
    group = h.group("CA Tam Chúc", QUEUE)
    h.api.fail_next("sendMessage", "5xx", chat_id=QUEUE)
    await officer.says("/queue", chat=group)
    assert "trang 1/2" not in (h.api.last_text(QUEUE) or "")
    h.clock.advance(seconds=10)
    await h.flush()
    page, data = officer.find_button("Sau", chat_id=QUEUE)
    assert "trang 1/2" in page["text"]
    h.api.fail_next("editMessageText", "timeout", chat_id=QUEUE)
    await officer.sends(h.updates.callback(officer.user, page, data))
    assert "trang 1/2" in (h.api.message(QUEUE, page["message_id"]) or {}).get("text", "")
    h.clock.advance(seconds=10)
    await h.flush()
    assert "trang 2/2" in (h.api.message(QUEUE, page["message_id"]) or {}).get("text", "")


# ---------------------------------------------------------------- (b) redelivery


async def redeliver(h: Harness, update: dict[str, Any]) -> None:
    """The same update again: first while the inbox remembers it (dropped there), then
    after the inbox forgot it (its handled row is pruned; Telegram redelivers late), so
    it is applied again and meets its taken idempotency key."""
    assert await h.tinbao.telegram.accept([update]) == 0
    async with h.tinbao.db.transaction() as tx:
        await tx.execute("DELETE FROM inbox WHERE event_key = ?", (f"tg:{update['update_id']}",))
    await h.deliver(update)
    # and a third time straight into the Application, past the inbox altogether
    await h.tinbao.app.process_update(Update.de_json(update, h.tinbao.app.bot))
    await h.flush()


async def test_a_redelivered_officer_update_sends_nothing_twice(h: Harness) -> None:
    lead, officer = await setup_unit(h)
    group = h.group("CA Tam Chúc", QUEUE)
    citizen = h.citizen()
    code = await file_tip(citizen)
    sup_code, _, _ = await h.tinbao.staff.create_invite("Ninh Bình", "supervisor")
    supervisor = h.officer(710, "Thảo")
    officer_code, _, _ = await h.tinbao.staff.create_invite("Tam Chúc", "officer")
    newcomer = h.officer(720, "Lâm")

    async def ask() -> dict[str, Any]:
        return await officer.presses("Hỏi thêm", chat=group)

    async def answer() -> dict[str, Any]:
        return await officer.replies(prompt(h, QUEUE), QUESTION, chat=group)

    async def send() -> dict[str, Any]:
        return await officer.presses("Gửi", chat=group)

    steps = [
        lambda: supervisor.says(f"/join {sup_code}"),
        lambda: newcomer.says(f"/join {officer_code}"),
        lambda: newcomer.says("/join WRONG"),
        ask,
        answer,
        send,
        lambda: officer.says("/queue", chat=group),
        lambda: officer.says(f"/tip {code}", chat=group),
        lambda: officer.says("/queue"),  # private
        lambda: lead.says("/bindqueue", chat=group),
        lambda: lead.says("/bindqueue"),  # refused: private
        lambda: supervisor.says("/report month"),
        lambda: supervisor.says("/export csv"),
        lambda: supervisor.says("/digest"),
        lambda: lead.says("/digest"),  # refused: not a supervisor
        lambda: h.citizen(4000, "Khách").says("/queue"),  # refused: not an officer
    ]
    for step in steps:
        update = await step()
        before = len(sent_calls(h))
        assert before, "every step shows something"
        async with h.tinbao.db.read() as tx:
            rows = await tx.scalar("SELECT COUNT(*) FROM outbox")
        await redeliver(h, update)
        assert len(sent_calls(h)) == before, update
        async with h.tinbao.db.read() as tx:
            assert await tx.scalar("SELECT COUNT(*) FROM outbox") == rows, update
    assert questions_to(citizen) == 1
    assert await _status(h, tip_id(h, code)) == "needs_info"


async def _status(h: Harness, tid: int) -> str:
    async with h.tinbao.db.read() as tx:
        return str(await tx.scalar("SELECT status FROM tips WHERE id = ?", (tid,)))


async def test_a_redelivered_wanted_browse_sends_nothing_twice(h: Harness) -> None:
    assert (await wanted.import_csv(h.tinbao.db, WANTED_NOTICES, clock=h.clock)).ok
    citizen = h.citizen()
    browse = await citizen.says("/dstruyna")
    page, data = citizen.find_button("Sau")
    turn = h.updates.callback(citizen.user, page, data)
    await citizen.sends(turn)
    search = await citizen.says("/timtruyna dat")
    group = await citizen.says("/dstruyna", chat=h.group("Tổ dân phố", -100500))
    for update in (browse, turn, search, group):
        before = len(sent_calls(h))
        await redeliver(h, update)
        assert len(sent_calls(h)) == before, update


# ---------------------------------------------------------------- who is addressed how


async def test_a_citizen_answered_by_a_staff_command_leaves_no_id_in_the_outbox(
    h: Harness,
) -> None:
    await setup_unit(h)
    stranger = h.citizen(8123456, "Người lạ")
    await stranger.says("/queue")
    await stranger.says("/join WRONGCODE")
    await stranger.says("/bindqueue")
    await stranger.says("/export")
    texts = [m.get("text", "") for m in stranger.messages()]
    assert len(texts) == 4 and "không hợp lệ" in texts[1]
    async with h.tinbao.db.read() as tx:
        in_clear = await tx.scalar(
            "SELECT COUNT(*) FROM outbox WHERE chat_id = ?", (stranger.chat_id,)
        )
    assert in_clear == 0  # answered through a sealed identity, like a reporter


# ---------------------------------------------------------------- (c) no direct sends


ALLOWED: dict[str, tuple[set[str], str]] = {
    "answer": (
        {"citizen.py", "render.py"},
        "CallbackQuery.answer: a button press is answered inline, quickly (issue 9)",
    ),
    "get_chat_member": (
        {"rights.py"},
        "/bind* reads the bot's rights in the group before binding it: a read, no message",
    ),
    "set_my_commands": (
        {"app.py"},
        "the command menu, published once at start-up: no chat, no message",
    ),
    "initialize": ({"app.py", "checks.py"}, "the Application's start-up (getMe)"),
    "get_chat": ({"checks.py"}, "check-config --online: does a bound group still exist"),
    "set_webhook": ({"webhook.py"}, "webhook mode: tell Telegram where to POST, at start"),
    "delete_webhook": ({"inbox.py"}, "back to polling: remove a leftover webhook"),
    "send_message": (
        {"inbox.py"},
        "a full disk: no outbox row can be written; a one-time notice that the message is kept",
    ),
    "shutdown": ({"app.py"}, "the Application's stop"),
    "close": ({"app.py"}, "the Bot's HTTP session closed at stop"),
    "do_api_request": (
        {"inbox.py"},
        "getUpdates: receiving updates, stored in the inbox before they are confirmed",
    ),
}


def bot_api_methods() -> set[str]:
    """Every method of PTB's Bot and of its shortcut-bearing objects that calls the Bot
    API (the coroutine methods: send_*, edit_*, reply_*, delete, pin, answer, ...)."""
    names = {"do_api_request"}
    for cls in (
        telegram.Bot,
        telegram.Message,
        telegram.CallbackQuery,
        telegram.Chat,
        telegram.User,
        telegram.InlineQuery,
    ):
        for name, member in inspect.getmembers(cls):
            if not name.startswith("_") and inspect.iscoroutinefunction(member):
                names.add(name)
    return names


def direct_calls(source: str, methods: set[str]) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        if node.func.attr in methods:
            found.append((node.lineno, node.func.attr))
    return found


def test_the_detector_sees_direct_sends() -> None:
    methods = bot_api_methods()
    source = (
        "async def f(context, message, query, bot):\n"
        "    await context.bot.send_message(1, 'x')\n"
        "    await message.reply_text('x')\n"
        "    await query.edit_message_text('x')\n"
        "    await message.edit_reply_markup(None)\n"
        "    await bot.do_api_request('sendMessage')\n"
        "    await query.answer()\n"
    )
    assert [name for _, name in direct_calls(source, methods)] == [
        "send_message",
        "reply_text",
        "edit_message_text",
        "edit_reply_markup",
        "do_api_request",
        "answer",
    ]


def test_no_handler_calls_the_bot_api_to_send_or_edit() -> None:
    """Handlers commit outbox rows; only the listed calls are made directly."""
    methods = bot_api_methods()
    used: set[str] = set()
    offending = []
    for path in sorted(p for p in HANDLERS.glob("*.py") if p.name not in SENDS):
        for line, name in direct_calls(path.read_text("utf-8"), methods):
            modules, _reason = ALLOWED.get(name, (set(), ""))
            if path.name in modules:
                used.add(name)
            else:
                offending.append(f"handlers/telegram/{path.name}:{line} {name}()")
    assert offending == [], "Bot API called from a handler: " + ", ".join(offending)
    assert used == set(ALLOWED), f"allowed but no longer used: {set(ALLOWED) - used}"


async def test_an_edit_naming_a_message_by_id_does_not_follow_a_group_upgrade(h: Harness) -> None:
    """A pending edit of a pressed message names it by its id in the old group; in the
    supergroup that id is another message, so the edit ends instead of moving."""
    from storage import outbox

    async with h.tinbao.db.transaction() as tx:
        at = tx.now_text()
        edit = await outbox.enqueue(
            tx,
            at=at,
            method="editMessageReplyMarkup",
            payload={"message_id": 7},
            purpose="settle",
            chat_id=-500,
        )
        text = await outbox.enqueue_text(tx, "xin chào", at=at, purpose="reply", chat_id=-500)
        await outbox.follow_chat_migration(tx, -500, -100500)
        rows = {
            r[0]: (r[1], r[2])
            for r in await tx.fetchall(
                "SELECT id, status, chat_id FROM outbox WHERE id IN (?, ?)", (edit, text)
            )
        }
    assert rows == {edit: ("failed", -500), text: ("pending", -100500)}
