-- 0005: a reporter is answered only in their private chat (issue 8).
--
-- Older versions recorded the chat a citizen button was pressed in, so a press in a police
-- group stored the group as the reporter's chat and later receipts went there. The chat
-- sits inside the AES-GCM sealed identity, which SQL cannot read, so this migration only
-- marks every stored identity as "not checked yet"; the repair pass at start-up
-- (bot/people.py, repair_reporter_chats) opens each marked identity with the key, re-seals
-- it with the private chat and marks it checked. New rows are checked by construction
-- (the domain refuses a non-private chat), hence the default of 1.

ALTER TABLE reporters ADD COLUMN chat_checked INTEGER NOT NULL DEFAULT 1
    CHECK (chat_checked IN (0, 1));
UPDATE reporters SET chat_checked = 0 WHERE identity_enc IS NOT NULL;
-- Only unchecked rows are indexed: after the first repair the start-up query costs nothing.
CREATE INDEX reporters_chat_unchecked ON reporters(id) WHERE chat_checked = 0;
