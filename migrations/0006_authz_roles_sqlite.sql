-- SQLite only (Store::migrate leaves this file out on PostgreSQL; 0007 is its counterpart).
--
-- Adds the `readonly` role. SQLite cannot change a CHECK constraint in place, so `users` is
-- rebuilt. Foreign keys stay on (they cannot be switched off inside the migration's
-- transaction); instead every check is deferred to COMMIT. Order matters:
--   1. the rows are copied aside into a plain table;
--   2. dropping `users` leaves every referencing row (tokens, events, shares...) dangling,
--      which SQLite counts as deferred violations;
--   3. `users` is created again under the same name, so the references in other tables (which
--      name `users`, not a table id) point at it; renaming a new table into place would not
--      do, since the drop's violations would still be counted;
--   4. putting the rows back resolves each counted violation; had any row been lost, COMMIT
--      would fail and nothing would change.
PRAGMA defer_foreign_keys = ON;

CREATE TABLE users_before_0006 AS SELECT * FROM users;

DROP TABLE users;

CREATE TABLE users (
    id            TEXT PRIMARY KEY NOT NULL,
    org_id        TEXT NOT NULL REFERENCES orgs (id),
    username      TEXT NOT NULL UNIQUE,
    email         TEXT NOT NULL UNIQUE,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'member', 'readonly')),
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL
);

INSERT INTO users (id, org_id, username, email, role, password_hash, created_at)
SELECT id, org_id, username, email, role, password_hash, created_at FROM users_before_0006;

DROP TABLE users_before_0006;

CREATE INDEX users_by_org ON users (org_id);

-- API tokens may be narrowed to reading (1) and may expire; existing tokens stay full and
-- without expiry. The same two lines are in the other backend's file.
ALTER TABLE api_tokens ADD COLUMN read_only BIGINT NOT NULL DEFAULT 0;
ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
