"""A citizen asks what became of a tip by its receipt code.

Codes are guessable only by brute force, and a status lookup is rate limited per person so
it stays that way. Anyone holding a code sees its public status; only the tip's own reporter
is offered to add information.
"""

from __future__ import annotations

from datetime import timedelta

from bot import receipt
from bot.clock import Clock
from bot.dialogue import Outcome, Screen
from bot.draft import Turn
from bot.fmt import when
from bot.intake_screens import btn
from config.categories import category_label
from config.settings import Settings
from config.texts import t
from storage import ratelimits, tips
from storage.db import Tx, parse_utc, utc_text

_STATUS_KEYS = {
    f"status_{s}"
    for s in ("new", "acknowledged", "in_progress", "needs_info", "transferred", "closed")
}


class StatusLookup:
    def __init__(self, settings: Settings, clock: Clock, *, can_add_info: bool) -> None:
        self.settings = settings
        self.clock = clock
        self.can_add_info = can_add_info  # a relay to the police is wired in

    async def lookup(self, ctx: Turn, text: str) -> Outcome:
        """The status screen for the code in ``text``. The dialogue ends unless the code
        was malformed (the citizen is still asked for one)."""
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
        if owner and tip.status != "closed" and self.can_add_info:
            rows.insert(0, [btn("btn_add_info", lang, "relay", tip.code)])
        return Screen(text, rows)
