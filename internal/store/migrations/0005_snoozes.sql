-- Card recommendations a user snoozed: hidden from them until a time
-- (Unix seconds). A recommendation is named by what it would add.
CREATE TABLE recommendation_snoozes (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    rec_id  TEXT NOT NULL,
    until   INTEGER NOT NULL,
    PRIMARY KEY (user_id, rec_id)
);
