//! SQL for orgs, users and API tokens.

use sqlx::AnyExecutor;

use super::parse_id;
use crate::domain::identity::{Actor, Org, Role, TokenSummary};
use crate::domain::ids::{OrgId, TokenId, UserId};
use crate::domain::DomainError;

pub async fn insert_org(db: impl AnyExecutor<'_>, org: &Org) -> Result<(), DomainError> {
    sqlx::query("INSERT INTO orgs (id, name, parent_id, created_at) VALUES ($1, $2, $3, $4)")
        .bind(org.id.to_string())
        .bind(&org.name)
        .bind(org.parent_id.map(|id| id.to_string()))
        .bind(&org.created_at)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn org_exists(db: impl AnyExecutor<'_>, id: OrgId) -> Result<bool, DomainError> {
    let found: Option<String> = sqlx::query_scalar("SELECT id FROM orgs WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(db)
        .await?;
    Ok(found.is_some())
}

pub struct NewUserRow<'a> {
    pub id: UserId,
    pub org_id: OrgId,
    pub username: &'a str,
    pub email: &'a str,
    pub role: Role,
    pub password_hash: &'a str,
    pub created_at: &'a str,
}

pub async fn insert_user(
    db: impl AnyExecutor<'_>,
    user: &NewUserRow<'_>,
) -> Result<(), DomainError> {
    sqlx::query(
        "INSERT INTO users (id, org_id, username, email, role, password_hash, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(user.id.to_string())
    .bind(user.org_id.to_string())
    .bind(user.username)
    .bind(user.email)
    .bind(user.role.as_str())
    .bind(user.password_hash)
    .bind(user.created_at)
    .execute(db)
    .await?;
    Ok(())
}

/// Which of a username and an email are already taken: `(username_taken, email_taken)`.
pub async fn username_or_email_taken(
    db: impl AnyExecutor<'_>,
    username: &str,
    email: &str,
) -> Result<(bool, bool), DomainError> {
    let (username_taken, email_taken): (i64, i64) = sqlx::query_as(
        "SELECT \
           (SELECT COUNT(*) FROM users WHERE username = $1), \
           (SELECT COUNT(*) FROM users WHERE email = $2)",
    )
    .bind(username)
    .bind(email)
    .fetch_one(db)
    .await?;
    Ok((username_taken > 0, email_taken > 0))
}

/// The user id and password hash for a sign-in attempt; a deactivated user has none.
pub async fn login_record(
    db: impl AnyExecutor<'_>,
    username: &str,
) -> Result<Option<(UserId, String)>, DomainError> {
    let row: Option<(String, String)> = sqlx::query_as(
        "SELECT id, password_hash FROM users WHERE username = $1 AND deactivated_at IS NULL",
    )
    .bind(username)
    .fetch_optional(db)
    .await?;
    row.map(|(id, hash)| Ok((parse_id(&id)?, hash))).transpose()
}

pub async fn user_id_by_username(
    db: impl AnyExecutor<'_>,
    username: &str,
) -> Result<Option<UserId>, DomainError> {
    let id: Option<String> = sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
        .bind(username)
        .fetch_optional(db)
        .await?;
    id.as_deref().map(parse_id).transpose()
}

#[derive(sqlx::FromRow)]
struct ActorRow {
    user_id: String,
    username: String,
    email: String,
    role: String,
    org_id: String,
    org_name: String,
}

impl ActorRow {
    fn into_actor(self) -> Result<Actor, DomainError> {
        Ok(Actor {
            user_id: parse_id(&self.user_id)?,
            username: self.username,
            email: self.email,
            role: Role::parse(&self.role)
                .map_err(|e| DomainError::Internal(e.to_string().into()))?,
            org_id: parse_id(&self.org_id)?,
            org_name: self.org_name,
            read_only: false,
            token_expires_at: None,
        })
    }
}

const ACTOR_COLUMNS: &str = "users.id AS user_id, users.username, users.email, users.role, \
                             orgs.id AS org_id, orgs.name AS org_name";

pub async fn actor_by_user_id(
    db: impl AnyExecutor<'_>,
    user_id: UserId,
) -> Result<Option<Actor>, DomainError> {
    let row: Option<ActorRow> = sqlx::query_as(&format!(
        "SELECT {ACTOR_COLUMNS} FROM users JOIN orgs ON orgs.id = users.org_id WHERE users.id = $1"
    ))
    .bind(user_id.to_string())
    .fetch_optional(db)
    .await?;
    row.map(ActorRow::into_actor).transpose()
}

/// Like [`actor_by_user_id`], but `None` for a deactivated user: what every request of a
/// session checks.
pub async fn active_actor_by_user_id(
    db: impl AnyExecutor<'_>,
    user_id: UserId,
) -> Result<Option<Actor>, DomainError> {
    let row: Option<ActorRow> = sqlx::query_as(&format!(
        "SELECT {ACTOR_COLUMNS} FROM users JOIN orgs ON orgs.id = users.org_id \
         WHERE users.id = $1 AND users.deactivated_at IS NULL"
    ))
    .bind(user_id.to_string())
    .fetch_optional(db)
    .await?;
    row.map(ActorRow::into_actor).transpose()
}

pub struct NewTokenRow<'a> {
    pub summary: &'a TokenSummary,
    pub user_id: UserId,
    pub secret_hash: &'a str,
}

pub async fn insert_token(
    db: impl AnyExecutor<'_>,
    token: &NewTokenRow<'_>,
) -> Result<(), DomainError> {
    sqlx::query(
        "INSERT INTO api_tokens (id, user_id, name, secret_hash, created_at, read_only, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(token.summary.id.to_string())
    .bind(token.user_id.to_string())
    .bind(&token.summary.name)
    .bind(token.secret_hash)
    .bind(&token.summary.created_at)
    .bind(i64::from(token.summary.read_only))
    .bind(token.summary.expires_at.as_deref())
    .execute(db)
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct TokenActorRow {
    token_id: String,
    last_used_at: Option<String>,
    token_read_only: i64,
    token_expires_at: Option<String>,
    #[sqlx(flatten)]
    actor: ActorRow,
}

/// The owner of a live token with this secret hash (not revoked, not expired at `now`, and
/// not a deactivated user's), acting as the token allows, and when the token was last used.
pub async fn actor_by_token_hash(
    db: impl AnyExecutor<'_>,
    secret_hash: &str,
    now: &str,
) -> Result<Option<(TokenId, Option<String>, Actor)>, DomainError> {
    let row: Option<TokenActorRow> = sqlx::query_as(&format!(
        "SELECT api_tokens.id AS token_id, api_tokens.last_used_at, \
                api_tokens.read_only AS token_read_only, api_tokens.expires_at AS token_expires_at, \
                {ACTOR_COLUMNS} FROM api_tokens \
         JOIN users ON users.id = api_tokens.user_id JOIN orgs ON orgs.id = users.org_id \
         WHERE api_tokens.secret_hash = $1 AND api_tokens.revoked_at IS NULL \
           AND (api_tokens.expires_at IS NULL OR api_tokens.expires_at > $2) \
           AND users.deactivated_at IS NULL"
    ))
    .bind(secret_hash)
    .bind(now)
    .fetch_optional(db)
    .await?;
    row.map(|row| {
        let mut actor = row.actor.into_actor()?;
        actor.read_only = row.token_read_only != 0;
        actor.token_expires_at = row.token_expires_at;
        Ok((parse_id(&row.token_id)?, row.last_used_at, actor))
    })
    .transpose()
}

/// Records a use of the token, at most once per `stale_before` interval, so that busy
/// clients do not turn every read into a write.
pub async fn touch_token(
    db: impl AnyExecutor<'_>,
    id: TokenId,
    now: &str,
    stale_before: &str,
) -> Result<(), DomainError> {
    sqlx::query(
        "UPDATE api_tokens SET last_used_at = $1 \
         WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $3)",
    )
    .bind(now)
    .bind(id.to_string())
    .bind(stale_before)
    .execute(db)
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct TokenRow {
    id: String,
    name: String,
    created_at: String,
    last_used_at: Option<String>,
    revoked_at: Option<String>,
    read_only: i64,
    expires_at: Option<String>,
}

/// A user's tokens, newest first.
pub async fn tokens_of_user(
    db: impl AnyExecutor<'_>,
    user_id: UserId,
    now: &str,
) -> Result<Vec<TokenSummary>, DomainError> {
    let rows: Vec<TokenRow> = sqlx::query_as(
        "SELECT id, name, created_at, last_used_at, revoked_at, read_only, expires_at \
         FROM api_tokens \
         WHERE user_id = $1 ORDER BY id DESC",
    )
    .bind(user_id.to_string())
    .fetch_all(db)
    .await?;
    rows.into_iter()
        .map(|row| {
            Ok(TokenSummary {
                id: parse_id(&row.id)?,
                name: row.name,
                created_at: row.created_at,
                last_used_at: row.last_used_at,
                revoked_at: row.revoked_at,
                read_only: row.read_only != 0,
                expired: row.expires_at.as_deref().is_some_and(|at| at <= now),
                expires_at: row.expires_at,
            })
        })
        .collect()
}

/// Revokes one of the user's live tokens; `false` when there is no such live token.
pub async fn revoke_token(
    db: impl AnyExecutor<'_>,
    user_id: UserId,
    id: TokenId,
    now: &str,
) -> Result<bool, DomainError> {
    let result = sqlx::query(
        "UPDATE api_tokens SET revoked_at = $1 \
         WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(id.to_string())
    .bind(user_id.to_string())
    .execute(db)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Orgs whose name contains `text` (case-insensitive), other than `except`, by name; at most
/// `limit`. Only ids and names: nothing else about another org leaves here.
pub async fn orgs_named_like(
    db: impl AnyExecutor<'_>,
    text: &str,
    except: OrgId,
    limit: i64,
) -> Result<Vec<(String, String)>, DomainError> {
    let Some(pattern) = super::like_pattern(Some(text)) else {
        return Ok(Vec::new());
    };
    Ok(sqlx::query_as(
        "SELECT id, name FROM orgs WHERE LOWER(name) LIKE $1 ESCAPE '\\' AND id <> $2 \
         ORDER BY LOWER(name), id LIMIT $3",
    )
    .bind(pattern)
    .bind(except.to_string())
    .bind(limit)
    .fetch_all(db)
    .await?)
}

/// The ids of the orgs named exactly `name` (case-insensitive), other than `except`.
pub async fn org_ids_named(
    db: impl AnyExecutor<'_>,
    name: &str,
    except: OrgId,
) -> Result<Vec<String>, DomainError> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM orgs WHERE LOWER(name) = $1 AND id <> $2 ORDER BY id LIMIT 2",
    )
    .bind(name.trim().to_lowercase())
    .bind(except.to_string())
    .fetch_all(db)
    .await?)
}
