"""The Zalo channel as one thing to start and stop beside Telegram's polling: the inbox
adapter (registered on the shared inbox when this is built, so before the inbox worker
runs), the webhook that feeds it, and the loop that delivers Zalo citizens' outbox rows
through the OA API (one HTTP session, closed on stop)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import aiohttp

from bot.clock import Sleep
from bot.inbox import Inbox
from bot.services import Services
from bot.status import disk_low
from handlers.zalo.client import ZaloClient
from handlers.zalo.delivery import ZaloDelivery
from handlers.zalo.inbox import ZaloInbox
from handlers.zalo.sender import FailureHook, ZaloSender
from handlers.zalo.tokens import TokenKeeper, ZaloOAuth
from handlers.zalo.webhook import ZaloWebhook

log = logging.getLogger(__name__)

TokenSource = Callable[[], Awaitable[str]]


class ZaloChannel:
    def __init__(
        self,
        services: Services,
        inbox: Inbox,
        *,
        port: int | None = None,
        token: TokenSource | None = None,
        on_failure: list[FailureHook] | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        settings = services.settings
        self.services = services
        self.inbox = ZaloInbox(
            services,
            inbox,
            disk_low=lambda: disk_low(settings.database_path, settings.min_free_disk_mb),
        )
        self.webhook = ZaloWebhook(services.settings, self.inbox, services.clock, port=port)
        self.token = token  # None: the token keeper, once the HTTP session exists
        self.on_failure = on_failure or []
        self.sleep = sleep  # the OA client's back-off between its quick retries
        self.session: aiohttp.ClientSession | None = None
        self.delivery: ZaloDelivery | None = None
        self._loop: asyncio.Task[None] | None = None

    def wake(self) -> None:
        """Rows were written: the delivery loop looks now (no-op until it exists)."""
        if self.delivery is not None:
            self.delivery.wake()

    async def start(self, *, delivery: bool = False) -> None:
        """Receive events; with ``delivery``, also run the loop sending Zalo's rows."""
        if delivery:
            self.build_delivery()
            assert self.delivery is not None
            self._loop = asyncio.create_task(self.delivery.run())
        await self.webhook.start()

    def build_delivery(self) -> ZaloDelivery:
        """The sender and its loop, not started (tests flush it themselves)."""
        if self.delivery is None:
            services = self.services
            self.session = aiohttp.ClientSession()
            token, renew = self.token, None
            if token is None:
                keeper = TokenKeeper(
                    services.db,
                    services.people.box,
                    ZaloOAuth.from_settings(services.settings, self.session),
                    services.clock,
                    sleep=self.sleep,
                )
                token, renew = keeper.token, keeper.invalidate
            client = ZaloClient(
                services.settings.zalo_api_url,
                token,
                session=self.session,
                sleep=self.sleep,
                on_invalid_token=renew,
            )
            sender = ZaloSender(
                services.db,
                services.people,
                client,
                services.clock,
                on_failure=self.on_failure,
                # Zalo's user-info form needs a picture; without one citizens type the number
                info_image_url=services.settings.zalo_info_image_url or None,
            )
            self.delivery = ZaloDelivery(
                services.db, sender, services.clock, wake_all=services.outbox_ready
            )
        return self.delivery

    async def stop(self) -> None:
        """Stop taking events, then let the sends under way finish and record."""
        await self.webhook.stop()
        if self.delivery is not None:
            self.delivery.stop()
        if self._loop is not None:
            try:
                await asyncio.wait_for(self._loop, timeout=15)
            except (TimeoutError, asyncio.CancelledError):
                self._loop.cancel()
            except Exception:  # pragma: no cover - logged by the loop itself
                log.exception("zalo delivery loop ended with an error")
            self._loop = None
        if self.session is not None:
            await self.session.close()
            self.session = None
