-- Partner sharing: template roles, standing partner configurations, the entities shared
-- under them, and first-come-first-served offers.

-- A role an org defines once and assigns to partner configurations; its grants are copied
-- into each configuration at assignment.
CREATE TABLE template_roles (
    id         TEXT PRIMARY KEY NOT NULL,
    org_id     TEXT NOT NULL REFERENCES orgs (id),
    name       TEXT NOT NULL,
    grants     TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (org_id, name)
);

-- Things an org can share. For now: entities (schema + entity id, optional parent).
CREATE TABLE resources (
    id                 TEXT PRIMARY KEY NOT NULL,
    owner_org_id       TEXT NOT NULL REFERENCES orgs (id),
    kind               TEXT NOT NULL,
    schema_name        TEXT NOT NULL,
    external_id        TEXT NOT NULL,
    parent_external_id TEXT,
    title              TEXT NOT NULL,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    UNIQUE (owner_org_id, kind, external_id)
);

-- The standing relation sharing org -> partner org. The partner may not have joined yet, so
-- partner_org_id is not a foreign key.
CREATE TABLE partner_configs (
    id                   TEXT PRIMARY KEY NOT NULL,
    sharing_org_id       TEXT NOT NULL REFERENCES orgs (id),
    partner_org_id       TEXT NOT NULL,
    user_limit           BIGINT,
    template_role_id     TEXT REFERENCES template_roles (id) ON DELETE SET NULL,
    template_role_grants TEXT,
    generated_role_id    TEXT,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL,
    UNIQUE (sharing_org_id, partner_org_id)
);

CREATE TABLE partner_config_users (
    config_id TEXT NOT NULL REFERENCES partner_configs (id) ON DELETE CASCADE,
    user_id   TEXT NOT NULL REFERENCES users (id),
    added_at  TEXT NOT NULL,
    PRIMARY KEY (config_id, user_id)
);

CREATE TABLE entity_shares (
    id             TEXT PRIMARY KEY NOT NULL,
    config_id      TEXT NOT NULL REFERENCES partner_configs (id) ON DELETE CASCADE,
    resource_id    TEXT NOT NULL REFERENCES resources (id),
    offer_accepted BIGINT NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    UNIQUE (config_id, resource_id)
);

-- One row per (partner, entity) offered. The link token is a capability (>= 128 bits) that
-- the dashboard shows again, so it is stored as is.
CREATE TABLE entity_offers (
    id                 TEXT PRIMARY KEY NOT NULL,
    config_id          TEXT NOT NULL REFERENCES partner_configs (id) ON DELETE CASCADE,
    resource_id        TEXT NOT NULL REFERENCES resources (id),
    status             TEXT NOT NULL CHECK (status IN ('PENDING', 'ACCEPTED', 'DECLINED', 'UNAVAILABLE', 'EXPIRED')),
    offered_by_user_id TEXT,
    link_token         TEXT NOT NULL UNIQUE,
    expires_at         TEXT NOT NULL,
    status_changed_at  TEXT NOT NULL,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    UNIQUE (config_id, resource_id)
);

CREATE INDEX entity_offers_by_resource ON entity_offers (resource_id, status);
CREATE INDEX entity_shares_by_resource ON entity_shares (resource_id);
