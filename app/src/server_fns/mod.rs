//! Server functions: thin calls from the pages into the domain services. Each resolves the
//! signed-in actor first; without a session it returns an error, never data.

use leptos::prelude::*;

pub mod access;
pub mod codec;
pub mod details;
mod error;
pub mod files;
pub mod org_shares;
pub mod partners;
pub mod users;
pub mod webhooks;

pub use error::AppError;

use crate::domain::audit::EventPage;
use crate::domain::identity::{Actor, NewToken, TokenSummary};
use crate::domain::system::ServiceStatus;

/// Where people reach Sharewell: the operator's `--public-url` when given, and whether the
/// site is served over HTTPS. Links a page shows for copying elsewhere (offer links) start
/// with it; without a configured URL they start with the host the request came in on.
#[derive(Clone, Debug, Default)]
pub struct PublicUrl {
    pub configured: Option<String>,
    pub https: bool,
}

/// The storage state shown on the start page.
#[server(endpoint = "service_status", output = crate::server_fns::codec::TextJson)]
pub async fn get_service_status() -> Result<ServiceStatus, AppError> {
    use crate::domain::system;

    let store = ssr::request_store()?;
    Ok(system::service_status(&store).await?)
}

/// The signed-in actor, or `None` when nobody is signed in.
#[server(endpoint = "current_actor", output = crate::server_fns::codec::TextJson)]
pub async fn get_current_actor() -> Result<Option<Actor>, AppError> {
    use crate::domain::DomainError;

    let store = ssr::request_store()?;
    match crate::auth::ssr::current_actor(&store).await {
        Ok(actor) => Ok(Some(actor)),
        Err(DomainError::Unauthenticated) => Ok(None),
        Err(error) => Err(error.into()),
    }
}

#[server(endpoint = "tokens", output = crate::server_fns::codec::TextJson)]
pub async fn list_tokens() -> Result<Vec<TokenSummary>, AppError> {
    use crate::domain::identity::service as identity;

    let (store, actor) = ssr::actor_and_store().await?;
    Ok(identity::list_tokens(&store, &actor).await?)
}

/// Creates a token for the signed-in user. When the form was posted without JavaScript the
/// browser is redirected back to the page, so the secret is kept in the session for that
/// page to show once.
/// `read_only` is a checkbox (present when ticked); `expires_in_days` is empty for "never".
#[server(endpoint = "create_token", output = crate::server_fns::codec::TextJson)]
pub async fn create_token(
    name: String,
    #[server(default)] read_only: Option<String>,
    #[server(default)] expires_in_days: String,
) -> Result<NewToken, AppError> {
    use crate::domain::identity::{service as identity, Face, TokenScope};
    use crate::domain::DomainError;

    let (store, actor) = ssr::actor_and_store().await?;
    let expires_in_days = match expires_in_days.trim() {
        "" => None,
        days => Some(
            days.parse()
                .map_err(|_| DomainError::invalid("expires_in_days", "must be a number"))?,
        ),
    };
    let scope = TokenScope { read_only: read_only.is_some(), expires_in_days };
    let token = identity::create_token(&store, &actor, Face::Web, &name, scope).await?;
    if ssr::is_plain_form_post().await {
        crate::auth::ssr::keep_new_token(&token).await?;
    }
    Ok(token)
}

/// The token created by a plain form post, if any; handed out once.
#[server(endpoint = "take_new_token", output = crate::server_fns::codec::TextJson)]
pub async fn take_new_token() -> Result<Option<NewToken>, AppError> {
    Ok(crate::auth::ssr::take_new_token().await?)
}

#[server(endpoint = "revoke_token", output = crate::server_fns::codec::TextJson)]
pub async fn revoke_token(id: String) -> Result<(), AppError> {
    use crate::domain::identity::{service as identity, Face};
    use crate::domain::DomainError;

    let (store, actor) = ssr::actor_and_store().await?;
    let id = id.parse().map_err(|_| AppError::from(DomainError::NotFound("token")))?;
    Ok(identity::revoke_token(&store, &actor, Face::Web, id).await?)
}

#[server(endpoint = "audit_events", output = crate::server_fns::codec::TextJson)]
pub async fn list_audit_events(
    action: Option<String>,
    before: Option<String>,
    #[server(default)] per_page: String,
) -> Result<EventPage, AppError> {
    use crate::domain::audit::{service as audit, EventFilter};
    use crate::domain::DomainError;

    let (store, actor) = ssr::actor_and_store().await?;
    let per_page = match per_page.trim() {
        "" => None,
        text => Some(
            text.parse()
                .map_err(|_| DomainError::invalid("per_page", "must be a number from 1 to 100"))?,
        ),
    };
    let filter = EventFilter { action, before: before.and_then(|id| id.parse().ok()), per_page };
    Ok(audit::list(&store, &actor, &filter).await?)
}

#[server(endpoint = "audit_actions", output = crate::server_fns::codec::TextJson)]
pub async fn list_audit_actions() -> Result<Vec<String>, AppError> {
    use crate::domain::audit::service as audit;

    let (store, actor) = ssr::actor_and_store().await?;
    Ok(audit::actions(&store, &actor).await?)
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::AppError;
    use crate::domain::identity::Actor;
    use crate::domain::store::Store;
    use crate::domain::DomainError;

    /// Kept for server functions written before [`AppError`]: the same as `AppError::from`,
    /// which `?` calls on its own.
    pub fn to_server_fn_error(error: DomainError) -> AppError {
        AppError::from(error)
    }

    /// The store and the signed-in actor. The store is read from the context before the
    /// first `.await`: after it, the reactive owner that holds the context may be gone.
    pub async fn actor_and_store() -> Result<(Store, Actor), AppError> {
        let store = request_store()?;
        let actor = crate::auth::ssr::current_actor(&store).await?;
        Ok((store, actor))
    }

    /// The store from the request's context; an error rather than a panic when missing.
    pub fn request_store() -> Result<Store, DomainError> {
        leptos::prelude::use_context::<Store>()
            .ok_or_else(|| DomainError::Internal("the store is missing from the context".into()))
    }

    /// The start of absolute links for this request, without a trailing slash: the configured
    /// public URL, or the request's own scheme and host (a host that is not a plain name or
    /// address gives an empty start, so links stay relative). `setting` is read from the
    /// context before the caller's first `.await`.
    pub async fn public_base(setting: Option<super::PublicUrl>) -> String {
        let setting = setting.unwrap_or_default();
        if let Some(url) = setting.configured {
            return url.trim_end_matches('/').to_owned();
        }
        let host = leptos_axum::extract::<axum::http::HeaderMap>()
            .await
            .ok()
            .and_then(|headers| {
                headers.get(axum::http::header::HOST)?.to_str().ok().map(str::to_owned)
            })
            .filter(|host| {
                !host.is_empty()
                    && host.chars().all(|c| {
                        c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']')
                    })
            });
        match host {
            Some(host) => format!("{}://{host}", if setting.https { "https" } else { "http" }),
            None => String::new(),
        }
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
