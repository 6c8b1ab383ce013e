-- 0006: an officer's prompt (question for the reporter, transfer target, duplicate's
-- original) is answered only by a reply to the bot's prompt message, by the officer who
-- pressed, in time; a question waits for its officer's «Gửi»; page buttons edit only
-- messages the bot sent as queue pages.

-- Prompts of the old shape cannot be answered by a reply (their message is unknown):
-- they go, and the officer presses the button again.
DROP TABLE officer_prompts;
CREATE TABLE officer_prompts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: an old button stays old
    officer_id  INTEGER NOT NULL REFERENCES officers(id),
    chat_id     INTEGER NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('ask', 'transfer', 'duplicate')),
    tip_id      INTEGER NOT NULL REFERENCES tips(id),
    created_at  TEXT NOT NULL,       -- replies count for TINBAO_PROMPT_MINUTES from here
    message_id  INTEGER,             -- the bot's prompt message, once sent
    draft       TEXT,                -- a question shown to its officer, awaiting «Gửi»
    drafted_at  TEXT,                -- «Gửi» counts for TINBAO_PROMPT_MINUTES from here
    closed_at   TEXT                 -- answered, sent, cancelled, replaced or expired
);
CREATE UNIQUE INDEX officer_prompts_open ON officer_prompts(officer_id, chat_id)
    WHERE closed_at IS NULL;
CREATE INDEX officer_prompts_message ON officer_prompts(chat_id, message_id);

-- Messages the bot sent as a page of a unit's open tips (/queue): only these may be
-- edited by a page button, and only into a page of the same unit.
CREATE TABLE queue_pages (
    chat_id     INTEGER NOT NULL,
    message_id  INTEGER NOT NULL,
    unit_id     INTEGER NOT NULL REFERENCES units(id),
    created_at  TEXT NOT NULL,
    PRIMARY KEY (chat_id, message_id)
);
