"""The product reads time only from its injected clock, so the suite passes on any date.

Two guards: a scan of the product's code for wall-clock calls outside ``bot/clock.py``,
and a re-run of the time-dependent tests with the harness clock moved years ahead and back (a wall
clock that slipped in would then disagree with the product's clock by years, not hours).
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.dates import SHIFT_ENV

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("bot", "handlers", "storage", "config")
CLOCK_MODULE = ROOT / "bot" / "clock.py"
# attribute calls that read the wall clock, by the name they are called on
WALL_CLOCK = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("date", "today"),
    ("time", "time"),
    ("time", "time_ns"),
    ("time", "localtime"),
    ("time", "gmtime"),
    ("time", "ctime"),
}
# Both directions matter: a wall-clock stamp is "in the future" for a clock moved back and
# "long past" for one moved ahead. 11 years ahead: 2026 and 2037 (and the years after
# each) share their calendars, so weekdays and month lengths stay put; back, 52 weeks (the
# sample wanted notices were issued in 2025 and must stay in the past).
SHIFTS = {"years ahead": 4018, "a year back": -364}
TIME_DEPENDENT = (
    "tests/test_intake_e2e.py",
    "tests/test_intake_rules.py",
    "tests/test_queues_e2e.py",
    "tests/test_police_e2e.py",
    "tests/test_retention.py",
    "tests/test_sightings_e2e.py",
    "tests/test_supervisor_e2e.py",
    "tests/test_polling.py",
    "tests/test_wanted_handlers.py",
    "tests/test_delivery_e2e.py",
)


def wall_clock_calls(source: str) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        owner = node.func.value
        name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", None)
        if (name, node.func.attr) in WALL_CLOCK:
            found.append((node.lineno, f"{name}.{node.func.attr}()"))
    return found


def test_the_scan_finds_wall_clock_calls() -> None:
    sample = "import time, datetime as dt\nx = dt.datetime.now()\ny = time.time()\nz = f(now=1)\n"
    assert wall_clock_calls(sample) == [(2, "datetime.now()"), (3, "time.time()")]


def test_product_code_reads_time_only_from_the_clock_module() -> None:
    offenders = []
    for package in PRODUCT:
        for path in sorted((ROOT / package).rglob("*.py")):
            if path == CLOCK_MODULE:
                continue
            for line, call in wall_clock_calls(path.read_text("utf-8")):
                offenders.append(f"{path.relative_to(ROOT)}:{line} {call}")
    assert offenders == [], "use the injected clock (bot.clock) instead:\n" + "\n".join(offenders)


@pytest.mark.skipif(bool(os.environ.get(SHIFT_ENV)), reason="already the shifted run")
@pytest.mark.parametrize("days", SHIFTS.values(), ids=SHIFTS.keys())
def test_time_dependent_tests_pass_at_another_date(days: int) -> None:
    env = {**os.environ, SHIFT_ENV: str(days)}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *TIME_DEPENDENT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and " failed" not in result.stdout
