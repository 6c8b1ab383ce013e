"""The steps of writing a tip: what each answer (a button, a text, a place, a file, a
phone number) does to the draft and which step comes next.

The order is category, urgent, place, address, when, description, evidence, identity,
review. An urgent tip skips "when" (it is happening now); a field changed from the review
card returns to the review instead of walking on. Buttons are untrusted input: each is
valid only at the step that showed it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

from bot.dialogue import (
    ContactIn,
    Event,
    Keyboard,
    LocationIn,
    MediaIn,
    Outcome,
    Screen,
    TextIn,
    Unsupported,
)
from bot.draft import Candidate, Draft, DraftFile, Nearest, Turn
from bot.filing import TipFiling
from bot.intake_screens import EDITABLE, IntakeScreens, btn
from bot.places import PlaceMatch
from config.categories import BY_CODE
from config.settings import Settings
from config.texts import t


class PlaceFinder(Protocol):
    def search(self, query: str, limit: int = 5) -> Sequence[PlaceMatch]: ...

    def nearest(self, lat: float, lon: float) -> PlaceMatch | None: ...


def stale(lang: str) -> Outcome:
    return Outcome(alert=t("stale_button", lang), pressed="")


def check_media(settings: Settings, event: MediaIn, lang: str) -> str | None:
    """The reason a file is refused, in the user's language, or None if it is fine."""
    if event.kind not in settings.attachment_kinds:
        return t("unsupported_file", lang, kind=event.kind)
    if event.kind == "document" and (event.mime_type or "") not in settings.document_mime_types:
        return t("unsupported_file", lang, kind=event.mime_type or "?")
    limit = settings.max_attachment_mb * 1024 * 1024
    if event.size_bytes and event.size_bytes > limit:
        mb = round(event.size_bytes / 1024 / 1024, 1)
        return t("file_too_big", lang, mb=mb, max=settings.max_attachment_mb)
    return None


class TipForm:
    def __init__(
        self,
        settings: Settings,
        places: PlaceFinder,
        screens: IntakeScreens,
        filing: TipFiling,
    ) -> None:
        self.settings = settings
        self.places = places
        self.screens = screens
        self.filing = filing
        self.province = settings.province

    def input_step(self, step: str) -> Callable[[Turn, Event], Awaitable[Outcome]] | None:
        """The handler of a step answered by typing or sending something; None for a step
        answered with buttons only."""
        return {
            "place": self._on_place_input,
            "place_pick": self._on_place_input,
            "place_confirm": self._on_place_input,
            "address": self._on_address,
            "when_note": self._on_when_note,
            "description": self._on_description,
            "evidence": self._on_evidence,
            "phone": self._on_phone,
        }.get(step)

    # ------------------------------------------------------------------ buttons ------
    async def press(self, ctx: Turn, step: str, value: str) -> Outcome:
        """A button of the current step (the caller checked that ``step`` is current)."""
        lang = ctx.lang
        draft = ctx.draft
        assert draft is not None
        if step == "category":
            category = BY_CODE.get(value)
            if category is None:
                return stale(lang)
            draft.category = category.code
            return self.advance(ctx, "urgent", pressed=category.label(lang))
        if step == "urgent" and value in ("yes", "no"):
            draft.urgent = value == "yes"
            if draft.urgent:
                draft.occurred = "now"
                draft.occurred_note = None
            elif draft.occurred == "now" and draft.editing:
                draft.occurred = None
            extra = [Screen(t("call_113", lang))] if draft.urgent else []
            nxt = "place"
            if draft.editing:
                nxt = "when" if not draft.urgent and not draft.occurred else "review"
            label = t("btn_urgent_yes" if draft.urgent else "btn_urgent_no", lang)
            return self.advance(ctx, nxt, pressed=label, before=extra)
        if step == "place_pick":
            if value == "again":
                return self.advance(ctx, "place", pressed=t("btn_search_again", lang))
            chosen = next((c for c in draft.candidates if str(c.unit_id) == value), None)
            if chosen is None:
                return stale(lang)
            return self._place_chosen(ctx, chosen.unit_id, chosen.name)
        if step == "place_confirm":
            nearest = draft.nearest
            if value == "yes" and nearest:
                return self._place_chosen(ctx, nearest.unit_id, nearest.name)
            if value == "no":
                draft.lat = draft.lon = None
                return self.advance(ctx, "place", pressed=t("btn_no_type", lang))
            return stale(lang)
        if step == "address" and value == "skip":
            draft.address = None
            return self.advance(
                ctx,
                self._after(draft, "description" if draft.urgent else "when"),
                pressed=t("btn_skip", lang),
            )
        if step == "when" and value in ("now", "today", "earlier"):
            draft.occurred = value
            draft.occurred_note = None
            label = t(f"when_{value}", lang)
            nxt = "when_note" if value != "now" else self._after(draft, "description")
            return self.advance(ctx, nxt, pressed=label)
        if step == "when_note" and value == "skip":
            return self.advance(ctx, self._after(draft, "description"), pressed=t("btn_skip", lang))
        if step == "evidence" and value in ("done", "skip"):
            label = t("btn_done" if value == "done" else "btn_skip", lang)
            return self.advance(ctx, self._after(draft, "identity"), pressed=label)
        if step == "identity" and value in ("anonymous", "phone"):
            if value == "anonymous":
                draft.contactable = False
                draft.phone = None
                return self.advance(ctx, "review", pressed=t("btn_anonymous", lang))
            return self.advance(ctx, "phone", pressed=t("btn_contactable", lang))
        if step == "review":
            if value == "submit":
                return await self.filing.submit(ctx)
            if value == "edit":
                return self.advance(ctx, "edit", pressed=t("btn_edit", lang))
            return stale(lang)
        if step == "edit":
            if value == "back":
                return self.advance(ctx, "review", pressed=t("btn_back", lang))
            if value in EDITABLE:
                draft.editing = True
                return self.advance(ctx, value, pressed=t(f"field_{value}", lang))
            return stale(lang)
        return stale(lang)

    # ------------------------------------------------------------------ input steps --
    async def _on_place_input(self, ctx: Turn, event: Event) -> Outcome:
        lang = ctx.lang
        draft = ctx.draft
        assert draft is not None
        if isinstance(event, LocationIn):
            match = self.places.nearest(event.lat, event.lon)
            if match is None:
                return Outcome(
                    screens=[
                        Screen(t("place_outside", lang, province=self.province)),
                        *self.prompt_at(ctx, "place"),
                    ]
                )
            draft.lat, draft.lon = event.lat, event.lon
            km = round(float(match.distance_km or 0.0), 1)
            draft.nearest = Nearest(match.unit_id, match.name, km)
            draft.step = "place_confirm"
            return Outcome(screens=self.prompt(ctx))
        if not isinstance(event, TextIn):
            return Outcome(screens=[Screen(t("expect_text", lang)), *self.prompt_at(ctx, "place")])
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
        draft.candidates = [Candidate(m.unit_id, m.name, m.matched_alias) for m in matches]
        draft.step = "place_pick"
        return Outcome(screens=self.prompt(ctx))

    def _place_chosen(self, ctx: Turn, unit_id: int, name: str) -> Outcome:
        draft = ctx.draft
        assert draft is not None
        draft.unit_id, draft.unit_name = unit_id, name
        draft.candidates = []
        draft.nearest = None
        note = t("place_chosen", ctx.lang, unit=name)
        return self.advance(ctx, self._after(draft, "address"), pressed=note, remove_keyboard=True)

    async def _on_address(self, ctx: Turn, event: Event) -> Outcome:
        text = _text_or_none(event)
        if text is None:
            return Outcome(screens=[Screen(t("expect_text", ctx.lang)), *self.prompt(ctx)])
        limit = self.settings.address_max_chars
        if len(text) > limit:
            return Outcome(screens=[Screen(t("too_long", ctx.lang, n=len(text), max=limit))])
        assert ctx.draft is not None
        ctx.draft.address = text
        return self.advance(
            ctx, self._after(ctx.draft, "description" if ctx.draft.urgent else "when")
        )

    async def _on_when_note(self, ctx: Turn, event: Event) -> Outcome:
        text = _text_or_none(event)
        if text is None:
            return Outcome(screens=[Screen(t("expect_text", ctx.lang)), *self.prompt(ctx)])
        if len(text) > 200:
            return Outcome(screens=[Screen(t("too_long", ctx.lang, n=len(text), max=200))])
        assert ctx.draft is not None
        ctx.draft.occurred_note = text
        return self.advance(ctx, self._after(ctx.draft, "description"))

    async def _on_description(self, ctx: Turn, event: Event) -> Outcome:
        lang = ctx.lang
        text = _text_or_none(event)
        if text is None:
            return Outcome(screens=[Screen(t("expect_text", lang)), *self.prompt(ctx)])
        low, high = self.settings.description_min_chars, self.settings.description_max_chars
        if len(text) < low:
            return Outcome(screens=[Screen(t("too_short", lang, n=len(text), min=low))])
        if len(text) > high:
            return Outcome(screens=[Screen(t("too_long", lang, n=len(text), max=high))])
        assert ctx.draft is not None
        ctx.draft.description = text
        return self.advance(ctx, self._after(ctx.draft, "evidence"))

    async def _on_evidence(self, ctx: Turn, event: Event) -> Outcome:
        lang = ctx.lang
        draft = ctx.draft
        assert draft is not None
        files = draft.attachments
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
        problem = check_media(self.settings, event, lang)
        if problem:
            return Outcome(screens=[Screen(problem, done)])
        if any(f.file_unique_id == event.file_unique_id for f in files):
            return Outcome(
                screens=[Screen(t("evidence_received", lang, n=len(files), count=count), done)]
            )
        if len(files) >= count:
            return Outcome(screens=[Screen(t("too_many_files", lang, count=count), done)])
        files.append(
            DraftFile(
                event.kind, event.file_id, event.file_unique_id, event.mime_type, event.size_bytes
            )
        )
        return Outcome(
            screens=[Screen(t("evidence_received", lang, n=len(files), count=count), done)]
        )

    async def _on_phone(self, ctx: Turn, event: Event) -> Outcome:
        lang = ctx.lang
        if not isinstance(event, ContactIn) or not event.own:
            return Outcome(
                screens=[
                    Screen(t("not_own_contact", lang), keyboard=self.screens.contact_keyboard(lang))
                ]
            )
        assert ctx.draft is not None
        phone = "".join(ch for ch in event.phone if ch.isdigit() or ch == "+")[:20]
        ctx.draft.contactable = True
        ctx.draft.phone = phone
        return self.advance(
            ctx, "review", before=[Screen(t("phone_received", lang), keyboard=Keyboard("remove"))]
        )

    # ------------------------------------------------------------------ moving on ----
    def advance(
        self,
        ctx: Turn,
        step: str,
        *,
        pressed: str | None = None,
        before: list[Screen] | None = None,
        remove_keyboard: bool = False,
    ) -> Outcome:
        assert ctx.draft is not None
        if step == "review":
            ctx.draft.editing = False
        ctx.draft.step = step
        screens = list(before or [])
        prompt = self.prompt(ctx)
        if remove_keyboard and prompt and prompt[0].keyboard is None and not prompt[0].buttons:
            prompt[0].keyboard = Keyboard("remove")
        elif remove_keyboard:
            screens.append(
                Screen(
                    t("place_chosen", ctx.lang, unit=ctx.draft.unit_name),
                    keyboard=Keyboard("remove"),
                )
            )
            pressed = None
        return Outcome(screens=screens + prompt, pressed=pressed)

    @staticmethod
    def _after(draft: Draft, natural_next: str) -> str:
        """While editing one field from the review card, go back to the review."""
        return "review" if draft.editing else natural_next

    def prompt(self, ctx: Turn) -> list[Screen]:
        assert ctx.draft is not None
        return self.prompt_at(ctx, ctx.draft.step)

    def prompt_at(self, ctx: Turn, step: str) -> list[Screen]:
        assert ctx.draft is not None
        return self.screens.prompt(step, ctx.draft, ctx.lang)


def _text_or_none(event: Event) -> str | None:
    if isinstance(event, TextIn):
        return event.text.strip()
    return None
