"""What a tip looks like in a police queue: card text and buttons, as plain values."""

from __future__ import annotations

from dataclasses import dataclass

from bot import receipt
from bot.dialogue import Button
from bot.fmt import when
from bot.text import fit
from config.categories import category_label
from config.texts import t
from storage.db import parse_utc
from storage.tips import Tip

CARD_DESCRIPTION_MAX = 2500  # UTF-16 units, leaving room for the rest of the card
POLICE_LANG = "vi"
OUTCOMES = ("resolved", "forwarded", "unfounded", "duplicate", "spam")


@dataclass(frozen=True)
class CardFacts:
    tip: Tip
    unit_name: str
    reporter_pseudonym: str
    phone: str | None
    evidence: int
    state_who: str | None = None
    state_at: str | None = None
    duplicate_code: str | None = None
    note: str | None = None  # e.g. "no queue": shown on top of the card


def state_label(tip: Tip, lang: str = POLICE_LANG, duplicate_code: str | None = None) -> str:
    if tip.status == "closed":
        outcome = t(f"outcome_{tip.outcome}", lang, code=duplicate_code or "?")
        return t("state_closed", lang, outcome=outcome)
    return t(f"state_{tip.status}", lang)


def card_text(facts: CardFacts, tz: object, lang: str = POLICE_LANG) -> str:
    tip = facts.tip
    head = "🆕 " + t("card_title", lang, code=receipt.display(tip.code))
    if tip.urgent:
        head += "  " + t("card_urgent", lang)
    place = facts.unit_name + (f" — {tip.address}" if tip.address else "")
    occurred = t(f"when_{tip.occurred}", lang)
    if tip.occurred_note:
        occurred += f" ({tip.occurred_note})"
    # measured as Telegram measures (UTF-16 units): 2,500 emoji would be 5,000
    description = fit(
        tip.description, CARD_DESCRIPTION_MAX, "… (/tip " + receipt.display(tip.code) + ")"
    )
    reporter = (
        t("reporter_contact", lang, pseudonym=facts.reporter_pseudonym, phone=facts.phone)
        if facts.phone
        else t("reporter_anonymous", lang, pseudonym=facts.reporter_pseudonym)
    )
    body = t(
        "card_body",
        lang,
        category=category_label(tip.category, lang),
        place=place,
        when=occurred,
        description=description,
        reporter=reporter,
        evidence=facts.evidence,
        created=when(parse_utc(tip.created_at), lang, tz),  # type: ignore[arg-type]
    )
    lines = [head]
    if facts.note:
        lines.append(facts.note)
    lines.append(body)
    if tip.lat is not None and tip.lon is not None:
        url = f"https://www.google.com/maps?q={tip.lat:.6f},{tip.lon:.6f}"
        lines.append(t("card_map", lang, url=url))
    state = state_label(tip, lang, facts.duplicate_code)
    if facts.state_who and facts.state_at:
        lines.append(
            "━━━━━━━━\n"
            + t("card_state_by", lang, state=state, who=facts.state_who, at=facts.state_at)
        )
    else:
        lines.append("━━━━━━━━\n" + t("card_state", lang, state=state))
    return fit("\n".join(lines))


def card_buttons(tip: Tip, lang: str = POLICE_LANG) -> list[list[Button]]:
    """Only the actions the tip's state allows; a closed card keeps none."""
    value = str(tip.id)
    status = tip.status
    if status == "closed":
        return []
    first: list[Button] = []
    if status in ("new", "transferred"):
        first.append(Button(t("qbtn_ack", lang), "ack", value))
    if status in ("new", "transferred", "acknowledged", "needs_info"):
        first.append(Button(t("qbtn_take", lang), "take", value))
    rows = [first] if first else []
    rows.append(
        [
            Button(t("qbtn_ask", lang), "ask", value),
            Button(t("qbtn_transfer", lang), "transfer", value),
        ]
    )
    rows.append([Button(t("qbtn_close", lang), "close", value)])
    return rows


def outcome_buttons(tip: Tip, lang: str = POLICE_LANG) -> list[list[Button]]:
    return [[Button(t(f"qbtn_outcome_{o}", lang), "outcome", f"{tip.id}:{o}")] for o in OUTCOMES]
