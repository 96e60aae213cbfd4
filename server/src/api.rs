//! Sharewell's own JSON API under `/api/v1`, authenticated by API token.
//!
//! Errors: `{"error": {"code": "...", "message": "..."}}` with the matching status.
//!
//! The router is built from the documented handlers ([`openapi_router`]): a route is added
//! with its `#[utoipa::path]`, so it cannot be missing from `/openapi/api.json`.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use app::domain::access::{service as access, AccessParams, GrantPage};
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
use crate::openapi::BearerToken;
use crate::startup::AppState;
use utoipa::{IntoParams, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The document's frame: its title and the bearer token every operation needs.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Sharewell API",
        description = "Sharewell's own JSON API. Every operation takes an API token: \
            `Authorization: Bearer <token>` (made on the Account page or with `POST /api/v1/tokens`).",
    ),
    modifiers(&BearerToken),
    security(("bearer" = [])),
    components(schemas(ErrorBody, ErrorDetail)),
)]
struct ApiDocument;

/// Every documented route of the API, with its document.
pub fn openapi_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDocument::openapi())
        .routes(routes!(me))
        .routes(routes!(change_own_password))
        .routes(routes!(email_settings, set_email_settings))
        .routes(routes!(list_users, add_user))
        .routes(routes!(get_user, update_user))
        .routes(routes!(reset_password))
        .routes(routes!(list_user_tokens))
        .routes(routes!(revoke_user_token))
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(revoke_token))
        .routes(routes!(audit_events))
        .routes(routes!(list_access))
        .routes(routes!(export_access))
        .routes(routes!(list_apps, register_app))
        .routes(routes!(list_roles, create_role))
        .routes(routes!(get_role, update_role, delete_role))
        .routes(routes!(list_webhooks, create_webhook))
        .routes(routes!(get_webhook, update_webhook, delete_webhook))
        .routes(routes!(rotate_webhook_secret))
        .routes(routes!(webhook_deliveries))
        .routes(routes!(resend_delivery))
        .routes(routes!(send_test_event))
}

/// The API's routes, and an answer in its own shape for any other path under `/api/v1`.
pub fn router() -> Router<AppState> {
    let (router, _) = openapi_router().split_for_parts();
    router.route(UNKNOWN_ENDPOINTS, any(unknown_endpoint))
}

/// The one route of the API that is not documented: every path the API does not have.
pub const UNKNOWN_ENDPOINTS: &str = "/api/v1/{*rest}";

/// `/openapi/api.json`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    openapi_router().into_openapi()
}

/// Every error of the API, in one shape: `{"error": {"code", "message"}}`.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
struct ErrorDetail {
    /// Named after the status: `invalid_request`, `unauthorized`, `forbidden`, `not_found`,
    /// `conflict`, `payload_too_large`, `timeout`, `unavailable`, `internal_error`.
    code: &'static str,
    /// What went wrong, in a sentence; for an invalid field, the field is named.
    message: String,
}

/// The refusals any operation may answer with.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)] // only its documentation is used
enum ApiRefusals {
    /// A field or parameter is invalid, or the body is not the JSON expected.
    #[response(status = 400)]
    Invalid(#[to_schema] ErrorBody),
    /// No token, or an unknown, revoked or expired one.
    #[response(status = 401)]
    Unauthorized(#[to_schema] ErrorBody),
    /// The caller's role (or a read-only token) does not allow it.
    #[response(status = 403)]
    Forbidden(#[to_schema] ErrorBody),
    /// No such object in the caller's org.
    #[response(status = 404)]
    NotFound(#[to_schema] ErrorBody),
    /// It clashes with what exists (a name taken, a state that does not allow it).
    #[response(status = 409)]
    Conflict(#[to_schema] ErrorBody),
    /// The body is larger than the server accepts.
    #[response(status = 413)]
    TooLarge(#[to_schema] ErrorBody),
    /// The database is briefly unavailable; try again.
    #[response(status = 503)]
    Unavailable(#[to_schema] ErrorBody),
}

/// The caller, as its token says.
#[utoipa::path(get, path = "/api/v1/me", responses((status = 200, description = "The caller", body = Actor), ApiRefusals))]
async fn me(Caller(actor): Caller) -> Json<Actor> {
    Json(actor)
}

#[derive(Deserialize, ToSchema)]
struct OwnPasswordBody {
    current_password: String,
    new_password: String,
}

/// The caller changes their own password (their current one is required).
#[utoipa::path(put, path = "/api/v1/me/password", request_body = OwnPasswordBody, responses((status = 204, description = "Changed"), ApiRefusals))]
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
#[utoipa::path(get, path = "/api/v1/account/email-settings", responses((status = 200, description = "The caller's email settings", body = EmailSettings), ApiRefusals))]
async fn email_settings(
    State(state): State<AppState>,
    Caller(actor): Caller,
) -> Result<Json<EmailSettings>, ApiError> {
    Ok(Json(email::settings(&state.store, &actor, state.email).await?))
}

/// `{"categories": {"offers": false, …}}`: turns the categories named on or off; the others
/// stay as they are.
#[derive(Deserialize, ToSchema)]
struct EmailSettingsBody {
    categories: BTreeMap<String, bool>,
}

#[utoipa::path(put, path = "/api/v1/account/email-settings", request_body = EmailSettingsBody, responses((status = 200, description = "The settings after the change", body = EmailSettings), ApiRefusals))]
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

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct UsersQuery {
    page: Option<String>,
}

/// The org's users, `USERS_PER_PAGE` at a time: `?page=N` (from 1).
#[utoipa::path(get, path = "/api/v1/users", params(UsersQuery), responses((status = 200, description = "A page of the org's users", body = UserList), ApiRefusals))]
async fn list_users(
    State(state): State<AppState>,
    Caller(actor): Caller,
    QueryArgs(query): QueryArgs<UsersQuery>,
) -> Result<Json<UserList>, ApiError> {
    let page = match query.page.as_deref() {
        Some(text) => text
            .trim()
            .parse()
            .map_err(|_| DomainError::invalid("page", "must be a whole number from 1"))?,
        None => 1,
    };
    let UserPage { users, page, pages, total } =
        users::list_users(&state.store, &actor, page).await?;
    Ok(Json(UserList { users, page, pages, per_page: USERS_PER_PAGE, total }))
}

#[derive(Serialize, ToSchema)]
struct UserList {
    users: Vec<UserSummary>,
    /// From 1.
    page: usize,
    pages: usize,
    per_page: usize,
    total: usize,
}

#[derive(Deserialize, ToSchema)]
struct NewUserBody {
    username: String,
    email: String,
    role: String,
    password: Option<String>,
}

/// Adds a user: with `password`, ready to sign in; without, the answer carries the one-time
/// `set_password_url`, shown this once.
#[utoipa::path(post, path = "/api/v1/users", request_body = NewUserBody, responses((status = 201, description = "The user added", body = UserWithLink), ApiRefusals))]
async fn add_user(
    State(state): State<AppState>,
    Caller(actor): Caller,
    JsonBody(body): JsonBody<NewUserBody>,
) -> Result<(StatusCode, Json<UserWithLink>), ApiError> {
    let new = NewOrgUser {
        username: &body.username,
        email: &body.email,
        role: Role::parse(&body.role)?,
        password: body.password.as_deref(),
    };
    let added = users::add_user(&state.store, &actor, Face::Api, new).await?;
    Ok((StatusCode::CREATED, Json(UserWithLink::new(added.user, added.link))))
}

#[utoipa::path(get, path = "/api/v1/users/{id}", params(("id" = String, Path, description = "The user's id")), responses((status = 200, description = "The user", body = UserSummary), ApiRefusals))]
async fn get_user(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<Json<UserSummary>, ApiError> {
    Ok(Json(users::get_user(&state.store, &actor, user_id(&id)?).await?))
}

#[derive(Deserialize, ToSchema)]
struct UserChangeBody {
    role: Option<String>,
    active: Option<bool>,
}

#[utoipa::path(patch, path = "/api/v1/users/{id}", params(("id" = String, Path, description = "The user's id")), request_body = UserChangeBody, responses((status = 200, description = "The user after the change", body = UserSummary), ApiRefusals))]
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
#[utoipa::path(post, path = "/api/v1/users/{id}/password-reset", params(("id" = String, Path, description = "The user's id")), responses((status = 200, description = "A new one-time set-password link", body = PasswordResetBody), ApiRefusals))]
async fn reset_password(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<Json<PasswordResetBody>, ApiError> {
    let id = user_id(&id)?;
    let link = users::reset_password(&state.store, &actor, Face::Api, id, None).await?;
    let link = link.ok_or_else(|| DomainError::Internal("no link was issued".into()))?;
    Ok(Json(PasswordResetBody {
        username: link.username,
        set_password_url: link.path,
        expires_at: link.expires_at,
    }))
}

#[derive(Serialize, ToSchema)]
struct PasswordResetBody {
    username: String,
    /// `/set-password/{secret}`, relative to Sharewell's address; shown this once.
    set_password_url: String,
    expires_at: String,
}

/// The user's fields, plus the one-time link when there is one.
#[derive(Serialize, ToSchema)]
struct UserWithLink {
    #[serde(flatten)]
    user: UserSummary,
    /// Present when no initial password was given: shown this once.
    #[serde(skip_serializing_if = "Option::is_none")]
    set_password_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    set_password_expires_at: Option<String>,
}

impl UserWithLink {
    fn new(user: UserSummary, link: Option<PasswordLink>) -> Self {
        let (set_password_url, set_password_expires_at) =
            link.map(|link| (link.path, link.expires_at)).unzip();
        Self { user, set_password_url, set_password_expires_at }
    }
}

fn user_id(text: &str) -> Result<UserId, DomainError> {
    text.parse().map_err(|_| DomainError::NotFound("user"))
}

/// A user's tokens (never their secrets): admins and auditors, for any user of the org.
#[utoipa::path(get, path = "/api/v1/users/{id}/tokens", params(("id" = String, Path, description = "The user's id")), responses((status = 200, description = "The user's tokens", body = TokenList), ApiRefusals))]
async fn list_user_tokens(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<Json<TokenList>, ApiError> {
    let tokens = identity::list_user_tokens(&state.store, &actor, user_id(&id)?).await?;
    Ok(Json(TokenList { tokens }))
}

#[derive(Serialize, ToSchema)]
struct TokenList {
    tokens: Vec<TokenSummary>,
}

/// Revokes a user's token: admins, for any user of the org.
#[utoipa::path(delete, path = "/api/v1/users/{id}/tokens/{token_id}", params(("id" = String, Path, description = "The user's id"), ("token_id" = String, Path, description = "The token's id")), responses((status = 204, description = "Revoked"), ApiRefusals))]
async fn revoke_user_token(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path((id, token_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let token_id = token_id.parse().map_err(|_| DomainError::NotFound("token"))?;
    identity::revoke_user_token(&state.store, &actor, Face::Api, user_id(&id)?, token_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/tokens", responses((status = 200, description = "The caller's tokens", body = TokenList), ApiRefusals))]
async fn list_tokens(
    State(state): State<AppState>,
    Caller(actor): Caller,
) -> Result<Json<TokenList>, ApiError> {
    let tokens = identity::list_tokens(&state.store, &actor).await?;
    Ok(Json(TokenList { tokens }))
}

/// `{"name", "read_only"?, "expires_in_days"?}`: a token narrowed to reading, or living a
/// number of days, when asked.
#[derive(Deserialize, ToSchema)]
struct CreateTokenBody {
    name: String,
    #[serde(flatten)]
    scope: TokenScope,
}

#[utoipa::path(post, path = "/api/v1/tokens", request_body = CreateTokenBody, responses((status = 201, description = "The token and its secret, shown this once", body = NewToken), ApiRefusals))]
async fn create_token(
    State(state): State<AppState>,
    Caller(actor): Caller,
    JsonBody(body): JsonBody<CreateTokenBody>,
) -> Result<(StatusCode, Json<NewToken>), ApiError> {
    let token =
        identity::create_token(&state.store, &actor, Face::Api, &body.name, body.scope).await?;
    Ok((StatusCode::CREATED, Json(token)))
}

#[utoipa::path(delete, path = "/api/v1/tokens/{id}", params(("id" = String, Path, description = "The token's id")), responses((status = 204, description = "Revoked"), ApiRefusals))]
async fn revoke_token(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = id.parse().map_err(|_| DomainError::NotFound("token"))?;
    identity::revoke_token(&state.store, &actor, Face::Api, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct AuditQuery {
    action: Option<String>,
    before: Option<String>,
    /// Events per page, 1 to 100 (25 when not given).
    per_page: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/audit-events", params(AuditQuery), responses((status = 200, description = "A page of the audit log, newest first", body = EventPage), ApiRefusals))]
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
    let filter = EventFilter { action: query.action, before, per_page: query.per_page };
    Ok(Json(audit::list(&state.store, &actor, &filter).await?))
}

/// Who has access: `?item_kind=&item=&org=&person=&page=&per_page=`. With `Accept: text/csv`
/// the whole list (without paging) as CSV, as `/api/v1/access.csv` gives it.
#[utoipa::path(get, path = "/api/v1/access", params(AccessParams), responses((status = 200, description = "A page of grants; the whole list as CSV when `Accept: text/csv`", content((GrantPage = "application/json"), (String = "text/csv"))), ApiRefusals))]
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

#[utoipa::path(get, path = "/api/v1/access.csv", params(AccessParams), responses((status = 200, description = "Every grant the filter matches, as CSV", content_type = "text/csv", body = String), ApiRefusals))]
async fn export_access(
    State(state): State<AppState>,
    Caller(actor): Caller,
    QueryArgs(params): QueryArgs<AccessParams>,
) -> Result<Response, ApiError> {
    Ok(crate::access::export(&state, &actor, &params).await?)
}

#[derive(Deserialize, ToSchema)]
struct AppBody {
    name: String,
}

/// The org's app catalogue: the apps its users may share.
#[utoipa::path(get, path = "/api/v1/apps", responses((status = 200, description = "The org's app catalogue", body = AppList), ApiRefusals))]
async fn list_apps(
    State(state): State<AppState>,
    Caller(actor): Caller,
) -> Result<Json<AppList>, ApiError> {
    let apps = files::apps(&state.store, &actor).await?;
    let apps = apps.into_iter().map(|(uid, name)| AppEntry { uid, name }).collect();
    Ok(Json(AppList { apps }))
}

#[derive(Serialize, ToSchema)]
struct AppList {
    apps: Vec<AppEntry>,
}

/// An app of the catalogue.
#[derive(Serialize, ToSchema)]
struct AppEntry {
    uid: String,
    name: String,
}

#[utoipa::path(post, path = "/api/v1/apps", request_body = AppBody, responses((status = 201, description = "The app registered", body = AppEntry), ApiRefusals))]
async fn register_app(
    State(state): State<AppState>,
    Caller(actor): Caller,
    JsonBody(body): JsonBody<AppBody>,
) -> Result<(StatusCode, Json<AppEntry>), ApiError> {
    let (uid, name) = files::register_app(&state.store, &actor, Face::Api, &body.name).await?;
    Ok((StatusCode::CREATED, Json(AppEntry { uid, name })))
}

#[derive(Deserialize, ToSchema)]
struct RoleBody {
    name: String,
    #[serde(default)]
    grants: Vec<Grant>,
}

#[utoipa::path(get, path = "/api/v1/roles", responses((status = 200, description = "The org's template roles", body = RoleList), ApiRefusals))]
async fn list_roles(
    State(state): State<AppState>,
    Caller(actor): Caller,
) -> Result<Json<RoleList>, ApiError> {
    Ok(Json(RoleList { roles: partners::roles(&state.store, &actor).await? }))
}

#[derive(Serialize, ToSchema)]
struct RoleList {
    roles: Vec<TemplateRole>,
}

#[utoipa::path(post, path = "/api/v1/roles", request_body = RoleBody, responses((status = 201, description = "The role created", body = TemplateRole), ApiRefusals))]
async fn create_role(
    State(state): State<AppState>,
    Caller(actor): Caller,
    JsonBody(body): JsonBody<RoleBody>,
) -> Result<(StatusCode, Json<TemplateRole>), ApiError> {
    let role =
        partners::create_role(&state.store, &actor, Face::Api, &body.name, body.grants).await?;
    Ok((StatusCode::CREATED, Json(role)))
}

#[utoipa::path(get, path = "/api/v1/roles/{id}", params(("id" = String, Path, description = "The role's id")), responses((status = 200, description = "The role", body = TemplateRole), ApiRefusals))]
async fn get_role(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<Json<TemplateRole>, ApiError> {
    Ok(Json(partners::role(&state.store, &actor, role_id(&id)?).await?))
}

#[utoipa::path(put, path = "/api/v1/roles/{id}", params(("id" = String, Path, description = "The role's id")), request_body = RoleBody, responses((status = 200, description = "The role after the change", body = TemplateRole), ApiRefusals))]
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

#[utoipa::path(delete, path = "/api/v1/roles/{id}", params(("id" = String, Path, description = "The role's id")), responses((status = 204, description = "Deleted"), ApiRefusals))]
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
#[utoipa::path(get, path = "/api/v1/webhooks", responses((status = 200, description = "The org's webhook endpoints", body = WebhookList), ApiRefusals))]
async fn list_webhooks(
    State(state): State<AppState>,
    Caller(actor): Caller,
) -> Result<Json<WebhookList>, ApiError> {
    Ok(Json(WebhookList { webhooks: webhooks::list(&state.store, &actor).await? }))
}

#[derive(Serialize, ToSchema)]
struct WebhookList {
    webhooks: Vec<WebhookEndpoint>,
}

/// `{"url", "events"?, "description"?}`: the answer carries the signing secret, shown this once.
#[utoipa::path(post, path = "/api/v1/webhooks", request_body = NewWebhook, responses((status = 201, description = "The endpoint and its signing secret, shown this once", body = EndpointWithSecretBody), ApiRefusals))]
async fn create_webhook(
    State(state): State<AppState>,
    Caller(actor): Caller,
    JsonBody(body): JsonBody<NewWebhook>,
) -> Result<(StatusCode, Json<EndpointWithSecretBody>), ApiError> {
    let created = webhooks::create(&state.store, &actor, Face::Api, state.targets, &body).await?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

#[utoipa::path(get, path = "/api/v1/webhooks/{id}", params(("id" = String, Path, description = "The endpoint's id")), responses((status = 200, description = "The endpoint", body = WebhookEndpoint), ApiRefusals))]
async fn get_webhook(
    State(state): State<AppState>,
    Caller(actor): Caller,
    PathArgs(id): PathArgs<String>,
) -> Result<Json<WebhookEndpoint>, ApiError> {
    Ok(Json(webhooks::get(&state.store, &actor, webhook_id(&id)?).await?))
}

/// Changes the fields given; `"enabled": true` turns a disabled endpoint back on.
#[utoipa::path(patch, path = "/api/v1/webhooks/{id}", params(("id" = String, Path, description = "The endpoint's id")), request_body = WebhookChange, responses((status = 200, description = "The endpoint after the change", body = WebhookEndpoint), ApiRefusals))]
async fn update_webhook(
    State(state): State<AppState>,
    Caller(actor): Caller,
    PathArgs(id): PathArgs<String>,
    JsonBody(body): JsonBody<WebhookChange>,
) -> Result<Json<WebhookEndpoint>, ApiError> {
    let id = webhook_id(&id)?;
    Ok(Json(webhooks::update(&state.store, &actor, Face::Api, state.targets, id, &body).await?))
}

#[utoipa::path(delete, path = "/api/v1/webhooks/{id}", params(("id" = String, Path, description = "The endpoint's id")), responses((status = 204, description = "Deleted"), ApiRefusals))]
async fn delete_webhook(
    State(state): State<AppState>,
    Caller(actor): Caller,
    PathArgs(id): PathArgs<String>,
) -> Result<StatusCode, ApiError> {
    webhooks::delete(&state.store, &actor, Face::Api, webhook_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A new signing secret, shown this once; later deliveries are signed with it.
#[utoipa::path(post, path = "/api/v1/webhooks/{id}/rotate-secret", params(("id" = String, Path, description = "The endpoint's id")), responses((status = 200, description = "The endpoint and its new signing secret, shown this once", body = EndpointWithSecretBody), ApiRefusals))]
async fn rotate_webhook_secret(
    State(state): State<AppState>,
    Caller(actor): Caller,
    PathArgs(id): PathArgs<String>,
) -> Result<Json<EndpointWithSecretBody>, ApiError> {
    let rotated =
        webhooks::rotate_secret(&state.store, &actor, Face::Api, webhook_id(&id)?).await?;
    Ok(Json(rotated.into()))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct DeliveriesQuery {
    before: Option<String>,
}

/// The endpoint's delivery log, newest first; `?before=` the `next_before` of the last page.
#[utoipa::path(get, path = "/api/v1/webhooks/{id}/deliveries", params(("id" = String, Path, description = "The endpoint's id"), DeliveriesQuery), responses((status = 200, description = "A page of the delivery log, newest first", body = DeliveryPage), ApiRefusals))]
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
#[utoipa::path(post, path = "/api/v1/webhooks/{id}/deliveries/{delivery_id}/resend", params(("id" = String, Path, description = "The endpoint's id"), ("delivery_id" = String, Path, description = "The delivery's id")), responses((status = 202, description = "Queued again", body = Delivery), ApiRefusals))]
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
#[utoipa::path(post, path = "/api/v1/webhooks/{id}/test", params(("id" = String, Path, description = "The endpoint's id")), responses((status = 202, description = "A `webhook.test` event queued", body = Delivery), ApiRefusals))]
async fn send_test_event(
    State(state): State<AppState>,
    Caller(actor): Caller,
    PathArgs(id): PathArgs<String>,
) -> Result<(StatusCode, Json<Delivery>), ApiError> {
    let delivery = webhooks::send_test(&state.store, &actor, webhook_id(&id)?).await?;
    Ok((StatusCode::ACCEPTED, Json(delivery)))
}

/// The endpoint's fields and its `secret`, side by side.
#[derive(Serialize, ToSchema)]
struct EndpointWithSecretBody {
    #[serde(flatten)]
    endpoint: WebhookEndpoint,
    /// `whsec_` and the base64 of 32 random bytes: shown this once.
    secret: String,
}

impl From<EndpointWithSecret> for EndpointWithSecretBody {
    fn from(created: EndpointWithSecret) -> Self {
        Self { endpoint: created.endpoint, secret: created.secret }
    }
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
    let body = ErrorBody { error: ErrorDetail { code, message: message.to_owned() } };
    (status, Json(body)).into_response()
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
