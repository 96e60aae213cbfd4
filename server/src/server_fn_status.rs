//! The HTTP status of a failed server function call. server_fn answers every error with
//! 500 and offers no hook to choose the status, not even for arguments it could not decode
//! before the function ran. Its error responses carry the `serverfnerror` header and the
//! encoded [`AppError`]; this middleware reads that error and sets the status it names,
//! keeping the body exactly as encoded so the browser still decodes it.

use axum::body::Body;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;
use leptos::server_fn::error::SERVER_FN_ERROR_HEADER;

use app::server_fns::AppError;

/// An encoded error is a few hundred bytes; anything larger is not one of ours.
const MAX_ERROR_BYTES: usize = 64 * 1024;

pub async fn status_from_error(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !response.headers().contains_key(SERVER_FN_ERROR_HEADER)
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_ERROR_BYTES).await else {
        tracing::error!("a server function error body could not be read");
        return Response::from_parts(parts, Body::empty());
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        // A 503's `Retry-After` is added by the guard, as for every face.
        parts.status =
            StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    }
    Response::from_parts(parts, Body::from(bytes))
}
