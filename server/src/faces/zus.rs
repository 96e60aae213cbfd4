//! Züs 0box file sharing and share requests, `/v2/shareinfo…` and `/v2/sharereq…`
//! (contract: shared/seeds/002; client shape: gosdk `zboxapi`, see shared/WIRE.md).
//!
//! Answers `{"message", "data"}`; errors `{"message", "error"}` with a 4xx status.

use axum::extract::{FromRequest, Multipart, Query, Request, State};
use axum::http::{header, request::Parts, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Form, Json, Router};
use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use app::domain::files::service::{self as files, Answer, Ticket};
use app::domain::files::{AccessRequest, PersonShare, RequestFilter, RequestStatus};
use app::domain::identity::{service as identity, token_secret, Actor, Face};
use app::domain::DomainError;

use crate::bearer::actor_from_bearer;
use crate::openapi::BearerToken;
use crate::startup::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Sharewell: Züs 0box file sharing",
        description = "Share info and share requests, as the gosdk `zboxapi` calls them. Answers \
            are `{\"message\", \"data\"}`; errors `{\"message\", \"error\"}`. The token goes in \
            `Authorization: Bearer` or in the Go client's `X-App-ID-Token`.",
    ),
    modifiers(&BearerToken),
    security(("bearer" = [])),
    components(schemas(ErrorBody)),
)]
struct ZusDocument;

/// Every route of the face, with its document.
pub fn openapi_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ZusDocument::openapi())
        .routes(routes!(add_share_info, delete_share_info))
        .routes(routes!(sent_share_info))
        .routes(routes!(received_share_info))
        .routes(routes!(create_request, answer_request, withdraw_request))
        .routes(routes!(received_requests))
        .routes(routes!(sent_requests))
        .routes(routes!(csrf_token))
}

pub fn router() -> Router<AppState> {
    openapi_router().split_for_parts().0
}

/// `/openapi/zus.json`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    openapi_router().into_openapi()
}

/// `{"message", "error"}`.
#[derive(Serialize, ToSchema)]
struct ErrorBody {
    message: String,
    /// `invalid_request`, `unauthorized`, `forbidden`, `not_found`, `conflict`,
    /// `service_unavailable`, `internal_error`.
    error: String,
}

/// The errors any operation may answer with.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)] // only its documentation is used
enum ZusErrors {
    /// A field is missing or invalid.
    #[response(status = 400)]
    Invalid(#[to_schema] ErrorBody),
    /// No token, or an unknown, revoked or expired one.
    #[response(status = 401)]
    Unauthorized(#[to_schema] ErrorBody),
    /// The caller's role (or a read-only token) does not allow it.
    #[response(status = 403)]
    Forbidden(#[to_schema] ErrorBody),
    /// No such file, share or request.
    #[response(status = 404)]
    NotFound(#[to_schema] ErrorBody),
    /// It clashes with what exists (a request already answered).
    #[response(status = 409)]
    Conflict(#[to_schema] ErrorBody),
    /// The body is larger than the server accepts.
    #[response(status = 413)]
    TooLarge(#[to_schema] ErrorBody),
    /// The database is briefly unavailable; try again.
    #[response(status = 503)]
    Unavailable(#[to_schema] ErrorBody),
}

/// `{"message"}`: what was done.
#[derive(Serialize, ToSchema)]
struct Done {
    message: &'static str,
}

#[derive(Serialize, ToSchema)]
struct CsrfToken {
    csrf_token: String,
}

/// The Go SDK fetches a CSRF token before its first write and echoes it in `X-CSRF-TOKEN`
/// (gosdk `zboxapi.GetCsrfToken` reads `{"csrf_token"}`). Its requests authenticate with a
/// header credential, not an ambient cookie, so cross-site forgery does not apply to them and
/// the echoed token is not checked; a fresh random one keeps the client's flow working.
#[utoipa::path(get, path = "/v2/csrftoken", security(()),
    responses((status = 200, description = "A fresh token", body = CsrfToken), ZusErrors))]
async fn csrf_token() -> Result<Json<CsrfToken>, ZusError> {
    Ok(Json(CsrfToken { csrf_token: token_secret::random_url_safe()? }))
}

/// The caller: `Authorization: Bearer`, or the token in the Go client's `X-App-ID-Token`.
struct Caller(Actor);

impl axum::extract::FromRequestParts<AppState> for Caller {
    type Rejection = ZusError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ZusError> {
        if parts.headers.contains_key(header::AUTHORIZATION) {
            return Ok(Self(actor_from_bearer(parts, &state.store).await?));
        }
        let token = parts.headers.get("x-app-id-token").and_then(|value| value.to_str().ok());
        match token {
            Some(token) => Ok(Self(identity::actor_for_token(&state.store, token.trim()).await?)),
            None => Err(DomainError::Unauthenticated.into()),
        }
    }
}

/// The form fields of `POST /v2/shareinfo`, from multipart, urlencoded or JSON.
#[derive(Deserialize, Default, ToSchema)]
struct ShareInfoForm {
    /// The gosdk auth ticket (base64 of its JSON marker): required.
    auth_ticket: Option<String>,
    message: Option<String>,
    share_info_type: Option<String>,
    link: Option<String>,
}

impl ShareInfoForm {
    async fn read(request: Request, state: &AppState) -> Result<Self, ZusError> {
        let content_type = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        if content_type.starts_with("multipart/form-data") {
            let mut multipart = Multipart::from_request(request, state)
                .await
                .map_err(|e| ZusError::bad(&e.body_text()))?;
            let mut form = Self::default();
            while let Some(field) =
                multipart.next_field().await.map_err(|e| ZusError::bad(&e.body_text()))?
            {
                let name = field.name().unwrap_or_default().to_owned();
                let value = field.text().await.map_err(|e| ZusError::bad(&e.body_text()))?;
                match name.as_str() {
                    "auth_ticket" => form.auth_ticket = Some(value),
                    "message" => form.message = Some(value),
                    "share_info_type" => form.share_info_type = Some(value),
                    "link" => form.link = Some(value),
                    _ => {}
                }
            }
            Ok(form)
        } else if content_type.starts_with("application/x-www-form-urlencoded") {
            let Form(form) = Form::<Self>::from_request(request, state)
                .await
                .map_err(|e| ZusError::bad(&e.body_text()))?;
            Ok(form)
        } else {
            let Json(form) = Json::<Self>::from_request(request, state)
                .await
                .map_err(|e| ZusError::bad(&e.body_text()))?;
            Ok(form)
        }
    }
}

/// Records a file shared with the ticket's receiver.
#[utoipa::path(post, path = "/v2/shareinfo",
    request_body(content(
        (ShareInfoForm = "multipart/form-data"),
        (ShareInfoForm = "application/x-www-form-urlencoded"),
        (ShareInfoForm = "application/json"),
    )),
    responses((status = 200, description = "Added", body = ShareInfoAdded), ZusErrors))]
async fn add_share_info(
    State(state): State<AppState>,
    Caller(actor): Caller,
    request: Request,
) -> Result<Json<ShareInfoAdded>, ZusError> {
    let form = ShareInfoForm::read(request, &state).await?;
    let raw = form
        .auth_ticket
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| ZusError::bad("auth_ticket is required"))?;
    let ticket = decode_ticket(&raw)?;
    let share = files::add_share_info(
        &state.store,
        &actor,
        &ticket,
        form.message.as_deref().unwrap_or_default(),
        form.share_info_type.as_deref(),
        form.link.as_deref().filter(|l| !l.is_empty()),
    )
    .await?;
    Ok(Json(ShareInfoAdded {
        message: "shareinfo added successfully",
        data: AddedShareInfo {
            auth_ticket: share.auth_ticket,
            message: share.message,
            share_info_type: share.share_info_type,
            client_id: share.owner.user_id.to_string(),
            receiver: share.recipient.as_ref().map(|p| p.user_id.to_string()).unwrap_or_default(),
            lookup_hash: share.lookup_hash,
            sender_name: share.owner.username,
            link: share.link.unwrap_or_default(),
            receiver_name: share.recipient.map(|p| p.username).unwrap_or_default(),
        },
    }))
}

#[derive(Serialize, ToSchema)]
struct ShareInfoAdded {
    message: &'static str,
    data: AddedShareInfo,
}

#[derive(Serialize, ToSchema)]
struct AddedShareInfo {
    auth_ticket: Option<String>,
    message: String,
    share_info_type: String,
    /// The sender's user id.
    client_id: String,
    /// The receiver's user id.
    receiver: String,
    lookup_hash: Option<String>,
    sender_name: String,
    link: String,
    receiver_name: String,
}

/// The gosdk auth ticket: base64 of a JSON marker naming receiver, owner and file.
fn decode_ticket(raw: &str) -> Result<Ticket, ZusError> {
    use base64::engine::general_purpose::{STANDARD, URL_SAFE, URL_SAFE_NO_PAD};
    let trimmed = raw.trim();
    let bytes = STANDARD
        .decode(trimmed)
        .or_else(|_| URL_SAFE.decode(trimmed))
        .or_else(|_| URL_SAFE_NO_PAD.decode(trimmed.trim_end_matches('=')))
        .map_err(|_| ZusError::bad("auth_ticket is not valid base64"))?;
    let marker: Value = serde_json::from_slice(&bytes)
        .map_err(|_| ZusError::bad("auth_ticket does not hold a JSON ticket"))?;
    let text = |name: &str| marker.get(name).and_then(Value::as_str).unwrap_or_default().to_owned();
    Ok(Ticket {
        receiver: text("client_id"),
        owner: text("owner_id"),
        lookup_hash: text("file_path_hash"),
        file_name: text("file_name"),
        raw: trimmed.to_owned(),
    })
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ShareInfoQuery {
    /// `private` or `public`: required.
    #[serde(rename = "shareInfoType")]
    share_info_type: Option<String>,
    lookup_hash: Option<String>,
    #[serde(default)]
    #[param(value_type = Option<i64>)]
    limit: Option<String>,
    #[serde(default)]
    #[param(value_type = Option<i64>)]
    offset: Option<String>,
    /// Accepted for compatibility; Sharewell has no AI shares to exclude.
    #[serde(rename = "exclude_ai")]
    _exclude_ai: Option<String>,
}

/// What the caller shared.
#[utoipa::path(get, path = "/v2/shareinfo/shared", params(ShareInfoQuery),
    responses((status = 200, description = "The caller's shares", body = SentShareInfoList), ZusErrors))]
async fn sent_share_info(
    state: State<AppState>,
    caller: Caller,
    Query(query): Query<ShareInfoQuery>,
) -> Result<Json<Listing<ShareInfo>>, ZusError> {
    list_share_info(state, caller, query, false).await
}

/// What was shared with the caller.
#[utoipa::path(get, path = "/v2/shareinfo/received", params(ShareInfoQuery),
    responses((status = 200, description = "The shares the caller received", body = ReceivedShareInfoList), ZusErrors))]
async fn received_share_info(
    state: State<AppState>,
    caller: Caller,
    Query(query): Query<ShareInfoQuery>,
) -> Result<Json<Listing<ShareInfo>>, ZusError> {
    list_share_info(state, caller, query, true).await
}

async fn list_share_info(
    State(state): State<AppState>,
    Caller(actor): Caller,
    query: ShareInfoQuery,
    received: bool,
) -> Result<Json<Listing<ShareInfo>>, ZusError> {
    let kind = query
        .share_info_type
        .filter(|k| !k.trim().is_empty())
        .ok_or_else(|| ZusError::bad("shareInfoType is required"))?;
    let (limit, offset) = (number("limit", query.limit)?, number("offset", query.offset)?);
    let shares = files::shares(
        &state.store,
        &actor,
        received,
        Some(kind.trim()),
        query.lookup_hash.as_deref().filter(|h| !h.is_empty()),
        limit,
        offset,
    )
    .await?;
    let data = shares.into_iter().map(|share| share_info(share, received)).collect();
    Ok(listing(data))
}

/// A share as the listing shows it: the sent and received views differ.
#[derive(Serialize)]
#[serde(untagged)]
enum ShareInfo {
    Sent(SentShareInfo),
    Received(ReceivedShareInfo),
}

#[derive(Serialize, ToSchema)]
struct ReceivedShareInfo {
    auth_ticket: String,
    message: String,
    share_info_type: String,
    /// The sender's user id.
    client_id: String,
    receiver_client_id: String,
    lookup_hash: String,
    sender_name: String,
    link: String,
    created_at: String,
    updated_at: String,
}

#[derive(Serialize, ToSchema)]
struct SentShareInfo {
    id: String,
    auth_ticket: String,
    message: String,
    share_info_type: String,
    receiver_client_id: String,
    link: String,
    receiver_name: String,
    lookup_hash: String,
    created_at: String,
    updated_at: String,
}

/// `/v2/shareinfo/shared`'s answer, as documented.
#[derive(ToSchema)]
#[allow(dead_code)] // the schema of `Listing<ShareInfo>` with sent shares
struct SentShareInfoList {
    message: String,
    data: Vec<SentShareInfo>,
}

/// `/v2/shareinfo/received`'s answer, as documented.
#[derive(ToSchema)]
#[allow(dead_code)] // the schema of `Listing<ShareInfo>` with received shares
struct ReceivedShareInfoList {
    message: String,
    data: Vec<ReceivedShareInfo>,
}

fn share_info(share: PersonShare, received: bool) -> ShareInfo {
    let receiver_client_id =
        share.recipient.as_ref().map(|p| p.user_id.to_string()).unwrap_or_default();
    if received {
        ShareInfo::Received(ReceivedShareInfo {
            auth_ticket: share.auth_ticket.unwrap_or_default(),
            message: share.message,
            share_info_type: share.share_info_type,
            client_id: share.owner.user_id.to_string(),
            receiver_client_id,
            lookup_hash: share.lookup_hash.unwrap_or_default(),
            sender_name: share.owner.username,
            link: share.link.unwrap_or_default(),
            created_at: share.created_at,
            updated_at: share.updated_at,
        })
    } else {
        ShareInfo::Sent(SentShareInfo {
            id: share.id,
            auth_ticket: share.auth_ticket.unwrap_or_default(),
            message: share.message,
            share_info_type: share.share_info_type,
            receiver_client_id,
            link: share.link.unwrap_or_default(),
            receiver_name: share.recipient.map(|p| p.username).unwrap_or_default(),
            lookup_hash: share.lookup_hash.unwrap_or_default(),
            created_at: share.created_at,
            updated_at: share.updated_at,
        })
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct DeleteShareInfoQuery {
    auth_ticket: Option<String>,
    lookup_hash: Option<String>,
}

/// Deletes the caller's shares of a ticket or a file.
#[utoipa::path(delete, path = "/v2/shareinfo", params(DeleteShareInfoQuery),
    responses((status = 200, description = "What was deleted, in a sentence", body = Done), ZusErrors))]
async fn delete_share_info(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Query(query): Query<DeleteShareInfoQuery>,
) -> Result<Json<Done>, ZusError> {
    let deleted = files::delete_shares(
        &state.store,
        &actor,
        Face::Zus,
        query.auth_ticket.as_deref(),
        query.lookup_hash.as_deref(),
    )
    .await?;
    let message = if deleted > 0 {
        "deleting shareinfo successful"
    } else {
        "no shareinfo was deleted for these details"
    };
    Ok(Json(Done { message }))
}

#[derive(Deserialize, ToSchema)]
struct CreateRequestBody {
    /// The file owner's user id: required.
    owner_id: Option<String>,
    auth_ticket: Option<String>,
    lookup_hash: Option<String>,
    #[serde(default)]
    message: String,
}

/// Asks a file's owner for access (`lookup_hash`, or the one in `auth_ticket`).
#[utoipa::path(post, path = "/v2/sharereq", request_body = CreateRequestBody,
    responses((status = 200, description = "Requested", body = Done), ZusErrors))]
async fn create_request(
    State(state): State<AppState>,
    Caller(actor): Caller,
    body: axum::body::Bytes,
) -> Result<Json<Done>, ZusError> {
    let body: CreateRequestBody =
        serde_json::from_slice(&body).map_err(|e| ZusError::bad(&format!("invalid body: {e}")))?;
    let owner = body
        .owner_id
        .filter(|o| !o.trim().is_empty())
        .ok_or_else(|| ZusError::bad("owner_id is required"))?;
    let lookup_hash = body
        .lookup_hash
        .filter(|h| !h.trim().is_empty())
        .or_else(|| {
            body.auth_ticket.as_deref().and_then(|t| decode_ticket(t).ok()).map(|t| t.lookup_hash)
        })
        .ok_or_else(|| ZusError::bad("lookup_hash is required"))?;
    files::request_access(
        &state.store,
        &actor,
        Face::Zus,
        &owner,
        &lookup_hash,
        body.auth_ticket.as_deref(),
        &body.message,
    )
    .await?;
    Ok(Json(Done { message: "New Share Request is created" }))
}

#[derive(Deserialize, ToSchema)]
struct AnswerBody {
    /// The request's id, a string or a number: required.
    #[schema(value_type = Option<String>)]
    id: Option<Value>,
    /// `approved` or `declined`: required.
    status: Option<String>,
    link: Option<String>,
    auth_ticket: Option<String>,
}

/// The owner answers a request.
#[utoipa::path(put, path = "/v2/sharereq", request_body = AnswerBody,
    responses((status = 200, description = "Answered", body = Done), ZusErrors))]
async fn answer_request(
    State(state): State<AppState>,
    Caller(actor): Caller,
    body: axum::body::Bytes,
) -> Result<Json<Done>, ZusError> {
    let body: AnswerBody =
        serde_json::from_slice(&body).map_err(|e| ZusError::bad(&format!("invalid body: {e}")))?;
    let id = match body.id {
        Some(Value::String(id)) => id,
        Some(Value::Number(id)) => id.to_string(),
        _ => return Err(ZusError::bad("id is required")),
    };
    let status = body.status.ok_or_else(|| ZusError::bad("status is required"))?;
    let answer = Answer {
        link: body.link.as_deref(),
        auth_ticket: body.auth_ticket.as_deref(),
        message: "",
    };
    files::answer_request(&state.store, &actor, Face::Zus, &id, &status, answer).await?;
    Ok(Json(Done { message: "share request updated successfully" }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct IdQuery {
    /// The request's id: required.
    id: Option<String>,
}

/// The requester withdraws a request.
#[utoipa::path(delete, path = "/v2/sharereq", params(IdQuery),
    responses((status = 200, description = "Withdrawn", body = Done), ZusErrors))]
async fn withdraw_request(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Query(query): Query<IdQuery>,
) -> Result<Json<Done>, ZusError> {
    let id = query
        .id
        .filter(|id| !id.trim().is_empty())
        .ok_or_else(|| ZusError::bad("id is required"))?;
    files::withdraw_request(&state.store, &actor, Face::Zus, &id).await?;
    Ok(Json(Done { message: "share request deleted successfully" }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct RequestQuery {
    /// Received requests: only this requester's (a user id).
    client_id: Option<String>,
    /// Sent requests: only to this owner (a user id).
    owner_id: Option<String>,
    lookup_hash: Option<String>,
    /// `pending`, `approved` or `declined`.
    status: Option<String>,
    /// `true`: answered ones too.
    all: Option<String>,
    #[param(value_type = Option<i64>)]
    offset: Option<String>,
    #[param(value_type = Option<i64>)]
    limit: Option<String>,
}

/// Requests for the caller's files.
#[utoipa::path(get, path = "/v2/sharereq/received", params(RequestQuery),
    responses((status = 200, description = "The requests", body = RequestList), ZusErrors))]
async fn received_requests(
    state: State<AppState>,
    caller: Caller,
    Query(query): Query<RequestQuery>,
) -> Result<Json<Listing<ShareRequest>>, ZusError> {
    list_requests(state, caller, query, true).await
}

/// The caller's own requests.
#[utoipa::path(get, path = "/v2/sharereq/requested", params(RequestQuery),
    responses((status = 200, description = "The requests", body = RequestList), ZusErrors))]
async fn sent_requests(
    state: State<AppState>,
    caller: Caller,
    Query(query): Query<RequestQuery>,
) -> Result<Json<Listing<ShareRequest>>, ZusError> {
    list_requests(state, caller, query, false).await
}

async fn list_requests(
    State(state): State<AppState>,
    Caller(actor): Caller,
    query: RequestQuery,
    received: bool,
) -> Result<Json<Listing<ShareRequest>>, ZusError> {
    let counterpart_field = if received { "client_id" } else { "owner_id" };
    let counterpart = if received { query.client_id } else { query.owner_id };
    let counterpart = counterpart
        .filter(|id| !id.trim().is_empty())
        .map(|id| {
            id.trim()
                .parse()
                .map_err(|_| ZusError::bad(&format!("{counterpart_field} is not a user id")))
        })
        .transpose()?;
    let status = query
        .status
        .filter(|s| !s.trim().is_empty())
        .map(|s| {
            RequestStatus::parse(s.trim())
                .ok_or_else(|| ZusError::bad("status must be pending, approved or declined"))
        })
        .transpose()?;
    let filter = RequestFilter {
        counterpart,
        lookup_hash: query.lookup_hash.filter(|h| !h.is_empty()),
        status,
        all: query.all.as_deref() == Some("true"),
        order: None,
        offset: number("offset", query.offset)?,
        limit: number("limit", query.limit)?,
    };
    let requests = files::requests(&state.store, &actor, received, &filter).await?;
    Ok(listing(requests.into_iter().map(request_json).collect()))
}

#[derive(Serialize, ToSchema)]
struct ShareRequest {
    id: String,
    owner_id: String,
    /// The requester's user id.
    client_id: String,
    lookup_hash: String,
    /// `pending`, `approved` or `declined`.
    status: &'static str,
    message: String,
    created_at: String,
}

/// The share requests' listing, as documented.
#[derive(ToSchema)]
#[allow(dead_code)] // the schema of `Listing<ShareRequest>`
struct RequestList {
    message: String,
    data: Vec<ShareRequest>,
}

fn request_json(request: AccessRequest) -> ShareRequest {
    ShareRequest {
        id: request.id,
        owner_id: request.owner.user_id.to_string(),
        client_id: request.requester.user_id.to_string(),
        lookup_hash: request.lookup_hash,
        status: request.status.as_str(),
        message: request.message,
        created_at: request.created_at,
    }
}

/// `{"message", "data"}`, the message saying whether there is any.
#[derive(Serialize)]
struct Listing<T> {
    message: &'static str,
    data: Vec<T>,
}

fn listing<T>(data: Vec<T>) -> Json<Listing<T>> {
    let message = if data.is_empty() {
        "No data present for the given details"
    } else {
        "Data is present for the given details"
    };
    Json(Listing { message, data })
}

/// A query number; absent or empty is 0 (the service's default).
fn number(field: &str, text: Option<String>) -> Result<i64, ZusError> {
    match text.as_deref().map(str::trim) {
        None | Some("") => Ok(0),
        Some(text) => text.parse().map_err(|_| ZusError::bad(&format!("{field} must be a number"))),
    }
}

/// `{"message", "error"}` with a 4xx (or, for our own failures, 500) status.
pub struct ZusError {
    status: StatusCode,
    message: String,
    error: String,
}

impl ZusError {
    fn bad(message: &str) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            message: message.to_owned(),
            error: "invalid_request".into(),
        }
    }
}

impl From<super::Refusal> for ZusError {
    fn from(refusal: super::Refusal) -> Self {
        let error =
            if refusal.status.is_client_error() { "invalid_request" } else { "internal_error" };
        Self { status: refusal.status, message: refusal.message, error: error.to_owned() }
    }
}

impl From<DomainError> for ZusError {
    fn from(error: DomainError) -> Self {
        let status = super::status_of(&error);
        let code = match status {
            StatusCode::NOT_FOUND => "not_found",
            StatusCode::UNAUTHORIZED => "unauthorized",
            StatusCode::FORBIDDEN => "forbidden",
            StatusCode::CONFLICT => "conflict",
            StatusCode::INTERNAL_SERVER_ERROR => "internal_error",
            StatusCode::SERVICE_UNAVAILABLE => "service_unavailable",
            _ => "invalid_request",
        };
        Self { status, message: error.to_string(), error: code.to_owned() }
    }
}

impl IntoResponse for ZusError {
    fn into_response(self) -> Response {
        (self.status, Json(ErrorBody { message: self.message, error: self.error })).into_response()
    }
}
