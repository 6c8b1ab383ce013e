"""Commune police queues: officers' actions on tips, the anonymous relay, the views.

Every action runs in one transaction that re-reads the officer and the tip from the
database (callback data only names a tip; it never grants anything), checks the
transition, updates the tip, writes its audit event, and enqueues the card edits and the
citizen's notification. A second press of the same button finds the tip already moved
on and answers with its current state, changing nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot import receipt
from bot.callbacks import encode
from bot.cards import OUTCOMES, outcome_buttons, state_label
from bot.clock import Clock
from bot.deadlines import render_clocks, tip_clocks
from bot.dialogue import Button, Keyboard, Screen, screen_to_plain
from bot.dispatch import CardDispatch
from bot.fmt import when
from bot.places import PlaceSearch
from bot.wanted import WithdrawResult
from config.messages import t
from config.settings import Settings
from storage import bindings, cards, officers, outbox, reporters, tips, units
from storage.db import AlreadyProcessed, Database, Tx, parse_utc, utc_text
from storage.officers import Officer

LANG = "vi"
PAGE_SIZE = 10
ACTIONS = ("ack", "take", "ask", "transfer", "close", "outcome", "xfer", "page")
INVITE_ALPHABET = receipt.ALPHABET

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
    """The answer to an officer's action: a pop-up (the adapter answers the press with
    it) and screens, which :meth:`QueueService.press` and :meth:`QueueService.officer_text`
    commit to the outbox with the action (``queued`` counts them), so that a flaky Bot API
    delays an officer's prompt or outcome list but never loses it. ``force_reply``
    screens open a reply to themselves (a prompt the officer answers)."""

    alert: str | None = None
    screens: list[Screen] = field(default_factory=list)
    force_reply: bool = False
    changed: bool = False
    queued: int = 0


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

    # ------------------------------------------------------------------ authorization
    async def _authorize(self, tx: Tx, user_id: int, tip: tips.Tip | None) -> Officer | str:
        officer = await officers.find_active(tx, user_id)
        if officer is None:
            return t("q_not_officer", LANG)
        if tip is None:
            return t("q_unknown_tip", LANG)
        if officer.role == "supervisor" or officer.unit_id == tip.current_unit_id:
            return officer
        unit = await units.get_unit(tx, tip.current_unit_id)
        return t("q_other_unit", LANG, unit=unit.name if unit else "?")

    # ------------------------------------------------------------------ actions ------
    async def press(
        self,
        *,
        user_id: int,
        chat_id: int,
        action: str,
        value: str,
        update_key: str | None,
        message_id: int | None = None,
    ) -> Reply:
        """A button on a card (or a follow-up list) of message ``message_id`` in
        ``chat_id``. ``value`` is untrusted text."""
        tip_part, _, arg = value.partition(":")
        if action not in ACTIONS or not tip_part.isdigit() or len(tip_part) > 12:
            return Reply(alert=t("stale_button", LANG))
        tip_id = int(tip_part)
        try:
            async with self.db.transaction(update_key) as tx:
                tip = await tips.by_id(tx, tip_id)
                who = await self._authorize(tx, user_id, tip)
                if isinstance(who, str):
                    return Reply(alert=who)
                assert tip is not None
                reply = await self._act(tx, who, tip, chat_id, action, arg)
                if reply.changed and action in ("outcome", "xfer") and message_id is not None:
                    # the follow-up list (outcomes, units) has done its job: drop its buttons
                    await outbox.enqueue(
                        tx,
                        at=tx.now_text(),
                        method="editMessageReplyMarkup",
                        payload={"message_id": message_id},
                        purpose="officer_reply",
                        chat_id=chat_id,
                        tip_id=tip.id,
                    )
                    reply.queued += 1
                await self._enqueue_reply(tx, chat_id, reply, reply_to=message_id)
                return reply
        except AlreadyProcessed:
            return Reply()

    async def _enqueue_reply(
        self, tx: Tx, chat_id: int, reply: Reply, *, reply_to: int | None
    ) -> None:
        """The screens answering an officer, committed with what they answer (rule 2)."""
        for screen in reply.screens:
            prompt = reply.force_reply and not screen.buttons and screen.keyboard is None
            if prompt:
                screen = Screen(screen.text, keyboard=Keyboard("force_reply"))
            await outbox.enqueue(
                tx,
                at=tx.now_text(),
                method="screen",
                payload=screen_to_plain(screen, "q", reply_to if prompt else None),
                purpose="officer_reply",
                chat_id=chat_id,
            )
            reply.queued += 1

    async def _act(
        self, tx: Tx, officer: Officer, tip: tips.Tip, chat_id: int, action: str, arg: str
    ) -> Reply:
        at = utc_text(self.clock())
        code = receipt.display(tip.code)
        if action == "outcome":
            return await self._close(tx, officer, tip, chat_id, arg, at)
        if action == "xfer":
            if not arg.isdigit():
                return Reply(alert=t("stale_button", LANG))
            return await self._transfer(tx, officer, tip, int(arg), at)
        if action not in TRANSITIONS:
            return Reply(alert=t("stale_button", LANG))
        if not allowed(action, tip.status):
            await self.dispatch.refresh(tx, tip.id, at)  # show the truth on a stale card
            return Reply(alert=t("q_stale", LANG, state=state_label(tip)))
        who = officer.display_name
        if action in ("ack", "take"):
            target = TRANSITIONS[action][1]
            await self._notify_ack_once(tx, tip, at)
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
            return Reply(alert=t("q_done", LANG, state=t(f"state_{target}", LANG)), changed=True)
        if action == "ask":
            if tip.reporter_id is None:
                return Reply(alert=t("q_unknown_tip", LANG))
            await cards.set_prompt(
                tx, officer_id=officer.id, chat_id=chat_id, kind="ask", tip_id=tip.id, at=at
            )
            return Reply(
                screens=[Screen(t("q_ask_prompt", LANG, who=who, code=code))], force_reply=True
            )
        if action == "transfer":
            await cards.set_prompt(
                tx, officer_id=officer.id, chat_id=chat_id, kind="transfer", tip_id=tip.id, at=at
            )
            return Reply(
                screens=[Screen(t("q_transfer_prompt", LANG, who=who, code=code))], force_reply=True
            )
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
        """The citizen hears "acknowledged" once, whichever button came first."""
        already = await tx.scalar(
            "SELECT 1 FROM outbox WHERE tip_id = ? AND purpose = 'notify_ack'", (tip.id,)
        )
        if already or tip.reporter_id is None:
            return
        unit = await units.get_unit(tx, tip.current_unit_id)
        await self._notify(
            tx, tip, "n_acknowledged", at, purpose="notify_ack", unit=unit.name if unit else ""
        )

    async def _close(
        self, tx: Tx, officer: Officer, tip: tips.Tip, chat_id: int, outcome: str, at: str
    ) -> Reply:
        if outcome not in OUTCOMES:
            return Reply(alert=t("stale_button", LANG))
        if not allowed("close", tip.status):
            await self.dispatch.refresh(tx, tip.id, at)
            return Reply(alert=t("q_stale", LANG, state=state_label(tip)))
        if outcome == "duplicate":
            await cards.set_prompt(
                tx, officer_id=officer.id, chat_id=chat_id, kind="duplicate", tip_id=tip.id, at=at
            )
            return Reply(
                screens=[
                    Screen(
                        t(
                            "q_duplicate_prompt",
                            LANG,
                            who=officer.display_name,
                            code=receipt.display(tip.code),
                        )
                    )
                ],
                force_reply=True,
            )
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
        return Reply(alert=t("q_done", LANG, state=state_label(closed)), changed=True)

    async def _transfer(
        self, tx: Tx, officer: Officer, tip: tips.Tip, unit_id: int, at: str
    ) -> Reply:
        if not allowed("transfer", tip.status):
            await self.dispatch.refresh(tx, tip.id, at)
            return Reply(alert=t("q_stale", LANG, state=state_label(tip)))
        target = await units.get_unit(tx, unit_id)
        if target is None or not target.active or target.kind != "commune":
            return Reply(alert=t("stale_button", LANG))
        if unit_id == tip.current_unit_id:
            return Reply(alert=t("q_same_unit", LANG))
        when_text = when(parse_utc(at), LANG, self.settings.tz)
        for card in await cards.active(tx, tip.id):
            moved = t("card_moved", LANG, unit=target.name, who=officer.display_name, at=when_text)
            text = await self.dispatch.card_text(tx, tip) + "\n" + moved
            await outbox.enqueue(
                tx,
                at=at,
                method="editMessageText",
                payload={"text": text},
                purpose="card_edit",
                chat_id=card.chat_id,
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

    # ------------------------------------------------------------------ officer text -
    async def officer_text(
        self,
        *,
        user_id: int,
        chat_id: int,
        text: str,
        update_key: str | None,
        message_id: int | None = None,
    ) -> Reply | None:
        """A message (``message_id``) from an officer in a chat where they owe an answer
        to a prompt (a question for the reporter, a transfer target, a duplicate's
        original)."""
        try:
            async with self.db.transaction(update_key) as tx:
                officer = await officers.find_active(tx, user_id)
                if officer is None:
                    return None
                prompt = await cards.get_prompt(tx, officer.id, chat_id)
                if prompt is None:
                    return None
                tip = await tips.by_id(tx, prompt.tip_id)
                who = await self._authorize(tx, user_id, tip)
                await cards.clear_prompt(tx, officer.id, chat_id)
                if isinstance(who, str):
                    reply = Reply(alert=who, screens=[Screen(who)])
                else:
                    assert tip is not None
                    reply = await self._answer_prompt(tx, who, tip, prompt.kind, text.strip())
                await self._enqueue_reply(tx, chat_id, reply, reply_to=message_id)
                return reply
        except AlreadyProcessed:
            return Reply()

    async def _answer_prompt(
        self, tx: Tx, officer: Officer, tip: tips.Tip, kind: str, text: str
    ) -> Reply:
        at = utc_text(self.clock())
        code = receipt.display(tip.code)
        if kind == "transfer":
            matches = self.places.search(text, limit=5)
            if not matches:
                return Reply(
                    screens=[
                        Screen(
                            t("place_none", LANG, query=text[:60], province=self.settings.province)
                        )
                    ]
                )
            rows = [[Button(m.name, "xfer", f"{tip.id}:{m.unit_id}")] for m in matches]
            return Reply(screens=[Screen(t("q_transfer_pick", LANG, code=code), rows)])
        if kind == "duplicate":
            try:
                original = await tips.by_code(tx, receipt.canonical(text))
            except receipt.MalformedCode:
                original = None
            if original is None or original.id == tip.id:
                return Reply(screens=[Screen(t("q_dup_self", LANG))])
            if not allowed("close", tip.status):
                return Reply(screens=[Screen(t("q_stale", LANG, state=state_label(tip)))])
            reply = await self._do_close(
                tx, officer, tip, "duplicate", at, duplicate_of=original.id
            )
            return Reply(screens=[Screen(reply.alert or "")], changed=True)
        # kind == "ask"
        if not allowed("ask", tip.status) or tip.reporter_id is None:
            return Reply(screens=[Screen(t("q_stale", LANG, state=state_label(tip)))])
        question = text[: self.settings.description_max_chars]
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
        lang = tip.language
        payload = {
            "text": t("n_question", lang, code=code, question=question),
            "reply_markup": {
                "inline_keyboard": [
                    [
                        {
                            "text": t("btn_reply", lang),
                            "callback_data": encode("c", "relay", tip.code),
                        }
                    ]
                ]
            },
        }
        await outbox.enqueue(
            tx,
            at=at,
            method="sendMessage",
            payload=payload,
            purpose="question",
            reporter_id=tip.reporter_id,
            tip_id=tip.id,
        )
        if tip.status in ("new", "transferred"):
            await self._notify_ack_once(tx, tip, at)
        await self.dispatch.refresh(tx, tip.id, at)
        reporter = await reporters.get(tx, tip.reporter_id)
        return Reply(
            screens=[
                Screen(
                    t("q_question_sent", LANG, pseudonym=reporter.pseudonym if reporter else "?")
                )
            ],
            changed=True,
        )

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
        for card in queue_cards:
            if text is not None:
                body = t("q_answer_relay", LANG, pseudonym=pseudonym, code=code, text=text)
                await outbox.enqueue_text(
                    tx,
                    body,
                    at=at,
                    purpose="relay",
                    chat_id=card.chat_id,
                    tip_id=tip.id,
                    reply_to_outbox=card.outbox_id,
                )
            if media is not None:
                caption = t("q_answer_media", LANG, pseudonym=pseudonym, code=code)
                await outbox.enqueue(
                    tx,
                    at=at,
                    method="send" + media.kind.capitalize(),
                    payload={media.kind: media.file_id, "caption": caption},
                    purpose="relay",
                    chat_id=card.chat_id,
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
    async def tip_view(self, *, user_id: int, code_text: str) -> str:
        try:
            code = receipt.canonical(code_text)
        except receipt.MalformedCode:
            return t("code_malformed", LANG, code=code_text.strip()[:40])
        async with self.db.read() as tx:
            tip = await tips.by_code(tx, code)
            who = await self._authorize(tx, user_id, tip)
            if isinstance(who, str):
                return who
            assert tip is not None
            lines = [await self.dispatch.card_text(tx, tip), "", t("q_history", LANG)]
            for event in await tips.events(tx, tip.id):
                actor = ""
                if event.actor_kind == "officer" and event.actor_id:
                    officer = await officers.get(tx, event.actor_id)
                    actor = officer.display_name if officer else "?"
                elif event.actor_kind == "reporter":
                    actor = "người báo tin"
                stamp = when(parse_utc(event.at), LANG, self.settings.tz)
                note = f" — {event.note[:200]}" if event.note else ""
                lines.append(f"• {stamp} {event.action} {actor}{note}".rstrip())
            clock_state = await tip_clocks(tx, tip.id, self.settings, self.clock())
        if clock_state is not None:
            lines.append(render_clocks(clock_state, LANG, self.settings.tz, self.clock()))
        return "\n".join(lines)[:4000]

    async def queue_view(self, *, user_id: int, chat_id: int, page: int) -> Screen:
        async with self.db.read() as tx:
            officer = await officers.find_active(tx, user_id)
            if officer is None:
                return Screen(t("q_only_officers", LANG))
            unit_id = officer.unit_id
            if officer.role == "supervisor":
                bound = [b for b in await bindings.for_chat(tx, chat_id) if b.purpose == "queue"]
                unit_id = bound[0].unit_id if bound else unit_id
            unit = await units.get_unit(tx, unit_id)
            name = unit.name if unit else "?"
            page = max(1, page)
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
            lines.append(f"• {mark}{receipt.display(tip.code)} — {state_label(tip)} — {hours} giờ")
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
