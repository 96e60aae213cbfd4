//! Cloudflare Resource Sharing, `/client/v4/...` (contract: shared/seeds/004; clients: the npm
//! and PyPI `cloudflare` SDKs, see shared/WIRE.md).
//!
//! Every answer is the v4 envelope `{success, errors, messages, result}`; lists add
//! `result_info` and answer a page past the end with an empty `result`, which is how the SDKs'
//! auto-pagination stops. The SDKs retry 408, 409, 429 and 5xx, so client errors are 400, 401,
//! 403 or 404 only. Ids are 32 lowercase hex digits; either form is accepted.

use axum::extract::{Path, RawPathParams, RawQuery, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::{IntoParams, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use app::domain::account_shares::service::{self as shares, Account, Completion};
use app::domain::account_shares::{
    AccountShare, AccountSharePage, Association, Direction, NewAccountShare, NewShareResource,
    RecipientRef, ResourceFilter, ShareOrder, ShareQuery, ShareRecipient, ShareResource,
    ShareStatus, TargetType, FACE_CLOUDFLARE,
};
use app::domain::identity::{Actor, Face};
use app::domain::paging::Cursor;
use app::domain::DomainError;

use super::{Caller, JsonBody};
use crate::bearer::actor_from_bearer;
use crate::openapi::BearerToken;
use crate::startup::AppState;

const FACE: Face = Face::Cloudflare;
const DEFAULT_PER_PAGE: i64 = 20;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Sharewell: Cloudflare Resource Sharing",
        description = "Account shares, their recipients and resources, as the `cloudflare` SDKs \
            call them. Every answer is the v4 envelope `{success, errors, messages, result}`; \
            lists add `result_info`. Ids are 32 lowercase hex digits (hyphenated ones are \
            accepted).",
    ),
    modifiers(&BearerToken),
    security(("bearer" = [])),
    components(schemas(ErrorEnvelope)),
)]
struct CloudflareDocument;

/// Every route of the face, with its document.
pub fn openapi_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(CloudflareDocument::openapi())
        .routes(routes!(list_shares, create_share))
        .routes(routes!(get_share, update_share, delete_share))
        .routes(routes!(list_recipients, create_recipient, replace_recipients))
        .routes(routes!(get_recipient, delete_recipient))
        .routes(routes!(list_resources, create_resource))
        .routes(routes!(get_resource, update_resource, delete_resource))
        .routes(routes!(list_organization_shares))
}

pub fn router() -> Router<AppState> {
    openapi_router().split_for_parts().0
}

/// `/openapi/cloudflare.json`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    openapi_router().into_openapi()
}

/// The errors any operation may answer with (the SDKs retry 408, 409, 429 and 5xx, so a
/// client's mistake is one of these).
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)] // only its documentation is used
enum CloudflareErrors {
    /// Invalid (code 1001), a conflict included.
    #[response(status = 400)]
    Invalid(#[to_schema] ErrorEnvelope),
    /// No token, or an unknown, revoked or expired one (code 10000).
    #[response(status = 401)]
    Unauthorized(#[to_schema] ErrorEnvelope),
    /// Not allowed for this account (code 10000).
    #[response(status = 403)]
    Forbidden(#[to_schema] ErrorEnvelope),
    /// No such account, share, recipient or resource (code 1002).
    #[response(status = 404)]
    NotFound(#[to_schema] ErrorEnvelope),
    /// The body is larger than the server accepts.
    #[response(status = 413)]
    TooLarge(#[to_schema] ErrorEnvelope),
    /// The database is briefly unavailable (code 1000); the SDKs retry.
    #[response(status = 503)]
    Unavailable(#[to_schema] ErrorEnvelope),
}

/// The query of the share lists (read by hand: keys repeat).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // the parameters `QueryParams` reads
struct ShareListParams {
    /// From 1.
    page: Option<i64>,
    /// 20 when absent.
    per_page: Option<i64>,
    /// `sent` or `received`.
    kind: Option<String>,
    /// `active`, `deleting` or `deleted`.
    status: Option<String>,
    /// `account` or `organization`.
    target_type: Option<String>,
    /// Only shares carrying these resource types (also `resource_types[]`).
    resource_types: Option<Vec<String>>,
    /// `name` or `created`.
    order: Option<String>,
    /// `asc` or `desc`.
    direction: Option<String>,
    include_recipient_counts: Option<bool>,
    include_resources: Option<bool>,
    /// Sharewell shares carry no tags: any tag matches nothing.
    tag: Option<String>,
    /// `result_info.cursor` of the page before: keyset paging beside `page`.
    cursor: Option<String>,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // the parameters `QueryParams` reads
struct RecipientListParams {
    page: Option<i64>,
    per_page: Option<i64>,
    include_resources: Option<bool>,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // the parameters `QueryParams` reads
struct ResourceListParams {
    page: Option<i64>,
    per_page: Option<i64>,
    resource_type: Option<String>,
    /// `active`, `deleting` or `deleted`.
    status: Option<String>,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // the parameters `QueryParams` reads
struct IncludeParams {
    include_recipient_counts: Option<bool>,
    include_resources: Option<bool>,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // the parameters `QueryParams` reads
struct RecipientParams {
    include_resources: Option<bool>,
}

// ---- shares ----------------------------------------------------------------------------------

#[derive(Deserialize, ToSchema)]
struct CreateShareBody {
    name: String,
    #[serde(default)]
    recipients: Vec<RecipientBody>,
    #[serde(default)]
    resources: Vec<ResourceBody>,
}

/// A recipient as the SDKs send it: `account_id` (older), `recipient_account_id`, the
/// recipients endpoint's `body_account_id`, or `organization_id`.
#[derive(Deserialize, ToSchema)]
struct RecipientBody {
    account_id: Option<String>,
    recipient_account_id: Option<String>,
    body_account_id: Option<String>,
    organization_id: Option<String>,
}

impl RecipientBody {
    fn into_ref(self) -> Result<RecipientRef, CloudflareError> {
        let account = self.recipient_account_id.or(self.body_account_id).or(self.account_id);
        match (account, self.organization_id) {
            (Some(account), None) => Ok(RecipientRef::Account(account)),
            (None, Some(organization)) => Ok(RecipientRef::Organization(organization)),
            (Some(_), Some(_)) => Err(CloudflareError::invalid(
                "a recipient names either an account or an organization, not both",
            )),
            (None, None) => Err(CloudflareError::invalid(
                "a recipient needs `recipient_account_id` (or `account_id`) or `organization_id`",
            )),
        }
    }
}

#[derive(Deserialize, ToSchema)]
struct ResourceBody {
    resource_type: String,
    resource_id: String,
    resource_account_id: String,
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    meta: Value,
}

impl From<ResourceBody> for NewShareResource {
    fn from(body: ResourceBody) -> Self {
        NewShareResource {
            resource_type: body.resource_type,
            resource_id: body.resource_id,
            resource_account_id: body.resource_account_id,
            meta: meta_text(body.meta),
        }
    }
}

/// Metadata is stored as JSON text; absent metadata is an empty object.
fn meta_text(meta: Value) -> String {
    if meta.is_null() {
        "{}".to_owned()
    } else {
        meta.to_string()
    }
}

#[utoipa::path(post, path = "/client/v4/accounts/{account_id}/shares", params(("account_id" = String, Path, description = "The account: 32 hex digits")), request_body = CreateShareBody, responses((status = 201, description = "The share", body = Envelope<ShareView>), CloudflareErrors))]
async fn create_share(
    State(state): State<AppState>,
    Acting { actor, account }: Acting,
    JsonBody(body): JsonBody<CreateShareBody>,
) -> Result<Response, CloudflareError> {
    let recipients =
        body.recipients.into_iter().map(RecipientBody::into_ref).collect::<Result<_, _>>()?;
    let new = NewAccountShare {
        name: body.name,
        reference: None,
        recipients,
        resources: body.resources.into_iter().map(NewShareResource::from).collect(),
        expires_at: None,
        associate_now: false,
    };
    let share = shares::create(&state.store, &actor, FACE, account, new).await?;
    Ok(created(share_json(&share, "sent", &Includes::default())))
}

#[utoipa::path(get, path = "/client/v4/accounts/{account_id}/shares", params(("account_id" = String, Path, description = "The account: 32 hex digits"), ShareListParams), responses((status = 200, description = "A page of shares; a page past the end is empty", body = ListEnvelope<ShareView>), CloudflareErrors))]
async fn list_shares(
    State(state): State<AppState>,
    Acting { account, .. }: Acting,
    RawQuery(query): RawQuery,
) -> Result<Response, CloudflareError> {
    let params = QueryParams::parse(query.as_deref())?;
    let share_query = params.share_query()?;
    if params.filters_by_tag() {
        let none: Vec<ShareView> = Vec::new();
        return Ok(list_response(none, share_query.page, share_query.per_page, 0));
    }
    let page = shares::list(&state.store, account, &share_query).await?;
    let includes = params.includes()?;
    Ok(share_list(&page, |share| kind_for(share, account), &includes))
}

#[utoipa::path(get, path = "/client/v4/organizations/{organization_id}/shares", params(("organization_id" = String, Path), ShareListParams), responses((status = 200, description = "The shares the organization and its accounts sent", body = ListEnvelope<ShareView>), CloudflareErrors))]
async fn list_organization_shares(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(organization_id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, CloudflareError> {
    let params = QueryParams::parse(query.as_deref())?;
    let share_query = params.share_query()?;
    let page =
        shares::list_for_organization(&state.store, &actor, &organization_id, &share_query).await?;
    // Every share listed here was sent by the organization or one of its accounts.
    Ok(share_list(&page, |_| "sent", &params.includes()?))
}

#[utoipa::path(get, path = "/client/v4/accounts/{account_id}/shares/{share_id}", params(("account_id" = String, Path, description = "The account: 32 hex digits"), ("share_id" = String, Path), IncludeParams), responses((status = 200, description = "The share", body = Envelope<ShareView>), CloudflareErrors))]
async fn get_share(
    State(state): State<AppState>,
    Acting { account, .. }: Acting,
    Path((_, share_id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Result<Response, CloudflareError> {
    let includes = QueryParams::parse(query.as_deref())?.includes()?;
    let share = if includes == Includes::default() {
        shares::get_summary(&state.store, FACE, account, &share_id).await?
    } else {
        shares::get(&state.store, FACE, account, &share_id).await?
    };
    Ok(ok(share_json(&share, kind_for(&share, account), &includes)))
}

#[derive(Deserialize, ToSchema)]
struct UpdateShareBody {
    name: String,
}

#[utoipa::path(put, path = "/client/v4/accounts/{account_id}/shares/{share_id}", params(("account_id" = String, Path, description = "The account: 32 hex digits"), ("share_id" = String, Path)), request_body = UpdateShareBody, responses((status = 200, description = "The share renamed", body = Envelope<ShareView>), CloudflareErrors))]
async fn update_share(
    State(state): State<AppState>,
    Acting { actor, account }: Acting,
    Path((_, share_id)): Path<(String, String)>,
    JsonBody(body): JsonBody<UpdateShareBody>,
) -> Result<Response, CloudflareError> {
    let share = shares::rename(&state.store, &actor, FACE, account, &share_id, &body.name).await?;
    Ok(ok(share_json(&share, "sent", &Includes::default())))
}

#[utoipa::path(delete, path = "/client/v4/accounts/{account_id}/shares/{share_id}", params(("account_id" = String, Path, description = "The account: 32 hex digits"), ("share_id" = String, Path)), responses((status = 200, description = "The share, `deleting` until its recipients are let go", body = Envelope<ShareView>), CloudflareErrors))]
async fn delete_share(
    State(state): State<AppState>,
    Acting { actor, account }: Acting,
    Path((_, share_id)): Path<(String, String)>,
) -> Result<Response, CloudflareError> {
    let share =
        shares::delete(&state.store, &actor, FACE, account, &share_id, Completion::Background)
            .await?;
    Ok(ok(share_json(&share, "sent", &Includes::default())))
}

// ---- recipients ------------------------------------------------------------------------------

#[utoipa::path(post, path = "/client/v4/accounts/{account_id}/shares/{share_id}/recipients", params(("account_id" = String, Path, description = "The account: 32 hex digits"), ("share_id" = String, Path)), request_body = RecipientBody, responses((status = 201, description = "The recipient", body = Envelope<RecipientView>), CloudflareErrors))]
async fn create_recipient(
    State(state): State<AppState>,
    Acting { actor, account }: Acting,
    Path((_, share_id)): Path<(String, String)>,
    JsonBody(body): JsonBody<RecipientBody>,
) -> Result<Response, CloudflareError> {
    let recipient = body.into_ref()?;
    let added =
        shares::add_recipient(&state.store, &actor, FACE, account, &share_id, &recipient).await?;
    Ok(created(recipient_json(&added, None)))
}

/// `PUT …/recipients`: the body is the full list, as an array or as `{"recipients": [...]}`.
#[derive(Deserialize, ToSchema)]
#[serde(untagged)]
enum ReplaceRecipientsBody {
    List(Vec<RecipientBody>),
    Object { recipients: Vec<RecipientBody> },
}

#[utoipa::path(put, path = "/client/v4/accounts/{account_id}/shares/{share_id}/recipients", params(("account_id" = String, Path, description = "The account: 32 hex digits"), ("share_id" = String, Path)), request_body = ReplaceRecipientsBody, responses((status = 204, description = "Replaced; the new states show on the next read"), CloudflareErrors))]
async fn replace_recipients(
    State(state): State<AppState>,
    Acting { actor, account }: Acting,
    Path((_, share_id)): Path<(String, String)>,
    JsonBody(body): JsonBody<ReplaceRecipientsBody>,
) -> Result<Response, CloudflareError> {
    let list = match body {
        ReplaceRecipientsBody::List(list) | ReplaceRecipientsBody::Object { recipients: list } => {
            list
        }
    };
    let recipients =
        list.into_iter().map(RecipientBody::into_ref).collect::<Result<Vec<_>, _>>()?;
    shares::replace_recipients(&state.store, &actor, FACE, account, &share_id, &recipients).await?;
    // The contract answers 204 with an empty body; the new states show on the next read.
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[utoipa::path(get, path = "/client/v4/accounts/{account_id}/shares/{share_id}/recipients", params(("account_id" = String, Path, description = "The account: 32 hex digits"), ("share_id" = String, Path), RecipientListParams), responses((status = 200, description = "A page of recipients", body = ListEnvelope<RecipientView>), CloudflareErrors))]
async fn list_recipients(
    State(state): State<AppState>,
    Acting { account, .. }: Acting,
    Path((_, share_id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Result<Response, CloudflareError> {
    let params = QueryParams::parse(query.as_deref())?;
    let (page, per_page) = params.paging()?;
    let (recipients, total) =
        shares::recipient_page(&state.store, FACE, account, &share_id, (page, per_page)).await?;
    // Each recipient carries the share's resources when asked: read them once for the page.
    let resources = match params.flag("include_resources")? {
        true => Some(shares::resources(&state.store, FACE, account, &share_id).await?),
        false => None,
    };
    let items: Vec<RecipientView> = recipients
        .iter()
        .map(|recipient| recipient_json(recipient, resources.as_deref()))
        .collect();
    Ok(list_response(items, page, per_page, total))
}

#[utoipa::path(get, path = "/client/v4/accounts/{account_id}/shares/{share_id}/recipients/{recipient_id}", params(("account_id" = String, Path, description = "The account: 32 hex digits"), ("share_id" = String, Path), ("recipient_id" = String, Path), RecipientParams), responses((status = 200, description = "The recipient", body = Envelope<RecipientView>), CloudflareErrors))]
async fn get_recipient(
    State(state): State<AppState>,
    Acting { account, .. }: Acting,
    Path((_, share_id, recipient_id)): Path<(String, String, String)>,
    RawQuery(query): RawQuery,
) -> Result<Response, CloudflareError> {
    let include_resources = QueryParams::parse(query.as_deref())?.flag("include_resources")?;
    let share = shares::get(&state.store, FACE, account, &share_id).await?;
    let recipient =
        shares::recipient(&state.store, FACE, account, &share_id, &recipient_id).await?;
    let resources = include_resources.then_some(share.resources.as_slice());
    Ok(ok(recipient_json(&recipient, resources)))
}

#[utoipa::path(delete, path = "/client/v4/accounts/{account_id}/shares/{share_id}/recipients/{recipient_id}", params(("account_id" = String, Path, description = "The account: 32 hex digits"), ("share_id" = String, Path), ("recipient_id" = String, Path)), responses((status = 200, description = "The recipient, `disassociating`", body = Envelope<RecipientView>), CloudflareErrors))]
async fn delete_recipient(
    State(state): State<AppState>,
    Acting { actor, account }: Acting,
    Path((_, share_id, recipient_id)): Path<(String, String, String)>,
) -> Result<Response, CloudflareError> {
    let recipient =
        shares::remove_recipient(&state.store, &actor, FACE, account, &share_id, &recipient_id)
            .await?;
    Ok(ok(recipient_json(&recipient, None)))
}

// ---- resources -------------------------------------------------------------------------------

#[utoipa::path(post, path = "/client/v4/accounts/{account_id}/shares/{share_id}/resources", params(("account_id" = String, Path, description = "The account: 32 hex digits"), ("share_id" = String, Path)), request_body = ResourceBody, responses((status = 201, description = "The resource", body = Envelope<ResourceView>), CloudflareErrors))]
async fn create_resource(
    State(state): State<AppState>,
    Acting { actor, account }: Acting,
    Path((_, share_id)): Path<(String, String)>,
    JsonBody(body): JsonBody<ResourceBody>,
) -> Result<Response, CloudflareError> {
    let resource = NewShareResource::from(body);
    let added =
        shares::add_resource(&state.store, &actor, FACE, account, &share_id, &resource).await?;
    Ok(created(resource_json(&added)))
}

#[utoipa::path(get, path = "/client/v4/accounts/{account_id}/shares/{share_id}/resources", params(("account_id" = String, Path, description = "The account: 32 hex digits"), ("share_id" = String, Path), ResourceListParams), responses((status = 200, description = "A page of resources", body = ListEnvelope<ResourceView>), CloudflareErrors))]
async fn list_resources(
    State(state): State<AppState>,
    Acting { account, .. }: Acting,
    Path((_, share_id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Result<Response, CloudflareError> {
    let params = QueryParams::parse(query.as_deref())?;
    let (page, per_page) = params.paging()?;
    let filter =
        ResourceFilter { resource_type: params.one("resource_type"), status: params.status()? };
    let (resources, total) =
        shares::resource_page(&state.store, FACE, account, &share_id, filter, (page, per_page))
            .await?;
    let items: Vec<ResourceView> = resources.iter().map(resource_json).collect();
    Ok(list_response(items, page, per_page, total))
}

#[utoipa::path(get, path = "/client/v4/accounts/{account_id}/shares/{share_id}/resources/{resource_id}", params(("account_id" = String, Path, description = "The account: 32 hex digits"), ("share_id" = String, Path), ("resource_id" = String, Path)), responses((status = 200, description = "The resource", body = Envelope<ResourceView>), CloudflareErrors))]
async fn get_resource(
    State(state): State<AppState>,
    Acting { account, .. }: Acting,
    Path((_, share_id, resource_id)): Path<(String, String, String)>,
) -> Result<Response, CloudflareError> {
    let resource = shares::resource(&state.store, FACE, account, &share_id, &resource_id).await?;
    Ok(ok(resource_json(&resource)))
}

#[derive(Deserialize, ToSchema)]
struct UpdateResourceBody {
    #[schema(value_type = Object)]
    meta: Value,
}

#[utoipa::path(put, path = "/client/v4/accounts/{account_id}/shares/{share_id}/resources/{resource_id}", params(("account_id" = String, Path, description = "The account: 32 hex digits"), ("share_id" = String, Path), ("resource_id" = String, Path)), request_body = UpdateResourceBody, responses((status = 200, description = "The resource with its new metadata", body = Envelope<ResourceView>), CloudflareErrors))]
async fn update_resource(
    State(state): State<AppState>,
    Acting { actor, account }: Acting,
    Path((_, share_id, resource_id)): Path<(String, String, String)>,
    JsonBody(body): JsonBody<UpdateResourceBody>,
) -> Result<Response, CloudflareError> {
    let meta = meta_text(body.meta);
    let resource = shares::update_resource(
        &state.store,
        &actor,
        FACE,
        account,
        &share_id,
        &resource_id,
        &meta,
    )
    .await?;
    Ok(ok(resource_json(&resource)))
}

#[utoipa::path(delete, path = "/client/v4/accounts/{account_id}/shares/{share_id}/resources/{resource_id}", params(("account_id" = String, Path, description = "The account: 32 hex digits"), ("share_id" = String, Path), ("resource_id" = String, Path)), responses((status = 200, description = "The resource, `deleting`", body = Envelope<ResourceView>), CloudflareErrors))]
async fn delete_resource(
    State(state): State<AppState>,
    Acting { actor, account }: Acting,
    Path((_, share_id, resource_id)): Path<(String, String, String)>,
) -> Result<Response, CloudflareError> {
    let resource =
        shares::remove_resource(&state.store, &actor, FACE, account, &share_id, &resource_id)
            .await?;
    Ok(ok(resource_json(&resource)))
}

// ---- wire shapes -----------------------------------------------------------------------------

/// The optional parts of a share: `include_recipient_counts`, `include_resources`.
#[derive(Default, PartialEq, Eq)]
struct Includes {
    recipient_counts: bool,
    resources: bool,
}

/// A share as the SDKs read it. `sent` when `viewer` (an account, or the organization listing
/// its accounts' shares) made the share, `received` otherwise.
#[derive(Serialize, ToSchema)]
struct ShareView {
    id: String,
    account_id: String,
    account_name: String,
    organization_id: String,
    name: String,
    /// `active`, `deleting` or `deleted`.
    status: &'static str,
    /// `account` or `organization`.
    target_type: &'static str,
    /// `sent` or `received`.
    kind: &'static str,
    created: String,
    modified: String,
    /// With `include_recipient_counts`.
    #[serde(skip_serializing_if = "Option::is_none")]
    associating_recipient_count: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    associated_recipient_count: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    disassociating_recipient_count: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    disassociated_recipient_count: Option<usize>,
    /// With `include_resources`.
    #[serde(skip_serializing_if = "Option::is_none")]
    resources: Option<Vec<ResourceView>>,
}

fn share_json(share: &AccountShare, kind: &'static str, includes: &Includes) -> ShareView {
    let count = |state| includes.recipient_counts.then(|| share.recipients_in(state));
    ShareView {
        id: share.id.simple(),
        account_id: share.owner_org_id.simple(),
        account_name: share.owner_org_name.clone(),
        organization_id: share.owner_parent_id.unwrap_or(share.owner_org_id).simple(),
        name: share.name.clone(),
        status: share.status.as_str(),
        target_type: share.target_type.as_str(),
        kind,
        created: share.created_at.clone(),
        modified: share.updated_at.clone(),
        associating_recipient_count: count(Association::Associating),
        associated_recipient_count: count(Association::Associated),
        disassociating_recipient_count: count(Association::Disassociating),
        disassociated_recipient_count: count(Association::Disassociated),
        resources: includes.resources.then(|| share.resources.iter().map(resource_json).collect()),
    }
}

#[derive(Serialize, ToSchema)]
struct RecipientView {
    id: String,
    account_id: String,
    /// `associating`, `associated`, `disassociating` or `disassociated`.
    association_status: &'static str,
    created: String,
    modified: String,
    /// With `include_resources`: how far each resource is applied to this recipient.
    #[serde(skip_serializing_if = "Option::is_none")]
    resources: Option<Vec<RecipientResource>>,
}

#[derive(Serialize, ToSchema)]
struct RecipientResource {
    resource_id: String,
    resource_version: i64,
    error: &'static str,
    terminal: bool,
}

fn recipient_json(
    recipient: &ShareRecipient,
    resources: Option<&[ShareResource]>,
) -> RecipientView {
    // Sharewell applies a resource to a recipient with the association itself.
    let terminal = recipient.association == Association::Associated
        || recipient.association == Association::Disassociated;
    RecipientView {
        id: recipient.id.simple(),
        account_id: recipient.org_id.simple(),
        association_status: recipient.association.as_str(),
        created: recipient.created_at.clone(),
        modified: recipient.updated_at.clone(),
        resources: resources.map(|resources| {
            resources
                .iter()
                .map(|resource| RecipientResource {
                    resource_id: resource.id.simple(),
                    resource_version: resource.version,
                    error: "",
                    terminal,
                })
                .collect()
        }),
    }
}

#[derive(Serialize, ToSchema)]
struct ResourceView {
    id: String,
    resource_id: String,
    resource_account_id: String,
    resource_type: String,
    resource_version: i64,
    #[schema(value_type = Object)]
    meta: Value,
    /// `active`, `deleting` or `deleted`.
    status: &'static str,
    created: String,
    modified: String,
}

fn resource_json(resource: &ShareResource) -> ResourceView {
    ResourceView {
        id: resource.id.simple(),
        resource_id: resource.resource_id.clone(),
        resource_account_id: resource.resource_account_id.clone(),
        resource_type: resource.resource_type.clone(),
        resource_version: resource.version,
        meta: serde_json::from_str::<Value>(&resource.meta).unwrap_or_else(|_| json!({})),
        status: resource.status.as_str(),
        created: resource.created_at.clone(),
        modified: resource.updated_at.clone(),
    }
}

/// The v4 envelope of a success.
#[derive(Serialize, ToSchema)]
struct Envelope<T> {
    /// `true`.
    success: bool,
    /// Empty.
    errors: Vec<Message>,
    /// Empty.
    messages: Vec<Message>,
    result: T,
}

/// The v4 envelope of a page.
#[derive(Serialize, ToSchema)]
struct ListEnvelope<T> {
    success: bool,
    errors: Vec<Message>,
    messages: Vec<Message>,
    result: Vec<T>,
    result_info: ResultInfo,
}

#[derive(Serialize, ToSchema)]
struct ResultInfo {
    page: i64,
    per_page: i64,
    count: usize,
    /// Counted up to 10,000; past that a lower bound.
    total_count: i64,
    total_pages: i64,
    /// The next page's cursor, when there is one: send it back as `cursor=`.
    #[serde(skip_serializing_if = "Option::is_none")]
    cursor: Option<String>,
}

/// `{code, message}`.
#[derive(Serialize, ToSchema)]
struct Message {
    code: u32,
    message: String,
}

/// The v4 envelope of a failure: `success: false`, one error, `result: null`.
#[derive(Serialize, ToSchema)]
pub struct ErrorEnvelope {
    success: bool,
    errors: Vec<Message>,
    messages: Vec<Message>,
    #[schema(value_type = Option<Object>)]
    result: Option<Value>,
}

fn envelope<T>(result: T) -> Envelope<T> {
    Envelope { success: true, errors: Vec::new(), messages: Vec::new(), result }
}

fn ok<T: Serialize>(result: T) -> Response {
    Json(envelope(result)).into_response()
}

fn created<T: Serialize>(result: T) -> Response {
    (StatusCode::CREATED, Json(envelope(result))).into_response()
}

fn list_response<T: Serialize>(items: Vec<T>, page: i64, per_page: i64, total: i64) -> Response {
    list_response_with_cursor(items, page, per_page, total, None)
}

/// The list envelope; `cursor` (the next page's, when there is one) goes in `result_info`
/// beside the numbered paging, as in Cloudflare's cursor-paged lists.
fn list_response_with_cursor<T: Serialize>(
    items: Vec<T>,
    page: i64,
    per_page: i64,
    total: i64,
    cursor: Option<&str>,
) -> Response {
    let result_info = ResultInfo {
        page,
        per_page,
        count: items.len(),
        total_count: total,
        total_pages: (total + per_page - 1) / per_page,
        cursor: cursor.map(str::to_owned),
    };
    Json(ListEnvelope {
        success: true,
        errors: Vec::new(),
        messages: Vec::new(),
        result: items,
        result_info,
    })
    .into_response()
}

fn kind_for(share: &AccountShare, account: Account) -> &'static str {
    if share.owner_org_id == account.org_id {
        "sent"
    } else {
        "received"
    }
}

fn share_list(
    page: &AccountSharePage,
    kind: impl Fn(&AccountShare) -> &'static str,
    includes: &Includes,
) -> Response {
    let items: Vec<ShareView> =
        page.shares.iter().map(|share| share_json(share, kind(share), includes)).collect();
    list_response_with_cursor(items, page.page, page.per_page, page.total, page.next.as_deref())
}

// ---- query strings ---------------------------------------------------------------------------

/// A query string with repeated keys (`resource_types=a&resource_types=b`).
struct QueryParams(Vec<(String, String)>);

impl QueryParams {
    fn parse(query: Option<&str>) -> Result<Self, CloudflareError> {
        serde_urlencoded::from_str(query.unwrap_or_default())
            .map(Self)
            .map_err(|_| CloudflareError::invalid("the query string could not be read"))
    }

    fn one(&self, key: &str) -> Option<&str> {
        self.0.iter().rev().find(|(name, _)| name == key).map(|(_, value)| value.as_str())
    }

    fn all(&self, key: &str) -> Vec<String> {
        self.0.iter().filter(|(name, _)| name == key).map(|(_, value)| value.clone()).collect()
    }

    fn number(&self, key: &str) -> Result<Option<i64>, CloudflareError> {
        self.one(key)
            .map(|value| {
                value
                    .parse()
                    .map_err(|_| CloudflareError::invalid(format!("{key} must be a number")))
            })
            .transpose()
    }

    fn flag(&self, key: &str) -> Result<bool, CloudflareError> {
        match self.one(key) {
            None | Some("false") => Ok(false),
            Some("true") => Ok(true),
            Some(_) => Err(CloudflareError::invalid(format!("{key} must be true or false"))),
        }
    }

    fn choice<T>(
        &self,
        key: &str,
        parse: impl Fn(&str) -> Option<T>,
        allowed: &str,
    ) -> Result<Option<T>, CloudflareError> {
        self.one(key)
            .map(|value| {
                parse(value).ok_or_else(|| {
                    CloudflareError::invalid(format!("{key} must be one of: {allowed}"))
                })
            })
            .transpose()
    }

    fn paging(&self) -> Result<(i64, i64), CloudflareError> {
        Ok(shares::paging(self.number("page")?, self.number("per_page")?, DEFAULT_PER_PAGE)?)
    }

    fn status(&self) -> Result<Option<ShareStatus>, CloudflareError> {
        self.choice("status", ShareStatus::parse, "active, deleting, deleted")
    }

    fn includes(&self) -> Result<Includes, CloudflareError> {
        Ok(Includes {
            recipient_counts: self.flag("include_recipient_counts")?,
            resources: self.flag("include_resources")?,
        })
    }

    fn share_query(&self) -> Result<ShareQuery, CloudflareError> {
        let (page, per_page) = self.paging()?;
        let direction = self.choice(
            "kind",
            |kind| match kind {
                "sent" => Some(Direction::Sent),
                "received" => Some(Direction::Received),
                _ => None,
            },
            "sent, received",
        )?;
        let order = self.choice(
            "order",
            |order| match order {
                "created" => Some(ShareOrder::Created),
                "name" => Some(ShareOrder::Name),
                _ => None,
            },
            "name, created",
        )?;
        let descending = self
            .choice(
                "direction",
                |direction| match direction {
                    "asc" => Some(false),
                    "desc" => Some(true),
                    _ => None,
                },
                "asc, desc",
            )?
            .unwrap_or(false);
        let mut resource_types = self.all("resource_types");
        resource_types.extend(self.all("resource_types[]"));
        Ok(ShareQuery {
            face: Some(FACE_CLOUDFLARE.to_owned()),
            direction,
            status: self.status()?,
            target_type: self.choice("target_type", TargetType::parse, "account, organization")?,
            resource_types,
            expired: None,
            text: None,
            order: order.unwrap_or_default(),
            descending,
            page,
            per_page,
            after: self.one("cursor").map(Cursor::decode).transpose()?,
        })
    }

    /// Sharewell shares carry no tags, so a `tag` filter matches nothing.
    fn filters_by_tag(&self) -> bool {
        !self.all("tag").is_empty()
    }
}

// ---- extractors and errors -------------------------------------------------------------------

/// The caller and the account in the path (`{account_id}`), which it must be allowed to act
/// for: checked once here for every account route.
struct Acting {
    actor: Actor,
    account: Account,
}

impl axum::extract::FromRequestParts<AppState> for Acting {
    type Rejection = CloudflareError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, CloudflareError> {
        let actor = actor_from_bearer(parts, &state.store).await?;
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| CloudflareError::invalid("the path could not be read"))?;
        let account_id = params
            .iter()
            .find_map(|(name, value)| (name == "account_id").then_some(value))
            .unwrap_or_default();
        let account = shares::account(&state.store, &actor, account_id).await?;
        Ok(Self { actor, account })
    }
}

/// This face's error: the envelope with `success: false` and one `{code, message}`.
pub struct CloudflareError {
    status: StatusCode,
    code: u32,
    message: String,
}

impl CloudflareError {
    fn invalid(message: impl Into<String>) -> Self {
        Self { status: StatusCode::BAD_REQUEST, code: 1001, message: message.into() }
    }
}

impl From<super::Refusal> for CloudflareError {
    fn from(refusal: super::Refusal) -> Self {
        let code = if refusal.status.is_client_error() { 1001 } else { 1000 };
        Self { status: refusal.status, code, message: refusal.message }
    }
}

impl From<DomainError> for CloudflareError {
    fn from(error: DomainError) -> Self {
        let status = match super::status_of(&error) {
            // The SDKs retry 409: a conflict is the client's to fix, so it is a 400 here.
            StatusCode::CONFLICT => StatusCode::BAD_REQUEST,
            status => status,
        };
        let code = match status {
            StatusCode::BAD_REQUEST => 1001,
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => 10000,
            StatusCode::NOT_FOUND => 1002,
            _ => 1000,
        };
        Self { status, code, message: error.to_string() }
    }
}

impl IntoResponse for CloudflareError {
    fn into_response(self) -> Response {
        let body = ErrorEnvelope {
            success: false,
            errors: vec![Message { code: self.code, message: self.message }],
            messages: Vec::new(),
            result: None,
        };
        (self.status, Json(body)).into_response()
    }
}
