use std::error::Error as StdError;

/// Everything a domain service can refuse or fail with. It knows nothing of HTTP: each face
/// maps it once to its own native error shape and status.
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// 404 in every face: the object does not exist *or* the actor may not see it. The two are
    /// deliberately indistinguishable from outside.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// 400: the input broke a rule; `field` names the offending input for the client.
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// 401: no credentials, or credentials that are unknown, revoked or expired.
    #[error("authentication required: sign in or send a valid API token")]
    Unauthenticated,
    /// 401 on sign-in: the same answer for an unknown user and a wrong password, so that
    /// the response does not tell which usernames exist.
    #[error("invalid username or password")]
    InvalidCredentials,
    /// 403: the actor is known but its role does not allow this.
    #[error("{0}")]
    Forbidden(&'static str),
    /// 409: the input was well formed but conflicts with the current state.
    #[error("{0}")]
    Conflict(String),
    /// 503: the database is busy or away; retry shortly. Answered with `Retry-After`.
    #[error("the service is busy: try again in a moment")]
    Unavailable,
    /// 500: a failure of ours (database, I/O). The cause is logged where the error is turned
    /// into a response and is never sent to a client.
    #[error("something went wrong")]
    Internal(#[source] Box<dyn StdError + Send + Sync>),
}

impl DomainError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid { field: field.into(), message: message.into() }
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for DomainError {
    /// A wait for a lock or a connection that ran out, or a database that is away, is
    /// temporary: the client is told to retry ([`DomainError::Unavailable`]) rather than that
    /// something broke. Everything else is ours to fix.
    fn from(error: sqlx::Error) -> Self {
        if is_temporary(&error) {
            tracing::warn!(%error, "database busy or away");
            Self::Unavailable
        } else {
            Self::Internal(Box::new(error))
        }
    }
}

/// SQLite's BUSY and LOCKED (with their extended codes, which keep the primary code in the low
/// byte); PostgreSQL's serialization failure, deadlock, lock timeout and connection classes; a
/// pool with no connection free in time.
#[cfg(feature = "ssr")]
fn is_temporary(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => true,
        sqlx::Error::Database(database) => database.code().is_some_and(|code| {
            // SQLite's codes have at most four digits; PostgreSQL's SQLSTATEs always five (and
            // some are all digits, such as 22021, whose low byte would read as BUSY).
            let sqlite_busy = code.len() < 5
                && code.parse::<u32>().is_ok_and(|code| matches!(code & 0xff, 5 | 6));
            let postgres_transient = ["40001", "40P01", "55P03", "57P03"].contains(&code.as_ref())
                || code.starts_with("08");
            sqlite_busy || postgres_transient
        }),
        _ => false,
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::migrate::MigrateError> for DomainError {
    fn from(error: sqlx::migrate::MigrateError) -> Self {
        Self::Internal(Box::new(error))
    }
}
