"""A scripted user for the demo, the benchmarks and the tests.

It speaks real Bot API JSON to the real Application (through ``process_update``) and
reads the bot's answers from the fake Bot API, pressing buttons by their visible label
the way a person would.
"""

from __future__ import annotations

from typing import Any

from handlers.telegram.app import Tinbao
from handlers.telegram.fake.botapi import FakeBotApi
from handlers.telegram.fake.updates import FakeChat, FakeUser

DEFAULT_DESCRIPTION = "Có nhóm thanh niên tụ tập đánh bạc ăn tiền tại quán nước."


class Driver:
    def __init__(self, tinbao: Tinbao, api: FakeBotApi) -> None:
        self.tinbao = tinbao
        self.api = api
        self.updates = api.factory()

    async def deliver(self, update: dict[str, Any], *, flush: bool = True) -> None:
        """As ``tinbao run`` receives it: stored in the inbox, then applied; with ``flush``
        the outbox is then delivered (replies leave through it)."""
        await self.tinbao.telegram.accept([update])
        await self.tinbao.inbox.drain()
        if flush:
            await self.tinbao.sender.flush()

    async def says(self, user: FakeUser, text: str, chat: FakeChat | None = None) -> dict[str, Any]:
        update = self.updates.text(user, text, chat=chat)
        await self.deliver(update)
        return update

    def find_button(self, chat_id: int, label: str) -> tuple[dict[str, Any], str]:
        """The newest message in the chat carrying a button whose text contains ``label``."""
        for message in reversed(self.api.sent_to(chat_id)):
            for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
                for button in row:
                    if label in button["text"] and "callback_data" in button:
                        return message, str(button["callback_data"])
        raise LookupError(f"no button {label!r} in chat {chat_id}")

    async def presses(
        self, user: FakeUser, label: str, chat_id: int | None = None, *, flush: bool = True
    ) -> dict[str, Any]:
        message, data = self.find_button(user.id if chat_id is None else chat_id, label)
        update = self.updates.callback(user, message, data)
        await self.deliver(update, flush=flush)
        return update

    async def file_tip(
        self,
        user: FakeUser,
        *,
        place: str = "tam chuk",
        choose: str = "Tam Chúc",
        text: str = DEFAULT_DESCRIPTION,
        urgent: bool = False,
        photos: int = 0,
        phone: str | None = None,
        flush: bool = True,
        category: str = "Tố giác tội phạm",
    ) -> str | None:
        """Walk the whole citizen dialogue; returns the receipt code shown (after the
        outbox is flushed), or None when ``flush`` is off."""
        await self.says(user, "/start")
        await self.presses(user, "Báo tin")
        await self.presses(user, category)
        await self.presses(user, "Đang xảy ra" if urgent else "Không, đã xảy ra rồi")
        await self.says(user, place)
        await self.presses(user, choose)
        await self.says(user, "Gần cổng chùa Tam Chúc, thôn Ba Sao")
        if not urgent:
            await self.presses(user, "Hôm nay")
            await self.presses(user, "Bỏ qua")
        await self.says(user, text)
        for _ in range(photos):
            await self.deliver(self.updates.photo(user))
        await self.presses(user, "Xong" if photos else "Bỏ qua")
        if phone:
            await self.presses(user, "Để lại số điện thoại")
            await self.deliver(self.updates.contact(user, phone))
        else:
            await self.presses(user, "Ẩn danh")
        await self.presses(user, "Gửi tin báo", flush=flush)
        if not flush:
            return None
        await self.tinbao.sender.flush()
        shown = self.api.last_text(user.id) or ""
        if "Mã tin báo của bạn:" not in shown:
            raise AssertionError(f"no receipt shown: {shown!r}")
        return shown.split("Mã tin báo của bạn:")[1].split()[0]
