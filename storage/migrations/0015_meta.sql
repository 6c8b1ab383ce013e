-- Facts about the installation itself, checked at every start: a sealed canary that only
-- the right TINBAO_SECRET_KEY opens, and the id of the bot the database was run with.
CREATE TABLE meta (
    key    TEXT PRIMARY KEY,
    value  BLOB NOT NULL
);
