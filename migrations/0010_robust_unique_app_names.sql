-- An org's app names are unique, so that two registrations of one name at the same instant
-- leave one app (the second gets "name already used") instead of two rows.
--
-- Apps registered twice before this index existed are merged first, keeping the oldest of
-- each (org, name); ties on created_at go to the smaller id. Shares of a later duplicate move
-- to the kept app, unless the recipient already holds one on an older duplicate (then the
-- later share is dropped: the recipient keeps access through the older one). Apps are never
-- requested (requests are for files) and never partner entities, so nothing else points at
-- the rows removed.

DELETE FROM user_shares
WHERE EXISTS (
    SELECT 1
    FROM resources mine, user_shares other, resources theirs
    WHERE mine.id = user_shares.resource_id
      AND mine.kind = 'app'
      AND other.recipient_user_id = user_shares.recipient_user_id
      AND theirs.id = other.resource_id
      AND theirs.kind = 'app'
      AND theirs.owner_org_id = mine.owner_org_id
      AND theirs.title = mine.title
      AND (theirs.created_at < mine.created_at
           OR (theirs.created_at = mine.created_at AND theirs.id < mine.id))
);

UPDATE user_shares
SET resource_id = (
    SELECT kept.id
    FROM resources mine, resources kept
    WHERE mine.id = user_shares.resource_id
      AND kept.kind = 'app'
      AND kept.owner_org_id = mine.owner_org_id
      AND kept.title = mine.title
    ORDER BY kept.created_at, kept.id
    LIMIT 1
)
WHERE resource_id IN (SELECT id FROM resources WHERE kind = 'app');

DELETE FROM resources
WHERE kind = 'app'
  AND EXISTS (
    SELECT 1
    FROM resources older
    WHERE older.kind = 'app'
      AND older.owner_org_id = resources.owner_org_id
      AND older.title = resources.title
      AND (older.created_at < resources.created_at
           OR (older.created_at = resources.created_at AND older.id < resources.id))
);

CREATE UNIQUE INDEX resources_one_app_per_name ON resources (owner_org_id, title) WHERE kind = 'app';
