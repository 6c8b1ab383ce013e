-- A handler that fails (a bug, a storage fault) before it commits leaves its event
-- pending: it is tried again after a short wait, a few times, then set aside as
-- 'failed' (kept sealed for a person; the sender is told, the duty group alerted).
-- Later events of the same lane (chat) wait behind it, so a chat's order holds.
ALTER TABLE inbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE inbox ADD COLUMN next_attempt_at TEXT;
