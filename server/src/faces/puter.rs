//! Puter file sharing, `POST /share`, `POST /share/item-by-username`, `GET /whoami`
//! (contract: shared/seeds/001; client: `@heyputer/puter.js`, see shared/WIRE.md).
//!
//! Both request shapes are served: the documented `{recipients, things, dry_run}` and the
//! official client's newer `{recipients: [{username}|{email}], items: [{path}|{uid}], mode}`,
//! sent as JSON whatever the content type says.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use app::domain::files::service::{self as files, ShareOutcome};
use app::domain::files::{Access, EntryError, ThingRef};
use app::domain::identity::Face;
use app::domain::DomainError;

use super::Caller;
use crate::openapi::BearerToken;
use crate::startup::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Sharewell: Puter file sharing",
        description = "Sharing files and apps with people, as `@heyputer/puter.js` calls it. \
            Errors are `heyputer:api/APIError` objects.",
    ),
    modifiers(&BearerToken),
    security(("bearer" = [])),
    components(schemas(ApiErrorBody)),
)]
struct PuterDocument;

/// Every route of the face, with its document.
pub fn openapi_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(PuterDocument::openapi())
        .routes(routes!(share))
        .routes(routes!(share_item_by_username))
        .routes(routes!(whoami))
}

pub fn router() -> Router<AppState> {
    openapi_router().split_for_parts().0
}

/// `/openapi/puter.json`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    openapi_router().into_openapi()
}

/// The errors any operation may answer with.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)] // only its documentation is used
enum PuterErrors {
    /// The body is not what the operation reads.
    #[response(status = 400)]
    Invalid(#[to_schema] ApiErrorBody),
    /// No token, or an unknown, revoked or expired one (`token_auth_failed`).
    #[response(status = 401)]
    Unauthorized(#[to_schema] ApiErrorBody),
    /// The caller's role (or a read-only token) does not allow it.
    #[response(status = 403)]
    Forbidden(#[to_schema] ApiErrorBody),
    /// No such file (`subject_does_not_exist`).
    #[response(status = 404)]
    NotFound(#[to_schema] ApiErrorBody),
    /// The body is larger than the server accepts.
    #[response(status = 413)]
    TooLarge(#[to_schema] ApiErrorBody),
    /// No such user (`user_does_not_exist`).
    #[response(status = 422)]
    NoSuchUser(#[to_schema] ApiErrorBody),
    /// The database is briefly unavailable; try again.
    #[response(status = 503)]
    Unavailable(#[to_schema] ApiErrorBody),
}

/// The caller, as Puter describes a user.
#[derive(Serialize, ToSchema)]
struct WhoAmI {
    username: String,
    uuid: String,
    email: String,
    /// Always `false`: Sharewell has no temporary users.
    is_temp: bool,
}

#[utoipa::path(get, path = "/whoami",
    responses((status = 200, description = "The token's owner", body = WhoAmI), PuterErrors))]
async fn whoami(Caller(actor): Caller) -> Json<WhoAmI> {
    Json(WhoAmI {
        username: actor.username,
        uuid: actor.user_id.to_string(),
        email: actor.email,
        is_temp: false,
    })
}

/// `POST /share` in either shape (read by hand, so that each mistake gets its own message):
/// the documented `{recipients, things, dry_run}` or the newer `{recipients, items, mode}`.
#[derive(Deserialize, ToSchema)]
#[allow(dead_code)] // the schema of what `ShareRequest::parse` reads
struct ShareBody {
    /// Who to share with.
    recipients: OneOrMany<Recipient>,
    /// What to share; `items` is the newer name.
    things: Option<OneOrMany<Thing>>,
    items: Option<OneOrMany<Thing>>,
    /// Paths to share, when neither `things` nor `items` is given.
    paths: Option<OneOrMany<String>>,
    /// The access of things that do not say: `read` (default) or `write`.
    mode: Option<String>,
    /// Check everything, write nothing.
    dry_run: Option<bool>,
}

#[derive(Deserialize, ToSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum OneOrMany<T> {
    One(T),
    Many(Vec<T>),
}

/// A username or an email, bare or as `{username}` / `{email}`.
#[derive(Deserialize, ToSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum Recipient {
    Name(String),
    Username { username: String },
    Email { email: String },
}

/// A file (`type` `fsitem`, the default: by `uid` or `path`) or an app (`type` `app`: by
/// `uid` or `name`); one of `uid`, `path`, `name`.
#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
struct Thing {
    r#type: Option<String>,
    uid: Option<String>,
    path: Option<String>,
    name: Option<String>,
    /// `read` or `write`; the request's `mode` when absent.
    access: Option<String>,
}

/// Shares things with people, all or nothing: every entry is reported, and only when all are
/// valid (and this is not a dry run) is anything written.
#[utoipa::path(post, path = "/share", request_body = ShareBody,
    responses(
        (status = 200, description = "`success`, or `mixed` with each entry's report", body = ShareAnswer),
        (status = 400, description = "`aborted`: the request is invalid as a whole; or refused before it was read (a NUL character, say)", body = ShareRefusal),
        (status = 401, description = "No token, or an unknown, revoked or expired one", body = ApiErrorBody),
        (status = 403, description = "The caller's role does not allow it", body = ApiErrorBody),
        (status = 413, description = "The body is larger than the server accepts", body = ApiErrorBody),
        (status = 503, description = "The database is briefly unavailable; try again", body = ApiErrorBody),
    ))]
async fn share(State(state): State<AppState>, Caller(actor): Caller, body: Bytes) -> Response {
    let request = match ShareRequest::parse(&body) {
        Ok(request) => request,
        Err(message) => return aborted(&message),
    };
    match files::share_with_people(
        &state.store,
        &actor,
        Face::Puter,
        &request.recipients,
        &request.things,
        request.dry_run,
    )
    .await
    {
        Ok(outcome) => {
            (StatusCode::OK, Json(share_response(&outcome, request.dry_run))).into_response()
        }
        // Invalid as a whole (past the batch caps): nothing was looked at, nothing written.
        Err(DomainError::Invalid { message, .. }) => aborted(&message),
        Err(error) => PuterError::from(error).into_response(),
    }
}

/// Deprecated: one path to one user, `access_level` defaulting to `write`. Answers `{}`.
#[utoipa::path(post, path = "/share/item-by-username", request_body = ItemByUsernameBody,
    responses((status = 200, description = "Shared: an empty object", body = Object), PuterErrors))]
async fn share_item_by_username(
    State(state): State<AppState>,
    Caller(actor): Caller,
    body: Bytes,
) -> Result<Json<Map<String, Value>>, PuterError> {
    let body: Value = serde_json::from_slice(&body)
        .map_err(|_| PuterError::invalid("the body must be a JSON object"))?;
    let text = |name: &str| body.get(name).and_then(Value::as_str).map(str::to_owned);
    let path = text("path").ok_or_else(|| PuterError::invalid("`path` is required"))?;
    let username = text("username").ok_or_else(|| PuterError::invalid("`username` is required"))?;
    let access = Access::parse("access_level", text("access_level").as_deref().unwrap_or("write"))
        .map_err(|error| PuterError::invalid(&error.to_string()))?;
    let things = [Ok(ThingRef::File { path_or_uid: path, access })];
    let outcome =
        files::share_with_people(&state.store, &actor, Face::Puter, &[username], &things, false)
            .await?;
    match first_error(&outcome) {
        Some(error) => Err(PuterError::from_entry(error)),
        None => Ok(Json(Map::new())),
    }
}

#[derive(Deserialize, ToSchema)]
#[allow(dead_code)] // the schema of what the handler reads
struct ItemByUsernameBody {
    path: String,
    username: String,
    /// `read` or `write` (default).
    access_level: Option<String>,
}

/// The first entry error of a share outcome, recipients first.
fn first_error(outcome: &ShareOutcome) -> Option<&EntryError> {
    let recipient_error = outcome.recipients.iter().find_map(|result| result.as_ref().err());
    recipient_error.or_else(|| outcome.things.iter().find_map(|result| result.as_ref().err()))
}

/// A share request in either shape, checked for what makes the whole request invalid.
struct ShareRequest {
    recipients: Vec<String>,
    things: Vec<Result<ThingRef, String>>,
    dry_run: bool,
}

impl ShareRequest {
    fn parse(body: &[u8]) -> Result<Self, String> {
        let body: Value = serde_json::from_slice(body)
            .map_err(|_| "the body must be a JSON object".to_owned())?;
        let body = body.as_object().ok_or("the body must be a JSON object")?;
        let mode = match body.get("mode") {
            None | Some(Value::Null) => None,
            Some(Value::String(mode)) => Some(mode.clone()),
            Some(_) => return Err("`mode` must be `read` or `write`".into()),
        };
        let recipients = one_or_many(body.get("recipients"))
            .ok_or("`recipients` is required: a username, an email, or a list of them")?
            .iter()
            .map(|recipient| match recipient {
                Value::String(name) if !name.trim().is_empty() => Ok(name.trim().to_owned()),
                Value::Object(object) => object
                    .get("username")
                    .or_else(|| object.get("email"))
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .ok_or_else(|| "each recipient object needs `username` or `email`".to_owned()),
                _ => Err("each recipient must be a username or an email".to_owned()),
            })
            .collect::<Result<Vec<_>, _>>()?;
        if recipients.is_empty() {
            return Err("`recipients` must name at least one user".into());
        }
        let things = match (body.get("things").or_else(|| body.get("items")), body.get("paths")) {
            (Some(things), _) => one_or_many(Some(things))
                .ok_or("`things` must be an object or a list of objects")?
                .iter()
                .map(|thing| thing_ref(thing, mode.as_deref()))
                .collect(),
            (None, Some(paths)) => one_or_many(Some(paths))
                .ok_or("`paths` must be a path or a list of paths")?
                .iter()
                .map(|path| match path.as_str() {
                    Some(path) => access(None, mode.as_deref())
                        .map(|access| ThingRef::File { path_or_uid: path.to_owned(), access }),
                    None => Err("each path must be a string".to_owned()),
                })
                .collect(),
            (None, None) => return Err("`things` is required: what to share".into()),
        };
        let things: Vec<Result<ThingRef, String>> = things;
        if things.is_empty() {
            return Err("`things` must name at least one item".into());
        }
        let dry_run = match body.get("dry_run") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(flag)) => *flag,
            Some(_) => return Err("`dry_run` must be true or false".into()),
        };
        Ok(Self { recipients, things, dry_run })
    }
}

/// A value or a list of values; `None` when absent.
fn one_or_many(value: Option<&Value>) -> Option<Vec<Value>> {
    match value? {
        Value::Array(items) => Some(items.clone()),
        Value::Null => None,
        other => Some(vec![other.clone()]),
    }
}

fn access(given: Option<&Value>, mode: Option<&str>) -> Result<Access, String> {
    match given {
        Some(Value::String(text)) => {
            Access::parse("access", text).map_err(|error| error.to_string())
        }
        Some(Value::Null) | None => {
            Access::parse("mode", mode.unwrap_or("read")).map_err(|error| error.to_string())
        }
        Some(_) => Err("access: must be `read` or `write`".into()),
    }
}

fn thing_ref(thing: &Value, mode: Option<&str>) -> Result<ThingRef, String> {
    let object: &Map<String, Value> = thing.as_object().ok_or("each thing must be an object")?;
    let field = |name: &str| object.get(name).and_then(Value::as_str).map(str::to_owned);
    let named: Vec<&str> =
        ["uid", "path", "name"].into_iter().filter(|key| object.contains_key(*key)).collect();
    if named.len() > 1 {
        return Err(format!("`{}` are mutually exclusive: give only one", named.join("`, `")));
    }
    match field("type").as_deref().unwrap_or("fsitem") {
        "fsitem" => {
            if object.contains_key("name") {
                return Err("a file is named by `uid` or `path`, not `name`".into());
            }
            let path_or_uid =
                field("path").or_else(|| field("uid")).ok_or("a file needs `uid` or `path`")?;
            Ok(ThingRef::File { path_or_uid, access: access(object.get("access"), mode)? })
        }
        "app" => {
            let uid_or_name =
                field("uid").or_else(|| field("name")).ok_or("an app needs `uid` or `name`")?;
            Ok(ThingRef::App { uid_or_name })
        }
        other => Err(format!("`type` must be `fsitem` or `app`, not `{other}`")),
    }
}

/// The answer to `POST /share`.
#[derive(Serialize, ToSchema)]
struct ShareAnswer {
    /// `api:share`.
    #[serde(rename = "$")]
    kind: &'static str,
    #[serde(rename = "$version")]
    version: &'static str,
    /// `success`, `mixed` (some entries invalid, nothing written) or `aborted`.
    status: &'static str,
    /// One report per recipient, in order.
    recipients: Vec<EntryReport>,
    /// One report per thing, in order.
    paths: Vec<EntryReport>,
    /// What was shared with whom, once written.
    results: Vec<ShareResult>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    dry_run: Option<bool>,
    /// Why an `aborted` request was refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    error: Option<ApiErrorBody>,
}

impl ShareAnswer {
    fn new(status: &'static str) -> Self {
        Self {
            kind: "api:share",
            version: "v0.0.0",
            status,
            recipients: Vec::new(),
            paths: Vec::new(),
            results: Vec::new(),
            dry_run: None,
            error: None,
        }
    }
}

/// `api:status-report` for a valid entry, `heyputer:api/APIError` for an invalid one.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
enum EntryReport {
    Valid(StatusReport),
    Invalid(ApiErrorBody),
}

#[derive(Serialize, ToSchema)]
struct StatusReport {
    /// `api:status-report`.
    #[serde(rename = "$")]
    kind: &'static str,
    /// `success`.
    status: &'static str,
}

#[derive(Serialize, ToSchema)]
struct ShareResult {
    /// `success`.
    status: &'static str,
    uid: String,
    /// `fsitem` or `app`.
    r#type: &'static str,
    path: Option<String>,
    name: String,
    /// `read` or `write`.
    mode: &'static str,
    recipient: String,
}

/// The 400 of `POST /share`: `aborted` by the face, or refused by the server's guard before
/// the face read it.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
#[allow(dead_code)] // only its documentation is used
enum ShareRefusal {
    Aborted(ShareAnswer),
    Refused(ApiErrorBody),
}

/// `heyputer:api/APIError`.
#[derive(Serialize, ToSchema)]
pub struct ApiErrorBody {
    /// `heyputer:api/APIError`.
    #[serde(rename = "$")]
    kind: &'static str,
    /// `bad_request`, `field_invalid`, `user_does_not_exist`, `subject_does_not_exist`,
    /// `token_auth_failed`, `forbidden`, `conflict`, `request_too_large`, `response_timeout`,
    /// `service_unavailable`, `internal_error`.
    code: &'static str,
    message: String,
    /// The unknown user, for `user_does_not_exist`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    username: Option<String>,
    /// The HTTP status this error stands for.
    status: u16,
}

impl ApiErrorBody {
    fn new(code: &'static str, message: String, status: u16) -> Self {
        Self { kind: "heyputer:api/APIError", code, message, username: None, status }
    }
}

fn share_response(outcome: &ShareOutcome, dry_run: bool) -> ShareAnswer {
    let results = if outcome.written {
        outcome
            .things
            .iter()
            .flatten()
            .flat_map(|thing| {
                outcome.recipients.iter().flatten().map(move |person| ShareResult {
                    status: "success",
                    uid: thing.uid.clone(),
                    r#type: if thing.kind == "app" { "app" } else { "fsitem" },
                    path: thing.path.clone(),
                    name: thing.name.clone(),
                    mode: thing.access.as_str(),
                    recipient: person.username.clone(),
                })
            })
            .collect()
    } else {
        Vec::new()
    };
    ShareAnswer {
        recipients: entry_reports(&outcome.recipients),
        paths: entry_reports(&outcome.things),
        results,
        dry_run: dry_run.then_some(true),
        ..ShareAnswer::new(if outcome.all_valid() { "success" } else { "mixed" })
    }
}

/// One `api:status-report` or `heyputer:api/APIError` per entry.
fn entry_reports<T>(entries: &[Result<T, EntryError>]) -> Vec<EntryReport> {
    entries
        .iter()
        .map(|entry| match entry {
            Ok(_) => {
                EntryReport::Valid(StatusReport { kind: "api:status-report", status: "success" })
            }
            Err(error) => EntryReport::Invalid(api_error(error)),
        })
        .collect()
}

fn api_error(error: &EntryError) -> ApiErrorBody {
    match error {
        EntryError::UserDoesNotExist { username } => ApiErrorBody {
            username: Some(username.clone()),
            ..ApiErrorBody::new(
                "user_does_not_exist",
                format!("The user `{username}` does not exist."),
                422,
            )
        },
        EntryError::SubjectDoesNotExist => {
            ApiErrorBody::new("subject_does_not_exist", "File or directory not found.".into(), 404)
        }
        EntryError::Invalid { message } => ApiErrorBody::new("field_invalid", message.clone(), 400),
    }
}

/// A request that is invalid as a whole: nothing was looked at, nothing written.
fn aborted(message: &str) -> Response {
    let body = ShareAnswer {
        error: Some(ApiErrorBody::new("bad_request", message.to_owned(), 400)),
        ..ShareAnswer::new("aborted")
    };
    (StatusCode::BAD_REQUEST, Json(body)).into_response()
}

/// `heyputer:api/APIError` with its status.
pub struct PuterError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl PuterError {
    fn invalid(message: &str) -> Self {
        Self { status: StatusCode::BAD_REQUEST, code: "bad_request", message: message.to_owned() }
    }

    fn from_entry(error: &EntryError) -> Self {
        let body = api_error(error);
        let status = StatusCode::from_u16(body.status).unwrap_or(StatusCode::BAD_REQUEST);
        Self { status, code: body.code, message: body.message }
    }
}

impl From<super::Refusal> for PuterError {
    fn from(refusal: super::Refusal) -> Self {
        let code = match refusal.status {
            StatusCode::PAYLOAD_TOO_LARGE => "request_too_large",
            StatusCode::REQUEST_TIMEOUT => "response_timeout",
            StatusCode::SERVICE_UNAVAILABLE => "service_unavailable",
            status if status.is_server_error() => "internal_error",
            _ => "bad_request",
        };
        Self { status: refusal.status, code, message: refusal.message }
    }
}

impl From<DomainError> for PuterError {
    fn from(error: DomainError) -> Self {
        let status = super::status_of(&error);
        let code = match status {
            StatusCode::NOT_FOUND => "subject_does_not_exist",
            StatusCode::UNAUTHORIZED => "token_auth_failed",
            StatusCode::FORBIDDEN => "forbidden",
            StatusCode::CONFLICT => "conflict",
            StatusCode::INTERNAL_SERVER_ERROR => "internal_error",
            StatusCode::SERVICE_UNAVAILABLE => "service_unavailable",
            _ => "field_invalid",
        };
        Self { status, code, message: error.to_string() }
    }
}

impl IntoResponse for PuterError {
    fn into_response(self) -> Response {
        let body = ApiErrorBody::new(self.code, self.message, self.status.as_u16());
        (self.status, Json(body)).into_response()
    }
}
