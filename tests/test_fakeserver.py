"""The fake Bot API over loopback HTTP (handlers/telegram/fake/server.py), driven by PTB's real
``HTTPXRequest``: what the fake sees must be what it sees in-process, uploads and file
downloads must round-trip, and every fault must reach PTB as the exception a real
network or Telegram would raise."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from telegram import (
    Bot,
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    InputMediaPhoto,
    LinkPreviewOptions,
    MessageEntity,
    ReplyParameters,
    Update,
)
from telegram.error import (
    BadRequest,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from handlers.telegram.fake.botapi import FakeBotApi
from handlers.telegram.fake.server import FakeBotServer, decode_params
from handlers.telegram.fake.updates import FakeUser

pytestmark = pytest.mark.usefixtures("ptb_timedelta")

LAN = FakeUser(1001, "Lan")


@pytest.fixture
async def served() -> AsyncIterator[tuple[FakeBotApi, FakeBotServer]]:
    api = FakeBotApi()
    async with FakeBotServer(api) as server:
        yield api, server


def http_bot(api: FakeBotApi, server: FakeBotServer, token: str | None = None) -> Bot:
    return Bot(
        token or api.token,
        base_url=server.base_url,
        base_file_url=server.base_file_url,
    )


# The same calls, once through PTB's in-process request and once over HTTP: the fake
# must record identical parameters (values a citizen might type included).
CALLS: list[Callable[[Bot], Awaitable[Any]]] = [
    lambda b: b.send_message(1001, "123"),
    lambda b: b.send_message(1001, "true"),
    lambda b: b.send_message(1001, "null"),
    lambda b: b.send_message(1001, '{"a": 1}'),
    lambda b: b.send_message(1001, "1e5"),
    lambda b: b.send_message(
        1001,
        "<b>Tin báo</b> & <i>mã</i>",
        protect_content=False,
        disable_notification=True,
        link_preview_options=LinkPreviewOptions(is_disabled=True),
        reply_markup=InlineKeyboardMarkup(
            [[InlineKeyboardButton("✅ Gửi tin báo", callback_data="c1|send|")]]
        ),
    ),
    lambda b: b.send_message(
        1001,
        "Bước 2/7 👍",
        entities=[MessageEntity("bold", 0, 4)],
        reply_parameters=ReplyParameters(1, allow_sending_without_reply=True),
    ),
    lambda b: b.edit_message_text("đã sửa", 1001, 1),
    lambda b: b.set_my_commands([BotCommand("start", "Bắt đầu")], language_code="vi"),
    lambda b: b.answer_callback_query("42", "Đã nhận", show_alert=True),
    lambda b: b.get_chat_member(-100123, 7_000_000_001),
]


async def _record(api: FakeBotApi, bot: Bot) -> list[tuple[str, dict[str, Any], str | None]]:
    async with bot:
        for call in CALLS:
            await call(bot)
    return [(c.method, c.params, c.error) for c in api.calls if c.method != "getMe"]


async def test_the_fake_sees_over_http_what_it_sees_in_process(
    served: tuple[FakeBotApi, FakeBotServer],
) -> None:
    api, server = served
    local = FakeBotApi()
    in_process = await _record(local, Bot(local.token, request=local, get_updates_request=local))
    over_http = await _record(api, http_bot(api, server))
    assert over_http == in_process
    texts = [m["text"] for m in api.sent_to(1001) if "text" in m]
    assert texts[:5] == ["đã sửa", "true", "null", '{"a": 1}', "1e5"]


def test_form_values_decode_by_parameter_type() -> None:
    decoded = decode_params(
        {
            "chat_id": "1001",
            "text": "42",
            "caption": "false",
            "disable_notification": "true",
            "reply_markup": '{"inline_keyboard": []}',
            "photo": "AgACxyz",
            "offset": "-1",
            "chat": "@kenh_tin_bao",
        }
    )
    assert decoded == {
        "chat_id": 1001,
        "text": "42",
        "caption": "false",
        "disable_notification": True,
        "reply_markup": {"inline_keyboard": []},
        "photo": "AgACxyz",
        "offset": -1,
        "chat": "@kenh_tin_bao",
    }


async def test_uploads_and_downloads_round_trip(served: tuple[FakeBotApi, FakeBotServer]) -> None:
    api, server = served
    async with http_bot(api, server) as bot:
        pdf = b"%PDF-1.4 " + bytes(range(256)) * 40
        sent = await bot.send_document(
            1001, InputFile(pdf, filename='Biên bản "số 1".pdf'), caption="true"
        )
        assert sent.document is not None and sent.caption == "true"
        assert sent.document.file_name == 'Biên bản "số 1".pdf'
        assert sent.document.file_size == len(pdf)
        call = api.calls_of("sendDocument")[-1]
        assert call.files == {"document": 'Biên bản "số 1".pdf'}
        album = await bot.send_media_group(
            -100123,
            [InputMediaPhoto(b"\xff\xd8photo-1"), InputMediaPhoto(b"\xff\xd8photo-2", "ảnh 2")],
        )
        assert len(album) == 2 and album[1].caption == "ảnh 2"
        assert len(api.calls_of("sendMediaGroup")[-1].files) == 2
        file = await bot.get_file(sent.document.file_id)
        assert file.file_path is not None and file.file_path.startswith(server.base_file_url)
        assert bytes(await file.download_as_bytearray()) == pdf


async def test_errors_reach_ptb_as_telegram_errors(
    served: tuple[FakeBotApi, FakeBotServer],
) -> None:
    api, server = served
    with pytest.raises(InvalidToken):
        async with http_bot(api, server, token="7000000001:AAWrongTokenWrongTokenWrong"):
            pass
    async with http_bot(api, server) as bot:
        api.fail_next("sendMessage", "429", retry_after=3)
        with pytest.raises(RetryAfter) as retry:
            await bot.send_message(1001, "x")
        assert retry.value.retry_after.total_seconds() == 3  # type: ignore[union-attr]
        for kind, description in (("5xx", "Bad Gateway"), ("500", "Internal Server Error")):
            api.fail_next("sendMessage", kind)  # type: ignore[arg-type]
            with pytest.raises(NetworkError, match=description):
                await bot.send_message(1001, "x")
        api.block_chat(1001)
        with pytest.raises(Forbidden, match="blocked by the user"):
            await bot.send_message(1001, "x")
        api.unblock_chat(1001)
        with pytest.raises(BadRequest, match="parse_mode"):
            await bot.send_message(1001, "<b>x", parse_mode="HTML")
        with pytest.raises(EndPointNotFound):
            await bot.do_api_request("sendNothing")
        assert api.sent_to(1001) == []


async def test_timeouts_drop_the_connection_before_or_after_the_call_took_effect(
    served: tuple[FakeBotApi, FakeBotServer],
) -> None:
    api, server = served
    async with http_bot(api, server) as bot:
        api.fail_next("sendMessage", "timeout")
        with pytest.raises(NetworkError, match="disconnected"):
            await bot.send_message(1001, "trước")
        assert api.sent_to(1001) == []  # nothing happened
        api.fail_next("sendMessage", "timeout_after")
        with pytest.raises(NetworkError):
            await bot.send_message(1001, "sau")
        assert [m["text"] for m in api.sent_to(1001)] == ["sau"]  # it happened anyway
        # the pool recovers: the next call on a fresh connection works
        assert (await bot.send_message(1001, "tiếp")).text == "tiếp"
    assert server.dropped == 2


async def test_a_stall_longer_than_the_read_timeout_is_a_real_timeout(
    served: tuple[FakeBotApi, FakeBotServer],
) -> None:
    api, server = served
    server.stall = 5.0
    async with http_bot(api, server) as bot:
        api.fail_next("sendMessage", "timeout")
        with pytest.raises(TimedOut):
            await bot.send_message(1001, "x", read_timeout=0.3)


async def test_a_ptb_application_polls_and_answers_buttons_over_http(
    served: tuple[FakeBotApi, FakeBotServer],
) -> None:
    api, server = served
    pressed: list[str] = []

    async def start(update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Báo tin", callback_data="r")]])
        await update.message.reply_text("Xin chào", reply_markup=keyboard)

    async def press(update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None and query.data is not None
        pressed.append(query.data)
        await query.answer()
        await query.edit_message_text("Đã chọn")

    app = (
        Application.builder()
        .token(api.token)
        .base_url(server.base_url)
        .base_file_url(server.base_file_url)
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(press))
    factory = api.factory()
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        try:
            api.push_update(factory.text(LAN, "/start"))
            await api.wait_for("sendMessage", timeout=10)
            menu = api.sent_to(LAN.id)[-1]
            api.push_update(factory.callback(LAN, menu, "r"))
            await api.wait_for("editMessageText", timeout=10)
        finally:
            await app.updater.stop()
            await app.stop()
    assert pressed == ["r"]
    assert api.sent_to(LAN.id)[-1]["text"] == "Đã chọn"
    assert api.pending_updates == []  # both confirmed by an offset over HTTP
    assert server.requests >= 5


async def test_it_runs_as_a_separate_process() -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "handlers.telegram.fake.server",
        "--port",
        "0",
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        port = int(await asyncio.wait_for(proc.stdout.readline(), 30))
        token = (await proc.stdout.readline()).decode().split()[1]
        async with Bot(token, base_url=f"http://127.0.0.1:{port}/bot") as bot:
            assert bot.username == "tinbao_test_bot"
            assert (await bot.send_message(5, "xin chào")).text == "xin chào"
    finally:
        proc.terminate()
        await proc.wait()
