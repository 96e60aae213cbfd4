-- Delivery: webhook endpoints and their deliveries, email through the outbox, and each
-- person's email opt-outs.

-- An org's webhook endpoint. The signing secret must be readable to sign each delivery, so it
-- is stored as is (like the offer link tokens); it is shown to an admin once, at creation or
-- rotation. `event_types` is empty for every event, else the types separated by spaces.
-- `disabled_at` is NULL while the endpoint receives deliveries; `failing_since` is the first
-- failed attempt since the last success.
CREATE TABLE webhook_endpoints (
    id                 TEXT PRIMARY KEY NOT NULL,
    org_id             TEXT NOT NULL REFERENCES orgs (id),
    url                TEXT NOT NULL,
    description        TEXT NOT NULL,
    event_types        TEXT NOT NULL,
    secret             TEXT NOT NULL,
    disabled_at        TEXT,
    disabled_reason    TEXT,
    failing_since      TEXT,
    created_by_user_id TEXT REFERENCES users (id),
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
);

CREATE INDEX webhook_endpoints_by_org ON webhook_endpoints (org_id, id);

-- One event for one endpoint. The id is the `webhook-id` every attempt carries, and the
-- payload is the exact body, so receivers can verify and deduplicate. Deliveries of one
-- endpoint go out in id order; a worker leases one (`locked_until`) while it sends it.
CREATE TABLE webhook_deliveries (
    id               TEXT PRIMARY KEY NOT NULL,
    endpoint_id      TEXT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_type       TEXT NOT NULL,
    payload          TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts         BIGINT NOT NULL,
    next_attempt_at  TEXT NOT NULL,
    locked_until     TEXT,
    last_status_code BIGINT,
    last_error       TEXT,
    last_latency_ms  BIGINT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    delivered_at     TEXT
);

CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries (endpoint_id, status, id);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);

-- The outbox becomes the email queue. Messages queued before email existed were never meant
-- to be sent: they are `skipped`. `dedupe_key` names the event a message is for, so one event
-- never mails one person twice.
ALTER TABLE outbox ADD COLUMN status TEXT NOT NULL DEFAULT 'skipped';
ALTER TABLE outbox ADD COLUMN category TEXT NOT NULL DEFAULT 'shares';
ALTER TABLE outbox ADD COLUMN dedupe_key TEXT;
ALTER TABLE outbox ADD COLUMN attempts BIGINT NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN next_attempt_at TEXT;
ALTER TABLE outbox ADD COLUMN locked_until TEXT;
ALTER TABLE outbox ADD COLUMN last_error TEXT;

CREATE UNIQUE INDEX outbox_once_per_event ON outbox (user_id, dedupe_key);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);

-- Email categories a person turned off; a missing row means on.
CREATE TABLE email_opt_outs (
    user_id    TEXT NOT NULL REFERENCES users (id),
    category   TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_id, category)
);

-- Reminders before expiry already sent. The expiry is part of the key, so changing it re-arms
-- the reminder.
CREATE TABLE expiry_reminders (
    object_type  TEXT NOT NULL,
    object_id    TEXT NOT NULL,
    lead_seconds BIGINT NOT NULL,
    expires_at   TEXT NOT NULL,
    sent_at      TEXT NOT NULL,
    PRIMARY KEY (object_type, object_id, lead_seconds, expires_at)
);

CREATE INDEX entity_offers_by_expiry ON entity_offers (status, expires_at);
