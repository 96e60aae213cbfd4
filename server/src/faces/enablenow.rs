//! EnableNow Sharing API v1, `/v1/shares` (contract: shared/seeds/003; client shape: WIRE.md).
//!
//! Answers `{"data": ...}` (lists add `_pagination`); errors are RFC 9457 problem details
//! (`application/problem+json`) with per-field messages under `errors` and the request id as
//! `traceId`. A share is for one client (the recipient org) until its expiry, which defaults
//! to one day; it is effective at once (EnableNow has no transitional states).

use std::collections::BTreeMap;

use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use app::domain::account_shares::service::{self as shares, Account, Completion};
use app::domain::account_shares::{
    AccountShare, Direction, NewAccountShare, NewShareResource, RecipientRef, ShareQuery,
    ShareStatus, FACE_ENABLENOW,
};
use app::domain::identity::{Actor, Face};
use app::domain::paging::Cursor;
use app::domain::{clock, DomainError};

use super::{Caller, JsonBody};
use crate::openapi::BearerToken;
use crate::startup::AppState;

const FACE: Face = Face::EnableNow;
const DEFAULT_PAGE_SIZE: i64 = 50;
const MAX_PAGE_SIZE: i64 = 100;

/// The id lists of a share, by wire name and stored resource type.
const ID_LISTS: [(&str, &str); 3] =
    [("consentIds", "consent"), ("accountIds", "account"), ("analysisIds", "analysis")];

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Sharewell: EnableNow Sharing API v1",
        description = "Shares of consents, accounts and analyses with one client, until their \
            expiry. Answers are `{\"data\": …}`; errors are RFC 9457 problem details.",
    ),
    modifiers(&BearerToken),
    security(("bearer" = [])),
    components(schemas(ProblemBody)),
)]
struct EnableNowDocument;

/// Every route of the face, with its document.
pub fn openapi_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(EnableNowDocument::openapi())
        .routes(routes!(list_shares, create_share))
        .routes(routes!(get_share, update_share, delete_share))
        .layer(axum::middleware::from_fn(with_trace_id))
}

pub fn router() -> Router<AppState> {
    openapi_router().split_for_parts().0
}

/// `/openapi/enablenow.json`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    openapi_router().into_openapi()
}

tokio::task_local! {
    /// The request id of the request being answered, for problem details' `traceId`.
    static TRACE_ID: String;
}

async fn with_trace_id(request: Request, next: Next) -> Response {
    let trace_id = request
        .headers()
        .get("x-request-id")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    TRACE_ID.scope(trace_id, next.run(request)).await
}

// ---- handlers --------------------------------------------------------------------------------

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct CreateBody {
    /// The client (recipient org) the share is for: required.
    client_id: Option<String>,
    reference: Option<String>,
    /// When the share ends (ISO 8601, in the future); one day from now when absent.
    expiration_date_utc: Option<String>,
    /// GUIDs, each.
    consent_ids: Option<Vec<String>>,
    account_ids: Option<Vec<String>>,
    analysis_ids: Option<Vec<String>>,
}

/// Shares consents, accounts and analyses with a client; the answer is the new share's id.
#[utoipa::path(post, path = "/v1/shares", request_body = CreateBody,
    responses((status = 201, description = "The new share's id", body = CreatedBody), ProblemAnswers))]
async fn create_share(
    State(state): State<AppState>,
    Caller(actor): Caller,
    JsonBody(body): JsonBody<CreateBody>,
) -> Result<Response, Problem> {
    let mut problems = Problems::default();
    let client_id = body.client_id.as_deref().map(str::trim).unwrap_or_default().to_owned();
    if client_id.is_empty() {
        problems.add("clientId", "The clientId field is required.");
    }
    let expires_at = expiry(body.expiration_date_utc.as_deref(), &mut problems);
    let lists = [body.consent_ids, body.account_ids, body.analysis_ids];
    let mut resources = Vec::new();
    for ((field, resource_type), ids) in ID_LISTS.iter().zip(lists) {
        for (index, id) in ids.unwrap_or_default().into_iter().enumerate() {
            match uuid::Uuid::parse_str(id.trim()) {
                Ok(guid) => resources.push(NewShareResource {
                    resource_type: (*resource_type).to_owned(),
                    resource_id: guid.hyphenated().to_string(),
                    resource_account_id: actor.org_id.to_string(),
                    meta: "{}".to_owned(),
                }),
                Err(_) => problems
                    .add(&format!("{field}[{index}]"), &format!("'{id}' is not a valid GUID.")),
            }
        }
    }
    problems.into_result()?;

    let account = own_account(&state, &actor).await?;
    let reference = body.reference.filter(|reference| !reference.trim().is_empty());
    let new = NewAccountShare {
        name: reference.clone().unwrap_or_else(|| "EnableNow share".to_owned()),
        reference,
        recipients: vec![RecipientRef::Account(client_id)],
        resources,
        expires_at: Some(expires_at.unwrap_or_else(|| clock::now_plus(time::Duration::days(1)))),
        associate_now: true,
    };
    let share = shares::create(&state.store, &actor, FACE, account, new).await?;
    Ok((StatusCode::CREATED, Json(CreatedBody { data: share.id.to_string() })).into_response())
}

#[derive(Serialize, ToSchema)]
struct CreatedBody {
    /// The new share's id.
    data: String,
}

/// Read from the raw query so that an unreadable value is a problem naming its field.
#[derive(Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
struct ListParams {
    /// Only expired (`true`) or only live (`false`) shares; both when absent.
    #[param(value_type = Option<bool>)]
    is_expired: Option<String>,
    /// From 1.
    #[param(value_type = Option<i32>, minimum = 1)]
    page: Option<String>,
    /// 1 to 100; 50 when absent.
    #[param(value_type = Option<i32>, minimum = 1, maximum = 100)]
    page_size: Option<String>,
    /// `_pagination.nextCursor` of the page before: keyset paging beside `page`.
    cursor: Option<String>,
}

/// The caller's org's shares, newest first.
#[utoipa::path(get, path = "/v1/shares", params(ListParams),
    responses((status = 200, description = "A page of shares", body = ShareList), ProblemAnswers))]
async fn list_shares(
    State(state): State<AppState>,
    Caller(actor): Caller,
    RawQuery(query): RawQuery,
) -> Result<Json<ShareList>, Problem> {
    let mut problems = Problems::default();
    let params: ListParams = serde_urlencoded::from_str(query.as_deref().unwrap_or_default())
        .map_err(|error| {
            let mut problems = Problems::default();
            problems.add("query", &format!("The query string could not be read: {error}."));
            problems.into_problem()
        })?;
    let expired = match params.is_expired.as_deref().map(str::to_ascii_lowercase).as_deref() {
        None | Some("") => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(other) => {
            problems.add("isExpired", &format!("The value '{other}' is not valid for isExpired."));
            None
        }
    };
    let page = number(params.page.as_deref(), "page", 1, i64::from(i32::MAX), &mut problems);
    let page_size =
        number(params.page_size.as_deref(), "pageSize", 1, MAX_PAGE_SIZE, &mut problems);
    let after = match params.cursor.as_deref().map(Cursor::decode).transpose() {
        Ok(after) => after,
        Err(_) => {
            problems.add("cursor", "The value is not a cursor this list gave out.");
            None
        }
    };
    problems.into_result()?;

    let account = own_account(&state, &actor).await?;
    let (page, page_size) = (page.unwrap_or(1), page_size.unwrap_or(DEFAULT_PAGE_SIZE));
    let query = ShareQuery {
        face: Some(FACE_ENABLENOW.to_owned()),
        direction: Some(Direction::Sent),
        status: Some(ShareStatus::Active),
        expired,
        page,
        per_page: page_size,
        after,
        ..ShareQuery::default()
    };
    let found = shares::list(&state.store, account, &query).await?;
    let total_pages = found.total_pages();
    Ok(Json(ShareList {
        data: found.shares.iter().map(ShareBody::from).collect(),
        pagination: Pagination {
            page,
            page_size,
            total_count: found.total,
            total_pages,
            next_cursor: found.next,
        },
    }))
}

#[derive(Serialize, ToSchema)]
struct ShareList {
    data: Vec<ShareBody>,
    #[serde(rename = "_pagination")]
    pagination: Pagination,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct Pagination {
    page: i64,
    page_size: i64,
    /// Exact up to 10,000; past that a lower bound.
    total_count: i64,
    total_pages: i64,
    /// Keyset paging beside the numbered pages: send it back as `cursor=`.
    #[serde(skip_serializing_if = "Option::is_none")]
    next_cursor: Option<String>,
}

#[derive(Serialize, ToSchema)]
struct ShareEnvelope {
    data: ShareBody,
}

/// A share as EnableNow shows it.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct ShareBody {
    id: String,
    client_id: Option<String>,
    reference: Option<String>,
    expiration_date_utc: Option<String>,
    is_expired: bool,
    created_date_utc: String,
    modified_date_utc: String,
    consent_ids: Vec<String>,
    account_ids: Vec<String>,
    analysis_ids: Vec<String>,
}

impl From<&AccountShare> for ShareBody {
    fn from(share: &AccountShare) -> Self {
        let [consent_ids, account_ids, analysis_ids] =
            ID_LISTS.map(|(_, resource_type)| share.resource_ids(resource_type));
        ShareBody {
            id: share.id.to_string(),
            client_id: share.recipients.first().map(|recipient| recipient.org_id.to_string()),
            reference: share.reference.clone(),
            expiration_date_utc: share.expires_at.clone(),
            is_expired: share.expired,
            created_date_utc: share.created_at.clone(),
            modified_date_utc: share.updated_at.clone(),
            consent_ids,
            account_ids,
            analysis_ids,
        }
    }
}

#[utoipa::path(get, path = "/v1/shares/{share_id}", params(("share_id" = String, Path)),
    responses((status = 200, description = "The share", body = ShareEnvelope), ProblemAnswers))]
async fn get_share(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(share_id): Path<String>,
) -> Result<Json<ShareEnvelope>, Problem> {
    let account = own_account(&state, &actor).await?;
    let share = own_share(&state, account, &share_id).await?;
    Ok(Json(ShareEnvelope { data: ShareBody::from(&share) }))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct UpdateBody {
    /// The new expiry (ISO 8601, in the future); one day from now when absent.
    expiration_date_utc: Option<String>,
}

/// Changes a share's expiry.
#[utoipa::path(put, path = "/v1/shares/{share_id}", params(("share_id" = String, Path)),
    request_body = UpdateBody,
    responses((status = 200, description = "The share after the change", body = ShareEnvelope), ProblemAnswers))]
async fn update_share(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(share_id): Path<String>,
    JsonBody(body): JsonBody<UpdateBody>,
) -> Result<Json<ShareEnvelope>, Problem> {
    let mut problems = Problems::default();
    let expires_at = expiry(body.expiration_date_utc.as_deref(), &mut problems);
    problems.into_result()?;
    let expires_at = expires_at.unwrap_or_else(|| clock::now_plus(time::Duration::days(1)));
    let account = own_account(&state, &actor).await?;
    let share = own_share(&state, account, &share_id).await?;
    let share =
        shares::set_expiry(&state.store, &actor, FACE, account, &share.id.to_string(), &expires_at)
            .await?;
    Ok(Json(ShareEnvelope { data: ShareBody::from(&share) }))
}

/// Ends a share at once.
#[utoipa::path(delete, path = "/v1/shares/{share_id}", params(("share_id" = String, Path)),
    responses((status = 204, description = "Deleted"), ProblemAnswers))]
async fn delete_share(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(share_id): Path<String>,
) -> Result<StatusCode, Problem> {
    let account = own_account(&state, &actor).await?;
    let share = own_share(&state, account, &share_id).await?;
    shares::delete(&state.store, &actor, FACE, account, &share.id.to_string(), Completion::Now)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---- helpers ---------------------------------------------------------------------------------

async fn own_account(state: &AppState, actor: &Actor) -> Result<Account, Problem> {
    Ok(shares::account(&state.store, actor, &actor.org_id.to_string()).await?)
}

/// A live EnableNow share of the caller's org; anything else is 404.
async fn own_share(
    state: &AppState,
    account: Account,
    share_id: &str,
) -> Result<AccountShare, Problem> {
    let share = shares::get(&state.store, FACE, account, share_id).await?;
    if share.face == FACE_ENABLENOW
        && share.owner_org_id == account.org_id
        && share.status == ShareStatus::Active
    {
        Ok(share)
    } else {
        Err(DomainError::NotFound("share").into())
    }
}

/// A client's expiry: absent is `None` (the caller applies the default), unreadable or past
/// is a problem.
fn expiry(text: Option<&str>, problems: &mut Problems) -> Option<String> {
    let text = text.map(str::trim).filter(|text| !text.is_empty())?;
    match clock::parse_client_time(text) {
        None => {
            problems.add("expirationDateUtc", &format!("'{text}' is not a valid date-time."));
            None
        }
        Some(moment) if moment <= clock::now() => {
            problems.add("expirationDateUtc", "The expiration date must be in the future.");
            None
        }
        Some(moment) => Some(moment),
    }
}

fn number(
    text: Option<&str>,
    field: &str,
    min: i64,
    max: i64,
    problems: &mut Problems,
) -> Option<i64> {
    let text = text.map(str::trim).filter(|text| !text.is_empty())?;
    match text.parse::<i64>() {
        Ok(value) if (min..=max).contains(&value) => Some(value),
        _ => {
            problems
                .add(field, &format!("{field} must be a whole number between {min} and {max}."));
            None
        }
    }
}

// ---- extractors and errors -------------------------------------------------------------------

/// Validation messages collected per field, reported together.
#[derive(Default)]
struct Problems(BTreeMap<String, Vec<String>>);

impl Problems {
    fn add(&mut self, field: &str, message: &str) {
        self.0.entry(field.to_owned()).or_default().push(message.to_owned());
    }

    fn into_result(self) -> Result<(), Problem> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(self.into_problem())
        }
    }

    fn into_problem(self) -> Problem {
        Problem {
            status: StatusCode::BAD_REQUEST,
            title: "One or more validation errors occurred.".to_owned(),
            errors: self.0,
        }
    }
}

/// The problems any operation may answer with, as `application/problem+json`.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)] // only its documentation is used
enum ProblemAnswers {
    /// Validation failed: `errors` holds the messages per field.
    #[response(status = 400, content_type = "application/problem+json")]
    Invalid(#[to_schema] ProblemBody),
    /// No token, or an unknown, revoked or expired one.
    #[response(status = 401, content_type = "application/problem+json")]
    Unauthorized(#[to_schema] ProblemBody),
    /// The caller's role (or a read-only token) does not allow it.
    #[response(status = 403, content_type = "application/problem+json")]
    Forbidden(#[to_schema] ProblemBody),
    /// No such share of the caller's org.
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(#[to_schema] ProblemBody),
    /// It clashes with the share's state.
    #[response(status = 409, content_type = "application/problem+json")]
    Conflict(#[to_schema] ProblemBody),
    /// The body is larger than the server accepts.
    #[response(status = 413, content_type = "application/problem+json")]
    TooLarge(#[to_schema] ProblemBody),
    /// The database is briefly unavailable; try again.
    #[response(status = 503, content_type = "application/problem+json")]
    Unavailable(#[to_schema] ProblemBody),
}

/// An RFC 9457 problem as sent.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct ProblemBody {
    /// The RFC 9110 section of the status.
    r#type: &'static str,
    title: String,
    status: u16,
    /// The request id (`x-request-id`).
    trace_id: String,
    /// Messages per field (`consentIds[0]`, `expirationDateUtc`, …) when validation failed.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    errors: BTreeMap<String, Vec<String>>,
}

/// An RFC 9457 problem.
pub struct Problem {
    status: StatusCode,
    title: String,
    errors: BTreeMap<String, Vec<String>>,
}

/// A problem answered outside this face's handlers (by the guard or the shared extractors),
/// where the trace id may not be in scope yet.
pub fn problem_response(request_id: &str, problem: Problem) -> Response {
    TRACE_ID.sync_scope(request_id.to_owned(), || problem.into_response())
}

impl From<super::Refusal> for Problem {
    fn from(refusal: super::Refusal) -> Self {
        Problem { status: refusal.status, title: refusal.message, errors: BTreeMap::new() }
    }
}

impl From<DomainError> for Problem {
    fn from(error: DomainError) -> Self {
        let status = super::status_of(&error);
        match error {
            DomainError::Invalid { field, message } => {
                // The domain's names for the fields, in this face's words.
                let field = match field.as_str() {
                    recipients if recipients.starts_with("recipients") => "clientId".to_owned(),
                    "expires_at" => "expirationDateUtc".to_owned(),
                    _ => field,
                };
                let mut problems = Problems::default();
                problems.add(&field, &message);
                problems.into_problem()
            }
            other => Problem { status, title: other.to_string(), errors: BTreeMap::new() },
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let trace_id = TRACE_ID.try_with(Clone::clone).unwrap_or_default();
        let kind = match self.status.as_u16() {
            400 => "https://tools.ietf.org/html/rfc9110#section-15.5.1",
            401 => "https://tools.ietf.org/html/rfc9110#section-15.5.2",
            403 => "https://tools.ietf.org/html/rfc9110#section-15.5.4",
            404 => "https://tools.ietf.org/html/rfc9110#section-15.5.5",
            408 => "https://tools.ietf.org/html/rfc9110#section-15.5.9",
            409 => "https://tools.ietf.org/html/rfc9110#section-15.5.10",
            413 => "https://tools.ietf.org/html/rfc9110#section-15.5.14",
            503 => "https://tools.ietf.org/html/rfc9110#section-15.6.4",
            _ => "https://tools.ietf.org/html/rfc9110#section-15.6.1",
        };
        let body = ProblemBody {
            r#type: kind,
            title: self.title,
            status: self.status.as_u16(),
            trace_id,
            errors: self.errors,
        };
        let mut response = (self.status, Json(body)).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            "application/problem+json".parse().expect("valid header"),
        );
        response
    }
}
