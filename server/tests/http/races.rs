//! Identical requests at the same instant: each operation leaves one row, the others get the
//! face's idempotent or conflict answer, and nobody gets a 5xx. Run on SQLite and (with
//! `SHAREWELL_TEST_POSTGRES`) on PostgreSQL, where writers really do run side by side.

use crate::common;

use std::sync::Arc;

use app::domain::identity::Role;
use common::TestApp;
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio::sync::Barrier;

/// How many clients send the same request at once.
const CLIENTS: usize = 12;

/// Sends `CLIENTS` copies of one request, released together; their statuses and bodies.
async fn at_once(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Value,
) -> Vec<(StatusCode, Value)> {
    let barrier = Arc::new(Barrier::new(CLIENTS));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..CLIENTS {
        let (barrier, method, url, token, body) =
            (barrier.clone(), method.clone(), app.url(path), token.to_owned(), body.clone());
        tasks.spawn(async move {
            let request =
                reqwest::Client::new().request(method, url).bearer_auth(token).json(&body);
            barrier.wait().await;
            let response = request.send().await.expect("an answer, not a dropped connection");
            let status = response.status();
            let text = response.text().await.expect("body");
            (status, serde_json::from_str(&text).unwrap_or(Value::Null))
        });
    }
    let mut answers = Vec::new();
    while let Some(answer) = tasks.join_next().await {
        answers.push(answer.expect("client task"));
    }
    for (status, body) in &answers {
        assert!(status.as_u16() < 500, "{status} {body}");
    }
    answers
}

async fn count(app: &TestApp, sql: &str, bind: &str) -> i64 {
    sqlx::query_scalar(sql).bind(bind).fetch_one(app.store.pool()).await.expect("count")
}

fn statuses(answers: &[(StatusCode, Value)]) -> Vec<u16> {
    let mut statuses: Vec<u16> = answers.iter().map(|(status, _)| status.as_u16()).collect();
    statuses.sort_unstable();
    statuses
}

/// Alice (admin of Acme) with a token, and a partner org.
async fn acme(app: &TestApp) -> (String, String) {
    let org = app.create_org("Acme").await;
    app.create_user(org, "alice", Role::Admin).await;
    app.create_user(org, "bob", Role::Member).await;
    let partner = app.create_org("Installer GmbH").await;
    (app.create_token("alice").await, partner.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sharing_one_entity_with_a_new_partner_at_once_makes_one_configuration_and_one_share() {
    let app = common::spawn_app().await;
    let (alice, partner) = acme(&app).await;
    let body = json!({
        "share": [{ "partner_org_id": partner,
                    "entities": [{ "schema": "opportunity", "entity_id": "deal-race" }] }],
        "unshare": []
    });
    let answers =
        at_once(&app, reqwest::Method::POST, "/v1/sharing/entities:share", &alice, body).await;
    assert_eq!(statuses(&answers), vec![200; CLIENTS], "sharing again is idempotent");
    let configs =
        count(&app, "SELECT COUNT(*) FROM partner_configs WHERE partner_org_id = $1", &partner)
            .await;
    assert_eq!(configs, 1);
    let resources =
        count(&app, "SELECT COUNT(*) FROM resources WHERE external_id = $1", "deal-race").await;
    assert_eq!(resources, 1);
    let shares = count(
        &app,
        "SELECT COUNT(*) FROM entity_shares s JOIN resources r ON r.id = s.resource_id \
         WHERE r.external_id = $1",
        "deal-race",
    )
    .await;
    assert_eq!(shares, 1);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn creating_one_role_name_at_once_makes_one_role_and_refuses_the_rest() {
    let app = common::spawn_app().await;
    let (alice, _) = acme(&app).await;
    let grants =
        json!([{ "action": "entity-read", "resource": "opportunity:*", "effect": "allow" }]);
    let body = json!({ "name": "Installer", "grants": grants });
    let answers = at_once(&app, reqwest::Method::POST, "/api/v1/roles", &alice, body).await;
    let mut expected = vec![201];
    expected.extend(vec![400; CLIENTS - 1]);
    assert_eq!(statuses(&answers), expected, "{answers:?}");
    let roles =
        count(&app, "SELECT COUNT(*) FROM template_roles WHERE name = $1", "Installer").await;
    assert_eq!(roles, 1);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn registering_one_app_name_at_once_makes_one_app_and_refuses_the_rest() {
    let app = common::spawn_app().await;
    let (alice, _) = acme(&app).await;
    let answers =
        at_once(&app, reqwest::Method::POST, "/api/v1/apps", &alice, json!({ "name": "Editor" }))
            .await;
    let mut expected = vec![201];
    expected.extend(vec![400; CLIENTS - 1]);
    assert_eq!(statuses(&answers), expected, "{answers:?}");
    let apps =
        count(&app, "SELECT COUNT(*) FROM resources WHERE kind = 'app' AND title = $1", "Editor")
            .await;
    assert_eq!(apps, 1);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sharing_one_new_file_with_one_person_at_once_makes_one_file_and_one_share() {
    let app = common::spawn_app().await;
    let (alice, _) = acme(&app).await;
    let body = json!({ "recipients": ["bob"], "things": { "path": "/alice/race.txt" } });
    let answers = at_once(&app, reqwest::Method::POST, "/share", &alice, body).await;
    for (status, body) in &answers {
        assert_eq!(*status, 200, "{body}");
        assert_eq!(body["status"], "success", "{body}");
    }
    let files =
        count(&app, "SELECT COUNT(*) FROM resources WHERE external_id = $1", "/alice/race.txt")
            .await;
    assert_eq!(files, 1);
    let shares = count(
        &app,
        "SELECT COUNT(*) FROM user_shares s JOIN resources r ON r.id = s.resource_id \
         WHERE r.external_id = $1",
        "/alice/race.txt",
    )
    .await;
    assert_eq!(shares, 1);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn adding_one_recipient_to_an_account_share_at_once_adds_it_once() {
    use app::domain::identity::service as identity;
    let app = common::spawn_app().await;
    let holding = identity::create_org(&app.store, "Holding", None).await.unwrap().id;
    let acme = identity::create_org(&app.store, "Acme", Some(holding)).await.unwrap().id;
    let globex = identity::create_org(&app.store, "Globex", Some(holding)).await.unwrap().id;
    let initech = identity::create_org(&app.store, "Initech", Some(holding)).await.unwrap().id;
    app.create_user(acme, "alice", Role::Admin).await;
    let alice = app.create_token("alice").await;
    let shares = format!("/client/v4/accounts/{}/shares", acme.simple());
    let body = json!({
        "name": "WAF rules",
        "recipients": [{ "account_id": globex.simple() }],
        "resources": [{ "resource_type": "custom-ruleset",
                        "resource_id": "023e105f4ecef8ad9ca31a8372d0c353",
                        "resource_account_id": acme.simple(), "meta": {} }],
    });
    let (status, created) =
        app.call(reqwest::Method::POST, &shares, Some(&alice), Some(body)).await;
    assert_eq!(status, 201, "{created}");
    let id = created["result"]["id"].as_str().unwrap().to_owned();

    let path = format!("{shares}/{id}/recipients");
    let answers = at_once(
        &app,
        reqwest::Method::POST,
        &path,
        &alice,
        json!({ "account_id": initech.simple() }),
    )
    .await;
    for (status, body) in &answers {
        assert!(status.is_success() || *status == 409, "{status} {body}");
    }
    let rows = count(
        &app,
        "SELECT COUNT(*) FROM account_share_recipients WHERE org_id = $1",
        &initech.to_string(),
    )
    .await;
    assert_eq!(rows, 1);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_partners_accepting_one_offer_at_once_leave_one_winner_and_conflicts() {
    const PARTNERS: usize = 24;
    let app = common::spawn_app().await;
    let (alice, _) = acme(&app).await;
    let sharing_org: String = sqlx::query_scalar("SELECT id FROM orgs WHERE name = 'Acme'")
        .fetch_one(app.store.pool())
        .await
        .expect("Acme");
    let mut partners = Vec::new();
    for index in 0..PARTNERS {
        let org = app.create_org(&format!("Installer {index}")).await;
        app.create_user(org, &format!("installer{index}"), Role::Member).await;
        partners.push((org.to_string(), app.create_token(&format!("installer{index}")).await));
    }
    let offers: Vec<Value> = partners
        .iter()
        .map(|(org, _)| {
            json!({ "partner_org_id": org,
                    "offered_entities": [{ "schema": "opportunity", "entity_id": "deal-1" }] })
        })
        .collect();
    let response = reqwest::Client::new()
        .post(app.url("/v1/sharing/entities:offer"))
        .bearer_auth(&alice)
        .json(&json!({ "offer": offers, "unoffer": [] }))
        .send()
        .await
        .expect("offer");
    assert_eq!(response.status(), 200);

    let barrier = Arc::new(Barrier::new(PARTNERS));
    let mut tasks = tokio::task::JoinSet::new();
    for (org, token) in partners {
        let (barrier, url) = (barrier.clone(), app.url("/v1/sharing/offers:accept"));
        let body =
            json!({ "partner_org_id": org, "sharing_org_id": sharing_org, "entity_id": "deal-1" });
        tasks.spawn(async move {
            let request = reqwest::Client::new().post(url).bearer_auth(token).json(&body);
            barrier.wait().await;
            request.send().await.expect("an answer").status().as_u16()
        });
    }
    let mut answers = Vec::new();
    while let Some(status) = tasks.join_next().await {
        answers.push(status.expect("client task"));
    }
    answers.sort_unstable();
    let mut expected = vec![200];
    expected.extend(std::iter::repeat_n(409, PARTNERS - 1));
    assert_eq!(answers, expected, "one partner wins, every other one is told it lost");
    let accepted =
        count(&app, "SELECT COUNT(*) FROM entity_offers WHERE status = $1", "ACCEPTED").await;
    assert_eq!(accepted, 1);
    let shared: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM entity_shares WHERE offer_accepted = 1")
            .fetch_one(app.store.pool())
            .await
            .expect("count");
    assert_eq!(shared, 1, "one accepted share row");
    app.stop().await;
}
