"""The OA API client for consultation messages (``POST /v3.0/oa/message/cs``): one text
per call, the ``access_token`` header, Zalo's answer read from its JSON (Zalo answers
HTTP 200 for errors too, with a non-zero ``error``).

A network failure, a 5xx or an error not known to be final is tried again with backoff;
an invalid or expired token (-216, -220 in Zalo's OA error table) is renewed once through
``on_invalid_token`` (handlers/zalo/tokens.py) and the call made again, once; other errors
are final for that message and returned to the caller, which must alert the duty group,
never drop the message silently.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp

from bot.clock import Sleep

log = logging.getLogger(__name__)

MESSAGE_PATH = "/v3.0/oa/message/cs"
TOKEN_INVALID = -216
TOKEN_EXPIRED = -220  # "access_token is expired or removed": reported as TOKEN_INVALID
BACKOFF = (1.0, 5.0, 30.0)


class ZaloApiError(Exception):
    """Zalo refused the call: ``code`` is its ``error`` field (negative), or 0 for a
    transport failure (network, HTTP status other than 200, an answer that is not JSON)."""

    def __init__(self, code: int, message: str, *, final: bool) -> None:
        super().__init__(f"zalo error {code}: {message}")
        self.code = code
        self.message = message
        self.final = final


@dataclass(frozen=True)
class Sent:
    message_id: str


class ZaloClient:
    def __init__(
        self,
        base_url: str,
        token: Callable[[], Awaitable[str]],
        *,
        session: aiohttp.ClientSession,
        sleep: Sleep = asyncio.sleep,
        backoff: tuple[float, ...] = BACKOFF,
        timeout: float = 10.0,
        on_invalid_token: Callable[[str], Awaitable[None]] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.on_invalid_token = on_invalid_token
        self.session = session
        self.sleep = sleep
        self.backoff = backoff
        self.timeout = aiohttp.ClientTimeout(total=timeout)

    async def send_text(self, user_id: str, text: str) -> Sent:
        """One text (at most 2,000 characters: render.split first), tried again on what
        may pass; raises :class:`ZaloApiError` once it will not."""
        return await self.send_message(user_id, {"text": text})

    async def send_buttons(self, user_id: str, text: str, buttons: list[dict[str, Any]]) -> Sent:
        """A text with buttons under it: the consultation message's ``template``
        attachment with a ``buttons`` payload (each ``{"title", "type", "payload"}``; an
        ``oa.query.hide`` button sends its payload back as the user's text, hidden in
        their chat)."""
        attachment = {"type": "template", "payload": {"buttons": buttons}}
        return await self.send_message(user_id, {"text": text, "attachment": attachment})

    async def request_user_info(
        self, user_id: str, *, title: str, subtitle: str, image_url: str
    ) -> Sent:
        """Zalo's form asking the user to share their name and phone number (template
        ``request_user_info``, one element; the image is required): what they share comes
        back later as a ``user_submit_info`` event, not in this answer."""
        element = {"title": title[:100], "subtitle": subtitle[:500], "image_url": image_url}
        payload = {"template_type": "request_user_info", "elements": [element]}
        return await self.send_message(
            user_id, {"attachment": {"type": "template", "payload": payload}}
        )

    async def send_message(self, user_id: str, message: dict[str, Any]) -> Sent:
        """One consultation message (its ``message`` object as the OA API takes it),
        tried again on what may pass; raises :class:`ZaloApiError` once it will not."""
        body = {"recipient": {"user_id": user_id}, "message": message}
        for attempt in range(len(self.backoff) + 1):
            try:
                answer = await self._post(MESSAGE_PATH, body)
                return Sent(str((answer.get("data") or {}).get("message_id") or ""))
            except ZaloApiError as error:
                if error.final or attempt == len(self.backoff):
                    raise
                wait = self.backoff[attempt]
                log.warning("zalo send failed (%s); again in %.0fs", error.code, wait)
                await self.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        token = await self.token()
        try:
            return await self._call(path, body, token)
        except ZaloApiError as error:
            if error.code != TOKEN_INVALID or self.on_invalid_token is None:
                raise
        # Zalo no longer takes the token (it expired early, or was replaced): renewed once
        # (concurrent callers share one refresh), then this call once more.
        await self.on_invalid_token(token)
        return await self._call(path, body, await self.token())

    async def _call(self, path: str, body: dict[str, Any], token: str) -> dict[str, Any]:
        headers = {"access_token": token}
        try:
            async with self.session.post(
                self.base_url + path, json=body, headers=headers, timeout=self.timeout
            ) as response:
                if response.status != 200:
                    raise ZaloApiError(0, f"HTTP {response.status}", final=False)
                answer = await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise ZaloApiError(0, type(exc).__name__, final=False) from None
        if not isinstance(answer, dict):
            raise ZaloApiError(0, "not a JSON object", final=False)
        code = answer.get("error", 0)
        if code == 0:
            return answer
        code = int(code) if isinstance(code, int) else -1
        code = TOKEN_INVALID if code == TOKEN_EXPIRED else code
        message = str(answer.get("message") or "")[:200]
        # An invalid token waits for the refresh; anything else named by Zalo is final
        # for this message (blocked, not a follower, outside the window, invalid user):
        # the caller ends the row with an alert. Rate and quota codes, once verified
        # against Zalo's table, belong with the retried ones.
        raise ZaloApiError(code, message, final=True)
