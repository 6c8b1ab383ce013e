"""The operations server: ``/healthz`` for a load balancer, Docker or a monitoring
system, and ``/metrics`` for Prometheus. Off unless ``TINBAO_OPS_PORT`` is set, bound to
127.0.0.1 unless ``TINBAO_OPS_HOST`` says otherwise; it shows no personal data.

aiohttp because tinbao's other HTTP ends (the Telegram webhook, later Zalo's webhook and
the supervisors' web page) are served by it too: one well-kept asynchronous web stack on
the bot's own event loop. The checks read the database in a thread, never on the loop.
"""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from bot.clock import Clock
from bot.metrics import REGISTRY, watch_database
from bot.status import check
from config.settings import Settings

log = logging.getLogger(__name__)


class OpsServer:
    def __init__(self, settings: Settings, clock: Clock, *, port: int | None = None) -> None:
        self.settings = settings
        self.clock = clock
        self.host = settings.ops_host
        self.port = port if port is not None else (settings.ops_port or 0)
        self._runner: web.AppRunner | None = None
        app = web.Application()
        app.router.add_get("/healthz", self.healthz)
        if settings.metrics:
            watch_database(settings.database_path)
            app.router.add_get("/metrics", self.metrics)
        self.app = app

    async def start(self) -> None:
        self._runner = web.AppRunner(self.app, access_log=None)  # URLs only, but quiet
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        sockets = getattr(site._server, "sockets", None) or []
        if sockets:
            self.port = int(sockets[0].getsockname()[1])
        log.info(
            "ops server on http://%s:%d (/healthz%s)",
            self.host,
            self.port,
            ", /metrics" if self.settings.metrics else "",
        )

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def healthz(self, request: web.Request) -> web.Response:
        """200 with the figures when well, 503 when a person is needed."""
        s = self.settings
        status = await asyncio.to_thread(
            check,
            s.database_path,
            self.clock(),
            min_free_disk_mb=s.min_free_disk_mb,
            backup_dir=s.backup_dir,
            tz=s.tz,
        )
        return web.Response(
            text=status.to_json(),
            status=200 if status.healthy else 503,
            content_type="application/json",
        )

    async def metrics(self, request: web.Request) -> web.Response:
        body = await asyncio.to_thread(generate_latest, REGISTRY)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})
