//! Server functions of the Webhooks pages: the org's endpoints, their delivery logs, and the
//! admin's changes to them.
//!
//! Ids and choices arrive as text and are parsed here, so a bad value is the domain's answer
//! (404 for an id that cannot be one, 400 for a bad choice), never a failure to decode. Event
//! types come from checkboxes named `events[N]`; none ticked means every event type.

use leptos::prelude::*;

use super::AppError;
use crate::domain::notifications::{Delivery, DeliveryPage, EndpointWithSecret, WebhookEndpoint};

#[cfg(feature = "ssr")]
use super::ssr::actor_and_store;
#[cfg(feature = "ssr")]
use crate::domain::identity::Face;

#[server(endpoint = "webhooks", output = crate::server_fns::codec::TextJson)]
pub async fn list_webhooks() -> Result<Vec<WebhookEndpoint>, AppError> {
    use crate::domain::notifications::webhooks;

    let (store, actor) = actor_and_store().await?;
    Ok(webhooks::list(&store, &actor).await?)
}

#[server(endpoint = "webhook", output = crate::server_fns::codec::TextJson)]
pub async fn get_webhook(id: String) -> Result<WebhookEndpoint, AppError> {
    use crate::domain::notifications::webhooks;

    let (store, actor) = actor_and_store().await?;
    Ok(webhooks::get(&store, &actor, ssr::webhook_id(&id)?).await?)
}

/// A page of an endpoint's delivery log, newest first; `before` is the previous page's
/// `next_before` (empty for the newest).
#[server(endpoint = "webhook_deliveries", output = crate::server_fns::codec::TextJson)]
pub async fn list_webhook_deliveries(
    id: String,
    #[server(default)] before: String,
) -> Result<DeliveryPage, AppError> {
    use crate::domain::notifications::webhooks;
    use crate::domain::DomainError;

    let (store, actor) = actor_and_store().await?;
    let before = match before.trim() {
        "" => None,
        text => Some(text.parse().map_err(|_| {
            DomainError::invalid("before", "must be the id of a delivery in this log")
        })?),
    };
    Ok(webhooks::deliveries(&store, &actor, ssr::webhook_id(&id)?, before).await?)
}

/// Registers an endpoint. Its secret is in the answer; when the form was posted without
/// JavaScript it is kept in the session for the page the browser returns to, shown once.
#[server(endpoint = "create_webhook", output = crate::server_fns::codec::TextJson)]
pub async fn create_webhook(
    url: String,
    #[server(default)] events: Vec<String>,
    #[server(default)] description: String,
) -> Result<EndpointWithSecret, AppError> {
    use crate::domain::notifications::{webhooks, NewWebhook};

    let policy = ssr::target_policy();
    let (store, actor) = actor_and_store().await?;
    let new = NewWebhook {
        url,
        events: (!events.is_empty()).then_some(events),
        description: Some(description),
    };
    let created = webhooks::create(&store, &actor, Face::Web, policy, &new).await?;
    ssr::keep_secret_for_plain_post(&created).await?;
    Ok(created)
}

/// Saves the edit form: URL, description, and the ticked event types (none for all).
#[server(endpoint = "update_webhook", output = crate::server_fns::codec::TextJson)]
pub async fn update_webhook(
    id: String,
    url: String,
    #[server(default)] events: Vec<String>,
    #[server(default)] description: String,
) -> Result<WebhookEndpoint, AppError> {
    use crate::domain::notifications::{webhooks, WebhookChange};

    let policy = ssr::target_policy();
    let (store, actor) = actor_and_store().await?;
    let change = WebhookChange {
        url: Some(url),
        events: Some(events),
        description: Some(description),
        enabled: None,
    };
    Ok(webhooks::update(&store, &actor, Face::Web, policy, ssr::webhook_id(&id)?, &change).await?)
}

/// Enables (`enabled=true`, which also forgets its failures) or disables an endpoint.
#[server(endpoint = "set_webhook_enabled", output = crate::server_fns::codec::TextJson)]
pub async fn set_webhook_enabled(id: String, enabled: String) -> Result<WebhookEndpoint, AppError> {
    use crate::domain::notifications::{webhooks, WebhookChange};
    use crate::domain::DomainError;

    let policy = ssr::target_policy();
    let (store, actor) = actor_and_store().await?;
    let enabled = match enabled.trim() {
        "true" => true,
        "false" => false,
        _ => return Err(DomainError::invalid("enabled", "must be `true` or `false`").into()),
    };
    let change = WebhookChange { enabled: Some(enabled), ..WebhookChange::default() };
    Ok(webhooks::update(&store, &actor, Face::Web, policy, ssr::webhook_id(&id)?, &change).await?)
}

/// Replaces the signing secret; the new one is shown once, like at creation.
#[server(endpoint = "rotate_webhook_secret", output = crate::server_fns::codec::TextJson)]
pub async fn rotate_webhook_secret(id: String) -> Result<EndpointWithSecret, AppError> {
    use crate::domain::notifications::webhooks;

    let (store, actor) = actor_and_store().await?;
    let rotated = webhooks::rotate_secret(&store, &actor, Face::Web, ssr::webhook_id(&id)?).await?;
    ssr::keep_secret_for_plain_post(&rotated).await?;
    Ok(rotated)
}

/// Deletes an endpoint and its log once confirmed (`confirm=yes`, which the confirm step's
/// button sends), then opens the list, saying so.
#[server(endpoint = "delete_webhook", output = crate::server_fns::codec::TextJson)]
pub async fn delete_webhook(
    id: String,
    #[server(default)] confirm: String,
) -> Result<(), AppError> {
    use crate::domain::notifications::webhooks;
    use crate::domain::DomainError;

    if confirm != "yes" {
        return Err(DomainError::invalid("confirm", "confirm the deletion first").into());
    }
    let (store, actor) = actor_and_store().await?;
    webhooks::delete(&store, &actor, Face::Web, ssr::webhook_id(&id)?).await?;
    leptos_axum::redirect("/webhooks?done=delete_webhook");
    Ok(())
}

/// Queues a `webhook.test` event for the endpoint.
#[server(endpoint = "send_test_webhook", output = crate::server_fns::codec::TextJson)]
pub async fn send_test_webhook(id: String) -> Result<Delivery, AppError> {
    use crate::domain::notifications::webhooks;

    let (store, actor) = actor_and_store().await?;
    Ok(webhooks::send_test(&store, &actor, ssr::webhook_id(&id)?).await?)
}

/// Sends a delivered or failed event again, with the same `webhook-id`.
#[server(endpoint = "resend_webhook_delivery", output = crate::server_fns::codec::TextJson)]
pub async fn resend_webhook_delivery(id: String, delivery: String) -> Result<Delivery, AppError> {
    use crate::domain::notifications::webhooks;
    use crate::domain::DomainError;

    let (store, actor) = actor_and_store().await?;
    let delivery = delivery.trim().parse().map_err(|_| DomainError::NotFound("delivery"))?;
    Ok(webhooks::resend(&store, &actor, ssr::webhook_id(&id)?, delivery).await?)
}

/// The secret made by a plain form post (create or rotate), if any; handed out once.
#[server(endpoint = "take_webhook_secret", output = crate::server_fns::codec::TextJson)]
pub async fn take_webhook_secret() -> Result<Option<EndpointWithSecret>, AppError> {
    ssr::take_secret().await
}

#[cfg(feature = "ssr")]
mod ssr {
    use tower_sessions::Session;

    use super::super::AppError;
    use crate::domain::ids::WebhookId;
    use crate::domain::notifications::targets::TargetPolicy;
    use crate::domain::notifications::EndpointWithSecret;
    use crate::domain::DomainError;

    const NEW_SECRET: &str = "new_webhook_secret";

    pub fn webhook_id(text: &str) -> Result<WebhookId, AppError> {
        text.trim().parse().map_err(|_| DomainError::NotFound("webhook endpoint").into())
    }

    /// The operator's rule on private targets, from the request's context. Read before the
    /// first `.await`; when missing, the strict default (private targets refused).
    pub fn target_policy() -> TargetPolicy {
        leptos::prelude::use_context::<TargetPolicy>().unwrap_or_default()
    }

    /// A plain form post is redirected back to the page, which then shows the secret once.
    pub async fn keep_secret_for_plain_post(secret: &EndpointWithSecret) -> Result<(), AppError> {
        if super::super::ssr::is_plain_form_post().await {
            session().await?.insert(NEW_SECRET, secret).await.map_err(session_error)?;
        }
        Ok(())
    }

    pub async fn take_secret() -> Result<Option<EndpointWithSecret>, AppError> {
        session().await?.remove(NEW_SECRET).await.map_err(session_error)
    }

    async fn session() -> Result<Session, AppError> {
        leptos_axum::extract::<Session>()
            .await
            .map_err(|error| DomainError::Internal(error.to_string().into()).into())
    }

    fn session_error(error: tower_sessions::session::Error) -> AppError {
        DomainError::Internal(Box::new(error)).into()
    }
}
