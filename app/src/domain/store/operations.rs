//! SQL for operating the service: the backlogs a metrics scrape reports, and SQLite backups.

use super::{Backend, Store};
use crate::domain::DomainError;

/// How much background work waits, sampled when metrics are scraped. Each count is one query
/// on an index whose first column is the status, so a scrape stays cheap however large the
/// tables grow; the oldest times are stored-form timestamps (see [`crate::domain::clock`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Backlog {
    /// Jobs not yet done, due or not.
    pub jobs_queued: i64,
    /// When the longest-waiting due job became due.
    pub oldest_due_job: Option<String>,
    /// Webhook deliveries not yet delivered nor given up.
    pub webhooks_pending: i64,
    pub oldest_pending_webhook: Option<String>,
    /// Emails waiting in the outbox.
    pub emails_pending: i64,
    pub oldest_pending_email: Option<String>,
}

pub async fn backlog(store: &Store, now: &str) -> Result<Backlog, DomainError> {
    let pool = store.pool();
    let (jobs_queued, oldest_due_job): (i64, Option<String>) = sqlx::query_as(
        "SELECT COUNT(*), MIN(CASE WHEN run_after <= $1 THEN run_after END) \
         FROM jobs WHERE status = 'queued'",
    )
    .bind(now)
    .fetch_one(pool)
    .await?;
    let (webhooks_pending, oldest_pending_webhook): (i64, Option<String>) = sqlx::query_as(
        "SELECT COUNT(*), MIN(created_at) FROM webhook_deliveries WHERE status = 'pending'",
    )
    .fetch_one(pool)
    .await?;
    let (emails_pending, oldest_pending_email): (i64, Option<String>) =
        sqlx::query_as("SELECT COUNT(*), MIN(created_at) FROM outbox WHERE status = 'pending'")
            .fetch_one(pool)
            .await?;
    Ok(Backlog {
        jobs_queued,
        oldest_due_job,
        webhooks_pending,
        oldest_pending_webhook,
        emails_pending,
        oldest_pending_email,
    })
}

/// Why a backup was not written.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(
        "`sharewell backup` copies SQLite databases only; back up PostgreSQL with its own tools, \
         e.g. `pg_dump --format=custom --file=sharewell.dump \"$DATABASE_URL\"`"
    )]
    NotSqlite,
    #[error("`{0}` already exists: choose a new file, a backup never overwrites one")]
    Exists(String),
    #[error("could not write the backup to `{path}`: {cause}")]
    Write { path: String, cause: String },
}

/// Writes a consistent copy of a SQLite database to `path` with `VACUUM INTO`, which reads one
/// snapshot while the server goes on writing (WAL mode) and writes a compact file that opens
/// on its own, without a `-wal` beside it. The file is made first, exclusively and readable by
/// its owner only (it holds password hashes and sessions); `VACUUM INTO` fills an empty one.
pub async fn backup_into(store: &Store, path: &str) -> Result<(), BackupError> {
    if store.backend() != Backend::Sqlite {
        return Err(BackupError::NotSqlite);
    }
    let write_error = |cause: String| BackupError::Write { path: path.to_owned(), cause };
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => {}
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(BackupError::Exists(path.to_owned()));
        }
        Err(error) => return Err(write_error(error.to_string())),
    }
    if let Err(error) = sqlx::query("VACUUM INTO $1").bind(path).execute(store.pool()).await {
        let _ = std::fs::remove_file(path);
        let cause = match &error {
            sqlx::Error::Database(database) => database.message().to_owned(),
            other => other.to_string(),
        };
        return Err(write_error(cause));
    }
    Ok(())
}
