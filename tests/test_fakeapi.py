"""The fake Bot API must behave like Telegram as seen through PTB, or every test built on
it proves nothing.  These tests drive a bare ``telegram.ext.Application`` (no tinbao code)
through :class:`handlers.telegram.fake.botapi.FakeBotApi` and check what PTB gets back."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dtm
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import (
    BadRequest,
    ChatMigrated,
    EndPointNotFound,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from handlers.telegram.fake.botapi import FakeBotApi, FloodRules
from handlers.telegram.fake.updates import (
    FakeChat,
    FakeUser,
    UpdateFactory,
    text_entities,
    utf16_len,
)
from tests.dates import Tick

pytestmark = pytest.mark.usefixtures("ptb_timedelta")

LAN = FakeUser(1001, "Lan", "Nguyễn", username="lan_ng")
HUNG = FakeUser(1002, "Hùng")
MAI = FakeUser(1003, "Mai")

PressLog = list[Update]


def build_echo_app(api: FakeBotApi, pressed: PressLog) -> Application[Any, Any, Any, Any, Any, Any]:
    """The smallest bot exercising what tinbao relies on: a command with an inline
    keyboard, an echo of plain text, and a button handler that edits its message."""

    async def start(update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        keyboard = InlineKeyboardMarkup(
            [[InlineKeyboardButton("Gửi tin báo", callback_data="tip")]]
        )
        await update.message.reply_text("Xin chào!", reply_markup=keyboard)

    async def echo(update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.message.text is not None
        await update.message.reply_text(update.message.text)

    async def press(update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        pressed.append(update)
        await query.answer()
        await query.edit_message_text(f"Đã chọn: {query.data}")

    app = Application.builder().token(api.token).request(api).get_updates_request(api).build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    app.add_handler(CallbackQueryHandler(press))
    return app


@pytest.fixture
def api() -> FakeBotApi:
    return FakeBotApi()


@pytest.fixture
def pressed() -> PressLog:
    return []


@pytest.fixture
async def app(
    api: FakeBotApi, pressed: PressLog
) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    application = build_echo_app(api, pressed)
    await application.initialize()
    yield application
    if application.updater is not None and application.updater.running:
        await application.updater.stop()
    if application.running:
        await application.stop()
    await application.shutdown()


async def feed(app: Application[Any, Any, Any, Any, Any, Any], update: dict[str, Any]) -> None:
    await app.process_update(Update.de_json(update, app.bot))


# -- (a) process_update ---------------------------------------------------------------------


async def test_echo_reply_lands_in_the_users_chat(app: Any, api: FakeBotApi) -> None:
    make = api.factory()
    await feed(app, make.text(LAN, "Có người lạ 🚨 ở xóm 3"))

    sent = api.sent_to(LAN.id)
    assert [m["text"] for m in sent] == ["Có người lạ 🚨 ở xóm 3"]
    assert sent[0]["from"]["id"] == api.bot_user.id and sent[0]["from"]["is_bot"] is True
    assert sent[0]["chat"] == {
        "id": LAN.id,
        "type": "private",
        "first_name": "Lan",
        "last_name": "Nguyễn",
        "username": "lan_ng",
    }
    # citizen message 1, bot reply 2: one id sequence per chat, as on Telegram
    assert sent[0]["message_id"] == 2
    assert api.last_text(HUNG.id) is None


async def test_command_reply_echoes_inline_keyboard(app: Any, api: FakeBotApi) -> None:
    await feed(app, api.factory().text(HUNG, "/start"))

    (msg,) = api.sent_to(HUNG.id)
    assert msg["text"] == "Xin chào!"
    assert msg["reply_markup"] == {
        "inline_keyboard": [[{"text": "Gửi tin báo", "callback_data": "tip"}]]
    }
    assert api.calls_of("sendMessage")[0].params["chat_id"] == HUNG.id


# -- (b) polling ----------------------------------------------------------------------------


async def test_polling_mode_replies_then_stops_cleanly(app: Any, api: FakeBotApi) -> None:
    await app.start()
    await app.updater.start_polling(poll_interval=0)
    make = api.factory()
    for user in (LAN, HUNG, MAI):
        api.push_update(make.text(user, f"chào từ {user.first_name}"))

    for user in (LAN, HUNG, MAI):
        await api.wait_for("sendMessage", lambda c, u=user: c.params["chat_id"] == u.id, 3.0)
    await app.updater.stop()
    await app.stop()

    assert api.last_text(MAI.id) == "chào từ Mai"
    assert len(api.calls_of("sendMessage")) == 3
    # the Updater's final getUpdates confirmed everything it fetched
    assert api.pending_updates == []
    assert api.calls_of("deleteWebhook"), "start_polling bootstraps with deleteWebhook"


async def test_long_poll_returns_empty_after_the_cap_and_wakes_on_push(
    app: Any, api: FakeBotApi
) -> None:
    # With the cap at zero a 30-second long poll comes back empty at once; were the cap
    # ignored it would hang, and the guard turns that into a failure (no timing asserted).
    api.long_poll_cap = 0.0
    assert await asyncio.wait_for(app.bot.get_updates(timeout=30), 20) == ()

    api.long_poll_cap = 3600.0  # now only the push can end the poll
    poll = asyncio.create_task(app.bot.get_updates(timeout=30))
    for _ in range(1000):  # a few loop turns until the poll waits inside the fake server
        if any(c.method == "getUpdates" and not c.done for c in api.calls):
            break
        await asyncio.sleep(0)
    assert not poll.done()
    pushed = api.push_update(api.factory().text(LAN, "khẩn"))
    (update,) = await asyncio.wait_for(poll, 20)
    assert update.update_id == pushed["update_id"]
    assert update.message is not None and update.message.text == "khẩn"


# -- (c) getUpdates offsets -----------------------------------------------------------------


async def test_updates_are_redelivered_until_an_offset_confirms_them(
    app: Any, api: FakeBotApi
) -> None:
    make = api.factory()
    ids = [api.push_update(make.text(u, "tin"))["update_id"] for u in (LAN, HUNG, MAI)]
    assert ids == sorted(ids) and len(set(ids)) == 3

    first = await app.bot.get_updates()
    again = await app.bot.get_updates()  # no offset: nothing confirmed yet
    assert [u.update_id for u in first] == ids
    assert [u.update_id for u in again] == ids

    partly = await app.bot.get_updates(offset=ids[1])
    assert [u.update_id for u in partly] == ids[1:]
    assert [u["update_id"] for u in api.pending_updates] == ids[1:]

    assert await app.bot.get_updates(offset=ids[2] + 1) == ()
    assert api.pending_updates == []


async def test_crash_before_confirming_means_the_next_instance_gets_the_update(
    api: FakeBotApi, pressed: PressLog
) -> None:
    api.push_update(api.factory().text(LAN, "tin chưa xử lý"))
    crashed = build_echo_app(api, pressed)
    await crashed.initialize()
    fetched = await crashed.bot.get_updates(timeout=0)  # fetched, then "crash": no offset
    assert len(fetched) == 1
    await crashed.shutdown()

    survivor = build_echo_app(api, pressed)
    await survivor.initialize()
    await survivor.start()
    assert survivor.updater is not None
    await survivor.updater.start_polling(poll_interval=0)
    try:
        await api.wait_for("sendMessage", timeout=3.0)
    finally:
        await survivor.updater.stop()
        await survivor.stop()
        await survivor.shutdown()
    assert api.last_text(LAN.id) == "tin chưa xử lý"
    assert api.pending_updates == []


async def test_opt_in_update_types_are_withheld_by_default(app: Any, api: FakeBotApi) -> None:
    make = api.factory()
    group = FakeChat.supergroup("Công an xã")
    api.push_update(make.chat_member(HUNG, group, MAI, "administrator"))
    kept = api.push_update(make.text(LAN, "x"))
    assert [u.update_id for u in await app.bot.get_updates()] == [kept["update_id"]]

    wanted = api.push_update(make.chat_member(HUNG, group, LAN, "member"))
    got = await app.bot.get_updates(allowed_updates=["chat_member"])
    assert [u.update_id for u in got] == [wanted["update_id"]]
    assert got[0].chat_member is not None and got[0].chat_member.new_chat_member.user.id == LAN.id


# -- (d) faults -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "expected", "not_expected"),
    [
        ("429", RetryAfter, NetworkError),
        ("5xx", NetworkError, BadRequest),
        ("timeout", TimedOut, BadRequest),
        ("blocked", Forbidden, NetworkError),
        ("kicked", Forbidden, NetworkError),
        ("chat_not_found", BadRequest, TimedOut),
    ],
)
async def test_each_fault_surfaces_as_the_ptb_exception(
    app: Any,
    api: FakeBotApi,
    kind: Any,
    expected: type[TelegramError],
    not_expected: type[TelegramError],
) -> None:
    api.fail_next("sendMessage", kind)
    with pytest.raises(expected) as caught:
        await app.bot.send_message(LAN.id, "thử")
    assert not isinstance(caught.value, not_expected)
    assert api.sent_to(LAN.id) == [], "a failed send must not be stored"

    await app.bot.send_message(LAN.id, "lần hai")  # the fault was for one call only
    assert api.last_text(LAN.id) == "lần hai"
    attempts = api.calls_of("sendMessage")
    assert [c.ok for c in attempts] == [False, True]
    assert len(api.calls_of("sendMessage", ok_only=True)) == 1


async def test_fault_descriptions_match_telegram(app: Any, api: FakeBotApi) -> None:
    api.fail_next("sendMessage", "blocked")
    api.fail_next("sendMessage", "chat_not_found")
    api.fail_next("sendMessage", "5xx")
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await app.bot.send_message(LAN.id, "a")
    with pytest.raises(BadRequest, match="Chat not found"):
        await app.bot.send_message(LAN.id, "a")
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await app.bot.send_message(LAN.id, "a")


async def test_an_expired_callback_query_cannot_be_answered(app: Any, api: FakeBotApi) -> None:
    api.fail_next("answerCallbackQuery", "query_too_old")
    with pytest.raises(BadRequest, match="Query is too old and response timeout expired"):
        await app.bot.answer_callback_query("123")


async def test_retry_after_carries_the_delay(app: Any, api: FakeBotApi) -> None:
    api.fail_next("sendMessage", "429", retry_after=7)
    with pytest.raises(RetryAfter) as caught:
        await app.bot.send_message(LAN.id, "x")
    assert caught.value.retry_after == dtm.timedelta(seconds=7)


async def test_faults_filter_by_chat_and_repeat(app: Any, api: FakeBotApi) -> None:
    api.fail_next("sendMessage", "5xx", times=2, chat_id=HUNG.id)
    await app.bot.send_message(LAN.id, "không ảnh hưởng")
    for _ in range(2):
        with pytest.raises(NetworkError):
            await app.bot.send_message(HUNG.id, "x")
    await app.bot.send_message(HUNG.id, "được rồi")
    assert api.last_text(HUNG.id) == "được rồi"


async def test_blocked_chat_fails_until_unblocked(app: Any, api: FakeBotApi) -> None:
    api.block_chat(MAI.id)
    for _ in range(3):
        with pytest.raises(Forbidden):
            await app.bot.send_message(MAI.id, "x")
    api.unblock_chat(MAI.id)
    await app.bot.send_message(MAI.id, "y")
    assert [m["text"] for m in api.sent_to(MAI.id)] == ["y"]


async def test_migrated_group_answers_with_telegrams_json_and_ptb_raises_chat_migrated(
    app: Any, api: FakeBotApi
) -> None:
    old, new = FakeChat.group("CA xã", id=-4_000_000_077), FakeChat.supergroup("CA xã", id=-1001)
    api.register_chat(old)
    await app.bot.send_message(old.id, "trước")
    api.migrate_chat(old.id, new.id)
    with pytest.raises(ChatMigrated) as caught:
        await app.bot.send_message(old.id, "sau")
    assert caught.value.new_chat_id == new.id
    status, body = await api.do_request(
        f"https://api.telegram.org/bot{api.token}/sendMessage",
        "POST",
        RequestData(
            [RequestParameter.from_input(k, v) for k, v in (("chat_id", old.id), ("text", "x"))]
        ),
    )
    assert status == 400 and json.loads(body) == {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: group chat was upgraded to a supergroup chat",
        "parameters": {"migrate_to_chat_id": new.id},
    }
    moved = await app.bot.send_message(new.id, "ở nhóm mới")  # the supergroup works
    assert moved.chat.title == "CA xã" and moved.chat.type == "supergroup"
    to_old, to_new = api.factory().migration(LAN, old, new)
    assert to_old["message"]["migrate_to_chat_id"] == new.id
    assert to_new["message"]["migrate_from_chat_id"] == old.id
    assert Update.de_json(to_new, app.bot).effective_message.migrate_from_chat_id == old.id


async def _flaky_run(api: FakeBotApi, bot: Any, n: int) -> list[str | None]:
    for i in range(n):
        with contextlib.suppress(TelegramError):
            await bot.send_message(LAN.id, f"tin {i}")
    return [c.error for c in api.calls_of("sendMessage")]


async def test_flaky_mode_fails_a_seeded_share_of_calls(app: Any, api: FakeBotApi) -> None:
    api.flaky(0.3, seed=7, retry_after=0, methods=["sendMessage"])
    errors = await _flaky_run(api, app.bot, 400)
    failed = sum(e is not None for e in errors)
    assert 80 <= failed <= 160
    assert set(api.injected) == {"500", "5xx", "429", "timeout", "timeout_after"}
    assert sum(api.injected.values()) == failed
    # the same seed fails the same calls
    again = FakeBotApi()
    again.flaky(0.3, seed=7, retry_after=0, methods=["sendMessage"])
    bot = Bot(again.token, request=again, get_updates_request=again)
    async with bot:
        assert await _flaky_run(again, bot, 400) == errors
    # delivered: the calls that succeeded, and those whose answer was lost after the fact
    delivered = errors.count(None) + api.injected["timeout_after"]
    assert len(api.sent_to(LAN.id)) == delivered
    api.flaky(0)
    before = len(api.calls)
    await _flaky_run(api, app.bot, 20)
    assert all(c.ok for c in api.calls[before:])


async def test_flaky_mode_can_spare_methods(app: Any, api: FakeBotApi) -> None:
    api.flaky(1.0, ["5xx"], methods=["editMessageText"])
    await app.bot.send_message(LAN.id, "không sao")
    with pytest.raises(NetworkError):
        await app.bot.edit_message_text("sửa", LAN.id, 1)
    with pytest.raises(ValueError):
        api.flaky(0.5, ["nonsense"])  # type: ignore[list-item]


async def test_timeout_after_delivers_but_raises(app: Any, api: FakeBotApi) -> None:
    api.fail_next("sendMessage", "timeout_after")
    with pytest.raises(TimedOut):
        await app.bot.send_message(LAN.id, "có thể đã tới")
    assert api.last_text(LAN.id) == "có thể đã tới"


async def test_unknown_method_is_404(app: Any, api: FakeBotApi) -> None:
    with pytest.raises(EndPointNotFound):
        await app.bot.do_api_request("sendTelepathy", api_kwargs={"chat_id": 1})
    assert api.calls[-1].error == "Not Found: method not found"


# -- (e) edits ------------------------------------------------------------------------------


async def test_edit_of_missing_message_is_bad_request(app: Any, api: FakeBotApi) -> None:
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await app.bot.edit_message_text("x", chat_id=LAN.id, message_id=999)

    sent = await app.bot.send_message(LAN.id, "gốc")
    with pytest.raises(BadRequest, match="Message is not modified"):
        await sent.edit_text("gốc")
    await sent.edit_text("mới")
    assert api.last_text(LAN.id) == "mới"

    assert await sent.delete()
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await sent.edit_text("sau khi xoá")
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await sent.delete()


async def test_edit_without_markup_drops_the_inline_keyboard(app: Any, api: FakeBotApi) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]])
    sent = await app.bot.send_message(LAN.id, "chọn", reply_markup=keyboard)
    edited = await sent.edit_text("đã chọn")
    assert edited.reply_markup is None
    assert "reply_markup" not in api.sent_to(LAN.id)[0]


async def test_length_limits_count_utf16_units_as_telegram_does(app: Any, api: FakeBotApi) -> None:
    """4,096 units for a text, 1,024 for a caption; one unit more is Telegram's 400
    "message is too long" (an emoji is two units)."""
    await app.bot.send_message(LAN.id, "a" * 4096)
    await app.bot.send_message(LAN.id, "😀" * 2048)
    for text in ("a" * 4097, "😀" * 2048 + "a"):
        with pytest.raises(BadRequest, match=r"^Message is too long$"):
            await app.bot.send_message(LAN.id, text)
    assert api.calls[-1].error == "Bad Request: message is too long"
    sent = await app.bot.send_message(LAN.id, "gốc")
    with pytest.raises(BadRequest, match=r"^Message is too long$"):
        await sent.edit_text("😀" * 2049)
    photo = UpdateFactory().photo(LAN)["message"]["photo"][-1]["file_id"]
    await app.bot.send_photo(LAN.id, photo, caption="😀" * 512)
    with pytest.raises(BadRequest, match=r"^Message caption is too long$"):
        await app.bot.send_photo(LAN.id, photo, caption="😀" * 512 + "a")


async def test_markup_and_oversized_button_data_are_rejected(app: Any, api: FakeBotApi) -> None:
    """tinbao sends plain text: the fake parses no markup, so a parse_mode is a 400 here
    rather than markup that would pass unchecked; text goes through as typed."""
    with pytest.raises(BadRequest, match="Unsupported parse_mode"):
        await app.bot.send_message(LAN.id, "<b>Tên</b>", parse_mode="HTML")
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="é" * 40)]])
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await app.bot.send_message(LAN.id, "x", reply_markup=too_long)
    assert api.sent_to(LAN.id) == []
    msg = await app.bot.send_message(LAN.id, "Tên: <Lan> & *mã*")
    assert msg.text == "Tên: <Lan> & *mã*" and not msg.entities


# -- (f) callbacks --------------------------------------------------------------------------


async def test_callback_from_stored_message_round_trips(
    app: Any, api: FakeBotApi, pressed: PressLog
) -> None:
    make = api.factory()
    await feed(app, make.text(LAN, "/start"))
    (menu,) = api.sent_to(LAN.id)

    await feed(app, make.callback(LAN, menu, "tip"))

    (update,) = pressed
    query = update.callback_query
    assert query is not None and query.message is not None
    assert query.data == "tip" and query.from_user.id == LAN.id
    assert query.message.message_id == menu["message_id"]
    markup = query.message.reply_markup
    assert markup is not None and markup.inline_keyboard[0][0].callback_data == "tip"
    assert api.calls_of("answerCallbackQuery")[0].params["callback_query_id"] == query.id
    assert api.last_text(LAN.id) == "Đã chọn: tip"

    with pytest.raises(BadRequest, match="Query is too old"):
        await query.answer()  # answering twice fails on Telegram too


# -- builders -------------------------------------------------------------------------------


def test_command_entity_counts_utf16_units() -> None:
    assert utf16_len("🚨") == 2
    text = "/start@tinbao_bot 🚨 xem https://cand.vn"
    entities = text_entities(text)
    assert entities[0] == {"offset": 0, "length": 17, "type": "bot_command"}
    # 17 + 1 + 2 (the emoji is a surrogate pair) + 5: code points would say 24
    assert entities[1] == {"offset": 25, "length": 15, "type": "url"}
    assert text_entities("/đăng ký") == []


def test_group_messages_use_the_group_chat() -> None:
    make = UpdateFactory()
    group = FakeChat.supergroup("Công an xã Tam Chúc")
    msg = make.photo(HUNG, caption="ảnh hiện trường", chat=group)["message"]
    assert msg["chat"]["id"] == group.id < 0 and msg["chat"]["type"] == "supergroup"
    assert msg["from"]["id"] == HUNG.id
    ids = {p["file_id"] for p in msg["photo"]} | {p["file_unique_id"] for p in msg["photo"]}
    assert len(ids) == 2 * len(msg["photo"])
    again = make.photo(HUNG)["message"]["photo"][-1]["file_id"]
    assert again not in ids


async def test_media_updates_parse_and_files_download(app: Any, api: FakeBotApi) -> None:
    make = api.factory()
    group = FakeChat.group("Tổ dân phố 5")
    updates = [
        make.photo(LAN, "ảnh"),
        make.video(LAN),
        make.voice(LAN),
        make.audio(LAN),
        make.document(LAN, "don.pdf", "application/pdf", 120_000),
        make.sticker(LAN),
        make.animation(LAN),
        make.video_note(LAN),
        make.location(LAN, 20.54, 105.91),
        make.contact(LAN, "+84912345678"),
        make.new_chat_members(HUNG, group, [MAI]),
        make.my_chat_member(HUNG, group, "administrator"),
    ]
    parsed = [Update.de_json(u, app.bot) for u in updates]
    assert parsed[9].message is not None and parsed[9].message.contact is not None
    assert parsed[9].message.contact.user_id == LAN.id
    assert parsed[6].message is not None and parsed[6].message.document is not None
    member = parsed[11].my_chat_member
    assert member is not None and member.new_chat_member.status == "administrator"

    voice = parsed[2].message.voice if parsed[2].message else None
    assert voice is not None
    data = await (await voice.get_file()).download_as_bytearray()
    assert len(data) == voice.file_size

    big = make.document(LAN, "video.mov", "video/quicktime", 60_000_000)["message"]["document"]
    with pytest.raises(BadRequest, match="File is too big"):
        await app.bot.get_file(big["file_id"])


# ---------------------------------------------------------------- flood limits (issue 9)


PRIVATE_A, PRIVATE_B = 1001, 1002
GROUP_A, GROUP_B = -100111, -100222


def test_the_fake_refuses_beyond_each_limit_with_the_seconds_to_wait() -> None:
    tick = Tick()
    rules = FloodRules(tick)
    text = {"text": "x"}
    for i in range(30):
        assert rules.refusal("sendMessage", {"chat_id": PRIVATE_A + i, **text}) is None
        rules.record("sendMessage", {"chat_id": PRIVATE_A + i, **text})
    assert rules.refusal("sendMessage", {"chat_id": 9999, **text}) == 1  # 31st in 1 s
    assert rules.refusal("sendMessage", {"chat_id": PRIVATE_A, **text}) == 1  # same chat
    assert rules.refusal("editMessageText", {"chat_id": PRIVATE_A, **text}) is None
    tick.advance(1.0)
    for _ in range(2):
        assert rules.refusal("sendMediaGroup", {"chat_id": GROUP_A, "media": [{}] * 10}) is None
        rules.record("sendMediaGroup", {"chat_id": GROUP_A, "media": [{}] * 10})
        tick.advance(5.0)
    assert rules.refusal("sendMessage", {"chat_id": GROUP_A, **text}) == 50  # 60 - 10
    assert rules.refusal("sendMessage", {"chat_id": GROUP_B, **text}) is None


async def test_the_fake_answers_429_as_telegram_does() -> None:
    tick = Tick()
    api = FakeBotApi(enforce_limits=True, limits_clock=tick)
    bot = Bot(api.token, request=api, get_updates_request=api)
    async with bot:
        await bot.send_message(PRIVATE_A, "một")
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(PRIVATE_A, "hai")
        assert caught.value._retry_after.total_seconds() == 1
        assert len(api.too_many_requests()) == 1
        assert api.too_many_requests()[0].error == "Too Many Requests: retry after 1"
        await bot.send_message(PRIVATE_B, "ba")  # another chat is fine
        tick.advance(1.0)
        await bot.send_message(PRIVATE_A, "hai")
    assert [m["text"] for m in api.sent_to(PRIVATE_A)] == ["một", "hai"]


async def test_flood_limits_are_off_unless_asked() -> None:
    api = FakeBotApi()
    bot = Bot(api.token, request=api, get_updates_request=api)
    async with bot:
        for i in range(40):
            await bot.send_message(PRIVATE_A, f"{i}")
    assert not api.too_many_requests()
