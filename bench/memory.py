"""Resident memory of a running tinbao: idle after start, then after 10,000 tips.

Each figure is measured in a fresh process (``ru_maxrss`` of that process), doing what
``tinbao run`` does at start (import, open and migrate the database, load the communes,
start the Application, the inbox worker and the sender) over the in-process fake Bot API
instead of Telegram. The second database holds 10,000 synthetic tips with their events
(``scripts/generate_tips.py``); the bot then also builds a daily digest, as at 07:00.

Run: ``python -m bench.memory``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

PROBE = """
import asyncio, base64, os, resource, sys
from datetime import UTC, datetime
from pathlib import Path

async def main(path: str, digest: bool) -> None:
    from handlers.telegram.app import create
    from handlers.telegram.fake.botapi import FakeBotApi
    from config.settings import DEMO_TOKEN, Settings

    settings = Settings(
        bot_token=DEMO_TOKEN,
        secret_key=base64.urlsafe_b64encode(os.urandom(32)).decode(),
        database_path=Path(path),
    )
    tinbao = await create(settings, request=FakeBotApi())
    await tinbao.start(polling=False, sender=True)
    if digest:
        from bot.digest_figures import compute
        from bot.digest_periods import day_period
        today = tinbao.clock().astimezone(settings.tz).date()
        await compute(tinbao.db, settings, day_period(today, settings.tz), tinbao.clock())
    await asyncio.sleep(1.0)
    await tinbao.stop()
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)

asyncio.run(main(sys.argv[1], sys.argv[2] == "1"))
"""


def rss_mb(path: Path, digest: bool) -> float:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(path), "1" if digest else "0"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return float(out.strip().splitlines()[-1])


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="tinbao-memory-"))
    empty = workdir / "empty.db"
    subprocess.run(
        [sys.executable, "-m", "handlers.cli", "units", "sync", "--province", "Ninh Bình"],
        env={"TINBAO_DATABASE_PATH": str(empty), **_demo_env()},
        check=True,
        capture_output=True,
    )
    full = workdir / "full.db"
    shutil.copy(empty, full)
    subprocess.run(
        [sys.executable, "-m", "scripts.generate_tips", str(full), "--tips", "10000"],
        check=True,
        capture_output=True,
    )
    print(f"tinbao run, idle, province loaded: {rss_mb(empty, False):.0f} MB resident")
    print(f"after 10,000 tips and a daily digest: {rss_mb(full, True):.0f} MB resident")
    shutil.rmtree(workdir, ignore_errors=True)


def _demo_env() -> dict[str, str]:
    import base64
    import os

    from config.settings import DEMO_TOKEN

    return {
        **os.environ,
        "TINBAO_BOT_TOKEN": DEMO_TOKEN,
        "TINBAO_SECRET_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode(),
    }


if __name__ == "__main__":
    main()
