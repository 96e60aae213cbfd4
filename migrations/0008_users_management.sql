-- User management: deactivation, the time of the last sign-in, and one-time links that let a
-- person set their own password.

-- NULL while the user is active. A deactivated user keeps their rows (audit history, tokens)
-- but cannot sign in, and their sessions and tokens are refused on every request.
ALTER TABLE users ADD COLUMN deactivated_at TEXT;
ALTER TABLE users ADD COLUMN last_sign_in_at TEXT;

-- Only a SHA-256 of each link's secret is kept, like API tokens. A link is usable once
-- (`used_at`), until `expires_at`; issuing a new link for a user retires the older ones.
CREATE TABLE password_links (
    id          TEXT PRIMARY KEY NOT NULL,
    user_id     TEXT NOT NULL REFERENCES users (id),
    secret_hash TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT
);

CREATE INDEX password_links_by_user ON password_links (user_id);
CREATE INDEX users_by_org_and_role ON users (org_id, role);
