"""Webhook mode (``TINBAO_WEBHOOK_URL``): Telegram POSTs each update; it is stored in the
durable inbox before the 200 goes back, exactly as a polled batch is stored before its
offset is confirmed.

Why not python-telegram-bot's own ``run_webhook``: its handler answers 200 once the
update is in an in-memory queue, so a crash right after loses it; here the answer waits
for the commit (one fsync), and Telegram retries anything not answered 200. The same
inbox keys make a switch between polling and webhook safe: an update seen both ways is
applied once.
"""

from __future__ import annotations

import hmac
import json
import logging

from aiohttp import web

from config.settings import Settings
from handlers.telegram.inbox import ALLOWED_UPDATES, TelegramInbox

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1024 * 1024  # an update is a few KB; Telegram's largest are far below this


class WebhookServer:
    def __init__(
        self, settings: Settings, telegram: TelegramInbox, *, port: int | None = None
    ) -> None:
        assert settings.webhook_secret is not None  # the settings' own rule
        self.settings = settings
        self.telegram = telegram
        self._secret = settings.webhook_secret.get_secret_value().encode()
        self.host = settings.webhook_listen
        self.port = settings.webhook_port if port is None else port
        self._runner: web.AppRunner | None = None
        self.app = web.Application(client_max_size=MAX_BODY)
        self.app.router.add_post(settings.webhook_path, self.receive)

    async def start(self, *, register: bool = True) -> None:
        """Listen, then tell Telegram where to send (``register``: off in tests that post
        by hand)."""
        self._runner = web.AppRunner(self.app, access_log=None)  # no URLs or ids in logs
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        sockets = getattr(site._server, "sockets", None) or []
        if sockets:
            self.port = int(sockets[0].getsockname()[1])
        if register:
            url = f"{self.settings.webhook_url}{self.settings.webhook_path}"
            await self.telegram.app.bot.set_webhook(
                url,
                secret_token=self._secret.decode(),
                allowed_updates=ALLOWED_UPDATES,
                drop_pending_updates=False,  # what Telegram still holds is ours to handle
            )
            log.info(
                "webhook set; listening on %s:%d%s",
                self.host,
                self.port,
                self.settings.webhook_path,
            )

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def receive(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            log.warning("webhook request refused: %s secret token", "wrong" if given else "no")
            return web.Response(status=401)
        try:
            raw = json.loads(await request.read())
        except web.HTTPRequestEntityTooLarge:
            log.warning("webhook request refused: body over %d bytes", MAX_BODY)
            return web.Response(status=413)
        except (ValueError, UnicodeDecodeError):
            log.warning("webhook request refused: not JSON")
            return web.Response(status=400)
        if not isinstance(raw, dict) or not isinstance(raw.get("update_id"), int):
            log.warning("webhook request refused: not an update")
            return web.Response(status=400)
        await self.telegram.accept([raw])  # committed (fsync'd) before Telegram hears 200
        return web.Response(status=200)
