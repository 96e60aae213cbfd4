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
    face: String,
    detail: String,
    created_at: String,
}

/// Newest first; ids are UUIDv7, so id order is creation order and `before` is a keyset.
pub async fn list_events(
    db: impl AnyExecutor<'_>,
    org_id: OrgId,
    action: Option<&str>,
    before: Option<EventId>,
    limit: u32,
) -> Result<Vec<EventView>, DomainError> {
    let rows: Vec<ListedEvent> = sqlx::query_as(
        "SELECT id, actor_name, action, object_type, object_id, face, detail, created_at \
         FROM events WHERE org_id = $1 AND ($2 IS NULL OR action = $2) \
         AND ($3 IS NULL OR id < $3) ORDER BY id DESC LIMIT $4",
    )
    .bind(org_id.to_string())
    .bind(action)
    .bind(before.map(|id| id.to_string()))
    .bind(i64::from(limit))
    .fetch_all(db)
    .await?;
    rows.into_iter()
        .map(|row| {
            Ok(EventView {
                id: parse_id(&row.id)?,
                actor_name: row.actor_name,
                action: row.action,
                object_type: row.object_type,
                object_id: row.object_id,
                face: row.face,
                // Written by `record` from a JSON value; anything else means a hand-edited row.
                detail: serde_json::from_str(&row.detail)
                    .map_err(|error| DomainError::Internal(Box::new(error)))?,
                created_at: row.created_at,
            })
        })
        .collect()
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
