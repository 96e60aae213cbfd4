//! The epilot partner-sharing face, `/v1/sharing/...`, over HTTP.

use crate::common;

use app::domain::identity::Role;
use app::domain::partners::service as partners;
use common::{spawn_app, spawn_app_with, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// A sharing org with an admin token, and partner orgs each with a member token.
struct Parties {
    sharing_org: String,
    sharing: String,
    partners: Vec<(String, String)>,
}

async fn parties(app: &TestApp, partner_count: usize) -> Parties {
    let org = app.create_org("Acme Energy").await;
    app.create_user(org, "alice", Role::Admin).await;
    let mut partners = Vec::new();
    for index in 0..partner_count {
        let partner = app.create_org(&format!("Installer {index}")).await;
        let username = format!("partner{index}");
        app.create_user(partner, &username, Role::Member).await;
        partners.push((partner.to_string(), app.create_token(&username).await));
    }
    Parties { sharing_org: org.to_string(), sharing: app.create_token("alice").await, partners }
}

fn entity(id: &str) -> Value {
    json!({ "schema": "opportunity", "entity_id": id })
}

#[tokio::test]
async fn a_configuration_is_created_on_first_update_and_read_back() {
    let app = spawn_app().await;
    let p = parties(&app, 1).await;
    let partner = &p.partners[0].0;
    let path = format!("/v1/sharing/configurations/{partner}");

    let (status, body) = app.call(Method::GET, &path, Some(&p.sharing), None).await;
    assert_eq!(status, 404);
    assert_eq!(body["message"], "partner configuration not found");

    let (status, config) =
        app.call(Method::PATCH, &path, Some(&p.sharing), Some(json!({ "user_limit": 5 }))).await;
    assert_eq!(status, 200, "{config}");
    assert_eq!(config["sharing_org_id"], p.sharing_org);
    assert_eq!(config["partner_org_id"], *partner);
    assert_eq!(config["partner_status"], "REGISTERED");
    assert_eq!(config["user_limit"], 5);
    assert_eq!(config["users"], json!([]));
    assert_eq!(config["entities"], json!([]));

    let (_, unchanged) = app.call(Method::PATCH, &path, Some(&p.sharing), Some(json!({}))).await;
    assert_eq!(unchanged["user_limit"], 5, "an absent user_limit leaves it alone");
    let (_, cleared) =
        app.call(Method::PATCH, &path, Some(&p.sharing), Some(json!({ "user_limit": null }))).await;
    assert!(cleared.get("user_limit").is_none(), "null clears the limit: {cleared}");

    let (status, error) =
        app.call(Method::PATCH, &path, Some(&p.sharing), Some(json!({ "user_limit": -1 }))).await;
    assert_eq!(status, 400);
    assert_eq!(error["message"], "user_limit: must be 0 or more");

    let (status, read) = app.call(Method::GET, &path, Some(&p.sharing), None).await;
    assert_eq!(status, 200);
    assert_eq!(read["partner_org_id"], *partner);
    app.stop().await;
}

#[tokio::test]
async fn a_partner_that_has_not_joined_is_unregistered() {
    let app = spawn_app().await;
    let p = parties(&app, 0).await;
    let (status, config) = app
        .call(
            Method::PATCH,
            "/v1/sharing/configurations/future-partner%2Feu",
            Some(&p.sharing),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(config["partner_org_id"], "future-partner/eu", "path parameters are decoded once");
    assert_eq!(config["partner_status"], "UNREGISTERED");
    app.stop().await;
}

#[tokio::test]
async fn partner_ids_are_accepted_in_all_three_encodings() {
    let app = spawn_app().await;
    let p = parties(&app, 3).await;
    for (partner, _) in &p.partners {
        app.call(
            Method::PATCH,
            &format!("/v1/sharing/configurations/{partner}"),
            Some(&p.sharing),
            Some(json!({})),
        )
        .await;
    }
    let (a, b) = (&p.partners[0].0, &p.partners[1].0);
    for query in [
        format!("partner_org_ids%5B%5D={a}&partner_org_ids%5B%5D={b}"),
        format!("partner_org_ids={a}&partner_org_ids={b}&partner_org_ids={a}"),
        format!("partner_org_ids={a},{b}"),
    ] {
        let (status, list) = app
            .call(
                Method::GET,
                &format!("/v1/sharing/configurations?{query}"),
                Some(&p.sharing),
                None,
            )
            .await;
        assert_eq!(status, 200, "{query}");
        let mut ids: Vec<&str> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["partner_org_id"].as_str().unwrap())
            .collect();
        ids.sort();
        let mut expected = vec![a.as_str(), b.as_str()];
        expected.sort();
        assert_eq!(ids, expected, "{query}");
    }
    let (_, all) =
        app.call(Method::GET, "/v1/sharing/configurations", Some(&p.sharing), None).await;
    assert_eq!(all.as_array().unwrap().len(), 3, "no filter lists every configuration");
    app.stop().await;
}

#[tokio::test]
async fn entities_are_shared_unshared_and_found_by_search() {
    let app = spawn_app().await;
    let p = parties(&app, 2).await;
    let (a, b) = (&p.partners[0].0, &p.partners[1].0);

    let (status, configs) = app
        .call(
            Method::POST,
            "/v1/sharing/entities:share",
            Some(&p.sharing),
            Some(json!({
                "share": [
                    { "partner_org_id": a, "entities": [entity("deal-1"), entity("deal-2")] },
                    { "partner_org_id": b, "entities": [entity("deal-2")] }
                ],
                "unshare": []
            })),
        )
        .await;
    assert_eq!(status, 200, "{configs}");
    assert_eq!(configs.as_array().unwrap().len(), 2);
    assert_eq!(configs[0]["entities"].as_array().unwrap().len(), 2);
    assert_eq!(configs[0]["entities"][0]["offer_accepted"], false);

    let (_, found) = app
        .call(
            Method::POST,
            "/v1/sharing/configurations:search",
            Some(&p.sharing),
            Some(json!({ "entities": [entity("deal-1")] })),
        )
        .await;
    assert_eq!(found.as_array().unwrap().len(), 1);
    assert_eq!(found[0]["partner_org_id"], *a);

    let (status, after) = app
        .call(
            Method::POST,
            "/v1/sharing/entities:share",
            Some(&p.sharing),
            Some(json!({ "share": [], "unshare": [{ "partner_org_id": a, "entities": [entity("deal-1")] }] })),
        )
        .await;
    assert_eq!(status, 200);
    let remaining: Vec<&str> = after[0]["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["entity_id"].as_str().unwrap())
        .collect();
    assert_eq!(remaining, ["deal-2"]);
    app.stop().await;
}

#[tokio::test]
async fn a_batch_with_one_bad_part_writes_nothing() {
    let app = spawn_app().await;
    let p = parties(&app, 1).await;
    let a = &p.partners[0].0;
    let (status, error) = app
        .call(
            Method::POST,
            "/v1/sharing/entities:share",
            Some(&p.sharing),
            Some(json!({
                "share": [{ "partner_org_id": a, "entities": [entity("deal-1")] }],
                "unshare": [{ "partner_org_id": "no-such-partner", "entities": [entity("deal-1")] }]
            })),
        )
        .await;
    assert_eq!(status, 404);
    assert_eq!(error["message"], "partner configuration not found");
    let (status, _) = app
        .call(Method::GET, &format!("/v1/sharing/configurations/{a}"), Some(&p.sharing), None)
        .await;
    assert_eq!(status, 404, "the share in the same request was rolled back");

    let (status, error) = app
        .call(
            Method::POST,
            "/v1/sharing/entities:share",
            Some(&p.sharing),
            Some(json!({ "share": [{ "partner_org_id": a, "entities": [{ "schema": "", "entity_id": "x" }] }], "unshare": [] })),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(error["message"], "share[0].entities[0].schema: must not be empty");

    let (status, error) = app
        .call(
            Method::POST,
            "/v1/sharing/entities:share",
            Some(&p.sharing),
            Some(json!({ "share": [{ "entities": [] }] })),
        )
        .await;
    assert_eq!(status, 400);
    assert!(error["message"].as_str().unwrap().contains("partner_org_id"), "{error}");
    app.stop().await;
}

#[tokio::test]
async fn a_child_entity_is_shared_only_under_a_shared_parent() {
    let app = spawn_app().await;
    let p = parties(&app, 1).await;
    let a = &p.partners[0].0;
    let child = json!({ "schema": "file", "entity_id": "doc-1", "parent_entity_id": "deal-1" });
    let share_child = json!({ "share": [{ "partner_org_id": a, "entity": child }], "unshare": [] });

    let (status, error) = app
        .call(
            Method::POST,
            "/v1/sharing/entities:share-child",
            Some(&p.sharing),
            Some(share_child.clone()),
        )
        .await;
    assert_eq!(status, 400);
    assert!(
        error["message"].as_str().unwrap().contains("parent entity `deal-1` is not shared"),
        "{error}"
    );

    app.call(
        Method::POST,
        "/v1/sharing/entities:share",
        Some(&p.sharing),
        Some(json!({ "share": [{ "partner_org_id": a, "entities": [entity("deal-1")] }], "unshare": [] })),
    )
    .await;
    let (status, configs) = app
        .call(Method::POST, "/v1/sharing/entities:share-child", Some(&p.sharing), Some(share_child))
        .await;
    assert_eq!(status, 200, "{configs}");
    let child = &configs[0]["entities"][1];
    assert_eq!(child["entity_id"], "doc-1");
    assert_eq!(child["parent_entity_id"], "deal-1");
    app.stop().await;
}

#[tokio::test]
async fn template_roles_are_assigned_copied_and_listed_by_role() {
    let app = spawn_app().await;
    let p = parties(&app, 2).await;
    let a = &p.partners[0].0;
    let grants =
        json!([{ "action": "entity-read", "resource": "opportunity:*", "effect": "allow" }]);
    let (status, role) = app
        .call(
            Method::POST,
            "/api/v1/roles",
            Some(&p.sharing),
            Some(json!({ "name": "Installer", "grants": grants })),
        )
        .await;
    assert_eq!(status, 201, "{role}");
    let role_id = role["id"].as_str().unwrap();

    let role_path = format!("/v1/sharing/configurations/{a}/role");
    let (status, error) = app
        .call(
            Method::PUT,
            &role_path,
            Some(&p.sharing),
            Some(json!({ "template_role_id": role_id })),
        )
        .await;
    assert_eq!(status, 404, "no configuration yet: {error}");

    app.call(
        Method::PATCH,
        &format!("/v1/sharing/configurations/{a}"),
        Some(&p.sharing),
        Some(json!({})),
    )
    .await;
    let (status, error) = app
        .call(
            Method::PUT,
            &role_path,
            Some(&p.sharing),
            Some(json!({ "template_role_id": "01a20000-0000-7000-8000-000000000000" })),
        )
        .await;
    assert_eq!(status, 404);
    assert_eq!(error["message"], "template role not found");

    let (status, config) = app
        .call(
            Method::PUT,
            &role_path,
            Some(&p.sharing),
            Some(json!({ "template_role_id": role_id })),
        )
        .await;
    assert_eq!(status, 200, "{config}");
    assert_eq!(config["template_role_id"], role_id);
    assert_eq!(config["template_role_grants"], grants);
    assert!(config["generated_role_id"].is_string());

    let (status, by_role) = app
        .call(
            Method::GET,
            &format!("/v1/sharing/configurations/by-role/{role_id}"),
            Some(&p.sharing),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(by_role.as_array().unwrap().len(), 1);
    assert_eq!(by_role[0]["partner_org_id"], *a);
    app.stop().await;
}

#[tokio::test]
async fn deleting_a_configuration_returns_it_and_removes_it() {
    let app = spawn_app().await;
    let p = parties(&app, 1).await;
    let a = &p.partners[0].0;
    app.call(
        Method::POST,
        "/v1/sharing/entities:share",
        Some(&p.sharing),
        Some(json!({ "share": [{ "partner_org_id": a, "entities": [entity("deal-1")] }], "unshare": [] })),
    )
    .await;
    let path = format!("/v1/sharing/configurations/{a}");
    let (status, deleted) = app.call(Method::DELETE, &path, Some(&p.sharing), None).await;
    assert_eq!(status, 200);
    assert_eq!(deleted["entities"][0]["entity_id"], "deal-1");
    let (status, _) = app.call(Method::GET, &path, Some(&p.sharing), None).await;
    assert_eq!(status, 404);
    let (status, _) = app.call(Method::DELETE, &path, Some(&p.sharing), None).await;
    assert_eq!(status, 404);
    app.stop().await;
}

#[tokio::test]
async fn another_org_sees_none_of_it_and_no_token_gets_401() {
    let app = spawn_app().await;
    let p = parties(&app, 2).await;
    let a = &p.partners[0].0;
    let outsider = &p.partners[1].1;
    app.call(
        Method::PATCH,
        &format!("/v1/sharing/configurations/{a}"),
        Some(&p.sharing),
        Some(json!({})),
    )
    .await;

    let (status, _) = app
        .call(Method::GET, &format!("/v1/sharing/configurations/{a}"), Some(outsider), None)
        .await;
    assert_eq!(status, 404, "another org's configuration does not exist for it");
    let (_, list) = app.call(Method::GET, "/v1/sharing/configurations", Some(outsider), None).await;
    assert_eq!(list, json!([]));

    let (status, error) = app.call(Method::GET, "/v1/sharing/configurations", None, None).await;
    assert_eq!(status, 401);
    assert!(error["message"].as_str().unwrap().contains("authentication required"));
    let (status, _) =
        app.call(Method::GET, "/v1/sharing/configurations", Some("sw_forged"), None).await;
    assert_eq!(status, 401);
    app.stop().await;
}

async fn offer(app: &TestApp, p: &Parties, entity_id: &str, to: &[&String]) -> Value {
    let offers: Vec<Value> = to
        .iter()
        .map(
            |partner| json!({ "partner_org_id": partner, "offered_entities": [entity(entity_id)] }),
        )
        .collect();
    let (status, configs) = app
        .call(
            Method::POST,
            "/v1/sharing/entities:offer",
            Some(&p.sharing),
            Some(json!({ "offer": offers, "unoffer": [] })),
        )
        .await;
    assert_eq!(status, 200, "{configs}");
    configs
}

fn accept_body(p: &Parties, partner: &str, entity_id: &str) -> Value {
    json!({ "partner_org_id": partner, "sharing_org_id": p.sharing_org, "entity_id": entity_id })
}

#[tokio::test]
async fn the_first_partner_to_accept_wins_and_the_others_become_unavailable() {
    let app = spawn_app().await;
    let p = parties(&app, 3).await;
    let (a, b, c) = (&p.partners[0], &p.partners[1], &p.partners[2]);
    let configs = offer(&app, &p, "deal-9", &[&a.0, &b.0, &c.0]).await;
    assert_eq!(configs[0]["offered_entities"][0]["offer_status"], "PENDING");

    let status_path = format!(
        "/v1/sharing/offers/status?partner_org_id={}&sharing_org_id={}&entity_id=deal-9",
        b.0, p.sharing_org
    );
    let (status, offer_status) = app.call(Method::GET, &status_path, None, None).await;
    assert_eq!(status, 200, "public: no bearer needed");
    assert_eq!(offer_status["offer_status"], "PENDING");
    assert_eq!(offer_status["entity"]["_id"], "deal-9");
    assert_eq!(offer_status["entity"]["_schema"], "opportunity");
    let keys: Vec<&String> = offer_status.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        ["entity", "offer_status", "offered_at", "status_changed_at"],
        "nothing beyond OfferStatus"
    );

    let (status, won) = app
        .call(
            Method::POST,
            "/v1/sharing/offers:accept",
            Some(&b.1),
            Some(accept_body(&p, &b.0, "deal-9")),
        )
        .await;
    assert_eq!(status, 200, "{won}");
    assert_eq!(won["partner_org_id"], b.0);
    assert_eq!(won["entities"][0]["entity_id"], "deal-9");
    assert_eq!(won["entities"][0]["offer_accepted"], true);
    assert_eq!(won["offered_entities"][0]["offer_status"], "ACCEPTED");

    let (status, lost) = app
        .call(
            Method::POST,
            "/v1/sharing/offers:accept",
            Some(&a.1),
            Some(accept_body(&p, &a.0, "deal-9")),
        )
        .await;
    assert_eq!(status, 409);
    assert_eq!(
        lost["message"],
        "this offer is no longer available: another partner accepted it first"
    );

    let (_, a_config) = app
        .call(Method::GET, &format!("/v1/sharing/configurations/{}", a.0), Some(&p.sharing), None)
        .await;
    assert_eq!(a_config["offered_entities"][0]["offer_status"], "UNAVAILABLE");
    assert_eq!(a_config["entities"], json!([]));
    let (_, b_status) = app.call(Method::GET, &status_path, None, None).await;
    assert_eq!(b_status["offer_status"], "ACCEPTED");
    assert_eq!(b_status["accepted_by_org_id"], b.0);

    let (status, error) = app
        .call(
            Method::POST,
            "/v1/sharing/entities:offer",
            Some(&p.sharing),
            Some(json!({ "offer": [{ "partner_org_id": c.0, "offered_entities": [entity("deal-9")] }], "unoffer": [] })),
        )
        .await;
    assert_eq!(status, 409, "an accepted entity cannot be offered again: {error}");
    app.stop().await;
}

#[tokio::test]
async fn accepting_needs_the_link_token_or_a_partner_member() {
    let app = spawn_app().await;
    let p = parties(&app, 2).await;
    let (a, b) = (&p.partners[0], &p.partners[1]);
    offer(&app, &p, "deal-1", &[&a.0]).await;
    let body = accept_body(&p, &a.0, "deal-1");

    let (status, error) =
        app.call(Method::POST, "/v1/sharing/offers:accept", None, Some(body.clone())).await;
    assert_eq!(status, 401);
    assert!(error["message"].as_str().unwrap().contains("link token"), "{error}");
    let (status, _) =
        app.call(Method::POST, "/v1/sharing/offers:accept", Some(&b.1), Some(body.clone())).await;
    assert_eq!(status, 403, "a member of another org may not accept");
    let (status, _) = app
        .call(Method::POST, "/v1/sharing/offers:accept", Some(&p.sharing), Some(body.clone()))
        .await;
    assert_eq!(status, 403, "nor may the sharing org itself");

    let sharer =
        app::domain::identity::service::actor_for_token(&app.store, &p.sharing).await.unwrap();
    let link = partners::config(&app.store, &sharer, &a.0).await.unwrap().offered_entities[0]
        .link_token
        .clone();
    let (status, _) = app
        .call(Method::POST, "/v1/sharing/offers:accept?token=wrong", None, Some(body.clone()))
        .await;
    assert_eq!(status, 403);
    let mut with_token = body.clone();
    with_token["offer_token"] = json!(link);
    let (status, accepted) =
        app.call(Method::POST, "/v1/sharing/offers:accept", None, Some(with_token)).await;
    assert_eq!(status, 200, "{accepted}");
    assert_eq!(accepted["offered_entities"][0]["offer_status"], "ACCEPTED");

    let (status, error) = app
        .call(
            Method::POST,
            "/v1/sharing/offers:accept",
            Some(&a.1),
            Some(json!({ "sharing_org_id": p.sharing_org })),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(error["message"], "partner_org_id: is required");
    app.stop().await;
}

#[tokio::test]
async fn with_open_accept_the_ids_alone_suffice() {
    let app = spawn_app_with(|config| config.open_offer_accept = true).await;
    let p = parties(&app, 1).await;
    let a = &p.partners[0];
    offer(&app, &p, "deal-1", &[&a.0]).await;
    let (status, _) = app
        .call(
            Method::POST,
            "/v1/sharing/offers:accept",
            None,
            Some(accept_body(&p, &a.0, "deal-1")),
        )
        .await;
    assert_eq!(status, 200);
    app.stop().await;
}

#[tokio::test]
async fn an_expired_offer_reads_expired_and_cannot_be_accepted() {
    let app = spawn_app().await;
    let p = parties(&app, 1).await;
    let a = &p.partners[0];
    offer(&app, &p, "deal-1", &[&a.0]).await;
    sqlx::query("UPDATE entity_offers SET expires_at = '2000-01-01T00:00:00.000000Z'")
        .execute(app.store.pool())
        .await
        .unwrap();

    let (_, config) = app
        .call(Method::GET, &format!("/v1/sharing/configurations/{}", a.0), Some(&p.sharing), None)
        .await;
    assert_eq!(config["offered_entities"][0]["offer_status"], "EXPIRED");
    let (status, error) = app
        .call(
            Method::POST,
            "/v1/sharing/offers:accept",
            Some(&a.1),
            Some(accept_body(&p, &a.0, "deal-1")),
        )
        .await;
    assert_eq!(status, 409);
    assert_eq!(error["message"], "this offer has expired");

    let renewed = offer(&app, &p, "deal-1", &[&a.0]).await;
    assert_eq!(
        renewed[0]["offered_entities"][0]["offer_status"], "PENDING",
        "offering again renews it"
    );
    app.stop().await;
}

#[tokio::test]
async fn unoffering_withdraws_a_pending_offer() {
    let app = spawn_app().await;
    let p = parties(&app, 1).await;
    let a = &p.partners[0];
    offer(&app, &p, "deal-1", &[&a.0]).await;
    let (status, configs) = app
        .call(
            Method::POST,
            "/v1/sharing/entities:offer",
            Some(&p.sharing),
            Some(json!({ "offer": [], "unoffer": [{ "partner_org_id": a.0, "offered_entities": [entity("deal-1")] }] })),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(configs[0]["offered_entities"], json!([]));
    let (status, _) = app
        .call(
            Method::POST,
            "/v1/sharing/offers:accept",
            Some(&a.1),
            Some(accept_body(&p, &a.0, "deal-1")),
        )
        .await;
    assert_eq!(status, 404);
    app.stop().await;
}

/// ≥ 50 simultaneous accepts of one entity offered to 5 partners, 20 rounds, on a real
/// SQLite file: every round exactly one offer is ACCEPTED and the other four UNAVAILABLE.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn under_concurrent_accepts_exactly_one_partner_wins() {
    let app = spawn_app_with(|config| config.public_rate_burst = 10_000).await;
    let p = parties(&app, 5).await;
    let partner_ids: Vec<&String> = p.partners.iter().map(|(id, _)| id).collect();
    let client = reqwest::Client::new();

    for round in 0..20 {
        let entity_id = format!("deal-{round}");
        offer(&app, &p, &entity_id, &partner_ids).await;
        let attempts = (0..50).map(|attempt| {
            let (partner, token) = &p.partners[attempt % 5];
            let request = client
                .post(app.url("/v1/sharing/offers:accept"))
                .bearer_auth(token)
                .json(&accept_body(&p, partner, &entity_id))
                .send();
            let partner = partner.clone();
            async move { (partner, request.await.expect("request").status()) }
        });
        let outcomes = futures_join_all(attempts).await;

        let winners: std::collections::BTreeSet<&String> = outcomes
            .iter()
            .filter(|(_, status)| *status == StatusCode::OK)
            .map(|(partner, _)| partner)
            .collect();
        assert_eq!(winners.len(), 1, "round {round}: one partner wins, got {outcomes:?}");
        assert!(
            outcomes
                .iter()
                .all(|(_, status)| *status == StatusCode::OK || *status == StatusCode::CONFLICT),
            "round {round}: the others are told it is taken, got {outcomes:?}"
        );

        let mut states = Vec::new();
        for (partner, _) in &p.partners {
            let (_, config) = app
                .call(
                    Method::GET,
                    &format!("/v1/sharing/configurations/{partner}"),
                    Some(&p.sharing),
                    None,
                )
                .await;
            let offer = config["offered_entities"]
                .as_array()
                .unwrap()
                .iter()
                .find(|o| o["entity_id"] == entity_id.as_str())
                .cloned()
                .unwrap();
            states.push(offer["offer_status"].as_str().unwrap().to_owned());
        }
        assert_eq!(
            states.iter().filter(|s| *s == "ACCEPTED").count(),
            1,
            "round {round}: {states:?}"
        );
        assert_eq!(
            states.iter().filter(|s| *s == "UNAVAILABLE").count(),
            4,
            "round {round}: {states:?}"
        );
    }
    app.stop().await;
}

/// Runs futures concurrently and collects their outputs in order.
async fn futures_join_all<F: std::future::Future + Send + 'static>(
    futures: impl Iterator<Item = F>,
) -> Vec<F::Output>
where
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut outputs = Vec::with_capacity(handles.len());
    for handle in handles {
        outputs.push(handle.await.expect("task"));
    }
    outputs
}
