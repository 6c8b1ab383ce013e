"""Assemble tinbao: database, services, the python-telegram-bot Application, the sender.

``create`` is shared by ``tinbao run``, ``tinbao demo`` and the tests, so what the tests
drive is exactly what runs in production; only the Bot API transport differs.
"""

from __future__ import annotations

import asyncio
import logging
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from telegram import BotCommand, Update
from telegram.error import InvalidToken
from telegram.ext import Application, ApplicationBuilder, BaseRateLimiter
from telegram.request import BaseRequest

from bot import receipt
from bot.alerts import Alerts
from bot.backups import register_backup_job
from bot.clock import Clock, Sleep, system_clock
from bot.crypto import IdentityBox
from bot.digests import DigestServices
from bot.dispatch import CardDispatch
from bot.errors import TinbaoError
from bot.inbox import Inbox
from bot.intake import IntakeService
from bot.people import People, Person, repair_reporter_chats
from bot.places import PlaceSearch
from bot.queues import QueueService
from bot.replies import Replies
from bot.retention import register_purge_job
from bot.services import Services
from bot.staff import StaffService
from bot.startup import StartRefused, check_key
from bot.status import disk_low
from bot.wanted_desk import WantedDesk
from config.settings import Settings
from config.texts import t
from handlers.telegram.common import key_of, origin_of, person_of
from handlers.telegram.context import CONTEXT_TYPES, Context, TinbaoApplication, attach
from handlers.telegram.counted import CountedRequest
from handlers.telegram.inbox import TelegramInbox
from handlers.telegram.jobs import catch_up, register_jobs
from handlers.telegram.render import answer_quietly
from handlers.telegram.sender import OutboxSender
from handlers.telegram.sendlimits import SendLimiter, SendLimits
from storage import cards
from storage.db import Database

if TYPE_CHECKING:
    from handlers.ops import OpsServer
    from handlers.telegram.webhook import WebhookServer
    from handlers.web.server import WebServer
    from handlers.zalo.channel import ZaloChannel

log = logging.getLogger(__name__)

# Transactions of a burst of updates share one commit to disk, at most this late (or as
# soon as the sender or the inbox needs them durable, which is usually sooner).
GROUP_COMMIT = 0.005


class Wakers:
    """``services.outbox_ready``: every channel's sender looks at the outbox now (a
    channel started later, Zalo, adds its own)."""

    def __init__(self, *wakers: Callable[[], None]) -> None:
        self.wakers = list(wakers)

    def add(self, waker: Callable[[], None]) -> None:
        self.wakers.append(waker)

    def __call__(self) -> None:
        for waker in self.wakers:
            waker()


@dataclass
class Tinbao:
    settings: Settings
    db: Database
    people: People
    places: PlaceSearch
    intake: IntakeService
    queues: QueueService
    staff: StaffService
    sender: OutboxSender
    digests: DigestServices
    app: TinbaoApplication
    clock: Clock
    inbox: Inbox
    telegram: TelegramInbox
    replies: Replies
    wanted_desk: WantedDesk
    services: Services
    sleep: Sleep = asyncio.sleep  # the back-off of prompts retried in a handler
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)
    ops: OpsServer | None = None
    fatal: asyncio.Event = field(default_factory=asyncio.Event)  # stop: the reason below
    fatal_reason: str = ""
    webhook: WebhookServer | None = None
    web: WebServer | None = None
    zalo: ZaloChannel | None = None
    outbox_ready: Wakers = field(default_factory=Wakers)

    async def language_of(self, person: Person) -> str:
        return await self.services.language_of(person)

    async def start(
        self, *, polling: bool = True, sender: bool = True, webhook: bool = False
    ) -> None:
        """Initialise and start the Application, apply what the inbox kept from before a
        stop or crash, then optionally poll and run the sender. With Zalo set up, its
        adapter is on the inbox before the inbox runs (kept events of Zalo are applied
        too), its webhook receives and, with ``sender``, its delivery loop runs."""
        await self.app.initialize()
        await self.app.start()
        await self.warn_unrouted()
        if self.settings.zalo_on and self.zalo is None:  # (tests build theirs beforehand)
            self.zalo = self.zalo_channel()
        self._tasks.append(asyncio.create_task(self.inbox.run()))
        if self.zalo is not None:
            await self.zalo.start(delivery=sender)
        if sender:
            self._tasks.append(asyncio.create_task(self.sender.run()))
            # A digest whose time passed while the bot was down goes out now, once.
            await catch_up(self.digests)
        if polling:
            poll = asyncio.create_task(self.telegram.poll())
            poll.add_done_callback(self._polling_ended)
            self._tasks.append(poll)
        if webhook:
            from handlers.telegram.webhook import WebhookServer

            self.webhook = WebhookServer(self.settings, self.telegram)
            await self.webhook.start()
        if self.settings.ops_port is not None:
            from handlers.ops import OpsServer

            self.ops = OpsServer(self.settings, self.clock)
            await self.ops.start()
        if self.settings.web_port is not None:
            from handlers.web.server import WebServer

            self.web = WebServer(self.services)
            await self.web.start()

    def zalo_channel(self, **kw: Any) -> ZaloChannel:
        """The Zalo channel on this process's inbox and services, its failures alerted
        like Telegram's, and woken with every outbox commit. Imported here so that a
        Telegram-only run never imports it."""
        from handlers.zalo.channel import ZaloChannel

        kw.setdefault("on_failure", self.sender.on_failure)
        kw.setdefault("sleep", self.sleep)
        channel = ZaloChannel(self.services, self.inbox, **kw)
        self.outbox_ready.add(channel.wake)
        return channel

    def _polling_ended(self, task: asyncio.Task[None]) -> None:
        """Polling only ends by itself when Telegram refuses the token (revoked at
        @BotFather while running): the process must stop with one clear line, not go on
        deaf."""
        if task.cancelled() or task.exception() is None:
            return
        error = task.exception()
        if isinstance(error, InvalidToken):
            self.fatal_reason = "TINBAO_BOT_TOKEN was refused by Telegram while running (revoked?)"
        else:
            self.fatal_reason = f"polling stopped: {type(error).__name__}"
        log.critical("%s", self.fatal_reason)
        self.fatal.set()

    async def warn_unrouted(self) -> int:
        """Say loudly at start-up that tips are waiting where no officer can see them
        (no queue group for their commune, no duty group): binding a duty group
        (``/bindduty``) or the unit's queue group delivers them. Returns how many."""
        async with self.db.read() as tx:
            waiting = await cards.unrouted(tx)
        if waiting:
            shown = ", ".join(receipt.display(code) for _, code in waiting[:20])
            more = f" and {len(waiting) - 20} more" if len(waiting) > 20 else ""
            log.warning(
                "UNROUTED TIPS: %d tip(s) reached no police chat (no queue group for their"
                " commune and no duty group bound): %s%s. Bind a duty group with /bindduty"
                " (or the units' queue groups with /bindqueue) to deliver them.",
                len(waiting),
                shown,
                more,
            )
        return len(waiting)

    async def stop(self) -> None:
        if self.ops is not None:
            await self.ops.stop()
        if self.web is not None:
            await self.web.stop()
        if self.webhook is not None:
            await self.webhook.stop()
        if self.zalo is not None:
            await self.zalo.stop()
        self.telegram.stop()
        self.inbox.stop()
        self.sender.stop()
        for task in self._tasks:
            try:
                await asyncio.wait_for(task, timeout=5)
            except (TimeoutError, asyncio.CancelledError):  # a long poll is simply cut
                task.cancel()
            except Exception:  # what ended it was logged when it ended (_polling_ended)
                continue
        await self.inbox.wait_stopped()
        self._tasks.clear()
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()
        await self.db.close()


BOT_COMMANDS = {  # language: (command, catalogue key of its description)
    "vi": [
        ("start", "cmd_start"),
        ("baotin", "cmd_report"),
        ("status", "cmd_status"),
        ("help", "cmd_help"),
        ("language", "cmd_language"),
        ("cancel", "cmd_cancel"),
    ],
    "en": [
        ("start", "cmd_start"),
        ("report", "cmd_report"),
        ("status", "cmd_status"),
        ("help", "cmd_help"),
        ("language", "cmd_language"),
        ("cancel", "cmd_cancel"),
    ],
}


async def create(
    settings: Settings,
    *,
    request: BaseRequest | None = None,
    clock: Clock = system_clock,
    sleep: Sleep = asyncio.sleep,
    rate_limiter: bool | BaseRateLimiter[Any] | None = None,
) -> Tinbao:
    """Open the database (applying migrations) and build the wired Application.

    ``rate_limiter``: ``None`` follows ``TINBAO_BOT_API_RATE_LIMIT`` (on by default);
    ``True`` (production) keeps Telegram's limits with tinbao's own
    :class:`~handlers.telegram.sendlimits.SendLimits`, shared by the outbox sender (which schedules
    within them) and PTB's rate-limiter hook (which paces any other call that posts);
    ``False`` sends without limits (tests, the demo, commands that send nothing); a PTB
    ``BaseRateLimiter`` (a benchmark's baseline, such as ``AIORateLimiter``) is installed
    as is and the sender does not schedule."""
    from handlers.telegram import citizen, police, supervisor, wanted, web_command

    db = await Database.open(settings.database_path, clock=clock, group_commit=GROUP_COMMIT)
    places = await PlaceSearch.load(db)
    people = People(IdentityBox(settings.key_bytes), settings.default_language)
    try:
        await check_key(db, people)  # a wrong key stops here, before anything is sealed
    except StartRefused:
        await db.close()
        raise
    # Migrations cannot read sealed identities; this finishes 0005 with the key.
    await repair_reporter_chats(db, people)
    builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any] = (
        Application.builder()
        .token(settings.bot_token.get_secret_value())
        .base_url(settings.bot_api_url)
        .base_file_url(settings.bot_file_url)
    )
    if settings.metrics and request is None:  # count every Bot API call by outcome
        builder = builder.request(
            CountedRequest(connection_pool_size=256, proxy=settings.proxy_url or None)
        )
    if settings.bot_api_local_mode:
        builder = builder.local_mode(True)
    if settings.proxy_url and request is None:
        if not settings.metrics:  # a CountedRequest already carries the proxy
            builder = builder.proxy(settings.proxy_url)
        builder = builder.get_updates_proxy(settings.proxy_url)
    limits: SendLimits | None = None
    if rate_limiter is None:  # as the operator set it (TINBAO_BOT_API_RATE_LIMIT)
        rate_limiter = settings.bot_api_rate_limit
    if isinstance(rate_limiter, BaseRateLimiter):
        builder = builder.rate_limiter(rate_limiter)
    elif rate_limiter:
        # monotonic in production; a test's fake clock drives the windows otherwise
        now = time.monotonic if clock is system_clock else lambda: clock().timestamp()
        limits = SendLimits(now=now)
        builder = builder.rate_limiter(SendLimiter(limits))
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    # Updates come through the durable inbox (handlers/telegram/inbox.py), not PTB's
    # Updater, which confirms updates to Telegram before they are handled.
    app: TinbaoApplication = builder.updater(None).context_types(CONTEXT_TYPES).build()
    dispatch, alerts = CardDispatch(settings, people, clock), Alerts(clock)
    queues = QueueService(db, settings, places, clock, dispatch)
    staff = StaffService(db, settings, places, clock, dispatch)
    sender = OutboxSender(
        db,
        app.bot,
        people,
        clock,
        on_failure=[alerts.on_delivery_failure],
        on_migrated=[dispatch.follow_migration],
        limits=limits,
    )
    intake = IntakeService(
        db,
        settings,
        people,
        places,
        clock,
        on_tip_committed=[dispatch.on_tip_committed],
        relay=queues,
    )
    outbox_ready = Wakers(sender.wake)
    digests = DigestServices(db, settings, clock, outbox_ready)
    inbox = Inbox(db, people.box, on_refused=alerts.on_refused_event)
    telegram = TelegramInbox(
        app,
        inbox,
        people,
        disk_low=lambda: disk_low(settings.database_path, settings.min_free_disk_mb),
    )
    replies, wanted_desk = Replies(db, people), WantedDesk(db, people)
    tinbao = Tinbao(
        settings,
        db,
        people,
        places,
        intake,
        queues,
        staff,
        sender,
        digests,
        app,
        clock,
        inbox,
        telegram,
        replies,
        wanted_desk,
        Services(
            settings,
            db,
            clock,
            people,
            places,
            intake,
            queues,
            staff,
            digests,
            replies,
            wanted_desk,
            outbox_ready,
        ),
        sleep,
        outbox_ready=outbox_ready,
    )
    attach(app, tinbao.services)
    register_jobs(app, digests)
    register_purge_job(app, db, settings, clock)
    register_backup_job(app, settings, clock)
    supervisor.register(app)
    police.register(app)
    wanted.register(app)
    web_command.register(app)
    citizen.register(app)
    app.add_error_handler(_on_error)
    return tinbao


async def publish_commands(tinbao: Tinbao) -> None:
    """The command menu users see, in Vietnamese by default and English for English phones."""
    bot = tinbao.app.bot
    await bot.set_my_commands([BotCommand(c, t(k, "vi")) for c, k in BOT_COMMANDS["vi"]])
    await bot.set_my_commands(
        [BotCommand(c, t(k, "en")) for c, k in BOT_COMMANDS["en"]], language_code="en"
    )


async def _on_error(update: object, context: Any) -> None:
    """A :class:`~bot.errors.TinbaoError` is a definite answer: the person is told, in
    their language (a button press in its pop-up, anything else through the outbox,
    committed under the update's key), and the inbox does not try the update again.
    Anything else is a fault: logged by where it failed, never by what it said (an
    exception's text may quote the update: a reporter's words, a name, a phone), so only
    its class and the frames are logged; the inbox tries the update again and, if it
    keeps failing, answers its sender."""
    error = context.error
    if isinstance(error, TinbaoError) and isinstance(update, Update):
        log.info("update refused: %s", type(error).__name__)
        try:
            await _answer_refusal(update, context, error)
        except Exception as exc:  # not answered: the inbox tries the update again
            log.error("could not answer a refusal: %s", type(exc).__name__)
        return
    frames = "".join(traceback.format_tb(error.__traceback__)) if error is not None else ""
    log.error("error while handling an update: %s\n%s", type(error).__name__, frames.rstrip())


async def _answer_refusal(update: Update, context: Context, error: TinbaoError) -> None:
    services = context.services
    person = person_of(update)
    lang = await services.language_of(person) if person else services.settings.default_language
    try:
        text = error.text(lang)
    except KeyError:  # a key of another catalogue: never a reason to say nothing
        text = TinbaoError().text(lang)
    query = update.callback_query
    if query is not None:
        await answer_quietly(query, text)
    else:
        origin = origin_of(update)
        if origin is None:
            return
        if await services.replies.say(origin, text, key=key_of(update, context)):
            services.outbox_ready()
    error.answered = True
