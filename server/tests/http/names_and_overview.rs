//! Names instead of ids (the org picker, filtering by an org's name, shares with oneself) and
//! the Overview's "what needs you", over HTTP.

use crate::common;

use app::domain::identity::{service as identity, Role};
use common::{location, spawn_app, TestApp, PASSWORD};
use reqwest::Method;
use serde_json::{json, Value};

/// Acme (alice admin, rita read-only, max member), Globex (gus member), Globe Trotters and
/// Initech. Returns Globex's id.
async fn orgs(app: &TestApp) -> String {
    let acme = app.create_org("Acme").await;
    app.create_user(acme, "alice", Role::Admin).await;
    app.create_user(acme, "rita", Role::ReadOnly).await;
    app.create_user(acme, "max", Role::Member).await;
    let globex = app.create_org("Globex").await;
    app.create_user(globex, "gus", Role::Member).await;
    app.create_org("Globe Trotters").await;
    app.create_org("Initech").await;
    globex.to_string()
}

#[tokio::test]
async fn the_org_search_finds_orgs_by_name_and_tells_only_ids_and_names() {
    let app = spawn_app().await;
    orgs(&app).await;
    app.sign_in("alice", PASSWORD, "/partners").await;
    let found = app.server_fn_ok("find_orgs", &[("q", "GLO")]).await;
    let names: Vec<&str> =
        found.as_array().unwrap().iter().map(|org| org["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Globe Trotters", "Globex"]);
    for org in found.as_array().unwrap() {
        let mut keys: Vec<&str> = org.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["id", "name"], "nothing else about another org: {org}");
    }
    let own = app.server_fn_ok("find_orgs", &[("q", "acme")]).await;
    assert_eq!(own, json!([]), "one's own org is no partner");
    let wildcard = app.server_fn_ok("find_orgs", &[("q", "%")]).await;
    assert_eq!(wildcard, json!([]), "a wildcard is not a pattern");
    let long = "x".repeat(201);
    app.server_fn_refused("find_orgs", &[("q", &long)]).await;

    // A read-only auditor may search (it reads what partner lists show anyway), not add.
    app.sign_in("rita", PASSWORD, "/partners").await;
    let found = app.server_fn_ok("find_orgs", &[("q", "initech")]).await;
    assert_eq!(found[0]["name"], "Initech");
    app.server_fn_refused("add_partner", &[("partner_org_id", "Initech")]).await;

    // Signed out: nothing.
    let anonymous = reqwest::Client::new()
        .post(app.url("/api/find_orgs"))
        .header("origin", &app.address)
        .header("accept", "application/json")
        .form(&[("q", "glo")])
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    app.stop().await;
}

#[tokio::test]
async fn a_partner_is_added_by_its_name_and_a_name_matching_no_org_is_refused() {
    let app = spawn_app().await;
    let globex = orgs(&app).await;
    app.sign_in("alice", PASSWORD, "/partners").await;

    // Without JavaScript: the search form lists matches, each with an Add button.
    let html = app.page("/partners?find=glob").await;
    assert!(html.contains("Orgs matching"), "{html}");
    assert!(html.contains("Globe Trotters") && html.contains(&globex), "{html}");
    assert!(html.contains("aria-label=\"Add Globex\""), "{html}");
    let none = app.page("/partners?find=nobody%20here").await;
    assert!(none.contains("No org on Sharewell matches"), "{none}");
    assert!(none.contains("not on Sharewell yet"), "{none}");

    // The picked id is added; so is an exact name typed in full.
    app.server_fn_ok("add_partner", &[("partner_org_id", &globex)]).await;
    app.server_fn_ok("add_partner", &[("partner_org_id", "initech")]).await;
    let listed = app.server_fn_ok("partners", &[("search", ""), ("page", "1")]).await;
    let mut names: Vec<&str> = listed["partners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|partner| partner["partner_name"].as_str().unwrap())
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["Globex", "Initech"], "{listed}");

    // A name matching no org is not silently a partner called that name.
    let refused = app.server_fn_refused("add_partner", &[("partner_org_id", "Glbex")]).await;
    assert!(refused.contains("no org on Sharewell matches"), "{refused}");
    let refused = app.server_fn_refused("add_partner", &[("partner_org_id", "Acme")]).await;
    assert!(refused.contains("no org on Sharewell matches"), "own org by name: {refused}");
    let listed = app.server_fn_ok("partners", &[("search", ""), ("page", "1")]).await;
    assert_eq!(listed["total"], 2);

    // Unless it is said to be the id of a partner not on Sharewell yet.
    app.server_fn_ok(
        "add_partner",
        &[("partner_org_id", "future-partner"), ("not_on_sharewell", "yes")],
    )
    .await;
    let listed = app.server_fn_ok("partners", &[("search", "future"), ("page", "1")]).await;
    assert_eq!(listed["partners"][0]["partner_status"], "UNREGISTERED");

    // The audit log names the partner, with the id on hover.
    let events = app.server_fn_ok("audit_events", &[]).await;
    let names: Vec<&str> = events["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|event| event["object_name"].as_str())
        .collect();
    assert!(names.contains(&"Globex") && names.contains(&"future-partner"), "{events}");
    let html = app.page("/audit").await;
    // (Rendered text may be followed by a hydration marker, `<!>`.)
    assert!(html.contains(">Globex</span>") || html.contains(">Globex<!></span>"), "{html}");
    app.stop().await;
}

#[tokio::test]
async fn the_shared_filter_finds_account_shares_and_entities_by_the_partner_org_name() {
    let app = spawn_app().await;
    let globex = orgs(&app).await;
    let alice = app.create_token("alice").await;
    let (status, _) = app
        .call(Method::POST, "/v1/shares", Some(&alice), Some(json!({ "clientId": globex })))
        .await;
    assert_eq!(status, 201);
    let body = json!({
        "share": [{ "partner_org_id": globex, "entities": [{ "schema": "opportunity", "entity_id": "deal-7" }] }],
        "unshare": [],
    });
    let (status, _) =
        app.call(Method::POST, "/v1/sharing/entities:share", Some(&alice), Some(body)).await;
    assert_eq!(status, 200);
    app.sign_in("alice", PASSWORD, "/shared").await;

    let view = app
        .server_fn_ok(
            "org_shares",
            &[("tab", "sent"), ("kind", ""), ("q", "globex"), ("page", "1")],
        )
        .await;
    assert_eq!(view["shares"].as_array().unwrap().len(), 1, "{view}");
    assert_eq!(view["shares"][0]["counterpart"], "Globex");
    assert_eq!(view["entities"][0]["partner_org_name"], "Globex", "{view}");
    let other = app
        .server_fn_ok(
            "org_shares",
            &[("tab", "sent"), ("kind", ""), ("q", "initech"), ("page", "1")],
        )
        .await;
    assert_eq!(other["shares"], json!([]), "{other}");
    assert_eq!(other["entities"], json!([]), "{other}");

    let html = app.page("/shared?kind=entity").await;
    assert!(html.contains(&format!("title=\"{globex}\">Globex")), "name, id on hover: {html}");
    app.stop().await;
}

async fn needs(app: &TestApp) -> Value {
    app.server_fn_ok("what_needs_me", &[]).await
}

#[tokio::test]
async fn the_overview_counts_what_needs_the_person_and_home_sends_them_there() {
    let app = spawn_app().await;
    let globex = orgs(&app).await;
    let signed_in = app.sign_in("alice", PASSWORD, "/").await;
    assert!(signed_in.status().is_redirection());
    let home = app.client.get(app.url("/")).send().await.unwrap();
    let status = home.status();
    assert!(status.is_redirection(), "{status} {}", home.text().await.unwrap());
    assert_eq!(location(&home), "/overview");

    let fresh = needs(&app).await;
    assert_eq!(fresh["pending_requests"], 0);
    assert_eq!(fresh["expiring_sent"], 0);
    assert_eq!(fresh["open_offers"], 0);
    assert_eq!(fresh["failed_deliveries"], 0, "an admin sees deliveries");
    let html = app.page("/overview").await;
    assert!(html.contains("Nothing needs you"), "{html}");

    // An expiring share (EnableNow: a day) and an open offer.
    let alice = app.create_token("alice").await;
    let (status, _) = app
        .call(Method::POST, "/v1/shares", Some(&alice), Some(json!({ "clientId": globex })))
        .await;
    assert_eq!(status, 201);
    app.server_fn_ok(
        "partner_offer",
        &[("partner_org_id", &globex), ("schema", "opportunity"), ("entity_id", "deal-9")],
    )
    .await;
    let counts = needs(&app).await;
    assert_eq!(counts["expiring_sent"], 1, "{counts}");
    assert_eq!(counts["open_offers"], 1, "{counts}");
    let html = app.page("/overview").await;
    assert!(!html.contains("Nothing needs you"), "{html}");
    assert!(html.contains("share you sent expires within 48 h"), "{html}");
    assert!(html.contains("offer to a partner is still open"), "{html}");
    assert!(html.contains("href=\"/partners\""), "{html}");

    // A member sees no webhook deliveries; Globex's member sees the share coming to an end
    // once it is associated, and the offer in the inbox.
    app.sign_in("max", PASSWORD, "/").await;
    assert_eq!(needs(&app).await["failed_deliveries"], Value::Null);
    app.sign_in("gus", PASSWORD, "/").await;
    let mut counts = needs(&app).await;
    for _ in 0..50 {
        if counts["expiring_received"] == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        counts = needs(&app).await;
    }
    assert_eq!(counts["expiring_received"], 1, "{counts}");
    assert_eq!(counts["expiring_sent"], 0, "{counts}");
    app.stop().await;
}

#[tokio::test]
async fn a_share_with_oneself_reads_as_such() {
    let app = spawn_app().await;
    let org = identity::create_org(&app.store, "Solo", None).await.unwrap().id;
    app.create_user(org, "sam", Role::Member).await;
    app.sign_in("sam", PASSWORD, "/shared").await;
    app.server_fn_ok(
        "share_files",
        &[("path", "/sam/notes.txt"), ("recipients", "sam"), ("access", "read")],
    )
    .await;
    for tab in ["sent", "received"] {
        let html = app.page(&format!("/shared?tab={tab}&kind=file")).await;
        assert!(html.contains("notes.txt"), "{html}");
        assert!(html.contains("You (shared with yourself)"), "{tab}: {html}");
    }
    app.stop().await;
}

#[tokio::test]
async fn people_pickers_offer_only_colleagues_contacts_and_the_partners_people() {
    let app = spawn_app().await;
    let globex = orgs(&app).await;
    let globex_id = globex.parse().unwrap();
    app.create_user(globex_id, "gail", Role::Admin).await;
    let initech = app.create_org("Initech Labs").await;
    app.create_user(initech, "ivan", Role::Member).await;
    app.sign_in("alice", PASSWORD, "/shared").await;
    let usernames = |found: &Value| -> Vec<String> {
        found
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["username"].as_str().unwrap().to_owned())
            .collect()
    };

    // Colleagues are offered; people of other orgs only once one has shared with them.
    assert_eq!(usernames(&app.server_fn_ok("find_people", &[("q", "MA")]).await), ["max"]);
    assert_eq!(app.server_fn_ok("find_people", &[("q", "gus")]).await, json!([]));
    app.server_fn_ok(
        "share_files",
        &[("path", "/alice/plan.pdf"), ("recipients", "gus"), ("access", "read")],
    )
    .await;
    let found = app.server_fn_ok("find_people", &[("q", "gu")]).await;
    assert_eq!(found, json!([{ "username": "gus", "org_name": "Globex" }]), "name and org only");
    assert_eq!(app.server_fn_ok("find_people", &[("q", "ivan")]).await, json!([]));
    assert_eq!(app.server_fn_ok("find_people", &[("q", "%")]).await, json!([]));
    app.server_fn_refused("find_people", &[("q", &"x".repeat(201))]).await;

    // The partner user picker lists the partner org's people, for a configured partner only.
    app.server_fn_ok("add_partner", &[("partner_org_id", &globex)]).await;
    let partner_people =
        app.server_fn_ok("find_partner_people", &[("partner_org_id", &globex), ("q", "g")]).await;
    assert_eq!(usernames(&partner_people), ["gail", "gus"]);
    let initech = initech.to_string();
    let refused = app
        .server_fn_refused("find_partner_people", &[("partner_org_id", &initech), ("q", "iv")])
        .await;
    assert!(refused.contains("not found") || refused.contains("NotFound"), "{refused}");

    // A read-only auditor shares nothing and assigns no one, so it is offered no one.
    app.sign_in("rita", PASSWORD, "/shared").await;
    app.server_fn_refused("find_people", &[("q", "max")]).await;
    app.server_fn_refused("find_partner_people", &[("partner_org_id", &globex), ("q", "g")]).await;
    app.stop().await;
}

#[tokio::test]
async fn the_entity_picker_offers_the_orgs_own_entities_with_their_schema() {
    let app = spawn_app().await;
    let globex = orgs(&app).await;
    app.sign_in("alice", PASSWORD, "/partners").await;
    app.server_fn_ok("add_partner", &[("partner_org_id", &globex)]).await;
    let share = |schema: &'static str, entity: &'static str| {
        let (app, globex) = (&app, globex.clone());
        async move {
            let form = [
                ("partner_org_id", globex.as_str()),
                ("schema", schema),
                ("entity_id", entity),
                ("share", "true"),
            ];
            app.server_fn_ok("partner_share", &form).await;
        }
    };
    share("opportunity", "deal-7").await;
    share("contract", "DEAL-8").await;
    share("opportunity", "lead-1").await;

    let found = app.server_fn_ok("find_entities", &[("q", "deal")]).await;
    assert_eq!(
        found,
        json!([
            { "schema": "contract", "entity_id": "DEAL-8" },
            { "schema": "opportunity", "entity_id": "deal-7" },
        ]),
        "by id, case-insensitively, with the schema to fill in"
    );
    let by_schema = app.server_fn_ok("find_entities", &[("q", "contr")]).await;
    assert_eq!(by_schema.as_array().unwrap().len(), 1);
    assert_eq!(app.server_fn_ok("find_entities", &[("q", "%")]).await, json!([]));
    app.server_fn_refused("find_entities", &[("q", &"x".repeat(201))]).await;

    // Another org's entities are never offered, not even to the partner they are shared with.
    app.sign_in("gus", PASSWORD, "/partners").await;
    assert_eq!(app.server_fn_ok("find_entities", &[("q", "deal")]).await, json!([]));
    app.sign_in("rita", PASSWORD, "/partners").await;
    assert_eq!(
        app.server_fn_ok("find_entities", &[("q", "lead")]).await.as_array().unwrap().len(),
        1
    );
    app.stop().await;
}
