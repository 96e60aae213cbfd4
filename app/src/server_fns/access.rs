//! Server functions of the "Who has access" page.

use leptos::prelude::*;

use super::AppError;
use crate::domain::access::{AccessParams, GrantPage};

#[cfg(feature = "ssr")]
use super::ssr::actor_and_store;

/// A page of grants matching the page's query parameters.
#[server(endpoint = "access_grants", output = crate::server_fns::codec::TextJson)]
pub async fn access_grants(params: AccessParams) -> Result<GrantPage, AppError> {
    use crate::domain::access::service as access;
    let (store, actor) = actor_and_store().await?;
    let query = params.parse()?;
    Ok(access::grants(&store, &actor, &query).await?)
}

/// Revokes one grant (`kind`: person, partner, account, offer) through its kind's own service,
/// then goes `back` to the list (a path under `/access`; anything else goes to `/access`).
#[server(endpoint = "revoke_grant", output = crate::server_fns::codec::TextJson)]
pub async fn revoke_grant(
    kind: String,
    id: String,
    #[server(default)] back: String,
) -> Result<(), AppError> {
    use crate::domain::access::{service as access, GrantKind};
    use crate::domain::identity::Face;
    let (store, actor) = actor_and_store().await?;
    let kind = GrantKind::parse("kind", &kind)?;
    access::revoke(&store, &actor, Face::Web, kind, &id).await?;
    let back = if (back == "/access" || back.starts_with("/access?"))
        && !back.chars().any(|c| c.is_control() || c == '\\')
    {
        back
    } else {
        "/access".to_owned()
    };
    let separator = if back.contains('?') { '&' } else { '?' };
    leptos_axum::redirect(&format!("{back}{separator}revoked=1"));
    Ok(())
}
