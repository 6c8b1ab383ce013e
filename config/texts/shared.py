"""Texts every area uses: yes and no, the tip categories' names, the languages' own names."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "yes": {"vi": "Có", "en": "Yes"},
    "no": {"vi": "Không", "en": "No"},
    # --- tip categories (config/categories.py holds their codes and icons) ---------------
    "cat_crime": {"vi": "Tố giác tội phạm", "en": "Crime denunciation"},
    "cat_wanted": {"vi": "Người bị truy nã", "en": "Wanted person seen"},
    "cat_drugs": {"vi": "Ma túy", "en": "Drugs"},
    "cat_social_evils": {"vi": "Cờ bạc, tệ nạn xã hội", "en": "Gambling, social evils"},
    "cat_public_order": {"vi": "Trật tự công cộng", "en": "Public order"},
    "cat_other": {"vi": "Việc khác", "en": "Other"},
    # --- a language named in itself, on the language buttons -----------------------------
    "lang_vi": {"vi": "🇻🇳 Tiếng Việt", "en": "🇻🇳 Tiếng Việt"},
    "lang_en": {"vi": "🇬🇧 English", "en": "🇬🇧 English"},
}
