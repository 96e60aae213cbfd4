//! Who hears of a change through webhooks, and what the other side is shown: revocations of
//! file shares reach the recipient's org, an org removed from an account share hears of its
//! removal and of nothing after it, and the other side never sees with whom else a thing is
//! shared. These read what was queued for each endpoint; `webhooks.rs` covers delivery itself.

use crate::common;

use app::domain::files::service as files;
use app::domain::identity::{Actor, Face, Role};
use app::domain::ids::OrgId;
use app::domain::notifications::targets::TargetPolicy;
use app::domain::notifications::{webhooks, NewWebhook};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use common::{spawn_app_with, TestApp};

struct World {
    acme: OrgId,
    globex: OrgId,
    initech: OrgId,
    alice: Actor,
    alice_token: String,
}

/// Acme (alice) shares with Globex (gina, gus) and Initech (ines); each org has an endpoint
/// that takes every event. Nothing listens at the endpoints: only what is queued counts.
async fn world(app: &TestApp) -> World {
    let acme = app.create_org("Acme").await;
    let globex = app.create_org("Globex").await;
    let initech = app.create_org("Initech").await;
    let alice = app.create_user(acme, "alice", Role::Admin).await;
    let gina = app.create_user(globex, "gina", Role::Admin).await;
    app.create_user(globex, "gus", Role::Member).await;
    let ines = app.create_user(initech, "ines", Role::Admin).await;
    for admin in [&alice, &gina, &ines] {
        let new = NewWebhook { url: "http://127.0.0.1:9/hook".to_owned(), ..NewWebhook::default() };
        webhooks::create(&app.store, admin, Face::Api, TargetPolicy { allow_private: true }, &new)
            .await
            .unwrap();
    }
    World { acme, globex, initech, alice_token: app.create_token("alice").await, alice }
}

async fn ok(app: &TestApp, method: Method, path: &str, token: &str, body: Option<Value>) -> Value {
    let (status, answer) = app.call(method, path, Some(token), body).await;
    assert!(status.is_success(), "{path}: {status} {answer}");
    answer
}

#[tokio::test]
async fn revoking_a_file_share_reaches_the_recipients_org_without_the_other_recipients() {
    let app = spawn_app_with(|config| config.worker = false).await;
    let w = world(&app).await;
    let share = json!({ "recipients": ["gus", "ines"], "things": { "path": "/alice/plan.txt" } });
    ok(&app, Method::POST, "/share", &w.alice_token, Some(share)).await;

    let created = app.queued_webhook_events(w.globex, "share.created").await;
    assert_eq!(created.len(), 1, "{created:?}");
    assert_eq!(created[0]["party"], "counterparty");
    assert_eq!(created[0]["detail"], json!({ "things": ["/alice/plan.txt"] }), "not who else");
    let own = app.queued_webhook_events(w.acme, "share.created").await;
    assert_eq!(own[0]["detail"]["recipients"], json!(["gus", "ines"]), "the initiator sees all");

    // Revoke Gus's share through the Shared page's service; Globex hears, Initech does not.
    let gus_share: String = sqlx::query_scalar(
        "SELECT s.id FROM user_shares s JOIN users u ON u.id = s.recipient_user_id \
         WHERE u.username = 'gus'",
    )
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    files::revoke_share(&app.store, &w.alice, Face::Web, &gus_share).await.unwrap();
    let revoked = app.queued_webhook_events(w.globex, "share.revoked").await;
    assert_eq!(revoked.len(), 1, "{revoked:?}");
    assert_eq!(revoked[0]["party"], "counterparty");
    assert_eq!(app.queued_webhook_events(w.initech, "share.revoked").await, Vec::<Value>::new());

    // Unsharing the file by its hash (as the Züs face does) reaches Ines's org too.
    let lookup_hash: String = sqlx::query_scalar(
        "SELECT r.lookup_hash FROM user_shares s JOIN resources r ON r.id = s.resource_id",
    )
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    let deleted = files::delete_shares(&app.store, &w.alice, Face::Zus, None, Some(&lookup_hash))
        .await
        .unwrap();
    assert_eq!(deleted, 1);
    let unshared = app.queued_webhook_events(w.initech, "share.revoked").await;
    assert_eq!(unshared.len(), 1, "{unshared:?}");
    assert_eq!(unshared[0]["action"], "file.unshared");
    assert_eq!(unshared[0]["detail"], json!({}), "not the recipients' ids");
    app.stop().await;
}

#[tokio::test]
async fn an_org_removed_from_an_account_share_hears_of_it_and_of_nothing_after() {
    let app = spawn_app_with(|config| config.delivery_poll_ms = 60_000).await;
    let w = world(&app).await;
    let account = w.acme.simple();
    let body = json!({
        "name": "WAF rules",
        "recipients": [{ "account_id": w.globex.simple() }, { "account_id": w.initech.simple() }],
        "resources": [{
            "resource_type": "custom-ruleset",
            "resource_id": "023e105f4ecef8ad9ca31a8372d0c353",
            "resource_account_id": account,
            "meta": {},
        }],
    });
    let path = format!("/client/v4/accounts/{account}/shares");
    let created = ok(&app, Method::POST, &path, &w.alice_token, Some(body)).await;
    let share = created["result"]["id"].as_str().unwrap().to_owned();
    for org in [w.globex, w.initech] {
        let heard = app.queued_webhook_events(org, "share.created").await;
        assert_eq!(heard.len(), 1);
        assert_eq!(
            heard[0]["detail"],
            json!({ "name": "WAF rules", "expires_at": null }),
            "not who else"
        );
    }

    // Remove Initech: it hears of its removal, then nothing of the share's later changes.
    let recipients = ok(
        &app,
        Method::GET,
        &format!("/client/v4/accounts/{account}/shares/{share}/recipients"),
        &w.alice_token,
        None,
    )
    .await;
    let initech_recipient = recipients["result"]
        .as_array()
        .unwrap()
        .iter()
        .find(|recipient| recipient["account_id"] == w.initech.simple())
        .map(|recipient| recipient["id"].as_str().unwrap().to_owned())
        .unwrap();
    let removal =
        format!("/client/v4/accounts/{account}/shares/{share}/recipients/{initech_recipient}");
    ok(&app, Method::DELETE, &removal, &w.alice_token, None).await;
    assert_eq!(
        app.queued_webhook_events(w.initech, "share.changed").await.len(),
        1,
        "told of its removal"
    );

    let rename = json!({ "name": "WAF rules v2" });
    let share_path = format!("/client/v4/accounts/{account}/shares/{share}");
    let (status, answer) =
        app.call(Method::PUT, &share_path, Some(&w.alice_token), Some(rename)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let globex_changes = app.queued_webhook_events(w.globex, "share.changed").await;
    assert!(
        globex_changes.iter().any(|data| data["action"] == "share.renamed"),
        "{globex_changes:?}"
    );
    let initech_changes = app.queued_webhook_events(w.initech, "share.changed").await;
    assert!(
        initech_changes.iter().all(|data| data["action"] != "share.renamed"),
        "a removed org hears nothing after: {initech_changes:?}"
    );

    // Deleting the share reaches the org still on it, with the share's name.
    ok(&app, Method::DELETE, &share_path, &w.alice_token, None).await;
    for _ in 0..100 {
        if !app.queued_webhook_events(w.globex, "share.revoked").await.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let revoked = app.queued_webhook_events(w.globex, "share.revoked").await;
    assert_eq!(revoked.len(), 1, "{revoked:?}");
    assert_eq!(revoked[0]["detail"], json!({ "name": "WAF rules v2" }));
    assert_eq!(app.queued_webhook_events(w.initech, "share.revoked").await, Vec::<Value>::new());
    app.stop().await;
}
