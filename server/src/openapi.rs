//! The OpenAPI 3.1 documents of the native API and the wire faces, served at
//! `/openapi/<name>.json`. Each is generated from its router ([`crate::api::openapi_router`]
//! and the faces' own): the routes and the document come from the same `#[utoipa::path]`
//! attributes, so neither can have a route the other lacks.
//!
//! `/docs` lists them; `/docs/<name>` shows one in Swagger UI, vendored from npm into the site
//! (`make docs-ui`), under a policy that runs scripts from this site only.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::OpenApi;

/// Every document the issue asks for, in the order `/docs` lists them.
pub const NAMES: [&str; 6] = ["api", "cloudflare", "enablenow", "epilot", "puter", "zus"];

/// The documents that exist so far, by name. The route-coverage test reads this list and names
/// the faces still missing from it.
pub fn documents() -> Vec<(&'static str, OpenApi)> {
    vec![
        ("api", crate::api::openapi()),
        ("cloudflare", crate::faces::cloudflare::openapi()),
        ("enablenow", crate::faces::enablenow::openapi()),
        ("epilot", crate::faces::epilot::openapi()),
        ("puter", crate::faces::puter::openapi()),
        ("zus", crate::faces::zus::openapi()),
    ]
}

pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/openapi/{file}", get(document))
        .route("/docs", get(docs_index))
        .route("/docs/{name}", get(docs_viewer))
}

/// The docs pages run the vendored Swagger UI and `viewer.js` from this site, and nothing
/// else; Swagger UI sets inline styles, which the policy allows (styles only).
const DOCS_POLICY: &str =
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
    img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; \
    form-action 'none'; frame-ancestors 'none'";

fn docs_page(title: &str, head: &str, body: &str) -> Response {
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title>{head}</head><body>{body}</body></html>"
    );
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CONTENT_SECURITY_POLICY, DOCS_POLICY),
        ],
        html,
    )
        .into_response()
}

/// What each document describes, for the list.
fn summary(name: &str) -> &'static str {
    match name {
        "api" => "Sharewell's own JSON API, /api/v1",
        "cloudflare" => "Cloudflare Resource Sharing, /client/v4",
        "enablenow" => "EnableNow Sharing API v1, /v1/shares",
        "epilot" => "epilot Sharing API, /v1/sharing",
        "puter" => "Puter file sharing, /share and /whoami",
        "zus" => "Züs 0box file sharing and share requests, /v2",
        _ => "",
    }
}

/// `/docs`: the six documents, each to read here or to download. No script.
async fn docs_index() -> Response {
    let items: String = NAMES
        .iter()
        .map(|name| {
            format!(
                "<li><a href=\"/docs/{name}\">{name}</a>: {} \
                 (<a href=\"/openapi/{name}.json\">{name}.json</a>)</li>",
                summary(name)
            )
        })
        .collect();
    let body = format!(
        "<main><h1>API documents</h1><p>OpenAPI 3.1, generated from the code. Every \
         operation takes an API token: <code>Authorization: Bearer &lt;token&gt;</code>.</p>\
         <ul>{items}</ul></main>"
    );
    docs_page("API documents", "", &body)
}

/// `/docs/<name>`: one document in Swagger UI.
async fn docs_viewer(Path(name): Path<String>) -> Response {
    let Some(name) = NAMES.into_iter().find(|known| *known == name) else {
        return (StatusCode::NOT_FOUND, "no such document").into_response();
    };
    let head = "<link rel=\"stylesheet\" href=\"/docs-ui/swagger-ui.css\">";
    let body = format!(
        "<p><a href=\"/docs\">All documents</a> · <a href=\"/openapi/{name}.json\">{name}.json</a></p>\
         <div id=\"api-document\" data-document=\"/openapi/{name}.json\">\
         <noscript>This viewer needs JavaScript; the document itself is \
         <a href=\"/openapi/{name}.json\">{name}.json</a>.</noscript></div>\
         <script src=\"/docs-ui/swagger-ui-bundle.js\"></script>\
         <script src=\"/docs-ui/viewer.js\"></script>"
    );
    docs_page(&format!("{name}: API document"), head, &body)
}

/// `/openapi/<name>.json`: the document, rendered once per process.
async fn document(Path(file): Path<String>) -> Response {
    static RENDERED: OnceLock<BTreeMap<&'static str, String>> = OnceLock::new();
    let rendered = RENDERED.get_or_init(|| {
        documents()
            .into_iter()
            .filter_map(|(name, document)| match document.to_pretty_json() {
                Ok(json) => Some((name, json)),
                Err(error) => {
                    tracing::error!(%error, name, "an OpenAPI document does not render");
                    None
                }
            })
            .collect()
    });
    match file.strip_suffix(".json").and_then(|name| rendered.get(name)) {
        Some(json) => ([(header::CONTENT_TYPE, "application/json")], json.clone()).into_response(),
        None => (StatusCode::NOT_FOUND, "no such document").into_response(),
    }
}

/// The `bearer` security scheme every document's operations name: the face's API token in
/// `Authorization: Bearer <token>`.
pub struct BearerToken;

impl utoipa::Modify for BearerToken {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("A Sharewell API token"))
                    .build(),
            ),
        );
    }
}
