//! The Puter face: `POST /share`, `/share/item-by-username`, `GET /whoami`.

use crate::common;

use app::domain::identity::Role;
use common::{spawn_app, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// alice (who shares) and bob (a recipient) in one org; alice's token.
async fn people(app: &TestApp) -> String {
    let org = app.create_org("Acme").await;
    app.create_user(org, "alice", Role::Admin).await;
    app.create_user(org, "bob", Role::Member).await;
    app.create_token("alice").await
}

async fn received_by(app: &TestApp, username: &str) -> Value {
    let token = app.create_token(username).await;
    let (status, body) = app
        .call(Method::GET, "/v2/shareinfo/received?shareInfoType=private", Some(&token), None)
        .await;
    assert_eq!(status, 200, "{body}");
    body["data"].clone()
}

#[tokio::test]
async fn whoami_describes_the_token_owner() {
    let app = spawn_app().await;
    let alice = people(&app).await;
    let (status, me) = app.call(Method::GET, "/whoami", Some(&alice), None).await;
    assert_eq!(status, 200);
    assert_eq!(me["username"], "alice");
    assert_eq!(me["email"], "alice@example.test");
    assert_eq!(me["is_temp"], false);
    assert!(me["uuid"].is_string());
    let (status, error) = app.call(Method::GET, "/whoami", None, None).await;
    assert_eq!(status, 401);
    assert_eq!(error["$"], "heyputer:api/APIError");
    app.stop().await;
}

#[tokio::test]
async fn a_file_in_the_callers_home_is_shared_with_everyone_named() {
    let app = spawn_app().await;
    let alice = people(&app).await;
    let (status, body) = app
        .call(
            Method::POST,
            "/share",
            Some(&alice),
            Some(json!({ "recipients": ["bob", "alice@example.test"], "things": { "type": "fsitem", "path": "/alice/report.pdf", "access": "write" } })),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["$"], "api:share");
    assert_eq!(body["$version"], "v0.0.0");
    assert_eq!(body["status"], "success");
    assert_eq!(
        body["recipients"],
        json!([{ "$": "api:status-report", "status": "success" }, { "$": "api:status-report", "status": "success" }])
    );
    assert_eq!(body["paths"], json!([{ "$": "api:status-report", "status": "success" }]));
    assert!(body.get("dry_run").is_none());
    assert_eq!(body["results"][0]["mode"], "write");

    let received = received_by(&app, "bob").await;
    assert_eq!(received.as_array().unwrap().len(), 1);
    assert_eq!(received[0]["sender_name"], "alice");
    app.stop().await;
}

#[tokio::test]
async fn one_unknown_user_makes_it_mixed_and_nothing_is_written() {
    let app = spawn_app().await;
    let alice = people(&app).await;
    let (status, body) = app
        .call(
            Method::POST,
            "/share",
            Some(&alice),
            Some(json!({ "recipients": ["bob", "nobody"], "things": [{ "path": "/alice/a.txt" }, { "path": "/carol/b.txt" }] })),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "mixed");
    assert_eq!(body["recipients"][0]["status"], "success");
    assert_eq!(
        body["recipients"][1],
        json!({ "$": "heyputer:api/APIError", "code": "user_does_not_exist", "message": "The user `nobody` does not exist.", "username": "nobody", "status": 422 })
    );
    assert_eq!(body["paths"][0]["status"], "success");
    assert_eq!(body["paths"][1]["code"], "subject_does_not_exist");
    assert_eq!(body["paths"][1]["status"], 404);
    assert_eq!(body["results"], json!([]));
    assert_eq!(received_by(&app, "bob").await, json!([]), "all or nothing: bob got nothing");
    app.stop().await;
}

#[tokio::test]
async fn a_dry_run_validates_and_writes_nothing() {
    let app = spawn_app().await;
    let alice = people(&app).await;
    let (status, body) = app
        .call(Method::POST, "/share", Some(&alice), Some(json!({ "recipients": "bob", "things": { "path": "/alice/a.txt" }, "dry_run": true })))
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "success");
    assert_eq!(body["dry_run"], true);
    assert_eq!(received_by(&app, "bob").await, json!([]));
    app.stop().await;
}

#[tokio::test]
async fn the_official_clients_newer_shape_is_served_as_json_whatever_the_content_type() {
    let app = spawn_app().await;
    let alice = people(&app).await;
    let response = reqwest::Client::new()
        .post(app.url("/share"))
        .bearer_auth(&alice)
        .header("content-type", "text/plain;actually=json")
        .body(json!({ "recipients": [{ "username": "bob" }], "items": [{ "path": "/alice/photos/cat.png" }], "mode": "read" }).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], "success");
    let result = &body["results"][0];
    assert_eq!(result["status"], "success");
    assert_eq!(result["path"], "/alice/photos/cat.png");
    assert_eq!(result["mode"], "read");
    let uid = result["uid"].as_str().unwrap();

    // The file is registered now: it can be shared again by its uid.
    let (_, again) = app
        .call(
            Method::POST,
            "/share",
            Some(&alice),
            Some(json!({ "recipients": ["bob"], "things": [{ "uid": uid, "access": "write" }] })),
        )
        .await;
    assert_eq!(again["status"], "success", "{again}");
    app.stop().await;
}

#[tokio::test]
async fn apps_of_the_org_catalogue_are_shared_by_uid_or_name() {
    let app = spawn_app().await;
    let alice = people(&app).await;
    let (status, registered) = app
        .call(Method::POST, "/api/v1/apps", Some(&alice), Some(json!({ "name": "Editor" })))
        .await;
    assert_eq!(status, 201);
    let uid = registered["uid"].as_str().unwrap();
    assert!(uid.starts_with("app-"));
    for thing in [json!({ "type": "app", "uid": uid }), json!({ "type": "app", "name": "Editor" })]
    {
        let (_, body) = app
            .call(
                Method::POST,
                "/share",
                Some(&alice),
                Some(json!({ "recipients": ["bob"], "things": thing })),
            )
            .await;
        assert_eq!(body["status"], "success", "{body}");
    }
    let (_, body) = app
        .call(
            Method::POST,
            "/share",
            Some(&alice),
            Some(json!({ "recipients": ["bob"], "things": { "type": "app", "name": "Nope" } })),
        )
        .await;
    assert_eq!(body["paths"][0]["code"], "subject_does_not_exist");
    app.stop().await;
}

#[tokio::test]
async fn bad_entries_and_bad_requests_get_clear_errors() {
    let app = spawn_app().await;
    let alice = people(&app).await;
    let (_, body) = app
        .call(
            Method::POST,
            "/share",
            Some(&alice),
            Some(json!({ "recipients": ["bob"], "things": [
                { "type": "fsitem", "path": "/alice/a", "uid": "x" },
                { "type": "folder", "path": "/alice/b" },
                { "path": "/alice/c", "access": "admin" },
            ] })),
        )
        .await;
    assert_eq!(body["status"], "mixed");
    assert!(body["paths"][0]["message"].as_str().unwrap().contains("mutually exclusive"), "{body}");
    assert!(body["paths"][1]["message"]
        .as_str()
        .unwrap()
        .contains("`type` must be `fsitem` or `app`"));
    assert!(body["paths"][2]["message"].as_str().unwrap().contains("`read` or `write`"));
    assert_eq!(body["paths"][2]["status"], 400);

    for (request, expected) in [
        (json!({ "things": { "path": "/alice/a" } }), "`recipients` is required"),
        (json!({ "recipients": [], "things": { "path": "/alice/a" } }), "at least one user"),
        (json!({ "recipients": "bob" }), "`things` is required"),
        (json!({ "recipients": "bob", "things": [] }), "at least one item"),
        (json!(["not", "an", "object"]), "JSON object"),
    ] {
        let (status, body) = app.call(Method::POST, "/share", Some(&alice), Some(request)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["status"], "aborted");
        assert!(body["error"]["message"].as_str().unwrap().contains(expected), "{body}");
    }
    app.stop().await;
}

#[tokio::test]
async fn the_deprecated_endpoint_shares_with_write_access_by_default() {
    let app = spawn_app().await;
    let alice = people(&app).await;
    let (status, body) = app
        .call(
            Method::POST,
            "/share/item-by-username",
            Some(&alice),
            Some(json!({ "path": "/alice/old.txt", "username": "bob" })),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(body, json!({}));
    let (status, body) = app
        .call(
            Method::POST,
            "/share/item-by-username",
            Some(&alice),
            Some(json!({ "path": "/alice/old.txt", "username": "ghost" })),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(body["code"], "user_does_not_exist");
    let (status, body) = app
        .call(
            Method::POST,
            "/share/item-by-username",
            Some(&alice),
            Some(json!({ "username": "bob" })),
        )
        .await;
    assert_eq!(status, 400);
    assert!(body["message"].as_str().unwrap().contains("`path` is required"));
    app.stop().await;
}

#[tokio::test]
async fn files_of_other_users_and_orgs_are_not_the_callers_to_share() {
    let app = spawn_app().await;
    let alice = people(&app).await;
    let other = app.create_org("Globex").await;
    app.create_user(other, "gina", Role::Admin).await;
    let gina = app.create_token("gina").await;
    let (_, shared) = app
        .call(
            Method::POST,
            "/share",
            Some(&alice),
            Some(json!({ "recipients": "bob", "items": [{ "path": "/alice/secret.txt" }] })),
        )
        .await;
    let uid = shared["results"][0]["uid"].as_str().unwrap();
    for thing in [json!({ "uid": uid }), json!({ "path": "/alice/secret.txt" })] {
        let (_, body) = app
            .call(
                Method::POST,
                "/share",
                Some(&gina),
                Some(json!({ "recipients": "gina", "things": thing })),
            )
            .await;
        assert_eq!(body["paths"][0]["code"], "subject_does_not_exist", "{body}");
    }
    app.stop().await;
}

#[tokio::test]
async fn a_client_retrying_a_share_tells_the_recipient_once_and_a_new_item_again() {
    let app = spawn_app().await;
    let alice = people(&app).await;
    let share = |path: &str| json!({ "recipients": ["bob"], "things": { "type": "fsitem", "path": path, "access": "read" } });
    for body in [share("/alice/report.pdf"), share("/alice/report.pdf"), share("/alice/plan.pdf")] {
        let (status, answer) = app.call(Method::POST, "/share", Some(&alice), Some(body)).await;
        assert_eq!(status, 200, "{answer}");
    }
    let told: Vec<String> = sqlx::query_scalar(
        "SELECT n.title FROM notifications n JOIN users u ON u.id = n.user_id \
         WHERE u.username = 'bob' ORDER BY n.id",
    )
    .fetch_all(app.store.pool())
    .await
    .unwrap();
    assert_eq!(
        told,
        ["alice shared /alice/report.pdf with you", "alice shared /alice/plan.pdf with you"]
    );
    app.stop().await;
}
