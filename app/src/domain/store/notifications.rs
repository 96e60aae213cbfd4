//! SQL for what people and systems hear of a change: in-app notifications, the email outbox,
//! email opt-outs, webhook endpoints and their deliveries.

use sqlx::AnyExecutor;

use super::parse_id;
use crate::domain::ids::{DeliveryId, OrgId, UserId, WebhookId};
use crate::domain::DomainError;

// ---- in-app notifications and the outbox ------------------------------------------------

/// One in-app notification.
pub async fn insert_notification(
    db: impl AnyExecutor<'_>,
    user: UserId,
    kind: &str,
    title: &str,
    link: Option<&str>,
    now: &str,
) -> Result<(), DomainError> {
    sqlx::query(
        "INSERT INTO notifications (id, user_id, kind, title, link, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(user.to_string())
    .bind(kind)
    .bind(title)
    .bind(link)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

/// An email to send, unless one was already queued for the same person and `dedupe_key`.
pub struct NewEmail<'a> {
    pub user: UserId,
    pub kind: &'a str,
    pub category: &'a str,
    /// JSON: `{"title", "link"}`; the mailer renders the message from it.
    pub payload: &'a str,
    pub dedupe_key: &'a str,
    pub now: &'a str,
}

pub async fn queue_email(
    db: impl AnyExecutor<'_>,
    email: &NewEmail<'_>,
) -> Result<(), DomainError> {
    sqlx::query(
        "INSERT INTO outbox (id, user_id, kind, category, payload, dedupe_key, status, attempts, \
                             next_attempt_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, $7, $7) \
         ON CONFLICT (user_id, dedupe_key) DO NOTHING",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(email.user.to_string())
    .bind(email.kind)
    .bind(email.category)
    .bind(email.payload)
    .bind(email.dedupe_key)
    .bind(email.now)
    .execute(db)
    .await?;
    Ok(())
}

/// Whether `user` turned email of `category` off.
pub async fn email_opted_out(
    db: impl AnyExecutor<'_>,
    user: UserId,
    category: &str,
) -> Result<bool, DomainError> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM email_opt_outs WHERE user_id = $1 AND category = $2")
            .bind(user.to_string())
            .bind(category)
            .fetch_optional(db)
            .await?;
    Ok(found.is_some())
}

/// The active admins of an org: who hears of what concerns the org as a whole.
pub async fn active_org_admins(
    db: impl AnyExecutor<'_>,
    org: OrgId,
) -> Result<Vec<UserId>, DomainError> {
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT id FROM users WHERE org_id = $1 AND deactivated_at IS NULL AND role = 'admin' \
         ORDER BY id",
    )
    .bind(org.to_string())
    .fetch_all(db)
    .await?;
    ids.iter().map(|id| parse_id(id)).collect()
}

// ---- webhook endpoints -------------------------------------------------------------------

#[derive(sqlx::FromRow, Clone)]
pub struct EndpointRow {
    pub id: String,
    pub org_id: String,
    pub url: String,
    pub description: String,
    pub event_types: String,
    pub secret: String,
    pub disabled_at: Option<String>,
    pub disabled_reason: Option<String>,
    pub failing_since: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// Everything but the signing secret, which must not reach a log.
impl std::fmt::Debug for EndpointRow {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("EndpointRow")
            .field("id", &self.id)
            .field("org_id", &self.org_id)
            .field("url", &self.url)
            .field("description", &self.description)
            .field("event_types", &self.event_types)
            .field("secret", &"<redacted>")
            .field("disabled_at", &self.disabled_at)
            .field("disabled_reason", &self.disabled_reason)
            .field("failing_since", &self.failing_since)
            .field("created_at", &self.created_at)
            .field("updated_at", &self.updated_at)
            .finish()
    }
}

const ENDPOINT_COLUMNS: &str = "id, org_id, url, description, event_types, secret, disabled_at, \
     disabled_reason, failing_since, created_at, updated_at";

pub struct NewEndpoint<'a> {
    pub id: WebhookId,
    pub org: OrgId,
    pub url: &'a str,
    pub description: &'a str,
    pub event_types: &'a str,
    pub secret: &'a str,
    pub created_by: UserId,
    pub now: &'a str,
}

pub async fn insert_endpoint(
    db: impl AnyExecutor<'_>,
    endpoint: &NewEndpoint<'_>,
) -> Result<(), DomainError> {
    sqlx::query(
        "INSERT INTO webhook_endpoints (id, org_id, url, description, event_types, secret, \
                                        created_by_user_id, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
    )
    .bind(endpoint.id.to_string())
    .bind(endpoint.org.to_string())
    .bind(endpoint.url)
    .bind(endpoint.description)
    .bind(endpoint.event_types)
    .bind(endpoint.secret)
    .bind(endpoint.created_by.to_string())
    .bind(endpoint.now)
    .execute(db)
    .await?;
    Ok(())
}

/// Takes the endpoint's row lock for the rest of the transaction (a harmless no-op write on
/// SQLite, whose write transactions are serial already), so that an edit, a rotation and the
/// worker disabling it are made one after the other on PostgreSQL too and none writes back
/// what another just changed. False when the org has no such endpoint.
pub async fn lock_endpoint(
    db: impl AnyExecutor<'_>,
    org: OrgId,
    id: WebhookId,
) -> Result<bool, DomainError> {
    let locked = sqlx::query(
        "UPDATE webhook_endpoints SET updated_at = updated_at WHERE id = $1 AND org_id = $2",
    )
    .bind(id.to_string())
    .bind(org.to_string())
    .execute(db)
    .await?;
    Ok(locked.rows_affected() == 1)
}

pub async fn count_endpoints(db: impl AnyExecutor<'_>, org: OrgId) -> Result<i64, DomainError> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM webhook_endpoints WHERE org_id = $1")
        .bind(org.to_string())
        .fetch_one(db)
        .await?)
}

pub async fn endpoints(
    db: impl AnyExecutor<'_>,
    org: OrgId,
) -> Result<Vec<EndpointRow>, DomainError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE org_id = $1 ORDER BY id"
    ))
    .bind(org.to_string())
    .fetch_all(db)
    .await?)
}

/// One of the org's endpoints; another org's is `None`.
pub async fn endpoint(
    db: impl AnyExecutor<'_>,
    org: OrgId,
    id: WebhookId,
) -> Result<Option<EndpointRow>, DomainError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE id = $1 AND org_id = $2"
    ))
    .bind(id.to_string())
    .bind(org.to_string())
    .fetch_optional(db)
    .await?)
}

/// The org's enabled endpoints, for publishing an event.
pub async fn enabled_endpoints(
    db: impl AnyExecutor<'_>,
    org: OrgId,
) -> Result<Vec<EndpointRow>, DomainError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints \
         WHERE org_id = $1 AND disabled_at IS NULL ORDER BY id"
    ))
    .bind(org.to_string())
    .fetch_all(db)
    .await?)
}

/// Writes an endpoint's editable fields back.
pub async fn update_endpoint(
    db: impl AnyExecutor<'_>,
    row: &EndpointRow,
    now: &str,
) -> Result<(), DomainError> {
    sqlx::query(
        "UPDATE webhook_endpoints SET url = $3, description = $4, event_types = $5, secret = $6, \
         disabled_at = $7, disabled_reason = $8, failing_since = $9, updated_at = $10 \
         WHERE id = $1 AND org_id = $2",
    )
    .bind(&row.id)
    .bind(&row.org_id)
    .bind(&row.url)
    .bind(&row.description)
    .bind(&row.event_types)
    .bind(&row.secret)
    .bind(&row.disabled_at)
    .bind(&row.disabled_reason)
    .bind(&row.failing_since)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn delete_endpoint(
    db: impl AnyExecutor<'_>,
    org: OrgId,
    id: WebhookId,
) -> Result<bool, DomainError> {
    let deleted = sqlx::query("DELETE FROM webhook_endpoints WHERE id = $1 AND org_id = $2")
        .bind(id.to_string())
        .bind(org.to_string())
        .execute(db)
        .await?;
    Ok(deleted.rows_affected() == 1)
}

// ---- webhook deliveries ------------------------------------------------------------------

pub async fn insert_delivery(
    db: impl AnyExecutor<'_>,
    id: DeliveryId,
    endpoint_id: &str,
    event_type: &str,
    payload: &str,
    now: &str,
) -> Result<(), DomainError> {
    sqlx::query(
        "INSERT INTO webhook_deliveries (id, endpoint_id, event_type, payload, status, attempts, \
                                         next_attempt_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, 'pending', 0, $5, $5, $5)",
    )
    .bind(id.to_string())
    .bind(endpoint_id)
    .bind(event_type)
    .bind(payload)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow, Clone, Debug)]
pub struct DeliveryRow {
    pub id: String,
    pub endpoint_id: String,
    pub event_type: String,
    pub payload: String,
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: String,
    pub locked_until: Option<String>,
    pub last_status_code: Option<i64>,
    pub last_error: Option<String>,
    pub last_latency_ms: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
    pub delivered_at: Option<String>,
    /// When it was first attempted (since it was last queued): its retry window starts there.
    pub first_attempt_at: Option<String>,
}

const DELIVERY_COLUMNS: &str = "id, endpoint_id, event_type, payload, status, attempts, \
     next_attempt_at, locked_until, last_status_code, last_error, last_latency_ms, created_at, \
     updated_at, delivered_at, first_attempt_at";

/// An endpoint's deliveries, newest first, before `before` (a delivery id) when given.
pub async fn deliveries(
    db: impl AnyExecutor<'_>,
    endpoint_id: WebhookId,
    before: Option<DeliveryId>,
    limit: i64,
) -> Result<Vec<DeliveryRow>, DomainError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries \
         WHERE endpoint_id = $1 AND ($2 IS NULL OR id < $2) ORDER BY id DESC LIMIT $3"
    ))
    .bind(endpoint_id.to_string())
    .bind(before.map(|id| id.to_string()))
    .bind(limit)
    .fetch_all(db)
    .await?)
}

pub async fn delivery(
    db: impl AnyExecutor<'_>,
    endpoint_id: WebhookId,
    id: DeliveryId,
) -> Result<Option<DeliveryRow>, DomainError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE id = $1 AND endpoint_id = $2"
    ))
    .bind(id.to_string())
    .bind(endpoint_id.to_string())
    .fetch_optional(db)
    .await?)
}

/// Puts a finished delivery back in the queue, due now ("send again"), with a retry window of
/// its own from its next attempt. False when it is still pending.
pub async fn requeue_delivery(
    db: impl AnyExecutor<'_>,
    id: DeliveryId,
    now: &str,
) -> Result<bool, DomainError> {
    let requeued = sqlx::query(
        "UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = $2, \
         locked_until = NULL, first_attempt_at = NULL, updated_at = $2 \
         WHERE id = $1 AND status <> 'pending'",
    )
    .bind(id.to_string())
    .bind(now)
    .execute(db)
    .await?;
    Ok(requeued.rows_affected() == 1)
}

/// Each enabled endpoint's next delivery, when it is due and the endpoint has none in flight:
/// only an endpoint's lowest pending id may go (so that it receives its events in order), and
/// not while any of its deliveries is leased (a "send again" may requeue an id older than the
/// one in flight). Looked up through the endpoints, so that a long queue behind a delivery
/// waiting to be retried costs one index probe per endpoint, not a walk of the queue.
const DUE_DELIVERIES: &str = "FROM webhook_endpoints e \
       JOIN webhook_deliveries d \
         ON d.id = (SELECT MIN(p.id) FROM webhook_deliveries p \
                    WHERE p.endpoint_id = e.id AND p.status = 'pending') \
     WHERE e.disabled_at IS NULL \
       AND d.next_attempt_at <= $1 \
       AND (d.locked_until IS NULL OR d.locked_until <= $1) \
       AND NOT EXISTS (SELECT 1 FROM webhook_deliveries leased \
                       WHERE leased.endpoint_id = e.id AND leased.locked_until > $1 \
                         AND leased.status = 'pending')";

/// Whether a delivery is due (see [`DUE_DELIVERIES`]); a read, so that the many polls that
/// find nothing take no write lock.
pub async fn any_delivery_due(db: impl AnyExecutor<'_>, now: &str) -> Result<bool, DomainError> {
    let found: Option<i64> = sqlx::query_scalar(&format!("SELECT 1 {DUE_DELIVERIES} LIMIT 1"))
        .bind(now)
        .fetch_optional(db)
        .await?;
    Ok(found.is_some())
}

/// Takes a lease on the due delivery (see [`DUE_DELIVERIES`]) that has waited longest, and
/// starts its retry window if this is its first attempt. The conditions on the row are
/// repeated outside the subquery so that, on PostgreSQL, a second worker that waited for the
/// row finds it taken and claims nothing.
pub async fn claim_delivery(
    db: impl AnyExecutor<'_>,
    now: &str,
    lease_until: &str,
) -> Result<Option<DeliveryRow>, DomainError> {
    Ok(sqlx::query_as(&format!(
        "UPDATE webhook_deliveries SET locked_until = $2, attempts = attempts + 1, \
                first_attempt_at = COALESCE(first_attempt_at, $1), updated_at = $1 \
         WHERE id = (SELECT d.id {DUE_DELIVERIES} ORDER BY d.next_attempt_at, d.id LIMIT 1) \
           AND status = 'pending' AND (locked_until IS NULL OR locked_until <= $1) \
         RETURNING {DELIVERY_COLUMNS}"
    ))
    .bind(now)
    .bind(lease_until)
    .fetch_optional(db)
    .await?)
}

/// The endpoint a claimed delivery goes to, whatever its org.
pub async fn endpoint_by_id(
    db: impl AnyExecutor<'_>,
    id: &str,
) -> Result<Option<EndpointRow>, DomainError> {
    Ok(sqlx::query_as(&format!("SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await?)
}

/// What one attempt came to, for [`record_attempt`].
pub struct AttemptRecord<'a> {
    pub id: &'a str,
    /// The lease the attempt was made under: a worker whose lease ran out records nothing.
    pub lease: &'a str,
    /// `delivered`, `pending` (tried again at `next_attempt_at`) or `failed`.
    pub status: &'a str,
    pub next_attempt_at: &'a str,
    pub status_code: Option<i64>,
    pub error: Option<&'a str>,
    pub latency_ms: i64,
    pub now: &'a str,
}

/// Records an attempt under its lease; false when the lease was lost.
pub async fn record_attempt(
    db: impl AnyExecutor<'_>,
    attempt: &AttemptRecord<'_>,
) -> Result<bool, DomainError> {
    let recorded = sqlx::query(
        "UPDATE webhook_deliveries SET status = $3, next_attempt_at = $4, locked_until = NULL, \
         last_status_code = $5, last_error = $6, last_latency_ms = $7, updated_at = $8, \
         delivered_at = CASE WHEN $3 = 'delivered' THEN $8 ELSE delivered_at END \
         WHERE id = $1 AND status = 'pending' AND locked_until = $2",
    )
    .bind(attempt.id)
    .bind(attempt.lease)
    .bind(attempt.status)
    .bind(attempt.next_attempt_at)
    .bind(attempt.status_code)
    .bind(attempt.error)
    .bind(attempt.latency_ms)
    .bind(attempt.now)
    .execute(db)
    .await?;
    Ok(recorded.rows_affected() == 1)
}

/// After a success: the endpoint is no longer failing.
pub async fn endpoint_succeeded(
    db: impl AnyExecutor<'_>,
    endpoint_id: &str,
) -> Result<(), DomainError> {
    sqlx::query(
        "UPDATE webhook_endpoints SET failing_since = NULL \
         WHERE id = $1 AND failing_since IS NOT NULL",
    )
    .bind(endpoint_id)
    .execute(db)
    .await?;
    Ok(())
}

/// After a failure: the endpoint is failing since now, unless it already was. Returns since
/// when it has been failing.
pub async fn endpoint_failed(
    db: impl AnyExecutor<'_>,
    endpoint_id: &str,
    now: &str,
) -> Result<String, DomainError> {
    Ok(sqlx::query_scalar(
        "UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, $2) \
         WHERE id = $1 RETURNING failing_since",
    )
    .bind(endpoint_id)
    .bind(now)
    .fetch_one(db)
    .await?)
}

/// Disables an endpoint that kept failing; false when it was disabled already.
pub async fn disable_endpoint(
    db: impl AnyExecutor<'_>,
    endpoint_id: &str,
    reason: &str,
    now: &str,
) -> Result<bool, DomainError> {
    let disabled = sqlx::query(
        "UPDATE webhook_endpoints SET disabled_at = $2, disabled_reason = $3, updated_at = $2 \
         WHERE id = $1 AND disabled_at IS NULL",
    )
    .bind(endpoint_id)
    .bind(now)
    .bind(reason)
    .execute(db)
    .await?;
    Ok(disabled.rows_affected() == 1)
}

// ---- who is on the other side of a change -------------------------------------------------

/// The org of an account share recipient, named by its recipient id.
pub async fn org_of_recipient(
    db: impl AnyExecutor<'_>,
    recipient_id: &str,
) -> Result<Option<String>, DomainError> {
    Ok(sqlx::query_scalar("SELECT org_id FROM account_share_recipients WHERE id = $1")
        .bind(recipient_id)
        .fetch_optional(db)
        .await?)
}

/// The partner org an offer or a partner configuration is for.
pub async fn partner_org_of_offer(
    db: impl AnyExecutor<'_>,
    offer_id: &str,
) -> Result<Option<String>, DomainError> {
    Ok(sqlx::query_scalar(
        "SELECT c.partner_org_id FROM entity_offers o \
         JOIN partner_configs c ON c.id = o.config_id WHERE o.id = $1",
    )
    .bind(offer_id)
    .fetch_optional(db)
    .await?)
}

/// The orgs of the people a file share or an access request involves, named by id or by
/// username; people who do not exist are left out.
pub async fn orgs_of_users(
    connection: &mut sqlx::AnyConnection,
    user_ids: &[String],
    usernames: &[String],
) -> Result<Vec<String>, DomainError> {
    let mut orgs = Vec::new();
    for (column, values) in [("id", user_ids), ("username", usernames)] {
        for value in values {
            let org: Option<String> =
                sqlx::query_scalar(&format!("SELECT org_id FROM users WHERE {column} = $1"))
                    .bind(value)
                    .fetch_optional(&mut *connection)
                    .await?;
            orgs.extend(org);
        }
    }
    Ok(orgs)
}

/// Whether `id` names an org here (a partner org id need not).
pub async fn org_exists(db: impl AnyExecutor<'_>, id: &str) -> Result<bool, DomainError> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM orgs WHERE id = $1").bind(id).fetch_optional(db).await?;
    Ok(found.is_some())
}

// ---- reminders before expiry --------------------------------------------------------------

/// An active account share whose expiry falls in a reminder window.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct ExpiringShareRow {
    pub id: String,
    pub owner_org_id: String,
    pub owner_org_name: String,
    pub name: String,
    pub expires_at: String,
    pub created_by_user_id: Option<String>,
    /// When the share last changed: its expiry was set no later.
    pub updated_at: String,
}

/// Active account shares expiring in `(after, until]` that have no reminder for `lead_seconds`
/// at their current expiry, soonest first.
pub async fn shares_expiring_between(
    db: impl AnyExecutor<'_>,
    after: &str,
    until: &str,
    lead_seconds: i64,
    limit: i64,
) -> Result<Vec<ExpiringShareRow>, DomainError> {
    Ok(sqlx::query_as(
        "SELECT s.id, s.owner_org_id, o.name AS owner_org_name, s.name, s.expires_at, \
                s.created_by_user_id, s.updated_at \
         FROM account_shares s JOIN orgs o ON o.id = s.owner_org_id \
         WHERE s.status = 'active' AND s.expires_at IS NOT NULL \
           AND s.expires_at > $1 AND s.expires_at <= $2 \
           AND NOT EXISTS (SELECT 1 FROM expiry_reminders r \
                           WHERE r.object_type = 'account_share' AND r.object_id = s.id \
                             AND r.lead_seconds = $3 AND r.expires_at = s.expires_at) \
         ORDER BY s.expires_at, s.id LIMIT $4",
    )
    .bind(after)
    .bind(until)
    .bind(lead_seconds)
    .bind(limit)
    .fetch_all(db)
    .await?)
}

/// A pending offer whose expiry falls in a reminder window.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct ExpiringOfferRow {
    pub id: String,
    pub config_id: String,
    pub sharing_org_id: String,
    pub sharing_org_name: String,
    pub partner_org_id: String,
    /// The partner org's name, when it is an org here.
    pub partner_org_name: Option<String>,
    pub offered_by_user_id: Option<String>,
    pub link_token: String,
    pub title: String,
    pub schema_name: String,
    pub external_id: String,
    pub expires_at: String,
    /// When the offer was last made or changed: its expiry was set no later.
    pub updated_at: String,
}

/// Pending offers expiring in `(after, until]` that have no reminder for `lead_seconds` at
/// their current expiry, soonest first.
pub async fn offers_expiring_between(
    db: impl AnyExecutor<'_>,
    after: &str,
    until: &str,
    lead_seconds: i64,
    limit: i64,
) -> Result<Vec<ExpiringOfferRow>, DomainError> {
    Ok(sqlx::query_as(
        "SELECT o.id, o.config_id, c.sharing_org_id, g.name AS sharing_org_name, \
                c.partner_org_id, p.name AS partner_org_name, o.offered_by_user_id, \
                o.link_token, r.title, r.schema_name, r.external_id, o.expires_at, \
                o.updated_at \
         FROM entity_offers o \
         JOIN partner_configs c ON c.id = o.config_id \
         JOIN orgs g ON g.id = c.sharing_org_id \
         LEFT JOIN orgs p ON p.id = c.partner_org_id \
         JOIN resources r ON r.id = o.resource_id \
         WHERE o.status = 'PENDING' AND o.expires_at > $1 AND o.expires_at <= $2 \
           AND NOT EXISTS (SELECT 1 FROM expiry_reminders x \
                           WHERE x.object_type = 'entity_offer' AND x.object_id = o.id \
                             AND x.lead_seconds = $3 AND x.expires_at = o.expires_at) \
         ORDER BY o.expires_at, o.id LIMIT $4",
    )
    .bind(after)
    .bind(until)
    .bind(lead_seconds)
    .bind(limit)
    .fetch_all(db)
    .await?)
}

/// Locks an account share for the reminder about to be sent, if it is still active, still
/// expires at `expires_at` and has not expired by `now`; false otherwise (deleted, moved or
/// expired since it was found). The no-op write holds the row on PostgreSQL until the
/// reminder commits, so that a concurrent change waits for it or makes this false.
pub async fn lock_expiring_share(
    db: impl AnyExecutor<'_>,
    id: &str,
    expires_at: &str,
    now: &str,
) -> Result<bool, DomainError> {
    let locked = sqlx::query(
        "UPDATE account_shares SET updated_at = updated_at \
         WHERE id = $1 AND status = 'active' AND expires_at = $2 AND expires_at > $3",
    )
    .bind(id)
    .bind(expires_at)
    .bind(now)
    .execute(db)
    .await?;
    Ok(locked.rows_affected() == 1)
}

/// Like [`lock_expiring_share`], for an offer that must still be pending.
pub async fn lock_expiring_offer(
    db: impl AnyExecutor<'_>,
    id: &str,
    expires_at: &str,
    now: &str,
) -> Result<bool, DomainError> {
    let locked = sqlx::query(
        "UPDATE entity_offers SET updated_at = updated_at \
         WHERE id = $1 AND status = 'PENDING' AND expires_at = $2 AND expires_at > $3",
    )
    .bind(id)
    .bind(expires_at)
    .bind(now)
    .execute(db)
    .await?;
    Ok(locked.rows_affected() == 1)
}

/// A reminder to claim: one object, one lead, one expiry.
pub struct ReminderKey<'a> {
    pub object_type: &'a str,
    pub object_id: &'a str,
    pub lead_seconds: i64,
    pub expires_at: &'a str,
}

/// Records a reminder as sent; false when it already was (by this worker or another), so that
/// whoever inserts the row is the one who sends it.
pub async fn claim_reminder(
    db: impl AnyExecutor<'_>,
    key: &ReminderKey<'_>,
    now: &str,
) -> Result<bool, DomainError> {
    let claimed = sqlx::query(
        "INSERT INTO expiry_reminders (object_type, object_id, lead_seconds, expires_at, sent_at) \
         VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (object_type, object_id, lead_seconds, expires_at) DO NOTHING",
    )
    .bind(key.object_type)
    .bind(key.object_id)
    .bind(key.lead_seconds)
    .bind(key.expires_at)
    .bind(now)
    .execute(db)
    .await?;
    Ok(claimed.rows_affected() == 1)
}

/// `user` if they are an active user of `org`.
pub async fn active_user_of_org(
    db: impl AnyExecutor<'_>,
    user: &str,
    org: &str,
) -> Result<Option<UserId>, DomainError> {
    let id: Option<String> = sqlx::query_scalar(
        "SELECT id FROM users WHERE id = $1 AND org_id = $2 AND deactivated_at IS NULL",
    )
    .bind(user)
    .bind(org)
    .fetch_optional(db)
    .await?;
    id.as_deref().map(parse_id).transpose()
}

/// The orgs a share is (being) associated with: who is on the receiving side now.
pub async fn live_recipient_orgs(
    db: impl AnyExecutor<'_>,
    share_id: &str,
) -> Result<Vec<String>, DomainError> {
    Ok(sqlx::query_scalar(
        "SELECT DISTINCT org_id FROM account_share_recipients WHERE share_id = $1 \
         AND association_status IN ('associating', 'associated') ORDER BY org_id",
    )
    .bind(share_id)
    .fetch_all(db)
    .await?)
}

/// The active partner users of a partner configuration.
pub async fn active_partner_users(
    db: impl AnyExecutor<'_>,
    config_id: &str,
) -> Result<Vec<UserId>, DomainError> {
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT u.id FROM partner_config_users p JOIN users u ON u.id = p.user_id \
         WHERE p.config_id = $1 AND u.deactivated_at IS NULL ORDER BY u.id",
    )
    .bind(config_id)
    .fetch_all(db)
    .await?;
    ids.iter().map(|id| parse_id(id)).collect()
}

// ---- sending email from the outbox, and each person's email settings ----------------------

/// A queued email, as the mailer claims it.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct EmailRow {
    pub id: String,
    pub user_id: String,
    pub kind: String,
    pub category: String,
    /// JSON: `{"title", "link"}`.
    pub payload: String,
    pub attempts: i64,
    pub created_at: String,
}

/// Takes a lease on the oldest due pending email. As in [`claim_delivery`], the conditions are
/// repeated outside the subquery so that a second worker that waited for the row on
/// PostgreSQL claims nothing.
pub async fn claim_email(
    db: impl AnyExecutor<'_>,
    now: &str,
    lease_until: &str,
) -> Result<Option<EmailRow>, DomainError> {
    Ok(sqlx::query_as(
        "UPDATE outbox SET locked_until = $2, attempts = attempts + 1 \
         WHERE id = (SELECT o.id FROM outbox o \
                     WHERE o.status = 'pending' AND o.next_attempt_at <= $1 \
                       AND (o.locked_until IS NULL OR o.locked_until <= $1) \
                     ORDER BY o.next_attempt_at, o.id LIMIT 1) \
           AND status = 'pending' AND (locked_until IS NULL OR locked_until <= $1) \
         RETURNING id, user_id, kind, category, payload, attempts, created_at",
    )
    .bind(now)
    .bind(lease_until)
    .fetch_optional(db)
    .await?)
}

/// Whether an email is due, read without taking the write lock a claim needs.
pub async fn email_due(db: impl AnyExecutor<'_>, now: &str) -> Result<bool, DomainError> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM outbox WHERE status = 'pending' AND next_attempt_at <= $1 \
         AND (locked_until IS NULL OR locked_until <= $1) LIMIT 1",
    )
    .bind(now)
    .fetch_optional(db)
    .await?;
    Ok(found.is_some())
}

/// Whether any email is pending at all.
pub async fn any_pending_email(db: impl AnyExecutor<'_>) -> Result<bool, DomainError> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM outbox WHERE status = 'pending' LIMIT 1")
            .fetch_optional(db)
            .await?;
    Ok(found.is_some())
}

/// Where a person's email goes, and whether they are still active.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct RecipientRow {
    pub username: String,
    pub email: String,
    pub deactivated_at: Option<String>,
}

pub async fn email_recipient(
    db: impl AnyExecutor<'_>,
    user: &str,
) -> Result<Option<RecipientRow>, DomainError> {
    Ok(sqlx::query_as("SELECT username, email, deactivated_at FROM users WHERE id = $1")
        .bind(user)
        .fetch_optional(db)
        .await?)
}

/// What became of a claimed email, for [`record_email`].
pub struct EmailRecord<'a> {
    pub id: &'a str,
    /// The lease it was claimed under: a mailer whose lease ran out records nothing.
    pub lease: &'a str,
    /// `sent`, `pending` (tried again at `next_attempt_at`), `failed` or `skipped`.
    pub status: &'a str,
    pub next_attempt_at: &'a str,
    pub error: Option<&'a str>,
    pub now: &'a str,
}

/// Records what became of an email under its lease; false when the lease was lost.
pub async fn record_email(
    db: impl AnyExecutor<'_>,
    record: &EmailRecord<'_>,
) -> Result<bool, DomainError> {
    let recorded = sqlx::query(
        "UPDATE outbox SET status = $3, next_attempt_at = $4, locked_until = NULL, \
         last_error = $5, delivered_at = CASE WHEN $3 = 'sent' THEN $6 ELSE delivered_at END \
         WHERE id = $1 AND status = 'pending' AND locked_until = $2",
    )
    .bind(record.id)
    .bind(record.lease)
    .bind(record.status)
    .bind(record.next_attempt_at)
    .bind(record.error)
    .bind(record.now)
    .execute(db)
    .await?;
    Ok(recorded.rows_affected() == 1)
}

/// Marks every pending email `skipped` (email is off: they are never sent, not even later).
pub async fn skip_pending_emails(
    db: impl AnyExecutor<'_>,
    reason: &str,
) -> Result<u64, DomainError> {
    let skipped = sqlx::query(
        "UPDATE outbox SET status = 'skipped', locked_until = NULL, last_error = $1 \
         WHERE status = 'pending'",
    )
    .bind(reason)
    .execute(db)
    .await?;
    Ok(skipped.rows_affected())
}

/// The categories a person turned off.
pub async fn email_opt_outs(
    db: impl AnyExecutor<'_>,
    user: UserId,
) -> Result<Vec<String>, DomainError> {
    Ok(sqlx::query_scalar(
        "SELECT category FROM email_opt_outs WHERE user_id = $1 ORDER BY category",
    )
    .bind(user.to_string())
    .fetch_all(db)
    .await?)
}

/// Turns a category off for a person (again is harmless).
pub async fn add_email_opt_out(
    db: impl AnyExecutor<'_>,
    user: UserId,
    category: &str,
    now: &str,
) -> Result<(), DomainError> {
    sqlx::query(
        "INSERT INTO email_opt_outs (user_id, category, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id, category) DO NOTHING",
    )
    .bind(user.to_string())
    .bind(category)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

/// Turns a category back on for a person.
pub async fn remove_email_opt_out(
    db: impl AnyExecutor<'_>,
    user: UserId,
    category: &str,
) -> Result<(), DomainError> {
    sqlx::query("DELETE FROM email_opt_outs WHERE user_id = $1 AND category = $2")
        .bind(user.to_string())
        .bind(category)
        .execute(db)
        .await?;
    Ok(())
}

// ---- retention --------------------------------------------------------------------------------

/// Deletes up to `limit` finished webhook deliveries last touched before `before`; how many.
pub async fn prune_deliveries(
    db: impl AnyExecutor<'_>,
    before: &str,
    limit: i64,
) -> Result<u64, DomainError> {
    let pruned = sqlx::query(
        "DELETE FROM webhook_deliveries WHERE id IN (SELECT id FROM webhook_deliveries \
         WHERE status IN ('delivered', 'failed') AND updated_at < $1 LIMIT $2)",
    )
    .bind(before)
    .bind(limit)
    .execute(db)
    .await?;
    Ok(pruned.rows_affected())
}

/// Deletes up to `limit` emails that were sent, skipped or given up before `before`.
pub async fn prune_emails(
    db: impl AnyExecutor<'_>,
    before: &str,
    limit: i64,
) -> Result<u64, DomainError> {
    let pruned = sqlx::query(
        "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox \
         WHERE status IN ('sent', 'skipped', 'failed') AND created_at < $1 LIMIT $2)",
    )
    .bind(before)
    .bind(limit)
    .execute(db)
    .await?;
    Ok(pruned.rows_affected())
}

/// Forgets the reminders of expiries before `before`: nothing can re-arm them.
pub async fn prune_reminders(db: impl AnyExecutor<'_>, before: &str) -> Result<u64, DomainError> {
    let pruned = sqlx::query("DELETE FROM expiry_reminders WHERE expires_at < $1")
        .bind(before)
        .execute(db)
        .await?;
    Ok(pruned.rows_affected())
}
