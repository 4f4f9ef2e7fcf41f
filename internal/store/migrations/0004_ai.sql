-- AI missions: the tokens each spent, and each user's spending per UTC day,
-- against which the per-user token limit is enforced.
ALTER TABLE missions ADD COLUMN tokens INTEGER NOT NULL DEFAULT 0;

CREATE TABLE ai_usage (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    day     TEXT NOT NULL,
    tokens  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, day)
);
