"""Telegram's flood limits, kept by tinbao itself rather than learnt from 429s (issue 9).

Telegram's guidance (Bots FAQ, "My bot is hitting limits, how do I avoid this?"): in a
single chat avoid more than one message per second; in a group no more than 20 messages
per minute; in bulk no more than about 30 messages per second. Going over earns
``429 Too Many Requests`` with a ``retry_after``. :class:`SendLimits` keeps three rules
as sliding windows, the way :class:`handlers.telegram.fake.botapi.FakeBotApi` enforces them:

* overall: at most 30 messages in any 1 s;
* a private chat (a positive chat id): at most one call in any 1 s (an album is one call);
* a group, supergroup or channel (a negative id or an ``@username``): at most 20
  messages in any 60 s. No burst on top: the 21st waits until the 1st leaves the window.

What counts (:func:`message_count`): every method that posts messages (``send*`` but
``sendChatAction``, ``copyMessage(s)``, ``forwardMessage(s)``), an album or a multi-copy
as one message per item; and, unlike the fake, edits (``editMessage*``): Telegram
documents no figure for them but does throttle bots that edit fast, so they are paced like
messages. Deletions, pins, answers to button presses and reads are not limited.

Why windows count from the moment a call *ended*: Telegram counts a message when its
request arrives, some time after we start it and before its answer is back. Counting our
sends from their end (a send in flight counts as inside every window) is therefore never
behind Telegram's count, whatever the network does; it costs one round trip per window
(at 30 messages/s with a 50 ms round trip, about 5 % of the overall rate).

The sender asks without waiting (:meth:`SendLimits.try_take`, :meth:`SendLimits.ready_at`)
so that a chat that must wait holds up no other; calls made outside the sender (a handler's
direct reply) go through :class:`SendLimiter`, PTB's rate-limiter hook, which waits for
the same budget. A 429 blocks that chat only (:meth:`SendLimits.back_off`): unlike PTB's
``AIORateLimiter``, which pauses every request of the bot for a 429 in one chat and has no
per-private-chat limit, so tinbao no longer uses it.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

INF = math.inf
ChatKey = int | str

#: Methods that post messages; what Telegram's limits are about.
POSTING_METHODS: frozenset[str] = frozenset(
    m.lower()
    for m in (
        "sendMessage",
        "sendPhoto",
        "sendAudio",
        "sendDocument",
        "sendVideo",
        "sendAnimation",
        "sendVoice",
        "sendVideoNote",
        "sendPaidMedia",
        "sendMediaGroup",
        "sendLocation",
        "sendVenue",
        "sendContact",
        "sendPoll",
        "sendChecklist",
        "sendDice",
        "sendSticker",
        "sendInvoice",
        "sendGame",
        "copyMessage",
        "copyMessages",
        "forwardMessage",
        "forwardMessages",
    )
)


def message_count(method: str, params: Mapping[str, Any]) -> int:
    """How many messages a call counts for: 0 for calls that are not limited, the number
    of items for an album or a multi-copy, else 1. Edits count as 1 (see the module)."""
    name = method.lower()
    if name.startswith("editmessage"):
        return 1
    if name not in POSTING_METHODS:
        return 0
    if name == "sendmediagroup":
        return max(1, len(params.get("media") or ()))
    if name in ("copymessages", "forwardmessages"):
        return max(1, len(params.get("message_ids") or ()))
    return 1


def chat_key(value: Any) -> ChatKey | None:
    """A ``chat_id`` parameter as a key: an int, or an ``@username`` (always a group or
    channel: private chats have no usable username for bots)."""
    if value is None:
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip()
    try:
        return int(text)
    except ValueError:
        return text if text.startswith("@") else f"@{text}"


def is_private(chat: ChatKey) -> bool:
    return isinstance(chat, int) and chat > 0


def retry_after_seconds(exc: RetryAfter) -> float:
    """``RetryAfter.retry_after`` in seconds (PTB 22 gives an int or a timedelta)."""
    wait = exc._retry_after  # the public property warns about its coming type change
    return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)


@dataclass(frozen=True)
class Limits:
    """Telegram's figures; tests may shrink them."""

    overall: int = 30
    overall_window: float = 1.0
    private_interval: float = 1.0
    group: int = 20
    group_window: float = 60.0


class _Window:
    """At most ``size`` messages whose calls ended within the last ``span`` seconds; a call
    in flight counts as inside. An ending at ``t`` leaves the window at ``t + span``."""

    __slots__ = ("ended", "inflight", "size", "span")

    def __init__(self, size: int, span: float) -> None:
        self.size = size
        self.span = span
        self.ended: deque[float] = deque()
        self.inflight = 0

    def _trim(self, now: float) -> None:
        while self.ended and self.ended[0] + self.span <= now:
            self.ended.popleft()

    def ready_at(self, n: int, now: float) -> float:
        """When ``n`` more messages fit (``now`` if they do; ``INF`` while it depends on
        calls still in flight)."""
        self._trim(now)
        over = len(self.ended) + self.inflight + min(n, self.size) - self.size
        if over <= 0:
            return now
        if over > len(self.ended):
            return INF
        return self.ended[over - 1] + self.span

    def start(self, n: int) -> None:
        self.inflight += n

    def end(self, n: int, at: float | None) -> None:
        """The call ended at ``at``; ``None``: it never went out, nothing is counted."""
        self.inflight -= n
        if at is not None:
            at = max(at, self.ended[-1]) if self.ended else at  # keep the deque ordered
            self.ended.extend([at] * n)

    def idle(self, now: float) -> bool:
        self._trim(now)
        return not self.ended and not self.inflight


@dataclass
class _Chat:
    window: _Window
    blocked_until: float = 0.0


class Ticket:
    """A send admitted by :class:`SendLimits`: say when it ended (:meth:`done`) or that it
    never went out (:meth:`cancel`). Either is idempotent; the first one counts."""

    __slots__ = ("_chat_count", "_limits", "_open", "chat", "messages")

    def __init__(self, limits: SendLimits, chat: ChatKey, messages: int, chat_count: int) -> None:
        self._limits = limits
        self.chat = chat
        self.messages = messages
        self._chat_count = chat_count
        self._open = True

    def done(self) -> None:
        self._close(self._limits.now())

    def cancel(self) -> None:
        self._close(None)

    def _close(self, at: float | None) -> None:
        if not self._open:
            return
        self._open = False
        self._limits._end(self, at)


class SendLimits:
    """The bot's send budget: overall, per private chat and per group (see the module).

    ``now`` is a monotonic clock in seconds: ``time.monotonic`` in production; tests pass
    one derived from their fake clock, so nothing here ever sleeps but :meth:`take`."""

    def __init__(
        self, limits: Limits | None = None, now: Callable[[], float] = time.monotonic
    ) -> None:
        self.limits = limits or Limits()
        self.now = now
        self._overall = _Window(self.limits.overall, self.limits.overall_window)
        self._chats: dict[ChatKey, _Chat] = {}
        self._admitted = 0

    def _chat(self, chat: ChatKey) -> _Chat:
        state = self._chats.get(chat)
        if state is None:
            if is_private(chat):
                window = _Window(1, self.limits.private_interval)
            else:
                window = _Window(self.limits.group, self.limits.group_window)
            state = self._chats[chat] = _Chat(window)
        return state

    def _chat_count(self, chat: ChatKey, messages: int) -> int:
        return 1 if is_private(chat) else messages  # a private chat's rule counts calls

    def chat_ready_at(self, chat: ChatKey, messages: int = 1) -> float:
        """When the chat itself (its window and any 429) lets ``messages`` more go."""
        now = self.now()
        state = self._chats.get(chat)
        if state is None:
            return now
        count = self._chat_count(chat, messages)
        return max(state.blocked_until, state.window.ready_at(count, now))

    def overall_ready_at(self, messages: int = 1) -> float:
        return self._overall.ready_at(messages, self.now())

    def ready_at(self, chat: ChatKey, messages: int = 1) -> float:
        """The earliest time (on :attr:`now`'s scale) a call of ``messages`` messages to
        ``chat`` may start; ``INF`` while that depends on calls in flight."""
        return max(self.chat_ready_at(chat, messages), self.overall_ready_at(messages))

    def try_take(self, chat: ChatKey, messages: int = 1) -> Ticket | None:
        """Admit the call now if every rule allows it, else ``None`` (never waits)."""
        if messages <= 0:
            return Ticket(self, chat, 0, 0)
        if self.ready_at(chat, messages) > self.now():
            return None
        state = self._chat(chat)
        count = self._chat_count(chat, messages)
        state.window.start(count)
        self._overall.start(messages)
        self._admitted += 1
        if self._admitted % 1000 == 0:
            self._forget_idle()
        return Ticket(self, chat, messages, count)

    async def take(self, chat: ChatKey, messages: int = 1) -> Ticket:
        """Wait (in real time) until the call may start, then admit it: for calls made
        outside the sender, which wait where they are."""
        while True:
            ticket = self.try_take(chat, messages)
            if ticket is not None:
                return ticket
            wait = self.ready_at(chat, messages) - self.now()
            await asyncio.sleep(min(max(wait, 0.005), 0.25))  # INF: a call in flight ends soon

    def back_off(self, chat: ChatKey, seconds: float) -> None:
        """Telegram answered 429 for ``chat``: nothing more goes to it for ``seconds``."""
        state = self._chat(chat)
        state.blocked_until = max(state.blocked_until, self.now() + seconds)

    def drain_time(self, chat: ChatKey, backlog: int) -> float:
        """The least time ``backlog`` messages need to reach ``chat`` under its own limit
        (ignoring what its window already holds): the sender serves the chats that need
        longest first, because a window left unused now is lost for good."""
        if backlog <= 1:
            return 0.0
        if is_private(chat):
            return (backlog - 1) * self.limits.private_interval
        return ((backlog - 1) // self.limits.group) * self.limits.group_window

    def _end(self, ticket: Ticket, at: float | None) -> None:
        if ticket.messages <= 0:
            return
        self._overall.end(ticket.messages, at)
        state = self._chats.get(ticket.chat)
        if state is not None:
            state.window.end(ticket._chat_count, at)

    def _forget_idle(self) -> None:
        now = self.now()
        for chat in [c for c, s in self._chats.items() if s.window.idle(now)]:
            if self._chats[chat].blocked_until <= now:
                del self._chats[chat]


class SendLimiter(BaseRateLimiter[Ticket]):
    """PTB's rate-limiter hook over a :class:`SendLimits`: a call the sender admitted
    comes with its :class:`Ticket` as ``rate_limit_args`` and goes straight through;
    any other call that posts waits for the shared budget, in its own task only. A 429
    blocks its chat (and is raised to the caller, which decides when to try again); no
    other chat and no other call is paused."""

    def __init__(self, limits: SendLimits) -> None:
        self.limits = limits

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: Ticket | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        chat = chat_key(data.get("chat_id"))
        own: Ticket | None = None
        if rate_limit_args is None and chat is not None:
            messages = message_count(endpoint, data)
            if messages:
                own = await self.limits.take(chat, messages)
        try:
            return await callback(*args, **kwargs)
        except RetryAfter as exc:
            if chat is not None:
                self.limits.back_off(chat, retry_after_seconds(exc))
            raise
        finally:
            if own is not None:
                own.done()
