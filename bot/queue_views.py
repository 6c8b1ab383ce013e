"""What officers read on demand: ``/queue`` pages of a unit's open tips and ``/tip``, one
tip's card with its history. Tip data is shown only where only the police of that unit
read it (:meth:`QueueViews.chat_unit`), and every view is committed as the answer to its
update, like any other reply."""

from __future__ import annotations

from dataclasses import dataclass

from bot import receipt
from bot.callbacks import Scope
from bot.cards import state_label
from bot.clock import Clock
from bot.deadlines import render_clocks, tip_clocks
from bot.dialogue import Button, Intent, Screen, screen_to_plain
from bot.errors import NotAuthorized, StaleButton, TinbaoError, WrongChat
from bot.fmt import when
from bot.lifecycle import Lifecycle
from bot.replies import Origin, Target, answer, post
from bot.text import split_text
from config.settings import Settings
from config.texts import t
from storage import bindings, cards, officers, tips, units
from storage.db import AlreadyProcessed, Database, Tx, parse_utc, utc_text
from storage.officers import Officer

LANG = "vi"
PAGE_SIZE = 10


@dataclass(frozen=True)
class QueuePage:
    """A page of a unit's open tips, or a refusal (``unit_id`` None)."""

    screen: Screen
    unit_id: int | None = None


class QueueViews:
    def __init__(
        self, db: Database, settings: Settings, clock: Clock, lifecycle: Lifecycle
    ) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock
        self.lifecycle = lifecycle
        self.dispatch = lifecycle.dispatch

    async def chat_unit(self, tx: Tx, officer: Officer, chat_id: int, private: bool) -> int | None:
        """Whose tips this officer may read in this chat, or None. Tip data is shown only
        where only the police of that unit read it: the officer's private chat (their own
        unit), a group bound as a unit's queue (their unit's; a supervisor's: any), or a
        supervisor's own duty or supervisors' group. An unbound group may hold anyone."""
        if private:
            return officer.unit_id
        for binding in await bindings.for_chat(tx, chat_id):
            if binding.purpose == "queue" and (
                binding.unit_id == officer.unit_id or officer.role == "supervisor"
            ):
                return binding.unit_id
            if officer.role == "supervisor" and binding.unit_id == officer.unit_id:
                return officer.unit_id
        return None

    async def tip_view(
        self, *, user_id: int, origin: Origin, code_text: str, update_key: str | None
    ) -> None:
        """``/tip <code>``: the card and its history, committed as the answer (sealed: the
        history quotes what the citizen added)."""
        try:
            async with self.db.transaction(update_key) as tx:
                try:
                    text = await self._tip_text(tx, user_id, origin, code_text)
                except TinbaoError as refused:  # raised before anything was read out
                    text = refused.text(LANG)
                parts = [Screen(part) for part in split_text(text)]  # a long history: several
                await answer(tx, self.dispatch.people, origin, parts, seal=True)
        except AlreadyProcessed:
            return

    async def _tip_text(self, tx: Tx, user_id: int, origin: Origin, code_text: str) -> str:
        """The card and its history; raises what refuses it (a malformed code, someone
        not allowed, the wrong chat, no such tip)."""
        chat_id, private = origin.chat_id, origin.private
        code = receipt.canonical(code_text)
        officer = await officers.find_active(tx, user_id)
        if officer is None:
            raise NotAuthorized()
        chat_unit = await self.chat_unit(tx, officer, chat_id, private)
        if chat_unit is None:
            raise WrongChat("q_wrong_chat")
        tip = await tips.by_code(tx, code)
        await self.lifecycle.authorize(tx, user_id, tip)
        assert tip is not None
        province_chat = officer.role == "supervisor" and chat_unit == officer.unit_id
        if not private and tip.current_unit_id != chat_unit and not province_chat:
            raise WrongChat("q_wrong_chat")  # another unit's tip in this unit's group
        lines = [await self.dispatch.card_text(tx, tip), "", t("q_history", LANG)]
        for event in await tips.events(tx, tip.id):
            actor = ""
            if event.actor_kind == "officer" and event.actor_id:
                actor_row = await officers.get(tx, event.actor_id)
                actor = actor_row.display_name if actor_row else "?"
            elif event.actor_kind == "reporter":
                actor = t("q_history_reporter", LANG)
            stamp = when(parse_utc(event.at), LANG, self.settings.tz)
            note = f" — {event.note[:200]}" if event.note else ""
            lines.append(f"• {stamp} {event.action} {actor}{note}".rstrip())
        clock_state = await tip_clocks(tx, tip.id, self.settings, self.clock())
        if clock_state is not None:
            lines.append(render_clocks(clock_state, LANG, self.settings.tz, self.clock()))
        return "\n".join(lines)  # may exceed one message: split by the caller

    async def queue_view(
        self, *, user_id: int, origin: Origin, page: int, update_key: str | None
    ) -> QueuePage | None:
        """``/queue [page]``: a page of the unit's open tips, committed as the answer. A
        page with buttons is remembered by its outbox row, so that its buttons, and only
        its buttons, may later turn it (callback data names a unit and a page, and proves
        nothing). Returns what was shown (None: the update was handled before)."""
        try:
            async with self.db.transaction(update_key) as tx:
                shown = await self._queue_page(tx, user_id, origin, page)
                (row,) = await answer(tx, self.dispatch.people, origin, [shown.screen])
                if shown.unit_id is not None and shown.screen.buttons:
                    await cards.add_page(
                        tx, outbox_id=row, unit_id=shown.unit_id, at=utc_text(self.clock())
                    )
                return shown
        except AlreadyProcessed:
            return None

    async def _queue_page(self, tx: Tx, user_id: int, origin: Origin, page: int) -> QueuePage:
        officer = await officers.find_active(tx, user_id)
        if officer is None:
            return QueuePage(Screen(t("q_only_officers", LANG)))
        unit_id = await self.chat_unit(tx, officer, origin.chat_id, origin.private)
        if unit_id is None:
            return QueuePage(Screen(t("q_wrong_chat", LANG)))
        return QueuePage(await self._page(tx, unit_id, page), unit_id)

    async def turn_page(
        self,
        *,
        user_id: int,
        chat_id: int,
        private: bool,
        message_id: int,
        page: int,
        update_key: str | None,
    ) -> str | None:
        """A page button: the pressed message must be a queue page the bot sent in this
        chat, and the presser must be allowed to read that unit's queue here. The new
        page is committed as an edit of the page's outbox row; returns the refusal to
        show in a pop-up instead (the message is left as it is), or None."""
        try:
            async with self.db.transaction(update_key) as tx:
                found = await cards.page_for_message(tx, chat_id, message_id)
                if found is None:
                    raise StaleButton()
                page_row, unit_id = found
                officer = await officers.find_active(tx, user_id)
                if officer is None:
                    raise NotAuthorized("q_page_refused")
                if await self.chat_unit(tx, officer, chat_id, private) != unit_id:
                    raise NotAuthorized("q_page_refused")
                screen = await self._page(tx, unit_id, page)
                await post(
                    tx,
                    self.dispatch.people,
                    Target(chat_id=chat_id),
                    screen_to_plain(screen, Scope.QUEUE),
                    intent=Intent.EDIT,
                    purpose="queue_page",
                    at=utc_text(self.clock()),
                    edit_of_outbox=page_row,
                )
                return None
        except AlreadyProcessed:
            return None
        except TinbaoError as refused:
            return refused.text(LANG)

    async def _page(self, tx: Tx, unit_id: int, page: int) -> Screen:
        unit = await units.get_unit(tx, unit_id)
        name = unit.name if unit else "?"
        _, total = await tips.open_for_unit(tx, unit_id, limit=0, offset=0)
        pages = max(1, (total + PAGE_SIZE - 1) // PAGE_SIZE)
        page = min(max(1, page), pages)  # past the end (a typo, an old button): the last
        rows, total = await tips.open_for_unit(
            tx, unit_id, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
        )
        if total == 0:
            return Screen(t("q_queue_empty", LANG, unit=name))
        pages = (total + PAGE_SIZE - 1) // PAGE_SIZE
        now = self.clock()
        lines = [t("q_queue_header", LANG, unit=name, total=total, page=page, pages=pages)]
        for tip in rows:
            age = now - parse_utc(tip.created_at)
            hours = int(age.total_seconds() // 3600)
            mark = "⚠️ " if tip.urgent else ""
            code, state = receipt.display(tip.code), state_label(tip)
            lines.append(t("q_queue_line", LANG, mark=mark, code=code, state=state, hours=hours))
        nav = []
        if page > 1:
            nav.append(Button(t("q_prev", LANG), "page", f"{unit_id}:{page - 1}"))
        if page < pages:
            nav.append(Button(t("q_next", LANG), "page", f"{unit_id}:{page + 1}"))
        return Screen("\n".join(lines), [nav] if nav else [])
