"""The citizen's side of the anonymous relay: answering a police question, or adding
information to their own tip from its status screen. The police side (the queue card,
the officer's question) is bot/officer_relay.py; neither side learns who the other is."""

from __future__ import annotations

from typing import Protocol

from bot import receipt
from bot.dialogue import Event, MediaIn, Outcome, Screen, TextIn, Unsupported
from bot.draft import Draft, Turn
from bot.intake_screens import IntakeScreens, btn
from bot.tip_form import check_media, stale
from config.settings import Settings
from config.texts import t
from storage import tips
from storage.db import Tx


class Relay(Protocol):
    """The queue side of the anonymous relay (bot/officer_relay.py)."""

    async def relay_from_reporter(
        self,
        tx: Tx,
        reporter_id: int,
        tip_code: str,
        *,
        text: str | None = None,
        media: tips.Attachment | None = None,
    ) -> str: ...


class CitizenRelay:
    def __init__(self, settings: Settings, screens: IntakeScreens, relay: Relay | None) -> None:
        self.settings = settings
        self.screens = screens
        self.relay = relay

    async def start(self, ctx: Turn, code_text: str) -> Outcome:
        """ "Reply" to a police question, or "Add information" from the status screen.
        The code in the button is untrusted: the tip must be this reporter's own."""
        lang = ctx.lang
        try:
            code = receipt.canonical(code_text)
        except receipt.MalformedCode:
            return stale(lang)
        tip = await tips.by_code(ctx.tx, code)
        if tip is None or tip.reporter_id != ctx.reporter.id or self.relay is None:
            return stale(lang)
        if tip.status == "closed":
            return Outcome(screens=[Screen(t("relay_closed", lang, code=receipt.display(code)))])
        if ctx.draft and ctx.draft.writing_tip:
            return Outcome(screens=[self.screens.resume(lang)])
        ctx.draft = Draft.new("relay", tip_code=code)
        return Outcome(
            screens=[self.screens.relay_prompt(lang, code)], pressed=t("btn_reply", lang)
        )

    async def on_event(self, ctx: Turn, event: Event) -> Outcome:
        """What the citizen sent while replying: passed on to the tip's queue."""
        lang = ctx.lang
        draft = ctx.draft
        assert draft is not None and draft.tip_code is not None and self.relay is not None
        code = draft.tip_code
        done = [[btn("btn_done", lang, "relay_done")]]
        if isinstance(event, TextIn):
            text = event.text.strip()
            limit = self.settings.description_max_chars
            if len(text) > limit:
                return Outcome(screens=[Screen(t("too_long", lang, n=len(text), max=limit), done)])
            result = await self.relay.relay_from_reporter(ctx.tx, ctx.reporter.id, code, text=text)
        elif isinstance(event, MediaIn):
            problem = check_media(self.settings, event, lang)
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
