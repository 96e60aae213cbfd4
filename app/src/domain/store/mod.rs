//! The only place that speaks SQL.
//!
//! One store for SQLite (default) and PostgreSQL, chosen by the `DATABASE_URL` scheme. Queries
//! are checked at run time through `sqlx::Any` with `$1`-style placeholders and portable SQL,
//! so each is written once for both backends and exercised by the tests.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

use super::DomainError;

pub mod access;
pub mod account_shares;
pub mod audit;
pub mod cache;
pub mod files;
pub mod identity;
pub mod jobs;
pub mod notifications;
pub mod operations;
pub mod overview;
pub mod partners;
pub mod users;

/// Migrations from the workspace's `migrations/` folder, embedded at compile time. Most are
/// portable; a file whose name ends in `_sqlite` or `_postgres` is for that backend only (a
/// change portable SQL cannot say, such as replacing a CHECK constraint), and [`Store::migrate`]
/// runs only the ones for its own backend.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

/// How long a connection waits for a lock held by another writer before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// Whether an embedded migration applies to `backend`: the portable ones do, and of the
/// backend-specific ones (file names ending `_sqlite` or `_postgres`) only its own.
fn applies_to(backend: Backend, migration: &sqlx::migrate::Migration) -> bool {
    let other = match backend {
        Backend::Sqlite => Backend::Postgres,
        Backend::Postgres => Backend::Sqlite,
    };
    // sqlx turns the file name's underscores into spaces in the description.
    !migration.description.ends_with(&format!(" {}", other.name()))
}

/// A chosen list of the embedded migrations, for `sqlx::migrate::Migrator::new` (the tests use
/// it to bring a database up to an older version).
#[derive(Debug)]
pub struct MigrationList(pub Vec<sqlx::migrate::Migration>);

impl<'s> sqlx::migrate::MigrationSource<'s> for MigrationList {
    fn resolve(
        self,
    ) -> std::pin::Pin<
        Box<
            dyn std::future::Future<
                    Output = Result<Vec<sqlx::migrate::Migration>, sqlx::error::BoxDynError>,
                > + Send
                + 's,
        >,
    > {
        Box::pin(std::future::ready(Ok(self.0)))
    }
}

/// Why the database could not be opened or brought up to date. Each message is meant to be
/// read by the person who typed the `DATABASE_URL`.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("DATABASE_URL `{0}` is not supported: use sqlite://PATH (e.g. sqlite://data/sharewell.db) or postgres://USER:PASSWORD@HOST/DB")]
    UnsupportedUrl(String),
    #[error("could not create the folder `{}` for the database: {source}", path.display())]
    CreateFolder { path: PathBuf, source: std::io::Error },
    #[error("could not open the database at `{url}`: {source}")]
    Connect { url: String, source: sqlx::Error },
    #[error("could not apply the database migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// A handle on the database: cheap to clone, shared by every face, page and worker.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// The URL as opened (for SQLite: with create mode), for companions such as the session
    /// store that need a backend-specific pool on the same database.
    url: Arc<str>,
    /// Rung after a commit that queued background jobs, so the worker starts at once.
    jobs_signal: Arc<tokio::sync::Notify>,
    /// Rung after a commit that queued webhook deliveries or emails, so they go out at once.
    deliveries_signal: Arc<tokio::sync::Notify>,
    /// Token actors and org parents, briefly (see [`cache`]).
    caches: Arc<cache::Caches>,
    /// One SQLite writer of this process at a time (see [`Store::begin_write`]).
    sqlite_writer: Arc<tokio::sync::Semaphore>,
}

/// A write transaction from [`Store::begin_write`]: used as the connection it runs on, and
/// ended by [`WriteTransaction::commit`] (dropped, it rolls back). On SQLite it holds the
/// process's writer gate until then.
pub struct WriteTransaction {
    transaction: sqlx::Transaction<'static, sqlx::Any>,
    _gate: Option<tokio::sync::OwnedSemaphorePermit>,
}

impl WriteTransaction {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.transaction.commit().await
    }

    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        self.transaction.rollback().await
    }
}

impl std::ops::Deref for WriteTransaction {
    type Target = sqlx::AnyConnection;

    fn deref(&self) -> &Self::Target {
        &self.transaction
    }
}

impl std::ops::DerefMut for WriteTransaction {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.transaction
    }
}

impl Store {
    /// Opens the database named by `url`, creating a SQLite file and its folder if missing.
    /// Does not migrate: call [`Store::migrate`].
    pub async fn connect(url: &str) -> Result<Self, OpenError> {
        sqlx::any::install_default_drivers();
        let (backend, url_to_open) = prepare_url(url)?;
        let connect_error = |source| OpenError::Connect { url: redact_password(url), source };
        let options = AnyConnectOptions::from_str(&url_to_open).map_err(connect_error)?;
        let busy_timeout_ms = BUSY_TIMEOUT.as_millis();

        let pool = AnyPoolOptions::new()
            .max_connections(match backend {
                // One writer at a time anyway; a few readers alongside it in WAL mode.
                Backend::Sqlite => 8,
                Backend::Postgres => 16,
            })
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |connection, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        connection
                            .execute(
                                format!(
                                    "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; \
                                     PRAGMA synchronous = NORMAL; \
                                     PRAGMA busy_timeout = {busy_timeout_ms};"
                                )
                                .as_str(),
                            )
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .map_err(connect_error)?;

        Ok(Self {
            pool,
            backend,
            url: url_to_open.into(),
            jobs_signal: Arc::default(),
            deliveries_signal: Arc::default(),
            caches: Arc::default(),
            sqlite_writer: Arc::new(tokio::sync::Semaphore::new(1)),
        })
    }

    /// Applies every migration not yet applied, in order, leaving out the other backend's.
    /// A left-out migration is never applied here, so it never counts as missing later.
    pub async fn migrate(&self) -> Result<(), OpenError> {
        let own = MIGRATOR.iter().filter(|m| applies_to(self.backend, m)).cloned().collect();
        let migrator = sqlx::migrate::Migrator::new(MigrationList(own)).await?;
        migrator.run(&self.pool).await?;
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// Wakes the background worker: call after committing a transaction that queued jobs.
    pub fn jobs_queued(&self) {
        self.jobs_signal.notify_one();
    }

    /// What the worker waits on between polls.
    pub fn jobs_signal(&self) -> Arc<tokio::sync::Notify> {
        Arc::clone(&self.jobs_signal)
    }

    /// Wakes the senders of webhooks and email. Changes that publish events need not call it:
    /// the senders also poll, every fraction of a second.
    pub fn deliveries_queued(&self) {
        self.deliveries_signal.notify_waiters();
    }

    /// What the senders wait on between polls.
    pub fn deliveries_signal(&self) -> Arc<tokio::sync::Notify> {
        Arc::clone(&self.deliveries_signal)
    }

    pub fn caches(&self) -> &cache::Caches {
        &self.caches
    }

    pub fn busy_timeout() -> Duration {
        BUSY_TIMEOUT
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Starts a write transaction. On SQLite it takes the write lock up front (`BEGIN
    /// IMMEDIATE`), so that two writers queue instead of one failing when it upgrades a read
    /// lock halfway through; and writers of this process queue first on an in-process gate,
    /// woken the moment the one before them finishes. Left to SQLite's busy handler, which
    /// sleeps and polls (up to 100 ms between looks), 32 writers at once or 100 partners
    /// accepting one offer spent most of their time asleep (issue #15). Other processes on
    /// the same file (the CLI, a backup) still meet the busy timeout.
    pub async fn begin_write(&self) -> Result<WriteTransaction, DomainError> {
        let (begin, gate) = match self.backend {
            Backend::Sqlite => {
                let gate = Arc::clone(&self.sqlite_writer);
                let permit = tokio::time::timeout(BUSY_TIMEOUT, gate.acquire_owned())
                    .await
                    .map_err(|_| DomainError::Unavailable)?
                    .map_err(|_| DomainError::Unavailable)?;
                ("BEGIN IMMEDIATE", Some(permit))
            }
            Backend::Postgres => ("BEGIN", None),
        };
        Ok(WriteTransaction { transaction: self.pool.begin_with(begin).await?, _gate: gate })
    }

    /// Round trip to the database, for readiness checks.
    pub async fn ping(&self) -> Result<(), DomainError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn migrations_applied(&self) -> Result<i64, DomainError> {
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success")
            .fetch_one(&self.pool)
            .await?;
        Ok(count)
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Turns the losing side of a race into an answer. Where a check-then-insert cannot be one
/// atomic upsert (an `UPDATE` that renames, a second unique index), the unique index is the
/// arbiter: its violation, whichever backend reports it, becomes the conflict the caller
/// names instead of a 500.
pub trait ResultExt<T> {
    fn on_unique_violation(self, answer: impl FnOnce() -> DomainError) -> Result<T, DomainError>;
}

impl<T> ResultExt<T> for Result<T, DomainError> {
    fn on_unique_violation(self, answer: impl FnOnce() -> DomainError) -> Result<T, DomainError> {
        match self {
            Err(DomainError::Internal(cause)) if is_unique_violation(cause.as_ref()) => {
                Err(answer())
            }
            other => other,
        }
    }
}

fn is_unique_violation(cause: &(dyn std::error::Error + Send + Sync + 'static)) -> bool {
    matches!(
        cause.downcast_ref::<sqlx::Error>(),
        Some(sqlx::Error::Database(error)) if error.is_unique_violation()
    )
}

/// Ids are stored as text; one that does not parse means the database was edited by hand.
pub(crate) fn parse_id<T: FromStr>(text: &str) -> Result<T, DomainError>
where
    T::Err: std::error::Error + Send + Sync + 'static,
{
    text.parse().map_err(|error: T::Err| DomainError::Internal(Box::new(error)))
}

/// A case-insensitive "contains" pattern for `LOWER(column) LIKE $n ESCAPE '\'`, or `None` for
/// blank text. The wildcards `%` and `_` (and the escape itself) are escaped, so a search for
/// `acme_eu` finds `acme_eu` and never turns into a pattern. (SQLite's `LOWER` folds ASCII
/// only: a search for `ä` does not find `Ä` there.)
pub(crate) fn like_pattern(text: Option<&str>) -> Option<String> {
    text.map(str::trim).filter(|t| !t.is_empty()).map(|t| {
        let mut pattern = String::from("%");
        for c in t.to_lowercase().chars() {
            if matches!(c, '%' | '_' | '\\') {
                pattern.push('\\');
            }
            pattern.push(c);
        }
        pattern.push('%');
        pattern
    })
}

/// Works out the backend from the URL's scheme and, for SQLite, makes sure the file can be
/// created: its folder exists and the URL asks for read-write-create mode.
fn prepare_url(url: &str) -> Result<(Backend, String), OpenError> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok((Backend::Postgres, url.to_owned()));
    }
    let Some(rest) = url.strip_prefix("sqlite:") else {
        return Err(OpenError::UnsupportedUrl(redact_password(url)));
    };
    if rest == ":memory:" || rest.starts_with(":memory:?") {
        return Ok((Backend::Sqlite, url.to_owned()));
    }
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path.is_empty() {
        return Err(OpenError::UnsupportedUrl(url.to_owned()));
    }
    if let Some(folder) = Path::new(path).parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder)
            .map_err(|source| OpenError::CreateFolder { path: folder.to_owned(), source })?;
    }
    let query = if query.split('&').any(|pair| pair.starts_with("mode=")) {
        query.to_owned()
    } else if query.is_empty() {
        "mode=rwc".to_owned()
    } else {
        format!("{query}&mode=rwc")
    };
    Ok((Backend::Sqlite, format!("sqlite://{path}?{query}")))
}

/// The URL with any password replaced, safe to print in logs and error messages.
pub fn redact_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    match rest.split_once('@') {
        Some((credentials, host)) => {
            let user = credentials.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}:***@{host}")
        }
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_pattern_escapes_wildcards_and_lowercases() {
        assert_eq!(like_pattern(Some(" Acme_EU ")).as_deref(), Some("%acme\\_eu%"));
        assert_eq!(like_pattern(Some("50%")).as_deref(), Some("%50\\%%"));
        assert_eq!(like_pattern(Some("a\\b")).as_deref(), Some("%a\\\\b%"));
        assert_eq!(like_pattern(Some("  ")), None);
        assert_eq!(like_pattern(None), None);
    }

    #[test]
    fn a_relative_sqlite_url_gets_create_mode() {
        let dir = std::env::temp_dir().join(format!("sharewell-{}", uuid::Uuid::now_v7()));
        let url = format!("sqlite://{}/db.sqlite", dir.display());
        let (backend, prepared) = prepare_url(&url).unwrap();
        assert_eq!(backend, Backend::Sqlite);
        assert!(prepared.ends_with("db.sqlite?mode=rwc"), "{prepared}");
        assert!(dir.is_dir(), "the database folder is created");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn each_backend_runs_the_portable_migrations_and_only_its_own_specific_ones() {
        let versions = |backend| {
            MIGRATOR
                .iter()
                .filter(|m| applies_to(backend, m))
                .map(|m| m.version)
                .collect::<Vec<_>>()
        };
        let (sqlite, postgres) = (versions(Backend::Sqlite), versions(Backend::Postgres));
        assert!(sqlite.contains(&6) && !sqlite.contains(&7), "{sqlite:?}");
        assert!(postgres.contains(&7) && !postgres.contains(&6), "{postgres:?}");
        let portable = |list: &[i64]| list.iter().filter(|v| !matches!(v, 6 | 7)).count();
        assert_eq!(portable(&sqlite), MIGRATOR.iter().count() - 2);
        assert_eq!(portable(&postgres), MIGRATOR.iter().count() - 2);
    }

    #[test]
    fn an_explicit_mode_is_kept() {
        let (_, prepared) = prepare_url("sqlite:///tmp/x.db?mode=ro").unwrap();
        assert_eq!(prepared, "sqlite:///tmp/x.db?mode=ro");
    }

    #[test]
    fn other_schemes_are_refused_with_a_hint() {
        let error = prepare_url("mysql://root:secret@db/app").unwrap_err();
        let message = error.to_string();
        assert!(message.contains("sqlite://"), "{message}");
        assert!(!message.contains("secret"), "the password is not echoed: {message}");
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact_password("postgres://app:hunter2@db:5432/sharewell"),
            "postgres://app:***@db:5432/sharewell"
        );
        assert_eq!(redact_password("sqlite://data/x.db"), "sqlite://data/x.db");
    }
}
