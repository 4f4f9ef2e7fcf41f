-- keys: secrets the console keeps across restarts and shares between
-- replicas, such as the key session cookies are signed with. Deleting a row
-- makes a new key at the next start: every session it signed ends.
CREATE TABLE keys (
    name       TEXT PRIMARY KEY,
    value      BLOB NOT NULL,
    created_at TEXT NOT NULL
);
