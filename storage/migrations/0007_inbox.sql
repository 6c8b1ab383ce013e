-- The durable inbox: every incoming update is stored (sealed) before it is confirmed to
-- the platform, and marked done in the same transaction as its effects.
CREATE TABLE inbox (
    id           INTEGER PRIMARY KEY,
    channel      TEXT NOT NULL,               -- telegram | zalo | ...
    event_key    TEXT NOT NULL UNIQUE,        -- 'tg:<update_id>': also its effects' idempotency key
    lane         TEXT NOT NULL,               -- events of one lane (a chat) run in order
    raw_enc      BLOB,                        -- the event as received, sealed; NULL once handled
    status       TEXT NOT NULL DEFAULT 'pending',  -- pending | done | refused
    received_at  TEXT NOT NULL,
    done_at      TEXT,
    error        TEXT
);

CREATE INDEX inbox_pending ON inbox(id) WHERE status = 'pending';
CREATE INDEX inbox_done_at ON inbox(done_at) WHERE status != 'pending';
