"""Screenshots of the web page on the demo data, for the README (docs/screenshots/).

    python scripts/web_screenshots.py [--out docs/screenshots]

Runs ``tinbao demo --web`` as an operator would (the scripted demo, a month of tips, the
web page with the real clock), takes the demo supervisor's one-time link from what it
prints, opens it in Debian's headless Chromium (Playwright, as the browser tests do) and
saves the overview, the list and a tip's details at a desktop's width and the map at a
phone's, then stops the demo with Ctrl-C's signal. A page the server does not have yet
(404) is reported and not saved. The dates shown are the day the script ran.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import signal
import socket
import sys
import tempfile
from pathlib import Path

from playwright.async_api import Browser, Page, async_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser import ARGS, CHROMIUM, VIEWPORTS  # noqa: E402

LINK = re.compile(r"(https?://\S+/login\?t=\S+)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def start_demo(port: int, workdir: Path) -> tuple[asyncio.subprocess.Process, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TINBAO_")}
    env.update(PYTHONUNBUFFERED="1", PYTHONPATH=str(ROOT))
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *("-m", "handlers", "demo", "--web", str(port), "--database", str(workdir / "demo.db")),
        cwd=workdir,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    assert process.stdout is not None
    lines: list[str] = []
    async with asyncio.timeout(300):
        while not any("Tam Chúc (đơn vị)" in line for line in lines):
            line = await process.stdout.readline()
            if not line:
                raise SystemExit("tinbao demo --web stopped:\n" + "".join(lines))
            lines.append(line.decode())
    links = [m.group(1) for line in lines for m in [LINK.search(line)] if m]
    return process, links[0]  # the supervisor's: the whole province


async def shoot(page: Page, base: str, path: str, out: Path, name: str) -> bool:
    response = await page.goto(base + path)
    if response is None or response.status != 200:
        print(f"  {name}: {path} answered {response.status if response else '?'}, not saved")
        return False
    target = out / f"{name}.png"
    await page.screenshot(path=str(target), full_page=True)
    print(
        f"  {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}"
        f" ({target.stat().st_size // 1024} KiB)"
    )
    return True


async def context_page(browser: Browser, width: str) -> Page:
    w, h = VIEWPORTS[width]
    context = await browser.new_context(
        viewport={"width": w, "height": h},
        is_mobile=width == "phone",
        has_touch=width == "phone",
        locale="vi-VN",
    )
    return await context.new_page()


async def main(out: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    workdir = Path(tempfile.mkdtemp(prefix="tinbao-screenshots-"))
    process, link = await start_demo(port, workdir)
    try:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            desktop = await context_page(browser, "desktop")
            response = await desktop.goto(link)  # the login page: whose link, one button
            assert response is not None and response.status == 200, "the link opened nothing"
            await desktop.screenshot(path=str(out / "login-desktop.png"), full_page=True)
            print(out / "login-desktop.png")
            await desktop.get_by_role("button").click()
            await desktop.wait_for_url(base + "/")
            await shoot(desktop, base, "/", out, "overview-desktop")
            await shoot(desktop, base, "/tips", out, "list-desktop")
            listed = desktop.locator("table.tips tbody a[href^='/tip/']")
            await desktop.goto(base + "/tips?status=in_progress")
            if not await listed.count():
                await desktop.goto(base + "/tips")
            tip = await listed.first.get_attribute("href")
            await shoot(desktop, base, str(tip), out, "tip-desktop")
            await shoot(desktop, base, "/map", out, "map-desktop")
            # the phone shares the desktop's session (the same browser profile's cookie)
            cookies = await desktop.context.cookies()
            phone = await context_page(browser, "phone")
            await phone.context.add_cookies(cookies)  # type: ignore[arg-type]
            await shoot(phone, base, "/map", out, "map-phone")
            await shoot(phone, base, "/", out, "overview-phone")
            await shoot(phone, base, "/tips", out, "list-phone")
            await browser.close()
    finally:
        process.send_signal(signal.SIGINT)
        await process.communicate()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    out = parser.parse_args().out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    asyncio.run(main(out))
