"""Commune police queues: officers' actions on tips, the anonymous relay, the views.

Every action runs in one transaction that re-reads the officer and the tip from the
database (callback data only names a tip; it never grants anything), checks the
transition, updates the tip, writes its audit event, and enqueues the card edits, the
citizen's notification and what the officer sees (prompts, lists, previews, the pressed
message settled) as outbox rows; only the pop-up answer to a press is left to the
handler. A second press of the same button finds the tip already moved on and answers
with its current state, changing nothing; a redelivered update finds its key taken. A
refusal (not allowed, a stale or forged button) is a :mod:`bot.errors` error raised
before anything changes and answered with its text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot import receipt
from bot.callbacks import Scope
from bot.card_facts import duplicate_code
from bot.cards import OUTCOMES, outcome_buttons, state_label
from bot.clock import Clock
from bot.deadlines import render_clocks, tip_clocks
from bot.dialogue import Button, Intent, Media, Screen, buttons_to_plain, screen_to_plain
from bot.dispatch import CardDispatch
from bot.errors import NotAuthorized, NotFound, OtherUnit, StaleButton, TinbaoError, WrongChat
from bot.fmt import when
from bot.places import PlaceSearch
from bot.replies import Origin, Target, answer, enqueue_screen, post
from bot.text import split_text
from bot.wanted import WithdrawResult
from config.settings import Settings
from config.texts import t
from storage import bindings, cards, officers, outbox, reporters, tips, units
from storage.db import AlreadyProcessed, Database, Tx, parse_utc, utc_text
from storage.officers import Officer

LANG = "vi"
PAGE_SIZE = 10
ACTIONS = ("ack", "take", "ask", "transfer", "close", "outcome", "xfer", "asksend", "askcancel")

# action -> (states it may start from, state it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "ack": (frozenset({"new", "transferred"}), "acknowledged"),
    "take": (frozenset({"new", "transferred", "acknowledged", "needs_info"}), "in_progress"),
    "ask": (tips_open := frozenset(tips.OPEN_STATUSES), "needs_info"),
    "transfer": (tips_open, "transferred"),
    "close": (tips_open, "closed"),
}


def allowed(action: str, status: str) -> bool:
    rule = TRANSITIONS.get(action)
    return rule is not None and status in rule[0]


@dataclass
class Reply:
    """What an officer's action shows: the pop-up answer (``alert``, for the handler to
    answer the press with) and the screens, which the service commits as outbox rows in
    the action's own transaction."""

    alert: str | None = None
    screens: list[Screen] = field(default_factory=list)
    force_reply: bool = False
    changed: bool = False
    # the prompt the force-reply screen asks for: it records the outbox row that shows
    # it, because only a reply to that very message answers it
    prompt_id: int | None = None
    # the pressed message has done its job: its buttons go, this note stays in their place
    settle: str | None = None
    # the pressed list (outcomes, communes) has done its job: its buttons go
    clear_pressed: bool = False
    # the screens quote what a citizen will read (the question preview): sealed rows
    sealed: bool = False


@dataclass(frozen=True)
class Pressed:
    """The message whose button was pressed, as the update shows it."""

    message_id: int
    text: str | None = None


@dataclass(frozen=True)
class QueuePage:
    """A page of a unit's open tips, or a refusal (``unit_id`` None)."""

    screen: Screen
    unit_id: int | None = None


class QueueService:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        places: PlaceSearch,
        clock: Clock,
        dispatch: CardDispatch,
    ) -> None:
        self.db = db
        self.settings = settings
        self.places = places
        self.clock = clock
        self.dispatch = dispatch

    async def _state(self, tx: Tx, tip: tips.Tip) -> str:
        """A tip's state as officers read it; a duplicate names its original (the label
        alone cannot: the original's code lives in another row)."""
        return state_label(tip, duplicate_code=await duplicate_code(tx, tip))

    # ------------------------------------------------------------------ authorization
    async def _authorize(self, tx: Tx, user_id: int, tip: tips.Tip | None) -> Officer:
        """The officer who may act on ``tip``, re-read from the database; raises
        :class:`NotAuthorized` (or :class:`OtherUnit`) or :class:`NotFound` otherwise."""
        officer = await officers.find_active(tx, user_id)
        if officer is None:
            raise NotAuthorized()
        if tip is None:
            raise NotFound()
        if officer.role == "supervisor" or officer.unit_id == tip.current_unit_id:
            return officer
        unit = await units.get_unit(tx, tip.current_unit_id)
        raise OtherUnit(unit=unit.name if unit else "?")

    # ------------------------------------------------------------------ actions ------
    async def press(
        self,
        *,
        user_id: int,
        chat_id: int,
        action: str,
        value: str,
        update_key: str | None,
        pressed: Pressed | None = None,
    ) -> Reply:
        """A button on a card (or a follow-up list). ``value`` is untrusted text."""
        tip_part, _, arg = value.partition(":")
        if action not in ACTIONS or not tip_part.isdigit() or len(tip_part) > 12:
            return Reply(alert=StaleButton().text(LANG))
        tip_id = int(tip_part)
        try:
            async with self.db.transaction(update_key) as tx:
                tip = await tips.by_id(tx, tip_id)
                officer = await self._authorize(tx, user_id, tip)
                assert tip is not None
                reply = await self._act(tx, officer, tip, chat_id, action, arg)
                reply.clear_pressed = reply.changed and action in ("outcome", "xfer")
                await self._show(tx, chat_id, reply, pressed)
                return reply
        except AlreadyProcessed:
            return Reply()
        except TinbaoError as refused:  # raised before anything changed: nothing to keep
            return Reply(alert=refused.text(LANG))

    async def _show(self, tx: Tx, chat_id: int, reply: Reply, pressed: Pressed | None) -> None:
        """What the officer sees besides the pop-up, as outbox rows of the action's own
        transaction: the pressed message settled, then the screens; a prompt is a reply
        to the pressed card, and its row is what a reply to the prompt must answer."""
        people = self.dispatch.people
        if pressed is not None and (reply.settle is not None or reply.clear_pressed):
            if reply.settle is not None and pressed.text is not None:
                # the note replaces the buttons; the pressed message may be a question
                # preview: sealed like it
                text = f"{pressed.text}\n\n✔ {reply.settle}"
                plain = screen_to_plain(Screen(text), Scope.QUEUE, message_id=pressed.message_id)
            else:  # the buttons go, the text stays
                plain = buttons_to_plain([], Scope.QUEUE, message_id=pressed.message_id)
            await post(
                tx,
                people,
                Target(chat_id=chat_id),
                plain,
                intent=Intent.EDIT,
                purpose="settle",
                seal="text" in plain,
                at=utc_text(self.clock()),
            )
        for screen in reply.screens:
            prompt = reply.force_reply and not screen.buttons
            row = await enqueue_screen(
                tx,
                people,
                Target(chat_id=chat_id),
                screen,
                scope="q",
                purpose="prompt" if prompt else "officer_reply",
                seal=reply.sealed,
                force_reply=prompt,
                reply_to_message_id=pressed.message_id if prompt and pressed else None,
            )
            if prompt and reply.prompt_id is not None:
                await cards.set_prompt_outbox(tx, reply.prompt_id, row)

    async def _act(
        self, tx: Tx, officer: Officer, tip: tips.Tip, chat_id: int, action: str, arg: str
    ) -> Reply:
        at = utc_text(self.clock())
        code = receipt.display(tip.code)
        if action == "outcome":
            return await self._close(tx, officer, tip, chat_id, arg, at)
        if action == "xfer":
            if not arg.isdigit() or len(arg) > 12:  # an id SQLite can hold
                raise StaleButton()
            return await self._transfer(tx, officer, tip, int(arg), at)
        if action in ("asksend", "askcancel"):
            return await self._confirm_question(tx, officer, tip, chat_id, action, arg, at)
        if action not in TRANSITIONS:
            raise StaleButton()
        if not allowed(action, tip.status):
            await self.dispatch.refresh(tx, tip.id, at)  # show the truth on a stale card
            return Reply(alert=t("q_stale", LANG, state=await self._state(tx, tip)))
        if action in ("ack", "take"):
            target = TRANSITIONS[action][1]
            await self._move(
                tx,
                tip,
                to_status=target,
                action="acknowledged" if action == "ack" else "taken",
                at=at,
                actor_id=officer.id,
                acknowledged=True,
                assigned_officer_id=officer.id if action == "take" else None,
            )
            await self._notify_ack_once(tx, tip, at)  # ``tip`` as it was before the move
            return Reply(alert=t("q_done", LANG, state=t(f"state_{target}", LANG)), changed=True)
        if action == "ask":
            if tip.reporter_id is None:
                raise NotFound()
            return await self._prompt(tx, officer, tip, chat_id, "ask", at)
        if action == "transfer":
            return await self._prompt(tx, officer, tip, chat_id, "transfer", at)
        # close: choose the outcome
        return Reply(screens=[Screen(t("q_pick_outcome", LANG, code=code), outcome_buttons(tip))])

    async def _move(
        self,
        tx: Tx,
        tip: tips.Tip,
        *,
        to_status: str,
        action: str,
        at: str,
        actor_kind: str = "officer",
        actor_id: int | None = None,
        note: str | None = None,
        notify: str | None = None,
        public: bool = True,
        refresh: bool = True,
        **state: Any,
    ) -> None:
        """One lifecycle step, whole: the tip's new state, its audit event, the citizen's
        notice (a catalogue key) and the edits of every card, in the caller's transaction."""
        await tips.update_state(tx, tip.id, status=to_status, at=at, **state)
        await tips.add_event(
            tx,
            tip.id,
            at=at,
            actor_kind=actor_kind,
            actor_id=actor_id,
            action=action,
            from_status=tip.status,
            to_status=to_status,
            note=note,
            public=public,
        )
        if notify:
            await self._notify(tx, tip, notify, at)
        if refresh:
            await self.dispatch.refresh(tx, tip.id, at)

    async def _notify(
        self,
        tx: Tx,
        tip: tips.Tip,
        key: str,
        at: str,
        *,
        purpose: str = "notify",
        **params: Any,
    ) -> None:
        """A message to the reporter in their language; the relay resolves their chat."""
        if tip.reporter_id is None:
            return
        text = t(key, tip.language, code=receipt.display(tip.code), **params)
        await outbox.enqueue_text(
            tx,
            text,
            at=at,
            purpose=purpose,
            reporter_id=tip.reporter_id,
            tip_id=tip.id,
        )

    async def _notify_ack_once(self, tx: Tx, tip: tips.Tip, at: str) -> None:
        """The citizen hears "acknowledged" once from each unit that takes the tip up,
        whichever button came first: when the tip still waits for its current unit
        (new, or just transferred) and that unit has not told them before (a tip that
        comes back to a unit is not news). The notice names the unit and nothing else
        of its work; an ``ack_notified`` event (note: the unit's id) remembers it."""
        if tip.reporter_id is None or tip.status not in ("new", "transferred"):
            return
        unit_id = tip.current_unit_id
        if await tips.has_event(tx, tip.id, "ack_notified", note=str(unit_id)):
            return
        unit = await units.get_unit(tx, unit_id)
        await self._notify(
            tx, tip, "n_acknowledged", at, purpose="notify_ack", unit=unit.name if unit else ""
        )
        await tips.add_event(
            tx, tip.id, at=at, actor_kind="system", action="ack_notified", note=str(unit_id)
        )

    async def _close(
        self, tx: Tx, officer: Officer, tip: tips.Tip, chat_id: int, outcome: str, at: str
    ) -> Reply:
        if outcome not in OUTCOMES:
            raise StaleButton()
        if not allowed("close", tip.status):
            await self.dispatch.refresh(tx, tip.id, at)
            return Reply(alert=t("q_stale", LANG, state=await self._state(tx, tip)))
        if outcome == "duplicate":
            return await self._prompt(tx, officer, tip, chat_id, "duplicate", at)
        return await self._do_close(tx, officer, tip, outcome, at, duplicate_of=None)

    async def _do_close(
        self,
        tx: Tx,
        officer: Officer,
        tip: tips.Tip,
        outcome: str,
        at: str,
        *,
        duplicate_of: int | None,
    ) -> Reply:
        await self._move(
            tx,
            tip,
            to_status="closed",
            action="closed",
            at=at,
            actor_id=officer.id,
            note=outcome,
            notify=f"n_closed_{outcome}",
            outcome=outcome,
            closed=True,
            duplicate_of=duplicate_of,
        )
        closed = await tips.by_id(tx, tip.id)
        assert closed is not None
        return Reply(alert=t("q_done", LANG, state=await self._state(tx, closed)), changed=True)

    async def _transfer(
        self, tx: Tx, officer: Officer, tip: tips.Tip, unit_id: int, at: str
    ) -> Reply:
        if not allowed("transfer", tip.status):
            await self.dispatch.refresh(tx, tip.id, at)
            return Reply(alert=t("q_stale", LANG, state=await self._state(tx, tip)))
        target = await units.get_unit(tx, unit_id)
        if target is None or not target.active or target.kind != "commune":
            raise StaleButton()
        if unit_id == tip.current_unit_id:
            return Reply(alert=t("q_same_unit", LANG))
        when_text = when(parse_utc(at), LANG, self.settings.tz)
        for card in await cards.active(tx, tip.id):
            moved = t("card_moved", LANG, unit=target.name, who=officer.display_name, at=when_text)
            text = await self.dispatch.card_text(tx, tip) + "\n" + moved
            await post(  # the card without its buttons, saying where the tip went
                tx,
                self.dispatch.people,
                Target(chat_id=card.chat_id),
                screen_to_plain(Screen(text), Scope.QUEUE),
                intent=Intent.EDIT,
                purpose="card_edit",
                at=at,
                tip_id=tip.id,
                edit_of_outbox=card.outbox_id,
            )
            await cards.deactivate(tx, card.id)
        await self._move(
            tx,
            tip,
            to_status="transferred",
            action="transferred",
            at=at,
            actor_id=officer.id,
            note=f"{tip.current_unit_id}->{unit_id}",
            refresh=False,  # the old cards were closed above; the new unit gets fresh ones
            current_unit_id=unit_id,
        )
        moved_tip = await tips.by_id(tx, tip.id)
        assert moved_tip is not None
        await self.dispatch.send_cards(tx, moved_tip, unit_id, include_issuer=False)
        return Reply(alert=t("q_done", LANG, state=t("state_transferred", LANG)), changed=True)

    # ------------------------------------------------------------------ prompts ------
    async def _prompt(
        self, tx: Tx, officer: Officer, tip: tips.Tip, chat_id: int, kind: str, at: str
    ) -> Reply:
        """Ask the officer for free text (the question, the commune, the original's code).
        Only their reply to this prompt's message, in time, will answer it."""
        prompt_id = await cards.open_prompt(
            tx, officer_id=officer.id, chat_id=chat_id, kind=kind, tip_id=tip.id, at=at
        )
        text = t(
            f"q_{kind}_prompt",
            LANG,
            who=officer.display_name,
            code=receipt.display(tip.code),
            minutes=self.settings.prompt_minutes,
        )
        return Reply(screens=[Screen(text)], force_reply=True, prompt_id=prompt_id)

    def _expired(self, since: str) -> bool:
        return self.clock() - parse_utc(since) > timedelta(minutes=self.settings.prompt_minutes)

    async def officer_text(
        self,
        *,
        user_id: int,
        chat_id: int,
        reply_to: int | None,
        text: str,
        update_key: str | None,
        reply_to_bot_at: datetime | None = None,
    ) -> Reply | None:
        """A message in a police chat. It answers a prompt only if it is a reply to the
        bot's prompt message, by the officer who pressed, within ``prompt_minutes``;
        anything else is the group's own conversation and gets no answer (None). What
        the officer is shown is committed with the answer.

        ``reply_to_bot_at`` is when the replied-to message was sent, given only when it
        is the bot's own message (Telegram says so): a copy of the prompt whose id the
        bot never learnt (its answer was lost, so it was sent again) answers it too."""
        if reply_to is None:
            return None
        try:
            async with self.db.transaction(update_key) as tx:
                reply = await self._officer_text(
                    tx, user_id, chat_id, reply_to, text, reply_to_bot_at
                )
                if reply is not None:
                    await self._show(tx, chat_id, reply, None)
                return reply
        except AlreadyProcessed:
            return Reply()

    async def _officer_text(
        self,
        tx: Tx,
        user_id: int,
        chat_id: int,
        reply_to: int,
        text: str,
        reply_to_bot_at: datetime | None,
    ) -> Reply | None:
        prompt = await cards.prompt_for_message(tx, chat_id, reply_to)
        officer = await officers.find_active(tx, user_id)
        if prompt is None and officer is not None and reply_to_bot_at is not None:
            sent_at = utc_text(reply_to_bot_at)[:19]
            prompt = await cards.prompt_for_lost_copy(tx, chat_id, officer.id, reply_to, sent_at)
        if prompt is None:
            return None  # a reply to some other message
        if officer is None or officer.id != prompt.officer_id:
            return None  # someone else's prompt: not theirs to answer
        at = utc_text(self.clock())
        if prompt.closed_at is not None or self._expired(prompt.created_at):
            await cards.close_prompt(tx, prompt.id, at)
            return Reply(screens=[Screen(self._expired_text())])
        tip = await tips.by_id(tx, prompt.tip_id)
        try:
            officer = await self._authorize(tx, user_id, tip)
        except TinbaoError as refused:  # the prompt ends with the refusal
            await cards.close_prompt(tx, prompt.id, at)
            note = refused.text(LANG)
            return Reply(alert=note, screens=[Screen(note)])
        assert tip is not None
        return await self._answer_prompt(tx, officer, tip, prompt, text.strip(), at)

    def _expired_text(self) -> str:
        return t("q_prompt_expired", LANG, minutes=self.settings.prompt_minutes)

    async def _answer_prompt(
        self, tx: Tx, officer: Officer, tip: tips.Tip, prompt: cards.Prompt, text: str, at: str
    ) -> Reply:
        """A transfer search or a wrong code leaves the prompt open (the officer may reply
        again); a question is shown back for «Gửi» before anything reaches the reporter."""
        code = receipt.display(tip.code)
        if prompt.kind == "transfer":
            matches = self.places.search(text, limit=5)
            if not matches:
                return Reply(
                    screens=[
                        Screen(
                            t("place_none", LANG, query=text[:60], province=self.settings.province)
                        )
                    ]
                )
            await cards.close_prompt(tx, prompt.id, at)
            rows = [[Button(m.name, "xfer", f"{tip.id}:{m.unit_id}")] for m in matches]
            return Reply(screens=[Screen(t("q_transfer_pick", LANG, code=code), rows)])
        if prompt.kind == "duplicate":
            try:
                original = await tips.by_code(tx, receipt.canonical(text))
            except receipt.MalformedCode:
                original = None
            if original is None or original.id == tip.id:
                return Reply(screens=[Screen(t("q_dup_self", LANG))])
            await cards.close_prompt(tx, prompt.id, at)
            if not allowed("close", tip.status):
                return Reply(screens=[Screen(t("q_stale", LANG, state=await self._state(tx, tip)))])
            reply = await self._do_close(
                tx, officer, tip, "duplicate", at, duplicate_of=original.id
            )
            return Reply(screens=[Screen(reply.alert or "")], changed=True)
        # ask
        if not allowed("ask", tip.status) or tip.reporter_id is None:
            await cards.close_prompt(tx, prompt.id, at)
            return Reply(screens=[Screen(t("q_stale", LANG, state=await self._state(tx, tip)))])
        question = text[: self.settings.description_max_chars]
        # a fresh id per draft: «Gửi» under an earlier draft can never send this one
        draft_id = await cards.open_prompt(
            tx,
            officer_id=officer.id,
            chat_id=prompt.chat_id,
            kind="ask",
            tip_id=tip.id,
            at=at,
            created_at=prompt.created_at,
            outbox_id=prompt.outbox_id,
            draft=question,
        )
        reporter = await reporters.get(tx, tip.reporter_id)
        preview = t(
            "q_ask_confirm",
            LANG,
            pseudonym=reporter.pseudonym if reporter else "?",
            message=self._question_text(tip, question),
            minutes=self.settings.prompt_minutes,
        )
        value = f"{tip.id}:{draft_id}"
        buttons = [
            [
                Button(t("qbtn_ask_send", LANG), "asksend", value),
                Button(t("qbtn_ask_cancel", LANG), "askcancel", value),
            ]
        ]
        return Reply(screens=[Screen(preview, buttons)], sealed=True)

    def _question_text(self, tip: tips.Tip, question: str) -> str:
        """Exactly what the reporter will read, in their language."""
        return t("n_question", tip.language, code=receipt.display(tip.code), question=question)

    async def _confirm_question(
        self,
        tx: Tx,
        officer: Officer,
        tip: tips.Tip,
        chat_id: int,
        action: str,
        arg: str,
        at: str,
    ) -> Reply:
        """«Gửi» or «Hủy» under a drafted question: only its officer, only that draft,
        only in time; anything else changes nothing."""
        prompt = await cards.prompt_by_id(tx, int(arg)) if arg.isdigit() else None
        if (
            prompt is None
            or prompt.kind != "ask"
            or prompt.tip_id != tip.id
            or prompt.chat_id != chat_id
            or prompt.drafted_at is None
        ):
            raise StaleButton()
        if prompt.officer_id != officer.id:
            raise NotAuthorized("q_prompt_not_yours")
        if prompt.closed_at is not None or prompt.draft is None:
            return Reply(alert=self._expired_text())
        await cards.close_prompt(tx, prompt.id, at)
        if action == "askcancel":
            note = t("q_ask_cancelled", LANG)
            return Reply(alert=note, settle=note)
        if self._expired(prompt.drafted_at):
            return Reply(alert=self._expired_text(), settle=t("q_prompt_lapsed", LANG))
        if not allowed("ask", tip.status) or tip.reporter_id is None:
            await self.dispatch.refresh(tx, tip.id, at)
            state = await self._state(tx, tip)
            return Reply(alert=t("q_stale", LANG, state=state), settle=state)
        note = await self._send_question(tx, officer, tip, prompt.draft, at)
        return Reply(alert=note, settle=note, changed=True)

    async def _send_question(
        self, tx: Tx, officer: Officer, tip: tips.Tip, question: str, at: str
    ) -> str:
        """The confirmed question goes to the reporter through the relay; returns the
        note for the officer."""
        assert tip.reporter_id is not None
        await self._move(
            tx,
            tip,
            to_status="needs_info",
            action="asked",
            at=at,
            actor_id=officer.id,
            note=question,
            public=False,  # the question itself is not public
            refresh=False,
            acknowledged=True,
        )
        await tips.add_event(
            tx, tip.id, at=at, actor_kind="system", action="question_sent", public=True
        )
        if tip.status in ("new", "transferred"):
            await self._notify_ack_once(tx, tip, at)  # "acknowledged" comes first
        lang = tip.language
        # A long question goes in several messages; the last carries the reply button.
        *first_parts, last_part = split_text(self._question_text(tip, question))
        for part in first_parts:
            await outbox.enqueue_text(
                tx, part, at=at, purpose="question", reporter_id=tip.reporter_id, tip_id=tip.id
            )
        reply_button = Button(t("btn_reply", lang), "relay", tip.code)  # the citizen's scope
        await post(
            tx,
            self.dispatch.people,
            Target(reporter_id=tip.reporter_id),
            screen_to_plain(Screen(last_part, [[reply_button]]), Scope.CITIZEN),
            purpose="question",
            at=at,
            tip_id=tip.id,
        )
        await self.dispatch.refresh(tx, tip.id, at)
        reporter = await reporters.get(tx, tip.reporter_id)
        return t("q_question_sent", LANG, pseudonym=reporter.pseudonym if reporter else "?")

    # ------------------------------------------------------------------ relay --------
    async def relay_from_reporter(
        self,
        tx: Tx,
        reporter_id: int,
        tip_code: str,
        *,
        text: str | None = None,
        media: tips.Attachment | None = None,
    ) -> str:
        """A citizen's answer or addition goes to the queue as a reply to the card, as a
        new message (never a forward), so neither side learns the other's identity.
        Returns 'ok', 'closed' or 'unknown'."""
        tip = await tips.by_code(tx, tip_code)
        if tip is None or tip.reporter_id != reporter_id:
            return "unknown"
        if tip.status == "closed":
            return "closed"
        at = utc_text(self.clock())
        reporter = await reporters.get(tx, reporter_id)
        pseudonym = reporter.pseudonym if reporter else "?"
        code = receipt.display(tip.code)
        queue_cards = [c for c in await cards.active(tx, tip.id) if c.kind == "queue"]
        # the citizen's own words and evidence: sealed until sent, like their screens
        people = self.dispatch.people
        for card in queue_cards:
            screens = []
            if text is not None:
                body = t("q_answer_relay", LANG, pseudonym=pseudonym, code=code, text=text)
                # a long addition arrives whole, in parts
                screens += [Screen(part) for part in split_text(body)]
            if media is not None:
                caption = t("q_answer_media", LANG, pseudonym=pseudonym, code=code)
                screens.append(Screen(caption, media=Media(media.kind, media.file_id)))
            for screen in screens:
                await post(
                    tx,
                    people,
                    Target(chat_id=card.chat_id),
                    screen_to_plain(screen, Scope.QUEUE),
                    purpose="relay",
                    seal=True,
                    at=at,
                    tip_id=tip.id,
                    reply_to_outbox=card.outbox_id,
                )
        if media is not None:
            await tips.add_attachments(tx, tip.id, [media], source="follow-up", at=at)
        if text is not None or media is not None:
            await tips.add_event(
                tx,
                tip.id,
                at=at,
                actor_kind="reporter",
                actor_id=reporter_id,
                action="reporter_added",
                note=text,
                public=False,
            )
        if tip.status == "needs_info":
            back = await tips.lifecycle_fields(tx, tip.id)
            target = "in_progress" if back and back[0] else "acknowledged"
            await self._move(
                tx,
                tip,
                to_status=target,
                action="answered",
                at=at,
                actor_kind="reporter",
                actor_id=reporter_id,
            )
        return "ok"

    # ------------------------------------------------------------------ views --------
    async def _chat_unit(self, tx: Tx, officer: Officer, chat_id: int, private: bool) -> int | None:
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
        chat_unit = await self._chat_unit(tx, officer, chat_id, private)
        if chat_unit is None:
            raise WrongChat("q_wrong_chat")
        tip = await tips.by_code(tx, code)
        await self._authorize(tx, user_id, tip)
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
        unit_id = await self._chat_unit(tx, officer, origin.chat_id, origin.private)
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
                if await self._chat_unit(tx, officer, chat_id, private) != unit_id:
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

    # ------------------------------------------------------------------ withdrawal ---
    async def close_sightings(self, tx: Tx, result: WithdrawResult) -> None:
        """A withdrawn notice (arrested, surrendered, cancelled) closes its open
        sightings in the withdrawal's own transaction and thanks those citizens."""
        at = utc_text(self.clock())
        for tip_id in result.open_tip_ids:
            tip = await tips.by_id(tx, tip_id)
            if tip is None or not allowed("close", tip.status):
                continue
            await self._move(
                tx,
                tip,
                to_status="closed",
                action="closed",
                at=at,
                actor_kind="system",
                note=f"wanted notice withdrawn: {result.reason}",
                notify="n_closed_wanted",
                outcome="resolved",
                closed=True,
            )
