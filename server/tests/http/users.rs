//! People in the browser and in the API: admins add users (with a password or a one-time
//! set-password link), change roles, deactivate and reactivate, reset passwords; people change
//! their own; the last active admin stays. Driven over HTTP against a real server.

use crate::common;

use app::domain::identity::Role;
use common::{location, spawn_app, TestApp, PASSWORD};
use reqwest::Method;
use serde_json::{json, Value};

const NEW_PASSWORD: &str = "a brand new passphrase";

/// An app with org Acme, its admin alice and her API token.
async fn acme() -> (TestApp, String) {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    app.create_user(org, "alice", Role::Admin).await;
    let token = app.create_token("alice").await;
    (app, token)
}

async fn add_user(app: &TestApp, token: &str, body: Value) -> Value {
    let (status, added) = app.call(Method::POST, "/api/v1/users", Some(token), Some(body)).await;
    assert_eq!(status, 201, "{added}");
    added
}

/// Bob, a member of Acme with the test password; his id.
async fn add_bob(app: &TestApp, token: &str) -> String {
    let body = json!({ "username": "bob", "email": "bob@example.test", "role": "member", "password": PASSWORD });
    add_user(app, token, body).await["id"].as_str().unwrap().to_owned()
}

async fn patch_user(app: &TestApp, token: &str, id: &str, body: Value) -> (u16, Value) {
    let (status, answer) =
        app.call(Method::PATCH, &format!("/api/v1/users/{id}"), Some(token), Some(body)).await;
    (status.as_u16(), answer)
}

/// Posts the set-password form as a browser on the link's page does; the redirect target.
async fn post_set_password(app: &TestApp, link: &str, password: &str, confirm: &str) -> String {
    let token = link.strip_prefix("/set-password/").expect("a set-password path");
    let response = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(app.url("/set-password"))
        .header("origin", &app.address)
        .form(&[("token", token), ("password", password), ("confirm", confirm)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    location(&response)
}

/// A new one-time link for the user, through the API.
async fn reset_link(app: &TestApp, token: &str, id: &str) -> String {
    let path = format!("/api/v1/users/{id}/password-reset");
    let (status, answer) = app.call(Method::POST, &path, Some(token), None).await;
    assert_eq!(status, 200, "{answer}");
    answer["set_password_url"].as_str().unwrap().to_owned()
}

/// Whether `username` can sign in with `password` (on a fresh client, not touching the app's
/// cookie jar).
async fn can_sign_in(app: &TestApp, username: &str, password: &str) -> bool {
    let response = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(app.url("/login"))
        .header("origin", &app.address)
        .form(&[("username", username), ("password", password), ("next", "/overview")])
        .send()
        .await
        .unwrap();
    match location(&response).as_str() {
        "/overview" => true,
        "/login?error=invalid&next=%2Foverview" => false,
        other => panic!("unexpected sign-in answer: {other}"),
    }
}

/// The org's events with this action, newest first.
async fn events(app: &TestApp, token: &str, action: &str) -> Vec<Value> {
    let page = app.get_json(&format!("/api/v1/audit-events?action={action}"), token).await;
    page["events"].as_array().cloned().unwrap_or_default()
}

async fn user_by_name(app: &TestApp, token: &str, username: &str) -> Value {
    let page = app.get_json("/api/v1/users", token).await;
    page["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|user| user["username"] == username)
        .cloned()
        .unwrap_or_else(|| panic!("{username} is not listed: {page}"))
}

#[tokio::test]
async fn an_admin_adds_a_user_with_a_password_who_can_then_sign_in() {
    let (app, alice) = acme().await;

    let added = add_user(
        &app,
        &alice,
        json!({ "username": "Bob", "email": "bob@example.test", "role": "member", "password": PASSWORD }),
    )
    .await;
    assert_eq!(added["username"], "bob");
    assert_eq!(added["role"], "member");
    assert_eq!(added["active"], true);
    assert!(added.get("set_password_url").is_none(), "{added}");
    assert!(added.get("password_hash").is_none(), "{added}");
    assert!(can_sign_in(&app, "bob", PASSWORD).await);

    let listed = app.get_json("/api/v1/users", &alice).await;
    assert_eq!(listed["total"], 2);
    assert_eq!(listed["page"], 1);
    let names: Vec<_> =
        listed["users"].as_array().unwrap().iter().map(|u| &u["username"]).collect();
    assert_eq!(names, ["alice", "bob"]);
    let bob = user_by_name(&app, &alice, "bob").await;
    assert!(bob["last_sign_in_at"].is_string(), "the sign-in is recorded: {bob}");
    assert_eq!(
        app.get_json(&format!("/api/v1/users/{}", added["id"].as_str().unwrap()), &alice).await,
        bob
    );

    let created = events(&app, &alice, "user.created").await;
    assert_eq!(created[0]["actor_name"], "alice");
    assert_eq!(created[0]["face"], "api");
    assert_eq!(created[0]["detail"]["username"], "bob");
    assert_eq!(created[0]["detail"]["password"], "set");

    let (status, taken) = app
        .call(
            Method::POST,
            "/api/v1/users",
            Some(&alice),
            Some(json!({ "username": "bob", "email": "other@example.test", "role": "member" })),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(taken["error"]["message"], "username: is already taken");
    app.stop().await;
}

#[tokio::test]
async fn a_set_password_link_sets_the_password_once() {
    let (app, alice) = acme().await;
    let added = add_user(
        &app,
        &alice,
        json!({ "username": "bob", "email": "bob@example.test", "role": "member" }),
    )
    .await;
    let link = added["set_password_url"].as_str().expect("a one-time link").to_owned();
    assert!(link.starts_with("/set-password/"), "{link}");
    assert!(link.len() >= "/set-password/".len() + 43, "256 random bits: {link}");
    assert!(!can_sign_in(&app, "bob", PASSWORD).await, "no password works before the link");

    let page = app.client.get(app.url(&link)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains(r#"data-testid="link-username">bob<"#), "{html}");
    assert!(html.contains(r#"action="/set-password""#), "a plain form: {html}");

    assert!(post_set_password(&app, &link, NEW_PASSWORD, "something else")
        .await
        .ends_with("?error=mismatch"));
    assert!(post_set_password(&app, &link, "short", "short").await.ends_with("?error=weak"));
    assert_eq!(
        post_set_password(&app, &link, NEW_PASSWORD, NEW_PASSWORD).await,
        "/login?password_set=1"
    );
    assert!(can_sign_in(&app, "bob", NEW_PASSWORD).await);

    let again =
        post_set_password(&app, &link, "yet another passphrase", "yet another passphrase").await;
    assert_eq!(again, format!("{link}?error=gone"));
    assert!(can_sign_in(&app, "bob", NEW_PASSWORD).await, "a used link changes nothing");
    assert!(!can_sign_in(&app, "bob", "yet another passphrase").await);
    let html = app.client.get(app.url(&link)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("link-gone"), "{html}");

    let set = events(&app, &alice, "user.password_set").await;
    assert_eq!(set.len(), 1);
    assert_eq!(set[0]["actor_name"], "bob");
    assert!(!set[0].to_string().contains(&link[14..]), "the secret is never logged");
    app.stop().await;
}

#[tokio::test]
async fn an_expired_set_password_link_sets_nothing() {
    let (app, alice) = acme().await;
    let added = add_user(
        &app,
        &alice,
        json!({ "username": "bob", "email": "bob@example.test", "role": "member" }),
    )
    .await;
    let link = added["set_password_url"].as_str().unwrap().to_owned();
    let expires = added["set_password_expires_at"].as_str().unwrap();
    assert!(expires > added["created_at"].as_str().unwrap());
    sqlx::query("UPDATE password_links SET expires_at = $1")
        .bind("2000-01-01T00:00:00.000000Z")
        .execute(app.store.pool())
        .await
        .unwrap();

    let answer = post_set_password(&app, &link, NEW_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(answer, format!("{link}?error=gone"));
    assert!(!can_sign_in(&app, "bob", NEW_PASSWORD).await);
    app.stop().await;
}

#[tokio::test]
async fn a_role_change_applies_from_the_next_request() {
    let (app, alice) = acme().await;
    let bob_id = &add_bob(&app, &alice).await;
    let bob_token = app.create_token("bob").await;
    let (status, _) = app.call(Method::GET, "/api/v1/users", Some(&bob_token), None).await;
    assert_eq!(status, 403);

    let (status, changed) = patch_user(&app, &alice, bob_id, json!({ "role": "admin" })).await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["role"], "admin");
    assert_eq!(app.get_json("/api/v1/me", &bob_token).await["role"], "admin");
    assert_eq!(app.get_json("/api/v1/users", &bob_token).await["total"], 2);

    let (status, _) = patch_user(&app, &alice, bob_id, json!({ "role": "member" })).await;
    assert_eq!(status, 200);
    let (status, _) = app.call(Method::GET, "/api/v1/users", Some(&bob_token), None).await;
    assert_eq!(status, 403, "the demotion applies at once");

    let changes = events(&app, &alice, "user.role_changed").await;
    assert_eq!(changes.len(), 2);
    assert_eq!(changes[1]["detail"], json!({ "username": "bob", "from": "member", "to": "admin" }));
    let (status, bad) = patch_user(&app, &alice, bob_id, json!({ "role": "owner" })).await;
    assert_eq!(status, 400);
    assert_eq!(bad["error"]["code"], "invalid_request");
    app.stop().await;
}

#[tokio::test]
async fn deactivation_stops_a_session_and_a_token_at_once_and_reactivation_restores_them() {
    let (app, alice) = acme().await;
    let bob_id = &add_bob(&app, &alice).await;
    let bob_token = app.create_token("bob").await;
    app.sign_in("bob", PASSWORD, "/overview").await;
    assert!(app.server_fn("tokens", &[]).await.status().is_success());

    let (status, changed) = patch_user(&app, &alice, bob_id, json!({ "active": false })).await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["active"], false);
    assert!(changed["deactivated_at"].is_string());

    let refused = app.server_fn_refused("tokens", &[]).await;
    assert!(refused.contains("authentication required"), "the session stops: {refused}");
    let (status, body) = app.call(Method::GET, "/api/v1/me", Some(&bob_token), None).await;
    assert_eq!(status, 401, "the token stops: {body}");
    assert!(!can_sign_in(&app, "bob", PASSWORD).await, "refused like a wrong password");

    let (status, _) = patch_user(&app, &alice, bob_id, json!({ "active": true })).await;
    assert_eq!(status, 200);
    assert_eq!(app.get_json("/api/v1/me", &bob_token).await["username"], "bob");
    assert!(can_sign_in(&app, "bob", PASSWORD).await);

    assert_eq!(events(&app, &alice, "user.deactivated").await.len(), 1);
    assert_eq!(events(&app, &alice, "user.reactivated").await.len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn a_password_reset_issues_a_new_link_that_retires_the_old_one() {
    let (app, alice) = acme().await;
    let bob_id = &add_bob(&app, &alice).await;
    let first = reset_link(&app, &alice, bob_id).await;
    let second = reset_link(&app, &alice, bob_id).await;
    assert_ne!(first, second);
    assert!(
        can_sign_in(&app, "bob", PASSWORD).await,
        "the old password works until a link is used"
    );

    assert_eq!(
        post_set_password(&app, &first, NEW_PASSWORD, NEW_PASSWORD).await,
        format!("{first}?error=gone")
    );
    assert_eq!(
        post_set_password(&app, &second, NEW_PASSWORD, NEW_PASSWORD).await,
        "/login?password_set=1"
    );
    assert!(can_sign_in(&app, "bob", NEW_PASSWORD).await);
    assert!(!can_sign_in(&app, "bob", PASSWORD).await);

    // Two resets at once still leave one live link.
    tokio::join!(reset_link(&app, &alice, bob_id), reset_link(&app, &alice, bob_id));
    let live: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM password_links WHERE used_at IS NULL")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(live, 1);

    let resets = events(&app, &alice, "user.password_reset").await;
    assert_eq!(resets.len(), 4);
    assert_eq!(resets[0]["detail"]["method"], "link");
    app.stop().await;
}

#[tokio::test]
async fn people_change_their_own_password_only_with_the_current_one() {
    let (app, alice) = acme().await;
    let body = |current: &str| json!({ "current_password": current, "new_password": NEW_PASSWORD });

    let (status, wrong) = app
        .call(Method::PUT, "/api/v1/me/password", Some(&alice), Some(body("not my password")))
        .await;
    assert_eq!(status, 400);
    assert_eq!(wrong["error"]["message"], "current_password: is not your current password");
    let (status, weak) = app
        .call(
            Method::PUT,
            "/api/v1/me/password",
            Some(&alice),
            Some(json!({ "current_password": PASSWORD, "new_password": "short" })),
        )
        .await;
    assert_eq!(status, 400);
    assert!(weak["error"]["message"].as_str().unwrap().starts_with("new_password:"), "{weak}");
    assert!(can_sign_in(&app, "alice", PASSWORD).await, "nothing changed");

    let (status, _) =
        app.call(Method::PUT, "/api/v1/me/password", Some(&alice), Some(body(PASSWORD))).await;
    assert_eq!(status, 204);
    assert!(can_sign_in(&app, "alice", NEW_PASSWORD).await);
    assert!(!can_sign_in(&app, "alice", PASSWORD).await);

    // And on the account page, as a signed-in browser.
    app.sign_in("alice", NEW_PASSWORD, "/account").await;
    let refused = app
        .server_fn_refused(
            "change_own_password",
            &[("current_password", PASSWORD), ("new_password", "third passphrase here")],
        )
        .await;
    assert!(refused.contains("is not your current password"), "{refused}");
    app.server_fn_ok(
        "change_own_password",
        &[("current_password", NEW_PASSWORD), ("new_password", "third passphrase here")],
    )
    .await;
    assert!(can_sign_in(&app, "alice", "third passphrase here").await);

    let changes = events(&app, &alice, "user.password_changed").await;
    assert_eq!(changes.len(), 2);
    assert_eq!(changes[0]["face"], "web");
    assert_eq!(changes[1]["face"], "api");
    app.stop().await;
}

#[tokio::test]
async fn the_last_active_admin_can_be_neither_demoted_nor_deactivated() {
    let (app, alice) = acme().await;
    let me = app.get_json("/api/v1/me", &alice).await;
    let alice_id = me["user_id"].as_str().unwrap();

    for change in [json!({ "role": "member" }), json!({ "active": false })] {
        let (status, refused) = patch_user(&app, &alice, alice_id, change).await;
        assert_eq!(status, 409, "{refused}");
        assert_eq!(
            refused["error"]["message"],
            "alice is the last active admin of the org: make another user an admin first"
        );
    }
    let alice_now = user_by_name(&app, &alice, "alice").await;
    assert_eq!(alice_now["role"], "admin");
    assert_eq!(alice_now["active"], true);

    // A deactivated admin does not count: with bob deactivated, alice is still the last one.
    let bob = add_user(
        &app,
        &alice,
        json!({ "username": "bob", "email": "bob@example.test", "role": "admin", "password": PASSWORD }),
    )
    .await;
    let bob_id = bob["id"].as_str().unwrap();
    assert_eq!(patch_user(&app, &alice, bob_id, json!({ "active": false })).await.0, 200);
    assert_eq!(patch_user(&app, &alice, alice_id, json!({ "role": "member" })).await.0, 409);
    assert!(events(&app, &alice, "user.role_changed").await.is_empty());
    app.stop().await;
}

#[tokio::test]
async fn two_admins_demoting_each_other_at_once_leave_exactly_one_admin() {
    let (app, alice) = acme().await;
    let alice_id = app.get_json("/api/v1/me", &alice).await["user_id"].as_str().unwrap().to_owned();
    let bob = add_user(
        &app,
        &alice,
        json!({ "username": "bob", "email": "bob@example.test", "role": "admin", "password": PASSWORD }),
    )
    .await;
    let bob_id = bob["id"].as_str().unwrap().to_owned();
    let bob_token = app.create_token("bob").await;

    for round in 0..5 {
        let (by_alice, by_bob) = tokio::join!(
            patch_user(&app, &alice, &bob_id, json!({ "role": "member" })),
            patch_user(&app, &bob_token, &alice_id, json!({ "role": "member" })),
        );
        let statuses = [by_alice.0, by_bob.0];
        assert_eq!(
            statuses.iter().filter(|s| **s == 200).count(),
            1,
            "round {round}: {statuses:?} {by_alice:?} {by_bob:?}"
        );
        assert!(statuses.iter().all(|s| [200, 403, 409].contains(s)), "{statuses:?}");

        let (survivor, survivor_token, demoted_id) = if by_alice.0 == 200 {
            (&alice, &alice, &bob_id)
        } else {
            (&bob_token, &bob_token, &alice_id)
        };
        let users = app.get_json("/api/v1/users", survivor).await;
        let admins =
            users["users"].as_array().unwrap().iter().filter(|u| u["role"] == "admin").count();
        assert_eq!(admins, 1, "round {round}: {users}");
        // Promote the other one again for the next round.
        let (status, _) =
            patch_user(&app, survivor_token, demoted_id, json!({ "role": "admin" })).await;
        assert_eq!(status, 200);
    }
    app.stop().await;
}

#[tokio::test]
async fn members_and_other_orgs_admins_change_nothing() {
    let (app, alice) = acme().await;
    let bob_id = &add_bob(&app, &alice).await;
    let bob_token = app.create_token("bob").await;
    let globex = app.create_org("Globex").await;
    app.create_user(globex, "gus", Role::Admin).await;
    let gus = app.create_token("gus").await;

    let member_calls = [
        (Method::GET, "/api/v1/users".to_owned(), None),
        (
            Method::POST,
            "/api/v1/users".to_owned(),
            Some(
                json!({ "username": "eve", "email": "eve@example.test", "role": "admin", "password": PASSWORD }),
            ),
        ),
        (Method::PATCH, format!("/api/v1/users/{bob_id}"), Some(json!({ "role": "admin" }))),
        (Method::GET, format!("/api/v1/users/{bob_id}"), None),
        (Method::POST, format!("/api/v1/users/{bob_id}/password-reset"), None),
    ];
    for (method, path, body) in member_calls {
        let (status, answer) = app.call(method.clone(), &path, Some(&bob_token), body).await;
        assert_eq!(status, 403, "{method} {path}: {answer}");
        assert_eq!(answer["error"]["code"], "forbidden");
    }
    let foreign_calls = [
        (Method::GET, format!("/api/v1/users/{bob_id}"), None),
        (Method::PATCH, format!("/api/v1/users/{bob_id}"), Some(json!({ "active": false }))),
        (Method::POST, format!("/api/v1/users/{bob_id}/password-reset"), None),
    ];
    for (method, path, body) in foreign_calls {
        let (status, answer) = app.call(method.clone(), &path, Some(&gus), body).await;
        assert_eq!(status, 404, "{method} {path}: {answer}");
        assert_eq!(answer["error"]["message"], "user not found");
    }
    let (status, missing) =
        app.call(Method::GET, "/api/v1/users/not-an-id", Some(&gus), None).await;
    assert_eq!((status.as_u16(), &missing["error"]["message"]), (404, &json!("user not found")));
    let globex_users = app.get_json("/api/v1/users", &gus).await;
    assert_eq!(globex_users["total"], 1, "{globex_users}");

    let bob_now = user_by_name(&app, &alice, "bob").await;
    assert_eq!(
        (bob_now["role"].as_str(), bob_now["active"].as_bool()),
        (Some("member"), Some(true))
    );
    assert_eq!(app.get_json("/api/v1/users", &alice).await["total"], 2, "eve was not added");
    assert!(events(&app, &alice, "user.role_changed").await.is_empty());
    assert!(events(&app, &alice, "user.password_reset").await.is_empty());
    assert!(events(&app, &gus, "user.deactivated").await.is_empty());
    app.stop().await;
}

#[tokio::test]
async fn page_numbers_out_of_range_are_refused_in_the_api_shape() {
    let (app, alice) = acme().await;
    for page in ["0", "abc", "18446744073709551615", "1000001"] {
        let (status, answer) =
            app.call(Method::GET, &format!("/api/v1/users?page={page}"), Some(&alice), None).await;
        assert_eq!(status, 400, "page={page}: {answer}");
        assert_eq!(answer["error"]["code"], "invalid_request");
    }
    let beyond = app.get_json("/api/v1/users?page=2", &alice).await;
    assert_eq!(beyond["users"], json!([]));
    assert_eq!(beyond["pages"], 1);
    app.stop().await;
}

#[tokio::test]
async fn the_users_page_shows_people_and_a_link_made_without_javascript_once() {
    let (app, alice) = acme().await;
    add_bob(&app, &alice).await;
    app.sign_in("alice", PASSWORD, "/users").await;
    let html = app.client.get(app.url("/users")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("bob@example.test"), "{html}");
    assert!(html.contains(r#"href="/users""#), "admins see the Users link");
    assert!(html.contains(r#"href="/account""#));

    let posted = app
        .client
        .post(app.url("/api/add_user"))
        .header("origin", &app.address)
        .header("referer", app.url("/users"))
        .header("accept", "text/html")
        .form(&[
            ("username", "carol"),
            ("email", "carol@example.test"),
            ("role", "member"),
            ("password", ""),
        ])
        .send()
        .await
        .unwrap();
    assert!(posted.status().is_redirection(), "{}", posted.status());
    let first_view = app.client.get(app.url("/users")).send().await.unwrap().text().await.unwrap();
    let start = first_view.find("/set-password/").expect("the link is on the page");
    let link: String = first_view[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || "/_-".contains(*c))
        .collect();
    let second_view = app.client.get(app.url("/users")).send().await.unwrap().text().await.unwrap();
    assert!(second_view.contains("carol@example.test"));
    assert!(!second_view.contains(&link), "the link is shown only once");
    assert_eq!(
        post_set_password(&app, &link, NEW_PASSWORD, NEW_PASSWORD).await,
        "/login?password_set=1"
    );
    assert!(can_sign_in(&app, "carol", NEW_PASSWORD).await);

    // A member sees neither the link nor the list.
    app.sign_in("bob", PASSWORD, "/overview").await;
    let html = app.client.get(app.url("/overview")).send().await.unwrap().text().await.unwrap();
    assert!(!html.contains(r#"href="/users""#), "members see no Users link");
    let refused = app.server_fn_refused("users", &[("page", "1")]).await;
    assert!(refused.contains("only admins"), "{refused}");
    app.stop().await;
}

#[tokio::test]
async fn guessing_set_password_links_is_rate_limited_per_address() {
    let app = common::spawn_app_with(|config| config.public_rate_burst = 3).await;
    let client =
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let mut statuses = Vec::new();
    for guess in 0..6 {
        let token = format!("guess{guess}");
        let posted = client
            .post(app.url("/set-password"))
            .header("origin", &app.address)
            .form(&[
                ("token", token.as_str()),
                ("password", NEW_PASSWORD),
                ("confirm", NEW_PASSWORD),
            ])
            .send()
            .await
            .unwrap();
        statuses.push(posted.status().as_u16());
    }
    assert_eq!(&statuses[..3], [303, 303, 303], "{statuses:?}");
    assert!(statuses.contains(&429), "{statuses:?}");
    let page = client.get(app.url("/set-password/guess")).send().await.unwrap();
    assert_eq!(page.status(), 429, "the page shares the limit");
    app.stop().await;
}

/// Posts a server function's form as a browser without JavaScript does, from `page`; where
/// the browser is sent next.
async fn plain_post(app: &TestApp, name: &str, page: &str, form: &[(&str, &str)]) -> String {
    let posted = app
        .client
        .post(app.url(&format!("/api/{name}")))
        .header("origin", &app.address)
        .header("referer", app.url(page))
        .header("accept", "text/html")
        .form(form)
        .send()
        .await
        .unwrap();
    assert!(posted.status().is_redirection(), "{name}: {}", posted.status());
    location(&posted)
}

#[tokio::test]
async fn the_users_and_account_forms_work_without_javascript() {
    let (app, alice) = acme().await;
    let bob_id = &add_bob(&app, &alice).await;
    app.sign_in("alice", PASSWORD, "/users").await;
    let html = app.client.get(app.url("/users")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("<details"), "deactivation asks for confirmation: {html}");
    assert!(html.contains("Deactivate… (bob)") && html.contains("aria-label=\"Deactivate bob\""));

    let back =
        plain_post(&app, "change_user_role", "/users", &[("id", bob_id), ("role", "admin")]).await;
    assert!(back.starts_with(&app.url("/users")), "{back}");
    assert_eq!(user_by_name(&app, &alice, "bob").await["role"], "admin");
    plain_post(&app, "set_user_active", "/users", &[("id", bob_id), ("active", "false")]).await;
    assert_eq!(user_by_name(&app, &alice, "bob").await["active"], false);
    let html = app.client.get(app.url("/users")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Reactivate bob"), "{html}");
    plain_post(&app, "set_user_active", "/users", &[("id", bob_id), ("active", "true")]).await;
    assert_eq!(user_by_name(&app, &alice, "bob").await["active"], true);

    plain_post(&app, "reset_user_password", "/users", &[("id", bob_id)]).await;
    let html = app.client.get(app.url("/users")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains(r#"data-testid="new-password-link""#), "{html}");

    let to = plain_post(
        &app,
        "change_own_password",
        "/account",
        &[("current_password", PASSWORD), ("new_password", NEW_PASSWORD)],
    )
    .await;
    assert_eq!(to, "/account?changed=1");
    let html = app.client.get(app.url(&to)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Your password is changed."), "{html}");
    assert!(can_sign_in(&app, "alice", NEW_PASSWORD).await);
    app.stop().await;
}
