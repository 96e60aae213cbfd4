//! `make bench`: measures a release build of Sharewell beside a bare axum + sqlx handler doing
//! the same work on the same SQLite file, and prints one table.
//!
//! It seeds two databases (10k and, by default, 1M account shares, each with one recipient
//! and one resource) through the real domain for orgs, users and tokens and a bulk insert of
//! the same rows the domain writes for shares, starts `target/release/sharewell serve` on each
//! as a child process (so its memory is its own), and drives it from tokio tasks with a
//! keep-alive reqwest client. The bare handler runs in this process on the same file.
//!
//! Settings (environment): `BENCH_ROWS` (default 1000000), `BENCH_SMALL_ROWS` (10000),
//! `BENCH_SECS` per throughput figure (5), `BENCH_CONCURRENCY` (32), `BENCH_ROUNDS` of the
//! offer race (20), `BENCH_DIR` (target/bench), `BENCH_SERVER` (target/release/sharewell).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use app::domain::identity::service::{self as identity, NewUser};
use app::domain::identity::{Role, TokenScope};
use app::domain::ids::OrgId;
use app::domain::store::Store;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqlitePool};

type Failure = Box<dyn std::error::Error + Send + Sync>;

const PASSWORD: &str = "bench password 1";
const PER_PAGE: i64 = 20;

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[tokio::main]
async fn main() -> Result<(), Failure> {
    sqlx::any::install_default_drivers();
    let rows = setting("BENCH_ROWS", 1_000_000);
    let small_rows = setting("BENCH_SMALL_ROWS", 10_000);
    let secs = Duration::from_secs(setting("BENCH_SECS", 5));
    let concurrency = setting("BENCH_CONCURRENCY", 32) as usize;
    let rounds = setting("BENCH_ROUNDS", 20) as usize;
    let dir = PathBuf::from(std::env::var("BENCH_DIR").unwrap_or_else(|_| "target/bench".into()));
    let server_bin = PathBuf::from(
        std::env::var("BENCH_SERVER").unwrap_or_else(|_| "target/release/sharewell".into()),
    );
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let mut table = Table::default();
    eprintln!("bench: seeding {small_rows} and {rows} shares in {}", dir.display());

    let small = Seeded::create(&dir.join("small.db"), small_rows, 0).await?;
    let large = Seeded::create(&dir.join("large.db"), rows, 100).await?;
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(120))
        .build()?;

    // ---- the large database: hot path, writes, lists at 1M, memory, pages ----------------
    let server = Server::start(&server_bin, &large.path, &dir.join("large.log")).await?;
    let bare = start_bare(&large.path).await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    table.row("RSS idle", format!("{:.1} MB", server.rss_mb()), String::new());

    let share_path =
        format!("/client/v4/accounts/{}/shares/{}", large.owner.simple(), share_id_hex(rows / 2));
    let sw = load(&http, &server.url(&share_path), &large.token, None, concurrency, secs).await;
    let rss_get = server.rss_mb();
    let bare_get = load(&http, &bare.url(&share_path), &large.token, None, concurrency, secs).await;
    table.throughput("GET one account share", &sw, &bare_get);

    let create_path = format!("/client/v4/accounts/{}/shares", large.owner.simple());
    let body = json!({
        "name": "bench share",
        "recipients": [{ "account_id": large.partner.simple() }],
        "resources": [{ "resource_type": "custom-ruleset", "resource_id": "r-new",
                        "resource_account_id": large.owner.simple(), "meta": {} }],
    })
    .to_string();
    let sw =
        load(&http, &server.url(&create_path), &large.token, Some(&body), concurrency, secs).await;
    let bare_create =
        load(&http, &bare.url(&create_path), &large.token, Some(&body), concurrency, secs).await;
    table.throughput("create an account share", &sw, &bare_create);

    let lists_large = lists(&http, &server, &large, rows).await?;
    let bare_list =
        sequential(&http, &bare.url(&format!("{create_path}?per_page=20")), &large.token, 200)
            .await;
    let rss_lists = server.rss_mb();

    let ttfb = page_ttfb(&http, &server, &large).await?;
    let rss_pages = server.rss_mb();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_after = server.rss_mb();

    let offers = offer_race(&http, &server, &large, rounds).await?;
    server.stop();

    // ---- the small database: lists at 10k --------------------------------------------------
    let server = Server::start(&server_bin, &small.path, &dir.join("small.log")).await?;
    let lists_small = lists(&http, &server, &small, small_rows).await?;
    server.stop();

    for (name, at_small, at_large) in [
        ("list, first page, p99", lists_small.first, lists_large.first),
        ("list, deep page by cursor, p99", lists_small.cursor, lists_large.cursor),
        ("list, deep numbered page, p99", lists_small.numbered, lists_large.numbered),
        ("list, last numbered page, p99", lists_small.last, lists_large.last),
    ] {
        let ratio = match (at_small, at_large) {
            (Some(s), Some(l)) if s > 0.0 => format!("{:.2}×", l / s),
            _ => "n/a".into(),
        };
        table.row(
            name,
            format!(
                "{}: {} · {}: {} ({ratio})",
                count_label(small_rows),
                ms_or_na(at_small),
                count_label(rows),
                ms_or_na(at_large)
            ),
            String::new(),
        );
    }
    table.row(
        &format!("list, first page, bare keyset ({})", count_label(rows)),
        String::new(),
        format!("p99 {:.1} ms", bare_list.p99_ms()),
    );
    table.row(
        &format!("{} partners accepting one offer at once", offers.partners),
        format!(
            "p99 {:.1} ms; exactly one winner in {}/{} rounds",
            offers.latency.p99_ms(),
            offers.single_winner_rounds,
            offers.rounds
        ),
        String::new(),
    );
    table.row(
        &format!("/shared SSR page ({} shares)", count_label(rows)),
        format!(
            "TTFB p50 {:.1} ms, p99 {:.1} ms; {:.0} pages/s at c=8 ({} errors)",
            ttfb.sequential.p50_ms(),
            ttfb.sequential.p99_ms(),
            ttfb.parallel.per_second(),
            ttfb.parallel.errors
        ),
        String::new(),
    );
    table.row(
        "RSS",
        format!(
            "after GET load {rss_get:.1} MB; after lists {rss_lists:.1} MB; after pages {rss_pages:.1} MB; 2 s later {rss_after:.1} MB"
        ),
        String::new(),
    );
    for (label, figure) in bundle_rows() {
        table.row(&label, figure, String::new());
    }
    bare.stop();

    println!("{}", table.render(&machine()));
    Ok(())
}

fn count_label(rows: u64) -> String {
    match rows {
        n if n >= 1_000_000 && n % 1_000_000 == 0 => format!("{}M", n / 1_000_000),
        n if n >= 1_000 && n % 1_000 == 0 => format!("{}k", n / 1_000),
        n => n.to_string(),
    }
}

fn ms_or_na(value: Option<f64>) -> String {
    value.map_or_else(|| "n/a".into(), |v| format!("{v:.1} ms"))
}

// ---- seeding -------------------------------------------------------------------------------

struct Seeded {
    path: PathBuf,
    owner: OrgId,
    partner: OrgId,
    token: String,
    username: String,
}

/// The share id of row `n` of the bulk insert, as the Cloudflare face renders it.
fn share_id_hex(n: u64) -> String {
    format!("{n:08x}00007000a000{n:012x}")
}

impl Seeded {
    async fn create(path: &Path, rows: u64, salt: u64) -> Result<Self, Failure> {
        let url = format!("sqlite://{}", path.display());
        let store = Store::connect(&url).await?;
        store.migrate().await?;
        let owner = identity::create_org(&store, "Bench owner", None).await?.id;
        let partner = identity::create_org(&store, "Bench partner", None).await?.id;
        let username = format!("owner{salt}");
        let new_user = NewUser {
            org_id: owner,
            username: &username,
            email: &format!("{username}@bench.test"),
            password: PASSWORD,
            role: Role::Admin,
        };
        identity::create_user(&store, new_user).await?;
        let token =
            identity::create_token_for_username(&store, &username, "bench", TokenScope::default())
                .await?
                .secret;
        let started = Instant::now();
        let numbers = format!(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < {rows})"
        );
        let at =
            "strftime('%Y-%m-%dT%H:%M:%S', '2026-01-01', '+' || i || ' seconds') || '.000000Z'";
        let mut transaction = store.pool().begin().await?;
        sqlx::query(&format!(
            "{numbers} INSERT INTO account_shares (id, owner_org_id, face, name, reference, \
             target_type, status, expires_at, expiry_swept_at, created_by_user_id, created_at, \
             updated_at) SELECT printf('%08x-0000-7000-a000-%012x', i, i), $1, 'cloudflare', \
             'share ' || i, NULL, 'account', 'active', NULL, NULL, NULL, {at}, {at} FROM n"
        ))
        .bind(owner.to_string())
        .execute(&mut *transaction)
        .await?;
        sqlx::query(&format!(
            "{numbers} INSERT INTO account_share_recipients (id, share_id, org_id, \
             association_status, notified_at, created_at, updated_at) \
             SELECT printf('%08x-0000-7000-b000-%012x', i, i), \
             printf('%08x-0000-7000-a000-%012x', i, i), $1, 'associated', {at}, {at}, {at} FROM n"
        ))
        .bind(partner.to_string())
        .execute(&mut *transaction)
        .await?;
        sqlx::query(&format!(
            "{numbers} INSERT INTO account_share_resources (id, share_id, resource_type, \
             resource_id, resource_account_id, meta, version, status, created_at, updated_at) \
             SELECT printf('%08x-0000-7000-c000-%012x', i, i), \
             printf('%08x-0000-7000-a000-%012x', i, i), 'custom-ruleset', 'ruleset-' || i, $1, \
             '{{}}', 1, 'active', {at}, {at} FROM n"
        ))
        .bind(owner.simple().to_string())
        .execute(&mut *transaction)
        .await?;
        transaction.commit().await?;
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(store.pool()).await?;
        store.close().await;
        eprintln!("bench: {rows} shares seeded in {:.1} s", started.elapsed().as_secs_f64());
        Ok(Self { path: path.to_owned(), owner, partner, token, username })
    }
}

// ---- the server under test -----------------------------------------------------------------

struct Server {
    child: Child,
    address: String,
}

impl Server {
    async fn start(bin: &Path, database: &Path, log: &Path) -> Result<Self, Failure> {
        let port = free_port()?;
        let log = std::fs::File::create(log)?;
        let child = Command::new(bin)
            .arg("serve")
            .env("DATABASE_URL", format!("sqlite://{}", database.display()))
            .env("SHAREWELL_ADDR", format!("127.0.0.1:{port}"))
            // Every simulated partner comes from 127.0.0.1: the per-address limit on public
            // endpoints (offer answers) would otherwise turn the race into 429s.
            .env("SHAREWELL_PUBLIC_RATE_BURST", "100000")
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .map_err(|e| format!("cannot start {} (run `make bench`): {e}", bin.display()))?;
        let server = Self { child, address: format!("http://127.0.0.1:{port}") };
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(60) {
            if let Ok(answer) = reqwest::get(server.url("/healthz")).await {
                if answer.status().is_success() {
                    return Ok(server);
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err("the server did not become healthy within 60 s".into())
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    fn rss_mb(&self) -> f64 {
        rss_mb(self.child.id())
    }

    fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> Result<u16, Failure> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn rss_mb(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status.lines().find_map(|line| {
                line.strip_prefix("VmRSS:")
                    .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            })
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

// ---- load ------------------------------------------------------------------------------------

#[derive(Default)]
struct Latencies {
    samples: Vec<Duration>,
    errors: usize,
    first_error: Option<String>,
    elapsed: Duration,
}

impl Latencies {
    fn merge(&mut self, other: Latencies) {
        self.samples.extend(other.samples);
        self.errors += other.errors;
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
    }

    fn percentile_ms(&self, p: f64) -> f64 {
        if self.samples.is_empty() {
            return f64::NAN;
        }
        let mut sorted = self.samples.clone();
        sorted.sort();
        let index = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
        sorted[index].as_secs_f64() * 1000.0
    }

    fn p99_ms(&self) -> f64 {
        self.percentile_ms(0.99)
    }

    fn p50_ms(&self) -> f64 {
        self.percentile_ms(0.50)
    }

    fn per_second(&self) -> f64 {
        self.samples.len() as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

async fn send(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    body: Option<&str>,
) -> Result<(u16, String), String> {
    let request = match body {
        Some(body) => {
            http.post(url).header("content-type", "application/json").body(body.to_owned())
        }
        None => http.get(url),
    };
    let answer = request
        .header("authorization", format!("Bearer {token}"))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = answer.status().as_u16();
    let text = answer.text().await.map_err(|e| e.to_string())?;
    Ok((status, text))
}

/// `concurrency` tasks sending the same request back to back for `duration`.
async fn load(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    body: Option<&str>,
    concurrency: usize,
    duration: Duration,
) -> Latencies {
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (http, url, token, body) =
            (http.clone(), url.to_owned(), token.to_owned(), body.map(str::to_owned));
        tasks.push(tokio::spawn(async move {
            let mut own = Latencies::default();
            while Instant::now() < deadline {
                let sent = Instant::now();
                match send(&http, &url, &token, body.as_deref()).await {
                    Ok((status, _)) if status < 300 => own.samples.push(sent.elapsed()),
                    Ok((status, text)) => {
                        own.errors += 1;
                        own.first_error.get_or_insert(format!("{status} {text}"));
                    }
                    Err(error) => {
                        own.errors += 1;
                        own.first_error.get_or_insert(error);
                    }
                }
            }
            own
        }));
    }
    let mut all = Latencies::default();
    for task in tasks {
        if let Ok(own) = task.await {
            all.merge(own);
        }
    }
    all.elapsed = started.elapsed();
    if let Some(error) = &all.first_error {
        eprintln!("bench: {url}: {} errors, first: {error:.300}", all.errors);
    }
    all
}

/// Up to `count` requests one after another (latency without queueing), for at most about
/// 20 s.
async fn sequential(http: &reqwest::Client, url: &str, token: &str, count: usize) -> Latencies {
    let started = Instant::now();
    let mut all = Latencies::default();
    for done in 0..count {
        // A slow figure is clear from a few samples: at most 20 s each, at least 5 samples.
        if done >= 5 && started.elapsed() > Duration::from_secs(20) {
            break;
        }
        let sent = Instant::now();
        match send(http, url, token, None).await {
            Ok((status, _)) if status < 300 => all.samples.push(sent.elapsed()),
            Ok((status, text)) => {
                all.errors += 1;
                all.first_error.get_or_insert(format!("{status} {text}"));
            }
            Err(error) => {
                all.errors += 1;
                all.first_error.get_or_insert(error);
            }
        }
    }
    all.elapsed = started.elapsed();
    if let Some(error) = &all.first_error {
        eprintln!("bench: {url}: {} errors, first: {error:.300}", all.errors);
    }
    all
}

// ---- lists -----------------------------------------------------------------------------------

struct ListFigures {
    first: Option<f64>,
    cursor: Option<f64>,
    numbered: Option<f64>,
    last: Option<f64>,
}

/// p99 of 100 sequential reads of: the first page, a page in the middle reached by cursor,
/// the same middle page by number, and the last page by number.
async fn lists(
    http: &reqwest::Client,
    server: &Server,
    seeded: &Seeded,
    rows: u64,
) -> Result<ListFigures, Failure> {
    let base = server.url(&format!("/client/v4/accounts/{}/shares", seeded.owner.simple()));
    let token = &seeded.token;
    let pages = rows.div_ceil(PER_PAGE as u64).max(1);
    let middle = (pages / 2).max(1);
    let figure = |latencies: Latencies| (latencies.errors == 0).then(|| latencies.p99_ms());

    let first = figure(sequential(http, &format!("{base}?per_page={PER_PAGE}"), token, 100).await);
    let numbered_url = format!("{base}?per_page={PER_PAGE}&page={middle}");
    let numbered = figure(sequential(http, &numbered_url, token, 100).await);
    let last_url = format!("{base}?per_page={PER_PAGE}&page={pages}");
    let last = figure(sequential(http, &last_url, token, 30).await);

    // A cursor into the middle of the list, as a client holds it after paging that far.
    let (_, text) = send(http, &numbered_url, token, None).await?;
    let answer: Value = serde_json::from_str(&text).unwrap_or_default();
    let cursor = answer["result_info"]["cursor"].as_str().map(str::to_owned);
    let cursor = match cursor {
        Some(cursor) => {
            let url = format!("{base}?per_page={PER_PAGE}&cursor={cursor}");
            figure(sequential(http, &url, token, 100).await)
        }
        None => None,
    };
    Ok(ListFigures { first, cursor, numbered, last })
}

// ---- pages -----------------------------------------------------------------------------------

struct PageFigures {
    sequential: Latencies,
    parallel: Latencies,
}

/// Time to the response head of `/shared` for a signed-in admin, one at a time, then the
/// rate of full pages with 8 at a time.
async fn page_ttfb(
    http: &reqwest::Client,
    server: &Server,
    seeded: &Seeded,
) -> Result<PageFigures, Failure> {
    let answer = http
        .post(server.url("/login"))
        .header("origin", &server.address)
        .form(&[("username", seeded.username.as_str()), ("password", PASSWORD), ("next", "/")])
        .send()
        .await?;
    let cookie = answer
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .filter_map(|value| value.split(';').next())
        .filter(|pair| pair.starts_with("sharewell_session="))
        .map(str::to_owned)
        .next()
        .ok_or("signing in gave no session cookie")?;
    let url = server.url("/shared");
    let mut sequential = Latencies::default();
    let started = Instant::now();
    for _ in 0..50 {
        let sent = Instant::now();
        let answer = http.get(&url).header("cookie", &cookie).send().await?;
        let ok = answer.status().is_success();
        let head = sent.elapsed();
        let _ = answer.bytes().await?;
        if ok {
            sequential.samples.push(head);
        } else {
            sequential.errors += 1;
        }
    }
    sequential.elapsed = started.elapsed();

    let started = Instant::now();
    let deadline = started + Duration::from_secs(5);
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (http, url, cookie) = (http.clone(), url.clone(), cookie.clone());
        tasks.push(tokio::spawn(async move {
            let mut own = Latencies::default();
            while Instant::now() < deadline {
                let sent = Instant::now();
                match http.get(&url).header("cookie", &cookie).send().await {
                    Ok(answer) if answer.status().is_success() => {
                        let _ = answer.bytes().await;
                        own.samples.push(sent.elapsed());
                    }
                    _ => own.errors += 1,
                }
            }
            own
        }));
    }
    let mut parallel = Latencies::default();
    for task in tasks {
        if let Ok(own) = task.await {
            parallel.merge(own);
        }
    }
    parallel.elapsed = started.elapsed();
    Ok(PageFigures { sequential, parallel })
}

// ---- the offer race --------------------------------------------------------------------------

struct OfferFigures {
    partners: usize,
    rounds: usize,
    single_winner_rounds: usize,
    latency: Latencies,
}

/// Each round offers one new entity to 100 partners, then all of them accept at once.
async fn offer_race(
    http: &reqwest::Client,
    server: &Server,
    seeded: &Seeded,
    rounds: usize,
) -> Result<OfferFigures, Failure> {
    const PARTNERS: usize = 100;
    let store = Store::connect(&format!("sqlite://{}", seeded.path.display())).await?;
    let mut partners = Vec::new();
    for index in 0..PARTNERS {
        let org = identity::create_org(&store, &format!("Installer {index}"), None).await?.id;
        let username = format!("installer{index}");
        let new_user = NewUser {
            org_id: org,
            username: &username,
            email: &format!("{username}@bench.test"),
            password: PASSWORD,
            role: Role::Member,
        };
        identity::create_user(&store, new_user).await?;
        let token =
            identity::create_token_for_username(&store, &username, "bench", TokenScope::default())
                .await?
                .secret;
        partners.push((org.to_string(), token));
    }
    store.close().await;

    let mut figures = OfferFigures {
        partners: PARTNERS,
        rounds,
        single_winner_rounds: 0,
        latency: Latencies::default(),
    };
    for round in 0..rounds {
        let entity_id = format!("deal-{round}");
        let offers: Vec<Value> = partners
            .iter()
            .map(|(org, _)| {
                json!({ "partner_org_id": org,
                        "offered_entities": [{ "schema": "opportunity", "entity_id": entity_id }] })
            })
            .collect();
        let body = json!({ "offer": offers, "unoffer": [] }).to_string();
        let (status, text) =
            send(http, &server.url("/v1/sharing/entities:offer"), &seeded.token, Some(&body))
                .await?;
        if status >= 300 {
            return Err(format!("offering failed: {status} {text:.300}").into());
        }
        let start = Arc::new(tokio::sync::Barrier::new(PARTNERS));
        let mut tasks = Vec::new();
        for (org, token) in &partners {
            let body = json!({ "partner_org_id": org, "sharing_org_id": seeded.owner.to_string(),
                               "entity_id": entity_id })
            .to_string();
            let (http, url, token, start) = (
                http.clone(),
                server.url("/v1/sharing/offers:accept"),
                token.clone(),
                Arc::clone(&start),
            );
            tasks.push(tokio::spawn(async move {
                start.wait().await;
                let sent = Instant::now();
                let answer = send(&http, &url, &token, Some(&body)).await;
                (answer, sent.elapsed())
            }));
        }
        let mut winners = 0;
        for task in tasks {
            let (answer, took) = task.await?;
            figures.latency.samples.push(took);
            match answer {
                Ok((status, _)) if status < 300 => winners += 1,
                Ok((409, _)) => {}
                Ok((status, text)) => {
                    figures.latency.errors += 1;
                    figures.latency.first_error.get_or_insert(format!("{status} {text:.300}"));
                }
                Err(error) => {
                    figures.latency.errors += 1;
                    figures.latency.first_error.get_or_insert(error);
                }
            }
        }
        if winners == 1 {
            figures.single_winner_rounds += 1;
        }
    }
    if let Some(error) = &figures.latency.first_error {
        eprintln!("bench: offers: {} unexpected answers, first: {error}", figures.latency.errors);
    }
    Ok(figures)
}

// ---- the bare handler ------------------------------------------------------------------------

struct Bare {
    address: String,
    stop: tokio::sync::oneshot::Sender<()>,
}

impl Bare {
    fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    fn stop(self) {
        let _ = self.stop.send(());
    }
}

/// The same work as the Cloudflare face, written the shortest way on a plain `SqlitePool`:
/// a token lookup, then one statement per read (or one transaction per write).
async fn start_bare(database: &Path) -> Result<Bare, Failure> {
    let options = SqliteConnectOptions::new()
        .filename(database)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(5))
        .foreign_keys(true);
    let pool = SqlitePoolOptions::new().max_connections(8).connect_with(options).await?;
    let app = Router::new()
        .route("/client/v4/accounts/{account}/shares", get(bare_list).post(bare_create))
        .route("/client/v4/accounts/{account}/shares/{share}", get(bare_get))
        .with_state(pool);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = format!("http://{}", listener.local_addr()?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await;
    });
    Ok(Bare { address, stop })
}

struct BareError(StatusCode);

impl IntoResponse for BareError {
    fn into_response(self) -> Response {
        (self.0, axum::Json(json!({ "success": false }))).into_response()
    }
}

impl From<sqlx::Error> for BareError {
    fn from(_: sqlx::Error) -> Self {
        BareError(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

/// The caller's org (hyphenated), from the bearer token; it must be the account in the path.
async fn bare_caller(
    pool: &SqlitePool,
    headers: &HeaderMap,
    account: &str,
) -> Result<String, BareError> {
    let secret = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or(BareError(StatusCode::UNAUTHORIZED))?;
    let org: Option<String> = sqlx::query_scalar(
        "SELECT u.org_id FROM api_tokens t JOIN users u ON u.id = t.user_id \
         WHERE t.secret_hash = ? AND t.revoked_at IS NULL",
    )
    .bind(app::domain::identity::token_secret::digest(secret))
    .fetch_optional(pool)
    .await?;
    let org = org.ok_or(BareError(StatusCode::UNAUTHORIZED))?;
    if org.replace('-', "") != account {
        return Err(BareError(StatusCode::FORBIDDEN));
    }
    Ok(org)
}

fn hyphenated(simple: &str) -> Result<String, BareError> {
    uuid::Uuid::parse_str(simple)
        .map(|id| id.hyphenated().to_string())
        .map_err(|_| BareError(StatusCode::NOT_FOUND))
}

fn bare_share_json(row: &sqlx::sqlite::SqliteRow) -> Value {
    let id: String = row.get("id");
    let owner: String = row.get("owner_org_id");
    let parent: Option<String> = row.get("parent_id");
    json!({
        "id": id.replace('-', ""),
        "account_id": owner.replace('-', ""),
        "account_name": row.get::<String, _>("owner_name"),
        "organization_id": parent.unwrap_or_else(|| owner.clone()).replace('-', ""),
        "name": row.get::<String, _>("name"),
        "status": row.get::<String, _>("status"),
        "target_type": row.get::<String, _>("target_type"),
        "kind": "sent",
        "created": row.get::<String, _>("created_at"),
        "modified": row.get::<String, _>("updated_at"),
    })
}

const BARE_COLUMNS: &str = "s.id, s.owner_org_id, o.name AS owner_name, o.parent_id, s.name, \
     s.status, s.target_type, s.created_at, s.updated_at";

async fn bare_get(
    State(pool): State<SqlitePool>,
    UrlPath((account, share)): UrlPath<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, BareError> {
    let org = bare_caller(&pool, &headers, &account).await?;
    let row = sqlx::query(&format!(
        "SELECT {BARE_COLUMNS} FROM account_shares s JOIN orgs o ON o.id = s.owner_org_id \
         WHERE s.id = ? AND s.owner_org_id = ?"
    ))
    .bind(hyphenated(&share)?)
    .bind(&org)
    .fetch_optional(&pool)
    .await?
    .ok_or(BareError(StatusCode::NOT_FOUND))?;
    let body =
        json!({ "success": true, "errors": [], "messages": [], "result": bare_share_json(&row) });
    Ok(axum::Json(body).into_response())
}

async fn bare_list(
    State(pool): State<SqlitePool>,
    UrlPath(account): UrlPath<String>,
    headers: HeaderMap,
) -> Result<Response, BareError> {
    let org = bare_caller(&pool, &headers, &account).await?;
    let rows = sqlx::query(&format!(
        "SELECT {BARE_COLUMNS} FROM account_shares s JOIN orgs o ON o.id = s.owner_org_id \
         WHERE s.owner_org_id = ? AND s.face = 'cloudflare' ORDER BY s.created_at, s.id LIMIT ?"
    ))
    .bind(&org)
    .bind(PER_PAGE)
    .fetch_all(&pool)
    .await?;
    let result: Vec<Value> = rows.iter().map(bare_share_json).collect();
    let body = json!({ "success": true, "errors": [], "messages": [], "result": result });
    Ok(axum::Json(body).into_response())
}

async fn bare_create(
    State(pool): State<SqlitePool>,
    UrlPath(account): UrlPath<String>,
    headers: HeaderMap,
    body: String,
) -> Result<Response, BareError> {
    let org = bare_caller(&pool, &headers, &account).await?;
    let body: Value =
        serde_json::from_str(&body).map_err(|_| BareError(StatusCode::BAD_REQUEST))?;
    let name = body["name"].as_str().ok_or(BareError(StatusCode::BAD_REQUEST))?;
    let recipient = hyphenated(
        body["recipients"][0]["account_id"].as_str().ok_or(BareError(StatusCode::BAD_REQUEST))?,
    )?;
    let resource = &body["resources"][0];
    let now = app::domain::clock::now();
    let id = uuid::Uuid::now_v7().hyphenated().to_string();
    let mut transaction = pool.begin_with("BEGIN IMMEDIATE").await?;
    sqlx::query(
        "INSERT INTO account_shares (id, owner_org_id, face, name, target_type, status, \
         created_at, updated_at) VALUES (?, ?, 'cloudflare', ?, 'account', 'active', ?, ?)",
    )
    .bind(&id)
    .bind(&org)
    .bind(name)
    .bind(&now)
    .bind(&now)
    .execute(&mut *transaction)
    .await?;
    sqlx::query(
        "INSERT INTO account_share_recipients (id, share_id, org_id, association_status, \
         created_at, updated_at) VALUES (?, ?, ?, 'associating', ?, ?)",
    )
    .bind(uuid::Uuid::now_v7().hyphenated().to_string())
    .bind(&id)
    .bind(&recipient)
    .bind(&now)
    .bind(&now)
    .execute(&mut *transaction)
    .await?;
    sqlx::query(
        "INSERT INTO account_share_resources (id, share_id, resource_type, resource_id, \
         resource_account_id, meta, version, status, created_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?, 1, 'active', ?, ?)",
    )
    .bind(uuid::Uuid::now_v7().hyphenated().to_string())
    .bind(&id)
    .bind(resource["resource_type"].as_str().unwrap_or_default())
    .bind(resource["resource_id"].as_str().unwrap_or_default())
    .bind(resource["resource_account_id"].as_str().unwrap_or_default())
    .bind(resource["meta"].to_string())
    .bind(&now)
    .bind(&now)
    .execute(&mut *transaction)
    .await?;
    let row = sqlx::query(&format!(
        "SELECT {BARE_COLUMNS} FROM account_shares s JOIN orgs o ON o.id = s.owner_org_id \
         WHERE s.id = ?"
    ))
    .bind(&id)
    .fetch_one(&mut *transaction)
    .await?;
    transaction.commit().await?;
    let body =
        json!({ "success": true, "errors": [], "messages": [], "result": bare_share_json(&row) });
    Ok((StatusCode::CREATED, axum::Json(body)).into_response())
}

// ---- the table ---------------------------------------------------------------------------------

#[derive(Default)]
struct Table {
    rows: Vec<(String, String, String)>,
}

impl Table {
    fn row(&mut self, name: &str, sharewell: String, bare: String) {
        self.rows.push((name.to_owned(), sharewell, bare));
    }

    fn throughput(&mut self, name: &str, sharewell: &Latencies, bare: &Latencies) {
        let ratio = sharewell.per_second() / bare.per_second().max(1e-9);
        self.row(
            name,
            format!(
                "{:.0} req/s, p99 {:.1} ms ({:.2}× bare){}",
                sharewell.per_second(),
                sharewell.p99_ms(),
                ratio,
                errors_note(sharewell)
            ),
            format!(
                "{:.0} req/s, p99 {:.1} ms{}",
                bare.per_second(),
                bare.p99_ms(),
                errors_note(bare)
            ),
        );
    }

    fn render(&self, machine: &str) -> String {
        let mut out = format!("Sharewell bench — {machine}\n\n| figure | Sharewell | bare axum + sqlx |\n|---|---|---|\n");
        for (name, sharewell, bare) in &self.rows {
            out.push_str(&format!("| {name} | {sharewell} | {bare} |\n"));
        }
        out
    }
}

fn errors_note(latencies: &Latencies) -> String {
    if latencies.errors == 0 {
        String::new()
    } else {
        format!(" ({} errors)", latencies.errors)
    }
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines().find_map(|line| {
                line.strip_prefix("model name")
                    .map(|rest| rest.trim_start_matches([' ', '\t', ':']).to_owned())
            })
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|info| {
            info.lines().find_map(|line| {
                line.strip_prefix("MemTotal:")
                    .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            })
        })
        .map_or(0.0, |kb| kb / 1024.0 / 1024.0);
    format!("{cpu}, {cores} cores, {memory:.0} GB RAM, SQLite, release build")
}

/// What each first load fetches, raw and as its `.gz` and `.br` copies are served: the main
/// module (script, wasm, stylesheet and the loader of the lazily loaded modules), and with each
/// lazily loaded module and the modules it needs, as `frontend/site-assets.mjs` wrote them to
/// `target/site/first-load.json`.
fn bundle_rows() -> Vec<(String, String)> {
    let Ok(text) = std::fs::read_to_string("target/site/first-load.json") else {
        return vec![(
            "first load".into(),
            "n/a (no target/site/first-load.json: run `make site`)".into(),
        )];
    };
    let loads: serde_json::Map<String, Value> = serde_json::from_str(&text).unwrap_or_default();
    loads
        .iter()
        .map(|(label, sizes)| {
            let size = |i: usize| sizes.get(i).and_then(Value::as_u64).unwrap_or(0);
            let figure = format!("raw {} B · gzip {} B · brotli {} B", size(0), size(1), size(2));
            (format!("first load: {label}"), figure)
        })
        .collect()
}
