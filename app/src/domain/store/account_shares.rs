//! SQL for account shares, their recipients and resources.

use sqlx::AnyExecutor;

use super::{like_pattern, parse_id};
use crate::domain::account_shares::{
    AccountShare, Association, Direction, ResourceFilter, ShareOrder, ShareQuery, ShareRecipient,
    ShareResource, ShareStatus, TargetType,
};
use crate::domain::ids::{AccountShareId, OrgId, RecipientId, ShareResourceId};
use crate::domain::paging::{Cursor, Total, COUNT_CAP};
use crate::domain::DomainError;

fn internal(message: String) -> DomainError {
    DomainError::Internal(message.into())
}

// ---- orgs ------------------------------------------------------------------------------------

#[derive(sqlx::FromRow, Clone, Debug)]
pub struct OrgRow {
    pub id: String,
    pub name: String,
    pub parent_id: Option<String>,
}

impl OrgRow {
    pub fn org_id(&self) -> Result<OrgId, DomainError> {
        parse_id(&self.id)
    }

    pub fn parent(&self) -> Result<Option<OrgId>, DomainError> {
        self.parent_id.as_deref().map(parse_id).transpose()
    }
}

pub async fn org(db: impl AnyExecutor<'_>, id: OrgId) -> Result<Option<OrgRow>, DomainError> {
    Ok(sqlx::query_as("SELECT id, name, parent_id FROM orgs WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(db)
        .await?)
}

// ---- shares ----------------------------------------------------------------------------------

/// Whose shares a list covers.
#[derive(Clone, Copy, Debug)]
pub enum Scope {
    /// What one account sent, and what it received (directly, or through its organization).
    Account { org_id: OrgId, parent_id: Option<OrgId> },
    /// What an organization and its child accounts sent.
    Organization(OrgId),
}

pub struct NewShareRow<'a> {
    pub id: AccountShareId,
    pub owner_org_id: OrgId,
    pub face: &'a str,
    pub name: &'a str,
    pub reference: Option<&'a str>,
    pub target_type: TargetType,
    pub expires_at: Option<&'a str>,
    pub created_by: String,
    pub now: &'a str,
}

pub async fn insert_share(
    db: impl AnyExecutor<'_>,
    share: &NewShareRow<'_>,
) -> Result<(), DomainError> {
    sqlx::query(
        "INSERT INTO account_shares (id, owner_org_id, face, name, reference, target_type, status, \
         expires_at, created_by_user_id, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'active', $7, $8, $9, $9)",
    )
    .bind(share.id.to_string())
    .bind(share.owner_org_id.to_string())
    .bind(share.face)
    .bind(share.name)
    .bind(share.reference)
    .bind(share.target_type.as_str())
    .bind(share.expires_at)
    .bind(&share.created_by)
    .bind(share.now)
    .execute(db)
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct ShareRow {
    id: String,
    owner_org_id: String,
    owner_org_name: String,
    owner_parent_id: Option<String>,
    face: String,
    name: String,
    reference: Option<String>,
    target_type: String,
    status: String,
    expires_at: Option<String>,
    created_at: String,
    updated_at: String,
}

impl ShareRow {
    fn into_share(self, now: &str) -> Result<AccountShare, DomainError> {
        let expired = self.expires_at.as_deref().is_some_and(|expiry| expiry <= now);
        Ok(AccountShare {
            id: parse_id(&self.id)?,
            owner_org_id: parse_id(&self.owner_org_id)?,
            owner_org_name: self.owner_org_name,
            owner_parent_id: self.owner_parent_id.as_deref().map(parse_id).transpose()?,
            face: self.face,
            name: self.name,
            reference: self.reference,
            target_type: TargetType::parse(&self.target_type)
                .ok_or_else(|| internal(format!("unknown target type {}", self.target_type)))?,
            status: share_status(&self.status)?,
            expires_at: self.expires_at,
            expired,
            created_at: self.created_at,
            updated_at: self.updated_at,
            recipients: Vec::new(),
            resources: Vec::new(),
        })
    }
}

fn share_status(text: &str) -> Result<ShareStatus, DomainError> {
    ShareStatus::parse(text).ok_or_else(|| internal(format!("unknown share status {text}")))
}

const SHARE_COLUMNS: &str = "s.id, s.owner_org_id, o.name AS owner_org_name, \
     o.parent_id AS owner_parent_id, s.face, s.name, s.reference, s.target_type, s.status, \
     s.expires_at, s.created_at, s.updated_at";

/// One share by id, whoever owns it, without recipients and resources (see [`fill`]).
pub async fn share(
    db: impl AnyExecutor<'_>,
    id: AccountShareId,
    now: &str,
) -> Result<Option<AccountShare>, DomainError> {
    let row: Option<ShareRow> = sqlx::query_as(&format!(
        "SELECT {SHARE_COLUMNS} FROM account_shares s JOIN orgs o ON o.id = s.owner_org_id \
         WHERE s.id = $1"
    ))
    .bind(id.to_string())
    .fetch_optional(db)
    .await?;
    row.map(|row| row.into_share(now)).transpose()
}

/// The WHERE clause of a share list and its (all text) parameters.
struct Conditions {
    clauses: Vec<String>,
    binds: Vec<String>,
}

impl Conditions {
    fn bind(&mut self, value: impl Into<String>) -> String {
        self.binds.push(value.into());
        format!("${}", self.binds.len())
    }
}

/// A share list as the union of at most two disjoint arms, each of which an index can walk in
/// list order: what the account (or organization) sent, by `owner_org_id`; and what it
/// received (or what its child accounts sent), found from the recipients' index. A single
/// `sent OR received` condition would make the database scan every share.
struct Arms {
    where_: Conditions,
    arms: Vec<String>,
    /// Conditions every arm shares (filters of the query).
    common: Vec<String>,
}

fn arms(scope: Scope, query: &ShareQuery, now: &str) -> Arms {
    let mut where_ = Conditions { clauses: Vec::new(), binds: Vec::new() };
    let mut arms = Vec::new();
    match scope {
        Scope::Account { org_id, parent_id } => {
            let org = where_.bind(org_id.to_string());
            let parent = where_.bind(parent_id.map(|id| id.to_string()).unwrap_or_default());
            let at = where_.bind(now);
            let sent = format!("s.owner_org_id = {org}");
            // Received: active, unexpired, and associated with this account or its organization.
            let received = format!(
                "s.id IN (SELECT r.share_id FROM account_share_recipients r \
                 WHERE r.org_id IN ({org}, {parent}) AND r.association_status = 'associated') \
                 AND s.owner_org_id <> {org} AND s.status = 'active' \
                 AND (s.expires_at IS NULL OR s.expires_at > {at}) \
                 AND EXISTS (SELECT 1 FROM account_share_recipients r WHERE r.share_id = s.id \
                 AND r.association_status = 'associated' \
                 AND (r.org_id = {org} OR (s.target_type = 'organization' AND r.org_id = {parent})))"
            );
            match query.direction {
                Some(Direction::Sent) => arms.push(sent),
                Some(Direction::Received) => arms.push(received),
                None => arms.extend([sent, received]),
            }
        }
        Scope::Organization(org_id) => {
            let org = where_.bind(org_id.to_string());
            arms.push(format!("s.owner_org_id = {org}"));
            arms.push(format!("s.owner_org_id IN (SELECT id FROM orgs WHERE parent_id = {org})"));
        }
    }
    if let Some(face) = &query.face {
        let face = where_.bind(face.clone());
        where_.clauses.push(format!("s.face = {face}"));
    }
    if let Some(status) = query.status {
        let status = where_.bind(status.as_str());
        where_.clauses.push(format!("s.status = {status}"));
    }
    if let Some(target_type) = query.target_type {
        let target_type = where_.bind(target_type.as_str());
        where_.clauses.push(format!("s.target_type = {target_type}"));
    }
    if let Some(expired) = query.expired {
        let at = where_.bind(now);
        where_.clauses.push(if expired {
            format!("(s.expires_at IS NOT NULL AND s.expires_at <= {at})")
        } else {
            format!("(s.expires_at IS NULL OR s.expires_at > {at})")
        });
    }
    if !query.resource_types.is_empty() {
        let types: Vec<String> =
            query.resource_types.iter().map(|kind| where_.bind(kind.clone())).collect();
        where_.clauses.push(format!(
            "EXISTS (SELECT 1 FROM account_share_resources x WHERE x.share_id = s.id \
             AND x.status <> 'deleted' AND x.resource_type IN ({}))",
            types.join(", ")
        ));
    }
    if let Some(pattern) = like_pattern(query.text.as_deref()) {
        let pattern = where_.bind(pattern);
        // The other party's name counts too: a recipient org (sent) or the owner (received).
        where_.clauses.push(format!(
            "(LOWER(s.name) LIKE {pattern} ESCAPE '\\' OR LOWER(COALESCE(s.reference, '')) LIKE {pattern} ESCAPE '\\' \
             OR EXISTS (SELECT 1 FROM orgs n WHERE LOWER(n.name) LIKE {pattern} ESCAPE '\\' \
               AND (n.id = s.owner_org_id OR n.id IN (SELECT x.org_id FROM account_share_recipients x \
                 WHERE x.share_id = s.id AND x.association_status <> 'disassociated'))))"
        ));
    }
    let common = std::mem::take(&mut where_.clauses);
    Arms { where_, arms, common }
}

impl Arms {
    /// The full condition of one arm, with `extra` (a keyset bound) added.
    fn condition(&self, arm: &str, extra: Option<&str>) -> String {
        let mut all = vec![arm.to_owned()];
        all.extend(self.common.iter().cloned());
        all.extend(extra.map(str::to_owned));
        all.join(" AND ")
    }
}

/// The sort column of a share order, as stored in a row (for the next page's cursor).
/// Where a share that never expires sorts by expiry: after every date.
const NEVER_EXPIRES: &str = "9999-12-31T23:59:59Z";

fn order_column(order: ShareOrder) -> &'static str {
    match order {
        ShareOrder::Created => "s.created_at",
        ShareOrder::Name => "s.name",
        // "Never expires" sorts after every date (NULL would sort first on SQLite and last on
        // PostgreSQL), and the cursor compares the same value.
        ShareOrder::Expiry => "COALESCE(s.expires_at, '9999-12-31T23:59:59Z')", // NEVER_EXPIRES
        ShareOrder::Status => "s.status",
    }
}

/// One page of the shares in `scope` that match `query`, and how many match (counted up to
/// [`COUNT_CAP`]).
///
/// The page's ids come from a union of the arms, each walked in list order by an index on
/// `(owner_org_id, [face,] sort column, id)`, merged, and cut with `LIMIT`: after `query.after`
/// when given (a keyset seek), else after skipping `(page - 1) * per_page` entries, which on
/// the sent arm reads the index only. The full rows are then read for that page alone.
pub async fn shares(
    db: &sqlx::AnyPool,
    scope: Scope,
    query: &ShareQuery,
    now: &str,
) -> Result<(Vec<AccountShare>, Total, Option<Cursor>), DomainError> {
    let mut arms = arms(scope, query, now);
    let limit = query.per_page.max(1);

    let counted_arms: Vec<String> = arms
        .arms
        .iter()
        .map(|arm| format!("SELECT s.id FROM account_shares s WHERE {}", arms.condition(arm, None)))
        .collect();
    let count_sql = format!(
        "SELECT COUNT(*) FROM ({} LIMIT {}) counted",
        counted_arms.join(" UNION ALL "),
        COUNT_CAP + 1
    );
    let mut count = sqlx::query_scalar::<_, i64>(&count_sql);
    for value in &arms.where_.binds {
        count = count.bind(value);
    }
    let total = Total::from_capped(count.fetch_one(db).await?);

    let column = order_column(query.order);
    let (direction, after_op) = if query.descending { ("DESC", "<") } else { ("ASC", ">") };
    let (bound, offset) = match &query.after {
        Some(cursor) => {
            let value = arms.where_.bind(cursor.value.clone());
            let id = arms.where_.bind(cursor.id.clone());
            (Some(format!("({column}, s.id) {after_op} ({value}, {id})")), 0)
        }
        None => (None, (query.page.max(1) - 1).saturating_mul(limit)),
    };
    let id_arms: Vec<String> = arms
        .arms
        .iter()
        .map(|arm| {
            format!(
                "SELECT {column} AS sort_key, s.id AS id FROM account_shares s WHERE {}",
                arms.condition(arm, bound.as_deref())
            )
        })
        .collect();
    // One more than a page, to know whether there is a next one.
    let sql = format!(
        "SELECT {SHARE_COLUMNS} FROM account_shares s JOIN orgs o ON o.id = s.owner_org_id \
         WHERE s.id IN (SELECT id FROM ({} ORDER BY 1 {direction}, 2 {direction} \
           LIMIT {} OFFSET {offset}) page) \
         ORDER BY {column} {direction}, s.id {direction}",
        id_arms.join(" UNION ALL "),
        limit + 1
    );
    let mut select = sqlx::query_as::<_, ShareRow>(&sql);
    for value in &arms.where_.binds {
        select = select.bind(value);
    }
    let mut rows = select.fetch_all(db).await?;
    let next = if rows.len() as i64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(|row| {
            let value = match query.order {
                ShareOrder::Created => row.created_at.clone(),
                ShareOrder::Name => row.name.clone(),
                ShareOrder::Expiry => {
                    row.expires_at.clone().unwrap_or_else(|| NEVER_EXPIRES.to_owned())
                }
                ShareOrder::Status => row.status.clone(),
            };
            Cursor::new(query.order_key(), value, row.id.clone())
        })
    } else {
        None
    };
    let shares = rows.into_iter().map(|row| row.into_share(now)).collect::<Result<_, _>>()?;
    Ok((shares, total, next))
}

/// Loads the recipients and resources of `shares` (two queries for the whole list).
pub async fn fill(
    db: &mut sqlx::AnyConnection,
    shares: &mut [AccountShare],
) -> Result<(), DomainError> {
    if shares.is_empty() {
        return Ok(());
    }
    let ids: Vec<String> = shares.iter().map(|share| share.id.to_string()).collect();
    let placeholders: Vec<String> = (1..=ids.len()).map(|n| format!("${n}")).collect();
    let placeholders = placeholders.join(", ");

    let sql = format!(
        "SELECT {RECIPIENT_COLUMNS} FROM account_share_recipients r JOIN orgs o ON o.id = r.org_id \
         WHERE r.share_id IN ({placeholders}) ORDER BY r.id"
    );
    let mut select = sqlx::query_as::<_, RecipientRow>(&sql);
    for id in &ids {
        select = select.bind(id);
    }
    for row in select.fetch_all(&mut *db).await? {
        let recipient = row.into_recipient()?;
        if let Some(share) = shares.iter_mut().find(|share| share.id == recipient.share_id) {
            share.recipients.push(recipient);
        }
    }

    let sql = format!(
        "SELECT {RESOURCE_COLUMNS} FROM account_share_resources WHERE share_id IN ({placeholders}) \
         ORDER BY id"
    );
    let mut select = sqlx::query_as::<_, ResourceRow>(&sql);
    for id in &ids {
        select = select.bind(id);
    }
    for row in select.fetch_all(&mut *db).await? {
        let resource = row.into_resource()?;
        if let Some(share) = shares.iter_mut().find(|share| share.id == resource.share_id) {
            share.resources.push(resource);
        }
    }
    Ok(())
}

/// Takes the share's row lock for the rest of the transaction, so that changes to one share
/// are decided one at a time on PostgreSQL too (SQLite's write transactions are serial
/// already, for which this is a harmless no-op write).
pub async fn lock_share(
    db: impl AnyExecutor<'_>,
    id: AccountShareId,
    owner: OrgId,
) -> Result<(), DomainError> {
    sqlx::query(
        "UPDATE account_shares SET updated_at = updated_at WHERE id = $1 AND owner_org_id = $2",
    )
    .bind(id.to_string())
    .bind(owner.to_string())
    .execute(db)
    .await?;
    Ok(())
}

pub async fn rename_share(
    db: impl AnyExecutor<'_>,
    id: AccountShareId,
    name: &str,
    now: &str,
) -> Result<(), DomainError> {
    sqlx::query("UPDATE account_shares SET name = $2, updated_at = $3 WHERE id = $1")
        .bind(id.to_string())
        .bind(name)
        .bind(now)
        .execute(db)
        .await?;
    Ok(())
}

/// Sets a new expiry; a later sweep reports it again when it passes.
pub async fn set_expiry(
    db: impl AnyExecutor<'_>,
    id: AccountShareId,
    expires_at: &str,
    now: &str,
) -> Result<(), DomainError> {
    sqlx::query(
        "UPDATE account_shares SET expires_at = $2, expiry_swept_at = NULL, updated_at = $3 \
         WHERE id = $1",
    )
    .bind(id.to_string())
    .bind(expires_at)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

/// Moves a share from `from` to `to`; false when it was not in `from` (already done).
pub async fn move_share_status(
    db: impl AnyExecutor<'_>,
    id: AccountShareId,
    from: ShareStatus,
    to: ShareStatus,
    now: &str,
) -> Result<bool, DomainError> {
    let done = sqlx::query(
        "UPDATE account_shares SET status = $3, updated_at = $4 WHERE id = $1 AND status = $2",
    )
    .bind(id.to_string())
    .bind(from.as_str())
    .bind(to.as_str())
    .bind(now)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Expired shares whose expiry no sweep has reported yet, oldest expiry first.
pub async fn unswept_expired_shares(
    db: impl AnyExecutor<'_>,
    now: &str,
    limit: i64,
) -> Result<Vec<(String, String, String)>, DomainError> {
    Ok(sqlx::query_as(
        "SELECT id, owner_org_id, name FROM account_shares \
         WHERE expires_at IS NOT NULL AND expires_at <= $1 AND expiry_swept_at IS NULL \
           AND status = 'active' ORDER BY expires_at, id LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(db)
    .await?)
}

/// Marks an expiry as reported; false when another sweep did it first.
pub async fn mark_expiry_swept(
    db: impl AnyExecutor<'_>,
    id: &str,
    now: &str,
) -> Result<bool, DomainError> {
    let done = sqlx::query(
        "UPDATE account_shares SET expiry_swept_at = $2 WHERE id = $1 AND expiry_swept_at IS NULL \
         AND expires_at <= $2",
    )
    .bind(id)
    .bind(now)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

// ---- recipients ------------------------------------------------------------------------------

#[derive(sqlx::FromRow)]
struct RecipientRow {
    id: String,
    share_id: String,
    org_id: String,
    org_name: String,
    association_status: String,
    created_at: String,
    updated_at: String,
}

impl RecipientRow {
    fn into_recipient(self) -> Result<ShareRecipient, DomainError> {
        Ok(ShareRecipient {
            id: parse_id(&self.id)?,
            share_id: parse_id(&self.share_id)?,
            org_id: parse_id(&self.org_id)?,
            org_name: self.org_name,
            association: Association::parse(&self.association_status).ok_or_else(|| {
                internal(format!("unknown association {}", self.association_status))
            })?,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

const RECIPIENT_COLUMNS: &str = "r.id, r.share_id, r.org_id, o.name AS org_name, \
     r.association_status, r.created_at, r.updated_at";

pub async fn recipients(
    db: impl AnyExecutor<'_>,
    share_id: AccountShareId,
) -> Result<Vec<ShareRecipient>, DomainError> {
    let rows: Vec<RecipientRow> = sqlx::query_as(&format!(
        "SELECT {RECIPIENT_COLUMNS} FROM account_share_recipients r JOIN orgs o ON o.id = r.org_id \
         WHERE r.share_id = $1 ORDER BY r.id"
    ))
    .bind(share_id.to_string())
    .fetch_all(db)
    .await?;
    rows.into_iter().map(RecipientRow::into_recipient).collect()
}

/// A page of a share's recipients in id order (an index seek on `(share_id, id)`), and how
/// many it has.
pub async fn recipient_page(
    db: &mut sqlx::AnyConnection,
    share_id: AccountShareId,
    limit: i64,
    offset: i64,
) -> Result<(Vec<ShareRecipient>, i64), DomainError> {
    let total: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM account_share_recipients WHERE share_id = $1")
            .bind(share_id.to_string())
            .fetch_one(&mut *db)
            .await?;
    let rows: Vec<RecipientRow> = sqlx::query_as(&format!(
        "SELECT {RECIPIENT_COLUMNS} FROM account_share_recipients r JOIN orgs o ON o.id = r.org_id \
         WHERE r.share_id = $1 ORDER BY r.id LIMIT $2 OFFSET $3"
    ))
    .bind(share_id.to_string())
    .bind(limit)
    .bind(offset)
    .fetch_all(&mut *db)
    .await?;
    let recipients =
        rows.into_iter().map(RecipientRow::into_recipient).collect::<Result<_, _>>()?;
    Ok((recipients, total))
}

/// Adds `org_id` as a recipient, or brings back one that was removed. Returns the
/// recipient's id and whether anything changed (false: already there and not leaving).
pub async fn upsert_recipient(
    db: &mut sqlx::AnyConnection,
    share_id: AccountShareId,
    org_id: OrgId,
    association: Association,
    now: &str,
) -> Result<(RecipientId, bool), DomainError> {
    let existing: Option<(String, String)> = sqlx::query_as(
        "SELECT id, association_status FROM account_share_recipients \
         WHERE share_id = $1 AND org_id = $2",
    )
    .bind(share_id.to_string())
    .bind(org_id.to_string())
    .fetch_optional(&mut *db)
    .await?;
    match existing {
        Some((id, status)) if matches!(status.as_str(), "associating" | "associated") => {
            Ok((parse_id(&id)?, false))
        }
        Some((id, _)) => {
            set_association(&mut *db, parse_id(&id)?, None, association, now).await?;
            Ok((parse_id(&id)?, true))
        }
        None => {
            let id = RecipientId::new();
            let inserted = sqlx::query(
                "INSERT INTO account_share_recipients \
                 (id, share_id, org_id, association_status, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (share_id, org_id) DO NOTHING",
            )
            .bind(id.to_string())
            .bind(share_id.to_string())
            .bind(org_id.to_string())
            .bind(association.as_str())
            .bind(now)
            .execute(&mut *db)
            .await?
            .rows_affected()
                == 1;
            if inserted {
                return Ok((id, true));
            }
            // A concurrent request added this recipient first: theirs is the one.
            let id: String = sqlx::query_scalar(
                "SELECT id FROM account_share_recipients WHERE share_id = $1 AND org_id = $2",
            )
            .bind(share_id.to_string())
            .bind(org_id.to_string())
            .fetch_one(&mut *db)
            .await?;
            Ok((parse_id(&id)?, false))
        }
    }
}

/// Moves a recipient to `to`, only from `from` when given; false when it was elsewhere.
pub async fn set_association(
    db: impl AnyExecutor<'_>,
    id: RecipientId,
    from: Option<Association>,
    to: Association,
    now: &str,
) -> Result<bool, DomainError> {
    let done = sqlx::query(
        "UPDATE account_share_recipients SET association_status = $3, updated_at = $4 \
         WHERE id = $1 AND ($2 = '' OR association_status = $2)",
    )
    .bind(id.to_string())
    .bind(from.map(Association::as_str).unwrap_or_default())
    .bind(to.as_str())
    .bind(now)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Moves every recipient of a share that is not yet gone to `disassociated`.
pub async fn disassociate_all(
    db: impl AnyExecutor<'_>,
    share_id: AccountShareId,
    now: &str,
) -> Result<(), DomainError> {
    sqlx::query(
        "UPDATE account_share_recipients SET association_status = 'disassociated', updated_at = $2 \
         WHERE share_id = $1 AND association_status <> 'disassociated'",
    )
    .bind(share_id.to_string())
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

/// Records that a recipient's admins were told of the share; false when they already were.
pub async fn mark_notified(
    db: impl AnyExecutor<'_>,
    id: RecipientId,
    now: &str,
) -> Result<bool, DomainError> {
    let done = sqlx::query(
        "UPDATE account_share_recipients SET notified_at = $2 WHERE id = $1 AND notified_at IS NULL",
    )
    .bind(id.to_string())
    .bind(now)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// What the worker needs to know about a recipient: its share, the share's owner and name, and
/// the recipient org.
pub struct RecipientContext {
    pub share_id: AccountShareId,
    pub owner_org_id: OrgId,
    pub owner_org_name: String,
    pub share_name: String,
    pub share_status: ShareStatus,
    pub recipient_org_id: OrgId,
}

pub async fn recipient_context(
    db: impl AnyExecutor<'_>,
    id: RecipientId,
) -> Result<Option<RecipientContext>, DomainError> {
    let row: Option<(String, String, String, String, String, String)> = sqlx::query_as(
        "SELECT r.share_id, s.owner_org_id, o.name, s.name, s.status, r.org_id \
         FROM account_share_recipients r \
         JOIN account_shares s ON s.id = r.share_id JOIN orgs o ON o.id = s.owner_org_id \
         WHERE r.id = $1",
    )
    .bind(id.to_string())
    .fetch_optional(db)
    .await?;
    row.map(|(share, owner, owner_name, name, status, recipient)| {
        Ok(RecipientContext {
            share_id: parse_id(&share)?,
            owner_org_id: parse_id(&owner)?,
            owner_org_name: owner_name,
            share_name: name,
            share_status: share_status(&status)?,
            recipient_org_id: parse_id(&recipient)?,
        })
    })
    .transpose()
}

// ---- resources -------------------------------------------------------------------------------

#[derive(sqlx::FromRow)]
struct ResourceRow {
    id: String,
    share_id: String,
    resource_type: String,
    resource_id: String,
    resource_account_id: String,
    meta: String,
    version: i64,
    status: String,
    created_at: String,
    updated_at: String,
}

impl ResourceRow {
    fn into_resource(self) -> Result<ShareResource, DomainError> {
        Ok(ShareResource {
            id: parse_id(&self.id)?,
            share_id: parse_id(&self.share_id)?,
            resource_type: self.resource_type,
            resource_id: self.resource_id,
            resource_account_id: self.resource_account_id,
            meta: self.meta,
            version: self.version,
            status: share_status(&self.status)?,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

const RESOURCE_COLUMNS: &str = "id, share_id, resource_type, resource_id, resource_account_id, \
     meta, version, status, created_at, updated_at";

pub struct NewResourceRow<'a> {
    pub share_id: AccountShareId,
    pub resource_type: &'a str,
    pub resource_id: &'a str,
    pub resource_account_id: &'a str,
    pub meta: &'a str,
    pub now: &'a str,
}

pub async fn insert_resource(
    db: impl AnyExecutor<'_>,
    resource: &NewResourceRow<'_>,
) -> Result<ShareResourceId, DomainError> {
    let id = ShareResourceId::new();
    sqlx::query(
        "INSERT INTO account_share_resources (id, share_id, resource_type, resource_id, \
         resource_account_id, meta, version, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 1, 'active', $7, $7)",
    )
    .bind(id.to_string())
    .bind(resource.share_id.to_string())
    .bind(resource.resource_type)
    .bind(resource.resource_id)
    .bind(resource.resource_account_id)
    .bind(resource.meta)
    .bind(resource.now)
    .execute(db)
    .await?;
    Ok(id)
}

pub async fn resources(
    db: impl AnyExecutor<'_>,
    share_id: AccountShareId,
) -> Result<Vec<ShareResource>, DomainError> {
    let rows: Vec<ResourceRow> = sqlx::query_as(&format!(
        "SELECT {RESOURCE_COLUMNS} FROM account_share_resources WHERE share_id = $1 ORDER BY id"
    ))
    .bind(share_id.to_string())
    .fetch_all(db)
    .await?;
    rows.into_iter().map(ResourceRow::into_resource).collect()
}

/// A page of a share's resources that match `filter`, in id order (an index seek on
/// `(share_id, id)`), and how many match.
pub async fn resource_page(
    db: &mut sqlx::AnyConnection,
    share_id: AccountShareId,
    filter: ResourceFilter<'_>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<ShareResource>, i64), DomainError> {
    const MATCHING: &str = "FROM account_share_resources WHERE share_id = $1 \
        AND ($2 IS NULL OR resource_type = $2) AND ($3 IS NULL OR status = $3)";
    let status = filter.status.map(ShareStatus::as_str);
    let total: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) {MATCHING}"))
        .bind(share_id.to_string())
        .bind(filter.resource_type)
        .bind(status)
        .fetch_one(&mut *db)
        .await?;
    let rows: Vec<ResourceRow> = sqlx::query_as(&format!(
        "SELECT {RESOURCE_COLUMNS} {MATCHING} ORDER BY id LIMIT $4 OFFSET $5"
    ))
    .bind(share_id.to_string())
    .bind(filter.resource_type)
    .bind(status)
    .bind(limit)
    .bind(offset)
    .fetch_all(&mut *db)
    .await?;
    let resources = rows.into_iter().map(ResourceRow::into_resource).collect::<Result<_, _>>()?;
    Ok((resources, total))
}

/// Replaces a resource's metadata and bumps its version.
pub async fn update_resource_meta(
    db: impl AnyExecutor<'_>,
    id: ShareResourceId,
    meta: &str,
    now: &str,
) -> Result<(), DomainError> {
    sqlx::query(
        "UPDATE account_share_resources SET meta = $2, version = version + 1, updated_at = $3 \
         WHERE id = $1",
    )
    .bind(id.to_string())
    .bind(meta)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

/// Moves a resource from `from` to `to` (any status when `from` is `None`); false when it
/// was elsewhere.
pub async fn move_resource_status(
    db: impl AnyExecutor<'_>,
    id: ShareResourceId,
    from: Option<ShareStatus>,
    to: ShareStatus,
    now: &str,
) -> Result<bool, DomainError> {
    let done = sqlx::query(
        "UPDATE account_share_resources SET status = $3, updated_at = $4 \
         WHERE id = $1 AND ($2 = '' OR status = $2)",
    )
    .bind(id.to_string())
    .bind(from.map(ShareStatus::as_str).unwrap_or_default())
    .bind(to.as_str())
    .bind(now)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks every resource of a share deleted.
pub async fn delete_all_resources(
    db: impl AnyExecutor<'_>,
    share_id: AccountShareId,
    now: &str,
) -> Result<(), DomainError> {
    sqlx::query(
        "UPDATE account_share_resources SET status = 'deleted', updated_at = $2 \
         WHERE share_id = $1 AND status <> 'deleted'",
    )
    .bind(share_id.to_string())
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

/// The share a resource belongs to.
pub async fn share_of_resource(
    db: impl AnyExecutor<'_>,
    id: ShareResourceId,
) -> Result<Option<AccountShareId>, DomainError> {
    let row: Option<String> =
        sqlx::query_scalar("SELECT share_id FROM account_share_resources WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(db)
            .await?;
    row.as_deref().map(parse_id).transpose()
}
