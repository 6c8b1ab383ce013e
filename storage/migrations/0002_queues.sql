-- 0002: commune police queues: officers, invites, chat bindings, cards, the lifecycle
-- columns of a tip, and pending free-text prompts of officers and citizens.

CREATE TABLE officers (
    id                INTEGER PRIMARY KEY,
    telegram_user_id  INTEGER NOT NULL,
    display_name      TEXT NOT NULL,
    unit_id           INTEGER NOT NULL REFERENCES units(id),
    role              TEXT NOT NULL CHECK (role IN ('officer', 'lead', 'supervisor')),
    active            INTEGER NOT NULL DEFAULT 1,
    joined_at         TEXT NOT NULL,
    revoked_at        TEXT,
    digest_opt_in     INTEGER NOT NULL DEFAULT 0   -- supervisors: daily digest in private
);
CREATE UNIQUE INDEX officers_one_active ON officers(telegram_user_id) WHERE active = 1;

CREATE TABLE invites (
    id          INTEGER PRIMARY KEY,
    code_hash   TEXT NOT NULL UNIQUE,              -- SHA-256 of the code; the code is shown once
    unit_id     INTEGER NOT NULL REFERENCES units(id),
    role        TEXT NOT NULL CHECK (role IN ('officer', 'lead', 'supervisor')),
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT,
    officer_id  INTEGER REFERENCES officers(id)
);

-- Which group chat is whose: a unit's queue, the province duty queue, the supervisors' chat.
CREATE TABLE chat_bindings (
    id        INTEGER PRIMARY KEY,
    chat_id   INTEGER NOT NULL,
    purpose   TEXT NOT NULL CHECK (purpose IN ('queue', 'duty', 'supervisors')),
    unit_id   INTEGER NOT NULL REFERENCES units(id),  -- the province's id for duty/supervisors
    title     TEXT,
    bound_by  INTEGER REFERENCES officers(id),
    bound_at  TEXT NOT NULL,
    active    INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX chat_bindings_one ON chat_bindings(purpose, unit_id) WHERE active = 1;
CREATE INDEX chat_bindings_chat ON chat_bindings(chat_id, active);

ALTER TABLE tips ADD COLUMN assigned_officer_id INTEGER REFERENCES officers(id);
ALTER TABLE tips ADD COLUMN acknowledged_at TEXT;
ALTER TABLE tips ADD COLUMN closed_at TEXT;
ALTER TABLE tips ADD COLUMN duplicate_of INTEGER REFERENCES tips(id);
ALTER TABLE tips ADD COLUMN transfers INTEGER NOT NULL DEFAULT 0;
CREATE INDEX tips_status ON tips(status, created_at);

-- The card of a tip in a chat: which outbox row sent it (so it can be edited later).
CREATE TABLE tip_cards (
    id          INTEGER PRIMARY KEY,
    tip_id      INTEGER NOT NULL REFERENCES tips(id),
    chat_id     INTEGER NOT NULL,
    outbox_id   INTEGER NOT NULL REFERENCES outbox(id),
    kind        TEXT NOT NULL CHECK (kind IN ('queue', 'alert')),
    active      INTEGER NOT NULL DEFAULT 1,      -- 0 once the tip moved to another queue
    created_at  TEXT NOT NULL
);
CREATE INDEX tip_cards_tip ON tip_cards(tip_id, active);

-- A question an officer is typing, or a transfer search, waiting for their next message.
CREATE TABLE officer_prompts (
    officer_id  INTEGER NOT NULL REFERENCES officers(id),
    chat_id     INTEGER NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('ask', 'transfer', 'duplicate')),
    tip_id      INTEGER NOT NULL REFERENCES tips(id),
    created_at  TEXT NOT NULL,
    PRIMARY KEY (officer_id, chat_id)
);
