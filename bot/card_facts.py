"""What a tip's card says, gathered in the caller's transaction: the reporter's pseudonym,
the phone (opened only for a contactable tip), who last moved it, the original of a
duplicate, the wanted notice and its trail of sightings. bot/cards.py turns these facts
into text and buttons; bot/dispatch.py decides where the cards go."""

from __future__ import annotations

from typing import Any

from bot import receipt
from bot.callbacks import Scope
from bot.cards import CardFacts, card_buttons
from bot.cards import card_text as render_card
from bot.dialogue import Screen, screen_to_plain
from bot.fmt import when
from bot.people import People
from config.settings import Settings
from config.texts import t
from storage import reporters, tips, units
from storage import wanted as wanted_store
from storage.db import Tx, parse_utc

LANG = "vi"


async def duplicate_code(tx: Tx, tip: tips.Tip) -> str | None:
    """The original's receipt code as shown, for a tip closed as its duplicate."""
    if tip.outcome != "duplicate":
        return None
    code = await tips.duplicate_of_code(tx, tip.id)
    return receipt.display(code) if code else None


async def _wanted_lines(tx: Tx, tip: tips.Tip, settings: Settings) -> str | None:
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
        stamp = when(parse_utc(other.created_at), LANG, settings.tz)
        trail.append(f"{receipt.display(other.code)} ({unit.short_name if unit else '?'}, {stamp})")
    if trail:
        lines.append(t("card_trail", LANG, trail="; ".join(trail[-5:])))
    return "\n".join(lines)


async def card_text(
    tx: Tx, tip: tips.Tip, settings: Settings, people: People, note: str | None = None
) -> str:
    unit = await units.get_unit(tx, tip.unit_id)
    reporter = await reporters.get(tx, tip.reporter_id) if tip.reporter_id else None
    phone = None
    if tip.contactable:
        blob = await tips.contact_enc(tx, tip.id)
        phone = people.open_phone(blob) if blob else None
    evidence = len(await tips.attachments(tx, tip.id))
    who = at = None
    last = await tips.last_state_change(tx, tip.id)
    if last and last[1]:
        who, at = last[1], when(parse_utc(last[0]), LANG, settings.tz)
    dup_code = await duplicate_code(tx, tip)
    wanted_lines = await _wanted_lines(tx, tip, settings)
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
    return render_card(facts, settings.tz)


async def card_plain(
    tx: Tx, tip: tips.Tip, settings: Settings, people: People, note: str | None = None
) -> dict[str, Any]:
    """A working card: the tip as officers read it, with the buttons its state
    allows (police queue scope)."""
    text = await card_text(tx, tip, settings, people, note)
    return screen_to_plain(Screen(text, card_buttons(tip)), Scope.QUEUE)
