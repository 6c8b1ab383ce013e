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
from typing import Any, Literal

from bot.logs import configure_logging
from config.settings import ConfigError, Settings, load_settings

log = logging.getLogger("tinbao")
_verbose = False  # -v, kept for when the settings (and TINBAO_LOG_FORMAT in .env) are read


def _settings(need_token: bool = True) -> Settings:
    overrides: dict[str, object] = {}
    if not need_token and not os.environ.get("TINBAO_BOT_TOKEN"):
        from config.settings import DEMO_TOKEN

        overrides["bot_token"] = DEMO_TOKEN
    try:
        settings = load_settings(**overrides)
    except ConfigError as exc:
        print(f"tinbao: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    configure_logging(_verbose, settings.log_format)  # TINBAO_LOG_FORMAT from .env too
    return settings


def _run_exclusively(settings: Settings) -> None:
    """One bot per database, and never while a restore replaces it; before migrations
    change an existing database, a verified copy is taken."""
    from bot.backups import BotRunning, before_upgrade, exclusive, pending_migrations
    from bot.clock import system_clock
    from storage.db import bundled_migrations

    database = settings.database_path
    try:
        with exclusive(database):
            pending = pending_migrations(database, [m.version for m in bundled_migrations()])
            if pending:
                folder = settings.backup_dir or database.parent / "backups"
                kept = before_upgrade(database, folder, system_clock(), settings.tz)
                log.info("migrations %s to apply; the database was copied to %s", pending, kept)
            asyncio.run(_run(settings))
    except BotRunning as exc:
        print(f"tinbao: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


async def _run(settings: Settings) -> None:
    from telegram.error import InvalidToken, NetworkError

    from bot.startup import StartRefused, check_bot
    from handlers.telegram.app import publish_commands

    tinbao = await _create_or_exit(settings)
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
    try:
        await tinbao.app.initialize()  # getMe: the token, before anything is fetched
        await check_bot(tinbao.db, tinbao.app.bot.id, tinbao.app.bot.username)
        webhook = settings.webhook_url is not None
        await tinbao.start(polling=not webhook, webhook=webhook)
    except InvalidToken:
        await _give_up(
            tinbao, "TINBAO_BOT_TOKEN was refused by Telegram (check it with @BotFather)"
        )
    except NetworkError as exc:
        await _give_up(tinbao, f"cannot reach the Bot API at TINBAO_BOT_API_URL: {exc}")
    except StartRefused as exc:
        await _give_up(tinbao, str(exc))
    await publish_commands(tinbao)
    me = tinbao.app.bot.username
    log.info("tinbao is running as @%s for %s; Ctrl+C to stop", me, settings.province)
    fatal = asyncio.ensure_future(tinbao.fatal.wait())
    await asyncio.wait([asyncio.ensure_future(stop.wait()), fatal], return_when="FIRST_COMPLETED")
    log.info("stopping")
    await tinbao.stop()
    if tinbao.fatal.is_set():
        print(f"tinbao: {tinbao.fatal_reason}", file=sys.stderr)
        raise SystemExit(2)


async def _create_or_exit(settings: Settings) -> Any:
    from bot.startup import StartRefused
    from handlers.telegram.app import create

    try:
        return await create(settings)
    except StartRefused as exc:
        print(f"tinbao: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


async def _give_up(tinbao: Any, line: str) -> None:
    print(f"tinbao: {line}", file=sys.stderr)
    await tinbao.app.shutdown()
    await tinbao.db.close()
    raise SystemExit(2)


async def _units_sync(settings: Settings, province: str) -> None:
    from bot.clock import system_clock
    from bot.places import ProvinceMismatch, UnknownProvince, sync_units
    from storage.db import Database

    db = await Database.open(settings.database_path, clock=system_clock)
    try:
        report = await sync_units(db, province)
    except (UnknownProvince, ProvinceMismatch) as exc:
        print(f"tinbao: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    finally:
        await db.close()
    print(report.summary() if hasattr(report, "summary") else report)


async def _export(tinbao: Any, args: argparse.Namespace) -> None:
    """Write the export to a file (no reporter identity; Babel-formatted for vi readers)."""
    from datetime import datetime, time, timedelta
    from pathlib import Path

    from bot.exports import load, to_csv, to_xlsx

    tz = tinbao.settings.tz
    try:
        first = datetime.strptime(args.date_from, "%Y-%m-%d").date()
        last = datetime.strptime(args.date_to, "%Y-%m-%d").date()
    except ValueError:
        print("tinbao: dates are YYYY-MM-DD", file=sys.stderr)
        raise SystemExit(2) from None
    start = datetime.combine(first, time(0), tzinfo=tz)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz)
    rows = await load(tinbao.db, start, end)
    now = tinbao.clock()
    lang = tinbao.settings.default_language
    data = to_csv(rows, lang, tz, now) if args.format == "csv" else to_xlsx(rows, lang, tz, now)
    target = Path(args.output or f"tinbao_{first:%Y%m%d}_{last:%Y%m%d}.{args.format}")
    await asyncio.to_thread(target.write_bytes, data)
    print(f"{len(rows)} tips written to {target}")


async def _with_app(settings: Settings, action: str, args: argparse.Namespace) -> None:
    """Commands that need the services but not Telegram."""
    from bot.startup import StartRefused
    from handlers.telegram.app import create

    try:
        tinbao = await create(settings, rate_limiter=False)
    except StartRefused as exc:
        print(f"tinbao: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    try:
        if action == "invite":
            try:
                code, unit_name, expires = await tinbao.staff.create_invite(args.unit, args.role)
            except (LookupError, ValueError) as exc:
                print(f"tinbao: {exc}", file=sys.stderr)
                raise SystemExit(2) from None
            print(f"Invite code for {args.role} of {unit_name}: {code}")
            print(f"The person sends /join {code} to the bot in a private chat before {expires}.")
        elif action == "officers-list":
            from storage import officers, units

            async with tinbao.db.read() as tx:
                rows = await officers.list_all(tx)
                for o in rows:
                    unit = await units.get_unit(tx, o.unit_id)
                    state = "active" if o.active else "revoked"
                    print(
                        f"{o.id:>4}  {o.display_name:<24} {o.role:<10} {state:<8} "
                        f"{unit.name if unit else '?'}"
                    )
            if not rows:
                print("no officers yet; create an invite with `tinbao invite`")
        elif action == "officers-revoke":
            done = await tinbao.staff.revoke(args.officer_id)
            print("revoked" if done else "no active officer with that id")
            if not done:
                raise SystemExit(1)
        elif action == "wanted-import":
            from bot import wanted

            report = await wanted.import_csv(tinbao.db, args.csv, clock=tinbao.clock)
            print(report.summary())
            if not report.ok:
                raise SystemExit(1)
        elif action == "wanted-withdraw":
            from bot import wanted

            try:
                result = await wanted.withdraw(
                    tinbao.db,
                    args.warrant,
                    args.reason,
                    tinbao.clock,
                    close_sightings=tinbao.queues.close_sightings,
                )
            except wanted.WantedError as exc:
                print(f"tinbao: {exc}", file=sys.stderr)
                raise SystemExit(2) from None
            print(result.summary())
        elif action == "export":
            await _export(tinbao, args)
        elif action == "digest":
            from bot.digest_figures import compute
            from bot.digest_periods import DAILY, latest_run
            from bot.digest_text import render

            kind = args.kind or DAILY
            _, period = latest_run(kind, settings, tinbao.clock())
            rendered = render(await compute(tinbao.db, settings, period, tinbao.clock()), settings)
            print(rendered.text)
            if rendered.csv:
                print(f"\n(+ {rendered.csv_name}: the full list, {len(rendered.csv):,} bytes)")
        elif action == "purge":
            from bot.retention import purge

            print((await purge(tinbao.db, settings, tinbao.clock())).summary())
    finally:
        await tinbao.app.shutdown()
        await tinbao.db.close()


def _backup(settings: Settings, target: str | None) -> int:
    """To ``target``, or into TINBAO_BACKUP_DIR with rotation; verified either way."""
    from pathlib import Path

    from bot.backups import take
    from bot.clock import system_clock
    from storage.backups import BadBackup, copy, verify

    try:
        if target is not None:
            verified = verify(Path(target), copy(settings.database_path, Path(target)))
            print(f"backup {target} verified ({verified.counts})")
            return 0
        if settings.backup_dir is None:
            print("tinbao: give a file, or set TINBAO_BACKUP_DIR", file=sys.stderr)
            return 2
        result = take(
            settings.database_path,
            settings.backup_dir,
            system_clock(),
            settings.tz,
            daily=settings.backup_keep_daily,
            monthly=settings.backup_keep_monthly,
        )
    except BadBackup as exc:
        print(f"tinbao: the backup failed its check: {exc}", file=sys.stderr)
        return 1
    print(result.summary())
    return 0


def _restore(settings: Settings, source: str) -> int:
    from pathlib import Path

    from bot.backups import BotRunning, restore
    from bot.clock import system_clock
    from storage.backups import BadBackup

    try:
        verified, kept = restore(Path(source), settings.database_path, system_clock(), settings.tz)
    except BadBackup as exc:
        print(f"tinbao: {source} refused: {exc}", file=sys.stderr)
        return 1
    except BotRunning as exc:
        print(f"tinbao: {exc}", file=sys.stderr)
        return 2
    newest = verified.newest_migration
    print(f"restored {settings.database_path} from {source} (migration {newest:04d})")
    if kept is not None:
        print(f"the database it replaced is kept at {kept}")
    return 0


async def _check_online(settings: Settings) -> int:
    from telegram.error import InvalidToken, NetworkError

    from handlers.telegram.checks import online_checks

    tinbao = await _create_or_exit(settings)
    try:
        found = await online_checks(tinbao)
    except InvalidToken:
        print("PROBLEM: TINBAO_BOT_TOKEN was refused by Telegram (check it with @BotFather)")
        return 1
    except NetworkError as exc:
        print(f"PROBLEM: cannot reach the Bot API at TINBAO_BOT_API_URL: {exc}")
        return 1
    finally:
        await tinbao.app.shutdown()
        await tinbao.db.close()
    for line in found.lines:
        print(line)
    for line in found.problems:
        print(f"PROBLEM: {line}")
    for line in found.warnings:
        print(f"warning: {line}")
    return 1 if found.problems else 0


def _status(settings: Settings, *, as_json: bool) -> int:
    """Read-only: safe beside the running bot, and never migrates the file."""
    from bot.clock import system_clock
    from bot.status import check, render

    status = check(
        settings.database_path,
        system_clock(),
        min_free_disk_mb=settings.min_free_disk_mb,
        backup_dir=settings.backup_dir,
        tz=settings.tz,
    )
    print(status.to_json() if as_json else render(status))
    return 0 if status.healthy else 1


async def _zalo(settings: Settings, args: argparse.Namespace) -> int:
    """`tinbao zalo authorize` stores the OA's first token pair (or a new one after Zalo
    refused a refresh); `tinbao zalo status` shows the tokens and Zalo's backlog."""
    import aiohttp

    from bot.clock import system_clock
    from bot.crypto import IdentityBox
    from handlers.zalo.tokens import OAuthError, TokenKeeper, ZaloOAuth
    from storage.db import Database

    if not settings.zalo_on:
        print(
            "tinbao: Zalo is not set up"
            " (TINBAO_ZALO_APP_ID, TINBAO_ZALO_APP_SECRET, TINBAO_ZALO_OA_SECRET_KEY)"
        )
        return 2
    if args.zalo_command == "status":
        return await _zalo_status(settings)
    if settings.zalo_app_secret is None:
        print("tinbao: TINBAO_ZALO_APP_SECRET must be set to obtain OA tokens", file=sys.stderr)
        return 2
    db = await Database.open(settings.database_path, clock=system_clock)
    try:
        async with aiohttp.ClientSession() as session:
            oauth = ZaloOAuth.from_settings(settings, session)
            box = IdentityBox(settings.key_bytes)
            # the operator is told here, not the duty group
            # an operator waits at the prompt: a short backoff, then the bot takes over
            keeper = TokenKeeper(db, box, oauth, system_clock, alert=False, backoff=(1.0, 2.0))
            try:
                if args.code:
                    held = await keeper.authorize_code(args.code, args.code_verifier)
                else:
                    held = await keeper.authorize_refresh_token(args.refresh_token)
            except OAuthError as exc:
                print(f"tinbao: Zalo did not issue a token: {exc.code} {exc.name}".rstrip())
                if not exc.final and args.refresh_token:
                    print("the refresh token is stored; tinbao tries again when it runs")
                elif not exc.final:
                    print("a code is good once, for 10 minutes: ask Zalo for a new one if so")
                return 1
    finally:
        await db.close()
    until = _local(held.access_expires_at, settings) if held.access_expires_at else "?"
    print(f"Zalo OA authorized: the access token is valid until {until}, renewed by tinbao")
    return 0


def _local(moment: Any, settings: Settings) -> str:
    from storage.db import parse_utc

    when = parse_utc(moment) if isinstance(moment, str) else moment
    return str(when.astimezone(settings.tz).strftime("%Y-%m-%d %H:%M %z"))


async def _zalo_status(settings: Settings) -> int:
    """Read-only, like `tinbao status`; exit 1 when a person is needed (no token, Zalo
    refused the refresh, the token expired, rows set aside)."""
    import sqlite3

    from bot.clock import system_clock
    from storage import zalo_tokens
    from storage.db import Database, parse_utc

    db = await Database.open(settings.database_path, clock=system_clock, migrate=False)
    try:
        async with db.read() as tx:
            try:
                row = await zalo_tokens.get(tx)
            except sqlite3.OperationalError:  # migration 0022 not applied yet
                row = None
            backlog = await zalo_tokens.backlog(tx, "zalo")
    finally:
        await db.close()
    now = system_clock()
    problem = False
    print(f"Zalo OA, app {settings.zalo_app_id}")
    if row is None:
        print("  tokens         none stored: run `tinbao zalo authorize`")
        problem = True
    else:
        if row.access_expires_at is None:
            print("  access token   none yet (a refresh token waits to be used)")
            problem = True
        else:
            expires = parse_utc(row.access_expires_at)
            left = "expired" if expires <= now else f"in {_span(expires - now)}"
            print(f"  access token   valid until {_local(expires, settings)} ({left})")
            problem = problem or expires <= now
        refresh_until = parse_utc(row.refresh_expires_at)
        print(f"  refresh token  valid until {_local(refresh_until, settings)}")
        problem = problem or refresh_until <= now
        print(f"  authorized     {_local(row.authorized_at, settings)}")
        last = _local(row.refreshed_at, settings) if row.refreshed_at else "never"
        print(f"  last refresh   {last}")
        if row.last_error:
            print(f"  refresh error  {row.last_error} at {_local(row.last_error_at, settings)}")
        else:
            print("  refresh error  none")
        if row.refused:
            print("  PROBLEM: Zalo refused the refresh token; run `tinbao zalo authorize`")
            problem = True
    print(f"Zalo inbox       {backlog.inbox_pending} pending, {backlog.inbox_failed} failed")
    print(f"Zalo outbox      {backlog.outbox_pending} pending, {backlog.outbox_failed} failed")
    return 1 if problem or backlog.inbox_failed else 0


def _span(delta: Any) -> str:
    minutes = int(delta.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    return f"{days} d {hours} h" if days else f"{hours} h {minutes} min"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tinbao", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="run the bot with long polling on TINBAO_BOT_TOKEN")
    demo = sub.add_parser("demo", help="show a whole tip with no token and no network")
    demo.add_argument("--database", help="keep the demo database at this path")
    demo.add_argument(
        "--web",
        nargs="?",
        const=8080,
        type=int,
        metavar="PORT",
        help="then serve the web page on the demo data (port 8080) and print login links",
    )
    demo.add_argument(
        "--channel",
        choices=["telegram", "zalo"],
        default="telegram",
        help="the citizen's side: Telegram (default) or the police's Zalo Official Account",
    )
    sub.add_parser("keygen", help="print a new TINBAO_SECRET_KEY")
    check = sub.add_parser("check-config", help="validate the settings and exit")
    check.add_argument(
        "--online", action="store_true", help="also ask Telegram: token, groups, the bot's rights"
    )
    units = sub.add_parser("units", help="administrative units of the province")
    units_sub = units.add_subparsers(dest="units_command", required=True)
    sync = units_sub.add_parser("sync", help="load the province's communes from official data")
    sync.add_argument("--province", help="name or code; default TINBAO_PROVINCE")
    invite = sub.add_parser("invite", help="print a one-time invite code for an officer")
    invite.add_argument("--unit", required=True, help="unit code or name (e.g. 'Tam Chúc')")
    invite.add_argument("--role", required=True, choices=["officer", "lead", "supervisor"])
    officers_cmd = sub.add_parser("officers", help="list or revoke officers")
    officers_sub = officers_cmd.add_subparsers(dest="officers_command", required=True)
    officers_sub.add_parser("list")
    revoke = officers_sub.add_parser("revoke")
    revoke.add_argument("officer_id", type=int)
    wanted_cmd = sub.add_parser("wanted", help="wanted-person notices (lệnh truy nã)")
    wanted_sub = wanted_cmd.add_subparsers(dest="wanted_command", required=True)
    wanted_import = wanted_sub.add_parser(
        "import", help="upsert notices from a CSV (docs/wanted-csv.md)"
    )
    wanted_import.add_argument("csv")
    wanted_withdraw = wanted_sub.add_parser(
        "withdraw", help="withdraw a notice; closes its sightings"
    )
    wanted_withdraw.add_argument("warrant")
    wanted_withdraw.add_argument(
        "--reason", required=True, choices=["arrested", "surrendered", "cancelled"]
    )
    export = sub.add_parser("export", help="tips of a period as CSV or XLSX, no reporter identity")
    export.add_argument("--from", dest="date_from", required=True, help="YYYY-MM-DD")
    export.add_argument("--to", dest="date_to", required=True, help="YYYY-MM-DD (inclusive)")
    export.add_argument("--format", choices=["csv", "xlsx"], default="xlsx")
    export.add_argument("--output", help="file to write (default tinbao_<from>_<to>.<format>)")
    digest = sub.add_parser("digest", help="print the latest digest over the database")
    digest.add_argument("--preview", action="store_true", help="print only (the default)")
    digest.add_argument("--kind", choices=["daily", "weekly", "monthly"])
    sub.add_parser("purge", help="forget personal data past TINBAO_RETENTION_DAYS (also nightly)")
    backup = sub.add_parser(
        "backup", help="verified online copy of the database (to FILE, or TINBAO_BACKUP_DIR)"
    )
    backup.add_argument("target", nargs="?")
    restore = sub.add_parser("restore", help="replace the database with a checked backup")
    restore.add_argument("source")
    status = sub.add_parser(
        "status", help="is the bot well? figures and problems; exit 1 when a person is needed"
    )
    status.add_argument("--json", action="store_true", help="the same as JSON")
    zalo = sub.add_parser("zalo", help="the Zalo Official Account's tokens and backlog")
    zalo_sub = zalo.add_subparsers(dest="zalo_command", required=True)
    authorize = zalo_sub.add_parser(
        "authorize", help="store the OA's token pair (from a code or a refresh token)"
    )
    given = authorize.add_mutually_exclusive_group(required=True)
    given.add_argument("--code", help="the authorization code Zalo's permission page gave")
    given.add_argument("--refresh-token", help="a refresh token from Zalo's console")
    authorize.add_argument("--code-verifier", help="the PKCE verifier the code was asked with")
    zalo_sub.add_parser("status", help="token expiry, the last refresh, Zalo's backlog")
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    # The format is the one setting read before the others: a bad value of another
    # must still be reported in the operator's format.
    fmt: Literal["plain", "json"] = "plain"
    if os.environ.get("TINBAO_LOG_FORMAT", "").strip().lower() == "json":
        fmt = "json"
    global _verbose
    _verbose = args.verbose
    configure_logging(args.verbose, fmt)
    if args.command == "keygen":
        print(base64.urlsafe_b64encode(os.urandom(32)).decode())
        return
    if args.command == "demo" and args.channel == "zalo":
        if args.web is not None:
            raise SystemExit("tinbao demo: --web serves the Telegram demo; drop --channel zalo")
        from handlers.demo_zalo import run_zalo_demo

        asyncio.run(run_zalo_demo(args.database))
        return
    if args.command == "demo":
        from handlers.demo import run_demo

        asyncio.run(run_demo(args.database, args.web))
        return
    if args.command == "check-config":
        settings = _settings()
        print(f"configuration OK for {settings.province} ({settings.database_path})")
        if args.online:
            raise SystemExit(asyncio.run(_check_online(settings)))
        return
    if args.command == "run":
        _run_exclusively(_settings())
        return
    if args.command == "invite":
        asyncio.run(_with_app(_settings(need_token=False), "invite", args))
        return
    if args.command == "officers":
        action = f"officers-{args.officers_command}"
        asyncio.run(_with_app(_settings(need_token=False), action, args))
        return
    if args.command == "wanted":
        action = f"wanted-{args.wanted_command}"
        asyncio.run(_with_app(_settings(need_token=False), action, args))
        return
    if args.command in ("export", "digest", "purge"):
        asyncio.run(_with_app(_settings(need_token=False), args.command, args))
        return
    if args.command == "backup":
        raise SystemExit(_backup(_settings(need_token=False), args.target))
    if args.command == "restore":
        raise SystemExit(_restore(_settings(need_token=False), args.source))
    if args.command == "status":
        raise SystemExit(_status(_settings(need_token=False), as_json=args.json))
    if args.command == "zalo":
        raise SystemExit(asyncio.run(_zalo(_settings(need_token=False), args)))
    if args.command == "units" and args.units_command == "sync":
        settings = _settings(need_token=False)
        asyncio.run(_units_sync(settings, args.province or settings.province))
        return


if __name__ == "__main__":  # pragma: no cover
    main()
