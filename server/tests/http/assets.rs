//! The bundle and stylesheet are served like a production site: the copy the client's
//! `Accept-Encoding` prefers, `Vary`, a year's cache for content-hashed names, pages never
//! cached, and large JSON answers gzipped. On a small fake site (no `make site` needed).

use crate::common;

use app::domain::identity::Role;
use common::{spawn_app_with, TestApp};
use reqwest::header::{CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE, VARY};
use tempfile::TempDir;

const JS_HASH: &str = "0123456789abcdef";
const WASM_HASH: &str = "fedcba9876543210";
const CSS_HASH: &str = "00112233445566aa";
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// A site root as `frontend/site-assets.mjs` leaves it. Each copy's content names its
/// encoding, so a test can tell which one it was sent.
fn fake_site() -> TempDir {
    let site = tempfile::tempdir().expect("site root");
    let pkg = site.path().join("pkg");
    std::fs::create_dir(&pkg).unwrap();
    for (hash, extension) in [(JS_HASH, "js"), (WASM_HASH, "wasm"), (CSS_HASH, "css")] {
        let file = pkg.join(format!("sharewell.{hash}.{extension}"));
        std::fs::write(&file, format!("identity {extension}")).unwrap();
        std::fs::write(file.with_extension(format!("{extension}.br")), "brotli").unwrap();
        std::fs::write(file.with_extension(format!("{extension}.gz")), "gzip").unwrap();
    }
    std::fs::write(pkg.join("sharewell.css"), "unhashed css").unwrap();
    let hashes = format!("js: {JS_HASH}\nwasm: {WASM_HASH}\ncss: {CSS_HASH}\n");
    std::fs::write(site.path().join("hash.txt"), hashes).unwrap();
    site
}

async fn spawn_on(site: &TempDir) -> TestApp {
    let root = site.path().to_path_buf();
    spawn_app_with(move |config| config.site_root = root).await
}

async fn get(app: &TestApp, path: &str, accept_encoding: Option<&str>) -> reqwest::Response {
    let mut request = app.client.get(app.url(path));
    if let Some(accepted) = accept_encoding {
        request = request.header("accept-encoding", accepted);
    }
    request.send().await.expect("request")
}

fn header(response: &reqwest::Response, name: reqwest::header::HeaderName) -> &str {
    response.headers().get(name).and_then(|value| value.to_str().ok()).unwrap_or_default()
}

#[tokio::test]
async fn each_client_gets_the_encoding_it_prefers_with_vary_and_a_years_cache() {
    let site = fake_site();
    let app = spawn_on(&site).await;
    let wasm = format!("/pkg/sharewell.{WASM_HASH}.wasm");
    for (accepted, encoding, body) in [
        (Some("br, gzip"), "br", "brotli"),
        (Some("gzip, deflate, br, zstd"), "br", "brotli"),
        (Some("gzip"), "gzip", "gzip"),
        (Some("gzip;q=1, br;q=0.5"), "gzip", "gzip"),
        (Some("deflate"), "", "identity wasm"),
        (None, "", "identity wasm"),
    ] {
        let response = get(&app, &wasm, accepted).await;
        assert_eq!(response.status(), 200, "{accepted:?}");
        assert_eq!(header(&response, CONTENT_ENCODING), encoding, "{accepted:?}");
        assert_eq!(header(&response, CONTENT_TYPE), "application/wasm", "{accepted:?}");
        assert!(header(&response, VARY).to_ascii_lowercase().contains("accept-encoding"));
        assert_eq!(header(&response, CACHE_CONTROL), IMMUTABLE, "{accepted:?}");
        assert_eq!(response.text().await.unwrap(), body, "{accepted:?}");
    }
    for path in [format!("/pkg/sharewell.{JS_HASH}.js"), format!("/pkg/sharewell.{CSS_HASH}.css")] {
        let response = get(&app, &path, Some("br, gzip")).await;
        assert_eq!(header(&response, CONTENT_ENCODING), "br", "{path}");
        assert_eq!(header(&response, CACHE_CONTROL), IMMUTABLE, "{path}");
    }
    app.stop().await;
}

#[tokio::test]
async fn an_unhashed_name_is_checked_again_and_a_missing_file_is_a_404() {
    let site = fake_site();
    let app = spawn_on(&site).await;
    let response = get(&app, "/pkg/sharewell.css", Some("br, gzip")).await;
    assert_eq!(response.status(), 200);
    assert_eq!(header(&response, CACHE_CONTROL), "no-cache", "no long cache without a hash");
    assert_eq!(header(&response, CONTENT_ENCODING), "", "no compressed copy of it");
    assert_eq!(response.text().await.unwrap(), "unhashed css");

    let response = get(&app, "/pkg/sharewell.0000000000000000.wasm", Some("br")).await;
    assert_eq!(response.status(), 404);
    assert!(!header(&response, CACHE_CONTROL).contains("immutable"));
    app.stop().await;
}

#[tokio::test]
async fn pages_link_the_hashed_files_and_are_never_cached() {
    let site = fake_site();
    let app = spawn_on(&site).await;
    for path in ["/", "/login"] {
        let response = get(&app, path, Some("br, gzip")).await;
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(header(&response, CONTENT_ENCODING), "", "{path}: pages stream as they are");
        let cache = header(&response, CACHE_CONTROL).to_owned();
        assert!(cache == "no-store" || cache == "no-cache", "{path}: {cache}");
        let html = response.text().await.unwrap();
        for linked in [
            format!(r#"href="/pkg/sharewell.{CSS_HASH}.css""#),
            format!(r#"href="/pkg/sharewell.{JS_HASH}.js""#),
            format!(r#"href="/pkg/sharewell.{WASM_HASH}.wasm""#),
        ] {
            assert!(html.contains(&linked), "{path} should link {linked}: {html}");
        }
        assert!(!html.contains("/pkg/sharewell.css"), "{path}: the unhashed stylesheet");
        assert!(!html.contains("sharewell_bg"), "{path}: the unhashed wasm");
    }

    let org = app.create_org("Acme").await;
    app.create_user(org, "ada", Role::Admin).await;
    app.sign_in("ada", common::PASSWORD, "/overview").await;
    let response = get(&app, "/overview", Some("gzip")).await;
    assert_eq!(response.status(), 200);
    assert_eq!(header(&response, CACHE_CONTROL), "no-store", "a signed-in page is never stored");
    assert_eq!(header(&response, CONTENT_ENCODING), "");
    app.stop().await;
}

#[tokio::test]
async fn without_a_hash_file_pages_link_the_plain_names() {
    let site = fake_site();
    std::fs::remove_file(site.path().join("hash.txt")).unwrap();
    let app = spawn_on(&site).await;
    let html = get(&app, "/login", None).await.text().await.unwrap();
    assert!(html.contains(r#"href="/pkg/sharewell.css""#), "{html}");
    assert!(html.contains(r#"href="/pkg/sharewell.js""#), "{html}");
    assert!(html.contains(r#"href="/pkg/sharewell_bg.wasm""#), "{html}");
    app.stop().await;
}

#[tokio::test]
async fn large_json_answers_are_gzipped_for_clients_that_accept_it() {
    let site = fake_site();
    let app = spawn_on(&site).await;
    let org = app.create_org("Acme").await;
    app.create_user(org, "ada", Role::Admin).await;
    for n in 0..24 {
        app.create_user(org, &format!("member-with-a-longish-name-{n:02}"), Role::Member).await;
    }
    let token = app.create_token("ada").await;
    let list = |accepted: Option<&'static str>| {
        let mut request = app.client.get(app.url("/api/v1/users")).bearer_auth(&token);
        if let Some(accepted) = accepted {
            request = request.header("accept-encoding", accepted);
        }
        request.send()
    };

    let plain = list(None).await.unwrap();
    assert_eq!(plain.status(), 200);
    assert_eq!(header(&plain, CONTENT_ENCODING), "");
    let plain = plain.bytes().await.unwrap();
    assert!(plain.len() > 2048, "a large answer: {} bytes", plain.len());
    serde_json::from_slice::<serde_json::Value>(&plain).expect("JSON as it is");

    let gzipped = list(Some("gzip")).await.unwrap();
    assert_eq!(gzipped.status(), 200);
    assert_eq!(header(&gzipped, CONTENT_ENCODING), "gzip");
    assert!(header(&gzipped, VARY).to_ascii_lowercase().contains("accept-encoding"));
    let gzipped = gzipped.bytes().await.unwrap();
    assert_eq!(&gzipped[..2], &[0x1f, 0x8b], "a gzip stream");
    assert!(gzipped.len() * 2 < plain.len(), "{} of {} bytes", gzipped.len(), plain.len());

    // A small answer is not worth it.
    let me = app.client.get(app.url("/api/v1/me")).bearer_auth(&token);
    let me = me.header("accept-encoding", "gzip").send().await.unwrap();
    assert_eq!(me.status(), 200);
    assert_eq!(header(&me, CONTENT_ENCODING), "");
    app.stop().await;
}
