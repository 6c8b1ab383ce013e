"""PTB's HTTP client, counting every Bot API call by method and outcome for the metrics
endpoint (``TINBAO_METRICS``). Counted at the HTTP level, so calls the sender makes,
button answers and ``getUpdates`` are all seen, 429s included, whoever made them."""

from __future__ import annotations

from typing import Any

from telegram.error import TimedOut
from telegram.request import HTTPXRequest

from bot.metrics import BOT_API_CALLS


class CountedRequest(HTTPXRequest):
    async def do_request(
        self, url: str, method: str, *args: Any, **kwargs: Any
    ) -> tuple[int, bytes]:
        endpoint = url.rsplit("/", 1)[-1]  # the method name; the token is never a label
        try:
            code, body = await super().do_request(url, method, *args, **kwargs)
        except TimedOut:
            BOT_API_CALLS.labels(endpoint, "timeout").inc()
            raise
        except Exception:
            BOT_API_CALLS.labels(endpoint, "network").inc()
            raise
        outcome = "ok" if code < 300 else "429" if code == 429 else f"{code // 100}xx"
        BOT_API_CALLS.labels(endpoint, outcome).inc()
        return code, body
