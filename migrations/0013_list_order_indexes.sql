-- Indexes for the orders lists are read in (issue #15): each list page is an index seek on
-- (scope, sort value, id) after a cursor, or an index-only skip for a numbered page, instead of
-- a sort of every matching row. Portable SQL: the same file for SQLite and PostgreSQL.

-- Account shares an account or organization sent, per face (Cloudflare, EnableNow) and across
-- faces (the web pages), by creation and by name.
CREATE INDEX account_shares_by_owner_face_created ON account_shares (owner_org_id, face, created_at, id);
CREATE INDEX account_shares_by_owner_face_name ON account_shares (owner_org_id, face, name, id);
CREATE INDEX account_shares_by_owner_created ON account_shares (owner_org_id, created_at, id);
CREATE INDEX account_shares_by_owner_name ON account_shares (owner_org_id, name, id);
