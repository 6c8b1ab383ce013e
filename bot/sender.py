"""Delivers outbox rows at least once (DESIGN.md rule 2).

Each pass takes the first pending row of every recipient (so a chat sees its messages in
order) and sends them concurrently through the bot, whose ``AIORateLimiter`` keeps us
inside Telegram's flood limits. Network errors and 5xx back off exponentially while
Telegram keeps failing, a 429 waits exactly its ``retry_after``, and permanent refusals
(blocked, kicked, chat not found) mark the row failed and raise an alert instead of
retrying forever.

Why the back-off looks at the sender as a whole and not only at the row: a row's failures
say little about the row. When calls for other rows go through, the failure was a lost
packet, a 502 of one front end, an answer lost after the fact; retrying in seconds is
right, and a citizen in the middle of a dialogue must not wait minutes for the next
question because their reply was unlucky five times. Only while every call fails (an
outage) does the delay keep doubling, up to five minutes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import warnings
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from telegram import (
    Bot,
    InputFile,
    InputMedia,
    InputMediaAudio,
    InputMediaDocument,
    InputMediaPhoto,
    InputMediaVideo,
    Message,
)
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.warnings import PTBDeprecationWarning, PTBUserWarning

from bot.clock import Clock
from bot.dialogue import screen_from_plain
from bot.people import People
from storage import outbox, reporters
from storage.db import Database, Tx, parse_utc, utc_text
from storage.digests import drop_files, files_for
from storage.outbox import OutboxRow

log = logging.getLogger(__name__)

PERMANENT_BAD_REQUESTS = (
    "chat not found",
    "user not found",
    "bot was kicked",
    "chat_write_forbidden",
    "have no rights to send",
    "not enough rights",
    "peer_id_invalid",
)
ALREADY_DONE = ("message is not modified",)
MAX_BACKOFF_SECONDS = 300.0
HEALTHY_BACKOFF_EXPONENT = 3
"""While other calls succeed, a failed row waits at most 2**3 = 8 s; each further call
failing in a row (across the whole sender) lets the exponent grow by one."""

FailureHook = Callable[[Tx, OutboxRow, str], Awaitable[None]]


class Unresolvable(Exception):
    """The row cannot be sent and never will be (its recipient or target is gone)."""


class NotYet(Exception):
    """The row depends on another row not sent yet (an edit of an unsent card)."""


class OutboxSender:
    def __init__(
        self,
        db: Database,
        bot: Bot,
        people: People,
        clock: Clock,
        *,
        on_failure: list[FailureHook] | None = None,
    ) -> None:
        self.db = db
        self.bot = bot
        self.people = people
        self.clock = clock
        self.on_failure = on_failure or []
        self._wake = asyncio.Event()
        self._pass = asyncio.Lock()
        self._stopping = False
        self._failing = 0  # calls that failed in a row, across every row: an outage grows it

    def wake(self) -> None:
        self._wake.set()

    async def flush(self, max_passes: int = 1000) -> int:
        """Deliver everything due now. Returns how many rows were sent. One pass at a
        time: two passes reading the same due rows would send them twice."""
        async with self._pass:
            return await self._flush(max_passes)

    async def _flush(self, max_passes: int) -> int:
        sent = 0
        for _ in range(max_passes):
            async with self.db.read() as tx:
                rows = await outbox.due(tx, utc_text(self.clock()), limit=200)
            if not rows:
                break
            results = await asyncio.gather(*(self._deliver(row) for row in rows))
            sent += sum(results)
            if not any(r is not None for r in results):  # pragma: no cover - defensive
                break
        return sent

    async def run(self) -> None:
        """Background loop for a running bot: flush, then sleep until woken or due."""
        while not self._stopping:
            self._wake.clear()  # before the pass, so a wake during it is not lost
            try:
                await self.flush()
            except Exception:  # pragma: no cover - keep the loop alive, log for operators
                log.exception("outbox pass failed")
            async with self.db.read() as tx:
                next_at = await outbox.next_due_at(tx)
            timeout = 30.0
            if next_at:
                delta = (parse_utc(next_at) - self.clock()).total_seconds()
                timeout = max(0.05, min(timeout, delta))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=timeout)

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    async def _deliver(self, row: OutboxRow) -> int:
        try:
            kwargs = await self._resolve(row)
        except NotYet:
            await self._retry(row, 2.0, "waiting for the message it refers to")
            return 0
        except Unresolvable as exc:
            # a consequence of an earlier failure, which already raised its alert
            await self._fail(row, str(exc), alert=False)
            return 0
        method = row.method
        if method == "screen":  # plain values, rendered for Telegram only now
            method, kwargs = "sendMessage", _render_screen(kwargs)
        try:
            with warnings.catch_warnings():
                # The outbox stores Bot API method names and JSON parameters on purpose (a
                # row must survive a restart as data), so the generic call is right here.
                warnings.simplefilter("ignore", PTBUserWarning)
                result = await self.bot.do_api_request(
                    method, api_kwargs=kwargs, return_type=_return_type(method)
                )
        except RetryAfter as exc:  # Telegram is up and says when: nothing to learn here
            with warnings.catch_warnings():  # PTB 22 warns that this becomes a timedelta
                warnings.simplefilter("ignore", PTBDeprecationWarning)
                wait = exc.retry_after
            seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
            await self._retry(row, seconds, f"429 retry after {seconds}s", count=False)
            return 0
        except Forbidden as exc:
            self._failing = 0  # Telegram answered
            await self._fail(row, f"forbidden: {exc.message}")
            return 0
        except BadRequest as exc:
            self._failing = 0
            text = exc.message.lower()
            if any(marker in text for marker in ALREADY_DONE):
                await self._sent(row, None)
                return 1
            if any(marker in text for marker in PERMANENT_BAD_REQUESTS) or row.attempts >= 3:
                await self._fail(row, f"bad request: {exc.message}")
            else:
                await self._retry(row, self._backoff(row), f"bad request: {exc.message}")
            return 0
        except (NetworkError, TelegramError) as exc:  # timeouts and 5xx are NetworkErrors
            self._failing += 1
            await self._retry(row, self._backoff(row), f"{type(exc).__name__}: {exc}")
            return 0
        self._failing = 0
        message_id = None
        if isinstance(result, Message):
            message_id = result.message_id
        elif isinstance(result, list | tuple) and result and isinstance(result[0], Message):
            message_id = result[0].message_id
        await self._sent(row, message_id)
        return 1

    async def _resolve(self, row: OutboxRow) -> dict[str, Any]:
        kwargs = self.people.open_payload(row.payload)
        async with self.db.read() as tx:
            if row.reporter_id is not None:
                reporter = await reporters.get(tx, row.reporter_id)
                chat = self.people.chat_of(reporter) if reporter else None
                if chat is None:
                    raise Unresolvable("reporter purged")
                kwargs["chat_id"] = chat
            else:
                kwargs["chat_id"] = row.chat_id
            if row.reply_to_outbox is not None:
                target = await outbox.sent_message(tx, row.reply_to_outbox)
                if target and target[2] == "pending":
                    raise NotYet()
                if target and target[2] == "failed":
                    raise Unresolvable("the message it answers was never sent")
                if target and target[1]:
                    kwargs["reply_parameters"] = {
                        "message_id": target[1],
                        "allow_sending_without_reply": True,
                    }
            for attached in await files_for(tx, row.id):
                kwargs[attached.field] = InputFile(attached.data, filename=attached.filename)
            if row.edit_of_outbox is not None:
                target = await outbox.sent_message(tx, row.edit_of_outbox)
                if target is None or target[2] == "failed":
                    raise Unresolvable("the message to edit was never sent")
                if target[2] == "pending" or not target[1]:
                    raise NotYet()
                kwargs["chat_id"] = target[0]
                kwargs["message_id"] = target[1]
        if isinstance(kwargs.get("media"), list):
            kwargs["media"] = [_input_media(item) for item in kwargs["media"]]
        return kwargs

    def _backoff(self, row: OutboxRow) -> float:
        """1, 2, 4, 8 s... by the row's attempts, held at 8 s while other calls go
        through; during an outage (every call failing) on up to ``MAX_BACKOFF_SECONDS``."""
        outage = max(0, self._failing - 1)  # failures in a row before this one
        exponent = min(row.attempts, HEALTHY_BACKOFF_EXPONENT + outage, 12)
        return float(min(MAX_BACKOFF_SECONDS, 2**exponent))

    async def _sent(self, row: OutboxRow, message_id: int | None) -> None:
        async with self.db.transaction() as tx:
            await outbox.mark_sent(tx, row.id, at=utc_text(self.clock()), message_id=message_id)
            await drop_files(tx, row.id)  # uploaded: the bytes need not stay in the database

    async def _retry(self, row: OutboxRow, seconds: float, error: str, count: bool = True) -> None:
        log.info("outbox row %s (%s) retry in %.1fs: %s", row.id, row.purpose, seconds, error)
        next_at = utc_text(self.clock() + timedelta(seconds=seconds))
        async with self.db.transaction() as tx:
            await outbox.mark_retry(tx, row.id, next_at=next_at, error=error)
            if not count:
                await tx.execute(
                    "UPDATE outbox SET attempts = attempts - 1 WHERE id = ?", (row.id,)
                )

    async def _fail(self, row: OutboxRow, error: str, *, alert: bool = True) -> None:
        log.warning("outbox row %s (%s) failed for good: %s", row.id, row.purpose, error)
        async with self.db.transaction() as tx:
            await outbox.mark_failed(tx, row.id, error=error)
            for hook in self.on_failure if alert else []:
                await hook(tx, row, error)


def _render_screen(kwargs: dict[str, Any]) -> dict[str, Any]:
    from handlers.render import markup  # the Telegram renderer; the row holds plain values

    screen, scope = screen_from_plain(kwargs)
    rendered: dict[str, Any] = {"chat_id": kwargs["chat_id"], "text": screen.text}
    keyboard = markup(screen, scope)
    if keyboard is not None:
        rendered["reply_markup"] = keyboard
    if kwargs.get("reply_to"):
        rendered["reply_parameters"] = {
            "message_id": int(kwargs["reply_to"]),
            "allow_sending_without_reply": True,
        }
    return rendered


def _return_type(method: str) -> type[Message] | None:
    if method.startswith("send") or method in ("copyMessage", "forwardMessage"):
        return Message
    if method.startswith("edit"):
        return Message
    return None


_MEDIA_TYPES: dict[str, type[InputMedia]] = {
    "photo": InputMediaPhoto,
    "video": InputMediaVideo,
    "document": InputMediaDocument,
    "audio": InputMediaAudio,
}


def _input_media(item: dict[str, Any]) -> InputMedia:
    """PTB wants InputMedia objects for albums; the outbox keeps plain JSON."""
    kind = _MEDIA_TYPES[item["type"]]
    return kind(media=item["media"], caption=item.get("caption"))  # type: ignore[call-arg]
