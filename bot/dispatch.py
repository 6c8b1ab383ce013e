"""Tip cards in the police chats: where they go and keeping them current, also when a
group becomes a supergroup. What a card says is bot/card_facts.py; the alerts about
messages that could not be delivered are bot/alerts.py.

Everything here writes outbox rows inside the caller's transaction, so a card, its
evidence and its later edits commit with the change that caused them.
"""

from __future__ import annotations

import logging
from typing import Any

from bot import card_facts
from bot.callbacks import Scope
from bot.clock import Clock
from bot.dialogue import Intent, Media, Screen, album_to_plain, screen_to_plain
from bot.people import People
from bot.replies import Target, post
from bot.routing import RoutingPlan, route
from config.settings import Settings
from config.texts import t
from storage import bindings, cards, outbox, tips, units
from storage import wanted as wanted_store
from storage.db import Tx, utc_text
from storage.outbox_files import attach_file
from storage.wanted import WantedNotice

LANG = "vi"
log = logging.getLogger(__name__)


class CardDispatch:
    def __init__(self, settings: Settings, people: People, clock: Clock) -> None:
        self.settings = settings
        self.people = people
        self.clock = clock

    # ------------------------------------------------------------------ routing ------
    async def on_tip_committed(self, tx: Tx, tip_id: int) -> None:
        """Hook run inside the intake's Submit transaction: the cards are outbox rows
        of the same commit as the tip."""
        tip = await tips.by_id(tx, tip_id)
        assert tip is not None
        await self.send_cards(tx, tip, tip.current_unit_id, include_issuer=True)

    async def send_cards(
        self, tx: Tx, tip: tips.Tip, unit_id: int, *, include_issuer: bool = False
    ) -> RoutingPlan:
        """Write the tip's cards for the queue of ``unit_id`` (and the alerts routing asks
        for); an empty plan is recorded as an ``unroutable`` event, which is what makes
        the tip surface when a chat is bound later (:meth:`surface_unrouted`)."""
        at = utc_text(self.clock())
        province = await units.get_province(tx)
        province_id = province.id if province else unit_id
        queue = await bindings.for_unit(tx, "queue", unit_id)
        duty = await bindings.for_unit(tx, "duty", province_id)
        notice = await wanted_store.get(tx, tip.wanted_notice_id) if tip.wanted_notice_id else None
        extra: tuple[tuple[int, int | None], ...] = ()
        if notice is not None and include_issuer and notice.issuing_unit_id != unit_id:
            # A sighting also goes to the unit that issued the warrant.
            issuer_chat = duty.chat_id if duty else None
            if notice.issuing_unit_id != province_id:
                issuer_queue = await bindings.for_unit(tx, "queue", notice.issuing_unit_id)
                issuer_chat = issuer_queue.chat_id if issuer_queue else None
            extra = ((notice.issuing_unit_id, issuer_chat),)
        plan = route(
            unit_id=unit_id,
            province_id=province_id,
            urgent=tip.urgent,
            category=tip.category,
            unit_queue_chat=queue.chat_id if queue else None,
            duty_chat=duty.chat_id if duty else None,
            extra_units=extra,
        )
        unit = await units.get_unit(tx, unit_id)
        unit_name = unit.name if unit else "?"
        shown = {(c.chat_id, c.kind): c for c in await cards.active(tx, tip.id)}
        for delivery in plan.deliveries:
            kind = "alert" if delivery.kind == "alert" else "queue"
            existing = shown.get((delivery.chat_id, kind))
            if existing is not None:
                # The chat already holds this tip's card: one card per tip and chat, kept
                # current by an edit (idempotent) rather than a second message.
                await self._edit_card(tx, tip, existing, at)
                continue
            if delivery.kind == "alert":
                text = (
                    t("card_alert", LANG, unit=unit_name) + "\n\n" + await self.card_text(tx, tip)
                )
                row = await post(
                    tx,
                    self.people,
                    Target(chat_id=delivery.chat_id),
                    screen_to_plain(Screen(text), Scope.QUEUE),
                    purpose="alert",
                    seal=True,
                    at=at,
                    tip_id=tip.id,
                )
                card_id = await cards.add(
                    tx, tip_id=tip.id, chat_id=delivery.chat_id, outbox_id=row, kind="alert", at=at
                )
                shown[(delivery.chat_id, kind)] = cards.Card(
                    card_id, tip.id, delivery.chat_id, row, kind
                )
                continue
            note = t("card_no_queue", LANG, unit=unit_name) if delivery.note else None
            row = await post(
                tx,
                self.people,
                Target(chat_id=delivery.chat_id),
                await self.card_plain(tx, tip, note=note),
                purpose="card",
                seal=True,  # quotes the citizen (and a phone)
                at=at,
                tip_id=tip.id,
            )
            card_id = await cards.add(
                tx, tip_id=tip.id, chat_id=delivery.chat_id, outbox_id=row, kind="queue", at=at
            )
            shown[(delivery.chat_id, kind)] = cards.Card(
                card_id, tip.id, delivery.chat_id, row, kind
            )
            await self._send_evidence(tx, tip, delivery.chat_id, row, at)
            if notice is not None and notice.has_photo:
                await self._send_notice_photo(tx, notice, tip, delivery.chat_id, row, at)
        if plan.unroutable:
            await tips.add_event(
                tx,
                tip.id,
                at=at,
                actor_kind="system",
                action="unroutable",
                note="no queue and no duty chat bound",
            )
        return plan

    async def surface_unrouted(self, tx: Tx, purpose: str, unit_id: int) -> int:
        """A chat was just bound: the tips nobody received so far go there now, in the
        binding's transaction. A unit's queue takes that unit's tips; a duty chat takes
        all of them (it stands in for every unit without a queue). Returns how many."""
        if purpose not in ("queue", "duty"):
            return 0
        at = utc_text(self.clock())
        surfaced = 0
        for tip_id, _code in await cards.unrouted(tx, unit_id if purpose == "queue" else None):
            tip = await tips.by_id(tx, tip_id)
            assert tip is not None
            plan = await self.send_cards(
                tx, tip, tip.current_unit_id, include_issuer=tip.current_unit_id == tip.unit_id
            )
            if plan.deliveries:
                surfaced += 1
                await tips.add_event(
                    tx,
                    tip.id,
                    at=at,
                    actor_kind="system",
                    action="routed",
                    note=f"{purpose} chat bound",
                )
        return surfaced

    async def _send_evidence(
        self, tx: Tx, tip: tips.Tip, chat_id: int, card_row: int, at: str
    ) -> None:
        """Evidence follows the card as replies: photos and videos as one album, other
        kinds grouped by what Telegram allows in an album."""
        files = await tips.attachments(tx, tip.id)
        groups: dict[str, list[tips.Attachment]] = {}
        for item in files:
            family = {"photo": "visual", "video": "visual"}.get(item.kind, item.kind)
            groups.setdefault(family, []).append(item)
        target = Target(chat_id=chat_id)
        for family, items in groups.items():
            if family == "voice" or len(items) == 1:
                for item in items:
                    shown = Screen("", media=Media(item.kind, item.file_id))
                    await post(
                        tx,
                        self.people,
                        target,
                        screen_to_plain(shown, Scope.QUEUE),
                        purpose="evidence",
                        at=at,
                        tip_id=tip.id,
                        reply_to_outbox=card_row,
                    )
                continue
            for start in range(0, len(items), 10):
                chunk = items[start : start + 10]
                await post(
                    tx,
                    self.people,
                    target,
                    album_to_plain([Media(i.kind, i.file_id) for i in chunk]),
                    intent=Intent.ALBUM,
                    purpose="evidence",
                    at=at,
                    tip_id=tip.id,
                    reply_to_outbox=card_row,
                )

    async def _send_notice_photo(
        self, tx: Tx, notice: WantedNotice, tip: tips.Tip, chat_id: int, card_row: int, at: str
    ) -> None:
        caption = t(
            "card_wanted",
            LANG,
            name=notice.full_name,
            warrant=notice.warrant_number,
            offence=notice.offence,
            issuer=notice.issuing_unit_name,
            danger="",
        )
        # the channel's cached file id, or the picture's bytes attached to the row
        shown = Screen(caption[:1000], media=Media("photo", notice.photo_file_id or None))
        row = await post(
            tx,
            self.people,
            Target(chat_id=chat_id),
            screen_to_plain(shown, Scope.QUEUE),
            purpose="evidence",
            at=at,
            tip_id=tip.id,
            reply_to_outbox=card_row,
        )
        if not notice.photo_file_id:
            data = await wanted_store.photo(tx, notice.id)
            if data:
                await attach_file(tx, row, "photo", f"truyna-{notice.id}.png", data)

    async def card_text(self, tx: Tx, tip: tips.Tip, note: str | None = None) -> str:
        return await card_facts.card_text(tx, tip, self.settings, self.people, note)

    async def card_plain(self, tx: Tx, tip: tips.Tip, note: str | None = None) -> dict[str, Any]:
        return await card_facts.card_plain(tx, tip, self.settings, self.people, note)

    async def refresh(self, tx: Tx, tip_id: int, at: str) -> None:
        tip = await tips.by_id(tx, tip_id)
        assert tip is not None
        for card in await cards.active(tx, tip_id):
            await self._edit_card(tx, tip, card, at)

    async def _edit_card(self, tx: Tx, tip: tips.Tip, card: cards.Card, at: str) -> None:
        """Show the tip's current state on one of its cards (an edit: sending it twice
        changes nothing, Telegram answers "message is not modified")."""
        if card.kind == "queue":
            plain = await self.card_plain(tx, tip)
        else:
            plain = screen_to_plain(Screen(await self.card_text(tx, tip)), Scope.QUEUE)
        await post(
            tx,
            self.people,
            Target(chat_id=card.chat_id),
            plain,
            intent=Intent.EDIT,
            purpose="card_edit",
            seal=True,  # quotes the citizen (and a phone)
            at=at,
            tip_id=tip.id,
            edit_of_outbox=card.outbox_id,
        )

    # ------------------------------------------------------------------ migration ----
    async def follow_migration(self, tx: Tx, old_chat_id: int, new_chat_id: int) -> int:
        """A basic group became a supergroup (Telegram gives it a new id and refuses
        every call to the old one): its bindings, cards, officers' prompts and pending
        messages move to the new id, in the caller's transaction. A card already shown
        in the old group can no longer be edited, so an open tip's working card is sent
        again in the new group. Idempotent: a second call finds nothing to move.
        Returns how many cards were sent again."""
        at = utc_text(self.clock())
        moved = await bindings.move_chat(tx, old_chat_id, new_chat_id)
        await cards.move_prompts(tx, old_chat_id, new_chat_id)
        purposes = {b.purpose for b in await bindings.for_chat(tx, new_chat_id)}
        reposted = 0
        for card in await cards.in_chat(tx, old_chat_id):
            sent = await outbox.sent_message(tx, card.outbox_id)
            if sent is not None and sent[2] == "pending":
                await cards.move(tx, card.id, new_chat_id)  # its row moves below
                continue
            await cards.deactivate(tx, card.id)
            tip = await tips.by_id(tx, card.tip_id)
            if tip is None or tip.status == "closed" or card.kind != "queue":
                continue
            note = None
            if "queue" not in purposes:  # the duty chat standing in for the unit
                unit = await units.get_unit(tx, tip.current_unit_id)
                note = t("card_no_queue", LANG, unit=unit.name if unit else "?")
            row = await post(
                tx,
                self.people,
                Target(chat_id=new_chat_id),
                await self.card_plain(tx, tip, note=note),
                purpose="card",
                seal=True,
                at=at,
                tip_id=tip.id,
            )
            await cards.add(
                tx, tip_id=tip.id, chat_id=new_chat_id, outbox_id=row, kind="queue", at=at
            )
            await outbox.repoint_replies(tx, card.outbox_id, row)
            await tips.add_event(
                tx,
                tip.id,
                at=at,
                actor_kind="system",
                action="card_moved",
                note=f"group {old_chat_id} became supergroup {new_chat_id}",
            )
            reposted += 1
        rows = await outbox.follow_chat_migration(tx, old_chat_id, new_chat_id)
        if moved or reposted or rows:
            log.warning(
                "group %s became supergroup %s: %d binding(s), %d pending message(s) moved,"
                " %d card(s) sent again",
                old_chat_id,
                new_chat_id,
                moved,
                rows,
                reposted,
            )
        return reposted
