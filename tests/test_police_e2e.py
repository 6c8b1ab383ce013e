"""Issue 8, as officers, citizens and an attacker would try it: prompts answered only by
their officer's reply in time, page buttons that cannot overwrite cards, tip data only
in the unit's own chats, staff commands never read as a citizen's, /join brute force.
Real Bot API JSON through the real Application, on a real SQLite file."""

from __future__ import annotations

from typing import Any

from tests.harness import Harness, Person, file_tip
from tests.test_queues_e2e import QUEUE, card_of, setup_unit, tip_id

PROMPT_MARK = "trả lời tin nhắn này"


def prompt_of(h: Harness, chat_id: int) -> dict[str, Any]:
    """The bot's newest prompt in the chat (the message an officer must reply to)."""
    for message in reversed(h.api.sent_to(chat_id)):
        if PROMPT_MARK in message.get("text", ""):
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
