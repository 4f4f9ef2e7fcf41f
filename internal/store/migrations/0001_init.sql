-- The console's first schema. Times are RFC 3339 text in UTC; JSON columns
-- hold a JSON object as text.

-- users: one row per person who signed in, keyed by the provider-qualified
-- subject (dev:NAME, github:LOGIN, oidc:ISSUER#SUB).
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    subject       TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL DEFAULT '',
    email         TEXT NOT NULL DEFAULT '',
    avatar_url    TEXT NOT NULL DEFAULT '',
    preferences   TEXT NOT NULL DEFAULT '{}',
    created_at    TEXT NOT NULL,
    last_login_at TEXT NOT NULL
);

-- dashboards: version counts edits, for optimistic concurrency: an edit
-- names the version it read and fails if another edit came first.
CREATE TABLE dashboards (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX dashboards_user ON dashboards(user_id);

CREATE TABLE cards (
    id           INTEGER PRIMARY KEY,
    dashboard_id INTEGER NOT NULL REFERENCES dashboards(id) ON DELETE CASCADE,
    type         TEXT NOT NULL,
    x            INTEGER NOT NULL CHECK (x >= 0),
    y            INTEGER NOT NULL CHECK (y >= 0),
    w            INTEGER NOT NULL CHECK (w >= 1),
    h            INTEGER NOT NULL CHECK (h >= 1),
    config       TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX cards_dashboard ON cards(dashboard_id);

CREATE TABLE settings (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    key     TEXT NOT NULL,
    value   TEXT NOT NULL,
    PRIMARY KEY (user_id, key)
);

CREATE TABLE onboarding_responses (
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    question   TEXT NOT NULL,
    answer     TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_id, question)
);

-- missions and their history live on the server, so they follow the user
-- from browser to browser.
CREATE TABLE missions (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    goal       TEXT NOT NULL,
    status     TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX missions_user ON missions(user_id);

CREATE TABLE mission_events (
    id         INTEGER PRIMARY KEY,
    mission_id INTEGER NOT NULL REFERENCES missions(id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    kind       TEXT NOT NULL,
    payload    TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL,
    UNIQUE (mission_id, seq)
);
