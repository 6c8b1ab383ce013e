"""Delivers outbox rows at least once (DESIGN.md rule 2), within Telegram's limits.

Scheduling. A row waits while an earlier row to the same recipient is pending, so each
chat sees its messages in order; the first rows of different recipients go concurrently,
one task each. Before a row is started, :class:`handlers.telegram.sendlimits.SendLimits` must admit
it
(30 messages/s overall, one per second to a private chat, 20 per 60 s to a group, and
nothing to a chat for the ``retry_after`` of its last 429). A row not admitted yet is
simply not started: it holds no slot, and the loop looks again when the earliest of them
may go, when a send ends (its chat may have a next row), or when rows are written. So a
chat that must wait, even a minute after a 429, delays no other chat. Among rows that
may go, the chat that needs longest to drain at its own limit goes first (a group with
more than 20 queued: its window unused now is lost), then the oldest row.

In tests (``tests/harness.py``) the sender runs without limits and :meth:`flush` sends
all that is due, pass after pass, without sleeping; with limits it sends what they
admit at the clock's current time and leaves the rest (tests move their fake clock).

Answers. Network errors and 5xx back off exponentially, a 429 waits exactly its
``retry_after`` (for that chat only), and permanent refusals (blocked, kicked, chat not
found, any other answer of Telegram that is not about the network) mark the row failed
and raise an alert instead of retrying forever. A group upgraded to a supergroup is
followed to its new id. An error of our own (a bug, a database hiccup) is retried
:data:`MAX_ATTEMPTS` times, then the row fails with an alert: one broken row neither
stops the others nor stays pending for ever, and if even recording that fails, the row
rests in memory with a growing pause (no tight loop).

Exactly once? Not against the Bot API, which has no idempotency key: when a call's
answer is lost (a read timeout, a dropped connection, a 5xx from Telegram's front end),
Telegram may or may not have executed it, and no Bot API method tells which. What holds:

* a row whose call Telegram answered is never sent again by this process: if recording
  the answer fails, the message id is kept in memory and only the record is retried;
* failures known to have happened before the request left (connection refused or timed
  out, no free connection, 429, any 4xx) are retried without any risk of a duplicate;
* edits, deletions and pins are idempotent on retry ("message is not modified" and
  "message to delete not found" after a lost answer count as done);
* a police card is one message per tip and chat: a second card for a chat that already
  holds the tip's working card becomes an edit of it (``bot.dispatch``);
* a new message whose answer was lost is sent again (at least once beats at most once for
  a receipt or a tip card); it is logged as possibly duplicated. A crash between
  Telegram's answer and our commit has the same effect after the restart. A duplicated
  card has working buttons (every press is authorised against the database) but is not
  kept current; only the copy whose id we recorded is edited.

A row holds an intent and plain values (:mod:`bot.dialogue`); here the sender finds what
they refer to (the recipient's chat, the messages of the rows it answers or edits, the
bytes attached to it, a wanted notice's photo: the cached Telegram file id, else the
picture, whose new file id is then cached) and asks the Telegram renderer
(:func:`handlers.telegram.render.render`) for the call. Before anything leaves, the
database batch that caused it is committed to disk (``Database.sync``).
"""

from __future__ import annotations

import asyncio
import logging
import math
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from telegram import Bot, InputFile, Message
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import ExtBot
from telegram.warnings import PTBUserWarning

from bot.clock import Clock
from bot.people import People
from handlers.nap import pass_until_stopped
from handlers.telegram.render import Found, messages, render, stored_uploads
from handlers.telegram.sendlimits import (
    SendLimiter,
    SendLimits,
    Ticket,
    message_count,
    retry_after_seconds,
)
from storage import outbox, reporters
from storage import wanted as wanted_store
from storage.db import Database, Tx, parse_utc, utc_text
from storage.outbox import OutboxRow
from storage.outbox_files import drop_files, files_for

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
ALREADY_DONE = ("message is not modified", "message to delete not found")
MAX_BACKOFF_SECONDS = 300.0
HEALTHY_BACKOFF_EXPONENT = 3
"""While other calls succeed, a failed row waits at most 2**3 = 8 s; each further call
failing in a row (across the whole sender) lets the exponent grow by one."""
MAX_ATTEMPTS = 5  # for errors that are neither the network's nor Telegram's answer
IDLE_SECONDS = 30.0  # the longest sleep between passes when nothing is due
IDLE_POLL_SECONDS = 0.5  # how often an idle sender asks whether another process wrote
# Edits that tidy a message a button was pressed on (its keyboard goes, a note stays): if
# Telegram refuses (too old, deleted, already edited), nothing is lost and nobody needs
# an alert, so a refusal ends the row quietly.
BEST_EFFORT = frozenset({"settle"})
MIN_PAUSE_SECONDS = 0.002  # the shortest sleep of the loop (never a busy loop)
DUE_BATCH = 1000  # recipients looked at per pass
MAYBE_SENT = "maybe delivered"  # last_error prefix of a send whose answer was lost
CHANNEL = outbox.TELEGRAM

FailureHook = Callable[[Tx, OutboxRow, str], Awaitable[None]]
MigrationHook = Callable[[Tx, int, int], Awaitable[object]]
Recipient = tuple[str, int]


class Unresolvable(Exception):
    """The row cannot be sent and never will be (its recipient or target is gone)."""


class NotYet(Exception):
    """The row depends on another row not sent yet (an edit of an unsent card)."""


class NotTelegram(Exception):
    """The row is another channel's (a Zalo citizen's): it must not leave through
    Telegram, where the same number may be a stranger's chat, and it is not this sender's
    to fail either."""


def recipient(row: OutboxRow) -> Recipient:
    """Whose order a row keeps: a reporter's rows, or a chat's."""
    if row.reporter_id is not None:
        return ("reporter", row.reporter_id)
    return ("chat", int(row.chat_id or 0))


def not_sent(exc: Exception) -> bool:
    """Whether a network failure certainly happened before Telegram got the request (no
    connection, no free connection in the pool): then a retry cannot duplicate it."""
    cause = exc.__cause__
    if isinstance(cause, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        return True
    return isinstance(exc, TimedOut) and "not* sent" in exc.message


class OutboxSender:
    def __init__(
        self,
        db: Database,
        bot: Bot,
        people: People,
        clock: Clock,
        *,
        on_failure: list[FailureHook] | None = None,
        on_migrated: list[MigrationHook] | None = None,
        idle_poll: float = IDLE_POLL_SECONDS,
        limits: SendLimits | None = None,
    ) -> None:
        self.db = db
        self.bot = bot
        self.people = people
        self.clock = clock
        self.on_failure = on_failure or []
        self.on_migrated = on_migrated or []
        self.idle_poll = idle_poll
        self.limits = limits
        self._wake = asyncio.Event()
        self._stopping = False
        self._failing = 0  # calls that failed in a row, across every row: an outage grows it
        # Choosing rows and marking their recipients busy is one step under this lock, and
        # a finished row's recipient is freed under it only after its record committed:
        # so no pass can read a row as pending while another one is sending it.
        self._pick = asyncio.Lock()
        self._busy: set[Recipient] = set()
        self._tasks: set[asyncio.Task[int]] = set()
        self._unrecorded: dict[int, int | None] = {}  # sent, answer not yet committed
        self._held: dict[int, tuple[datetime, int]] = {}  # row -> (not before, strikes)
        self._reporter_chats: dict[int, int | None] = {}

    def wake(self) -> None:
        self._wake.set()

    async def flush(self, max_passes: int = 1000) -> int:
        """Deliver everything due now that the limits (if any) admit now, pass after
        pass, without sleeping; sends already under way (the :meth:`run` loop's) are
        waited for too. Returns how many rows this call sent."""
        sent = 0
        for _ in range(max_passes):
            started, _ = await self._start_due()
            others = [task for task in self._tasks if task not in started]
            if not started and not others:
                break
            if started:
                sent += sum(await asyncio.gather(*started))
            if others:
                await asyncio.wait(others)
        return sent

    async def run(self) -> None:
        """Background loop for a running bot: start what may go, then sleep until a row
        or a limit's slot is due, a send ended, this process wrote rows (:meth:`wake`),
        or another process did (``data_version``)."""
        try:
            await pass_until_stopped(
                self._pass,
                self._wake,
                self.db,
                poll=self.idle_poll,
                longest=IDLE_SECONDS,
                stopping=lambda: self._stopping,
                what="outbox",
            )
        finally:
            if self._tasks:  # let the sends under way finish and record their answers
                await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def _pass(self) -> float:
        _, pause = await self._start_due()
        return pause

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    # ------------------------------------------------------------------ scheduling ---
    async def _start_due(self) -> tuple[list[asyncio.Task[int]], float]:
        """Start a task for the first due row of each idle recipient that the limits
        admit now. Returns the tasks and the seconds until something else may be due."""
        async with self._pick:
            # Nothing leaves before the change that caused it is on disk (DESIGN.md rule
            # 1): one fsync here covers every transaction since the last one.
            await self.db.sync()
            now = self.clock()
            now_text = utc_text(now)
            async with self.db.read() as tx:
                rows = await outbox.due(tx, now_text, limit=DUE_BATCH, channel=CHANNEL)
                later = await outbox.next_due_after(tx, now_text, channel=CHANNEL)
                backlog = await outbox.pending_per_recipient(tx) if self.limits and rows else {}
            pause = IDLE_SECONDS
            if later:
                pause = min(pause, (parse_utc(later) - now).total_seconds())
            candidates = []
            for row in rows:
                if recipient(row) in self._busy:
                    continue  # its task wakes the loop when it ends
                held = self._held.get(row.id)
                if held and held[0] > now:
                    pause = min(pause, (held[0] - now).total_seconds())
                    continue
                candidates.append(row)
            admitted: list[tuple[OutboxRow, Ticket | None]]
            if self.limits is None:
                admitted = [(row, None) for row in candidates]
            else:
                admitted, wait = await self._admit(self.limits, candidates, backlog)
                pause = min(pause, wait)
            started = []
            for row, ticket in admitted:
                self._busy.add(recipient(row))
                task = asyncio.create_task(self._deliver(row, ticket))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
                started.append(task)
        return started, max(pause, MIN_PAUSE_SECONDS)

    async def _admit(
        self, limits: SendLimits, rows: list[OutboxRow], backlog: dict[Recipient, int]
    ) -> tuple[list[tuple[OutboxRow, Ticket | None]], float]:
        """The rows the limits admit now, with their tickets, and the seconds until the
        first refused one may go (``IDLE_SECONDS`` if that hangs on sends in flight)."""
        chats = await self._chats_of(rows)

        def urgency(row: OutboxRow) -> float:
            chat = chats.get(row.id)
            if chat is None:
                return 0.0
            return limits.drain_time(chat, backlog.get(recipient(row), 1))

        admitted: list[tuple[OutboxRow, Ticket | None]] = []
        ready_at = math.inf
        for row in sorted(rows, key=lambda r: (-urgency(r), r.id)):
            chat = chats.get(row.id)
            messages = self._messages(row)
            if row.id in self._unrecorded or chat is None or not messages:
                admitted.append((row, None))  # nothing goes to Telegram, or not limited
                continue
            ticket = limits.try_take(chat, messages)
            if ticket is not None:
                admitted.append((row, ticket))
                continue
            overall_at = limits.overall_ready_at(messages)
            if overall_at > limits.now():
                # the overall budget is spent: later rows wait their turn, and the next
                # look is when it frees (whatever this row's own chat says)
                ready_at = min(ready_at, overall_at)
                break
            ready_at = min(ready_at, limits.chat_ready_at(chat, messages))
        wait = ready_at - limits.now() if ready_at < math.inf else IDLE_SECONDS
        return admitted, wait

    async def _chats_of(self, rows: list[OutboxRow]) -> dict[int, int]:
        """The chat each row goes to, for the limits (a reporter's private chat is
        looked up once and remembered; the send itself resolves it again)."""
        missing = [
            r.reporter_id
            for r in rows
            if r.reporter_id is not None and r.reporter_id not in self._reporter_chats
        ]
        if missing:
            if len(self._reporter_chats) > 100_000:
                self._reporter_chats.clear()
            async with self.db.read() as tx:
                for reporter_id in missing:
                    found = await reporters.get(tx, reporter_id)
                    try:
                        chat = self.people.chat_of(found) if found else None
                    except Exception:  # unreadable: the row's own attempt will say so
                        chat = None
                    self._reporter_chats[reporter_id] = chat
        chats: dict[int, int] = {}
        for row in rows:
            chat = (
                self._reporter_chats.get(row.reporter_id)
                if row.reporter_id is not None
                else row.chat_id
            )
            if chat is not None:
                chats[row.id] = chat
        return chats

    def _messages(self, row: OutboxRow) -> int:
        payload = row.payload
        if "sealed" in payload and row.method in ("album", "sendMediaGroup"):
            try:
                payload = self.people.open_payload(payload)  # an album's size is inside
            except Exception:  # unreadable: the row's own attempt will fail and say so
                return 1
        return messages(row.method, payload)

    # ------------------------------------------------------------------ one row ------
    async def _deliver(self, row: OutboxRow, ticket: Ticket | None) -> int:
        """One row's whole fate; never raises (a failure here is this row's alone)."""
        try:
            if row.id in self._unrecorded:  # Telegram has it; only our record is missing
                await self._sent(row, self._unrecorded[row.id])
                return 1
            return await self._attempt(row, ticket)
        except Exception as exc:
            await self._own_error(row, exc)
            return 0
        finally:
            if ticket is not None:
                ticket.cancel()  # a no-op once the call ended
            async with self._pick:
                self._busy.discard(recipient(row))
            self.wake()

    async def _own_error(self, row: OutboxRow, exc: Exception) -> None:
        """An error of ours (not Telegram's answer, not the network)."""
        if row.id in self._unrecorded:
            log.error("outbox row %s: sent, but its record failed (%r)", row.id, exc)
            self._hold(row)  # the record is retried later; the message is not sent again
            return
        log.error("outbox row %s (%s): internal error", row.id, row.purpose, exc_info=exc)
        error = f"internal error ({type(exc).__name__})"  # the type only: no content
        try:
            if row.attempts + 1 >= MAX_ATTEMPTS:
                await self._fail(row, error)
            else:
                await self._retry(row, self._backoff(row), error)
        except Exception:
            log.exception("outbox row %s: could not record its error", row.id)
            self._hold(row)

    def _hold(self, row: OutboxRow) -> None:
        """Leave a row alone for a while without the database: 2, 4, 8 ... 300 s."""
        strikes = self._held.get(row.id, (self.clock(), 0))[1] + 1
        pause = min(MAX_BACKOFF_SECONDS, 2.0**strikes)
        self._held[row.id] = (self.clock() + timedelta(seconds=pause), strikes)

    async def _attempt(self, row: OutboxRow, ticket: Ticket | None) -> int:
        try:
            plain, found, photo = await self._resolve(row)
        except NotYet:
            await self._retry(row, 2.0, "waiting for the message it refers to")
            return 0
        except Unresolvable as exc:
            # a consequence of an earlier failure, which already raised its alert
            await self._fail(row, str(exc), alert=False)
            return 0
        except NotTelegram:
            # outbox.due chose it by the reporter's channel; it changed since (or a bug):
            # leave the row untouched for its own channel, and do not look again soon
            log.error("outbox row %s is not Telegram's: left to its channel", row.id)
            self._hold(row)
            return 0
        method, kwargs = render(row.method, plain, found)  # Telegram's call, only now
        try:
            result = await self._call(method, kwargs, ticket)
        except ChatMigrated as exc:
            await self._migrated(row, int(kwargs["chat_id"]), int(exc.new_chat_id))
            return 0
        except RetryAfter as exc:
            seconds = retry_after_seconds(exc)
            if self.limits is not None:  # this chat waits; no other does
                self.limits.back_off(kwargs["chat_id"], seconds)
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
                await self._delivered(row, None)
                return 1
            if photo is not None and photo.cached:
                # the cached file id is refused (another bot token, a purged file): forget
                # it and upload the picture at once; that attempt is not this row's fault
                await self._forget_photo(row, photo.notice_id, exc.message)
                return 0
            if row.purpose in BEST_EFFORT:
                await self._fail(row, f"bad request: {exc.message}", alert=False)
                return 0
            if any(marker in text for marker in PERMANENT_BAD_REQUESTS) or row.attempts >= 3:
                await self._fail(row, f"bad request: {exc.message}")
            else:
                await self._retry(row, self._backoff(row), f"bad request: {exc.message}")
            return 0
        except (NetworkError, InvalidToken) as exc:
            self._failing += 1
            # timeouts, 5xx and lost connections pass; a refused token is the whole bot's
            # trouble, not this row's: the row waits until the operator fixes it
            error = f"{type(exc).__name__}: {exc}"
            if isinstance(exc, NetworkError) and not not_sent(exc):
                error = f"{MAYBE_SENT} ({error})"
                if message_count(method, kwargs) and not method.lower().startswith("edit"):
                    log.warning(
                        "outbox row %s (%s): answer lost; sending again may duplicate it",
                        row.id,
                        row.purpose,
                    )
            await self._retry(row, self._backoff(row), error)
            return 0
        except TelegramError as exc:  # Telegram's definite answer: retrying changes nothing
            await self._fail(row, f"{type(exc).__name__}: {exc.message}")
            return 0
        self._failing = 0
        message_id = None
        if isinstance(result, Message):
            message_id = result.message_id
        elif isinstance(result, list | tuple) and result and isinstance(result[0], Message):
            message_id = result[0].message_id
        uploaded = None
        if photo is not None and not photo.cached and isinstance(result, Message) and result.photo:
            uploaded = (photo.notice_id, photo.sha256, result.photo[-1].file_id)
        await self._delivered(row, message_id, uploaded)
        return 1

    async def _call(self, method: str, kwargs: dict[str, Any], ticket: Ticket | None) -> Any:
        """One Bot API call. The ticket ends when the answer (or the failure) is back,
        which is when the limits count the message (see ``handlers.telegram.sendlimits``)."""
        extra: dict[str, Any] = {}
        if (
            ticket is not None
            and isinstance(self.bot, ExtBot)
            and isinstance(self.bot.rate_limiter, SendLimiter)
        ):
            extra["rate_limit_args"] = ticket  # admitted already: PTB's hook lets it through
        try:
            with warnings.catch_warnings():
                # The outbox stores Bot API method names and JSON parameters on purpose (a
                # row must survive a restart as data), so the generic call is right here.
                warnings.simplefilter("ignore", PTBUserWarning)
                return await self.bot.do_api_request(
                    method, api_kwargs=kwargs, return_type=_return_type(method), **extra
                )
        finally:
            if ticket is not None:
                ticket.done()

    async def _delivered(
        self,
        row: OutboxRow,
        message_id: int | None,
        uploaded: tuple[int, str | None, str] | None = None,
    ) -> None:
        """Telegram has the message: remember that before recording it, so a failed
        record is retried alone and the message is never sent again by this process."""
        self._unrecorded[row.id] = message_id
        await self._sent(row, message_id, uploaded)

    async def _resolve(self, row: OutboxRow) -> tuple[dict[str, Any], Found, WantedPhoto | None]:
        """The row's plain values opened, and what they refer to looked up: the chat, the
        message it answers or changes, its attached files, a wanted notice's photo."""
        plain = self.people.open_payload(row.payload)
        photo: WantedPhoto | None = None
        async with self.db.read() as tx:
            if row.reporter_id is not None:
                reporter = await reporters.get(tx, row.reporter_id)
                if reporter is not None and reporter.channel != CHANNEL:
                    raise NotTelegram()
                chat = self.people.chat_of(reporter) if reporter else None
                if chat is None:
                    raise Unresolvable("reporter purged")
                if chat <= 0:  # chat_of promises a private chat; a group is never one
                    raise Unresolvable("reporter has no private chat")
                found = Found(chat)
            else:
                found = Found(int(row.chat_id or 0))
            if row.reply_to_outbox is not None:
                target = await outbox.sent_message(tx, row.reply_to_outbox)
                if target and target[2] == "pending":
                    raise NotYet()
                if target and target[2] == "failed":
                    raise Unresolvable("the message it answers was never sent")
                if target and target[1]:
                    found.reply_to = target[1]
            notice_id = plain.pop("wanted_photo", None)
            if notice_id is not None:
                photo = await _wanted_photo(tx, int(notice_id))
                found.photo = photo.file if photo is not None else None
            for attached in await files_for(tx, row.id):
                found.files[attached.field] = InputFile(attached.data, filename=attached.filename)
            # a Zalo citizen's evidence, opened with the province key
            found.files.update(await stored_uploads(tx, plain, self.people.box))
            if row.edit_of_outbox is not None:
                target = await outbox.sent_message(tx, row.edit_of_outbox)
                if target is None or target[2] == "failed":
                    raise Unresolvable("the message to edit was never sent")
                if target[2] == "pending" or not target[1]:
                    raise NotYet()
                found.chat_id = int(target[0] or found.chat_id)
                found.message_id = target[1]
        return plain, found, photo

    def _backoff(self, row: OutboxRow) -> float:
        """1, 2, 4, 8 s... by the row's attempts, held at 8 s while other calls go
        through; during an outage (every call failing) on up to ``MAX_BACKOFF_SECONDS``.

        Why the sender as a whole and not only the row: a row's failures say little about
        the row. When calls for other rows go through, the failure was a lost packet, a 502
        of one front end, an answer lost after the fact; retrying in seconds is right, and
        a citizen in the middle of a dialogue must not wait minutes for the next question
        because their reply was unlucky five times."""
        outage = max(0, self._failing - 1)  # failures in a row before this one
        exponent = min(row.attempts, HEALTHY_BACKOFF_EXPONENT + outage, 12)
        return float(min(MAX_BACKOFF_SECONDS, 2**exponent))

    async def _sent(
        self,
        row: OutboxRow,
        message_id: int | None,
        uploaded: tuple[int, str | None, str] | None = None,
    ) -> None:
        async with self.db.transaction() as tx:
            await outbox.mark_sent(tx, row.id, at=utc_text(self.clock()), message_id=message_id)
            await drop_files(tx, row.id)  # uploaded: the bytes need not stay in the database
            if uploaded is not None:  # later cards send Telegram's id instead of the bytes
                await wanted_store.set_photo_file_id(tx, *uploaded)
        self._unrecorded.pop(row.id, None)
        self._held.pop(row.id, None)

    async def _forget_photo(self, row: OutboxRow, notice_id: int, error: str) -> None:
        log.warning("cached photo of wanted notice %s refused: %s", notice_id, error)
        async with self.db.transaction() as tx:
            await wanted_store.clear_photo_file_id(tx, notice_id)
            await outbox.retry_now(
                tx, row.id, at=utc_text(self.clock()), error=f"cached photo refused: {error}"
            )

    async def _retry(self, row: OutboxRow, seconds: float, error: str, count: bool = True) -> None:
        log.info("outbox row %s (%s) retry in %.1fs: %s", row.id, row.purpose, seconds, error)
        next_at = utc_text(self.clock() + timedelta(seconds=seconds))
        async with self.db.transaction() as tx:
            await outbox.mark_retry(tx, row.id, next_at=next_at, error=error)
            if not count:
                await tx.execute(
                    "UPDATE outbox SET attempts = attempts - 1 WHERE id = ?", (row.id,)
                )
        self._held.pop(row.id, None)

    async def _migrated(self, row: OutboxRow, old_chat_id: int, new_chat_id: int) -> None:
        """The group was upgraded to a supergroup: follow it (the hooks move bindings and
        cards; the outbox's own pending rows move in any case), then send the row again
        at once if it is still pending (an edit of a message in the old group is not)."""
        log.warning("outbox row %s: chat %s is now %s", row.id, old_chat_id, new_chat_id)
        async with self.db.transaction() as tx:
            for hook in self.on_migrated:
                await hook(tx, old_chat_id, new_chat_id)
            await outbox.follow_chat_migration(tx, old_chat_id, new_chat_id)
            await outbox.retry_now(
                tx, row.id, at=utc_text(self.clock()), error="chat upgraded to a supergroup"
            )

    async def _fail(self, row: OutboxRow, error: str, *, alert: bool = True) -> None:
        log.warning("outbox row %s (%s) failed for good: %s", row.id, row.purpose, error)
        try:
            async with self.db.transaction() as tx:
                await outbox.mark_failed(tx, row.id, error=error)
                for hook in self.on_failure if alert else []:
                    await hook(tx, row, error)
        except Exception:
            if not alert or not self.on_failure:
                raise
            # a broken alert must not keep the row pending (it would be tried for ever)
            log.exception("outbox row %s: the failure alert could not be written", row.id)
            async with self.db.transaction() as tx:
                await outbox.mark_failed(tx, row.id, error=error)
        self._held.pop(row.id, None)


@dataclass(frozen=True)
class WantedPhoto:
    """A wanted notice's picture as it is sent: Telegram's cached file id (``cached``),
    or the bytes, whose file id is cached once Telegram has them."""

    notice_id: int
    sha256: str | None
    file: str | InputFile
    cached: bool


async def _wanted_photo(tx: Tx, notice_id: int) -> WantedPhoto | None:
    """A screen shown on a wanted notice's photo: Telegram's cached file id if there is
    one, else the picture's bytes. A notice without a picture after all is shown as
    text (None)."""
    notice = await wanted_store.get(tx, notice_id)
    if notice is None or not notice.has_photo:
        return None
    if notice.photo_file_id:
        return WantedPhoto(notice_id, notice.photo_sha256, notice.photo_file_id, True)
    data = await wanted_store.photo(tx, notice_id)
    if data is None:
        return None
    extension = "png" if data.startswith(b"\x89PNG") else "jpg"
    upload = InputFile(data, filename=f"truyna-{notice_id}.{extension}")
    return WantedPhoto(notice_id, notice.photo_sha256, upload, False)


def _return_type(method: str) -> type[Message] | None:
    if method.startswith("send") or method in ("copyMessage", "forwardMessage"):
        return Message
    if method.startswith("edit"):
        return Message
    return None
