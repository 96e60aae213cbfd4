//! The durable job queue: services [`enqueue`] work in the transaction of the change that
//! needs it, and the worker ([`super::jobs`]) [`claim`]s and runs it.
//!
//! Exactly once: a job's effect and its `done` mark ([`ClaimedJob::finish`]) commit in one
//! transaction. A worker that dies before the commit leaves the job queued with a lease that
//! runs out, and the next claim runs it again; every effect is a conditional update, so it is
//! also harmless to run twice. A live worker renews its lease while it works
//! ([`ClaimedJob::keep_lease`]), so leases can be short and a dead worker's job is picked up
//! again within seconds.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use super::store::{jobs as store, Store};
use super::{clock, DomainError};

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

    pub fn parse(text: &str) -> Option<Self> {
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

/// A job this worker holds the lease on.
#[derive(Debug)]
pub struct ClaimedJob {
    row: store::JobRow,
    lease: Duration,
    /// The lease as last renewed; `None` once another worker took the job over.
    lease_held: Mutex<Option<String>>,
}

/// Takes a lease on the oldest due job; `None` when nothing is due. A job is leased for
/// `lease`: if this process dies, it is due again after.
pub async fn claim(store: &Store, lease: Duration) -> Result<Option<ClaimedJob>, DomainError> {
    let now = clock::now();
    let lease_until = clock::now_plus(lease_length(lease));
    let mut claim = store.begin_write().await?;
    let Some(row) = store::claim(&mut *claim, &now, &lease_until).await? else {
        claim.rollback().await?;
        return Ok(None);
    };
    claim.commit().await?;
    let lease_held = Mutex::new(row.locked_until.clone());
    Ok(Some(ClaimedJob { row, lease, lease_held }))
}

fn lease_length(lease: Duration) -> time::Duration {
    time::Duration::try_from(lease).unwrap_or(time::Duration::MINUTE)
}

impl ClaimedJob {
    /// The job's kind, or an error for a kind this version does not know (not `Internal`:
    /// such a job is given up, not retried).
    pub fn kind(&self) -> Result<JobKind, DomainError> {
        JobKind::parse(&self.row.kind).ok_or_else(|| {
            DomainError::invalid("kind", format!("unknown job kind {}", self.row.kind))
        })
    }

    pub fn kind_name(&self) -> &str {
        &self.row.kind
    }

    pub fn subject_id(&self) -> &str {
        &self.row.subject_id
    }

    /// Renews the lease every third of its length for as long as it is polled, so that a slow
    /// job stays ours while this worker lives. A renewal that fails (the database is busy) is
    /// tried again at the next tick; one that finds the lease gone (another worker took the job
    /// after a stall) stops renewing: whichever worker commits first marks the job done, and
    /// the other's [`ClaimedJob::finish`] then finds it done.
    pub async fn keep_lease(&self, store: &Store) -> std::convert::Infallible {
        loop {
            tokio::time::sleep(self.lease / 3).await;
            let Some(held) = self.current_lease() else {
                return std::future::pending().await;
            };
            let renewed = clock::now_plus(lease_length(self.lease));
            match store::renew_lease(store.pool(), &self.row.id, &held, &renewed).await {
                Ok(true) => {
                    *self.lease_held.lock().unwrap_or_else(PoisonError::into_inner) = Some(renewed)
                }
                Ok(false) => return std::future::pending().await,
                Err(error) => {
                    tracing::warn!(%error, job = self.row.id, "could not renew a job's lease")
                }
            }
        }
    }

    fn current_lease(&self) -> Option<String> {
        self.lease_held.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Marks the job done in `transaction`, the one that applied its effect. False when
    /// another worker finished it while this one held an expired lease: the caller rolls back
    /// and keeps theirs.
    pub async fn finish(&self, transaction: &mut sqlx::AnyConnection) -> Result<bool, DomainError> {
        store::finish(transaction, &self.row.id, &clock::now()).await
    }

    /// Records a failed attempt. A failure of ours (the database was away…) is tried again
    /// after the backoff for as long as it takes, since giving up would leave a share
    /// half-changed; any other error can never succeed and the job is given up. Returns
    /// whether it was given up.
    pub async fn fail(self, store: &Store, error: &DomainError) -> Result<bool, DomainError> {
        let gave_up = !matches!(error, DomainError::Internal(_) | DomainError::Unavailable);
        let run_after = (!gave_up).then(|| clock::now_plus(backoff(self.row.attempts)));
        // The debug form keeps the cause, which `Display` hides from clients.
        let message = format!("{error:?}");
        let held = store::JobRow { locked_until: self.current_lease(), ..self.row };
        store::retry_later(store.pool(), &held, &message, run_after.as_deref(), &clock::now())
            .await?;
        Ok(gave_up)
    }
}

/// Exponential backoff from one second, capped at ten minutes (reached at the 11th attempt).
pub fn backoff(attempts: i64) -> time::Duration {
    let exponent = attempts.clamp(1, 11) as u32 - 1;
    time::Duration::seconds((1_i64 << exponent).min(600))
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
