"""The citizen's private chat as a persisted state machine: the menu, commands, the tip
dialogue (its steps in bot/tip_form.py), status lookups and replies to the police.

Each event is handled in one SQLite transaction that loads the sealed draft, moves it one
step, and saves it (with the update's idempotency key), so a restart resumes at the same
step and a redelivered update changes nothing. Every answer is an outbox row of the same
transaction. Filing the tip is bot/filing.py, the status screen bot/status_lookup.py, a
reply to the police bot/citizen_relay.py, the flood gate in front of it all bot/flood.py.
"""

from __future__ import annotations

from bot import receipt
from bot.citizen_relay import CitizenRelay, Relay
from bot.clock import Clock
from bot.dialogue import (
    Command,
    Event,
    Intent,
    Keyboard,
    MediaIn,
    Outcome,
    Press,
    Screen,
    TextIn,
    Unsupported,
    screen_to_plain,
)
from bot.draft import Draft, Turn
from bot.filing import TipCommitted, TipFiling
from bot.flood import FloodGate
from bot.intake_screens import IntakeScreens, btn
from bot.people import People, Person
from bot.status_lookup import StatusLookup
from bot.tip_form import PlaceFinder, TipForm, stale
from config.settings import Settings
from config.texts import LANGUAGES, t
from storage import dialogues, outbox, reporters
from storage.db import AlreadyProcessed, Database, Tx

DRAFT_CONTEXT = "dialogue.draft"


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
        self.clock = clock
        self.flood = FloodGate(settings.messages_per_minute, clock)
        self.screens = IntakeScreens(settings)
        self.filing = TipFiling(settings, people, clock, self.screens, on_tip_committed or [])
        self.form = TipForm(settings, places, self.screens, self.filing)
        self.status = StatusLookup(settings, clock, can_add_info=relay is not None)
        self.relay = CitizenRelay(settings, self.screens, relay)

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
                ctx = await self._turn(tx, person, subject)
                outcome = await self._dispatch(ctx, event)
                await self._save(ctx)
                await self._enqueue(tx, ctx.reporter.id, outcome)
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
                ctx = await self._turn(tx, person, subject)
                if ctx.draft and ctx.draft.writing_tip:
                    outcome = Outcome(screens=[self.screens.resume(ctx.lang)])
                    await self._enqueue(tx, ctx.reporter.id, outcome)
                    return outcome
                outcome = await self._begin(ctx, preset="wanted")
                if ctx.draft is not None:
                    ctx.draft.wanted_notice_id, ctx.draft.wanted_name = notice_id, name
                    await self._save(ctx)
                    intro = [Screen(t("sighting_intro", ctx.lang, name=name))]
                    if dangerous:
                        intro.append(Screen(t("sighting_dangerous", ctx.lang)))
                    outcome.screens = intro + outcome.screens
                await self._enqueue(tx, ctx.reporter.id, outcome)
                return outcome
        except AlreadyProcessed:
            return Outcome(duplicate=True)

    def _not_private(self) -> Outcome:
        """Anything from outside the person's private chat: a pop-up and nothing else,
        nothing stored (a reporter is only ever answered in private)."""
        return Outcome(alert=t("private_only", self.settings.default_language))

    # ------------------------------------------------------------------ the draft ----
    async def _turn(self, tx: Tx, person: Person, subject: str) -> Turn:
        reporter = await self.people.reporter_for(tx, person)
        stored = await dialogues.load(tx, subject)
        draft = self._open(stored[1]) if stored else None
        return Turn(tx, reporter, subject, reporter.language, draft)

    async def _save(self, ctx: Turn) -> None:
        if ctx.draft is None:
            await dialogues.delete(ctx.tx, ctx.subject)
        else:
            await dialogues.save(ctx.tx, ctx.subject, ctx.draft.step, self._seal(ctx.draft))

    def _seal(self, draft: Draft) -> bytes:
        return self.people.box.seal(draft.to_plain(), context=DRAFT_CONTEXT)

    def _open(self, blob: bytes) -> Draft:
        value = self.people.box.open(blob, context=DRAFT_CONTEXT)
        if not isinstance(value, dict):  # pragma: no cover - only we write drafts
            raise ValueError("corrupt draft")
        return Draft.from_plain(value)

    # ------------------------------------------------------------------ dispatch -----
    async def _dispatch(self, ctx: Turn, event: Event) -> Outcome:
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
                return await self.status.lookup(ctx, event.text)
            if isinstance(event, MediaIn | Unsupported):
                return Outcome(screens=[Screen(t("not_now_media", lang)), self.screens.menu(lang)])
            return Outcome(screens=[self.screens.menu(lang)])
        step = draft.step
        if step == "status_code":
            if isinstance(event, TextIn):
                return await self.status.lookup(ctx, event.text)
            return Outcome(screens=[Screen(t("ask_code", lang))])
        if step == "relay":
            return await self.relay.on_event(ctx, event)
        handler = self.form.input_step(step)
        if handler is None:
            # A step that is answered with buttons only.
            if isinstance(event, MediaIn | Unsupported):
                return Outcome(screens=[Screen(t("not_now_media", lang)), *self.form.prompt(ctx)])
            return Outcome(screens=[Screen(t("use_buttons", lang)), *self.form.prompt(ctx)])
        return await handler(ctx, event)

    async def _command(self, ctx: Turn, event: Command) -> Outcome:
        lang = ctx.lang
        name = event.name
        writing = ctx.draft is not None and ctx.draft.writing_tip
        if name == "cancel":
            return self._cancel(ctx)
        if name in ("start", "menu"):
            if writing:
                return Outcome(screens=[self.screens.resume(lang)])
            ctx.draft = None
            return Outcome(screens=[self.screens.menu(lang)])
        if name == "help":
            return Outcome(screens=[Screen(t("help", lang), [[btn("btn_menu", lang, "menu")]])])
        if name == "language":
            return Outcome(screens=[self.screens.language(lang)])
        if name in ("report", "baotin", "wanted", "truyna"):
            if writing:
                return Outcome(screens=[self.screens.resume(lang)])
            return await self._begin(ctx, preset="wanted" if name in ("wanted", "truyna") else None)
        if name in ("status", "tracuu"):
            if event.arg.strip():
                return await self.status.lookup(ctx, event.arg)
            if writing:
                return Outcome(screens=[self.screens.resume(lang)])
            ctx.draft = Draft.new("status_code")
            return Outcome(screens=[Screen(t("ask_code", lang))])
        screens = [Screen(t("unknown_command", lang))]
        if writing:
            screens += self.form.prompt(ctx)
        return Outcome(screens=screens)

    async def _press(self, ctx: Turn, press: Press) -> Outcome:
        """Buttons are untrusted input: each is valid only at the step that showed it."""
        lang = ctx.lang
        action, value = press.action, press.value
        draft = ctx.draft
        step = draft.step if draft else None
        writing = draft is not None and draft.writing_tip
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
            return stale(lang)
        if action == "lang" and value in LANGUAGES:
            await reporters.set_language(ctx.tx, ctx.reporter.id, value)
            ctx.lang = value
            screens = [Screen(t("language_set", value))]
            screens += self.form.prompt(ctx) if writing else [self.screens.menu(value)]
            return Outcome(screens=screens, pressed="🌐")
        if action == "cancel":
            return self._cancel(ctx)
        if action == "relay":
            return await self.relay.start(ctx, value)
        if action == "relay_done" and step == "relay":
            ctx.draft = None
            return Outcome(
                screens=[Screen(t("relay_done", lang)), self.screens.menu(lang)],
                pressed=t("btn_done", lang),
            )
        if action == "resume":
            if not writing:
                return stale(lang)
            if value == "continue":
                return Outcome(screens=self.form.prompt(ctx), pressed=t("btn_continue", lang))
            if value == "restart":
                ctx.draft = None
                return Outcome(screens=[self.screens.menu(lang)], pressed=t("btn_restart", lang))
            return stale(lang)
        if draft is None or action != step:
            return stale(lang)
        return await self.form.press(ctx, action, value)

    async def _begin(self, ctx: Turn, *, preset: str | None) -> Outcome:
        over = await self.filing.over_limit(ctx)
        if over is not None:
            recent, limit = over
            return Outcome(screens=[Screen(t("tip_limit", ctx.lang, n=recent, max=limit))])
        ctx.draft = Draft.new("category")
        if preset:
            ctx.draft.category = preset
            ctx.draft.step = "urgent"
        return Outcome(screens=self.form.prompt(ctx))

    def _cancel(self, ctx: Turn) -> Outcome:
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
