//! Email from the outbox: what the mailer claims and records, and each person's categories.
//!
//! [`super::service::notify_user`] queues an email row in the change's transaction; the
//! mailer claims due rows one at a time under a lease, sends them and records the outcome:
//! sent, due again after a backoff, or failed for good once the retry window is over. A row
//! whose person was deactivated or has turned the category off since is `skipped`, and so is
//! every row while email is off, so that nothing piles up to be sent the day it is turned on.

use std::time::Duration;

use serde::Deserialize;

use super::webhooks::{retry_backoff, RetryPolicy};
use super::{Category, CategorySetting, EmailAvailability, EmailSettings};
use crate::domain::authz::Operation;
use crate::domain::identity::Actor;
use crate::domain::store::notifications::{self as store, EmailRecord};
use crate::domain::store::Store;
use crate::domain::{clock, DomainError};

/// Why rows are skipped while email is off.
pub const EMAIL_OFF: &str = "email is not configured on this server";

/// How an email's status reads in the outbox.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EmailStatus {
    /// Waiting for its first or next attempt.
    Pending,
    Sent,
    /// The relay refused it for good, or every attempt failed for the whole retry window.
    Failed,
    /// Never sent: email is off, the person was deactivated or turned the category off.
    Skipped,
}

impl EmailStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            EmailStatus::Pending => "pending",
            EmailStatus::Sent => "sent",
            EmailStatus::Failed => "failed",
            EmailStatus::Skipped => "skipped",
        }
    }
}

/// An email this mailer holds the lease on, with what it needs to render and send it.
#[derive(Clone, Debug)]
pub struct OutgoingEmail {
    /// The outbox row: stable across attempts, so it makes the `Message-ID`.
    pub outbox_id: String,
    pub to_address: String,
    pub to_name: String,
    /// What happened (`share.received`, `offer.received`…).
    pub kind: String,
    pub category: Category,
    /// The subject, and the first line of the text.
    pub title: String,
    /// A path on this site (`/offers/…`); the mailer makes it absolute.
    pub link: Option<String>,
    pub attempts: i64,
    pub created_at: String,
    lease: String,
}

/// What one attempt at sending came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SendOutcome {
    Sent,
    /// Worth trying again: the relay could not be reached, timed out or answered 4xx.
    Transient(String),
    /// Trying again would not help: the relay answered 5xx, the address is not valid.
    Permanent(String),
}

/// The payload [`super::service::notify_user`] writes.
#[derive(Deserialize)]
struct Payload {
    title: String,
    #[serde(default)]
    link: Option<String>,
}

/// Takes the next email that is due and can be sent. Emails that cannot (the person was
/// deactivated or turned the category off since it was queued, the row is unreadable) are
/// settled on the way and never returned.
pub async fn claim(store: &Store, lease: Duration) -> Result<Option<OutgoingEmail>, DomainError> {
    loop {
        let now = clock::now();
        if !store::email_due(store.pool(), &now).await? {
            return Ok(None);
        }
        let lease_until =
            clock::now_plus(time::Duration::try_from(lease).unwrap_or(time::Duration::MINUTE));
        let mut transaction = store.begin_write().await?;
        let Some(row) = store::claim_email(&mut *transaction, &now, &lease_until).await? else {
            transaction.rollback().await?;
            return Ok(None);
        };
        let recipient = store::email_recipient(&mut *transaction, &row.user_id).await?;
        let category = Category::parse(&row.category);
        let payload: Option<Payload> = serde_json::from_str(&row.payload).ok();
        let sendable = match (recipient, category, payload) {
            (None, _, _) => Err((EmailStatus::Skipped, "the person no longer exists")),
            (Some(person), _, _) if person.deactivated_at.is_some() => {
                Err((EmailStatus::Skipped, "the person was deactivated"))
            }
            (Some(person), Some(category), Some(payload)) => {
                let user = crate::domain::store::parse_id(&row.user_id)?;
                if store::email_opted_out(&mut *transaction, user, category.as_str()).await? {
                    Err((EmailStatus::Skipped, "the person turned this category off"))
                } else {
                    Ok((person, category, payload))
                }
            }
            (Some(_), _, _) => Err((EmailStatus::Failed, "the queued message could not be read")),
        };
        let (recipient, category, payload) = match sendable {
            Ok(sendable) => sendable,
            Err((status, reason)) => {
                let record = EmailRecord {
                    id: &row.id,
                    lease: &lease_until,
                    status: status.as_str(),
                    next_attempt_at: &now,
                    error: Some(reason),
                    now: &now,
                };
                store::record_email(&mut *transaction, &record).await?;
                transaction.commit().await?;
                continue;
            }
        };
        transaction.commit().await?;
        return Ok(Some(OutgoingEmail {
            outbox_id: row.id,
            to_address: recipient.email,
            to_name: recipient.username,
            kind: row.kind,
            category,
            title: payload.title,
            link: payload.link,
            attempts: row.attempts,
            created_at: row.created_at,
            lease: lease_until,
        }));
    }
}

/// Records an attempt: sent, due again after a backoff with jitter, or failed for good when
/// the relay refused it or the retry window is over.
pub async fn record_attempt(
    store: &Store,
    email: &OutgoingEmail,
    outcome: &SendOutcome,
    retry: RetryPolicy,
) -> Result<EmailStatus, DomainError> {
    let now = clock::now();
    let window = time::Duration::try_from(retry.window).unwrap_or(time::Duration::DAY);
    let started = clock::parse(&email.created_at).unwrap_or_else(time::OffsetDateTime::now_utc);
    let next_attempt = clock::now_plus(retry_backoff(email.attempts));
    let (status, next_attempt_at, error) = match outcome {
        SendOutcome::Sent => (EmailStatus::Sent, now.clone(), None),
        SendOutcome::Permanent(error) => (EmailStatus::Failed, now.clone(), Some(error)),
        SendOutcome::Transient(error)
            if clock::parse(&next_attempt).is_some_and(|next| next >= started + window) =>
        {
            (EmailStatus::Failed, now.clone(), Some(error))
        }
        SendOutcome::Transient(error) => (EmailStatus::Pending, next_attempt, Some(error)),
    };
    let error: Option<String> = error.map(|error| error.chars().take(500).collect());
    let record = EmailRecord {
        id: &email.outbox_id,
        lease: &email.lease,
        status: status.as_str(),
        next_attempt_at: &next_attempt_at,
        error: error.as_deref(),
        now: &now,
    };
    let mut transaction = store.begin_write().await?;
    if !store::record_email(&mut *transaction, &record).await? {
        // The lease ran out and another mailer has the email now: its record counts.
        transaction.rollback().await?;
        return Ok(EmailStatus::Pending);
    }
    transaction.commit().await?;
    Ok(status)
}

/// While email is off: marks every pending email skipped, so none is sent later. Returns how
/// many were.
pub async fn skip_pending(store: &Store) -> Result<u64, DomainError> {
    if !store::any_pending_email(store.pool()).await? {
        return Ok(0);
    }
    let mut transaction = store.begin_write().await?;
    let skipped = store::skip_pending_emails(&mut *transaction, EMAIL_OFF).await?;
    transaction.commit().await?;
    Ok(skipped)
}

// ---- settings ------------------------------------------------------------------------------

/// The actor's email settings: every category and whether it is on.
pub async fn settings(
    store: &Store,
    actor: &Actor,
    availability: EmailAvailability,
) -> Result<EmailSettings, DomainError> {
    actor.require(Operation::NotificationsRead)?;
    let mut connection = store.pool().acquire().await?;
    load_settings(&mut connection, actor, availability).await
}

/// Turns one category on or off for the actor.
pub async fn set_email_category(
    store: &Store,
    actor: &Actor,
    availability: EmailAvailability,
    category: Category,
    on: bool,
) -> Result<EmailSettings, DomainError> {
    set_email_categories(store, actor, availability, &[(category, on)]).await
}

/// Turns categories on or off for the actor, all in one transaction; categories not named
/// stay as they are. Turning a category off also holds back its emails still queued.
pub async fn set_email_categories(
    store: &Store,
    actor: &Actor,
    availability: EmailAvailability,
    changes: &[(Category, bool)],
) -> Result<EmailSettings, DomainError> {
    actor.require(Operation::OwnEmailSettingsChange)?;
    let now = clock::now();
    let mut transaction = store.begin_write().await?;
    for (category, on) in changes {
        if *on {
            store::remove_email_opt_out(&mut *transaction, actor.user_id, category.as_str())
                .await?;
        } else {
            store::add_email_opt_out(&mut *transaction, actor.user_id, category.as_str(), &now)
                .await?;
        }
    }
    let settings = load_settings(&mut transaction, actor, availability).await?;
    transaction.commit().await?;
    Ok(settings)
}

/// Reads a category named by a client (`shares`, `offers`…).
pub fn parse_category(field: &str, text: &str) -> Result<Category, DomainError> {
    Category::parse(text.trim()).ok_or_else(|| {
        let known: Vec<&str> = Category::ALL.iter().map(|category| category.as_str()).collect();
        DomainError::invalid(
            field.to_owned(),
            format!(
                "unknown email category `{}`: use one of {}",
                text.chars().take(40).collect::<String>(),
                known.join(", ")
            ),
        )
    })
}

async fn load_settings(
    connection: &mut sqlx::AnyConnection,
    actor: &Actor,
    availability: EmailAvailability,
) -> Result<EmailSettings, DomainError> {
    let off = store::email_opt_outs(&mut *connection, actor.user_id).await?;
    let recipient = store::email_recipient(&mut *connection, &actor.user_id.to_string()).await?;
    let categories = Category::ALL
        .into_iter()
        .map(|category| CategorySetting {
            category,
            description: category.describe().to_owned(),
            on: !off.iter().any(|name| name == category.as_str()),
        })
        .collect();
    Ok(EmailSettings {
        email_configured: availability.configured,
        address: recipient.map(|person| person.email).unwrap_or_else(|| actor.email.clone()),
        categories,
    })
}
