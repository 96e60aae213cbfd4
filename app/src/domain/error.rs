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
    /// 503: the database is busy or away; retry shortly.
    #[error("the service is busy; try again in a moment")]
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
    fn from(error: sqlx::Error) -> Self {
        Self::Internal(Box::new(error))
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::migrate::MigrateError> for DomainError {
    fn from(error: sqlx::migrate::MigrateError) -> Self {
        Self::Internal(Box::new(error))
    }
}
