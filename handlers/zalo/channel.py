"""The Zalo channel as one thing to start and stop beside Telegram's polling: the inbox
adapter (registered on the shared inbox) and the webhook that feeds it."""

from __future__ import annotations

from bot.inbox import Inbox
from bot.services import Services
from bot.status import disk_low
from handlers.zalo.inbox import ZaloInbox
from handlers.zalo.webhook import ZaloWebhook


class ZaloChannel:
    def __init__(self, services: Services, inbox: Inbox, *, port: int | None = None) -> None:
        settings = services.settings
        self.inbox = ZaloInbox(
            services,
            inbox,
            disk_low=lambda: disk_low(settings.database_path, settings.min_free_disk_mb),
        )
        self.webhook = ZaloWebhook(services.settings, self.inbox, services.clock, port=port)

    async def start(self) -> None:
        await self.webhook.start()

    async def stop(self) -> None:
        await self.webhook.stop()
