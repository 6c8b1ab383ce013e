"""``tinbao demo --channel zalo``: a Zalo citizen's tip, from the first message to the
closed tip, with no token and no network.

tinbao runs exactly as ``tinbao run`` runs it with Zalo set up (long polling, the inbox,
both senders, the Zalo webhook, the delivery loop and its token keeper) against two fakes
on loopback: the fake Bot API (handlers/telegram/fake/server.py) for the police's
Telegram group, and the fake Zalo OA (handlers/zalo/fake.py), which signs the citizen's
events as Zalo does, POSTs them to the webhook, issues the OA's tokens and records every
message the OA is asked to send. Every line printed is an event the citizen sent, a
message the OA sent back, or a Bot API call the bot made in the group.
"""

from __future__ import annotations

import asyncio
import base64
import os
import socket
import tempfile
from pathlib import Path
from typing import Any

import aiohttp

from bot import receipt
from bot.clock import FakeClock, system_clock
from bot.places import sync_units
from config.settings import Settings
from handlers.telegram.app import Tinbao, create
from handlers.telegram.fake.botapi import FakeBotApi
from handlers.telegram.fake.server import FakeBotServer
from handlers.telegram.fake.updates import FakeChat, FakeUser
from handlers.zalo.fake import FakeZaloOA
from handlers.zalo.tokens import TokenKeeper, ZaloOAuth
from storage import inbox, outbox
from storage.db import Database, utc_text

QUEUE_CHAT = -1001000000001
APP_ID = "1234567890123456789"  # a made-up Zalo app, known only to the fake OA
UID = "2512523625412515"  # the citizen as the OA sees them: a per-OA user id
PHOTO = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40 + b"\xff\xd9"  # a small "JPEG"
SETTLE_SECONDS = 30.0


class ZaloScript:
    """The narrator: sends what the citizen and the officer do, waits until the running
    bot has done everything it had to, and prints what each fake received meanwhile."""

    def __init__(self, tinbao: Tinbao, api: FakeBotApi, oa: FakeZaloOA, url: str) -> None:
        self.tinbao = tinbao
        self.api = api
        self.oa = oa
        self.url = url
        self.updates = api.factory()
        self.seen_oa = 0
        self.seen_api = len(api.calls)
        self.session = aiohttp.ClientSession()

    # ------------------------------------------------------------------ Zalo side ---
    async def event(self, label: str, event: dict[str, Any]) -> None:
        print(f"\n{label}")
        status = await self.oa.deliver(self.url, event, session=self.session)
        if status != 200:  # pragma: no cover - the webhook refused the fake's own event
            print(f"  (webhook answered HTTP {status})")
        await self.settle()

    async def says(self, text: str) -> None:
        await self.event(f"📱 Lan (Zalo): {text}", self.oa.text_event(UID, text))

    async def types(self, label: str) -> None:
        """The citizen types the number the OA's last list gives ``label``."""
        number = self.number_of(label)
        await self.event(f"📱 Lan (Zalo) gõ: {number}   ({label})", self.oa.text_event(UID, number))

    async def presses(self, label: str) -> None:
        """The citizen presses an OA button: Zalo sends its payload back as text."""
        (*_, buttons) = self.oa.buttons_sent_to(UID)
        payload = next(b["payload"] for b in buttons if label in b["title"])
        await self.event(f"📱 Lan (Zalo) bấm nút [{label}]", self.oa.text_event(UID, payload))

    def number_of(self, label: str) -> str:
        for message in reversed(self.oa.sent_to(UID)):
            for line in str(message.get("text") or "").splitlines():
                head, dot, rest = line.partition(". ")
                if dot and head.isdigit() and label in rest:
                    return head
        raise LookupError(label)

    # ------------------------------------------------------------------ police side -
    async def update(self, label: str, update: dict[str, Any]) -> None:
        print(f"\n{label}")
        self.api.push_update(update)
        await self.settle()

    async def officer_says(self, user: FakeUser, text: str, chat: FakeChat | None = None) -> None:
        await self.update(f"👤 {user.first_name}: {text}", self.updates.text(user, text, chat=chat))

    async def officer_presses(self, user: FakeUser, label: str) -> None:
        message, data = _button(self.api, QUEUE_CHAT, label)
        update = self.updates.callback(user, message, data)
        await self.update(f"👤 {user.first_name} bấm [{label}] trong nhóm", update)

    async def officer_replies(self, user: FakeUser, text: str, group: FakeChat) -> None:
        prompt = next(
            m
            for m in reversed(self.api.sent_to(QUEUE_CHAT))
            if "trả lời tin nhắn này" in str(m.get("text", ""))
        )
        update = self.updates.text(user, text, chat=group, reply_to=prompt)
        await self.update(f"👤 {user.first_name} trả lời lời nhắc: {text}", update)

    # ------------------------------------------------------------------ waiting -----
    async def settle(self) -> None:
        """Until every update is fetched, every inbox event applied and no outbox row of
        either channel is due (twice in a row); then print what the fakes received."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + SETTLE_SECONDS
        calm = 0
        while calm < 2 and loop.time() < deadline:
            await asyncio.sleep(0.02)
            calm = calm + 1 if not await self._busy() else 0
        self._show()

    async def _busy(self) -> bool:
        if self.api.pending_updates:
            return True
        t = self.tinbao
        async with t.db.read() as tx:
            if await inbox.pending(tx, limit=1):
                return True
            now = utc_text(t.clock())
            for channel in ("telegram", "zalo"):
                if await outbox.due(tx, now, limit=1, channel=channel):
                    return True
        return False

    def _show(self) -> None:
        for call in self.oa.calls[self.seen_oa :]:
            if call.answer.get("error") != 0:
                print(f"  🏛 OA ← Zalo từ chối: {call.answer.get('error')}")
                continue
            message = call.body.get("message") or {}
            text = str(message.get("text") or "")
            print("  🏛 OA gửi Lan: " + text.replace("\n", "\n      "))
            payload = (message.get("attachment") or {}).get("payload") or {}
            titles = [str(b.get("title")) for b in payload.get("buttons") or []]
            if titles:
                print("      nút: [" + "] [".join(titles) + "]")
        self.seen_oa = len(self.oa.calls)
        for sent in self.api.calls[self.seen_api :]:
            chat = sent.params.get("chat_id")
            if sent.method in ("sendMessage", "editMessageText", "sendPhoto", "sendMediaGroup"):
                who = "👮 nhóm CA Tam Chúc" if chat == QUEUE_CHAT else "🤖 bot"
                verb = "sửa" if sent.method == "editMessageText" else "gửi"
                if sent.method == "sendPhoto":
                    print(f"  {who} ({verb}): 🖼 ảnh bằng chứng (tải lên: {len(sent.files)} tệp)")
                    continue
                text = str(sent.params.get("text") or sent.params.get("caption") or "")
                print(f"  {who} ({verb}): " + text.replace("\n", "\n      "))
                buttons = _labels(sent.params.get("reply_markup"))
                if buttons:
                    print("      [" + "] [".join(buttons) + "]")
        self.seen_api = len(self.api.calls)

    async def close(self) -> None:
        await self.session.close()


def _button(api: FakeBotApi, chat_id: int, label: str) -> tuple[dict[str, Any], str]:
    for message in reversed(api.sent_to(chat_id)):
        for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                if label in button["text"] and "callback_data" in button:
                    return message, str(button["callback_data"])
    raise LookupError(label)


def _labels(markup: Any) -> list[str]:
    if not isinstance(markup, dict):
        return []
    rows = markup.get("inline_keyboard") or []
    return [b["text"] if isinstance(b, dict) else str(b) for row in rows for b in row]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def run_zalo_demo(database: str | None = None) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="tinbao-demo-zalo-"))
    db_path = Path(database) if database else workdir / "demo.db"
    clock = FakeClock(system_clock())
    oa_key = base64.urlsafe_b64encode(os.urandom(18)).decode()
    app_secret = base64.urlsafe_b64encode(os.urandom(18)).decode()
    oa = FakeZaloOA(APP_ID, oa_key, clock=clock)
    oa.oauth.app_secret = app_secret
    oa_url = await oa.start()
    api = FakeBotApi(clock=clock)
    server = FakeBotServer(api)
    await server.start()
    settings = Settings(
        bot_token=api.token,  # type: ignore[arg-type]
        bot_api_url=server.base_url,
        bot_file_url=server.base_file_url,
        secret_key=base64.urlsafe_b64encode(os.urandom(32)).decode(),  # type: ignore[arg-type]
        database_path=db_path,
        zalo_app_id=APP_ID,
        zalo_app_secret=app_secret,  # type: ignore[arg-type]
        zalo_oa_secret_key=oa_key,  # type: ignore[arg-type]
        zalo_api_url=oa_url,
        zalo_oauth_url=oa_url,
        zalo_webhook_port=_free_port(),
    )
    db = await Database.open(db_path, clock=clock)
    report = await sync_units(db, settings.province)
    await db.close()
    print(f"Cơ sở dữ liệu demo: {db_path}\n{report.summary()}")
    print(f"Bot API giả: {server.base_url}   Zalo OA giả: {oa_url}")
    tinbao = await create(settings, clock=clock, rate_limiter=False)
    script: ZaloScript | None = None
    try:
        print("\n=== Cài đặt: cấp token cho Zalo OA ===")
        async with aiohttp.ClientSession() as session:
            keeper = TokenKeeper(
                tinbao.db,
                tinbao.people.box,
                ZaloOAuth.from_settings(settings, session),
                clock,
                alert=False,
            )
            code = oa.issue_code()
            held = await keeper.authorize_code(code)
        until = held.access_expires_at.astimezone(settings.tz) if held.access_expires_at else "?"
        print(f"$ tinbao zalo authorize --code {code}  →  token hợp lệ đến {until:%d/%m %H:%M}")

        await tinbao.start(polling=True, sender=True)  # as `tinbao run` starts it
        hook = f"http://127.0.0.1:{settings.zalo_webhook_port}{settings.zalo_webhook_path}"
        print(f"tinbao đang chạy: Telegram (long polling) + webhook Zalo {hook}")
        script = ZaloScript(tinbao, api, oa, hook)

        print("\n=== Cài đặt: trưởng công an phường Tam Chúc gắn nhóm tiếp nhận ===")
        invite, unit, _ = await tinbao.staff.create_invite("Tam Chúc", "lead")
        print(f"$ tinbao invite --unit 'Tam Chúc' --role lead  →  {invite} ({unit})")
        lead = FakeUser(9001, "Hùng", last_name="Trần")
        group = FakeChat.supergroup("Công an phường Tam Chúc", id=QUEUE_CHAT)
        await script.officer_says(lead, f"/join {invite}")
        await script.officer_says(lead, "/bindqueue", chat=group)

        print("\n=== Người dân báo tin qua Zalo OA của Công an tỉnh ===")
        await script.says("xin chào")
        await script.presses("Báo tin")
        await script.types("Cờ bạc")
        await script.presses("Không, đã xảy ra rồi")
        location = oa.location_event(UID, 20.5558, 105.813)
        await script.event("📱 Lan (Zalo) chia sẻ vị trí: 20.5558, 105.8130", location)
        await script.presses("Đúng")
        await script.says("Quán nước đầu thôn, gần cổng chùa")
        await script.presses("Hôm nay")
        await script.says("khoảng 21 giờ")
        await script.says("Có khoảng 6 người tụ tập đánh bài ăn tiền, có canh gác ở đầu ngõ.")
        photo = oa.image_event(UID, oa.attachment_url("anh-hien-truong.jpg", PHOTO))
        await script.event("📱 Lan (Zalo) gửi một ảnh", photo)
        await script.presses("Xong")
        await script.types("Ẩn danh")
        await script.presses("Gửi tin báo")

        print("\n=== Công an phường tiếp nhận và hỏi thêm, từ nhóm Telegram ===")
        await script.officer_presses(lead, "Tiếp nhận")
        await script.officer_presses(lead, "Hỏi thêm")
        await script.officer_replies(lead, "Bạn có biết chủ quán tên gì không?", group)
        await script.officer_presses(lead, "Gửi")

        print("\n=== Người dân trả lời trên Zalo ===")
        await script.presses("Trả lời")
        await script.says("Chủ quán tên Tư, hay đứng ở cửa canh chừng.")

        print("\n=== Công an phường đóng tin báo; người dân được báo trên Zalo ===")
        await script.officer_presses(lead, "Đóng")
        await script.officer_presses(lead, "Đã giải quyết")

        async with tinbao.db.read() as tx:
            row = await tx.fetchone("SELECT code, status FROM tips ORDER BY id LIMIT 1")
        assert row is not None
        print("\n=== Tin báo đã lưu (SQLite) ===")
        print(f"  mã: {receipt.display(row[0])}  trạng thái: {row[1]}")
        raw = await asyncio.to_thread(_database_bytes, db_path)
        print(f"  id Zalo {UID} có trong tệp CSDL dạng rõ? {UID.encode() in raw}")
        print(f"  ảnh bằng chứng có trong tệp CSDL dạng rõ? {PHOTO[4:200] in raw}")
    finally:
        if script is not None:
            await script.close()
        if tinbao.app.running:
            await tinbao.stop()
        else:  # pragma: no cover - the start failed half-way
            await tinbao.app.shutdown()
            await tinbao.db.close()
        await server.close()
        await oa.stop()


def _database_bytes(path: Path) -> bytes:
    wal = Path(f"{path}-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
