"""Totals the metrics endpoint reads from the database at each scrape: what the
database already knows is counted there, not kept twice in memory (and survives a
restart). Plain ``sqlite3`` on a read-only connection (``storage.status``)."""

from __future__ import annotations

import sqlite3


def totals(conn: sqlite3.Connection) -> dict[str, list[tuple[tuple[str, ...], float]]]:
    """Each metric's (labels, value) pairs. Labels are categories, states and kinds:
    never a person, a chat or a text."""

    def pairs(sql: str) -> list[tuple[tuple[str, ...], float]]:
        return [(tuple(str(v) for v in row[:-1]), float(row[-1])) for row in conn.execute(sql)]

    return {
        "tips": pairs("SELECT category, COUNT(*) FROM tips GROUP BY category"),
        "open_tips": pairs(
            "SELECT status, COUNT(*) FROM tips WHERE status != 'closed' GROUP BY status"
        ),
        "outbox": pairs("SELECT status, COUNT(*) FROM outbox GROUP BY status"),
        "inbox": pairs("SELECT status, COUNT(*) FROM inbox GROUP BY status"),
        "digests": pairs(
            "SELECT kind, COUNT(*) FROM digest_log WHERE outbox_id IS NOT NULL GROUP BY kind"
        ),
        "escalations": pairs(
            "SELECT action, COUNT(*) FROM tip_events"
            " WHERE action IN ('reminded', 'escalated') GROUP BY action"
        ),
    }
