-- 0027: evidence bytes a Zalo citizen sent are sealed (AES-GCM under TINBAO_SECRET_KEY,
-- bound to the file's name) together with the file's own name, so a copied database file
-- shows neither the photo nor a document's name. Rows kept before this stay readable as
-- they were (sealed = 0) until the retention purge drops them.
-- Readers: storage/stored_files.py.
ALTER TABLE stored_files ADD COLUMN sealed INTEGER NOT NULL DEFAULT 0;
