//! What people and systems hear of a change: in-app notifications, email and signed webhooks.
//!
//! One module turns a domain change into all of them ([`service`]), in the change's own
//! transaction: a change that rolls back tells no one, and one that commits is delivered at
//! least once by the worker even if the process dies right after. The audit log is the list
//! of changes, so every recorded share event is published to the webhooks of the org that
//! made it and of the orgs on the other side ([`events`]).

use serde::{Deserialize, Serialize};

use super::ids::{DeliveryId, WebhookId};

#[cfg(feature = "ssr")]
pub mod email;
#[cfg(feature = "ssr")]
pub mod events;
#[cfg(feature = "ssr")]
pub mod reminders;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod targets;
#[cfg(feature = "ssr")]
pub mod webhooks;

/// Kinds of email a person can turn off, each on its own.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    /// Something was shared with you or your org, or a share you had was revoked.
    Shares,
    /// A partner offered you an entity, or answered your offer.
    Offers,
    /// Someone asked for access to your file, or answered your request.
    Requests,
    /// A share or offer of yours is about to expire.
    Reminders,
    /// For admins: a webhook endpoint of the org kept failing and was disabled.
    Webhooks,
}

impl Category {
    pub const ALL: [Category; 5] = [
        Category::Shares,
        Category::Offers,
        Category::Requests,
        Category::Reminders,
        Category::Webhooks,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Shares => "shares",
            Category::Offers => "offers",
            Category::Requests => "requests",
            Category::Reminders => "reminders",
            Category::Webhooks => "webhooks",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|category| category.as_str() == text)
    }

    /// What the category covers, for the settings page.
    pub fn describe(self) -> &'static str {
        match self {
            Category::Shares => "Something is shared with you or your organization, or revoked",
            Category::Offers => "A partner offers you an entity, or answers your offer",
            Category::Requests => "Someone asks for access to your file, or answers your request",
            Category::Reminders => "A share or offer is about to expire",
            Category::Webhooks => "A webhook endpoint of your organization was disabled",
        }
    }
}

/// The webhook event types, as receivers see them in `type`.
pub const EVENT_TYPES: [&str; 17] = [
    "share.created",
    "share.changed",
    "share.revoked",
    "share.expired",
    "share.expiring",
    "offer.made",
    "offer.accepted",
    "offer.declined",
    "offer.expired",
    "offer.withdrawn",
    "offer.expiring",
    "access.requested",
    "access.answered",
    "access.withdrawn",
    "recipient.associated",
    "recipient.disassociated",
    "webhook.test",
];

/// An org's webhook endpoint, as the API and the Webhooks page show it (never its secret).
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookEndpoint {
    pub id: WebhookId,
    pub url: String,
    pub description: String,
    /// The event types it receives; empty for all of them.
    pub events: Vec<String>,
    pub enabled: bool,
    /// Why it was disabled, when the worker disabled it.
    pub disabled_reason: Option<String>,
    /// Since when every attempt has failed, while it is failing.
    pub failing_since: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// An endpoint with its signing secret, shown once: at creation and at rotation.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointWithSecret {
    pub endpoint: WebhookEndpoint,
    /// `whsec_` and the base64 of 32 random bytes, as the Standard Webhooks libraries expect.
    pub secret: String,
}

/// Without the secret, which must not reach a log.
impl std::fmt::Debug for EndpointWithSecret {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("EndpointWithSecret")
            .field("endpoint", &self.endpoint)
            .field("secret", &"<redacted>")
            .finish()
    }
}

/// A new endpoint.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewWebhook {
    pub url: String,
    #[serde(default)]
    pub events: Option<Vec<String>>,
    #[serde(default)]
    pub description: Option<String>,
}

/// A change to an endpoint: only the fields given change.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookChange {
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub events: Option<Vec<String>>,
    #[serde(default)]
    pub description: Option<String>,
    /// Turning a disabled endpoint back on also forgets its failures.
    #[serde(default)]
    pub enabled: Option<bool>,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryStatus {
    /// Waiting for its first or next attempt.
    Pending,
    Delivered,
    /// Every attempt failed for the whole retry window.
    Failed,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [DeliveryStatus::Pending, DeliveryStatus::Delivered, DeliveryStatus::Failed]
            .into_iter()
            .find(|status| status.as_str() == text)
    }
}

/// One event for one endpoint, as the delivery log shows it.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    pub id: DeliveryId,
    /// The `webhook-id` header of every attempt.
    pub message_id: String,
    pub event_type: String,
    pub status: DeliveryStatus,
    pub attempts: i64,
    pub last_status_code: Option<i64>,
    pub last_error: Option<String>,
    pub last_latency_ms: Option<i64>,
    pub next_attempt_at: Option<String>,
    pub created_at: String,
    pub delivered_at: Option<String>,
}

/// A page of an endpoint's delivery log, newest first.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryPage {
    pub deliveries: Vec<Delivery>,
    /// Pass as `before` for the next page.
    pub next_before: Option<DeliveryId>,
}

/// The `webhook-id` of a delivery: stable across its attempts, so receivers can deduplicate.
pub fn message_id(id: DeliveryId) -> String {
    format!("msg_{}", id.simple())
}

/// Whether this server sends email (an SMTP relay and a sender address are configured). Given
/// to the pages as context, so that settings can say when email is off.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailAvailability {
    pub configured: bool,
}

/// One category of email, on or off for one person.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategorySetting {
    pub category: Category,
    /// What the category covers, in a sentence.
    pub description: String,
    pub on: bool,
}

/// A person's email settings, as the Account page and the API show them.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailSettings {
    /// Whether this server sends email at all.
    pub email_configured: bool,
    /// Where their email goes.
    pub address: String,
    /// Every category, in [`Category::ALL`] order.
    pub categories: Vec<CategorySetting>,
}
