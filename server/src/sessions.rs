//! Browser sessions in the database, through `tower-sessions-sqlx-store`.
//!
//! That store needs a backend-specific pool (the domain store speaks `sqlx::Any`), so the
//! session store opens its own small pool on the same database.

use std::time::Duration;

use async_trait::async_trait;
use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
use tower_sessions::cookie::time::Duration as CookieDuration;
use tower_sessions::cookie::SameSite;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion};
use tower_sessions::{Expiry, SessionManagerLayer, SessionStore};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

use app::domain::store::{Backend, Store};

/// Name of the session cookie.
pub const COOKIE_NAME: &str = "sharewell_session";

/// How often expired session records are deleted.
const CLEANUP_INTERVAL: Duration = Duration::from_secs(15 * 60);

/// The SQL session store for whichever backend the deployment uses.
#[derive(Clone, Debug)]
pub enum SqlSessionStore {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

impl SqlSessionStore {
    /// Opens the store on the same database as `store` and creates its table if missing.
    pub async fn open(store: &Store) -> Result<Self, sqlx::Error> {
        let sessions = match store.backend() {
            Backend::Sqlite => {
                let options = store
                    .url()
                    .parse::<SqliteConnectOptions>()?
                    .journal_mode(SqliteJournalMode::Wal)
                    .foreign_keys(true)
                    .busy_timeout(Store::busy_timeout());
                let pool =
                    SqlitePoolOptions::new().max_connections(4).connect_with(options).await?;
                let sessions = SqliteStore::new(pool);
                sessions.migrate().await?;
                Self::Sqlite(sessions)
            }
            Backend::Postgres => {
                let pool = PgPoolOptions::new().max_connections(4).connect(store.url()).await?;
                let sessions = PostgresStore::new(pool);
                sessions.migrate().await?;
                Self::Postgres(sessions)
            }
        };
        Ok(sessions)
    }

    /// Deletes expired sessions now and then, for as long as the server runs.
    pub fn spawn_cleanup(&self) -> tokio::task::JoinHandle<()> {
        let sessions = self.clone();
        tokio::spawn(async move {
            let mut interval = tokio::time::interval(CLEANUP_INTERVAL);
            loop {
                interval.tick().await;
                if let Err(error) = sessions.delete_expired().await {
                    tracing::warn!(%error, "could not delete expired sessions");
                }
            }
        })
    }

    /// The session middleware: HttpOnly cookie, SameSite=Lax, Secure when served over TLS,
    /// expiring after `idle` without a request.
    pub fn layer(self, idle: Duration, secure: bool) -> SessionManagerLayer<Self> {
        let idle = CookieDuration::try_from(idle).unwrap_or(CookieDuration::hours(12));
        SessionManagerLayer::new(self)
            .with_name(COOKIE_NAME)
            .with_http_only(true)
            .with_same_site(SameSite::Lax)
            .with_secure(secure)
            .with_expiry(Expiry::OnInactivity(idle))
    }
}

#[async_trait]
impl SessionStore for SqlSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        match self {
            Self::Sqlite(store) => store.create(record).await,
            Self::Postgres(store) => store.create(record).await,
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        match self {
            Self::Sqlite(store) => store.save(record).await,
            Self::Postgres(store) => store.save(record).await,
        }
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        match self {
            Self::Sqlite(store) => store.load(id).await,
            Self::Postgres(store) => store.load(id).await,
        }
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        match self {
            Self::Sqlite(store) => store.delete(id).await,
            Self::Postgres(store) => store.delete(id).await,
        }
    }
}

#[async_trait]
impl ExpiredDeletion for SqlSessionStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        match self {
            Self::Sqlite(store) => store.delete_expired().await,
            Self::Postgres(store) => store.delete_expired().await,
        }
    }
}
