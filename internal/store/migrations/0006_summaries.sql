-- AI summaries the console made for a user, the latest of each scope: a
-- proactive summary (high AI mode) is made again only once it is old.
CREATE TABLE ai_summaries (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    scope   TEXT NOT NULL,
    text    TEXT NOT NULL,
    tokens  INTEGER NOT NULL,
    created INTEGER NOT NULL, -- Unix seconds
    PRIMARY KEY (user_id, scope)
);
