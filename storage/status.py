"""The figures ``tinbao status`` and ``/healthz`` report, read over a plain read-only
``sqlite3`` connection: a status check must never migrate, lock or write the database
it inspects (it may run beside the bot, or against a copy)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from storage.cards import UNROUTED


@dataclass(frozen=True)
class Figures:
    applied_migrations: list[int]
    outbox_pending: int
    outbox_oldest_pending: str | None  # created_at of the oldest pending row
    failed_to_police_24h: int  # permanent failures into police chats
    failed_to_citizens_24h: int  # (a citizen who blocked the bot, deleted their account)
    last_digest: dict[str, str]  # kind -> when its last one was enqueued
    unbound_communes: list[str]
    duty_bound: bool
    supervisors_bound: bool
    unrouted_tips: int  # committed tips no police chat has a card of
    inbox_pending: int
    inbox_oldest_pending: str | None
    inbox_set_aside_24h: int  # refused or failed for good
    last_update_received: str | None


def open_read_only(path: str) -> sqlite3.Connection:
    """Raises ``sqlite3.OperationalError`` when the file is missing or unreadable."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    conn.execute("PRAGMA query_only = ON")
    return conn


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def read_figures(conn: sqlite3.Connection, since: str) -> Figures:
    """``since``: the UTC text 24 hours before now. Tables a database too old to have
    (before its migrations) read as empty; the migrations check reports that."""
    tables = _tables(conn)

    def scalar(sql: str, params: tuple[object, ...] = (), table: str = "") -> object:
        if table and table not in tables:
            return None
        row = conn.execute(sql, params).fetchone()
        return row[0] if row else None

    def rows(
        sql: str, params: tuple[object, ...] = (), table: str = ""
    ) -> list[tuple[object, ...]]:
        if table and table not in tables:
            return []
        return list(conn.execute(sql, params).fetchall())

    applied = [
        int(str(r[0]))
        for r in rows("SELECT version FROM schema_migrations", (), "schema_migrations")
    ]
    failed = {
        row[0]: row[1]
        for row in rows(
            "SELECT chat_id IS NULL, COUNT(*) FROM outbox WHERE status = 'failed'"
            " AND next_attempt_at >= ? GROUP BY chat_id IS NULL",
            (since,),
            "outbox",
        )
    }
    bound = {
        str(r[0])
        for r in rows(
            "SELECT DISTINCT purpose FROM chat_bindings WHERE active = 1", (), "chat_bindings"
        )
    }
    return Figures(
        applied_migrations=sorted(applied),
        outbox_pending=int(
            str(scalar("SELECT COUNT(*) FROM outbox WHERE status = 'pending'", (), "outbox") or 0)
        ),
        outbox_oldest_pending=_text(
            scalar(
                "SELECT MIN(created_at) FROM outbox WHERE status = 'pending'"
                # held for a reporter who cannot be reached now (0021): not stuck, waiting
                + (" AND held_at IS NULL" if 21 in applied else ""),
                (),
                "outbox",
            )
        ),
        failed_to_police_24h=int(str(failed.get(0, 0))),
        failed_to_citizens_24h=int(str(failed.get(1, 0))),
        last_digest={
            str(kind): str(at)
            for kind, at in rows(
                "SELECT kind, MAX(enqueued_at) FROM digest_log WHERE outbox_id IS NOT NULL"
                " GROUP BY kind",
                (),
                "digest_log",
            )
        },
        unbound_communes=[
            str(r[0])
            for r in rows(
                "SELECT u.short_name FROM units u WHERE u.kind = 'commune' AND u.active = 1"
                " AND NOT EXISTS (SELECT 1 FROM chat_bindings b WHERE b.unit_id = u.id"
                "  AND b.purpose = 'queue' AND b.active = 1) ORDER BY u.short_name",
                (),
                "chat_bindings",
            )
        ],
        duty_bound="duty" in bound,
        supervisors_bound="supervisors" in bound,
        unrouted_tips=int(
            str(
                scalar(
                    f"SELECT COUNT(*) FROM tips t WHERE {UNROUTED}",
                    (),
                    "tip_cards",
                )
                or 0
            )
        ),
        inbox_pending=int(
            str(scalar("SELECT COUNT(*) FROM inbox WHERE status = 'pending'", (), "inbox") or 0)
        ),
        inbox_oldest_pending=_text(
            scalar("SELECT MIN(received_at) FROM inbox WHERE status = 'pending'", (), "inbox")
        ),
        inbox_set_aside_24h=int(
            str(
                scalar(
                    "SELECT COUNT(*) FROM inbox WHERE status IN ('refused', 'failed')"
                    " AND done_at >= ?",
                    (since,),
                    "inbox",
                )
                or 0
            )
        ),
        last_update_received=_text(
            scalar("SELECT MAX(received_at) FROM inbox WHERE channel = 'telegram'", (), "inbox")
        ),
    )


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def applied_versions(path: str) -> set[int] | None:
    """The migrations recorded in the database at ``path``; None before the first."""
    conn = open_read_only(path)
    try:
        if "schema_migrations" not in _tables(conn):
            return None
        return {int(r[0]) for r in conn.execute("SELECT version FROM schema_migrations")}
    finally:
        conn.close()
