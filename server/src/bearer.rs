//! `Authorization: Bearer <token>`: the credential of every JSON face.

use axum::http::header;
use axum::http::request::Parts;

use app::domain::identity::{service as identity, Actor};
use app::domain::store::Store;
use app::domain::DomainError;

/// The actor whose API token the request carries. A missing, malformed, unknown or revoked
/// token is `Unauthenticated`: never "anonymous".
pub async fn actor_from_bearer(parts: &Parts, store: &Store) -> Result<Actor, DomainError> {
    let secret = bearer_secret(parts).ok_or(DomainError::Unauthenticated)?;
    identity::actor_for_token(store, secret).await
}

fn bearer_secret(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, secret) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| secret.trim()).filter(|s| !s.is_empty())
}
