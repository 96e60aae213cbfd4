//! SQL for managing an org's users and their set-password links.

use sqlx::AnyExecutor;

use super::parse_id;
use crate::domain::identity::users::UserSummary;
use crate::domain::identity::Role;
use crate::domain::ids::{OrgId, UserId};
use crate::domain::DomainError;

#[derive(sqlx::FromRow)]
struct UserRow {
    id: String,
    username: String,
    email: String,
    role: String,
    created_at: String,
    last_sign_in_at: Option<String>,
    deactivated_at: Option<String>,
}

impl UserRow {
    fn into_summary(self) -> Result<UserSummary, DomainError> {
        Ok(UserSummary {
            id: parse_id(&self.id)?,
            username: self.username,
            email: self.email,
            role: Role::parse(&self.role)
                .map_err(|e| DomainError::Internal(e.to_string().into()))?,
            active: self.deactivated_at.is_none(),
            created_at: self.created_at,
            last_sign_in_at: self.last_sign_in_at,
            deactivated_at: self.deactivated_at,
        })
    }
}

const USER_COLUMNS: &str = "id, username, email, role, created_at, last_sign_in_at, deactivated_at";

/// Takes the org's row lock for the rest of the transaction, so that changes to who is an
/// active admin are decided one at a time on PostgreSQL too (SQLite's write transactions are
/// serial already, for which this is a harmless no-op write).
pub async fn lock_org(db: impl AnyExecutor<'_>, org_id: OrgId) -> Result<(), DomainError> {
    sqlx::query("UPDATE orgs SET name = name WHERE id = $1")
        .bind(org_id.to_string())
        .execute(db)
        .await?;
    Ok(())
}

/// Takes the user's row lock for the rest of the transaction, so that two links issued at
/// once for one user are issued one after the other (and the later retires the earlier).
pub async fn lock_user(db: impl AnyExecutor<'_>, user_id: UserId) -> Result<(), DomainError> {
    sqlx::query("UPDATE users SET password_hash = password_hash WHERE id = $1")
        .bind(user_id.to_string())
        .execute(db)
        .await?;
    Ok(())
}

/// How many users the org has; `active`: only active (`true`) or deactivated (`false`) ones.
pub async fn count_users(
    db: impl AnyExecutor<'_>,
    org_id: OrgId,
    active: Option<bool>,
) -> Result<i64, DomainError> {
    Ok(sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM users WHERE org_id = $1 AND {}",
        active_condition(active)
    ))
    .bind(org_id.to_string())
    .fetch_one(db)
    .await?)
}

/// How a page of users is ordered; `id` (creation order) always breaks ties.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum UserOrder {
    #[default]
    Created,
    Name,
    /// Active first (ascending), then deactivated.
    Status,
}

fn active_condition(active: Option<bool>) -> &'static str {
    match active {
        None => "1 = 1",
        Some(true) => "deactivated_at IS NULL",
        Some(false) => "deactivated_at IS NOT NULL",
    }
}

/// A page of the org's users in `order` (ids are time-ordered: `Created` is by id).
pub async fn users_of_org(
    db: impl AnyExecutor<'_>,
    org_id: OrgId,
    (order, descending, active): (UserOrder, bool, Option<bool>),
    limit: i64,
    offset: i64,
) -> Result<Vec<UserSummary>, DomainError> {
    let dir = if descending { "DESC" } else { "ASC" };
    let order = match order {
        UserOrder::Created => String::new(),
        UserOrder::Name => format!("LOWER(username) {dir}, "),
        UserOrder::Status => format!("(deactivated_at IS NOT NULL) {dir}, "),
    };
    let rows: Vec<UserRow> = sqlx::query_as(&format!(
        "SELECT {USER_COLUMNS} FROM users WHERE org_id = $1 AND {} \
         ORDER BY {order}id {dir} LIMIT $2 OFFSET $3",
        active_condition(active)
    ))
    .bind(org_id.to_string())
    .bind(limit)
    .bind(offset)
    .fetch_all(db)
    .await?;
    rows.into_iter().map(UserRow::into_summary).collect()
}

/// One user of the org; `None` for a missing user and for another org's alike.
pub async fn user_in_org(
    db: impl AnyExecutor<'_>,
    org_id: OrgId,
    user_id: UserId,
) -> Result<Option<UserSummary>, DomainError> {
    let row: Option<UserRow> =
        sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1 AND org_id = $2"))
            .bind(user_id.to_string())
            .bind(org_id.to_string())
            .fetch_optional(db)
            .await?;
    row.map(UserRow::into_summary).transpose()
}

/// How many active admins the org has, leaving out `except`.
pub async fn other_active_admins(
    db: impl AnyExecutor<'_>,
    org_id: OrgId,
    except: UserId,
) -> Result<i64, DomainError> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM users WHERE org_id = $1 AND id <> $2 AND role = 'admin' \
         AND deactivated_at IS NULL",
    )
    .bind(org_id.to_string())
    .bind(except.to_string())
    .fetch_one(db)
    .await?)
}

pub async fn set_role(
    db: impl AnyExecutor<'_>,
    user_id: UserId,
    role: Role,
) -> Result<(), DomainError> {
    sqlx::query("UPDATE users SET role = $1 WHERE id = $2")
        .bind(role.as_str())
        .bind(user_id.to_string())
        .execute(db)
        .await?;
    Ok(())
}

/// Deactivates (`Some(now)`) or reactivates (`None`) a user.
pub async fn set_deactivated(
    db: impl AnyExecutor<'_>,
    user_id: UserId,
    deactivated_at: Option<&str>,
) -> Result<(), DomainError> {
    sqlx::query("UPDATE users SET deactivated_at = $1 WHERE id = $2")
        .bind(deactivated_at)
        .bind(user_id.to_string())
        .execute(db)
        .await?;
    Ok(())
}

pub async fn set_password_hash(
    db: impl AnyExecutor<'_>,
    user_id: UserId,
    password_hash: &str,
) -> Result<(), DomainError> {
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(password_hash)
        .bind(user_id.to_string())
        .execute(db)
        .await?;
    Ok(())
}

/// The stored password hash of an active user, for checking their current password.
pub async fn password_hash(
    db: impl AnyExecutor<'_>,
    user_id: UserId,
) -> Result<Option<String>, DomainError> {
    Ok(sqlx::query_scalar(
        "SELECT password_hash FROM users WHERE id = $1 AND deactivated_at IS NULL",
    )
    .bind(user_id.to_string())
    .fetch_optional(db)
    .await?)
}

pub async fn record_sign_in(
    db: impl AnyExecutor<'_>,
    user_id: UserId,
    now: &str,
) -> Result<(), DomainError> {
    sqlx::query("UPDATE users SET last_sign_in_at = $1 WHERE id = $2")
        .bind(now)
        .bind(user_id.to_string())
        .execute(db)
        .await?;
    Ok(())
}

pub struct NewLinkRow<'a> {
    pub id: String,
    pub user_id: UserId,
    pub secret_hash: &'a str,
    pub created_at: &'a str,
    pub expires_at: &'a str,
}

/// Retires a user's unused links, so that only a newer one (or none) works.
pub async fn retire_links(
    db: impl AnyExecutor<'_>,
    user_id: UserId,
    now: &str,
) -> Result<(), DomainError> {
    sqlx::query("UPDATE password_links SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL")
        .bind(now)
        .bind(user_id.to_string())
        .execute(db)
        .await?;
    Ok(())
}

pub async fn insert_link(
    db: impl AnyExecutor<'_>,
    link: &NewLinkRow<'_>,
) -> Result<(), DomainError> {
    sqlx::query(
        "INSERT INTO password_links (id, user_id, secret_hash, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&link.id)
    .bind(link.user_id.to_string())
    .bind(link.secret_hash)
    .bind(link.created_at)
    .bind(link.expires_at)
    .execute(db)
    .await?;
    Ok(())
}

/// The active user a live (unused, unexpired) link is for, without using it up.
pub async fn live_link_user(
    db: impl AnyExecutor<'_>,
    secret_hash: &str,
    now: &str,
) -> Result<Option<UserId>, DomainError> {
    let id: Option<String> = sqlx::query_scalar(
        "SELECT users.id FROM password_links JOIN users ON users.id = password_links.user_id \
         WHERE password_links.secret_hash = $1 AND password_links.used_at IS NULL \
           AND password_links.expires_at > $2 AND users.deactivated_at IS NULL",
    )
    .bind(secret_hash)
    .bind(now)
    .fetch_optional(db)
    .await?;
    id.as_deref().map(parse_id).transpose()
}

/// Uses a live link up, in one conditional write so that two uses at once cannot both
/// succeed; the user it was for, or `None` when it was not live.
pub async fn use_link(
    db: impl AnyExecutor<'_>,
    secret_hash: &str,
    now: &str,
) -> Result<Option<UserId>, DomainError> {
    let id: Option<String> = sqlx::query_scalar(
        "UPDATE password_links SET used_at = $2 \
         WHERE secret_hash = $1 AND used_at IS NULL AND expires_at > $2 \
         RETURNING user_id",
    )
    .bind(secret_hash)
    .bind(now)
    .fetch_optional(db)
    .await?;
    id.as_deref().map(parse_id).transpose()
}
