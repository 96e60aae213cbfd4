//! The wire-compatible faces: each translates its clients' requests into domain calls and
//! the results back into its own shapes. No rules and no SQL live here.

pub mod epilot;
pub mod puter;
pub mod zus;

use axum::http::StatusCode;

use app::domain::DomainError;

/// The HTTP status of a domain error, the same in every face; each face words its own body.
/// Internal causes are logged here, once, and never sent.
pub fn status_of(error: &DomainError) -> StatusCode {
    match error {
        DomainError::NotFound(_) => StatusCode::NOT_FOUND,
        DomainError::Invalid { .. } => StatusCode::BAD_REQUEST,
        DomainError::Unauthenticated | DomainError::InvalidCredentials => StatusCode::UNAUTHORIZED,
        DomainError::Forbidden(_) => StatusCode::FORBIDDEN,
        DomainError::Conflict(_) => StatusCode::CONFLICT,
        DomainError::Internal(cause) => {
            tracing::error!(error = %cause, "request failed");
            StatusCode::INTERNAL_SERVER_ERROR
        }
    }
}
