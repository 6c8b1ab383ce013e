-- 0004: wanted-person notices (lệnh truy nã) imported from the police's list, and the link
-- from a citizen's sighting (a tip) to the notice it is about.

CREATE TABLE wanted_notices (
    id                INTEGER PRIMARY KEY,
    warrant_number    TEXT NOT NULL UNIQUE,     -- normalised: spaces squeezed, upper case
    warrant_date      TEXT NOT NULL,            -- ISO date YYYY-MM-DD
    full_name         TEXT NOT NULL,            -- "Nguyễn Văn Đức", as printed on the notice
    aliases           TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(aliases)),  -- JSON list
    search_key        TEXT NOT NULL,            -- folded name and aliases, '|' separated
    birth_year        INTEGER,                  -- NULL when the notice says "không rõ"
    sex               TEXT NOT NULL CHECK (sex IN ('male', 'female')),
    last_residence    TEXT NOT NULL,
    offence           TEXT NOT NULL,
    issuing_unit_id   INTEGER NOT NULL REFERENCES units(id),
    dangerous         INTEGER NOT NULL DEFAULT 0 CHECK (dangerous IN (0, 1)),
    photo             BLOB,                     -- PNG or JPEG bytes: backups carry the photos
    photo_sha256      TEXT,                     -- unchanged photo on re-import keeps the file id
    photo_file_id     TEXT,                     -- Telegram file id cached after first upload
    status            TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'withdrawn')),
    withdrawn_reason  TEXT CHECK (withdrawn_reason IN ('arrested', 'surrendered', 'cancelled')),
    withdrawn_at      TEXT,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    CHECK ((status = 'active') = (withdrawn_reason IS NULL AND withdrawn_at IS NULL))
);
CREATE INDEX wanted_notices_active ON wanted_notices(status, dangerous, warrant_date);

ALTER TABLE tips ADD COLUMN wanted_notice_id INTEGER REFERENCES wanted_notices(id);
CREATE INDEX tips_wanted_notice ON tips(wanted_notice_id, status) WHERE wanted_notice_id IS NOT NULL;
