//! Prometheus metrics at `/metrics`: what every request did (per face and route template),
//! how long pages took to render, and, sampled at each scrape, the database pool and the
//! backlogs of background work.
//!
//! Route labels are axum's route templates (`/api/v1/webhooks/{id}`), never the path itself,
//! so that no client can grow the number of series; a request no route matched (static files,
//! not found, refused by the guard) counts under `(fallback)`.

use std::sync::{Arc, OnceLock};
use std::time::Instant;

use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use futures_util::StreamExt;
use metrics::{counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use subtle::ConstantTimeEq;

use app::domain::clock;
use app::domain::store::operations;
use app::domain::store::Store;

/// Latency buckets in seconds, for every `…_seconds` histogram: from a cached read to a slow
/// page, so that replicas' histograms can be summed and quantiles read from them.
const BUCKETS: [f64; 12] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

/// The process-wide Prometheus recorder (the `metrics` facade has one recorder per process;
/// tests run several applications in one process, and they share it).
fn recorder() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &BUCKETS)
                .unwrap_or_else(|_| PrometheusBuilder::new());
            let handle = builder.install_recorder().unwrap_or_else(|error| {
                tracing::warn!(%error, "metrics are off: another recorder is installed");
                PrometheusBuilder::new().build_recorder().handle()
            });
            describe();
            handle
        })
        .clone()
}

fn describe() {
    describe_counter!("sharewell_http_requests_total", "HTTP requests answered");
    describe_histogram!(
        "sharewell_http_request_duration_seconds",
        metrics::Unit::Seconds,
        "Time from a request's arrival to its response's head"
    );
    describe_gauge!("sharewell_http_requests_in_flight", "HTTP requests being answered now");
    describe_histogram!(
        "sharewell_page_render_seconds",
        metrics::Unit::Seconds,
        "Time to render a server-side page, until its last byte"
    );
    describe_gauge!("sharewell_db_pool_connections", "Database connections open, by state");
    describe_gauge!("sharewell_db_pool_max_connections", "Most database connections allowed");
    describe_gauge!("sharewell_database_up", "Whether the backlog queries of the last scrape ran");
    describe_gauge!("sharewell_jobs_queued", "Background jobs not yet done (due or not)");
    describe_gauge!(
        "sharewell_jobs_oldest_due_age_seconds",
        metrics::Unit::Seconds,
        "How long the longest-waiting due job has been due"
    );
    describe_gauge!("sharewell_webhook_deliveries_pending", "Webhook deliveries still to send");
    describe_gauge!(
        "sharewell_webhook_oldest_pending_age_seconds",
        metrics::Unit::Seconds,
        "Age of the oldest webhook delivery still to send"
    );
    describe_gauge!("sharewell_emails_pending", "Emails waiting in the outbox");
    describe_gauge!(
        "sharewell_email_oldest_pending_age_seconds",
        metrics::Unit::Seconds,
        "Age of the oldest email waiting in the outbox"
    );
}

/// What the `/metrics` route needs.
#[derive(Clone)]
pub struct Monitoring {
    handle: PrometheusHandle,
    /// `--metrics-token`: when set, a scrape must send it as a bearer token.
    token: Option<Arc<str>>,
    store: Store,
}

impl Monitoring {
    pub fn new(store: Store, token: Option<&str>) -> Self {
        let token = token.map(str::trim).filter(|token| !token.is_empty()).map(Arc::from);
        Self { handle: recorder(), token, store }
    }
}

pub fn router<S>(monitoring: Monitoring) -> Router<S> {
    Router::new().route("/metrics", get(scrape)).with_state(monitoring)
}

async fn scrape(State(monitoring): State<Monitoring>, headers: HeaderMap) -> Response {
    if let Some(token) = &monitoring.token {
        if !bearer_matches(&headers, token) {
            let mut refusal =
                (StatusCode::UNAUTHORIZED, "a valid metrics token is required").into_response();
            refusal.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"metrics\""),
            );
            return refusal;
        }
    }
    sample(&monitoring.store).await;
    monitoring.handle.run_upkeep();
    let mut response = monitoring.handle.render().into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    response
}

/// Compares in constant time, so that the answer's timing tells nothing about how much of a
/// guess was right (only, as always, whether its length was).
fn bearer_matches(headers: &HeaderMap, token: &str) -> bool {
    let sent = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .unwrap_or_default()
        .trim();
    bool::from(sent.as_bytes().ct_eq(token.as_bytes()))
}

/// The gauges read at scrape time: the pool as it is now, and the backlogs in three cheap
/// queries. A database that does not answer leaves the backlog gauges as they were and says so.
async fn sample(store: &Store) {
    let pool = store.pool();
    let open = f64::from(pool.size());
    let idle = pool.num_idle() as f64;
    gauge!("sharewell_db_pool_connections", "state" => "idle").set(idle);
    gauge!("sharewell_db_pool_connections", "state" => "in_use").set((open - idle).max(0.0));
    gauge!("sharewell_db_pool_max_connections")
        .set(f64::from(pool.options().get_max_connections()));

    let now = time::OffsetDateTime::now_utc();
    match operations::backlog(store, &clock::format(now)).await {
        Ok(backlog) => {
            let age = |oldest: &Option<String>| {
                oldest
                    .as_deref()
                    .and_then(clock::parse)
                    .map_or(0.0, |then| (now - then).as_seconds_f64().max(0.0))
            };
            gauge!("sharewell_database_up").set(1.0);
            gauge!("sharewell_jobs_queued").set(backlog.jobs_queued as f64);
            gauge!("sharewell_jobs_oldest_due_age_seconds").set(age(&backlog.oldest_due_job));
            gauge!("sharewell_webhook_deliveries_pending").set(backlog.webhooks_pending as f64);
            gauge!("sharewell_webhook_oldest_pending_age_seconds")
                .set(age(&backlog.oldest_pending_webhook));
            gauge!("sharewell_emails_pending").set(backlog.emails_pending as f64);
            gauge!("sharewell_email_oldest_pending_age_seconds")
                .set(age(&backlog.oldest_pending_email));
        }
        Err(error) => {
            tracing::warn!(%error, "could not read the backlogs for a metrics scrape");
            gauge!("sharewell_database_up").set(0.0);
        }
    }
}

/// The route template a request matched, handed from inside the router (where axum knows it)
/// to [`track_requests`] outside it, in the response's extensions.
#[derive(Clone)]
struct RouteTemplate(Arc<str>);

/// Added with `Router::route_layer`, so it runs only for matched routes.
pub async fn remember_route(request: Request, next: Next) -> Response {
    let template = request.extensions().get::<MatchedPath>().map(|path| Arc::from(path.as_str()));
    let mut response = next.run(request).await;
    if let Some(template) = template {
        response.extensions_mut().insert(RouteTemplate(template));
    }
    response
}

/// Counts and times every request, and times the rendering of each server-side page until
/// its last byte is sent (the status line of a streamed page goes out before its data).
pub async fn track_requests(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let face = crate::faces::face_name(request.uri().path());
    let method = method_label(request.method());
    let _in_flight = InFlight::start(face);

    let response = next.run(request).await;

    let route = response.extensions().get::<RouteTemplate>().map(|route| route.0.clone());
    let route_label = route.as_deref().unwrap_or("(fallback)").to_owned();
    let status = response.status().as_u16().to_string();
    let labels = [("face", face.to_owned()), ("method", method.to_owned())];
    counter!(
        "sharewell_http_requests_total",
        &[labels[0].clone(), labels[1].clone(), ("route", route_label.clone()), ("status", status),]
    )
    .increment(1);
    histogram!(
        "sharewell_http_request_duration_seconds",
        &[labels[0].clone(), labels[1].clone(), ("route", route_label.clone()),]
    )
    .record(started.elapsed().as_secs_f64());

    let is_page = face == "web"
        && route.is_some()
        && response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.starts_with("text/html"));
    if !is_page {
        return response;
    }
    let (parts, body) = response.into_parts();
    let rendered = PageRendered { started, route: route_label };
    let body = body.into_data_stream().map(move |chunk| {
        let _until_the_body_is_dropped = &rendered;
        chunk
    });
    Response::from_parts(parts, Body::from_stream(body))
}

fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// Counts a request in flight until it is answered, also when its future is dropped halfway.
struct InFlight(&'static str);

impl InFlight {
    fn start(face: &'static str) -> Self {
        gauge!("sharewell_http_requests_in_flight", "face" => face).increment(1.0);
        Self(face)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        gauge!("sharewell_http_requests_in_flight", "face" => self.0).decrement(1.0);
    }
}

/// Records a page's render time when its body is dropped: sent to the end, or abandoned.
struct PageRendered {
    started: Instant,
    route: String,
}

impl Drop for PageRendered {
    fn drop(&mut self) {
        let route = std::mem::take(&mut self.route);
        histogram!("sharewell_page_render_seconds", "route" => route)
            .record(self.started.elapsed().as_secs_f64());
    }
}
