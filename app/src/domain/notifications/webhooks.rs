//! Webhook endpoints (what an org's admins register) and their deliveries (what the worker
//! sends), signed as the Standard Webhooks specification says so that receivers can verify
//! them with its libraries.

use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;

use super::service::{notify_admins, Notice};
use super::targets::{self, TargetPolicy};
use super::{
    message_id, Category, Delivery, DeliveryPage, DeliveryStatus, EndpointWithSecret, NewWebhook,
    WebhookChange, WebhookEndpoint, EVENT_TYPES,
};
use crate::domain::audit::service::{record, Author, Change};
use crate::domain::authz::Operation;
use crate::domain::identity::{Actor, Face};
use crate::domain::ids::{DeliveryId, WebhookId};
use crate::domain::store::notifications::{self as store, AttemptRecord, EndpointRow};
use crate::domain::store::users::lock_org;
use crate::domain::store::{parse_id, Store};
use crate::domain::{clock, DomainError};

/// The most endpoints one org may register.
pub const MAX_ENDPOINTS_PER_ORG: i64 = 20;
/// The longest description kept.
pub const MAX_DESCRIPTION_CHARS: usize = 500;
/// Deliveries per page of the log.
pub const DELIVERY_PAGE_SIZE: i64 = 50;
/// What a signing secret starts with.
pub const SECRET_PREFIX: &str = "whsec_";

const NOT_FOUND: DomainError = DomainError::NotFound("webhook endpoint");

// ---- endpoints -----------------------------------------------------------------------------

/// Registers an endpoint; the answer carries its secret, which is never shown again.
pub async fn create(
    store: &Store,
    actor: &Actor,
    face: Face,
    policy: TargetPolicy,
    new: &NewWebhook,
) -> Result<EndpointWithSecret, DomainError> {
    actor.require(Operation::WebhooksManage)?;
    let url = targets::check_url(&new.url, policy)?;
    let event_types = checked_event_types(new.events.as_deref())?;
    let description = checked_description(new.description.as_deref())?;
    let secret = new_secret()?;
    let now = clock::now();
    let id = WebhookId::new();
    let mut transaction = store.begin_write().await?;
    // Under the org's row lock, so that two creations at once cannot both pass the cap.
    lock_org(&mut *transaction, actor.org_id).await?;
    if store::count_endpoints(&mut *transaction, actor.org_id).await? >= MAX_ENDPOINTS_PER_ORG {
        return Err(DomainError::Conflict(format!(
            "an organization may register at most {MAX_ENDPOINTS_PER_ORG} webhook endpoints"
        )));
    }
    let row = store::NewEndpoint {
        id,
        org: actor.org_id,
        url: url.as_str(),
        description: &description,
        event_types: &event_types,
        secret: &secret,
        created_by: actor.user_id,
        now: &now,
    };
    store::insert_endpoint(&mut *transaction, &row).await?;
    let detail = json!({ "url": shown_url(url.as_str()) });
    let change = endpoint_change(actor, "webhook.created", id, detail);
    record(&mut transaction, Author::User(actor), face, change).await?;
    let endpoint = store::endpoint(&mut *transaction, actor.org_id, id).await?.ok_or(NOT_FOUND)?;
    transaction.commit().await?;
    Ok(EndpointWithSecret { endpoint: endpoint_view(endpoint), secret })
}

pub async fn list(store: &Store, actor: &Actor) -> Result<Vec<WebhookEndpoint>, DomainError> {
    actor.require(Operation::WebhooksRead)?;
    Ok(store::endpoints(store.pool(), actor.org_id).await?.into_iter().map(endpoint_view).collect())
}

pub async fn get(
    store: &Store,
    actor: &Actor,
    id: WebhookId,
) -> Result<WebhookEndpoint, DomainError> {
    actor.require(Operation::WebhooksRead)?;
    let row = store::endpoint(store.pool(), actor.org_id, id).await?.ok_or(NOT_FOUND)?;
    Ok(endpoint_view(row))
}

/// Changes the fields given. Turning an endpoint back on forgets its failures, and its
/// pending deliveries go out again.
pub async fn update(
    store: &Store,
    actor: &Actor,
    face: Face,
    policy: TargetPolicy,
    id: WebhookId,
    change: &WebhookChange,
) -> Result<WebhookEndpoint, DomainError> {
    actor.require(Operation::WebhooksManage)?;
    let url = change.url.as_deref().map(|url| targets::check_url(url, policy)).transpose()?;
    let event_types = change.events.as_deref().map(|events| checked_event_types(Some(events)));
    let description = change.description.as_deref().map(|text| checked_description(Some(text)));
    let now = clock::now();
    let mut transaction = store.begin_write().await?;
    // Locked before it is read: every field is written back, so a rotation or the worker
    // disabling it in the meantime must not be undone.
    if !store::lock_endpoint(&mut *transaction, actor.org_id, id).await? {
        return Err(NOT_FOUND);
    }
    let mut row = store::endpoint(&mut *transaction, actor.org_id, id).await?.ok_or(NOT_FOUND)?;
    if let Some(url) = url {
        row.url = url.into();
    }
    if let Some(event_types) = event_types {
        row.event_types = event_types?;
    }
    if let Some(description) = description {
        row.description = description?;
    }
    match change.enabled {
        Some(true) => {
            row.disabled_at = None;
            row.disabled_reason = None;
            row.failing_since = None;
        }
        Some(false) if row.disabled_at.is_none() => {
            row.disabled_at = Some(now.clone());
            row.disabled_reason = Some("disabled by an admin".to_owned());
        }
        _ => {}
    }
    store::update_endpoint(&mut *transaction, &row, &now).await?;
    let detail = json!({ "url": shown_url(&row.url), "enabled": row.disabled_at.is_none() });
    record(
        &mut transaction,
        Author::User(actor),
        face,
        endpoint_change(actor, "webhook.updated", id, detail),
    )
    .await?;
    let row = store::endpoint(&mut *transaction, actor.org_id, id).await?.ok_or(NOT_FOUND)?;
    transaction.commit().await?;
    Ok(endpoint_view(row))
}

/// Deletes an endpoint and its delivery log.
pub async fn delete(
    store: &Store,
    actor: &Actor,
    face: Face,
    id: WebhookId,
) -> Result<(), DomainError> {
    actor.require(Operation::WebhooksManage)?;
    let mut transaction = store.begin_write().await?;
    if !store::delete_endpoint(&mut *transaction, actor.org_id, id).await? {
        return Err(NOT_FOUND);
    }
    record(
        &mut transaction,
        Author::User(actor),
        face,
        endpoint_change(actor, "webhook.deleted", id, json!({})),
    )
    .await?;
    transaction.commit().await?;
    Ok(())
}

/// Replaces the signing secret; deliveries from now on are signed with the new one.
pub async fn rotate_secret(
    store: &Store,
    actor: &Actor,
    face: Face,
    id: WebhookId,
) -> Result<EndpointWithSecret, DomainError> {
    actor.require(Operation::WebhooksManage)?;
    let secret = new_secret()?;
    let now = clock::now();
    let mut transaction = store.begin_write().await?;
    // Locked before it is read, as in `update`.
    if !store::lock_endpoint(&mut *transaction, actor.org_id, id).await? {
        return Err(NOT_FOUND);
    }
    let mut row = store::endpoint(&mut *transaction, actor.org_id, id).await?.ok_or(NOT_FOUND)?;
    row.secret = secret.clone();
    store::update_endpoint(&mut *transaction, &row, &now).await?;
    record(
        &mut transaction,
        Author::User(actor),
        face,
        endpoint_change(actor, "webhook.secret_rotated", id, json!({})),
    )
    .await?;
    let row = store::endpoint(&mut *transaction, actor.org_id, id).await?.ok_or(NOT_FOUND)?;
    transaction.commit().await?;
    Ok(EndpointWithSecret { endpoint: endpoint_view(row), secret })
}

// ---- the delivery log ----------------------------------------------------------------------

/// An endpoint's deliveries, newest first, a page at a time.
pub async fn deliveries(
    store: &Store,
    actor: &Actor,
    id: WebhookId,
    before: Option<DeliveryId>,
) -> Result<DeliveryPage, DomainError> {
    actor.require(Operation::WebhooksRead)?;
    store::endpoint(store.pool(), actor.org_id, id).await?.ok_or(NOT_FOUND)?;
    let mut rows = store::deliveries(store.pool(), id, before, DELIVERY_PAGE_SIZE + 1).await?;
    let next_before = if rows.len() > DELIVERY_PAGE_SIZE as usize {
        rows.truncate(DELIVERY_PAGE_SIZE as usize);
        rows.last().map(|row| parse_id(&row.id)).transpose()?
    } else {
        None
    };
    let deliveries = rows.into_iter().map(delivery_view).collect::<Result<_, _>>()?;
    Ok(DeliveryPage { deliveries, next_before })
}

/// Sends a delivered or failed event again, with the same `webhook-id` (receivers that
/// processed it already can tell).
pub async fn resend(
    store: &Store,
    actor: &Actor,
    id: WebhookId,
    delivery: DeliveryId,
) -> Result<Delivery, DomainError> {
    actor.require(Operation::WebhooksManage)?;
    let mut transaction = store.begin_write().await?;
    let endpoint = store::endpoint(&mut *transaction, actor.org_id, id).await?.ok_or(NOT_FOUND)?;
    store::delivery(&mut *transaction, id, delivery)
        .await?
        .ok_or(DomainError::NotFound("delivery"))?;
    // Queued for a disabled endpoint, it would wait unseen until someone enabled it.
    if endpoint.disabled_at.is_some() {
        return Err(DomainError::Conflict(
            "this endpoint is disabled: enable it to send it events".into(),
        ));
    }
    if !store::requeue_delivery(&mut *transaction, delivery, &clock::now()).await? {
        return Err(DomainError::Conflict(
            "this delivery is still pending: it is being sent".into(),
        ));
    }
    let row = store::delivery(&mut *transaction, id, delivery)
        .await?
        .ok_or(DomainError::NotFound("delivery"))?;
    transaction.commit().await?;
    store.deliveries_queued();
    delivery_view(row)
}

/// Queues a `webhook.test` event for one endpoint, whatever its filter.
pub async fn send_test(
    store: &Store,
    actor: &Actor,
    id: WebhookId,
) -> Result<Delivery, DomainError> {
    actor.require(Operation::WebhooksManage)?;
    let now = clock::now();
    let delivery = DeliveryId::new();
    let mut transaction = store.begin_write().await?;
    let endpoint = store::endpoint(&mut *transaction, actor.org_id, id).await?.ok_or(NOT_FOUND)?;
    if endpoint.disabled_at.is_some() {
        return Err(DomainError::Conflict(
            "this endpoint is disabled: enable it to send it events".into(),
        ));
    }
    let body = json!({
        "type": "webhook.test",
        "timestamp": now,
        "data": { "endpoint_id": endpoint.id, "org_id": endpoint.org_id, "sent_by": actor.username },
    })
    .to_string();
    store::insert_delivery(&mut *transaction, delivery, &endpoint.id, "webhook.test", &body, &now)
        .await?;
    let row = store::delivery(&mut *transaction, id, delivery)
        .await?
        .ok_or(DomainError::NotFound("delivery"))?;
    transaction.commit().await?;
    store.deliveries_queued();
    delivery_view(row)
}

// ---- sending -------------------------------------------------------------------------------

/// A delivery this worker holds the lease on, with what it needs to send it.
#[derive(Clone)]
pub struct Outgoing {
    pub delivery_id: String,
    /// The `webhook-id` header.
    pub message_id: String,
    pub endpoint_id: String,
    pub org_id: String,
    pub url: String,
    pub secret: String,
    pub event_type: String,
    /// The exact body, as signed.
    pub payload: String,
    pub attempts: i64,
    pub created_at: String,
    /// When this delivery was first attempted (since it was last queued): the retry window
    /// runs from here.
    pub first_attempt_at: String,
    lease: String,
}

/// Everything but the signing secret, which must not reach a log.
impl std::fmt::Debug for Outgoing {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Outgoing")
            .field("delivery_id", &self.delivery_id)
            .field("message_id", &self.message_id)
            .field("endpoint_id", &self.endpoint_id)
            .field("org_id", &self.org_id)
            .field("url", &shown_url(&self.url))
            .field("secret", &"<redacted>")
            .field("event_type", &self.event_type)
            .field("payload", &self.payload)
            .field("attempts", &self.attempts)
            .field("created_at", &self.created_at)
            .field("first_attempt_at", &self.first_attempt_at)
            .field("lease", &self.lease)
            .finish()
    }
}

/// Takes the next delivery that is due (see [`store::claim_delivery`] for the order).
pub async fn claim_delivery(
    store: &Store,
    lease: Duration,
) -> Result<Option<Outgoing>, DomainError> {
    let now = clock::now();
    // Most polls find nothing: a read says so without taking SQLite's write lock.
    if !store::any_delivery_due(store.pool(), &now).await? {
        return Ok(None);
    }
    let lease_until =
        clock::now_plus(time::Duration::try_from(lease).unwrap_or(time::Duration::MINUTE));
    let mut transaction = store.begin_write().await?;
    let Some(row) = store::claim_delivery(&mut *transaction, &now, &lease_until).await? else {
        transaction.rollback().await?;
        return Ok(None);
    };
    let endpoint =
        store::endpoint_by_id(&mut *transaction, &row.endpoint_id).await?.ok_or(NOT_FOUND)?;
    transaction.commit().await?;
    let id: DeliveryId = parse_id(&row.id)?;
    Ok(Some(Outgoing {
        message_id: message_id(id),
        delivery_id: row.id,
        endpoint_id: endpoint.id,
        org_id: endpoint.org_id,
        url: endpoint.url,
        secret: endpoint.secret,
        event_type: row.event_type,
        payload: row.payload,
        attempts: row.attempts,
        first_attempt_at: row.first_attempt_at.unwrap_or_else(|| now.clone()),
        created_at: row.created_at,
        lease: lease_until,
    }))
}

/// What one attempt came to.
#[derive(Clone, Debug)]
pub struct Attempt {
    /// The response status, when there was a response.
    pub status_code: Option<u16>,
    /// Why it failed, when it did (a timeout, a refused connection, a non-2xx answer).
    pub error: Option<String>,
    pub latency: Duration,
}

impl Attempt {
    pub fn succeeded(&self) -> bool {
        self.error.is_none() && self.status_code.is_some_and(|code| (200..300).contains(&code))
    }
}

/// How long failed deliveries are retried, and when an endpoint that keeps failing is disabled.
#[derive(Clone, Copy, Debug)]
pub struct RetryPolicy {
    /// A delivery still failing this long after its first attempt is marked failed (however
    /// long it waited in line before); an endpoint whose every attempt failed for this long is
    /// disabled and its admins are told.
    pub window: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self { window: Duration::from_secs(24 * 60 * 60) }
    }
}

/// Records an attempt: delivered, due again after a backoff with jitter, or failed for good
/// once the retry window is over (which disables an endpoint that failed all that time).
pub async fn record_attempt(
    store: &Store,
    outgoing: &Outgoing,
    attempt: &Attempt,
    retry: RetryPolicy,
) -> Result<(), DomainError> {
    let now = clock::now();
    let window = time::Duration::try_from(retry.window).unwrap_or(time::Duration::DAY);
    // From the first attempt, not from queueing: a delivery that waited behind a failing one,
    // or an old one sent again, gets the whole window.
    let started =
        clock::parse(&outgoing.first_attempt_at).unwrap_or_else(time::OffsetDateTime::now_utc);
    let give_up_at = started + window;
    let succeeded = attempt.succeeded();
    let next_attempt = clock::now_plus(retry_backoff(outgoing.attempts));
    let next_attempt_time = clock::parse(&next_attempt);
    let (status, next_attempt_at) = if succeeded {
        (DeliveryStatus::Delivered, now.clone())
    } else if next_attempt_time.is_some_and(|next| next >= give_up_at) {
        (DeliveryStatus::Failed, now.clone())
    } else {
        (DeliveryStatus::Pending, next_attempt)
    };
    let error = attempt.error.as_deref().map(|error| truncate(error, 500));
    let mut transaction = store.begin_write().await?;
    let record = AttemptRecord {
        id: &outgoing.delivery_id,
        lease: &outgoing.lease,
        status: status.as_str(),
        next_attempt_at: &next_attempt_at,
        status_code: attempt.status_code.map(i64::from),
        error: error.as_deref(),
        latency_ms: i64::try_from(attempt.latency.as_millis()).unwrap_or(i64::MAX),
        now: &now,
    };
    if !store::record_attempt(&mut *transaction, &record).await? {
        // The lease ran out and another worker has the delivery now: its record counts.
        transaction.rollback().await?;
        return Ok(());
    }
    if succeeded {
        store::endpoint_succeeded(&mut *transaction, &outgoing.endpoint_id).await?;
    } else {
        let failing_since =
            store::endpoint_failed(&mut *transaction, &outgoing.endpoint_id, &now).await?;
        // A delivery gives up when its next attempt would fall past the window, so the
        // endpoint has failed "for the whole window" once that attempt would: measured
        // against now, an endpoint whose only event just failed would never be disabled.
        let failing_too_long = match (clock::parse(&failing_since), next_attempt_time) {
            (Some(since), Some(next)) => since + window <= next,
            _ => false,
        };
        if status == DeliveryStatus::Failed && failing_too_long {
            disable(&mut transaction, outgoing, &now).await?;
        }
    }
    transaction.commit().await?;
    Ok(())
}

/// Disables an endpoint that kept failing and tells its org's admins.
async fn disable(
    connection: &mut sqlx::AnyConnection,
    outgoing: &Outgoing,
    now: &str,
) -> Result<(), DomainError> {
    let reason = "every delivery failed for the whole retry window";
    if !store::disable_endpoint(&mut *connection, &outgoing.endpoint_id, reason, now).await? {
        return Ok(());
    }
    let org = parse_id(&outgoing.org_id)?;
    let url = shown_url(&outgoing.url);
    let title = format!("Webhook endpoint {url} was disabled: {reason}");
    let notice = Notice {
        kind: "webhook.disabled",
        category: Category::Webhooks,
        title: &title,
        link: Some("/webhooks"),
        once_key: None,
    };
    notify_admins(&mut *connection, org, &notice, now).await?;
    let change = Change {
        org_id: org,
        action: "webhook.disabled",
        object_type: "webhook_endpoint",
        object_id: outgoing.endpoint_id.clone(),
        detail: json!({ "url": url, "reason": reason }),
    };
    record(connection, Author::Worker, Face::Api, change).await
}

/// After the n-th failed attempt: 1 s doubling up to an hour, less up to a fifth at random so
/// that endpoints that failed together are not retried together.
pub fn retry_backoff(attempts: i64) -> time::Duration {
    let exponent = attempts.clamp(1, 13) as u32 - 1;
    let millis = (1_000_i64 << exponent).min(3_600_000);
    let mut random = [0u8; 2];
    let jitter = match getrandom::fill(&mut random) {
        Ok(()) => millis / 5 * i64::from(u16::from_le_bytes(random)) / i64::from(u16::MAX),
        Err(_) => 0,
    };
    time::Duration::milliseconds(millis - jitter)
}

/// The `webhook-signature` header for one attempt: `v1,` and the base64 HMAC-SHA256 of
/// `{id}.{timestamp}.{body}`, keyed with the secret's decoded bytes.
pub fn sign(
    secret: &str,
    message_id: &str,
    timestamp: i64,
    body: &str,
) -> Result<String, DomainError> {
    let key =
        STANDARD.decode(secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret)).map_err(|error| {
            DomainError::Internal(format!("a webhook secret is not base64: {error}").into())
        })?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key)
        .map_err(|error| DomainError::Internal(error.to_string().into()))?;
    mac.update(format!("{message_id}.{timestamp}.{body}").as_bytes());
    Ok(format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes())))
}

/// `whsec_` and the base64 of 32 random bytes.
fn new_secret() -> Result<String, DomainError> {
    let mut random = [0u8; 32];
    getrandom::fill(&mut random)
        .map_err(|error| DomainError::Internal(error.to_string().into()))?;
    Ok(format!("{SECRET_PREFIX}{}", STANDARD.encode(random)))
}

// ---- helpers -------------------------------------------------------------------------------

fn checked_event_types(events: Option<&[String]>) -> Result<String, DomainError> {
    let events = events.unwrap_or_default();
    if events.len() > EVENT_TYPES.len() {
        return Err(DomainError::invalid("events", "name each event type at most once"));
    }
    let mut chosen: Vec<&str> = Vec::new();
    for event in events {
        let event = event.trim();
        let Some(known) = EVENT_TYPES.iter().find(|known| **known == event) else {
            return Err(DomainError::invalid(
                "events",
                format!(
                    "unknown event type `{}`: use one of {}",
                    truncate(event, 60),
                    EVENT_TYPES.join(", ")
                ),
            ));
        };
        if !chosen.contains(known) {
            chosen.push(known);
        }
    }
    Ok(chosen.join(" "))
}

fn checked_description(description: Option<&str>) -> Result<String, DomainError> {
    let description = description.unwrap_or_default().trim();
    if description.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err(DomainError::invalid(
            "description",
            format!("must be at most {MAX_DESCRIPTION_CHARS} characters"),
        ));
    }
    Ok(description.to_owned())
}

/// An endpoint URL as shown in notices and the audit log: scheme, host, port and path, without
/// the query (which may carry a receiver's token).
pub fn shown_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut url) => {
            url.set_query(None);
            url.set_fragment(None);
            // Refused when saved; dropped here too should one have been saved before.
            let _ = url.set_username("");
            let _ = url.set_password(None);
            url.to_string()
        }
        Err(_) => String::new(),
    }
}

fn truncate(text: &str, chars: usize) -> String {
    text.chars().take(chars).collect()
}

fn endpoint_change(
    actor: &Actor,
    action: &'static str,
    id: WebhookId,
    detail: serde_json::Value,
) -> Change {
    Change {
        org_id: actor.org_id,
        action,
        object_type: "webhook_endpoint",
        object_id: id.to_string(),
        detail,
    }
}

fn endpoint_view(row: EndpointRow) -> WebhookEndpoint {
    WebhookEndpoint {
        id: row.id.parse().unwrap_or_default(),
        url: row.url,
        description: row.description,
        events: row.event_types.split_whitespace().map(str::to_owned).collect(),
        enabled: row.disabled_at.is_none(),
        disabled_reason: row.disabled_reason,
        failing_since: row.failing_since,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

fn delivery_view(row: store::DeliveryRow) -> Result<Delivery, DomainError> {
    let id: DeliveryId = parse_id(&row.id)?;
    let status = DeliveryStatus::parse(&row.status).ok_or_else(|| {
        DomainError::Internal(format!("unknown delivery status {}", row.status).into())
    })?;
    Ok(Delivery {
        id,
        message_id: message_id(id),
        event_type: row.event_type,
        status,
        attempts: row.attempts,
        last_status_code: row.last_status_code,
        last_error: row.last_error,
        last_latency_ms: row.last_latency_ms,
        next_attempt_at: (status == DeliveryStatus::Pending).then_some(row.next_attempt_at),
        created_at: row.created_at,
        delivered_at: row.delivered_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of the Standard Webhooks specification (and of its reference libraries).
    #[test]
    fn the_signature_matches_the_specifications_example() {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
        let timestamp = 1614265330;
        let body = r#"{"test": 2432232314}"#;
        assert_eq!(
            sign(secret, id, timestamp, body).unwrap(),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn secrets_carry_32_random_bytes_behind_the_prefix() {
        let secret = new_secret().unwrap();
        let bytes = STANDARD.decode(secret.strip_prefix(SECRET_PREFIX).unwrap()).unwrap();
        assert_eq!(bytes.len(), 32);
        assert_ne!(secret, new_secret().unwrap());
    }

    #[test]
    fn retries_back_off_from_a_second_to_an_hour_with_jitter() {
        let first = retry_backoff(1).whole_milliseconds();
        assert!((800..=1_000).contains(&first), "{first}");
        let late = retry_backoff(40).whole_milliseconds();
        assert!((2_880_000..=3_600_000).contains(&late), "{late}");
    }

    #[test]
    fn secrets_never_reach_a_debug_print() {
        let secret = new_secret().unwrap();
        let outgoing = Outgoing {
            delivery_id: "d".into(),
            message_id: "msg_d".into(),
            endpoint_id: "e".into(),
            org_id: "o".into(),
            url: "https://example.com/in?token=hunter2".into(),
            secret: secret.clone(),
            event_type: "webhook.test".into(),
            payload: "{}".into(),
            attempts: 1,
            created_at: clock::now(),
            first_attempt_at: clock::now(),
            lease: clock::now(),
        };
        let row = EndpointRow {
            id: "e".into(),
            org_id: "o".into(),
            url: "https://example.com/in".into(),
            description: String::new(),
            event_types: String::new(),
            secret: secret.clone(),
            disabled_at: None,
            disabled_reason: None,
            failing_since: None,
            created_at: clock::now(),
            updated_at: clock::now(),
        };
        let shown =
            EndpointWithSecret { endpoint: endpoint_view(row.clone()), secret: secret.clone() };
        for printed in [format!("{outgoing:?}"), format!("{row:?}"), format!("{shown:?}")] {
            assert!(!printed.contains(&secret) && printed.contains("<redacted>"), "{printed}");
            assert!(!printed.contains("hunter2"), "{printed}");
        }
    }

    #[test]
    fn urls_are_shown_without_their_query() {
        assert_eq!(
            shown_url("https://hooks.example.com:8443/in/x?token=abc#f"),
            "https://hooks.example.com:8443/in/x"
        );
        assert_eq!(shown_url("http://u:p@example.com/"), "http://example.com/");
    }

    #[test]
    fn event_filters_name_known_types_once() {
        let events = vec!["share.created".to_owned(), "share.created".to_owned()];
        assert_eq!(checked_event_types(Some(&events)).unwrap(), "share.created");
        assert!(checked_event_types(Some(&["nope".to_owned()])).is_err());
        assert_eq!(checked_event_types(None).unwrap(), "");
    }
}
