"""An in-process fake of the Telegram Bot API, plugged into PTB as its HTTP layer.

Why a fake *server* rather than mocked ``Bot`` methods: tinbao's delivery guarantees
(retry on 429/5xx, give up on "blocked", no double sends after a crash) live in how the
real ``telegram.ext.Application`` reacts to real Bot API answers.  Mocking ``Bot`` would
skip PTB's error mapping, ``Defaults``, ``Message.de_json`` and the ``Updater``'s offset
handling, exactly the places where such bugs hide.  So :class:`FakeBotApi` subclasses
``telegram.request.BaseRequest`` and answers ``do_request`` with the same JSON envelope
and HTTP status codes as ``api.telegram.org``::

    api = FakeBotApi()
    app = Application.builder().token(api.token).request(api).get_updates_request(api).build()

It keeps per-chat state (message ids, messages, membership) so edits and deletes fail
where Telegram's would, enforces Telegram's length and button limits, keeps uploaded files
for download, records every call for assertions and injects faults on demand.

It serves the Bot API methods tinbao and its tests call, no more: an unknown method is
Telegram's 404, and a ``parse_mode`` is refused (tinbao sends plain text; a renderer
that started sending markup would fail here rather than pass unchecked).

``FakeBotApi(enforce_limits=True)`` also keeps Telegram's flood limits and answers ``429
Too Many Requests`` with ``retry_after`` beyond them (see :class:`FloodRules`), so a
sender can be measured against them rather than trusted to keep them.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import json
import math
import mimetypes
import random
import re
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from telegram.error import TimedOut
from telegram.request import BaseRequest, RequestData

from bot.clock import Clock, system_clock
from handlers.telegram.fake.updates import (
    FakeUser,
    JSONDict,
    UpdateFactory,
    chat_member_json,
    new_file_ids,
    parse_file_id,
    photo_sizes,
    utf16_len,
)
from handlers.telegram.sendlimits import POSTING_METHODS

FaultKind = Literal[
    "429",
    "5xx",
    "500",
    "timeout",
    "timeout_after",
    "blocked",
    "chat_not_found",
    "kicked",
    "deactivated",
    "query_too_old",
]
"""Injectable failures.  ``5xx`` is a 502 Bad Gateway, ``500`` an Internal Server Error;
``timeout`` raises ``TimedOut`` *before* the call takes effect; ``timeout_after``
performs it and then raises, like a reply lost on the way back (the case that makes naive
retries double-send); ``query_too_old`` is Telegram's answer to an ``answerCallbackQuery``
after the press's answer window (the bot was down meanwhile)."""

TRANSIENT_FAULTS: tuple[FaultKind, ...] = ("500", "5xx", "429", "timeout", "timeout_after")
"""What a healthy bot must ride out: the default mix of :meth:`FakeBotApi.flaky`."""

_FAULT_KINDS: frozenset[str] = frozenset(get_args(FaultKind))

#: Update types Telegram withholds unless ``allowed_updates`` asks for them explicitly.
_OPT_IN_UPDATES: frozenset[str] = frozenset(
    {"chat_member", "message_reaction", "message_reaction_count"}
)

_MEDIA_KEYS: tuple[str, ...] = (
    "photo",
    "video",
    "document",
    "audio",
    "voice",
    "animation",
    "sticker",
    "video_note",
)
#: Methods a blocked/kicked chat rejects; reading chat info keeps working on Telegram.
_BLOCKABLE: tuple[str, ...] = ("send", "edit")

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
DOWNLOAD_LIMIT = 20 * 1024 * 1024
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"

#: Methods that post messages, counted by :class:`FloodRules` (lower case): the same
#: list the sender schedules by, since both follow what Telegram counts.
_POSTING: frozenset[str] = POSTING_METHODS


class FloodRules:
    """Telegram's flood limits as the fake enforces them (``enforce_limits=True``).

    Telegram's guidance (Bots FAQ): in a single chat avoid more than one message per
    second; in a group no more than 20 messages per minute; in bulk no more than about 30
    messages per second. The fake makes these strict sliding windows, measured when a
    request arrives and counting only calls that succeeded:

    * overall: a call is refused if the messages accepted in the last ``overall_window``
      (1 s) plus its own exceed ``overall`` (30);
    * a private chat: refused if any call to it was accepted in the last
      ``private_interval`` (1 s). Telegram tolerates short bursts here; the fake does not.
      An album is one call;
    * a group, supergroup or channel: refused if the messages accepted in the last
      ``group_window`` (60 s) plus its own exceed ``group`` (20): 20 may go at once, the
      21st only when the first leaves the window (no burst on top of the rate).

    Counted are the methods that post messages (``send*`` but ``sendChatAction``,
    ``copyMessage(s)``, ``forwardMessage(s)``), an album (``sendMediaGroup``) or a
    multi-copy as one message per item. Edits, deletions, pins and reads are not counted:
    Telegram publishes no figure for them. The answer is Telegram's: HTTP 429,
    ``{"ok": false, "error_code": 429, "description": "Too Many Requests: retry after N",
    "parameters": {"retry_after": N}}`` with N whole seconds until the call would fit.
    """

    def __init__(
        self,
        now: Callable[[], float],
        *,
        overall: int = 30,
        overall_window: float = 1.0,
        private_interval: float = 1.0,
        group: int = 20,
        group_window: float = 60.0,
    ) -> None:
        self.now = now
        self.overall = overall
        self.overall_window = overall_window
        self.private_interval = private_interval
        self.group = group
        self.group_window = group_window
        self._all: deque[float] = deque()
        self._chats: dict[int | str, deque[float]] = {}

    @staticmethod
    def messages(method: str, params: Mapping[str, Any]) -> int:
        name = method.lower()
        if name not in _POSTING:
            return 0
        if name == "sendmediagroup":
            return max(1, len(params.get("media") or ()))
        if name in ("copymessages", "forwardmessages"):
            return max(1, len(params.get("message_ids") or ()))
        return 1

    @staticmethod
    def _private(chat: int | str) -> bool:
        return isinstance(chat, int) and chat > 0

    @staticmethod
    def _recent(times: deque[float], now: float, span: float) -> deque[float]:
        while times and times[0] + span <= now:
            times.popleft()
        return times

    def refusal(self, method: str, params: Mapping[str, Any]) -> int | None:
        """Seconds to retry after if this call would break a limit now, else ``None``."""
        n = self.messages(method, params)
        chat = _norm_chat_id(params.get("chat_id"))
        if not n or chat is None:
            return None
        now = self.now()
        waits: list[float] = []
        recent = self._recent(self._all, now, self.overall_window)
        if len(recent) + n > self.overall:
            waits.append(recent[len(recent) + n - self.overall - 1] + self.overall_window - now)
        times = self._chats.get(chat)
        if times is not None:
            if self._private(chat):
                recent = self._recent(times, now, self.private_interval)
                if recent:
                    waits.append(recent[-1] + self.private_interval - now)
            else:
                recent = self._recent(times, now, self.group_window)
                if len(recent) + n > self.group:
                    waits.append(recent[len(recent) + n - self.group - 1] + self.group_window - now)
        if not waits:
            return None
        return max(1, math.ceil(max(waits)))

    def record(self, method: str, params: Mapping[str, Any]) -> None:
        """Count a call that succeeded."""
        n = self.messages(method, params)
        chat = _norm_chat_id(params.get("chat_id"))
        if not n or chat is None:
            return
        now = self.now()
        self._all.extend([now] * n)
        times = self._chats.setdefault(chat, deque())
        times.extend([now] * (1 if self._private(chat) else n))


@dataclass(slots=True)
class ApiCall:
    """One request the bot made.  ``params`` are the decoded parameters as Telegram sees
    them; uploaded files appear in ``files`` (part name to file name) and, when uploaded
    directly rather than via ``attach://``, as ``params[name] == "upload:<file name>"``.
    ``at`` is ``time.monotonic()`` when the request arrived (for measuring back-off);
    ``error`` is the failure answered (Telegram's description, or ``"timeout"``), ``None``
    on success; ``done`` turns true once the answer is produced."""

    method: str
    params: dict[str, Any]
    at: float
    files: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    done: bool = False

    @property
    def ok(self) -> bool:
        """Whether the call completed and succeeded."""
        return self.done and self.error is None


@dataclass(slots=True)
class _Flaky:
    rate: float
    kinds: tuple[FaultKind, ...]
    methods: frozenset[str] | None
    rng: random.Random
    retry_after: int
    injected: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class _Fault:
    method: str
    kind: str
    times: int
    chat_id: int | str | None
    retry_after: int
    migrate_to: int = 0  # kind "migrated": the supergroup that replaced the chat


class _ApiError(Exception):
    """An error answer; carried as an exception so handlers stay linear."""

    def __init__(self, code: int, description: str, parameters: JSONDict | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


def _bad(description: str) -> _ApiError:
    return _ApiError(400, f"Bad Request: {description}")


_INLINE_ACTIONS = frozenset(
    {
        "url",
        "callback_data",
        "web_app",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    }
)
_COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")


@dataclass(slots=True)
class _ChatState:
    """Everything the fake server knows about one chat."""

    chat: JSONDict
    next_id: int = 1
    messages: dict[int, JSONDict] = field(default_factory=dict)
    deleted: dict[int, JSONDict] = field(default_factory=dict)
    bot_member: JSONDict | None = None
    members: dict[int, JSONDict] = field(default_factory=dict)
    reply_keyboard: JSONDict | None = None

    @property
    def type(self) -> str:
        return str(self.chat["type"])


class _Req:
    """Parameters of one call with the small conversions every handler needs."""

    def __init__(
        self,
        params: dict[str, Any],
        files: dict[str, str],
        sizes: dict[str, int],
        data: dict[str, bytes] | None = None,
    ):
        self.params = params
        self.files = files
        self.sizes = sizes
        self.data = data or {}

    def get(self, key: str, default: Any = None) -> Any:
        return self.params.get(key, default)

    def require(self, key: str) -> Any:
        if key not in self.params or self.params[key] in ("", None):
            raise _bad(f"{key} is empty")
        return self.params[key]

    def int(self, key: str) -> int:
        value = self.require(key)
        try:
            return int(value)
        except (TypeError, ValueError):
            raise _bad(f"invalid {key} specified") from None


def _norm_chat_id(value: Any) -> int | str | None:
    """Telegram accepts ``chat_id`` as a number, a numeric string or ``@username``."""
    if value is None:
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    return text if text.startswith("@") else f"@{text}"


class FakeBotApi(BaseRequest):
    """A fake ``api.telegram.org`` for one bot, usable as both PTB request objects.

    ``strict_chats`` makes unknown chat ids fail with "chat not found" (as Telegram does
    for users who never pressed Start); by default any id is accepted so that tests may
    drive ``Application.process_update`` with updates the fake never saw.
    ``latency`` (seconds) is awaited on every call; even at 0 each call yields to the
    event loop once, as a real HTTP round trip would.
    ``enforce_limits`` answers 429 beyond Telegram's flood limits (:class:`FloodRules`),
    on ``limits_clock`` (seconds; by default ``time.monotonic`` with the system clock,
    else the seconds of ``clock``, so a test's fake clock drives the windows too).
    """

    def __init__(
        self,
        *,
        bot_id: int = 7_000_000_001,
        username: str = "tinbao_test_bot",
        first_name: str = "Tin báo",
        latency: float = 0.0,
        long_poll_cap: float = 0.2,
        strict_chats: bool = False,
        default_bot_status: str = "administrator",
        default_bot_rights: Mapping[str, bool] | None = None,
        clock: Clock = system_clock,
        enforce_limits: bool = False,
        limits_clock: Callable[[], float] | None = None,
    ) -> None:
        self.clock = clock
        if limits_clock is None:
            limits_clock = time.monotonic if clock is system_clock else lambda: clock().timestamp()
        #: Telegram's flood limits, when ``enforce_limits`` (see :class:`FloodRules`).
        self.flood: FloodRules | None = FloodRules(limits_clock) if enforce_limits else None
        self.bot_user = FakeUser(bot_id, first_name, username=username, is_bot=True)
        self.me: JSONDict = {
            **self.bot_user.to_dict(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.latency = latency
        self.long_poll_cap = long_poll_cap
        self.strict_chats = strict_chats
        self.default_bot_status = default_bot_status
        self.token_revoked = False
        self._webhook_url = ""
        self.default_bot_rights: dict[str, bool] = dict(
            default_bot_rights or {"can_post_messages": True, "can_pin_messages": True}
        )

        self.calls: list[ApiCall] = []
        self._chats: dict[int, _ChatState] = {}
        self._users: dict[int, JSONDict] = {}
        self._faults: list[_Fault] = []
        self._flaky: _Flaky | None = None
        self._blocked: dict[int | str, str] = {}
        self._migrated: dict[int, int] = {}  # basic group id -> its supergroup's id
        self._commands: dict[tuple[str, str], list[JSONDict]] = {}
        self._queries: dict[str, bool] = {}  # callback query id -> answered
        self._watchers: dict[int | None, list[asyncio.Queue[JSONDict]]] = {}

        self._media_by_file_id: dict[str, tuple[str, JSONDict | list[JSONDict]]] = {}
        self._file_paths: dict[str, tuple[str, int]] = {}  # path -> (file_id, size)
        self._file_bytes: dict[str, bytes] = {}  # uploads; other files download as zeros
        self._path_serial: Iterator[int] = itertools.count(1)
        self._media_group_serial: Iterator[int] = itertools.count(13_000_000_000_000_000)

        self._updates: list[JSONDict] = []
        self._next_update_id = 1
        self._max_pushed = 0
        self._allowed_updates: list[str] | None = None
        self._poll_generation = 0
        self._updates_changed = asyncio.Event()
        self._calls_changed = asyncio.Event()
        self._handlers: dict[str, tuple[str, Callable[[_Req], Any]]] = {
            name[len("_api_") :].lower(): (name[len("_api_") :], getattr(self, name))
            for name in dir(self)
            if name.startswith("_api_")
        }

    # -- BaseRequest ----------------------------------------------------------------------

    @property
    def token(self) -> str:
        """A token in Telegram's format whose id part is this bot's id."""
        return f"{self.me['id']}:AAFakeTokenForTinbaoTestsOnly0123456"

    @property
    def read_timeout(self) -> float | None:
        """PTB adds this to the long-poll ``timeout`` when computing its own deadline."""
        return 5.0

    async def initialize(self) -> None:
        """Nothing to open; PTB calls this once per request slot (twice when shared)."""

    async def shutdown(self) -> None:
        """Nothing to close; idempotent for the same reason as :meth:`initialize`."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Answer one HTTP request as ``api.telegram.org`` would: ``(status, body)``."""
        if "/file/bot" in url:
            return await self.download(url.split("/file/bot", 1)[1].split("/", 1)[1])
        name = url.rstrip("/").rsplit("/", 1)[-1]
        # A JSON round trip gives exactly what Telegram receives: PTB's StringEnums become
        # plain strings and the recorded params cannot alias PTB-owned objects.
        params: dict[str, Any] = (
            json.loads(json.dumps(request_data.parameters)) if request_data else {}
        )
        uploads: dict[str, tuple[str, bytes | None]] = {}
        if request_data is not None and request_data.contains_files:
            for part, (file_name, content, _mime) in request_data.multipart_data.items():
                data = content if isinstance(content, bytes) else None
                uploads[part] = (str(file_name or part), data)
        return await self.answer(name, params, uploads)

    async def answer(
        self,
        name: str,
        params: dict[str, Any],
        uploads: Mapping[str, tuple[str, bytes | None]] | None = None,
    ) -> tuple[int, bytes]:
        """Answer a call of method ``name`` with decoded ``params`` (JSON values, as
        Telegram parses them) and uploaded files (part name to ``(file name, bytes)``):
        what :meth:`do_request` does after decoding PTB's request, and what
        :mod:`handlers.telegram.fake.server` does after decoding an HTTP one. Raises ``TimedOut``
        for the
        ``timeout`` faults (an HTTP server drops the connection instead)."""
        if self.token_revoked:  # @BotFather's /revoke: every call is refused, as Telegram does
            refusal = {"ok": False, "error_code": 401, "description": "Unauthorized"}
            return 401, json.dumps(refusal).encode()
        files: dict[str, str] = {}
        sizes: dict[str, int] = {}
        data: dict[str, bytes] = {}
        if uploads:
            dumped = json.dumps(params, default=str)
            for part, (file_name, content) in uploads.items():
                files[part] = file_name
                sizes[part] = len(content) if content is not None else 100_000
                if content is not None:
                    data[part] = content
                if f"attach://{part}" not in dumped:
                    params[part] = f"upload:{files[part]}"
        canonical, handler = self._handlers.get(name.lower(), (name, None))
        call = ApiCall(canonical, params, time.monotonic(), files)
        self.calls.append(call)
        try:
            await asyncio.sleep(self.latency)
            fault = self._take_fault(call)
            if fault is not None and fault.kind != "timeout_after":
                return self._fault_answer(call, fault)
            if handler is None:
                return self._error(call, _ApiError(404, "Not Found: method not found"))
            if self.flood is not None:
                wait = self.flood.refusal(canonical, params)
                if wait is not None:
                    return self._error(
                        call,
                        _ApiError(
                            429, f"Too Many Requests: retry after {wait}", {"retry_after": wait}
                        ),
                    )
            req = _Req(params, files, sizes, data)
            try:
                if canonical == "getUpdates":
                    result = await self._get_updates(req)
                else:
                    result = handler(req)
            except _ApiError as exc:
                return self._error(call, exc)
            if self.flood is not None:
                self.flood.record(canonical, params)
            if fault is not None:  # timeout_after: it happened, the answer got lost
                call.error = "timeout"
                raise TimedOut("Timed out (fake: after the call took effect)")
            body = json.dumps({"ok": True, "result": result}, ensure_ascii=False)
            return 200, body.encode()
        except asyncio.CancelledError:
            call.error = "cancelled"
            raise
        finally:
            call.done = True
            self._notify_calls()

    # -- recording & waiting --------------------------------------------------------------

    def _notify_calls(self) -> None:
        self._calls_changed.set()
        self._calls_changed = asyncio.Event()

    def calls_of(self, method: str, *, ok_only: bool = False) -> list[ApiCall]:
        """Calls of ``method`` (case-insensitive), oldest first; ``ok_only`` drops the
        ones answered with an error, e.g. to count deliveries rather than attempts."""
        wanted = method.lower()
        return [c for c in self.calls if c.method.lower() == wanted and (c.ok or not ok_only)]

    def too_many_requests(self) -> list[ApiCall]:
        """Calls answered 429 (by an injected fault or by ``enforce_limits``)."""
        return [c for c in self.calls if (c.error or "").startswith("Too Many Requests")]

    def clear_calls(self) -> None:
        """Forget recorded calls (state such as messages and chats is kept)."""
        self.calls.clear()

    def mark(self) -> int:
        """The current number of calls, to pass as ``wait_for(since=...)``."""
        return len(self.calls)

    async def wait_for(
        self,
        method: str,
        predicate: Callable[[ApiCall], bool] | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - a plain deadline reads best in tests
        *,
        since: int = 0,
    ) -> ApiCall:
        """The first completed call of ``method`` at index ``since`` or later matching
        ``predicate``, waiting for it if needed; ``TimeoutError`` after ``timeout`` s.

        Calls count once answered, so that when this returns the message is stored."""
        wanted = method.lower()
        deadline = asyncio.get_running_loop().time() + timeout
        start = since  # calls before this are done and did not match
        while True:
            changed = self._calls_changed
            settled = True
            for index in range(start, len(self.calls)):
                call = self.calls[index]
                if not call.done:
                    settled = False  # e.g. a long poll in flight: look past it, come back
                    continue
                if call.method.lower() == wanted and (predicate is None or predicate(call)):
                    return call
                if settled:
                    start = index + 1
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise TimeoutError(f"no {method} call within {timeout} s")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)

    def watch(self, chat_id: int | None = None) -> asyncio.Queue[JSONDict]:
        """A queue receiving a copy of every message the bot sends or edits in
        ``chat_id`` (``None``: in any chat) from now on, the moment the fake stores it
        (an edited message comes again, with ``edit_date``). For many concurrent
        simulated users, cheaper than :meth:`wait_for`; :meth:`unwatch` when done."""
        queue: asyncio.Queue[JSONDict] = asyncio.Queue()
        self._watchers.setdefault(chat_id, []).append(queue)
        return queue

    def unwatch(self, queue: asyncio.Queue[JSONDict]) -> None:
        """Stop feeding a queue returned by :meth:`watch`."""
        for queues in self._watchers.values():
            if queue in queues:
                queues.remove(queue)

    def _tell_watchers(self, msg: JSONDict) -> None:
        chat_id = int(msg["chat"]["id"])
        for key in (chat_id, None):
            for queue in self._watchers.get(key, ()):
                queue.put_nowait(copy.deepcopy(msg))

    # -- fault injection ------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        kind: FaultKind,
        times: int = 1,
        chat_id: int | str | None = None,
        retry_after: int = 1,
    ) -> None:
        """Make the next ``times`` calls of ``method`` (``"*"``: any) fail with ``kind``,
        only those aimed at ``chat_id`` when given.  Rules are consumed in order."""
        if kind not in _FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; one of {sorted(_FAULT_KINDS)}")
        self._faults.append(
            _Fault(method.lower(), kind, times, _norm_chat_id(chat_id), retry_after)
        )

    def flaky(
        self,
        rate: float,
        kinds: Sequence[FaultKind] = TRANSIENT_FAULTS,
        *,
        seed: int = 0,
        methods: Iterable[str] | None = None,
        retry_after: int = 1,
    ) -> None:
        """From now on, fail each call (of ``methods``, case-insensitive; default every
        method, ``getUpdates`` included) with probability ``rate``, with a kind drawn
        uniformly from ``kinds``; a seeded RNG, so a run can be replayed. Rules of
        :meth:`fail_next` and blocked chats take precedence. ``rate=0`` stops it;
        :attr:`injected` counts what was injected, by kind."""
        unknown = set(kinds) - _FAULT_KINDS
        if unknown or not kinds:
            raise ValueError(
                f"unknown fault kinds {sorted(unknown)}; one of {sorted(_FAULT_KINDS)}"
            )
        if not 0 <= rate <= 1:
            raise ValueError("rate is a probability")
        previous = self._flaky.injected if self._flaky else {}
        self._flaky = _Flaky(
            rate,
            tuple(kinds),
            frozenset(m.lower() for m in methods) if methods is not None else None,
            random.Random(seed),
            retry_after,
            previous,
        )

    @property
    def injected(self) -> dict[str, int]:
        """Faults injected by :meth:`flaky` so far, by kind."""
        return dict(self._flaky.injected) if self._flaky else {}

    def block_chat(self, chat_id: int | str, kind: FaultKind | None = None) -> None:
        """Fail every send/copy/forward/edit/pin aimed at ``chat_id`` until
        :meth:`unblock_chat`: by default "blocked by the user" for private chats, "kicked"
        for groups.  (``timeout``/``429``/``5xx`` kinds make a flaky rather than dead chat.)"""
        key = _norm_chat_id(chat_id)
        assert key is not None
        if kind is None:
            kind = "kicked" if isinstance(key, str) or key < 0 else "blocked"
        if kind not in _FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}")
        self._blocked[key] = kind

    def unblock_chat(self, chat_id: int | str) -> None:
        """Undo :meth:`block_chat`."""
        self._blocked.pop(_norm_chat_id(chat_id) or 0, None)

    def migrate_chat(self, old_chat_id: int, new_chat_id: int) -> None:
        """Upgrade the basic group ``old_chat_id`` to the supergroup ``new_chat_id``, as
        Telegram does when a group gets a public link, many members or some admin
        settings: the supergroup keeps the title, the members and the bot's rights, and
        from then on every call aimed at the old id fails with 400 "group chat was
        upgraded to a supergroup chat" and ``parameters.migrate_to_chat_id`` (PTB raises
        ``ChatMigrated``).  The service messages that announce it come from
        :meth:`handlers.telegram.fake.updates.UpdateFactory.migration`."""
        old = self._state(old_chat_id, create=True)
        new = self._state(new_chat_id, create=True)
        new.chat.update({"type": "supergroup", "title": old.chat.get("title", "")})
        new.members.update(copy.deepcopy(old.members))
        if old.bot_member is not None:
            new.bot_member = copy.deepcopy(old.bot_member)
        self._migrated[old_chat_id] = new_chat_id

    def _take_fault(self, call: ApiCall) -> _Fault | None:
        target = _norm_chat_id(call.params.get("chat_id"))
        if isinstance(target, int) and target in self._migrated:
            return _Fault(call.method.lower(), "migrated", 1, target, 1, self._migrated[target])
        if target in self._blocked and call.method.startswith(_BLOCKABLE):
            return _Fault(call.method.lower(), self._blocked[target], 1, target, 1)
        for fault in self._faults:
            if fault.method not in ("*", call.method.lower()):
                continue
            if fault.chat_id is not None and fault.chat_id != target:
                continue
            fault.times -= 1
            if fault.times <= 0:
                self._faults.remove(fault)
            return fault
        flaky = self._flaky
        if flaky is None or flaky.rate <= 0:
            return None
        if flaky.methods is not None and call.method.lower() not in flaky.methods:
            return None
        if flaky.rng.random() >= flaky.rate:
            return None
        kind = flaky.rng.choice(flaky.kinds)
        flaky.injected[kind] = flaky.injected.get(kind, 0) + 1
        return _Fault(call.method.lower(), kind, 1, target, flaky.retry_after)

    def _fault_answer(self, call: ApiCall, fault: _Fault) -> tuple[int, bytes]:
        if fault.kind == "timeout":
            call.error = "timeout"
            raise TimedOut("Timed out (fake)")
        target = _norm_chat_id(call.params.get("chat_id"))
        errors: dict[str, _ApiError] = {
            "429": _ApiError(
                429,
                f"Too Many Requests: retry after {fault.retry_after}",
                {"retry_after": fault.retry_after},
            ),
            "5xx": _ApiError(502, "Bad Gateway"),
            "500": _ApiError(500, "Internal Server Error"),
            "blocked": _ApiError(403, "Forbidden: bot was blocked by the user"),
            "deactivated": _ApiError(403, "Forbidden: user is deactivated"),
            "chat_not_found": _bad("chat not found"),
            "query_too_old": _bad(QUERY_TOO_OLD[len("Bad Request: ") :]),
            "kicked": _ApiError(403, f"Forbidden: bot was kicked from the {self._kind(target)}"),
            "migrated": _ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": fault.migrate_to},
            ),
        }
        return self._error(call, errors[fault.kind])

    def _kind(self, chat_id: int | str | None) -> str:
        """ "group chat" / "supergroup chat" / "channel chat", as Telegram's errors say."""
        state = self._chats.get(chat_id) if isinstance(chat_id, int) else None
        if state is not None and state.type != "private":
            return f"{state.type} chat"
        if isinstance(chat_id, int) and chat_id < -1_000_000_000_000:
            return "supergroup chat"
        return "group chat"

    @staticmethod
    def _error(call: ApiCall, exc: _ApiError) -> tuple[int, bytes]:
        call.error = exc.description
        body: JSONDict = {"ok": False, "error_code": exc.code, "description": exc.description}
        if exc.parameters:
            body["parameters"] = exc.parameters
        return exc.code, json.dumps(body, ensure_ascii=False).encode()

    # -- inbound updates ------------------------------------------------------------------

    def factory(self) -> UpdateFactory:
        """An :class:`UpdateFactory` sharing this server's update and message ids and
        storing every message it builds, so the bot can reply to, copy or forward it."""
        return UpdateFactory(
            bot=self.bot_user,
            message_ids=self.allocate_message_id,
            observe=self.record_inbound,
            update_ids=self._allocate_update_id,
            clock=self.clock,
        )

    def _allocate_update_id(self) -> int:
        update_id = self._next_update_id
        self._next_update_id += 1
        return update_id

    def push_update(self, update: Mapping[str, Any]) -> JSONDict:
        """Queue an update for ``getUpdates`` and record its content (see
        :meth:`record_inbound`).  A missing ``update_id``, or one not above every id pushed
        so far (Telegram's ids only grow), is replaced by the next id; returns the dict
        actually queued."""
        queued = dict(update)
        update_id = queued.get("update_id")
        if not isinstance(update_id, int) or update_id <= self._max_pushed:
            update_id = queued["update_id"] = self._allocate_update_id()
        self._next_update_id = max(self._next_update_id, update_id + 1)
        self._max_pushed = update_id
        self.record_inbound(queued)
        self._updates.append(queued)
        self._updates_changed.set()
        self._updates_changed = asyncio.Event()
        return queued

    @property
    def pending_updates(self) -> list[JSONDict]:
        """Updates not yet confirmed by a ``getUpdates`` offset (delivered or not)."""
        return list(self._updates)

    def record_inbound(self, update: Mapping[str, Any]) -> None:
        """Learn from an update Telegram would have produced: store its message (so the
        bot can edit/copy/forward it and message ids stay in sequence), its users and
        chats, membership changes, and callback query ids.  Idempotent."""
        for key in ("message", "edited_message", "channel_post", "edited_channel_post"):
            msg = update.get(key)
            if isinstance(msg, dict):
                self._store_inbound(msg)
        query = update.get("callback_query")
        if isinstance(query, dict):
            self._learn_user(query.get("from"))
            self._queries.setdefault(str(query["id"]), False)
        for key in ("my_chat_member", "chat_member"):
            change = update.get(key)
            if isinstance(change, dict):
                state = self._learn_chat(change["chat"])
                self._learn_user(change.get("from"))
                member = copy.deepcopy(change["new_chat_member"])
                if key == "my_chat_member":
                    state.bot_member = member
                else:
                    self._learn_user(member.get("user"))
                    state.members[int(member["user"]["id"])] = member

    def _store_inbound(self, msg: JSONDict) -> None:
        state = self._learn_chat(msg["chat"])
        sender = msg.get("from")
        self._learn_user(sender)
        message_id = int(msg["message_id"])
        state.messages[message_id] = copy.deepcopy(msg)
        state.next_id = max(state.next_id, message_id + 1)
        self._register_media(msg)
        if isinstance(sender, dict) and state.type != "private":
            uid = int(sender["id"])
            if uid not in state.members or state.members[uid]["status"] in ("left", "kicked"):
                state.members[uid] = chat_member_json(sender, "member")
        for joined in msg.get("new_chat_members", []):
            self._learn_user(joined)
            if int(joined["id"]) == self.bot_user.id:
                state.bot_member = chat_member_json(self.me, "member")
            else:
                state.members[int(joined["id"])] = chat_member_json(joined, "member")
        left = msg.get("left_chat_member")
        if isinstance(left, dict):
            state.members[int(left["id"])] = chat_member_json(left, "left")
        keyboard = state.reply_keyboard
        if keyboard is not None and keyboard.get("one_time_keyboard"):
            state.reply_keyboard = None

    def _learn_user(self, user: Any) -> None:
        if isinstance(user, dict) and "id" in user:
            self._users[int(user["id"])] = dict(user)

    def _learn_chat(self, chat: JSONDict) -> _ChatState:
        chat_id = int(chat["id"])
        state = self._chats.get(chat_id)
        if state is None:
            state = self._chats[chat_id] = _ChatState(chat=dict(chat))
        else:
            state.chat.update(chat)
        return state

    # -- chats ----------------------------------------------------------------------------

    def allocate_message_id(self, chat_id: int) -> int:
        """The next message id in ``chat_id``; ids are per chat and shared by both sides."""
        state = self._state(chat_id, create=True)
        message_id = state.next_id
        state.next_id += 1
        return message_id

    def _state(self, chat_id: int, *, create: bool) -> _ChatState:
        state = self._chats.get(chat_id)
        if state is None:
            if not create:
                raise _bad("chat not found")
            if chat_id > 0:
                chat: JSONDict = {"id": chat_id, "type": "private"}
                user = self._users.get(chat_id)
                if user is not None:
                    for key in ("first_name", "last_name", "username"):
                        if key in user:
                            chat[key] = user[key]
            elif chat_id < -1_000_000_000_000:
                chat = {"id": chat_id, "title": f"Supergroup {chat_id}", "type": "supergroup"}
            else:
                chat = {"id": chat_id, "title": f"Group {chat_id}", "type": "group"}
            state = self._chats[chat_id] = _ChatState(chat=chat)
        return state

    def _resolve(self, value: Any) -> _ChatState:
        """The chat a ``chat_id`` parameter designates, honouring ``strict_chats``."""
        key = _norm_chat_id(value)
        if key is None:
            raise _bad("chat_id is empty")
        if isinstance(key, str):
            wanted = key[1:].lower()
            for state in self._chats.values():
                if str(state.chat.get("username", "")).lower() == wanted:
                    return state
            raise _bad("chat not found")
        return self._state(key, create=not self.strict_chats)

    def _bot_member(self, state: _ChatState) -> JSONDict:
        if state.bot_member is None:
            status = "member" if state.type == "private" else self.default_bot_status
            rights = self.default_bot_rights if status == "administrator" else {}
            state.bot_member = chat_member_json(self.me, status, **rights)
        return state.bot_member

    def _writable(self, req: _Req) -> _ChatState:
        """The target chat of a send, after the checks Telegram makes before sending."""
        state = self._resolve(req.get("chat_id"))
        member = self._bot_member(state)
        status = member["status"]
        if state.type == "private":
            if status == "kicked":
                raise _ApiError(403, "Forbidden: bot was blocked by the user")
            return state
        where = f"{state.type} chat"
        if status == "left":
            raise _ApiError(403, f"Forbidden: bot is not a member of the {where}")
        if status == "kicked":
            raise _ApiError(403, f"Forbidden: bot was kicked from the {where}")
        if status == "restricted" and not member.get("can_send_messages", True):
            raise _bad("not enough rights to send text messages to the chat")
        if state.type == "channel" and not (
            status == "creator" or (status == "administrator" and member.get("can_post_messages"))
        ):
            raise _bad("need administrator rights in the channel chat")
        return state

    def set_bot_member(self, chat_id: int, status: str = "administrator", **rights: bool) -> None:
        """Set the bot's own status and rights in ``chat_id`` (what ``getChatMember`` on
        the bot returns and what sends/pins are checked against)."""
        self._state(chat_id, create=True).bot_member = chat_member_json(self.me, status, **rights)

    def register_chat(self, chat: JSONDict | Any) -> None:
        """Tell the server about a chat (a dict or anything with ``to_dict()``, such as
        :class:`handlers.telegram.fake.updates.FakeChat`), e.g. so ``@username`` ids resolve."""
        as_dict = chat.to_dict() if hasattr(chat, "to_dict") else chat
        self._learn_chat(dict(as_dict))

    # -- inspection helpers ---------------------------------------------------------------

    def recent_to(self, chat_id: int, limit: int) -> list[JSONDict]:
        """The newest ``limit`` messages the bot sent to ``chat_id``, newest first: cheap
        enough for a load generator to ask after every step (``sent_to`` copies all; these
        are the fake's own dicts, to read, not to change)."""
        state = self._chats.get(chat_id)
        if state is None:
            return []
        bot_id = self.bot_user.id
        found: list[JSONDict] = []
        for message in reversed(state.messages.values()):
            if message.get("from", {}).get("id") == bot_id:
                found.append(message)
                if len(found) == limit:
                    break
        return found

    def sent_to(self, chat_id: int) -> list[JSONDict]:
        """Messages the bot sent to ``chat_id`` and has not deleted, oldest first, in
        their current (edited) state, as Bot API message dicts."""
        state = self._chats.get(chat_id)
        if state is None:
            return []
        bot_id = self.bot_user.id
        return [
            copy.deepcopy(m)
            for m in state.messages.values()
            if m.get("from", {}).get("id") == bot_id
        ]

    def last_text(self, chat_id: int) -> str | None:
        """Text (or caption) of the bot's latest message in ``chat_id`` that has one."""
        for msg in reversed(self.sent_to(chat_id)):
            if "text" in msg or "caption" in msg:
                return str(msg.get("text", msg.get("caption")))
        return None

    def history(self, chat_id: int) -> list[JSONDict]:
        """All live messages of ``chat_id`` known to the server, both directions."""
        state = self._chats.get(chat_id)
        return [copy.deepcopy(m) for m in state.messages.values()] if state else []

    def message(self, chat_id: int, message_id: int) -> JSONDict | None:
        """One stored message, or ``None`` if unknown or deleted."""
        state = self._chats.get(chat_id)
        msg = state.messages.get(message_id) if state else None
        return copy.deepcopy(msg) if msg is not None else None

    def deleted(self, chat_id: int) -> list[JSONDict]:
        """Messages deleted in ``chat_id`` (by the bot), as they were when deleted."""
        state = self._chats.get(chat_id)
        return [copy.deepcopy(m) for m in state.deleted.values()] if state else []

    def reply_keyboard(self, chat_id: int) -> JSONDict | None:
        """The custom reply keyboard the user currently sees in ``chat_id``, if any.
        Returned messages do not echo reply keyboards (only inline ones), so this is the
        way to assert on them."""
        state = self._chats.get(chat_id)
        return copy.deepcopy(state.reply_keyboard) if state and state.reply_keyboard else None

    def commands(self, scope: JSONDict | None = None, language_code: str = "") -> list[JSONDict]:
        """The command list set for ``scope``/``language_code`` (as ``getMyCommands``)."""
        return copy.deepcopy(self._commands.get(self._commands_key(scope, language_code), []))

    # -- message building -----------------------------------------------------------------

    def _formatted(
        self, req: _Req, key: str, entities_key: str, limit: int, *, required: bool
    ) -> tuple[str, list[JSONDict]] | None:
        raw = req.get(key)
        if raw is None:
            if required:
                raise _bad("message text is empty")
            return None
        raw = str(raw)
        entities = req.get(entities_key)
        mode = req.get("parse_mode")
        if mode:
            raise _bad(f"unsupported parse_mode {mode} (the fake parses no markup)")
        text, found = raw, list(entities or ())
        if required and not text.strip():
            raise _bad("message text is empty")
        if utf16_len(text) > limit:
            raise _bad("message is too long" if key == "text" else "message caption is too long")
        return text, found

    @staticmethod
    def _check_markup(markup: Any) -> None:
        if not isinstance(markup, dict) or "inline_keyboard" not in markup:
            return
        for row in markup["inline_keyboard"]:
            for button in row:
                actions = _INLINE_ACTIONS.intersection(button)
                if not actions:
                    raise _bad(
                        "can't parse inline keyboard button: Text buttons are unallowed in "
                        "the inline keyboard"
                    )
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode()) <= 64:
                    raise _bad("BUTTON_DATA_INVALID")

    def _apply_markup(self, state: _ChatState, msg: JSONDict, markup: Any) -> None:
        """Inline keyboards are echoed in the message; reply keyboards only change what
        the user sees (Telegram does not echo them)."""
        if not isinstance(markup, dict):
            return
        self._check_markup(markup)
        if "inline_keyboard" in markup:
            if markup["inline_keyboard"]:
                msg["reply_markup"] = markup
        elif "keyboard" in markup:
            state.reply_keyboard = markup
        elif markup.get("remove_keyboard"):
            state.reply_keyboard = None

    def _new_message(self, state: _ChatState, req: _Req) -> JSONDict:
        msg: JSONDict = {
            "message_id": 0,
            "from": self.bot_user.to_dict(),
            "chat": dict(state.chat),
            "date": int(self.clock().timestamp()),
        }
        if state.type == "channel":
            msg.pop("from")
            msg["sender_chat"] = dict(state.chat)
        reply = req.get("reply_parameters") or {}
        reply_id = reply.get("message_id", req.get("reply_to_message_id"))
        if reply_id is not None:
            target = state.messages.get(int(reply_id))
            lenient = reply.get(
                "allow_sending_without_reply", req.get("allow_sending_without_reply")
            )
            if target is not None:
                msg["reply_to_message"] = {
                    k: copy.deepcopy(v) for k, v in target.items() if k != "reply_to_message"
                }
            elif self.strict_chats and not lenient:
                raise _bad("message to be replied not found")
        if req.get("protect_content"):
            msg["has_protected_content"] = True
        return msg

    def _store(self, state: _ChatState, msg: JSONDict) -> JSONDict:
        msg["message_id"] = state.next_id
        state.next_id += 1
        state.messages[msg["message_id"]] = msg
        self._register_media(msg)
        self._tell_watchers(msg)
        return msg

    def _send(self, req: _Req, content: JSONDict) -> JSONDict:
        state = self._writable(req)
        msg = self._new_message(state, req)
        msg.update(content)
        self._apply_markup(state, msg, req.get("reply_markup"))
        return self._store(state, msg)

    def _caption(self, req: _Req) -> JSONDict:
        formatted = self._formatted(
            req, "caption", "caption_entities", CAPTION_LIMIT, required=False
        )
        if formatted is None:
            return {}
        text, entities = formatted
        out: JSONDict = {"caption": text} if text else {}
        if entities:
            out["caption_entities"] = entities
        return out

    # -- media ----------------------------------------------------------------------------

    def _register_media(self, msg: JSONDict) -> None:
        for kind in _MEDIA_KEYS:
            media = msg.get(kind)
            if isinstance(media, list):
                for size in media:
                    self._media_by_file_id[size["file_id"]] = (kind, media)
            elif isinstance(media, dict):
                self._media_by_file_id[media["file_id"]] = (kind, media)

    def _media(self, req: _Req, kind: str, value: Any) -> JSONDict | list[JSONDict]:
        """The media object for ``value`` sent as ``kind``: a known or minted file id is
        reused, a URL or an upload becomes a new file."""
        value = str(value)
        known = self._media_by_file_id.get(value)
        if known is not None:
            got_kind, media = known
            if got_kind != kind:
                raise _bad(f"can't use file of type {got_kind.title()} as {kind.title()}")
            return copy.deepcopy(media)
        ref = parse_file_id(value)
        if ref is not None:
            if ref.kind != kind:
                raise _bad(f"can't use file of type {ref.kind.title()} as {kind.title()}")
            base: JSONDict = {
                "file_id": value,
                "file_unique_id": ref.file_unique_id,
                "file_size": ref.size,
            }
            return self._shape(req, kind, base, "file")
        content: bytes | None = None
        if value.startswith(("upload:", "attach://")):
            part = value.split("attach://", 1)[1] if value.startswith("attach://") else kind
            file_name = req.files.get(part, value.split(":", 1)[1])
            size = req.sizes.get(part, 100_000)
            content = req.data.get(part)
        elif value.startswith(("http://", "https://")):
            file_name = value.rsplit("/", 1)[-1] or "file"
            size = 100_000
        else:
            raise _bad("wrong file identifier/HTTP URL specified")
        if kind == "photo":
            sizes = photo_sizes(size)
            if content is not None:  # the largest rendition is the upload itself
                self._file_bytes[sizes[-1]["file_id"]] = content
            return sizes
        file_id, unique = new_file_ids(kind, size)
        if content is not None:  # what a download of the sent file returns
            self._file_bytes[file_id] = content
        base = {"file_id": file_id, "file_unique_id": unique, "file_size": size}
        return self._shape(req, kind, base, file_name)

    @staticmethod
    def _shape(req: _Req, kind: str, base: JSONDict, file_name: str) -> JSONDict | list[JSONDict]:
        mime = mimetypes.guess_type(file_name)[0]
        duration = int(req.get("duration", 10) or 10)
        if kind == "photo":
            return [{**base, "width": 1280, "height": 960}]
        if kind == "video":
            return {
                **base,
                "width": int(req.get("width", 720) or 720),
                "height": int(req.get("height", 1280) or 1280),
                "duration": duration,
                "mime_type": mime or "video/mp4",
            }
        if kind == "voice":
            return {**base, "duration": duration, "mime_type": "audio/ogg"}
        if kind == "audio":
            out = {**base, "duration": duration, "mime_type": mime or "audio/mpeg"}
            for key in ("title", "performer"):
                if req.get(key):
                    out[key] = req.get(key)
            return out
        return {**base, "file_name": file_name, "mime_type": mime or "application/octet-stream"}

    def _send_media(self, req: _Req, kind: str) -> JSONDict:
        media = self._media(req, kind, req.require(kind))
        content: JSONDict = {kind: media}
        content.update(self._caption(req))
        return self._send(req, content)

    # -- Bot API methods: identity & updates ----------------------------------------------

    def _api_getMe(self, req: _Req) -> JSONDict:
        return dict(self.me)

    def _api_deleteWebhook(self, req: _Req) -> bool:
        """Back to polling (tinbao calls it when getUpdates meets a webhook's Conflict)."""
        self._webhook_url = ""
        if req.get("drop_pending_updates"):
            self._updates.clear()
        return True

    def _api_setWebhook(self, req: _Req) -> bool:
        """Webhook mode: while set, getUpdates answers 409 Conflict, as Telegram does."""
        self._webhook_url = str(req.get("url", ""))
        if req.get("drop_pending_updates"):
            self._updates.clear()
        return True

    def _api_getChat(self, req: _Req) -> JSONDict:
        """``check-config --online`` asks whether a bound group still exists."""
        state = self._resolve(req.get("chat_id"))
        gifts = dict.fromkeys(
            ("unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription"), False
        )
        return {
            **state.chat,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {**gifts, "gifts_from_channels": False},
        }

    def _api_getUpdates(self, req: _Req) -> list[JSONDict]:
        raise AssertionError("getUpdates is served by _get_updates")  # pragma: no cover

    async def _get_updates(self, req: _Req) -> list[JSONDict]:
        """Telegram's semantics: an update is served again and again until a call passes
        an ``offset`` above its id; long polls wait (capped at ``long_poll_cap``); a newer
        getUpdates makes a waiting one fail with 409 Conflict."""
        if self._webhook_url:
            raise _ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use "
                "deleteWebhook to delete the webhook first",
            )
        offset = int(req.get("offset", 0) or 0)
        limit = min(max(int(req.get("limit", 100) or 100), 1), 100)
        timeout = float(req.get("timeout", 0) or 0)
        allowed = req.get("allowed_updates")
        if allowed is not None:
            self._allowed_updates = list(allowed) or None
        self._poll_generation += 1
        generation = self._poll_generation
        loop = asyncio.get_running_loop()
        deadline = loop.time() + min(timeout, self.long_poll_cap)
        while True:
            if offset > 0:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
            elif offset < 0:
                self._updates = self._updates[offset:]
            self._updates = [u for u in self._updates if self._allowed(u)]
            batch = copy.deepcopy(self._updates[:limit])
            remaining = deadline - loop.time()
            if batch or remaining <= 0:
                return batch
            changed = self._updates_changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)
            if self._poll_generation != generation:
                raise _ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only "
                    "one bot instance is running",
                )

    def _allowed(self, update: JSONDict) -> bool:
        kind = next((k for k in update if k != "update_id"), "")
        if self._allowed_updates is None:
            return kind not in _OPT_IN_UPDATES
        return kind in self._allowed_updates

    # -- Bot API methods: commands -------------------------------------------------------

    @staticmethod
    def _commands_key(scope: Any, language_code: Any) -> tuple[str, str]:
        scope_dict = scope if isinstance(scope, dict) else {"type": "default"}
        return json.dumps(scope_dict, sort_keys=True), str(language_code or "")

    def _api_setMyCommands(self, req: _Req) -> bool:
        commands = list(req.require("commands"))
        for command in commands:
            if not _COMMAND_NAME.match(str(command.get("command", ""))):
                raise _bad("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
        key = self._commands_key(req.get("scope"), req.get("language_code"))
        self._commands[key] = copy.deepcopy(commands)
        return True

    # -- Bot API methods: sending ---------------------------------------------------------

    def _api_sendMessage(self, req: _Req) -> JSONDict:
        formatted = self._formatted(req, "text", "entities", TEXT_LIMIT, required=True)
        assert formatted is not None
        text, entities = formatted
        content: JSONDict = {"text": text}
        if entities:
            content["entities"] = entities
        return self._send(req, content)

    def _api_sendPhoto(self, req: _Req) -> JSONDict:
        return self._send_media(req, "photo")

    def _api_sendVideo(self, req: _Req) -> JSONDict:
        return self._send_media(req, "video")

    def _api_sendDocument(self, req: _Req) -> JSONDict:
        return self._send_media(req, "document")

    def _api_sendVoice(self, req: _Req) -> JSONDict:
        return self._send_media(req, "voice")

    def _api_sendAudio(self, req: _Req) -> JSONDict:
        return self._send_media(req, "audio")

    def _api_sendMediaGroup(self, req: _Req) -> list[JSONDict]:
        items = list(req.require("media"))
        if not 2 <= len(items) <= 10:
            raise _bad("wrong number of media in the media group (must be 2-10)")
        state = self._writable(req)
        group_id = str(next(self._media_group_serial))
        sent: list[JSONDict] = []
        for item in items:
            kind = str(item.get("type", ""))
            if kind not in ("photo", "video", "document", "audio"):
                raise _bad(f"unsupported media type {kind!r} in the media group")
            item_req = _Req({**req.params, **item}, req.files, req.sizes, req.data)
            msg = self._new_message(state, req)
            msg["media_group_id"] = group_id
            msg[kind] = self._media(item_req, kind, item.get("media", ""))
            msg.update(self._caption(_Req(dict(item), req.files, req.sizes)))
            sent.append(msg)
        return [self._store(state, msg) for msg in sent]

    # -- Bot API methods: editing & deleting ----------------------------------------------

    def _editable(self, req: _Req) -> tuple[_ChatState, JSONDict]:
        state = self._resolve(req.get("chat_id"))
        msg = state.messages.get(req.int("message_id"))
        if msg is None:
            raise _bad("message to edit not found")
        if msg.get("from", {}).get("id") != self.bot_user.id and "sender_chat" not in msg:
            raise _bad("message can't be edited")
        return state, msg

    def _new_inline_markup(self, req: _Req) -> JSONDict | None:
        markup = req.get("reply_markup")
        self._check_markup(markup)
        if isinstance(markup, dict) and markup.get("inline_keyboard"):
            return dict(markup)
        return None

    def _commit_edit(self, msg: JSONDict, changes: JSONDict, markup: JSONDict | None) -> JSONDict:
        """Apply an edit unless it changes nothing (Telegram's "not modified" 400).  An
        edit without ``reply_markup`` removes the inline keyboard, as on Telegram."""
        unchanged = all(msg.get(k) == v for k, v in changes.items() if v is not None)
        unchanged = unchanged and all(k in msg for k, v in changes.items() if v is not None)
        unchanged = unchanged and all(k not in msg for k, v in changes.items() if v is None)
        if unchanged and msg.get("reply_markup") == markup:
            raise _bad(NOT_MODIFIED[len("Bad Request: ") :])
        for key, value in changes.items():
            if value is None:
                msg.pop(key, None)
            else:
                msg[key] = value
        if markup is None:
            msg.pop("reply_markup", None)
        else:
            msg["reply_markup"] = markup
        msg["edit_date"] = int(self.clock().timestamp())
        self._tell_watchers(msg)
        return msg

    def _api_editMessageText(self, req: _Req) -> JSONDict | bool:
        if req.get("inline_message_id"):
            return True
        _, msg = self._editable(req)
        if "text" not in msg:
            raise _bad("there is no text in the message to edit")
        formatted = self._formatted(req, "text", "entities", TEXT_LIMIT, required=True)
        assert formatted is not None
        text, entities = formatted
        changes = {"text": text, "entities": entities or None}
        return self._commit_edit(msg, changes, self._new_inline_markup(req))

    def _api_editMessageReplyMarkup(self, req: _Req) -> JSONDict | bool:
        if req.get("inline_message_id"):
            return True
        _, msg = self._editable(req)
        return self._commit_edit(msg, {}, self._new_inline_markup(req))

    def _can_delete(self, state: _ChatState, msg: JSONDict) -> bool:
        if state.type == "private" or msg.get("from", {}).get("id") == self.bot_user.id:
            return True
        member = self._bot_member(state)
        return member["status"] == "creator" or bool(member.get("can_delete_messages"))

    def _api_deleteMessage(self, req: _Req) -> bool:
        state = self._resolve(req.get("chat_id"))
        message_id = req.int("message_id")
        msg = state.messages.get(message_id)
        if msg is None:
            raise _bad("message to delete not found")
        if not self._can_delete(state, msg):
            raise _bad("message can't be deleted")
        state.deleted[message_id] = state.messages.pop(message_id)
        return True

    def _api_answerCallbackQuery(self, req: _Req) -> bool:
        query_id = str(req.require("callback_query_id"))
        if self._queries.get(query_id):
            raise _bad(QUERY_TOO_OLD[len("Bad Request: ") :])
        if len(str(req.get("text", ""))) > 200:
            raise _bad("MESSAGE_TOO_LONG")
        self._queries[query_id] = True
        return True

    # -- Bot API methods: chats & members -------------------------------------------------

    def _api_getChatMember(self, req: _Req) -> JSONDict:
        state = self._resolve(req.get("chat_id"))
        user_id = req.int("user_id")
        if user_id == self.bot_user.id:
            return self._bot_member(state)
        member = state.members.get(user_id)
        if member is not None:
            return member
        user = self._users.get(user_id)
        if user is None:
            if self.strict_chats:
                raise _bad("user not found")
            user = {"id": user_id, "is_bot": False, "first_name": str(user_id)}
        in_chat = state.type == "private" and state.chat["id"] == user_id
        return chat_member_json(user, "member" if in_chat else "left")

    # -- Bot API methods: files -----------------------------------------------------------

    def _api_getFile(self, req: _Req) -> JSONDict:
        file_id = str(req.require("file_id"))
        known = self._media_by_file_id.get(file_id)
        if known is not None:
            kind, media = known
            entry = (
                next(s for s in media if s["file_id"] == file_id)
                if isinstance(media, list)
                else media
            )
            unique, size = str(entry["file_unique_id"]), int(entry.get("file_size", 0))
        else:
            ref = parse_file_id(file_id)
            if ref is None:
                raise _bad("invalid file_id")
            kind, unique, size = ref.kind, ref.file_unique_id, ref.size
        if size > DOWNLOAD_LIMIT:
            raise _bad("file is too big")
        folder = {"photo": "photos", "audio": "music", "voice": "voice"}.get(kind, f"{kind}s")
        ext = {"photo": "jpg", "voice": "oga", "audio": "mp3", "sticker": "webp"}.get(kind, "mp4")
        if kind == "document" and isinstance(known, tuple) and isinstance(known[1], dict):
            ext = str(known[1].get("file_name", "file.bin")).rsplit(".", 1)[-1]
        path = f"{folder}/file_{next(self._path_serial)}.{ext}"
        self._file_paths[path] = (file_id, size)
        return {"file_id": file_id, "file_unique_id": unique, "file_size": size, "file_path": path}

    async def download(self, path: str) -> tuple[int, bytes]:
        """Serve ``/file/bot<token>/<path>``: the bytes of a file ``getFile`` named."""
        call = ApiCall("downloadFile", {"file_path": path}, time.monotonic())
        self.calls.append(call)
        try:
            await asyncio.sleep(self.latency)
            entry = self._file_paths.get(path)
            if entry is None:
                return self._error(call, _ApiError(404, "Not Found"))
            file_id, size = entry
            return 200, self._file_bytes.get(file_id, bytes(size))
        finally:
            call.done = True
            self._notify_calls()


__all__ = [
    "CAPTION_LIMIT",
    "NOT_MODIFIED",
    "TEXT_LIMIT",
    "TRANSIENT_FAULTS",
    "ApiCall",
    "FakeBotApi",
    "FaultKind",
    "FloodRules",
]
