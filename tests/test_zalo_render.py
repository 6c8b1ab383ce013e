"""Issue 11: a screen for a Zalo citizen is text with numbered options that always works,
in messages of at most 2,000 characters."""

from __future__ import annotations

from bot.dialogue import Button, Keyboard, Screen, screen_to_plain
from config.texts import t
from handlers.zalo.render import MAX_BUTTONS, MAX_TEXT, WORDING, render_show, split


def test_options_are_numbered_with_how_to_choose() -> None:
    screen = Screen(
        "Bạn muốn báo tin về việc gì?",
        [
            [Button("🚨 Ma túy", "category", "drugs"), Button("🔪 Trộm cắp", "category", "theft")],
            [Button("✖ Hủy", "cancel")],
        ],
    )
    rendered = render_show(screen_to_plain(screen, "c"), "vi")
    (text,) = rendered.texts
    assert text.startswith("Bạn muốn báo tin về việc gì?\n\n1. 🚨 Ma túy\n2. 🔪 Trộm cắp\n")
    assert text.endswith("Gõ 1 hoặc 2.\n✖ Hủy: gõ «hủy».")  # cancelling is never a number
    assert [b.value for b in rendered.options] == ["drugs", "theft", ""]
    assert [b["payload"] for b in rendered.buttons] == [
        "c1|category|drugs",
        "c1|category|theft",
        "c1|cancel|",
    ]
    english = render_show(screen_to_plain(Screen("Menu", [[Button("Go", "menu")]]), "c"), "en")
    assert english.texts == ["Menu\n\n1. Go\n\nType 1 to choose."]


def test_a_link_is_shown_with_its_address_not_numbered() -> None:
    screen = Screen("Xem thêm", [[Button("Trang công an", "", url="https://ca.example.vn")]])
    rendered = render_show(screen_to_plain(screen, "c"), "vi")
    assert rendered.texts == ["Xem thêm\n\nTrang công an: https://ca.example.vn"]
    assert rendered.options == []


def test_long_texts_are_split_at_2000_characters_options_last() -> None:
    paragraph = "Đoạn mô tả dài. " * 60  # ~960 characters
    text = "\n\n".join([paragraph] * 5)
    screen = Screen(text, [[Button("✅ Gửi", "review", "send")]])
    texts = render_show(screen_to_plain(screen, "c"), "vi").texts
    assert len(texts) >= 3 and all(len(t) <= MAX_TEXT for t in texts)
    assert texts[-1].endswith("1. ✅ Gửi\n\nGõ 1 để chọn.")
    assert (
        "".join(texts)
        .replace("\n", "")
        .replace(" ", "")
        .startswith(text.replace("\n", "").replace(" ", "")[:1000])
    )
    assert split("x" * 4500) == ["x" * 2000, "x" * 2000, "x" * 500]
    assert split("") == []


def test_more_options_than_zalo_shows_as_buttons_are_numbers_only() -> None:
    rows = [[Button(f"Xã {n}", "place_pick", str(n))] for n in range(MAX_BUTTONS + 1)]
    rendered = render_show(screen_to_plain(Screen("Chọn xã", rows), "c"), "vi")
    assert rendered.buttons == [] and "6. Xã 5" in rendered.texts[0]


def test_telegram_only_wording_is_said_the_zalo_way() -> None:
    place = Screen(t("ask_place", "vi"), keyboard=Keyboard("location", "📍 Gửi vị trí", "❌ Hủy"))
    rendered = render_show(screen_to_plain(place, "c"), "vi")
    assert "Gửi vị trí»" not in rendered.texts[0] and "khung chat Zalo" in rendered.texts[0]
    assert rendered.asks == "location" and [b.action for b in rendered.options] == ["cancel"]
    phone = Screen(t("ask_phone", "en"), keyboard=Keyboard("contact", "📞 Share", "❌ Cancel"))
    typed = render_show(screen_to_plain(phone, "c"), "en")
    assert typed.texts[0].startswith(t("zalo_ask_phone", "en")) and typed.asks == "contact"
    form = render_show(screen_to_plain(phone, "c"), "en", form=True)
    assert form.texts[0].startswith(t("zalo_ask_phone_form", "en"))


def test_every_telegram_phrase_the_zalo_renderer_replaces_is_still_in_a_screen() -> None:
    """A rewording of the Telegram screens must not silently leave Telegram's words on
    Zalo: each phrase replaced is still said by some other text of the catalogue."""
    from config.texts import TEXTS

    for telegram_key, _ in WORDING:
        for lang in ("vi", "en"):
            phrase = t(telegram_key, lang)
            users = [k for k, v in TEXTS.items() if k != telegram_key and phrase in v[lang]]
            assert users or not telegram_key.startswith("zalo_"), (telegram_key, lang)
