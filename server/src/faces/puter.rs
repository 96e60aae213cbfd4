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
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Map, Value};

use app::domain::files::service::{self as files, ShareOutcome};
use app::domain::files::{Access, EntryError, ThingRef};
use app::domain::identity::Face;
use app::domain::DomainError;

use super::Caller;
use crate::startup::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/share", post(share))
        .route("/share/item-by-username", post(share_item_by_username))
        .route("/whoami", get(whoami))
}

async fn whoami(Caller(actor): Caller) -> Json<Value> {
    Json(
        json!({ "username": actor.username, "uuid": actor.user_id, "email": actor.email, "is_temp": false }),
    )
}

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
async fn share_item_by_username(
    State(state): State<AppState>,
    Caller(actor): Caller,
    body: Bytes,
) -> Result<Json<Value>, PuterError> {
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
        None => Ok(Json(json!({}))),
    }
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

fn share_response(outcome: &ShareOutcome, dry_run: bool) -> Value {
    let (recipients, paths) = (entry_reports(&outcome.recipients), entry_reports(&outcome.things));
    let results: Vec<Value> = if outcome.written {
        outcome
            .things
            .iter()
            .flatten()
            .flat_map(|thing| {
                outcome.recipients.iter().flatten().map(move |person| {
                    json!({
                        "status": "success",
                        "uid": thing.uid,
                        "type": if thing.kind == "app" { "app" } else { "fsitem" },
                        "path": thing.path,
                        "name": thing.name,
                        "mode": thing.access.as_str(),
                        "recipient": person.username,
                    })
                })
            })
            .collect()
    } else {
        Vec::new()
    };
    let mut response = json!({
        "$": "api:share",
        "$version": "v0.0.0",
        "status": if outcome.all_valid() { "success" } else { "mixed" },
        "recipients": recipients,
        "paths": paths,
        "results": results,
    });
    if dry_run {
        response["dry_run"] = json!(true);
    }
    response
}

/// One `api:status-report` or `heyputer:api/APIError` per entry.
fn entry_reports<T>(entries: &[Result<T, EntryError>]) -> Vec<Value> {
    entries.iter().map(|entry| entry.as_ref().map_or_else(api_error, |_| status_report())).collect()
}

fn status_report() -> Value {
    json!({ "$": "api:status-report", "status": "success" })
}

fn api_error(error: &EntryError) -> Value {
    match error {
        EntryError::UserDoesNotExist { username } => json!({
            "$": "heyputer:api/APIError",
            "code": "user_does_not_exist",
            "message": format!("The user `{username}` does not exist."),
            "username": username,
            "status": 422,
        }),
        EntryError::SubjectDoesNotExist => json!({
            "$": "heyputer:api/APIError",
            "code": "subject_does_not_exist",
            "message": "File or directory not found.",
            "status": 404,
        }),
        EntryError::Invalid { message } => json!({
            "$": "heyputer:api/APIError",
            "code": "field_invalid",
            "message": message,
            "status": 400,
        }),
    }
}

/// A request that is invalid as a whole: nothing was looked at, nothing written.
fn aborted(message: &str) -> Response {
    let body = json!({
        "$": "api:share",
        "$version": "v0.0.0",
        "status": "aborted",
        "recipients": [],
        "paths": [],
        "results": [],
        "error": { "$": "heyputer:api/APIError", "code": "bad_request", "message": message, "status": 400 },
    });
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
        let status = body["status"]
            .as_u64()
            .and_then(|s| StatusCode::from_u16(s as u16).ok())
            .unwrap_or(StatusCode::BAD_REQUEST);
        let code = match error {
            EntryError::UserDoesNotExist { .. } => "user_does_not_exist",
            EntryError::SubjectDoesNotExist => "subject_does_not_exist",
            EntryError::Invalid { .. } => "field_invalid",
        };
        Self { status, code, message: body["message"].as_str().unwrap_or_default().to_owned() }
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
        let body = json!({ "$": "heyputer:api/APIError", "code": self.code, "message": self.message, "status": self.status.as_u16() });
        (self.status, Json(body)).into_response()
    }
}
