//! Every batch has a cap, checked before anything is written, and answered in the face's own
//! error shape; a batch naming someone or something twice writes it once.

use crate::common;

use app::domain::identity::Role;
use common::{spawn_app, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

/// alice (admin) and bob in Acme, a partner org; alice's token and the partner's id.
async fn acme(app: &TestApp) -> (String, String) {
    let org = app.create_org("Acme").await;
    app.create_user(org, "alice", Role::Admin).await;
    app.create_user(org, "bob", Role::Member).await;
    let partner = app.create_org("Installer GmbH").await;
    (app.create_token("alice").await, partner.to_string())
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(app.store.pool()).await.expect("count")
}

#[tokio::test]
async fn a_puter_share_with_twenty_thousand_recipients_is_aborted_before_anything_is_written() {
    let app = spawn_app().await;
    let (alice, _) = acme(&app).await;
    let recipients: Vec<String> = (0..20_000).map(|_| "bob".to_owned()).collect();
    let started = std::time::Instant::now();
    let (status, body) = app
        .call(
            Method::POST,
            "/share",
            Some(&alice),
            Some(json!({ "recipients": recipients, "things": { "path": "/alice/a.txt" } })),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["status"], "aborted");
    assert_eq!(body["error"]["code"], "bad_request");
    assert!(body["error"]["message"].as_str().unwrap().contains("at most 100 recipients"));
    assert!(started.elapsed() < std::time::Duration::from_secs(5), "{:?}", started.elapsed());
    assert_eq!(count(&app, "SELECT COUNT(*) FROM notifications").await, 0);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM user_shares").await, 0);
    app.stop().await;
}

#[tokio::test]
async fn a_puter_share_past_a_thousand_recipient_item_pairs_is_aborted() {
    let app = spawn_app().await;
    let (alice, _) = acme(&app).await;
    let recipients: Vec<&str> = vec!["bob"; 11];
    let things: Vec<Value> =
        (0..100).map(|index| json!({ "path": format!("/alice/f{index}.txt") })).collect();
    let (status, body) = app
        .call(
            Method::POST,
            "/share",
            Some(&alice),
            Some(json!({ "recipients": recipients, "things": things })),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["status"], "aborted");
    assert!(body["error"]["message"].as_str().unwrap().contains("at most 1000 shares"), "{body}");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM resources").await, 0);
    app.stop().await;
}

#[tokio::test]
async fn a_person_named_twice_gets_one_share_and_one_notification() {
    let app = spawn_app().await;
    let (alice, _) = acme(&app).await;
    let (status, body) = app
        .call(
            Method::POST,
            "/share",
            Some(&alice),
            Some(json!({
                "recipients": ["bob", "bob@example.test", "bob"],
                "things": [{ "path": "/alice/a.txt" }, { "path": "/alice/a.txt" }]
            })),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "success");
    assert_eq!(body["recipients"].as_array().map(Vec::len), Some(3), "one verdict per entry");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM user_shares").await, 1);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM notifications").await, 1);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM resources").await, 1);
    app.stop().await;
}

#[tokio::test]
async fn an_epilot_share_or_offer_past_a_thousand_pairs_is_refused_in_its_own_shape() {
    let app = spawn_app().await;
    let (alice, partner) = acme(&app).await;
    let entities: Vec<Value> = (0..1_001)
        .map(|index| json!({ "schema": "opportunity", "entity_id": format!("deal-{index}") }))
        .collect();
    let (status, body) = app
        .call(
            Method::POST,
            "/v1/sharing/entities:share",
            Some(&alice),
            Some(json!({ "share": [{ "partner_org_id": partner, "entities": entities }], "unshare": [] })),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["message"], "share: at most 1000 (partner, entity) pairs per request");

    let offers: Vec<Value> = (0..1_001)
        .map(|index| {
            json!({ "partner_org_id": format!("prospect-{index}"),
                    "offered_entities": [{ "schema": "opportunity", "entity_id": "deal-1" }] })
        })
        .collect();
    let (status, body) = app
        .call(
            Method::POST,
            "/v1/sharing/entities:offer",
            Some(&alice),
            Some(json!({ "offer": offers, "unoffer": [] })),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["message"], "offer: at most 1000 (partner, entity) pairs per request");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM partner_configs").await, 0);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM resources").await, 0);
    app.stop().await;
}

#[tokio::test]
async fn an_epilot_batch_naming_a_partner_and_an_entity_twice_is_merged() {
    let app = spawn_app().await;
    let (alice, partner) = acme(&app).await;
    let deal = json!({ "schema": "opportunity", "entity_id": "deal-1" });
    let (status, configs) = app
        .call(
            Method::POST,
            "/v1/sharing/entities:share",
            Some(&alice),
            Some(json!({
                "share": [
                    { "partner_org_id": partner, "entities": [deal, deal] },
                    { "partner_org_id": partner, "entities": [deal] }
                ],
                "unshare": []
            })),
        )
        .await;
    assert_eq!(status, 200, "{configs}");
    assert_eq!(configs.as_array().map(Vec::len), Some(1), "{configs}");
    assert_eq!(configs[0]["entities"].as_array().map(Vec::len), Some(1), "{configs}");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM entity_shares").await, 1);
    app.stop().await;
}

#[tokio::test]
async fn page_sizes_and_huge_numbers_on_the_faces_are_capped_or_refused_never_a_500() {
    let app = spawn_app().await;
    let (alice, _) = acme(&app).await;
    let account =
        sqlx::query_scalar::<_, String>("SELECT org_id FROM users WHERE username = 'alice'")
            .fetch_one(app.store.pool())
            .await
            .unwrap()
            .replace('-', "");
    let shares = format!("/client/v4/accounts/{account}/shares");
    let cases = [
        ("/v2/shareinfo/received?shareInfoType=private&limit=101".to_owned(), 400),
        ("/v2/shareinfo/received?shareInfoType=private&limit=99999999999999999999".to_owned(), 400),
        ("/v2/shareinfo/received?shareInfoType=private&offset=-1".to_owned(), 400),
        ("/v2/shareinfo/received?shareInfoType=private&offset=9223372036854775807".to_owned(), 200),
        (format!("{shares}?per_page=101"), 400),
        (format!("{shares}?page=1000001"), 400),
        (format!("{shares}?page=18446744073709551616"), 400),
        (format!("{shares}?page=1000000&per_page=100"), 200),
        ("/v1/shares?pageSize=101".to_owned(), 400),
        ("/v1/shares?page=2147483648".to_owned(), 400),
        ("/v1/shares?page=2147483647&pageSize=100".to_owned(), 200),
        ("/api/v1/audit-events?before=99999999999999999999".to_owned(), 400),
    ];
    for (path, expected) in cases {
        let (status, body) = app.call(Method::GET, &path, Some(&alice), None).await;
        assert_eq!(status.as_u16(), expected, "{path}: {body}");
    }
    app.stop().await;
}
