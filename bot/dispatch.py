"""Tip cards in the police chats: where they go, what they say, keeping them current.

Everything here writes outbox rows inside the caller's transaction, so a card, its
evidence and its later edits commit with the change that caused them.
"""

from __future__ import annotations

import logging
from typing import Any

from bot import receipt
from bot.callbacks import Scope
from bot.cards import CardFacts, card_buttons
from bot.cards import card_text as render_card
from bot.clock import Clock
from bot.dialogue import Intent, Media, Screen, album_to_plain, screen_to_plain
from bot.fmt import when
from bot.people import People
from bot.replies import Target, post
from bot.routing import RoutingPlan, route
from config.settings import Settings
from config.texts import t
from storage import bindings, cards, outbox, reporters, tips, units
from storage import wanted as wanted_store
from storage.db import Tx, parse_utc, utc_text
from storage.digests import attach_file
from storage.outbox import OutboxRow
from storage.wanted import WantedNotice

LANG = "vi"
log = logging.getLogger(__name__)


async def duplicate_code(tx: Tx, tip: tips.Tip) -> str | None:
    """The original's receipt code as shown, for a tip closed as its duplicate."""
    if tip.outcome != "duplicate":
        return None
    code = await tips.duplicate_of_code(tx, tip.id)
    return receipt.display(code) if code else None


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

    async def _wanted_lines(self, tx: Tx, tip: tips.Tip) -> str | None:
        if not tip.wanted_notice_id:
            return None
        notice = await wanted_store.get(tx, tip.wanted_notice_id)
        if notice is None:
            return None
        danger = t("card_wanted_danger", LANG) if notice.dangerous else ""
        lines = [
            t(
                "card_wanted",
                LANG,
                name=notice.full_name,
                warrant=notice.warrant_number,
                offence=notice.offence,
                issuer=notice.issuing_unit_name,
                danger=danger,
            )
        ]
        trail = []
        for other in await tips.sightings_of(tx, notice.id, exclude=tip.id):
            unit = await units.get_unit(tx, other.unit_id)
            stamp = when(parse_utc(other.created_at), LANG, self.settings.tz)
            trail.append(
                f"{receipt.display(other.code)} ({unit.short_name if unit else '?'}, {stamp})"
            )
        if trail:
            lines.append(t("card_trail", LANG, trail="; ".join(trail[-5:])))
        return "\n".join(lines)

    async def card_text(self, tx: Tx, tip: tips.Tip, note: str | None = None) -> str:
        unit = await units.get_unit(tx, tip.unit_id)
        reporter = await reporters.get(tx, tip.reporter_id) if tip.reporter_id else None
        phone = None
        if tip.contactable:
            blob = await tips.contact_enc(tx, tip.id)
            phone = self.people.open_phone(blob) if blob else None
        evidence = len(await tips.attachments(tx, tip.id))
        who = at = None
        last = await tx.fetchone(
            "SELECT e.at, o.display_name FROM tip_events e LEFT JOIN officers o"
            " ON o.id = e.actor_id AND e.actor_kind = 'officer' WHERE e.tip_id = ?"
            " AND e.to_status IS NOT NULL ORDER BY e.at DESC, e.id DESC LIMIT 1",
            (tip.id,),
        )
        if last and last[1]:
            who, at = last[1], when(parse_utc(last[0]), LANG, self.settings.tz)
        dup_code = await duplicate_code(tx, tip)
        wanted_lines = await self._wanted_lines(tx, tip)
        if wanted_lines:
            note = wanted_lines + ("\n" + note if note else "")
        facts = CardFacts(
            tip=tip,
            unit_name=unit.name if unit else "?",
            reporter_pseudonym=reporter.pseudonym if reporter else "----",
            phone=phone,
            evidence=evidence,
            state_who=who,
            state_at=at,
            duplicate_code=dup_code,
            note=note,
        )
        return render_card(facts, self.settings.tz)

    async def card_plain(self, tx: Tx, tip: tips.Tip, note: str | None = None) -> dict[str, Any]:
        """A working card: the tip as officers read it, with the buttons its state
        allows (police queue scope)."""
        text = await self.card_text(tx, tip, note)
        return screen_to_plain(Screen(text, card_buttons(tip)), Scope.QUEUE)

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

    # ------------------------------------------------------------------ failures -----
    async def on_refused_event(self, tx: Tx, event_key: str, reason: str, failed: bool) -> None:
        """An incoming event nobody can read, or whose handling failed every time, is set
        aside, once, and a person is told: the duty group, or the supervisors when no duty
        group is bound. The alert names the event's key and the error's class only."""
        province = await units.get_province(tx)
        if province is None:
            return
        target = await bindings.for_unit(tx, "duty", province.id)
        target = target or await bindings.for_unit(tx, "supervisors", province.id)
        if target is None:
            return
        await outbox.enqueue_text(
            tx,
            t("inbox_failed", LANG, event=event_key, error=reason)
            if failed
            else t("inbox_refused", LANG, event=event_key),
            at=tx.now_text(),
            purpose="inbox_alert",
            chat_id=target.chat_id,
        )

    async def on_delivery_failure(self, tx: Tx, row: OutboxRow, error: str) -> None:
        """A permanent delivery failure raises an alert in the duty group, or in the
        supervisors' group when no duty group is bound (never about a failed alert
        itself, and never into the chat that refused, so a dead chat cannot cause a
        storm). The alert names the purpose, the chat's role and the receipt code:
        no reporter identity and nothing of the tip's content."""
        if row.purpose == "delivery_alert":
            return
        province = await units.get_province(tx)
        target_chat = None
        for purpose in ("duty", "supervisors"):
            bound = await bindings.for_unit(tx, purpose, province.id) if province else None
            if bound is not None and bound.chat_id != row.chat_id:
                target_chat = bound.chat_id
                break
        if target_chat is None:
            return
        target = t("delivery_to_reporter", LANG) if row.reporter_id else str(row.chat_id)
        if row.chat_id is not None:
            for binding in await bindings.for_chat(tx, row.chat_id):
                unit = await units.get_unit(tx, binding.unit_id)
                target = f"{t('purpose_' + binding.purpose, LANG)} {unit.name if unit else ''}"
        if row.tip_id:
            code = await tx.scalar("SELECT code FROM tips WHERE id = ?", (row.tip_id,))
            if code:
                target = t("delivery_target_tip", LANG, target=target, code=receipt.display(code))
        text = t("delivery_failed", LANG, purpose=row.purpose, target=target, error=error[:200])
        await outbox.enqueue_text(
            tx,
            text,
            at=utc_text(self.clock()),
            purpose="delivery_alert",
            chat_id=target_chat,
            tip_id=row.tip_id,
        )
