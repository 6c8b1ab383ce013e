"""Logging that never holds a reporter's identity (DESIGN.md rule 4).

Three libraries log what passes through them at DEBUG: python-telegram-bot every Bot API
call with its parameters (chat ids are Telegram user ids, and names ride along),
aiosqlite every SQL statement with its values, and httpx every URL (which holds the bot
token). They are kept at INFO/WARNING even with ``tinbao -v``, which turns on DEBUG for
tinbao's own modules only; tinbao's own log lines name rows by id, never by person.
"""

from __future__ import annotations

import logging

QUIET = {
    "telegram": logging.INFO,
    "aiosqlite": logging.INFO,
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    "apscheduler": logging.WARNING,
}
OURS = ("bot", "handlers", "storage", "config", "tinbao")


def configure_logging(verbose: bool = False) -> None:
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for name, level in QUIET.items():
        logging.getLogger(name).setLevel(level)
    for name in OURS:
        logging.getLogger(name).setLevel(logging.DEBUG if verbose else logging.INFO)
