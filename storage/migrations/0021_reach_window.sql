-- 0021: a reporter who cannot be reached now (issue 11, Zalo's 7-day window). An Official
-- Account may write to a Zalo user only within 7 days of that user's last message: the
-- reporter's last inbound time is kept, and a row the channel may not deliver yet is held
-- (still pending, never failed) until the reporter writes again. Readers:
-- storage/reporters.py, storage/outbox.py, bot/reach.py.
ALTER TABLE reporters ADD COLUMN last_inbound_at TEXT;    -- their last message to us (UTC)
ALTER TABLE reporters ADD COLUMN unreachable_since TEXT;  -- set while their channel refuses
ALTER TABLE outbox ADD COLUMN held_at TEXT;               -- held for an unreachable reporter
-- The few reporters who are unreachable, looked at on every pass of the Zalo delivery.
CREATE INDEX reporters_unreachable ON reporters(id) WHERE unreachable_since IS NOT NULL;
-- Whether a tip still has held rows (its unit is told once, and again when they went).
CREATE INDEX outbox_held ON outbox(tip_id, reporter_id) WHERE held_at IS NOT NULL AND status = 'pending';
