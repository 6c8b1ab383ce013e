"""Delivers outbox rows at least once (DESIGN.md rule 2).

Each pass takes the first pending row of every recipient (so a chat sees its messages in
order) and sends them concurrently through the bot, whose ``AIORateLimiter`` keeps us
inside Telegram's flood limits. Network errors and 5xx back off exponentially, a 429
waits exactly its ``retry_after``, and permanent refusals (blocked, kicked, chat not
found, any other answer of Telegram that is not about the network) mark the row failed
and raise an alert instead of retrying forever. A group upgraded to a supergroup is
followed to its new id. An error of our own (a bug, a database hiccup) is retried
:data:`MAX_ATTEMPTS` times, then the row fails with an alert: one broken row must
neither stop the others nor stay pending for ever.

A ``screen`` row holds plain values (:func:`bot.dialogue.screen_to_plain`) and is
rendered for Telegram only here (``handlers/render.py``): a message, a prompt asking for
a reply, an edit, or a wanted notice's photo with its card as the caption (the cached
Telegram file id, else the picture, whose new file id is then cached).
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
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.warnings import PTBDeprecationWarning, PTBUserWarning

from bot.clock import Clock
from bot.people import People
from bot.text import CAPTION_LIMIT, TEXT_LIMIT, fit
from storage import outbox, reporters
from storage import wanted as wanted_store
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
MAX_ATTEMPTS = 5  # for errors that are neither the network's nor Telegram's answer
IDLE_SECONDS = 30.0  # the longest sleep between passes when nothing is due
IDLE_POLL_SECONDS = 0.5  # how often an idle sender asks whether another process wrote
# Edits that tidy a message a button was pressed on (its keyboard goes, a note stays): if
# Telegram refuses (too old, deleted, already edited), nothing is lost and nobody needs
# an alert, so a refusal ends the row quietly.
BEST_EFFORT = frozenset({"settle"})
WANTED_PHOTO = "_wanted_photo"  # set by _resolve: (notice id, photo sha256, cached id?)

FailureHook = Callable[[Tx, OutboxRow, str], Awaitable[None]]
MigrationHook = Callable[[Tx, int, int], Awaitable[object]]


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
        on_migrated: list[MigrationHook] | None = None,
        idle_poll: float = IDLE_POLL_SECONDS,
    ) -> None:
        self.db = db
        self.bot = bot
        self.people = people
        self.clock = clock
        self.on_failure = on_failure or []
        self.on_migrated = on_migrated or []
        self.idle_poll = idle_poll
        self._wake = asyncio.Event()
        self._pass = asyncio.Lock()
        self._stopping = False

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
            # Nothing leaves before the change that caused it is on disk (DESIGN.md rule
            # 1): one fsync here covers every transaction since the last one.
            await self.db.sync()
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
        """Background loop for a running bot: flush, then sleep until woken, due, or
        another process wrote to the database."""
        while not self._stopping:
            self._wake.clear()  # before the pass, so a wake during it is not lost
            # read before the pass: a row another process commits during it changes the
            # version, and the sleep below ends at once instead of missing it
            version = await self.db.data_version()
            try:
                await self.flush()
            except Exception:  # pragma: no cover - keep the loop alive, log for operators
                log.exception("outbox pass failed")
            async with self.db.read() as tx:
                next_at = await outbox.next_due_at(tx)
            timeout = IDLE_SECONDS
            if next_at:
                delta = (parse_utc(next_at) - self.clock()).total_seconds()
                timeout = max(0.05, min(timeout, delta))
            await self._sleep(seconds=timeout, version=version)

    async def _sleep(self, *, seconds: float, version: int) -> None:
        """Sleep up to ``seconds``; end early when woken (this process wrote rows)
        or when the database's ``data_version`` moved (another process did: ``tinbao
        wanted withdraw`` writes its notices to the outbox from the command line, and
        would otherwise wait for the next timeout)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while not self._stopping:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=min(remaining, self.idle_poll))
                return
            if await self.db.data_version() != version:
                return

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    async def _deliver(self, row: OutboxRow) -> int:
        try:
            return await self._attempt(row)
        except Exception as exc:  # our own error: not Telegram's answer, not the network
            log.exception("outbox row %s (%s): internal error", row.id, row.purpose)
            error = f"internal error ({type(exc).__name__})"  # the type only: no content
            if row.attempts + 1 >= MAX_ATTEMPTS:
                await self._fail(row, error)
            else:
                await self._retry(row, self._backoff(row), error)
            return 0

    async def _attempt(self, row: OutboxRow) -> int:
        try:
            kwargs = await self._resolve(row)
        except NotYet:
            await self._retry(row, 2.0, "waiting for the message it refers to")
            return 0
        except Unresolvable as exc:
            # a consequence of an earlier failure, which already raised its alert
            await self._fail(row, str(exc), alert=False)
            return 0
        photo: tuple[int, str | None, bool] | None = kwargs.pop(WANTED_PHOTO, None)
        method = row.method
        if method == "screen":  # plain values, rendered for Telegram only now
            from handlers.render import render_screen  # the Telegram renderer

            method, kwargs = render_screen(kwargs)
        try:
            with warnings.catch_warnings():
                # The outbox stores Bot API method names and JSON parameters on purpose (a
                # row must survive a restart as data), so the generic call is right here.
                warnings.simplefilter("ignore", PTBUserWarning)
                result = await self.bot.do_api_request(
                    method, api_kwargs=kwargs, return_type=_return_type(method)
                )
        except ChatMigrated as exc:
            await self._migrated(row, int(kwargs["chat_id"]), int(exc.new_chat_id))
            return 0
        except RetryAfter as exc:
            with warnings.catch_warnings():  # PTB 22 warns that this becomes a timedelta
                warnings.simplefilter("ignore", PTBDeprecationWarning)
                wait = exc.retry_after
            seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
            await self._retry(row, seconds, f"429 retry after {seconds}s", count=False)
            return 0
        except Forbidden as exc:
            await self._fail(row, f"forbidden: {exc.message}")
            return 0
        except BadRequest as exc:
            text = exc.message.lower()
            if any(marker in text for marker in ALREADY_DONE):
                await self._sent(row, None)
                return 1
            if photo is not None and photo[2]:
                # the cached file id is refused (another bot token, a purged file): forget
                # it and upload the picture at once; that attempt is not this row's fault
                await self._forget_photo(row, photo[0], exc.message)
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
            # timeouts, 5xx and lost connections pass; a refused token is the whole bot's
            # trouble, not this row's: the row waits until the operator fixes it
            await self._retry(row, self._backoff(row), f"{type(exc).__name__}: {exc}")
            return 0
        except TelegramError as exc:  # Telegram's definite answer: retrying changes nothing
            await self._fail(row, f"{type(exc).__name__}: {exc.message}")
            return 0
        message_id = None
        if isinstance(result, Message):
            message_id = result.message_id
        elif isinstance(result, list | tuple) and result and isinstance(result[0], Message):
            message_id = result[0].message_id
        uploaded = None
        if photo is not None and not photo[2] and isinstance(result, Message) and result.photo:
            uploaded = (photo[0], photo[1], result.photo[-1].file_id)
        await self._sent(row, message_id, uploaded)
        return 1

    async def _resolve(self, row: OutboxRow) -> dict[str, Any]:
        kwargs = self.people.open_payload(row.payload)
        async with self.db.read() as tx:
            if row.reporter_id is not None:
                reporter = await reporters.get(tx, row.reporter_id)
                chat = self.people.chat_of(reporter) if reporter else None
                if chat is None:
                    raise Unresolvable("reporter purged")
                if chat <= 0:  # chat_of promises a private chat; a group is never one
                    raise Unresolvable("reporter has no private chat")
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
            notice_id = kwargs.pop("wanted_photo", None)
            if notice_id is not None:
                await _wanted_photo(tx, int(notice_id), kwargs)
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
        # Telegram refuses a text over 4,096 UTF-16 units (a caption over 1,024): the paths
        # that build texts keep within them; this cut with a mark is the last line of defence.
        for key, limit in (("text", TEXT_LIMIT), ("caption", CAPTION_LIMIT)):
            if isinstance(kwargs.get(key), str):
                kwargs[key] = fit(kwargs[key], limit)
        return kwargs

    def _backoff(self, row: OutboxRow) -> float:
        return float(min(MAX_BACKOFF_SECONDS, 2 ** min(row.attempts, 12)))

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
        async with self.db.transaction() as tx:
            await outbox.mark_failed(tx, row.id, error=error)
            for hook in self.on_failure if alert else []:
                await hook(tx, row, error)


async def _wanted_photo(tx: Tx, notice_id: int, kwargs: dict[str, Any]) -> None:
    """A screen shown on a wanted notice's photo: Telegram's cached file id if there is
    one, else the picture's bytes (the id Telegram gives them is cached once sent). A
    notice without a picture after all is shown as text."""
    notice = await wanted_store.get(tx, notice_id)
    if notice is None or not notice.has_photo:
        return
    if notice.photo_file_id:
        kwargs["photo"] = notice.photo_file_id
        kwargs[WANTED_PHOTO] = (notice_id, notice.photo_sha256, True)
        return
    data = await wanted_store.photo(tx, notice_id)
    if data is None:
        return
    extension = "png" if data.startswith(b"\x89PNG") else "jpg"
    kwargs["photo"] = InputFile(data, filename=f"truyna-{notice_id}.{extension}")
    kwargs[WANTED_PHOTO] = (notice_id, notice.photo_sha256, False)


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
    caption = item.get("caption")
    caption = fit(caption, CAPTION_LIMIT) if isinstance(caption, str) else caption
    return kind(media=item["media"], caption=caption)  # type: ignore[call-arg]
