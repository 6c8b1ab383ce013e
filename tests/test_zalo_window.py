"""Issue 11, the relay across channels: an OA may write to a Zalo user only within 7 days
of the user's last message. Outside it an officer's question or a status notice is held
(never failed, never lost, Zalo not even called), the unit is told once in reply to the
tip's card, and the moment the citizen writes again (a signed webhook event) what waited
goes, in order, and the unit hears that it reached them. The fake clock crosses the 7 days."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.police import DUTY, QUESTION, QUEUE, card_of, prompt, setup_unit
from tests.zalo import UID, ZaloCitizen, ZaloWorld, close_zalo, open_zalo

HELD = "chưa liên lạc được với người báo tin"
REACHED = "đã được gửi tới họ"


@pytest.fixture
async def w(tmp_path: Path) -> AsyncIterator[ZaloWorld]:
    world = await open_zalo(tmp_path)
    try:
        yield world
    finally:
        await close_zalo(world)


async def filed(w: ZaloWorld) -> tuple[ZaloCitizen, str]:
    await setup_unit(w.h)
    citizen = w.citizen()
    code = await citizen.file_tip()
    assert code in card_of(w.h, QUEUE, code)["text"]
    return citizen, code


async def ask(w: ZaloWorld, question: str = QUESTION) -> None:
    officer = w.h.officer(502, "Mai")
    group = w.h.group("CA Tam Chúc", QUEUE)
    await officer.presses("Hỏi thêm", chat=group)
    await officer.replies(prompt(w.h, QUEUE), question, chat=group)
    await officer.presses("Gửi", chat=group)
    await w.flush()


def notices(w: ZaloWorld, mark: str) -> list[dict[str, object]]:
    return [m for m in w.h.api.sent_to(QUEUE) if mark in str(m.get("text", ""))]


async def test_inside_the_window_the_question_goes_at_once(w: ZaloWorld) -> None:
    citizen, _ = await filed(w)
    w.h.clock.advance(days=6, hours=23)
    await ask(w)
    assert QUESTION in citizen.last()
    assert notices(w, HELD) == []


async def test_a_question_outside_the_window_waits_for_the_citizens_next_message(
    w: ZaloWorld,
) -> None:
    citizen, code = await filed(w)
    calls = len(w.oa.calls)
    w.h.clock.advance(days=7, minutes=1)
    await ask(w)
    assert len(w.oa.calls) == calls  # Zalo is not even asked
    rows = await w.rows()
    held = [r for r in rows if r[1] in ("question", "notify_ack")]
    assert held and all(status == "pending" and at for _, _, status, at in held)
    (told,) = notices(w, HELD)
    assert told["reply_to_message"]["message_id"] == card_of(w.h, QUEUE, code)["message_id"]
    assert "Zalo" not in str(told["text"])  # the police see no channel

    # a second question meanwhile waits too; the unit is not told twice
    w.h.clock.advance(days=2)
    await ask(w, "Người đó đi xe gì?")
    assert len(w.oa.calls) == calls and len(notices(w, HELD)) == 1

    # the citizen writes again, eleven days on: what waited goes, in order, at once
    w.h.clock.advance(days=2)
    assert await citizen.writes("Tôi đây") == 200
    await w.flush()
    texts = citizen.texts()
    first = next(i for i, x in enumerate(texts) if QUESTION in x)
    second = next(i for i, x in enumerate(texts) if "Người đó đi xe gì?" in x)
    assert first < second
    assert all(status == "sent" for _, _, status, _ in await w.rows())
    (reached,) = notices(w, REACHED)
    assert reached["reply_to_message"]["message_id"] == card_of(w.h, QUEUE, code)["message_id"]
    assert "Zalo" not in str(reached["text"])


async def test_zalos_own_out_of_window_answer_holds_the_row_too(w: ZaloWorld) -> None:
    citizen, _ = await filed(w)
    w.oa.fail_next(-230, "User has not interacted with the OA in the past 7 days")
    await ask(w)
    assert all(QUESTION not in x for x in citizen.texts())
    assert [r[2] for r in await w.rows() if r[1] == "question"] == ["pending"]
    assert len(notices(w, HELD)) == 1
    assert await citizen.writes("Alo") == 200
    await w.flush()
    assert any(QUESTION in x for x in citizen.texts())
    assert len(notices(w, REACHED)) == 1


async def test_a_status_notice_outside_the_window_waits_too(w: ZaloWorld) -> None:
    citizen, code = await filed(w)
    w.h.clock.advance(days=8)
    officer = w.h.officer(502, "Mai")
    await officer.presses("Tiếp nhận", chat=w.h.group("CA Tam Chúc", QUEUE))
    await w.flush()
    assert all("đã tiếp nhận" not in x for x in citizen.texts())
    (told,) = notices(w, HELD)
    assert told["reply_to_message"]["message_id"] == card_of(w.h, QUEUE, code)["message_id"]
    await citizen.says("Cho hỏi tin báo của tôi thế nào rồi?")
    assert any("đã tiếp nhận" in x for x in citizen.texts())
    assert len(notices(w, REACHED)) == 1


async def test_a_redelivered_event_releases_nothing_twice(w: ZaloWorld) -> None:
    citizen, _ = await filed(w)
    w.h.clock.advance(days=8)
    await ask(w)
    event = w.oa.text_event(UID, "Tôi đây")
    assert await w.oa.deliver(w.url, event) == 200
    assert await w.oa.deliver(w.url, event) == 200  # Zalo's retry
    await w.h.tinbao.inbox.drain()
    await w.flush()
    assert len([x for x in citizen.texts() if QUESTION in x]) == 1
    assert len(notices(w, REACHED)) == 1


async def test_the_fake_oa_refuses_a_user_outside_the_window(w: ZaloWorld) -> None:
    citizen = w.citizen()
    await citizen.says("xin chào")
    w.h.clock.advance(days=7, seconds=1)
    assert w.oa.outside_window(UID)
    assert not w.oa.outside_window("1")  # never seen writing: the fake lets it through


async def test_held_messages_do_not_make_the_outbox_look_stuck(w: ZaloWorld) -> None:
    from datetime import timedelta

    from storage.db import utc_text
    from storage.status import open_read_only, read_figures

    await filed(w)
    w.h.clock.advance(days=8)
    await ask(w)
    w.h.clock.advance(hours=5)
    conn = open_read_only(str(w.h.tinbao.settings.database_path))
    try:
        figures = read_figures(conn, utc_text(w.h.clock() - timedelta(days=1)))
    finally:
        conn.close()
    assert figures.outbox_pending >= 1  # counted as waiting
    assert figures.outbox_oldest_pending is None  # but nothing is stuck


async def test_messages_held_for_a_reporter_purged_meanwhile_end_quietly(w: ZaloWorld) -> None:
    await filed(w)
    w.h.clock.advance(days=8)
    await ask(w)
    alerts = len(w.h.api.sent_to(DUTY))
    async with w.h.tinbao.db.transaction() as tx:  # the retention purge, as it writes it
        await tx.execute(
            "UPDATE reporters SET identity_enc = NULL, phone_enc = NULL, blind_index = NULL"
        )
    await w.flush()
    held = [r for r in await w.rows_of_all() if r[1] in ("question", "notify_ack")]
    assert held and all(status == "failed" for _, _, status, _ in held)
    assert len(w.h.api.sent_to(DUTY)) == alerts  # nobody must act on a purge


async def test_a_refusal_crossing_the_citizens_new_message_holds_nothing(w: ZaloWorld) -> None:
    from bot import reach
    from storage import reporters
    from storage.db import utc_text
    from tests.zalo import zalo_person

    citizen, _ = await filed(w)
    t = w.h.tinbao
    async with t.db.read() as tx:
        before = await reporters.find(tx, t.people.subject(zalo_person(UID)))
    assert before is not None and before.last_inbound_at is not None
    w.h.clock.advance(days=8)
    await citizen.writes("Tôi vẫn ở đây")  # arrives while Zalo's refusal is on its way back
    async with t.db.transaction() as tx:
        held = await reach.cannot_reach(
            tx, before.id, utc_text(w.h.clock()), seen_inbound=before.last_inbound_at
        )
        after = await reporters.get(tx, before.id)
    assert held is False and after is not None and after.unreachable_since is None
    await w.flush()
    assert all(status == "sent" for _, _, status, _ in await w.rows())
