"""Shared helpers of the web page's tests: a harness whose settings turn the page on, the
real web server on loopback, and an HTTP client that keeps cookies like a browser."""

from __future__ import annotations

import html
import re
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from handlers.web.server import WebServer
from tests.harness import Harness, Person, close_harness, open_harness

LINK = re.compile(r"(https?://\S+/login\?t=\S+)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Web:
    h: Harness
    server: WebServer

    def client(self) -> aiohttp.ClientSession:
        # unsafe: the jar keeps cookies of an IP address host (127.0.0.1)
        return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.port}"


@asynccontextmanager
async def web_harness(tmp_path: Path, **settings: object) -> AsyncIterator[Web]:
    port = free_port()
    h = await open_harness(tmp_path, web_port=port, **settings)
    server = WebServer(h.tinbao.services)
    await server.start()
    try:
        yield Web(h, server)
    finally:
        await server.stop()
        await close_harness(h)


async def login_link(person: Person) -> str:
    await person.says("/web")
    found = LINK.search(person.last())
    assert found, person.last()
    return found.group(1)


TOKEN_FIELD = re.compile(r'<input type="hidden" name="t" value="([^"]*)">')


async def open_link(
    browser: aiohttp.ClientSession, link: str, **post: object
) -> aiohttp.ClientResponse:
    """What a person does with a /web link: open it (a page that leaves it unused), then
    press the page's button, which POSTs the token back (``post``: more keyword
    arguments for that POST, e.g. headers). The answer's body is read already."""
    async with browser.get(link) as page:
        text = await page.text()
        found = TOKEN_FIELD.search(text)
        if found is None:  # a refusal: no button to press
            return page
    action = link.partition("?")[0]
    async with browser.post(action, data={"t": html.unescape(found.group(1))}, **post) as answer:  # type: ignore[arg-type]
        await answer.read()
        return answer


async def logged_in(web: Web, browser: aiohttp.ClientSession, person: Person) -> None:
    """Log ``browser`` in as ``person`` through a /web link from the bot."""
    page = await open_link(browser, await login_link(person))
    assert page.status == 200 and str(page.url) == web.base + "/", await page.text()


async def get(web: Web, browser: aiohttp.ClientSession, path: str) -> tuple[int, str]:
    async with browser.get(web.base + path) as page:
        return page.status, await page.text()


async def unit_id(web: Web, short_name: str) -> int:
    async with web.h.tinbao.db.read() as tx:
        value = await tx.scalar(
            "SELECT id FROM units WHERE short_name = ? AND kind = 'commune'", (short_name,)
        )
    assert value is not None, short_name
    return int(value)


async def unit_code(web: Web, short_name: str) -> str:
    async with web.h.tinbao.db.read() as tx:
        value = await tx.scalar(
            "SELECT code FROM units WHERE short_name = ? AND kind = 'commune'", (short_name,)
        )
    assert value is not None, short_name
    return str(value)


HREF = re.compile(r'href="([^"]*)"')


def links(page: str) -> list[str]:
    return [html.unescape(h) for h in HREF.findall(page)]


async def telegram_file(h: Harness, file_id: str) -> bytes:
    """A file as a member of the chat downloads it from Telegram (the fake)."""
    file = await h.tinbao.app.bot.get_file(file_id)
    return bytes(await file.download_as_bytearray())
