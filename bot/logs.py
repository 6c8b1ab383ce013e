"""Logging that never holds a reporter's identity (DESIGN.md rule 4).

Three libraries log what passes through them at DEBUG: python-telegram-bot every Bot API
call with its parameters (chat ids are Telegram user ids, and names ride along),
aiosqlite every SQL statement with its values, and httpx every URL (which holds the bot
token). They are kept at INFO/WARNING even with ``tinbao -v``, which turns on DEBUG for
tinbao's own modules only; tinbao's own log lines name rows by id, never by person.
"""

from __future__ import annotations

import json
import logging
from typing import Literal

QUIET = {
    "telegram": logging.INFO,
    "aiosqlite": logging.INFO,
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    "apscheduler": logging.WARNING,
}
OURS = ("bot", "handlers", "storage", "config", "tinbao")


class JsonLines(logging.Formatter):
    """One JSON object per line for log shippers (Loki, Elasticsearch, journald's
    JSON export). The same content as the plain format: time, level, logger, message,
    and the exception's class and frames; nothing is added from the records' extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and record.exc_info[0] is not None:
            entry["error"] = record.exc_info[0].__name__
            entry["trace"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(verbose: bool = False, fmt: Literal["plain", "json"] = "plain") -> None:
    handler = logging.StreamHandler()
    if fmt == "json":
        handler.setFormatter(JsonLines())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    # Replace only the handler set up here before (the settings may switch the format
    # after the first lines): a handler someone else attached stays.
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "tinbao", False)]:
        root.removeHandler(old)
    handler.tinbao = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    for name, level in QUIET.items():
        logging.getLogger(name).setLevel(level)
    for name in OURS:
        logging.getLogger(name).setLevel(logging.DEBUG if verbose else logging.INFO)
