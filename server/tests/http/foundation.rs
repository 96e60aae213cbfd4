//! The service starts, migrates, renders pages and answers its probes.

use crate::common;

use std::process::Command;

use common::{spawn_app, spawn_app_with};
use serde_json::Value;

#[tokio::test]
async fn healthz_says_the_process_is_up() {
    let app = spawn_app().await;
    let response = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    app.stop().await;
}

#[tokio::test]
async fn readyz_checks_the_database() {
    let app = spawn_app().await;
    let response = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    let backend = app.store.backend().name();
    assert_eq!(body, serde_json::json!({ "status": "ready", "database": backend }));
    app.stop().await;
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let app = spawn_app().await;
    let response = app.client.get(app.url("/healthz")).send().await.unwrap();
    let id = response.headers().get("x-request-id").expect("x-request-id header");
    assert_eq!(id.to_str().unwrap().len(), 36, "a hyphenated uuid");
    app.stop().await;
}

#[tokio::test]
async fn the_home_page_is_rendered_on_the_server_with_the_hydration_script() {
    let app = spawn_app().await;
    let response = app.client.get(app.url("/")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(html.contains("Welcome to Sharewell"), "{html}");
    assert!(html.contains("/pkg/sharewell.js"), "the page loads the wasm client");
    assert!(html.contains("/pkg/sharewell.css"), "the page links the stylesheet");
    assert!(!html.contains("migrations applied"), "database diagnostics are for /readyz");
    app.stop().await;
}

#[tokio::test]
async fn a_server_function_round_trip_returns_the_service_status() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(app.url("/api/service_status"))
        .header("content-type", "application/x-www-form-urlencoded")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["database"], app.store.backend().name());
    assert_eq!(
        body["migrations_applied"].as_i64(),
        Some(migration_files(app.store.backend()) as i64)
    );
    app.stop().await;
}

#[tokio::test]
async fn an_unknown_page_answers_404_with_a_helpful_page() {
    let app = spawn_app().await;
    let response = app.client.get(app.url("/no/such/page")).send().await.unwrap();
    assert_eq!(response.status(), 404);
    let html = response.text().await.unwrap();
    assert!(html.contains("Page not found"), "{html}");
    assert!(html.contains("Back to the start page"));
    app.stop().await;
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused_with_413() {
    let app = spawn_app_with(|config| config.max_body_bytes = 1024).await;
    let response = app
        .client
        .post(app.url("/api/service_status"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(vec![b'a'; 4096])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    app.stop().await;
}

#[tokio::test]
async fn an_empty_database_is_migrated_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/nested/folder/fresh.db", dir.path().display());
    let store =
        app::domain::store::Store::connect(&url).await.expect("file and folder are created");
    store.migrate().await.unwrap();
    let expected = migration_files(store.backend()) as i64;
    assert_eq!(store.migrations_applied().await.unwrap(), expected);
    // Applying again is a no-op.
    store.migrate().await.unwrap();
    assert_eq!(store.migrations_applied().await.unwrap(), expected);
    store.close().await;
}

#[test]
fn migrate_with_an_unsupported_database_url_fails_with_a_clear_message() {
    let output = Command::new(env!("CARGO_BIN_EXE_sharewell"))
        .args(["migrate", "--database-url", "mysql://root:secret@localhost/app"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("is not supported: use sqlite://"), "{stderr}");
    assert!(!stderr.contains("secret"), "the password is not printed: {stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
}

#[test]
fn serve_with_an_unreachable_database_fails_before_listening() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("not-a-folder");
    std::fs::write(&blocker, "").unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_sharewell"))
        .args(["serve", "--addr", "127.0.0.1:0"])
        .env("DATABASE_URL", format!("sqlite://{}/db.sqlite", blocker.display()))
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("could not create the folder"), "{stderr}");
}

#[test]
fn migrate_creates_and_migrates_a_new_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_sharewell"))
        .arg("migrate")
        .env("DATABASE_URL", format!("sqlite://{}/data/sharewell.db", dir.path().display()))
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(dir.path().join("data/sharewell.db").exists());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("up to date"), "{stdout}");
}

/// The migration files that apply to `backend`: the portable ones and its own
/// (`..._sqlite.sql` or `..._postgres.sql`).
fn migration_files(backend: app::domain::store::Backend) -> usize {
    use app::domain::store::Backend;
    let other = match backend {
        Backend::Sqlite => "_postgres.sql",
        Backend::Postgres => "_sqlite.sql",
    };
    std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../migrations"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".sql") && !name.ends_with(other))
        .count()
}
