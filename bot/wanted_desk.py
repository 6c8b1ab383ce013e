"""What a citizen sees of wanted notices (``/dstruyna``, ``/timtruyna``, the paging
buttons), committed as outbox rows under the update's idempotency key (issue 9).

Plain values in and out: a notice is a :class:`~bot.dialogue.Screen` whose buttons are
``w`` callbacks, shown on the notice's photo (``wanted_photo``); the sender finds the
picture at send time (Telegram's cached file id, or the bytes, caching the id it gets
back), so no photo is copied into the outbox. The citizen is answered through their
reporter row, with sealed payloads, like every citizen-facing row (:mod:`bot.replies`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot import wanted
from bot.callbacks import Scope
from bot.dialogue import Button, Intent, Screen, buttons_to_plain
from bot.people import People
from bot.replies import Origin, answer, enqueue_screen, post, target_of
from bot.wanted import Page, WantedNotice
from config.texts import t
from storage.db import AlreadyProcessed, Database

SCOPE = Scope.WANTED
CAPTION_LIMIT = 1024  # Telegram's longest caption, in UTF-16 code units
SEARCH_LIMIT = 5  # cards sent for one search; more means the name was too vague

Shown = tuple[Screen, int | None]  # a screen, and the notice whose photo carries it


@dataclass(frozen=True)
class Trim:
    """A card paged on from keeps only these button rows (its "seen" button) and loses
    the arrows, so the chat does not fill up with navigation to pages already shown."""

    message_id: int
    rows: list[list[Button]] = field(default_factory=list)


def utf16_len(text: str) -> int:
    """Telegram counts caption length in UTF-16 units: the card's emoji count twice."""
    return len(text.encode("utf-16-le")) // 2


def notice_screens(notice: WantedNotice, lang: str, page: Page | None = None) -> list[Shown]:
    """One notice as one message (the card as the photo's caption, buttons attached). A
    card too long for a caption goes in its own message under a photo titled by name."""
    text = wanted.public_card(notice, lang)
    if page is not None and page.pages > 1:
        text += "\n\n" + t("page_label", lang, n=page.page + 1, total=page.pages)
    buttons = [[Button(t("btn_seen", lang), "seen", str(notice.id))]]
    if page is not None and (page.has_prev or page.has_next):
        nav = []
        if page.has_prev:
            nav.append(Button(t("btn_prev", lang), "page", str(page.page - 1)))
        if page.has_next:
            nav.append(Button(t("btn_next", lang), "page", str(page.page + 1)))
        buttons.append(nav)
    if not notice.has_photo:
        return [(Screen(text, buttons), None)]
    if utf16_len(text) <= CAPTION_LIMIT:
        return [(Screen(text, buttons), notice.id)]
    title = t("card_name", lang, name=notice.full_name.upper())
    return [(Screen(title[:CAPTION_LIMIT]), notice.id), (Screen(text, buttons), None)]


class WantedDesk:
    def __init__(self, db: Database, people: People) -> None:
        self.db = db
        self.people = people

    async def show_page(
        self,
        origin: Origin,
        lang: str,
        page_index: int,
        *,
        key: str | None,
        trim: Trim | None = None,
    ) -> int:
        """The active notices, one per page, dangerous ones first. Returns the rows
        written (0: the update was handled before)."""
        page = await wanted.browse(self.db, page_index, 1)
        if not page.items:
            shown: list[Shown] = [(Screen(t("browse_empty", lang)), None)]
        else:
            shown = notice_screens(page.items[0], lang, page)
        return await self._commit(origin, shown, key=key, trim=trim)

    async def search(self, origin: Origin, lang: str, query: str, *, key: str | None) -> int:
        """Up to :data:`SEARCH_LIMIT` matching cards, best first, after a count."""
        if not query.strip():
            return await self.say(origin, t("search_usage", lang), key=key)
        found = await wanted.search(self.db, query, 0, SEARCH_LIMIT)
        if not found.items:
            return await self.say(origin, t("search_none", lang, query=query), key=key)
        shown: list[Shown] = [
            (Screen(t("search_found", lang, total=found.total, query=query)), None)
        ]
        for notice in found.items:
            shown.extend(notice_screens(notice, lang))
        if found.total > len(found.items):
            more = t("search_more", lang, shown=len(found.items), total=found.total)
            shown.append((Screen(more), None))
        return await self._commit(origin, shown, key=key)

    async def say(self, origin: Origin, text: str, *, key: str | None) -> int:
        try:
            async with self.db.transaction(key) as tx:
                return len(await answer(tx, self.people, origin, text, scope=SCOPE))
        except AlreadyProcessed:
            return 0

    async def _commit(
        self, origin: Origin, shown: list[Shown], *, key: str | None, trim: Trim | None = None
    ) -> int:
        try:
            async with self.db.transaction(key) as tx:
                target = await target_of(tx, self.people, origin)
                written = 0
                if trim is not None:
                    await post(
                        tx,
                        self.people,
                        target,
                        buttons_to_plain(trim.rows, SCOPE, message_id=trim.message_id),
                        intent=Intent.EDIT,
                        purpose="settle",
                    )
                    written += 1
                for screen, photo in shown:
                    await enqueue_screen(
                        tx,
                        self.people,
                        target,
                        screen,
                        scope=SCOPE,
                        purpose="wanted",
                        wanted_photo=photo,
                    )
                    written += 1
                return written
        except AlreadyProcessed:
            return 0
