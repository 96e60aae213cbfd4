//! Two replicas: two real `sharewell serve` processes on one PostgreSQL database, both running
//! the background worker and the senders, as behind a load balancer. They share everything
//! that lives in the database (offers, jobs, webhook deliveries, sessions) and keep only
//! sign-in throttling and the public rate limit in memory, each its own.
//!
//! Needs PostgreSQL: set `SHAREWELL_TEST_POSTGRES` (as for every HTTP test, see
//! `common::POSTGRES_SERVER`; `make postgres-tests` does). Without it each test says on the
//! terminal that it was skipped and why, then returns.

use crate::common;

use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::HeaderMap;
use common::process::{cli_json, org_with_admin, ServeProcess};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tokio::sync::Barrier;

const POSTGRES_SERVER: &str = "SHAREWELL_TEST_POSTGRES";

/// Two replicas serving one fresh database.
struct Replicas {
    database_url: String,
    a: ServeProcess,
    b: ServeProcess,
}

impl Replicas {
    /// `None`, after saying so on the terminal, when no PostgreSQL server is configured.
    async fn start(test: &str) -> Option<Self> {
        let Ok(server) = std::env::var(POSTGRES_SERVER) else {
            // Straight to the terminal: the test harness would hide a println of a passing test.
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED replicas::{test}: two replicas need one PostgreSQL database; \
                 set {POSTGRES_SERVER}=postgres://USER@HOST:PORT/postgres (make postgres-tests does)"
            );
            return None;
        };
        let database_url = fresh_database(&server).await;
        // Both start at once on the empty database: the migrations must not trip over each
        // other (sqlx takes an advisory lock on PostgreSQL).
        let env = [
            ("SHAREWELL_ALLOW_PRIVATE_WEBHOOK_TARGETS", "true"),
            ("SHAREWELL_DELIVERY_POLL_MS", "50"),
            // The offer rounds read and accept through the public endpoints, all from 127.0.0.1.
            ("SHAREWELL_PUBLIC_RATE_BURST", "10000"),
        ];
        let (a, b) = std::thread::scope(|scope| {
            let a = scope.spawn(|| ServeProcess::start(&database_url, &env));
            let b = scope.spawn(|| ServeProcess::start(&database_url, &env));
            (a.join().expect("replica a"), b.join().expect("replica b"))
        });
        Some(Self { database_url, a, b })
    }

    /// Replica `a` for even `n`, `b` for odd: the round robin of a load balancer.
    fn either(&self, n: usize) -> &ServeProcess {
        if n.is_multiple_of(2) {
            &self.a
        } else {
            &self.b
        }
    }
}

async fn fresh_database(server: &str) -> String {
    let name = format!("sharewell_replicas_{}", uuid::Uuid::now_v7().simple());
    let (base, _) = server.rsplit_once('/').expect("a postgres:// URL naming a database");
    let admin = app::domain::store::Store::connect(server).await.expect("PostgreSQL answers");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(admin.pool())
        .await
        .expect("create a database");
    admin.close().await;
    format!("{base}/{name}")
}

async fn call(
    replica: &ServeProcess,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = reqwest::Client::new().request(method, replica.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("an answer");
    let status = response.status();
    let text = response.text().await.expect("body");
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn ok(replica: &ServeProcess, method: Method, path: &str, token: &str, body: Value) -> Value {
    let (status, answer) = call(replica, method.clone(), path, Some(token), Some(body)).await;
    assert!(status.is_success(), "{method} {path} on {}: {status} {answer}", replica.address);
    answer
}

fn user(database_url: &str, org: &str, username: &str) -> String {
    cli_json(
        database_url,
        &[
            "user",
            "create",
            "--org",
            org,
            "--username",
            username,
            "--email",
            &format!("{username}@example.test"),
            "--password",
            common::PASSWORD,
            "--role",
            "admin",
        ],
    );
    let token = cli_json(database_url, &["token", "create", "--username", username]);
    token["token"].as_str().expect("token").to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_offer_accepted_through_both_replicas_at_once_has_exactly_one_winner() {
    let Some(replicas) = Replicas::start("offer").await else { return };
    let url = &replicas.database_url;
    let (sharing_org, alice) = org_with_admin(url, "Acme Energy", "alice");
    let (partner_a, _) = org_with_admin(url, "Installer A", "anna");
    let token_a = cli_json(url, &["token", "create", "--username", "anna"])["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let (partner_b, token_b) = org_with_admin(url, "Installer B", "bert");

    const ROUNDS: usize = 25;
    let mut winners = HashMap::new();
    for round in 0..ROUNDS {
        let entity = format!("deal-{round}");
        let offer = |partner: &str| {
            json!({ "partner_org_id": partner,
                    "offered_entities": [{ "schema": "opportunity", "entity_id": entity }] })
        };
        let body = json!({ "offer": [offer(&partner_a), offer(&partner_b)], "unoffer": [] });
        ok(replicas.either(round), Method::POST, "/v1/sharing/entities:offer", &alice, body).await;

        // Partner A through one replica, partner B through the other, released together.
        let barrier = Arc::new(Barrier::new(2));
        let accept = |replica: &ServeProcess, partner: &str, token: &str| {
            let body = json!({ "partner_org_id": partner, "sharing_org_id": sharing_org,
                               "entity_id": entity });
            let request = reqwest::Client::new()
                .post(replica.url("/v1/sharing/offers:accept"))
                .bearer_auth(token)
                .json(&body);
            let barrier = barrier.clone();
            async move {
                barrier.wait().await;
                request.send().await.expect("an answer").status().as_u16()
            }
        };
        let (first, second) =
            if round % 2 == 0 { (&replicas.a, &replicas.b) } else { (&replicas.b, &replicas.a) };
        let (status_a, status_b) =
            tokio::join!(accept(first, &partner_a, &token_a), accept(second, &partner_b, &token_b));
        let mut statuses = [status_a, status_b];
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 409], "round {round}: one winner, one told it lost");
        let winner = if status_a == 200 { "a" } else { "b" };
        *winners.entry(winner).or_insert(0) += 1;

        let status_path = format!(
            "/v1/sharing/offers/status?partner_org_id={partner_b}&sharing_org_id={sharing_org}&entity_id={entity}"
        );
        for replica in [&replicas.a, &replicas.b] {
            let (code, status) = call(replica, Method::GET, &status_path, None, None).await;
            assert_eq!(code, 200, "{status}");
            let expected = if winner == "b" { "ACCEPTED" } else { "UNAVAILABLE" };
            assert_eq!(status["offer_status"], expected, "round {round} on {}", replica.address);
        }
    }
    println!("winners over {ROUNDS} rounds: {winners:?}");
}

/// A webhook receiver on 127.0.0.1 that acknowledges everything and counts each `webhook-id`.
#[derive(Clone, Default)]
struct Receiver {
    got: Arc<Mutex<Vec<(String, Value)>>>,
}

impl Receiver {
    async fn start(&self) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hooks", listener.local_addr().unwrap());
        let got = self.got.clone();
        let router = axum::Router::new().fallback(move |headers: HeaderMap, body: String| {
            let got = got.clone();
            async move {
                let id = headers
                    .get("webhook-id")
                    .and_then(|value| value.to_str().ok())
                    .unwrap_or_default()
                    .to_owned();
                let body = serde_json::from_str(&body).unwrap_or(Value::Null);
                got.lock().unwrap().push((id, body));
                "ok"
            }
        });
        tokio::spawn(async move { axum::serve(listener, router).await });
        url
    }

    fn got(&self) -> Vec<(String, Value)> {
        self.got.lock().unwrap().clone()
    }

    fn of_type(&self, event_type: &str) -> usize {
        self.got().iter().filter(|(_, body)| body["type"] == event_type).count()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn each_job_and_each_webhook_is_done_once_when_two_replicas_work() {
    let Some(replicas) = Replicas::start("jobs_and_webhooks").await else { return };
    let url = &replicas.database_url;
    let holding = cli_json(url, &["org", "create", "--name", "Holding"]);
    let holding = holding["id"].as_str().unwrap();
    let acme = cli_json(url, &["org", "create", "--name", "Acme", "--parent", holding]);
    let acme = acme["id"].as_str().unwrap().to_owned();
    let globex = cli_json(url, &["org", "create", "--name", "Globex", "--parent", holding]);
    let globex = globex["id"].as_str().unwrap().replace('-', "");
    let alice = user(url, &acme, "alice");

    let receiver = Receiver::default();
    let hook_url = receiver.start().await;
    ok(&replicas.a, Method::POST, "/api/v1/webhooks", &alice, json!({ "url": hook_url })).await;
    let (_, endpoints) =
        call(&replicas.b, Method::GET, "/api/v1/webhooks", Some(&alice), None).await;
    let endpoint = endpoints["webhooks"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("the endpoint, listed by the other replica: {endpoints}"))
        .to_owned();

    // Each share queues one job (associating its recipient); each job's completion is one
    // `recipient.associated` event. Test events go out without a job.
    const SHARES: usize = 12;
    const TESTS: usize = 12;
    let shares_path = format!("/client/v4/accounts/{}/shares", acme.replace('-', ""));
    for n in 0..SHARES {
        let body = json!({
            "name": format!("Rules {n}"),
            "recipients": [{ "account_id": globex }],
            "resources": [{ "resource_type": "custom-ruleset", "resource_id": format!("{n:032x}"),
                            "resource_account_id": acme.replace('-', ""), "meta": {} }],
        });
        ok(replicas.either(n), Method::POST, &shares_path, &alice, body).await;
    }
    for n in 0..TESTS {
        let path = format!("/api/v1/webhooks/{endpoint}/test");
        ok(replicas.either(n), Method::POST, &path, &alice, json!({})).await;
    }

    let started = Instant::now();
    while receiver.of_type("recipient.associated") < SHARES
        || receiver.of_type("share.created") < SHARES
        || receiver
            .got()
            .iter()
            .filter(|(_, body)| {
                body["type"] != "recipient.associated" && body["type"] != "share.created"
            })
            .count()
            < TESTS
    {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "not everything arrived: {:#?}",
            receiver.got()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Long enough for a second sending of anything to arrive.
    tokio::time::sleep(Duration::from_millis(1500)).await;

    let got = receiver.got();
    let mut times: HashMap<&str, usize> = HashMap::new();
    for (id, _) in &got {
        assert!(!id.is_empty(), "every delivery has a webhook-id");
        *times.entry(id.as_str()).or_default() += 1;
    }
    let repeated: Vec<_> = times.iter().filter(|(_, count)| **count > 1).collect();
    assert!(repeated.is_empty(), "delivered more than once: {repeated:?}");
    assert_eq!(receiver.of_type("recipient.associated"), SHARES, "one per job");
    assert_eq!(got.len(), SHARES * 2 + TESTS, "{got:#?}");

    // In the database: every job done, each exactly once (one audit record per job's effect).
    let store = app::domain::store::Store::connect(url).await.unwrap();
    let jobs: Vec<(String, i64)> =
        sqlx::query_as("SELECT status, COUNT(*) FROM jobs GROUP BY status")
            .fetch_all(store.pool())
            .await
            .unwrap();
    assert_eq!(jobs, vec![("done".to_owned(), SHARES as i64)]);
    let associated: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM events WHERE action = 'share.recipient_associated'",
    )
    .fetch_one(store.pool())
    .await
    .unwrap();
    assert_eq!(associated, SHARES as i64);
    store.close().await;
}

/// Posts the login form to `replica` as its own page does; the session cookie it sets.
async fn sign_in(replica: &ServeProcess, username: &str, password: &str) -> (String, String) {
    let response = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(replica.url("/login"))
        .header("origin", &replica.address)
        .form(&[("username", username), ("password", password), ("next", "/overview")])
        .send()
        .await
        .expect("login");
    let location = common::location(&response);
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find_map(|value| {
            value.split(';').next().filter(|pair| pair.starts_with("sharewell_session="))
        })
        .unwrap_or_default()
        .to_owned();
    (location, cookie)
}

/// Whether `cookie` opens a signed-in page on `replica` (rather than sending to the login page).
async fn signed_in_on(replica: &ServeProcess, cookie: &str) -> bool {
    let response = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(replica.url("/overview"))
        .header("cookie", cookie)
        .send()
        .await
        .expect("overview");
    match response.status().as_u16() {
        200 => true,
        303 | 302 | 307 => false,
        other => panic!("unexpected {other} for /overview"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_session_made_on_one_replica_is_valid_on_the_other_until_it_ends_on_either() {
    let Some(replicas) = Replicas::start("sessions").await else { return };
    org_with_admin(&replicas.database_url, "Acme", "alice");
    let (location, cookie) = sign_in(&replicas.a, "alice", common::PASSWORD).await;
    assert_eq!(location, "/overview");
    assert!(!cookie.is_empty(), "a session cookie");
    assert!(signed_in_on(&replicas.a, &cookie).await);
    assert!(signed_in_on(&replicas.b, &cookie).await, "the other replica knows the session");

    let response = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(replicas.b.url("/logout"))
        .header("origin", &replicas.b.address)
        .header("cookie", &cookie)
        .send()
        .await
        .expect("logout");
    assert_eq!(response.status(), 303);
    assert!(!signed_in_on(&replicas.a, &cookie).await, "signed out on b, so on a too");
}

/// Sign-in throttling is kept in each replica's memory (see `server/src/throttle.rs`): a
/// guesser who is made to wait by one replica is not by the other. The README says so, and
/// that a load balancer's own limit on `/login` (or sticky sessions) covers the gap.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sign_in_throttling_is_kept_per_replica() {
    let Some(replicas) = Replicas::start("throttling").await else { return };
    org_with_admin(&replicas.database_url, "Acme", "alice");
    for _ in 0..5 {
        let (location, _) = sign_in(&replicas.a, "alice", "wrong password!").await;
        assert!(location.contains("error=invalid"), "{location}");
    }
    let (location, _) = sign_in(&replicas.a, "alice", "wrong password!").await;
    assert!(location.contains("error=throttled"), "a now makes the guesser wait: {location}");
    let (location, _) = sign_in(&replicas.b, "alice", "wrong password!").await;
    assert!(location.contains("error=invalid"), "b has counted nothing: {location}");
    let (location, cookie) = sign_in(&replicas.b, "alice", common::PASSWORD).await;
    assert_eq!(location, "/overview");
    assert!(signed_in_on(&replicas.a, &cookie).await);
}
