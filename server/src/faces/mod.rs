//! The wire-compatible faces: each translates its clients' requests into domain calls and
//! the results back into its own shapes. No rules and no SQL live here.

pub mod cloudflare;
pub mod enablenow;
pub mod epilot;
pub mod puter;
pub mod zus;

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::Json;
use serde::de::DeserializeOwned;

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
        DomainError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        DomainError::Internal(cause) => {
            tracing::error!(error = %cause, "request failed");
            StatusCode::INTERNAL_SERVER_ERROR
        }
    }
}

/// Reads a JSON body, or says in one sentence what is wrong with it (each face wraps the
/// sentence in its own error shape).
pub async fn json_body<T: DeserializeOwned, S: Send + Sync>(
    request: Request,
    state: &S,
) -> Result<T, String> {
    match Json::<T>::from_request(request, state).await {
        Ok(Json(value)) => Ok(value),
        Err(rejection) => Err(body_problem(&rejection)),
    }
}

fn body_problem(rejection: &JsonRejection) -> String {
    match rejection {
        JsonRejection::MissingJsonContentType(_) => {
            "the body must be JSON (Content-Type: application/json)".to_owned()
        }
        other => other.body_text(),
    }
}
