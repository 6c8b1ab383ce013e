"""Shared helpers of the real-browser tests: Debian's Chromium driven by Playwright.

Playwright's pip package carries its driver but no browser, and it cannot download one
here; the tests launch the distribution's ``/usr/bin/chromium`` (``apt-get install
chromium``, which ``.ci/run`` does when it can) through ``executable_path``. Where there
is no Chromium the tests skip with a loud reason rather than pass quietly, and .ci/run
prints the same line. Screenshots go to ``artefacts/screenshots/`` (not committed) so a
person can look at what the browser saw.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "artefacts" / "screenshots"
#: TINBAO_CHROMIUM names another Chromium binary (e.g. on a developer's machine).
CHROMIUM = os.environ.get("TINBAO_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",  # CI runs as root in a container
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORTS = {"desktop": (1280, 800), "phone": (390, 844)}
MISSING = (
    f"BROWSER TESTS SKIPPED: no Chromium at {CHROMIUM} — install Debian's package"
    " (apt-get install --no-install-recommends chromium) or set TINBAO_CHROMIUM;"
    " the web pages were NOT checked in a real browser"
)


def chromium_present() -> bool:
    return Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)


requires_chromium = pytest.mark.skipif(not chromium_present(), reason=MISSING)


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    """A headless Chromium for one test (Playwright's async API on the test's own event
    loop, so the web server and the fake Bot API keep serving while the browser waits)."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            await browser.close()


async def screenshot(page: Page, name: str) -> Path:
    """The whole page as ``artefacts/screenshots/<name>.png``."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path
