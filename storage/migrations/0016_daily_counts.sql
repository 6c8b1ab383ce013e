-- 0016: pre-aggregated daily counts, so that digests and /report read a few rows per day
-- (or month) of their period instead of every tip received in it; and indexes that keep
-- the figures still read per tip (ack-time medians, the urgent list, the tips still
-- waiting for acknowledgement) bound to the period's own tips. The readers are in
-- storage/digests.py.

-- The local day the counts are kept in: the province's UTC offset, as a date() modifier.
-- Vietnam is UTC+7 all year (no daylight saving), so one row is exact. Readers compare
-- it with the offset they need, and count from the tips themselves when it differs.
CREATE TABLE daily_counts_zone (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    minutes   INTEGER NOT NULL,                 -- +420
    modifier  TEXT NOT NULL                     -- '+420 minutes'
);
INSERT INTO daily_counts_zone(id, minutes, modifier) VALUES (1, 420, '+420 minutes');

-- One row per (measure, local day, unit, category, detail). Measures:
--   received         tips received that day, per commune of the place and category
--   received_month   the same per local month (day is 'YYYY-MM'): a year is 12 x cells
--   urgent, sighting, sighting_acted, open, moved
--                    of the tips received that day, as they stand now: urgent; naming a
--                    wanted notice or of category 'wanted'; such a sighting whose outcome
--                    is resolved or forwarded; not closed; transferred at least once
--   outcome          of the tips received that day, the closed ones by outcome (detail;
--                    '?' when none)
--   acked_urgent, acked_normal
--                    of the tips received that day, the acknowledged ones by the whole
--                    minutes they waited, rounded up (detail; 10081: over a week): "within
--                    a deadline of N minutes" is the sum of the rows up to N
--   closed           tips closed that day, by outcome (detail)
--   transferred      transfer events that day
-- Only the received measures are kept per unit and category (the figures shown per
-- commune); the others are province totals (unit_id 0, category ''). A day is the local
-- date of the second a thing happened (fractions are cut off, so 16:59:59.9996 UTC is not
-- rounded into the next day, as a text comparison of times would not either).
CREATE TABLE daily_counts (
    measure   TEXT NOT NULL,
    day       TEXT NOT NULL,                    -- 'YYYY-MM-DD' in daily_counts_zone
    unit_id   INTEGER NOT NULL,
    category  TEXT NOT NULL,
    detail    TEXT NOT NULL,
    n         INTEGER NOT NULL,
    PRIMARY KEY (measure, day, unit_id, category, detail)
) WITHOUT ROWID;

-- Kept by triggers rather than by the Python that changes tips: every write to tips and
-- tip_events (the bot's intake and queue actions, the command line, the test-data
-- generator, a repair made by hand in sqlite3) moves the counts in the same statement,
-- hence in the same transaction, so they cannot drift from the rows they count nor be
-- forgotten by a new code path. Each trigger adds the contributions of the new row and
-- takes away those of the old one; what does not change nets to zero and writes
-- nothing. IFNULL keeps a malformed time from ever failing a citizen's tip (it is
-- counted under day '').
CREATE TRIGGER tips_counts_insert AFTER INSERT ON tips BEGIN
    INSERT INTO daily_counts(measure, day, unit_id, category, detail, n)
    SELECT measure, day, unit_id, category, detail, SUM(n) FROM (
        SELECT c.measure AS measure,
               IFNULL(strftime(
                   CASE c.measure WHEN 'received_month' THEN '%Y-%m' ELSE '%Y-%m-%d' END,
                   substr(c.at, 1, 19), z.modifier), '') AS day,
               c.unit_id AS unit_id, c.category AS category,
               CASE WHEN c.x IS NULL THEN c.detail
                    ELSE MIN(CAST(c.x AS INTEGER) + (c.x > CAST(c.x AS INTEGER)), 10081)
               END AS detail,
               c.n AS n
        FROM daily_counts_zone z, (
            SELECT 'received' AS measure, NEW.created_at AS at, NEW.unit_id AS unit_id,
                NEW.category AS category, '' AS detail, NULL AS x, 1 AS n
            UNION ALL SELECT 'received_month', NEW.created_at, NEW.unit_id, NEW.category, '',
                NULL, 1
            UNION ALL SELECT 'urgent', NEW.created_at, 0, '', '', NULL, 1
                WHERE NEW.urgent = 1
            UNION ALL SELECT 'sighting', NEW.created_at, 0, '', '', NULL, 1
                WHERE (NEW.wanted_notice_id IS NOT NULL OR NEW.category = 'wanted')
            UNION ALL SELECT 'sighting_acted', NEW.created_at, 0, '', '', NULL, 1
                WHERE (NEW.wanted_notice_id IS NOT NULL OR NEW.category = 'wanted')
                AND NEW.outcome IN ('resolved', 'forwarded')
            UNION ALL SELECT 'open', NEW.created_at, 0, '', '', NULL, 1
                WHERE NEW.status <> 'closed'
            UNION ALL SELECT 'moved', NEW.created_at, 0, '', '', NULL, 1
                WHERE NEW.transfers > 0
            UNION ALL SELECT 'outcome', NEW.created_at, 0, '', IFNULL(NEW.outcome, '?'), NULL, 1
                WHERE NEW.status = 'closed'
            UNION ALL SELECT 'closed', NEW.closed_at, 0, '', IFNULL(NEW.outcome, '?'), NULL, 1
                WHERE NEW.status = 'closed' AND NEW.closed_at IS NOT NULL
            UNION ALL SELECT CASE WHEN NEW.urgent = 1 THEN 'acked_urgent' ELSE 'acked_normal' END,
                NEW.created_at, 0, '', '?',
                ROUND((julianday(NEW.acknowledged_at) - julianday(NEW.created_at)) * 1440.0, 5), 1
                WHERE NEW.acknowledged_at IS NOT NULL
        ) c
    ) WHERE true GROUP BY measure, day, unit_id, category, detail HAVING SUM(n) <> 0
    ON CONFLICT (measure, day, unit_id, category, detail) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER tips_counts_update AFTER UPDATE OF
    created_at, unit_id, category, urgent, status, outcome, acknowledged_at, closed_at, transfers,
    wanted_notice_id
ON tips BEGIN
    INSERT INTO daily_counts(measure, day, unit_id, category, detail, n)
    SELECT measure, day, unit_id, category, detail, SUM(n) FROM (
        SELECT c.measure AS measure,
               IFNULL(strftime(
                   CASE c.measure WHEN 'received_month' THEN '%Y-%m' ELSE '%Y-%m-%d' END,
                   substr(c.at, 1, 19), z.modifier), '') AS day,
               c.unit_id AS unit_id, c.category AS category,
               CASE WHEN c.x IS NULL THEN c.detail
                    ELSE MIN(CAST(c.x AS INTEGER) + (c.x > CAST(c.x AS INTEGER)), 10081)
               END AS detail,
               c.n AS n
        FROM daily_counts_zone z, (
            SELECT 'received' AS measure, NEW.created_at AS at, NEW.unit_id AS unit_id,
                NEW.category AS category, '' AS detail, NULL AS x, 1 AS n
            UNION ALL SELECT 'received_month', NEW.created_at, NEW.unit_id, NEW.category, '',
                NULL, 1
            UNION ALL SELECT 'urgent', NEW.created_at, 0, '', '', NULL, 1
                WHERE NEW.urgent = 1
            UNION ALL SELECT 'sighting', NEW.created_at, 0, '', '', NULL, 1
                WHERE (NEW.wanted_notice_id IS NOT NULL OR NEW.category = 'wanted')
            UNION ALL SELECT 'sighting_acted', NEW.created_at, 0, '', '', NULL, 1
                WHERE (NEW.wanted_notice_id IS NOT NULL OR NEW.category = 'wanted')
                AND NEW.outcome IN ('resolved', 'forwarded')
            UNION ALL SELECT 'open', NEW.created_at, 0, '', '', NULL, 1
                WHERE NEW.status <> 'closed'
            UNION ALL SELECT 'moved', NEW.created_at, 0, '', '', NULL, 1
                WHERE NEW.transfers > 0
            UNION ALL SELECT 'outcome', NEW.created_at, 0, '', IFNULL(NEW.outcome, '?'), NULL, 1
                WHERE NEW.status = 'closed'
            UNION ALL SELECT 'closed', NEW.closed_at, 0, '', IFNULL(NEW.outcome, '?'), NULL, 1
                WHERE NEW.status = 'closed' AND NEW.closed_at IS NOT NULL
            UNION ALL SELECT CASE WHEN NEW.urgent = 1 THEN 'acked_urgent' ELSE 'acked_normal' END,
                NEW.created_at, 0, '', '?',
                ROUND((julianday(NEW.acknowledged_at) - julianday(NEW.created_at)) * 1440.0, 5), 1
                WHERE NEW.acknowledged_at IS NOT NULL
            UNION ALL SELECT 'received', OLD.created_at, OLD.unit_id, OLD.category, '', NULL, -1
            UNION ALL SELECT 'received_month', OLD.created_at, OLD.unit_id, OLD.category, '',
                NULL, -1
            UNION ALL SELECT 'urgent', OLD.created_at, 0, '', '', NULL, -1
                WHERE OLD.urgent = 1
            UNION ALL SELECT 'sighting', OLD.created_at, 0, '', '', NULL, -1
                WHERE (OLD.wanted_notice_id IS NOT NULL OR OLD.category = 'wanted')
            UNION ALL SELECT 'sighting_acted', OLD.created_at, 0, '', '', NULL, -1
                WHERE (OLD.wanted_notice_id IS NOT NULL OR OLD.category = 'wanted')
                AND OLD.outcome IN ('resolved', 'forwarded')
            UNION ALL SELECT 'open', OLD.created_at, 0, '', '', NULL, -1
                WHERE OLD.status <> 'closed'
            UNION ALL SELECT 'moved', OLD.created_at, 0, '', '', NULL, -1
                WHERE OLD.transfers > 0
            UNION ALL SELECT 'outcome', OLD.created_at, 0, '', IFNULL(OLD.outcome, '?'), NULL, -1
                WHERE OLD.status = 'closed'
            UNION ALL SELECT 'closed', OLD.closed_at, 0, '', IFNULL(OLD.outcome, '?'), NULL, -1
                WHERE OLD.status = 'closed' AND OLD.closed_at IS NOT NULL
            UNION ALL SELECT CASE WHEN OLD.urgent = 1 THEN 'acked_urgent' ELSE 'acked_normal' END,
                OLD.created_at, 0, '', '?',
                ROUND((julianday(OLD.acknowledged_at) - julianday(OLD.created_at)) * 1440.0, 5), -1
                WHERE OLD.acknowledged_at IS NOT NULL
        ) c
    ) WHERE true GROUP BY measure, day, unit_id, category, detail HAVING SUM(n) <> 0
    ON CONFLICT (measure, day, unit_id, category, detail) DO UPDATE SET n = n + excluded.n;
END;

-- Tips are never deleted today (retention clears fields, not rows); if one ever is, its
-- counts go with it, as they would from a count made over the tips themselves.
CREATE TRIGGER tips_counts_delete AFTER DELETE ON tips BEGIN
    INSERT INTO daily_counts(measure, day, unit_id, category, detail, n)
    SELECT measure, day, unit_id, category, detail, SUM(n) FROM (
        SELECT c.measure AS measure,
               IFNULL(strftime(
                   CASE c.measure WHEN 'received_month' THEN '%Y-%m' ELSE '%Y-%m-%d' END,
                   substr(c.at, 1, 19), z.modifier), '') AS day,
               c.unit_id AS unit_id, c.category AS category,
               CASE WHEN c.x IS NULL THEN c.detail
                    ELSE MIN(CAST(c.x AS INTEGER) + (c.x > CAST(c.x AS INTEGER)), 10081)
               END AS detail,
               c.n AS n
        FROM daily_counts_zone z, (
            SELECT 'received' AS measure, OLD.created_at AS at, OLD.unit_id AS unit_id,
                OLD.category AS category, '' AS detail, NULL AS x, -1 AS n
            UNION ALL SELECT 'received_month', OLD.created_at, OLD.unit_id, OLD.category, '',
                NULL, -1
            UNION ALL SELECT 'urgent', OLD.created_at, 0, '', '', NULL, -1
                WHERE OLD.urgent = 1
            UNION ALL SELECT 'sighting', OLD.created_at, 0, '', '', NULL, -1
                WHERE (OLD.wanted_notice_id IS NOT NULL OR OLD.category = 'wanted')
            UNION ALL SELECT 'sighting_acted', OLD.created_at, 0, '', '', NULL, -1
                WHERE (OLD.wanted_notice_id IS NOT NULL OR OLD.category = 'wanted')
                AND OLD.outcome IN ('resolved', 'forwarded')
            UNION ALL SELECT 'open', OLD.created_at, 0, '', '', NULL, -1
                WHERE OLD.status <> 'closed'
            UNION ALL SELECT 'moved', OLD.created_at, 0, '', '', NULL, -1
                WHERE OLD.transfers > 0
            UNION ALL SELECT 'outcome', OLD.created_at, 0, '', IFNULL(OLD.outcome, '?'), NULL, -1
                WHERE OLD.status = 'closed'
            UNION ALL SELECT 'closed', OLD.closed_at, 0, '', IFNULL(OLD.outcome, '?'), NULL, -1
                WHERE OLD.status = 'closed' AND OLD.closed_at IS NOT NULL
            UNION ALL SELECT CASE WHEN OLD.urgent = 1 THEN 'acked_urgent' ELSE 'acked_normal' END,
                OLD.created_at, 0, '', '?',
                ROUND((julianday(OLD.acknowledged_at) - julianday(OLD.created_at)) * 1440.0, 5), -1
                WHERE OLD.acknowledged_at IS NOT NULL
        ) c
    ) WHERE true GROUP BY measure, day, unit_id, category, detail HAVING SUM(n) <> 0
    ON CONFLICT (measure, day, unit_id, category, detail) DO UPDATE SET n = n + excluded.n;
END;


CREATE TRIGGER tip_events_counts_insert AFTER INSERT ON tip_events
WHEN NEW.action = 'transferred' BEGIN
    INSERT INTO daily_counts(measure, day, unit_id, category, detail, n)
    SELECT 'transferred', IFNULL(date(substr(NEW.at, 1, 19), z.modifier), ''), 0, '', '', 1
    FROM daily_counts_zone z WHERE true
    ON CONFLICT (measure, day, unit_id, category, detail) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER tip_events_counts_delete AFTER DELETE ON tip_events
WHEN OLD.action = 'transferred' BEGIN
    INSERT INTO daily_counts(measure, day, unit_id, category, detail, n)
    SELECT 'transferred', IFNULL(date(substr(OLD.at, 1, 19), z.modifier), ''), 0, '', '', -1
    FROM daily_counts_zone z WHERE true
    ON CONFLICT (measure, day, unit_id, category, detail) DO UPDATE SET n = n - 1;
END;

CREATE TRIGGER tip_events_counts_update AFTER UPDATE OF action, at ON tip_events
WHEN OLD.action = 'transferred' OR NEW.action = 'transferred' BEGIN
    INSERT INTO daily_counts(measure, day, unit_id, category, detail, n)
    SELECT 'transferred', day, 0, '', '', SUM(n) FROM (
        SELECT IFNULL(date(substr(NEW.at, 1, 19), z.modifier), '') AS day, 1 AS n
        FROM daily_counts_zone z WHERE NEW.action = 'transferred'
        UNION ALL
        SELECT IFNULL(date(substr(OLD.at, 1, 19), z.modifier), ''), -1
        FROM daily_counts_zone z WHERE OLD.action = 'transferred'
    ) WHERE true GROUP BY day HAVING SUM(n) <> 0
    ON CONFLICT (measure, day, unit_id, category, detail) DO UPDATE SET n = n + excluded.n;
END;

-- The tips already in the file, counted the same way in one pass over them (SQLite has
-- no lateral join, so each tip meets the list of measures and keeps those it counts in).
INSERT INTO daily_counts(measure, day, unit_id, category, detail, n)
SELECT measure, day, unit_id, category, detail, COUNT(*) FROM (
    SELECT c.measure AS measure,
           IFNULL(strftime(
               CASE c.measure WHEN 'received_month' THEN '%Y-%m' ELSE '%Y-%m-%d' END,
               substr(c.at, 1, 19), c.modifier), '') AS day,
           c.unit_id AS unit_id, c.category AS category,
           CASE WHEN c.x IS NULL THEN c.detail
                ELSE MIN(CAST(c.x AS INTEGER) + (c.x > CAST(c.x AS INTEGER)), 10081)
           END AS detail
    FROM (
        SELECT CASE m.measure
                   WHEN 'acked' THEN
                       CASE WHEN t.urgent = 1 THEN 'acked_urgent' ELSE 'acked_normal' END
                   ELSE m.measure END AS measure,
               CASE m.measure WHEN 'closed' THEN t.closed_at ELSE t.created_at END AS at,
               CASE WHEN m.measure IN ('received', 'received_month') THEN t.unit_id ELSE 0 END
                   AS unit_id,
               CASE WHEN m.measure IN ('received', 'received_month') THEN t.category ELSE '' END
                   AS category,
               CASE WHEN m.measure IN ('outcome', 'closed') THEN IFNULL(t.outcome, '?')
                    WHEN m.measure = 'acked' THEN '?' ELSE '' END AS detail,
               CASE WHEN m.measure = 'acked' THEN
                   ROUND((julianday(t.acknowledged_at) - julianday(t.created_at)) * 1440.0, 5)
               END AS x,
               z.modifier AS modifier
        FROM tips t CROSS JOIN daily_counts_zone z CROSS JOIN (
            SELECT 'received' AS measure UNION ALL SELECT 'received_month'
            UNION ALL SELECT 'urgent' UNION ALL SELECT 'sighting' UNION ALL SELECT 'sighting_acted'
            UNION ALL SELECT 'open' UNION ALL SELECT 'moved' UNION ALL SELECT 'outcome'
            UNION ALL SELECT 'closed' UNION ALL SELECT 'acked'
        ) m
        WHERE CASE m.measure
            WHEN 'urgent' THEN t.urgent = 1
            WHEN 'sighting' THEN t.wanted_notice_id IS NOT NULL OR t.category = 'wanted'
            WHEN 'sighting_acted' THEN (t.wanted_notice_id IS NOT NULL OR t.category = 'wanted')
                                       AND t.outcome IN ('resolved', 'forwarded')
            WHEN 'open' THEN t.status <> 'closed'
            WHEN 'moved' THEN t.transfers > 0
            WHEN 'outcome' THEN t.status = 'closed'
            WHEN 'closed' THEN t.status = 'closed' AND t.closed_at IS NOT NULL
            WHEN 'acked' THEN t.acknowledged_at IS NOT NULL
            ELSE 1
        END
    ) c
    UNION ALL
    SELECT 'transferred', IFNULL(date(substr(e.at, 1, 19), z.modifier), ''), 0, '', ''
    FROM tip_events e CROSS JOIN daily_counts_zone z WHERE e.action = 'transferred'
) WHERE true GROUP BY measure, day, unit_id, category, detail;

-- Figures still read per tip, each bound to the period's rows by its index: the
-- acknowledgement times of a digest (median, 90th percentile, per unit; covering, and it
-- replaces tips_acknowledged, its first column), and a report's tips not acknowledged
-- (yet), whose deadline has passed or not by now (acknowledged_at IS NULL, then the
-- period's created_at range), ...
CREATE INDEX tips_ack_times ON tips(acknowledged_at, created_at, current_unit_id);
DROP INDEX tips_acknowledged;
-- ... the urgent tips of a period, and the distinct wanted notices sighted in it.
CREATE INDEX tips_urgent ON tips(created_at) WHERE urgent = 1;
CREATE INDEX tips_notice_sightings ON tips(created_at, wanted_notice_id)
    WHERE wanted_notice_id IS NOT NULL;
