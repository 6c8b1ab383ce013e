"""The fake Bot API (:class:`handlers.telegram.fake.botapi.FakeBotApi`) served over real loopback
HTTP.

In-process, PTB hands ``FakeBotApi`` its decoded ``RequestData``; here a bot in another
process (``tinbao run`` with ``TINBAO_BOT_API_URL=http://127.0.0.1:<port>/bot``) talks to
it through its real ``HTTPXRequest``: connection pool, keep-alive, form and multipart
encoding, timeouts, and a server that can vanish (``kill -9`` of either side). The test
process keeps the ``FakeBotApi`` object, so it pushes updates and reads what the bot sent
exactly as in-process tests do::

    api = FakeBotApi()
    async with FakeBotServer(api) as server:
        env = {"TINBAO_BOT_TOKEN": api.token, "TINBAO_BOT_API_URL": server.base_url,
               "TINBAO_BOT_FILE_URL": server.base_file_url}

Routes, as on ``api.telegram.org``: ``POST|GET /bot<token>/<method>`` and
``GET /file/bot<token>/<file_path>``; a wrong token is 401 Unauthorized. Bodies may be
``application/x-www-form-urlencoded`` (what PTB sends: every value a string, non-strings
JSON-encoded), ``multipart/form-data`` (uploads) or ``application/json``; a query string
is read too. Form values are decoded as Telegram does, by the parameter's type: string
parameters (``text``, ``caption``, file ids...) stay strings, the rest are JSON values.

The ``timeout`` and ``timeout_after`` faults cannot raise in the client from here: the
server closes the connection without answering (after ``stall`` seconds, so that a
``stall`` above the client's read timeout makes it a real timeout), which httpx reports
and PTB raises as a ``NetworkError``.

Stdlib only: ``asyncio.start_server`` and a minimal HTTP/1.1 parser (keep-alive,
``Content-Length`` and chunked bodies; no pipelining, which no Bot API client uses).
``python -m handlers.telegram.fake.server --port N`` serves an empty fake and prints its port.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import re
import signal
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from telegram.error import TimedOut

from handlers.telegram.fake.botapi import FakeBotApi

log = logging.getLogger(__name__)

#: Parameters Telegram types as String (or InputFile-or-String): a form value for them is
#: taken as is, never JSON-decoded (a citizen may well type ``123`` or ``true``).
STRING_PARAMS: frozenset[str] = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "title",
        "description",
        "short_description",
        "name",
        "first_name",
        "last_name",
        "phone_number",
        "vcard",
        "address",
        "foursquare_id",
        "foursquare_type",
        "google_place_id",
        "google_place_type",
        "question",
        "explanation",
        "url",
        "callback_query_id",
        "inline_message_id",
        "file_id",
        "file_path",
        "language_code",
        "emoji",
        "custom_emoji_id",
        "business_connection_id",
        "message_effect_id",
        "performer",
        "secret_token",
        "ip_address",
        "photo",
        "video",
        "document",
        "audio",
        "voice",
        "animation",
        "sticker",
        "video_note",
        "thumbnail",
        "cover",
    }
)

BeforeReply = Callable[[str, dict[str, Any], int], Awaitable[None]]

MAX_HEADER_BYTES = 64 * 1024
MAX_BODY_BYTES = 60 * 1024 * 1024  # uploads: Telegram takes 50 MB, plus encoding


class BadHttp(Exception):
    """The client spoke something this server does not parse: answered 400, closed."""


@dataclass(frozen=True)
class HttpRequest:
    method: str
    target: str
    headers: dict[str, str]  # lower-case names
    body: bytes

    @property
    def keep_alive(self) -> bool:
        return self.headers.get("connection", "").lower() != "close"


async def read_request(reader: asyncio.StreamReader) -> HttpRequest | None:
    """One request from a keep-alive connection; ``None`` when the client closed it."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        if not exc.partial.strip():
            return None
        raise BadHttp("truncated request head") from None
    except asyncio.LimitOverrunError:
        raise BadHttp("request head too large") from None
    lines = head.decode("latin-1").split("\r\n")
    try:
        method, target, _version = lines[0].split(" ", 2)
    except ValueError:
        raise BadHttp(f"bad request line {lines[0][:80]!r}") from None
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if not line:
            continue
        name, sep, value = line.partition(":")
        if not sep:
            raise BadHttp("bad header line")
        headers[name.strip().lower()] = value.strip()
    if "chunked" in headers.get("transfer-encoding", "").lower():
        body = await _read_chunked(reader)
    else:
        length = int(headers.get("content-length", "0") or 0)
        if length > MAX_BODY_BYTES:
            raise BadHttp("body too large")
        body = await reader.readexactly(length) if length else b""
    return HttpRequest(method.upper(), target, headers, body)


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    body = bytearray()
    while True:
        size_line = await reader.readuntil(b"\r\n")
        size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
        if size == 0:
            while (await reader.readuntil(b"\r\n")) != b"\r\n":  # trailers
                pass
            return bytes(body)
        body += await reader.readexactly(size)
        await reader.readexactly(2)
        if len(body) > MAX_BODY_BYTES:
            raise BadHttp("body too large")


_PARAM = re.compile(r';\s*([\w*-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s;]+))')


def _header_params(value: str) -> dict[str, str]:
    """``form-data; name="x"; filename="y"`` -> ``{"name": "x", "filename": "y"}``
    (httpx escapes ``"`` as ``%22`` and ``\\`` as ``\\\\`` in these, per HTML5)."""
    out: dict[str, str] = {}
    for match in _PARAM.finditer(value):
        raw = match.group(2) if match.group(2) is not None else match.group(3)
        out[match.group(1).lower()] = raw.replace("\\\\", "\\").replace("%22", '"')
    return out


def parse_multipart(
    body: bytes, content_type: str
) -> tuple[dict[str, str], dict[str, tuple[str, bytes]]]:
    """``multipart/form-data`` into (text fields, file parts: name -> (file name, bytes))."""
    boundary = _header_params(content_type).get("boundary")
    if not boundary:
        raise BadHttp("multipart without a boundary")
    fields: dict[str, str] = {}
    files: dict[str, tuple[str, bytes]] = {}
    for chunk in body.split(b"--" + boundary.encode("latin-1"))[1:]:
        if chunk.startswith(b"--"):
            break
        chunk = chunk.removeprefix(b"\r\n").removesuffix(b"\r\n")
        head, sep, data = chunk.partition(b"\r\n\r\n")
        if not sep:
            raise BadHttp("multipart part without headers")
        part_headers: dict[str, str] = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            header, _, value = line.partition(":")
            part_headers[header.strip().lower()] = value.strip()
        disposition = _header_params(part_headers.get("content-disposition", ""))
        part = disposition.get("name")
        if part is None:
            raise BadHttp("multipart part without a name")
        if "filename" in disposition:
            files[part] = (disposition["filename"] or part, data)
        else:
            fields[part] = data.decode("utf-8")
    return fields, files


def decode_params(fields: Mapping[str, str]) -> dict[str, Any]:
    """Form values as Telegram reads them: strings for String parameters, JSON values
    (numbers, booleans, objects, arrays) for the others; what does not parse stays text."""
    params: dict[str, Any] = {}
    for name, raw in fields.items():
        if name in STRING_PARAMS:
            params[name] = raw
            continue
        try:
            params[name] = json.loads(raw)
        except ValueError:
            params[name] = raw
    return params


class FakeBotServer:
    """Serve ``api`` on ``host:port`` (port 0: any free port) until :meth:`close`."""

    def __init__(
        self,
        api: FakeBotApi,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        stall: float = 0.0,
    ) -> None:
        self.api = api
        self.host = host
        self.port = port
        self.stall = stall
        self.requests = 0
        self.dropped = 0
        self.before_reply: BeforeReply | None = None
        """Awaited after the fake has answered a Bot API call and before the answer is
        written back: ``(method, params, status)``. A test kills the bot here to make
        "Telegram did it, the bot never heard" happen on purpose."""
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[Any]] = set()

    @property
    def base_url(self) -> str:
        """What ``TINBAO_BOT_API_URL`` (PTB's ``base_url``) is set to."""
        return f"http://{self.host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """What ``TINBAO_BOT_FILE_URL`` (PTB's ``base_file_url``) is set to."""
        return f"http://{self.host}:{self.port}/file/bot"

    async def start(self) -> None:
        self._server = await asyncio.start_server(
            self._serve, self.host, self.port, limit=MAX_HEADER_BYTES
        )
        self.port = int(self._server.sockets[0].getsockname()[1])

    async def close(self) -> None:
        """Stop listening and cut every open connection (long polls included)."""
        if self._server is not None:
            self._server.close()
        for task in list(self._connections):
            task.cancel()
        if self._connections:
            await asyncio.gather(*self._connections, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None

    async def __aenter__(self) -> FakeBotServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        try:
            while True:
                try:
                    request = await read_request(reader)
                except BadHttp as exc:
                    await _write(writer, *_json_error(400, f"Bad Request: {exc}"), keep=False)
                    return
                if request is None:
                    return
                self.requests += 1
                try:
                    status, body, content_type = await self._route(request)
                except TimedOut:
                    # the fake's timeout faults: no answer at all, as when the reply is lost
                    self.dropped += 1
                    if self.stall > 0:
                        await asyncio.sleep(self.stall)
                    return
                except BadHttp as exc:
                    await _write(writer, *_json_error(400, f"Bad Request: {exc}"), keep=False)
                    return
                except Exception:  # a bug of the fake: say so rather than hang the client
                    log.exception("fake Bot API failed on %s", request.target.split("?")[0])
                    await _write(writer, *_json_error(500, "Internal Server Error"), keep=False)
                    return
                await _write(writer, status, body, content_type, keep=request.keep_alive)
                if not request.keep_alive:
                    return
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass  # the client went away (or was killed), or the server is closing
        finally:
            self._connections.discard(task)
            writer.close()
            with contextlib.suppress(ConnectionError, asyncio.CancelledError):
                await writer.wait_closed()

    async def _route(self, request: HttpRequest) -> tuple[int, bytes, str]:
        parts = urlsplit(request.target)
        path = unquote(parts.path)
        token = self.api.token
        file_prefix = f"/file/bot{token}/"
        if path.startswith(file_prefix):
            status, body = await self.api.download(path[len(file_prefix) :])
            return status, body, "application/octet-stream"
        if path.startswith("/file/bot") or not path.startswith("/bot"):
            return (*_json_error(404, "Not Found"), "application/json")
        given, _, method = path[len("/bot") :].partition("/")
        if given != token:
            return (*_json_error(401, "Unauthorized"), "application/json")
        if not method or "/" in method:
            return (*_json_error(404, "Not Found"), "application/json")
        fields = dict(parse_qsl(parts.query, keep_blank_values=True))
        uploads: dict[str, tuple[str, bytes | None]] = {}
        content_type = request.headers.get("content-type", "")
        media_type = content_type.split(";", 1)[0].strip().lower()
        if media_type == "multipart/form-data":
            form, files = parse_multipart(request.body, content_type)
            fields.update(form)
            uploads.update(files)
            params = decode_params(fields)
        elif media_type == "application/json":
            params = decode_params(fields)
            try:
                body_params = json.loads(request.body or b"{}")
            except ValueError:
                return (*_json_error(400, "Bad Request: invalid JSON"), "application/json")
            if not isinstance(body_params, dict):
                return (*_json_error(400, "Bad Request: invalid JSON"), "application/json")
            params.update(body_params)
        else:
            fields.update(parse_qsl(request.body.decode("utf-8"), keep_blank_values=True))
            params = decode_params(fields)
        status, body = await self.api.answer(method, params, uploads)
        if self.before_reply is not None:
            await self.before_reply(method, params, status)
        return status, body, "application/json"


def _json_error(code: int, description: str) -> tuple[int, bytes]:
    body = {"ok": False, "error_code": code, "description": description}
    return code, json.dumps(body).encode()


async def _write(
    writer: asyncio.StreamWriter,
    status: int,
    body: bytes,
    content_type: str = "application/json",
    *,
    keep: bool,
) -> None:
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = "Unknown"
    head = (
        f"HTTP/1.1 {status} {reason}\r\n"
        "Server: tinbao-fake-bot-api\r\n"
        f"Content-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\n"
        f"Connection: {'keep-alive' if keep else 'close'}\r\n\r\n"
    )
    writer.write(head.encode("latin-1") + body)
    await writer.drain()


async def _main(port: int, host: str) -> None:
    api = FakeBotApi()
    async with FakeBotServer(api, host=host, port=port) as server:
        print(server.port, flush=True)
        print(f"token {api.token}", flush=True)
        print(f"TINBAO_BOT_API_URL={server.base_url}", flush=True)
        print(f"TINBAO_BOT_FILE_URL={server.base_file_url}", flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description="serve an empty fake Bot API on loopback")
    parser.add_argument("--port", type=int, default=0, help="0: any free port (printed)")
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args()
    asyncio.run(_main(args.port, args.host))


if __name__ == "__main__":  # pragma: no cover
    main()


__all__ = [
    "STRING_PARAMS",
    "FakeBotServer",
    "decode_params",
    "parse_multipart",
    "read_request",
]
