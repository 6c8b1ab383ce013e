"""Issue 8: how citizen-facing texts read — the sighting's review card, English plurals
(issue 10: every text of the one catalogue, config/texts)."""

from __future__ import annotations

from pathlib import Path

from bot import wanted
from tests.harness import Harness

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "wanted" / "notices.csv"


async def test_sighting_review_names_the_wanted_person_under_the_header(h: Harness) -> None:
    report = await wanted.import_csv(h.tinbao.db, SAMPLES, clock=h.clock)
    assert report.ok
    citizen = h.citizen()
    await citizen.says("/timtruyna tran thi hoa")
    await citizen.presses("Tôi đã nhìn thấy người này")
    await citizen.presses("Đang xảy ra")
    await citizen.says("kim bang")
    await citizen.presses("Kim Bảng")
    await citizen.presses("Bỏ qua")
    await citizen.says("Thấy người giống trong ảnh ngồi ở quán cà phê cạnh bến xe.")
    await citizen.presses("Bỏ qua")
    await citizen.presses("Ẩn danh")
    lines = citizen.last().splitlines()
    lines = lines[lines.index("Kiểm tra lại tin báo trước khi gửi:") :]  # after the ✔ note
    assert lines[:4] == [
        "Kiểm tra lại tin báo trước khi gửi:",
        "",
        "Người bị truy nã: Trần Thị Hoa",
        "Loại: 🔎 Người bị truy nã",
    ], lines


def _render_all_with_one() -> list[tuple[str, str]]:
    """Every English text of the catalogue with each placeholder given the count 1
    (formatted as the digests format it), as (key, text)."""
    import string

    from config.texts import TEXTS, t

    rendered = []
    for key, entry in TEXTS.items():
        fields = {f for _, f, _, _ in string.Formatter().parse(entry["en"]) if f}
        rendered.append((key, t(key, "en", **dict.fromkeys(fields, "1"))))
    return rendered


def test_no_english_text_says_one_of_a_plural() -> None:
    """ "1 tips", "(1 files)", "1 result(s)": grep every English text rendered with 1."""
    import re

    plural_after_one = re.compile(r"(?<![\d.,/])1 ([a-z]+s|[a-z]+\(s\))(?![a-z])")
    # verbs and adjectives after a code or a name, not nouns after a count
    not_plurals = {"has", "is", "as", "adds", "matches", "duplicates", "concerns", "dangerous"}
    wrong = [
        (key, text)
        for key, text in _render_all_with_one()
        for word in plural_after_one.findall(text)
        if word not in not_plurals
    ]
    assert wrong == []


def test_english_counts_agree_and_vietnamese_has_no_plural() -> None:
    from config.texts import t

    blank = dict.fromkeys(
        ("category", "urgent", "unit", "address", "when", "description", "identity"), "-"
    )
    assert "Evidence: 1 file\n" in t("review", "en", wanted="", evidence=1, **blank)
    assert "Evidence: 2 files\n" in t("review", "en", wanted="", evidence=2, **blank)
    assert t("too_short", "en", n=1, min=20).startswith("Too short (1 character).")
    assert "You sent 1 tip in the past hour" in t("tip_limit", "en", n=1, max=1)
    assert "Bằng chứng: 1 tệp" in t("review", "vi", wanted="", evidence=1, **blank)
    assert "Bằng chứng: 2 tệp" in t("review", "vi", wanted="", evidence=2, **blank)
    # digests pass counts already formatted by Babel: "1,234" is plural, "1" singular
    assert t("x_caption", "en", start="a", end="b", n="1").endswith("(1 tip)")
    assert t("x_caption", "en", start="a", end="b", n="1,234").endswith("(1,234 tips)")
    assert t("x_caption", "vi", start="a", end="b", n="1.234").endswith("(1.234 tin)")
    assert t("wanted_people", "en", n="1") == " (1 person)"
    assert t("wanted_people", "en", n="0") == " (0 people)"
    assert t("search_found", "en", total=1, query="hoa") == "1 result for «hoa»."
    assert t("bind_surfaced", "en", n=1).endswith(
        "1 tip waiting for assignment was sent to this group."
    )
    assert t("bind_surfaced", "en", n=3).endswith(
        "3 tips waiting for assignment were sent to this group."
    )


def test_plural_helper_follows_cldr_and_refuses_misuse() -> None:
    from decimal import Decimal

    import pytest

    from config.texts.plural import categories, parse_forms, plural, plural_category, render

    tips = {"one": "tip", "other": "tips"}
    assert [plural(n, "en", tips) for n in (0, 1, 2, 21)] == ["tips", "tip", "tips", "tips"]
    assert plural(Decimal("1.0"), "en", tips) == "tips"  # "1.0 tips"
    assert render("{n} {n:tip|tips}, {p:.0%}", "en", {"n": "1", "p": 0.5}) == "1 tip, 50%"
    # named forms: a category the text does not give takes the other= form
    assert parse_forms("one=tip|other=tips") == tips
    assert render("{n} {n:one=tip|other=tips}", "en", {"n": 2}) == "2 tips"
    assert render("{n} {n:other=tin}", "vi", {"n": 1}) == "1 tin"
    # the rule is the language's own, from Babel's CLDR data
    assert categories("en") == {"one", "other"}
    assert plural_category(1, "en") == "one" and plural_category(0, "en") == "other"
    with pytest.raises(ValueError):
        render("{n:one|few|many}", "en", {"n": 1})
    with pytest.raises(ValueError):
        render("{n:one=tip}", "en", {"n": 1})  # no other= form
    with pytest.raises(ValueError):
        render("{n:one=tip|lots=tips|other=tips}", "en", {"n": 1})
    with pytest.raises(ValueError):
        render("{n:tip|tips}", "en", {"n": "Tam Chúc"})
    with pytest.raises(TypeError):
        render("{n:tip|tips}", "en", {"n": 1.0})
