"""What a Zalo citizen's text stands for when options are showing: a press.

Zalo has no callback query, and a button cannot be taken back once sent. So the options
of the last screen shown to a citizen are recorded when the sender has sent it
(:func:`remember`), and a text is read against them (:func:`read`):

- an OA button's payload (``c1|urgent|yes``: the same codec as Telegram's callback
  data, :mod:`bot.callbacks`) is that press, whichever screen showed it, exactly as an
  old Telegram button can still be pressed;
- a bare number within the options shown (``2``) is that option (cancelling is never a
  number: it throws the draft away, so only its words or its button cancel);
- the option's words, case, accents and emoji aside (``khong`` for «Không, đã xảy ra
  rồi», ``an danh`` for «🕶 Ẩn danh (khuyên dùng)»), when exactly one option has them.

Anything else stays a text. A press read here is untrusted like any other: the domain
checks it against the citizen's current step, and a stale one gets the answer a stale
Telegram button gets. Steps that take free text still get it: a screen without options
clears the record, and cancelling, often the only option of such a step (the place, a
description), is not numbered, so "1" typed there is text.

Each screen numbers its options from 1, and its options replace those shown before; a
notice with no options (a status notice, a file refused) leaves them as they were. A
search showing several wanted notices: each card's own OA button names its notice, and
a typed number is read against the last card.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass, field
from typing import Any

from bot.callbacks import Scope, decode
from bot.dialogue import Press
from bot.people import People
from handlers.zalo.client import ZaloClient
from handlers.zalo.render import CANCEL, Rendered, render_show, send_rendered
from storage import zalo_choices
from storage.db import Database
from storage.outbox import OutboxRow

CONTEXT = "zalo.choices"
CLEARING_PURPOSES = frozenset({"reply", "receipt", "wanted"})
"""Rows that are the dialogue's own next screen: without options, they end the options
shown before (a status notice arriving meanwhile does not)."""
MAX_WORDS = 80  # longer texts are never an option's words
_D_BAR = str.maketrans({chr(0x111): "d", chr(0x110): "D"})  # đ, Đ: no accent to strip
_PHONE = re.compile(r"(?:\+?84|0)[1-9][0-9]{8,9}", re.ASCII)


@dataclass(frozen=True)
class Option:
    label: str
    action: str
    value: str
    scope: str = Scope.CITIZEN.value


@dataclass(frozen=True)
class Shown:
    """The options showing, numbered from 1 in this order, and what the screen asks the
    phone for (``contact``, ``location``), if anything."""

    options: list[Option] = field(default_factory=list)
    asks: str | None = None

    def to_plain(self) -> dict[str, Any]:
        return {"options": [asdict(o) for o in self.options], "asks": self.asks}

    @classmethod
    def from_plain(cls, plain: Any) -> Shown:
        if not isinstance(plain, dict):
            return cls()
        options = [Option(**o) for o in plain.get("options") or [] if isinstance(o, dict)]
        asks = plain.get("asks")
        return cls(options, asks if isinstance(asks, str) else None)


@dataclass(frozen=True)
class Picked:
    """A press read from a text, in its scope (``c`` the dialogue, ``w`` wanted notices)."""

    scope: str
    press: Press


def normalize(text: str) -> str:
    """Lower case, without accents, emoji or punctuation: «⚠️ Đang xảy ra» → ``dang xay ra``."""
    decomposed = unicodedata.normalize("NFD", text.translate(_D_BAR))
    bare = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    words = re.sub(r"[^0-9a-z]+", " ", bare.casefold())
    return " ".join(words.split())


def names(label: str) -> set[str]:
    """What typing an option's words may look like: the whole label, and its head before
    a comma or a bracket («Không, đã xảy ra rồi» is also ``khong``)."""
    found = {normalize(label)}
    head = re.split(r"[,(]", label, maxsplit=1)[0]
    found.add(normalize(head))
    found.discard("")
    return found


def read(shown: Shown, text: str) -> Picked | None:
    """The press ``text`` stands for, or None for a text."""
    said = text.strip()
    parsed = decode(said)
    if parsed is not None:  # an OA button's payload (or a forgery: the domain decides)
        if parsed.scope == Scope.QUEUE:
            return None  # police buttons are not the citizen's
        return Picked(parsed.scope.value, Press(parsed.action, parsed.value))
    options = shown.options
    if not options:
        return None
    if said.isascii() and said.isdigit() and len(said) <= 3:
        numbered = [o for o in options if o.action != CANCEL]  # as the renderer numbers
        number = int(said)
        if 1 <= number <= len(numbered):
            return _picked(numbered[number - 1])
        return None
    if len(said) > MAX_WORDS:
        return None
    typed = normalize(said)
    if not typed:
        return None
    matching = [o for o in options if typed in names(o.label)]
    if len(matching) != 1:
        return None  # nothing, or ambiguous: a text
    return _picked(matching[0])


def phone_in(text: str) -> str | None:
    """A typed phone number (spaces, dots and dashes allowed), as ``0…`` or ``+84…``."""
    compact = re.sub(r"[\s.\-()]", "", text.strip())
    if not _PHONE.fullmatch(compact):
        return None
    if compact.startswith("84"):
        return "+" + compact
    return compact


def options_of(rendered: Rendered) -> list[Option]:
    """The options a rendered screen numbered, to remember."""
    return [Option(b.label, b.action, b.value, rendered.scope) for b in rendered.options]


def _picked(option: Option) -> Picked:
    return Picked(option.scope, Press(option.action, option.value))


# ---------------------------------------------------------------------- the record --
async def show(
    client: ZaloClient,
    db: Database,
    people: People,
    row: OutboxRow,
    plain: dict[str, Any],
    lang: str,
    user_id: str,
    *,
    info_image_url: str | None = None,
) -> str | None:
    """Show one row to a Zalo citizen and, once Zalo has it, remember its options.
    Returns Zalo's id of the last message sent; raises the client's ``ZaloApiError``."""
    rendered = render_show(plain, lang, form=bool(info_image_url))
    sent = await send_rendered(client, user_id, rendered, lang, info_image_url=info_image_url)
    await remember(db, people, row, options_of(rendered), rendered.asks)
    return sent


async def remember(
    db: Database, people: People, row: OutboxRow, options: list[Option], asks: str | None
) -> None:
    """After the sender has shown ``row``: its options are the ones showing now."""
    if row.reporter_id is None:
        return
    if not options and asks is None and row.purpose not in CLEARING_PURPOSES:
        return  # a notice between two steps leaves the step's options showing
    sealed = people.box.seal(Shown(options, asks).to_plain(), context=CONTEXT)
    async with db.transaction() as tx:
        await zalo_choices.put(tx, row.reporter_id, row.id, sealed)


async def shown_to(db: Database, people: People, reporter_id: int) -> Shown:
    async with db.read() as tx:
        sealed = await zalo_choices.get(tx, reporter_id)
    if sealed is None:
        return Shown()
    return Shown.from_plain(people.box.open(sealed, context=CONTEXT))
