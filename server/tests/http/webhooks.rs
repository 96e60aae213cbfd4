//! Webhooks over HTTP: the `/api/v1/webhooks` API, and deliveries to a receiver on 127.0.0.1
//! that verifies every signature with its own implementation of the Standard Webhooks
//! specification (not the server's).

use crate::common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode as AxumStatus, Uri};
use axum::response::IntoResponse;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use app::domain::identity::{Actor, Role};
use app::domain::ids::OrgId;
use common::process::{org_with_admin, ServeProcess};
use common::{spawn_app, spawn_app_with, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

// ---- the receiver --------------------------------------------------------------------------

/// What a receiver does with the requests to one path.
#[derive(Clone, Copy, Debug, Default)]
struct Plan {
    /// Answer 500 to this many requests first.
    fail_first: usize,
    /// Answer 500 to the first this many requests of each event (`webhook-id`).
    fail_first_each: usize,
    /// Answer 500 to every request.
    always_fail: bool,
    /// Wait this long before answering.
    delay: Duration,
    /// Answer `307 Temporary Redirect` to this location.
    redirect_to: Option<&'static str>,
}

/// One request the receiver got.
#[derive(Clone, Debug)]
struct Got {
    path: String,
    /// The `webhook-id` header.
    id: String,
    /// Which of the path's secrets the signature verified with; `None` when none did.
    verified_by: Option<usize>,
    body: Value,
    /// What the receiver answered (or was about to, when the sender went away).
    answered: u16,
}

#[derive(Default)]
struct Inbox {
    /// The secrets each path accepts, oldest first.
    secrets: HashMap<String, Vec<String>>,
    plans: HashMap<String, Plan>,
    got: Vec<Got>,
    /// Requests being answered now, and the most there ever were at once, per path.
    in_flight: HashMap<String, usize>,
    most_in_flight: HashMap<String, usize>,
}

/// A webhook receiver on 127.0.0.1, one path per endpoint.
#[derive(Clone, Default)]
struct Receiver {
    inbox: Arc<Mutex<Inbox>>,
    base: String,
}

impl Receiver {
    async fn start() -> Self {
        Self::start_on("127.0.0.1:0").await
    }

    async fn start_on(address: &str) -> Self {
        let listener = tokio::net::TcpListener::bind(address).await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let receiver = Self { inbox: Arc::default(), base };
        let router = axum::Router::new().fallback(receive).with_state(receiver.clone());
        tokio::spawn(async move { axum::serve(listener, router).await });
        receiver
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn trust(&self, path: &str, secret: &str) {
        let mut inbox = self.inbox.lock().unwrap();
        inbox.secrets.entry(path.to_owned()).or_default().push(secret.to_owned());
    }

    fn plan(&self, path: &str, plan: Plan) {
        self.inbox.lock().unwrap().plans.insert(path.to_owned(), plan);
    }

    /// The most requests to `path` the receiver was answering at once.
    fn most_in_flight(&self, path: &str) -> usize {
        self.inbox.lock().unwrap().most_in_flight.get(path).copied().unwrap_or_default()
    }

    fn got(&self, path: &str) -> Vec<Got> {
        self.inbox.lock().unwrap().got.iter().filter(|got| got.path == path).cloned().collect()
    }

    /// What `path` acknowledged (answered 2xx), in order.
    fn acknowledged(&self, path: &str) -> Vec<Got> {
        self.got(path).into_iter().filter(|got| got.answered == 200).collect()
    }

    /// Waits (polling) until `path` acknowledged something `matches`; fails after `within`.
    async fn wait_for(&self, path: &str, within: Duration, matches: impl Fn(&Got) -> bool) -> Got {
        let started = Instant::now();
        loop {
            if let Some(got) = self.acknowledged(path).into_iter().find(&matches) {
                return got;
            }
            assert!(
                started.elapsed() < within,
                "{path} got nothing that matches within {within:?}; it got {:#?}",
                self.got(path)
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until `path` acknowledged `count` deliveries.
    async fn wait_for_count(&self, path: &str, count: usize, within: Duration) -> Vec<Got> {
        let started = Instant::now();
        loop {
            let acknowledged = self.acknowledged(path);
            if acknowledged.len() >= count {
                return acknowledged;
            }
            assert!(
                started.elapsed() < within,
                "{path}: {} of {count} within {within:?}: {acknowledged:#?}",
                acknowledged.len()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

async fn receive(
    State(receiver): State<Receiver>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> axum::response::Response {
    let path = uri.path().to_owned();
    let header = |name: &str| {
        headers.get(name).and_then(|value| value.to_str().ok()).unwrap_or_default().to_owned()
    };
    let (id, timestamp, signature) =
        (header("webhook-id"), header("webhook-timestamp"), header("webhook-signature"));
    let (plan, answered) = {
        let mut inbox = receiver.inbox.lock().unwrap();
        let plan = inbox.plans.get(&path).copied().unwrap_or_default();
        let before = inbox.got.iter().filter(|got| got.path == path).count();
        let before_of_event =
            inbox.got.iter().filter(|got| got.path == path && got.id == id).count();
        let fail = plan.always_fail
            || before < plan.fail_first
            || before_of_event < plan.fail_first_each
            || plan.redirect_to.is_some();
        let now_in_flight = {
            let count = inbox.in_flight.entry(path.clone()).or_default();
            *count += 1;
            *count
        };
        let most = inbox.most_in_flight.entry(path.clone()).or_default();
        *most = (*most).max(now_in_flight);
        let secrets = inbox.secrets.get(&path).cloned().unwrap_or_default();
        let verified_by =
            secrets.iter().position(|secret| verifies(secret, &id, &timestamp, &body, &signature));
        let body = serde_json::from_slice(&body).unwrap_or(Value::Null);
        let answered = if fail { 500 } else { 200 };
        inbox.got.push(Got { path: path.clone(), id, verified_by, body, answered });
        (plan, answered)
    };
    tokio::time::sleep(plan.delay).await;
    if let Some(count) = receiver.inbox.lock().unwrap().in_flight.get_mut(&path) {
        *count -= 1;
    }
    match plan.redirect_to {
        Some(location) => {
            (AxumStatus::TEMPORARY_REDIRECT, [("location", location)]).into_response()
        }
        None => AxumStatus::from_u16(answered).unwrap().into_response(),
    }
}

/// The Standard Webhooks check, written from the specification: the signature header holds
/// space-separated `v1,<base64>` entries, one of which must be the HMAC-SHA256 of
/// `{id}.{timestamp}.{body}` keyed with the base64-decoded part of the secret after `whsec_`;
/// the timestamp must be within five minutes of now.
fn verifies(secret: &str, id: &str, timestamp: &str, body: &[u8], header: &str) -> bool {
    let Some(key) = secret.strip_prefix("whsec_").and_then(|key| STANDARD.decode(key).ok()) else {
        return false;
    };
    let Ok(seconds) = timestamp.parse::<i64>() else { return false };
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
        as i64;
    if (now - seconds).abs() > 5 * 60 || id.is_empty() {
        return false;
    }
    header.split(' ').filter_map(|entry| entry.strip_prefix("v1,")).any(|signature| {
        let Ok(expected) = STANDARD.decode(signature) else { return false };
        let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.as_bytes());
        mac.update(b".");
        mac.update(body);
        mac.verify_slice(&expected).is_ok()
    })
}

// ---- the world -----------------------------------------------------------------------------

/// A server that may deliver to 127.0.0.1 and looks for due deliveries often.
async fn spawn_delivering_app() -> TestApp {
    spawn_app_with(|config| {
        config.allow_private_webhook_targets = true;
        config.delivery_poll_ms = 50;
    })
    .await
}

/// Acme (admin alice, member mike) and Globex (admin gina, member gus), with tokens.
struct World {
    acme: OrgId,
    globex: OrgId,
    alice: String,
    mike: String,
    gina: String,
    gus: String,
    alice_user: Actor,
    gus_user: Actor,
}

async fn world(app: &TestApp) -> World {
    let acme = app.create_org("Acme").await;
    let globex = app.create_org("Globex").await;
    let alice_user = app.create_user(acme, "alice", Role::Admin).await;
    app.create_user(acme, "mike", Role::Member).await;
    app.create_user(globex, "gina", Role::Admin).await;
    let gus_user = app.create_user(globex, "gus", Role::Member).await;
    World {
        acme,
        globex,
        alice: app.create_token("alice").await,
        mike: app.create_token("mike").await,
        gina: app.create_token("gina").await,
        gus: app.create_token("gus").await,
        alice_user,
        gus_user,
    }
}

/// Registers an endpoint at `receiver`'s `path` and teaches the receiver its secret.
async fn register(
    app: &TestApp,
    token: &str,
    receiver: &Receiver,
    path: &str,
    events: Option<&[&str]>,
) -> String {
    let mut body = json!({ "url": receiver.url(path), "description": format!("receiver {path}") });
    if let Some(events) = events {
        body["events"] = json!(events);
    }
    let (status, created) =
        app.call(Method::POST, "/api/v1/webhooks", Some(token), Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    receiver.trust(path, created["secret"].as_str().unwrap());
    created["id"].as_str().unwrap().to_owned()
}

async fn ok(app: &TestApp, method: Method, path: &str, token: &str, body: Option<Value>) -> Value {
    let (status, answer) = app.call(method.clone(), path, Some(token), body).await;
    assert!(status.is_success(), "{method} {path}: {status} {answer}");
    answer
}

/// A gosdk-style auth ticket for the Züs face: base64 of the marker JSON.
fn zus_ticket(owner: &Actor, receiver: &Actor, lookup_hash: &str) -> String {
    let marker = json!({
        "client_id": receiver.user_id.to_string(),
        "owner_id": owner.user_id.to_string(),
        "allocation_id": "alloc-1",
        "file_path_hash": lookup_hash,
        "actual_file_hash": "abc",
        "file_name": "plan.pdf",
        "reference_type": "f",
        "expiration": 0,
        "timestamp": 1_700_000_000,
        "encrypted": false,
        "signature": "sig",
    });
    STANDARD.encode(marker.to_string())
}

async fn log(app: &TestApp, token: &str, endpoint: &str) -> Vec<Value> {
    let page =
        ok(app, Method::GET, &format!("/api/v1/webhooks/{endpoint}/deliveries"), token, None).await;
    page["deliveries"].as_array().unwrap().clone()
}

/// Polls the endpoint's delivery log until `matches` holds for it.
async fn wait_for_log(
    app: &TestApp,
    token: &str,
    endpoint: &str,
    within: Duration,
    matches: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    let started = Instant::now();
    loop {
        let deliveries = log(app, token, endpoint).await;
        if matches(&deliveries) {
            return deliveries;
        }
        assert!(started.elapsed() < within, "the log never matched: {deliveries:#?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

const SOON: Duration = Duration::from_secs(5);

// ---- the tests -----------------------------------------------------------------------------

#[tokio::test]
async fn a_share_through_each_of_the_five_apis_reaches_both_orgs_endpoints_signed() {
    let app = spawn_delivering_app().await;
    let w = world(&app).await;
    let receiver = Receiver::start().await;
    register(&app, &w.alice, &receiver, "/acme", None).await;
    register(&app, &w.gina, &receiver, "/globex", None).await;
    ok(
        &app,
        Method::PATCH,
        &format!("/v1/sharing/configurations/{}", w.globex),
        &w.alice,
        Some(json!({})),
    )
    .await;

    let entity = json!({ "schema": "opportunity", "entity_id": "deal-1" });
    let cloudflare_share = json!({
        "name": "WAF rules",
        "recipients": [{ "account_id": w.globex.simple() }],
        "resources": [{
            "resource_type": "custom-ruleset",
            "resource_id": uuid::Uuid::now_v7().simple().to_string(),
            "resource_account_id": w.acme.simple(),
            "meta": {},
        }],
    });
    let changes: [(&str, &str, String, Value); 6] = [
        (
            "epilot",
            "share.created",
            "/v1/sharing/entities:share".into(),
            json!({ "share": [{ "partner_org_id": w.globex.to_string(), "entities": [entity] }], "unshare": [] }),
        ),
        (
            "epilot",
            "offer.made",
            "/v1/sharing/entities:offer".into(),
            json!({ "offer": [{ "partner_org_id": w.globex.to_string(), "offered_entities": [{ "schema": "opportunity", "entity_id": "lead-1" }] }], "unoffer": [] }),
        ),
        (
            "puter",
            "share.created",
            "/share".into(),
            json!({ "recipients": "gus", "things": { "path": "/alice/report.txt" } }),
        ),
        (
            "zus",
            "share.created",
            "/v2/shareinfo".into(),
            json!({ "auth_ticket": zus_ticket(&w.alice_user, &w.gus_user, "hash-1"), "message": "for you" }),
        ),
        (
            "enablenow",
            "share.created",
            "/v1/shares".into(),
            json!({ "clientId": w.globex.to_string(), "consentIds": [uuid::Uuid::now_v7().to_string()] }),
        ),
        (
            "cloudflare",
            "share.created",
            format!("/client/v4/accounts/{}/shares", w.acme.simple()),
            cloudflare_share,
        ),
    ];
    for (face, event_type, path, body) in changes {
        let started = Instant::now();
        ok(&app, Method::POST, &path, &w.alice, Some(body)).await;
        for (endpoint, org, party) in
            [("/acme", w.acme, "initiator"), ("/globex", w.acme, "counterparty")]
        {
            let got = receiver
                .wait_for(endpoint, SOON, |got| {
                    got.body["type"] == event_type && got.body["data"]["face"] == face
                })
                .await;
            assert_eq!(got.verified_by, Some(0), "{face} {endpoint}: the signature verifies");
            assert!(got.id.starts_with("msg_"), "{}", got.id);
            assert_eq!(got.body["data"]["party"], party, "{face} {endpoint}");
            assert_eq!(got.body["data"]["org_id"], org.to_string(), "{face}: the org that shared");
            assert!(got.body["timestamp"].is_string());
        }
        println!("{face} {event_type}: both orgs told within {:?}", started.elapsed());
    }
    let everything = receiver.got("/acme").into_iter().chain(receiver.got("/globex"));
    for got in everything {
        assert_eq!(got.verified_by, Some(0), "every delivery is signed: {got:?}");
    }
    app.stop().await;
}

/// Waits until both `/acme` and `/globex` acknowledged a verified `event_type` about
/// `object_id`; each must call itself the initiator exactly when the change was its org's.
async fn both_hear(receiver: &Receiver, w: &World, event_type: &str, object_id: &str) {
    for (endpoint, org) in [("/acme", w.acme), ("/globex", w.globex)] {
        let got = receiver
            .wait_for(endpoint, SOON, |got| {
                got.body["type"] == event_type && got.body["data"]["object_id"] == object_id
            })
            .await;
        assert_eq!(got.verified_by, Some(0), "{event_type} to {endpoint}");
        let ours = got.body["data"]["org_id"] == org.to_string();
        let party = if ours { "initiator" } else { "counterparty" };
        assert_eq!(got.body["data"]["party"], party, "{event_type} to {endpoint}: {got:?}");
    }
}

#[tokio::test]
async fn answers_revocations_and_associations_reach_the_other_org_too() {
    let app = spawn_app_with(|config| {
        config.allow_private_webhook_targets = true;
        config.delivery_poll_ms = 50;
    })
    .await;
    let w = world(&app).await;
    let receiver = Receiver::start().await;
    register(&app, &w.alice, &receiver, "/acme", None).await;
    register(&app, &w.gina, &receiver, "/globex", None).await;

    // Cloudflare: associated by the worker, then deleted.
    let cloudflare = format!("/client/v4/accounts/{}/shares", w.acme.simple());
    let body = json!({
        "name": "WAF rules",
        "recipients": [{ "account_id": w.globex.simple() }],
        "resources": [{
            "resource_type": "custom-ruleset",
            "resource_id": uuid::Uuid::now_v7().simple().to_string(),
            "resource_account_id": w.acme.simple(),
            "meta": {},
        }],
    });
    let share = ok(&app, Method::POST, &cloudflare, &w.alice, Some(body)).await;
    let hex = share["result"]["id"].as_str().unwrap().to_owned();
    let id = uuid::Uuid::parse_str(&hex).unwrap().to_string();
    both_hear(&receiver, &w, "recipient.associated", &id).await;
    ok(&app, Method::DELETE, &format!("{cloudflare}/{hex}"), &w.alice, None).await;
    both_hear(&receiver, &w, "share.revoked", &id).await;

    // EnableNow: deleted.
    let body = json!({ "clientId": w.globex.to_string(), "consentIds": [uuid::Uuid::now_v7().to_string()] });
    let share = ok(&app, Method::POST, "/v1/shares", &w.alice, Some(body)).await;
    let id = share["data"].as_str().unwrap().to_owned();
    ok(&app, Method::DELETE, &format!("/v1/shares/{id}"), &w.alice, None).await;
    both_hear(&receiver, &w, "share.revoked", &id).await;

    // epilot: Globex's member accepts Acme's offer.
    let config = format!("/v1/sharing/configurations/{}", w.globex);
    ok(&app, Method::PATCH, &config, &w.alice, Some(json!({}))).await;
    let offer = json!({ "offer": [{ "partner_org_id": w.globex.to_string(), "offered_entities": [{ "schema": "opportunity", "entity_id": "lead-7" }] }], "unoffer": [] });
    ok(&app, Method::POST, "/v1/sharing/entities:offer", &w.alice, Some(offer)).await;
    let accept = json!({ "partner_org_id": w.globex.to_string(), "sharing_org_id": w.acme.to_string(), "entity_id": "lead-7" });
    ok(&app, Method::POST, "/v1/sharing/offers:accept", &w.gus, Some(accept)).await;
    for endpoint in ["/acme", "/globex"] {
        let got =
            receiver.wait_for(endpoint, SOON, |got| got.body["type"] == "offer.accepted").await;
        assert_eq!(got.verified_by, Some(0), "offer.accepted to {endpoint}");
    }

    // Züs: Globex's member asks Alice for a file; she answers.
    let ask = json!({ "owner_id": w.alice_user.user_id.to_string(), "lookup_hash": "hash-7" });
    ok(&app, Method::POST, "/v2/sharereq", &w.gus, Some(ask)).await;
    for endpoint in ["/acme", "/globex"] {
        receiver.wait_for(endpoint, SOON, |got| got.body["type"] == "access.requested").await;
    }
    let received = ok(&app, Method::GET, "/v2/sharereq/received", &w.alice, None).await;
    let request = received["data"][0]["id"].clone();
    let answer = json!({ "id": request, "status": "approved", "link": "https://share.example/x", "auth_ticket": "dGlja2V0" });
    ok(&app, Method::PUT, "/v2/sharereq", &w.alice, Some(answer)).await;
    for endpoint in ["/acme", "/globex"] {
        receiver.wait_for(endpoint, SOON, |got| got.body["type"] == "access.answered").await;
    }
    app.stop().await;
}

#[tokio::test]
async fn each_endpoint_gets_only_the_events_it_asked_for_and_in_order() {
    let app = spawn_delivering_app().await;
    let w = world(&app).await;
    let receiver = Receiver::start().await;
    register(&app, &w.alice, &receiver, "/created", Some(&["share.created"])).await;
    register(&app, &w.alice, &receiver, "/all", None).await;
    // The first attempt to /all fails: the events behind it must wait for its retry.
    receiver.plan("/all", Plan { fail_first: 1, ..Plan::default() });

    let mut shares = Vec::new();
    for _ in 0..4 {
        let body = json!({ "clientId": w.globex.to_string(), "consentIds": [uuid::Uuid::now_v7().to_string()] });
        let created = ok(&app, Method::POST, "/v1/shares", &w.alice, Some(body)).await;
        shares.push(created["data"].as_str().unwrap().to_owned());
    }
    ok(&app, Method::DELETE, &format!("/v1/shares/{}", shares[0]), &w.alice, None).await;

    let revoked = receiver.wait_for("/all", SOON, |got| got.body["type"] == "share.revoked").await;
    assert_eq!(revoked.body["data"]["object_id"], shares[0]);
    let all = receiver.acknowledged("/all");
    let event_ids: Vec<&str> =
        all.iter().map(|got| got.body["data"]["event_id"].as_str().unwrap()).collect();
    let mut sorted = event_ids.clone();
    sorted.sort();
    assert_eq!(event_ids, sorted, "in the order they happened, the retried one first");
    assert_eq!(all[0].id, receiver.got("/all")[0].id, "the failed delivery came first");
    let created: Vec<&Value> = all
        .iter()
        .filter(|got| got.body["type"] == "share.created")
        .map(|got| &got.body["data"]["object_id"])
        .collect();
    assert_eq!(created, shares.iter().collect::<Vec<_>>());

    let filtered = receiver.wait_for_count("/created", 4, SOON).await;
    assert!(filtered.iter().all(|got| got.body["type"] == "share.created"), "{filtered:#?}");
    let objects: Vec<&Value> = filtered.iter().map(|got| &got.body["data"]["object_id"]).collect();
    assert_eq!(objects, shares.iter().collect::<Vec<_>>());
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(receiver.got("/created").len(), 4, "nothing else reached the filtered endpoint");
    app.stop().await;
}

#[tokio::test]
async fn a_receiver_that_fails_twice_gets_the_event_on_the_third_attempt() {
    let app = spawn_delivering_app().await;
    let w = world(&app).await;
    let receiver = Receiver::start().await;
    let endpoint = register(&app, &w.alice, &receiver, "/flaky", None).await;
    receiver.plan("/flaky", Plan { fail_first: 2, ..Plan::default() });

    let test =
        ok(&app, Method::POST, &format!("/api/v1/webhooks/{endpoint}/test"), &w.alice, None).await;
    let got = receiver.wait_for("/flaky", Duration::from_secs(8), |_| true).await;
    let attempts = receiver.got("/flaky");
    assert_eq!(attempts.len(), 3, "{attempts:#?}");
    assert!(attempts.iter().all(|attempt| attempt.id == got.id), "one webhook-id for all");
    assert!(attempts.iter().all(|attempt| attempt.verified_by == Some(0)));
    assert_eq!(got.body["type"], "webhook.test");

    let deliveries = wait_for_log(&app, &w.alice, &endpoint, SOON, |log| {
        log.first().is_some_and(|delivery| delivery["status"] == "delivered")
    })
    .await;
    let delivery = &deliveries[0];
    assert_eq!(delivery["id"], test["id"]);
    assert_eq!(delivery["message_id"], got.id);
    assert_eq!(delivery["attempts"], 3);
    assert_eq!(delivery["last_status_code"], 200);
    assert!(delivery["last_latency_ms"].is_i64());
    assert!(delivery["delivered_at"].is_string());
    let hook = ok(&app, Method::GET, &format!("/api/v1/webhooks/{endpoint}"), &w.alice, None).await;
    assert_eq!((hook["enabled"].as_bool(), hook["failing_since"].as_str()), (Some(true), None));
    app.stop().await;
}

#[tokio::test]
async fn redirects_are_not_followed_and_a_receiver_slower_than_the_timeout_is_tried_again() {
    let app = spawn_app_with(|config| {
        config.allow_private_webhook_targets = true;
        config.delivery_poll_ms = 50;
        config.webhook_timeout_secs = 1;
    })
    .await;
    let w = world(&app).await;
    let receiver = Receiver::start().await;
    let moved = register(&app, &w.alice, &receiver, "/moved", None).await;
    receiver.plan("/moved", Plan { redirect_to: Some("/elsewhere"), ..Plan::default() });
    let slow = register(&app, &w.alice, &receiver, "/slow", None).await;
    receiver.plan("/slow", Plan { delay: Duration::from_millis(1500), ..Plan::default() });
    for endpoint in [&moved, &slow] {
        ok(&app, Method::POST, &format!("/api/v1/webhooks/{endpoint}/test"), &w.alice, None).await;
    }

    let deliveries = wait_for_log(&app, &w.alice, &moved, SOON, |log| {
        log[0]["attempts"] == 1 && log[0]["last_status_code"].is_i64()
    })
    .await;
    assert_eq!(deliveries[0]["last_status_code"], 307);
    assert_eq!(deliveries[0]["status"], "pending", "tried again later");
    let error = deliveries[0]["last_error"].as_str().unwrap();
    assert!(error.contains("redirects are not followed"), "{error}");
    assert!(receiver.got("/elsewhere").is_empty());

    let deliveries = wait_for_log(&app, &w.alice, &slow, SOON, |log| {
        log[0]["last_error"].as_str().is_some_and(|error| error.contains("timed out"))
    })
    .await;
    assert_eq!(deliveries[0]["status"], "pending", "tried again later");
    receiver.plan("/slow", Plan::default());
    wait_for_log(&app, &w.alice, &slow, SOON, |log| log[0]["status"] == "delivered").await;
    let got = receiver.got("/slow");
    assert!(got.len() >= 2, "{got:#?}");
    assert!(got.iter().all(|attempt| attempt.id == got[0].id), "one event, tried again");
    app.stop().await;
}

#[tokio::test]
async fn an_endpoint_that_keeps_failing_is_disabled_its_admins_are_told_and_it_can_be_enabled_again(
) {
    let app = spawn_app_with(|config| {
        config.allow_private_webhook_targets = true;
        config.delivery_poll_ms = 50;
        config.webhook_retry_secs = 2;
    })
    .await;
    let w = world(&app).await;
    let receiver = Receiver::start().await;
    let endpoint = register(&app, &w.alice, &receiver, "/down", None).await;
    receiver.plan("/down", Plan { always_fail: true, ..Plan::default() });
    let path = format!("/api/v1/webhooks/{endpoint}");
    // A receiver's token in the query stays out of the notice and the audit log.
    let url = receiver.url("/down?token=sesame");
    ok(&app, Method::PATCH, &path, &w.alice, Some(json!({ "url": url }))).await;

    let failed = ok(&app, Method::POST, &format!("{path}/test"), &w.alice, None).await;
    let failed = failed["id"].as_str().unwrap().to_owned();
    let deliveries = wait_for_log(&app, &w.alice, &endpoint, Duration::from_secs(8), |log| {
        log.first().is_some_and(|delivery| delivery["status"] == "failed")
    })
    .await;
    assert_eq!(deliveries[0]["last_status_code"], 500);
    assert!(deliveries[0]["attempts"].as_i64().unwrap() >= 2, "{deliveries:#?}");
    assert!(deliveries[0]["next_attempt_at"].is_null());
    let hook = ok(&app, Method::GET, &path, &w.alice, None).await;
    assert_eq!(hook["enabled"], false, "{hook}");
    assert!(hook["disabled_reason"].as_str().is_some_and(|reason| !reason.is_empty()));

    // Alice (the admin) is told in the app; Mike (a member) is not.
    let notified = |user: &'static str| {
        let pool = app.store.pool().clone();
        async move {
            let count: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM notifications n JOIN users u ON u.id = n.user_id \
                 WHERE u.username = $1 AND n.kind = 'webhook.disabled'",
            )
            .bind(user)
            .fetch_one(&pool)
            .await
            .unwrap();
            count
        }
    };
    assert_eq!((notified("alice").await, notified("mike").await), (1, 0));
    let pool = app.store.pool().clone();
    let title: String =
        sqlx::query_scalar("SELECT title FROM notifications WHERE kind = 'webhook.disabled'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(title.contains(&receiver.url("/down")) && !title.contains("sesame"), "{title}");
    let leaks: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE detail LIKE $1")
        .bind("%sesame%")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(leaks, 0, "the audit log keeps the URL without its query");

    // A disabled endpoint gets nothing, tests included, until it is enabled again.
    let attempts = receiver.got("/down").len();
    let (status, refused) =
        app.call(Method::POST, &format!("{path}/test"), Some(&w.alice), None).await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    assert_eq!(refused["error"]["code"], "conflict");
    let resend = format!("{path}/deliveries/{failed}/resend");
    let (status, refused) = app.call(Method::POST, &resend, Some(&w.alice), None).await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    let body = json!({ "clientId": w.globex.to_string(), "consentIds": [uuid::Uuid::now_v7().to_string()] });
    ok(&app, Method::POST, "/v1/shares", &w.alice, Some(body)).await;

    receiver.plan("/down", Plan::default());
    let enabled = ok(&app, Method::PATCH, &path, &w.alice, Some(json!({ "enabled": true }))).await;
    assert_eq!(enabled["enabled"], true);
    assert!(enabled["disabled_reason"].is_null() && enabled["failing_since"].is_null());
    let (status, again) = app.call(Method::POST, &resend, Some(&w.alice), None).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{again}");
    let failed_id = again["message_id"].as_str().unwrap().to_owned();
    receiver.wait_for("/down", SOON, |got| got.id == failed_id).await;
    let test = ok(&app, Method::POST, &format!("{path}/test"), &w.alice, None).await;
    let test_id = test["message_id"].as_str().unwrap().to_owned();
    receiver.wait_for("/down", SOON, |got| got.id == test_id).await;
    assert_eq!(
        receiver.got("/down").len(),
        attempts + 2,
        "the failed event sent again and the new test; nothing that happened while disabled"
    );
    app.stop().await;
}

#[tokio::test]
async fn endpoints_must_be_public_http_urls_and_bad_requests_are_refused_in_the_native_shape() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let create =
        |body: Value| app.call(Method::POST, "/api/v1/webhooks", Some(&w.alice), Some(body));

    for url in [
        "http://127.0.0.1/hook",
        "http://localhost/",
        "http://10.0.0.8:8080/in",
        "http://[::1]/",
        "ftp://hooks.example.com/",
        "hooks.example.com/in",
    ] {
        let (status, error) = create(json!({ "url": url })).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{url}: {error}");
        assert_eq!(error["error"]["code"], "invalid_request", "{url}");
        assert!(error["error"]["message"].as_str().unwrap().starts_with("url: "), "{error}");
    }
    for (body, field) in [
        (json!({}), "body"),
        (json!({ "url": 7 }), "body"),
        (json!({ "url": "https://hooks.example.com/", "events": "share.created" }), "body"),
        (json!({ "url": "https://hooks.example.com/", "events": ["share.eaten"] }), "events"),
        (
            json!({ "url": "https://hooks.example.com/", "description": "x".repeat(501) }),
            "description",
        ),
    ] {
        let (status, error) = create(body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {error}");
        assert!(error["error"]["message"].as_str().unwrap().starts_with(field), "{error}");
    }
    let not_json = reqwest::Client::new()
        .post(app.url("/api/v1/webhooks"))
        .bearer_auth(&w.alice)
        .header("content-type", "application/json")
        .body("{\"url\":")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status(), StatusCode::BAD_REQUEST);
    let error: Value = not_json.json().await.unwrap();
    assert_eq!(error["error"]["code"], "invalid_request");

    // A public URL is taken, and its secret is `whsec_` and 32 random bytes.
    let body =
        json!({ "url": "https://hooks.example.com/in", "events": ["share.created", "offer.made"] });
    let (status, created) = create(body).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let secret = created["secret"].as_str().unwrap();
    let key = STANDARD.decode(secret.strip_prefix("whsec_").unwrap()).unwrap();
    assert_eq!(key.len(), 32);
    assert_eq!(created["events"], json!(["share.created", "offer.made"]));
    assert_eq!(created["enabled"], true);
    let id = created["id"].as_str().unwrap();
    let path = format!("/api/v1/webhooks/{id}");

    // The secret is never shown again.
    let shown = ok(&app, Method::GET, &path, &w.alice, None).await;
    assert!(shown.get("secret").is_none(), "{shown}");
    let listed = ok(&app, Method::GET, "/api/v1/webhooks", &w.alice, None).await;
    assert_eq!(listed["webhooks"].as_array().unwrap().len(), 1);
    assert!(!listed.to_string().contains(secret));

    // Changes are checked like new endpoints.
    let (status, error) = app
        .call(Method::PATCH, &path, Some(&w.alice), Some(json!({ "url": "http://localhost:9/" })))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
    let (status, error) =
        app.call(Method::PATCH, &path, Some(&w.alice), Some(json!({ "enabled": "yes" }))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
    let changed = ok(
        &app,
        Method::PATCH,
        &path,
        &w.alice,
        Some(json!({ "events": [], "description": "all of it", "enabled": false })),
    )
    .await;
    assert_eq!(
        (&changed["events"], &changed["description"], &changed["enabled"]),
        (&json!([]), &json!("all of it"), &json!(false))
    );
    assert_eq!(changed["url"], "https://hooks.example.com/in", "untouched fields stay");

    // Ids that name nothing are 404, in the same shape.
    let unknown = uuid::Uuid::now_v7();
    for (method, target) in [
        (Method::GET, "/api/v1/webhooks/not-an-id".to_owned()),
        (Method::GET, format!("/api/v1/webhooks/{unknown}")),
        (Method::DELETE, format!("/api/v1/webhooks/{unknown}")),
        (Method::POST, format!("/api/v1/webhooks/{unknown}/rotate-secret")),
        (Method::POST, format!("/api/v1/webhooks/{unknown}/test")),
        (Method::GET, format!("/api/v1/webhooks/{unknown}/deliveries")),
        (Method::POST, format!("{path}/deliveries/{unknown}/resend")),
        (Method::POST, format!("{path}/deliveries/nope/resend")),
    ] {
        let (status, error) = app.call(method.clone(), &target, Some(&w.alice), None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {target}: {error}");
        assert_eq!(error["error"]["code"], "not_found", "{target}");
    }
    // An id that is not even text is a malformed address.
    let (status, error) =
        app.call(Method::GET, "/api/v1/webhooks/%FF%FE", Some(&w.alice), None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
    assert_eq!(error["error"]["code"], "invalid_request");
    for query in ["before=x", "before=a&before=b"] {
        let target = format!("{path}/deliveries?{query}");
        let (status, error) = app.call(Method::GET, &target, Some(&w.alice), None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {error}");
        assert_eq!(error["error"]["code"], "invalid_request", "{query}");
    }

    // Members may neither see nor change; deleting removes it.
    let (status, error) = app.call(Method::GET, "/api/v1/webhooks", Some(&w.mike), None).await;
    assert_eq!((status, &error["error"]["code"]), (StatusCode::FORBIDDEN, &json!("forbidden")));
    let (status, _) = app.call(Method::DELETE, &path, Some(&w.alice), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app.call(Method::GET, &path, Some(&w.alice), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    app.stop().await;
}

#[tokio::test]
async fn rotating_the_secret_signs_later_deliveries_with_the_new_key_only() {
    let app = spawn_delivering_app().await;
    let w = world(&app).await;
    let receiver = Receiver::start().await;
    let endpoint = register(&app, &w.alice, &receiver, "/rotating", None).await;
    let path = format!("/api/v1/webhooks/{endpoint}");

    ok(&app, Method::POST, &format!("{path}/test"), &w.alice, None).await;
    let first = receiver.wait_for("/rotating", SOON, |_| true).await;
    assert_eq!(first.verified_by, Some(0));

    let rotated = ok(&app, Method::POST, &format!("{path}/rotate-secret"), &w.alice, None).await;
    assert_eq!(rotated["id"], endpoint.as_str());
    let secret = rotated["secret"].as_str().unwrap();
    assert_eq!(STANDARD.decode(secret.strip_prefix("whsec_").unwrap()).unwrap().len(), 32);
    receiver.trust("/rotating", secret);

    ok(&app, Method::POST, &format!("{path}/test"), &w.alice, None).await;
    let second = receiver.wait_for("/rotating", SOON, |got| got.id != first.id).await;
    assert_eq!(second.verified_by, Some(1), "signed with the new secret, not the old one");
    app.stop().await;
}

#[tokio::test]
async fn a_test_event_and_a_delivery_sent_again_arrive_and_show_in_the_paged_log() {
    let app = spawn_delivering_app().await;
    let w = world(&app).await;
    let receiver = Receiver::start().await;
    let endpoint = register(&app, &w.alice, &receiver, "/log", None).await;
    let path = format!("/api/v1/webhooks/{endpoint}");

    let test = ok(&app, Method::POST, &format!("{path}/test"), &w.alice, None).await;
    assert_eq!((&test["event_type"], &test["status"]), (&json!("webhook.test"), &json!("pending")));
    let got = receiver.wait_for("/log", SOON, |_| true).await;
    assert_eq!(got.id, test["message_id"].as_str().unwrap());
    assert_eq!(got.body["data"]["endpoint_id"], endpoint.as_str());
    assert_eq!(got.body["data"]["sent_by"], "alice");
    wait_for_log(&app, &w.alice, &endpoint, SOON, |log| log[0]["status"] == "delivered").await;

    // Sent again: the same webhook-id, so a receiver can tell.
    let id = test["id"].as_str().unwrap();
    let resend = format!("{path}/deliveries/{id}/resend");
    let (status, again) = app.call(Method::POST, &resend, Some(&w.alice), None).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{again}");
    receiver.wait_for_count("/log", 2, SOON).await;
    let both = receiver.got("/log");
    assert_eq!((both[1].id.as_str(), both[1].verified_by), (got.id.as_str(), Some(0)));
    let deliveries =
        wait_for_log(&app, &w.alice, &endpoint, SOON, |log| log[0]["status"] == "delivered").await;
    assert_eq!(deliveries.len(), 1, "the log has one delivery, sent twice");
    assert_eq!(deliveries[0]["attempts"], 1, "counted from the new start");

    // The log is paged, newest first.
    for _ in 0..51 {
        ok(&app, Method::POST, &format!("{path}/test"), &w.alice, None).await;
    }
    let first = ok(&app, Method::GET, &format!("{path}/deliveries"), &w.alice, None).await;
    let page = first["deliveries"].as_array().unwrap();
    assert_eq!(page.len(), 50);
    let before = first["next_before"].as_str().unwrap();
    assert_eq!(page[49]["id"], before);
    let second =
        ok(&app, Method::GET, &format!("{path}/deliveries?before={before}"), &w.alice, None).await;
    let rest = second["deliveries"].as_array().unwrap();
    assert_eq!(rest.len(), 2);
    assert_eq!(rest[1]["id"], id, "the oldest comes last");
    assert!(second["next_before"].is_null());
    app.stop().await;
}

#[tokio::test]
async fn another_orgs_endpoints_are_not_found_and_its_events_never_reach_them() {
    let app = spawn_delivering_app().await;
    let w = world(&app).await;
    let receiver = Receiver::start().await;
    let acme_hook = register(&app, &w.alice, &receiver, "/acme", None).await;
    let globex_hook = register(&app, &w.gina, &receiver, "/globex", None).await;
    let test =
        ok(&app, Method::POST, &format!("/api/v1/webhooks/{acme_hook}/test"), &w.alice, None).await;
    receiver.wait_for("/acme", SOON, |_| true).await;

    let listed = ok(&app, Method::GET, "/api/v1/webhooks", &w.gina, None).await;
    let ids: Vec<&Value> =
        listed["webhooks"].as_array().unwrap().iter().map(|h| &h["id"]).collect();
    assert_eq!(ids, [&json!(globex_hook)]);
    let acme = format!("/api/v1/webhooks/{acme_hook}");
    let delivery = test["id"].as_str().unwrap();
    for (method, target, body) in [
        (Method::GET, acme.clone(), None),
        (Method::PATCH, acme.clone(), Some(json!({ "url": receiver.url("/stolen") }))),
        (Method::POST, format!("{acme}/rotate-secret"), None),
        (Method::POST, format!("{acme}/test"), None),
        (Method::GET, format!("{acme}/deliveries"), None),
        (Method::POST, format!("{acme}/deliveries/{delivery}/resend"), None),
        // Acme's delivery under Globex's own endpoint is not Globex's either.
        (
            Method::POST,
            format!("/api/v1/webhooks/{globex_hook}/deliveries/{delivery}/resend"),
            None,
        ),
        (Method::DELETE, acme.clone(), None),
    ] {
        let (status, error) = app.call(method.clone(), &target, Some(&w.gina), body).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {target}: {error}");
        assert_eq!(error["error"]["code"], "not_found");
    }
    let still = ok(&app, Method::GET, &acme, &w.alice, None).await;
    assert_eq!(still["url"], receiver.url("/acme"));

    // What Acme does among itself is not Globex's business.
    ok(
        &app,
        Method::POST,
        "/share",
        &w.alice,
        Some(json!({ "recipients": "mike", "things": { "path": "/alice/internal.txt" } })),
    )
    .await;
    receiver.wait_for("/acme", SOON, |got| got.body["type"] == "share.created").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(receiver.got("/globex").is_empty(), "{:#?}", receiver.got("/globex"));
    app.stop().await;
}

// ---- a crash with deliveries queued --------------------------------------------------------

/// A call to a `sharewell serve` process with a token; it must succeed.
async fn call(
    server: &ServeProcess,
    method: Method,
    path: &str,
    token: &str,
    body: Value,
) -> Value {
    let response = reqwest::Client::new()
        .request(method.clone(), server.url(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let answer: Value = response.json().await.unwrap_or(Value::Null);
    assert!(status.is_success(), "{method} {path}: {status} {answer}");
    answer
}

/// What the crashing server needs: private webhook targets, quick attempts and polls.
const CRASH_TEST_ENV: [(&str, &str); 3] = [
    ("SHAREWELL_ALLOW_PRIVATE_WEBHOOK_TARGETS", "true"),
    ("SHAREWELL_WEBHOOK_TIMEOUT_SECS", "1"),
    ("SHAREWELL_DELIVERY_POLL_MS", "50"),
];

/// Kill -9 with deliveries queued and one in flight. The sender records an attempt only after
/// the receiver answered, so the kill can land between the receiver's 2xx and the record: that
/// delivery is sent again after the restart (at least once, never at most once). Deliveries to
/// an endpoint go one at a time, in order, and the next is claimed only once the previous one
/// is recorded, so a crash repeats at most the one delivery per endpoint that was in flight;
/// every delivery recorded before the crash never arrives again, and none is lost.
#[tokio::test]
async fn after_a_kill_9_every_queued_event_is_delivered_and_only_the_one_in_flight_may_repeat() {
    let data = tempfile::tempdir().unwrap();
    let database_url = format!("sqlite://{}/sharewell.db", data.path().display());
    let (_, token) = org_with_admin(&database_url, "Acme", "alice");

    // A slow receiver: each delivery takes it 400 ms to acknowledge.
    let receiver = Receiver::start().await;
    receiver.plan("/slow", Plan { delay: Duration::from_millis(400), ..Plan::default() });
    let server = ServeProcess::start(&database_url, &CRASH_TEST_ENV);
    let created = call(
        &server,
        Method::POST,
        "/api/v1/webhooks",
        &token,
        json!({ "url": receiver.url("/slow") }),
    )
    .await;
    receiver.trust("/slow", created["secret"].as_str().unwrap());
    let endpoint = created["id"].as_str().unwrap().to_owned();
    let mut queued = Vec::new();
    for _ in 0..6 {
        let path = format!("/api/v1/webhooks/{endpoint}/test");
        let test = call(&server, Method::POST, &path, &token, json!({})).await;
        queued.push(test["message_id"].as_str().unwrap().to_owned());
    }

    // Kill it while the receiver is working on the third.
    let started = Instant::now();
    while receiver.got("/slow").len() < 3 {
        assert!(started.elapsed() < Duration::from_secs(10), "{:#?}", receiver.got("/slow"));
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    drop(server); // SIGKILL
    let in_flight = receiver.got("/slow")[2].id.clone();
    assert_eq!(in_flight, queued[2]);

    // Restarted on the same database, it delivers the rest once the dead lease runs out.
    let server = ServeProcess::start(&database_url, &CRASH_TEST_ENV);
    // Each endpoint's deliveries go in order, so once the last has arrived, so has any repeat.
    let last = queued.last().unwrap().clone();
    receiver.wait_for("/slow", Duration::from_secs(15), |got| got.id == last).await;
    // Long enough for anything else to arrive, were something sent once more.
    tokio::time::sleep(Duration::from_millis(800)).await;
    drop(server);

    let got = receiver.got("/slow");
    assert!(got.iter().all(|delivery| delivery.verified_by == Some(0)));
    let mut times: HashMap<&str, usize> = HashMap::new();
    for delivery in &got {
        *times.entry(delivery.id.as_str()).or_default() += 1;
    }
    for id in &queued {
        let expected = if *id == in_flight { 1..=2 } else { 1..=1 };
        assert!(
            expected.contains(&times[id.as_str()]),
            "{id} arrived {} times",
            times[id.as_str()]
        );
    }
    assert_eq!(times.len(), queued.len(), "nothing else arrived");
    println!("the delivery in flight at the kill arrived {} times", times[in_flight.as_str()]);
    let order: Vec<&str> = got.iter().map(|delivery| delivery.id.as_str()).collect();
    let mut deduped = order.clone();
    deduped.dedup();
    assert_eq!(deduped, queued, "in order, the repeat right after the original");
}

// ---- order, retry windows, concurrent changes and what the log tells ------------------------

#[tokio::test]
async fn an_old_delivery_sent_again_waits_while_a_newer_one_is_in_flight() {
    let app = spawn_delivering_app().await;
    let w = world(&app).await;
    let receiver = Receiver::start().await;
    let endpoint = register(&app, &w.alice, &receiver, "/one", None).await;
    let path = format!("/api/v1/webhooks/{endpoint}");
    let old = ok(&app, Method::POST, &format!("{path}/test"), &w.alice, None).await;
    let old_id = old["message_id"].as_str().unwrap().to_owned();
    receiver.wait_for("/one", SOON, |got| got.id == old_id).await;
    wait_for_log(&app, &w.alice, &endpoint, SOON, |log| log[0]["status"] == "delivered").await;

    // A newer event is in flight (the receiver takes its time) when the old one is sent again.
    receiver.plan("/one", Plan { delay: Duration::from_millis(1500), ..Plan::default() });
    let new = ok(&app, Method::POST, &format!("{path}/test"), &w.alice, None).await;
    let new_id = new["message_id"].as_str().unwrap().to_owned();
    let started = Instant::now();
    while !receiver.got("/one").iter().any(|got| got.id == new_id) {
        assert!(started.elapsed() < SOON, "the new event never arrived");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let resend = format!("{path}/deliveries/{}/resend", old["id"].as_str().unwrap());
    let (status, again) = app.call(Method::POST, &resend, Some(&w.alice), None).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{again}");

    let got = receiver.wait_for_count("/one", 3, Duration::from_secs(10)).await;
    let order: Vec<&str> = got.iter().map(|got| got.id.as_str()).collect();
    assert_eq!(order, [old_id.as_str(), new_id.as_str(), old_id.as_str()]);
    assert_eq!(receiver.most_in_flight("/one"), 1, "one delivery at a time per endpoint");
    app.stop().await;
}

/// Moves a delivery's queueing time back by years, as if it had waited that long.
async fn queued_long_ago(app: &TestApp, delivery: &Value) {
    sqlx::query("UPDATE webhook_deliveries SET created_at = $1 WHERE id = $2")
        .bind("2020-01-01T00:00:00.000000Z")
        .bind(delivery["id"].as_str().unwrap())
        .execute(app.store.pool())
        .await
        .unwrap();
}

#[tokio::test]
async fn the_retry_window_runs_from_the_first_attempt_not_from_queueing() {
    let app = spawn_delivering_app().await;
    let w = world(&app).await;
    let receiver = Receiver::start().await;
    let endpoint = register(&app, &w.alice, &receiver, "/behind", None).await;
    let path = format!("/api/v1/webhooks/{endpoint}");
    receiver.plan("/behind", Plan { always_fail: true, ..Plan::default() });
    let first = ok(&app, Method::POST, &format!("{path}/test"), &w.alice, None).await;
    let waiting = ok(&app, Method::POST, &format!("{path}/test"), &w.alice, None).await;
    let first_id = first["id"].as_str().unwrap().to_owned();
    wait_for_log(&app, &w.alice, &endpoint, SOON, |log| {
        log.iter().any(|delivery| delivery["id"] == first_id.as_str() && delivery["attempts"] == 1)
    })
    .await;
    // The second waited in line (here: for years) behind the failing first; its own first
    // attempt fails, and it is still retried.
    queued_long_ago(&app, &waiting).await;
    receiver.plan("/behind", Plan { fail_first_each: 1, ..Plan::default() });
    let deliveries = wait_for_log(&app, &w.alice, &endpoint, Duration::from_secs(10), |log| {
        log.iter().all(|delivery| delivery["status"] != "pending")
    })
    .await;
    let second = deliveries.iter().find(|delivery| delivery["id"] == waiting["id"]).unwrap();
    assert_eq!((&second["status"], &second["attempts"]), (&json!("delivered"), &json!(2)));

    // An old delivery sent again gets a window of its own too, not a single attempt.
    queued_long_ago(&app, &first).await;
    receiver.plan("/behind", Plan { always_fail: true, ..Plan::default() });
    let resend = format!("{path}/deliveries/{first_id}/resend");
    let (status, again) = app.call(Method::POST, &resend, Some(&w.alice), None).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{again}");
    let deliveries = wait_for_log(&app, &w.alice, &endpoint, SOON, |log| {
        log.iter().any(|delivery| {
            delivery["id"] == first_id.as_str() && delivery["last_status_code"] == 500
        })
    })
    .await;
    let resent = deliveries.iter().find(|delivery| delivery["id"] == first_id.as_str()).unwrap();
    assert_eq!(resent["status"], "pending", "tried again later: {resent}");
    receiver.plan("/behind", Plan::default());
    wait_for_log(&app, &w.alice, &endpoint, SOON, |log| {
        log.iter().all(|delivery| delivery["status"] == "delivered")
    })
    .await;
    let hook = ok(&app, Method::GET, &path, &w.alice, None).await;
    assert_eq!(hook["enabled"], true);
    app.stop().await;
}

#[tokio::test]
async fn concurrent_rotations_and_edits_lose_nothing_and_concurrent_creations_keep_the_cap() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let create = |n: usize| {
        let body = json!({ "url": format!("https://hooks.example.com/{n}") });
        app.call(Method::POST, "/api/v1/webhooks", Some(&w.alice), Some(body))
    };
    let (status, first) = create(0).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let endpoint = first["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/webhooks/{endpoint}");

    // Edits run while the secret is rotated, one rotation after the other: none of the edits
    // may write an older secret back.
    let edits = futures_util::future::join_all((0..4).map(|editor| {
        let (app, path, alice) = (&app, &path, &w.alice);
        async move {
            for n in 0..25 {
                let body = json!({ "description": format!("edit {editor}.{n}") });
                ok(app, Method::PATCH, path, alice, Some(body)).await;
            }
        }
    }));
    let rotations = async {
        let mut last = String::new();
        for _ in 0..15 {
            let rotate = format!("{path}/rotate-secret");
            let rotated = ok(&app, Method::POST, &rotate, &w.alice, None).await;
            last = rotated["secret"].as_str().unwrap().to_owned();
        }
        last
    };
    let (_, last) = tokio::join!(edits, rotations);
    let stored: String = sqlx::query_scalar("SELECT secret FROM webhook_endpoints WHERE id = $1")
        .bind(&endpoint)
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert!(stored == last, "the last rotation's secret was overwritten");

    // At most 20 endpoints, also when the last places are asked for at once.
    for n in 1..10 {
        assert_eq!(create(n).await.0, StatusCode::CREATED);
    }
    let answers = futures_util::future::join_all((10..30).map(create)).await;
    let statuses: Vec<StatusCode> = answers.iter().map(|(status, _)| *status).collect();
    let created = statuses.iter().filter(|status| **status == StatusCode::CREATED).count();
    assert_eq!(created, 10, "{statuses:?}");
    let expected = [StatusCode::CREATED, StatusCode::CONFLICT];
    assert!(statuses.iter().all(|status| expected.contains(status)), "{statuses:?}");
    let listed = ok(&app, Method::GET, "/api/v1/webhooks", &w.alice, None).await;
    assert_eq!(listed["webhooks"].as_array().map(Vec::len), Some(20), "{listed}");
    app.stop().await;
}

#[tokio::test]
async fn urls_with_credentials_are_refused_and_queries_stay_out_of_the_audit_log() {
    let app = spawn_app().await;
    let w = world(&app).await;
    for url in ["https://user:pass@hooks.example.com/in", "https://token@hooks.example.com/in"] {
        let (status, error) = app
            .call(Method::POST, "/api/v1/webhooks", Some(&w.alice), Some(json!({ "url": url })))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{url}: {error}");
        let message = error["error"]["message"].as_str().unwrap();
        assert!(message.starts_with("url: ") && message.contains("user:password@"), "{message}");
    }
    let url = "https://hooks.example.com/in?token=opensesame";
    let created =
        ok(&app, Method::POST, "/api/v1/webhooks", &w.alice, Some(json!({ "url": url }))).await;
    assert_eq!(created["url"], url, "the endpoint itself keeps its query");
    let path = format!("/api/v1/webhooks/{}", created["id"].as_str().unwrap());
    let (status, error) = app
        .call(
            Method::PATCH,
            &path,
            Some(&w.alice),
            Some(json!({ "url": "https://a:b@hooks.example.com/" })),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
    let body = json!({ "url": "https://hooks.example.com/v2?token=opensesame", "enabled": false });
    ok(&app, Method::PATCH, &path, &w.alice, Some(body)).await;
    let details: Vec<String> = sqlx::query_scalar(
        "SELECT detail FROM events WHERE action IN ('webhook.created', 'webhook.updated') \
         ORDER BY action",
    )
    .fetch_all(app.store.pool())
    .await
    .unwrap();
    assert_eq!(details.len(), 2, "{details:?}");
    assert!(details[0].contains("https://hooks.example.com/in"), "{details:?}");
    assert!(details[1].contains("https://hooks.example.com/v2"), "{details:?}");
    assert!(details.iter().all(|detail| !detail.contains("opensesame")), "{details:?}");
    app.stop().await;
}

#[tokio::test]
async fn the_delivery_log_says_why_an_attempt_failed_without_naming_internal_addresses() {
    // A name that resolves to this machine only (the host's own name, from /etc/hosts), on a
    // server that refuses private targets.
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
    let host = host.trim().to_owned();
    let loopback_only = match tokio::net::lookup_host((host.as_str(), 0)).await {
        Ok(found) => {
            let found: Vec<_> = found.collect();
            !found.is_empty() && found.iter().all(|address| address.ip().is_loopback())
        }
        Err(_) => false,
    };
    let receiver = Receiver::start().await;
    let port = receiver.base.rsplit(':').next().unwrap().to_owned();
    if loopback_only && !host.is_empty() && !host.eq_ignore_ascii_case("localhost") {
        let app = spawn_app_with(|config| config.delivery_poll_ms = 50).await;
        let w = world(&app).await;
        let url = format!("http://{host}:{port}/private");
        let created =
            ok(&app, Method::POST, "/api/v1/webhooks", &w.alice, Some(json!({ "url": url }))).await;
        let endpoint = created["id"].as_str().unwrap();
        ok(&app, Method::POST, &format!("/api/v1/webhooks/{endpoint}/test"), &w.alice, None).await;
        let deliveries =
            wait_for_log(&app, &w.alice, endpoint, SOON, |log| log[0]["last_error"].is_string())
                .await;
        assert_eq!(
            deliveries[0]["last_error"],
            "refused: the endpoint's host name does not resolve to a public address"
        );
        assert!(receiver.got("/private").is_empty());
        app.stop().await;
    } else {
        eprintln!("skipped the private name: {host:?} does not resolve to loopback only");
    }

    // A refused connection says so, without the address or the system's words.
    let app = spawn_delivering_app().await;
    let w = world(&app).await;
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/closed", closed.local_addr().unwrap());
    drop(closed);
    let created =
        ok(&app, Method::POST, "/api/v1/webhooks", &w.alice, Some(json!({ "url": url }))).await;
    let endpoint = created["id"].as_str().unwrap();
    ok(&app, Method::POST, &format!("/api/v1/webhooks/{endpoint}/test"), &w.alice, None).await;
    let deliveries =
        wait_for_log(&app, &w.alice, endpoint, SOON, |log| log[0]["last_error"].is_string()).await;
    let error = deliveries[0]["last_error"].as_str().unwrap();
    assert!(error.starts_with("could not connect"), "{error}");
    assert!(!error.contains("127.0.0.1") && !error.contains("os error"), "{error}");
    app.stop().await;
}
