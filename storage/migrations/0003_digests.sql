-- 0003: scheduled digests and reports: which digest went to whom (exactly once across
-- restarts), files that travel with outbox rows, and the indexes the period aggregates use.

-- One row per (digest kind, period, recipient), inserted in the same transaction as the
-- digest's outbox rows: a restart that finds the row knows the digest is already on its way.
CREATE TABLE digest_log (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL,                 -- 'daily', 'unit', 'weekly', 'monthly'
    period_key   TEXT NOT NULL,                 -- '2026-11-27', '2026-11-16' (week start), '2026-10'
    recipient    TEXT NOT NULL,                 -- 'supervisors', 'officer:12', 'unit:34'
    chat_id      INTEGER,                       -- where it went; NULL when nothing was to be said
    outbox_id    INTEGER REFERENCES outbox(id), -- the first row of the digest; NULL when skipped
    enqueued_at  TEXT NOT NULL,
    UNIQUE (kind, period_key, recipient)
);

-- Bytes that a sendPhoto / sendDocument row uploads (JSON payloads cannot carry them).
-- The sender passes each as telegram.InputFile(data, filename=filename) under `field`.
CREATE TABLE outbox_files (
    outbox_id  INTEGER NOT NULL REFERENCES outbox(id) ON DELETE CASCADE,
    field      TEXT NOT NULL,                   -- 'photo', 'document'
    filename   TEXT NOT NULL,
    data       BLOB NOT NULL,
    PRIMARY KEY (outbox_id, field)
);

-- Period aggregates read tips by when they were acknowledged or closed, and events by
-- action and time; without these a daily digest scans every tip ever received.
CREATE INDEX tips_acknowledged ON tips(acknowledged_at);
CREATE INDEX tips_closed ON tips(closed_at);
CREATE INDEX tip_events_action ON tip_events(action, at);
-- Open tips are a few thousand among a million closed ones: the digests, the morning
-- lists and the deadline sweep read them through this small partial index.
CREATE INDEX tips_open ON tips(created_at, status) WHERE status <> 'closed';
