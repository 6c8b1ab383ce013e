-- 0023: what a Zalo citizen may answer by typing, and the evidence they sent (issue 11).
--
-- Zalo has no callback query: a typed number, an option's words or an OA button's
-- payload stand for a press. They are read against the options of the last screen shown
-- to that citizen, recorded here when the screen was sent (the options are sealed: a
-- place picked from a list says where the citizen is). Readers: storage/zalo_choices.py.
CREATE TABLE zalo_choices (
    reporter_id  INTEGER PRIMARY KEY REFERENCES reporters(id) ON DELETE CASCADE,
    outbox_id    INTEGER NOT NULL,              -- the row that showed them
    options_enc  BLOB NOT NULL,                 -- sealed JSON: scope, options, what it asks
    shown_at     TEXT NOT NULL
);

-- A Zalo attachment's URL expires: its bytes are downloaded when the event is applied and
-- kept here; the domain holds the file by ``name`` (``stored:<hex>``), as it holds a
-- Telegram file by Telegram's id, and the Telegram sender uploads these bytes to the
-- police group. Readers: storage/stored_files.py.
CREATE TABLE stored_files (
    name        TEXT PRIMARY KEY,               -- 'stored:' + digest of the inbox event key
    kind        TEXT NOT NULL CHECK (kind IN ('photo', 'video', 'voice', 'audio', 'document')),
    mime_type   TEXT,
    filename    TEXT NOT NULL,
    size_bytes  INTEGER NOT NULL,
    sha256      TEXT NOT NULL,
    data        BLOB NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX stored_files_created ON stored_files(created_at);
