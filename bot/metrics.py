"""Prometheus figures (``TINBAO_METRICS``): what an administrator graphs and alerts on.

Two kinds: counters and a histogram the process keeps (updates handled, handler time,
Bot API calls by outcome), and totals read from the database at each scrape (tips by
category, open tips by state, outbox and inbox rows by state, digests, escalations).
No label ever holds a person, a chat id or a text.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from storage.metrics import totals
from storage.status import open_read_only

REGISTRY = CollectorRegistry(auto_describe=True)

UPDATES = Counter(
    "tinbao_updates_total",
    "Updates applied from the inbox, by channel, kind and outcome (done, retry, failed, refused)",
    ["channel", "kind", "outcome"],
    registry=REGISTRY,
)
HANDLER_SECONDS = Histogram(
    "tinbao_handler_seconds",
    "Time to apply one update (parse, handle, commit)",
    ["channel"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=REGISTRY,
)
BOT_API_CALLS = Counter(
    "tinbao_bot_api_calls_total",
    "Bot API calls by method and outcome (ok, 429, 4xx, 5xx, timeout, network)",
    ["method", "outcome"],
    registry=REGISTRY,
)

_DB_METRICS = {
    "tips": ("tinbao_tips", "Tips on record, by category", ["category"]),
    "open_tips": ("tinbao_open_tips", "Tips not closed, by state", ["state"]),
    "outbox": ("tinbao_outbox_rows", "Outgoing messages by state (pending = backlog)", ["state"]),
    "inbox": ("tinbao_inbox_rows", "Received updates by state (pending = backlog)", ["state"]),
    "digests": ("tinbao_digests_sent", "Digests sent, by kind", ["kind"]),
    "escalations": ("tinbao_deadline_steps", "Deadline reminders and escalations", ["step"]),
}


class DatabaseTotals(Collector):
    """Reads the totals at scrape time over a read-only connection (blocking: the ops
    server scrapes in a thread)."""

    def __init__(self, database: Path) -> None:
        self.database = database

    def collect(self) -> Iterator[Metric]:
        if not self.database.exists():
            return
        conn = open_read_only(str(self.database))
        try:
            found = totals(conn)
        finally:
            conn.close()
        for key, (name, help_text, labels) in _DB_METRICS.items():
            family = GaugeMetricFamily(name, help_text, labels=labels)
            for values, value in found.get(key, []):
                family.add_metric(list(values), value)
            yield family

    def describe(self) -> Iterator[Metric]:
        return iter(())


def watch_database(database: Path) -> None:
    """Add the database totals to the registry (once per process)."""
    for collector in list(REGISTRY._collector_to_names):
        if isinstance(collector, DatabaseTotals):
            REGISTRY.unregister(collector)
    REGISTRY.register(DatabaseTotals(database))
