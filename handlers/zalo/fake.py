"""A fake Zalo Official Account for the tests and the demo: it signs webhook events
exactly as Zalo does and POSTs them to a running receiver, and it serves the OA API's
message endpoint on loopback, recording each call and answering in Zalo's shapes
(HTTP 200 always; ``error`` 0 on success, a negative code and a ``message`` otherwise).

Faults it injects: Zalo errors (:meth:`fail_next`), HTTP 5xx (:meth:`fail_http`), calls
that hang past the client's timeout (:meth:`stall`), refused connections
(:meth:`go_down`), OAuth refusals and lost answers, expiring tokens, attachment URLs that
fail.

What it cannot show of the real platform: Zalo's true error table and rate limits, its
retry timing, TLS in front of the webhook, and what a Zalo client displays.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import secrets
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from aiohttp import web

from bot.clock import Clock, system_clock
from handlers.zalo.events import SIGNATURE_HEADER, signature

ACCESS_TOKEN = "fake-oa-access-token"
TOKEN_INVALID = (-216, "Access token is invalid")
OUT_OF_WINDOW = (-230, "User has not interacted with the OA in the past 7 days")
WINDOW = timedelta(days=7)
# Zalo's OAuth v4 refusals, as public clients record them (handlers/zalo/tokens.py)
OAUTH_BAD_APP = (-14002, "Invalid appId")
OAUTH_BAD_SECRET = (-14004, "Invalid secret key")
OAUTH_BAD_CODE = (-14005, "Invalid authorization code")
OAUTH_BAD_REFRESH = (-14014, "Invalid refresh token")
OAUTH_BAD_GRANT = (-14018, "Invalid grant type")
ACCESS_SECONDS = 90000  # 25 h, "expires_in": "90000"
REFRESH_LIFE = timedelta(days=90)


@dataclass
class ApiCall:
    path: str
    access_token: str | None
    body: dict[str, Any]
    answer: dict[str, Any] = field(default_factory=dict)


class FakeZaloOA:
    def __init__(
        self,
        app_id: str,
        oa_secret_key: str,
        *,
        oa_id: str = "579745863508352884",
        clock: Clock = system_clock,
        access_token: str = ACCESS_TOKEN,
    ) -> None:
        self.app_id = app_id
        self.oa_secret_key = oa_secret_key
        self.oa_id = oa_id
        self.clock = clock
        self.access_token = access_token
        self.calls: list[ApiCall] = []
        self._errors: deque[tuple[int, str]] = deque()
        self._ids = itertools.count(1)
        self._last_event: dict[str, datetime] = {}  # user id -> their last message (window)
        self._http_faults: deque[int] = deque()  # HTTP statuses for the next calls (outages)
        self._stalls: deque[float] = deque()  # seconds the next calls hang, then 504
        self.stalled = 0  # calls that hung (and did nothing)
        self._unstall = asyncio.Event()  # set on stop: nothing hangs past the fake's end
        # Called with each message call and its answer before the answer leaves: a test
        # looks at the database at the moment Zalo has the message (receipts after commit).
        self.on_call: list[Callable[[ApiCall], None]] = []
        self._runner: web.AppRunner | None = None
        self.url = ""
        self.app = web.Application()
        self.app.router.add_post("/v3.0/oa/message/cs", self._message)
        self.oauth = FakeOAuth()
        self.app.router.add_post("/v4/oa/access_token", self._access_token)
        self._serve_attachments()

    # ------------------------------------------------------------------ the OA API --
    async def start(self) -> str:
        """Serve the OA API on a free loopback port; returns its base URL."""
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = int(site._server.sockets[0].getsockname()[1])  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    async def stop(self) -> None:
        self._release_held()
        self._unstall.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def fail_next(self, code: int = TOKEN_INVALID[0], message: str = TOKEN_INVALID[1]) -> None:
        """The next API call is answered with this error (queued: one per call)."""
        self._errors.append((code, message))

    def sent_to(self, user_id: str) -> list[dict[str, Any]]:
        """The messages accepted for one user, oldest first."""
        return [
            c.body.get("message") or {}
            for c in self.calls
            if c.answer.get("error") == 0
            and (c.body.get("recipient") or {}).get("user_id") == user_id
        ]

    async def _message(self, request: web.Request) -> web.Response:
        if self._stalls:
            return await self._stall(self._stalls.popleft())
        if self._http_faults:
            return self.http_fault()
        token = request.headers.get("access_token")
        try:
            body = await request.json()
        except ValueError:
            body = None
        call = ApiCall(request.path, token, body if isinstance(body, dict) else {})
        self.calls.append(call)
        if self._errors:
            code, message = self._errors.popleft()
            call.answer = {"error": code, "message": message}
        elif token != self.access_token or self.oauth.expired(self.clock()):
            call.answer = {"error": TOKEN_INVALID[0], "message": TOKEN_INVALID[1]}
        elif not isinstance(body, dict) or not (body.get("recipient") or {}).get("user_id"):
            call.answer = {"error": -201, "message": "Parameters are invalid"}
        elif self.outside_window(str(body["recipient"]["user_id"])):
            call.answer = {"error": OUT_OF_WINDOW[0], "message": OUT_OF_WINDOW[1]}
        else:
            user = body["recipient"]["user_id"]
            call.answer = {
                "error": 0,
                "message": "Success",
                "data": {"message_id": f"fake{next(self._ids):08d}", "user_id": user},
            }
        for watcher in self.on_call:
            watcher(call)
        return web.json_response(call.answer)  # Zalo answers 200 even for an error

    # ------------------------------------------------------------------ OAuth v4 ----
    def issue_code(self, code_verifier: str | None = None) -> str:
        """An authorization code, as Zalo's permission page hands it to the callback
        (good once, for ten minutes)."""
        code = f"code-{secrets.token_hex(8)}"
        self.oauth.codes[code] = (code_verifier, self.clock() + timedelta(minutes=10))
        return code

    def issue_refresh_token(self) -> str:
        """A refresh token as Zalo's console (API Explorer) shows it to an operator."""
        token = f"refresh-{secrets.token_hex(8)}"
        self.oauth.refresh_tokens[token] = self.clock() + REFRESH_LIFE
        return token

    def fail_token_next(self, fault: str | tuple[int, str], *, delay: float = 30.0) -> None:
        """The next call of the token endpoint fails: ``"timeout"`` (no answer for
        ``delay`` seconds, nothing done), ``"lost"`` (the pair is issued and the refresh
        token spent, then no answer: what a crash or a cut connection looks like),
        ``"500"`` (HTTP 500), or a Zalo error ``(code, name)`` (HTTP 200)."""
        self.oauth.faults.append((fault, delay))

    def expire_access_token(self) -> None:
        """The current access token dies now (as when Zalo revokes it early)."""
        self.oauth.access_expires_at = self.clock()

    async def _access_token(self, request: web.Request) -> web.Response:
        form = dict(await request.post())
        self.oauth.calls.append({k: str(v) for k, v in form.items()})
        fault = self.oauth.faults.popleft() if self.oauth.faults else None
        if fault is not None:
            kind, delay = fault
            if kind == "timeout":
                await asyncio.sleep(delay)
            elif kind == "500":
                return web.Response(status=500, text="Internal Server Error")
            elif isinstance(kind, tuple):
                return _oauth_error(kind)
        answer = self._grant(form, request.headers.get("secret_key"))
        if fault is not None and fault[0] == "lost":
            await asyncio.sleep(fault[1])
        return answer

    def _grant(self, form: dict[str, Any], secret: str | None) -> web.Response:
        now = self.clock()
        if form.get("app_id") != self.app_id:
            return _oauth_error(OAUTH_BAD_APP)
        if self.oauth.app_secret is not None and secret != self.oauth.app_secret:
            return _oauth_error(OAUTH_BAD_SECRET)
        grant = form.get("grant_type")
        if grant == "authorization_code":
            found = self.oauth.codes.pop(str(form.get("code")), None)
            if found is None or found[1] <= now or found[0] != form.get("code_verifier"):
                return _oauth_error(OAUTH_BAD_CODE)
        elif grant == "refresh_token":
            expires = self.oauth.refresh_tokens.pop(str(form.get("refresh_token")), None)
            if expires is None or expires <= now:  # single use: a second try is refused
                return _oauth_error(OAUTH_BAD_REFRESH)
        else:
            return _oauth_error(OAUTH_BAD_GRANT)
        # The new pair replaces the old: its access token stops working at once.
        self.access_token = f"access-{secrets.token_hex(8)}"
        self.oauth.access_expires_at = now + timedelta(seconds=self.oauth.access_seconds)
        refresh = self.issue_refresh_token()
        self.oauth.issued += 1
        return web.json_response(
            {
                "access_token": self.access_token,
                "refresh_token": refresh,
                "expires_in": str(self.oauth.access_seconds),  # a string, as Zalo writes it
            }
        )

    # ------------------------------------------------------------------ webhook -----
    def now_ms(self) -> int:
        return int(self.clock().timestamp() * 1000)

    def text_event(
        self, user_id: str, text: str, *, msg_id: str | None = None, at_ms: int | None = None
    ) -> dict[str, Any]:
        """``user_send_text`` as Zalo sends it (ids and the timestamp as strings)."""
        stamp = self.now_ms() if at_ms is None else at_ms
        return {
            "app_id": self.app_id,
            "user_id_by_app": f"9{user_id}",
            "event_name": "user_send_text",
            "timestamp": str(stamp),
            "sender": {"id": user_id},
            "recipient": {"id": self.oa_id},
            "message": {"text": text, "msg_id": msg_id or f"m{next(self._ids):012d}"},
        }

    def follow_event(self, user_id: str, *, at_ms: int | None = None) -> dict[str, Any]:
        stamp = self.now_ms() if at_ms is None else at_ms
        return {
            "app_id": self.app_id,
            "user_id_by_app": f"9{user_id}",
            "event_name": "follow",
            "timestamp": str(stamp),
            "oa_id": self.oa_id,
            "source": "oa_profile",
            "follower": {"id": user_id},
        }

    def signed(self, event: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
        """The body and headers Zalo would send for ``event``."""
        body = json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode()
        app_id, stamp = str(event.get("app_id")), str(event.get("timestamp"))
        mac = signature(app_id, body, stamp, self.oa_secret_key)
        return body, {SIGNATURE_HEADER: mac, "Content-Type": "application/json"}

    async def deliver(
        self,
        url: str,
        event: dict[str, Any] | bytes,
        *,
        headers: dict[str, str] | None = None,
        session: aiohttp.ClientSession | None = None,
    ) -> int:
        """POST one event to the receiver at ``url``; returns the HTTP status. A dict is
        signed as Zalo signs it unless ``headers`` replace Zalo's; bytes go as they are."""
        if isinstance(event, bytes):
            body, sent = event, headers or {}
        else:
            self.saw(event)
            body, sent = self.signed(event)
            if headers is not None:
                sent = headers
        if session is not None:
            async with session.post(url, data=body, headers=sent) as response:
                return response.status
        async with (
            aiohttp.ClientSession() as own,
            own.post(url, data=body, headers=sent) as response,
        ):
            return response.status

    # ------------------------------------------------------------------ outages -------
    def fail_http(self, status: int = 502, times: int = 1) -> None:
        """The next ``times`` API calls get this HTTP status (Zalo's front end down),
        recorded as no call at all: nothing reached the OA."""
        self._http_faults.extend([status] * times)

    def stall(self, seconds: float, times: int = 1) -> None:
        """The next ``times`` API calls get no answer for ``seconds`` (beyond the client's
        timeout, it gives up first), then a 504; nothing is done for them, as when Zalo's
        front end hangs before the OA's servers see the call."""
        self._stalls.extend([seconds] * times)

    async def _stall(self, seconds: float) -> web.Response:
        self.stalled += 1
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._unstall.wait(), timeout=seconds)
        return web.Response(status=504, text="Gateway Timeout")

    def http_fault(self) -> web.Response:
        return web.Response(status=self._http_faults.popleft(), text="Bad Gateway")

    async def go_down(self) -> None:
        """Stop answering at all (connections refused) until :meth:`come_back`."""
        await self.stop()

    async def come_back(self) -> None:
        """Serve again at the same URL."""
        port = int(self.url.rsplit(":", 1)[1])
        self._unstall.clear()
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", port).start()

    # ------------------------------------------------------------------ 7-day window --
    def saw(self, event: dict[str, Any]) -> None:
        """A user's message opens the OA's 7-day window for them, from now (the fake's
        clock). Follows, receipts and other events do not count: only what the user sent."""
        name = str(event.get("event_name") or "")
        sender = event.get("sender")
        if name.startswith("user_send_") and isinstance(sender, dict) and sender.get("id"):
            self._last_event[str(sender["id"])] = self.clock()

    def outside_window(self, user_id: str) -> bool:
        """Whether Zalo would refuse a consultation message to the user now. A user this
        fake never saw write is let through (tests that call the API directly); once seen,
        the window holds."""
        last = self._last_event.get(user_id)
        return last is not None and self.clock() - last > WINDOW

    # ------------------------------------------------------ attachments (issue 11) --
    # What a citizen sends from Zalo comes as a URL on Zalo's CDN that expires; the fake
    # serves such files on loopback, with the faults a download must survive.
    def _serve_attachments(self) -> None:
        self.files: dict[str, tuple[bytes, str, str | None]] = {}  # name: data, type, fault
        self.downloads: list[str] = []  # names asked for, in order
        self._held = asyncio.Event()
        self.app.router.add_get("/cdn/{name}", self._attachment)

    def _release_held(self) -> None:
        self._held.set()

    def attachment_url(
        self,
        name: str,
        data: bytes,
        *,
        content_type: str = "image/jpeg",
        fault: str | None = None,
    ) -> str:
        """Serve ``data`` at a URL like Zalo's (after :meth:`start`). ``fault``: ``404``
        (expired), ``500``, ``timeout`` (no answer until the fake stops), ``lying``
        (no Content-Length: the size shows only while reading)."""
        self.files[name] = (data, content_type, fault)
        return f"{self.url}/cdn/{name}"

    async def _attachment(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        self.downloads.append(name)
        found = self.files.get(name)
        if found is None or found[2] == "404":
            return web.Response(status=404)
        data, content_type, fault = found
        if fault == "500":
            return web.Response(status=500)
        if fault == "timeout":
            await self._held.wait()
            return web.Response(status=504)
        if fault == "lying":
            response = web.StreamResponse(headers={"Content-Type": content_type})
            response.enable_chunked_encoding()
            await response.prepare(request)
            for start in range(0, len(data), 65536):
                await response.write(data[start : start + 65536])
            await response.write_eof()
            return response
        return web.Response(body=data, content_type=content_type)

    # ------------------------------------------------- more events (issue 11) -------
    def _user_event(
        self, name: str, user_id: str, message: dict[str, Any], at_ms: int | None
    ) -> dict[str, Any]:
        stamp = self.now_ms() if at_ms is None else at_ms
        message = {"msg_id": f"m{next(self._ids):012d}", **message}
        return {
            "app_id": self.app_id,
            "user_id_by_app": f"9{user_id}",
            "event_name": name,
            "timestamp": str(stamp),
            "sender": {"id": user_id},
            "recipient": {"id": self.oa_id},
            "message": message,
        }

    def image_event(self, user_id: str, url: str, *, at_ms: int | None = None) -> dict[str, Any]:
        """``user_send_image``: the picture's URL and a thumbnail's."""
        payload = {"url": url, "thumbnail": url + "?thumb=1"}
        attachments = [{"type": "image", "payload": payload}]
        return self._user_event("user_send_image", user_id, {"attachments": attachments}, at_ms)

    def file_event(
        self, user_id: str, url: str, name: str, size: int, *, at_ms: int | None = None
    ) -> dict[str, Any]:
        """``user_send_file``: its URL, name, size (bytes, as a string) and checksum."""
        payload = {"url": url, "name": name, "size": str(size), "checksum": "0" * 32}
        attachments = [{"type": "file", "payload": payload}]
        return self._user_event("user_send_file", user_id, {"attachments": attachments}, at_ms)

    def media_event(
        self, name: str, user_id: str, url: str, *, at_ms: int | None = None
    ) -> dict[str, Any]:
        """``user_send_video``/``_audio``/``_gif``/``_sticker``: one attachment by URL."""
        kind = name.removeprefix("user_send_")
        attachments = [{"type": kind, "payload": {"url": url}}]
        return self._user_event(name, user_id, {"attachments": attachments}, at_ms)

    def location_event(
        self, user_id: str, latitude: float, longitude: float, *, at_ms: int | None = None
    ) -> dict[str, Any]:
        """``user_send_location``: the coordinates, written as strings as Zalo writes them."""
        coordinates = {"latitude": str(latitude), "longitude": str(longitude)}
        attachments = [{"type": "location", "payload": {"coordinates": coordinates}}]
        return self._user_event("user_send_location", user_id, {"attachments": attachments}, at_ms)

    def submit_info_event(
        self, user_id: str, phone: str, *, name: str = "Zalo user", at_ms: int | None = None
    ) -> dict[str, Any]:
        """``user_submit_info``: what the user shared through the user-info form."""
        stamp = self.now_ms() if at_ms is None else at_ms
        return {
            "app_id": self.app_id,
            "user_id_by_app": f"9{user_id}",
            "event_name": "user_submit_info",
            "timestamp": str(stamp),
            "sender": {"id": user_id},
            "recipient": {"id": self.oa_id},
            "info": {"name": name, "phone": phone, "address": "", "city": "", "district": ""},
        }

    def buttons_sent_to(self, user_id: str) -> list[list[dict[str, Any]]]:
        """The buttons of each message with buttons accepted for one user, oldest first."""
        found = []
        for message in self.sent_to(user_id):
            payload = (message.get("attachment") or {}).get("payload") or {}
            if payload.get("buttons"):
                found.append(list(payload["buttons"]))
        return found

    def forms_sent_to(self, user_id: str) -> list[dict[str, Any]]:
        """The user-info forms (``request_user_info``) accepted for one user."""
        found = []
        for message in self.sent_to(user_id):
            payload = (message.get("attachment") or {}).get("payload") or {}
            if payload.get("template_type") == "request_user_info":
                found.append(payload)
        return found


@dataclass
class FakeOAuth:
    """The fake's OAuth state: codes and refresh tokens it issued and not yet spent, the
    current access token's end (None: the initial token never expires), injected faults."""

    app_secret: str | None = None  # checked against the secret_key header when set
    access_seconds: int = ACCESS_SECONDS
    access_expires_at: datetime | None = None
    codes: dict[str, tuple[str | None, datetime]] = field(default_factory=dict)
    refresh_tokens: dict[str, datetime] = field(default_factory=dict)
    faults: deque[tuple[str | tuple[int, str], float]] = field(default_factory=deque)
    calls: list[dict[str, str]] = field(default_factory=list)
    issued: int = 0

    def expired(self, now: datetime) -> bool:
        return self.access_expires_at is not None and self.access_expires_at <= now


def _oauth_error(error: tuple[int, str]) -> web.Response:
    code, name = error
    return web.json_response(
        {
            "error": code,
            "error_name": name,
            "error_reason": "",
            "error_description": name,
            "ref_doc": "https://developers.zalo.me/docs/official-account/phu-luc/ma-loi",
        }
    )
