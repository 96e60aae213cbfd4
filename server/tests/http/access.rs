//! "Who has access and why": one list of every grant across every kind of share, over HTTP
//! (the JSON API, the page, its revoke and its CSV export).

use crate::common;

use app::domain::identity::Role;
use app::domain::ids::OrgId;
use common::{spawn_app, TestApp, PASSWORD};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// Acme grants one of each kind to Globex (whose name needs quoting in a CSV) and one
/// partner entity to Hooli; Initech, another tenant, grants to Globex and Umbrella.
struct World {
    acme: OrgId,
    globex: OrgId,
    /// Tokens: Acme's admin, member and auditor; Globex's admin; Initech's admin.
    alice: String,
    amy: String,
    rita: String,
    gus: String,
    ivan: String,
}

const GLOBEX: &str = "Globex, \"Intl\"\nEMEA";
const SHARE_NAME: &str = "=SUM(1,2)";

fn entity(id: &str) -> Value {
    json!({ "schema": "opportunity", "entity_id": id })
}

async fn ok(app: &TestApp, method: Method, path: &str, token: &str, body: Value) -> Value {
    let (status, answer) = app.call(method, path, Some(token), Some(body)).await;
    assert!(status.is_success(), "{path}: {status} {answer}");
    answer
}

async fn world(app: &TestApp) -> World {
    let acme = app.create_org("Acme").await;
    let globex = app.create_org(GLOBEX).await;
    let hooli = app.create_org("Hooli").await;
    let initech = app.create_org("Initech").await;
    let umbrella = app.create_org("Umbrella").await;
    for (org, name, role) in [
        (acme, "alice", Role::Admin),
        (acme, "amy", Role::Member),
        (acme, "rita", Role::ReadOnly),
        (globex, "gus", Role::Admin),
        (globex, "gwen", Role::Member),
        (initech, "ivan", Role::Admin),
        (umbrella, "uma", Role::Member),
    ] {
        app.create_user(org, name, role).await;
    }
    let w = World {
        acme,
        globex,
        alice: app.create_token("alice").await,
        amy: app.create_token("amy").await,
        rita: app.create_token("rita").await,
        gus: app.create_token("gus").await,
        ivan: app.create_token("ivan").await,
    };
    let (g, h) = (globex.to_string(), hooli.to_string());
    // A person share, through the Puter API.
    let body =
        json!({ "recipients": ["gwen"], "things": { "path": "/amy/plan.txt", "access": "write" } });
    ok(app, Method::POST, "/share", &w.amy, body).await;
    // A partner entity, an open offer and an accepted one, through the epilot API.
    let share = json!({ "share": [
        { "partner_org_id": g, "entities": [entity("deal-1")] },
        { "partner_org_id": h, "entities": [entity("deal-h")] }
    ], "unshare": [] });
    ok(app, Method::POST, "/v1/sharing/entities:share", &w.alice, share).await;
    let offers = json!({ "offer": [{ "partner_org_id": g, "offered_entities": [entity("deal-2"), entity("deal-3")] }], "unoffer": [] });
    ok(app, Method::POST, "/v1/sharing/entities:offer", &w.alice, offers).await;
    let accept =
        json!({ "partner_org_id": g, "sharing_org_id": acme.to_string(), "entity_id": "deal-3" });
    ok(app, Method::POST, "/v1/sharing/offers:accept", &w.gus, accept).await;
    // An account share with an expiry, through the EnableNow API; one through Cloudflare.
    let expiring = json!({ "clientId": g, "reference": "consents", "consentIds": ["3fa85f64-5717-4562-b3fc-2c963f66afa6"] });
    ok(app, Method::POST, "/v1/shares", &w.alice, expiring).await;
    let cloudflare = json!({
        "name": SHARE_NAME,
        "recipients": [{ "account_id": globex.simple() }],
        "resources": [{
            "resource_type": "custom-ruleset",
            "resource_id": "023e105f4ecef8ad9ca31a8372d0c353",
            "resource_account_id": acme.simple(),
            "meta": {},
        }],
    });
    ok(
        app,
        Method::POST,
        &format!("/client/v4/accounts/{}/shares", acme.simple()),
        &w.alice,
        cloudflare,
    )
    .await;
    // Another tenant's grants: one to Globex, one to Umbrella.
    let theirs = json!({ "share": [
        { "partner_org_id": g, "entities": [entity("initech-1")] },
        { "partner_org_id": umbrella.to_string(), "entities": [entity("initech-2")] }
    ], "unshare": [] });
    ok(app, Method::POST, "/v1/sharing/entities:share", &w.ivan, theirs).await;
    let body = json!({ "recipients": ["uma"], "things": { "path": "/ivan/secret.txt" } });
    ok(app, Method::POST, "/share", &w.ivan, body).await;
    w
}

async fn grants(app: &TestApp, token: &str, query: &str) -> Vec<Value> {
    let page = app.get_json(&format!("/api/v1/access?per_page=100&{query}"), token).await;
    page["grants"].as_array().unwrap().clone()
}

fn find<'a>(grants: &'a [Value], kind: &str, item: &str) -> &'a Value {
    grants
        .iter()
        .find(|g| g["kind"] == kind && g["item_name"].as_str().unwrap().contains(item))
        .unwrap_or_else(|| panic!("no {kind} grant of {item} in {grants:#?}"))
}

fn items(grants: &[Value]) -> Vec<String> {
    grants.iter().map(|g| g["item_name"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn an_admin_sees_every_kind_of_grant_with_how_by_whom_when_and_until_when() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let all = grants(&app, &w.alice, "").await;
    assert_eq!(all.len(), 7, "{:#?}", items(&all));

    let person = find(&all, "person", "/amy/plan.txt");
    assert_eq!(person["face"], "puter");
    assert_eq!(person["granted_by"], "amy");
    assert_eq!(person["grantee_name"], "gwen");
    assert_eq!(person["grantee_org_name"], GLOBEX);
    assert_eq!(person["access"], "write");
    assert!(person["expires_at"].is_null());
    assert_eq!(
        person["revoke"]["action"], "revoke_person_share",
        "an admin revokes a share a person of the org made"
    );

    let partner = find(&all, "partner", "opportunity/deal-1");
    assert_eq!(partner["face"], "epilot");
    assert_eq!(partner["granted_by"], "alice");
    assert_eq!(partner["grantee_name"], GLOBEX);
    assert_eq!(partner["revoke"]["action"], "unshare_entity");

    let pending = find(&all, "offer", "opportunity/deal-2");
    assert_eq!(pending["status"], "pending");
    assert_eq!(pending["granted_by"], "alice");
    assert_eq!(pending["face"], "epilot");
    assert!(pending["expires_at"].as_str().is_some(), "{pending}");
    assert_eq!(pending["revoke"]["action"], "withdraw_offer");

    let accepted = find(&all, "offer", "opportunity/deal-3");
    assert_eq!(accepted["status"], "accepted");
    let how = accepted["how"].as_str().unwrap();
    assert!(how.contains("offered by alice") && how.contains("accepted by gus"), "{how}");

    let expiring = find(&all, "account", "consents");
    assert_eq!(expiring["face"], "enablenow");
    assert_eq!(expiring["granted_by"], "alice");
    assert!(expiring["expires_at"].as_str().is_some(), "{expiring}");
    let cloudflare = find(&all, "account", SHARE_NAME);
    assert_eq!(cloudflare["face"], "cloudflare");
    assert_eq!(cloudflare["resources"][0], "custom-ruleset 023e105f4ecef8ad9ca31a8372d0c353");
    assert_eq!(cloudflare["revoke"]["action"], "remove_recipient");
    for grant in &all {
        assert!(grant["granted_at"].as_str().is_some_and(|t| t.ends_with('Z')), "{grant}");
        assert_eq!(grant["direction"], "granted");
    }

    let auditor = grants(&app, &w.rita, "").await;
    assert_eq!(auditor.len(), 7, "an auditor sees what an admin sees");
    assert!(auditor.iter().all(|g| g["revoke"].is_null()), "and may revoke nothing");
    app.stop().await;
}

#[tokio::test]
async fn grants_filter_by_item_org_and_person_and_page() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let by_entity = grants(&app, &w.alice, "item_kind=entity&item=deal-1").await;
    assert_eq!(items(&by_entity), ["opportunity/deal-1"]);
    let by_path = grants(&app, &w.alice, "item_kind=file&item=%2Famy%2Fplan.txt").await;
    assert_eq!(items(&by_path), ["/amy/plan.txt"]);
    let by_resource =
        grants(&app, &w.alice, "item_kind=resource&item=023e105f4ecef8ad9ca31a8372d0c353").await;
    assert_eq!(items(&by_resource), [SHARE_NAME]);
    let share_id = by_resource[0]["item_id"].as_str().unwrap();
    let by_share = grants(&app, &w.alice, &format!("item_kind=share&item={share_id}")).await;
    assert_eq!(by_share.len(), 1);

    let to_globex = grants(&app, &w.alice, &format!("org={}", w.globex)).await;
    assert_eq!(to_globex.len(), 6, "{:#?}", items(&to_globex));
    let to_hooli = grants(&app, &w.alice, "org=HOOLI").await;
    assert_eq!(items(&to_hooli), ["opportunity/deal-h"], "an org by its name, in any case");

    let gwen = grants(&app, &w.alice, "person=gwen").await;
    assert_eq!(gwen.len(), 6, "her share and her org's grants: {:#?}", items(&gwen));
    let nobody = grants(&app, &w.alice, "person=nobody-here").await;
    assert!(nobody.is_empty());

    let first = app.get_json("/api/v1/access?per_page=2", &w.alice).await;
    assert_eq!((first["total"].as_i64(), first["pages"].as_i64()), (Some(7), Some(4)));
    let last = app.get_json("/api/v1/access?per_page=2&page=4", &w.alice).await;
    assert_eq!(last["grants"].as_array().unwrap().len(), 1);

    for bad in ["per_page=1000", "page=0", "item=x", "item_kind=planet&item=x"] {
        let (status, error) =
            app.call(Method::GET, &format!("/api/v1/access?{bad}"), Some(&w.alice), None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {error}");
        assert_eq!(error["error"]["code"], "invalid_request");
    }
    let (status, error) = app.call(Method::GET, "/api/v1/access", None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(error["error"]["code"], "unauthorized");
    app.stop().await;
}

#[tokio::test]
async fn a_member_sees_only_their_own_and_other_orgs_grants_never_appear() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let amy = grants(&app, &w.amy, "").await;
    assert_eq!(items(&amy), ["/amy/plan.txt"], "a member sees the shares of her own files");
    assert_eq!(amy[0]["revoke"]["action"], "revoke_person_share");

    let alice = grants(&app, &w.alice, "").await;
    assert!(
        alice.iter().all(|g| !g["item_name"].as_str().unwrap().contains("initech")
            && !g["item_name"].as_str().unwrap().contains("secret")),
        "{:#?}",
        items(&alice)
    );
    let umbrella = grants(&app, &w.alice, "org=umbrella").await;
    assert!(umbrella.is_empty());

    // Globex sees what it received, from Acme and from Initech, but not Initech's other grants.
    let gus = grants(&app, &w.gus, "").await;
    assert!(gus.iter().all(|g| g["direction"] == "received"), "{gus:#?}");
    assert!(
        gus.iter().all(|g| g["revoke"].is_null()),
        "a received grant is not Globex's to revoke"
    );
    let names = items(&gus);
    assert!(names.contains(&"opportunity/initech-1".to_owned()), "{names:?}");
    assert!(!names.contains(&"opportunity/initech-2".to_owned()), "{names:?}");
    assert!(!names.iter().any(|n| n.contains("secret")), "{names:?}");
    let pending = find(&gus, "offer", "deal-2");
    assert!(pending["granted_by"].is_null(), "another org's people stay unnamed");
    let ivan = grants(&app, &w.ivan, "").await;
    assert!(ivan.iter().all(|g| g["grantor_org_name"] == "Initech"), "{:#?}", items(&ivan));
    let _ = w.acme;
    app.stop().await;
}

#[tokio::test]
async fn each_kind_is_revoked_from_the_view_and_disappears() {
    let app = spawn_app().await;
    let w = world(&app).await;
    app.sign_in("alice", PASSWORD, "/access").await;
    let page = app.client.get(app.url("/access")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("opportunity/deal-1") && html.contains("/amy/plan.txt"), "{html}");
    assert!(!html.contains("Loading…"), "the grants are in the first response");

    let all = grants(&app, &w.alice, "").await;

    // Another org's admin may not revoke a share Acme's people made, even knowing its id.
    let person = find(&all, "person", "plan.txt")["id"].as_str().unwrap().to_owned();
    app.sign_in("gus", PASSWORD, "/access").await;
    app.server_fn_refused("revoke_grant", &[("kind", "person"), ("id", &person)]).await;
    app.sign_in("alice", PASSWORD, "/access").await;

    // The confirm step says what will happen, without JavaScript.
    let partner = find(&all, "partner", "deal-1")["id"].as_str().unwrap().to_owned();
    let confirm = app
        .client
        .get(app.url(&format!("/access?confirm=partner%3A{partner}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(confirm.contains("they lose access at once"), "{confirm}");

    for (kind, item) in [
        ("partner", "deal-1"),
        ("offer", "deal-2"),
        ("offer", "deal-3"),
        ("account", SHARE_NAME),
        ("person", "plan.txt"),
    ] {
        let id = find(&all, kind, item)["id"].as_str().unwrap().to_owned();
        let response = app
            .client
            .post(app.url("/api/revoke_grant"))
            .header("origin", &app.address)
            .header("accept", "text/html")
            .form(&[("kind", kind), ("id", &id), ("back", "/access?org=x")])
            .send()
            .await
            .unwrap();
        assert!(response.status().is_redirection(), "{kind} {item}: {}", response.status());
        assert_eq!(common::location(&response), "/access?org=x&revoked=1");
        let after = grants(&app, &w.alice, "").await;
        assert!(after.iter().all(|g| g["id"] != id.as_str()), "{kind} {item} is gone");
    }
    assert_eq!(grants(&app, &w.alice, "").await.len(), 2);

    // The member whose share an admin revoked is told who did it.
    app.sign_in("amy", PASSWORD, "/access").await;
    assert!(grants(&app, &w.amy, "").await.is_empty());
    let notices = app.server_fn_ok("notifications", &[]).await.to_string();
    assert!(notices.contains("alice (an admin) revoked one of your shares"), "{notices}");
    let error =
        app.server_fn_refused("revoke_grant", &[("kind", "partner"), ("id", &partner)]).await;
    assert!(error.contains("not found"), "{error}");
    app.stop().await;
}

/// Splits a CSV document (RFC 4180) into records of cells.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let (mut records, mut record, mut cell) = (Vec::new(), Vec::new(), String::new());
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut cell)),
            (false, '\r') => {}
            (false, '\n') => {
                record.push(std::mem::take(&mut cell));
                records.push(std::mem::take(&mut record));
            }
            (false, c) => cell.push(c),
        }
    }
    records
}

#[tokio::test]
async fn the_csv_export_has_a_header_one_row_per_grant_and_safe_cells() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let signed_out = app.client.get(app.url("/access.csv")).send().await.unwrap();
    assert!(signed_out.status().is_redirection());
    assert!(common::location(&signed_out).starts_with("/login?next=%2Faccess.csv"));

    app.sign_in("alice", PASSWORD, "/access").await;
    let response = app.client.get(app.url("/access.csv")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    assert!(response.headers()["content-disposition"].to_str().unwrap().contains("attachment"));
    let text = response.text().await.unwrap();
    let records = parse_csv(&text);
    assert_eq!(records[0][0], "kind");
    assert_eq!(records[0].len(), app::domain::access::csv::HEADER.len());
    assert_eq!(records.len(), 1 + 7, "{text}");
    assert!(records.iter().all(|r| r.len() == records[0].len()), "{records:#?}");
    let column = |name: &str| records[0].iter().position(|c| c == name).unwrap();
    let grantees: Vec<&str> = records[1..].iter().map(|r| r[column("grantee")].as_str()).collect();
    assert!(grantees.contains(&GLOBEX), "quotes, commas and new lines survive: {grantees:?}");
    assert!(text.contains("\"Globex, \"\"Intl\"\"\nEMEA\""), "{text}");
    let items: Vec<&str> = records[1..].iter().map(|r| r[column("item")].as_str()).collect();
    assert!(items.contains(&"'=SUM(1,2)"), "a formula is neutralised: {items:?}");
    let cells = records.iter().flatten();
    assert!(cells.clone().all(|c| !c.starts_with(['=', '+', '-', '@'])), "{records:#?}");

    let filtered = app.client.get(app.url("/access.csv?org=hooli")).send().await.unwrap();
    assert_eq!(parse_csv(&filtered.text().await.unwrap()).len(), 2, "the same filter as the page");

    // The API: the same export by token, at its own path or by `Accept`.
    for (path, accept) in [("/api/v1/access.csv", "*/*"), ("/api/v1/access", "text/csv")] {
        let response = reqwest::Client::new()
            .get(app.url(path))
            .bearer_auth(&w.amy)
            .header("accept", accept)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
        let records = parse_csv(&response.text().await.unwrap());
        assert_eq!(records.len(), 2, "amy's own share only: {records:?}");
    }
    app.stop().await;
}

#[tokio::test]
async fn partner_entities_shared_before_the_grantor_was_stored_take_it_from_the_audit_log() {
    let data = tempfile::tempdir().unwrap();
    let store = common::sqlite_store_before(data.path(), 14).await;
    let at = "2026-01-01T00:00:00.000000Z";
    for sql in [
        "INSERT INTO orgs (id, name, created_at) VALUES ('org-acme', 'Acme', $1)",
        "INSERT INTO users (id, org_id, username, email, role, password_hash, created_at) VALUES ('user-alice', 'org-acme', 'alice', 'alice@example.test', 'admin', 'x', $1)",
        "INSERT INTO partner_configs (id, sharing_org_id, partner_org_id, created_at, updated_at) VALUES ('config-globex', 'org-acme', 'org-globex', $1, $1)",
        "INSERT INTO resources (id, owner_org_id, kind, schema_name, external_id, title, created_at, updated_at) VALUES ('res-1', 'org-acme', 'entity', 'opportunity', 'deal-1', 'deal-1', $1, $1)",
        "INSERT INTO resources (id, owner_org_id, kind, schema_name, external_id, title, created_at, updated_at) VALUES ('res-2', 'org-acme', 'entity', 'opportunity', 'deal-2', 'deal-2', $1, $1)",
        "INSERT INTO entity_shares (id, config_id, resource_id, offer_accepted, created_at, updated_at) VALUES ('share-1', 'config-globex', 'res-1', 0, $1, $1)",
        "INSERT INTO entity_shares (id, config_id, resource_id, offer_accepted, created_at, updated_at) VALUES ('share-2', 'config-globex', 'res-2', 0, $1, $1)",
        // Only deal-1's share is in the log (deal-10 is another entity, in another event).
        "INSERT INTO events (id, org_id, actor_user_id, actor_name, action, object_type, object_id, face, detail, created_at) VALUES ('event-1', 'org-acme', 'user-alice', 'alice', 'entity.shared', 'partner_config', 'config-globex', 'web', '{\"partner_org_id\":\"org-globex\",\"entities\":[\"deal-1\"]}', $1)",
        "INSERT INTO events (id, org_id, actor_user_id, actor_name, action, object_type, object_id, face, detail, created_at) VALUES ('event-2', 'org-acme', NULL, 'cli', 'entity.shared', 'partner_config', 'config-globex', 'cli', '{\"partner_org_id\":\"org-globex\",\"entities\":[\"deal-10\"]}', $1)",
    ] {
        sqlx::query(sql).bind(at).execute(store.pool()).await.unwrap();
    }

    store.migrate().await.unwrap();

    let sharers: Vec<(String, Option<String>)> =
        sqlx::query_as("SELECT id, shared_by_user_id FROM entity_shares ORDER BY id")
            .fetch_all(store.pool())
            .await
            .unwrap();
    assert_eq!(
        sharers,
        [("share-1".to_owned(), Some("user-alice".to_owned())), ("share-2".to_owned(), None)],
        "deal-1 from its event; deal-2 has none, and deal-10's event is not deal-1's"
    );
}
