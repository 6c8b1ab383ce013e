"""The tip lifecycle: which officer's action may move a tip from which state, and each
step applied whole (acknowledge, take, transfer, close, a duplicate closed against its
original, a withdrawn notice's sightings closed).

A step is one unit of work in the caller's transaction: the tip's new state, its audit
event, the citizen's notice and the edits of every card, or none of them. The officer
is re-read from the database for every action (callback data only names a tip; it never
grants anything), and a refusal is a :mod:`bot.errors` error raised before anything
changes.
"""

from __future__ import annotations

from typing import Any

from bot import receipt
from bot.callbacks import Scope
from bot.card_facts import duplicate_code
from bot.cards import state_label
from bot.clock import Clock
from bot.dialogue import Intent, Screen, screen_to_plain
from bot.dispatch import CardDispatch
from bot.errors import NotAuthorized, NotFound, OtherUnit, StaleButton
from bot.fmt import when
from bot.queue_reply import Reply
from bot.replies import Target, post
from bot.wanted import WithdrawResult
from config.settings import Settings
from config.texts import t
from storage import cards, officers, outbox, tips, units
from storage.db import Tx, parse_utc, utc_text
from storage.officers import Officer

LANG = "vi"

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


class Lifecycle:
    def __init__(self, settings: Settings, clock: Clock, dispatch: CardDispatch) -> None:
        self.settings = settings
        self.clock = clock
        self.dispatch = dispatch

    async def state(self, tx: Tx, tip: tips.Tip) -> str:
        """A tip's state as officers read it; a duplicate names its original (the label
        alone cannot: the original's code lives in another row)."""
        return state_label(tip, duplicate_code=await duplicate_code(tx, tip))

    async def stale(self, tx: Tx, tip: tips.Tip, at: str) -> Reply:
        """A button pressed on a card that no longer shows the truth: the card is edited
        to show it, and the pop-up says where the tip is now."""
        await self.dispatch.refresh(tx, tip.id, at)
        return Reply(alert=t("q_stale", LANG, state=await self.state(tx, tip)))

    async def authorize(self, tx: Tx, user_id: int, tip: tips.Tip | None) -> Officer:
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

    async def move(
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
            await self.notify(tx, tip, notify, at)
        if refresh:
            await self.dispatch.refresh(tx, tip.id, at)

    async def notify(
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

    async def notify_ack_once(self, tx: Tx, tip: tips.Tip, at: str) -> None:
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
        await self.notify(
            tx, tip, "n_acknowledged", at, purpose="notify_ack", unit=unit.name if unit else ""
        )
        await tips.add_event(
            tx, tip.id, at=at, actor_kind="system", action="ack_notified", note=str(unit_id)
        )

    async def acknowledge(
        self, tx: Tx, officer: Officer, tip: tips.Tip, action: str, at: str
    ) -> Reply:
        """«Tiếp nhận» (``ack``) or «Nhận xử lý» (``take``, which also assigns the tip to
        the officer who pressed); the caller has checked the transition."""
        target = TRANSITIONS[action][1]
        await self.move(
            tx,
            tip,
            to_status=target,
            action="acknowledged" if action == "ack" else "taken",
            at=at,
            actor_id=officer.id,
            acknowledged=True,
            assigned_officer_id=officer.id if action == "take" else None,
        )
        await self.notify_ack_once(tx, tip, at)  # ``tip`` as it was before the move
        return Reply(alert=t("q_done", LANG, state=t(f"state_{target}", LANG)), changed=True)

    async def close(
        self,
        tx: Tx,
        officer: Officer,
        tip: tips.Tip,
        outcome: str,
        at: str,
        *,
        duplicate_of: int | None,
    ) -> Reply:
        await self.move(
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
        return Reply(alert=t("q_done", LANG, state=await self.state(tx, closed)), changed=True)

    async def transfer(
        self, tx: Tx, officer: Officer, tip: tips.Tip, unit_id: int, at: str
    ) -> Reply:
        if not allowed("transfer", tip.status):
            return await self.stale(tx, tip, at)
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
        await self.move(
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

    async def close_sightings(self, tx: Tx, result: WithdrawResult) -> None:
        """A withdrawn notice (arrested, surrendered, cancelled) closes its open
        sightings in the withdrawal's own transaction and thanks those citizens."""
        at = utc_text(self.clock())
        for tip_id in result.open_tip_ids:
            tip = await tips.by_id(tx, tip_id)
            if tip is None or not allowed("close", tip.status):
                continue
            await self.move(
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
