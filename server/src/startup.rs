use std::future::Future;
use std::net::SocketAddr;
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{ConnectInfo, DefaultBodyLimit, FromRef, State};
use axum::http::{HeaderName, Method, Request};
use axum::response::Response;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use leptos::prelude::{provide_context, LeptosOptions};
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tower::ServiceExt;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::timeout::ResponseBodyTimeoutLayer;
use tower_http::trace::TraceLayer;
use tracing::info_span;

use app::domain::identity::password;
use app::domain::notifications::targets::TargetPolicy;
use app::domain::notifications::EmailAvailability;
use app::domain::partners::OfferSettings;
use app::domain::store::{OpenError, Store};
use app::{shell, App, SITE_NAME};

use crate::config::Config;
use crate::delivery::{self, DeliverySettings};
use crate::guard::{self, RequestLimits, ServedOverHttps};
use crate::jobs::{self, WorkerSettings};
use crate::mail::{self, MailSettings};
use crate::monitoring::{self, Monitoring};
use crate::sessions::SqlSessionStore;
use crate::throttle::{LoginThrottle, PublicRateLimit, TrustedProxies};
use crate::{access, api, assets, csrf, faces, health, web};

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// A client must send a request's whole head within this time, so that one that trickles its
/// headers cannot hold a connection (or a shutdown) for long.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a shutdown waits for the requests in flight before it closes their connections.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Database(#[from] OpenError),
    #[error("could not open the session store: {0}")]
    Sessions(sqlx::Error),
    #[error("could not listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
    #[error("the server stopped with an error: {0}")]
    Serve(std::io::Error),
    #[error("email is not configured right: {0}")]
    Mail(String),
}

/// State shared by every route: the axum handlers take what they need through `FromRef`,
/// server functions read the same values from the Leptos context. Cloned for every request
/// (by each extractor and stateful layer), so a clone is one reference count.
#[derive(Clone)]
pub struct AppState(Arc<AppStateInner>);

impl std::ops::Deref for AppState {
    type Target = AppStateInner;

    fn deref(&self) -> &AppStateInner {
        &self.0
    }
}

pub struct AppStateInner {
    pub leptos_options: LeptosOptions,
    pub store: Store,
    pub login_throttle: LoginThrottle,
    pub public_limit: PublicRateLimit,
    pub offers: OfferSettings,
    /// Where webhook endpoints may point.
    pub targets: TargetPolicy,
    /// Whether this server sends email.
    pub email: EmailAvailability,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

impl FromRef<AppState> for Store {
    fn from_ref(state: &AppState) -> Self {
        state.store.clone()
    }
}

/// A bound, migrated, ready-to-serve Sharewell.
pub struct Application {
    listener: TcpListener,
    router: Router,
    store: Store,
    /// `None` when this process does not run the background worker.
    worker: Option<WorkerSettings>,
    /// How the worker sends webhooks.
    delivery: DeliverySettings,
    /// How the worker sends email; `None` when email is off.
    mail: Option<MailSettings>,
}

impl Application {
    /// Opens and migrates the database, binds the listener and assembles the routes. The
    /// address may use port 0: [`Application::port`] tells which port was bound.
    pub async fn build(config: Config) -> Result<Self, StartError> {
        let store = Store::connect(&config.database.database_url).await?;
        store.migrate().await?;
        let sessions = SqlSessionStore::open(&store).await.map_err(StartError::Sessions)?;
        sessions.spawn_cleanup();
        let login_throttle = LoginThrottle::new();
        login_throttle.spawn_cleanup();
        let public_limit = PublicRateLimit::new(config.public_rate_burst);
        public_limit.spawn_cleanup();
        // Computed now rather than on the first failed sign-in, which would otherwise be slow.
        tokio::task::spawn_blocking(password::prepare);

        let listener = TcpListener::bind(config.addr)
            .await
            .map_err(|source| StartError::Bind { addr: config.addr, source })?;
        let bound = listener
            .local_addr()
            .map_err(|source| StartError::Bind { addr: config.addr, source })?;
        let mail = config.mail_settings(bound).map_err(StartError::Mail)?;

        // Hashed names when the site build wrote them; else the plain names (a site built
        // without them, or none at all as in the HTTP tests).
        let hashed = assets::HashedNames::read(&config.site_root);
        let leptos_options = LeptosOptions::builder()
            .output_name(SITE_NAME)
            .site_root(config.site_root.to_string_lossy().into_owned())
            .site_pkg_dir("pkg")
            .site_addr(bound)
            .hash_files(hashed.hash_file.is_some())
            .hash_file(
                hashed
                    .hash_file
                    .map_or_else(|| assets::HASH_FILE.into(), |path| path.to_string_lossy().into()),
            )
            .build();
        let offers = OfferSettings {
            ttl: time::Duration::days(config.offer_ttl_days.into()),
            open_accept: config.open_offer_accept,
        };
        let state = AppState(Arc::new(AppStateInner {
            leptos_options,
            store: store.clone(),
            login_throttle,
            public_limit,
            offers,
            targets: config.target_policy(),
            email: mail::availability(mail.as_ref()),
        }));
        let router = router(state, sessions, &config);
        tracing::info!(addr = %bound, database = store.backend().name(), "sharewell is listening");
        let worker = config.worker.then(|| config.worker_settings());
        Ok(Self { listener, router, store, worker, delivery: config.delivery_settings(), mail })
    }

    /// The database handle the application serves from (tests use it to set up data).
    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|addr| addr.port()).unwrap_or_default()
    }

    /// Serves until SIGINT or SIGTERM, then finishes the requests in flight.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Serves until `shutdown` completes, then finishes the requests in flight.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let (stop_worker, stop) = watch::channel(false);
        let mut workers = Vec::new();
        if let Some(settings) = self.worker {
            workers.push(jobs::spawn(self.store.clone(), settings, stop.clone()));
            workers.push(mail::spawn(
                self.store.clone(),
                self.mail,
                self.delivery.poll,
                stop.clone(),
            ));
            workers.push(delivery::spawn(self.store.clone(), self.delivery, stop).map_err(
                |error| {
                    std::io::Error::other(format!("could not start the webhook sender: {error}"))
                },
            )?);
        }
        serve(self.listener, self.router, shutdown).await;
        let _ = stop_worker.send(true);
        for worker in workers {
            if let Err(error) = worker.await {
                tracing::error!(%error, "a background worker panicked");
            }
        }
        self.store.close().await;
        tracing::info!("sharewell stopped");
        Ok(())
    }
}

/// Wakes the webhook and email senders once a request that may have changed something is
/// answered: its transaction has committed by then, so what it published goes out at once
/// instead of at the senders' next poll. A wake with nothing to send costs one read.
async fn wake_senders_after_writes(
    State(store): State<Store>,
    request: Request<Body>,
    next: axum::middleware::Next,
) -> Response {
    let writes = !matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let response = next.run(request).await;
    if writes && response.status().is_success() {
        store.deliveries_queued();
    }
    response
}

/// Accepts connections until `shutdown` completes, then lets each connection finish the
/// request it is answering (up to [`SHUTDOWN_GRACE`]). Serves HTTP/1.1 with a time limit on
/// reading a request's head, which `axum::serve` does not offer.
async fn serve(listener: TcpListener, router: Router, shutdown: impl Future<Output = ()>) {
    let (stop_connections, stop) = watch::channel(false);
    let mut shutdown = pin!(shutdown);
    loop {
        let (stream, client) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: wait rather than spin.
                    tracing::warn!(%error, "could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        tokio::spawn(serve_connection(stream, client, router.clone(), stop.clone()));
    }
    drop(listener);
    drop(stop);
    let _ = stop_connections.send(true);
    if tokio::time::timeout(SHUTDOWN_GRACE, stop_connections.closed()).await.is_err() {
        tracing::warn!("requests still in flight after the shutdown grace period: closing them");
    }
}

async fn serve_connection(
    stream: TcpStream,
    client: SocketAddr,
    router: Router,
    mut stop: watch::Receiver<bool>,
) {
    let service = hyper::service::service_fn(move |request: Request<Incoming>| {
        let mut request = request.map(Body::new);
        request.extensions_mut().insert(ConnectInfo(client));
        router.clone().oneshot(request)
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        // Above the guard's own limit, so that the guard answers in the face's shape.
        .max_headers(2 * guard::MAX_HEADERS);
    let mut connection = pin!(builder.serve_connection(TokioIo::new(stream), service));
    let finished = tokio::select! {
        result = connection.as_mut() => Some(result),
        _ = stop.wait_for(|stop| *stop) => None,
    };
    let result = match finished {
        Some(result) => result,
        None => {
            connection.as_mut().graceful_shutdown();
            connection.await
        }
    };
    if let Err(error) = result {
        tracing::debug!(%error, %client, "connection ended with an error");
    }
}

/// The app's routes, listed once per process. Listing them renders the app under leptos'
/// process-wide `SuppressResourceLoad` flag, and a Resource created anywhere in the process
/// meanwhile never runs its fetcher (leptos-rs/leptos#4773): listing them again while another
/// `Application` in the same process renders a page left that page hanging.
fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<AxumRouteListing>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

fn router(state: AppState, sessions: SqlSessionStore, config: &Config) -> Router {
    let routes = route_list();
    let leptos_context = {
        let (store, offers, targets) = (state.store.clone(), state.offers, state.targets);
        let email = state.email;
        let public_url = public_url(config);
        move || {
            provide_context(store.clone());
            provide_context(offers);
            provide_context(targets);
            provide_context(email);
            provide_context(public_url.clone());
        }
    };
    let render_shell = {
        let options = state.leptos_options.clone();
        move || shell(options.clone())
    };

    let limits =
        RequestLimits { max_body_bytes: config.max_body_bytes, timeout: config.request_timeout() };
    // The pages, their server functions and forms: the only routes a browser session reaches,
    // so the only ones that pay for the session, CSRF and sign-in layers.
    let pages = Router::new()
        .merge(web::router())
        .merge(access::router())
        .leptos_routes_with_context(&state, routes, leptos_context.clone(), render_shell)
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(
            leptos_context,
            shell,
        ))
        .layer(axum::middleware::from_fn(crate::server_fn_status::status_from_error))
        .layer(axum::middleware::from_fn(crate::server_fn_status::mark_form_success))
        .layer(axum::middleware::from_fn_with_state(
            state.public_limit.clone(),
            crate::throttle::limit_public_offer_pages,
        ))
        .layer(axum::middleware::from_fn(web::require_sign_in_for_pages))
        .layer(axum::middleware::from_fn(csrf::reject_cross_site_writes))
        .layer(sessions.layer(config.session_idle(), config.secure_cookies));
    // The JSON faces authenticate by bearer token alone and never read the session cookie, so
    // a forged cross-site request carries no authority there; with assets, health and
    // metrics they skip the page-only layers (the hot path of `GET` one share).
    Router::new()
        .merge(assets::router(&config.site_root))
        .merge(health::router())
        .merge(api::router())
        .merge(crate::openapi::router())
        .merge(faces::epilot::router())
        .merge(faces::puter::router())
        .merge(faces::zus::router())
        .merge(faces::enablenow::router())
        .merge(faces::cloudflare::router())
        .merge(monitoring::router(Monitoring::new(
            state.store.clone(),
            config.metrics_token.as_deref(),
        )))
        .merge(pages)
        // Every route above hands its template to `track_requests`; the fallback has none.
        .route_layer(axum::middleware::from_fn(monitoring::remember_route))
        .with_state(state.clone())
        .layer(axum::middleware::from_fn_with_state(state.store.clone(), wake_senders_after_writes))
        .layer(axum::Extension(TrustedProxies::new(&config.trusted_proxies)))
        // The guard reads the body within its limit; the extractors need no limit of their own.
        .layer(DefaultBodyLimit::disable())
        // Outside the middleware that read answers' bodies, so that they read them as written.
        .layer(assets::compress_large_json())
        // Layers run bottom-up on the way in: the request id is set first so that every log
        // line of the request, including the guard's refusals, carries it.
        // The guard's time limit ends at the status line; a streamed page that then stalls for
        // as long is cut off, so a connection is never held open forever (nor a shutdown).
        .layer(ResponseBodyTimeoutLayer::new(config.request_timeout()))
        .layer(axum::middleware::from_fn_with_state(limits, guard::guard))
        .layer(axum::middleware::from_fn_with_state(
            ServedOverHttps(config.secure_cookies),
            guard::security_headers,
        ))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        // Outside the guard, so that its refusals and time-outs are counted too.
        .layer(axum::middleware::from_fn(monitoring::track_requests))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
            let request_id = request
                .headers()
                .get(REQUEST_ID)
                .and_then(|value| value.to_str().ok())
                .unwrap_or_default();
            let path = loggable_path(request.uri().path());
            info_span!("request", id = %request_id, method = %request.method(), %path)
        }))
        .layer(SetRequestIdLayer::new(REQUEST_ID, NewRequestId))
        .layer(axum::middleware::from_fn(guard::drop_malformed_request_id))
}

/// Where pages say Sharewell is reached (offer links are shown whole): `--public-url` when it
/// is an http(s) URL, else the host of each request.
fn public_url(config: &Config) -> app::server_fns::PublicUrl {
    let configured = config
        .public_url
        .as_deref()
        .map(str::trim)
        .filter(|given| {
            url::Url::parse(given)
                .is_ok_and(|url| matches!(url.scheme(), "http" | "https") && url.has_host())
        })
        .map(|given| given.trim_end_matches('/').to_owned());
    app::server_fns::PublicUrl { configured, https: config.secure_cookies }
}

/// The path as logged: offer and set-password links are capabilities, so their secrets never
/// reach the logs.
fn loggable_path(path: &str) -> std::borrow::Cow<'_, str> {
    for prefix in ["/offers/", "/set-password/"] {
        if path.strip_prefix(prefix).is_some_and(|secret| !secret.is_empty()) {
            return format!("{prefix}[link secret]").into();
        }
    }
    path.into()
}

/// Request ids are UUIDv7, so they sort by arrival in the logs.
#[derive(Clone, Copy)]
struct NewRequestId;

impl MakeRequestId for NewRequestId {
    fn make_request_id<B>(&mut self, _: &Request<B>) -> Option<RequestId> {
        uuid::Uuid::now_v7().to_string().parse().ok().map(RequestId::new)
    }
}

async fn shutdown_signal() {
    let interrupt = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "could not listen for SIGINT");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "could not listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();

    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutdown signal received, finishing requests in flight");
}

#[cfg(test)]
mod tests {
    use super::loggable_path;

    #[test]
    fn link_secrets_are_left_out_of_logged_paths() {
        assert_eq!(loggable_path("/offers/abc123"), "/offers/[link secret]");
        assert_eq!(loggable_path("/set-password/abc123"), "/set-password/[link secret]");
        assert_eq!(loggable_path("/offers/"), "/offers/");
        assert_eq!(loggable_path("/partners/42"), "/partners/42");
    }
}
