-- 0022: the Zalo OA's token pair (issue 11). Zalo's refresh token is single use: each
-- refresh returns a new pair and the old refresh token is dead, so the pair lives here,
-- committed before its access token is used, and never only in memory. One row: one OA.
-- Both tokens are sealed together (AES-GCM, context "zalo.tokens"); nothing in clear.
-- Readers and writers: storage/zalo_tokens.py (handlers/zalo/tokens.py seals and opens).
CREATE TABLE zalo_tokens (
    id                  INTEGER PRIMARY KEY CHECK (id = 1),
    pair_enc            BLOB NOT NULL,      -- sealed {"access_token", "refresh_token"}
    generation          INTEGER NOT NULL,   -- +1 with every new pair: who holds it in memory sees it changed
    access_expires_at   TEXT,               -- NULL: no access token yet (a refresh token alone)
    refresh_expires_at  TEXT NOT NULL,
    obtained_at         TEXT NOT NULL,      -- when this pair was stored (authorize or refresh)
    authorized_at       TEXT NOT NULL,      -- the last `tinbao zalo authorize`
    refreshed_at        TEXT,               -- the last successful refresh
    last_error          TEXT,               -- the last failed refresh (no token text), NULL once one succeeds
    last_error_at       TEXT,
    refused             INTEGER NOT NULL DEFAULT 0,  -- 1: Zalo refused the refresh token; only authorize helps
    failing_since       TEXT,               -- the current failure streak began
    alerted_at          TEXT                -- the duty group was told of this streak (once per streak)
);
