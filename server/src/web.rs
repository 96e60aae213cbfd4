//! The browser side of identity: sign-in and sign-out form posts, and the guard that sends
//! signed-out visitors of signed-in pages to the login page.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::{Form, Router};
use serde::Deserialize;
use tower_sessions::Session;

use app::auth::{requires_sign_in, safe_next, ssr as auth};
use app::domain::identity::{service as identity, user_service, Face};
use app::domain::DomainError;

use crate::startup::AppState;
use crate::throttle::ClientAddress;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", post(sign_in))
        .route("/logout", post(sign_out))
        .route("/set-password", post(set_password))
}

/// Missing fields read as empty, which fails like a wrong password rather than with a
/// framework error page.
#[derive(Deserialize)]
struct SignInForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

async fn sign_in(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    session: Session,
    Form(form): Form<SignInForm>,
) -> Response {
    let next = safe_next(&form.next);
    let throttle = &state.login_throttle;
    if !throttle.allow(&form.username, client) {
        tracing::warn!(%client, "sign-in throttled");
        return back_to_login("throttled", next);
    }
    let outcome =
        match identity::sign_in(&state.store, &form.username, &form.password, Face::Web).await {
            Ok(actor) => auth::sign_in(&session, actor.user_id).await,
            Err(error) => Err(error),
        };
    match outcome {
        Ok(()) => {
            throttle.succeeded(&form.username, client);
            Redirect::to(next).into_response()
        }
        Err(DomainError::InvalidCredentials) => {
            throttle.failed(&form.username, client);
            back_to_login("invalid", next)
        }
        Err(error) => {
            tracing::error!(%error, cause = ?std::error::Error::source(&error), "sign-in failed");
            back_to_login("unavailable", next)
        }
    }
}

async fn sign_out(session: Session) -> Response {
    if let Err(error) = auth::sign_out(&session).await {
        tracing::error!(%error, "could not end a session");
    }
    Redirect::to("/login?signed_out=1").into_response()
}

/// The form of the public set-password page; missing fields read as empty.
#[derive(Deserialize)]
struct SetPasswordForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

/// Sets a password through a one-time link, as a plain form post (works without JavaScript):
/// on to the login page when done, else back to the link's page with an error code.
async fn set_password(
    State(state): State<AppState>,
    Form(form): Form<SetPasswordForm>,
) -> Response {
    // The token goes back into a redirect: anything but the URL-safe alphabet of real links
    // cannot be one, and must not reach a header.
    let url_safe = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    if form.token.is_empty() || !form.token.chars().all(url_safe) || form.token.len() > 100 {
        return back_to_link("-", "gone");
    }
    if form.password != form.confirm {
        return back_to_link(&form.token, "mismatch");
    }
    match user_service::set_password_with_link(&state.store, &form.token, &form.password).await {
        Ok(_) => Redirect::to("/login?password_set=1").into_response(),
        Err(DomainError::NotFound(_)) => back_to_link(&form.token, "gone"),
        Err(DomainError::Invalid { .. }) => back_to_link(&form.token, "weak"),
        Err(error) => {
            tracing::error!(%error, cause = ?std::error::Error::source(&error), "setting a password failed");
            back_to_link(&form.token, "unavailable")
        }
    }
}

fn back_to_link(token: &str, error: &str) -> Response {
    Redirect::to(&format!("/set-password/{token}?error={error}")).into_response()
}

/// A 303 to the login page with an error code the page turns into a message.
fn back_to_login(error: &str, next: &str) -> Response {
    let query = serde_urlencoded::to_string([("error", error), ("next", next)]).unwrap_or_default();
    Redirect::to(&format!("/login?{query}")).into_response()
}

/// Sends a signed-out `GET` of a signed-in page to the login page, remembering where the
/// visitor wanted to go; and a signed-in person's start page (`/`) on to the Overview.
pub async fn require_sign_in_for_pages(session: Session, request: Request, next: Next) -> Response {
    if request.method() == axum::http::Method::GET
        && request.uri().path() == "/"
        && matches!(auth::signed_in_user(&session).await, Ok(Some(_)))
    {
        return Redirect::to("/overview").into_response();
    }
    if request.method() == axum::http::Method::GET && requires_sign_in(request.uri().path()) {
        let signed_in = matches!(auth::signed_in_user(&session).await, Ok(Some(_)));
        if !signed_in {
            let wanted = request.uri().path_and_query().map_or("/", |p| p.as_str());
            let query = serde_urlencoded::to_string([("next", wanted)]).unwrap_or_default();
            return Redirect::to(&format!("/login?{query}")).into_response();
        }
    }
    next.run(request).await
}
