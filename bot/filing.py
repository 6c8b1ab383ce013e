"""Filing a tip: the complete draft becomes a tip, its evidence, its audit event, its
routing and the citizen's receipt, all in the transaction of the Submit press.

The receipt code reaches the citizen only from the outbox, i.e. only after the commit; a
redelivered Submit finds the draft gone and files nothing twice (the draft id is the tip's
idempotency key).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

from bot import receipt
from bot.clock import Clock
from bot.dialogue import Intent, Keyboard, Outcome, Screen, screen_to_plain
from bot.draft import Turn
from bot.intake_screens import IntakeScreens
from bot.people import People
from config.settings import Settings
from config.texts import t
from storage import cards, outbox, tips
from storage.db import Tx, utc_text

TipCommitted = Callable[[Tx, int], Awaitable[None]]


class TipFiling:
    def __init__(
        self,
        settings: Settings,
        people: People,
        clock: Clock,
        screens: IntakeScreens,
        on_tip_committed: list[TipCommitted],
    ) -> None:
        self.settings = settings
        self.people = people
        self.clock = clock
        self.screens = screens
        self.on_tip_committed = on_tip_committed

    async def over_limit(self, ctx: Turn) -> tuple[int, int] | None:
        """``(tips this hour, the limit)`` when the reporter may file no more for now."""
        since = utc_text(self.clock() - timedelta(hours=1))
        recent = await tips.count_by_reporter_since(ctx.tx, ctx.reporter.id, since)
        limit = self.settings.tips_per_hour
        return (recent, limit) if recent >= limit else None

    async def submit(self, ctx: Turn) -> Outcome:
        lang = ctx.lang
        draft = ctx.draft
        assert draft is not None
        existing = await tips.by_idempotency_key(ctx.tx, draft.draft_id)
        if existing:  # pragma: no cover - the draft is deleted on submit; kept as a guard
            ctx.draft = None
            return Outcome(alert=t("already_submitted", lang, code=receipt.display(existing.code)))
        now = self.clock()
        over = await self.over_limit(ctx)
        if over is not None:
            recent, limit = over
            return Outcome(
                screens=[Screen(t("tip_limit", lang, n=recent, max=limit))],
                alert=t("tip_limit", lang, n=recent, max=limit),
            )
        missing = next(
            (
                step
                for step, value in (
                    ("category", draft.category),
                    ("place", draft.unit_id),
                    ("when", draft.occurred),
                    ("description", draft.description),
                )
                if not value
            ),
            None,
        )
        if missing is not None:
            draft.step = missing
            return Outcome(screens=self.screens.prompt(draft.step, draft, lang))
        assert draft.category and draft.unit_id and draft.occurred and draft.description
        code = receipt.new_code()
        while await tips.code_exists(ctx.tx, code):  # pragma: no cover - 2^55 space
            code = receipt.new_code()
        at = utc_text(now)
        phone = draft.phone if draft.contactable else None
        tip_id = await tips.insert(
            ctx.tx,
            tips.NewTip(
                code=code,
                idempotency_key=draft.draft_id,
                reporter_id=ctx.reporter.id,
                channel=ctx.reporter.channel,
                category=draft.category,
                # A sighting of a wanted person is urgent whether or not it is happening now.
                urgent=bool(draft.urgent or draft.wanted_notice_id),
                unit_id=draft.unit_id,
                address=draft.address,
                lat=draft.lat,
                lon=draft.lon,
                occurred=draft.occurred,
                occurred_note=draft.occurred_note,
                description=draft.description,
                contactable=bool(phone),
                contact_enc=self.people.seal_phone(phone) if phone else None,
                language=lang,
                created_at=at,
                wanted_notice_id=draft.wanted_notice_id,
            ),
        )
        await tips.add_attachments(
            ctx.tx,
            tip_id,
            [
                tips.Attachment(f.kind, f.file_id, f.file_unique_id, f.mime_type, f.size_bytes)
                for f in draft.attachments
            ],
            source="intake",
            at=at,
        )
        await tips.add_event(
            ctx.tx,
            tip_id,
            at=at,
            actor_kind="reporter",
            actor_id=ctx.reporter.id,
            action="submitted",
            to_status="new",
            public=True,
        )
        for hook in self.on_tip_committed:
            await hook(ctx.tx, tip_id)
        # The receipt says where the tip went only once routing has placed it: with no
        # chat bound for its commune and none for the duty desk, nobody has it yet.
        if await cards.has_working_card(ctx.tx, tip_id):
            routing = t("receipt_routed", lang, unit=draft.unit_name)
        else:
            routing = t("receipt_waiting", lang)
        receipt_text = t("receipt", lang, code=receipt.display(code), routing=routing)
        await outbox.enqueue(
            ctx.tx,
            at=at,
            method=Intent.SHOW,
            payload=screen_to_plain(Screen(receipt_text, keyboard=Keyboard("remove")), "c"),
            purpose="receipt",
            reporter_id=ctx.reporter.id,
            tip_id=tip_id,
        )
        ctx.draft = None
        return Outcome(pressed=t("btn_submit", lang), tip_code=code)
