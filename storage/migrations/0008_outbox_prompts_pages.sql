-- 0008: officers' prompts and queue pages leave through the outbox like every other
-- message (issue 9), so they are known by the outbox row that shows them; the message id
-- Telegram gave it (outbox.sent_message_id) tells which message a reply or a page button
-- refers to.

-- Prompts name their outbox row. ``message_id`` is no longer read (SQLite before 3.35
-- cannot drop a column); prompts still open were sent directly and can no longer be
-- matched: they close, and the officer presses the button again.
ALTER TABLE officer_prompts ADD COLUMN outbox_id INTEGER REFERENCES outbox(id);
DROP INDEX officer_prompts_message;
UPDATE officer_prompts SET closed_at = created_at, draft = NULL WHERE closed_at IS NULL;
CREATE INDEX officer_prompts_outbox ON officer_prompts(outbox_id);

-- Queue pages: the outbox row that sent the page. Pages sent before have no row; their
-- buttons now get the "out of date" pop-up (/queue shows a fresh page).
DROP TABLE queue_pages;
CREATE TABLE queue_pages (
    outbox_id   INTEGER PRIMARY KEY REFERENCES outbox(id),
    unit_id     INTEGER NOT NULL REFERENCES units(id),
    created_at  TEXT NOT NULL
);

-- "Which row sent message m of chat c": replies to prompts, presses on pages.
CREATE INDEX outbox_sent_message ON outbox(chat_id, sent_message_id)
    WHERE sent_message_id IS NOT NULL;
