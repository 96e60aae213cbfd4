//! Account shares through the Cloudflare (`/client/v4`) and EnableNow (`/v1/shares`) faces,
//! and the background worker that completes their asynchronous changes and sweeps expiries.

use crate::common;

use std::time::Duration;

use app::domain::identity::{service as identity, Role};
use app::domain::ids::OrgId;
use common::{spawn_app, spawn_app_with, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// A holding org with two child accounts (Acme shares, Globex receives), and an outsider.
struct Orgs {
    holding: OrgId,
    acme: OrgId,
    globex: OrgId,
    initech: OrgId,
    /// Tokens: Acme's admin, Globex's member, Initech's admin, the holding's admin.
    alice: String,
    gus: String,
    ivan: String,
    hank: String,
}

async fn orgs(app: &TestApp) -> Orgs {
    let holding = identity::create_org(&app.store, "Holding", None).await.unwrap().id;
    let acme = identity::create_org(&app.store, "Acme", Some(holding)).await.unwrap().id;
    let globex = identity::create_org(&app.store, "Globex", Some(holding)).await.unwrap().id;
    let initech = app.create_org("Initech").await;
    for (org, name, role) in [
        (acme, "alice", Role::Admin),
        (globex, "gus", Role::Member),
        (initech, "ivan", Role::Admin),
        (holding, "hank", Role::Admin),
        (globex, "gina", Role::Admin),
    ] {
        app.create_user(org, name, role).await;
    }
    Orgs {
        holding,
        acme,
        globex,
        initech,
        alice: app.create_token("alice").await,
        gus: app.create_token("gus").await,
        ivan: app.create_token("ivan").await,
        hank: app.create_token("hank").await,
    }
}

fn shares_path(account: OrgId) -> String {
    format!("/client/v4/accounts/{}/shares", account.simple())
}

fn resource(account: OrgId) -> Value {
    json!({
        "resource_type": "custom-ruleset",
        "resource_id": "023e105f4ecef8ad9ca31a8372d0c353",
        "resource_account_id": account.simple(),
        "meta": { "note": "test" },
    })
}

async fn create_share(app: &TestApp, o: &Orgs, name: &str) -> Value {
    let body = json!({
        "name": name,
        "recipients": [{ "account_id": o.globex.simple() }],
        "resources": [resource(o.acme)],
    });
    let (status, created) =
        app.call(Method::POST, &shares_path(o.acme), Some(&o.alice), Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created["result"].clone()
}

/// Polls `read` until `done` holds (the worker runs in the background), for up to 5 s.
async fn eventually(mut read: impl AsyncFnMut() -> Value, done: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..100 {
        let value = read().await;
        if done(&value) {
            return value;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the condition did not hold within 5 s: {}", read().await);
}

async fn count_events(app: &TestApp, action: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE action = $1")
        .bind(action)
        .fetch_one(app.store.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_share_is_created_its_recipient_associates_and_deletion_completes_in_the_background() {
    let app = spawn_app().await;
    let o = orgs(&app).await;
    let share = create_share(&app, &o, "WAF rules").await;
    assert_eq!(share["status"], "active");
    assert_eq!(share["target_type"], "account");
    assert_eq!(share["kind"], "sent");
    assert_eq!(share["account_id"], o.acme.simple());
    assert_eq!(share["organization_id"], o.holding.simple(), "Acme's organization");
    let id = share["id"].as_str().unwrap().to_owned();
    assert_eq!(id.len(), 32, "ids are 32 hex digits");

    let recipients = format!("{}/{id}/recipients", shares_path(o.acme));
    let listed = eventually(
        async || app.call(Method::GET, &recipients, Some(&o.alice), None).await.1,
        |body| body["result"][0]["association_status"] == "associated",
    )
    .await;
    assert_eq!(listed["result"][0]["account_id"], o.globex.simple());
    // Globex's admins hear of it once it is associated (its members see it on the page).
    let titles: Vec<String> = sqlx::query_scalar(
        "SELECT n.title FROM notifications n JOIN users u ON u.id = n.user_id WHERE u.username = 'gina'",
    )
    .fetch_all(app.store.pool())
    .await
    .unwrap();
    assert_eq!(titles, ["Acme shared “WAF rules” with your organization"]);

    // The recipient sees it as received, through its own account.
    let (_, received) = app
        .call(Method::GET, &format!("{}?kind=received", shares_path(o.globex)), Some(&o.gus), None)
        .await;
    assert_eq!(received["result"][0]["id"], id.as_str());
    assert_eq!(received["result"][0]["kind"], "received");

    let share_path = format!("{}/{id}", shares_path(o.acme));
    let (status, deleting) = app.call(Method::DELETE, &share_path, Some(&o.alice), None).await;
    assert_eq!(status, 200, "{deleting}");
    assert_eq!(deleting["result"]["status"], "deleting");
    eventually(
        async || app.call(Method::GET, &share_path, Some(&o.alice), None).await.1,
        |body| body["result"]["status"] == "deleted",
    )
    .await;
    let (_, after) = app.call(Method::GET, &recipients, Some(&o.alice), None).await;
    assert_eq!(after["result"][0]["association_status"], "disassociated");
    let (_, received) = app
        .call(Method::GET, &format!("{}?kind=received", shares_path(o.globex)), Some(&o.gus), None)
        .await;
    assert_eq!(received["result"], json!([]), "a deleted share grants nothing");
    app.stop().await;
}

#[tokio::test]
async fn lists_page_with_result_info_and_a_page_past_the_end_is_empty() {
    let app = spawn_app().await;
    let o = orgs(&app).await;
    for name in ["one", "two", "three"] {
        create_share(&app, &o, name).await;
    }
    let page = |n: i64| format!("{}?per_page=2&page={n}&order=name", shares_path(o.acme));
    let (_, mut first) = app.call(Method::GET, &page(1), Some(&o.alice), None).await;
    assert_eq!(first["result"].as_array().unwrap().len(), 2);
    assert_eq!(first["result"][0]["name"], "one");
    let cursor = first["result_info"].as_object_mut().unwrap().remove("cursor");
    assert!(cursor.unwrap().is_string(), "a page with more after it names the next by cursor");
    assert_eq!(
        first["result_info"],
        json!({ "page": 1, "per_page": 2, "count": 2, "total_count": 3, "total_pages": 2 })
    );
    let (_, second) = app.call(Method::GET, &page(2), Some(&o.alice), None).await;
    assert_eq!(second["result"].as_array().unwrap().len(), 1);
    let (status, past) = app.call(Method::GET, &page(3), Some(&o.alice), None).await;
    assert_eq!(status, 200, "the SDKs stop paging on an empty page");
    assert_eq!(past["success"], true);
    assert_eq!(past["result"], json!([]));

    for bad in [
        "per_page=0",
        "per_page=101",
        "page=0",
        "page=x",
        "page=9223372036854775807",
        "kind=mine",
        "status=gone",
    ] {
        let path = format!("{}?{bad}", shares_path(o.acme));
        let (status, error) = app.call(Method::GET, &path, Some(&o.alice), None).await;
        assert_eq!(status, 400, "{bad}: {error}");
        assert_eq!(error["success"], false);
        assert!(error["errors"][0]["message"].as_str().is_some(), "{error}");
    }
    let typed =
        format!("{}?resource_types=custom-ruleset&resource_types=trust-grant", shares_path(o.acme));
    let (_, filtered) = app.call(Method::GET, &typed, Some(&o.alice), None).await;
    assert_eq!(filtered["result_info"]["total_count"], 3);
    let other = format!("{}?resource_types=trust-grant", shares_path(o.acme));
    let (_, none) = app.call(Method::GET, &other, Some(&o.alice), None).await;
    assert_eq!(none["result"], json!([]));
    app.stop().await;
}

/// Walks a Cloudflare share list by `result_info.cursor` from its first page to its end,
/// creating `per_page_inserts` shares after each page; returns the names seen, in order.
async fn walk_by_cursor(
    app: &TestApp,
    o: &Orgs,
    query: &str,
    mut insert: impl FnMut(usize) -> Vec<String>,
) -> Vec<String> {
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for page in 0.. {
        let mut path = format!("{}?per_page=20&{query}", shares_path(o.acme));
        if let Some(cursor) = &cursor {
            path.push_str(&format!("&cursor={cursor}"));
        }
        let (status, list) = app.call(Method::GET, &path, Some(&o.alice), None).await;
        assert_eq!(status, 200, "{list}");
        for share in list["result"].as_array().unwrap() {
            seen.push(share["name"].as_str().unwrap().to_owned());
        }
        for name in insert(page) {
            create_share(app, o, &name).await;
        }
        match list["result_info"]["cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
        assert!(page < 100, "the walk ends");
    }
    seen
}

#[tokio::test]
async fn a_list_walked_by_cursor_while_shares_are_added_has_no_duplicates_and_no_gaps() {
    let app = spawn_app().await;
    let o = orgs(&app).await;
    let originals: Vec<String> = (0..250).map(|n| format!("s{:03}", n * 2)).collect();
    for name in &originals {
        create_share(&app, &o, name).await;
    }
    // By name, with new names landing before, inside and after the part already walked.
    let walked = walk_by_cursor(&app, &o, "order=name", |page| {
        vec![format!("s{:03}", page * 40 + 1), format!("a{page:03}"), format!("z{page:03}")]
    })
    .await;
    let mut unique = walked.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), walked.len(), "no share is listed twice");
    for name in &originals {
        assert!(walked.contains(name), "{name} was there throughout and is listed");
    }
    assert!(walked.windows(2).all(|pair| pair[0] < pair[1]), "in name order");

    // Newest first, by creation: shares created during the walk sort before the cursor.
    let walked = walk_by_cursor(&app, &o, "order=created&direction=desc", |page| {
        vec![format!("new{page:03}")]
    })
    .await;
    let mut unique = walked.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), walked.len(), "no share is listed twice");
    for name in &originals {
        assert!(walked.contains(name), "{name} was there throughout and is listed");
    }
    assert!(!walked.iter().any(|name| name.starts_with("new")), "later shares sort before");
    app.stop().await;
}

#[tokio::test]
async fn a_forged_or_foreign_cursor_is_a_400_in_each_faces_error_shape() {
    let app = spawn_app().await;
    let o = orgs(&app).await;
    for name in ["one", "two", "three"] {
        create_share(&app, &o, name).await;
    }
    let first = format!("{}?per_page=1&order=name", shares_path(o.acme));
    let (_, page) = app.call(Method::GET, &first, Some(&o.alice), None).await;
    let by_name = page["result_info"]["cursor"].as_str().unwrap().to_owned();
    let by_created = format!("{}?per_page=1&order=created&cursor={by_name}", shares_path(o.acme));
    for path in [
        format!("{}?cursor=not-a-cursor", shares_path(o.acme)),
        format!("{}?cursor=bm90IGEgY3Vyc29y", shares_path(o.acme)),
        format!("{}?cursor=", shares_path(o.acme)),
        by_created,
    ] {
        let (status, error) = app.call(Method::GET, &path, Some(&o.alice), None).await;
        assert_eq!(status, 400, "{path}: {error}");
        assert_eq!(error["success"], false);
        assert!(error["errors"][0]["message"].as_str().unwrap().contains("cursor"), "{error}");
    }

    let (status, problem) =
        app.call(Method::GET, "/v1/shares?cursor=%21%21", Some(&o.alice), None).await;
    assert_eq!(status, 400, "{problem}");
    assert!(problem["errors"]["cursor"][0].as_str().is_some(), "{problem}");
    app.stop().await;
}

#[tokio::test]
async fn recipients_are_replaced_all_at_once_except_on_organization_shares() {
    let app = spawn_app().await;
    let o = orgs(&app).await;
    let share = create_share(&app, &o, "Replaced").await;
    let recipients =
        format!("{}/{}/recipients", shares_path(o.acme), share["id"].as_str().unwrap());
    let body = json!([{ "account_id": o.initech.simple() }]);
    let (status, _) = app.call(Method::PUT, &recipients, Some(&o.alice), Some(body)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let listed = eventually(
        async || app.call(Method::GET, &recipients, Some(&o.alice), None).await.1,
        |body| {
            body["result"].as_array().unwrap().iter().all(|r| {
                matches!(r["association_status"].as_str(), Some("associated" | "disassociated"))
            })
        },
    )
    .await;
    let states: Vec<(String, String)> = listed["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["account_id"].as_str().unwrap().into(),
                r["association_status"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert!(states.contains(&(o.globex.simple(), "disassociated".into())), "{states:?}");
    assert!(states.contains(&(o.initech.simple(), "associated".into())), "{states:?}");

    // Globex comes back: associated again, but its admins are not told twice.
    let body = json!([{ "account_id": o.globex.simple() }]);
    app.call(Method::PUT, &recipients, Some(&o.alice), Some(body)).await;
    eventually(
        async || app.call(Method::GET, &recipients, Some(&o.alice), None).await.1,
        |body| {
            body["result"].as_array().unwrap().iter().any(|r| {
                r["account_id"] == o.globex.simple() && r["association_status"] == "associated"
            })
        },
    )
    .await;
    let told: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM notifications n JOIN users u ON u.id = n.user_id WHERE u.username = 'gina'",
    )
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert_eq!(told, 1, "one notification per recipient");

    let body = json!({
        "name": "To the whole holding",
        "recipients": [{ "organization_id": o.holding.simple() }],
        "resources": [resource(o.acme)],
    });
    let (_, tree) = app.call(Method::POST, &shares_path(o.acme), Some(&o.alice), Some(body)).await;
    assert_eq!(tree["result"]["target_type"], "organization");
    let tree_id = tree["result"]["id"].as_str().unwrap();
    let path = format!("{}/{tree_id}/recipients", shares_path(o.acme));
    let body = json!([{ "account_id": o.globex.simple() }]);
    let (status, refused) = app.call(Method::PUT, &path, Some(&o.alice), Some(body)).await;
    assert_eq!(status, 400, "{refused}");
    assert!(refused["errors"][0]["message"].as_str().unwrap().contains("organization"));

    // Globex is in the holding: once associated, the organization share reaches it.
    eventually(
        async || {
            let path = format!("{}/{tree_id}", shares_path(o.globex));
            app.call(Method::GET, &path, Some(&o.gus), None).await.1
        },
        |body| body["result"]["kind"] == "received",
    )
    .await;
    app.stop().await;
}

#[tokio::test]
async fn accounts_and_shares_of_other_orgs_are_out_of_reach() {
    let app = spawn_app().await;
    let o = orgs(&app).await;
    let share = create_share(&app, &o, "Private").await;
    let id = share["id"].as_str().unwrap();

    let (status, _) = app.call(Method::GET, &shares_path(o.acme), Some(&o.ivan), None).await;
    assert_eq!(status, 403, "another org's account");
    let (status, _) = app.call(Method::GET, &shares_path(o.acme), Some(&o.gus), None).await;
    assert_eq!(status, 403, "a sibling account");
    let (status, _) = app.call(Method::GET, &shares_path(o.acme), Some(&o.hank), None).await;
    assert_eq!(status, 200, "the parent org's admin administers its accounts");
    let foreign = format!("{}/{id}", shares_path(o.initech));
    let (status, _) = app.call(Method::GET, &foreign, Some(&o.ivan), None).await;
    assert_eq!(status, 404, "a share of another org is not found through one's own account");
    let (status, _) = app.call(Method::DELETE, &foreign, Some(&o.ivan), None).await;
    assert_eq!(status, 404);
    let (status, _) = app.call(Method::GET, &shares_path(o.acme), None, None).await;
    assert_eq!(status, 401);

    // A share carries the sharing account's own resources only.
    let body = json!({
        "name": "Someone else's",
        "recipients": [{ "account_id": o.globex.simple() }],
        "resources": [resource(o.initech)],
    });
    let (status, refused) =
        app.call(Method::POST, &shares_path(o.acme), Some(&o.alice), Some(body)).await;
    assert_eq!(status, 400, "{refused}");
    assert!(refused["errors"][0]["message"].as_str().unwrap().contains("resource_account_id"));

    // Each API works on its own shares: an EnableNow share is not found through Cloudflare.
    let body = json!({ "clientId": o.globex.to_string() });
    let (_, enablenow) = app.call(Method::POST, "/v1/shares", Some(&o.alice), Some(body)).await;
    let enablenow_id = uuid::Uuid::parse_str(enablenow["data"].as_str().unwrap()).unwrap();
    let through_cloudflare = format!("{}/{}", shares_path(o.acme), enablenow_id.simple());
    let (status, _) = app.call(Method::GET, &through_cloudflare, Some(&o.alice), None).await;
    assert_eq!(status, 404);
    let (status, _) = app.call(Method::DELETE, &through_cloudflare, Some(&o.alice), None).await;
    assert_eq!(status, 404);

    // A recipient sees its own entry among the recipients, never the other tenants'.
    let recipients = format!("{}/{id}/recipients", shares_path(o.acme));
    let body = json!({ "body_account_id": o.initech.simple() });
    let (status, added) = app.call(Method::POST, &recipients, Some(&o.alice), Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    assert_eq!(added["result"]["association_status"], "associating");
    let seen_by_globex = format!("{}/{id}/recipients", shares_path(o.globex));
    let listed = eventually(
        async || app.call(Method::GET, &seen_by_globex, Some(&o.gus), None).await.1,
        |body| body["result"][0]["association_status"] == "associated",
    )
    .await;
    assert_eq!(listed["result"].as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(listed["result"][0]["account_id"], o.globex.simple());
    let (_, all) = app.call(Method::GET, &recipients, Some(&o.alice), None).await;
    assert_eq!(all["result"].as_array().unwrap().len(), 2, "the owner sees every recipient");
    let second_page = format!("{recipients}?per_page=1&page=2&include_resources=true");
    let (_, second) = app.call(Method::GET, &second_page, Some(&o.alice), None).await;
    assert_eq!(second["result"].as_array().unwrap().len(), 1, "{second}");
    assert_eq!(second["result"][0]["account_id"], all["result"][1]["account_id"]);
    assert_eq!(second["result_info"]["total_count"], 2);
    assert!(second["result"][0]["resources"].is_array(), "{second}");
    let second_seen_by_globex = format!("{seen_by_globex}?page=2");
    let (_, past) = app.call(Method::GET, &second_seen_by_globex, Some(&o.gus), None).await;
    assert_eq!(past["result"], json!([]), "{past}");

    let organization = format!("/client/v4/organizations/{}/shares", o.holding.simple());
    let (_, listed) = app.call(Method::GET, &organization, Some(&o.hank), None).await;
    assert_eq!(listed["result"][0]["id"], id);
    let (status, _) = app.call(Method::GET, &organization, Some(&o.alice), None).await;
    assert_eq!(status, 403, "only members of the organization org list it");
    app.stop().await;
}

#[tokio::test]
async fn a_job_accepted_before_a_restart_completes_after_it_exactly_once() {
    let app = spawn_app_with(|config| config.worker = false).await;
    let o = orgs(&app).await;
    let share = create_share(&app, &o, "Across a restart").await;
    let recipients =
        format!("{}/{}/recipients", shares_path(o.acme), share["id"].as_str().unwrap());
    let (_, listed) = app.call(Method::GET, &recipients, Some(&o.alice), None).await;
    assert_eq!(listed["result"][0]["association_status"], "associating");
    assert_eq!(app::domain::queue::count(&app.store, "queued").await.unwrap(), 1);

    // The process stops with the job accepted but not done; the next one picks it up.
    let app = app.restart_with(|_| {}).await;
    eventually(
        async || app.call(Method::GET, &recipients, Some(&o.alice), None).await.1,
        |body| body["result"][0]["association_status"] == "associated",
    )
    .await;
    assert_eq!(app::domain::queue::count(&app.store, "done").await.unwrap(), 1);
    assert_eq!(app::domain::queue::count(&app.store, "queued").await.unwrap(), 0);
    assert_eq!(count_events(&app, "share.recipient_associated").await, 1);
    app.stop().await;
}

#[tokio::test]
async fn a_job_held_by_a_worker_that_died_runs_again_once_its_lease_runs_out() {
    let app = spawn_app_with(|config| config.worker = false).await;
    let o = orgs(&app).await;
    let share = create_share(&app, &o, "Orphaned").await;
    let recipients =
        format!("{}/{}/recipients", shares_path(o.acme), share["id"].as_str().unwrap());

    // A worker claims the job with a two-second lease, then dies before completing it.
    let now = app::domain::clock::now();
    let lease = app::domain::clock::now_plus(time::Duration::seconds(2));
    let claimed =
        app::domain::store::jobs::claim(app.store.pool(), &now, &lease).await.unwrap().unwrap();
    assert_eq!(claimed.kind, "recipient.associate");

    let app = app.restart_with(|_| {}).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (_, listed) = app.call(Method::GET, &recipients, Some(&o.alice), None).await;
    assert_eq!(listed["result"][0]["association_status"], "associating", "still leased");
    eventually(
        async || app.call(Method::GET, &recipients, Some(&o.alice), None).await.1,
        |body| body["result"][0]["association_status"] == "associated",
    )
    .await;
    let attempts: i64 = sqlx::query_scalar("SELECT attempts FROM jobs WHERE id = $1")
        .bind(&claimed.id)
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(attempts, 2, "claimed by the dead worker, then by the live one");
    assert_eq!(count_events(&app, "share.recipient_associated").await, 1);
    app.stop().await;
}

#[tokio::test]
async fn the_sweep_reports_expired_shares_once_and_expires_pending_offers() {
    let app = spawn_app_with(|config| config.sweep_interval_secs = 1).await;
    let o = orgs(&app).await;
    let body = json!({ "clientId": o.globex.to_string(), "reference": "soon over" });
    let (status, created) = app.call(Method::POST, "/v1/shares", Some(&o.alice), Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let offer = json!({
        "offer": [{ "partner_org_id": "prospect", "offered_entities": [{ "schema": "opportunity", "entity_id": "deal-1" }] }],
        "unoffer": [],
    });
    let (status, offered) =
        app.call(Method::POST, "/v1/sharing/entities:offer", Some(&o.alice), Some(offer)).await;
    assert_eq!(status, 200, "{offered}");

    let past = "2020-01-01T00:00:00.000000Z";
    for table in ["account_shares", "entity_offers"] {
        sqlx::query(&format!("UPDATE {table} SET expires_at = $1"))
            .bind(past)
            .execute(app.store.pool())
            .await
            .unwrap();
    }
    let (_, listed) =
        app.call(Method::GET, "/v1/shares?isExpired=true", Some(&o.alice), None).await;
    assert_eq!(listed["data"][0]["isExpired"], true, "expired on read, before any sweep");

    for _ in 0..60 {
        if count_events(&app, "share.expired").await == 1
            && count_events(&app, "offer.expired").await == 1
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(count_events(&app, "share.expired").await, 1, "reported once, over several sweeps");
    assert_eq!(count_events(&app, "offer.expired").await, 1);
    let status: String = sqlx::query_scalar("SELECT status FROM entity_offers")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(status, "EXPIRED");
    app.stop().await;
}

#[tokio::test]
async fn enablenow_shares_expire_page_and_answer_problem_details() {
    let app = spawn_app().await;
    let o = orgs(&app).await;
    let guid = "3fa85f64-5717-4562-b3fc-2c963f66afa6";
    let mut ids = Vec::new();
    for reference in ["first", "second", "third"] {
        let body = json!({ "clientId": o.globex.to_string(), "reference": reference, "consentIds": [guid] });
        let (status, created) =
            app.call(Method::POST, "/v1/shares", Some(&o.alice), Some(body)).await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        ids.push(created["data"].as_str().unwrap().to_owned());
    }
    let (_, share) =
        app.call(Method::GET, &format!("/v1/shares/{}", ids[0]), Some(&o.alice), None).await;
    assert_eq!(share["data"]["clientId"], o.globex.to_string());
    assert_eq!(share["data"]["consentIds"], json!([guid]));
    assert_eq!(share["data"]["isExpired"], false);

    let (_, page) =
        app.call(Method::GET, "/v1/shares?page=2&pageSize=2", Some(&o.alice), None).await;
    assert_eq!(page["data"][0]["reference"], "third", "ordered by creation");
    assert_eq!(
        page["_pagination"],
        json!({ "page": 2, "pageSize": 2, "totalCount": 3, "totalPages": 2 })
    );
    let (_, past) = app.call(Method::GET, "/v1/shares?page=9", Some(&o.alice), None).await;
    assert_eq!(past["data"], json!([]));

    sqlx::query(
        "UPDATE account_shares SET expires_at = '2020-01-01T00:00:00.000000Z' WHERE id = $1",
    )
    .bind(&ids[1])
    .execute(app.store.pool())
    .await
    .unwrap();
    let (_, expired) =
        app.call(Method::GET, "/v1/shares?isExpired=true", Some(&o.alice), None).await;
    assert_eq!(expired["data"].as_array().unwrap().len(), 1);
    assert_eq!(expired["data"][0]["id"], ids[1].as_str());
    let (_, live) = app.call(Method::GET, "/v1/shares?isExpired=false", Some(&o.alice), None).await;
    assert_eq!(live["_pagination"]["totalCount"], 2);

    let response = reqwest::Client::new()
        .post(app.url("/v1/shares"))
        .bearer_auth(&o.alice)
        .json(&json!({ "clientId": o.globex.to_string(), "expirationDateUtc": "2020-01-01T00:00:00Z", "consentIds": ["nope"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(response.headers()["content-type"], "application/problem+json");
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["status"], 400);
    assert!(problem["traceId"].as_str().is_some_and(|id| !id.is_empty()), "{problem}");
    assert!(problem["errors"]["expirationDateUtc"][0].is_string(), "{problem}");
    assert!(problem["errors"]["consentIds[0]"][0].is_string(), "{problem}");

    for bad in ["pageSize=0", "pageSize=101", "page=0", "isExpired=maybe"] {
        let (status, problem) =
            app.call(Method::GET, &format!("/v1/shares?{bad}"), Some(&o.alice), None).await;
        assert_eq!(status, 400, "{bad}: {problem}");
        assert!(
            problem["errors"].as_object().is_some_and(|errors| !errors.is_empty()),
            "{problem}"
        );
    }
    let unknown = json!({ "clientId": OrgId::new().to_string() });
    let (status, problem) =
        app.call(Method::POST, "/v1/shares", Some(&o.alice), Some(unknown)).await;
    assert_eq!(status, 400);
    assert!(problem["errors"]["clientId"][0].is_string(), "{problem}");

    let own = format!("/v1/shares/{}", ids[0]);
    let (status, _) = app.call(Method::GET, &own, Some(&o.ivan), None).await;
    assert_eq!(status, 404, "another org's share");
    let later = json!({ "expirationDateUtc": "2999-01-01T00:00:00Z" });
    let (status, moved) = app.call(Method::PUT, &own, Some(&o.alice), Some(later)).await;
    assert_eq!(status, 200, "{moved}");
    assert_eq!(moved["data"]["expirationDateUtc"], "2999-01-01T00:00:00.000000Z");
    let earlier = json!({ "expirationDateUtc": "2001-01-01T00:00:00Z" });
    let (status, _) = app.call(Method::PUT, &own, Some(&o.alice), Some(earlier)).await;
    assert_eq!(status, 400);
    let (status, _) = app.call(Method::DELETE, &own, Some(&o.alice), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, problem) = app.call(Method::GET, &own, Some(&o.alice), None).await;
    assert_eq!(status, 404);
    assert_eq!(problem["status"], 404);
    app.stop().await;
}

#[tokio::test]
async fn the_zus_client_gets_a_csrf_token_first() {
    let app = spawn_app().await;
    let (status, body) = app.call(Method::GET, "/v2/csrftoken", None, None).await;
    assert_eq!(status, 200);
    assert_eq!(body["csrf_token"].as_str().map(str::len), Some(43), "{body}");
    app.stop().await;
}

#[tokio::test]
async fn the_shared_page_lists_account_shares_with_expiry_and_extends_them() {
    let app = spawn_app().await;
    let o = orgs(&app).await;
    let body = json!({ "clientId": o.globex.to_string(), "reference": "Quarterly consents" });
    let (_, created) = app.call(Method::POST, "/v1/shares", Some(&o.alice), Some(body)).await;
    let id = created["data"].as_str().unwrap();
    create_share(&app, &o, "WAF rules").await;

    let signed_in = app.sign_in("alice", common::PASSWORD, "/shared").await;
    assert!(signed_in.status().is_redirection());
    let view = app
        .server_fn_ok("org_shares", &[("tab", "sent"), ("kind", ""), ("q", ""), ("page", "1")])
        .await;
    let rows = view["shares"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "{view}");
    let expiring = rows.iter().find(|row| row["id"] == id).unwrap();
    assert_eq!(expiring["face"], "enablenow");
    assert_eq!(expiring["counterpart"], "Globex");
    assert_eq!(expiring["time_left"], "23 h left");
    assert_eq!(expiring["can_extend"], true);
    let before = expiring["expires_at"].as_str().unwrap().to_owned();

    app.server_fn_ok("extend_share", &[("id", id), ("days", "7")]).await;
    let view = app
        .server_fn_ok("org_shares", &[("tab", "sent"), ("kind", ""), ("q", ""), ("page", "1")])
        .await;
    let expiring = view["shares"].as_array().unwrap().iter().find(|row| row["id"] == id).unwrap();
    assert_eq!(expiring["time_left"], "7 d left", "{expiring}");
    assert!(expiring["expires_at"].as_str().unwrap() > before.as_str());
    let filtered = app
        .server_fn_ok(
            "org_shares",
            &[("tab", "sent"), ("kind", "resource"), ("q", "quarterly"), ("page", "1")],
        )
        .await;
    assert_eq!(filtered["shares"].as_array().unwrap().len(), 1, "{filtered}");
    assert_eq!(filtered["shares"][0]["id"], id);
    let body = json!({
        "share": [{ "partner_org_id": o.globex.to_string(), "entities": [{ "schema": "opportunity", "entity_id": "deal-7" }] }],
        "unshare": [],
    });
    let (status, shared) =
        app.call(Method::POST, "/v1/sharing/entities:share", Some(&o.alice), Some(body)).await;
    assert_eq!(status, 200, "{shared}");
    let entities_only = app
        .server_fn_ok(
            "org_shares",
            &[("tab", "sent"), ("kind", "entity"), ("q", ""), ("page", "1")],
        )
        .await;
    assert_eq!(entities_only["with_account_shares"], false);
    assert_eq!(entities_only["shares"], json!([]));
    assert_eq!(entities_only["entities"][0]["entity_id"], "deal-7", "{entities_only}");
    assert_eq!(entities_only["entities"][0]["via_offer"], false);
    let refused = app.server_fn_refused("extend_share", &[("id", id), ("days", "0")]).await;
    assert!(refused.contains("days"), "{refused}");
    assert_eq!(count_events(&app, "share.expiry_changed").await, 1);

    // Globex's member sees the EnableNow share as received (it is effective at once).
    let signed_in = app.sign_in("gus", common::PASSWORD, "/shared").await;
    assert!(signed_in.status().is_redirection());
    let view = app
        .server_fn_ok("org_shares", &[("tab", "received"), ("kind", ""), ("q", ""), ("page", "1")])
        .await;
    assert_eq!(view["shares"][0]["counterpart"], "Acme", "{view}");
    assert_eq!(view["shares"][0]["can_extend"], false);
    assert_eq!(view["entities"][0]["sharing_org_name"], "Acme", "Globex received the entity");
    app.stop().await;
}

#[tokio::test]
async fn resources_are_added_updated_with_a_new_version_and_removed_in_the_background() {
    let app = spawn_app().await;
    let o = orgs(&app).await;
    let share = create_share(&app, &o, "Rules").await;
    let share_path = format!("{}/{}", shares_path(o.acme), share["id"].as_str().unwrap());

    let (status, renamed) = app
        .call(Method::PUT, &share_path, Some(&o.alice), Some(json!({ "name": "Firewall rules" })))
        .await;
    assert_eq!(status, 200, "{renamed}");
    assert_eq!(renamed["result"]["name"], "Firewall rules");
    let (status, _) =
        app.call(Method::PUT, &share_path, Some(&o.alice), Some(json!({ "name": " " }))).await;
    assert_eq!(status, 400, "a blank name");

    let resources = format!("{share_path}/resources");
    let mut body = resource(o.acme);
    body["resource_type"] = json!("gateway-policy");
    let (status, added) = app.call(Method::POST, &resources, Some(&o.alice), Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    assert_eq!(added["result"]["status"], "active");
    assert_eq!(added["result"]["resource_version"], 1);
    let resource_path = format!("{resources}/{}", added["result"]["id"].as_str().unwrap());

    let meta = json!({ "meta": { "rules": ["block"] } });
    let (_, updated) = app.call(Method::PUT, &resource_path, Some(&o.alice), Some(meta)).await;
    assert_eq!(updated["result"]["resource_version"], 2);
    assert_eq!(updated["result"]["meta"], json!({ "rules": ["block"] }));

    let (_, listed) = app
        .call(
            Method::GET,
            &format!("{resources}?resource_type=gateway-policy"),
            Some(&o.alice),
            None,
        )
        .await;
    assert_eq!(listed["result"].as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(listed["result_info"]["total_count"], 1);
    // Pages of the resources, read from the store a page at a time, and filtered there.
    let page = |query: &'static str| {
        let path = format!("{resources}?{query}");
        let app = &app;
        let token = o.alice.clone();
        async move { app.call(Method::GET, &path, Some(&token), None).await.1 }
    };
    let (first, second) = (page("per_page=1&page=1").await, page("per_page=1&page=2").await);
    assert_eq!(first["result_info"]["total_count"], 2, "{first}");
    assert_eq!(first["result_info"]["total_pages"], 2);
    assert_eq!(second["result"].as_array().unwrap().len(), 1, "{second}");
    assert_ne!(first["result"][0]["id"], second["result"][0]["id"]);
    let past = page("per_page=1&page=3").await;
    assert_eq!((past["success"].clone(), past["result"].clone()), (json!(true), json!([])));
    assert_eq!(page("status=deleted").await["result_info"]["total_count"], 0);

    let (_, removing) = app.call(Method::DELETE, &resource_path, Some(&o.alice), None).await;
    assert_eq!(removing["result"]["status"], "deleting");
    eventually(
        async || app.call(Method::GET, &resource_path, Some(&o.alice), None).await.1,
        |body| body["result"]["status"] == "deleted",
    )
    .await;
    let (status, refused) =
        app.call(Method::PUT, &resource_path, Some(&o.alice), Some(json!({ "meta": {} }))).await;
    assert_eq!(status, 400, "a deleted resource cannot change: {refused}");

    let mut unknown = resource(o.acme);
    unknown["resource_type"] = json!("zone");
    let (status, error) = app.call(Method::POST, &resources, Some(&o.alice), Some(unknown)).await;
    assert_eq!(status, 400);
    assert!(error["errors"][0]["message"].as_str().unwrap().contains("custom-ruleset"), "{error}");
    let (status, _) = app.call(Method::GET, &resource_path, Some(&o.ivan), None).await;
    assert_eq!(status, 403, "another org");
    app.stop().await;
}
