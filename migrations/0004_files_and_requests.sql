-- Files and apps shared with people, requests for access, and notifications.

-- File resources belong to a user (their home is /<username>/...); lookup_hash names a file
-- the way Züs clients do. Apps are catalogue entries of an org.
ALTER TABLE resources ADD COLUMN owner_user_id TEXT REFERENCES users (id);
ALTER TABLE resources ADD COLUMN lookup_hash TEXT;
CREATE INDEX resources_by_lookup_hash ON resources (owner_user_id, lookup_hash);

-- A resource shared with one user (or, for a public Züs share, with anyone holding the
-- ticket: recipient_user_id is NULL).
CREATE TABLE user_shares (
    id                TEXT PRIMARY KEY NOT NULL,
    resource_id       TEXT NOT NULL REFERENCES resources (id) ON DELETE CASCADE,
    owner_user_id     TEXT NOT NULL REFERENCES users (id),
    recipient_user_id TEXT REFERENCES users (id),
    access            TEXT NOT NULL CHECK (access IN ('read', 'write')),
    share_info_type   TEXT NOT NULL,
    message           TEXT NOT NULL,
    auth_ticket       TEXT,
    link              TEXT,
    face              TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);

CREATE UNIQUE INDEX user_shares_one_per_recipient ON user_shares (resource_id, recipient_user_id);
CREATE INDEX user_shares_by_owner ON user_shares (owner_user_id, id);
CREATE INDEX user_shares_by_recipient ON user_shares (recipient_user_id, id);

-- One row per (requester, owner, file): `attempts` counts requests, so that a requester may
-- ask again once after a decline and never while a request is pending.
CREATE TABLE access_requests (
    id                TEXT PRIMARY KEY NOT NULL,
    requester_user_id TEXT NOT NULL REFERENCES users (id),
    owner_user_id     TEXT NOT NULL REFERENCES users (id),
    resource_id       TEXT NOT NULL REFERENCES resources (id) ON DELETE CASCADE,
    lookup_hash       TEXT NOT NULL,
    auth_ticket       TEXT,
    message           TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'declined')),
    attempts          BIGINT NOT NULL,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    UNIQUE (requester_user_id, resource_id)
);

CREATE INDEX access_requests_by_owner ON access_requests (owner_user_id, id);

-- In-app notifications, and the outbox of messages still to deliver by other channels.
CREATE TABLE notifications (
    id         TEXT PRIMARY KEY NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users (id),
    kind       TEXT NOT NULL,
    title      TEXT NOT NULL,
    link       TEXT,
    read_at    TEXT,
    created_at TEXT NOT NULL
);

CREATE INDEX notifications_by_user ON notifications (user_id, id);

CREATE TABLE outbox (
    id           TEXT PRIMARY KEY NOT NULL,
    user_id      TEXT NOT NULL REFERENCES users (id),
    kind         TEXT NOT NULL,
    payload      TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    delivered_at TEXT
);
