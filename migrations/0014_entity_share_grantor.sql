-- Who shared each partner entity (issue #14), so that "what did this person grant" is one
-- indexed condition in the access view instead of a search of the audit log. An accepted
-- offer's grantor is its offerer (entity_offers.offered_by_user_id); this column names the
-- person who shared the entity directly. Existing rows take it from their latest
-- `entity.shared` event. Portable SQL: the same file for SQLite and PostgreSQL.
ALTER TABLE entity_shares ADD COLUMN shared_by_user_id TEXT REFERENCES users (id);

UPDATE entity_shares SET shared_by_user_id = (
    SELECT e.actor_user_id FROM events e, resources r
    WHERE r.id = entity_shares.resource_id
      AND e.object_id = entity_shares.config_id
      AND e.action = 'entity.shared'
      AND e.detail LIKE '%"' || r.external_id || '"%'
    ORDER BY e.created_at DESC, e.id DESC
    LIMIT 1
)
WHERE offer_accepted = 0;

CREATE INDEX entity_shares_by_sharer ON entity_shares (shared_by_user_id);
