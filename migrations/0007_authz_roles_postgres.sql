-- PostgreSQL only (Store::migrate leaves this file out on SQLite; 0006 is its counterpart).
--
-- Adds the `readonly` role. PostgreSQL names the column's CHECK `users_role_check` and can
-- replace it in place, inside the migration's transaction.
ALTER TABLE users DROP CONSTRAINT users_role_check,
    ADD CONSTRAINT users_role_check CHECK (role IN ('admin', 'member', 'readonly'));

-- API tokens may be narrowed to reading (1) and may expire; existing tokens stay full and
-- without expiry. The same two lines are in the other backend's file.
ALTER TABLE api_tokens ADD COLUMN read_only BIGINT NOT NULL DEFAULT 0;
ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
