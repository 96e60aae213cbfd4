//! Hostile input against every face: oversized and malformed bodies, NUL characters, invalid
//! UTF-8, huge numbers, large batches, foreign ids, oversized heads, a trickled head, the
//! sign-in redirect and cross-site writes. Whatever arrives, the answer is a 4xx in the face's
//! own error shape (or a success), never a 5xx or a dropped connection.

use crate::common;

use std::time::Duration;

use app::domain::identity::Role;
use app::domain::ids::OrgId;
use common::{location, spawn_app, TestApp, PASSWORD};
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Acme (Alice, admin) and Globex (Gina, admin), each with a token.
struct World {
    acme: OrgId,
    globex: OrgId,
    alice: String,
    gina: String,
}

async fn world(app: &TestApp) -> World {
    let acme = app.create_org("Acme").await;
    let globex = app.create_org("Globex").await;
    app.create_user(acme, "alice", Role::Admin).await;
    app.create_user(globex, "gina", Role::Admin).await;
    World {
        acme,
        globex,
        alice: app.create_token("alice").await,
        gina: app.create_token("gina").await,
    }
}

/// The error shape each face answers in, recognised from a body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    /// `{"error": {"code", "message"}}`
    Native,
    /// `{"success": false, "errors": [...]}`
    Cloudflare,
    /// problem details with `status` and `traceId`
    EnableNow,
    /// `{"message"}`
    Epilot,
    /// `{"$": "heyputer:api/APIError", "code", "message"}`
    Puter,
    /// `{"message", "error"}`
    Zus,
}

fn shape_of(body: &Value) -> Option<Shape> {
    let puter_abort = body["$"] == "api:share" && body["status"] == "aborted";
    if body["$"] == "heyputer:api/APIError" || puter_abort {
        Some(Shape::Puter)
    } else if body["error"]["code"].is_string() && body["error"]["message"].is_string() {
        Some(Shape::Native)
    } else if body["success"] == false && body["errors"].is_array() {
        Some(Shape::Cloudflare)
    } else if body["traceId"].is_string() && body["status"].is_u64() && body["title"].is_string() {
        Some(Shape::EnableNow)
    } else if body["error"].is_string() && body["message"].is_string() {
        Some(Shape::Zus)
    } else if body["message"].is_string() {
        Some(Shape::Epilot)
    } else {
        None
    }
}

/// One writing endpoint per face, with the shape its errors come in.
fn write_endpoints(world: &World) -> Vec<(String, Shape)> {
    vec![
        ("/api/v1/tokens".to_owned(), Shape::Native),
        (format!("/client/v4/accounts/{}/shares", world.acme.simple()), Shape::Cloudflare),
        ("/v1/shares".to_owned(), Shape::EnableNow),
        ("/v1/sharing/entities:share".to_owned(), Shape::Epilot),
        ("/share".to_owned(), Shape::Puter),
        ("/v2/sharereq".to_owned(), Shape::Zus),
    ]
}

struct Tally {
    requests: usize,
    server_errors: Vec<String>,
}

impl Tally {
    fn new() -> Self {
        Self { requests: 0, server_errors: Vec::new() }
    }

    /// Sends a request, counts it, and returns its status and JSON body (`null` if none); a
    /// long body is cut short, so that a failing assertion stays readable.
    async fn send(&mut self, label: &str, request: reqwest::RequestBuilder) -> (StatusCode, Value) {
        self.requests += 1;
        let response = request.send().await.unwrap_or_else(|error| {
            panic!("{label}: no answer at all ({error})");
        });
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        if status.is_server_error() {
            self.server_errors.push(format!("{label}: {status} {}", brief(&text)));
        }
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        (status, if text.len() > 2_000 { json!({ "truncated": brief(&text) }) } else { body })
    }

    fn assert_no_server_errors(&self, suite: &str) {
        println!(
            "{suite}: {} hostile requests, {} answers >= 500",
            self.requests,
            self.server_errors.len()
        );
        assert!(self.server_errors.is_empty(), "{:#?}", self.server_errors);
    }
}

fn brief(text: &str) -> String {
    text.chars().take(300).collect()
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

#[tokio::test]
async fn malformed_oversized_and_nul_bodies_get_each_faces_4xx() {
    let app = spawn_app().await;
    let world = world(&app).await;
    let http = client();
    let mut tally = Tally::new();
    let oversized = vec![b'a'; 1024 * 1024 + 1];
    let bodies: [(&str, Vec<u8>, StatusCode); 5] = [
        ("oversized", oversized, StatusCode::PAYLOAD_TOO_LARGE),
        ("malformed JSON", b"{\"name\": ".to_vec(), StatusCode::BAD_REQUEST),
        ("invalid UTF-8", b"{\"name\": \"\xff\xfe\"}".to_vec(), StatusCode::BAD_REQUEST),
        ("a NUL escape", br#"{"name": "r\u0000"}"#.to_vec(), StatusCode::BAD_REQUEST),
        ("a raw NUL", b"{\"name\": \"r\0\"}".to_vec(), StatusCode::BAD_REQUEST),
    ];
    for (path, shape) in write_endpoints(&world) {
        for (what, body, expected) in &bodies {
            let label = format!("POST {path} with {what}");
            let request = http
                .post(app.url(&path))
                .bearer_auth(&world.alice)
                .header("content-type", "application/json")
                .body(body.clone());
            let (status, answer) = tally.send(&label, request).await;
            if *what == "oversized" || what.contains("NUL") {
                assert_eq!(status, *expected, "{label}: {answer}");
            } else {
                assert!(status.is_client_error(), "{label}: {status} {answer}");
            }
            assert_eq!(shape_of(&answer), Some(shape), "{label}: {status} {answer}");
        }
    }
    // A declared length over the limit is refused before the body is read.
    let (status, answer) = tally
        .send(
            "declared oversize",
            http.post(app.url("/v1/shares"))
                .bearer_auth(&world.alice)
                .header("content-type", "application/json")
                .body(vec![b' '; 2 * 1024 * 1024]),
        )
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(answer["status"], 413, "{answer}");
    tally.assert_no_server_errors("bodies");
    app.stop().await;
}

#[tokio::test]
async fn nul_characters_huge_numbers_and_foreign_ids_in_addresses_are_refused() {
    let app = spawn_app().await;
    let world = world(&app).await;
    let http = client();
    let mut tally = Tally::new();
    let acme = world.acme.simple().to_string();
    let globex = world.globex.simple().to_string();
    let huge = "18446744073709551615";
    let cases: Vec<(String, &String)> = vec![
        // NUL characters in paths and queries.
        ("/v1/shares/%00".to_owned(), &world.alice),
        ("/v1/shares?isExpired=%00".to_owned(), &world.alice),
        (format!("/client/v4/accounts/{acme}/shares/%00"), &world.alice),
        ("/v1/sharing/configurations/%00".to_owned(), &world.alice),
        ("/v2/shareinfo/shared?lookup_hash=%00".to_owned(), &world.alice),
        ("/api/v1/audit-events?action=%00".to_owned(), &world.alice),
        ("/api/v1/access?person=%00".to_owned(), &world.alice),
        ("/api/v1/access.csv?item=%00".to_owned(), &world.alice),
        // Huge and negative numbers.
        (format!("/v1/shares?page={huge}&pageSize={huge}"), &world.alice),
        ("/v1/shares?page=-1&pageSize=0".to_owned(), &world.alice),
        (format!("/client/v4/accounts/{acme}/shares?page={huge}&per_page={huge}"), &world.alice),
        (format!("/client/v4/accounts/{acme}/shares?page=-5&per_page=1e9"), &world.alice),
        (format!("/v1/sharing/configurations?page={huge}&size={huge}"), &world.alice),
        (format!("/v1/sharing/configurations?from={huge}&size=-1"), &world.alice),
        (format!("/v2/sharereq/received?offset={huge}&limit={huge}"), &world.alice),
        (format!("/api/v1/access?page={huge}&per_page={huge}"), &world.alice),
        ("/api/v1/access?item_kind=spaceship&org=not-an-id&person=-1".to_owned(), &world.alice),
        // Another org's account, and ids that are not ids.
        (format!("/client/v4/accounts/{globex}/shares"), &world.alice),
        (format!("/client/v4/accounts/{acme}/shares"), &world.gina),
        ("/client/v4/accounts/not-an-id/shares/also-not".to_owned(), &world.alice),
        ("/v1/shares/not-an-id".to_owned(), &world.alice),
        (format!("/client/v4/organizations/{acme}/shares"), &world.gina),
    ];
    for (path, token) in &cases {
        let label = format!("GET {path}");
        let (status, answer) = tally.send(&label, http.get(app.url(path)).bearer_auth(token)).await;
        assert!(status.is_client_error() || status.is_success(), "{label}: {status} {answer}");
        if path.contains("%00") {
            assert_eq!(status, StatusCode::BAD_REQUEST, "{label}: {answer}");
            assert!(shape_of(&answer).is_some(), "{label}: {answer}");
        }
        if path.contains(&globex) || (path.contains(&acme) && *token == &world.gina) {
            assert!(
                matches!(status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
                "{label}: another org's account must be refused, got {status} {answer}"
            );
        }
    }
    tally.assert_no_server_errors("addresses");
    app.stop().await;
}

#[tokio::test]
async fn twenty_thousand_item_batches_are_refused_in_the_faces_shape_and_write_nothing() {
    let app = spawn_app().await;
    let world = world(&app).await;
    let http = client();
    let mut tally = Tally::new();
    let recipients: Vec<String> = (0..20_000).map(|n| format!("user{n}")).collect();
    let puter = json!({ "recipients": recipients, "things": [{ "path": "/alice/report.pdf" }] });
    let (status, answer) = tally
        .send("puter 20k", http.post(app.url("/share")).bearer_auth(&world.alice).json(&puter))
        .await;
    assert!(status.is_client_error(), "{status} {answer}");
    assert_eq!(shape_of(&answer), Some(Shape::Puter), "{answer}");
    // 2,000 partners with ten entities each: 20,000 shares in one request.
    let entities: Vec<Value> = (0..10)
        .map(|n| json!({ "entity_id": format!("deal-{n}"), "schema": "opportunity" }))
        .collect();
    let share: Vec<Value> = (0..2_000)
        .map(|n| json!({ "partner_org_id": format!("{n:032x}"), "entities": entities }))
        .collect();
    let epilot = json!({ "share": share });
    let (status, answer) = tally
        .send(
            "epilot 20k",
            http.post(app.url("/v1/sharing/entities:share"))
                .bearer_auth(&world.alice)
                .json(&epilot),
        )
        .await;
    assert!(status.is_client_error(), "{status} {answer}");
    assert_eq!(shape_of(&answer), Some(Shape::Epilot), "{answer}");
    for table in ["user_shares", "notifications", "partner_configs", "entity_shares"] {
        let rows: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(app.store.pool())
            .await
            .unwrap();
        assert_eq!(rows, 0, "{table}: nothing is written");
    }
    tally.assert_no_server_errors("batches");
    app.stop().await;
}

#[tokio::test]
async fn oversized_heads_get_each_faces_414_or_431() {
    let app = spawn_app().await;
    let world = world(&app).await;
    let http = client();
    let mut tally = Tally::new();
    let long_query = "x".repeat(9 * 1024);
    let (status, answer) = tally
        .send(
            "long address",
            http.get(app.url(&format!("/v1/shares?q={long_query}"))).bearer_auth(&world.alice),
        )
        .await;
    assert_eq!(status, StatusCode::URI_TOO_LONG, "{answer}");
    assert_eq!(shape_of(&answer), Some(Shape::EnableNow), "{answer}");

    let mut request = http.get(app.url("/api/v1/me")).bearer_auth(&world.alice);
    for n in 0..120 {
        request = request.header(format!("x-filler-{n}"), "1");
    }
    let (status, answer) = tally.send("many headers", request).await;
    assert_eq!(status, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, "{answer}");
    assert_eq!(shape_of(&answer), Some(Shape::Native), "{answer}");

    let big_header = "y".repeat(40 * 1024);
    let request = http
        .get(app.url(&format!("/client/v4/accounts/{}/shares", world.acme.simple())))
        .bearer_auth(&world.alice)
        .header("x-big", big_header);
    let (status, answer) = tally.send("big header", request).await;
    assert_eq!(status, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, "{answer}");
    assert_eq!(shape_of(&answer), Some(Shape::Cloudflare), "{answer}");
    tally.assert_no_server_errors("heads");
    app.stop().await;
}

#[tokio::test]
async fn a_client_that_trickles_its_head_is_cut_off_and_does_not_hold_up_a_shutdown() {
    let app = spawn_app().await;
    let address = app.address.trim_start_matches("http://").to_owned();
    let mut slow = tokio::net::TcpStream::connect(&address).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").await.unwrap();
    let started = std::time::Instant::now();
    let mut buffer = [0u8; 256];
    // The server closes the connection (with or without a 408) once the head is overdue.
    let read = tokio::time::timeout(Duration::from_secs(20), slow.read(&mut buffer)).await;
    assert!(read.is_ok(), "the connection was still open after 20 s");
    assert!(
        started.elapsed() >= Duration::from_secs(5),
        "closed too early: {:?}",
        started.elapsed()
    );

    // A second trickler is connected while the server shuts down: the shutdown does not wait
    // for it beyond the head timeout.
    let mut other = tokio::net::TcpStream::connect(&address).await.unwrap();
    other.write_all(b"GET /healthz HTTP/1.1\r\n").await.unwrap();
    let stopping = std::time::Instant::now();
    app.stop().await;
    assert!(stopping.elapsed() < Duration::from_secs(15), "shutdown took {:?}", stopping.elapsed());
}

#[tokio::test]
async fn sign_in_follows_only_same_site_paths() {
    let app = spawn_app().await;
    let acme = app.create_org("Acme").await;
    app.create_user(acme, "alice", Role::Admin).await;
    for outside in [
        "/\t/evil.example",
        "//evil.example",
        "/\\evil.example",
        "https://evil.example",
        "/\n/evil.example",
    ] {
        let response = app.sign_in("alice", PASSWORD, outside).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{outside:?}");
        assert_eq!(location(&response), "/overview", "{outside:?}");
    }
    let response = app.sign_in("alice", PASSWORD, "/shared?tab=received").await;
    assert_eq!(location(&response), "/shared?tab=received");
    app.stop().await;
}

#[tokio::test]
async fn a_cross_site_write_with_the_session_cookie_is_refused_whatever_else_it_carries() {
    let app = spawn_app().await;
    let acme = app.create_org("Acme").await;
    app.create_user(acme, "alice", Role::Admin).await;
    app.sign_in("alice", PASSWORD, "/overview").await;
    let tokens_before = app.server_fn_ok("tokens", &[]).await;
    for authorization in [None, Some("Basic eDp4"), Some("Bearer sw_not_a_token")] {
        let mut request = app
            .client
            .post(app.url("/api/create_token"))
            .header("origin", "http://evil.example")
            .header("accept", "application/json")
            .form(&[("name", "planted")]);
        if let Some(authorization) = authorization {
            request = request.header("authorization", authorization);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{authorization:?}");
    }
    assert_eq!(app.server_fn_ok("tokens", &[]).await, tokens_before, "no token was created");
    // Our own page may.
    app.server_fn_ok("create_token", &[("name", "mine")]).await;
    app.stop().await;
}

#[tokio::test]
async fn pages_carry_security_headers_and_a_nonce_for_their_scripts() {
    let app = spawn_app().await;
    let acme = app.create_org("Acme").await;
    app.create_user(acme, "alice", Role::Admin).await;
    app.sign_in("alice", PASSWORD, "/overview").await;
    let response = app.client.get(app.url("/overview")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let header = |name: &str| {
        response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
    };
    let policy = header("content-security-policy");
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert_eq!(header("cache-control"), "no-store");
    assert!(!header("referrer-policy").is_empty());
    let nonce = policy
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in the policy")
        .to_owned();
    let html = response.text().await.unwrap();
    let scripts = html.matches("<script").count();
    assert!(scripts > 0);
    assert_eq!(
        html.matches(&format!("nonce=\"{nonce}\"")).count(),
        scripts,
        "every inline script carries the nonce"
    );

    // A malformed request id is replaced; a well-formed one is kept.
    let response =
        app.client.get(app.url("/healthz")).header("x-request-id", "not an id!").send().await;
    let response = response.unwrap();
    let id = response.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");
    let response = app
        .client
        .get(app.url("/healthz"))
        .header("x-request-id", "trace-42")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], "trace-42");
    app.stop().await;
}
