"""Every text the bot sends fits Telegram's limits: 4,096 UTF-16 units for a message,
1,024 for a caption (an emoji counts twice). The fake Bot API refuses more with Telegram's
own "Bad Request: message is too long", so a path that builds a longer text shows up here
as a refused call, or as a handler error."""

from __future__ import annotations

from bot.text import CAPTION_LIMIT, TEXT_LIMIT, fit, split_text, utf16_len
from tests.harness import Harness, file_tip
from tests.police import QUEUE, card_of, prompt, setup_unit

EMOJI = "😀"  # one code point, two UTF-16 units


def refused_for_length(h: Harness) -> list[str]:
    return [f"{c.method}: {c.error}" for c in h.api.calls if c.error and "too long" in c.error]


def texts_to(h: Harness, chat_id: int) -> list[str]:
    return [m.get("text", "") for m in h.api.sent_to(chat_id)]


# ---------------------------------------------------------------- the helpers


def test_fit_counts_utf16_units_and_marks_the_cut() -> None:
    assert fit("ngắn") == "ngắn"
    assert fit("a" * TEXT_LIMIT) == "a" * TEXT_LIMIT
    cut = fit(EMOJI * 3000)
    assert utf16_len(cut) <= TEXT_LIMIT and cut.endswith("…")
    assert cut[:-1] == EMOJI * len(cut[:-1])  # never half of a surrogate pair
    assert utf16_len(fit("x" * 2000, CAPTION_LIMIT)) <= CAPTION_LIMIT


def test_split_text_keeps_everything_in_parts_that_fit() -> None:
    assert split_text("một dòng") == ["một dòng"]
    text = "\n".join(f"dòng {i}: " + EMOJI * 40 for i in range(300))
    parts = split_text(text)
    assert len(parts) > 1 and all(utf16_len(p) <= TEXT_LIMIT for p in parts)
    assert "\n".join(parts) == text  # cut at line ends, nothing lost
    unbroken = EMOJI * 5000  # no line end, no space: cut anywhere but inside a pair
    parts = split_text(unbroken)
    assert all(utf16_len(p) <= TEXT_LIMIT for p in parts) and "".join(parts) == unbroken


# ---------------------------------------------------------------- the paths


async def test_card_of_a_long_emoji_description_fits(h: Harness) -> None:
    """The card cut the description at 2,500 code points: 5,000 units of emoji."""
    await setup_unit(h)
    code = await file_tip(h.citizen(), text="Mô tả: " + EMOJI * 3990)
    assert refused_for_length(h) == []
    card = card_of(h, QUEUE, code)
    assert utf16_len(card["text"]) <= TEXT_LIMIT and f"/tip {code}" in card["text"]


async def test_a_long_question_reaches_the_citizen_whole(h: Harness) -> None:
    """A 4,000-character question plus the notice around it was over the limit."""
    _lead, officer = await setup_unit(h)
    group = h.group("CA Tam Chúc", QUEUE)
    citizen = h.citizen()
    await file_tip(citizen)
    question = "Bạn có nhớ thêm chi tiết nào không? " * 111  # 3,996 characters
    await officer.presses("Hỏi thêm", chat=group)
    await officer.replies(prompt(h, QUEUE), question, chat=group)
    await officer.presses("Gửi", chat=group)  # after reading the (long) preview
    await h.flush()
    assert refused_for_length(h) == [] and h.errors == []
    received = "".join(texts_to(h, citizen.chat_id))
    assert question.strip() in received.replace("\n", "")
    with_button, _ = citizen.find_button("Trả lời")  # on the part that ends the notice
    assert "Bấm «Trả lời»" in with_button["text"]


async def test_a_long_addition_reaches_the_queue_whole(h: Harness) -> None:
    """The citizen's 4,000 characters (emoji: 8,000 units) plus the relay's header."""
    await setup_unit(h)
    citizen = h.citizen()
    code = await file_tip(citizen)
    addition = "Bổ sung " + EMOJI * 3990
    await citizen.says(f"/status {code}")
    await citizen.presses("Bổ sung thông tin")
    await citizen.says(addition)
    await h.flush()
    assert refused_for_length(h) == [] and h.errors == []
    relayed = [t for t in texts_to(h, QUEUE) if EMOJI in t]
    assert len(relayed) > 1 and all(utf16_len(t) <= TEXT_LIMIT for t in relayed)
    assert addition in "".join(relayed).replace("\n", "")


async def test_tip_view_with_a_long_history_is_sent_in_parts(h: Harness) -> None:
    _lead, officer = await setup_unit(h)
    citizen = h.citizen()
    code = await file_tip(citizen, text="Mô tả: " + EMOJI * 3990)
    await citizen.says(f"/status {code}")
    await citizen.presses("Bổ sung thông tin")
    for i in range(25):
        await citizen.says(f"Bổ sung lần {i}: " + "chi tiết " * 30)
    await h.flush()
    await officer.says(f"/tip {code}", chat=h.group("CA Tam Chúc", QUEUE))
    assert refused_for_length(h) == [] and h.errors == []
    view = [t for t in texts_to(h, QUEUE) if "Lịch sử" in t]
    assert len(view) == 1
    tail = texts_to(h, QUEUE)[texts_to(h, QUEUE).index(view[0]) :]
    assert "ngày thứ 1/20" in "".join(tail)  # the clocks, after the whole history


async def test_the_sender_fits_any_outbox_text_rather_than_have_it_refused(h: Harness) -> None:
    """The last line of defence: a row whose text or caption is still too long (a path not
    yet known) is sent cut with a mark, not refused three times and reported as failed."""
    from handlers.telegram.fake.updates import new_file_ids
    from storage import outbox
    from storage.db import utc_text

    async with h.tinbao.db.transaction() as tx:
        at = utc_text(h.clock())
        await outbox.enqueue_text(tx, "dài " + EMOJI * 3000, at=at, purpose="test", chat_id=QUEUE)
        await outbox.enqueue(
            tx,
            at=at,
            method="sendPhoto",
            payload={"photo": new_file_ids("photo", 50_000)[0], "caption": "chú thích " * 200},
            purpose="test",
            chat_id=QUEUE,
        )
    assert await h.flush() == 2
    assert refused_for_length(h) == []
    text, photo = h.api.sent_to(QUEUE)[-2:]
    assert text["text"].endswith("…") and utf16_len(text["text"]) <= TEXT_LIMIT
    assert photo["caption"].endswith("…") and utf16_len(photo["caption"]) <= CAPTION_LIMIT
