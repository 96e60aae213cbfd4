//! The Züs face: `/v2/shareinfo…` and `/v2/sharereq…`.

use crate::common;

use app::domain::identity::{Actor, Role};
use base64::Engine;
use common::{spawn_app, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

struct Users {
    alice: Actor,
    alice_token: String,
    bob: Actor,
    bob_token: String,
}

async fn users(app: &TestApp) -> Users {
    let org = app.create_org("Acme").await;
    let alice = app.create_user(org, "alice", Role::Member).await;
    let bob = app.create_user(org, "bob", Role::Member).await;
    Users {
        alice_token: app.create_token("alice").await,
        bob_token: app.create_token("bob").await,
        alice,
        bob,
    }
}

/// A gosdk-style auth ticket: base64 of the marker JSON.
fn ticket(owner: &Actor, receiver: Option<&Actor>, lookup_hash: &str, file_name: &str) -> String {
    let marker = json!({
        "client_id": receiver.map(|r| r.user_id.to_string()).unwrap_or_default(),
        "owner_id": owner.user_id.to_string(),
        "allocation_id": "alloc-1",
        "file_path_hash": lookup_hash,
        "actual_file_hash": "abc",
        "file_name": file_name,
        "reference_type": "f",
        "expiration": 0,
        "timestamp": 1_700_000_000,
        "encrypted": false,
        "signature": "sig",
    });
    base64::engine::general_purpose::STANDARD.encode(marker.to_string())
}

async fn share(app: &TestApp, u: &Users, lookup_hash: &str) -> Value {
    let body = json!({ "auth_ticket": ticket(&u.alice, Some(&u.bob), lookup_hash, "plan.pdf"), "message": "Here is your file" });
    let (status, answer) =
        app.call(Method::POST, "/v2/shareinfo", Some(&u.alice_token), Some(body)).await;
    assert_eq!(status, 200, "{answer}");
    answer
}

#[tokio::test]
async fn a_share_made_from_a_ticket_is_listed_for_sender_and_receiver() {
    let app = spawn_app().await;
    let u = users(&app).await;
    let answer = share(&app, &u, "hash-1").await;
    assert_eq!(answer["message"], "shareinfo added successfully");
    let data = &answer["data"];
    assert_eq!(data["client_id"], u.alice.user_id.to_string());
    assert_eq!(data["receiver"], u.bob.user_id.to_string());
    assert_eq!(data["sender_name"], "alice");
    assert_eq!(data["receiver_name"], "bob");
    assert_eq!(data["lookup_hash"], "hash-1");
    assert_eq!(data["share_info_type"], "private");
    assert_eq!(data["message"], "Here is your file");

    let (_, sent) = app
        .call(Method::GET, "/v2/shareinfo/shared?shareInfoType=private", Some(&u.alice_token), None)
        .await;
    assert_eq!(sent["message"], "Data is present for the given details");
    assert_eq!(sent["data"][0]["receiver_name"], "bob");
    assert_eq!(sent["data"][0]["lookup_hash"], "hash-1");
    let (_, received) = app
        .call(Method::GET, "/v2/shareinfo/received?shareInfoType=private", Some(&u.bob_token), None)
        .await;
    assert_eq!(received["data"][0]["sender_name"], "alice");
    assert_eq!(received["data"][0]["auth_ticket"], answer["data"]["auth_ticket"]);
    let (_, nothing) = app
        .call(
            Method::GET,
            "/v2/shareinfo/received?shareInfoType=private",
            Some(&u.alice_token),
            None,
        )
        .await;
    assert_eq!(nothing["data"], json!([]));
    assert_eq!(nothing["message"], "No data present for the given details");

    let (status, error) =
        app.call(Method::GET, "/v2/shareinfo/shared", Some(&u.alice_token), None).await;
    assert_eq!(status, 400);
    assert_eq!(error["message"], "shareInfoType is required");
    app.stop().await;
}

#[tokio::test]
async fn shareinfo_arrives_as_multipart_like_the_go_client_sends_it() {
    let app = spawn_app().await;
    let u = users(&app).await;
    let form = reqwest::multipart::Form::new()
        .text("auth_ticket", ticket(&u.alice, None, "hash-public", "flyer.png"))
        .text("message", "for everyone")
        .text("link", "https://share.example/flyer");
    let response = reqwest::Client::new()
        .post(app.url("/v2/shareinfo"))
        .header("x-app-id-token", &u.alice_token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["data"]["share_info_type"], "public", "no receiver: a public share");
    assert_eq!(body["data"]["receiver"], "");
    assert_eq!(body["data"]["link"], "https://share.example/flyer");
    app.stop().await;
}

#[tokio::test]
async fn bad_tickets_and_foreign_owners_are_refused() {
    let app = spawn_app().await;
    let u = users(&app).await;
    let cases = [
        (json!({}), 400, "auth_ticket is required"),
        (json!({ "auth_ticket": "***" }), 400, "not valid base64"),
        (
            json!({ "auth_ticket": base64::engine::general_purpose::STANDARD.encode("nope") }),
            400,
            "JSON ticket",
        ),
        (
            json!({ "auth_ticket": ticket(&u.bob, Some(&u.alice), "h", "f") }),
            403,
            "owner_id must be the caller",
        ),
    ];
    for (body, status, message) in cases {
        let (got, error) =
            app.call(Method::POST, "/v2/shareinfo", Some(&u.alice_token), Some(body)).await;
        assert_eq!(got.as_u16(), status, "{error}");
        assert!(error["message"].as_str().unwrap().contains(message), "{error}");
        assert!(error["error"].is_string());
    }
    let (status, _) =
        app.call(Method::GET, "/v2/shareinfo/shared?shareInfoType=private", None, None).await;
    assert_eq!(status, 401);
    app.stop().await;
}

#[tokio::test]
async fn shares_are_deleted_by_lookup_hash_or_ticket() {
    let app = spawn_app().await;
    let u = users(&app).await;
    let first = share(&app, &u, "hash-1").await;
    share(&app, &u, "hash-2").await;

    let (status, error) =
        app.call(Method::DELETE, "/v2/shareinfo", Some(&u.alice_token), None).await;
    assert_eq!(status, 400, "{error}");
    let (_, deleted) = app
        .call(Method::DELETE, "/v2/shareinfo?lookup_hash=hash-2", Some(&u.alice_token), None)
        .await;
    assert_eq!(deleted["message"], "deleting shareinfo successful");
    let encoded: String = url_encode(first["data"]["auth_ticket"].as_str().unwrap());
    let (_, deleted) = app
        .call(
            Method::DELETE,
            &format!("/v2/shareinfo?auth_ticket={encoded}"),
            Some(&u.alice_token),
            None,
        )
        .await;
    assert_eq!(deleted["message"], "deleting shareinfo successful");
    let (_, none) = app
        .call(Method::DELETE, "/v2/shareinfo?lookup_hash=hash-2", Some(&u.alice_token), None)
        .await;
    assert_eq!(none["message"], "no shareinfo was deleted for these details");
    let (_, received) = app
        .call(Method::GET, "/v2/shareinfo/received?shareInfoType=private", Some(&u.bob_token), None)
        .await;
    assert_eq!(received["data"], json!([]));
    app.stop().await;
}

fn url_encode(text: &str) -> String {
    text.bytes()
        .map(
            |b| {
                if b.is_ascii_alphanumeric() {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            },
        )
        .collect()
}

async fn request(app: &TestApp, u: &Users, lookup_hash: &str) -> (reqwest::StatusCode, Value) {
    let body = json!({ "owner_id": u.alice.user_id.to_string(), "lookup_hash": lookup_hash, "message": "Please share this file" });
    app.call(Method::POST, "/v2/sharereq", Some(&u.bob_token), Some(body)).await
}

async fn first_received_request(app: &TestApp, u: &Users, query: &str) -> Value {
    let (_, listed) = app
        .call(Method::GET, &format!("/v2/sharereq/received{query}"), Some(&u.alice_token), None)
        .await;
    listed["data"][0].clone()
}

async fn answer(
    app: &TestApp,
    token: &str,
    id: &str,
    status: &str,
) -> (reqwest::StatusCode, Value) {
    let body = json!({ "id": id, "status": status, "link": "https://share.example/x", "auth_ticket": "dGlja2V0" });
    app.call(Method::PUT, "/v2/sharereq", Some(token), Some(body)).await
}

#[tokio::test]
async fn a_declined_requester_may_ask_again_once_and_never_while_pending() {
    let app = spawn_app().await;
    let u = users(&app).await;
    share(&app, &u, "hash-1").await; // registers alice's file

    let (status, created) = request(&app, &u, "hash-1").await;
    assert_eq!(status, 200, "{created}");
    assert_eq!(created["message"], "New Share Request is created");
    let (status, error) = request(&app, &u, "hash-1").await;
    assert_eq!(status, 409);
    assert_eq!(error["message"], "a request for this file is already pending");

    let pending = first_received_request(&app, &u, "").await;
    assert_eq!(pending["status"], "pending");
    assert_eq!(pending["client_id"], u.bob.user_id.to_string());
    assert_eq!(pending["owner_id"], u.alice.user_id.to_string());
    let id = pending["id"].as_str().unwrap().to_owned();

    assert_eq!(answer(&app, &u.alice_token, &id, "declined").await.0, 200);
    let (status, _) = request(&app, &u, "hash-1").await;
    assert_eq!(status, 200, "one re-request after a decline");
    assert_eq!(answer(&app, &u.alice_token, &id, "declined").await.0, 200);
    let (status, error) = request(&app, &u, "hash-1").await;
    assert_eq!(status, 409);
    assert!(
        error["message"].as_str().unwrap().contains("only once more after a decline"),
        "{error}"
    );
    app.stop().await;
}

#[tokio::test]
async fn approving_a_request_shares_the_file_with_the_requester() {
    let app = spawn_app().await;
    let u = users(&app).await;
    let alice_file = json!({ "auth_ticket": ticket(&u.alice, None, "hash-9", "budget.xlsx") });
    app.call(Method::POST, "/v2/shareinfo", Some(&u.alice_token), Some(alice_file)).await;
    request(&app, &u, "hash-9").await;
    let id = first_received_request(&app, &u, "?lookup_hash=hash-9").await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let (status, error) = answer(&app, &u.bob_token, &id, "approved").await;
    assert_eq!(
        status, 404,
        "only the owner answers, and to anyone else the request is unknown: {error}"
    );
    let (status, error) = answer(&app, &u.alice_token, &id, "maybe").await;
    assert_eq!(status, 400);
    assert_eq!(error["message"], "status: must be `approved` or `declined`");

    let (status, updated) = answer(&app, &u.alice_token, &id, "approved").await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["message"], "share request updated successfully");
    let (status, error) = answer(&app, &u.alice_token, &id, "declined").await;
    assert_eq!(status, 409);
    assert_eq!(error["message"], "this request was already approved");

    let (_, received) = app
        .call(Method::GET, "/v2/shareinfo/received?shareInfoType=private", Some(&u.bob_token), None)
        .await;
    assert_eq!(received["data"][0]["lookup_hash"], "hash-9");
    assert_eq!(received["data"][0]["link"], "https://share.example/x");

    let (_, sent) =
        app.call(Method::GET, "/v2/sharereq/requested?all=true", Some(&u.bob_token), None).await;
    assert_eq!(sent["data"][0]["status"], "approved");
    let (_, pending_only) =
        app.call(Method::GET, "/v2/sharereq/requested", Some(&u.bob_token), None).await;
    assert_eq!(
        pending_only["data"],
        json!([]),
        "without all=true only pending requests are listed"
    );
    let (status, error) = request(&app, &u, "hash-9").await;
    assert_eq!(status, 409);
    assert_eq!(error["message"], "access to this file was already approved");
    app.stop().await;
}

#[tokio::test]
async fn a_requester_withdraws_a_pending_request() {
    let app = spawn_app().await;
    let u = users(&app).await;
    share(&app, &u, "hash-1").await;
    request(&app, &u, "hash-1").await;
    let id = first_received_request(&app, &u, "").await["id"].as_str().unwrap().to_owned();

    let (status, _) = app
        .call(Method::DELETE, &format!("/v2/sharereq?id={id}"), Some(&u.alice_token), None)
        .await;
    assert_eq!(status, 404, "only the requester may withdraw");
    let (status, body) =
        app.call(Method::DELETE, &format!("/v2/sharereq?id={id}"), Some(&u.bob_token), None).await;
    assert_eq!(status, 200);
    assert_eq!(body["message"], "share request deleted successfully");
    assert_eq!(first_received_request(&app, &u, "?all=true").await, Value::Null);
    let (status, error) = app.call(Method::DELETE, "/v2/sharereq", Some(&u.bob_token), None).await;
    assert_eq!(status, 400);
    assert_eq!(error["message"], "id is required");
    app.stop().await;
}

#[tokio::test]
async fn a_request_for_a_hash_sharewell_has_not_seen_is_stored_and_approved_like_any_other() {
    let app = spawn_app().await;
    let u = users(&app).await;
    // The file lives in Alice's allocation; Sharewell has never heard of its hash.
    let (status, body) = request(&app, &u, "allocation-only-hash").await;
    assert_eq!(status, 200, "{body}");
    let received = first_received_request(&app, &u, "?lookup_hash=allocation-only-hash").await;
    assert_eq!(received["lookup_hash"], "allocation-only-hash", "{received}");
    let (status, _) = request(&app, &u, "allocation-only-hash").await;
    assert_eq!(status, 409, "still one request while it is pending");
    let id = received["id"].as_str().unwrap().to_owned();
    let (status, answered) = answer(&app, &u.alice_token, &id, "approved").await;
    assert_eq!(status, 200, "{answered}");
    let (_, shared) = app
        .call(Method::GET, "/v2/shareinfo/received?shareInfoType=private", Some(&u.bob_token), None)
        .await;
    assert_eq!(shared["data"][0]["lookup_hash"], "allocation-only-hash", "{shared}");
    app.stop().await;
}

#[tokio::test]
async fn requests_for_unknown_owners_are_refused() {
    let app = spawn_app().await;
    let u = users(&app).await;
    let stranger = uuid::Uuid::now_v7().to_string();
    let body = json!({ "owner_id": stranger, "lookup_hash": "h" });
    let (status, error) =
        app.call(Method::POST, "/v2/sharereq", Some(&u.bob_token), Some(body)).await;
    assert_eq!(status, 404, "{error}");
    let (status, error) = app
        .call(
            Method::POST,
            "/v2/sharereq",
            Some(&u.bob_token),
            Some(json!({ "owner_id": "someone", "lookup_hash": "h" })),
        )
        .await;
    assert_eq!(status, 400);
    assert!(error["message"].as_str().unwrap().contains("owner_id"), "{error}");
    let (status, _) = app
        .call(Method::GET, "/v2/sharereq/received?status=bogus", Some(&u.alice_token), None)
        .await;
    assert_eq!(status, 400);
    app.stop().await;
}
