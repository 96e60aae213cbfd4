//! SQL for the background job queue.

use sqlx::AnyExecutor;

use crate::domain::ids::JobId;
use crate::domain::DomainError;

/// A job as claimed by a worker.
#[derive(sqlx::FromRow, Clone, Debug, PartialEq, Eq)]
pub struct JobRow {
    pub id: String,
    pub kind: String,
    pub subject_id: String,
    pub attempts: i64,
    /// This claim's lease: only its holder may put the job back.
    pub locked_until: Option<String>,
}

/// Queues a job; call it in the transaction of the change that needs it.
pub async fn enqueue(
    db: impl AnyExecutor<'_>,
    kind: &str,
    subject_id: &str,
    now: &str,
) -> Result<JobId, DomainError> {
    let id = JobId::new();
    sqlx::query(
        "INSERT INTO jobs (id, kind, subject_id, status, attempts, run_after, created_at, updated_at) \
         VALUES ($1, $2, $3, 'queued', 0, $4, $4, $4)",
    )
    .bind(id.to_string())
    .bind(kind)
    .bind(subject_id)
    .bind(now)
    .execute(db)
    .await?;
    Ok(id)
}

/// Takes a lease on the oldest due job (queued, due, and not leased by a live worker). The
/// conditions are repeated outside the subquery so that, on PostgreSQL, a second worker that
/// waited for the row finds it taken and claims nothing.
pub async fn claim(
    db: impl AnyExecutor<'_>,
    now: &str,
    lease_until: &str,
) -> Result<Option<JobRow>, DomainError> {
    Ok(sqlx::query_as(
        "UPDATE jobs SET locked_until = $2, attempts = attempts + 1, updated_at = $1 \
         WHERE id = (SELECT id FROM jobs WHERE status = 'queued' AND run_after <= $1 \
                       AND (locked_until IS NULL OR locked_until <= $1) \
                     ORDER BY run_after, id LIMIT 1) \
           AND status = 'queued' AND (locked_until IS NULL OR locked_until <= $1) \
         RETURNING id, kind, subject_id, attempts, locked_until",
    )
    .bind(now)
    .bind(lease_until)
    .fetch_optional(db)
    .await?)
}

/// Moves the lease on a job from `held` to `until`; false when the lease is no longer `held`
/// (it ran out and another worker claimed the job, or the job is finished).
pub async fn renew_lease(
    db: impl AnyExecutor<'_>,
    id: &str,
    held: &str,
    until: &str,
) -> Result<bool, DomainError> {
    let renewed = sqlx::query(
        "UPDATE jobs SET locked_until = $3 WHERE id = $1 AND status = 'queued' AND locked_until = $2",
    )
    .bind(id)
    .bind(held)
    .bind(until)
    .execute(db)
    .await?;
    Ok(renewed.rows_affected() == 1)
}

/// Marks a job done, in the transaction that applied its effect. False when it was no
/// longer queued (another worker finished it), in which case the caller rolls back.
pub async fn finish(db: impl AnyExecutor<'_>, id: &str, now: &str) -> Result<bool, DomainError> {
    let done = sqlx::query(
        "UPDATE jobs SET status = 'done', locked_until = NULL, last_error = NULL, updated_at = $2 \
         WHERE id = $1 AND status = 'queued'",
    )
    .bind(id)
    .bind(now)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Puts a failed job back for a later attempt, or gives up on it. Only the holder of the
/// lease may: a worker whose lease ran out leaves the job to whoever claimed it since.
pub async fn retry_later(
    db: impl AnyExecutor<'_>,
    job: &JobRow,
    error: &str,
    run_after: Option<&str>,
    now: &str,
) -> Result<(), DomainError> {
    sqlx::query(
        "UPDATE jobs SET status = $3, run_after = COALESCE($4, run_after), locked_until = NULL, \
         last_error = $2, updated_at = $5 \
         WHERE id = $1 AND status = 'queued' AND locked_until = $6",
    )
    .bind(&job.id)
    .bind(error)
    .bind(if run_after.is_some() { "queued" } else { "failed" })
    .bind(run_after)
    .bind(now)
    .bind(job.locked_until.as_deref().unwrap_or_default())
    .execute(db)
    .await?;
    Ok(())
}

/// How many jobs are in each status, for tests and the operator.
pub async fn count(db: impl AnyExecutor<'_>, status: &str) -> Result<i64, DomainError> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE status = $1")
        .bind(status)
        .fetch_one(db)
        .await?)
}
