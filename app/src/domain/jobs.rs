//! Durable background work: the jobs that complete asynchronous changes, and the expiry
//! sweeps. The worker loop that calls [`run_next`] and [`sweep`] lives in the server.
//!
//! Exactly once: a job's effect and its `done` mark commit in one transaction. A worker that
//! dies before the commit leaves the job queued with a lease that runs out, and the next
//! claim runs it again; every effect is a conditional update, so it is also harmless to run
//! twice. A live worker renews its lease while it works, so leases can be short and a dead
//! worker's job is picked up again within seconds.

use std::sync::PoisonError;
use std::time::Duration;

use super::account_shares::service as account_shares;
use super::account_shares::Association;
use super::store::{jobs as store, partners as partner_store, Store};
use super::{clock, DomainError};
use crate::domain::audit::service::{record, Author, Change};
use crate::domain::identity::Face;

/// The kinds of work, stored by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobKind {
    AssociateRecipient,
    DisassociateRecipient,
    DeleteShare,
    DeleteResource,
}

impl JobKind {
    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::AssociateRecipient => "recipient.associate",
            JobKind::DisassociateRecipient => "recipient.disassociate",
            JobKind::DeleteShare => "share.delete",
            JobKind::DeleteResource => "resource.delete",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        [
            JobKind::AssociateRecipient,
            JobKind::DisassociateRecipient,
            JobKind::DeleteShare,
            JobKind::DeleteResource,
        ]
        .into_iter()
        .find(|kind| kind.as_str() == text)
    }
}

/// Queues a job in the transaction of the change that needs it. Call
/// [`Store::jobs_queued`] after the commit to wake the worker.
pub async fn enqueue(
    connection: &mut sqlx::AnyConnection,
    kind: JobKind,
    subject_id: &str,
    now: &str,
) -> Result<(), DomainError> {
    store::enqueue(connection, kind.as_str(), subject_id, now).await?;
    Ok(())
}

/// What happened to the job [`run_next`] picked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JobOutcome {
    Done {
        kind: String,
        subject_id: String,
    },
    /// Failed this time. A failure of ours (the database was away…) is tried again after the
    /// backoff for as long as it takes, since giving up would leave a share half-changed; a
    /// job that can never succeed (its subject is not an id) is given up (`gave_up`).
    Failed {
        kind: String,
        error: String,
        gave_up: bool,
    },
}

/// Claims the oldest due job, applies it and marks it done in one transaction. `None` when
/// nothing is due. A job is leased for `lease`: if this process dies, it is due again after.
pub async fn run_next(store: &Store, lease: Duration) -> Result<Option<JobOutcome>, DomainError> {
    let now = clock::now();
    let lease_until =
        clock::now_plus(time::Duration::try_from(lease).unwrap_or(time::Duration::MINUTE));
    let mut claim = store.begin_write().await?;
    let Some(job) = store::claim(&mut *claim, &now, &lease_until).await? else {
        claim.rollback().await?;
        return Ok(None);
    };
    claim.commit().await?;

    let lease_held = std::sync::Mutex::new(job.locked_until.clone());
    let outcome = tokio::select! {
        outcome = apply(store, &job) => outcome,
        never = keep_lease(store, &job.id, lease, &lease_held) => match never {},
    };
    match outcome {
        Ok(()) => Ok(Some(JobOutcome::Done { kind: job.kind, subject_id: job.subject_id })),
        Err(error) => {
            let gave_up = !matches!(error, DomainError::Internal(_) | DomainError::Unavailable);
            let run_after = (!gave_up).then(|| clock::now_plus(backoff(job.attempts)));
            // The debug form keeps the cause, which `Display` hides from clients.
            let message = format!("{error:?}");
            let now = clock::now();
            let held = store::JobRow { locked_until: current_lease(&lease_held), ..job };
            store::retry_later(store.pool(), &held, &message, run_after.as_deref(), &now).await?;
            Ok(Some(JobOutcome::Failed { kind: held.kind, error: message, gave_up }))
        }
    }
}

/// Renews the lease on job `id` every third of `lease` for as long as it is polled, so that a
/// slow job stays ours while this worker lives. A renewal that fails (the database is busy)
/// is tried again at the next tick; one that finds the lease gone (another worker took the job
/// after a stall) stops renewing: whichever worker commits first marks the job done, and the
/// other's `finish` then finds it done and rolls back.
async fn keep_lease(
    store: &Store,
    id: &str,
    lease: Duration,
    lease_held: &std::sync::Mutex<Option<String>>,
) -> std::convert::Infallible {
    let lease_length = time::Duration::try_from(lease).unwrap_or(time::Duration::MINUTE);
    loop {
        tokio::time::sleep(lease / 3).await;
        let Some(held) = current_lease(lease_held) else {
            return std::future::pending().await;
        };
        let renewed = clock::now_plus(lease_length);
        match store::renew_lease(store.pool(), id, &held, &renewed).await {
            Ok(true) => *lease_held.lock().unwrap_or_else(PoisonError::into_inner) = Some(renewed),
            Ok(false) => return std::future::pending().await,
            Err(error) => tracing::warn!(%error, job = id, "could not renew a job's lease"),
        }
    }
}

fn current_lease(lease_held: &std::sync::Mutex<Option<String>>) -> Option<String> {
    lease_held.lock().unwrap_or_else(PoisonError::into_inner).clone()
}

/// Exponential backoff from one second, capped at ten minutes (reached at the 11th attempt).
pub fn backoff(attempts: i64) -> time::Duration {
    let exponent = attempts.clamp(1, 11) as u32 - 1;
    time::Duration::seconds((1_i64 << exponent).min(600))
}

async fn apply(store: &Store, job: &store::JobRow) -> Result<(), DomainError> {
    // Not `Internal`: a job of a kind this version does not know is given up, not retried.
    let kind = JobKind::parse(&job.kind)
        .ok_or_else(|| DomainError::invalid("kind", format!("unknown job kind {}", job.kind)))?;
    let mut transaction = store.begin_write().await?;
    match kind {
        JobKind::AssociateRecipient => {
            account_shares::complete_association(
                &mut transaction,
                &job.subject_id,
                Association::Associated,
            )
            .await?
        }
        JobKind::DisassociateRecipient => {
            account_shares::complete_association(
                &mut transaction,
                &job.subject_id,
                Association::Disassociated,
            )
            .await?
        }
        JobKind::DeleteShare => {
            account_shares::complete_share_deletion(&mut transaction, &job.subject_id).await?
        }
        JobKind::DeleteResource => {
            account_shares::complete_resource_deletion(&mut transaction, &job.subject_id).await?
        }
    }
    if store::finish(&mut *transaction, &job.id, &clock::now()).await? {
        transaction.commit().await?;
    } else {
        // Another worker finished it while this one held an expired lease: keep theirs.
        transaction.rollback().await?;
    }
    Ok(())
}

/// What one expiry sweep persisted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SweepReport {
    pub expired_shares: usize,
    pub expired_offers: usize,
}

/// Persists expiries that reading already applies: account shares past their expiry are
/// reported once, and pending partner offers past theirs become EXPIRED.
pub async fn sweep(store: &Store, batch: i64) -> Result<SweepReport, DomainError> {
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
    Ok(SweepReport { expired_shares, expired_offers })
}

/// How many jobs are queued, done or failed.
pub async fn count(store: &Store, status: &str) -> Result<i64, DomainError> {
    store::count(store.pool(), status).await
}

#[cfg(test)]
mod tests {
    use super::backoff;

    #[test]
    fn the_backoff_doubles_from_one_second_up_to_ten_minutes() {
        let seconds = |attempts| backoff(attempts).whole_seconds();
        assert_eq!([seconds(0), seconds(1), seconds(2), seconds(3)], [1, 1, 2, 4]);
        assert_eq!(seconds(10), 512);
        assert_eq!(seconds(11), 600);
        assert_eq!(seconds(i64::MAX), 600);
    }
}
