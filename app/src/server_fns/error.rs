//! The one error every server function answers with. Compiled for the server and the
//! browser: the server encodes it as JSON, the page decodes it and matches on the variant
//! (a lost session, a field to mark) instead of reading error text.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// What went wrong in a server function call, as much as the caller may know. Each variant
/// names the HTTP status it answers with (see [`AppError::status`]).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum AppError {
    /// 401: nobody is signed in, or the session ended. The page offers a way back in.
    #[error("authentication required: sign in or send a valid API token")]
    SignedOut,
    /// 401 on sign-in: the same answer for an unknown user and a wrong password.
    #[error("invalid username or password")]
    BadCredentials,
    /// 403: signed in, but the role does not allow this.
    #[error("{message}")]
    Forbidden { message: String },
    /// 404: the object does not exist or is not the caller's to see (indistinguishable).
    #[error("{what} not found")]
    NotFound { what: String },
    /// 400: an argument broke a rule, could not be read, or was missing; `field` names it.
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// 409: well formed, but at odds with the current state (a name taken, a race lost).
    #[error("{message}")]
    Conflict { message: String },
    /// 503: the database is busy or away; retry shortly.
    #[error("the service is busy; try again in a moment")]
    Unavailable,
    /// 500: a failure of ours. Its cause was logged on the server and is never sent.
    #[error("something went wrong")]
    Internal,
    /// The browser could not reach the server at all (never produced by the server).
    #[error("could not reach the server: {message}")]
    Unreachable { message: String },
}

impl AppError {
    /// The HTTP status this error answers with.
    pub fn status(&self) -> u16 {
        match self {
            Self::SignedOut | Self::BadCredentials => 401,
            Self::Forbidden { .. } => 403,
            Self::NotFound { .. } => 404,
            Self::Invalid { .. } => 400,
            Self::Conflict { .. } => 409,
            Self::Unavailable => 503,
            Self::Internal => 500,
            // Only ever made in the browser; a gateway-like status should one be needed.
            Self::Unreachable { .. } => 502,
        }
    }

    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid { field: field.into(), message: message.into() }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    /// Errors of the server function machinery itself. Arguments or a body that cannot be
    /// read are the caller's mistake (400); the rest are ours, or the network's in the browser.
    fn from_server_fn_error(error: ServerFnErrorErr) -> Self {
        match error {
            ServerFnErrorErr::Args(message) => Self::invalid("arguments", message),
            ServerFnErrorErr::MissingArg(name) => Self::invalid(name, "missing"),
            // On the server, decoding fails only on the request body (not UTF-8, cut off).
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Deserialization(message) => Self::invalid("body", message),
            ServerFnErrorErr::Request(message) => Self::Unreachable { message },
            other => {
                #[cfg(feature = "ssr")]
                tracing::error!(error = %other, "server function machinery failed");
                #[cfg(not(feature = "ssr"))]
                let _ = other;
                Self::Internal
            }
        }
    }
}

/// Domain errors become server function errors here, in one place. Internal causes are
/// logged once and replaced by a generic answer.
#[cfg(feature = "ssr")]
impl From<crate::domain::DomainError> for AppError {
    fn from(error: crate::domain::DomainError) -> Self {
        use crate::domain::DomainError;
        match error {
            DomainError::NotFound(what) => Self::NotFound { what: what.to_owned() },
            DomainError::Invalid { field, message } => Self::Invalid { field, message },
            DomainError::Unauthenticated => Self::SignedOut,
            DomainError::InvalidCredentials => Self::BadCredentials,
            DomainError::Forbidden(message) => Self::Forbidden { message: message.to_owned() },
            DomainError::Conflict(message) => Self::Conflict { message },
            DomainError::Unavailable => Self::Unavailable,
            DomainError::Internal(cause) => {
                tracing::error!(error = %cause, "server function failed");
                Self::Internal
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_survives_the_trip_to_the_browser() {
        let error = AppError::invalid("days", "extend by 1 to 365 days");
        assert_eq!(AppError::de(error.ser()), error);
        assert_eq!(error.status(), 400);
    }

    #[test]
    fn unreadable_or_missing_arguments_are_the_callers_mistake() {
        let missing = AppError::from_server_fn_error(ServerFnErrorErr::MissingArg("page".into()));
        assert_eq!(missing, AppError::invalid("page", "missing"));
        let unreadable =
            AppError::from_server_fn_error(ServerFnErrorErr::Args("invalid digit".into()));
        assert_eq!(unreadable.status(), 400);
    }
}
