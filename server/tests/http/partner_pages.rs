//! The partner, role and public offer pages and their server functions, over HTTP.

use crate::common;

use app::domain::identity::Role;
use common::{location, spawn_app, spawn_app_with, TestApp, PASSWORD};
use reqwest::Method;
use serde_json::{json, Value};

/// Alice (admin of Acme) signed in, and a partner org with user `pat`.
async fn signed_in_with_partner(app: &TestApp) -> String {
    let acme = app.create_org("Acme").await;
    app.create_user(acme, "alice", Role::Admin).await;
    let partner = app.create_org("Installer GmbH").await;
    app.create_user(partner, "pat", Role::Member).await;
    app.sign_in("alice", PASSWORD, "/partners").await;
    partner.to_string()
}

#[tokio::test]
async fn the_partners_page_lists_searches_and_pages() {
    let app = spawn_app().await;
    let partner = signed_in_with_partner(&app).await;
    let empty = app.client.get(app.url("/partners")).send().await.unwrap().text().await.unwrap();
    assert!(empty.contains("No partners yet"), "{empty}");

    app.server_fn_ok("add_partner", &[("partner_org_id", &partner)]).await;
    for index in 0..21 {
        let prospect = format!("prospect-{index:02}");
        app.server_fn_ok(
            "add_partner",
            &[("partner_org_id", &prospect), ("not_on_sharewell", "yes")],
        )
        .await;
    }
    let first: Value = app.server_fn_ok("partners", &[("search", ""), ("page", "1")]).await;
    assert_eq!(first["total"], 22);
    assert_eq!(first["pages"], 2);
    assert_eq!(first["partners"].as_array().unwrap().len(), 20);
    let second: Value = app.server_fn_ok("partners", &[("search", ""), ("page", "2")]).await;
    assert_eq!(second["partners"].as_array().unwrap().len(), 2);

    let found: Value =
        app.server_fn_ok("partners", &[("search", "installer"), ("page", "1")]).await;
    assert_eq!(found["total"], 1, "search matches the partner org's name");
    assert_eq!(found["partners"][0]["partner_status"], "REGISTERED");

    let html = app
        .client
        .get(app.url("/partners?q=installer"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Installer GmbH"), "{html}");
    assert!(!html.contains("prospect-01"));
    app.stop().await;
}

#[tokio::test]
async fn the_partners_list_sorts_filters_by_status_and_sizes_its_pages() {
    let app = spawn_app().await;
    let partner = signed_in_with_partner(&app).await;
    app.server_fn_ok("add_partner", &[("partner_org_id", &partner)]).await;
    for prospect in ["prospect-b", "prospect-a", "prospect_c"] {
        app.server_fn_ok(
            "add_partner",
            &[("partner_org_id", prospect), ("not_on_sharewell", "yes")],
        )
        .await;
    }
    app.server_fn_ok("partner_add_user", &[("partner_org_id", &partner), ("username", "pat")])
        .await;
    let list = |sort: &'static str, dir: &'static str, status: &'static str, per_page| {
        let app = &app;
        async move {
            let form = [
                ("search", ""),
                ("page", "1"),
                ("sort", sort),
                ("dir", dir),
                ("status", status),
                ("per_page", per_page),
            ];
            let listed: Value = app.server_fn_ok("partners", &form).await;
            let ids: Vec<String> = listed["partners"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| {
                    p["partner_name"].as_str().or(p["partner_org_id"].as_str()).unwrap().to_owned()
                })
                .collect();
            (ids, listed["total"].as_i64().unwrap(), listed["pages"].as_i64().unwrap())
        }
    };
    let (by_name, total, _) = list("", "", "", "").await;
    assert_eq!(by_name, ["Installer GmbH", "prospect-a", "prospect-b", "prospect_c"]);
    assert_eq!(total, 4);
    assert_eq!(list("name", "desc", "", "").await.0[0], "prospect_c");
    assert_eq!(list("users", "", "", "").await.0[0], "Installer GmbH", "most users first");
    assert_eq!(
        list("", "", "unregistered", "").await.0,
        ["prospect-a", "prospect-b", "prospect_c"]
    );
    assert_eq!(list("", "", "registered", "").await.0, ["Installer GmbH"]);
    // A search is text, not a pattern: `_` is an underscore, `%` a percent sign.
    for (search, found) in [("_", 1), ("t_c", 1), ("%", 0), ("prospect", 3)] {
        let listed: Value =
            app.server_fn_ok("partners", &[("search", search), ("page", "1")]).await;
        assert_eq!(listed["total"], found, "search {search:?}");
    }
    let (first, total, pages) = list("name", "asc", "", "10").await;
    assert_eq!((first.len(), total, pages), (4, 4, 1));

    // The page: sortable headers (aria-sort on the sorted one), the status filter, and a
    // sort or status it does not know is a 400 that says why.
    let html = app.client.get(app.url("/partners?sort=name&dir=desc")).send().await.unwrap();
    let html = html.text().await.unwrap();
    assert!(html.contains("aria-sort=\"descending\""), "{html}");
    assert!(html.find("prospect_c").unwrap() < html.find("prospect-a").unwrap(), "{html}");
    assert!(html.contains("data-testid=\"partners-controls\""), "{html}");
    for path in ["/partners?sort=secret", "/partners?status=gone", "/partners?per_page=3"] {
        let response = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 400, "{path}");
        assert!(response.text().await.unwrap().contains("must be"), "{path} says why");
    }
    app.stop().await;
}

#[tokio::test]
async fn partner_users_are_added_within_the_limit() {
    let app = spawn_app().await;
    let partner = signed_in_with_partner(&app).await;
    app.server_fn_ok("add_partner", &[("partner_org_id", &partner)]).await;
    app.server_fn_ok("partner_user_limit", &[("partner_org_id", &partner), ("user_limit", "0")])
        .await;

    let error = app
        .server_fn_refused("partner_add_user", &[("partner_org_id", &partner), ("username", "pat")])
        .await;
    assert!(error.contains("the user limit of 0 is reached"), "{error}");
    let error = app
        .server_fn_refused(
            "partner_add_user",
            &[("partner_org_id", &partner), ("username", "alice")],
        )
        .await;
    assert!(error.contains("is not a user of the partner org"), "{error}");

    app.server_fn_ok("partner_user_limit", &[("partner_org_id", &partner), ("user_limit", "")])
        .await;
    app.server_fn_ok("partner_add_user", &[("partner_org_id", &partner), ("username", "pat")])
        .await;
    let detail: Value = app.server_fn_ok("partner", &[("partner_org_id", &partner)]).await;
    assert_eq!(detail["config"]["users"][0]["username"], "pat");

    let error = app
        .server_fn_refused(
            "partner_user_limit",
            &[("partner_org_id", &partner), ("user_limit", "0")],
        )
        .await;
    assert!(error.contains("below the 1 partner users"), "{error}");

    let page = app
        .client
        .get(app.url(&format!("/partners/{partner}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Installer GmbH") && page.contains("pat"), "{page}");
    app.stop().await;
}

#[tokio::test]
async fn roles_are_created_assigned_and_deleted_from_the_pages() {
    let app = spawn_app().await;
    let partner = signed_in_with_partner(&app).await;
    app.server_fn_ok("add_partner", &[("partner_org_id", &partner)]).await;
    let error = app
        .server_fn_refused("save_role", &[("name", "Installer"), ("grants", "entity-read")])
        .await;
    assert!(error.contains("grants line 1"), "{error}");
    app.server_fn_ok(
        "save_role",
        &[
            ("name", "Installer"),
            ("grants", "entity-read opportunity:* allow\nentity-update opportunity:*"),
        ],
    )
    .await;
    let roles: Value = app.server_fn_ok("roles", &[]).await;
    let role_id = roles[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(roles[0]["grants"].as_array().unwrap().len(), 2);

    app.server_fn_ok(
        "partner_role",
        &[("partner_org_id", &partner), ("template_role_id", &role_id)],
    )
    .await;
    let detail: Value = app.server_fn_ok("partner", &[("partner_org_id", &partner)]).await;
    assert_eq!(detail["config"]["template_role_grants"][1]["action"], "entity-update");

    app.server_fn_ok(
        "save_role",
        &[("id", &role_id), ("name", "Installer (EU)"), ("grants", "entity-read *")],
    )
    .await;
    app.server_fn_ok("delete_role", &[("id", &role_id)]).await;
    let roles: Value = app.server_fn_ok("roles", &[]).await;
    assert_eq!(roles, json!([]));
    app.stop().await;
}

#[tokio::test]
async fn deleting_a_partner_needs_the_confirmation() {
    let app = spawn_app().await;
    let partner = signed_in_with_partner(&app).await;
    app.server_fn_ok("add_partner", &[("partner_org_id", &partner)]).await;
    let error = app.server_fn_refused("partner_delete", &[("partner_org_id", &partner)]).await;
    assert!(error.contains("confirm"), "{error}");
    app.server_fn_ok("partner_delete", &[("partner_org_id", &partner), ("confirm", "yes")]).await;
    let error = app.server_fn_refused("partner", &[("partner_org_id", &partner)]).await;
    assert!(error.contains("partner configuration not found"), "{error}");
    app.stop().await;
}

#[tokio::test]
async fn an_offer_made_on_the_page_is_accepted_from_its_public_link_without_an_account() {
    let app = spawn_app().await;
    let partner = signed_in_with_partner(&app).await;
    app.server_fn_ok("add_partner", &[("partner_org_id", &partner)]).await;
    app.server_fn_ok(
        "partner_offer",
        &[
            ("partner_org_id", &partner),
            ("schema", "opportunity"),
            ("entity_id", "deal-7"),
            ("more_partners", "prospect-a, prospect-b"),
        ],
    )
    .await;
    let detail: Value = app.server_fn_ok("partner", &[("partner_org_id", &partner)]).await;
    let offer = &detail["config"]["offered_entities"][0];
    assert_eq!(offer["offer_status"], "PENDING");
    let token = offer["link_token"].as_str().unwrap().to_owned();
    assert!(token.len() >= 43, "at least 256 bits");

    let stranger =
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let page = stranger.get(app.url(&format!("/offers/{token}"))).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Acme offers this to") && html.contains("opportunity deal-7"), "{html}");
    assert!(html.contains("Accept") && html.contains("Decline"));

    // The form posted without JavaScript: back to the page, which shows the outcome.
    let posted = stranger
        .post(app.url("/api/answer_offer"))
        .header("origin", &app.address)
        .header("referer", app.url(&format!("/offers/{token}")))
        .header("accept", "text/html")
        .form(&[("token", token.as_str()), ("decision", "accept")])
        .send()
        .await
        .unwrap();
    assert!(posted.status().is_redirection(), "{}", posted.status());
    assert!(location(&posted).contains(&format!("/offers/{token}")), "{}", location(&posted));
    let after = stranger
        .get(app.url(&format!("/offers/{token}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(after.contains("is now shared with") && after.contains("Accepted: "), "{after}");

    let detail: Value = app.server_fn_ok("partner", &[("partner_org_id", &partner)]).await;
    assert_eq!(detail["config"]["offered_entities"][0]["offer_status"], "ACCEPTED");
    assert_eq!(detail["config"]["entities"][0]["entity_id"], "deal-7");
    let other: Value = app.server_fn_ok("partner", &[("partner_org_id", "prospect-a")]).await;
    assert_eq!(other["config"]["offered_entities"][0]["offer_status"], "UNAVAILABLE");
    let other_link =
        other["config"]["offered_entities"][0]["link_token"].as_str().unwrap().to_owned();
    let lost = stranger
        .get(app.url(&format!("/offers/{other_link}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(lost.contains("Taken: another partner accepted this offer first"), "{lost}");
    app.stop().await;
}

#[tokio::test]
async fn an_offer_can_be_declined_and_an_unknown_link_is_a_helpful_404() {
    let app = spawn_app().await;
    let partner = signed_in_with_partner(&app).await;
    app.server_fn_ok("add_partner", &[("partner_org_id", &partner)]).await;
    app.server_fn_ok(
        "partner_offer",
        &[("partner_org_id", &partner), ("schema", "opportunity"), ("entity_id", "deal-8")],
    )
    .await;
    let detail: Value = app.server_fn_ok("partner", &[("partner_org_id", &partner)]).await;
    let token = detail["config"]["offered_entities"][0]["link_token"].as_str().unwrap().to_owned();

    let declined: Value =
        app.server_fn_ok("answer_offer", &[("token", &token), ("decision", "decline")]).await;
    assert_eq!(declined["status"], "DECLINED");
    let error =
        app.server_fn_refused("answer_offer", &[("token", &token), ("decision", "accept")]).await;
    assert!(error.contains("this offer was declined"), "{error}");

    let missing = reqwest::get(app.url("/offers/not-a-real-token")).await.unwrap();
    assert_eq!(missing.status(), 404);
    assert!(missing.text().await.unwrap().contains("This offer link is not valid"));
    app.stop().await;
}

#[tokio::test]
async fn the_public_offer_page_is_rate_limited_per_address() {
    let app = spawn_app_with(|config| config.public_rate_burst = 3).await;
    let statuses = futures_statuses(&app, 6).await;
    assert!(statuses.contains(&429), "{statuses:?}");
    let (status, _) = app.call(Method::GET, "/healthz", None, None).await;
    assert_eq!(status, 200, "other routes are not limited");
    app.stop().await;
}

async fn futures_statuses(app: &TestApp, count: usize) -> Vec<u16> {
    let mut statuses = Vec::new();
    for _ in 0..count {
        statuses.push(reqwest::get(app.url("/offers/some-token")).await.unwrap().status().as_u16());
    }
    statuses
}

#[tokio::test]
async fn partner_pages_need_a_session() {
    let app = spawn_app().await;
    let response = app.client.get(app.url("/partners")).send().await.unwrap();
    assert_eq!(response.status(), 303);
    let error = app.server_fn_refused("partners", &[("search", ""), ("page", "1")]).await;
    assert!(error.contains("authentication required"), "{error}");
    app.stop().await;
}
