-- Tenants. An org with child orgs is an "organization" in the Cloudflare sense.
-- Portable SQL: ids are UUID text, times are RFC 3339 UTC text (sortable as text).
CREATE TABLE orgs (
    id         TEXT PRIMARY KEY NOT NULL,
    name       TEXT NOT NULL,
    parent_id  TEXT REFERENCES orgs (id),
    created_at TEXT NOT NULL
);

CREATE INDEX orgs_by_parent ON orgs (parent_id);
