"""Tip categories: the reference data the dialogue, routing and reports agree on."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Category:
    code: str
    vi: str
    en: str
    icon: str

    def label(self, lang: str) -> str:
        return f"{self.icon} {self.vi if lang == 'vi' else self.en}"


CATEGORIES: tuple[Category, ...] = (
    Category("crime", "Tố giác tội phạm", "Crime denunciation", "🚨"),
    Category("wanted", "Người bị truy nã", "Wanted person seen", "🔎"),
    Category("drugs", "Ma túy", "Drugs", "💊"),
    Category("social_evils", "Cờ bạc, tệ nạn xã hội", "Gambling, social evils", "🎲"),
    Category("public_order", "Trật tự công cộng", "Public order", "📢"),
    Category("other", "Việc khác", "Other", "📝"),
)
BY_CODE = {category.code: category for category in CATEGORIES}


def category_label(code: str, lang: str) -> str:
    category = BY_CODE.get(code)
    return category.label(lang) if category else code
