-- 0024: indexes for the web page's list and map (issue 13), so that a page over a million
-- tips costs its own rows rather than the table (measured by bench/web_pages.py; each
-- plan checked with EXPLAIN QUERY PLAN over a file of 1,000,000 tips).
--
-- The list filtered by category: its count was a scan of every tip (SCAN t) and its
-- page walked tips_created newest first, skipping other categories; now both are a range
-- of this index, in the list's order (created_at, then the rowid).
CREATE INDEX tips_category_created ON tips(category, created_at);

-- A unit's own list (a lead or officer sees the tips its queue holds now) and the list
-- filtered by commune: tips_queue (current_unit_id, status, created_at) found the unit's
-- tips but sorted all of them in a temporary B-tree for each page; by the commune of the
-- place (unit_id) there was no index, so the count scanned every tip.
CREATE INDEX tips_current_created ON tips(current_unit_id, created_at);
CREATE INDEX tips_unit_created ON tips(unit_id, created_at);

-- The map: open tips and overdue ones per commune. The open tips are few beside the
-- history, and this partial index holds exactly them with every column those counts read
-- (covering: no lookup of the tip rows).
CREATE INDEX tips_open_units ON tips(current_unit_id, status, urgent, acknowledged_at, created_at)
    WHERE status <> 'closed';
