"""Callback data is untrusted: only well-formed, versioned, known-scope data parses."""

from __future__ import annotations

import pytest

from bot.callbacks import Callback, decode, encode


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
    ],
)
def test_forged_or_malformed_data_parses_to_nothing(data: str | None) -> None:
    assert decode(data) is None


def test_encode_refuses_what_decode_would_refuse() -> None:
    with pytest.raises(ValueError):
        encode("q", "ack", "x" * 70)
    with pytest.raises(ValueError):
        encode("z", "ack", "1")
