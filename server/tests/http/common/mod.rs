//! Test harness: a real Sharewell on a free port with its own temporary SQLite database.

pub mod process;

use std::net::SocketAddr;
use std::sync::Arc;

use app::domain::identity::{service as identity, Actor, Role, TokenScope};
use app::domain::ids::OrgId;
use app::domain::store::Store;
use app::server_fns::AppError;
use reqwest::cookie::{CookieStore, Jar};
use server::{Application, Config};
use tempfile::TempDir;
use tokio::sync::oneshot;

/// A test that waits longer than this for a response or a shutdown fails, showing what the
/// server printed, instead of hanging the whole run.
const RESPONSE_WITHIN: std::time::Duration = std::time::Duration::from_secs(60);
const STOP_WITHIN: std::time::Duration = std::time::Duration::from_secs(30);

fn http_client() -> reqwest::ClientBuilder {
    reqwest::Client::builder().timeout(RESPONSE_WITHIN)
}

/// The password every test user gets.
pub const PASSWORD: &str = "correct horse battery";

pub struct TestApp {
    pub address: String,
    pub store: Store,
    /// Keeps cookies between requests, like a browser; never follows redirects, so tests
    /// can look at them.
    pub client: reqwest::Client,
    pub cookies: Arc<Jar>,
    stop: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    _data: TempDir,
}

/// A SQLite database in `dir`, migrated up to (not including) `version` as one made by an
/// older Sharewell: for tests of what a migration does to the rows already there.
pub async fn sqlite_store_before(dir: &std::path::Path, version: i64) -> Store {
    let store = Store::connect(&format!("sqlite://{}/old.db", dir.display())).await.unwrap();
    let older = app::domain::store::MIGRATOR
        .iter()
        .filter(|m| m.version < version && !m.description.ends_with(" postgres"))
        .cloned()
        .collect();
    let before =
        sqlx::migrate::Migrator::new(app::domain::store::MigrationList(older)).await.unwrap();
    before.run(store.pool()).await.unwrap();
    store
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// A page as the client's session gets it; anything but 200 fails the test.
    pub async fn page(&self, path: &str) -> String {
        let response = self.client.get(self.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 200, "GET {path}");
        response.text().await.unwrap()
    }

    /// Stops the server gracefully and waits for it to finish.
    pub async fn stop(mut self) {
        self.shut_down().await;
    }

    async fn shut_down(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            tokio::time::timeout(STOP_WITHIN, server)
                .await
                .expect("the server did not stop in time: a response is still open")
                .expect("server task panicked")
                .expect("server failed");
        }
    }

    pub async fn create_org(&self, name: &str) -> OrgId {
        identity::create_org(&self.store, name, None).await.expect("org").id
    }

    pub async fn create_user(&self, org_id: OrgId, username: &str, role: Role) -> Actor {
        let new_user = identity::NewUser {
            org_id,
            username,
            email: &format!("{username}@example.test"),
            password: PASSWORD,
            role,
        };
        identity::create_user(&self.store, new_user).await.expect("user")
    }

    /// A fresh API token secret for `username`.
    pub async fn create_token(&self, username: &str) -> String {
        self.create_scoped_token(username, TokenScope::default()).await
    }

    /// A fresh API token secret for `username`, narrowed as `scope` says.
    pub async fn create_scoped_token(&self, username: &str, scope: TokenScope) -> String {
        identity::create_token_for_username(&self.store, username, "test", scope)
            .await
            .expect("token")
            .secret
    }

    /// Posts the login form the way a browser on our own page does.
    pub async fn sign_in(&self, username: &str, password: &str, next: &str) -> reqwest::Response {
        self.client
            .post(self.url("/login"))
            .header("origin", &self.address)
            .form(&[("username", username), ("password", password), ("next", next)])
            .send()
            .await
            .expect("login request")
    }

    /// The current value of the session cookie, if the client holds one.
    pub fn session_cookie(&self) -> Option<String> {
        let url = self.address.parse().expect("url");
        let header = self.cookies.cookies(&url)?;
        header
            .to_str()
            .ok()?
            .split("; ")
            .find_map(|pair| pair.strip_prefix("sharewell_session=").map(str::to_owned))
    }

    /// The `data` of every webhook event of `event_type` queued for `org`'s endpoints, oldest
    /// first: what was published, whether or not anything listens there.
    pub async fn queued_webhook_events(
        &self,
        org: OrgId,
        event_type: &str,
    ) -> Vec<serde_json::Value> {
        let payloads: Vec<String> = sqlx::query_scalar(
            "SELECT d.payload FROM webhook_deliveries d \
             JOIN webhook_endpoints e ON e.id = d.endpoint_id \
             WHERE e.org_id = $1 AND d.event_type = $2 ORDER BY d.id",
        )
        .bind(org.to_string())
        .bind(event_type)
        .fetch_all(self.store.pool())
        .await
        .unwrap();
        payloads
            .iter()
            .map(|payload| {
                serde_json::from_str::<serde_json::Value>(payload).unwrap()["data"].clone()
            })
            .collect()
    }

    /// `GET path` with a bearer token; the JSON answer of a request that must succeed.
    pub async fn get_json(&self, path: &str, secret: &str) -> serde_json::Value {
        let response = http_client()
            .build()
            .expect("http client")
            .get(self.url(path))
            .bearer_auth(secret)
            .send()
            .await
            .expect("request");
        assert!(response.status().is_success(), "GET {path}: {}", response.status());
        response.json().await.expect("a JSON body")
    }

    /// Any JSON call: status and JSON body (`null` when the body is empty or not JSON).
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        secret: Option<&str>,
        body: Option<serde_json::Value>,
    ) -> (reqwest::StatusCode, serde_json::Value) {
        let mut request =
            http_client().build().expect("http client").request(method, self.url(path));
        if let Some(secret) = secret {
            request = request.bearer_auth(secret);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request");
        let status = response.status();
        let text = response.text().await.expect("body");
        (status, serde_json::from_str(&text).unwrap_or(serde_json::Value::Null))
    }

    /// A server function call that must succeed; its JSON answer (`null` for none).
    pub async fn server_fn_ok(&self, name: &str, form: &[(&str, &str)]) -> serde_json::Value {
        let response = self.server_fn(name, form).await;
        let status = response.status();
        let body = response.text().await.expect("body");
        assert!(status.is_success(), "{name}: {status} {body}");
        serde_json::from_str(&body).unwrap_or(serde_json::Value::Null)
    }

    /// A server function call that must fail with a typed error below 500; the error's text.
    pub async fn server_fn_refused(&self, name: &str, form: &[(&str, &str)]) -> String {
        let (status, error) = self.server_fn_error(name, form).await;
        assert!(status.is_client_error(), "{name} should be refused with a 4xx: {status} {error}");
        error.to_string()
    }

    /// A server function call that must fail: its status and its decoded typed error.
    pub async fn server_fn_error(
        &self,
        name: &str,
        form: &[(&str, &str)],
    ) -> (reqwest::StatusCode, AppError) {
        let response = self.server_fn(name, form).await;
        let status = response.status();
        let body = response.text().await.expect("body");
        assert!(!status.is_success(), "{name} should fail: {status} {body}");
        let error = serde_json::from_str(&body)
            .unwrap_or_else(|e| panic!("{name}: not a typed error ({e}): {status} {body}"));
        (status, error)
    }

    /// Calls a server function as the hydrated page does (JSON back, same origin).
    pub async fn server_fn(&self, name: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(self.url(&format!("/api/{name}")))
            .header("origin", &self.address)
            .header("accept", "application/json")
            .form(form)
            .send()
            .await
            .expect("server function request")
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Like [`spawn_app`], with a chance to change the configuration first.
pub async fn spawn_app_with(configure: impl FnOnce(&mut Config)) -> TestApp {
    start(tempfile::tempdir().expect("temporary folder"), configure).await
}

impl TestApp {
    /// Stops the server and starts a new one on the same database, as after a restart.
    pub async fn restart_with(mut self, configure: impl FnOnce(&mut Config)) -> TestApp {
        self.shut_down().await;
        let data = tempfile::TempDir::new().expect("placeholder");
        let data = std::mem::replace(&mut self._data, data);
        start(data, configure).await
    }
}

/// Set to a PostgreSQL server's URL (`postgres://user@host:port/postgres`) to run the tests
/// against PostgreSQL, each app in a fresh database of its own; unset, each app gets a SQLite
/// file in its temporary folder.
const POSTGRES_SERVER: &str = "SHAREWELL_TEST_POSTGRES";

async fn start(data: TempDir, configure: impl FnOnce(&mut Config)) -> TestApp {
    let database_url = match std::env::var(POSTGRES_SERVER) {
        Ok(server) => fresh_postgres_database(&server, &data).await,
        Err(_) => format!("sqlite://{}/sharewell.db", data.path().display()),
    };
    let mut config = Config::new(SocketAddr::from(([127, 0, 0, 1], 0)), database_url);
    configure(&mut config);

    let application = Application::build(config).await.expect("application builds");
    let address = format!("http://127.0.0.1:{}", application.port());
    let store = application.store().clone();
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(application.run_until(async {
        let _ = stopped.await;
    }));

    let cookies = Arc::new(Jar::default());
    let client = http_client()
        .cookie_provider(cookies.clone())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http client");
    TestApp { address, store, client, cookies, stop: Some(stop), server: Some(server), _data: data }
}

/// A new empty database on the PostgreSQL server, named after the app's temporary folder so
/// that a restarted app finds its own again.
async fn fresh_postgres_database(server: &str, data: &TempDir) -> String {
    let name = format!(
        "sharewell_{}",
        data.path().file_name().unwrap().to_string_lossy().to_lowercase().replace(['.', '-'], "_")
    );
    let (base, _) = server.rsplit_once('/').expect("a postgres:// URL naming a database");
    let admin = Store::connect(server).await.expect("the PostgreSQL server answers");
    let exists: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pg_database WHERE datname = $1")
        .bind(&name)
        .fetch_one(admin.pool())
        .await
        .expect("list databases");
    if exists == 0 {
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(admin.pool())
            .await
            .expect("create a test database");
    }
    admin.close().await;
    format!("{base}/{name}")
}

/// The `Location` header of a redirect.
pub fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("location")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}
