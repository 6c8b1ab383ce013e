"""Copies of the database that restore: written with SQLite's online backup API and
checked the way a restore would read them.

Blocking (``sqlite3``): callers run these in a thread. The copy is taken on a connection
of its own, so the running bot keeps writing; SQLite's backup restarts on a concurrent
write from another connection, and the copy is a consistent snapshot either way.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

# Tables whose row counts must match between a database and its fresh copy.
COUNTED = ("tips", "tip_events", "reporters", "officers", "units", "outbox", "inbox")


class BadBackup(Exception):
    """A file that must not be restored (truncated, corrupt, or not tinbao's)."""


@dataclass(frozen=True)
class Verified:
    path: Path
    newest_migration: int
    counts: dict[str, int]


def copy(source: Path, target: Path) -> dict[str, int]:
    """Write ``target`` from ``source``; returns the source's row counts read in the
    same read transaction (one snapshot) that the copy is taken from, for
    :func:`verify` to compare with what landed on disk."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30, isolation_level=None)
    try:
        src.execute("BEGIN")  # one WAL snapshot for the counts and the copy
        counts = _counts(src)
        dest = sqlite3.connect(partial)
        try:
            src.backup(dest)
            dest.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        finally:
            dest.close()
        src.execute("COMMIT")
    finally:
        src.close()
    partial.replace(target)  # a backup is whole or absent, never half-written
    return counts


def verify(path: Path, expected: dict[str, int] | None = None) -> Verified:
    """Open ``path`` read-only: SQLite's integrity check, tinbao's schema, and when
    ``expected`` is given the same row counts. Raises :class:`BadBackup` saying why."""
    if not path.is_file():
        raise BadBackup(f"{path} is not a file")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = [str(r[0]) for r in conn.execute("PRAGMA integrity_check").fetchall()]
            if result != ["ok"]:
                raise BadBackup(f"integrity check failed: {'; '.join(result[:3])}")
            newest = conn.execute("SELECT MAX(version) FROM schema_migrations").fetchone()[0]
            counts = _counts(conn)
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:  # not a database, truncated, no tinbao schema
        raise BadBackup(f"cannot read it as tinbao's database: {exc}") from None
    if newest is None:
        raise BadBackup("no migrations recorded: not a tinbao database")
    if expected is not None and counts != expected:
        differ = {
            k: (expected.get(k), counts.get(k)) for k in expected if expected[k] != counts.get(k)
        }
        raise BadBackup(f"row counts differ from the source: {differ}")
    return Verified(path, int(newest), counts)


def replace_database(backup: Path, database: Path) -> None:
    """Put ``backup``'s content in place of ``database`` (which nobody has open): copied
    beside it first, then renamed over it, and the old WAL and shared memory removed so
    they cannot be replayed onto the restored file."""
    staged = database.with_name(database.name + ".restoring")
    staged.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    try:
        dest = sqlite3.connect(staged)
        try:
            src.backup(dest)
        finally:
            dest.close()
    finally:
        src.close()
    for extra in ("-wal", "-shm"):
        database.with_name(database.name + extra).unlink(missing_ok=True)
    staged.replace(database)


def _counts(conn: sqlite3.Connection) -> dict[str, int]:
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    return {
        t: int(conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0])
        for t in COUNTED
        if t in tables
    }
