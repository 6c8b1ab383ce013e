"""Reading what the fake OA showed one Zalo citizen, as a person reads their chat: the
texts, the newest one, the number an option has, the receipt code. Shared by the
dialogue tests' citizen (tests/zalo_chat.py) and the end-to-end one (tests/zalo_world.py)."""

from __future__ import annotations

from handlers.zalo.fake import FakeZaloOA


def texts(oa: FakeZaloOA, uid: str) -> list[str]:
    return [str(m.get("text") or "") for m in oa.sent_to(uid)]


def last(shown: list[str]) -> str:
    found = [text for text in shown if text]
    return found[-1] if found else ""


def number_of(shown: list[str], label: str) -> str:
    """The number the newest numbered list gives the option with ``label``."""
    for text in reversed(shown):
        for line in text.splitlines():
            head, dot, rest = line.partition(". ")
            if dot and head.isdigit() and label in rest:
                return head
    raise AssertionError(f"no numbered option {label!r} in {shown[-1:]}")


def receipt(shown: list[str]) -> str:
    for text in reversed(shown):
        if "Mã tin báo của bạn:" in text:
            return text.split("Mã tin báo của bạn:")[1].split()[0]
    raise AssertionError("no receipt shown")
