"""Receipt codes (mã tin báo): read aloud over a phone, typed on a cheap keyboard.

Twelve characters in three groups, ``7Q2K-M9XD-TR4C``: eleven random characters from a
32-letter alphabet without 0/O and 1/I (55 random bits, unguessable) and one Luhn mod 32
check character (python-stdnum), which catches every single-character typo and most
swaps of neighbours before the database is even asked.
"""

from __future__ import annotations

import secrets

from stdnum import luhn

from bot.errors import BadInput

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
RANDOM_CHARS = 11
LENGTH = RANDOM_CHARS + 1


class MalformedCode(BadInput, ValueError):
    """The text cannot be a receipt code (wrong length, letters, or check character)."""

    key = "code_malformed"

    def __init__(self, text: str) -> None:
        super().__init__(code=text.strip()[:40])


def new_code() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_CHARS))
    return body + luhn.calc_check_digit(body, alphabet=ALPHABET)


def canonical(text: str) -> str:
    """Normalise what a citizen typed (spaces, dashes, lower case) and verify the check
    character. Raises :class:`MalformedCode`."""
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    if len(cleaned) != LENGTH:
        raise MalformedCode(text)
    if any(ch not in ALPHABET for ch in cleaned):
        raise MalformedCode(text)
    if luhn.checksum(cleaned, alphabet=ALPHABET) != 0:
        raise MalformedCode(text)
    return cleaned


def display(code: str) -> str:
    """``7Q2KM9XDTR4C`` → ``7Q2K-M9XD-TR4C``."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))
