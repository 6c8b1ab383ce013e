-- 0020: the web page's passwordless login (issue 13). A /web link carries a signed nonce
-- stored here, so that it opens one session only; a session cookie is stored by its hash
-- only (a copy of the database opens no session). Readers: storage/web_sessions.py.
CREATE TABLE web_login_links (
    nonce       TEXT PRIMARY KEY,               -- random, in the signed link
    officer_id  INTEGER NOT NULL REFERENCES officers(id),
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT                            -- set once, when the link opens a session
);

CREATE TABLE web_sessions (
    token_hash  TEXT PRIMARY KEY,               -- sha256 of the cookie's value
    officer_id  INTEGER NOT NULL REFERENCES officers(id),
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    ended_at    TEXT                            -- logout
);
CREATE INDEX web_sessions_officer ON web_sessions(officer_id);
