-- 0009: pre-aggregated daily counts, so that digests and /report read a few rows per day
-- of their period instead of every tip received in it; and indexes that keep the per-tip
-- figures (ack-time medians, the urgent list, the deadline share of a report) bound to
-- the period's own tips. See storage/digests.py for the readers.

-- The local day the counts are kept in: the province's UTC offset, as a date() modifier.
-- Vietnam is UTC+7 all year (no daylight saving), so one row is exact. Readers compare
-- it with the offset they need and count from the tips themselves when it differs.
CREATE TABLE daily_counts_zone (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    minutes   INTEGER NOT NULL,                 -- +420
    modifier  TEXT NOT NULL                     -- '+420 minutes'
);
INSERT INTO daily_counts_zone(id, minutes, modifier) VALUES (1, 420, '+420 minutes');

-- One row per (measure, local day, unit, category, outcome). Measures:
--   received         tips received that day, per commune of the place and category
--   urgent, sighting, sighting_acted, open, moved
--                    of the tips received that day, as they stand now: urgent; naming a
--                    wanted notice or of category 'wanted'; such a sighting whose outcome
--                    is resolved or forwarded; not closed; transferred at least once
--   outcome          of the tips received that day, the closed ones by outcome ('?': none)
--   closed           tips closed that day, by outcome
--   transferred      transfer events that day
-- Only 'received' is kept per unit and category (the figures shown per commune); the
-- others are province totals (unit_id 0, category ''), and only 'outcome' and 'closed'
-- use the outcome column. A day is the local date of the second the thing happened
-- (fractions cut off, so a tip at 16:59:59.9996 UTC is not rounded into the next day).
CREATE TABLE daily_counts (
    measure   TEXT NOT NULL,
    day       TEXT NOT NULL,                    -- 'YYYY-MM-DD' in daily_counts_zone
    unit_id   INTEGER NOT NULL,
    category  TEXT NOT NULL,
    outcome   TEXT NOT NULL,
    n         INTEGER NOT NULL,
    PRIMARY KEY (measure, day, unit_id, category, outcome)
) WITHOUT ROWID;

-- Kept by triggers, not by the Python that changes tips: every write to tips and
-- tip_events (the bot's intake and queue actions, the command line, the generator of
-- test data, a repair made by hand in sqlite3) moves the counts in the same statement,
-- so they cannot drift from the rows they count nor be forgotten by a new code path.
-- Each trigger adds the contributions of the new row and takes away those of the old
-- one; what does not change nets to zero and writes nothing. IFNULL keeps a malformed
-- timestamp from ever failing the citizen's tip (it is counted under day '').
CREATE TRIGGER tips_counts_insert AFTER INSERT ON tips BEGIN
    INSERT INTO daily_counts(measure, day, unit_id, category, outcome, n)
    SELECT measure, day, unit_id, category, outcome, SUM(n) FROM (
        SELECT 'received' AS measure, IFNULL(date(substr(NEW.created_at, 1, 19), z.modifier), '') AS day,
               NEW.unit_id AS unit_id, NEW.category AS category, '' AS outcome, 1 AS n
        FROM daily_counts_zone z
        UNION ALL
        SELECT m.measure, IFNULL(date(substr(m.at, 1, 19), z.modifier), ''), 0, '', m.outcome, 1
        FROM daily_counts_zone z, (
            SELECT 'urgent' AS measure, NEW.created_at AS at, '' AS outcome WHERE NEW.urgent = 1
            UNION ALL SELECT 'sighting', NEW.created_at, ''
                WHERE NEW.wanted_notice_id IS NOT NULL OR NEW.category = 'wanted'
            UNION ALL SELECT 'sighting_acted', NEW.created_at, ''
                WHERE (NEW.wanted_notice_id IS NOT NULL OR NEW.category = 'wanted')
                AND NEW.outcome IN ('resolved', 'forwarded')
            UNION ALL SELECT 'open', NEW.created_at, '' WHERE NEW.status <> 'closed'
            UNION ALL SELECT 'moved', NEW.created_at, '' WHERE NEW.transfers > 0
            UNION ALL SELECT 'outcome', NEW.created_at, IFNULL(NEW.outcome, '?')
                WHERE NEW.status = 'closed'
            UNION ALL SELECT 'closed', NEW.closed_at, IFNULL(NEW.outcome, '?')
                WHERE NEW.status = 'closed' AND NEW.closed_at IS NOT NULL
        ) m
    ) WHERE true GROUP BY measure, day, unit_id, category, outcome
    ON CONFLICT (measure, day, unit_id, category, outcome) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER tips_counts_update AFTER UPDATE OF
    created_at, unit_id, category, urgent, status, outcome, closed_at, transfers, wanted_notice_id
ON tips BEGIN
    INSERT INTO daily_counts(measure, day, unit_id, category, outcome, n)
    SELECT measure, day, unit_id, category, outcome, SUM(n) FROM (
        SELECT 'received' AS measure, IFNULL(date(substr(NEW.created_at, 1, 19), z.modifier), '') AS day,
               NEW.unit_id AS unit_id, NEW.category AS category, '' AS outcome, 1 AS n
        FROM daily_counts_zone z
        UNION ALL
        SELECT 'received', IFNULL(date(substr(OLD.created_at, 1, 19), z.modifier), ''),
               OLD.unit_id, OLD.category, '', -1
        FROM daily_counts_zone z
        UNION ALL
        SELECT m.measure, IFNULL(date(substr(m.at, 1, 19), z.modifier), ''), 0, '', m.outcome, m.n
        FROM daily_counts_zone z, (
            SELECT 'urgent' AS measure, NEW.created_at AS at, '' AS outcome, 1 AS n
                WHERE NEW.urgent = 1
            UNION ALL SELECT 'sighting', NEW.created_at, '', 1
                WHERE NEW.wanted_notice_id IS NOT NULL OR NEW.category = 'wanted'
            UNION ALL SELECT 'sighting_acted', NEW.created_at, '', 1
                WHERE (NEW.wanted_notice_id IS NOT NULL OR NEW.category = 'wanted')
                AND NEW.outcome IN ('resolved', 'forwarded')
            UNION ALL SELECT 'open', NEW.created_at, '', 1 WHERE NEW.status <> 'closed'
            UNION ALL SELECT 'moved', NEW.created_at, '', 1 WHERE NEW.transfers > 0
            UNION ALL SELECT 'outcome', NEW.created_at, IFNULL(NEW.outcome, '?'), 1
                WHERE NEW.status = 'closed'
            UNION ALL SELECT 'closed', NEW.closed_at, IFNULL(NEW.outcome, '?'), 1
                WHERE NEW.status = 'closed' AND NEW.closed_at IS NOT NULL
            UNION ALL SELECT 'urgent', OLD.created_at, '', -1 WHERE OLD.urgent = 1
            UNION ALL SELECT 'sighting', OLD.created_at, '', -1
                WHERE OLD.wanted_notice_id IS NOT NULL OR OLD.category = 'wanted'
            UNION ALL SELECT 'sighting_acted', OLD.created_at, '', -1
                WHERE (OLD.wanted_notice_id IS NOT NULL OR OLD.category = 'wanted')
                AND OLD.outcome IN ('resolved', 'forwarded')
            UNION ALL SELECT 'open', OLD.created_at, '', -1 WHERE OLD.status <> 'closed'
            UNION ALL SELECT 'moved', OLD.created_at, '', -1 WHERE OLD.transfers > 0
            UNION ALL SELECT 'outcome', OLD.created_at, IFNULL(OLD.outcome, '?'), -1
                WHERE OLD.status = 'closed'
            UNION ALL SELECT 'closed', OLD.closed_at, IFNULL(OLD.outcome, '?'), -1
                WHERE OLD.status = 'closed' AND OLD.closed_at IS NOT NULL
        ) m
    ) WHERE true GROUP BY measure, day, unit_id, category, outcome HAVING SUM(n) <> 0
    ON CONFLICT (measure, day, unit_id, category, outcome) DO UPDATE SET n = n + excluded.n;
END;

-- Tips are never deleted today (retention clears fields, not rows); if one ever is, its
-- counts go with it, as they would from a count made over the tips themselves.
CREATE TRIGGER tips_counts_delete AFTER DELETE ON tips BEGIN
    INSERT INTO daily_counts(measure, day, unit_id, category, outcome, n)
    SELECT measure, day, unit_id, category, outcome, SUM(n) FROM (
        SELECT 'received' AS measure, IFNULL(date(substr(OLD.created_at, 1, 19), z.modifier), '') AS day,
               OLD.unit_id AS unit_id, OLD.category AS category, '' AS outcome, -1 AS n
        FROM daily_counts_zone z
        UNION ALL
        SELECT m.measure, IFNULL(date(substr(m.at, 1, 19), z.modifier), ''), 0, '', m.outcome, -1
        FROM daily_counts_zone z, (
            SELECT 'urgent' AS measure, OLD.created_at AS at, '' AS outcome WHERE OLD.urgent = 1
            UNION ALL SELECT 'sighting', OLD.created_at, ''
                WHERE OLD.wanted_notice_id IS NOT NULL OR OLD.category = 'wanted'
            UNION ALL SELECT 'sighting_acted', OLD.created_at, ''
                WHERE (OLD.wanted_notice_id IS NOT NULL OR OLD.category = 'wanted')
                AND OLD.outcome IN ('resolved', 'forwarded')
            UNION ALL SELECT 'open', OLD.created_at, '' WHERE OLD.status <> 'closed'
            UNION ALL SELECT 'moved', OLD.created_at, '' WHERE OLD.transfers > 0
            UNION ALL SELECT 'outcome', OLD.created_at, IFNULL(OLD.outcome, '?')
                WHERE OLD.status = 'closed'
            UNION ALL SELECT 'closed', OLD.closed_at, IFNULL(OLD.outcome, '?')
                WHERE OLD.status = 'closed' AND OLD.closed_at IS NOT NULL
        ) m
    ) WHERE true GROUP BY measure, day, unit_id, category, outcome
    ON CONFLICT (measure, day, unit_id, category, outcome) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER tip_events_counts_insert AFTER INSERT ON tip_events
WHEN NEW.action = 'transferred' BEGIN
    INSERT INTO daily_counts(measure, day, unit_id, category, outcome, n)
    SELECT 'transferred', IFNULL(date(substr(NEW.at, 1, 19), z.modifier), ''), 0, '', '', 1
    FROM daily_counts_zone z WHERE true
    ON CONFLICT (measure, day, unit_id, category, outcome) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER tip_events_counts_delete AFTER DELETE ON tip_events
WHEN OLD.action = 'transferred' BEGIN
    INSERT INTO daily_counts(measure, day, unit_id, category, outcome, n)
    SELECT 'transferred', IFNULL(date(substr(OLD.at, 1, 19), z.modifier), ''), 0, '', '', -1
    FROM daily_counts_zone z WHERE true
    ON CONFLICT (measure, day, unit_id, category, outcome) DO UPDATE SET n = n - 1;
END;

CREATE TRIGGER tip_events_counts_update AFTER UPDATE OF action, at ON tip_events
WHEN OLD.action = 'transferred' OR NEW.action = 'transferred' BEGIN
    INSERT INTO daily_counts(measure, day, unit_id, category, outcome, n)
    SELECT 'transferred', day, 0, '', '', SUM(n) FROM (
        SELECT IFNULL(date(substr(NEW.at, 1, 19), z.modifier), '') AS day, 1 AS n
        FROM daily_counts_zone z WHERE NEW.action = 'transferred'
        UNION ALL
        SELECT IFNULL(date(substr(OLD.at, 1, 19), z.modifier), ''), -1
        FROM daily_counts_zone z WHERE OLD.action = 'transferred'
    ) WHERE true GROUP BY day HAVING SUM(n) <> 0
    ON CONFLICT (measure, day, unit_id, category, outcome) DO UPDATE SET n = n + excluded.n;
END;

-- The tips already in the file, counted the same way in one pass over them.
INSERT INTO daily_counts(measure, day, unit_id, category, outcome, n)
SELECT measure, day, unit_id, category, outcome, COUNT(*) FROM (
    SELECT m.measure AS measure,
           IFNULL(date(substr(CASE m.measure WHEN 'closed' THEN t.closed_at
                                             ELSE t.created_at END, 1, 19), z.modifier), '') AS day,
           CASE m.measure WHEN 'received' THEN t.unit_id ELSE 0 END AS unit_id,
           CASE m.measure WHEN 'received' THEN t.category ELSE '' END AS category,
           CASE WHEN m.measure IN ('outcome', 'closed') THEN IFNULL(t.outcome, '?')
                ELSE '' END AS outcome
    FROM tips t CROSS JOIN daily_counts_zone z CROSS JOIN (
        SELECT 'received' AS measure UNION ALL SELECT 'urgent' UNION ALL SELECT 'sighting'
        UNION ALL SELECT 'sighting_acted' UNION ALL SELECT 'open' UNION ALL SELECT 'moved'
        UNION ALL SELECT 'outcome' UNION ALL SELECT 'closed'
    ) m
    WHERE CASE m.measure
        WHEN 'received' THEN 1
        WHEN 'urgent' THEN t.urgent = 1
        WHEN 'sighting' THEN t.wanted_notice_id IS NOT NULL OR t.category = 'wanted'
        WHEN 'sighting_acted' THEN (t.wanted_notice_id IS NOT NULL OR t.category = 'wanted')
                                   AND t.outcome IN ('resolved', 'forwarded')
        WHEN 'open' THEN t.status <> 'closed'
        WHEN 'moved' THEN t.transfers > 0
        WHEN 'outcome' THEN t.status = 'closed'
        WHEN 'closed' THEN t.status = 'closed' AND t.closed_at IS NOT NULL
    END
    UNION ALL
    SELECT 'transferred', IFNULL(date(substr(e.at, 1, 19), z.modifier), ''), 0, '', ''
    FROM tip_events e CROSS JOIN daily_counts_zone z WHERE e.action = 'transferred'
) WHERE true GROUP BY measure, day, unit_id, category, outcome;

-- Per-tip figures that stay per tip, each bound to the period's rows by its index:
-- the deadline share of a /report reads only this index (no table rows), ...
CREATE INDEX tips_created_ack ON tips(created_at, urgent, acknowledged_at);
-- ... acknowledgement times of a digest (median, 90th percentile, per unit) likewise, ...
CREATE INDEX tips_ack_times ON tips(acknowledged_at, created_at, current_unit_id);
DROP INDEX tips_acknowledged;  -- the first column of tips_ack_times: one index, not two
-- ... the urgent tips of a period, and the distinct wanted notices sighted in it.
CREATE INDEX tips_urgent ON tips(created_at) WHERE urgent = 1;
CREATE INDEX tips_notice_sightings ON tips(created_at, wanted_notice_id)
    WHERE wanted_notice_id IS NOT NULL;
