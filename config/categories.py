"""Tip categories: the reference data the dialogue, routing and reports agree on.

A category's name is a text of the catalogue (``cat_<code>``, config/texts/shared.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from config.texts import t


@dataclass(frozen=True)
class Category:
    code: str
    icon: str

    def name(self, lang: str) -> str:
        return t(f"cat_{self.code}", lang)

    def label(self, lang: str) -> str:
        return f"{self.icon} {self.name(lang)}"


CATEGORIES: tuple[Category, ...] = (
    Category("crime", "🚨"),
    Category("wanted", "🔎"),
    Category("drugs", "💊"),
    Category("social_evils", "🎲"),
    Category("public_order", "📢"),
    Category("other", "📝"),
)
BY_CODE = {category.code: category for category in CATEGORIES}


def category_label(code: str, lang: str) -> str:
    category = BY_CODE.get(code)
    return category.label(lang) if category else code
