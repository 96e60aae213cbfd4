//! Prometheus metrics at `/metrics`: requests counted under their route template (never the
//! raw path), the sampled gauges present, and the optional bearer token enforced.
//!
//! The recorder is process-wide, so the tests in this file share it: each looks for series
//! that only its own requests make.

use crate::common;

use std::time::{Duration, Instant};

use app::domain::identity::Role;
use common::{spawn_app, spawn_app_with, TestApp};
use reqwest::Method;

async fn scrape(app: &TestApp, token: Option<&str>) -> (u16, String) {
    let mut request = reqwest::Client::new().get(app.url("/metrics"));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("scrape");
    let status = response.status().as_u16();
    (status, response.text().await.expect("body"))
}

/// The lines of a scrape about `metric` that carry every one of `labels`.
fn series<'a>(text: &'a str, metric: &str, labels: &[&str]) -> Vec<&'a str> {
    text.lines()
        .filter(|line| line.starts_with(metric))
        .filter(|line| labels.iter().all(|label| line.contains(label)))
        .collect()
}

/// The value of a sample line.
fn value(line: &str) -> f64 {
    line.rsplit(' ').next().and_then(|value| value.parse().ok()).expect("a sample value")
}

#[tokio::test]
async fn a_request_is_counted_and_timed_under_its_route_template_and_face() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    app.create_user(org, "alice", Role::Admin).await;
    let token = app.create_token("alice").await;
    let unknown_partner = "01a20000-0000-7000-8000-00000000beef";
    for _ in 0..3 {
        let path = format!("/v1/sharing/configurations/{unknown_partner}");
        let (status, _) = app.call(Method::GET, &path, Some(&token), None).await;
        assert_eq!(status, 404);
    }

    let (status, text) = scrape(&app, None).await;
    assert_eq!(status, 200);
    let route = r#"route="/v1/sharing/configurations/{partner_org_id}""#;
    let counted = series(
        &text,
        "sharewell_http_requests_total{",
        &[r#"face="epilot""#, r#"method="GET""#, route, r#"status="404""#],
    );
    assert_eq!(counted.len(), 1, "{text}");
    assert!(value(counted[0]) >= 3.0, "{}", counted[0]);
    let timed = series(&text, "sharewell_http_request_duration_seconds_bucket{", &[route]);
    assert!(!timed.is_empty(), "a histogram with buckets: {text}");
    assert!(!text.contains(unknown_partner), "raw paths never become labels");
    app.stop().await;
}

#[tokio::test]
async fn unmatched_paths_share_one_label_and_pages_are_timed_until_rendered() {
    let app = spawn_app().await;
    let (status, _) = app.call(Method::GET, "/no-such-page/x93412", None, None).await;
    assert_eq!(status, 404);
    let page = app.client.get(app.url("/login")).send().await.expect("login page");
    assert_eq!(page.status(), 200);
    page.text().await.expect("the whole page");

    // The render time is recorded when the server drops the page's body, just after the last
    // byte went out.
    let started = Instant::now();
    let text = loop {
        let (_, text) = scrape(&app, None).await;
        if !series(&text, "sharewell_page_render_seconds_count{", &[r#"route="/login""#]).is_empty()
        {
            break text;
        }
        assert!(started.elapsed() < Duration::from_secs(5), "no render time for /login: {text}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(!text.contains("x93412"), "raw paths never become labels");
    let fallback = series(
        &text,
        "sharewell_http_requests_total{",
        &[r#"face="web""#, r#"route="(fallback)""#, r#"status="404""#],
    );
    assert!(!fallback.is_empty(), "{text}");
    app.stop().await;
}

#[tokio::test]
async fn the_pool_and_backlog_gauges_are_sampled_at_each_scrape() {
    let app = spawn_app().await;
    let (status, _) = app.call(Method::GET, "/healthz", None, None).await;
    assert_eq!(status, 200);
    let (_, text) = scrape(&app, None).await;
    for metric in [
        "sharewell_db_pool_connections{state=\"idle\"}",
        "sharewell_db_pool_connections{state=\"in_use\"}",
        "sharewell_db_pool_max_connections ",
        "sharewell_database_up 1",
        "sharewell_jobs_queued ",
        "sharewell_jobs_oldest_due_age_seconds ",
        "sharewell_webhook_deliveries_pending ",
        "sharewell_webhook_oldest_pending_age_seconds ",
        "sharewell_emails_pending ",
        "sharewell_email_oldest_pending_age_seconds ",
        "sharewell_http_requests_in_flight{",
    ] {
        assert!(text.lines().any(|line| line.starts_with(metric)), "{metric} missing: {text}");
    }
    assert!(text.contains("# TYPE sharewell_http_requests_total counter"), "{text}");
    app.stop().await;
}

#[tokio::test]
async fn with_a_token_a_scrape_must_send_it() {
    let app = spawn_app_with(|config| config.metrics_token = Some("scrape-secret-42".into())).await;
    let (status, body) = scrape(&app, None).await;
    assert_eq!(status, 401);
    assert!(!body.contains("sharewell_"), "{body}");
    assert_eq!(scrape(&app, Some("scrape-secret-41")).await.0, 401);
    assert_eq!(scrape(&app, Some("scrape-secret-42-and-more")).await.0, 401);
    let (status, body) = scrape(&app, Some("scrape-secret-42")).await;
    assert_eq!(status, 200);
    assert!(body.contains("sharewell_db_pool_max_connections"), "{body}");
    app.stop().await;
}
