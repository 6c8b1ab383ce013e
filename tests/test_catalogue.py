"""Issue 10: one catalogue of user-visible texts (config/texts), whole and in use.

Every key speaks every language with the same placeholders, every plural spec is one the
language's CLDR rule can choose from, every key is used by the code, and every key the
code asks for exists. The last two read the source (AST), so they are best effort: a key
built at run time (``f"state_{status}"``) is matched by its family, listed below with the
place that builds it; a family no longer built anywhere fails the test, so the list cannot
quietly outlive the code.
"""

from __future__ import annotations

import ast
import re
import string
from collections.abc import Iterator
from pathlib import Path

import pytest

from config.texts import LANGUAGES, TEXTS, t
from config.texts.plural import categories, is_plural_spec, parse_forms

ROOT = Path(__file__).resolve().parent.parent
TEXT_MODULES = ROOT / "config" / "texts"

# Keys built at run time: (prefix, suffix) of the f-string or concatenation, where.
DYNAMIC = {
    ("cat_", ""): "config/categories.py Category.name",
    ("st_", ""): "config/texts status_label",
    ("oc_", ""): "config/texts outcome_label",
    ("state_", ""): "bot/cards.py state_label, bot/lifecycle.py transitions",
    ("outcome_", ""): "bot/cards.py state_label",
    ("qbtn_outcome_", ""): "bot/cards.py outcome buttons",
    ("when_", ""): "bot/cards.py, bot/intake.py, bot/intake_screens.py",
    ("field_", ""): "bot/intake.py, bot/intake_screens.py edit buttons",
    ("status_", ""): "bot/intake.py _STATUS_KEYS (the citizen's /status)",
    ("lang_", ""): "bot/intake_screens.py language buttons",
    ("q_", "_prompt"): "bot/prompts.py reply prompts (ask, transfer, duplicate)",
    ("n_closed_", ""): "bot/lifecycle.py close: the reporter's notification",
    ("r_title_", ""): "bot/reports.py title per period kind",
    ("role_", ""): "bot/staff.py join",
    ("purpose_", ""): "bot/staff.py bind, bot/alerts.py delivery alert",
    ("right_", ""): "bot/staff.py missing rights",
    ("sex_", ""): "bot/wanted.py cards",
    ("reason_", ""): "bot/wanted.py police card",
    ("web_act_", ""): "handlers/web/tip_detail.py action_label (history)",
    ("web_kind_", ""): "handlers/web/tip_detail.py evidence kinds",
    ("web_map_col_", ""): "handlers/web/map_page.py table columns",
    ("web_map_level_", ""): "handlers/web/map_page.py legend",
}

# Callables whose positional argument at this index is a catalogue key, and keywords
# that carry one: what the code asks the catalogue for.
KEY_ARGUMENTS = {"t": 0, "btn": 0, "_say": 2, "_notify": 2}
KEY_KEYWORDS = {"notify"}


def _sources() -> Iterator[tuple[Path, ast.Module]]:
    for folder in ("bot", "handlers", "config"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path.parent == TEXT_MODULES and path.name != "__init__.py":
                continue  # the texts themselves, not their use
            yield path, ast.parse(path.read_text(encoding="utf-8"), str(path))


def _fields(text: str) -> tuple[set[str], list[tuple[str, str]]]:
    """The placeholder names of ``text`` and its (name, plural spec) pairs."""
    names: set[str] = set()
    specs: list[tuple[str, str]] = []
    for _, name, spec, _ in string.Formatter().parse(text):
        if name is None:
            continue
        assert name and name.isidentifier(), f"a placeholder needs a name: {text!r}"
        names.add(name)
        if spec and is_plural_spec(spec):
            specs.append((name, spec))
    return names, specs


def _pattern(node: ast.expr) -> tuple[str, str] | None:
    """A key built at run time as (constant prefix, constant suffix)."""
    if isinstance(node, ast.JoinedStr):
        parts = node.values
        head = parts[0].value if isinstance(parts[0], ast.Constant) else ""
        tail = parts[-1].value if len(parts) > 1 and isinstance(parts[-1], ast.Constant) else ""
        return str(head), str(tail)
    if (
        isinstance(node, ast.BinOp)
        and isinstance(node.op, ast.Add)
        and isinstance(node.left, ast.Constant)
        and isinstance(node.left.value, str)
    ):
        return node.left.value, ""
    return None


def _callee(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _asked() -> tuple[set[str], set[tuple[str, str]], set[str]]:
    """Keys the code asks for (literal), families it builds, and every string constant."""
    literal: set[str] = set()
    built: set[tuple[str, str]] = set()
    constants: set[str] = set()
    for _, tree in _sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                constants.add(node.value)
            if isinstance(node, ast.JoinedStr | ast.BinOp):
                pattern = _pattern(node)
                if pattern is not None and pattern[0]:
                    built.add(pattern)
            if not isinstance(node, ast.Call):
                continue
            arguments = []
            index = KEY_ARGUMENTS.get(_callee(node) or "")
            if index is not None and len(node.args) > index:
                arguments.append(node.args[index])
            arguments += [k.value for k in node.keywords if k.arg in KEY_KEYWORDS]
            for argument in arguments:
                if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                    literal.add(argument.value)
                elif isinstance(argument, ast.IfExp):  # t("yes" if x else "no", …)
                    for branch in (argument.body, argument.orelse):
                        if isinstance(branch, ast.Constant) and isinstance(branch.value, str):
                            literal.add(branch.value)
    return literal, built, constants


def _in_family(key: str) -> bool:
    return any(
        key.startswith(head) and key.endswith(tail) and len(key) > len(head) + len(tail)
        for head, tail in DYNAMIC
    )


@pytest.mark.parametrize("key", sorted(TEXTS))
def test_every_key_speaks_every_language_with_the_same_placeholders(key: str) -> None:
    entry = TEXTS[key]
    assert set(entry) == set(LANGUAGES), f"{key}: languages {sorted(entry)}"
    fields = {}
    for lang in LANGUAGES:
        text = entry[lang]
        assert text.strip(), f"{key}: empty in {lang}"
        names, specs = _fields(text)
        fields[lang] = names
        for name, spec in specs:
            forms = parse_forms(spec)  # raises on a malformed spec
            unknown = set(forms) - categories(lang)
            assert not unknown, f"{key}/{lang}: {{{name}:{spec}}} names {unknown}"
            assert name in names
    assert all(names == fields[LANGUAGES[0]] for names in fields.values()), (key, fields)


def test_every_text_formats_in_every_language() -> None:
    """Given a count for every placeholder, each text renders: no stray brace, no spec
    that the formatter refuses."""
    for key, entry in TEXTS.items():
        for lang in LANGUAGES:
            names, _ = _fields(entry[lang])
            rendered = t(key, lang, **dict.fromkeys(names, 2))
            assert "{" not in rendered and "}" not in rendered, (key, lang, rendered)


def test_every_key_is_used_by_the_code() -> None:
    _, _, constants = _asked()
    unused = sorted(key for key in TEXTS if key not in constants and not _in_family(key))
    assert unused == [], "keys no code uses (remove them, or add their family to DYNAMIC)"


def test_every_family_of_dynamic_keys_is_still_built_and_has_keys() -> None:
    _, built, _ = _asked()
    stale = sorted(family for family in DYNAMIC if family not in built)
    assert stale == [], "DYNAMIC lists families no code builds any more"
    empty = sorted(
        family
        for family in DYNAMIC
        if not any(k.startswith(family[0]) and k.endswith(family[1]) for k in TEXTS)
    )
    assert empty == []


def test_every_key_the_code_asks_for_exists() -> None:
    literal, built, _ = _asked()
    missing = sorted(key for key in literal if key not in TEXTS)
    assert missing == []
    # a key built at run time from a family must find at least one text of it
    for head, tail in built & set(DYNAMIC):
        assert any(k.startswith(head) and k.endswith(tail) for k in TEXTS), (head, tail)


def test_the_scan_sees_the_calls_it_should() -> None:
    """The scan is no stronger than its view of the code: it must see the common calls."""
    literal, built, _ = _asked()
    assert {"welcome", "btn_menu", "n_closed_wanted", "w_private_only", "r_usage"} <= literal
    assert ("state_", "") in built and ("q_", "_prompt") in built


def test_no_user_sentence_is_left_in_the_code() -> None:
    """Vietnamese words sent to users live in the catalogue: a string constant with
    Vietnamese letters outside it is a stray text, unless it is input the code reads
    (a command's argument, a place name, the folding of accents) or a docstring."""
    vietnamese = re.compile("[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.I)
    allowed = {
        ("bot/text.py", "đ"),  # folding accents for search
        ("bot/text.py", "Đ"),
        ("bot/communes.py", "Đặc khu"),  # an official unit type, data
        ("bot/wanted_csv.py", " is not one of nam, nữ, male, female"),  # CSV import, operators
        ("bot/wanted_csv.py", " is not one of yes, no, có, không"),
        ("bot/wanted_csv.py", "; use a unit code or its name, e.g. 'Phường Tam Chúc'"),
        ("handlers/telegram/supervisor.py", "tắt"),  # "/digest tắt": input
    }
    stray = []
    for path, tree in _sources():
        relative = str(path.relative_to(ROOT))
        if relative.startswith(
            (
                "handlers/telegram/fake/",
                "handlers/demo.py",
                "handlers/demo_zalo.py",
                "handlers/cli.py",
            )
        ):
            continue  # the fakes, the demo's narration and the operators' CLI
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings
                and vietnamese.search(node.value)
                and (relative, node.value) not in allowed
            ):
                stray.append((relative, node.lineno, node.value))
    assert stray == []
