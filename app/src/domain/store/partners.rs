//! SQL for template roles, entity resources, partner configurations, shares and offers.

use sqlx::AnyExecutor;

use super::parse_id;
use crate::domain::ids::{ConfigId, OfferId, OrgId, ResourceId, RoleId, UserId};
use crate::domain::listing::{ListChoice, PartnerSort};
use crate::domain::partners::{
    Grant, OfferState, OfferedEntity, PartnerUser, SharedEntity, TemplateRole,
};
use crate::domain::DomainError;

fn internal(error: impl std::error::Error + Send + Sync + 'static) -> DomainError {
    DomainError::Internal(Box::new(error))
}

fn grants_from_json(text: &str) -> Result<Vec<Grant>, DomainError> {
    serde_json::from_str(text).map_err(internal)
}

fn grants_to_json(grants: &[Grant]) -> Result<String, DomainError> {
    serde_json::to_string(grants).map_err(internal)
}

// ---- template roles ----------------------------------------------------------------------

#[derive(sqlx::FromRow)]
struct RoleRow {
    id: String,
    name: String,
    grants: String,
    created_at: String,
    updated_at: String,
}

impl RoleRow {
    fn into_role(self) -> Result<TemplateRole, DomainError> {
        Ok(TemplateRole {
            id: parse_id(&self.id)?,
            name: self.name,
            grants: grants_from_json(&self.grants)?,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

/// Adds the role unless the org already has one of that name (`false`): the unique name is
/// the arbiter when two requests create the same role at once.
pub async fn insert_role(
    db: impl AnyExecutor<'_>,
    org_id: OrgId,
    role: &TemplateRole,
) -> Result<bool, DomainError> {
    let result = sqlx::query(
        "INSERT INTO template_roles (id, org_id, name, grants, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (org_id, name) DO NOTHING",
    )
    .bind(role.id.to_string())
    .bind(org_id.to_string())
    .bind(&role.name)
    .bind(grants_to_json(&role.grants)?)
    .bind(&role.created_at)
    .bind(&role.updated_at)
    .execute(db)
    .await?;
    Ok(result.rows_affected() == 1)
}

pub async fn update_role(
    db: impl AnyExecutor<'_>,
    org_id: OrgId,
    role: &TemplateRole,
) -> Result<bool, DomainError> {
    let result = sqlx::query(
        "UPDATE template_roles SET name = $1, grants = $2, updated_at = $3 \
         WHERE id = $4 AND org_id = $5",
    )
    .bind(&role.name)
    .bind(grants_to_json(&role.grants)?)
    .bind(&role.updated_at)
    .bind(role.id.to_string())
    .bind(org_id.to_string())
    .execute(db)
    .await?;
    Ok(result.rows_affected() == 1)
}

pub async fn delete_role(
    db: impl AnyExecutor<'_>,
    org_id: OrgId,
    id: RoleId,
) -> Result<bool, DomainError> {
    let result = sqlx::query("DELETE FROM template_roles WHERE id = $1 AND org_id = $2")
        .bind(id.to_string())
        .bind(org_id.to_string())
        .execute(db)
        .await?;
    Ok(result.rows_affected() == 1)
}

/// How many partner configurations of the org each of its template roles is assigned to, and
/// how many people work under those; roles assigned to none are left out.
pub async fn role_holders(
    db: impl AnyExecutor<'_>,
    org_id: OrgId,
) -> Result<Vec<(RoleId, i64, i64)>, DomainError> {
    let rows: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT c.template_role_id, COUNT(DISTINCT c.id), COUNT(DISTINCT pu.user_id) \
         FROM partner_configs c LEFT JOIN partner_config_users pu ON pu.config_id = c.id \
         WHERE c.sharing_org_id = $1 AND c.template_role_id IS NOT NULL \
         GROUP BY c.template_role_id",
    )
    .bind(org_id.to_string())
    .fetch_all(db)
    .await?;
    rows.into_iter().map(|(id, partners, people)| Ok((parse_id(&id)?, partners, people))).collect()
}

pub async fn role(
    db: impl AnyExecutor<'_>,
    org_id: OrgId,
    id: RoleId,
) -> Result<Option<TemplateRole>, DomainError> {
    let row: Option<RoleRow> = sqlx::query_as(
        "SELECT id, name, grants, created_at, updated_at FROM template_roles \
         WHERE id = $1 AND org_id = $2",
    )
    .bind(id.to_string())
    .bind(org_id.to_string())
    .fetch_optional(db)
    .await?;
    row.map(RoleRow::into_role).transpose()
}

pub async fn role_name_taken(
    db: impl AnyExecutor<'_>,
    org_id: OrgId,
    name: &str,
    except: Option<RoleId>,
) -> Result<bool, DomainError> {
    let count: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM template_roles WHERE org_id = $1 AND name = $2 \
         AND ($3 IS NULL OR id <> $3)",
    )
    .bind(org_id.to_string())
    .bind(name)
    .bind(except.map(|id| id.to_string()))
    .fetch_one(db)
    .await?;
    Ok(count > 0)
}

pub async fn roles(
    db: impl AnyExecutor<'_>,
    org_id: OrgId,
) -> Result<Vec<TemplateRole>, DomainError> {
    let rows: Vec<RoleRow> = sqlx::query_as(
        "SELECT id, name, grants, created_at, updated_at FROM template_roles \
         WHERE org_id = $1 ORDER BY name, id",
    )
    .bind(org_id.to_string())
    .fetch_all(db)
    .await?;
    rows.into_iter().map(RoleRow::into_role).collect()
}

// ---- entity resources --------------------------------------------------------------------

/// The org's entities whose id or schema contains `text` (case-insensitive), by id.
pub async fn entities_named_like(
    db: impl AnyExecutor<'_>,
    org_id: OrgId,
    text: &str,
    limit: i64,
) -> Result<Vec<(String, String)>, DomainError> {
    let Some(pattern) = super::like_pattern(Some(text)) else {
        return Ok(Vec::new());
    };
    Ok(sqlx::query_as(
        "SELECT schema_name, external_id FROM resources \
         WHERE owner_org_id = $1 AND kind = 'entity' \
           AND (LOWER(external_id) LIKE $2 ESCAPE '\\' OR LOWER(schema_name) LIKE $2 ESCAPE '\\') \
         ORDER BY external_id, id LIMIT $3",
    )
    .bind(org_id.to_string())
    .bind(pattern)
    .bind(limit)
    .fetch_all(db)
    .await?)
}

/// The resource row for an entity of `org_id`, created on first use. A later mention with a
/// different schema or parent updates them: the newest caller knows best.
pub async fn upsert_entity(
    db: &mut sqlx::AnyConnection,
    org_id: OrgId,
    schema: &str,
    entity_id: &str,
    parent_entity_id: Option<&str>,
    now: &str,
) -> Result<ResourceId, DomainError> {
    // One statement, so that two requests naming a new entity at once both get its one row.
    let id: String = sqlx::query_scalar(
        "INSERT INTO resources (id, owner_org_id, kind, schema_name, external_id, \
         parent_external_id, title, created_at, updated_at) \
         VALUES ($1, $2, 'entity', $3, $4, $5, $6, $7, $7) \
         ON CONFLICT (owner_org_id, kind, external_id) DO UPDATE SET \
         schema_name = excluded.schema_name, \
         parent_external_id = COALESCE(excluded.parent_external_id, resources.parent_external_id), \
         updated_at = excluded.updated_at \
         RETURNING id",
    )
    .bind(ResourceId::new().to_string())
    .bind(org_id.to_string())
    .bind(schema)
    .bind(entity_id)
    .bind(parent_entity_id)
    .bind(format!("{schema} {entity_id}"))
    .bind(now)
    .fetch_one(&mut *db)
    .await?;
    parse_id(&id)
}

pub async fn entity_resource(
    db: impl AnyExecutor<'_>,
    org_id: OrgId,
    entity_id: &str,
) -> Result<Option<ResourceId>, DomainError> {
    let id: Option<String> = sqlx::query_scalar(
        "SELECT id FROM resources WHERE owner_org_id = $1 AND kind = 'entity' AND external_id = $2",
    )
    .bind(org_id.to_string())
    .bind(entity_id)
    .fetch_optional(db)
    .await?;
    id.as_deref().map(parse_id).transpose()
}

// ---- partner configurations --------------------------------------------------------------

#[derive(sqlx::FromRow)]
pub struct ConfigRow {
    pub id: String,
    pub sharing_org_id: String,
    pub partner_org_id: String,
    pub user_limit: Option<i64>,
    pub template_role_id: Option<String>,
    pub template_role_grants: Option<String>,
    pub generated_role_id: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    /// The partner org's name when it exists in Sharewell.
    pub partner_name: Option<String>,
}

impl ConfigRow {
    pub fn config_id(&self) -> Result<ConfigId, DomainError> {
        parse_id(&self.id)
    }

    pub fn grants(&self) -> Result<Option<Vec<Grant>>, DomainError> {
        self.template_role_grants.as_deref().map(grants_from_json).transpose()
    }
}

const CONFIG_COLUMNS: &str = "c.id, c.sharing_org_id, c.partner_org_id, c.user_limit, \
    c.template_role_id, c.template_role_grants, c.generated_role_id, c.created_at, c.updated_at, \
    (SELECT name FROM orgs WHERE orgs.id = c.partner_org_id) AS partner_name";

pub async fn config(
    db: impl AnyExecutor<'_>,
    sharing_org_id: OrgId,
    partner_org_id: &str,
) -> Result<Option<ConfigRow>, DomainError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {CONFIG_COLUMNS} FROM partner_configs c \
         WHERE c.sharing_org_id = $1 AND c.partner_org_id = $2"
    ))
    .bind(sharing_org_id.to_string())
    .bind(partner_org_id)
    .fetch_optional(db)
    .await?)
}

/// What deleting the configuration would take away: its shares (and how many came from
/// accepted offers), its offers still open, and its people.
pub async fn config_contents(
    db: impl AnyExecutor<'_>,
    id: ConfigId,
) -> Result<(i64, i64, i64, i64), DomainError> {
    Ok(sqlx::query_as(
        "SELECT \
           (SELECT COUNT(*) FROM entity_shares WHERE config_id = $1), \
           (SELECT COUNT(*) FROM entity_shares WHERE config_id = $1 AND offer_accepted <> 0), \
           (SELECT COUNT(*) FROM entity_offers WHERE config_id = $1 AND status = 'PENDING'), \
           (SELECT COUNT(*) FROM partner_config_users WHERE config_id = $1)",
    )
    .bind(id.to_string())
    .fetch_one(db)
    .await?)
}

/// All of an org's configurations, ordered by partner id.
pub async fn configs(
    db: impl AnyExecutor<'_>,
    sharing_org_id: OrgId,
) -> Result<Vec<ConfigRow>, DomainError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {CONFIG_COLUMNS} FROM partner_configs c WHERE c.sharing_org_id = $1 \
         ORDER BY c.partner_org_id"
    ))
    .bind(sharing_org_id.to_string())
    .fetch_all(db)
    .await?)
}

/// One row of the partners list: a configuration with its counts, in one query.
#[derive(sqlx::FromRow)]
pub struct SummaryRow {
    pub partner_org_id: String,
    pub partner_name: Option<String>,
    pub user_limit: Option<i64>,
    pub updated_at: String,
    pub role_name: Option<String>,
    pub users: i64,
    pub shared: i64,
    pub offered: i64,
}

/// A page of the org's partners as the list shows them, and how many match: one statement
/// for the page (counts as subqueries on the `(config_id, …)` keys) and one for the total,
/// however many partners there are.
pub async fn partner_summaries(
    db: &mut sqlx::AnyConnection,
    sharing_org_id: OrgId,
    search: Option<&str>,
    choice: &ListChoice<PartnerSort>,
    offset: i64,
) -> Result<(Vec<SummaryRow>, i64), DomainError> {
    let pattern = super::like_pattern(search);
    let mut filter = String::from(
        "FROM partner_configs c LEFT JOIN orgs o ON o.id = c.partner_org_id \
         WHERE c.sharing_org_id = $1",
    );
    if pattern.is_some() {
        filter.push_str(" AND (LOWER(c.partner_org_id) LIKE $2 ESCAPE '\\' OR LOWER(o.name) LIKE $2 ESCAPE '\\')");
    }
    match choice.status {
        Some("registered") => filter.push_str(" AND o.id IS NOT NULL"),
        Some(_) => filter.push_str(" AND o.id IS NULL"),
        None => {}
    }
    let order = match choice.key {
        PartnerSort::Name => "LOWER(COALESCE(o.name, c.partner_org_id))",
        PartnerSort::Updated => "c.updated_at",
        PartnerSort::Users => "users",
        PartnerSort::Shared => "shared",
        PartnerSort::Offered => "offered",
    };
    let dir = choice.dir.sql();
    let (limit_at, offset_at) = if pattern.is_some() { ("$3", "$4") } else { ("$2", "$3") };
    let page_sql = format!(
        "SELECT c.partner_org_id, o.name AS partner_name, c.user_limit, c.updated_at, \
           (SELECT name FROM template_roles t WHERE t.id = c.template_role_id) AS role_name, \
           (SELECT COUNT(*) FROM partner_config_users u WHERE u.config_id = c.id) AS users, \
           (SELECT COUNT(*) FROM entity_shares s WHERE s.config_id = c.id) AS shared, \
           (SELECT COUNT(*) FROM entity_offers f WHERE f.config_id = c.id) AS offered \
         {filter} ORDER BY {order} {dir}, c.partner_org_id {dir} LIMIT {limit_at} OFFSET {offset_at}"
    );
    let count_sql = format!("SELECT COUNT(*) {filter}");
    let mut count = sqlx::query_scalar::<_, i64>(&count_sql).bind(sharing_org_id.to_string());
    let mut page = sqlx::query_as::<_, SummaryRow>(&page_sql).bind(sharing_org_id.to_string());
    if let Some(pattern) = &pattern {
        count = count.bind(pattern.clone());
        page = page.bind(pattern.clone());
    }
    let total = count.fetch_one(&mut *db).await?;
    let rows = page.bind(choice.per_page).bind(offset).fetch_all(&mut *db).await?;
    Ok((rows, total))
}

pub async fn configs_by_role(
    db: impl AnyExecutor<'_>,
    sharing_org_id: OrgId,
    role_id: RoleId,
) -> Result<Vec<ConfigRow>, DomainError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {CONFIG_COLUMNS} FROM partner_configs c \
         WHERE c.sharing_org_id = $1 AND c.template_role_id = $2 ORDER BY c.partner_org_id"
    ))
    .bind(sharing_org_id.to_string())
    .bind(role_id.to_string())
    .fetch_all(db)
    .await?)
}

/// Configurations under which an entity (by its id) is shared or offered.
pub async fn configs_with_entity(
    db: impl AnyExecutor<'_>,
    sharing_org_id: OrgId,
    entity_id: &str,
) -> Result<Vec<ConfigRow>, DomainError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {CONFIG_COLUMNS} FROM partner_configs c WHERE c.sharing_org_id = $1 AND c.id IN ( \
           SELECT s.config_id FROM entity_shares s JOIN resources r ON r.id = s.resource_id \
           WHERE r.external_id = $2 AND r.owner_org_id = $1 \
           UNION SELECT o.config_id FROM entity_offers o JOIN resources r ON r.id = o.resource_id \
           WHERE r.external_id = $2 AND r.owner_org_id = $1) \
         ORDER BY c.partner_org_id"
    ))
    .bind(sharing_org_id.to_string())
    .bind(entity_id)
    .fetch_all(db)
    .await?)
}

/// Adds the configuration unless one for this partner exists (`false`), as when a
/// concurrent request added it first.
pub async fn insert_config(
    db: impl AnyExecutor<'_>,
    id: ConfigId,
    sharing_org_id: OrgId,
    partner_org_id: &str,
    now: &str,
) -> Result<bool, DomainError> {
    let result = sqlx::query(
        "INSERT INTO partner_configs (id, sharing_org_id, partner_org_id, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $4) ON CONFLICT (sharing_org_id, partner_org_id) DO NOTHING",
    )
    .bind(id.to_string())
    .bind(sharing_org_id.to_string())
    .bind(partner_org_id)
    .bind(now)
    .execute(db)
    .await?;
    Ok(result.rows_affected() == 1)
}

pub async fn set_user_limit(
    db: impl AnyExecutor<'_>,
    id: ConfigId,
    user_limit: Option<i64>,
    now: &str,
) -> Result<(), DomainError> {
    sqlx::query("UPDATE partner_configs SET user_limit = $1, updated_at = $2 WHERE id = $3")
        .bind(user_limit)
        .bind(now)
        .bind(id.to_string())
        .execute(db)
        .await?;
    Ok(())
}

pub async fn set_role(
    db: impl AnyExecutor<'_>,
    id: ConfigId,
    role: &TemplateRole,
    generated_role_id: &str,
    now: &str,
) -> Result<(), DomainError> {
    sqlx::query(
        "UPDATE partner_configs SET template_role_id = $1, template_role_grants = $2, \
         generated_role_id = $3, updated_at = $4 WHERE id = $5",
    )
    .bind(role.id.to_string())
    .bind(grants_to_json(&role.grants)?)
    .bind(generated_role_id)
    .bind(now)
    .bind(id.to_string())
    .execute(db)
    .await?;
    Ok(())
}

pub async fn touch_config(
    db: impl AnyExecutor<'_>,
    id: ConfigId,
    now: &str,
) -> Result<(), DomainError> {
    sqlx::query("UPDATE partner_configs SET updated_at = $1 WHERE id = $2")
        .bind(now)
        .bind(id.to_string())
        .execute(db)
        .await?;
    Ok(())
}

pub async fn delete_config(db: impl AnyExecutor<'_>, id: ConfigId) -> Result<(), DomainError> {
    sqlx::query("DELETE FROM partner_configs WHERE id = $1")
        .bind(id.to_string())
        .execute(db)
        .await?;
    Ok(())
}

/// Whose children (users, shares, offers) a query reads: one configuration's, or those of
/// every configuration of an org at once (the list of them, in three queries however long).
#[derive(Clone, Copy, Debug)]
pub enum ChildrenOf {
    Config(ConfigId),
    Org(OrgId),
}

impl ChildrenOf {
    /// The condition on `{alias}.config_id`, with `$1` bound by [`ChildrenOf::bound`].
    fn condition(self, alias: &str) -> String {
        match self {
            ChildrenOf::Config(_) => format!("{alias}.config_id = $1"),
            ChildrenOf::Org(_) => format!(
                "{alias}.config_id IN (SELECT id FROM partner_configs WHERE sharing_org_id = $1)"
            ),
        }
    }

    fn bound(self) -> String {
        match self {
            ChildrenOf::Config(id) => id.to_string(),
            ChildrenOf::Org(id) => id.to_string(),
        }
    }
}

/// Drops the configuration ids of a one-configuration read.
fn only_items<T>(rows: Vec<(String, T)>) -> Vec<T> {
    rows.into_iter().map(|(_, item)| item).collect()
}

pub async fn config_users(
    db: impl AnyExecutor<'_>,
    id: ConfigId,
) -> Result<Vec<PartnerUser>, DomainError> {
    Ok(only_items(config_users_of(db, ChildrenOf::Config(id)).await?))
}

/// Partner users with the id of their configuration.
pub async fn config_users_of(
    db: impl AnyExecutor<'_>,
    of: ChildrenOf,
) -> Result<Vec<(String, PartnerUser)>, DomainError> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(&format!(
        "SELECT pu.config_id, users.id, users.username FROM partner_config_users pu \
         JOIN users ON users.id = pu.user_id WHERE {} ORDER BY pu.added_at, users.id",
        of.condition("pu")
    ))
    .bind(of.bound())
    .fetch_all(db)
    .await?;
    rows.into_iter()
        .map(|(config, id, username)| Ok((config, PartnerUser { id: parse_id(&id)?, username })))
        .collect()
}

pub async fn add_config_user(
    db: impl AnyExecutor<'_>,
    id: ConfigId,
    user_id: UserId,
    now: &str,
) -> Result<(), DomainError> {
    sqlx::query(
        "INSERT INTO partner_config_users (config_id, user_id, added_at) VALUES ($1, $2, $3) \
         ON CONFLICT (config_id, user_id) DO NOTHING",
    )
    .bind(id.to_string())
    .bind(user_id.to_string())
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn remove_config_user(
    db: impl AnyExecutor<'_>,
    id: ConfigId,
    user_id: UserId,
) -> Result<bool, DomainError> {
    let result =
        sqlx::query("DELETE FROM partner_config_users WHERE config_id = $1 AND user_id = $2")
            .bind(id.to_string())
            .bind(user_id.to_string())
            .execute(db)
            .await?;
    Ok(result.rows_affected() == 1)
}

/// A user of `org_id` by username.
pub async fn user_in_org(
    db: impl AnyExecutor<'_>,
    org_id: &str,
    username: &str,
) -> Result<Option<UserId>, DomainError> {
    let id: Option<String> =
        sqlx::query_scalar("SELECT id FROM users WHERE org_id = $1 AND username = $2")
            .bind(org_id)
            .bind(username)
            .fetch_optional(db)
            .await?;
    id.as_deref().map(parse_id).transpose()
}

// ---- shares ------------------------------------------------------------------------------

/// Shares the entity with the configuration's partner, or updates the share. `shared_by` is
/// the person who shared it directly (`None` for an accepted offer, whose grantor is its
/// offerer); sharing again names the latest sharer, an accepted offer keeps the one before.
pub async fn upsert_share(
    db: impl AnyExecutor<'_>,
    config_id: ConfigId,
    resource_id: ResourceId,
    offer_accepted: bool,
    shared_by: Option<UserId>,
    now: &str,
) -> Result<(), DomainError> {
    sqlx::query(
        "INSERT INTO entity_shares \
           (id, config_id, resource_id, offer_accepted, shared_by_user_id, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6) \
         ON CONFLICT (config_id, resource_id) DO UPDATE SET \
           offer_accepted = excluded.offer_accepted, updated_at = excluded.updated_at, \
           shared_by_user_id = COALESCE(excluded.shared_by_user_id, entity_shares.shared_by_user_id)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(config_id.to_string())
    .bind(resource_id.to_string())
    .bind(i64::from(offer_accepted))
    .bind(shared_by.map(|id| id.to_string()))
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn delete_share(
    db: impl AnyExecutor<'_>,
    config_id: ConfigId,
    resource_id: ResourceId,
) -> Result<(), DomainError> {
    sqlx::query("DELETE FROM entity_shares WHERE config_id = $1 AND resource_id = $2")
        .bind(config_id.to_string())
        .bind(resource_id.to_string())
        .execute(db)
        .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct ShareRow {
    config_id: String,
    schema_name: String,
    external_id: String,
    parent_external_id: Option<String>,
    offer_accepted: i64,
    created_at: String,
    updated_at: String,
}

pub async fn shares(
    db: impl AnyExecutor<'_>,
    config_id: ConfigId,
) -> Result<Vec<SharedEntity>, DomainError> {
    Ok(only_items(shares_of(db, ChildrenOf::Config(config_id)).await?))
}

/// Shared entities with the id of their configuration.
pub async fn shares_of(
    db: impl AnyExecutor<'_>,
    of: ChildrenOf,
) -> Result<Vec<(String, SharedEntity)>, DomainError> {
    let rows: Vec<ShareRow> = sqlx::query_as(&format!(
        "SELECT s.config_id, r.schema_name, r.external_id, r.parent_external_id, \
         s.offer_accepted, s.created_at, s.updated_at \
         FROM entity_shares s JOIN resources r ON r.id = s.resource_id \
         WHERE {} ORDER BY s.id",
        of.condition("s")
    ))
    .bind(of.bound())
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let entity = SharedEntity {
                schema: row.schema_name,
                entity_id: row.external_id,
                parent_entity_id: row.parent_external_id,
                offer_accepted: row.offer_accepted != 0,
                created_at: row.created_at,
                updated_at: row.updated_at,
            };
            (row.config_id, entity)
        })
        .collect())
}

pub async fn is_shared(
    db: impl AnyExecutor<'_>,
    config_id: ConfigId,
    resource_id: ResourceId,
) -> Result<bool, DomainError> {
    let count: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM entity_shares WHERE config_id = $1 AND resource_id = $2",
    )
    .bind(config_id.to_string())
    .bind(resource_id.to_string())
    .fetch_one(db)
    .await?;
    Ok(count > 0)
}

// ---- offers ------------------------------------------------------------------------------

#[derive(sqlx::FromRow)]
pub struct OfferRow {
    pub id: String,
    pub config_id: String,
    pub resource_id: String,
    pub status: String,
    pub expires_at: String,
}

impl OfferRow {
    pub fn offer_id(&self) -> Result<OfferId, DomainError> {
        parse_id(&self.id)
    }

    pub fn state(&self) -> Result<OfferState, DomainError> {
        OfferState::parse(&self.status).ok_or_else(|| {
            DomainError::Internal(format!("unknown offer status {}", self.status).into())
        })
    }
}

const OFFER_COLUMNS: &str = "o.id, o.config_id, o.resource_id, o.status, o.expires_at";

pub struct NewOffer<'a> {
    pub config_id: ConfigId,
    pub resource_id: ResourceId,
    pub offered_by: UserId,
    pub link_token: &'a str,
    pub expires_at: &'a str,
    pub now: &'a str,
}

/// Creates the offer, or renews one that ended without a winner (declined, expired — also
/// when only its expiry time says so — or unavailable) as a fresh pending offer with a new
/// link. A live pending or accepted offer is left as it is.
pub async fn upsert_offer(
    db: impl AnyExecutor<'_>,
    offer: &NewOffer<'_>,
) -> Result<(), DomainError> {
    sqlx::query(
        "INSERT INTO entity_offers (id, config_id, resource_id, status, offered_by_user_id, link_token, \
         expires_at, status_changed_at, created_at, updated_at) \
         VALUES ($1, $2, $3, 'PENDING', $4, $5, $6, $7, $7, $7) \
         ON CONFLICT (config_id, resource_id) DO UPDATE SET status = 'PENDING', \
           offered_by_user_id = excluded.offered_by_user_id, link_token = excluded.link_token, \
           expires_at = excluded.expires_at, status_changed_at = excluded.status_changed_at, \
           updated_at = excluded.updated_at \
         WHERE entity_offers.status IN ('DECLINED', 'EXPIRED', 'UNAVAILABLE') \
            OR (entity_offers.status = 'PENDING' AND entity_offers.expires_at <= excluded.status_changed_at)",
    )
    .bind(OfferId::new().to_string())
    .bind(offer.config_id.to_string())
    .bind(offer.resource_id.to_string())
    .bind(offer.offered_by.to_string())
    .bind(offer.link_token)
    .bind(offer.expires_at)
    .bind(offer.now)
    .execute(db)
    .await?;
    Ok(())
}

/// Withdraws an offer that has not been accepted.
pub async fn delete_open_offer(
    db: impl AnyExecutor<'_>,
    config_id: ConfigId,
    resource_id: ResourceId,
) -> Result<(), DomainError> {
    sqlx::query("DELETE FROM entity_offers WHERE config_id = $1 AND resource_id = $2 AND status <> 'ACCEPTED'")
        .bind(config_id.to_string())
        .bind(resource_id.to_string())
        .execute(db)
        .await?;
    Ok(())
}

/// The partner that has accepted an offer of this resource, if any.
pub async fn accepted_partner(
    db: impl AnyExecutor<'_>,
    resource_id: ResourceId,
) -> Result<Option<String>, DomainError> {
    Ok(sqlx::query_scalar(
        "SELECT c.partner_org_id FROM entity_offers o JOIN partner_configs c ON c.id = o.config_id \
         WHERE o.resource_id = $1 AND o.status = 'ACCEPTED'",
    )
    .bind(resource_id.to_string())
    .fetch_optional(db)
    .await?)
}

/// Moves a pending offer to `to`. `false` when it was no longer pending: someone else got
/// there first. This conditional update is what makes "first come, first served" hold.
pub async fn settle_pending_offer(
    db: impl AnyExecutor<'_>,
    id: OfferId,
    to: OfferState,
    now: &str,
) -> Result<bool, DomainError> {
    let result = sqlx::query(
        "UPDATE entity_offers SET status = $1, status_changed_at = $2, updated_at = $2 \
         WHERE id = $3 AND status = 'PENDING'",
    )
    .bind(to.as_str())
    .bind(now)
    .bind(id.to_string())
    .execute(db)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Every other pending offer of the resource becomes UNAVAILABLE.
pub async fn close_other_offers(
    db: impl AnyExecutor<'_>,
    resource_id: ResourceId,
    winner: OfferId,
    now: &str,
) -> Result<(), DomainError> {
    sqlx::query(
        "UPDATE entity_offers SET status = 'UNAVAILABLE', status_changed_at = $1, updated_at = $1 \
         WHERE resource_id = $2 AND id <> $3 AND status = 'PENDING'",
    )
    .bind(now)
    .bind(resource_id.to_string())
    .bind(winner.to_string())
    .execute(db)
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct OfferedRow {
    config_id: String,
    schema_name: String,
    external_id: String,
    parent_external_id: Option<String>,
    status: String,
    offered_by_user_id: Option<String>,
    link_token: String,
    expires_at: String,
    status_changed_at: String,
    created_at: String,
    updated_at: String,
}

/// A configuration's offers. Pending offers past their expiry read as EXPIRED whether or not
/// anything has written that down yet.
pub async fn offers(
    db: impl AnyExecutor<'_>,
    config_id: ConfigId,
    now: &str,
) -> Result<Vec<OfferedEntity>, DomainError> {
    Ok(only_items(offers_of(db, ChildrenOf::Config(config_id), now).await?))
}

/// Offers with the id of their configuration.
pub async fn offers_of(
    db: impl AnyExecutor<'_>,
    of: ChildrenOf,
    now: &str,
) -> Result<Vec<(String, OfferedEntity)>, DomainError> {
    let rows: Vec<OfferedRow> = sqlx::query_as(&format!(
        "SELECT o.config_id, r.schema_name, r.external_id, r.parent_external_id, o.status, \
         o.offered_by_user_id, o.link_token, o.expires_at, o.status_changed_at, o.created_at, \
         o.updated_at FROM entity_offers o JOIN resources r ON r.id = o.resource_id \
         WHERE {} ORDER BY o.id",
        of.condition("o")
    ))
    .bind(of.bound())
    .fetch_all(db)
    .await?;
    rows.into_iter()
        .map(|row| {
            let stored = OfferState::parse(&row.status).ok_or_else(|| {
                DomainError::Internal(format!("unknown offer status {}", row.status).into())
            })?;
            let offer = OfferedEntity {
                offer_status: effective_state(stored, &row.expires_at, now),
                schema: row.schema_name,
                entity_id: row.external_id,
                parent_entity_id: row.parent_external_id,
                offered_by_user_id: row.offered_by_user_id,
                link_token: row.link_token,
                expires_at: row.expires_at,
                status_changed_at: row.status_changed_at,
                created_at: row.created_at,
                updated_at: row.updated_at,
            };
            Ok((row.config_id, offer))
        })
        .collect()
}

/// A pending offer whose expiry has passed is expired.
pub fn effective_state(stored: OfferState, expires_at: &str, now: &str) -> OfferState {
    if stored == OfferState::Pending && expires_at <= now {
        OfferState::Expired
    } else {
        stored
    }
}

#[derive(sqlx::FromRow)]
pub struct OfferDetailRow {
    pub sharing_org_id: String,
    pub sharing_org_name: String,
    pub partner_org_id: String,
    pub schema_name: String,
    pub external_id: String,
    pub title: String,
    pub entity_created_at: String,
    pub entity_updated_at: String,
    pub status: String,
    pub offered_at: String,
    pub status_changed_at: String,
    pub expires_at: String,
    /// The partner org's name when it exists in Sharewell.
    pub partner_org_name: Option<String>,
    /// The template role assigned to the partner, if any, and its grants as stored (JSON).
    pub role_name: Option<String>,
    pub template_role_grants: Option<String>,
}

impl OfferDetailRow {
    pub fn grants(&self) -> Result<Vec<Grant>, DomainError> {
        Ok(self
            .template_role_grants
            .as_deref()
            .map(grants_from_json)
            .transpose()?
            .unwrap_or_default())
    }
}

const OFFER_DETAIL: &str =
    "SELECT c.sharing_org_id, orgs.name AS sharing_org_name, c.partner_org_id, \
    r.schema_name, r.external_id, r.title, r.created_at AS entity_created_at, \
    r.updated_at AS entity_updated_at, o.status, o.created_at AS offered_at, o.status_changed_at, \
    o.expires_at, partner.name AS partner_org_name, t.name AS role_name, c.template_role_grants \
    FROM entity_offers o JOIN partner_configs c ON c.id = o.config_id \
    JOIN resources r ON r.id = o.resource_id JOIN orgs ON orgs.id = c.sharing_org_id \
    LEFT JOIN orgs partner ON partner.id = c.partner_org_id \
    LEFT JOIN template_roles t ON t.id = c.template_role_id";

pub async fn offer_detail_by_id(
    db: impl AnyExecutor<'_>,
    id: OfferId,
) -> Result<Option<OfferDetailRow>, DomainError> {
    Ok(sqlx::query_as(&format!("{OFFER_DETAIL} WHERE o.id = $1"))
        .bind(id.to_string())
        .fetch_optional(db)
        .await?)
}

/// The offer of `entity_id` by `sharing_org_id` to `partner_org_id`, by their public ids.
pub async fn offer_id_by_parties(
    db: impl AnyExecutor<'_>,
    sharing_org_id: &str,
    partner_org_id: &str,
    entity_id: &str,
) -> Result<Option<OfferId>, DomainError> {
    let id: Option<String> = sqlx::query_scalar(
        "SELECT o.id FROM entity_offers o JOIN partner_configs c ON c.id = o.config_id \
         JOIN resources r ON r.id = o.resource_id \
         WHERE c.sharing_org_id = $1 AND c.partner_org_id = $2 AND r.external_id = $3 \
         AND r.owner_org_id = $1",
    )
    .bind(sharing_org_id)
    .bind(partner_org_id)
    .bind(entity_id)
    .fetch_optional(db)
    .await?;
    id.as_deref().map(parse_id).transpose()
}

pub async fn offer_id_by_token(
    db: impl AnyExecutor<'_>,
    token: &str,
) -> Result<Option<OfferId>, DomainError> {
    let id: Option<String> =
        sqlx::query_scalar("SELECT id FROM entity_offers WHERE link_token = $1")
            .bind(token)
            .fetch_optional(db)
            .await?;
    id.as_deref().map(parse_id).transpose()
}

pub async fn offer_by_id(
    db: impl AnyExecutor<'_>,
    id: OfferId,
) -> Result<Option<OfferRow>, DomainError> {
    Ok(sqlx::query_as(&format!("SELECT {OFFER_COLUMNS} FROM entity_offers o WHERE o.id = $1"))
        .bind(id.to_string())
        .fetch_optional(db)
        .await?)
}

pub async fn config_row_by_id(
    db: impl AnyExecutor<'_>,
    id: &str,
) -> Result<Option<ConfigRow>, DomainError> {
    Ok(sqlx::query_as(&format!("SELECT {CONFIG_COLUMNS} FROM partner_configs c WHERE c.id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await?)
}

/// Pending offers past their expiry, with the org that made them, oldest expiry first.
pub async fn pending_offers_past_expiry(
    db: impl AnyExecutor<'_>,
    now: &str,
    limit: i64,
) -> Result<Vec<(String, String)>, DomainError> {
    Ok(sqlx::query_as(
        "SELECT o.id, c.sharing_org_id FROM entity_offers o \
         JOIN partner_configs c ON c.id = o.config_id \
         WHERE o.status = 'PENDING' AND o.expires_at <= $1 ORDER BY o.expires_at, o.id LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(db)
    .await?)
}

/// Persists an offer's expiry; false when it was no longer pending (accepted, declined or
/// already swept).
pub async fn expire_offer(
    db: impl AnyExecutor<'_>,
    id: &str,
    now: &str,
) -> Result<bool, DomainError> {
    let done = sqlx::query(
        "UPDATE entity_offers SET status = 'EXPIRED', status_changed_at = $2, updated_at = $2 \
         WHERE id = $1 AND status = 'PENDING' AND expires_at <= $2",
    )
    .bind(id)
    .bind(now)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[derive(sqlx::FromRow)]
struct EntityShareRow {
    schema_name: String,
    external_id: String,
    sharing_org_name: String,
    partner_org_id: String,
    partner_org_name: Option<String>,
    offer_accepted: i64,
    created_at: String,
}

/// The entities `org_id` shared with partners (`received` false) or was shared by others,
/// newest first; `text` matches the schema, entity id, partner or sharing org.
pub async fn entity_shares_of_org(
    db: impl AnyExecutor<'_>,
    org_id: OrgId,
    received: bool,
    text: Option<&str>,
    limit: i64,
) -> Result<Vec<crate::domain::partners::EntityShareView>, DomainError> {
    let side = if received { "c.partner_org_id" } else { "c.sharing_org_id" };
    // The sending side's own name would match every row: only the other party's counts.
    let other_name = if received {
        "OR LOWER(o.name) LIKE $3 ESCAPE '\\'"
    } else {
        "OR LOWER(COALESCE(p.name, '')) LIKE $3 ESCAPE '\\'"
    };
    let rows: Vec<EntityShareRow> = sqlx::query_as(&format!(
        "SELECT r.schema_name, r.external_id, o.name AS sharing_org_name, c.partner_org_id, \
         p.name AS partner_org_name, s.offer_accepted, s.created_at FROM entity_shares s \
         JOIN partner_configs c ON c.id = s.config_id JOIN resources r ON r.id = s.resource_id \
         JOIN orgs o ON o.id = c.sharing_org_id LEFT JOIN orgs p ON p.id = c.partner_org_id \
         WHERE {side} = $1 AND ($3 IS NULL OR LOWER(r.schema_name) LIKE $3 ESCAPE '\\' \
           OR LOWER(r.external_id) LIKE $3 ESCAPE '\\' OR LOWER(c.partner_org_id) LIKE $3 ESCAPE '\\' {other_name}) \
         ORDER BY s.created_at DESC, s.id DESC LIMIT $2"
    ))
    .bind(org_id.to_string())
    .bind(limit)
    .bind(super::like_pattern(text))
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| crate::domain::partners::EntityShareView {
            schema: row.schema_name,
            entity_id: row.external_id,
            sharing_org_name: row.sharing_org_name,
            partner_org_id: row.partner_org_id,
            partner_org_name: row.partner_org_name,
            via_offer: row.offer_accepted != 0,
            created_at: row.created_at,
        })
        .collect())
}

/// Takes the row lock of the offered entity for the rest of the transaction, so that
/// concurrent answers to offers of the same entity queue up (PostgreSQL; SQLite's write
/// transactions are serial already, for which this is a harmless no-op write). `false` when
/// there is no such offer.
pub async fn lock_offered_resource(
    db: impl AnyExecutor<'_>,
    offer_id: OfferId,
) -> Result<bool, DomainError> {
    let result = sqlx::query(
        "UPDATE resources SET updated_at = updated_at \
         WHERE id = (SELECT resource_id FROM entity_offers WHERE id = $1)",
    )
    .bind(offer_id.to_string())
    .execute(db)
    .await?;
    Ok(result.rows_affected() == 1)
}
