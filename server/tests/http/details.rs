//! The detail pages (an account share, a person, a partner's history), local times, and the
//! sortable, filterable lists, over HTTP: the data is in the first response, other orgs' things
//! are 404, read-only people see but cannot change, a bad sort is a 400.

use crate::common;

use app::domain::identity::{Actor, Role};
use app::server_fns::AppError;
use common::{location, spawn_app, TestApp, PASSWORD};
use reqwest::Method;
use serde_json::{json, Value};

/// Acme (alice admin, rita read-only, max member), Globex (gus), Initech (ian admin). Returns
/// Acme's users and Globex's id.
async fn orgs(app: &TestApp) -> (Actor, Actor, Actor, String) {
    let acme = app.create_org("Acme").await;
    let alice = app.create_user(acme, "alice", Role::Admin).await;
    let rita = app.create_user(acme, "rita", Role::ReadOnly).await;
    let max = app.create_user(acme, "max", Role::Member).await;
    let globex = app.create_org("Globex").await;
    app.create_user(globex, "gus", Role::Member).await;
    let initech = app.create_org("Initech").await;
    app.create_user(initech, "ian", Role::Admin).await;
    (alice, rita, max, globex.to_string())
}

/// An EnableNow share from Acme (alice) to `to` named `name`, expiring in a day; its id.
async fn share(app: &TestApp, token: &str, to: &str, name: &str) -> String {
    let (status, answer) = app
        .call(
            Method::POST,
            "/v1/shares",
            Some(token),
            Some(json!({ "clientId": to, "reference": name, "consentIds": [uuid::Uuid::now_v7().to_string()] })),
        )
        .await;
    assert_eq!(status, 201, "{answer}");
    answer["data"].as_str().unwrap().to_owned()
}

async fn get(app: &TestApp, path: &str) -> (u16, String) {
    let response = app.client.get(app.url(path)).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

async fn page(app: &TestApp, path: &str) -> String {
    let (status, html) = get(app, path).await;
    assert_eq!(status, 200, "GET {path}: {html}");
    assert!(!html.contains("Loading"), "{path} holds a loading placeholder");
    html
}

#[tokio::test]
async fn the_account_share_page_shows_its_data_recipients_resources_and_history_at_once() {
    let app = spawn_app().await;
    let (..) = orgs(&app).await;
    let globex = orgs_globex(&app).await;
    let alice = app.create_token("alice").await;
    let id = share(&app, &alice, &globex, "Quarterly consent").await;
    app.sign_in("alice", PASSWORD, "/shared").await;

    let shared = page(&app, "/shared?kind=resource").await;
    assert!(shared.contains(&format!("href=\"/shared/accounts/{id}\"")), "rows link: {shared}");
    assert!(shared.contains("data-soon=\"true\""), "a share ending within 48 h stands out");

    let html = page(&app, &format!("/shared/accounts/{id}")).await;
    for wanted in [
        "Quarterly consent",
        "Acme",
        "Globex",
        "associated",
        "consent",
        "expires soon",
        "share.created",
        "1 recipient loses access",
        "name=\"expires_at\"",
        "<time datetime=\"",
    ] {
        assert!(html.contains(wanted), "{wanted}: {html}");
    }
    assert!(html.contains(" UTC\""), "the UTC time is in the tooltip: {html}");
    app.stop().await;
}

/// Globex's id, by name (the fixtures made it).
async fn orgs_globex(app: &TestApp) -> String {
    sqlx::query_scalar("SELECT id FROM orgs WHERE name = 'Globex'")
        .fetch_one(app.store.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn another_orgs_share_and_person_are_404_and_a_recipient_sees_only_its_entry() {
    let app = spawn_app().await;
    let (_, rita, _, globex) = orgs(&app).await;
    let alice = app.create_token("alice").await;
    let id = share(&app, &alice, &globex, "Globex only").await;

    app.sign_in("ian", PASSWORD, "/overview").await;
    let (status, html) = get(&app, &format!("/shared/accounts/{id}")).await;
    assert_eq!(status, 404, "{html}");
    assert!(!html.contains("Globex only"));
    let (status, _) = get(&app, "/shared/accounts/not-an-id").await;
    assert_eq!(status, 404);
    let (status, html) = get(&app, &format!("/users/{}", rita.user_id)).await;
    assert_eq!(status, 404, "another org's person: {html}");
    assert!(!html.contains("rita"));

    app.sign_in("gus", PASSWORD, "/overview").await;
    let html = page(&app, &format!("/shared/accounts/{id}")).await;
    assert!(html.contains("Globex only") && html.contains("From"), "{html}");
    assert!(
        !html.contains("Rename") && !html.contains("Delete share"),
        "a recipient changes nothing"
    );
    assert!(!html.contains("share.created"), "nor reads the owner's log");
    app.stop().await;
}

#[tokio::test]
async fn read_only_people_see_the_share_but_cannot_change_it() {
    let app = spawn_app().await;
    let (..) = orgs(&app).await;
    let globex = orgs_globex(&app).await;
    let alice = app.create_token("alice").await;
    let id = share(&app, &alice, &globex, "Look only").await;
    app.sign_in("rita", PASSWORD, "/overview").await;

    let html = page(&app, &format!("/shared/accounts/{id}")).await;
    assert!(html.contains("Look only") && html.contains("share.created"), "{html}");
    assert!(!html.contains("Rename") && !html.contains("Delete share"), "{html}");
    for (name, form) in [
        ("rename_account_share", vec![("id", id.as_str()), ("name", "Mine")]),
        ("set_account_share_expiry", vec![("id", id.as_str()), ("expires_at", "2099-01-01T00:00")]),
        ("delete_account_share", vec![("id", id.as_str())]),
    ] {
        let (status, error) = app.server_fn_error(name, &form).await;
        assert_eq!(status, 403, "{name}: {error:?}");
    }
    app.stop().await;
}

#[tokio::test]
async fn an_admin_renames_moves_the_expiry_of_and_deletes_a_share_with_or_without_javascript() {
    let app = spawn_app().await;
    let (..) = orgs(&app).await;
    let globex = orgs_globex(&app).await;
    let alice = app.create_token("alice").await;
    let id = share(&app, &alice, &globex, "Old name").await;
    let path = format!("/shared/accounts/{id}");
    app.sign_in("alice", PASSWORD, &path).await;

    app.server_fn_ok("rename_account_share", &[("id", &id), ("name", "New name")]).await;
    app.server_fn_ok(
        "set_account_share_expiry",
        &[("id", &id), ("expires_at", "2099-03-04T05:06")],
    )
    .await;
    let (status, error) = app
        .server_fn_error(
            "set_account_share_expiry",
            &[("id", &id), ("expires_at", "2001-01-01T00:00")],
        )
        .await;
    assert_eq!(status, 400, "{error:?}");
    let (status, error) = app
        .server_fn_error("set_account_share_expiry", &[("id", &id), ("expires_at", "soon")])
        .await;
    assert_eq!(
        (status.as_u16(), error),
        (400, AppError::invalid("expires_at", "give a date and time"))
    );
    let html = page(&app, &path).await;
    assert!(html.contains("break-all\">New name<"), "{html}");
    assert!(html.contains("datetime=\"2099-03-04T05:06:00.000000Z\""), "{html}");
    assert!(html.contains("share.renamed") && html.contains("share.expiry_changed"), "{html}");

    // Without JavaScript: the form posts, and the browser comes back to the page, told.
    let response = app
        .client
        .post(app.url("/api/delete_account_share"))
        .header("origin", &app.address)
        .header("referer", app.url(&path))
        .header("accept", "text/html")
        .form(&[("id", id.as_str())])
        .send()
        .await
        .unwrap();
    assert!(response.status().is_redirection(), "{}", response.status());
    let back = location(&response);
    assert!(back.contains("done=delete_account_share"), "{back}");
    let back = back.strip_prefix(&app.address).unwrap_or(&back).to_owned();
    let html = page(&app, &back).await;
    assert!(html.contains("Share deleted.") && html.contains("was deleted"), "{html}");
    assert!(!html.contains("Delete share…"), "nothing left to delete");
    let (_, listed) = app.call(Method::GET, &format!("/v1/shares/{id}"), Some(&alice), None).await;
    assert_ne!(listed["data"]["id"], json!(id), "the share is gone for the API too: {listed}");
    app.stop().await;
}

#[tokio::test]
async fn the_person_page_shows_role_status_access_and_history_to_admins_and_auditors() {
    let app = spawn_app().await;
    let (_, rita, max, globex) = orgs(&app).await;
    app.sign_in("alice", PASSWORD, "/users").await;
    app.server_fn_ok(
        "share_files",
        &[("path", "/alice/plan.pdf"), ("recipients", "max"), ("access", "read")],
    )
    .await;
    app.server_fn_ok("add_partner", &[("partner_org_id", &globex)]).await;
    app.server_fn_ok(
        "partner_share",
        &[
            ("partner_org_id", &globex),
            ("schema", "opportunity"),
            ("entity_id", "deal-7"),
            ("share", "true"),
        ],
    )
    .await;
    app.server_fn_ok(
        "partner_offer",
        &[("partner_org_id", &globex), ("schema", "opportunity"), ("entity_id", "deal-8")],
    )
    .await;
    app.server_fn_ok(
        "change_user_role",
        &[("id", &rita.user_id.to_string()), ("role", "readonly")],
    )
    .await;

    let users = page(&app, "/users").await;
    assert!(users.contains(&format!("href=\"/users/{}\"", max.user_id)), "rows link: {users}");
    let html = page(&app, &format!("/users/{}", max.user_id)).await;
    for wanted in ["max", "member", "active", "/alice/plan.pdf", "/access?person=max", "Added"] {
        assert!(html.contains(wanted), "{wanted}: {html}");
    }
    let alice_id: String = sqlx::query_scalar("SELECT id FROM users WHERE username = 'alice'")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    let html = page(&app, &format!("/users/{alice_id}")).await;
    assert!(html.contains("Shared by them") && html.contains("/alice/plan.pdf"), "{html}");
    assert!(html.contains("file.shared"), "her history: {html}");
    // Every kind she granted: the file, the partner entity she shared, the offer she made.
    let person = app.server_fn_ok("person", &[("id", &alice_id)]).await;
    let granted: Vec<&str> = person["granted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|grant| grant["item_name"].as_str().unwrap())
        .collect();
    assert_eq!(granted, ["opportunity/deal-8", "opportunity/deal-7", "/alice/plan.pdf"]);
    let person = app.server_fn_ok("person", &[("id", &max.user_id.to_string())]).await;
    assert_eq!(person["granted"], json!([]), "max granted nothing: {person}");

    app.sign_in("rita", PASSWORD, "/users").await;
    page(&app, &format!("/users/{}", max.user_id)).await;
    app.sign_in("max", PASSWORD, "/overview").await;
    let (status, _) = get(&app, &format!("/users/{}", rita.user_id)).await;
    assert_eq!(status, 403, "a member may not read the org's people");
    app.stop().await;
}

#[tokio::test]
async fn the_partner_page_shows_the_partners_history() {
    let app = spawn_app().await;
    let (.., globex) = orgs(&app).await;
    app.sign_in("alice", PASSWORD, "/partners").await;
    app.server_fn_ok("add_partner", &[("partner_org_id", &globex)]).await;
    app.server_fn_ok(
        "partner_offer",
        &[("partner_org_id", &globex), ("schema", "opportunity"), ("entity_id", "deal-9")],
    )
    .await;
    let html = page(&app, &format!("/partners/{globex}")).await;
    assert!(html.contains("History"), "{html}");
    assert!(html.contains("entity.offered"), "the offer made under it: {html}");
    app.stop().await;
}

#[tokio::test]
async fn unknown_sorts_statuses_and_page_sizes_are_a_400_never_a_5xx() {
    let app = spawn_app().await;
    orgs(&app).await;
    app.sign_in("alice", PASSWORD, "/shared").await;
    for path in [
        "/shared?sort=password",
        "/shared?dir=sideways",
        "/shared?status=gone",
        "/shared?per_page=7",
        "/users?sort=email",
        "/users?status=asleep",
        "/users?per_page=1000",
    ] {
        let (status, html) = get(&app, path).await;
        assert_eq!(status, 400, "{path}: {html}");
        assert!(html.contains("must be"), "{path} says why: {html}");
    }
    let (status, error) = app
        .server_fn_error(
            "org_shares",
            &[("tab", "sent"), ("kind", ""), ("q", ""), ("page", "1"), ("sort", "id; DROP")],
        )
        .await;
    assert_eq!(status, 400);
    assert!(matches!(error, AppError::Invalid { ref field, .. } if field == "sort"), "{error:?}");
    let (status, _) = app.server_fn_error("users", &[("page", "1"), ("status", "x")]).await;
    assert_eq!(status, 400);
    app.stop().await;
}

fn names(view: &Value) -> Vec<String> {
    view["shares"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn sorting_and_the_status_filter_order_and_cut_the_lists() {
    let app = spawn_app().await;
    let (..) = orgs(&app).await;
    let globex = orgs_globex(&app).await;
    let alice = app.create_token("alice").await;
    for name in ["Bravo", "Alpha", "Charlie"] {
        share(&app, &alice, &globex, name).await;
    }
    let (status, _) = app
        .call(
            Method::PUT,
            &format!("/v1/shares/{}", share(&app, &alice, &globex, "Delta").await),
            Some(&alice),
            Some(json!({ "expirationDateUtc": "2099-01-01T00:00:00Z" })),
        )
        .await;
    assert!(status.is_success(), "{status}");
    app.sign_in("alice", PASSWORD, "/shared").await;
    let list = |sort: &'static str, dir: &'static str, status: &'static str| {
        let app = &app;
        async move {
            let form = [
                ("tab", "sent"),
                ("kind", "resource"),
                ("q", ""),
                ("page", "1"),
                ("sort", sort),
                ("dir", dir),
                ("status", status),
                ("per_page", "10"),
            ];
            names(&app.server_fn_ok("org_shares", &form).await)
        }
    };
    assert_eq!(list("name", "asc", "").await, ["Alpha", "Bravo", "Charlie", "Delta"]);
    assert_eq!(list("name", "desc", "").await, ["Delta", "Charlie", "Bravo", "Alpha"]);
    assert_eq!(list("created", "asc", "").await, ["Bravo", "Alpha", "Charlie", "Delta"]);
    assert_eq!(list("expiry", "desc", "").await[0], "Delta", "the latest expiry first");
    assert_eq!(list("expiry", "asc", "").await[3], "Delta");
    assert_eq!(list("name", "asc", "deleted").await, Vec::<String>::new());
    assert_eq!(list("name", "asc", "active").await.len(), 4);

    // The page: header links that sort, the sorted one marked for screen readers.
    let html = page(&app, "/shared?kind=resource&sort=name&dir=desc").await;
    assert!(html.contains("aria-sort=\"descending\""), "{html}");
    let (delta, alpha) = (html.find(">Delta<").unwrap(), html.find(">Alpha<").unwrap());
    assert!(delta < alpha, "Delta before Alpha when sorted by name, descending");
    assert!(html.contains("sort=name&amp;dir=asc") || html.contains("sort=name&dir=asc"), "{html}");

    // Every header link leads to a page that answers (the page size it carries included).
    for link in html.split("href=\"/shared?").skip(1) {
        let query = link.split('"').next().unwrap().replace("&amp;", "&");
        if query.contains("sort=") {
            page(&app, &format!("/shared?{query}")).await;
        }
    }

    // Users: by name, descending; only the active ones; a page size.
    let html = page(&app, "/users?sort=name&dir=desc&status=active&per_page=10").await;
    let html = &html[html.find("data-testid=\"user-list\"").unwrap()..];
    let positions: Vec<usize> = ["rita", "max", "alice"]
        .iter()
        .map(|name| html.find(&format!(">{name}<")).unwrap())
        .collect();
    assert!(positions.windows(2).all(|pair| pair[0] < pair[1]), "{positions:?}");
    let one =
        app.server_fn_ok("users", &[("page", "1"), ("per_page", "10"), ("sort", "name")]).await;
    assert_eq!(one["users"][0]["username"], "alice");
    assert_eq!(one["total"], 3);
    app.stop().await;
}
