-- 0025: the web page (issue 13). A commune's tips by the place they are about, newest
-- first: the list filtered by commune (the map's click) and its count ride this index
-- instead of the whole table. And the web page's own audit trail of what is not a tip's
-- event: downloads of the exports (who, when, which period and format, in which scope).
CREATE INDEX tips_place ON tips(unit_id, created_at);

CREATE TABLE web_audit (
    id          INTEGER PRIMARY KEY,
    officer_id  INTEGER NOT NULL REFERENCES officers(id),
    at          TEXT NOT NULL,
    action      TEXT NOT NULL,      -- 'export'
    detail      TEXT NOT NULL       -- e.g. 'csv 2026-11-01..2026-11-30 unit=12'
);
CREATE INDEX web_audit_officer ON web_audit(officer_id, at);
