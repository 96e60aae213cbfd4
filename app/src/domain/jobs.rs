//! The work the background worker does: the queued jobs that complete asynchronous changes
//! (taken from [`super::queue`]) and the expiry sweeps. The loop that calls [`run_next`] and
//! [`sweep`] lives in the server.

use std::time::Duration;

use super::account_shares::service as account_shares;
use super::account_shares::Association;
use super::notifications::reminders::{self, ReminderLeads};
use super::queue::{self, ClaimedJob, JobKind};
use super::store::{notifications as notifications_store, partners as partner_store, Store};
use super::{clock, DomainError};
use crate::domain::audit::service::{record, Author, Change};
use crate::domain::identity::Face;

/// What happened to the job [`run_next`] picked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JobOutcome {
    Done {
        kind: String,
        subject_id: String,
    },
    /// Failed this time; see [`ClaimedJob::fail`] for which failures are tried again.
    Failed {
        kind: String,
        error: String,
        gave_up: bool,
    },
}

/// Claims the oldest due job, applies it and marks it done in one transaction. `None` when
/// nothing is due.
pub async fn run_next(store: &Store, lease: Duration) -> Result<Option<JobOutcome>, DomainError> {
    let Some(job) = queue::claim(store, lease).await? else {
        return Ok(None);
    };
    let outcome = tokio::select! {
        outcome = apply(store, &job) => outcome,
        never = job.keep_lease(store) => match never {},
    };
    let (kind, subject_id) = (job.kind_name().to_owned(), job.subject_id().to_owned());
    match outcome {
        Ok(()) => Ok(Some(JobOutcome::Done { kind, subject_id })),
        Err(error) => {
            let gave_up = job.fail(store, &error).await?;
            Ok(Some(JobOutcome::Failed { kind, error: format!("{error:?}"), gave_up }))
        }
    }
}

async fn apply(store: &Store, job: &ClaimedJob) -> Result<(), DomainError> {
    let kind = job.kind()?;
    let subject = job.subject_id();
    let mut transaction = store.begin_write().await?;
    match kind {
        JobKind::AssociateRecipient => {
            account_shares::complete_association(&mut transaction, subject, Association::Associated)
                .await?
        }
        JobKind::DisassociateRecipient => {
            account_shares::complete_association(
                &mut transaction,
                subject,
                Association::Disassociated,
            )
            .await?
        }
        JobKind::DeleteShare => {
            account_shares::complete_share_deletion(&mut transaction, subject).await?
        }
        JobKind::DeleteResource => {
            account_shares::complete_resource_deletion(&mut transaction, subject).await?
        }
    }
    if job.finish(&mut transaction).await? {
        transaction.commit().await?;
    } else {
        transaction.rollback().await?;
    }
    Ok(())
}

/// What one expiry sweep persisted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SweepReport {
    pub expired_shares: usize,
    pub expired_offers: usize,
    /// Reminders sent before an expiry (see [`reminders`]).
    pub reminders: usize,
    /// Old delivery log entries, sent emails and spent reminders deleted.
    pub pruned: u64,
}

/// Persists expiries that reading already applies: account shares past their expiry are
/// reported once, and pending partner offers past theirs become EXPIRED. Then sends the
/// reminders that are due `leads` before an expiry.
pub async fn sweep(
    store: &Store,
    leads: ReminderLeads,
    batch: i64,
) -> Result<SweepReport, DomainError> {
    let expired_shares = account_shares::sweep_expired_shares(store, batch).await?;
    let now = clock::now();
    let mut transaction = store.begin_write().await?;
    let offers = partner_store::pending_offers_past_expiry(&mut *transaction, &now, batch).await?;
    let mut expired_offers = 0;
    for (offer_id, org_id) in offers {
        if partner_store::expire_offer(&mut *transaction, &offer_id, &now).await? {
            let change = Change {
                org_id: super::store::parse_id(&org_id)?,
                action: "offer.expired",
                object_type: "entity_offer",
                object_id: offer_id,
                detail: serde_json::json!({}),
            };
            record(&mut transaction, Author::Worker, Face::Api, change).await?;
            expired_offers += 1;
        }
    }
    transaction.commit().await?;
    let reminders = reminders::sweep(store, leads, batch).await?;
    let pruned = prune(store, batch).await?;
    Ok(SweepReport { expired_shares, expired_offers, reminders, pruned })
}

/// How long the delivery log and sent email are kept.
pub const DELIVERY_RETENTION: time::Duration = time::Duration::days(30);

/// Deletes what no one needs any more, a batch of each per sweep: finished deliveries and
/// emails older than [`DELIVERY_RETENTION`], and reminders of expiries a day past.
async fn prune(store: &Store, batch: i64) -> Result<u64, DomainError> {
    let old = clock::now_plus(-DELIVERY_RETENTION);
    let mut transaction = store.begin_write().await?;
    let mut pruned = notifications_store::prune_deliveries(&mut *transaction, &old, batch).await?;
    pruned += notifications_store::prune_emails(&mut *transaction, &old, batch).await?;
    let past = clock::now_plus(-time::Duration::DAY);
    pruned += notifications_store::prune_reminders(&mut *transaction, &past).await?;
    transaction.commit().await?;
    Ok(pruned)
}
