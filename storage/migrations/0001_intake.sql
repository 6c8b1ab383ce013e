-- 0001: what citizen intake needs: units, reporters, tips and their evidence and audit
-- trail, persisted dialogues, idempotency keys, rate-limit hits and the outbox.

CREATE TABLE units (
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,           -- official code: ward code, or the province code
    kind        TEXT NOT NULL CHECK (kind IN ('province', 'commune')),
    name        TEXT NOT NULL,                  -- "Phường Tam Chúc"
    short_name  TEXT NOT NULL,                  -- "Tam Chúc"
    unit_type   TEXT NOT NULL,                  -- "Phường", "Xã", "Đặc khu", "Tỉnh", "Thành phố"
    parent_id   INTEGER REFERENCES units(id),
    lat         REAL,
    lon         REAL,
    area_km2    REAL,
    search_key  TEXT NOT NULL,                  -- folded short name, see bot/text.py
    remote      INTEGER NOT NULL DEFAULT 0,
    active      INTEGER NOT NULL DEFAULT 1,
    synced_at   TEXT NOT NULL
);
CREATE INDEX units_parent ON units(parent_id, active);

CREATE TABLE unit_aliases (
    unit_id     INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
    alias       TEXT NOT NULL,                  -- "Phường Ba Sao (Kim Bảng, Hà Nam)"
    search_key  TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('legacy', 'keyword')),
    PRIMARY KEY (unit_id, search_key)
);

CREATE TABLE reporters (
    id           INTEGER PRIMARY KEY,
    channel      TEXT NOT NULL,                 -- 'telegram', later 'zalo'
    blind_index  TEXT UNIQUE,                   -- HMAC(key, channel:user id); NULL once purged
    identity_enc BLOB,                          -- AES-GCM sealed JSON: user id, chat id, names
    phone_enc    BLOB,                          -- AES-GCM sealed phone, only if shared
    pseudonym    TEXT NOT NULL UNIQUE,          -- what police see: "7Q2"
    language     TEXT NOT NULL DEFAULT 'vi',
    created_at   TEXT NOT NULL,
    purged_at    TEXT
);

CREATE TABLE tips (
    id               INTEGER PRIMARY KEY,
    code             TEXT NOT NULL UNIQUE,      -- receipt code, canonical form without dashes
    idempotency_key  TEXT NOT NULL UNIQUE,      -- the draft id: one draft makes at most one tip
    reporter_id      INTEGER REFERENCES reporters(id),
    channel          TEXT NOT NULL,
    category         TEXT NOT NULL,
    urgent           INTEGER NOT NULL,
    unit_id          INTEGER NOT NULL REFERENCES units(id),   -- the commune of the place
    current_unit_id  INTEGER NOT NULL REFERENCES units(id),   -- whose queue holds it now
    address          TEXT,
    lat              REAL,
    lon              REAL,
    occurred         TEXT NOT NULL CHECK (occurred IN ('now', 'today', 'earlier')),
    occurred_note    TEXT,
    description      TEXT NOT NULL,
    contactable      INTEGER NOT NULL DEFAULT 0,
    contact_enc      BLOB,                      -- sealed phone, only when contactable
    status           TEXT NOT NULL DEFAULT 'new',
    outcome          TEXT,
    language         TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX tips_reporter_time ON tips(reporter_id, created_at);
CREATE INDEX tips_queue ON tips(current_unit_id, status, created_at);
CREATE INDEX tips_created ON tips(created_at);

CREATE TABLE tip_attachments (
    id              INTEGER PRIMARY KEY,
    tip_id          INTEGER NOT NULL REFERENCES tips(id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('photo', 'video', 'voice', 'audio', 'document')),
    file_id         TEXT NOT NULL,
    file_unique_id  TEXT NOT NULL,
    mime_type       TEXT,
    size_bytes      INTEGER,
    source          TEXT NOT NULL DEFAULT 'intake',  -- 'intake' or 'follow-up'
    created_at      TEXT NOT NULL,
    UNIQUE (tip_id, file_unique_id)
);

CREATE TABLE tip_events (
    id           INTEGER PRIMARY KEY,
    tip_id       INTEGER NOT NULL REFERENCES tips(id) ON DELETE CASCADE,
    at           TEXT NOT NULL,
    actor_kind   TEXT NOT NULL CHECK (actor_kind IN ('reporter', 'officer', 'system')),
    actor_id     INTEGER,
    action       TEXT NOT NULL,
    from_status  TEXT,
    to_status    TEXT,
    note         TEXT,
    public       INTEGER NOT NULL DEFAULT 0      -- shown on the citizen's status screen
);
CREATE INDEX tip_events_tip ON tip_events(tip_id, at);

-- One unfinished conversation per person; the whole draft is sealed (it may hold a phone).
CREATE TABLE dialogues (
    subject     TEXT PRIMARY KEY,                -- the reporter's blind index
    step        TEXT NOT NULL,
    state_enc   BLOB NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE processed_keys (
    key  TEXT PRIMARY KEY,
    at   TEXT NOT NULL
);

CREATE TABLE rate_hits (
    subject  TEXT NOT NULL,
    kind     TEXT NOT NULL,
    at       TEXT NOT NULL
);
CREATE INDEX rate_hits_lookup ON rate_hits(subject, kind, at);

-- Every message that must not be lost is a row here, written in the transaction that
-- caused it, and delivered at least once by bot/sender.py.
CREATE TABLE outbox (
    id                INTEGER PRIMARY KEY,
    created_at        TEXT NOT NULL,
    chat_id           INTEGER,                   -- groups and officers
    reporter_id       INTEGER REFERENCES reporters(id),  -- citizens: chat resolved at send time
    method            TEXT NOT NULL,             -- 'sendMessage', 'editMessageText', ...
    payload           TEXT NOT NULL,             -- JSON parameters without chat_id
    purpose           TEXT NOT NULL,             -- 'receipt', 'card', 'notify', 'alert', ...
    tip_id            INTEGER REFERENCES tips(id),
    reply_to_outbox   INTEGER REFERENCES outbox(id),  -- reply to the message that row sent
    edit_of_outbox    INTEGER REFERENCES outbox(id),  -- edit the message that row sent
    status            TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts          INTEGER NOT NULL DEFAULT 0,
    next_attempt_at   TEXT NOT NULL,
    last_error        TEXT,
    sent_message_id   INTEGER,
    sent_at           TEXT,
    CHECK ((chat_id IS NULL) != (reporter_id IS NULL))
);
CREATE INDEX outbox_pending ON outbox(status, next_attempt_at, id);
CREATE INDEX outbox_chat_order ON outbox(chat_id, status, id);
CREATE INDEX outbox_reporter_order ON outbox(reporter_id, status, id);
