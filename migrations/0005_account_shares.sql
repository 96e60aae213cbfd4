-- Shares of typed resources with other orgs (Cloudflare resource sharing, EnableNow expiring
-- shares), and the durable jobs that complete their asynchronous changes.

-- `face` says which API made the share (each API lists its own); `expires_at` is optional and
-- a share past it grants nothing, whatever its stored status.
CREATE TABLE account_shares (
    id                 TEXT PRIMARY KEY NOT NULL,
    owner_org_id       TEXT NOT NULL REFERENCES orgs (id),
    face               TEXT NOT NULL,
    name               TEXT NOT NULL,
    reference          TEXT,
    target_type        TEXT NOT NULL CHECK (target_type IN ('account', 'organization')),
    status             TEXT NOT NULL CHECK (status IN ('active', 'deleting', 'deleted')),
    expires_at         TEXT,
    expiry_swept_at    TEXT,
    created_by_user_id TEXT REFERENCES users (id),
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
);

CREATE INDEX account_shares_by_owner ON account_shares (owner_org_id, face, id);
CREATE INDEX account_shares_by_expiry ON account_shares (expires_at);

-- An org (account) or an org tree (organization) that receives a share.
CREATE TABLE account_share_recipients (
    id                 TEXT PRIMARY KEY NOT NULL,
    share_id           TEXT NOT NULL REFERENCES account_shares (id) ON DELETE CASCADE,
    org_id             TEXT NOT NULL REFERENCES orgs (id),
    association_status TEXT NOT NULL CHECK (association_status IN
                           ('associating', 'associated', 'disassociating', 'disassociated')),
    -- When the recipient org's admins were told of the share: once, however often it is
    -- removed and added again.
    notified_at        TEXT,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    UNIQUE (share_id, org_id)
);

CREATE INDEX account_share_recipients_by_org ON account_share_recipients (org_id, share_id);

-- What a share carries: a typed reference to something in an account (Cloudflare resource
-- types; EnableNow consent/account/analysis ids), with free-form metadata as JSON text.
CREATE TABLE account_share_resources (
    id                  TEXT PRIMARY KEY NOT NULL,
    share_id            TEXT NOT NULL REFERENCES account_shares (id) ON DELETE CASCADE,
    resource_type       TEXT NOT NULL,
    resource_id         TEXT NOT NULL,
    resource_account_id TEXT NOT NULL,
    meta                TEXT NOT NULL,
    version             BIGINT NOT NULL,
    status              TEXT NOT NULL CHECK (status IN ('active', 'deleting', 'deleted')),
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);

CREATE INDEX account_share_resources_by_share ON account_share_resources (share_id, id);

-- Background work. A job is claimed by taking a lease (`locked_until`); its effect and its
-- `done` mark commit in one transaction, so a crash before the commit leaves it queued and
-- the next claim after the lease runs it again. `attempts` drives the retry backoff.
CREATE TABLE jobs (
    id           TEXT PRIMARY KEY NOT NULL,
    kind         TEXT NOT NULL,
    subject_id   TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('queued', 'done', 'failed')),
    attempts     BIGINT NOT NULL,
    run_after    TEXT NOT NULL,
    locked_until TEXT,
    last_error   TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);

CREATE INDEX jobs_due ON jobs (status, run_after);
