-- 0026: the digest's lists of open tips (overdue acknowledgements, verification clocks,
-- unrouted tips; issue 13, "fast at scale") read from one small index instead of the
-- tips table and each tip's events. Before, every open tip on a list cost a lookup of its
-- row and a correlated read of its events for the time it reached its current queue, so
-- a backlog of 5,000 unacknowledged tips cost the web overview over half a second.

-- When the tip was last transferred (the latest 'transferred' event; NULL if never): the
-- time it reached the queue that holds it now is COALESCE(last_transfer_at, created_at).
-- Kept by triggers on tip_events, like the daily counts (migration 0016), so every writer
-- of events keeps it exact in the same statement; recomputed from the tip's own few
-- events rather than compared, so that a deleted or moved event is handled alike.
ALTER TABLE tips ADD COLUMN last_transfer_at TEXT;

UPDATE tips SET last_transfer_at = m.at
FROM (SELECT tip_id, MAX(at) AS at FROM tip_events WHERE action = 'transferred'
      GROUP BY tip_id) AS m
WHERE m.tip_id = tips.id;

CREATE TRIGGER tip_events_last_transfer_insert AFTER INSERT ON tip_events
WHEN NEW.action = 'transferred' BEGIN
    UPDATE tips SET last_transfer_at = (
        SELECT MAX(e.at) FROM tip_events e WHERE e.tip_id = NEW.tip_id AND +e.action = 'transferred'
    ) WHERE id = NEW.tip_id;
END;

CREATE TRIGGER tip_events_last_transfer_delete AFTER DELETE ON tip_events
WHEN OLD.action = 'transferred' BEGIN
    UPDATE tips SET last_transfer_at = (
        SELECT MAX(e.at) FROM tip_events e WHERE e.tip_id = OLD.tip_id AND +e.action = 'transferred'
    ) WHERE id = OLD.tip_id;
END;

CREATE TRIGGER tip_events_last_transfer_update AFTER UPDATE OF tip_id, action, at ON tip_events
WHEN OLD.action = 'transferred' OR NEW.action = 'transferred' BEGIN
    UPDATE tips SET last_transfer_at = (
        SELECT MAX(e.at) FROM tip_events e WHERE e.tip_id = tips.id AND +e.action = 'transferred'
    ) WHERE id IN (OLD.tip_id, NEW.tip_id);
END;

-- The open tips' index (0003) now holds every column of a tip's line in the digest
-- (storage/digests.py): the lists read it alone, in receipt order, however many
-- tips are closed. Same name and leading columns, so the queries that chose it still do.
DROP INDEX tips_open;
CREATE INDEX tips_open ON tips(
    created_at, status, id, current_unit_id, urgent, category, code, last_transfer_at,
    acknowledged_at
) WHERE status <> 'closed';

-- The tips an 'unroutable' event marks (no police chat received them): the unrouted list
-- asks this of every open tip, and this index answers it without reading any event.
CREATE INDEX tip_events_unroutable ON tip_events(tip_id) WHERE action = 'unroutable';

-- The wait from receipt to first acknowledgement (seconds, to the millisecond, never
-- negative), as the digest's median and 90th percentile take it. Computed by SQLite from
-- the row, and kept in the indexes below: a month of a million-tip province is 40,000
-- waits, and working them out from the two texts each time cost more than reading them.
ALTER TABLE tips ADD COLUMN ack_wait REAL GENERATED ALWAYS AS (
    MAX(0.0, ROUND((julianday(acknowledged_at) - julianday(created_at)) * 86400.0, 3))
) VIRTUAL;
-- The waits of the tips acknowledged in a period (and whose queue holds them, for the
-- monthly chart per unit) ...
CREATE INDEX tips_ack_waits ON tips(acknowledged_at, current_unit_id, ack_wait);
-- ... and the same for one unit's queue (the web page's unit view), with the unit's
-- tips closed in a period by outcome, and its urgent tips received in a period: each a
-- range of the unit's own rows of the period, not the province's nor the unit's history.
CREATE INDEX tips_queue_acks ON tips(current_unit_id, acknowledged_at, ack_wait);
CREATE INDEX tips_queue_closed ON tips(current_unit_id, closed_at, status, outcome);
CREATE INDEX tips_queue_urgent ON tips(current_unit_id, created_at) WHERE urgent = 1;
