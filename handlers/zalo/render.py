"""Outbox rows for Zalo citizens as OA messages: the screen's text, then its options
numbered, then how to choose ("Gõ 1, 2 hoặc 3"), which works on every Zalo client; the
same options as OA buttons under the last message where Zalo takes them (a handful:
:data:`MAX_BUTTONS`); split into messages of at most 2,000 characters (the OA API's
limit for a text).

A button is ``oa.query.hide``: pressed, it sends its payload back as the citizen's text,
hidden in their chat. The payload is the option's callback data (:mod:`bot.callbacks`),
so a Zalo button press reads back as the very press a Telegram button makes
(:mod:`handlers.zalo.choices`). Buttons cannot be edited or removed on Zalo once sent,
and there is no callback query: an old button still sends its payload, and the domain
answers it as it answers an old Telegram button.

Screens written for Telegram mention Telegram's own controls (the location and contact
keys, the Telegram account): their Zalo wording is chosen here, at render time, from the
catalogue (:data:`WORDING`). A screen that asks for the phone's contact is followed by
Zalo's user-info form when the OA has an image for it (the form requires one), and the
typed number always works.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.callbacks import encode
from bot.dialogue import Button, screen_from_plain
from config.texts import t
from handlers.zalo.client import ZaloClient

MAX_TEXT = 2000
MAX_BUTTONS = 5  # the consultation template's buttons: more are shown as numbers only
BUTTON_TITLE = 100  # Zalo's longest button title
CANCEL = "cancel"

WORDING: tuple[tuple[str, str], ...] = (
    # (text written for Telegram, its Zalo wording); whole screens first, then phrases
    ("ask_phone", "zalo_ask_phone"),
    ("not_own_contact", "zalo_not_own_contact"),
    ("use_buttons", "zalo_use_buttons"),
    ("zalo_tg_location", "zalo_location"),
    ("zalo_tg_account", "zalo_account"),
)
FORM_WORDING = {"zalo_ask_phone": "zalo_ask_phone_form"}
"""Where the user-info form follows the text, the text says so."""


@dataclass(frozen=True)
class Rendered:
    """The messages to send, in order; the options the numbers stand for (from 1), in
    their scope; the OA buttons under the last message; what the screen asks the phone
    for (``contact``, ``location``)."""

    texts: list[str]
    options: list[Button]
    scope: str = "c"
    buttons: list[dict[str, Any]] = field(default_factory=list)
    asks: str | None = None


def hint(numbers: list[int], lang: str) -> str:
    if len(numbers) == 1:
        return t("zalo_choose_one", lang, n=numbers[0])
    return t(
        "zalo_choose_many", lang, most=", ".join(str(n) for n in numbers[:-1]), last=numbers[-1]
    )


def zalo_wording(text: str, lang: str, *, form: bool = False) -> str:
    """``text`` with what only Telegram has said the Zalo way."""
    for telegram_key, zalo_key in WORDING:
        telegram = t(telegram_key, lang)
        if telegram in text:
            if form:
                zalo_key = FORM_WORDING.get(zalo_key, zalo_key)
            text = text.replace(telegram, t(zalo_key, lang))
    return text


def render_show(plain: dict[str, Any], lang: str, *, form: bool = False) -> Rendered:
    """A ``show`` row's plain values for Zalo. Link buttons become lines with their URL;
    the others are numbered. A keyboard that asks for the phone's location or contact
    keeps its cancel key as an option; ``form``: the user-info form follows a contact
    request."""
    screen, scope = screen_from_plain(plain)
    options: list[Button] = []
    links: list[str] = []
    for row in screen.buttons:
        for button in row:
            if button.url:
                links.append(f"{button.label}: {button.url}")
            else:
                options.append(button)
    keyboard = screen.keyboard
    asks = keyboard.kind if keyboard and keyboard.kind in ("location", "contact") else None
    if asks and keyboard is not None and keyboard.cancel_label and not options:
        options.append(Button(keyboard.cancel_label, CANCEL))
    # Cancelling loses the draft: it is never a number (a "1" typed as an address or a
    # description must not throw the tip away), only its words or its button.
    numbered = [b for b in options if b.action != CANCEL]
    cancels = [b for b in options if b.action == CANCEL]
    lines = [f"{n}. {b.label}" for n, b in enumerate(numbered, start=1)]
    if numbered:
        lines.append("\n" + hint(list(range(1, len(numbered) + 1)), lang))
    if cancels:
        lines.append(t("zalo_cancel_hint", lang, label=cancels[0].label))
    tail = "\n".join(lines).strip()
    if links:
        tail = "\n".join(links) + (f"\n\n{tail}" if tail else "")
    text = zalo_wording(screen.text, lang, form=form and asks == "contact")
    buttons = oa_buttons(numbered + cancels, scope) if options else []
    return Rendered(split(text, tail), numbered + cancels, scope, buttons, asks)


def oa_buttons(options: list[Button], scope: str) -> list[dict[str, Any]]:
    """The options as OA buttons, or none when there are more than Zalo shows (the
    numbers then serve alone) or one cannot be encoded."""
    if len(options) > MAX_BUTTONS:
        return []
    buttons = []
    for option in options:
        try:
            payload = encode(scope, option.action, option.value)
        except ValueError:
            return []
        buttons.append(
            {"title": option.label[:BUTTON_TITLE], "type": "oa.query.hide", "payload": payload}
        )
    return buttons


async def send_rendered(
    client: ZaloClient,
    user_id: str,
    rendered: Rendered,
    lang: str,
    *,
    info_image_url: str | None = None,
) -> str | None:
    """Send the pieces in order, the buttons under the last; then the user-info form
    when the screen asks for the contact and the OA has the form's image. A retry after
    a failure in the middle repeats the pieces already sent. Returns Zalo's id of the
    last message sent (the row's ``sent_message_id``)."""
    last = len(rendered.texts) - 1
    sent = None
    for index, text in enumerate(rendered.texts):
        if index == last and rendered.buttons:
            sent = await client.send_buttons(user_id, text, rendered.buttons)
        else:
            sent = await client.send_text(user_id, text)
    if rendered.asks == "contact" and info_image_url:
        sent = await client.request_user_info(
            user_id,
            title=t("zalo_info_title", lang),
            subtitle=t("zalo_info_subtitle", lang),
            image_url=info_image_url,
        )
    return (sent.message_id or None) if sent is not None else None


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
