//! Turns a change into in-app notifications, queued emails and webhook deliveries, all in the
//! change's transaction.

use serde_json::{json, Value};

use super::{events, Category};
use crate::domain::ids::{DeliveryId, OrgId, UserId};
use crate::domain::store::notifications::{self as store, NewEmail};
use crate::domain::store::parse_id;
use crate::domain::DomainError;

/// What a person is told.
#[derive(Clone, Debug)]
pub struct Notice<'a> {
    /// What happened, stored with the notification (`share.received`, `request.answered`…).
    pub kind: &'a str,
    pub category: Category,
    pub title: &'a str,
    /// A path on this site (`/shared?tab=received`) or, for offers, the public offer link.
    pub link: Option<&'a str>,
    /// Names the event, so that one event emails one person once however often it is told.
    /// `None` when the notice is its own event.
    pub once_key: Option<&'a str>,
}

/// Tells `user` in-app and, unless they turned the category off, by email (the worker sends
/// it when email is configured, and skips it otherwise).
pub async fn notify_user(
    connection: &mut sqlx::AnyConnection,
    user: UserId,
    notice: &Notice<'_>,
    now: &str,
) -> Result<(), DomainError> {
    store::insert_notification(&mut *connection, user, notice.kind, notice.title, notice.link, now)
        .await?;
    let category = notice.category.as_str();
    if store::email_opted_out(&mut *connection, user, category).await? {
        return Ok(());
    }
    let fresh_key = uuid::Uuid::now_v7().to_string();
    let payload = json!({ "title": notice.title, "link": notice.link }).to_string();
    let email = NewEmail {
        user,
        kind: notice.kind,
        category,
        payload: &payload,
        dedupe_key: notice.once_key.unwrap_or(&fresh_key),
        now,
    };
    store::queue_email(connection, &email).await
}

/// Tells the active admins of an org.
pub async fn notify_admins(
    connection: &mut sqlx::AnyConnection,
    org: OrgId,
    notice: &Notice<'_>,
    now: &str,
) -> Result<(), DomainError> {
    for admin in store::active_org_admins(&mut *connection, org).await? {
        notify_user(connection, admin, notice, now).await?;
    }
    Ok(())
}

/// A webhook event as it is published.
pub struct Event<'a> {
    pub event_type: &'static str,
    pub data: Value,
    pub timestamp: &'a str,
}

/// Queues `event` for each enabled endpoint of `org` that takes its type.
pub async fn publish(
    connection: &mut sqlx::AnyConnection,
    org: &str,
    event: &Event<'_>,
) -> Result<usize, DomainError> {
    let org: OrgId = parse_id(org)?;
    let endpoints = store::enabled_endpoints(&mut *connection, org).await?;
    let body =
        json!({ "type": event.event_type, "timestamp": event.timestamp, "data": event.data })
            .to_string();
    let mut queued = 0;
    for endpoint in endpoints.iter().filter(|endpoint| takes(endpoint, event.event_type)) {
        store::insert_delivery(
            &mut *connection,
            DeliveryId::new(),
            &endpoint.id,
            event.event_type,
            &body,
            event.timestamp,
        )
        .await?;
        queued += 1;
    }
    Ok(queued)
}

/// Whether an endpoint's filter lets an event type through (an empty filter takes all).
pub(super) fn takes(endpoint: &store::EndpointRow, event_type: &str) -> bool {
    endpoint.event_types.trim().is_empty()
        || endpoint.event_types.split_whitespace().any(|wanted| wanted == event_type)
}

/// A recorded change, as [`on_recorded`] reads it.
pub struct Recorded<'a> {
    pub event_id: &'a str,
    pub org_id: &'a str,
    pub actor: &'a str,
    pub action: &'a str,
    pub object_type: &'a str,
    pub object_id: &'a str,
    pub face: &'a str,
    pub detail: &'a Value,
    pub created_at: &'a str,
}

/// Publishes a recorded change that is a webhook event, to the org that made it and to the
/// orgs on the other side. Called by the audit log for every change it records.
pub async fn on_recorded(
    connection: &mut sqlx::AnyConnection,
    change: &Recorded<'_>,
) -> Result<(), DomainError> {
    let Some(event_type) = events::event_type(change.action) else {
        return Ok(());
    };
    let counterparts = events::counterpart_orgs(
        &mut *connection,
        change.org_id,
        change.object_type,
        change.object_id,
        change.detail,
    )
    .await?;
    let data = |party: &str, detail: &Value| {
        json!({
            "event_id": change.event_id,
            "action": change.action,
            "object_type": change.object_type,
            "object_id": change.object_id,
            "org_id": change.org_id,
            "party": party,
            "face": change.face,
            "actor": change.actor,
            "detail": detail,
        })
    };
    let own =
        Event { event_type, data: data("initiator", change.detail), timestamp: change.created_at };
    publish(&mut *connection, change.org_id, &own).await?;
    if !counterparts.is_empty() {
        let detail = events::counterparty_detail(change.detail);
        let theirs =
            Event { event_type, data: data("counterparty", &detail), timestamp: change.created_at };
        for org in counterparts {
            publish(&mut *connection, &org, &theirs).await?;
        }
    }
    Ok(())
}
