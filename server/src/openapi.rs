//! The OpenAPI 3.1 documents of the native API and the wire faces, served at
//! `/openapi/<name>.json`. Each is generated from its router ([`crate::api::openapi_router`]
//! and the faces' own): the routes and the document come from the same `#[utoipa::path]`
//! attributes, so neither can have a route the other lacks.

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
    Router::new().route("/openapi/{file}", get(document))
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
