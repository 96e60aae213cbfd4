//! Server functions answer a caller's mistake with a typed error and a 4xx status, never a
//! 500 and never a dropped connection.

use crate::common;

use app::domain::identity::Role;
use app::server_fns::AppError;
use common::{spawn_app, TestApp, PASSWORD};

/// Alice, admin of Acme, signed in; a partner org exists.
async fn signed_in(app: &TestApp) -> String {
    let acme = app.create_org("Acme").await;
    app.create_user(acme, "alice", Role::Admin).await;
    let partner = app.create_org("Installer GmbH").await;
    app.sign_in("alice", PASSWORD, "/").await;
    partner.to_string()
}

/// A refused call: its status and typed error, checked to be a 4xx.
async fn refused(app: &TestApp, name: &str, form: &[(&str, &str)]) -> (u16, AppError) {
    let (status, error) = app.server_fn_error(name, form).await;
    assert!(status.is_client_error(), "{name} {form:?}: {status} {error:?}");
    (status.as_u16(), error)
}

/// A server function, its form, and what the error names.
type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str);

fn is_invalid(error: &AppError) -> bool {
    matches!(error, AppError::Invalid { .. })
}

#[tokio::test]
async fn a_signed_out_caller_gets_401_and_the_signed_out_error() {
    let app = spawn_app().await;
    for (name, form) in [
        ("partners", vec![("search", ""), ("page", "1")]),
        ("tokens", vec![]),
        ("share_files", vec![("path", "/a"), ("recipients", "bob"), ("access", "read")]),
    ] {
        let (status, error) = refused(&app, name, &form).await;
        assert_eq!((status, error), (401, AppError::SignedOut), "{name}");
    }
    app.stop().await;
}

#[tokio::test]
async fn unknown_ids_are_404_with_what_was_not_found() {
    let app = spawn_app().await;
    signed_in(&app).await;
    let cases: [Case; 6] = [
        ("partner", &[("partner_org_id", "no-such-partner")], "partner configuration"),
        ("webhook", &[("id", "no-such-endpoint")], "webhook endpoint"),
        (
            "send_test_webhook",
            &[("id", "0192d0c4-7e1a-7000-8000-000000000000")],
            "webhook endpoint",
        ),
        ("revoke_token", &[("id", "not-an-id")], "token"),
        ("delete_role", &[("id", "12345678-no")], "template role"),
        ("withdraw_request", &[("id", "nope")], "share request"),
    ];
    for (name, form, what) in cases {
        let (status, error) = refused(&app, name, form).await;
        assert_eq!(status, 404, "{name}: {error:?}");
        assert_eq!(error, AppError::NotFound { what: what.to_owned() }, "{name}");
    }
    app.stop().await;
}

#[tokio::test]
async fn missing_and_unreadable_arguments_are_400_invalid() {
    let app = spawn_app().await;
    signed_in(&app).await;
    let cases: [(&str, &[(&str, &str)]); 6] = [
        ("partners", &[("search", "")]),
        ("partners", &[("search", ""), ("page", "two")]),
        ("partners", &[("search", ""), ("page", "-1")]),
        ("extend_share", &[("id", "x"), ("days", "1.5")]),
        ("extend_share", &[("id", "x"), ("days", "99999999999999999999999")]),
        ("create_token", &[]),
    ];
    for (name, form) in cases {
        let (status, error) = refused(&app, name, form).await;
        assert_eq!(status, 400, "{name} {form:?}: {error:?}");
        assert!(is_invalid(&error), "{name} {form:?}: {error:?}");
    }
    app.stop().await;
}

#[tokio::test]
async fn a_body_that_is_not_utf8_is_400_invalid() {
    let app = spawn_app().await;
    signed_in(&app).await;
    let response = app
        .client
        .post(app.url("/api/create_token"))
        .header("origin", &app.address)
        .header("accept", "application/json")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(b"name=\xff\xfe\xfd".to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let error: AppError = serde_json::from_str(&response.text().await.unwrap()).unwrap();
    assert!(is_invalid(&error), "{error:?}");
    let tokens = app.server_fn_ok("tokens", &[]).await;
    assert_eq!(tokens.as_array().map(Vec::len), Some(0), "nothing was created");
    app.stop().await;
}

#[tokio::test]
async fn a_value_outside_its_choices_is_400_naming_the_field() {
    let app = spawn_app().await;
    let partner = signed_in(&app).await;
    let cases: [Case; 8] = [
        ("set_webhook_enabled", &[("id", "x"), ("enabled", "maybe")], "enabled"),
        ("webhook_deliveries", &[("id", "x"), ("before", "yesterday")], "before"),
        ("create_webhook", &[("url", "http://127.0.0.1:9/hooks")], "url"),
        (
            "create_webhook",
            &[("url", "https://example.com/h"), ("events[0]", "share.eaten")],
            "events",
        ),
        ("answer_offer", &[("token", "some-token"), ("decision", "maybe")], "decision"),
        ("answer_request", &[("id", "x"), ("decision", "perhaps")], "status"),
        ("share_files", &[("path", "/a"), ("recipients", "bob"), ("access", "owner")], "access"),
        (
            "partner_user_limit",
            &[("partner_org_id", &partner), ("user_limit", "lots")],
            "user_limit",
        ),
    ];
    for (name, form, field) in cases {
        let (status, error) = refused(&app, name, form).await;
        assert_eq!(status, 400, "{name}: {error:?}");
        assert!(
            matches!(&error, AppError::Invalid { field: named, .. } if named == field),
            "{name}: {error:?}"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn huge_page_numbers_are_refused_or_answered_never_a_dropped_connection() {
    let app = spawn_app().await;
    signed_in(&app).await;
    for page in ["18446744073709551615", "9223372036854775807", "1000001"] {
        let (status, error) = refused(&app, "partners", &[("search", ""), ("page", page)]).await;
        assert_eq!(status, 400, "{page}: {error:?}");
        assert!(
            matches!(&error, AppError::Invalid { field, .. } if field == "page" || field == "arguments")
        );
        let form = [("tab", "sent"), ("kind", ""), ("q", ""), ("page", page)];
        let (status, _) = app.server_fn_error("shares", &form).await;
        assert_eq!(status, 400, "shares {page}");
    }
    let last: serde_json::Value =
        app.server_fn_ok("partners", &[("search", ""), ("page", "1000000")]).await;
    assert_eq!(last["partners"].as_array().map(Vec::len), Some(0), "past the end is empty");
    let form = [("tab", "sent"), ("kind", ""), ("q", ""), ("page", "9223372036854775807")];
    let view = app.server_fn_ok("org_shares", &form).await;
    assert_eq!(view["shares"].as_array().map(Vec::len), Some(0));
    app.stop().await;
}

#[tokio::test]
async fn extending_by_too_many_days_is_refused_before_anything_is_looked_up() {
    let app = spawn_app().await;
    signed_in(&app).await;
    let (status, error) = refused(&app, "extend_share", &[("id", "x"), ("days", "366")]).await;
    assert_eq!(status, 400);
    assert_eq!(error, AppError::invalid("days", "extend by 1 to 365 days"));
    app.stop().await;
}

/// Every server function the pages call, by name: read from the registry the server itself
/// routes by, so that a new one is covered without a list to keep.
fn endpoints() -> Vec<&'static str> {
    let mut names: Vec<&str> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.trim_start_matches("/api/"))
        .collect();
    names.sort_unstable();
    names
}

#[tokio::test]
async fn no_server_function_answers_500_to_missing_or_garbage_arguments() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    app.create_user(org, "mona", Role::Member).await;
    app.create_user(org, "alice", Role::Admin).await;
    let garbage = [
        ("id", "\u{7f}x"),
        ("page", "18446744073709551616"),
        ("days", "-9223372036854775809"),
        ("partner_org_id", "../../etc"),
        ("decision", "🙂"),
        ("access", ""),
        ("token", "%00"),
        ("tab", "x"),
        ("sort", "x"),
        ("dir", "sideways"),
        ("per_page", "-5"),
        ("expires_at", "tomorrow-ish"),
        ("kind", "x"),
        ("q", "x"),
        ("search", "x"),
        ("name", ""),
        ("path", ""),
        ("recipients", ""),
        ("schema", ""),
        ("entity_id", ""),
        ("user_limit", "-1"),
        ("username", ""),
        ("user_id", "x"),
        ("template_role_id", "x"),
        ("grants", "x y z w"),
        ("share", "x"),
        ("url", "gopher://[::1"),
        ("events[0]", "share.eaten"),
        ("description", "<script>alert(1)</script>"),
        ("enabled", "sometimes"),
        ("before", "../x"),
        ("delivery", "-1"),
        ("confirm", "yes"),
    ];
    let endpoints = endpoints();
    assert!(endpoints.len() > 60, "the registry lists the server functions: {endpoints:?}");
    assert!(endpoints.contains(&"share_files"), "{endpoints:?}");
    for (user, endpoint) in
        ["mona", "alice"].iter().flat_map(|u| endpoints.iter().map(|e| (*u, *e)))
    {
        if endpoint == endpoints[0] {
            app.sign_in(user, PASSWORD, "/").await;
        }
        for form in [&[][..], &garbage[..]] {
            let response = app.server_fn(endpoint, form).await;
            let status = response.status();
            let body = response.text().await.unwrap();
            assert!(status.as_u16() < 500, "{user} {endpoint} ({}): {status} {body}", form.len());
            if !status.is_success() {
                let error: Result<AppError, _> = serde_json::from_str(&body);
                assert!(error.is_ok(), "{endpoint}: not a typed error: {status} {body}");
            }
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn a_member_asking_for_the_audit_log_is_forbidden_with_403() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    app.create_user(org, "mona", Role::Member).await;
    app.sign_in("mona", PASSWORD, "/").await;
    let (status, error) = refused(&app, "audit_events", &[]).await;
    assert_eq!(status, 403);
    assert!(matches!(error, AppError::Forbidden { .. }), "{error:?}");
    app.stop().await;
}

#[tokio::test]
async fn answering_an_offer_already_declined_is_a_409_conflict() {
    let app = spawn_app().await;
    let partner = signed_in(&app).await;
    app.server_fn_ok("add_partner", &[("partner_org_id", &partner)]).await;
    app.server_fn_ok(
        "partner_offer",
        &[("partner_org_id", &partner), ("schema", "opportunity"), ("entity_id", "deal-8")],
    )
    .await;
    let detail = app.server_fn_ok("partner", &[("partner_org_id", &partner)]).await;
    let token = detail["config"]["offered_entities"][0]["link_token"].as_str().unwrap().to_owned();
    app.server_fn_ok("answer_offer", &[("token", &token), ("decision", "decline")]).await;
    let (status, error) =
        refused(&app, "answer_offer", &[("token", &token), ("decision", "accept")]).await;
    assert_eq!(status, 409, "{error:?}");
    assert!(matches!(error, AppError::Conflict { .. }), "{error:?}");
    app.stop().await;
}

#[tokio::test]
async fn the_webhook_form_saves_the_ticked_event_types_and_none_ticked_means_all() {
    let app = common::spawn_app_with(|config| config.allow_private_webhook_targets = true).await;
    signed_in(&app).await;
    let form = [
        ("url", "http://127.0.0.1:9/hooks"),
        ("description", "billing"),
        ("events[0]", "share.created"),
        ("events[5]", "offer.made"),
    ];
    let created = app.server_fn_ok("create_webhook", &form).await;
    assert_eq!(created["endpoint"]["events"], serde_json::json!(["share.created", "offer.made"]));
    assert!(created["secret"].as_str().is_some_and(|secret| secret.starts_with("whsec_")));
    let id = created["endpoint"]["id"].as_str().unwrap().to_owned();
    let form = [("id", id.as_str()), ("url", "http://127.0.0.1:9/other"), ("description", "")];
    let updated = app.server_fn_ok("update_webhook", &form).await;
    assert_eq!(updated["events"], serde_json::json!([]), "none ticked: every event type");
    assert_eq!(updated["url"], "http://127.0.0.1:9/other");
    let (status, error) = refused(&app, "delete_webhook", &[("id", &id)]).await;
    assert_eq!((status, error), (400, AppError::invalid("confirm", "confirm the deletion first")));
    app.stop().await;
}

#[tokio::test]
async fn a_readonly_user_sees_the_webhooks_and_may_change_none() {
    let app = common::spawn_app_with(|config| config.allow_private_webhook_targets = true).await;
    let acme = app.create_org("Acme").await;
    app.create_user(acme, "alice", Role::Admin).await;
    app.create_user(acme, "rita", Role::ReadOnly).await;
    app.sign_in("alice", PASSWORD, "/").await;
    let created = app.server_fn_ok("create_webhook", &[("url", "http://127.0.0.1:9/hooks")]).await;
    let id = created["endpoint"]["id"].as_str().unwrap().to_owned();
    app.sign_in("rita", PASSWORD, "/").await;
    let listed = app.server_fn_ok("webhooks", &[]).await;
    assert_eq!(listed.as_array().map(Vec::len), Some(1));
    app.server_fn_ok("webhook_deliveries", &[("id", &id)]).await;
    for (name, form) in [
        ("create_webhook", vec![("url", "http://127.0.0.1:9/more")]),
        ("send_test_webhook", vec![("id", id.as_str())]),
        ("rotate_webhook_secret", vec![("id", id.as_str())]),
        ("set_webhook_enabled", vec![("id", id.as_str()), ("enabled", "false")]),
        ("delete_webhook", vec![("id", id.as_str()), ("confirm", "yes")]),
    ] {
        let (status, error) = refused(&app, name, &form).await;
        assert_eq!(status, 403, "{name}: {error:?}");
    }
    app.stop().await;
}
