"""Callback data is untrusted: only well-formed, versioned, known-scope data parses."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import wanted
from bot.callbacks import Callback, Scope, decode, encode, prefix
from tests.harness import Harness

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "wanted" / "notices.csv"


def test_round_trip() -> None:
    assert decode(encode("q", "ack", "42")) == Callback("q", "ack", "42")
    assert decode(encode("c", "relay", "7Q2KM9XDTR4C")) == Callback("c", "relay", "7Q2KM9XDTR4C")


@pytest.mark.parametrize(
    "data",
    [
        None,
        "",
        "q2|ack|42",  # another version
        "x1|ack|42",  # unknown scope
        "q1|ack",  # missing part
        "q1|ack|42|extra",
        "q1|ACK|42",  # actions are lower case
        "q1|ack|4 2",
        "q1|ack|' OR 1=1",
        "q1|ack|" + "9" * 60,  # over Telegram's 64 bytes
        "q1|ác|42",
        "q1|ack|42\n",  # "$" would let a trailing newline through
        "c1|menu\n|report",
    ],
)
def test_forged_or_malformed_data_parses_to_nothing(data: str | None) -> None:
    assert decode(data) is None


def test_one_codec_for_every_scope_with_its_own_grammar() -> None:
    """The wanted scope takes its two actions and ASCII digits only; the data of buttons
    sent before the codec was one (``c1``, ``q1``, ``w1``) is read as it always was."""
    assert encode(Scope.WANTED, "seen", 12) == "w1|seen|12"
    assert decode("w1|page|0") == Callback(Scope.WANTED, "page", "0")
    assert decode("w1|seen|12", Scope.WANTED) is not None
    assert decode("w1|seen|12", Scope.QUEUE) is None  # another scope's button
    assert decode("q1|page|7:2") == Callback(Scope.QUEUE, "page", "7:2")
    assert decode("c1|menu|report", Scope.CITIZEN) == Callback("c", "menu", "report")
    seen = decode("w1|seen|12")
    assert seen is not None and seen.number == 12
    for forged in ("w1|seen|abc", "w1|seen|-1", "w1|drop|1", "w1|seen|1234567890", "w1|ack|1"):
        assert decode(forged) is None, forged
    with pytest.raises(ValueError):
        encode(Scope.WANTED, "delete", 1)
    with pytest.raises(ValueError):
        encode(Scope.WANTED, "seen", "x")
    assert [prefix(scope) for scope in Scope] == ["c1|", "q1|", "w1|"]


def test_encode_refuses_what_decode_would_refuse() -> None:
    with pytest.raises(ValueError):
        encode("q", "ack", "x" * 70)
    with pytest.raises(ValueError):
        encode("z", "ack", "1")


def test_undecodable_data_parses_to_nothing() -> None:
    # A lone surrogate cannot be encoded to UTF-8: Telegram never sends it, a forger may.
    assert decode("c1|menu|\ud800") is None
    assert decode("\udfff") is None


async def test_forged_undecodable_or_foreign_digit_data_is_a_stale_button(h: Harness) -> None:
    """Through the Application: each forged press is answered "out of date" (pop-up) and
    changes nothing; nothing raises, nothing is posted, no sighting starts."""
    report = await wanted.import_csv(h.tinbao.db, SAMPLES, clock=h.clock)
    assert report.ok
    citizen = h.citizen()
    await citizen.says("/start")
    menu = citizen.messages()[-1]
    errors: list[object] = []

    async def record(update: object, context: object) -> None:
        errors.append(getattr(context, "error", None))

    h.tinbao.app.add_error_handler(record)
    sent_before = len(citizen.messages())
    for data in (
        "c1|menu|\ud800",
        "q1|ack|\ud800",
        "w1|seen|\ud800",
        "w1|page|\udfff",
        "w1|seen|\u0661",  # ARABIC-INDIC DIGIT ONE: a digit to \d, never our encoding
        "w1|seen|1\n",
        "\ud800",
    ):
        await citizen.sends(h.updates.callback(citizen.user, menu, data))
    assert errors == []
    answers = h.api.calls_of("answerCallbackQuery")[-7:]
    assert len(answers) == 7
    assert all(a.params.get("show_alert") for a in answers)
    assert all("cũ" in str(a.params.get("text")) for a in answers)  # "Nút này đã cũ…"
    assert len(citizen.messages()) == sent_before
    async with h.tinbao.db.read() as tx:
        assert await tx.scalar("SELECT COUNT(*) FROM dialogues") == 0


async def test_a_page_number_in_other_digits_shows_the_first_page(h: Harness) -> None:
    """``"²".isdigit()`` is true but ``int("²")`` raises: only ASCII digits are a page."""
    report = await wanted.import_csv(h.tinbao.db, SAMPLES, clock=h.clock)
    assert report.ok
    errors: list[object] = []

    async def record(update: object, context: object) -> None:
        errors.append(getattr(context, "error", None))

    h.tinbao.app.add_error_handler(record)
    citizen = h.citizen()
    await citizen.says("/dstruyna ²")
    assert errors == []
    assert citizen.find_button("Tôi đã nhìn thấy người này")
