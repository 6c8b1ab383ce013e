"""Issue 11: a screen for a Zalo citizen is text with numbered options that always works,
in messages of at most 2,000 characters."""

from __future__ import annotations

from bot.dialogue import Button, Screen, screen_to_plain
from handlers.zalo.render import MAX_TEXT, render_show, split


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
    assert text.startswith("Bạn muốn báo tin về việc gì?\n\n1. 🚨 Ma túy\n2. 🔪 Trộm cắp\n3. ✖ Hủy")
    assert text.endswith("Gõ 1, 2 hoặc 3.")
    assert [b.value for b in rendered.options] == ["drugs", "theft", ""]
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
