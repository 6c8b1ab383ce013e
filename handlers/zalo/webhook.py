"""Zalo's webhook: the OA's events are POSTed here (through the HTTPS reverse proxy),
checked, stored in the durable inbox, and only then answered 200.

Zalo wants its 200 within about two seconds and sends again otherwise, for hours, so an
event may come several times: its inbox key (``zalo:<msg_id>``) makes a repeat change
nothing. The answer waits for one commit (an fsync), never for the dialogue.

Outcomes, each with a log line that names no person and quotes no message:

- no or wrong ``X-ZEvent-Signature`` → 401, nothing stored;
- a body over 1 MB → 413; not a JSON object, or no ``app_id``/``timestamp`` → 400;
- signed, but for another app → 403 (the console points this OA's webhook at the wrong
  app: an operator must see it in Zalo's delivery log, not have events vanish);
- signed, but older than ``TINBAO_ZALO_MAX_EVENT_AGE_SECONDS`` (or far in the future) →
  200 and ignored: a replay, and an answer other than 200 would only make Zalo repeat it;
- an event name tinbao does not read → 200 and ignored, logged by its name only;
- the database cannot take it (a full disk) → 503: Zalo keeps it and sends it again.

aiohttp, as for Telegram's webhook and the ops server: one asynchronous web stack on the
bot's own event loop.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
import sqlite3

from aiohttp import web

from bot.clock import Clock
from config.settings import Settings
from handlers.zalo.events import KNOWN_EVENTS, SIGNATURE_HEADER, signature, text_of
from handlers.zalo.inbox import ZaloInbox

log = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024  # an event is a few KB (attachments come as URLs)
FUTURE_SLACK_MS = 5 * 60 * 1000  # Zalo's clock and ours may differ a little


class ZaloWebhook:
    def __init__(
        self, settings: Settings, zalo: ZaloInbox, clock: Clock, *, port: int | None = None
    ) -> None:
        assert settings.zalo_app_id is not None and settings.zalo_oa_secret_key is not None
        self.settings = settings
        self.zalo = zalo
        self.clock = clock
        self.app_id = settings.zalo_app_id
        self._oa_key = settings.zalo_oa_secret_key.get_secret_value()
        self.max_age_ms = settings.zalo_max_event_age_seconds * 1000
        self.host = settings.zalo_webhook_listen
        self.port = settings.zalo_webhook_port if port is None else port
        self._runner: web.AppRunner | None = None
        self.app = web.Application(client_max_size=MAX_BODY)
        self.app.router.add_post(settings.zalo_webhook_path, self.receive)

    async def start(self) -> None:
        self._runner = web.AppRunner(self.app, access_log=None)  # no ids in logs
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        sockets = getattr(site._server, "sockets", None) or []
        if sockets:
            self.port = int(sockets[0].getsockname()[1])
        log.info(
            "zalo webhook listening on %s:%d%s",
            self.host,
            self.port,
            self.settings.zalo_webhook_path,
        )

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def receive(self, request: web.Request) -> web.Response:
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            log.warning("zalo event refused: body over %d bytes", MAX_BODY)
            return web.Response(status=413)
        given = request.headers.get(SIGNATURE_HEADER, "").strip()
        if not given:
            log.warning("zalo event refused: no signature")
            return web.Response(status=401)
        try:
            raw = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            log.warning("zalo event refused: not JSON")
            return web.Response(status=400)
        if not isinstance(raw, dict):
            log.warning("zalo event refused: not an event")
            return web.Response(status=400)
        app_id, stamp = text_of(raw.get("app_id")), text_of(raw.get("timestamp"))
        if app_id is None or stamp is None:
            log.warning("zalo event refused: no app_id or timestamp")
            return web.Response(status=400)
        expected = signature(app_id, body, stamp, self._oa_key)
        if not hmac.compare_digest(given.lower().encode(), expected.encode()):
            log.warning("zalo event refused: wrong signature")
            return web.Response(status=401)
        if app_id != self.app_id:
            log.warning("zalo event refused: for another app (check the console's webhook)")
            return web.Response(status=403)
        age = self.clock().timestamp() * 1000 - int(stamp)
        if age > self.max_age_ms or age < -FUTURE_SLACK_MS:
            log.warning("zalo event ignored: %s by %.0f s", _age_word(age), abs(age) / 1000)
            return web.Response(status=200)
        name = raw.get("event_name")
        if name not in KNOWN_EVENTS:
            log.info("zalo event ignored: type %s", _printable(name))
            return web.Response(status=200)
        try:
            await self.zalo.accept([raw])  # committed and synced before Zalo hears 200
        except sqlite3.Error as exc:
            log.error("zalo event not stored (%s); Zalo sends it again", type(exc).__name__)
            return web.Response(status=503)
        return web.Response(status=200)


def _age_word(age_ms: float) -> str:
    return "too old" if age_ms > 0 else "dated in the future"


def _printable(name: object) -> str:
    """An event name fit for a log line (it comes from outside, though signed)."""
    if not isinstance(name, str):
        return "(none)"
    return re.sub(r"[^A-Za-z0-9_.-]", "?", name)[:60]
