"""Bot API faults while people use the bot (issue 9): what a person is shown must survive
a failed call, however the failure looks."""

from __future__ import annotations

from tests.harness import Harness, file_tip
from tests.test_queues_e2e import QUEUE as E2E_QUEUE
from tests.test_queues_e2e import card_of, setup_unit


async def test_an_officers_prompt_and_outcome_list_survive_failed_calls(h: Harness) -> None:
    """They are committed with the press and sent by the outbox; the press's pop-up is
    the only direct call, and its failure changes nothing."""
    _lead, officer = await setup_unit(h)
    group = h.group("CA Tam Chúc", E2E_QUEUE)
    code = await file_tip(h.citizen())
    card = card_of(h, E2E_QUEUE, code)
    h.api.fail_next("answerCallbackQuery", "5xx")
    h.api.fail_next("sendMessage", "timeout", chat_id=E2E_QUEUE)
    await officer.presses("Hỏi thêm", chat=group)
    assert "câu hỏi gửi người báo tin" not in (h.api.last_text(E2E_QUEUE) or "")
    h.clock.advance(seconds=2)  # the sender's back-off, on the product's clock
    await h.flush()
    prompt = h.api.sent_to(E2E_QUEUE)[-1]
    assert "câu hỏi gửi người báo tin" in prompt["text"]
    assert prompt["reply_to_message"]["message_id"] == card["message_id"]
    assert h.api.calls_of("sendMessage")[-1].params["reply_markup"] == {"force_reply": True}

    h.api.fail_next("sendMessage", "5xx", chat_id=E2E_QUEUE)
    await officer.presses("Đóng", chat=group)
    h.clock.advance(seconds=2)
    await h.flush()
    await officer.presses("Đã giải quyết", chat=group)
    pickers = [m for m in h.api.sent_to(E2E_QUEUE) if f"Đóng tin báo {code}" in m["text"]]
    assert len(pickers) == 1 and "reply_markup" not in pickers[0]  # used: no buttons left
    assert "Đã đóng (đã giải quyết)" in card_of(h, E2E_QUEUE, code)["text"]
