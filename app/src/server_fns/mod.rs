//! Server functions: thin calls from the pages into the domain services. Each resolves the
//! signed-in actor first; without a session it returns an error, never data.

use leptos::prelude::*;

pub mod files;
pub mod org_shares;
pub mod partners;
pub mod users;

use crate::domain::audit::EventPage;
use crate::domain::identity::{Actor, NewToken, TokenSummary};
use crate::domain::system::ServiceStatus;

/// The storage state shown on the start page.
#[server(endpoint = "service_status")]
pub async fn get_service_status() -> Result<ServiceStatus, ServerFnError> {
    use crate::domain::system;

    let store = ssr::request_store().map_err(ssr::to_server_fn_error)?;
    system::service_status(&store).await.map_err(ssr::to_server_fn_error)
}

/// The signed-in actor, or `None` when nobody is signed in.
#[server(endpoint = "current_actor")]
pub async fn get_current_actor() -> Result<Option<Actor>, ServerFnError> {
    use crate::domain::DomainError;

    let store = ssr::request_store().map_err(ssr::to_server_fn_error)?;
    match crate::auth::ssr::current_actor(&store).await {
        Ok(actor) => Ok(Some(actor)),
        Err(DomainError::Unauthenticated) => Ok(None),
        Err(error) => Err(ssr::to_server_fn_error(error)),
    }
}

#[server(endpoint = "tokens")]
pub async fn list_tokens() -> Result<Vec<TokenSummary>, ServerFnError> {
    use crate::domain::identity::service as identity;

    let (store, actor) = ssr::actor_and_store().await?;
    identity::list_tokens(&store, &actor).await.map_err(ssr::to_server_fn_error)
}

/// Creates a token for the signed-in user. When the form was posted without JavaScript the
/// browser is redirected back to the page, so the secret is kept in the session for that
/// page to show once.
#[server(endpoint = "create_token")]
pub async fn create_token(name: String) -> Result<NewToken, ServerFnError> {
    use crate::domain::identity::{service as identity, Face};

    let (store, actor) = ssr::actor_and_store().await?;
    let token = identity::create_token(&store, &actor, Face::Web, &name)
        .await
        .map_err(ssr::to_server_fn_error)?;
    if ssr::is_plain_form_post().await {
        crate::auth::ssr::keep_new_token(&token).await.map_err(ssr::to_server_fn_error)?;
    }
    Ok(token)
}

/// The token created by a plain form post, if any; handed out once.
#[server(endpoint = "take_new_token")]
pub async fn take_new_token() -> Result<Option<NewToken>, ServerFnError> {
    crate::auth::ssr::take_new_token().await.map_err(ssr::to_server_fn_error)
}

#[server(endpoint = "revoke_token")]
pub async fn revoke_token(id: String) -> Result<(), ServerFnError> {
    use crate::domain::identity::{service as identity, Face};
    use crate::domain::DomainError;

    let (store, actor) = ssr::actor_and_store().await?;
    let id = id.parse().map_err(|_| ssr::to_server_fn_error(DomainError::NotFound("token")))?;
    identity::revoke_token(&store, &actor, Face::Web, id).await.map_err(ssr::to_server_fn_error)
}

#[server(endpoint = "audit_events")]
pub async fn list_audit_events(
    action: Option<String>,
    before: Option<String>,
) -> Result<EventPage, ServerFnError> {
    use crate::domain::audit::{service as audit, EventFilter};

    let (store, actor) = ssr::actor_and_store().await?;
    let filter = EventFilter { action, before: before.and_then(|id| id.parse().ok()) };
    audit::list(&store, &actor, &filter).await.map_err(ssr::to_server_fn_error)
}

#[server(endpoint = "audit_actions")]
pub async fn list_audit_actions() -> Result<Vec<String>, ServerFnError> {
    use crate::domain::audit::service as audit;

    let (store, actor) = ssr::actor_and_store().await?;
    audit::actions(&store, &actor).await.map_err(ssr::to_server_fn_error)
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use leptos::prelude::ServerFnError;

    use crate::domain::identity::Actor;
    use crate::domain::store::Store;
    use crate::domain::DomainError;

    /// Domain errors become server function errors here, in one place. Internal causes are
    /// logged and replaced by a generic message.
    pub fn to_server_fn_error(error: DomainError) -> ServerFnError {
        if let DomainError::Internal(cause) = &error {
            tracing::error!(error = %cause, "server function failed");
        }
        ServerFnError::ServerError(error.to_string())
    }

    /// The store and the signed-in actor. The store is read from the context before the
    /// first `.await`: after it, the reactive owner that holds the context may be gone.
    pub async fn actor_and_store() -> Result<(Store, Actor), ServerFnError> {
        let store = request_store().map_err(to_server_fn_error)?;
        let actor = crate::auth::ssr::current_actor(&store).await.map_err(to_server_fn_error)?;
        Ok((store, actor))
    }

    /// The store from the request's context; an error rather than a panic when missing.
    pub fn request_store() -> Result<Store, DomainError> {
        leptos::prelude::use_context::<Store>()
            .ok_or_else(|| DomainError::Internal("the store is missing from the context".into()))
    }

    /// A form posted by the browser itself (no JavaScript) asks for HTML back.
    pub async fn is_plain_form_post() -> bool {
        leptos_axum::extract::<axum::http::HeaderMap>()
            .await
            .ok()
            .and_then(|headers| {
                headers.get(axum::http::header::ACCEPT)?.to_str().ok().map(str::to_owned)
            })
            .is_some_and(|accept| accept.contains("text/html"))
    }
}
