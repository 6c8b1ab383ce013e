"""``tinbao demo``: the whole product in one command, with no token and no network.

A scripted citizen files a tip through the real Application over an in-process fake Bot
API; the commune police see the card in their group and acknowledge it; the citizen is
told. Then a second citizen reports seeing a wanted person, and the sighting reaches both
the commune's queue and the province duty queue (the issuer of that warrant). Every line
printed is a real Bot API call the bot made or an update it received.

``tinbao demo --web`` then adds a month of tips across a few communes (filed, acknowledged,
taken and closed through the same Application, quietly), serves the web page on the demo
database with the real clock, and prints a one-time login link for a demo supervisor and
one for Tam Chúc's lead, each obtained the way an officer gets one: ``/web`` to the bot.
It runs until Ctrl-C (or SIGTERM).
"""

from __future__ import annotations

import asyncio
import base64
import os
import random
import re
import signal
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot import receipt, wanted
from bot.clock import FakeClock, system_clock
from bot.digest_figures import compute
from bot.digest_periods import day_period
from bot.digest_text import render
from bot.places import sync_units
from config.settings import DEMO_TOKEN, Settings
from config.texts import t
from handlers.telegram.app import Tinbao, create
from handlers.telegram.fake.botapi import FakeBotApi
from handlers.telegram.fake.scripted import Driver
from handlers.telegram.fake.updates import FakeChat, FakeUser
from storage.db import Database

QUEUE_CHAT = -1001000000001
DUTY_CHAT = -1001000000099
SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "wanted" / "notices.csv"
CHAT_NAMES = {QUEUE_CHAT: "👮 nhóm CA Tam Chúc", DUTY_CHAT: "👮 nhóm trực ban tỉnh"}


class Script:
    """The demo's narrator: drives the scripted users and prints each new Bot API call."""

    def __init__(self, tinbao: Tinbao, api: FakeBotApi) -> None:
        self.driver = Driver(tinbao, api)
        self.tinbao = tinbao
        self.api = api
        self.updates = self.driver.updates
        self.seen = 0

    def _show_new_calls(self) -> None:
        for call in self.api.calls[self.seen :]:
            if call.method in ("sendMessage", "editMessageText", "sendMediaGroup", "sendPhoto"):
                chat = call.params.get("chat_id")
                who = CHAT_NAMES.get(chat, "🤖 bot") if isinstance(chat, int) else "🤖 bot"
                verb = "sửa" if call.method == "editMessageText" else "gửi"
                text = str(call.params.get("text") or call.params.get("caption") or call.method)
                print(f"  {who} ({verb}): " + text.replace("\n", "\n      "))
                buttons = _labels(call.params.get("reply_markup"))
                if buttons:
                    print("      [" + "] [".join(buttons) + "]")
            elif call.method == "answerCallbackQuery" and call.params.get("text"):
                print(f"  🤖 (thông báo nhanh): {call.params['text']}")
        self.seen = len(self.api.calls)

    async def deliver(self, label: str, update: dict[str, Any]) -> None:
        print(f"\n{label}")
        await self.driver.deliver(update)
        await self.tinbao.sender.flush()
        self._show_new_calls()

    async def say(self, user: FakeUser, text: str, chat: FakeChat | None = None) -> None:
        await self.deliver(
            f"👤 {user.first_name}: {text}", self.updates.text(user, text, chat=chat)
        )

    async def press(self, user: FakeUser, label: str, chat_id: int | None = None) -> None:
        message, data = self.driver.find_button(user.id if chat_id is None else chat_id, label)
        update = self.updates.callback(user, message, data)
        await self.deliver(f"👤 {user.first_name} bấm [{label}]", update)


def _database_bytes(path: Path) -> bytes:
    wal = Path(f"{path}-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def _labels(markup: Any) -> list[str]:
    if not isinstance(markup, dict):
        return []
    rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
    return [b["text"] if isinstance(b, dict) else str(b) for row in rows for b in row]


async def run_demo(database: str | None = None, web_port: int | None = None) -> None:
    """The scripted demo; with ``web_port``, then the web page over its database until
    Ctrl-C."""
    workdir = Path(tempfile.mkdtemp(prefix="tinbao-demo-"))
    db_path = Path(database) if database else workdir / "demo.db"
    settings = Settings(
        bot_token=DEMO_TOKEN,  # type: ignore[arg-type]
        secret_key=base64.urlsafe_b64encode(os.urandom(32)).decode(),  # type: ignore[arg-type]
        database_path=db_path,
        web_port=web_port,
        web_links_per_hour=100,
    )
    clock = FakeClock(system_clock())
    db = await Database.open(db_path, clock=clock)
    report = await sync_units(db, settings.province)
    await db.close()
    print(f"Cơ sở dữ liệu demo: {db_path}\n{report.summary()}")
    api = FakeBotApi(clock=clock)
    tinbao = await create(settings, request=api, clock=clock, rate_limiter=False)
    await tinbao.app.initialize()
    s = Script(tinbao, api)
    try:
        print("\n=== Cài đặt: mời trưởng công an phường Tam Chúc, gắn nhóm tiếp nhận ===")
        invite, unit, _ = await tinbao.staff.create_invite("Tam Chúc", "lead")
        print(f"$ tinbao invite --unit 'Tam Chúc' --role lead  →  {invite} ({unit})")
        lead = FakeUser(9001, "Hùng", last_name="Trần")
        group = FakeChat.supergroup("Công an phường Tam Chúc", id=QUEUE_CHAT)
        await s.say(lead, f"/join {invite}")
        await s.say(lead, "/bindqueue", chat=group)

        print("\n=== Người dân báo tin ===")
        lan = FakeUser(1001, "Lan")
        await s.say(lan, "/start")
        await s.press(lan, "Báo tin")
        await s.press(lan, "Cờ bạc")
        await s.press(lan, "Không, đã xảy ra rồi")
        await s.say(lan, "ba sao")
        await s.press(lan, "Tam Chúc")
        await s.say(lan, "Quán nước đầu thôn, gần cổng chùa")
        await s.press(lan, "Hôm nay")
        await s.say(lan, "khoảng 21 giờ")
        await s.say(lan, "Có khoảng 6 người tụ tập đánh bài ăn tiền, có canh gác ở đầu ngõ.")
        await s.deliver("👤 Lan gửi một ảnh", s.updates.photo(lan))
        await s.press(lan, "Xong")
        await s.press(lan, "Ẩn danh")
        await s.press(lan, "Gửi tin báo")

        print("\n=== Công an phường tiếp nhận trong nhóm ===")
        await s.press(lead, "Tiếp nhận", chat_id=QUEUE_CHAT)

        print("\n=== Truy nã: người dân báo đã nhìn thấy một đối tượng ===")
        samples = SAMPLES
        if await asyncio.to_thread(samples.exists):
            imported = await wanted.import_csv(tinbao.db, samples, clock=clock)
            print(f"$ tinbao wanted import {samples.name}  →  {imported.summary()}")
            sup_code, _, _ = await tinbao.staff.create_invite("Ninh Bình", "supervisor")
            chief = FakeUser(9002, "Sơn", last_name="Lê")
            await s.say(chief, f"/join {sup_code}")
            duty = FakeChat.supergroup("Trực ban Công an tỉnh", id=DUTY_CHAT)
            await s.say(chief, "/bindduty", chat=duty)
            minh = FakeUser(1002, "Minh")
            await s.say(minh, "/timtruyna dat den")
            await s.press(minh, "Tôi đã nhìn thấy người này")
            await s.press(minh, "Đang xảy ra")
            await s.say(minh, "tam chuc")
            await s.press(minh, "Tam Chúc")
            await s.press(minh, "Bỏ qua")
            await s.say(minh, "Thấy người giống ảnh ngồi ở quán cà phê cạnh bến xe Tam Chúc.")
            await s.press(minh, "Bỏ qua")
            await s.press(minh, "Ẩn danh")
            await s.press(minh, "Gửi tin báo")
        else:  # pragma: no cover - an installed wheel without the samples folder
            print("(samples/wanted/notices.csv không có trong bản cài đặt này)")

        async with tinbao.db.read() as tx:
            row = await tx.fetchone(
                "SELECT code, category, status, urgent, address, description FROM tips"
                " ORDER BY id LIMIT 1"
            )
            events = await tx.fetchall(
                "SELECT action, to_status FROM tip_events"
                " WHERE tip_id = (SELECT MIN(id) FROM tips) ORDER BY id"
            )
        assert row is not None
        print("\n=== Tin báo đã lưu (SQLite) ===")
        print(f"  mã: {receipt.display(row[0])}  loại: {row[1]}  trạng thái: {row[2]}")
        print(f"  địa chỉ: {row[4]}\n  nội dung: {row[5]}")
        print("  nhật ký: " + ", ".join(f"{a}→{t or '-'}" for a, t in events))
        raw = await asyncio.to_thread(_database_bytes, db_path)
        print(f"  tên 'Lan' hoặc id 1001 có trong tệp CSDL dạng rõ? {b'Lan' in raw}")

        print("\n=== Bản tin tổng hợp cho lãnh đạo (hôm nay, xem trước) ===")
        today = clock().astimezone(settings.tz).date()
        digest = await compute(tinbao.db, settings, day_period(today, settings.tz), clock())
        print(render(digest, settings).text)
        if web_port is not None:
            print("\n=== Web: thêm tin báo của 30 ngày qua (mô phỏng) ===")
            print(await _a_month_of_tips(s.driver, clock))
    finally:
        await tinbao.app.shutdown()
        await tinbao.db.close()
    if web_port is not None:
        await serve_web(settings)


#: (what the citizen types, the button chosen, how many tips) for the month of tips.
MONTH_PLACES = (
    ("tam chuc", "Tam Chúc", 9),
    ("kim bang", "Kim Bảng", 5),
    ("hoa lu", "Hoa Lư", 4),
    ("phu ly", "Phủ Lý", 3),
    ("nho quan", "Nho Quan", 2),
    ("kim son", "Kim Sơn", 2),
)
#: (category, what the citizen writes) for the month of tips.
MONTH_TEXTS = (
    ("drugs", "Có người lạ mua bán ma túy ở khu trọ cuối ngõ, thường vào buổi tối."),
    ("social_evils", "Nhóm thanh niên tụ tập đánh bạc ăn tiền ở quán nước gần chợ."),
    ("public_order", "Hai xe máy chạy lạng lách, đuổi đánh nhau trên đường đê lúc nửa đêm."),
    ("crime", "Cửa hàng điện thoại bị cạy cửa, mất nhiều máy, camera có ghi lại."),
    ("crime", "Có người cho vay nặng lãi, đến nhà đe dọa, ném chất bẩn vào cửa."),
    ("other", "Cột điện đổ chắn ngang đường liên thôn, chưa ai đến xử lý."),
)


async def _a_month_of_tips(driver: Driver, clock: FakeClock) -> str:
    """Tips of the last 30 days across a few communes, through the real Application; Tam
    Chúc's lead works most of his (the others wait in the duty group, some overdue), so the
    web page has figures, a map and a list worth looking at. The clock is put back 30 days
    and walks forward to where it was."""
    end = clock.now
    clock.now = end - timedelta(days=30)
    lead = FakeUser(9001, "Hùng", last_name="Trần")
    plan = [(place, choose) for place, choose, n in MONTH_PLACES for _ in range(n)]
    random.Random(13).shuffle(plan)  # the communes' tips interleaved over the month
    step = timedelta(days=29) / len(plan)
    for i, (place, choose) in enumerate(plan):
        clock.now = end - timedelta(days=30) + step * i
        citizen = FakeUser(2000 + i, f"Dân {i}")
        await driver.file_tip(
            citizen,
            place=place,
            choose=choose,
            category=t(f"cat_{MONTH_TEXTS[i % len(MONTH_TEXTS)][0]}", "vi"),
            text=MONTH_TEXTS[i % len(MONTH_TEXTS)][1],
            urgent=i % 6 == 0,
        )
        if choose == "Tam Chúc" and i % 4 != 3:
            clock.advance(minutes=12 + 7 * (i % 5))
            await driver.presses(lead, "Tiếp nhận", QUEUE_CHAT)
            if i % 2 == 0:
                clock.advance(hours=2)
                await driver.presses(lead, "Nhận xử lý", QUEUE_CHAT)
                if i < len(plan) // 2:
                    clock.advance(days=1)
                    await driver.presses(lead, "Đóng", QUEUE_CHAT)
                    await driver.presses(lead, "Đã giải quyết", QUEUE_CHAT)
    clock.now = end
    return f"  {len(plan)} tin báo ở {len(MONTH_PLACES)} xã/phường"


LINK = re.compile(r"https?://\S+/login\?t=\S+")


async def serve_web(settings: Settings) -> None:
    """The web page over the demo database with the real clock, until Ctrl-C. The links
    come from the bot's answer to ``/web``, as an officer gets them."""
    from handlers.web.server import WebServer

    api = FakeBotApi(clock=system_clock)
    tinbao = await create(settings, request=api, clock=system_clock, rate_limiter=False)
    await tinbao.app.initialize()
    driver = Driver(tinbao, api)
    server = WebServer(tinbao.services)
    try:
        invite, _, _ = await tinbao.staff.create_invite(settings.province, "supervisor")
        supervisor = FakeUser(9003, "Lãnh đạo", last_name="Công an tỉnh")
        await driver.says(supervisor, f"/join {invite}")
        lead = FakeUser(9001, "Hùng", last_name="Trần")
        links = []
        for officer in (supervisor, lead):
            await driver.says(officer, "/web")
            found = LINK.search(api.last_text(officer.id) or "")
            assert found, api.last_text(officer.id)
            links.append(found.group(0))
        await server.start()
        print(f"\n=== Trang web: http://{settings.web_host}:{server.port}/ ===")
        print("Mỗi liên kết mở được một lần, trong 10 phút (Ctrl-C để dừng):")
        print(f"  Lãnh đạo tỉnh (toàn tỉnh): {links[0]}")
        print(f"  Trưởng công an phường Tam Chúc (đơn vị): {links[1]}", flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        print("Đã dừng trang web.", flush=True)
    finally:
        await server.stop()
        await tinbao.app.shutdown()
        await tinbao.db.close()
