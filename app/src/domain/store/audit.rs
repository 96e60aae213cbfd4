//! SQL for the audit log.

use sqlx::AnyExecutor;

use super::parse_id;
use crate::domain::audit::EventView;
use crate::domain::ids::{EventId, OrgId};
use crate::domain::DomainError;

pub struct EventRow {
    pub id: String,
    pub org_id: String,
    pub actor_user_id: Option<String>,
    pub actor_name: String,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub face: String,
    pub detail: String,
    pub created_at: String,
}

pub async fn insert_event(db: impl AnyExecutor<'_>, row: &EventRow) -> Result<(), DomainError> {
    sqlx::query(
        "INSERT INTO events (id, org_id, actor_user_id, actor_name, action, object_type, \
         object_id, face, detail, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&row.id)
    .bind(&row.org_id)
    .bind(&row.actor_user_id)
    .bind(&row.actor_name)
    .bind(&row.action)
    .bind(&row.object_type)
    .bind(&row.object_id)
    .bind(&row.face)
    .bind(&row.detail)
    .bind(&row.created_at)
    .execute(db)
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct ListedEvent {
    id: String,
    actor_name: String,
    action: String,
    object_type: String,
    object_id: String,
    object_name: Option<String>,
    face: String,
    detail: String,
    created_at: String,
}

/// The name of an event's object where it still exists and has one: an org, a person, an
/// account share, a partner (its org's name or, off Sharewell, its id), a role or a token.
const OBJECT_NAME: &str = "CASE e.object_type \
    WHEN 'org' THEN (SELECT name FROM orgs WHERE id = e.object_id) \
    WHEN 'user' THEN (SELECT username FROM users WHERE id = e.object_id) \
    WHEN 'account_share' THEN (SELECT name FROM account_shares WHERE id = e.object_id) \
    WHEN 'partner_config' THEN (SELECT COALESCE(o.name, c.partner_org_id) FROM partner_configs c \
        LEFT JOIN orgs o ON o.id = c.partner_org_id WHERE c.id = e.object_id) \
    WHEN 'template_role' THEN (SELECT name FROM template_roles WHERE id = e.object_id) \
    WHEN 'token' THEN (SELECT name FROM api_tokens WHERE id = e.object_id) \
    END AS object_name";

/// Newest first; ids are UUIDv7, so id order is creation order and `before` is a keyset.
pub async fn list_events(
    db: impl AnyExecutor<'_>,
    org_id: OrgId,
    action: Option<&str>,
    before: Option<EventId>,
    limit: u32,
) -> Result<Vec<EventView>, DomainError> {
    let rows: Vec<ListedEvent> = sqlx::query_as(&format!(
        "SELECT e.id, e.actor_name, e.action, e.object_type, e.object_id, {OBJECT_NAME}, e.face, \
         e.detail, e.created_at \
         FROM events e WHERE e.org_id = $1 AND ($2 IS NULL OR e.action = $2) \
         AND ($3 IS NULL OR e.id < $3) ORDER BY e.id DESC LIMIT $4"
    ))
    .bind(org_id.to_string())
    .bind(action)
    .bind(before.map(|id| id.to_string()))
    .bind(i64::from(limit))
    .fetch_all(db)
    .await?;
    rows.into_iter().map(ListedEvent::into_view).collect()
}

impl ListedEvent {
    fn into_view(self) -> Result<EventView, DomainError> {
        Ok(EventView {
            id: parse_id(&self.id)?,
            actor_name: self.actor_name,
            action: self.action,
            object_type: self.object_type,
            object_id: self.object_id,
            object_name: self.object_name,
            face: self.face,
            // Written by `record` from a JSON value; anything else means a hand-edited row.
            detail: serde_json::from_str(&self.detail)
                .map_err(|error| DomainError::Internal(Box::new(error)))?,
            created_at: self.created_at,
        })
    }
}

/// Whose history [`history_events`] reads.
#[derive(Clone, Copy, Debug)]
pub enum HistoryOf<'a> {
    /// One object: `(object_type, object_id)`.
    Object(&'a str, &'a str),
    /// A partner configuration and the offers made under it.
    Partner(&'a str),
    /// A person: what they did, and what was done to their account.
    Person(&'a str),
}

/// The org's events about one object or person, newest first.
pub async fn history_events(
    db: impl AnyExecutor<'_>,
    org_id: OrgId,
    of: HistoryOf<'_>,
    limit: u32,
) -> Result<Vec<EventView>, DomainError> {
    let (condition, first, second) = match of {
        HistoryOf::Object(object_type, object_id) => {
            ("e.object_type = $2 AND e.object_id = $3", object_type, object_id)
        }
        HistoryOf::Partner(config_id) => (
            "(e.object_type = $2 AND e.object_id = $3) OR (e.object_type = 'offer' AND \
             e.object_id IN (SELECT id FROM entity_offers WHERE config_id = $3))",
            "partner_config",
            config_id,
        ),
        HistoryOf::Person(user_id) => {
            ("e.actor_user_id = $3 OR (e.object_type = $2 AND e.object_id = $3)", "user", user_id)
        }
    };
    let rows: Vec<ListedEvent> = sqlx::query_as(&format!(
        "SELECT e.id, e.actor_name, e.action, e.object_type, e.object_id, {OBJECT_NAME}, e.face, \
         e.detail, e.created_at \
         FROM events e WHERE e.org_id = $1 AND ({condition}) ORDER BY e.id DESC LIMIT $4"
    ))
    .bind(org_id.to_string())
    .bind(first)
    .bind(second)
    .bind(i64::from(limit))
    .fetch_all(db)
    .await?;
    rows.into_iter().map(ListedEvent::into_view).collect()
}

pub async fn distinct_actions(
    db: impl AnyExecutor<'_>,
    org_id: OrgId,
) -> Result<Vec<String>, DomainError> {
    Ok(sqlx::query_scalar("SELECT DISTINCT action FROM events WHERE org_id = $1 ORDER BY action")
        .bind(org_id.to_string())
        .fetch_all(db)
        .await?)
}
