//! The OpenAPI documents: each is served, each of its operations is a route the server
//! answers, and no route of a face is added outside its document.
//!
//! A face's router is built from its documented handlers (`OpenApiRouter::routes(routes!(…))`),
//! so a route added that way is in the document by construction. What this test guards is the
//! other way in: a plain `.route(…)` under a face's paths, anywhere in the server, which would
//! serve a route the document does not describe.

use crate::common;

use std::path::Path;

use common::spawn_app;
use reqwest::{Method, StatusCode};
use serde_json::Value;

/// Each document, the source file its router is built in, and the paths its face owns.
const FACES: [(&str, &str, &[&str]); 6] = [
    ("api", "src/api.rs", &["/api/v1"]),
    ("cloudflare", "src/faces/cloudflare.rs", &["/client/v4"]),
    ("enablenow", "src/faces/enablenow.rs", &["/v1/shares"]),
    ("epilot", "src/faces/epilot.rs", &["/v1/sharing"]),
    ("puter", "src/faces/puter.rs", &["/share", "/whoami"]),
    ("zus", "src/faces/zus.rs", &["/v2"]),
];

/// Routes of a face deliberately left out of its document, each with the reason.
const UNDOCUMENTED: [(&str, &str); 1] =
    [("UNKNOWN_ENDPOINTS", "/api/v1/{*rest}: the API's not-found answer for any other path")];

fn documented() -> Vec<&'static str> {
    server::openapi::documents().into_iter().map(|(name, _)| name).collect()
}

fn under(path: &str, prefixes: &[&str]) -> bool {
    prefixes.iter().any(|prefix| {
        path.strip_prefix(prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/') || rest.starts_with(':'))
    })
}

/// Each operation of a document: its method and its path template.
fn operations(document: &Value) -> Vec<(Method, String)> {
    let mut found = Vec::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for (method, _) in item.as_object().expect("a path item") {
            if let Ok(method) = method.to_ascii_uppercase().parse::<Method>() {
                found.push((method, path.clone()));
            }
        }
    }
    found
}

/// An operation that may be called without a token: its `security` lists an empty requirement.
fn public(document: &Value, method: &Method, template: &str) -> bool {
    let operation = &document["paths"][template][method.as_str().to_ascii_lowercase()];
    operation["security"].as_array().is_some_and(|requirements| {
        requirements.iter().any(|r| r.as_object().is_some_and(|r| r.is_empty()))
    })
}

/// Every `$ref` in a document.
fn references(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Object(fields) => {
            for (key, value) in fields {
                match (key.as_str(), value) {
                    ("$ref", Value::String(reference)) => found.push(reference.clone()),
                    _ => references(value, found),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| references(item, found)),
        _ => {}
    }
}

#[tokio::test]
async fn every_document_is_served_as_openapi_3_1_and_the_faces_not_yet_documented_are_named() {
    let app = spawn_app().await;
    let documented = documented();
    let missing: Vec<_> =
        FACES.iter().map(|(name, ..)| *name).filter(|name| !documented.contains(name)).collect();
    println!("documented: {documented:?}; NOT YET DOCUMENTED: {missing:?}");
    for (name, ..) in FACES {
        let (status, document) =
            app.call(Method::GET, &format!("/openapi/{name}.json"), None, None).await;
        if !documented.contains(&name) {
            assert_eq!(status, StatusCode::NOT_FOUND, "{name} is served but not listed");
            continue;
        }
        assert_eq!(status, StatusCode::OK, "/openapi/{name}.json");
        assert_eq!(document["openapi"], "3.1.0", "{name}");
        assert!(document["components"]["securitySchemes"]["bearer"].is_object(), "{name}");
        assert!(!operations(&document).is_empty(), "{name} documents no operation");
        let mut dangling = Vec::new();
        references(&document, &mut dangling);
        dangling.retain(|reference| document.pointer(reference.trim_start_matches('#')).is_none());
        assert!(dangling.is_empty(), "{name} refers to schemas it does not have: {dangling:?}");
    }
    assert_eq!(server::openapi::NAMES.len(), FACES.len());
    app.stop().await;
}

#[tokio::test]
async fn every_documented_operation_is_a_route_of_its_face_that_asks_for_a_token() {
    let app = spawn_app().await;
    for (name, _, prefixes) in FACES.iter().filter(|(name, ..)| documented().contains(name)) {
        let (_, document) =
            app.call(Method::GET, &format!("/openapi/{name}.json"), None, None).await;
        for (method, template) in operations(&document) {
            assert!(under(&template, prefixes), "{name} documents {template}, not its own path");
            // Any id will do: the token is checked first. A path the router lacks would get
            // the not-found or method-not-allowed answer instead of 401.
            let path = template
                .split('/')
                .map(|part| {
                    if part.starts_with('{') {
                        "0190f1b4-0000-7000-8000-000000000000"
                    } else {
                        part
                    }
                })
                .collect::<Vec<_>>()
                .join("/");
            let (status, body) = app.call(method.clone(), &path, None, None).await;
            if public(&document, &method, &template) {
                // A public operation answers its own refusal (a field missing), never the
                // router's "no such route".
                assert!(
                    status != StatusCode::NOT_FOUND && status != StatusCode::METHOD_NOT_ALLOWED,
                    "{name}: {method} {template} is documented but not a route: {status} {body}"
                );
            } else {
                assert_eq!(
                    status,
                    StatusCode::UNAUTHORIZED,
                    "{name}: {method} {template} is documented but not answered as a route: {body}"
                );
            }
        }
    }
    app.stop().await;
}

/// Every `.route(` call in the server's sources, with the text of its first argument.
fn route_calls(source: &str) -> Vec<String> {
    source
        .match_indices(".route(")
        .map(|(at, call)| {
            let rest = source[at + call.len()..].trim_start();
            rest.split([',', ')']).next().unwrap_or_default().trim().to_owned()
        })
        .collect()
}

fn sources(dir: &Path, found: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).expect("server/src") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            sources(&path, found);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            let text = std::fs::read_to_string(&path).expect("a source file");
            found.push((path.display().to_string(), text));
        }
    }
}

#[test]
fn no_route_of_a_documented_face_is_added_outside_its_document() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let documented = documented();
    let mut problems = Vec::new();
    for (name, file, _) in FACES {
        let source = std::fs::read_to_string(root.join(file)).expect("the face's source");
        let calls = route_calls(&source);
        if !documented.contains(&name) {
            println!("{name}: NOT YET DOCUMENTED ({} plain routes in {file})", calls.len());
            continue;
        }
        for call in calls {
            if !UNDOCUMENTED.iter().any(|(allowed, _)| call == *allowed) {
                problems.push(format!(
                    "{file}: `.route({call}, …)` is not in /openapi/{name}.json; add the \
                     handler with #[utoipa::path] and `.routes(routes!(…))`"
                ));
            }
        }
    }
    // Anywhere else in the server: no literal route under a documented face's paths. Other
    // binaries (`src/bin/bench.rs` serves a bare baseline on the same paths) are not the server.
    let mut all = Vec::new();
    sources(&root.join("src"), &mut all);
    let other_binaries = root.join("src").join("bin");
    for (path, source) in all {
        if FACES.iter().any(|(_, file, _)| path.ends_with(file))
            || Path::new(&path).starts_with(&other_binaries)
        {
            continue;
        }
        for call in route_calls(&source) {
            let literal = call.trim_matches('"');
            for (name, _, prefixes) in FACES.iter().filter(|(name, ..)| documented.contains(name)) {
                if call.starts_with('"') && under(literal, prefixes) {
                    problems.push(format!("{path}: `.route({call}, …)` is {name}'s path"));
                }
            }
        }
    }
    assert!(problems.is_empty(), "routes missing from their documents:\n{}", problems.join("\n"));
}

#[tokio::test]
async fn the_docs_page_lists_every_document_and_each_viewer_runs_scripts_from_this_site_only() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();
    let index = client.get(app.url("/docs")).send().await.expect("/docs");
    assert_eq!(index.status(), StatusCode::OK);
    let index = index.text().await.expect("a page");
    for (name, ..) in FACES {
        assert!(index.contains(&format!("href=\"/docs/{name}\"")), "/docs lists {name}");
        assert!(index.contains(&format!("href=\"/openapi/{name}.json\"")), "{name}.json");
        let viewer = client.get(app.url(&format!("/docs/{name}"))).send().await.expect("viewer");
        assert_eq!(viewer.status(), StatusCode::OK, "/docs/{name}");
        let policy = viewer.headers()["content-security-policy"].to_str().expect("a policy");
        assert!(policy.contains("script-src 'self';"), "{policy}");
        let page = viewer.text().await.expect("a page");
        assert!(page.contains("src=\"/docs-ui/swagger-ui-bundle.js\""), "vendored, not a CDN");
        assert!(!page.contains("<script>"), "no inline script");
    }
    let unknown = client.get(app.url("/docs/nothing")).send().await.expect("unknown");
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    app.stop().await;
}
