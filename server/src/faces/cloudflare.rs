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
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use app::domain::account_shares::service::{self as shares, Account, Completion};
use app::domain::account_shares::{
    AccountShare, AccountSharePage, Association, Direction, NewAccountShare, NewShareResource,
    RecipientRef, ShareOrder, ShareQuery, ShareRecipient, ShareResource, ShareStatus, TargetType,
    FACE_CLOUDFLARE,
};
use app::domain::identity::{Actor, Face};
use app::domain::paging::Cursor;
use app::domain::DomainError;

use super::{Caller, JsonBody};
use crate::bearer::actor_from_bearer;
use crate::startup::AppState;

const FACE: Face = Face::Cloudflare;
const DEFAULT_PER_PAGE: i64 = 20;

pub fn router() -> Router<AppState> {
    let shares = "/client/v4/accounts/{account_id}/shares";
    Router::new()
        .route(shares, get(list_shares).post(create_share))
        .route(
            &format!("{shares}/{{share_id}}"),
            get(get_share).put(update_share).delete(delete_share),
        )
        .route(
            &format!("{shares}/{{share_id}}/recipients"),
            get(list_recipients).post(create_recipient).put(replace_recipients),
        )
        .route(
            &format!("{shares}/{{share_id}}/recipients/{{recipient_id}}"),
            get(get_recipient).delete(delete_recipient),
        )
        .route(
            &format!("{shares}/{{share_id}}/resources"),
            get(list_resources).post(create_resource),
        )
        .route(
            &format!("{shares}/{{share_id}}/resources/{{resource_id}}"),
            get(get_resource).put(update_resource).delete(delete_resource),
        )
        .route("/client/v4/organizations/{organization_id}/shares", get(list_organization_shares))
}

// ---- shares ----------------------------------------------------------------------------------

#[derive(Deserialize)]
struct CreateShareBody {
    name: String,
    #[serde(default)]
    recipients: Vec<RecipientBody>,
    #[serde(default)]
    resources: Vec<ResourceBody>,
}

/// A recipient as the SDKs send it: `account_id` (older), `recipient_account_id`, the
/// recipients endpoint's `body_account_id`, or `organization_id`.
#[derive(Deserialize)]
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

#[derive(Deserialize)]
struct ResourceBody {
    resource_type: String,
    resource_id: String,
    resource_account_id: String,
    #[serde(default)]
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

async fn list_shares(
    State(state): State<AppState>,
    Acting { account, .. }: Acting,
    RawQuery(query): RawQuery,
) -> Result<Response, CloudflareError> {
    let params = QueryParams::parse(query.as_deref())?;
    let share_query = params.share_query()?;
    if params.filters_by_tag() {
        return Ok(list_response(Vec::new(), share_query.page, share_query.per_page, 0));
    }
    let page = shares::list(&state.store, account, &share_query).await?;
    let includes = params.includes()?;
    Ok(share_list(&page, |share| kind_for(share, account), &includes))
}

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

#[derive(Deserialize)]
struct UpdateShareBody {
    name: String,
}

async fn update_share(
    State(state): State<AppState>,
    Acting { actor, account }: Acting,
    Path((_, share_id)): Path<(String, String)>,
    JsonBody(body): JsonBody<UpdateShareBody>,
) -> Result<Response, CloudflareError> {
    let share = shares::rename(&state.store, &actor, FACE, account, &share_id, &body.name).await?;
    Ok(ok(share_json(&share, "sent", &Includes::default())))
}

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
#[derive(Deserialize)]
#[serde(untagged)]
enum ReplaceRecipientsBody {
    List(Vec<RecipientBody>),
    Object { recipients: Vec<RecipientBody> },
}

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

async fn list_recipients(
    State(state): State<AppState>,
    Acting { account, .. }: Acting,
    Path((_, share_id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Result<Response, CloudflareError> {
    let params = QueryParams::parse(query.as_deref())?;
    let (page, per_page) = params.paging()?;
    let share = shares::get(&state.store, FACE, account, &share_id).await?;
    let resources = params.flag("include_resources")?.then_some(share.resources.as_slice());
    let items: Vec<Value> =
        share.recipients.iter().map(|recipient| recipient_json(recipient, resources)).collect();
    Ok(paged_list(items, page, per_page))
}

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

async fn list_resources(
    State(state): State<AppState>,
    Acting { account, .. }: Acting,
    Path((_, share_id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Result<Response, CloudflareError> {
    let params = QueryParams::parse(query.as_deref())?;
    let (page, per_page) = params.paging()?;
    let resource_type = params.one("resource_type");
    let status = params.status()?;
    let items: Vec<Value> = shares::resources(&state.store, FACE, account, &share_id)
        .await?
        .iter()
        .filter(|resource| resource_type.is_none_or(|kind| resource.resource_type == kind))
        .filter(|resource| status.is_none_or(|status| resource.status == status))
        .map(resource_json)
        .collect();
    Ok(paged_list(items, page, per_page))
}

async fn get_resource(
    State(state): State<AppState>,
    Acting { account, .. }: Acting,
    Path((_, share_id, resource_id)): Path<(String, String, String)>,
) -> Result<Response, CloudflareError> {
    let resource = shares::resource(&state.store, FACE, account, &share_id, &resource_id).await?;
    Ok(ok(resource_json(&resource)))
}

#[derive(Deserialize)]
struct UpdateResourceBody {
    meta: Value,
}

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

/// `sent` when `viewer` (an account, or the organization listing its accounts' shares) made
/// the share, `received` otherwise.
fn share_json(share: &AccountShare, kind: &str, includes: &Includes) -> Value {
    let mut json = json!({
        "id": share.id.simple(),
        "account_id": share.owner_org_id.simple(),
        "account_name": share.owner_org_name,
        "organization_id": share.owner_parent_id.unwrap_or(share.owner_org_id).simple(),
        "name": share.name,
        "status": share.status.as_str(),
        "target_type": share.target_type.as_str(),
        "kind": kind,
        "created": share.created_at,
        "modified": share.updated_at,
    });
    if includes.recipient_counts {
        for state in Association::ALL {
            json[format!("{}_recipient_count", state.as_str())] =
                json!(share.recipients_in(*state));
        }
    }
    if includes.resources {
        json["resources"] = share.resources.iter().map(resource_json).collect();
    }
    json
}

fn recipient_json(recipient: &ShareRecipient, resources: Option<&[ShareResource]>) -> Value {
    let mut json = json!({
        "id": recipient.id.simple(),
        "account_id": recipient.org_id.simple(),
        "association_status": recipient.association.as_str(),
        "created": recipient.created_at,
        "modified": recipient.updated_at,
    });
    if let Some(resources) = resources {
        json["resources"] = resources
            .iter()
            .map(|resource| {
                json!({
                    "resource_id": resource.id.simple(),
                    "resource_version": resource.version,
                    "error": "",
                    // Sharewell applies a resource to a recipient with the association itself.
                    "terminal": recipient.association == Association::Associated
                        || recipient.association == Association::Disassociated,
                })
            })
            .collect();
    }
    json
}

fn resource_json(resource: &ShareResource) -> Value {
    json!({
        "id": resource.id.simple(),
        "resource_id": resource.resource_id,
        "resource_account_id": resource.resource_account_id,
        "resource_type": resource.resource_type,
        "resource_version": resource.version,
        "meta": serde_json::from_str::<Value>(&resource.meta).unwrap_or_else(|_| json!({})),
        "status": resource.status.as_str(),
        "created": resource.created_at,
        "modified": resource.updated_at,
    })
}

fn envelope(result: Value) -> Value {
    json!({ "success": true, "errors": [], "messages": [], "result": result })
}

fn ok(result: Value) -> Response {
    Json(envelope(result)).into_response()
}

fn created(result: Value) -> Response {
    (StatusCode::CREATED, Json(envelope(result))).into_response()
}

fn list_response(items: Vec<Value>, page: i64, per_page: i64, total: i64) -> Response {
    list_response_with_cursor(items, page, per_page, total, None)
}

/// The list envelope; `cursor` (the next page's, when there is one) goes in `result_info`
/// beside the numbered paging, as in Cloudflare's cursor-paged lists.
fn list_response_with_cursor(
    items: Vec<Value>,
    page: i64,
    per_page: i64,
    total: i64,
    cursor: Option<&str>,
) -> Response {
    let mut body = envelope(Value::Array(Vec::new()));
    body["result_info"] = json!({
        "page": page,
        "per_page": per_page,
        "count": items.len(),
        "total_count": total,
        "total_pages": (total + per_page - 1) / per_page,
    });
    if let Some(cursor) = cursor {
        body["result_info"]["cursor"] = json!(cursor);
    }
    body["result"] = Value::Array(items);
    Json(body).into_response()
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
    let items = page.shares.iter().map(|share| share_json(share, kind(share), includes)).collect();
    list_response_with_cursor(items, page.page, page.per_page, page.total, page.next.as_deref())
}

/// Pages a short list held in memory (the recipients or resources of one share).
fn paged_list(items: Vec<Value>, page: i64, per_page: i64) -> Response {
    let total = items.len() as i64;
    let start = usize::try_from((page - 1) * per_page).unwrap_or(usize::MAX);
    let slice: Vec<Value> =
        items.into_iter().skip(start).take(usize::try_from(per_page).unwrap_or(0)).collect();
    list_response(slice, page, per_page, total)
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
        let body = json!({
            "success": false,
            "errors": [{ "code": self.code, "message": self.message }],
            "messages": [],
            "result": null,
        });
        (self.status, Json(body)).into_response()
    }
}
