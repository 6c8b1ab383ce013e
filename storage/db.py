"""One SQLite file, opened the safe way, with migrations applied at start.

Why one connection behind a lock: SQLite serialises writers anyway, and a single
connection lets every service run "state change + audit event + outbox rows" inside one
``BEGIN IMMEDIATE`` transaction without interleaving with another coroutine's work.
``synchronous=FULL`` is what makes rule 1 of DESIGN.md true: a receipt code shown is a
tip that survives a power cut.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

Clock = Callable[[], datetime]
"""The product's time source; ``bot.clock.system_clock`` in production, a fake in tests."""

log = logging.getLogger(__name__)

MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


class AlreadyProcessed(Exception):
    """The idempotency key of this change was already committed: do nothing again."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def bundled_migrations() -> list[Migration]:
    """The numbered ``storage/migrations/NNNN_name.sql`` files, in order."""
    found = []
    for entry in resources.files("storage.migrations").iterdir():
        match = MIGRATION_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), entry.name, entry.read_text("utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if not versions or versions[0] != 1 or len(set(versions)) != len(versions):
        raise RuntimeError(f"migrations must be numbered once each from 0001, found {versions}")
    return found


def utc_text(moment: datetime) -> str:
    """Timestamps are stored as UTC ``YYYY-MM-DD HH:MM:SS.ffffff``: sortable, SQLite-friendly.

    The moment is always given: the product's only time source is the injected clock
    (``bot.clock``), so a test can run the whole product at any date."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def parse_utc(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=UTC)


class Database:
    """An open tinbao database. Use :meth:`transaction` for writes, :meth:`read` for reads."""

    def __init__(
        self, conn: aiosqlite.Connection, path: Path, clock: Clock, group_commit: float | None
    ) -> None:
        self._conn = conn
        self._lock = asyncio.Lock()
        self.path = path
        self.clock = clock
        self.group_commit = group_commit
        self._open_batch = False  # an outer BEGIN IMMEDIATE holds committed-to-be savepoints
        self._sync_timer: asyncio.TimerHandle | None = None
        self._sync_task: asyncio.Task[None] | None = None
        self.syncs = 0  # commits to disk (fsyncs), for the benchmarks

    @classmethod
    async def open(
        cls,
        path: Path | str,
        *,
        clock: Clock,
        migrate: bool = True,
        group_commit: float | None = None,
    ) -> Database:
        """``group_commit`` (seconds): let transactions of several updates share one
        commit to disk, made at the latest that long after the first of them, and always
        before anything they caused can leave the process (see :meth:`sync`). ``None``:
        every transaction is committed to disk before it returns (the command line)."""
        path = Path(path)
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
        # check_same_thread=False: statements run on the event loop's thread (see Tx)
        conn = await aiosqlite.connect(path, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        for pragma in (
            "PRAGMA journal_mode=WAL",
            "PRAGMA synchronous=FULL",
            "PRAGMA foreign_keys=ON",
            "PRAGMA busy_timeout=5000",
        ):
            await conn.execute(pragma)
        db = cls(conn, path, clock, group_commit)
        if migrate:
            await db.migrate()
        return db

    async def close(self) -> None:
        await self.sync()
        async with self._lock:
            if self._sync_timer is not None:
                self._sync_timer.cancel()
            await self._conn.close()

    async def sync(self) -> None:
        """Make every transaction that has returned durable: commit the open batch (one
        fsync, ``synchronous=FULL``). Whoever is about to let an effect out of the process
        calls this first: the sender before a delivery pass (no receipt before its tip is
        on disk), the inbox before a platform is told an update arrived."""
        async with self._lock:
            await self._commit_batch()

    async def _commit_batch(self) -> None:
        if not self._open_batch:
            return
        try:
            await self._conn.execute("COMMIT")  # the fsync: off the loop
            self.syncs += 1
        except BaseException:
            # nothing of the batch is kept: its updates stay pending in the inbox and are
            # applied again; nothing they caused was sent (senders sync first)
            await self._conn.execute("ROLLBACK")
            raise
        finally:
            self._open_batch = False

    def _schedule_sync(self) -> None:
        if self._sync_timer is not None or self.group_commit is None:
            return
        loop = asyncio.get_running_loop()
        self._sync_timer = loop.call_later(self.group_commit, self._start_sync)

    def _start_sync(self) -> None:
        self._sync_timer = None
        self._sync_task = asyncio.create_task(self._timed_sync())

    async def _timed_sync(self) -> None:
        try:
            await self.sync()
        except Exception:  # logged by whoever syncs next; the batch was rolled back
            log.exception("group commit failed; the batch will be applied again")

    async def migrate(self, migrations: Iterable[Migration] | None = None) -> list[int]:
        """Apply every migration not yet recorded, each in its own transaction, in order;
        one numbered below a migration already applied is refused."""
        applied: list[int] = []
        async with self._lock:
            await self._conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
            rows = await self._conn.execute_fetchall("SELECT version FROM schema_migrations")
            done = {row[0] for row in rows}
            newest = max(done, default=0)
            for migration in migrations or bundled_migrations():
                if migration.version in done:
                    continue
                if migration.version < newest:
                    # Numbers may have gaps while parallel work is merged (0006 written
                    # before 0005 lands), but never apply out of order: stop and say so.
                    raise RuntimeError(
                        f"migration {migration.name} is older than version {newest}, which"
                        " this database already has; renumber it after the newest"
                    )
                await self._conn.execute("BEGIN IMMEDIATE")
                try:
                    for statement in split_sql(migration.sql):
                        await self._conn.execute(statement)
                    await self._conn.execute(
                        "INSERT INTO schema_migrations(version, name, applied_at) VALUES (?,?,?)",
                        (migration.version, migration.name, utc_text(self.clock())),
                    )
                    await self._conn.execute("COMMIT")
                except BaseException:
                    await self._conn.execute("ROLLBACK")
                    raise
                applied.append(migration.version)
        return applied

    @asynccontextmanager
    async def transaction(self, idempotency_key: str | None = None) -> AsyncIterator[Tx]:
        """A write transaction. With a key, a second commit of the same key raises
        :class:`AlreadyProcessed` and nothing of the block is kept."""
        async with self._lock:
            if self.group_commit is None:
                # may wait for another process's write lock (busy_timeout): off the loop
                await self._conn.execute("BEGIN IMMEDIATE")
            else:
                if not self._open_batch:
                    await self._conn.execute("BEGIN IMMEDIATE")
                    self._open_batch = True
                await self._conn.execute("SAVEPOINT unit")
            try:
                tx = Tx(self._conn, self.clock)
                if idempotency_key is not None:
                    now = utc_text(self.clock())
                    inserted = await tx.execute(
                        "INSERT OR IGNORE INTO processed_keys(key, at) VALUES (?, ?)",
                        (idempotency_key, now),
                    )
                    if not await tx.scalar("SELECT changes()"):
                        raise AlreadyProcessed(idempotency_key)
                    del inserted
                    # The event that caused this change, if it came through the inbox, is
                    # done exactly when its effects are committed (storage/inbox.py).
                    await tx.execute(
                        "UPDATE inbox SET status = 'done', raw_enc = NULL, done_at = ?"
                        " WHERE event_key = ? AND status = 'pending'",
                        (now, idempotency_key),
                    )
                yield tx
                if self.group_commit is None:
                    await self._conn.execute("COMMIT")  # the fsync: off the loop
                    self.syncs += 1
                else:
                    await tx.execute("RELEASE unit")  # committed with the batch
                    self._schedule_sync()
            except BaseException:
                if self.group_commit is None:
                    await self._conn.execute("ROLLBACK")
                else:  # only this unit of work is undone; the batch goes on
                    await tx.execute("ROLLBACK TO unit")
                    await tx.execute("RELEASE unit")
                raise

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Tx]:
        """A consistent read snapshot (a deferred transaction that only reads)."""
        async with self._lock:
            tx = Tx(self._conn, self.clock)
            if self._open_batch:  # already inside the batch: it sees its own writes
                yield tx
                return
            await tx.execute("BEGIN")  # deferred, in WAL: never waits for a writer
            try:
                yield tx
            finally:
                await tx.execute("COMMIT")

    async def data_version(self) -> int:
        """SQLite's count of commits made to the file by *other* connections (``PRAGMA
        data_version``; this connection's own commits leave it unchanged). A different
        value than before means another process, such as the ``tinbao`` command line,
        wrote: a cheap question (no table is read) that an idle loop may ask often."""
        async with self._lock:
            cursor = await self._conn.execute("PRAGMA data_version")
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def backup_to(self, target: Path) -> None:
        """Online copy with SQLite's backup API (safe while the bot runs)."""
        target.parent.mkdir(parents=True, exist_ok=True)
        async with self._lock:
            await self._commit_batch()
            dest = await aiosqlite.connect(target)
            try:
                await self._conn.backup(dest)
            finally:
                await dest.close()


class Tx:
    """The handle a storage module receives: plain SQL helpers over the open transaction.

    Why statements run on the event loop's own thread, not aiosqlite's: inside a
    transaction that this process already holds (``BEGIN IMMEDIATE`` taken, or a WAL read
    snapshot), a statement on the page cache takes microseconds, while a hop to the worker
    thread and back cost 57–98 µs each and a step made about thirteen of them (measured;
    40 % of a busy bot's time was spent waiting on the hops). What can block, taking the
    write lock from another process and the commit's fsync, still goes through aiosqlite's
    thread (:meth:`Database.transaction`), so the loop never waits on the disk. One
    coroutine at a time holds the connection (``Database._lock``)."""

    def __init__(self, conn: aiosqlite.Connection, clock: Clock) -> None:
        self._conn = conn
        self._raw: sqlite3.Connection = conn._conn
        self.clock = clock

    def now_text(self) -> str:
        """The database's clock (the product's injected clock), as a stored timestamp."""
        return utc_text(self.clock())

    async def execute(self, sql: str, params: Iterable[Any] | dict[str, Any] = ()) -> int:
        """Run a statement; returns lastrowid for INSERTs, else rowcount."""
        cursor = self._raw.execute(sql, params)  # type: ignore[arg-type]
        if sql.lstrip().upper().startswith("INSERT"):
            return int(cursor.lastrowid or 0)
        return int(cursor.rowcount)

    async def executemany(self, sql: str, rows: Iterable[Iterable[Any]]) -> None:
        self._raw.executemany(sql, rows)  # type: ignore[arg-type]

    async def fetchone(
        self, sql: str, params: Iterable[Any] | dict[str, Any] = ()
    ) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self._raw.execute(sql, params).fetchone()  # type: ignore[arg-type]
        return row

    async def fetchall(
        self, sql: str, params: Iterable[Any] | dict[str, Any] = ()
    ) -> list[sqlite3.Row]:
        return list(self._raw.execute(sql, params).fetchall())  # type: ignore[arg-type]

    async def scalar(self, sql: str, params: Iterable[Any] | dict[str, Any] = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]


def split_sql(script: str) -> list[str]:
    """Split a migration into statements with sqlite3's own completeness check
    (so a ``;`` inside a string or trigger body does not cut a statement)."""
    statements: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                statements.append(buffer.strip())
            buffer = ""
    if buffer.strip() and not all(
        part.strip().startswith("--") or not part.strip() for part in buffer.splitlines()
    ):
        raise ValueError(f"incomplete SQL statement at end of migration: {buffer[:80]!r}")
    return statements
