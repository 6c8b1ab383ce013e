"""The citizen's reporting dialogue as a persisted state machine.

Each event is handled in one SQLite transaction that loads the sealed draft, moves it one
step, and saves it (with the update's idempotency key), so a restart resumes at the same
step and a redelivered update changes nothing. Submit commits the tip, its evidence, its
audit event, the receipt and the routing messages together: the receipt code reaches
the citizen only from the outbox, i.e. only after the commit.
"""

from __future__ import annotations

import uuid
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from bot import receipt
from bot.clock import Clock
from bot.dialogue import (
    Command,
    ContactIn,
    Event,
    Intent,
    Keyboard,
    LocationIn,
    MediaIn,
    Outcome,
    Press,
    Screen,
    TextIn,
    Unsupported,
    screen_to_plain,
)
from bot.fmt import when
from bot.intake_screens import EDITABLE, IntakeScreens, btn
from bot.people import People, Person
from config.categories import BY_CODE, category_label
from config.messages import t
from config.settings import Settings
from storage import cards, dialogues, outbox, ratelimits, reporters, tips
from storage.db import AlreadyProcessed, Database, Tx, parse_utc, utc_text
from storage.reporters import Reporter

DRAFT_CONTEXT = "dialogue.draft"
TIP_STEPS = (
    "category",
    "urgent",
    "place",
    "place_pick",
    "place_confirm",
    "address",
    "when",
    "when_note",
    "description",
    "evidence",
    "identity",
    "phone",
    "review",
    "edit",
)

TipCommitted = Callable[[Tx, int], Awaitable[None]]


class Relay(Protocol):
    """The queue side of the anonymous relay (bot/queues.py)."""

    async def relay_from_reporter(
        self,
        tx: Tx,
        reporter_id: int,
        tip_code: str,
        *,
        text: str | None = None,
        media: tips.Attachment | None = None,
    ) -> str: ...


class PlaceMatchLike(Protocol):
    unit_id: int
    name: str
    matched_alias: str | None
    distance_km: float | None


class PlaceFinder(Protocol):
    def search(self, query: str, limit: int = 5) -> list[Any]: ...

    def nearest(self, lat: float, lon: float) -> Any | None: ...


FLOOD_SUBJECTS_KEPT = 10_000  # above this many people in memory, forget the quiet ones


class FloodGate:
    """Per-person sliding window kept in memory: cheap enough to run on every message.
    The first refused message gets an answer; the rest of the burst is ignored. The
    window is measured on the product's clock, like every other time in tinbao."""

    def __init__(self, per_minute: int, clock: Clock) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self._hits: dict[str, deque[float]] = defaultdict(deque)
        self._warned: dict[str, float] = {}

    def check(self, subject: str, now: float | None = None) -> str:
        """``ok``, ``warn`` (refuse and say so) or ``drop`` (refuse silently)."""
        now = self.clock().timestamp() if now is None else now
        if len(self._hits) > FLOOD_SUBJECTS_KEPT:
            self._forget_quiet(now)
        hits = self._hits[subject]
        while hits and now - hits[0] > 60:
            hits.popleft()
        if len(hits) < self.per_minute:
            hits.append(now)
            return "ok"
        if now - self._warned.get(subject, -1e9) > 60:
            self._warned[subject] = now
            return "warn"
        return "drop"

    def _forget_quiet(self, now: float) -> None:
        """Drop people not heard from for a minute, so the memory does not grow forever."""
        for subject in [s for s, hits in self._hits.items() if not hits or now - hits[-1] > 60]:
            del self._hits[subject]
            self._warned.pop(subject, None)


@dataclass
class Context:
    tx: Tx
    reporter: Reporter
    subject: str
    lang: str
    draft: dict[str, Any] | None


class IntakeService:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        people: People,
        places: PlaceFinder,
        clock: Clock,
        *,
        on_tip_committed: list[TipCommitted] | None = None,
        relay: Relay | None = None,
    ) -> None:
        self.db = db
        self.settings = settings
        self.people = people
        self.places = places
        self.clock = clock
        self.flood = FloodGate(settings.messages_per_minute, clock)
        self.on_tip_committed = on_tip_committed or []
        self.relay = relay
        self.screens = IntakeScreens(settings)
        self.province = settings.province

    # ------------------------------------------------------------------ entry point --
    async def handle(
        self, person: Person, event: Event, *, idempotency_key: str | None = None
    ) -> Outcome:
        if not person.in_private_chat:
            return self._not_private()
        subject = self.people.subject(person)
        gate = self.flood.check(subject)
        if gate != "ok":
            if gate == "drop":
                return Outcome()
            try:
                async with self.db.transaction(idempotency_key) as tx:
                    found = await reporters.find(tx, subject)
                    lang = found.language if found else self.settings.default_language
                    outcome = Outcome(screens=[Screen(t("flood", lang))], alert=t("flood", lang))
                    if found is not None:
                        await self._enqueue(tx, found.id, outcome)
                    return outcome
            except AlreadyProcessed:
                return Outcome(duplicate=True)
        try:
            async with self.db.transaction(idempotency_key) as tx:
                reporter = await self.people.reporter_for(tx, person)
                stored = await dialogues.load(tx, subject)
                draft = self._open(stored[1]) if stored else None
                ctx = Context(tx, reporter, subject, reporter.language, draft)
                outcome = await self._dispatch(ctx, event)
                if ctx.draft is None:
                    await dialogues.delete(tx, subject)
                else:
                    await dialogues.save(tx, subject, ctx.draft["step"], self._seal(ctx.draft))
                await self._enqueue(tx, reporter.id, outcome)
                return outcome
        except AlreadyProcessed:
            return Outcome(duplicate=True)

    async def _enqueue(self, tx: Tx, reporter_id: int, outcome: Outcome) -> None:
        """The answer is committed with the step it answers (DESIGN.md rule 2): a crash or
        a flaky Bot API can delay it, never lose it. The note of the pressed button opens
        the next screen instead of costing an edit of the pressed message."""
        screens = outcome.screens
        if outcome.pressed and screens:
            first = screens[0]
            screens = [
                Screen(f"✔ {outcome.pressed}\n\n{first.text}", first.buttons, first.keyboard),
                *screens[1:],
            ]
        at = tx.now_text()
        for screen in screens:
            await outbox.enqueue(
                tx,
                at=at,
                method=Intent.SHOW,
                # a citizen's screens can echo what they wrote (the review card, their
                # phone): sealed like their identity, opened by the sender just in time
                payload=self.people.seal_payload(screen_to_plain(screen, "c")),
                purpose="reply",
                reporter_id=reporter_id,
            )
        outcome.queued = len(screens)

    async def start_sighting(
        self,
        person: Person,
        notice_id: int,
        name: str,
        dangerous: bool,
        *,
        idempotency_key: str | None = None,
    ) -> Outcome:
        """ "I have seen this person" from a wanted notice: the tip dialogue with the
        category and the notice preset; a dangerous person's warning comes first."""
        if not person.in_private_chat:
            return self._not_private()
        subject = self.people.subject(person)
        try:
            async with self.db.transaction(idempotency_key) as tx:
                reporter = await self.people.reporter_for(tx, person)
                stored = await dialogues.load(tx, subject)
                draft = self._open(stored[1]) if stored else None
                ctx = Context(tx, reporter, subject, reporter.language, draft)
                if draft and draft["step"] in TIP_STEPS:
                    outcome = Outcome(screens=[self.screens.resume(ctx.lang)])
                    await self._enqueue(tx, reporter.id, outcome)
                    return outcome
                outcome = await self._begin(ctx, preset="wanted")
                if ctx.draft is not None:
                    ctx.draft.update(wanted_notice_id=notice_id, wanted_name=name)
                    await dialogues.save(tx, subject, ctx.draft["step"], self._seal(ctx.draft))
                    intro = [Screen(t("sighting_intro", ctx.lang, name=name))]
                    if dangerous:
                        intro.append(Screen(t("sighting_dangerous", ctx.lang)))
                    outcome.screens = intro + outcome.screens
                await self._enqueue(tx, reporter.id, outcome)
                return outcome
        except AlreadyProcessed:
            return Outcome(duplicate=True)

    def _not_private(self) -> Outcome:
        """Anything from outside the person's private chat: a pop-up and nothing else,
        nothing stored (a reporter is only ever answered in private)."""
        return Outcome(alert=t("private_only", self.settings.default_language))

    # ------------------------------------------------------------------ dispatch -----
    async def _dispatch(self, ctx: Context, event: Event) -> Outcome:
        lang = ctx.lang
        if isinstance(event, Command):
            return await self._command(ctx, event)
        if isinstance(event, Press):
            return await self._press(ctx, event)
        if isinstance(event, TextIn) and event.text.strip() in (
            t("btn_cancel", "vi"),
            t("btn_cancel", "en"),
        ):
            return self._cancel(ctx)
        draft = ctx.draft
        if draft is None:
            if isinstance(event, TextIn):
                # A bare code typed on the menu is the commonest status lookup.
                try:
                    receipt.canonical(event.text)
                except receipt.MalformedCode:
                    return Outcome(screens=[self.screens.menu(lang)])
                return await self._lookup(ctx, event.text)
            if isinstance(event, MediaIn | Unsupported):
                return Outcome(screens=[Screen(t("not_now_media", lang)), self.screens.menu(lang)])
            return Outcome(screens=[self.screens.menu(lang)])
        step = draft["step"]
        if step == "status_code":
            if isinstance(event, TextIn):
                return await self._lookup(ctx, event.text)
            return Outcome(screens=[Screen(t("ask_code", lang))])
        if step == "relay":
            return await self._on_relay(ctx, event)
        handler = {
            "place": self._on_place_input,
            "place_pick": self._on_place_input,
            "place_confirm": self._on_place_input,
            "address": self._on_address,
            "when_note": self._on_when_note,
            "description": self._on_description,
            "evidence": self._on_evidence,
            "phone": self._on_phone,
        }.get(step)
        if handler is None:
            # A step that is answered with buttons only.
            if isinstance(event, MediaIn | Unsupported):
                return Outcome(screens=[Screen(t("not_now_media", lang)), *self._prompt(ctx)])
            return Outcome(screens=[Screen(t("use_buttons", lang)), *self._prompt(ctx)])
        return await handler(ctx, event)

    async def _command(self, ctx: Context, event: Command) -> Outcome:
        lang = ctx.lang
        name = event.name
        if name == "cancel":
            return self._cancel(ctx)
        if name in ("start", "menu"):
            if ctx.draft and ctx.draft["step"] in TIP_STEPS:
                return Outcome(screens=[self.screens.resume(lang)])
            ctx.draft = None
            return Outcome(screens=[self.screens.menu(lang)])
        if name == "help":
            return Outcome(screens=[Screen(t("help", lang), [[btn("btn_menu", lang, "menu")]])])
        if name == "language":
            return Outcome(screens=[self.screens.language(lang)])
        if name in ("report", "baotin", "wanted", "truyna"):
            if ctx.draft and ctx.draft["step"] in TIP_STEPS:
                return Outcome(screens=[self.screens.resume(lang)])
            return await self._begin(ctx, preset="wanted" if name in ("wanted", "truyna") else None)
        if name in ("status", "tracuu"):
            if event.arg.strip():
                return await self._lookup(ctx, event.arg)
            if ctx.draft and ctx.draft["step"] in TIP_STEPS:
                return Outcome(screens=[self.screens.resume(lang)])
            ctx.draft = {"draft_id": uuid.uuid4().hex, "step": "status_code"}
            return Outcome(screens=[Screen(t("ask_code", lang))])
        screens = [Screen(t("unknown_command", lang))]
        if ctx.draft and ctx.draft["step"] in TIP_STEPS:
            screens += self._prompt(ctx)
        return Outcome(screens=screens)

    async def _press(self, ctx: Context, press: Press) -> Outcome:
        """Buttons are untrusted input: each is valid only at the step that showed it."""
        lang = ctx.lang
        action, value = press.action, press.value
        draft = ctx.draft
        step = draft["step"] if draft else None
        # Buttons that make sense at any time.
        if action == "menu":
            if value == "report":
                return await self._command(ctx, Command("report"))
            if value == "wanted":
                return await self._command(ctx, Command("wanted"))
            if value == "status":
                return await self._command(ctx, Command("status"))
            if value == "help":
                return await self._command(ctx, Command("help"))
            if value == "language":
                return await self._command(ctx, Command("language"))
            if value == "":
                return await self._command(ctx, Command("start"))
            return self._stale(lang)
        if action == "lang" and value in ("vi", "en"):
            await reporters.set_language(ctx.tx, ctx.reporter.id, value)
            ctx.lang = value
            screens = [Screen(t("language_set", value))]
            screens += self._prompt(ctx) if step in TIP_STEPS else [self.screens.menu(value)]
            return Outcome(screens=screens, pressed="🌐")
        if action == "cancel":
            return self._cancel(ctx)
        if action == "relay":
            return await self._start_relay(ctx, value)
        if action == "relay_done" and step == "relay":
            ctx.draft = None
            return Outcome(
                screens=[Screen(t("relay_done", lang)), self.screens.menu(lang)],
                pressed=t("btn_done", lang),
            )
        if action == "resume":
            if draft is None or step not in TIP_STEPS:
                return self._stale(lang)
            if value == "continue":
                return Outcome(screens=self._prompt(ctx), pressed=t("btn_continue", lang))
            if value == "restart":
                ctx.draft = None
                return Outcome(screens=[self.screens.menu(lang)], pressed=t("btn_restart", lang))
            return self._stale(lang)
        if draft is None or action != step:
            return self._stale(lang)
        return await self._step_press(ctx, action, value)

    async def _step_press(self, ctx: Context, step: str, value: str) -> Outcome:
        lang = ctx.lang
        draft = ctx.draft
        assert draft is not None
        if step == "category":
            category = BY_CODE.get(value)
            if category is None:
                return self._stale(lang)
            draft["category"] = category.code
            return self._advance(ctx, "urgent", pressed=category.label(lang))
        if step == "urgent" and value in ("yes", "no"):
            draft["urgent"] = value == "yes"
            if draft["urgent"]:
                draft["occurred"] = "now"
                draft["occurred_note"] = None
            elif draft.get("occurred") == "now" and draft.get("editing"):
                draft["occurred"] = None
            extra = [Screen(t("call_113", lang))] if draft["urgent"] else []
            nxt = "place"
            if draft.get("editing"):
                nxt = "when" if not draft["urgent"] and not draft.get("occurred") else "review"
            label = t("btn_urgent_yes" if draft["urgent"] else "btn_urgent_no", lang)
            return self._advance(ctx, nxt, pressed=label, before=extra)
        if step == "place_pick":
            if value == "again":
                return self._advance(ctx, "place", pressed=t("btn_search_again", lang))
            chosen = next((c for c in draft.get("candidates", []) if str(c[0]) == value), None)
            if chosen is None:
                return self._stale(lang)
            return self._place_chosen(ctx, int(chosen[0]), chosen[1])
        if step == "place_confirm":
            nearest = draft.get("nearest")
            if value == "yes" and nearest:
                return self._place_chosen(ctx, int(nearest[0]), nearest[1])
            if value == "no":
                draft["lat"] = draft["lon"] = None
                return self._advance(ctx, "place", pressed=t("btn_no_type", lang))
            return self._stale(lang)
        if step == "address" and value == "skip":
            draft["address"] = None
            return self._advance(
                ctx,
                self._after(draft, "description" if draft.get("urgent") else "when"),
                pressed=t("btn_skip", lang),
            )
        if step == "when" and value in ("now", "today", "earlier"):
            draft["occurred"] = value
            draft["occurred_note"] = None
            label = t(f"when_{value}", lang)
            nxt = "when_note" if value != "now" else self._after(draft, "description")
            return self._advance(ctx, nxt, pressed=label)
        if step == "when_note" and value == "skip":
            return self._advance(
                ctx, self._after(draft, "description"), pressed=t("btn_skip", lang)
            )
        if step == "evidence" and value in ("done", "skip"):
            label = t("btn_done" if value == "done" else "btn_skip", lang)
            return self._advance(ctx, self._after(draft, "identity"), pressed=label)
        if step == "identity" and value in ("anonymous", "phone"):
            if value == "anonymous":
                draft["contactable"] = False
                draft["phone"] = None
                return self._advance(ctx, "review", pressed=t("btn_anonymous", lang))
            return self._advance(ctx, "phone", pressed=t("btn_contactable", lang))
        if step == "review":
            if value == "submit":
                return await self._submit(ctx)
            if value == "edit":
                return self._advance(ctx, "edit", pressed=t("btn_edit", lang))
            return self._stale(lang)
        if step == "edit":
            if value == "back":
                return self._advance(ctx, "review", pressed=t("btn_back", lang))
            if value in EDITABLE:
                draft["editing"] = True
                return self._advance(ctx, value, pressed=t(f"field_{value}", lang))
            return self._stale(lang)
        return self._stale(lang)

    # ------------------------------------------------------------------ text steps ---
    async def _on_place_input(self, ctx: Context, event: Event) -> Outcome:
        lang = ctx.lang
        draft = ctx.draft
        assert draft is not None
        if isinstance(event, LocationIn):
            match = self.places.nearest(event.lat, event.lon)
            if match is None:
                return Outcome(
                    screens=[
                        Screen(t("place_outside", lang, province=self.province)),
                        *self._prompt_at(ctx, "place"),
                    ]
                )
            draft["lat"], draft["lon"] = event.lat, event.lon
            km = round(float(match.distance_km or 0.0), 1)
            draft["nearest"] = [match.unit_id, match.name, km]
            draft["step"] = "place_confirm"
            return Outcome(screens=self._prompt(ctx))
        if not isinstance(event, TextIn):
            return Outcome(screens=[Screen(t("expect_text", lang)), *self._prompt_at(ctx, "place")])
        query = event.text.strip()[:100]
        matches = self.places.search(query, limit=5)
        if not matches:
            return Outcome(
                screens=[
                    Screen(
                        t("place_none", lang, query=query, province=self.province),
                        keyboard=self.screens.location_keyboard(lang),
                    )
                ]
            )
        draft["candidates"] = [[m.unit_id, m.name, m.matched_alias] for m in matches]
        draft["step"] = "place_pick"
        return Outcome(screens=self._prompt(ctx))

    def _place_chosen(self, ctx: Context, unit_id: int, name: str) -> Outcome:
        draft = ctx.draft
        assert draft is not None
        draft["unit_id"], draft["unit_name"] = unit_id, name
        draft.pop("candidates", None)
        draft.pop("nearest", None)
        note = t("place_chosen", ctx.lang, unit=name)
        return self._advance(ctx, self._after(draft, "address"), pressed=note, remove_keyboard=True)

    async def _on_address(self, ctx: Context, event: Event) -> Outcome:
        text = self._text_or_none(event)
        if text is None:
            return Outcome(screens=[Screen(t("expect_text", ctx.lang)), *self._prompt(ctx)])
        limit = self.settings.address_max_chars
        if len(text) > limit:
            return Outcome(screens=[Screen(t("too_long", ctx.lang, n=len(text), max=limit))])
        assert ctx.draft is not None
        ctx.draft["address"] = text
        return self._advance(
            ctx, self._after(ctx.draft, "description" if ctx.draft.get("urgent") else "when")
        )

    async def _on_when_note(self, ctx: Context, event: Event) -> Outcome:
        text = self._text_or_none(event)
        if text is None:
            return Outcome(screens=[Screen(t("expect_text", ctx.lang)), *self._prompt(ctx)])
        if len(text) > 200:
            return Outcome(screens=[Screen(t("too_long", ctx.lang, n=len(text), max=200))])
        assert ctx.draft is not None
        ctx.draft["occurred_note"] = text
        return self._advance(ctx, self._after(ctx.draft, "description"))

    async def _on_description(self, ctx: Context, event: Event) -> Outcome:
        lang = ctx.lang
        text = self._text_or_none(event)
        if text is None:
            return Outcome(screens=[Screen(t("expect_text", lang)), *self._prompt(ctx)])
        low, high = self.settings.description_min_chars, self.settings.description_max_chars
        if len(text) < low:
            return Outcome(screens=[Screen(t("too_short", lang, n=len(text), min=low))])
        if len(text) > high:
            return Outcome(screens=[Screen(t("too_long", lang, n=len(text), max=high))])
        assert ctx.draft is not None
        ctx.draft["description"] = text
        return self._advance(ctx, self._after(ctx.draft, "evidence"))

    async def _on_evidence(self, ctx: Context, event: Event) -> Outcome:
        lang = ctx.lang
        draft = ctx.draft
        assert draft is not None
        files: list[dict[str, Any]] = draft.setdefault("attachments", [])
        done = [[btn("btn_done", lang, "evidence", "done")]]
        count = self.settings.max_attachments
        if isinstance(event, Unsupported):
            return Outcome(screens=[Screen(t("unsupported_file", lang, kind=event.kind), done)])
        if not isinstance(event, MediaIn):
            return Outcome(
                screens=[
                    Screen(
                        t("ask_evidence", lang, count=count, mb=self.settings.max_attachment_mb),
                        done,
                    )
                ]
            )
        problem = self.check_media(event, lang)
        if problem:
            return Outcome(screens=[Screen(problem, done)])
        if any(f["file_unique_id"] == event.file_unique_id for f in files):
            return Outcome(
                screens=[Screen(t("evidence_received", lang, n=len(files), count=count), done)]
            )
        if len(files) >= count:
            return Outcome(screens=[Screen(t("too_many_files", lang, count=count), done)])
        files.append(
            {
                "kind": event.kind,
                "file_id": event.file_id,
                "file_unique_id": event.file_unique_id,
                "mime_type": event.mime_type,
                "size_bytes": event.size_bytes,
            }
        )
        return Outcome(
            screens=[Screen(t("evidence_received", lang, n=len(files), count=count), done)]
        )

    def check_media(self, event: MediaIn, lang: str) -> str | None:
        """The reason a file is refused, in the user's language, or None if it is fine."""
        settings = self.settings
        if event.kind not in settings.attachment_kinds:
            return t("unsupported_file", lang, kind=event.kind)
        if event.kind == "document" and (event.mime_type or "") not in settings.document_mime_types:
            return t("unsupported_file", lang, kind=event.mime_type or "?")
        limit = settings.max_attachment_mb * 1024 * 1024
        if event.size_bytes and event.size_bytes > limit:
            mb = round(event.size_bytes / 1024 / 1024, 1)
            return t("file_too_big", lang, mb=mb, max=settings.max_attachment_mb)
        return None

    async def _on_phone(self, ctx: Context, event: Event) -> Outcome:
        lang = ctx.lang
        if not isinstance(event, ContactIn) or not event.own:
            return Outcome(
                screens=[
                    Screen(t("not_own_contact", lang), keyboard=self.screens.contact_keyboard(lang))
                ]
            )
        assert ctx.draft is not None
        phone = "".join(ch for ch in event.phone if ch.isdigit() or ch == "+")[:20]
        ctx.draft["contactable"] = True
        ctx.draft["phone"] = phone
        return self._advance(
            ctx, "review", before=[Screen(t("phone_received", lang), keyboard=Keyboard("remove"))]
        )

    # ------------------------------------------------------------------ relay --------
    async def _start_relay(self, ctx: Context, code_text: str) -> Outcome:
        """ "Reply" to a police question, or "Add information" from the status screen.
        The code in the button is untrusted: the tip must be this reporter's own."""
        lang = ctx.lang
        try:
            code = receipt.canonical(code_text)
        except receipt.MalformedCode:
            return self._stale(lang)
        tip = await tips.by_code(ctx.tx, code)
        if tip is None or tip.reporter_id != ctx.reporter.id or self.relay is None:
            return self._stale(lang)
        if tip.status == "closed":
            return Outcome(screens=[Screen(t("relay_closed", lang, code=receipt.display(code)))])
        if ctx.draft and ctx.draft["step"] in TIP_STEPS:
            return Outcome(screens=[self.screens.resume(lang)])
        ctx.draft = {"draft_id": uuid.uuid4().hex, "step": "relay", "tip_code": code}
        return Outcome(
            screens=[self.screens.relay_prompt(lang, code)], pressed=t("btn_reply", lang)
        )

    async def _on_relay(self, ctx: Context, event: Event) -> Outcome:
        lang = ctx.lang
        draft = ctx.draft
        assert draft is not None and self.relay is not None
        code = draft["tip_code"]
        done = [[btn("btn_done", lang, "relay_done")]]
        if isinstance(event, TextIn):
            text = event.text.strip()
            limit = self.settings.description_max_chars
            if len(text) > limit:
                return Outcome(screens=[Screen(t("too_long", lang, n=len(text), max=limit), done)])
            result = await self.relay.relay_from_reporter(ctx.tx, ctx.reporter.id, code, text=text)
        elif isinstance(event, MediaIn):
            problem = self.check_media(event, lang)
            if problem:
                return Outcome(screens=[Screen(problem, done)])
            media = tips.Attachment(
                event.kind, event.file_id, event.file_unique_id, event.mime_type, event.size_bytes
            )
            result = await self.relay.relay_from_reporter(
                ctx.tx, ctx.reporter.id, code, media=media
            )
        elif isinstance(event, Unsupported):
            return Outcome(screens=[Screen(t("unsupported_file", lang, kind=event.kind), done)])
        else:
            return Outcome(screens=[self.screens.relay_prompt(lang, code)])
        if result == "closed":
            ctx.draft = None
            return Outcome(screens=[Screen(t("relay_closed", lang, code=receipt.display(code)))])
        if result != "ok":
            ctx.draft = None
            return Outcome(screens=[self.screens.menu(lang)])
        return Outcome(screens=[Screen(t("relay_sent", lang), done)], tip_code=code)

    # ------------------------------------------------------------------ submit -------
    async def _submit(self, ctx: Context) -> Outcome:
        lang = ctx.lang
        draft = ctx.draft
        assert draft is not None
        existing = await tips.by_idempotency_key(ctx.tx, draft["draft_id"])
        if existing:  # pragma: no cover - the draft is deleted on submit; kept as a guard
            ctx.draft = None
            return Outcome(alert=t("already_submitted", lang, code=receipt.display(existing.code)))
        now = self.clock()
        since = utc_text(now - timedelta(hours=1))
        recent = await tips.count_by_reporter_since(ctx.tx, ctx.reporter.id, since)
        limit = self.settings.tips_per_hour
        if recent >= limit:
            return Outcome(
                screens=[Screen(t("tip_limit", lang, n=recent, max=limit))],
                alert=t("tip_limit", lang, n=recent, max=limit),
            )
        missing = [
            k for k in ("category", "unit_id", "occurred", "description") if not draft.get(k)
        ]
        if missing:
            draft["step"] = missing[0] if missing[0] != "unit_id" else "place"
            if draft["step"] == "occurred":
                draft["step"] = "when"
            return Outcome(screens=self._prompt(ctx))
        code = receipt.new_code()
        while await tips.code_exists(ctx.tx, code):  # pragma: no cover - 2^55 space
            code = receipt.new_code()
        at = utc_text(now)
        contactable = bool(draft.get("contactable") and draft.get("phone"))
        tip_id = await tips.insert(
            ctx.tx,
            tips.NewTip(
                code=code,
                idempotency_key=draft["draft_id"],
                reporter_id=ctx.reporter.id,
                channel=ctx.reporter.channel,
                category=draft["category"],
                # A sighting of a wanted person is urgent whether or not it is happening now.
                urgent=bool(draft.get("urgent") or draft.get("wanted_notice_id")),
                unit_id=int(draft["unit_id"]),
                address=draft.get("address"),
                lat=draft.get("lat"),
                lon=draft.get("lon"),
                occurred=draft["occurred"],
                occurred_note=draft.get("occurred_note"),
                description=draft["description"],
                contactable=contactable,
                contact_enc=self.people.seal_phone(draft["phone"]) if contactable else None,
                language=lang,
                created_at=at,
                wanted_notice_id=draft.get("wanted_notice_id"),
            ),
        )
        await tips.add_attachments(
            ctx.tx,
            tip_id,
            [
                tips.Attachment(
                    f["kind"],
                    f["file_id"],
                    f["file_unique_id"],
                    f.get("mime_type"),
                    f.get("size_bytes"),
                )
                for f in draft.get("attachments", [])
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
            routing = t("receipt_routed", lang, unit=draft["unit_name"])
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

    # ------------------------------------------------------------------ status -------
    async def _lookup(self, ctx: Context, text: str) -> Outcome:
        lang = ctx.lang
        now = self.clock()
        since = utc_text(now - timedelta(hours=1))
        used = await ratelimits.count_since(ctx.tx, ctx.subject, "status", since)
        if used >= self.settings.status_lookups_per_hour:
            ctx.draft = None
            return Outcome(screens=[Screen(t("status_limited", lang))])
        await ratelimits.record(ctx.tx, ctx.subject, "status", utc_text(now))
        shown = text.strip()[:40]
        try:
            code = receipt.canonical(text)
        except receipt.MalformedCode:
            return Outcome(screens=[Screen(t("code_malformed", lang, code=shown))])
        tip = await tips.by_code(ctx.tx, code)
        ctx.draft = None
        if tip is None:
            return Outcome(screens=[Screen(t("code_unknown", lang, code=receipt.display(code)))])
        owner = tip.reporter_id == ctx.reporter.id
        return Outcome(screens=[await self.status_screen(ctx.tx, tip, lang, owner=owner)])

    async def status_screen(
        self, tx: Tx, tip: tips.Tip, lang: str, *, owner: bool = False
    ) -> Screen:
        """Only the public status and the last public update: never officers' names or notes."""
        events = await tips.events(tx, tip.id, public_only=True)
        last = events[-1] if events else None
        status_key = f"status_{tip.status}"
        last_text = when(parse_utc(last.at), lang, self.settings.tz) if last else "-"
        text = t(
            "status_card",
            lang,
            code=receipt.display(tip.code),
            category=category_label(tip.category, lang),
            created=when(parse_utc(tip.created_at), lang, self.settings.tz),
            status=t(status_key, lang) if status_key in _STATUS_KEYS else tip.status,
            last=last_text,
        )
        rows = [[btn("btn_menu", lang, "menu")]]
        if owner and tip.status != "closed" and self.relay is not None:
            rows.insert(0, [btn("btn_add_info", lang, "relay", tip.code)])
        return Screen(text, rows)

    # ------------------------------------------------------------------ screens ------
    async def _begin(self, ctx: Context, *, preset: str | None) -> Outcome:
        lang = ctx.lang
        since = utc_text(self.clock() - timedelta(hours=1))
        recent = await tips.count_by_reporter_since(ctx.tx, ctx.reporter.id, since)
        limit = self.settings.tips_per_hour
        if recent >= limit:
            return Outcome(screens=[Screen(t("tip_limit", lang, n=recent, max=limit))])
        ctx.draft = {"draft_id": uuid.uuid4().hex, "step": "category", "attachments": []}
        if preset:
            ctx.draft["category"] = preset
            ctx.draft["step"] = "urgent"
        return Outcome(screens=self._prompt(ctx))

    def _advance(
        self,
        ctx: Context,
        step: str,
        *,
        pressed: str | None = None,
        before: list[Screen] | None = None,
        remove_keyboard: bool = False,
    ) -> Outcome:
        assert ctx.draft is not None
        if step == "review":
            ctx.draft.pop("editing", None)
        ctx.draft["step"] = step
        screens = list(before or [])
        prompt = self._prompt(ctx)
        if remove_keyboard and prompt and prompt[0].keyboard is None and not prompt[0].buttons:
            prompt[0].keyboard = Keyboard("remove")
        elif remove_keyboard:
            screens.append(
                Screen(
                    t("place_chosen", ctx.lang, unit=ctx.draft.get("unit_name")),
                    keyboard=Keyboard("remove"),
                )
            )
            pressed = None
        return Outcome(screens=screens + prompt, pressed=pressed)

    @staticmethod
    def _after(draft: dict[str, Any], natural_next: str) -> str:
        """While editing one field from the review card, go back to the review."""
        return "review" if draft.get("editing") else natural_next

    def _prompt(self, ctx: Context) -> list[Screen]:
        assert ctx.draft is not None
        return self._prompt_at(ctx, ctx.draft["step"])

    def _prompt_at(self, ctx: Context, step: str) -> list[Screen]:
        return self.screens.prompt(step, ctx.draft or {}, ctx.lang)

    def _cancel(self, ctx: Context) -> Outcome:
        lang = ctx.lang
        if ctx.draft is None:
            return Outcome(
                screens=[
                    Screen(t("nothing_to_cancel", lang), keyboard=Keyboard("remove")),
                    self.screens.menu(lang),
                ]
            )
        ctx.draft = None
        return Outcome(
            screens=[
                Screen(t("cancelled", lang), keyboard=Keyboard("remove")),
                self.screens.menu(lang),
            ],
            pressed=t("btn_cancel", lang),
        )

    def _stale(self, lang: str) -> Outcome:
        return Outcome(alert=t("stale_button", lang), pressed="")

    @staticmethod
    def _text_or_none(event: Event) -> str | None:
        if isinstance(event, TextIn):
            return event.text.strip()
        return None

    # ------------------------------------------------------------------ sealing ------
    def _seal(self, draft: dict[str, Any]) -> bytes:
        return self.people.box.seal(draft, context=DRAFT_CONTEXT)

    def _open(self, blob: bytes) -> dict[str, Any]:
        value = self.people.box.open(blob, context=DRAFT_CONTEXT)
        if not isinstance(value, dict):  # pragma: no cover - only we write drafts
            raise ValueError("corrupt draft")
        return value


_STATUS_KEYS = {
    f"status_{s}"
    for s in ("new", "acknowledged", "in_progress", "needs_info", "transferred", "closed")
}
