"""Outbox rows for Zalo citizens as OA text messages: the screen's text, then its options
numbered, then how to choose ("Gõ 1, 2 hoặc 3"), which works on every Zalo client; split
into messages of at most 2,000 characters (the OA API's limit for a text).

Buttons cannot be edited or removed on Zalo once sent, and there is no callback query:
so a typed number (or the option's words) is the answer, read against the options of the
last screen shown (the mapping back to a press is still to come, see the README).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.dialogue import Button, screen_from_plain
from config.texts import t

MAX_TEXT = 2000


@dataclass(frozen=True)
class Rendered:
    """The messages to send, in order, and the options the numbers stand for."""

    texts: list[str]
    options: list[Button]


def hint(count: int, lang: str) -> str:
    if count == 1:
        return t("zalo_choose_one", lang, n=1)
    return t("zalo_choose_many", lang, most=", ".join(str(n) for n in range(1, count)), last=count)


def render_show(plain: dict[str, Any], lang: str) -> Rendered:
    """A ``show`` row's plain values for Zalo. Link buttons become lines with their URL;
    the others are numbered."""
    screen, _scope = screen_from_plain(plain)
    options: list[Button] = []
    links: list[str] = []
    for row in screen.buttons:
        for button in row:
            if button.url:
                links.append(f"{button.label}: {button.url}")
            else:
                options.append(button)
    tail = ""
    if options:
        numbered = "\n".join(f"{n}. {b.label}" for n, b in enumerate(options, start=1))
        tail = f"{numbered}\n\n{hint(len(options), lang)}"
    if links:
        tail = "\n".join(links) + (f"\n\n{tail}" if tail else "")
    return Rendered(split(screen.text, tail), options)


def split(text: str, tail: str = "") -> list[str]:
    """``text`` then ``tail`` (kept whole, in the last message) in pieces of at most
    :data:`MAX_TEXT` characters, cut at a paragraph, a line or a space when there is one."""
    body = text.strip()
    last = tail.strip()
    whole = f"{body}\n\n{last}" if body and last else body or last
    if len(whole) <= MAX_TEXT:
        return [whole] if whole else []
    parts: list[str] = []
    rest = body
    while rest:
        if len(rest) <= MAX_TEXT:
            parts.append(rest)
            break
        cut = _cut(rest, MAX_TEXT)
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if last:
        if parts and len(parts[-1]) + 2 + len(last) <= MAX_TEXT:
            parts[-1] = f"{parts[-1]}\n\n{last}"
        else:
            parts.extend(split(last) if len(last) > MAX_TEXT else [last])
    return parts


def _cut(text: str, limit: int) -> int:
    for mark in ("\n\n", "\n", " "):
        at = text.rfind(mark, limit // 2, limit)
        if at > 0:
            return at
    return limit
