"""Issue 13 figures: the web page's server time over 1,000 and over 1,000,000 tips.

Every page must answer in under 200 ms of server time over a million tips, and what a
page costs must grow with what it shows (an index's range), not with the file. So the
bench builds two real SQLite files with Ninh Bình's communes and **two years** of tips
(the issue's scale: 1,000 and 1,000,000, or ``--big N``) with their lifecycle events,
through :func:`scripts.generate_tips.fill` (``executemany`` in one transaction; the
pre-aggregated daily counts follow by the triggers of migration 0016, as in production),
and prints how long each fill took. Then, for each file, the real tinbao (fake Bot API,
the real Application) and the real web server on loopback: a supervisor and the lead of
the busiest commune each ask the bot for ``/web``, open the link, and every page is
fetched ``--runs`` times over keep-alive HTTP with the session cookie:

* the overview, the map, the list (page 1, page 100, the last page), each filter, the
  unit lead's list, a tip's details, the wanted notices; the CSV download is printed but
  exempt from the goal;
* the **server time** (a middleware around the page's handler: what the goal counts) and
  the round trip the client saw, as median and p95;
* beside them, a **baseline in the same run**: a bare aiohttp handler that renders the
  list's template with 25 fixed rows (no SQL), served and fetched the same way.

A page the server does not have (yet) answers 404 and is printed as such. ``--plans``
prints ``EXPLAIN QUERY PLAN`` of the list's queries over the big file.

Run: ``python -m bench.web_pages`` (1k and 1M; the million takes a few minutes to build
and ~1.5 GB of disk) or ``--big 100000`` for a quicker look. ``--workdir DIR`` keeps the
files and reuses them (a file made by older code is migrated when opened).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from bot.clock import FakeClock
from bot.places import sync_units
from config.settings import DEMO_TOKEN, Settings
from handlers.telegram.app import Tinbao, create
from handlers.telegram.fake.botapi import FakeBotApi
from handlers.telegram.fake.scripted import Driver
from handlers.telegram.fake.updates import FakeUser
from handlers.web.server import WebServer
from scripts.generate_tips import EVENT_SQL, TIP_SQL, generate
from storage.db import Database

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # 10:00 in the province
START = NOW - timedelta(days=730)
LINK = re.compile(r"(https?://\S+/login\?t=\S+)")
GOAL_MS = 200.0
MIGRATION_0016 = Path(__file__).resolve().parents[1] / "storage/migrations/0016_daily_counts.sql"
#: Fixed, so a file kept with --workdir opens again (its sealed canary needs the same key).
KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="


def settings(path: Path, port: int) -> Settings:
    return Settings(
        bot_token=DEMO_TOKEN,  # type: ignore[arg-type]
        secret_key=KEY,  # type: ignore[arg-type]
        database_path=path,
        timezone="Asia/Ho_Chi_Minh",
        web_port=port,
        web_links_per_hour=100,
        _env_file=None,  # type: ignore[call-arg]
    )


def bulk_fill(path: Path, tips: int) -> int:
    """Two years of tips and their events through plain sqlite3, the way a bulk load is
    done: no journal, the tips' indexes and the daily-count triggers dropped during the
    inserts (``executemany`` of :func:`scripts.generate_tips.generate`'s rows), then the
    indexes rebuilt and ``daily_counts`` counted in one pass by the very statement of
    migration 0016's backfill, and the triggers put back as they were. The counts are the
    ones the triggers would have kept (tests/test_daily_counts.py holds both to the tips).
    Returns the number of events."""
    backfill = re.search(
        r"^INSERT INTO daily_counts\(.*?GROUP BY measure, day, unit_id, category, detail;",
        MIGRATION_0016.read_text(),
        re.S | re.M,
    )
    assert backfill, "migration 0016's backfill statement moved"
    con = sqlite3.connect(path, isolation_level=None)
    try:
        con.execute("PRAGMA journal_mode = OFF")
        con.execute("PRAGMA synchronous = OFF")
        con.execute("PRAGMA cache_size = -262144")
        saved = con.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL"
            " AND tbl_name IN ('tips', 'tip_events')"
            " AND (type = 'trigger' OR type = 'index')"
        ).fetchall()
        for kind, name, _ in saved:
            con.execute(f"DROP {kind.upper()} {name}")
        communes = [
            int(r[0])
            for r in con.execute(
                "SELECT id FROM units WHERE kind = 'commune' AND active = 1 ORDER BY id"
            )
        ]
        con.execute("BEGIN")
        events = 0
        rng = random.Random(13)
        first = int(con.execute("SELECT COALESCE(MAX(id), 0) FROM tips").fetchone()[0]) + 1
        for tip_rows, event_rows in generate(
            rng,
            first_id=first,
            count=tips,
            start=START,
            end=NOW,
            now=NOW,
            communes=communes,
            tag="web13",
        ):
            con.executemany(TIP_SQL, tip_rows)
            con.executemany(EVENT_SQL, event_rows)
            events += len(event_rows)
        for kind, _, sql in saved:
            if kind == "index":
                con.execute(sql)
        con.execute("DELETE FROM daily_counts")
        con.execute(backfill.group(0))
        for kind, _, sql in saved:
            if kind == "trigger":
                con.execute(sql)
        con.execute("COMMIT")
        received = con.execute(
            "SELECT SUM(n) FROM daily_counts WHERE measure = 'received'"
        ).fetchone()[0]
        assert received == con.execute("SELECT COUNT(*) FROM tips").fetchone()[0]
        con.execute("PRAGMA journal_mode = WAL")
    finally:
        con.close()
    return events


async def build(path: Path, tips: int) -> None:
    """Reuse a file that already holds ``tips`` tips (``--workdir``); else build it."""
    if await asyncio.to_thread(path.exists):
        started = time.perf_counter()
        db = await Database.open(path, clock=lambda: NOW)  # migrates a file of older code
        async with db.read() as tx:
            have = int(await tx.scalar("SELECT COUNT(*) FROM tips") or 0)
        await db.close()
        if have == tips:
            print(
                f"  {path.name}: reused ({have:,} tips; opened in"
                f" {time.perf_counter() - started:.1f} s)"
            )
            return
        await asyncio.to_thread(path.unlink)
    started = time.perf_counter()
    db = await Database.open(path, clock=lambda: NOW)
    await sync_units(db, "Ninh Bình")
    await db.close()
    events = await asyncio.to_thread(bulk_fill, path, tips)
    took = time.perf_counter() - started
    size = (await asyncio.to_thread(path.stat)).st_size / 2**20
    print(
        f"  {path.name}: {tips:,} tips, {events:,} events and their daily counts"
        f" built in {took:.1f} s ({size:,.0f} MiB)"
    )


@dataclass
class Timings:
    server: list[float] = field(default_factory=list)
    trip: list[float] = field(default_factory=list)
    status: int = 0
    size: int = 0


def timing_middleware(sink: dict[str, list[float]]) -> Any:
    @web.middleware
    async def measure(
        request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        started = time.perf_counter()
        try:
            return await handler(request)
        finally:
            sink.setdefault("last", []).append(time.perf_counter() - started)

    return measure


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Site:
    tinbao: Tinbao
    server: WebServer
    sink: dict[str, list[float]]
    supervisor: aiohttp.ClientSession
    lead: aiohttp.ClientSession
    base: str
    tip_code: str
    commune_code: str
    notice: str | None
    oldest_cursor: int  # the list's last page is the tips after this one ("next" cursor)


async def login(driver: Driver, api: FakeBotApi, user: FakeUser, invite: str) -> str:
    await driver.says(user, f"/join {invite}")
    await driver.says(user, "/web")
    found = LINK.search(api.last_text(user.id) or "")
    assert found, api.last_text(user.id)
    return found.group(1)


async def open_site(path: Path) -> Site:
    port = free_port()
    clock = FakeClock(NOW)
    api = FakeBotApi(clock=clock)
    # A file kept with --workdir has applied the update ids of its earlier runs (the inbox
    # applies an update once): start above them.
    api._next_update_id = int(time.time())
    tinbao = await create(settings(path, port), request=api, clock=clock, rate_limiter=False)
    await tinbao.app.initialize()
    try:
        return await _logged_in(tinbao, api, port)
    except BaseException:
        await tinbao.app.shutdown()
        await tinbao.db.close()
        raise


async def _logged_in(tinbao: Tinbao, api: FakeBotApi, port: int) -> Site:
    async with tinbao.db.read() as tx:
        busiest = await tx.fetchone(
            "SELECT u.id, u.short_name, u.code FROM units u WHERE u.kind = 'commune'"
            " ORDER BY (SELECT COUNT(*) FROM tips t WHERE t.current_unit_id = u.id) DESC"
            " LIMIT 1"
        )
        code = await tx.scalar("SELECT code FROM tips ORDER BY id DESC LIMIT 1 OFFSET 7")
        notice = await tx.scalar("SELECT id FROM wanted_notices LIMIT 1")
        oldest_cursor = await tx.scalar(
            "SELECT id FROM tips ORDER BY created_at, id LIMIT 1 OFFSET 25"
        )
    assert busiest is not None and code
    driver = Driver(tinbao, api)
    sup_invite, _, _ = await tinbao.staff.create_invite("Ninh Bình", "supervisor")
    lead_invite, _, _ = await tinbao.staff.create_invite(str(busiest[1]), "lead")
    sup_link = await login(driver, api, FakeUser(7001, "Sơn"), sup_invite)
    lead_link = await login(driver, api, FakeUser(7002, "Hùng"), lead_invite)
    server = WebServer(tinbao.services, port=port)
    sink: dict[str, list[float]] = {}
    server.app.middlewares.insert(0, timing_middleware(sink))
    await server.start()
    sessions = []
    for link in (sup_link, lead_link):
        session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        async with session.get(link) as response:  # the login page: whose link, a button
            assert response.status == 200, response.status
            token = re.search(r'name="t" value="([^"]+)"', await response.text())
        assert token is not None
        action = link.partition("?")[0]
        data = {"t": token.group(1)}
        async with session.post(action, data=data, allow_redirects=False) as response:
            assert response.status == 303, response.status
        sessions.append(session)
    return Site(
        tinbao,
        server,
        sink,
        sessions[0],
        sessions[1],
        f"http://127.0.0.1:{server.port}",
        str(code),
        str(busiest[2]),
        str(notice) if notice is not None else None,
        int(oldest_cursor or 0),
    )


async def close_site(site: Site) -> None:
    await site.supervisor.close()
    await site.lead.close()
    await site.server.stop()
    await site.tinbao.app.shutdown()
    await site.tinbao.db.close()


async def fetch(
    session: aiohttp.ClientSession, url: str, sink: dict[str, list[float]], runs: int
) -> Timings:
    found = Timings()
    for i in range(runs + 1):  # the first is a warm-up (the page cache, the templates)
        sink["last"] = []
        started = time.perf_counter()
        async with session.get(url, allow_redirects=False) as response:
            body = await response.read()
            found.status, found.size = response.status, len(body)
        trip = time.perf_counter() - started
        if i:
            found.trip.append(trip)
            found.server.append(sink["last"][-1] if sink["last"] else trip)
    return found


def pages(site: Site, total: int) -> list[tuple[str, str, bool]]:
    """(label, path, as the lead?)"""
    last = max(1, -(-total // 25))
    return [
        ("overview", "/", False),
        ("map", "/map", False),
        ("list page 1", "/tips", False),
        ("list page 100", "/tips?page=100", False),
        ("list page 400 (deepest by number)", "/tips?page=400", False),
        (f"list last page ({last:,})", f"/tips?after={site.oldest_cursor}&page={last}", False),
        ("list previous from last", f"/tips?before={site.oldest_cursor}&page={last - 1}", False),
        ("filter status=new", "/tips?status=new", False),
        ("filter status=closed", "/tips?status=closed", False),
        ("filter category=drugs", "/tips?category=drugs", False),
        ("filter commune", f"/tips?commune={site.commune_code}", False),
        ("filter urgent", "/tips?urgent=1", False),
        ("filter date range (a month)", "/tips?from=2026-10-01&to=2026-10-31", False),
        ("filter overdue", "/tips?overdue=1", False),
        (
            "filter status+category+commune",
            f"/tips?status=closed&category=crime&commune={site.commune_code}",
            False,
        ),
        ("unit lead: overview", "/", True),
        ("unit lead: list page 1", "/tips", True),
        ("unit lead: list status=closed", "/tips?status=closed", True),
        ("detail", f"/tip/{site.tip_code}", False),
        ("wanted", "/wanted", False),
        ("CSV download (exempt)", "/export.csv?from=2026-11-01&to=2026-11-30", False),
    ]


async def baseline(runs: int, server: WebServer) -> Timings:
    """The same list template with 25 fixed rows, no SQL, served and fetched the same way:
    the floor every page stands on (HTTP on loopback, Jinja2, the client)."""
    rows = [
        {
            "code": "7Q2K-M9XD-TR4C",
            "category": "Ma túy",
            "urgent": i % 7 == 0,
            "status": "Đã tiếp nhận",
            "commune": "Tam Chúc",
            "received": "27/11/2026 09:15",
        }
        for i in range(25)
    ]

    class Nobody:
        display_name = "Sơn"

    async def handler(request: web.Request) -> web.StreamResponse:
        html = server.pages.templates.get_template("list.html").render(
            words={},
            title="Tin báo · Tỉnh Ninh Bình",
            officer=Nobody(),
            rows=rows,
            count="1.000.000 tin báo",
            statuses=[],
            categories=[],
            status="",
            category="",
            page_label="1 / 40.000",
            previous=None,
            following="/tips?page=2",
            asked={},
            problems=[],
            summary="",
            clear="",
        )
        return web.Response(text=html, content_type="text/html")

    sink: dict[str, list[float]] = {}
    app = web.Application(middlewares=[timing_middleware(sink)])
    app.router.add_get("/", handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        async with aiohttp.ClientSession() as session:
            return await fetch(session, f"http://127.0.0.1:{port}/", sink, runs)
    finally:
        await runner.cleanup()


def ms(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def cell(found: Timings) -> str:
    if found.status != 200:
        return f"{'HTTP ' + str(found.status):>27}"
    return (
        f"{1000 * statistics.median(found.server):7.1f} {ms(found.server, 0.95):7.1f}"
        f" {1000 * statistics.median(found.trip):7.1f}  "
    )


async def plans(path: Path, commune_code: str) -> None:
    db = await Database.open(path, clock=lambda: NOW)
    queries = {
        "count all": ("SELECT COUNT(*) FROM tips t WHERE 1 = 1", ()),
        "count status=new": ("SELECT COUNT(*) FROM tips t WHERE t.status = ?", ("new",)),
        "count category": ("SELECT COUNT(*) FROM tips t WHERE t.category = ?", ("drugs",)),
        "page status=closed": (
            "SELECT t.code FROM tips t JOIN units u ON u.id = t.unit_id WHERE t.status = ?"
            " ORDER BY t.created_at DESC, t.id DESC LIMIT 25 OFFSET 0",
            ("closed",),
        ),
        "page category": (
            "SELECT t.code FROM tips t JOIN units u ON u.id = t.unit_id WHERE t.category = ?"
            " ORDER BY t.created_at DESC, t.id DESC LIMIT 25 OFFSET 0",
            ("drugs",),
        ),
        "unit page": (
            "SELECT t.code FROM tips t JOIN units u ON u.id = t.unit_id"
            " WHERE t.current_unit_id = (SELECT id FROM units WHERE code = ?)"
            " ORDER BY t.created_at DESC, t.id DESC LIMIT 25 OFFSET 0",
            (commune_code,),
        ),
    }
    async with db.read() as tx:
        for label, (sql, params) in queries.items():
            rows = await tx.fetchall("EXPLAIN QUERY PLAN " + sql, params)
            print(f"  {label}: " + " | ".join(str(r[-1]) for r in rows))
    await db.close()


async def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--big", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--plans", action="store_true")
    parser.add_argument(
        "--only",
        default="",
        help="only the pages whose label holds one of these (e.g. list,filter)",
    )
    args = parser.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="tinbao-web-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    sizes = (args.small, args.big)
    print(f"Building the files in {workdir} (two years of tips, Ninh Bình's communes):")
    files = {n: workdir / f"web-{n}.db" for n in sizes}
    for n, path in files.items():
        await build(path, n)
    results: dict[int, dict[str, Timings]] = {}
    labels: list[str] = []
    for n, path in files.items():
        site = await open_site(path)
        try:
            results[n] = {}
            labels = []
            for label, url, as_lead in pages(site, n):
                if not any(part in label for part in args.only.split(",")):
                    continue
                session = site.lead if as_lead else site.supervisor
                key = re.sub(r" \(\d[\d,]*\)", "", label)
                results[n][key] = await fetch(session, site.base + url, site.sink, args.runs)
                labels.append(key)
            if args.plans and n == args.big:
                print(f"\nQuery plans over {n:,} tips:")
                await plans(path, site.commune_code)
            base = await baseline(args.runs, site.server)
        finally:
            await close_site(site)
    small, big = results[args.small], results[args.big]
    head = "server median / p95, round-trip median (ms)"
    print(f"\nPages, {args.runs} requests each after a warm-up; {head}:")
    print(f"  {'page':<32} {f'{args.small:,} tips':>25}   {f'{args.big:,} tips':>25}   ratio")
    print(f"  {'baseline (template, no SQL)':<32} {cell(base):>25}   {cell(base):>25}")
    slow = []
    for key in labels:
        a, b = small[key], big[key]
        ratio = (
            f"{statistics.median(b.server) / statistics.median(a.server):5.1f}x"
            if a.status == b.status == 200
            else "   -"
        )
        print(f"  {key:<32} {cell(a):>25}   {cell(b):>25}   {ratio}")
        if b.status == 200 and "exempt" not in key and ms(b.server, 0.5) > GOAL_MS:
            slow.append(key)
    print(
        f"\nGoal: every page under {GOAL_MS:.0f} ms of server time at {args.big:,} tips:"
        f" {'met' if not slow else 'NOT met by ' + ', '.join(slow)}"
    )


if __name__ == "__main__":
    asyncio.run(main())
