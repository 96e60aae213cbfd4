//! Sharewell's own JSON API under `/api/v1`, authenticated by API token.
//!
//! Errors: `{"error": {"code": "...", "message": "..."}}` with the matching status.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, delete, get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use app::domain::access::{service as access, AccessParams};
use app::domain::audit::{service as audit, EventFilter, EventPage};
use app::domain::files::service as files;
use app::domain::identity::user_service::{self as users, NewOrgUser, UserChange};
use app::domain::identity::users::{PasswordLink, UserPage, UserSummary, USERS_PER_PAGE};
use app::domain::identity::{
    service as identity, Actor, Face, NewToken, Role, TokenScope, TokenSummary,
};
use app::domain::ids::{DeliveryId, RoleId, UserId, WebhookId};
use app::domain::notifications::{email, webhooks, EmailSettings};
use app::domain::notifications::{
    Delivery, DeliveryPage, EndpointWithSecret, NewWebhook, WebhookChange, WebhookEndpoint,
};
use app::domain::partners::{service as partners, Grant, TemplateRole};
use app::domain::DomainError;

use crate::faces::{Caller, JsonBody, PathArgs, QueryArgs};
use crate::startup::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/me", get(me))
        .route("/api/v1/me/password", put(change_own_password))
        .route("/api/v1/account/email-settings", get(email_settings).put(set_email_settings))
        .route("/api/v1/users", get(list_users).post(add_user))
        .route("/api/v1/users/{id}", get(get_user).patch(update_user))
        .route("/api/v1/users/{id}/password-reset", post(reset_password))
        .route("/api/v1/users/{id}/tokens", get(list_user_tokens))
        .route("/api/v1/users/{id}/tokens/{token_id}", delete(revoke_user_token))
        .route("/api/v1/tokens", get(list_tokens).post(create_token))
        .route("/api/v1/tokens/{id}", delete(revoke_token))
        .route("/api/v1/audit-events", get(audit_events))
        .route("/api/v1/access", get(list_access))
        .route("/api/v1/access.csv", get(export_access))
        .route("/api/v1/apps", get(list_apps).post(register_app))
        .route("/api/v1/roles", get(list_roles).post(create_role))
        .route("/api/v1/roles/{id}", get(get_role).put(update_role).delete(delete_role))
        .route("/api/v1/webhooks", get(list_webhooks).post(create_webhook))
        .route(
            "/api/v1/webhooks/{id}",
            get(get_webhook).patch(update_webhook).delete(delete_webhook),
        )
        .route("/api/v1/webhooks/{id}/rotate-secret", post(rotate_webhook_secret))
        .route("/api/v1/webhooks/{id}/deliveries", get(webhook_deliveries))
        .route("/api/v1/webhooks/{id}/deliveries/{delivery_id}/resend", post(resend_delivery))
        .route("/api/v1/webhooks/{id}/test", post(send_test_event))
        .route("/api/v1/{*rest}", any(unknown_endpoint))
}

/// The caller, as its token says.
async fn me(Caller(actor): Caller) -> Json<Actor> {
    Json(actor)
}

#[derive(Deserialize)]
struct OwnPasswordBody {
    current_password: String,
    new_password: String,
}

/// The caller changes their own password (their current one is required).
async fn change_own_password(
    State(state): State<AppState>,
    Caller(actor): Caller,
    JsonBody(body): JsonBody<OwnPasswordBody>,
) -> Result<StatusCode, ApiError> {
    users::change_own_password(
        &state.store,
        &actor,
        Face::Api,
        &body.current_password,
        &body.new_password,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's email settings: whether the server sends email, where theirs goes, and each
/// category on or off.
async fn email_settings(
    State(state): State<AppState>,
    Caller(actor): Caller,
) -> Result<Json<EmailSettings>, ApiError> {
    Ok(Json(email::settings(&state.store, &actor, state.email).await?))
}

/// `{"categories": {"offers": false, …}}`: turns the categories named on or off; the others
/// stay as they are.
#[derive(Deserialize)]
struct EmailSettingsBody {
    categories: BTreeMap<String, bool>,
}

async fn set_email_settings(
    State(state): State<AppState>,
    Caller(actor): Caller,
    JsonBody(body): JsonBody<EmailSettingsBody>,
) -> Result<Json<EmailSettings>, ApiError> {
    if body.categories.is_empty() {
        return Err(DomainError::invalid("categories", "name at least one category").into());
    }
    let changes = body
        .categories
        .iter()
        .map(|(name, on)| Ok((email::parse_category("categories", name)?, *on)))
        .collect::<Result<Vec<_>, DomainError>>()?;
    Ok(Json(email::set_email_categories(&state.store, &actor, state.email, &changes).await?))
}

#[derive(Deserialize)]
struct UsersQuery {
    page: Option<String>,
}

/// The org's users, `USERS_PER_PAGE` at a time: `?page=N` (from 1).
async fn list_users(
    State(state): State<AppState>,
    Caller(actor): Caller,
    QueryArgs(query): QueryArgs<UsersQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let page = match query.page.as_deref() {
        Some(text) => text
            .trim()
            .parse()
            .map_err(|_| DomainError::invalid("page", "must be a whole number from 1"))?,
        None => 1,
    };
    let UserPage { users, page, pages, total } =
        users::list_users(&state.store, &actor, page).await?;
    Ok(Json(json!({
        "users": users,
        "page": page,
        "pages": pages,
        "per_page": USERS_PER_PAGE,
        "total": total,
    })))
}

#[derive(Deserialize)]
struct NewUserBody {
    username: String,
    email: String,
    role: String,
    password: Option<String>,
}

/// Adds a user: with `password`, ready to sign in; without, the answer carries the one-time
/// `set_password_url`, shown this once.
async fn add_user(
    State(state): State<AppState>,
    Caller(actor): Caller,
    JsonBody(body): JsonBody<NewUserBody>,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    let new = NewOrgUser {
        username: &body.username,
        email: &body.email,
        role: Role::parse(&body.role)?,
        password: body.password.as_deref(),
    };
    let added = users::add_user(&state.store, &actor, Face::Api, new).await?;
    Ok((StatusCode::CREATED, Json(user_with_link(&added.user, added.link.as_ref()))))
}

async fn get_user(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<Json<UserSummary>, ApiError> {
    Ok(Json(users::get_user(&state.store, &actor, user_id(&id)?).await?))
}

#[derive(Deserialize)]
struct UserChangeBody {
    role: Option<String>,
    active: Option<bool>,
}

async fn update_user(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<UserChangeBody>,
) -> Result<Json<UserSummary>, ApiError> {
    let id = user_id(&id)?;
    let change = UserChange {
        role: body.role.as_deref().map(Role::parse).transpose()?,
        active: body.active,
    };
    Ok(Json(users::update_user(&state.store, &actor, Face::Api, id, change).await?))
}

/// Issues a new one-time set-password link for the user (older links stop working).
async fn reset_password(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let id = user_id(&id)?;
    let link = users::reset_password(&state.store, &actor, Face::Api, id, None).await?;
    let link = link.ok_or_else(|| DomainError::Internal("no link was issued".into()))?;
    Ok(Json(json!({
        "username": link.username,
        "set_password_url": link.path,
        "expires_at": link.expires_at,
    })))
}

/// The user's fields, plus the one-time link when there is one.
fn user_with_link(user: &UserSummary, link: Option<&PasswordLink>) -> serde_json::Value {
    let mut body = json!(user);
    if let (Some(fields), Some(link)) = (body.as_object_mut(), link) {
        fields.insert("set_password_url".to_owned(), json!(link.path));
        fields.insert("set_password_expires_at".to_owned(), json!(link.expires_at));
    }
    body
}

fn user_id(text: &str) -> Result<UserId, DomainError> {
    text.parse().map_err(|_| DomainError::NotFound("user"))
}

/// A user's tokens (never their secrets): admins and auditors, for any user of the org.
async fn list_user_tokens(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let tokens = identity::list_user_tokens(&state.store, &actor, user_id(&id)?).await?;
    Ok(Json(json!({ "tokens": tokens })))
}

/// Revokes a user's token: admins, for any user of the org.
async fn revoke_user_token(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path((id, token_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let token_id = token_id.parse().map_err(|_| DomainError::NotFound("token"))?;
    identity::revoke_user_token(&state.store, &actor, Face::Api, user_id(&id)?, token_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list_tokens(
    State(state): State<AppState>,
    Caller(actor): Caller,
) -> Result<Json<serde_json::Value>, ApiError> {
    let tokens: Vec<TokenSummary> = identity::list_tokens(&state.store, &actor).await?;
    Ok(Json(json!({ "tokens": tokens })))
}

/// `{"name", "read_only"?, "expires_in_days"?}`: a token narrowed to reading, or living a
/// number of days, when asked.
#[derive(Deserialize)]
struct CreateTokenBody {
    name: String,
    #[serde(flatten)]
    scope: TokenScope,
}

async fn create_token(
    State(state): State<AppState>,
    Caller(actor): Caller,
    JsonBody(body): JsonBody<CreateTokenBody>,
) -> Result<(StatusCode, Json<NewToken>), ApiError> {
    let token =
        identity::create_token(&state.store, &actor, Face::Api, &body.name, body.scope).await?;
    Ok((StatusCode::CREATED, Json(token)))
}

async fn revoke_token(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = id.parse().map_err(|_| DomainError::NotFound("token"))?;
    identity::revoke_token(&state.store, &actor, Face::Api, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct AuditQuery {
    action: Option<String>,
    before: Option<String>,
}

async fn audit_events(
    State(state): State<AppState>,
    Caller(actor): Caller,
    QueryArgs(query): QueryArgs<AuditQuery>,
) -> Result<Json<EventPage>, ApiError> {
    let before = match query.before.as_deref() {
        Some(id) => {
            Some(id.parse().map_err(|_| DomainError::invalid("before", "must be an event id"))?)
        }
        None => None,
    };
    let filter = EventFilter { action: query.action, before };
    Ok(Json(audit::list(&state.store, &actor, &filter).await?))
}

/// Who has access: `?item_kind=&item=&org=&person=&page=&per_page=`. With `Accept: text/csv`
/// the whole list (without paging) as CSV, as `/api/v1/access.csv` gives it.
async fn list_access(
    State(state): State<AppState>,
    Caller(actor): Caller,
    headers: axum::http::HeaderMap,
    QueryArgs(params): QueryArgs<AccessParams>,
) -> Result<Response, ApiError> {
    let wants_csv = headers
        .get(header::ACCEPT)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|accept| accept.contains("text/csv"));
    if wants_csv {
        return Ok(crate::access::export(&state, &actor, &params).await?);
    }
    let query = params.parse()?;
    Ok(Json(access::grants(&state.store, &actor, &query).await?).into_response())
}

async fn export_access(
    State(state): State<AppState>,
    Caller(actor): Caller,
    QueryArgs(params): QueryArgs<AccessParams>,
) -> Result<Response, ApiError> {
    Ok(crate::access::export(&state, &actor, &params).await?)
}

#[derive(Deserialize)]
struct AppBody {
    name: String,
}

/// The org's app catalogue: the apps its users may share.
async fn list_apps(
    State(state): State<AppState>,
    Caller(actor): Caller,
) -> Result<Json<serde_json::Value>, ApiError> {
    let apps = files::apps(&state.store, &actor).await?;
    let apps: Vec<_> =
        apps.into_iter().map(|(uid, name)| json!({ "uid": uid, "name": name })).collect();
    Ok(Json(json!({ "apps": apps })))
}

async fn register_app(
    State(state): State<AppState>,
    Caller(actor): Caller,
    JsonBody(body): JsonBody<AppBody>,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    let (uid, name) = files::register_app(&state.store, &actor, Face::Api, &body.name).await?;
    Ok((StatusCode::CREATED, Json(json!({ "uid": uid, "name": name }))))
}

#[derive(Deserialize)]
struct RoleBody {
    name: String,
    #[serde(default)]
    grants: Vec<Grant>,
}

async fn list_roles(
    State(state): State<AppState>,
    Caller(actor): Caller,
) -> Result<Json<serde_json::Value>, ApiError> {
    Ok(Json(json!({ "roles": partners::roles(&state.store, &actor).await? })))
}

async fn create_role(
    State(state): State<AppState>,
    Caller(actor): Caller,
    JsonBody(body): JsonBody<RoleBody>,
) -> Result<(StatusCode, Json<TemplateRole>), ApiError> {
    let role =
        partners::create_role(&state.store, &actor, Face::Api, &body.name, body.grants).await?;
    Ok((StatusCode::CREATED, Json(role)))
}

async fn get_role(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<Json<TemplateRole>, ApiError> {
    Ok(Json(partners::role(&state.store, &actor, role_id(&id)?).await?))
}

async fn update_role(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<RoleBody>,
) -> Result<Json<TemplateRole>, ApiError> {
    let role = partners::update_role(
        &state.store,
        &actor,
        Face::Api,
        role_id(&id)?,
        &body.name,
        body.grants,
    )
    .await?;
    Ok(Json(role))
}

async fn delete_role(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    partners::delete_role(&state.store, &actor, Face::Api, role_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

fn role_id(text: &str) -> Result<RoleId, DomainError> {
    text.parse().map_err(|_| DomainError::NotFound("template role"))
}

/// The org's webhook endpoints (never their secrets).
async fn list_webhooks(
    State(state): State<AppState>,
    Caller(actor): Caller,
) -> Result<Json<serde_json::Value>, ApiError> {
    Ok(Json(json!({ "webhooks": webhooks::list(&state.store, &actor).await? })))
}

/// `{"url", "events"?, "description"?}`: the answer carries the signing secret, shown this once.
async fn create_webhook(
    State(state): State<AppState>,
    Caller(actor): Caller,
    JsonBody(body): JsonBody<NewWebhook>,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    let created = webhooks::create(&state.store, &actor, Face::Api, state.targets, &body).await?;
    Ok((StatusCode::CREATED, Json(endpoint_with_secret(created))))
}

async fn get_webhook(
    State(state): State<AppState>,
    Caller(actor): Caller,
    PathArgs(id): PathArgs<String>,
) -> Result<Json<WebhookEndpoint>, ApiError> {
    Ok(Json(webhooks::get(&state.store, &actor, webhook_id(&id)?).await?))
}

/// Changes the fields given; `"enabled": true` turns a disabled endpoint back on.
async fn update_webhook(
    State(state): State<AppState>,
    Caller(actor): Caller,
    PathArgs(id): PathArgs<String>,
    JsonBody(body): JsonBody<WebhookChange>,
) -> Result<Json<WebhookEndpoint>, ApiError> {
    let id = webhook_id(&id)?;
    Ok(Json(webhooks::update(&state.store, &actor, Face::Api, state.targets, id, &body).await?))
}

async fn delete_webhook(
    State(state): State<AppState>,
    Caller(actor): Caller,
    PathArgs(id): PathArgs<String>,
) -> Result<StatusCode, ApiError> {
    webhooks::delete(&state.store, &actor, Face::Api, webhook_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A new signing secret, shown this once; later deliveries are signed with it.
async fn rotate_webhook_secret(
    State(state): State<AppState>,
    Caller(actor): Caller,
    PathArgs(id): PathArgs<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let rotated =
        webhooks::rotate_secret(&state.store, &actor, Face::Api, webhook_id(&id)?).await?;
    Ok(Json(endpoint_with_secret(rotated)))
}

#[derive(Deserialize)]
struct DeliveriesQuery {
    before: Option<String>,
}

/// The endpoint's delivery log, newest first; `?before=` the `next_before` of the last page.
async fn webhook_deliveries(
    State(state): State<AppState>,
    Caller(actor): Caller,
    PathArgs(id): PathArgs<String>,
    QueryArgs(query): QueryArgs<DeliveriesQuery>,
) -> Result<Json<DeliveryPage>, ApiError> {
    let id = webhook_id(&id)?;
    let before = match query.before.as_deref().map(str::trim) {
        Some("") | None => None,
        Some(text) => Some(
            text.parse::<DeliveryId>()
                .map_err(|_| DomainError::invalid("before", "must be a delivery id"))?,
        ),
    };
    Ok(Json(webhooks::deliveries(&state.store, &actor, id, before).await?))
}

/// Queues a finished delivery again, with the same `webhook-id`.
async fn resend_delivery(
    State(state): State<AppState>,
    Caller(actor): Caller,
    PathArgs((id, delivery_id)): PathArgs<(String, String)>,
) -> Result<(StatusCode, Json<Delivery>), ApiError> {
    let id = webhook_id(&id)?;
    let delivery_id = delivery_id.parse().map_err(|_| DomainError::NotFound("delivery"))?;
    let delivery = webhooks::resend(&state.store, &actor, id, delivery_id).await?;
    Ok((StatusCode::ACCEPTED, Json(delivery)))
}

/// Queues a `webhook.test` event for the endpoint.
async fn send_test_event(
    State(state): State<AppState>,
    Caller(actor): Caller,
    PathArgs(id): PathArgs<String>,
) -> Result<(StatusCode, Json<Delivery>), ApiError> {
    let delivery = webhooks::send_test(&state.store, &actor, webhook_id(&id)?).await?;
    Ok((StatusCode::ACCEPTED, Json(delivery)))
}

/// The endpoint's fields and its `secret`, side by side.
fn endpoint_with_secret(created: EndpointWithSecret) -> serde_json::Value {
    let mut body = json!(created.endpoint);
    if let Some(fields) = body.as_object_mut() {
        fields.insert("secret".to_owned(), json!(created.secret));
    }
    body
}

fn webhook_id(text: &str) -> Result<WebhookId, DomainError> {
    text.parse().map_err(|_| DomainError::NotFound("webhook endpoint"))
}

async fn unknown_endpoint() -> ApiError {
    ApiError(DomainError::NotFound("endpoint"))
}

/// A [`crate::faces::Refusal`] in this API's shape.
pub fn refusal_response(refusal: crate::faces::Refusal) -> Response {
    error_body(refusal.status, &refusal.message)
}

/// `{"error": {"code", "message"}}`, the code named after the status.
fn error_body(status: StatusCode, message: &str) -> Response {
    let code = match status {
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::UNAUTHORIZED => "unauthorized",
        StatusCode::FORBIDDEN => "forbidden",
        StatusCode::CONFLICT => "conflict",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::REQUEST_TIMEOUT => "timeout",
        StatusCode::SERVICE_UNAVAILABLE => "unavailable",
        status if status.is_server_error() => "internal_error",
        _ => "invalid_request",
    };
    (status, Json(json!({ "error": { "code": code, "message": message } }))).into_response()
}

/// A domain error in this API's shape; the status is decided here, once.
pub struct ApiError(pub DomainError);

impl From<DomainError> for ApiError {
    fn from(error: DomainError) -> Self {
        Self(error)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = crate::faces::status_of(&self.0);
        let mut response = error_body(status, &self.0.to_string());
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer"));
        }
        response
    }
}
