-- People, their API tokens, and the append-only audit log.
-- Usernames and emails are stored normalised (lowercase), so UNIQUE is case-insensitive.
CREATE TABLE users (
    id            TEXT PRIMARY KEY NOT NULL,
    org_id        TEXT NOT NULL REFERENCES orgs (id),
    username      TEXT NOT NULL UNIQUE,
    email         TEXT NOT NULL UNIQUE,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'member')),
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL
);

CREATE INDEX users_by_org ON users (org_id);

-- Only a SHA-256 of each secret is kept: the secret itself is shown once, at creation.
CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY NOT NULL,
    user_id      TEXT NOT NULL REFERENCES users (id),
    name         TEXT NOT NULL,
    secret_hash  TEXT NOT NULL UNIQUE,
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
);

CREATE INDEX api_tokens_by_user ON api_tokens (user_id, id);

-- Written in the same transaction as the change it records; never updated or deleted.
-- actor_user_id is NULL for changes made by an operator through the CLI.
CREATE TABLE events (
    id            TEXT PRIMARY KEY NOT NULL,
    org_id        TEXT NOT NULL REFERENCES orgs (id),
    actor_user_id TEXT REFERENCES users (id),
    actor_name    TEXT NOT NULL,
    action        TEXT NOT NULL,
    object_type   TEXT NOT NULL,
    object_id     TEXT NOT NULL,
    face          TEXT NOT NULL,
    detail        TEXT NOT NULL,
    created_at    TEXT NOT NULL
);

CREATE INDEX events_by_org ON events (org_id, id);
CREATE INDEX events_by_org_and_action ON events (org_id, action, id);
