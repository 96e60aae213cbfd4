//! The wire-compatible faces: each translates its clients' requests into domain calls and
//! the results back into its own shapes. No rules and no SQL live here.

pub mod cloudflare;
pub mod enablenow;
pub mod epilot;
pub mod puter;
pub mod zus;

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;

use app::domain::identity::Actor;
use app::domain::DomainError;

use crate::bearer::actor_from_bearer;
use crate::startup::AppState;

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

/// A request refused before it reached its route (too large, too slow, malformed at the HTTP
/// level) or a route that failed unexpectedly: each face turns it into its own error shape,
/// so that its clients read every answer the same way.
pub struct Refusal {
    pub status: StatusCode,
    pub message: String,
}

/// The wire face a path belongs to; `None` for pages, server functions and unknown paths.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FaceOfPath {
    Cloudflare,
    EnableNow,
    Epilot,
    Puter,
    Zus,
    Native,
}

fn face_of(path: &str) -> Option<FaceOfPath> {
    let under = |prefix: &str| {
        path.strip_prefix(prefix).is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    };
    [
        ("/client/v4", FaceOfPath::Cloudflare),
        ("/v1/shares", FaceOfPath::EnableNow),
        ("/v1/sharing", FaceOfPath::Epilot),
        ("/share", FaceOfPath::Puter),
        ("/whoami", FaceOfPath::Puter),
        ("/v2", FaceOfPath::Zus),
        ("/api/v1", FaceOfPath::Native),
    ]
    .into_iter()
    .find_map(|(prefix, face)| under(prefix).then_some(face))
}

/// The face a path belongs to, as metrics label it: `web` for pages, server functions, static
/// files and unknown paths.
pub fn face_name(path: &str) -> &'static str {
    match face_of(path) {
        Some(FaceOfPath::Cloudflare) => "cloudflare",
        Some(FaceOfPath::EnableNow) => "enablenow",
        Some(FaceOfPath::Epilot) => "epilot",
        Some(FaceOfPath::Puter) => "puter",
        Some(FaceOfPath::Zus) => "zus",
        Some(FaceOfPath::Native) => "api",
        None => "web",
    }
}

/// [`Refusal`] in the error shape of the face that `path` belongs to; pages, server functions
/// and unknown paths get plain text.
pub fn refusal_response(path: &str, request_id: &str, refusal: Refusal) -> Response {
    match face_of(path) {
        Some(FaceOfPath::Cloudflare) => cloudflare::CloudflareError::from(refusal).into_response(),
        Some(FaceOfPath::EnableNow) => enablenow::problem_response(request_id, refusal.into()),
        Some(FaceOfPath::Epilot) => epilot::EpilotError::from(refusal).into_response(),
        Some(FaceOfPath::Puter) => puter::PuterError::from(refusal).into_response(),
        Some(FaceOfPath::Zus) => zus::ZusError::from(refusal).into_response(),
        Some(FaceOfPath::Native) => crate::api::refusal_response(refusal),
        None => (refusal.status, refusal.message).into_response(),
    }
}

/// A domain error in the error shape of the face that `path` belongs to, for the extractors
/// below, which every face shares.
fn error_response(parts: &Parts, error: DomainError) -> Response {
    match face_of(parts.uri.path()) {
        Some(FaceOfPath::Cloudflare) => cloudflare::CloudflareError::from(error).into_response(),
        Some(FaceOfPath::EnableNow) => {
            let request_id = parts
                .headers
                .get(crate::startup::REQUEST_ID)
                .and_then(|value| value.to_str().ok())
                .unwrap_or_default();
            enablenow::problem_response(request_id, error.into())
        }
        Some(FaceOfPath::Epilot) => epilot::EpilotError::from(error).into_response(),
        Some(FaceOfPath::Puter) => puter::PuterError::from(error).into_response(),
        Some(FaceOfPath::Zus) => zus::ZusError::from(error).into_response(),
        Some(FaceOfPath::Native) => crate::api::ApiError(error).into_response(),
        None => (status_of(&error), error.to_string()).into_response(),
    }
}

/// The caller of a JSON face, as its `Authorization: Bearer` token says. A missing, unknown,
/// revoked or expired token is refused in the face's error shape, never taken as anonymous.
pub struct Caller(pub Actor);

impl FromRequestParts<AppState> for Caller {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match actor_from_bearer(parts, &state.store).await {
            Ok(actor) => Ok(Self(actor)),
            Err(error) => Err(error_response(parts, error)),
        }
    }
}

/// A JSON body; a malformed one is refused as an invalid `body` in the face's error shape.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for JsonBody<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        let (parts, body) = request.into_parts();
        let request = Request::from_parts(parts.clone(), body);
        match json_body(request, state).await {
            Ok(value) => Ok(Self(value)),
            Err(problem) => Err(error_response(&parts, DomainError::invalid("body", problem))),
        }
    }
}

/// Query parameters; malformed ones (a repeated or mistyped parameter) are refused as an
/// invalid `query` in the face's error shape, not in axum's plain text.
pub struct QueryArgs<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for QueryArgs<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(value)) => Ok(Self(value)),
            Err(rejection) => {
                Err(error_response(parts, DomainError::invalid("query", rejection.body_text())))
            }
        }
    }
}

/// Path parameters; undecodable ones (percent-encoded bytes that are not UTF-8) are refused
/// as an invalid `path` in the face's error shape, not in axum's plain text.
pub struct PathArgs<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for PathArgs<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(Self(value)),
            Err(rejection) => {
                Err(error_response(parts, DomainError::invalid("path", rejection.body_text())))
            }
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
