//! The "who has access" export as CSV, for the page (session) and the JSON API (token): one
//! response shape, the same filter and the same rules as the page.

use axum::extract::{OriginalUri, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use tower_sessions::Session;

use app::auth::ssr as auth;
use app::domain::access::{csv, service as access, AccessParams, Grant};
use app::domain::identity::{service as identity, Actor};
use app::domain::DomainError;

use crate::faces::QueryArgs;
use crate::startup::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/access.csv", get(page_export))
}

/// `/access.csv?…`: the page's filter, as CSV, for the signed-in person. Signed out, the
/// browser is sent to sign in and back.
async fn page_export(
    State(state): State<AppState>,
    session: Session,
    OriginalUri(uri): OriginalUri,
    QueryArgs(params): QueryArgs<AccessParams>,
) -> Response {
    let actor = match signed_in(&state, &session).await {
        Ok(actor) => actor,
        Err(DomainError::Unauthenticated) => {
            let wanted = uri.path_and_query().map_or("/access.csv", |p| p.as_str());
            let query = serde_urlencoded::to_string([("next", wanted)]).unwrap_or_default();
            return Redirect::to(&format!("/login?{query}")).into_response();
        }
        Err(error) => return plain_error(error),
    };
    match export(&state, &actor, &params).await {
        Ok(response) => response,
        Err(error) => plain_error(error),
    }
}

async fn signed_in(state: &AppState, session: &Session) -> Result<Actor, DomainError> {
    let user_id = auth::signed_in_user(session).await?.ok_or(DomainError::Unauthenticated)?;
    identity::actor_for_user(&state.store, user_id).await
}

fn plain_error(error: DomainError) -> Response {
    (crate::faces::status_of(&error), error.to_string()).into_response()
}

/// The CSV of every grant `actor` may see that matches `params` (paging is ignored).
pub async fn export(
    state: &AppState,
    actor: &Actor,
    params: &AccessParams,
) -> Result<Response, DomainError> {
    let query = params.parse()?;
    let (grants, truncated) = access::export(&state.store, actor, &query.filter).await?;
    Ok(csv_response(&grants, truncated))
}

fn csv_response(grants: &[Grant], truncated: bool) -> Response {
    let mut response = (StatusCode::OK, csv::document(grants)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"access-review.csv\""),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if truncated {
        headers.insert("x-sharewell-truncated", HeaderValue::from_static("true"));
    }
    response
}
