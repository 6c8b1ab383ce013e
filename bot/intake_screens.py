"""The citizen dialogue's screens: each step's question, its buttons, the review card.

Kept apart from the state machine (bot/intake.py) so wording and layout change without
touching the rules, and a Zalo front end renders the same plain ``Screen`` values.
"""

from __future__ import annotations

from bot import receipt
from bot.dialogue import Button, Keyboard, Screen
from bot.draft import Draft
from config.categories import CATEGORIES, category_label
from config.settings import Settings
from config.texts import LANGUAGES, t

EDITABLE = (
    "category",
    "urgent",
    "place",
    "address",
    "when",
    "description",
    "evidence",
    "identity",
)


def btn(key: str, lang: str, action: str, value: str = "") -> Button:
    return Button(t(key, lang), action, value)


class IntakeScreens:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def prompt(self, step: str, draft: Draft, lang: str) -> list[Screen]:
        """What the citizen sees at ``step``: the question and its buttons."""
        cancel = btn("btn_cancel", lang, "cancel")
        s = self.settings
        if step == "category":
            rows = [[Button(c.label(lang), "category", c.code)] for c in CATEGORIES]
            return [Screen(t("ask_category", lang), [*rows, [cancel]])]
        if step == "urgent":
            return [
                Screen(
                    t("ask_urgent", lang),
                    [
                        [btn("btn_urgent_yes", lang, "urgent", "yes")],
                        [btn("btn_urgent_no", lang, "urgent", "no")],
                        [cancel],
                    ],
                )
            ]
        if step == "place":
            return [Screen(t("ask_place", lang), keyboard=self.location_keyboard(lang))]
        if step == "place_pick":
            rows = []
            for c in draft.candidates:
                label = t("place_old_name", lang, old=c.alias, new=c.name) if c.alias else c.name
                rows.append([Button(label[:60], "place_pick", str(c.unit_id))])
            rows.append([btn("btn_search_again", lang, "place_pick", "again")])
            return [Screen(t("place_matches", lang), rows)]
        if step == "place_confirm":
            nearest = draft.nearest
            if nearest is None:  # only a location sets this step, and with it the commune
                return self.prompt("place", draft, lang)
            return [
                Screen(
                    t("place_confirm", lang, unit=nearest.name, km=nearest.km),
                    [
                        [btn("btn_yes", lang, "place_confirm", "yes")],
                        [btn("btn_no_type", lang, "place_confirm", "no")],
                    ],
                )
            ]
        if step == "address":
            return [
                Screen(
                    t("ask_address", lang),
                    [[btn("btn_skip", lang, "address", "skip")], [cancel]],
                )
            ]
        if step == "when":
            return [
                Screen(
                    t("ask_when", lang),
                    [
                        [btn("btn_when_now", lang, "when", "now")],
                        [btn("btn_when_today", lang, "when", "today")],
                        [btn("btn_when_earlier", lang, "when", "earlier")],
                        [cancel],
                    ],
                )
            ]
        if step == "when_note":
            return [
                Screen(t("ask_when_note", lang), [[btn("btn_skip", lang, "when_note", "skip")]])
            ]
        if step == "description":
            return [
                Screen(
                    t(
                        "ask_description",
                        lang,
                        min=s.description_min_chars,
                        max=s.description_max_chars,
                    ),
                    [[cancel]],
                )
            ]
        if step == "evidence":
            n = len(draft.attachments)
            key = "btn_done" if n else "btn_skip"
            value = "done" if n else "skip"
            return [
                Screen(
                    t("ask_evidence", lang, count=s.max_attachments, mb=s.max_attachment_mb),
                    [[btn(key, lang, "evidence", value)], [cancel]],
                )
            ]
        if step == "identity":
            return [
                Screen(
                    t("ask_identity", lang),
                    [
                        [btn("btn_anonymous", lang, "identity", "anonymous")],
                        [btn("btn_contactable", lang, "identity", "phone")],
                    ],
                )
            ]
        if step == "phone":
            return [Screen(t("ask_phone", lang), keyboard=self.contact_keyboard(lang))]
        if step == "review":
            return [self.review(draft, lang)]
        if step == "edit":
            rows = [[Button(t(f"field_{f}", lang), "edit", f)] for f in EDITABLE]
            return [Screen(t("edit_pick", lang), [*rows, [btn("btn_back", lang, "edit", "back")]])]
        return [self.menu(lang)]

    def review(self, d: Draft, lang: str) -> Screen:
        when_text = t(f"when_{d.occurred}", lang) if d.occurred else "-"
        if d.occurred_note:
            when_text += f" ({d.occurred_note})"
        identity = (
            t("identity_phone", lang, phone=d.phone)
            if d.contactable
            else t("identity_anonymous", lang)
        )
        description = d.description or ""
        if len(description) > 600:
            description = description[:600] + "…"
        # A sighting names the wanted person first among the fields, under the header.
        wanted = t("review_wanted", lang, name=d.wanted_name) + "\n" if d.wanted_name else ""
        text = t(
            "review",
            lang,
            wanted=wanted,
            category=category_label(d.category or "", lang),
            urgent=t("yes" if d.urgent else "no", lang),
            unit=d.unit_name or "-",
            address=d.address or t("none", lang),
            when=when_text,
            description=description,
            evidence=len(d.attachments),
            identity=identity,
        )
        return Screen(
            text,
            [
                [btn("btn_submit", lang, "review", "submit")],
                [
                    btn("btn_edit", lang, "review", "edit"),
                    btn("btn_cancel", lang, "cancel"),
                ],
            ],
        )

    def menu(self, lang: str) -> Screen:
        return Screen(
            t("welcome", lang, province=self.settings.province),
            [
                [btn("btn_report", lang, "menu", "report")],
                [btn("btn_wanted", lang, "menu", "wanted")],
                [btn("btn_status", lang, "menu", "status")],
                [
                    btn("btn_help", lang, "menu", "help"),
                    btn("btn_language", lang, "menu", "language"),
                ],
            ],
        )

    def resume(self, lang: str) -> Screen:
        return Screen(
            t("resume_or_restart", lang),
            [
                [btn("btn_continue", lang, "resume", "continue")],
                [btn("btn_restart", lang, "resume", "restart")],
            ],
        )

    def language(self, lang: str) -> Screen:
        return Screen(
            t("language_pick", lang),
            [[Button(t(f"lang_{code}", lang), "lang", code) for code in LANGUAGES]],
        )

    def location_keyboard(self, lang: str) -> Keyboard:
        return Keyboard("location", t("btn_send_location", lang), t("btn_cancel", lang))

    def contact_keyboard(self, lang: str) -> Keyboard:
        return Keyboard("contact", t("btn_share_phone", lang), t("btn_cancel", lang))

    def relay_prompt(self, lang: str, code: str) -> Screen:
        return Screen(
            t("relay_prompt", lang, code=receipt.display(code)),
            [[btn("btn_done", lang, "relay_done")]],
        )
