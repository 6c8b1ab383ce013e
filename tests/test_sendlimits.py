"""Issue 9: Telegram's flood limits as the sender keeps them.

:class:`handlers.telegram.sendlimits.SendLimits` is what the sender schedules with (the fake Bot
API's
own enforcement, :class:`handlers.telegram.fake.botapi.FloodRules`, is tested in
``test_fakeapi.py``). A
hand-moved clock drives it: nothing here sleeps.
"""

from __future__ import annotations

import math

import pytest

from handlers.telegram.sendlimits import Limits, SendLimits, chat_key, message_count
from tests.dates import Tick

PRIVATE_A, PRIVATE_B = 1001, 1002
GROUP_A, GROUP_B = -100111, -100222


@pytest.fixture
def tick() -> Tick:
    return Tick()


def send(limits: SendLimits, chat: int, messages: int = 1) -> bool:
    """Admit and finish one call at once (a zero round trip); whether it was admitted."""
    ticket = limits.try_take(chat, messages)
    if ticket is None:
        return False
    ticket.done()
    return True


# ---------------------------------------------------------------- SendLimits


def test_overall_thirty_per_second_counted_from_when_calls_end(tick: Tick) -> None:
    limits = SendLimits(now=tick)
    tickets = [limits.try_take(PRIVATE_A + i) for i in range(30)]
    assert all(tickets)
    assert limits.try_take(5000) is None
    assert limits.ready_at(5000) == math.inf  # hangs on the calls in flight
    tick.advance(0.05)
    for ticket in tickets:
        assert ticket is not None
        ticket.done()  # the answers are back: Telegram has surely counted them by now
    assert limits.ready_at(5000) == pytest.approx(tick.t + 1.0)
    tick.advance(0.999)
    assert limits.try_take(5000) is None
    tick.advance(0.001)
    assert send(limits, 5000)


def test_a_private_chat_gets_one_call_per_second_and_others_are_not_held(tick: Tick) -> None:
    limits = SendLimits(now=tick)
    assert send(limits, PRIVATE_A)
    tick.advance(0.5)
    assert not send(limits, PRIVATE_A)
    assert limits.chat_ready_at(PRIVATE_A) == pytest.approx(tick.t + 0.5)
    assert send(limits, PRIVATE_B)  # another chat is not held up
    tick.advance(0.5)
    assert send(limits, PRIVATE_A)


def test_a_group_gets_twenty_per_rolling_minute_with_no_burst_on_top(tick: Tick) -> None:
    limits = SendLimits(now=tick)
    first = tick.t
    for _ in range(20):
        assert send(limits, GROUP_A)
        tick.advance(1.0)  # spread over 20 s
    assert not send(limits, GROUP_A)
    assert send(limits, GROUP_B)  # another group has its own window
    assert limits.chat_ready_at(GROUP_A) == pytest.approx(first + 60)
    tick.t = first + 60
    assert send(limits, GROUP_A)  # the first left the window: exactly one more fits
    assert not send(limits, GROUP_A)
    tick.advance(1.0)
    assert send(limits, GROUP_A)


def test_an_album_counts_per_item_but_is_one_call_to_a_private_chat(tick: Tick) -> None:
    limits = SendLimits(now=tick)
    assert send(limits, GROUP_A, 10)
    assert send(limits, GROUP_A, 10)
    assert not send(limits, GROUP_A, 1)  # 20 items fill the group's minute
    assert send(limits, PRIVATE_A, 9)  # 29 of 30 overall
    assert not send(limits, PRIVATE_B, 2)
    assert send(limits, PRIVATE_B, 1)


def test_a_cancelled_call_counts_nothing(tick: Tick) -> None:
    limits = SendLimits(now=tick)
    ticket = limits.try_take(PRIVATE_A)
    assert ticket is not None
    ticket.cancel()
    ticket.done()  # the first close counts
    assert send(limits, PRIVATE_A)


def test_a_429_blocks_that_chat_only(tick: Tick) -> None:
    limits = SendLimits(now=tick)
    limits.back_off(GROUP_A, 600)
    assert not send(limits, GROUP_A)
    assert limits.ready_at(GROUP_A) == pytest.approx(tick.t + 600)
    for i in range(30):
        assert send(limits, PRIVATE_A + i)
    tick.advance(600)
    assert send(limits, GROUP_A)


def test_the_chat_that_needs_longest_to_drain_ranks_first(tick: Tick) -> None:
    limits = SendLimits(now=tick)
    assert limits.drain_time(GROUP_A, 1) == 0
    assert limits.drain_time(GROUP_A, 20) == 0  # fits one window
    assert limits.drain_time(GROUP_A, 21) == 60
    assert limits.drain_time(PRIVATE_A, 3) == 2
    assert limits.drain_time(GROUP_A, 41) > limits.drain_time(PRIVATE_A, 60)


def test_what_counts_as_a_message() -> None:
    assert message_count("sendMessage", {}) == 1
    assert message_count("sendMediaGroup", {"media": [{}, {}, {}]}) == 3
    assert message_count("copyMessages", {"message_ids": [1, 2]}) == 2
    assert message_count("editMessageText", {}) == 1  # paced though not documented
    for free in ("deleteMessage", "pinChatMessage", "answerCallbackQuery", "sendChatAction"):
        assert message_count(free, {}) == 0
    assert chat_key("-100123") == -100123
    assert chat_key("tinbao") == "@tinbao"


def test_shrunk_limits_for_fast_tests(tick: Tick) -> None:
    limits = SendLimits(Limits(overall=2, private_interval=0.1, group=1, group_window=0.5), tick)
    assert send(limits, PRIVATE_A)
    assert send(limits, GROUP_A)
    assert not send(limits, PRIVATE_B)  # 2 per second overall
    tick.advance(1.0)
    assert send(limits, GROUP_A)
