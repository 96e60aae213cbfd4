//! What a browser without JavaScript gets: pages whose first response holds their data, forms
//! that post and come back saying what they did, and sign-in that returns to the wanted page.

use crate::common;

use app::domain::identity::Role;
use common::{location, spawn_app, TestApp, PASSWORD};

/// A page's whole body, as a browser without JavaScript would show it.
async fn page(app: &TestApp, path: &str) -> String {
    let response = app.client.get(app.url(path)).send().await.expect("page request");
    assert_eq!(response.status(), 200, "GET {path}");
    let html = response.text().await.expect("body");
    assert!(!html.contains("Loading"), "{path} still holds a loading placeholder: {html}");
    html
}

/// Posts a server function's form the way a browser without JavaScript does (HTML wanted,
/// coming from `page`); the redirect's target.
async fn post_form(app: &TestApp, from: &str, name: &str, form: &[(&str, &str)]) -> String {
    let response = app
        .client
        .post(app.url(&format!("/api/{name}")))
        .header("origin", &app.address)
        .header("referer", app.url(from))
        .header("accept", "text/html,application/xhtml+xml")
        .form(form)
        .send()
        .await
        .expect("form post");
    assert!(response.status().is_redirection(), "{name}: {}", response.status());
    location(&response)
}

#[tokio::test]
async fn signed_in_pages_hold_their_data_in_the_first_response() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    app.create_user(org, "alice", Role::Admin).await;
    app.create_user(org, "bob", Role::Member).await;
    let response = app.sign_in("alice", PASSWORD, "/shared").await;
    assert_eq!(location(&response), "/shared", "sign-in returns to the wanted page");
    app.server_fn_ok(
        "share_files",
        &[("path", "/alice/plan.pdf"), ("recipients", "bob"), ("access", "read")],
    )
    .await;

    let shared = page(&app, "/shared?tab=sent").await;
    assert!(shared.contains("/alice/plan.pdf") && shared.contains("bob"), "{shared}");
    let users = page(&app, "/users").await;
    assert!(users.contains("alice") && users.contains("bob"), "{users}");
    let audit = page(&app, "/audit").await;
    assert!(audit.contains("plan.pdf"), "{audit}");
    for path in ["/overview", "/tokens", "/partners", "/roles", "/requests", "/notifications"] {
        page(&app, path).await;
    }
}

#[tokio::test]
async fn a_signed_out_visit_keeps_the_wanted_page_in_the_sign_in_form() {
    let app = spawn_app().await;
    let response = app.client.get(app.url("/tokens")).send().await.expect("page request");
    assert_eq!(location(&response), "/login?next=%2Ftokens");
    let login = page(&app, "/login?next=%2Ftokens").await;
    assert!(login.contains(r#"name="next" value="/tokens""#), "{login}");

    // The header's "Sign in" link of a public page comes back to it.
    let response = app.client.get(app.url("/offers/not-a-link")).send().await.expect("page");
    let offer = response.text().await.expect("body");
    assert!(offer.contains(r#"href="/login?next=%2Foffers%2Fnot-a-link""#), "{offer}");
}

#[tokio::test]
async fn a_token_created_by_a_plain_form_shows_its_secret_once_and_says_so() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    app.create_user(org, "alice", Role::Member).await;
    app.sign_in("alice", PASSWORD, "/tokens").await;

    let back = post_form(&app, "/tokens", "create_token", &[("name", "nightly export")]).await;
    assert_eq!(back, app.url("/tokens?done=create_token"));
    let html = page(&app, "/tokens?done=create_token").await;
    assert!(html.contains("Token created.") && html.contains("new-token-secret"), "{html}");
    assert!(html.contains("nightly export"), "{html}");
    let again = page(&app, "/tokens").await;
    assert!(!again.contains("new-token-secret"), "the secret is shown once: {again}");

    let back = post_form(&app, "/tokens?done=create_token", "create_token", &[("name", "")]).await;
    assert!(back.contains("__err=") && !back.contains("done="), "{back}");
}
