"""The police side of the anonymous relay: an officer's confirmed question goes to the
reporter, and the reporter's answers and additions come back to the queue. Both travel
as new messages written by the bot (never forwards), so neither side learns who the
other is; the citizen's side is bot/citizen_relay.py."""

from __future__ import annotations

from bot import receipt
from bot.callbacks import Scope
from bot.clock import Clock
from bot.dialogue import Button, Media, Screen, screen_to_plain
from bot.lifecycle import Lifecycle
from bot.replies import Target, post
from bot.text import split_text
from config.texts import t
from storage import cards, outbox, reporters, tips
from storage.db import Tx, utc_text
from storage.officers import Officer

LANG = "vi"


def question_text(tip: tips.Tip, question: str) -> str:
    """Exactly what the reporter will read, in their language."""
    return t("n_question", tip.language, code=receipt.display(tip.code), question=question)


class OfficerRelay:
    def __init__(self, clock: Clock, lifecycle: Lifecycle) -> None:
        self.clock = clock
        self.lifecycle = lifecycle
        self.dispatch = lifecycle.dispatch

    async def send_question(
        self, tx: Tx, officer: Officer, tip: tips.Tip, question: str, at: str
    ) -> str:
        """The confirmed question goes to the reporter through the relay; returns the
        note for the officer."""
        assert tip.reporter_id is not None
        await self.lifecycle.move(
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
            await self.lifecycle.notify_ack_once(tx, tip, at)  # "acknowledged" comes first
        lang = tip.language
        # A long question goes in several messages; the last carries the reply button.
        *first_parts, last_part = split_text(question_text(tip, question))
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
            await self.lifecycle.move(
                tx,
                tip,
                to_status=target,
                action="answered",
                at=at,
                actor_kind="reporter",
                actor_id=reporter_id,
            )
        return "ok"
