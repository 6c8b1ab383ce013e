"""The running bot does not carry libraries it needs only for charts, exports and the
yearly commune sync (measured: ~70 MB of the ~135 MB a bot used at start)."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("matplotlib", "openpyxl", "vietnamadminunits")


def test_starting_the_bot_imports_no_heavy_library() -> None:
    probe = (
        "import sys, handlers.telegram.app, handlers.cli\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == ""
