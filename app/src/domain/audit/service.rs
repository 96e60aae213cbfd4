use serde_json::Value;

use super::{EventFilter, EventPage, MAX_PAGE_SIZE, PAGE_SIZE};
use crate::domain::authz::Operation;
use crate::domain::identity::{Actor, Face};
use crate::domain::ids::{EventId, OrgId};
use crate::domain::notifications::{self, service::Recorded};
pub use crate::domain::store::audit::HistoryOf;
use crate::domain::store::{audit as store, Store};
use crate::domain::{clock, DomainError};

/// Who made a change.
#[derive(Clone, Copy, Debug)]
pub enum Author<'a> {
    User(&'a Actor),
    /// An operator at the command line, acting outside any org.
    Operator,
    /// Someone holding an offer's public link, who need not have an account.
    LinkHolder,
    /// The background worker, completing a change someone asked for earlier.
    Worker,
}

/// What changed, for [`record`].
pub struct Change {
    pub org_id: OrgId,
    pub action: &'static str,
    pub object_type: &'static str,
    pub object_id: String,
    pub detail: Value,
}

/// Appends one event and publishes it to the webhooks it concerns
/// ([`notifications::service::on_recorded`]). Call it with the transaction that makes the
/// change, so that the change, its record and its deliveries commit or roll back together.
pub async fn record(
    transaction: &mut sqlx::AnyConnection,
    author: Author<'_>,
    face: Face,
    change: Change,
) -> Result<(), DomainError> {
    let (actor_user_id, actor_name) = match author {
        Author::User(actor) => (Some(actor.user_id.to_string()), actor.username.clone()),
        Author::Operator => (None, "cli".to_owned()),
        Author::LinkHolder => (None, "offer link".to_owned()),
        Author::Worker => (None, "worker".to_owned()),
    };
    let row = store::EventRow {
        id: EventId::new().to_string(),
        org_id: change.org_id.to_string(),
        actor_user_id,
        actor_name,
        action: change.action.to_owned(),
        object_type: change.object_type.to_owned(),
        object_id: change.object_id,
        face: face.as_str().to_owned(),
        detail: change.detail.to_string(),
        created_at: clock::now(),
    };
    store::insert_event(&mut *transaction, &row).await?;
    let recorded = Recorded {
        event_id: &row.id,
        org_id: &row.org_id,
        actor: &row.actor_name,
        action: &row.action,
        object_type: &row.object_type,
        object_id: &row.object_id,
        face: &row.face,
        detail: &change.detail,
        created_at: &row.created_at,
    };
    notifications::service::on_recorded(transaction, &recorded).await
}

/// The actor's org's events, newest first, a page at a time. For admins and auditors: the
/// log shows every member's actions.
pub async fn list(
    store: &Store,
    actor: &Actor,
    filter: &EventFilter,
) -> Result<EventPage, DomainError> {
    actor.require(Operation::AuditRead)?;
    let action = filter.action.as_deref().map(str::trim).filter(|action| !action.is_empty());
    let size = match filter.per_page {
        None => PAGE_SIZE,
        Some(size @ 1..=MAX_PAGE_SIZE) => size,
        Some(_) => {
            let reason = format!("must be a number from 1 to {MAX_PAGE_SIZE}");
            return Err(DomainError::invalid("per_page", reason));
        }
    };
    let mut events =
        store::list_events(store.pool(), actor.org_id, action, filter.before, size + 1).await?;
    let next_before = if events.len() > size as usize {
        events.truncate(size as usize);
        events.last().map(|event| event.id)
    } else {
        None
    };
    Ok(EventPage { events, next_before })
}

/// How many events a history on a detail page shows.
pub const HISTORY_SIZE: u32 = 20;

/// The latest events about one thing or person of the actor's org, newest first, for the
/// detail pages. For admins and auditors, as the audit log is.
pub async fn history(
    store: &Store,
    actor: &Actor,
    of: store::HistoryOf<'_>,
) -> Result<Vec<super::EventView>, DomainError> {
    actor.require(Operation::AuditRead)?;
    store::history_events(store.pool(), actor.org_id, of, HISTORY_SIZE).await
}

/// The actions that occur in the actor's org's log, for the filter.
pub async fn actions(store: &Store, actor: &Actor) -> Result<Vec<String>, DomainError> {
    actor.require(Operation::AuditRead)?;
    store::distinct_actions(store.pool(), actor.org_id).await
}
