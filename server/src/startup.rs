use std::future::Future;
use std::net::SocketAddr;

use axum::extract::FromRef;
use axum::http::{HeaderName, Request, StatusCode};
use axum::Router;
use leptos::prelude::{provide_context, LeptosOptions};
use leptos_axum::{generate_route_list, LeptosRoutes};
use tokio::net::TcpListener;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::timeout::{ResponseBodyTimeoutLayer, TimeoutLayer};
use tower_http::trace::TraceLayer;
use tracing::info_span;

use app::domain::identity::password;
use app::domain::partners::OfferSettings;
use app::domain::store::{OpenError, Store};
use app::{shell, App, SITE_NAME};

use crate::config::Config;
use crate::jobs::{self, WorkerSettings};
use crate::sessions::SqlSessionStore;
use crate::throttle::{LoginThrottle, PublicRateLimit};
use crate::{api, csrf, faces, health, web};

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

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
}

/// State shared by every route: the axum handlers take what they need through `FromRef`,
/// server functions read the same values from the Leptos context.
#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub store: Store,
    pub login_throttle: LoginThrottle,
    pub public_limit: PublicRateLimit,
    pub offers: OfferSettings,
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

        let leptos_options = LeptosOptions::builder()
            .output_name(SITE_NAME)
            .site_root(config.site_root.to_string_lossy().into_owned())
            .site_pkg_dir("pkg")
            .site_addr(bound)
            .build();
        let offers = OfferSettings {
            ttl: time::Duration::days(config.offer_ttl_days.into()),
            open_accept: config.open_offer_accept,
        };
        let state =
            AppState { leptos_options, store: store.clone(), login_throttle, public_limit, offers };
        let router = router(state, sessions, &config);
        tracing::info!(addr = %bound, database = store.backend().name(), "sharewell is listening");
        let worker = config.worker.then(|| config.worker_settings());
        Ok(Self { listener, router, store, worker })
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
        let (stop_worker, stop) = tokio::sync::watch::channel(false);
        let worker = self.worker.map(|settings| jobs::spawn(self.store.clone(), settings, stop));
        let service = self.router.into_make_service_with_connect_info::<SocketAddr>();
        let result = axum::serve(self.listener, service).with_graceful_shutdown(shutdown).await;
        let _ = stop_worker.send(true);
        if let Some(worker) = worker {
            if let Err(error) = worker.await {
                tracing::error!(%error, "the background worker panicked");
            }
        }
        self.store.close().await;
        tracing::info!("sharewell stopped");
        result
    }
}

fn router(state: AppState, sessions: SqlSessionStore, config: &Config) -> Router {
    let routes = generate_route_list(App);
    let leptos_context = {
        let (store, offers) = (state.store.clone(), state.offers);
        move || {
            provide_context(store.clone());
            provide_context(offers);
        }
    };
    let render_shell = {
        let options = state.leptos_options.clone();
        move || shell(options.clone())
    };

    Router::new()
        .merge(health::router())
        .merge(web::router())
        .merge(api::router())
        .merge(faces::epilot::router())
        .merge(faces::puter::router())
        .merge(faces::zus::router())
        .merge(faces::enablenow::router())
        .merge(faces::cloudflare::router())
        .leptos_routes_with_context(&state, routes, leptos_context.clone(), render_shell)
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(leptos_context, shell))
        .with_state(state.clone())
        .layer(axum::middleware::from_fn(crate::server_fn_status::status_from_error))
        .layer(axum::middleware::from_fn_with_state(state.store.clone(), web::offer_page_status))
        .layer(axum::middleware::from_fn_with_state(
            state.public_limit.clone(),
            crate::throttle::limit_public_offer_pages,
        ))
        .layer(axum::middleware::from_fn(web::require_sign_in_for_pages))
        .layer(axum::middleware::from_fn(csrf::reject_cross_site_writes))
        .layer(sessions.layer(config.session_idle(), config.secure_cookies))
        // Layers run bottom-up on the way in: the request id is set first so that every log
        // line of the request, including the timeout and body-limit refusals, carries it.
        .layer(RequestBodyLimitLayer::new(config.max_body_bytes))
        // The timeout above ends at the status line; a streamed page that then stalls for as
        // long is cut off, so a connection is never held open forever (nor a shutdown).
        .layer(ResponseBodyTimeoutLayer::new(config.request_timeout()))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, config.request_timeout()))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
            let request_id = request
                .headers()
                .get(REQUEST_ID)
                .and_then(|value| value.to_str().ok())
                .unwrap_or_default();
            info_span!("request", id = %request_id, method = %request.method(), path = %request.uri().path())
        }))
        .layer(SetRequestIdLayer::new(REQUEST_ID, NewRequestId))
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
