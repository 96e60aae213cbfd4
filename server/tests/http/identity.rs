//! Signing in and out, sessions, CSRF, API tokens, tenant isolation and the audit log,
//! driven over HTTP against a real server.

use crate::common;

use app::domain::identity::Role;
use common::{location, spawn_app, PASSWORD};
use serde_json::Value;

#[tokio::test]
async fn signing_in_redirects_to_the_wanted_page_and_shows_the_user() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    app.create_user(org, "alice", Role::Admin).await;

    let response = app.sign_in("alice", PASSWORD, "/tokens").await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/tokens");
    let set_cookie = response.headers().get("set-cookie").unwrap().to_str().unwrap().to_owned();
    assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
    assert!(set_cookie.contains("SameSite=Lax"), "{set_cookie}");

    let page = app.client.get(app.url("/overview")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Signed in as alice (admin) of Acme"), "{html}");
    app.stop().await;
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_user_get_the_same_answer() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    app.create_user(org, "alice", Role::Member).await;

    let wrong_password = app.sign_in("alice", "not the password", "/overview").await;
    let unknown_user = app.sign_in("mallory", "not the password", "/overview").await;
    assert_eq!(wrong_password.status(), 303);
    assert_eq!(location(&wrong_password), "/login?error=invalid&next=%2Foverview");
    assert_eq!(location(&unknown_user), location(&wrong_password));
    assert_eq!(app.session_cookie(), None, "no session is started");

    let login_page = app.client.get(app.url(&location(&wrong_password))).send().await.unwrap();
    let html = login_page.text().await.unwrap();
    assert!(html.contains("The username or password is not right"), "{html}");
    app.stop().await;
}

#[tokio::test]
async fn the_session_id_changes_at_sign_in_and_the_old_one_is_worthless() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    app.create_user(org, "alice", Role::Member).await;

    app.sign_in("alice", PASSWORD, "/overview").await;
    let first = app.session_cookie().expect("a session cookie after sign-in");
    app.sign_in("alice", PASSWORD, "/overview").await;
    let second = app.session_cookie().expect("a session cookie after the second sign-in");
    assert_ne!(first, second, "signing in rotates the session id");

    let with_old_cookie = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(app.url("/tokens"))
        .header("cookie", format!("sharewell_session={first}"))
        .send()
        .await
        .unwrap();
    assert_eq!(with_old_cookie.status(), 303);
    assert!(location(&with_old_cookie).starts_with("/login"));
    app.stop().await;
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    app.create_user(org, "alice", Role::Member).await;
    app.sign_in("alice", PASSWORD, "/overview").await;
    let session = app.session_cookie().unwrap();

    let response =
        app.client.post(app.url("/logout")).header("origin", &app.address).send().await.unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/login?signed_out=1");

    let page = app.client.get(app.url("/overview")).send().await.unwrap();
    assert_eq!(page.status(), 303, "signed-in pages are closed again");
    let replayed = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(app.url("/overview"))
        .header("cookie", format!("sharewell_session={session}"))
        .send()
        .await
        .unwrap();
    assert_eq!(replayed.status(), 303, "the old session was deleted, not just forgotten");
    app.stop().await;
}

#[tokio::test]
async fn signed_out_visitors_of_signed_in_pages_are_sent_to_login() {
    let app = spawn_app().await;
    for (page, next) in [
        ("/overview", "%2Foverview"),
        ("/tokens", "%2Ftokens"),
        ("/audit?action=token.created", "%2Faudit%3Faction%3Dtoken.created"),
    ] {
        let response = app.client.get(app.url(page)).send().await.unwrap();
        assert_eq!(response.status(), 303, "{page}");
        assert_eq!(location(&response), format!("/login?next={next}"));
    }
    let login = app.client.get(app.url("/login")).send().await.unwrap();
    assert_eq!(login.status(), 200, "the login page itself is open");
    app.stop().await;
}

#[tokio::test]
async fn server_functions_without_a_session_return_an_error_not_data() {
    let app = spawn_app().await;
    let (status, error) = app.server_fn_error("tokens", &[]).await;
    assert_eq!(status, 401);
    assert_eq!(error, app::server_fns::AppError::SignedOut);
    app.stop().await;
}

#[tokio::test]
async fn cross_site_posts_are_refused() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    app.create_user(org, "alice", Role::Member).await;

    let forged_login = app
        .client
        .post(app.url("/login"))
        .header("origin", "http://evil.example")
        .form(&[("username", "alice"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(forged_login.status(), 403);

    app.sign_in("alice", PASSWORD, "/tokens").await;
    let forged_token = app
        .client
        .post(app.url("/api/create_token"))
        .header("origin", "http://evil.example")
        .form(&[("name", "stolen")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged_token.status(), 403);
    let forged_by_referer = app
        .client
        .post(app.url("/api/create_token"))
        .header("referer", "http://evil.example/page")
        .form(&[("name", "stolen")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged_by_referer.status(), 403);

    let tokens: Value = app.server_fn("tokens", &[]).await.json().await.unwrap();
    assert_eq!(tokens, serde_json::json!([]), "nothing was created");
    app.stop().await;
}

#[tokio::test]
async fn a_token_created_on_the_page_works_until_it_is_revoked() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    app.create_user(org, "alice", Role::Member).await;
    app.sign_in("alice", PASSWORD, "/tokens").await;

    let created: Value =
        app.server_fn("create_token", &[("name", "billing sync")]).await.json().await.unwrap();
    let secret = created["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("sw_"));
    let token_id = created["token"]["id"].as_str().unwrap().to_owned();

    let api = reqwest::Client::new();
    let me = api.get(app.url("/api/v1/me")).bearer_auth(&secret).send().await.unwrap();
    assert_eq!(me.status(), 200);
    let me: Value = me.json().await.unwrap();
    assert_eq!(me["username"], "alice");
    assert_eq!(me["role"], "member");
    assert_eq!(me["org_name"], "Acme");
    assert_eq!(me["org_id"], org.to_string());

    let listed: Value = app.server_fn("tokens", &[]).await.json().await.unwrap();
    assert_eq!(listed[0]["name"], "billing sync");
    assert!(listed[0]["last_used_at"].is_string(), "the use was recorded");
    assert!(!listed.to_string().contains(&secret), "the secret is never listed");

    let revoked = app.server_fn("revoke_token", &[("id", &token_id)]).await;
    assert_eq!(revoked.status(), 200);
    let after = api.get(app.url("/api/v1/me")).bearer_auth(&secret).send().await.unwrap();
    assert_eq!(after.status(), 401);
    assert_eq!(after.headers()["www-authenticate"], "Bearer");
    let error: Value = after.json().await.unwrap();
    assert_eq!(error["error"]["code"], "unauthorized");
    app.stop().await;
}

#[tokio::test]
async fn a_token_created_without_javascript_is_shown_once_after_the_redirect() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    app.create_user(org, "alice", Role::Member).await;
    app.sign_in("alice", PASSWORD, "/tokens").await;

    let posted = app
        .client
        .post(app.url("/api/create_token"))
        .header("origin", &app.address)
        .header("referer", app.url("/tokens"))
        .header("accept", "text/html")
        .form(&[("name", "no script")])
        .send()
        .await
        .unwrap();
    assert!(posted.status().is_redirection(), "{}", posted.status());
    assert!(location(&posted).starts_with(&app.url("/tokens")), "{}", location(&posted));

    let first_view = app.client.get(app.url("/tokens")).send().await.unwrap().text().await.unwrap();
    let secret_start = first_view.find("sw_").expect("the new secret is on the page");
    let secret: String = first_view[secret_start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || "_-".contains(*c))
        .collect();
    assert_eq!(secret.len(), 46);
    let second_view =
        app.client.get(app.url("/tokens")).send().await.unwrap().text().await.unwrap();
    assert!(!second_view.contains(&secret), "the secret is shown only once");
    app.stop().await;
}

#[tokio::test]
async fn tokens_are_created_listed_and_revoked_through_the_api() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    app.create_user(org, "alice", Role::Member).await;
    let secret = app.create_token("alice").await;
    let api = reqwest::Client::new();

    let created = api
        .post(app.url("/api/v1/tokens"))
        .bearer_auth(&secret)
        .json(&serde_json::json!({ "name": "deploy" }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.unwrap();
    let second_secret = created["secret"].as_str().unwrap();

    let listed: Value = app.get_json("/api/v1/tokens", second_secret).await;
    assert_eq!(listed["tokens"].as_array().unwrap().len(), 2);

    let id = created["token"]["id"].as_str().unwrap();
    let revoked = api
        .delete(app.url(&format!("/api/v1/tokens/{id}")))
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 204);
    let again = api
        .delete(app.url(&format!("/api/v1/tokens/{id}")))
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 404, "a revoked token cannot be revoked twice");
    let with_revoked =
        api.get(app.url("/api/v1/me")).bearer_auth(second_secret).send().await.unwrap();
    assert_eq!(with_revoked.status(), 401);
    app.stop().await;
}

#[tokio::test]
async fn bad_credentials_and_bodies_get_the_api_error_shape() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    app.create_user(org, "alice", Role::Member).await;
    let secret = app.create_token("alice").await;
    let api = reqwest::Client::new();

    for authorization in [None, Some("Bearer sw_not-a-real-token"), Some("Basic YWxpY2U6eA==")] {
        let mut request = api.get(app.url("/api/v1/me"));
        if let Some(value) = authorization {
            request = request.header("authorization", value);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 401, "{authorization:?}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "unauthorized");
    }

    let malformed = api
        .post(app.url("/api/v1/tokens"))
        .bearer_auth(&secret)
        .header("content-type", "application/json")
        .body("{\"name\":")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), 400);
    let body: Value = malformed.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid_request");

    let empty_name = api
        .post(app.url("/api/v1/tokens"))
        .bearer_auth(&secret)
        .json(&serde_json::json!({ "name": "  " }))
        .send()
        .await
        .unwrap();
    assert_eq!(empty_name.status(), 400);
    let body: Value = empty_name.json().await.unwrap();
    assert_eq!(body["error"]["message"], "name: must not be empty");

    let unknown =
        api.get(app.url("/api/v1/nothing-here")).bearer_auth(&secret).send().await.unwrap();
    assert_eq!(unknown.status(), 404);
    let body: Value = unknown.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_found");
    app.stop().await;
}

#[tokio::test]
async fn one_org_never_sees_another_orgs_events_or_tokens() {
    let app = spawn_app().await;
    let acme = app.create_org("Acme").await;
    let globex = app.create_org("Globex").await;
    app.create_user(acme, "alice", Role::Admin).await;
    app.create_user(globex, "gina", Role::Admin).await;
    let alice = app.create_token("alice").await;
    let gina = app.create_token("gina").await;
    let api = reqwest::Client::new();

    let events: Value = app.get_json("/api/v1/audit-events", &alice).await;
    let text = events.to_string();
    assert!(text.contains("alice"), "{text}");
    assert!(!text.contains("gina") && !text.contains(&globex.to_string()), "{text}");

    let gina_tokens: Value = app.get_json("/api/v1/tokens", &gina).await;
    let gina_token_id = gina_tokens["tokens"][0]["id"].as_str().unwrap();
    let alice_tokens: Value = app.get_json("/api/v1/tokens", &alice).await;
    assert!(!alice_tokens.to_string().contains(gina_token_id));

    let cross_revoke = api
        .delete(app.url(&format!("/api/v1/tokens/{gina_token_id}")))
        .bearer_auth(&alice)
        .send()
        .await
        .unwrap();
    assert_eq!(cross_revoke.status(), 404, "another org's token is indistinguishable from none");
    let still_works = api.get(app.url("/api/v1/me")).bearer_auth(&gina).send().await.unwrap();
    assert_eq!(still_works.status(), 200);
    app.stop().await;
}

#[tokio::test]
async fn only_admins_and_auditors_read_the_audit_log() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    app.create_user(org, "mike", Role::Member).await;
    let mike = app.create_token("mike").await;
    let response = reqwest::Client::new()
        .get(app.url("/api/v1/audit-events"))
        .bearer_auth(&mike)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body["error"]["message"],
        "only admins and read-only auditors of the organization may see this"
    );
    app.stop().await;
}

#[tokio::test]
async fn the_audit_log_pages_newest_first_and_filters_by_action() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    app.create_user(org, "alice", Role::Admin).await;
    let secret = app.create_token("alice").await;
    let api = reqwest::Client::new();
    for index in 0..30 {
        let response = api
            .post(app.url("/api/v1/tokens"))
            .bearer_auth(&secret)
            .json(&serde_json::json!({ "name": format!("token {index}") }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
    }
    // org.created, user.created, 31 × token.created
    let first: Value = app.get_json("/api/v1/audit-events", &secret).await;
    let events = first["events"].as_array().unwrap();
    assert_eq!(events.len(), 25);
    assert_eq!(events[0]["detail"]["name"], "token 29", "newest first");
    assert_eq!(events[0]["face"], "api");
    let before = first["next_before"].as_str().unwrap();

    let second: Value =
        app.get_json(&format!("/api/v1/audit-events?before={before}"), &secret).await;
    assert_eq!(second["events"].as_array().unwrap().len(), 8);
    assert!(second["next_before"].is_null(), "the last page says so");
    assert_eq!(second["events"][7]["action"], "org.created");

    let filtered: Value = app.get_json("/api/v1/audit-events?action=user.created", &secret).await;
    assert_eq!(filtered["events"].as_array().unwrap().len(), 1);
    assert_eq!(filtered["events"][0]["actor_name"], "cli");

    app.sign_in("alice", PASSWORD, "/audit").await;
    let page = app
        .client
        .get(app.url("/audit?action=user.created"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("user.created"), "{page}");
    assert!(!page.contains("token 29"), "the page applies the filter");

    // A page size: 10 at a time, the older link keeping it; out of range is a 400.
    let small: Value = app.get_json("/api/v1/audit-events?per_page=10", &secret).await;
    assert_eq!(small["events"].as_array().unwrap().len(), 10);
    for refused in ["/api/v1/audit-events?per_page=0", "/api/v1/audit-events?per_page=101"] {
        let (status, body) = app.call(reqwest::Method::GET, refused, Some(&secret), None).await;
        assert_eq!(status, 400, "{refused}: {body}");
    }
    let page = app.client.get(app.url("/audit?per_page=10")).send().await.unwrap();
    let page = page.text().await.unwrap();
    assert_eq!(page.matches("<tr>").count(), 11, "a header and 10 events");
    assert!(page.contains("per_page=10&amp;before=") || page.contains("per_page=10&before="));
    app.stop().await;
}

#[tokio::test]
async fn repeated_sign_in_attempts_for_one_username_are_throttled() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    app.create_user(org, "alice", Role::Member).await;
    for _ in 0..5 {
        let response = app.sign_in("alice", "guess", "/overview").await;
        assert!(location(&response).contains("error=invalid"));
    }
    let with_right_password = app.sign_in("alice", PASSWORD, "/overview").await;
    assert!(
        location(&with_right_password).contains("error=throttled"),
        "{}",
        location(&with_right_password)
    );
    assert_eq!(app.session_cookie(), None);
    let html = app
        .client
        .get(app.url(&location(&with_right_password)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Too many sign-in attempts"));
    app.stop().await;
}
