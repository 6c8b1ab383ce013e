"""The ``tinbao`` command line: run the bot, show the demo, set a province up."""

from __future__ import annotations

import argparse
import asyncio
import base64
import logging
import os
import signal
import sys
from collections.abc import Sequence

from config.settings import ConfigError, Settings, load_settings

log = logging.getLogger("tinbao")


def _settings(need_token: bool = True) -> Settings:
    overrides: dict[str, object] = {}
    if not need_token and not os.environ.get("TINBAO_BOT_TOKEN"):
        from config.settings import DEMO_TOKEN

        overrides["bot_token"] = DEMO_TOKEN
    try:
        return load_settings(**overrides)
    except ConfigError as exc:
        print(f"tinbao: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def _logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # httpx logs every URL, and a Bot API URL contains the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)


async def _run(settings: Settings) -> None:
    from bot.app import create, publish_commands

    tinbao = await create(settings)
    if not tinbao.places.communes:
        print(
            "tinbao: no communes in the database yet; run "
            f'`tinbao units sync --province "{settings.province}"` first',
            file=sys.stderr,
        )
        await tinbao.db.close()
        raise SystemExit(2)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await tinbao.start(polling=True)
    await publish_commands(tinbao)
    me = tinbao.app.bot.username
    log.info("tinbao is running as @%s for %s; Ctrl+C to stop", me, settings.province)
    await stop.wait()
    log.info("stopping")
    await tinbao.stop()


async def _units_sync(settings: Settings, province: str) -> None:
    from bot.places import ProvinceMismatch, UnknownProvince, sync_units
    from storage.db import Database

    db = await Database.open(settings.database_path)
    try:
        report = await sync_units(db, province)
    except (UnknownProvince, ProvinceMismatch) as exc:
        print(f"tinbao: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    finally:
        await db.close()
    print(report.summary() if hasattr(report, "summary") else report)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tinbao", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="run the bot with long polling on TINBAO_BOT_TOKEN")
    demo = sub.add_parser("demo", help="show a whole tip with no token and no network")
    demo.add_argument("--database", help="keep the demo database at this path")
    sub.add_parser("keygen", help="print a new TINBAO_SECRET_KEY")
    sub.add_parser("check-config", help="validate the settings and exit")
    units = sub.add_parser("units", help="administrative units of the province")
    units_sub = units.add_subparsers(dest="units_command", required=True)
    sync = units_sub.add_parser("sync", help="load the province's communes from official data")
    sync.add_argument("--province", help="name or code; default TINBAO_PROVINCE")
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    _logging(args.verbose)
    if args.command == "keygen":
        print(base64.urlsafe_b64encode(os.urandom(32)).decode())
        return
    if args.command == "demo":
        from bot.demo import run_demo

        asyncio.run(run_demo(args.database))
        return
    if args.command == "check-config":
        settings = _settings()
        print(f"configuration OK for {settings.province} ({settings.database_path})")
        return
    if args.command == "run":
        asyncio.run(_run(_settings()))
        return
    if args.command == "units" and args.units_command == "sync":
        settings = _settings(need_token=False)
        asyncio.run(_units_sync(settings, args.province or settings.province))
        return


if __name__ == "__main__":  # pragma: no cover
    main()
