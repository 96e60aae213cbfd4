//! SQL for files and apps shared with people, access requests and notifications.

use sqlx::AnyExecutor;

use super::{like_pattern, parse_id};
use crate::domain::files::Access;
use crate::domain::files::{
    AccessRequest, Notification, Person, PersonShare, RequestFilter, RequestStatus,
};
use crate::domain::ids::{OrgId, ResourceId, UserId};
use crate::domain::listing::{FileShareSort, RequestSort, SortDir};
use crate::domain::DomainError;

fn internal(message: String) -> DomainError {
    DomainError::Internal(message.into())
}

// ---- people ------------------------------------------------------------------------------

#[derive(sqlx::FromRow)]
struct PersonRow {
    id: String,
    username: String,
    email: String,
}

impl PersonRow {
    fn into_person(self) -> Result<Person, DomainError> {
        Ok(Person { user_id: parse_id(&self.id)?, username: self.username, email: self.email })
    }
}

/// A user by username, or by email when the text contains `@` (both stored lowercase).
pub async fn person_by_name_or_email(
    db: impl AnyExecutor<'_>,
    text: &str,
) -> Result<Option<Person>, DomainError> {
    let needle = text.trim().to_ascii_lowercase();
    let column = if needle.contains('@') { "email" } else { "username" };
    let row: Option<PersonRow> =
        sqlx::query_as(&format!("SELECT id, username, email FROM users WHERE {column} = $1"))
            .bind(needle)
            .fetch_optional(db)
            .await?;
    row.map(PersonRow::into_person).transpose()
}

/// Active people whose username or email contains `text` and whom `user` may reasonably be
/// offered as recipients: people of `org`, and anyone `user` has shared with or received a
/// share from. The rest of the instance's directory is not searchable this way.
pub async fn contacts_named_like(
    db: impl AnyExecutor<'_>,
    text: &str,
    user: UserId,
    org: OrgId,
    limit: i64,
) -> Result<Vec<(String, String)>, DomainError> {
    let Some(pattern) = like_pattern(Some(text)) else {
        return Ok(Vec::new());
    };
    Ok(sqlx::query_as(
        "SELECT u.username, o.name FROM users u JOIN orgs o ON o.id = u.org_id \
         WHERE u.deactivated_at IS NULL AND u.id <> $2 \
           AND (LOWER(u.username) LIKE $1 ESCAPE '\\' OR LOWER(u.email) LIKE $1 ESCAPE '\\') \
           AND (u.org_id = $3 \
                OR u.id IN (SELECT recipient_user_id FROM user_shares WHERE owner_user_id = $2) \
                OR u.id IN (SELECT owner_user_id FROM user_shares WHERE recipient_user_id = $2)) \
         ORDER BY u.username, u.id LIMIT $4",
    )
    .bind(pattern)
    .bind(user.to_string())
    .bind(org.to_string())
    .bind(limit)
    .fetch_all(db)
    .await?)
}

/// Active people of `org` whose username or email contains `text`, with the org's name.
pub async fn org_people_named_like(
    db: impl AnyExecutor<'_>,
    text: &str,
    org: &str,
    limit: i64,
) -> Result<Vec<(String, String)>, DomainError> {
    let Some(pattern) = like_pattern(Some(text)) else {
        return Ok(Vec::new());
    };
    Ok(sqlx::query_as(
        "SELECT u.username, o.name FROM users u JOIN orgs o ON o.id = u.org_id \
         WHERE u.org_id = $2 AND u.deactivated_at IS NULL \
           AND (LOWER(u.username) LIKE $1 ESCAPE '\\' OR LOWER(u.email) LIKE $1 ESCAPE '\\') \
         ORDER BY u.username, u.id LIMIT $3",
    )
    .bind(pattern)
    .bind(org)
    .bind(limit)
    .fetch_all(db)
    .await?)
}

pub async fn person(db: impl AnyExecutor<'_>, id: UserId) -> Result<Option<Person>, DomainError> {
    let row: Option<PersonRow> =
        sqlx::query_as("SELECT id, username, email FROM users WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(db)
            .await?;
    row.map(PersonRow::into_person).transpose()
}

/// The org a user belongs to; `None` for no such user.
pub async fn org_of_user(
    db: impl AnyExecutor<'_>,
    id: UserId,
) -> Result<Option<OrgId>, DomainError> {
    let org: Option<String> = sqlx::query_scalar("SELECT org_id FROM users WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(db)
        .await?;
    org.as_deref().map(parse_id).transpose()
}

// ---- file and app resources --------------------------------------------------------------

#[derive(sqlx::FromRow, Clone, Debug)]
pub struct ResourceRow {
    pub id: String,
    pub kind: String,
    pub external_id: String,
    pub title: String,
    pub owner_user_id: Option<String>,
    pub lookup_hash: Option<String>,
}

impl ResourceRow {
    pub fn resource_id(&self) -> Result<ResourceId, DomainError> {
        parse_id(&self.id)
    }
}

const RESOURCE_COLUMNS: &str = "id, kind, external_id, title, owner_user_id, lookup_hash";

pub async fn file_by_path(
    db: impl AnyExecutor<'_>,
    owner: UserId,
    path: &str,
) -> Result<Option<ResourceRow>, DomainError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {RESOURCE_COLUMNS} FROM resources \
         WHERE kind = 'file' AND owner_user_id = $1 AND external_id = $2"
    ))
    .bind(owner.to_string())
    .bind(path)
    .fetch_optional(db)
    .await?)
}

/// A file or app of `org_id` by its uid (the resource id).
pub async fn resource_of_org(
    db: impl AnyExecutor<'_>,
    org_id: OrgId,
    id: &str,
) -> Result<Option<ResourceRow>, DomainError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {RESOURCE_COLUMNS} FROM resources WHERE id = $1 AND owner_org_id = $2 \
         AND kind IN ('file', 'app')"
    ))
    .bind(id)
    .bind(org_id.to_string())
    .fetch_optional(db)
    .await?)
}

pub async fn file_by_lookup_hash(
    db: impl AnyExecutor<'_>,
    owner: UserId,
    lookup_hash: &str,
) -> Result<Option<ResourceRow>, DomainError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {RESOURCE_COLUMNS} FROM resources \
         WHERE kind = 'file' AND owner_user_id = $1 AND lookup_hash = $2"
    ))
    .bind(owner.to_string())
    .bind(lookup_hash)
    .fetch_optional(db)
    .await?)
}

/// An app of the org's catalogue by its uid (`app-…`) or its name.
pub async fn app(
    db: impl AnyExecutor<'_>,
    org_id: OrgId,
    uid_or_name: &str,
) -> Result<Option<ResourceRow>, DomainError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {RESOURCE_COLUMNS} FROM resources WHERE kind = 'app' AND owner_org_id = $1 \
         AND (external_id = $2 OR title = $2) ORDER BY id LIMIT 1"
    ))
    .bind(org_id.to_string())
    .bind(uid_or_name)
    .fetch_optional(db)
    .await?)
}

pub async fn apps(
    db: impl AnyExecutor<'_>,
    org_id: OrgId,
) -> Result<Vec<ResourceRow>, DomainError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {RESOURCE_COLUMNS} FROM resources WHERE kind = 'app' AND owner_org_id = $1 ORDER BY title"
    ))
    .bind(org_id.to_string())
    .fetch_all(db)
    .await?)
}

pub struct NewResource<'a> {
    pub id: ResourceId,
    pub org_id: OrgId,
    pub owner_user_id: Option<UserId>,
    pub kind: &'a str,
    pub external_id: &'a str,
    pub title: &'a str,
    pub lookup_hash: Option<&'a str>,
    pub now: &'a str,
}

/// Adds the resource and returns its id; when a concurrent request already added one with
/// the same external id, returns that one's id instead, so both share the one row. Another
/// unique index (an app's name) still refuses with a unique violation.
pub async fn insert_resource(
    db: &mut sqlx::AnyConnection,
    resource: &NewResource<'_>,
) -> Result<ResourceId, DomainError> {
    sqlx::query(
        "INSERT INTO resources (id, owner_org_id, kind, schema_name, external_id, title, \
         owner_user_id, lookup_hash, created_at, updated_at) \
         VALUES ($1, $2, $3, $3, $4, $5, $6, $7, $8, $8) \
         ON CONFLICT (owner_org_id, kind, external_id) DO NOTHING",
    )
    .bind(resource.id.to_string())
    .bind(resource.org_id.to_string())
    .bind(resource.kind)
    .bind(resource.external_id)
    .bind(resource.title)
    .bind(resource.owner_user_id.map(|id| id.to_string()))
    .bind(resource.lookup_hash)
    .bind(resource.now)
    .execute(&mut *db)
    .await?;
    let id: String = sqlx::query_scalar(
        "SELECT id FROM resources WHERE owner_org_id = $1 AND kind = $2 AND external_id = $3",
    )
    .bind(resource.org_id.to_string())
    .bind(resource.kind)
    .bind(resource.external_id)
    .fetch_one(&mut *db)
    .await?;
    parse_id(&id)
}

// ---- shares with people ------------------------------------------------------------------

pub struct NewPersonShare<'a> {
    pub resource_id: ResourceId,
    pub owner: UserId,
    pub recipient: Option<UserId>,
    pub access: Access,
    pub share_info_type: &'a str,
    pub message: &'a str,
    pub auth_ticket: Option<&'a str>,
    pub link: Option<&'a str>,
    pub face: &'a str,
    pub now: &'a str,
}

/// Shares a resource with a person; sharing it again updates access, message and ticket.
/// True when the share is new.
pub async fn upsert_person_share(
    db: impl AnyExecutor<'_>,
    share: &NewPersonShare<'_>,
) -> Result<bool, DomainError> {
    let created_at: String = sqlx::query_scalar(
        "INSERT INTO user_shares (id, resource_id, owner_user_id, recipient_user_id, access, \
         share_info_type, message, auth_ticket, link, face, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) \
         ON CONFLICT (resource_id, recipient_user_id) DO UPDATE SET access = excluded.access, \
           share_info_type = excluded.share_info_type, message = excluded.message, \
           auth_ticket = COALESCE(excluded.auth_ticket, user_shares.auth_ticket), \
           link = COALESCE(excluded.link, user_shares.link), updated_at = excluded.updated_at \
         RETURNING created_at",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(share.resource_id.to_string())
    .bind(share.owner.to_string())
    .bind(share.recipient.map(|id| id.to_string()))
    .bind(share.access.as_str())
    .bind(share.share_info_type)
    .bind(share.message)
    .bind(share.auth_ticket)
    .bind(share.link)
    .bind(share.face)
    .bind(share.now)
    .fetch_one(db)
    .await?;
    // A share made again (a client retrying) keeps its creation time.
    Ok(created_at == share.now)
}

#[derive(sqlx::FromRow)]
struct ShareRow {
    id: String,
    resource_id: String,
    kind: String,
    title: String,
    external_id: String,
    lookup_hash: Option<String>,
    owner_id: String,
    owner_username: String,
    owner_email: String,
    recipient_id: Option<String>,
    recipient_username: Option<String>,
    recipient_email: Option<String>,
    access: String,
    share_info_type: String,
    message: String,
    auth_ticket: Option<String>,
    link: Option<String>,
    face: String,
    created_at: String,
    updated_at: String,
}

impl ShareRow {
    fn into_share(self) -> Result<PersonShare, DomainError> {
        let recipient = match (self.recipient_id, self.recipient_username, self.recipient_email) {
            (Some(id), Some(username), Some(email)) => {
                Some(Person { user_id: parse_id(&id)?, username, email })
            }
            _ => None,
        };
        let path =
            (self.kind == "file" && self.external_id.starts_with('/')).then_some(self.external_id);
        Ok(PersonShare {
            id: self.id,
            resource_id: self.resource_id,
            kind: self.kind,
            title: self.title,
            path,
            lookup_hash: self.lookup_hash,
            owner: Person {
                user_id: parse_id(&self.owner_id)?,
                username: self.owner_username,
                email: self.owner_email,
            },
            recipient,
            access: Access::parse("access", &self.access).map_err(|e| internal(e.to_string()))?,
            share_info_type: self.share_info_type,
            message: self.message,
            auth_ticket: self.auth_ticket,
            link: self.link,
            face: self.face,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

const SHARE_SELECT: &str = "SELECT s.id, s.resource_id, r.kind, r.title, r.external_id, r.lookup_hash, \
    o.id AS owner_id, o.username AS owner_username, o.email AS owner_email, \
    rc.id AS recipient_id, rc.username AS recipient_username, rc.email AS recipient_email, \
    s.access, s.share_info_type, s.message, s.auth_ticket, s.link, s.face, s.created_at, s.updated_at \
    FROM user_shares s JOIN resources r ON r.id = s.resource_id JOIN users o ON o.id = s.owner_user_id \
    LEFT JOIN users rc ON rc.id = s.recipient_user_id";

/// Which side of a share the listing is for.
#[derive(Clone, Copy, Debug)]
pub enum Side {
    Sent,
    Received,
}

#[derive(Default)]
pub struct ShareFilter<'a> {
    pub share_info_type: Option<&'a str>,
    pub lookup_hash: Option<&'a str>,
    /// `file` or `app`.
    pub kind: Option<&'a str>,
    /// Matches the title, path and usernames, case-insensitively.
    pub text: Option<&'a str>,
    /// `None`: the newest first.
    pub order: Option<(FileShareSort, SortDir)>,
    pub limit: i64,
    pub offset: i64,
}

/// The ORDER BY of a share listing; ties go newest first, so that pages never overlap.
fn share_order(side: Side, order: Option<(FileShareSort, SortDir)>) -> String {
    let Some((key, dir)) = order else { return "s.id DESC".to_owned() };
    let dir = dir.sql();
    let column = match key {
        FileShareSort::Shared => return format!("s.id {dir}"),
        // What the list shows as the item: a file's path, else the title.
        FileShareSort::Item => {
            "LOWER(CASE WHEN r.kind = 'file' AND r.external_id LIKE '/%' \
             THEN r.external_id ELSE r.title END)"
        }
        // A share by link has no recipient: it sorts with the empty names, on both backends.
        FileShareSort::Person => match side {
            Side::Sent => "COALESCE(rc.username, '')",
            Side::Received => "o.username",
        },
        FileShareSort::Access => "s.access",
    };
    format!("{column} {dir}, s.id DESC")
}

fn share_conditions(side: Side) -> String {
    let column = match side {
        Side::Sent => "s.owner_user_id",
        Side::Received => "s.recipient_user_id",
    };
    format!(
        "WHERE {column} = $1 AND ($2 IS NULL OR s.share_info_type = $2) \
         AND ($3 IS NULL OR r.lookup_hash = $3) AND ($4 IS NULL OR r.kind = $4) \
         AND ($5 IS NULL OR LOWER(r.title) LIKE $5 ESCAPE '\\' OR LOWER(r.external_id) LIKE $5 ESCAPE '\\' \
              OR o.username LIKE $5 ESCAPE '\\' OR rc.username LIKE $5 ESCAPE '\\')"
    )
}

/// How many shares match, for paging.
pub async fn count_person_shares(
    db: impl AnyExecutor<'_>,
    user: UserId,
    side: Side,
    filter: &ShareFilter<'_>,
) -> Result<i64, DomainError> {
    Ok(sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM user_shares s JOIN resources r ON r.id = s.resource_id \
         JOIN users o ON o.id = s.owner_user_id LEFT JOIN users rc ON rc.id = s.recipient_user_id {}",
        share_conditions(side)
    ))
    .bind(user.to_string())
    .bind(filter.share_info_type)
    .bind(filter.lookup_hash)
    .bind(filter.kind)
    .bind(like_pattern(filter.text))
    .fetch_one(db)
    .await?)
}

/// A user's sent or received shares, in the filter's order (newest first by default).
pub async fn person_shares(
    db: impl AnyExecutor<'_>,
    user: UserId,
    side: Side,
    filter: &ShareFilter<'_>,
) -> Result<Vec<PersonShare>, DomainError> {
    let rows: Vec<ShareRow> = sqlx::query_as(&format!(
        "{SHARE_SELECT} {} ORDER BY {} LIMIT $6 OFFSET $7",
        share_conditions(side),
        share_order(side, filter.order)
    ))
    .bind(user.to_string())
    .bind(filter.share_info_type)
    .bind(filter.lookup_hash)
    .bind(filter.kind)
    .bind(like_pattern(filter.text))
    .bind(filter.limit)
    .bind(filter.offset)
    .fetch_all(db)
    .await?;
    rows.into_iter().map(ShareRow::into_share).collect()
}

/// Deletes the owner's shares with this ticket and/or of this file; the recipient of each
/// share that went (`None` for a share by link).
pub async fn delete_person_shares(
    db: impl AnyExecutor<'_>,
    owner: UserId,
    auth_ticket: Option<&str>,
    lookup_hash: Option<&str>,
) -> Result<Vec<Option<String>>, DomainError> {
    Ok(sqlx::query_scalar(
        "DELETE FROM user_shares WHERE owner_user_id = $1 AND ($2 IS NULL OR auth_ticket = $2) \
         AND ($3 IS NULL OR resource_id IN (SELECT id FROM resources WHERE lookup_hash = $3 \
           AND owner_user_id = $1)) \
         RETURNING recipient_user_id",
    )
    .bind(owner.to_string())
    .bind(auth_ticket)
    .bind(lookup_hash)
    .fetch_all(db)
    .await?)
}

/// The owner of share `id` when the owner is a person of `org`.
pub async fn share_owner_in_org(
    db: &mut sqlx::AnyConnection,
    id: &str,
    org: OrgId,
) -> Result<Option<UserId>, DomainError> {
    let owner: Option<String> = sqlx::query_scalar(
        "SELECT s.owner_user_id FROM user_shares s JOIN users u ON u.id = s.owner_user_id \
         WHERE s.id = $1 AND u.org_id = $2",
    )
    .bind(id)
    .bind(org.to_string())
    .fetch_optional(&mut *db)
    .await?;
    owner.as_deref().map(parse_id).transpose()
}

/// Revokes one of the owner's shares; the recipient, or `None` when there was no such share.
pub async fn delete_person_share(
    db: &mut sqlx::AnyConnection,
    owner: UserId,
    id: &str,
) -> Result<Option<Option<UserId>>, DomainError> {
    let recipient: Option<Option<String>> = sqlx::query_scalar(
        "SELECT recipient_user_id FROM user_shares WHERE id = $1 AND owner_user_id = $2",
    )
    .bind(id)
    .bind(owner.to_string())
    .fetch_optional(&mut *db)
    .await?;
    let Some(recipient) = recipient else { return Ok(None) };
    sqlx::query("DELETE FROM user_shares WHERE id = $1").bind(id).execute(&mut *db).await?;
    Ok(Some(recipient.as_deref().map(parse_id).transpose()?))
}

/// Changes the access of one of the owner's shares; `false` when there is no such share.
pub async fn set_share_access(
    db: impl AnyExecutor<'_>,
    owner: UserId,
    id: &str,
    access: Access,
    now: &str,
) -> Result<bool, DomainError> {
    let result = sqlx::query(
        "UPDATE user_shares SET access = $1, updated_at = $2 WHERE id = $3 AND owner_user_id = $4",
    )
    .bind(access.as_str())
    .bind(now)
    .bind(id)
    .bind(owner.to_string())
    .execute(db)
    .await?;
    Ok(result.rows_affected() == 1)
}

// ---- access requests ---------------------------------------------------------------------

#[derive(sqlx::FromRow)]
pub struct RequestRow {
    pub id: String,
    pub requester_user_id: String,
    pub owner_user_id: String,
    pub resource_id: String,
    pub status: String,
    pub attempts: i64,
}

impl RequestRow {
    pub fn status(&self) -> Result<RequestStatus, DomainError> {
        RequestStatus::parse(&self.status)
            .ok_or_else(|| internal(format!("unknown request status {}", self.status)))
    }
}

const REQUEST_ROW: &str = "SELECT id, requester_user_id, owner_user_id, resource_id, status, attempts FROM access_requests";

pub async fn request_for(
    db: impl AnyExecutor<'_>,
    requester: UserId,
    resource: ResourceId,
) -> Result<Option<RequestRow>, DomainError> {
    Ok(sqlx::query_as(&format!("{REQUEST_ROW} WHERE requester_user_id = $1 AND resource_id = $2"))
        .bind(requester.to_string())
        .bind(resource.to_string())
        .fetch_optional(db)
        .await?)
}

pub async fn request_by_id(
    db: impl AnyExecutor<'_>,
    id: &str,
) -> Result<Option<RequestRow>, DomainError> {
    Ok(sqlx::query_as(&format!("{REQUEST_ROW} WHERE id = $1")).bind(id).fetch_optional(db).await?)
}

pub struct NewRequest<'a> {
    pub id: &'a str,
    pub requester: UserId,
    pub owner: UserId,
    pub resource_id: ResourceId,
    pub lookup_hash: &'a str,
    pub auth_ticket: Option<&'a str>,
    pub message: &'a str,
    pub now: &'a str,
}

pub async fn insert_request(
    db: impl AnyExecutor<'_>,
    request: &NewRequest<'_>,
) -> Result<(), DomainError> {
    sqlx::query(
        "INSERT INTO access_requests (id, requester_user_id, owner_user_id, resource_id, lookup_hash, \
         auth_ticket, message, status, attempts, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', 1, $8, $8)",
    )
    .bind(request.id)
    .bind(request.requester.to_string())
    .bind(request.owner.to_string())
    .bind(request.resource_id.to_string())
    .bind(request.lookup_hash)
    .bind(request.auth_ticket)
    .bind(request.message)
    .bind(request.now)
    .execute(db)
    .await?;
    Ok(())
}

/// Asks again after a decline: pending once more, one more attempt counted.
pub async fn renew_request(
    db: impl AnyExecutor<'_>,
    id: &str,
    message: &str,
    now: &str,
) -> Result<(), DomainError> {
    sqlx::query(
        "UPDATE access_requests SET status = 'pending', attempts = attempts + 1, message = $1, \
         updated_at = $2 WHERE id = $3",
    )
    .bind(message)
    .bind(now)
    .bind(id)
    .execute(db)
    .await?;
    Ok(())
}

/// Answers a pending request; `false` when it was no longer pending.
pub async fn answer_request(
    db: impl AnyExecutor<'_>,
    id: &str,
    status: RequestStatus,
    now: &str,
) -> Result<bool, DomainError> {
    let result = sqlx::query(
        "UPDATE access_requests SET status = $1, updated_at = $2 WHERE id = $3 AND status = 'pending'",
    )
    .bind(status.as_str())
    .bind(now)
    .bind(id)
    .execute(db)
    .await?;
    Ok(result.rows_affected() == 1)
}

pub async fn delete_request(db: impl AnyExecutor<'_>, id: &str) -> Result<(), DomainError> {
    sqlx::query("DELETE FROM access_requests WHERE id = $1").bind(id).execute(db).await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct RequestViewRow {
    id: String,
    requester_id: String,
    requester_username: String,
    requester_email: String,
    owner_id: String,
    owner_username: String,
    owner_email: String,
    lookup_hash: String,
    file_title: String,
    message: String,
    status: String,
    attempts: i64,
    created_at: String,
    updated_at: String,
}

/// Requests where `user` is the owner (`Side::Received`) or the requester (`Side::Sent`).
/// The condition of a side's request list: `$1` the person, then `$2` the other party,
/// `$3` a lookup hash and `$4` a status, each `NULL` for any.
fn requests_condition(side: Side) -> String {
    let (mine, theirs) = match side {
        Side::Received => ("q.owner_user_id", "q.requester_user_id"),
        Side::Sent => ("q.requester_user_id", "q.owner_user_id"),
    };
    format!(
        "{mine} = $1 AND ($2 IS NULL OR {theirs} = $2) AND ($3 IS NULL OR q.lookup_hash = $3) \
         AND ($4 IS NULL OR q.status = $4)"
    )
}

fn requests_status(filter: &RequestFilter) -> Option<&'static str> {
    filter.status.map(RequestStatus::as_str).or((!filter.all).then_some("pending"))
}

/// How many requests the filter matches (its offset and limit aside).
pub async fn count_requests(
    db: impl AnyExecutor<'_>,
    user: UserId,
    side: Side,
    filter: &RequestFilter,
) -> Result<i64, DomainError> {
    Ok(sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM access_requests q WHERE {}",
        requests_condition(side)
    ))
    .bind(user.to_string())
    .bind(filter.counterpart.map(|id| id.to_string()))
    .bind(filter.lookup_hash.as_deref())
    .bind(requests_status(filter))
    .fetch_one(db)
    .await?)
}

pub async fn requests(
    db: impl AnyExecutor<'_>,
    user: UserId,
    side: Side,
    filter: &RequestFilter,
) -> Result<Vec<AccessRequest>, DomainError> {
    let order = match filter.order {
        None => "q.id DESC".to_owned(),
        Some((key, dir)) => {
            let dir = dir.sql();
            match key {
                RequestSort::Asked => format!("q.created_at {dir}, q.id {dir}"),
                RequestSort::File => format!("LOWER(r.title) {dir}, q.id DESC"),
                RequestSort::Status => format!("q.status {dir}, q.id DESC"),
            }
        }
    };
    let rows: Vec<RequestViewRow> = sqlx::query_as(&format!(
        "SELECT q.id, rq.id AS requester_id, rq.username AS requester_username, rq.email AS requester_email, \
         ow.id AS owner_id, ow.username AS owner_username, ow.email AS owner_email, q.lookup_hash, \
         r.title AS file_title, q.message, q.status, q.attempts, q.created_at, q.updated_at \
         FROM access_requests q JOIN users rq ON rq.id = q.requester_user_id \
         JOIN users ow ON ow.id = q.owner_user_id JOIN resources r ON r.id = q.resource_id \
         WHERE {} ORDER BY {order} LIMIT $5 OFFSET $6",
        requests_condition(side)
    ))
    .bind(user.to_string())
    .bind(filter.counterpart.map(|id| id.to_string()))
    .bind(filter.lookup_hash.as_deref())
    .bind(requests_status(filter))
    .bind(filter.limit)
    .bind(filter.offset)
    .fetch_all(db)
    .await?;
    rows.into_iter()
        .map(|row| {
            Ok(AccessRequest {
                id: row.id,
                requester: Person {
                    user_id: parse_id(&row.requester_id)?,
                    username: row.requester_username,
                    email: row.requester_email,
                },
                owner: Person {
                    user_id: parse_id(&row.owner_id)?,
                    username: row.owner_username,
                    email: row.owner_email,
                },
                lookup_hash: row.lookup_hash,
                file_title: row.file_title,
                message: row.message,
                status: RequestStatus::parse(&row.status)
                    .ok_or_else(|| internal(format!("unknown request status {}", row.status)))?,
                attempts: row.attempts,
                created_at: row.created_at,
                updated_at: row.updated_at,
            })
        })
        .collect()
}

// ---- notifications -----------------------------------------------------------------------

#[derive(sqlx::FromRow)]
struct NotificationRow {
    id: String,
    kind: String,
    title: String,
    link: Option<String>,
    read_at: Option<String>,
    created_at: String,
}

pub async fn notifications(
    db: impl AnyExecutor<'_>,
    user: UserId,
    limit: i64,
) -> Result<Vec<Notification>, DomainError> {
    let rows: Vec<NotificationRow> = sqlx::query_as(
        "SELECT id, kind, title, link, read_at, created_at FROM notifications WHERE user_id = $1 \
         ORDER BY id DESC LIMIT $2",
    )
    .bind(user.to_string())
    .bind(limit)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| Notification {
            id: row.id,
            kind: row.kind,
            title: row.title,
            link: row.link,
            read: row.read_at.is_some(),
            created_at: row.created_at,
        })
        .collect())
}

pub async fn unread_notifications(
    db: impl AnyExecutor<'_>,
    user: UserId,
) -> Result<i64, DomainError> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL",
    )
    .bind(user.to_string())
    .fetch_one(db)
    .await?)
}

/// Marks one notification (or, with `None`, all of them) read.
pub async fn mark_notifications_read(
    db: impl AnyExecutor<'_>,
    user: UserId,
    id: Option<&str>,
    now: &str,
) -> Result<u64, DomainError> {
    let result = sqlx::query(
        "UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL AND ($3 IS NULL OR id = $3)",
    )
    .bind(now)
    .bind(user.to_string())
    .bind(id)
    .execute(db)
    .await?;
    Ok(result.rows_affected())
}
