//! What the confirm steps of destructive actions say, counted in the domain: only for those who
//! may do the action, and only within their org; and offer links shown whole.

use crate::common;

use app::domain::identity::Role;
use common::{spawn_app, spawn_app_with, TestApp, PASSWORD};
use serde_json::{json, Value};

/// Alice (admin of Acme) and Rita (read-only) with a partner org, Globex, whose user is `gus`.
/// Initech, another org, also works with Globex. Returns Globex's org id; Alice is signed in.
async fn acme_and_globex(app: &TestApp) -> String {
    let acme = app.create_org("Acme").await;
    app.create_user(acme, "alice", Role::Admin).await;
    app.create_user(acme, "rita", Role::ReadOnly).await;
    let globex = app.create_org("Globex").await;
    app.create_user(globex, "gus", Role::Member).await;
    let initech = app.create_org("Initech").await;
    app.create_user(initech, "ivan", Role::Admin).await;
    app.sign_in("alice", PASSWORD, "/partners").await;
    globex.to_string()
}

async fn share(app: &TestApp, partner: &str, entity: &str) {
    app.server_fn_ok(
        "partner_share",
        &[
            ("partner_org_id", partner),
            ("schema", "opportunity"),
            ("entity_id", entity),
            ("share", "true"),
        ],
    )
    .await;
}

async fn offer(app: &TestApp, partner: &str, entity: &str) {
    app.server_fn_ok(
        "partner_offer",
        &[("partner_org_id", partner), ("schema", "opportunity"), ("entity_id", entity)],
    )
    .await;
}

#[tokio::test]
async fn deleting_a_partner_says_what_it_takes_away_counted_within_the_org_and_only_for_admins() {
    let app = spawn_app().await;
    let globex = acme_and_globex(&app).await;

    // Initech shares more with the same partner: none of it is Acme's to count.
    app.sign_in("ivan", PASSWORD, "/partners").await;
    app.server_fn_ok("add_partner", &[("partner_org_id", &globex)]).await;
    for entity in ["i-1", "i-2", "i-3"] {
        share(&app, &globex, entity).await;
        offer(&app, &globex, &format!("{entity}-offered")).await;
    }
    app.server_fn_ok("partner_add_user", &[("partner_org_id", &globex), ("username", "gus")]).await;

    app.sign_in("alice", PASSWORD, "/partners").await;
    app.server_fn_ok("add_partner", &[("partner_org_id", &globex)]).await;
    let detail = app.server_fn_ok("partner", &[("partner_org_id", &globex)]).await;
    assert_eq!(
        detail["deletion"],
        json!({ "shared": 0, "accepted": 0, "open_offers": 0, "users": 0 })
    );

    share(&app, &globex, "deal-1").await;
    share(&app, &globex, "deal-2").await;
    offer(&app, &globex, "deal-3").await;
    offer(&app, &globex, "deal-4").await;
    app.server_fn_ok("partner_add_user", &[("partner_org_id", &globex), ("username", "gus")]).await;
    // One offer accepted from its public link: a share from an accepted offer, one open offer.
    let detail = app.server_fn_ok("partner", &[("partner_org_id", &globex)]).await;
    let token = detail["config"]["offered_entities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|offer| offer["entity_id"] == "deal-3")
        .and_then(|offer| offer["link_token"].as_str())
        .unwrap()
        .to_owned();
    app.server_fn_ok("answer_offer", &[("token", &token), ("decision", "accept")]).await;

    let detail = app.server_fn_ok("partner", &[("partner_org_id", &globex)]).await;
    assert_eq!(
        detail["deletion"],
        json!({ "shared": 3, "accepted": 1, "open_offers": 1, "users": 1 })
    );
    // The page says it before the button, without JavaScript.
    let html = page(&app, &format!("/partners/{globex}")).await;
    assert!(
        html.contains(
            "Deletes 3 shares with Globex (1 from accepted offers), withdraws 1 open offer and \
             removes 1 partner user. This cannot be undone."
        ),
        "{html}"
    );

    // A read-only user reads the partner but is not told what deleting it would take away,
    // and is offered no way to delete it.
    app.sign_in("rita", PASSWORD, "/partners").await;
    let detail = app.server_fn_ok("partner", &[("partner_org_id", &globex)]).await;
    assert_eq!(detail["deletion"], Value::Null);
    assert_eq!(detail["config"]["entities"].as_array().unwrap().len(), 3);
    let html = page(&app, &format!("/partners/{globex}")).await;
    assert!(!html.contains("Deletes 3 shares") && !html.contains("Delete configuration"), "{html}");
    app.stop().await;
}

#[tokio::test]
async fn who_holds_a_role_is_counted_within_the_org_and_told_only_to_those_who_may_delete_it() {
    let app = spawn_app().await;
    let globex = acme_and_globex(&app).await;
    app.server_fn_ok("save_role", &[("name", "Installer"), ("grants", "entity-read *")]).await;
    app.server_fn_ok("save_role", &[("name", "Unused"), ("grants", "entity-read *")]).await;
    let roles = app.server_fn_ok("roles_page", &[]).await;
    let role_id = |name: &str| {
        roles["roles"]
            .as_array()
            .unwrap()
            .iter()
            .find(|role| role["name"] == name)
            .and_then(|role| role["id"].as_str())
            .unwrap()
            .to_owned()
    };
    let installer = role_id("Installer");
    assert_eq!(roles["holders"], json!([]), "nobody holds a role yet");

    app.server_fn_ok("add_partner", &[("partner_org_id", &globex)]).await;
    app.server_fn_ok("partner_add_user", &[("partner_org_id", &globex), ("username", "gus")]).await;
    app.server_fn_ok(
        "partner_role",
        &[("partner_org_id", &globex), ("template_role_id", &installer)],
    )
    .await;
    app.server_fn_ok(
        "add_partner",
        &[("partner_org_id", "prospect-1"), ("not_on_sharewell", "yes")],
    )
    .await;
    app.server_fn_ok(
        "partner_role",
        &[("partner_org_id", "prospect-1"), ("template_role_id", &installer)],
    )
    .await;

    // Initech's own role, assigned to the same partner, is not Acme's.
    app.sign_in("ivan", PASSWORD, "/roles").await;
    app.server_fn_ok("save_role", &[("name", "Installer"), ("grants", "entity-read *")]).await;
    let theirs = app.server_fn_ok("roles_page", &[]).await;
    let their_role = theirs["roles"][0]["id"].as_str().unwrap().to_owned();
    app.server_fn_ok("add_partner", &[("partner_org_id", &globex)]).await;
    app.server_fn_ok("partner_add_user", &[("partner_org_id", &globex), ("username", "gus")]).await;
    app.server_fn_ok(
        "partner_role",
        &[("partner_org_id", &globex), ("template_role_id", &their_role)],
    )
    .await;

    app.sign_in("alice", PASSWORD, "/roles").await;
    let roles = app.server_fn_ok("roles_page", &[]).await;
    assert_eq!(roles["holders"], json!([{ "role_id": installer, "partners": 2, "people": 1 }]));
    let html = page(&app, "/roles").await;
    assert!(html.contains("Held by 1 person through 2 partners"), "{html}");
    assert!(html.contains("Nobody holds it: it is assigned to no partner."), "{html}");

    app.sign_in("rita", PASSWORD, "/roles").await;
    let roles = app.server_fn_ok("roles_page", &[]).await;
    assert_eq!(roles["roles"].as_array().unwrap().len(), 2, "a read-only user sees the roles");
    assert_eq!(roles["holders"], json!([]), "but not who holds them");
    app.stop().await;
}

#[tokio::test]
async fn offer_links_are_shown_whole_with_the_public_url_or_the_request_host() {
    let app = spawn_app().await;
    let globex = acme_and_globex(&app).await;
    app.server_fn_ok("add_partner", &[("partner_org_id", &globex)]).await;
    offer(&app, &globex, "deal-1").await;
    let detail = app.server_fn_ok("partner", &[("partner_org_id", &globex)]).await;
    assert_eq!(detail["link_base"], app.address.as_str());
    let token = detail["config"]["offered_entities"][0]["link_token"].as_str().unwrap().to_owned();
    let html = page(&app, &format!("/partners/{globex}")).await;
    assert!(html.contains(&format!("{}/offers/{token}", app.address)), "{html}");
    app.stop().await;

    let app = spawn_app_with(|config| {
        config.public_url = Some("https://share.example.com/".to_owned());
    })
    .await;
    let globex = acme_and_globex(&app).await;
    app.server_fn_ok("add_partner", &[("partner_org_id", &globex)]).await;
    let detail = app.server_fn_ok("partner", &[("partner_org_id", &globex)]).await;
    assert_eq!(detail["link_base"], "https://share.example.com");
    app.stop().await;
}

#[tokio::test]
async fn a_plain_form_post_says_what_it_did_in_the_live_region_and_deleting_says_so_where_it_lands()
{
    let app = spawn_app().await;
    let globex = acme_and_globex(&app).await;
    app.server_fn_ok("add_partner", &[("partner_org_id", &globex)]).await;
    let posted = app
        .client
        .post(app.url("/api/partner_delete"))
        .header("origin", &app.address)
        .header("referer", app.url(&format!("/partners/{globex}")))
        .header("accept", "text/html")
        .form(&[("partner_org_id", globex.as_str()), ("confirm", "yes")])
        .send()
        .await
        .unwrap();
    assert_eq!(common::location(&posted), "/partners?done=partner_delete");
    let html = page(&app, "/partners?done=partner_delete").await;
    let region = html.split("data-testid=\"live-region\"").nth(1).expect("a live region");
    let region = region.split("</main>").next().unwrap_or(region);
    assert!(region.contains("Partner deleted."), "{html}");
    assert!(html.contains("aria-live=\"polite\""), "{html}");
    app.stop().await;
}

async fn page(app: &TestApp, path: &str) -> String {
    app.client.get(app.url(path)).send().await.unwrap().text().await.unwrap()
}
