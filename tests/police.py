"""The police side of the end-to-end scenarios, shared by the test modules that need a
bound unit: its chats, its staff, and how to find the bot's cards and prompts in them.

Phường Tam Chúc's queue group, a second queue and the province duty group; a lead and an
officer who joined by invite. Tests read cards and prompts the way an officer sees them,
from the messages the fake Bot API holds."""

from __future__ import annotations

import re
import sqlite3
from typing import Any

from tests.harness import Harness, Person

QUEUE = -100111
DUTY = -100999
OTHER_QUEUE = -100222
QUESTION = "Bạn có nhớ biển số xe không?"


async def setup_unit(h: Harness) -> tuple[Person, Person]:
    """A lead and an officer of Phường Tam Chúc, its queue group, and a province duty chat."""
    staff = h.tinbao.staff
    lead_code, _, _ = await staff.create_invite("Tam Chúc", "lead")
    officer_code, _, _ = await staff.create_invite("Tam Chúc", "officer")
    sup_code, _, _ = await staff.create_invite("Ninh Bình", "supervisor")
    lead, officer, sup = h.officer(501, "Hùng"), h.officer(502, "Mai"), h.officer(503, "Sơn")
    await lead.says(f"/join {lead_code}")
    assert "trưởng công an" in lead.last()
    await officer.says(f"/join {officer_code}")
    await sup.says(f"/join {sup_code}")
    await lead.says("/bindqueue", chat=h.group("CA Tam Chúc", QUEUE))
    assert "nhóm tiếp nhận" in h.api.last_text(QUEUE)
    await sup.says("/bindduty", chat=h.group("Trực ban", DUTY))
    assert "nhóm trực ban" in h.api.last_text(DUTY)
    return lead, officer


def prompt(h: Harness, chat_id: int) -> dict[str, Any]:
    """The bot's newest prompt in the chat: officers answer by replying to it."""
    for message in reversed(h.api.sent_to(chat_id)):
        if "trả lời tin nhắn này" in message.get("text", ""):
            return message
    raise AssertionError(f"no prompt in {chat_id}")


def card_of(h: Harness, chat_id: int, code: str) -> dict[str, Any]:
    """The tip's card in the chat (its current, edited state)."""
    for message in h.api.sent_to(chat_id):
        if code in message.get("text", "") and "TIN BÁO" in message.get("text", ""):
            return message
    raise AssertionError(f"no card for {code} in {chat_id}")


def tip_id(h: Harness, code: str) -> int:
    """The tip's row id, to forge a button press the way a stale or crafted client would."""
    con = sqlite3.connect(h.tinbao.settings.database_path)
    try:
        row = con.execute("SELECT id FROM tips WHERE code = ?", (re.sub("-", "", code),)).fetchone()
    finally:
        con.close()
    assert row is not None
    return int(row[0])


def questions_to(citizen: Person) -> int:
    """How many times the officers' question (``QUESTION``) reached the citizen."""
    return len([m for m in citizen.messages() if QUESTION in m.get("text", "")])
