//! Every grant of every kind of share, as one list (the "who has access" view).
//!
//! One `UNION ALL` of the four kinds, each branch shaped into the same columns and limited to
//! what the viewer may see, then filtered, ordered (newest first) and paged outside it.

use sqlx::AnyExecutor;

use crate::domain::ids::{OrgId, UserId};
use crate::domain::DomainError;

/// Whose grants a query may see.
#[derive(Clone, Copy, Debug)]
pub struct Scope {
    pub org_id: OrgId,
    /// The org's parent: an organization-wide account share reaches its accounts.
    pub parent_id: Option<OrgId>,
    pub user_id: UserId,
    /// The org's grants (admins and auditors), or only the viewer's own person shares.
    pub whole_org: bool,
}

/// The conditions of a query, resolved to ids (`None`: no condition).
#[derive(Clone, Debug, Default)]
pub struct Conditions {
    /// `file`, `app`, `entity`, `share`, or `resource`.
    pub item_kind: Option<String>,
    pub item: Option<String>,
    /// An org id, or a lowercase org name.
    pub org: Option<String>,
    pub person_id: Option<String>,
    pub person_org_id: Option<String>,
    /// One grant: its kind and id.
    pub grant: Option<(String, String)>,
    /// The id of the person who granted it.
    pub granted_by_id: Option<String>,
}

/// One grant as the query shapes it; the service turns it into a [`crate::domain::access::Grant`].
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct GrantRow {
    pub kind: String,
    pub grant_id: String,
    pub direction: String,
    pub item_kind: String,
    pub item_id: String,
    pub item_ref: Option<String>,
    pub item_name: String,
    pub grantee_kind: String,
    pub grantee_id: Option<String>,
    pub grantee_name: String,
    pub grantee_org_id: Option<String>,
    pub grantee_org_name: Option<String>,
    pub grantor_org_id: String,
    pub grantor_org_name: String,
    pub granted_by: Option<String>,
    /// The grantor's user id: a person share's owner, an offer's offerer, the person who
    /// shared a partner entity or created an account share (where known).
    pub granted_by_id: Option<String>,
    pub face: Option<String>,
    pub granted_at: String,
    pub access: Option<String>,
    pub expires_at: Option<String>,
    pub status: String,
    /// Person share: the owner's user id. Partner entity and offer: the partner org id.
    /// Account share: the share's id.
    pub ref_a: Option<String>,
    /// Partner entity and offer: the entity's schema. Account share: the target type.
    pub ref_b: Option<String>,
    /// Partner entity and offer: the configuration's id. Accepted offer: the offer's id in
    /// `ref_d`.
    pub ref_c: Option<String>,
    pub ref_d: Option<String>,
}

/// Parameters: $1 org, $2 user, $3 whole org ('1'/'0'), $4 now, $5 parent org.
const GRANTS: &str = "
SELECT 'person' AS kind, s.id AS grant_id,
  CASE WHEN ($3 = '1' AND ow.org_id = $1) OR s.owner_user_id = $2 THEN 'granted' ELSE 'received' END AS direction,
  r.kind AS item_kind, r.id AS item_id, r.external_id AS item_ref,
  CASE WHEN r.kind = 'file' AND r.external_id LIKE '/%' THEN r.external_id ELSE r.title END AS item_name,
  CASE WHEN rc.id IS NULL THEN 'anyone' ELSE 'person' END AS grantee_kind,
  rc.id AS grantee_id, COALESCE(rc.username, 'anyone with the link') AS grantee_name,
  rc.org_id AS grantee_org_id, rco.name AS grantee_org_name,
  ow.org_id AS grantor_org_id, owo.name AS grantor_org_name,
  ow.username AS granted_by, s.owner_user_id AS granted_by_id, s.face AS face, s.created_at AS granted_at, s.access AS access,
  CAST(NULL AS TEXT) AS expires_at, 'active' AS status,
  s.owner_user_id AS ref_a, CAST(NULL AS TEXT) AS ref_b, CAST(NULL AS TEXT) AS ref_c,
  CAST(NULL AS TEXT) AS ref_d
FROM user_shares s
JOIN resources r ON r.id = s.resource_id
JOIN users ow ON ow.id = s.owner_user_id
JOIN orgs owo ON owo.id = ow.org_id
LEFT JOIN users rc ON rc.id = s.recipient_user_id
LEFT JOIN orgs rco ON rco.id = rc.org_id
WHERE ($3 = '1' AND (ow.org_id = $1 OR rc.org_id = $1))
   OR s.owner_user_id = $2 OR s.recipient_user_id = $2
UNION ALL
SELECT CASE WHEN es.offer_accepted <> 0 THEN 'offer' ELSE 'partner' END, es.id,
  CASE WHEN c.sharing_org_id = $1 THEN 'granted' ELSE 'received' END,
  'entity', r.id, r.external_id, r.schema_name || '/' || r.external_id,
  'org', c.partner_org_id, COALESCE(po.name, c.partner_org_id),
  c.partner_org_id, COALESCE(po.name, c.partner_org_id),
  c.sharing_org_id, so.name,
  COALESCE(ou.username, su.username), COALESCE(eo.offered_by_user_id, es.shared_by_user_id),
  CAST(NULL AS TEXT), es.created_at, CAST(NULL AS TEXT),
  CAST(NULL AS TEXT), CASE WHEN es.offer_accepted <> 0 THEN 'accepted' ELSE 'active' END,
  c.partner_org_id, r.schema_name, c.id, eo.id
FROM entity_shares es
JOIN partner_configs c ON c.id = es.config_id
JOIN resources r ON r.id = es.resource_id
JOIN orgs so ON so.id = c.sharing_org_id
LEFT JOIN orgs po ON po.id = c.partner_org_id
LEFT JOIN entity_offers eo ON eo.config_id = c.id AND eo.resource_id = r.id AND eo.status = 'ACCEPTED'
LEFT JOIN users ou ON ou.id = eo.offered_by_user_id
LEFT JOIN users su ON su.id = es.shared_by_user_id
WHERE $3 = '1' AND (c.sharing_org_id = $1 OR c.partner_org_id = $1)
UNION ALL
SELECT 'offer', o.id,
  CASE WHEN c.sharing_org_id = $1 THEN 'granted' ELSE 'received' END,
  'entity', r.id, r.external_id, r.schema_name || '/' || r.external_id,
  'org', c.partner_org_id, COALESCE(po.name, c.partner_org_id),
  c.partner_org_id, COALESCE(po.name, c.partner_org_id),
  c.sharing_org_id, so.name,
  ou.username, o.offered_by_user_id, CAST(NULL AS TEXT), o.created_at, CAST(NULL AS TEXT),
  o.expires_at, 'pending',
  c.partner_org_id, r.schema_name, c.id, o.id
FROM entity_offers o
JOIN partner_configs c ON c.id = o.config_id
JOIN resources r ON r.id = o.resource_id
JOIN orgs so ON so.id = c.sharing_org_id
LEFT JOIN orgs po ON po.id = c.partner_org_id
LEFT JOIN users ou ON ou.id = o.offered_by_user_id
WHERE $3 = '1' AND (c.sharing_org_id = $1 OR c.partner_org_id = $1)
  AND o.status = 'PENDING' AND o.expires_at > $4
UNION ALL
SELECT 'account', rec.id,
  CASE WHEN sh.owner_org_id = $1 THEN 'granted' ELSE 'received' END,
  'share', sh.id, sh.reference, sh.name,
  'org', rec.org_id, ro.name, rec.org_id, ro.name,
  sh.owner_org_id, oo.name,
  cu.username, sh.created_by_user_id, sh.face, rec.created_at, CAST(NULL AS TEXT),
  sh.expires_at, rec.association_status,
  sh.id, sh.target_type, CAST(NULL AS TEXT), CAST(NULL AS TEXT)
FROM account_share_recipients rec
JOIN account_shares sh ON sh.id = rec.share_id
JOIN orgs ro ON ro.id = rec.org_id
JOIN orgs oo ON oo.id = sh.owner_org_id
LEFT JOIN users cu ON cu.id = sh.created_by_user_id
WHERE $3 = '1' AND sh.status = 'active' AND (sh.expires_at IS NULL OR sh.expires_at > $4)
  AND rec.association_status IN ('associating', 'associated')
  AND (sh.owner_org_id = $1 OR rec.org_id = $1
       OR (sh.target_type = 'organization' AND rec.org_id = $5))
";

/// Parameters after the scope's: $6 item kind, $7 item, $8 org, $9 person, $10 person's
/// org, $11 grant kind, $12 grant id, $13 grantor.
const CONDITIONS: &str = "
WHERE ($6 IS NULL OR $7 IS NULL
       OR ($6 = 'resource' AND g.item_kind = 'share' AND EXISTS (
             SELECT 1 FROM account_share_resources x
             WHERE x.share_id = g.item_id AND x.resource_id = $7 AND x.status = 'active'))
       OR ($6 <> 'resource' AND g.item_kind = $6
           AND (g.item_id = $7 OR g.item_ref = $7 OR g.item_name = $7)))
  AND ($8 IS NULL
       OR (g.direction = 'granted' AND (g.grantee_org_id = $8 OR LOWER(g.grantee_org_name) = $8))
       OR (g.direction = 'received' AND (g.grantor_org_id = $8 OR LOWER(g.grantor_org_name) = $8)))
  AND ($9 IS NULL
       OR (g.grantee_kind = 'person' AND g.grantee_id = $9)
       OR (g.grantee_kind = 'org' AND g.grantee_id = $10))
  AND ($11 IS NULL OR (g.kind = $11 AND g.grant_id = $12))
  AND ($13 IS NULL OR g.granted_by_id = $13)
";

fn bind_all<'q>(
    query: &'q str,
    scope: Scope,
    now: &'q str,
    conditions: &'q Conditions,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    sqlx::query(query)
        .bind(scope.org_id.to_string())
        .bind(scope.user_id.to_string())
        .bind(if scope.whole_org { "1" } else { "0" })
        .bind(now)
        .bind(scope.parent_id.map(|id| id.to_string()))
        .bind(conditions.item_kind.clone())
        .bind(conditions.item.clone())
        .bind(conditions.org.clone())
        .bind(conditions.person_id.clone())
        .bind(conditions.person_org_id.clone())
        .bind(conditions.grant.as_ref().map(|(kind, _)| kind.clone()))
        .bind(conditions.grant.as_ref().map(|(_, id)| id.clone()))
        .bind(conditions.granted_by_id.clone())
}

/// A page of grants, newest first, and how many match in all.
pub async fn grants(
    db: &mut sqlx::AnyConnection,
    scope: Scope,
    now: &str,
    conditions: &Conditions,
    limit: i64,
    offset: i64,
) -> Result<(Vec<GrantRow>, i64), DomainError> {
    use sqlx::Row;
    let count_sql = format!("SELECT COUNT(*) AS n FROM ({GRANTS}) g {CONDITIONS}");
    let total: i64 =
        bind_all(&count_sql, scope, now, conditions).fetch_one(&mut *db).await?.try_get("n")?;
    let page_sql = format!(
        "SELECT * FROM ({GRANTS}) g {CONDITIONS} \
         ORDER BY g.granted_at DESC, g.grant_id DESC LIMIT $14 OFFSET $15"
    );
    let rows = bind_all(&page_sql, scope, now, conditions)
        .bind(limit)
        .bind(offset)
        .fetch_all(&mut *db)
        .await?;
    let rows = rows
        .iter()
        .map(<GrantRow as sqlx::FromRow<sqlx::any::AnyRow>>::from_row)
        .collect::<Result<Vec<_>, _>>()?;
    Ok((rows, total))
}

/// The active resources of account shares, `(share id, "type id")`, in order.
pub async fn share_resources(
    db: &mut sqlx::AnyConnection,
    share_ids: &[String],
) -> Result<Vec<(String, String)>, DomainError> {
    if share_ids.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (1..=share_ids.len()).map(|n| format!("${n}")).collect();
    let sql = format!(
        "SELECT share_id, resource_type, resource_id FROM account_share_resources \
         WHERE status = 'active' AND share_id IN ({}) ORDER BY share_id, id",
        placeholders.join(", ")
    );
    let mut query = sqlx::query_as::<_, (String, String, String)>(&sql);
    for id in share_ids {
        query = query.bind(id);
    }
    let rows = query.fetch_all(&mut *db).await?;
    Ok(rows.into_iter().map(|(share, kind, id)| (share, format!("{kind} {id}"))).collect())
}

/// An audit event that may have made a grant.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct GrantEvent {
    pub object_id: String,
    pub action: String,
    pub actor_name: String,
    pub face: String,
    pub detail: String,
    pub created_at: String,
}

/// The org's events of these actions on these objects, newest first.
pub async fn grant_events(
    db: &mut sqlx::AnyConnection,
    org_id: OrgId,
    object_ids: &[String],
    actions: &[&str],
) -> Result<Vec<GrantEvent>, DomainError> {
    if object_ids.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = (0..object_ids.len()).map(|n| format!("${}", n + 2)).collect();
    let first_action = object_ids.len() + 2;
    let acts: Vec<String> = (0..actions.len()).map(|n| format!("${}", n + first_action)).collect();
    let sql = format!(
        "SELECT object_id, action, actor_name, face, detail, created_at FROM events \
         WHERE org_id = $1 AND object_id IN ({}) AND action IN ({}) \
         ORDER BY created_at DESC, id DESC",
        ids.join(", "),
        acts.join(", ")
    );
    let mut query = sqlx::query_as::<_, GrantEvent>(&sql).bind(org_id.to_string());
    for id in object_ids {
        query = query.bind(id);
    }
    for action in actions {
        query = query.bind(*action);
    }
    Ok(query.fetch_all(&mut *db).await?)
}

/// A person named by id, username or email: their id and org.
pub async fn person(
    db: impl AnyExecutor<'_>,
    text: &str,
) -> Result<Option<(String, String)>, DomainError> {
    Ok(sqlx::query_as("SELECT id, org_id FROM users WHERE id = $1 OR username = $2 OR email = $2")
        .bind(text)
        .bind(text.to_lowercase())
        .fetch_optional(db)
        .await?)
}

/// The org's parent, if it has one.
pub async fn parent_of(
    db: impl AnyExecutor<'_>,
    org_id: OrgId,
) -> Result<Option<String>, DomainError> {
    let parent: Option<Option<String>> =
        sqlx::query_scalar("SELECT parent_id FROM orgs WHERE id = $1")
            .bind(org_id.to_string())
            .fetch_optional(db)
            .await?;
    Ok(parent.flatten())
}
