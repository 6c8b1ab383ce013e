"""Outbox rows are channel-neutral plain values; one Telegram renderer turns them into
Bot API calls at send time (issue 10, item 1).

- no module of the domain (``bot/``) or of the storage (``storage/``) names a Bot API
  method or writes Telegram's keyboard JSON;
- what a whole tip's life writes is intents and plain values only;
- :func:`handlers.telegram.render.render` maps each intent to its call (a pure function,
  tested as such);
- rows of the old shape (Bot API methods, Telegram JSON), still pending in a database
  written by a version before this one, are delivered after the upgrade.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import Any

import pytest
from telegram import (
    ForceReply,
    InlineKeyboardMarkup,
    InputFile,
    InputMediaPhoto,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from bot.callbacks import Scope
from bot.dialogue import (
    Button,
    Intent,
    Keyboard,
    Media,
    Screen,
    album_to_plain,
    buttons_to_plain,
    screen_to_plain,
)
from handlers.telegram.fake.updates import new_file_ids
from handlers.telegram.render import Found, messages, render
from storage import outbox
from storage.outbox_files import attach_file
from tests.harness import Harness, file_tip
from tests.police import QUEUE, card_of, setup_unit

ROOT = Path(__file__).resolve().parent.parent
# A Bot API method that posts or changes a message is a verb and a capitalised rest:
# sendMessage, editMessageText, ... (reads such as getUpdates may be named in prose: the
# inbox explains why it does not trust python-telegram-bot's polling)
BOT_API_METHOD = re.compile(
    r"\b(?:send|edit|delete|forward|copy|pin|unpin|answer|stop)[A-Z][A-Za-z]*\b"
)
WIRE_KEYS = (
    "inline_keyboard",
    "reply_markup",
    "callback_data",
    "remove_keyboard",
    "reply_parameters",
)
VERBS = ("send", "edit", "delete", "forward", "copy")


def wire_format_in(path: Path, root: Path = ROOT) -> list[str]:
    """Every string of the module (docstrings included, comments not: they are not
    code) that names a Bot API method or a key of Telegram's JSON, and every method
    name built from a verb (``"send" + kind``)."""
    found = []
    tree = ast.parse(path.read_text("utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
            if BOT_API_METHOD.search(text) or any(key in text for key in WIRE_KEYS):
                found.append(f"{path.relative_to(root)}:{node.lineno}: {text[:60]!r}")
        if isinstance(node, ast.BinOp | ast.JoinedStr):
            parts = [node.left] if isinstance(node, ast.BinOp) else node.values[:1]
            for part in parts:
                if isinstance(part, ast.Constant) and part.value in VERBS:
                    found.append(f"{path.relative_to(root)}:{node.lineno}: built {part.value!r}")
    return found


def test_the_domain_and_the_storage_write_no_telegram_wire_format() -> None:
    paths = sorted([*(ROOT / "bot").rglob("*.py"), *(ROOT / "storage").rglob("*.py")])
    assert len(paths) > 20
    assert [hit for path in paths for hit in wire_format_in(path)] == []


def test_the_scan_would_see_the_old_shape(tmp_path: Path) -> None:
    """The scan is not vacuous: the lines it replaced are found."""
    old = tmp_path / "old.py"
    old.write_text(
        "def f(kind, b):\n"
        "    m = 'send' + kind.capitalize()\n"
        "    k = {'text': 'x', 'callback_data': 'q1|ack|1'}\n"
        "    return m, {'reply_markup': {'inline_keyboard': [[k]]}}, 'editMessageText'\n",
        "utf-8",
    )
    assert [hit.split(": ", 1)[1] for hit in wire_format_in(old, tmp_path)] == [
        "built 'send'",
        "'callback_data'",
        "'editMessageText'",
        "'reply_markup'",
        "'inline_keyboard'",
    ]


async def test_a_tips_life_writes_intents_and_plain_values_only(h: Harness) -> None:
    _, officer = await setup_unit(h)
    citizen = h.citizen()
    code = await file_tip(citizen, photos=2)
    card = card_of(h, QUEUE, code)
    await h.driver.presses(officer.user, "Nhận xử lý", QUEUE)
    await h.driver.presses(officer.user, "Đóng", QUEUE)
    await h.driver.presses(officer.user, "Đã giải quyết", QUEUE)
    closed = h.api.message(QUEUE, card["message_id"]) or {}
    assert "Đã đóng" in closed["text"] and "reply_markup" not in closed
    people = h.tinbao.people
    async with h.tinbao.db.read() as tx:
        rows = await tx.fetchall("SELECT method, payload FROM outbox ORDER BY id")
    assert len(rows) > 15
    methods = {str(method) for method, _ in rows}
    assert methods <= {intent.value for intent in Intent}
    assert {"show", "edit", "album"} <= methods
    for _, payload in rows:
        plain = people.open_payload(json.loads(payload))
        text = json.dumps(plain)
        assert not any(key in text for key in WIRE_KEYS), text


# ---------------------------------------------------------------- the renderer


def test_a_screen_with_buttons_is_a_message_with_an_inline_keyboard() -> None:
    screen = Screen("Tin báo mới", [[Button("✅ Tiếp nhận", "ack", "42")]])
    method, kwargs = render("show", screen_to_plain(screen, Scope.QUEUE), Found(-100111))
    assert method == "sendMessage" and kwargs["chat_id"] == -100111
    assert kwargs["text"] == "Tin báo mới"
    keyboard = kwargs["reply_markup"]
    assert isinstance(keyboard, InlineKeyboardMarkup)
    assert keyboard.inline_keyboard[0][0].callback_data == "q1|ack|42"
    assert messages("show", screen_to_plain(screen, Scope.QUEUE)) == 1


def test_asking_the_phone_and_taking_the_question_away() -> None:
    ask = Screen("Gửi vị trí", keyboard=Keyboard("location", "📍 Gửi vị trí", "Hủy"))
    _, kwargs = render("show", screen_to_plain(ask, "c"), Found(1001))
    keyboard = kwargs["reply_markup"]
    assert isinstance(keyboard, ReplyKeyboardMarkup)
    assert keyboard.keyboard[0][0].request_location and keyboard.keyboard[1][0].text == "Hủy"
    done = Screen("Xong", keyboard=Keyboard("remove"))
    _, kwargs = render("show", screen_to_plain(done, "c"), Found(1001))
    assert isinstance(kwargs["reply_markup"], ReplyKeyboardRemove)


def test_a_prompt_opens_a_reply_to_the_pressed_card() -> None:
    plain = screen_to_plain(Screen("Nhập câu hỏi"), "q", force_reply=True, reply_to_message_id=7)
    method, kwargs = render("show", plain, Found(-100111))
    assert method == "sendMessage" and isinstance(kwargs["reply_markup"], ForceReply)
    assert kwargs["reply_parameters"] == {"message_id": 7, "allow_sending_without_reply": True}


def test_files_by_their_id_or_by_the_bytes_attached() -> None:
    evidence = screen_to_plain(Screen("", media=Media("voice", "AwAD")), "q")
    assert render("show", evidence, Found(-1, reply_to=5)) == (
        "sendVoice",
        {
            "chat_id": -1,
            "reply_parameters": {"message_id": 5, "allow_sending_without_reply": True},
            "voice": "AwAD",
        },
    )
    upload = InputFile(b"%PDF", filename="a.xlsx")
    export = screen_to_plain(Screen("Xuất dữ liệu", media=Media("document")), "q")
    method, kwargs = render("show", export, Found(-3, files={"document": upload}))
    assert (method, kwargs["document"], kwargs["caption"]) == (
        "sendDocument",
        upload,
        "Xuất dữ liệu",
    )
    album = album_to_plain([Media("photo", "A"), Media("photo", "B")])
    method, kwargs = render("album", album, Found(-1, reply_to=9))
    assert method == "sendMediaGroup" and len(kwargs["media"]) == 2
    assert isinstance(kwargs["media"][0], InputMediaPhoto)
    assert messages("album", album) == 2


def test_edits_and_deletions_name_the_message_they_change() -> None:
    card = screen_to_plain(Screen("Đã đóng"), "q")
    method, kwargs = render("edit", card, Found(-1, message_id=3))
    assert method == "editMessageText" and "reply_markup" not in kwargs  # buttons go
    trim = buttons_to_plain([[Button("👁", "seen", "4")]], Scope.WANTED, message_id=8)
    method, kwargs = render("edit", trim, Found(1001))
    assert method == "editMessageReplyMarkup" and kwargs["message_id"] == 8
    assert kwargs["reply_markup"].inline_keyboard[0][0].callback_data == "w1|seen|4"
    assert render("delete", {}, Found(-1, message_id=3)) == (
        "deleteMessage",
        {"chat_id": -1, "message_id": 3},
    )
    assert messages("delete", {}) == 0
    with pytest.raises(ValueError):
        render("edit", card, Found(-1))  # no message to change


def test_a_row_that_cannot_be_right_is_refused() -> None:
    with pytest.raises(ValueError):
        render("shout", {"text": "x"}, Found(1))
    with pytest.raises(KeyError):
        render("album", album_to_plain([Media("sticker", "x")]), Found(1))


def test_texts_are_cut_to_telegrams_limits() -> None:
    long = screen_to_plain(Screen("á" * 5000), "c")
    _, kwargs = render("show", long, Found(1))
    assert len(kwargs["text"]) <= 4096
    caption = screen_to_plain(Screen("á" * 2000, media=Media("photo", "A")), "c")
    _, kwargs = render("show", caption, Found(1))
    assert len(kwargs["caption"]) <= 1024


# ---------------------------------------------------------------- through the sender


async def enqueue(h: Harness, method: str, payload: dict[str, Any], **extra: Any) -> int:
    async with h.tinbao.db.transaction() as tx:
        return await outbox.enqueue(
            tx, at=tx.now_text(), method=method, payload=payload, purpose="test", **extra
        )


async def test_edit_and_delete_intents_whose_answer_was_lost_are_done_once(h: Harness) -> None:
    chat = 500_001
    first = await enqueue(h, "show", screen_to_plain(Screen("bản đầu"), "c"), chat_id=chat)
    await h.flush()
    await enqueue(
        h, "edit", screen_to_plain(Screen("bản sửa"), "c"), chat_id=chat, edit_of_outbox=first
    )
    h.api.fail_next("editMessageText", "timeout_after")
    await h.flush()
    h.clock.advance(seconds=5)
    await h.flush()  # "message is not modified": done
    await enqueue(h, "delete", {}, chat_id=chat, edit_of_outbox=first)
    h.api.fail_next("deleteMessage", "timeout_after")
    await h.flush()
    h.clock.advance(seconds=5)
    await h.flush()  # "message to delete not found": done
    async with h.tinbao.db.read() as tx:
        states = await tx.fetchall("SELECT status FROM outbox ORDER BY id")
    assert [r[0] for r in states] == ["sent", "sent", "sent"]
    assert [m["text"] for m in h.api.deleted(chat)] == ["bản sửa"]


async def test_rows_of_the_old_shape_are_delivered_after_the_upgrade(h: Harness) -> None:
    """Rows as the version before intents wrote them, pending when it stopped: a card
    with Telegram's keyboard JSON (sealed), a ``screen`` row, an edit of the card, a
    photo whose bytes are attached, an album replying to the card, buttons taken off a
    message known by its id. Each goes out as the call it names."""
    people = h.tinbao.people
    keyboard = {"inline_keyboard": [[{"text": "✅ Tiếp nhận", "callback_data": "q1|ack|1"}]]}
    card = await enqueue(
        h,
        "sendMessage",
        people.seal_payload({"text": "TIN BÁO cũ", "reply_markup": keyboard}),
        chat_id=QUEUE,
    )
    screen = {"scope": "q", "text": "Màn hình cũ", "buttons": [], "keyboard": None}
    await enqueue(h, "screen", screen, chat_id=QUEUE)
    await enqueue(
        h,
        "editMessageText",
        people.seal_payload({"text": "TIN BÁO cũ, đã sửa", "reply_markup": keyboard}),
        chat_id=QUEUE,
        edit_of_outbox=card,
    )
    photo = await enqueue(h, "sendPhoto", {"caption": "Ảnh"}, chat_id=QUEUE, reply_to_outbox=card)
    async with h.tinbao.db.transaction() as tx:
        await attach_file(tx, photo, "photo", "a.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64)
    media = [{"type": "photo", "media": new_file_ids("photo", 900)[0]} for _ in range(2)]
    await enqueue(h, "sendMediaGroup", {"media": media}, chat_id=QUEUE, reply_to_outbox=card)
    await h.flush()
    shown = h.api.sent_to(QUEUE)
    card_message = next(m for m in shown if m.get("text", "").startswith("TIN BÁO cũ"))
    assert card_message["text"] == "TIN BÁO cũ, đã sửa"
    assert card_message["reply_markup"] == keyboard
    assert any(m.get("text") == "Màn hình cũ" for m in shown)
    assert any(m.get("caption") == "Ảnh" for m in shown)
    albums = h.api.calls_of("sendMediaGroup", ok_only=True)
    assert albums[-1].params["reply_parameters"]["message_id"] == card_message["message_id"]
    await enqueue(
        h, "editMessageReplyMarkup", {"message_id": card_message["message_id"]}, chat_id=QUEUE
    )
    await h.flush()
    assert "reply_markup" not in (h.api.message(QUEUE, card_message["message_id"]) or {})
    async with h.tinbao.db.read() as tx:
        states = await tx.fetchall("SELECT status FROM outbox WHERE purpose = 'test'")
    assert {r[0] for r in states} == {"sent"}
