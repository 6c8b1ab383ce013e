"""Issue 12: ``TINBAO_LOG_FORMAT=json`` gives one JSON object per line, with the same
content as the plain format and nothing from a record's extras."""

from __future__ import annotations

import json
import logging

import pytest

from bot.logs import configure_logging


def test_json_lines_carry_level_logger_message_and_the_error_class(
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = logging.getLogger()
    saved = (root.level, list(root.handlers))
    try:
        configure_logging(fmt="json")
        log = logging.getLogger("bot.inbox")
        log.warning("inbox row %s failed (%s)", 7, "IntegrityError", extra={"phone": "0912345678"})
        try:
            raise ValueError("Lan 0912345678")
        except ValueError:
            log.exception("handler failed")
        configure_logging(fmt="plain")  # switching back replaces the JSON handler
        log.warning("plain again")
    finally:
        for handler in root.handlers[:]:
            if getattr(handler, "tinbao", False):
                root.removeHandler(handler)
        root.setLevel(saved[0])
    lines = capsys.readouterr().err.strip().splitlines()
    first, second = (json.loads(line) for line in lines[:2])
    assert first["level"] == "WARNING" and first["logger"] == "bot.inbox"
    assert first["message"] == "inbox row 7 failed (IntegrityError)"
    assert "0912345678" not in lines[0]  # extras are not written
    assert second["error"] == "ValueError" and "Traceback" in second["trace"]
    assert lines[-1].endswith("WARNING bot.inbox: plain again")
