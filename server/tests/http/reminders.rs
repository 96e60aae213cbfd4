//! Reminders before expiry: the owner and the recipient of an expiring account share
//! (EnableNow, Cloudflare) or pending partner offer hear once at each lead time, in-app, by
//! email (the outbox) and as a webhook event; a new expiry re-arms the reminders.

use crate::common;

use std::time::Duration;

use app::domain::identity::{Actor, Face, Role};
use app::domain::ids::OrgId;
use app::domain::notifications::reminders::{self, ReminderLeads};
use app::domain::notifications::targets::TargetPolicy;
use app::domain::notifications::{webhooks, NewWebhook};
use app::domain::partners::service as partners;
use common::{spawn_app_with, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::json;
use time::OffsetDateTime;

/// Acme shares and offers; Globex receives shares; Initech and Umbrella are partners.
struct Orgs {
    acme: OrgId,
    globex: OrgId,
    initech: OrgId,
    umbrella: OrgId,
    /// Acme's admin who makes the shares and offers.
    alice: Actor,
    alice_token: String,
}

async fn orgs(app: &TestApp) -> Orgs {
    let acme = app.create_org("Acme").await;
    let globex = app.create_org("Globex").await;
    let initech = app.create_org("Initech").await;
    let umbrella = app.create_org("Umbrella").await;
    let alice = app.create_user(acme, "alice", Role::Admin).await;
    for (org, name, role) in [
        (acme, "amy", Role::Admin),
        (globex, "gina", Role::Admin),
        (globex, "gus", Role::Member),
        (initech, "ivan", Role::Admin),
        (initech, "iris", Role::Member),
        (umbrella, "ursula", Role::Admin),
    ] {
        app.create_user(org, name, role).await;
    }
    Orgs { acme, globex, initech, umbrella, alice, alice_token: app.create_token("alice").await }
}

/// A moment `offset` from now, in the form the APIs and the database take.
fn from_now(offset: time::Duration) -> String {
    app::domain::clock::now_plus(offset)
}

async fn enablenow_share(app: &TestApp, o: &Orgs, reference: &str, expires_at: &str) -> String {
    let body = json!({
        "clientId": o.globex.to_string(),
        "reference": reference,
        "expirationDateUtc": expires_at,
    });
    let (status, created) =
        app.call(Method::POST, "/v1/shares", Some(&o.alice_token), Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created["data"].as_str().unwrap().to_owned()
}

/// A Cloudflare share (the face sets no expiry); returns its id as stored.
async fn cloudflare_share(app: &TestApp, o: &Orgs, name: &str) -> String {
    let body = json!({
        "name": name,
        "recipients": [{ "account_id": o.globex.simple() }],
        "resources": [{
            "resource_type": "custom-ruleset",
            "resource_id": "023e105f4ecef8ad9ca31a8372d0c353",
            "resource_account_id": o.acme.simple(),
            "meta": {},
        }],
    });
    let path = format!("/client/v4/accounts/{}/shares", o.acme.simple());
    let (status, created) = app.call(Method::POST, &path, Some(&o.alice_token), Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id: uuid::Uuid = created["result"]["id"].as_str().unwrap().parse().unwrap();
    id.to_string()
}

async fn offer(app: &TestApp, o: &Orgs, partner: &str, entity_id: &str) {
    let body = json!({
        "offer": [{ "partner_org_id": partner, "offered_entities": [{ "schema": "opportunity", "entity_id": entity_id }] }],
        "unoffer": [],
    });
    let (status, answer) = app
        .call(Method::POST, "/v1/sharing/entities:offer", Some(&o.alice_token), Some(body))
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
}

/// The id and link token of the offer of `entity_id` to `partner`.
async fn offer_row(app: &TestApp, partner: &str, entity_id: &str) -> (String, String) {
    sqlx::query_as(
        "SELECT o.id, o.link_token FROM entity_offers o \
         JOIN partner_configs c ON c.id = o.config_id JOIN resources r ON r.id = o.resource_id \
         WHERE c.partner_org_id = $1 AND r.external_id = $2",
    )
    .bind(partner)
    .bind(entity_id)
    .fetch_one(app.store.pool())
    .await
    .unwrap()
}

/// Sets an expiry where the face cannot (Cloudflare shares, offers, the past), as if it had
/// been set long ago: a reminder is due only for a lead that began after the expiry was set.
async fn set_expiry(app: &TestApp, table: &str, id: &str, expires_at: &str) {
    sqlx::query(&format!(
        "UPDATE {table} SET expires_at = $1, updated_at = '2020-01-01T00:00:00.000000Z' \
         WHERE id = $2"
    ))
    .bind(expires_at)
    .bind(id)
    .execute(app.store.pool())
    .await
    .unwrap();
}

async fn count(app: &TestApp, sql: &str, bind: &str) -> i64 {
    sqlx::query_scalar(sql).bind(bind).fetch_one(app.store.pool()).await.unwrap()
}

async fn count_events(app: &TestApp, action: &str) -> i64 {
    count(app, "SELECT COUNT(*) FROM events WHERE action = $1", action).await
}

/// The reminders `username` was shown in-app: (title, link), oldest first.
async fn reminders_of(app: &TestApp, username: &str) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT n.title, n.link FROM notifications n JOIN users u ON u.id = n.user_id \
         WHERE u.username = $1 AND n.kind IN ('share.expiring', 'offer.expiring') ORDER BY n.id",
    )
    .bind(username)
    .fetch_all(app.store.pool())
    .await
    .unwrap()
}

/// Reminder emails queued for `username` (email is off in these tests, so the mailer marks
/// them skipped at once: what counts is that they were queued).
async fn reminder_emails_of(app: &TestApp, username: &str) -> i64 {
    count(
        app,
        "SELECT COUNT(*) FROM outbox b JOIN users u ON u.id = b.user_id \
         WHERE u.username = $1 AND b.category = 'reminders'",
        username,
    )
    .await
}

/// Waits (up to 10 s, polling) until `action` was recorded `expected` times, then through a
/// few more sweeps, and checks that it stays at that.
async fn settles_at(app: &TestApp, action: &str, expected: i64) {
    for _ in 0..100 {
        if count_events(app, action).await >= expected {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(count_events(app, action).await, expected, "{action} over several sweeps");
}

/// Registers a webhook endpoint for `actor`'s org that takes the reminder events; nothing
/// listens there, and the test only looks at what was queued for it.
async fn endpoint_for(app: &TestApp, actor: &Actor) {
    let new = NewWebhook {
        url: "http://127.0.0.1:9/hook".to_owned(),
        events: Some(vec!["share.expiring".to_owned(), "offer.expiring".to_owned()]),
        description: None,
    };
    webhooks::create(&app.store, actor, Face::Api, TargetPolicy { allow_private: true }, &new)
        .await
        .unwrap();
}

/// Webhook deliveries of `event_type` queued for `org`'s endpoints, with the party each names.
async fn deliveries_to(app: &TestApp, org: OrgId, event_type: &str) -> Vec<String> {
    let events = app.queued_webhook_events(org, event_type).await;
    events.iter().map(|data| data["party"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn enablenow_and_cloudflare_shares_remind_owner_and_recipient_once_each() {
    let app = spawn_app_with(|config| config.sweep_interval_secs = 1).await;
    let o = orgs(&app).await;
    let gwen = app.create_user(o.globex, "gwen", Role::Admin).await;
    endpoint_for(&app, &o.alice).await;
    endpoint_for(&app, &gwen).await;

    let in_two_days = from_now(time::Duration::days(2));
    let enablenow = enablenow_share(&app, &o, "consents", &in_two_days).await;
    set_expiry(&app, "account_shares", &enablenow, &in_two_days).await;
    let cloudflare = cloudflare_share(&app, &o, "WAF rules").await;
    set_expiry(&app, "account_shares", &cloudflare, &in_two_days).await;

    settles_at(&app, "share.expiring", 2).await;
    let alice = reminders_of(&app, "alice").await;
    assert_eq!(alice.len(), 2, "the creator hears of each share once: {alice:?}");
    let titles: Vec<&str> = alice.iter().map(|(title, _)| title.as_str()).collect();
    let utc = |at: &str| format!("{} {} UTC", &at[..10], &at[11..16]);
    assert!(
        titles.contains(
            &format!("Your share “consents” expires in 2 days ({})", utc(&in_two_days)).as_str()
        ),
        "{titles:?}"
    );
    assert!(titles
        .iter()
        .any(|title| title.starts_with("Your share “WAF rules” expires in 2 days")));
    assert!(alice.iter().all(|(_, link)| link == "/shared?tab=sent&kind=resource"));
    assert_eq!(
        reminders_of(&app, "amy").await,
        [],
        "other admins are not told while the creator is active"
    );

    for admin in ["gina", "gwen"] {
        let heard = reminders_of(&app, admin).await;
        assert_eq!(heard.len(), 2, "{admin}: {heard:?}");
        assert!(heard[0].0.contains("shared with your organization by Acme, expires in 2 days"));
        assert_eq!(heard[0].1, "/shared?tab=received&kind=resource");
        assert_eq!(reminder_emails_of(&app, admin).await, 2);
    }
    assert_eq!(reminders_of(&app, "gus").await, [], "recipient members see it on the page");
    assert_eq!(reminder_emails_of(&app, "alice").await, 2);

    // Each side's webhooks hear of both, the owner as initiator, the recipient as counterparty.
    assert_eq!(deliveries_to(&app, o.acme, "share.expiring").await, ["initiator", "initiator"]);
    assert_eq!(
        deliveries_to(&app, o.globex, "share.expiring").await,
        ["counterparty", "counterparty"]
    );
    app.stop().await;
}

#[tokio::test]
async fn a_share_made_inside_its_leads_is_not_reminded_and_a_new_expiry_rearms_them() {
    let app = spawn_app_with(|config| config.worker = false).await;
    let o = orgs(&app).await;
    let leads = ReminderLeads::default();
    let sweep_at = |hours: i64| {
        let store = app.store.clone();
        async move {
            let moment = OffsetDateTime::now_utc() + time::Duration::hours(hours);
            reminders::sweep_at(&store, leads, 100, moment).await.unwrap()
        }
    };
    // EnableNow's shares last a day unless told otherwise: their makers chose that just now.
    let share = enablenow_share(&app, &o, "consents", &from_now(time::Duration::hours(22))).await;
    assert_eq!(sweep_at(0).await, 0, "made inside both leads: no reminder");
    let marked = count(&app, "SELECT COUNT(*) FROM expiry_reminders WHERE object_id = $1", &share);
    assert_eq!(marked.await, 2, "both leads are settled, so later sweeps skip them");
    assert_eq!(sweep_at(1).await, 0);
    assert_eq!(reminders_of(&app, "alice").await, []);

    // Extending the share through its face re-arms the reminders: the one-day lead begins
    // 38 hours later and reminds both sides then.
    let body = json!({ "expirationDateUtc": from_now(time::Duration::hours(62)) });
    let path = format!("/v1/shares/{share}");
    let (status, updated) = app.call(Method::PUT, &path, Some(&o.alice_token), Some(body)).await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(sweep_at(0).await, 0, "the three-day lead had begun when the expiry was set");
    assert_eq!(sweep_at(37).await, 0);
    assert_eq!(sweep_at(40).await, 1, "one day before the new expiry");
    let alice = reminders_of(&app, "alice").await;
    assert_eq!(alice.len(), 1, "{alice:?}");
    assert!(alice[0].0.starts_with("Your share “consents” expires tomorrow ("), "{alice:?}");
    assert_eq!(reminders_of(&app, "gina").await.len(), 1);
    assert_eq!(reminder_emails_of(&app, "gina").await, 1);
    app.stop().await;
}

#[tokio::test]
async fn reminders_fall_due_at_each_lead_as_time_passes_and_never_twice() {
    let app = spawn_app_with(|config| config.worker = false).await;
    let o = orgs(&app).await;
    let start = OffsetDateTime::now_utc();
    enablenow_share(&app, &o, "consents", &from_now(time::Duration::days(10))).await;
    let leads = ReminderLeads::default();
    let sweep_at = |days: f64| {
        let store = app.store.clone();
        async move {
            let moment = start + time::Duration::seconds_f64(days * 86_400.0);
            reminders::sweep_at(&store, leads, 100, moment).await.unwrap()
        }
    };

    assert_eq!(sweep_at(0.0).await, 0, "ten days before: nothing due");
    assert_eq!(sweep_at(6.9).await, 0);
    // Two sweeps at once (two replicas): one of them sends it.
    let (first, second) = tokio::join!(sweep_at(7.5), sweep_at(7.5));
    assert_eq!(first + second, 1, "three days before");
    assert_eq!(sweep_at(8.0).await, 0);
    assert_eq!(sweep_at(9.2).await, 1, "one day before");
    assert_eq!(sweep_at(9.9).await, 0);
    assert_eq!(sweep_at(10.5).await, 0, "expired: nothing more");
    assert_eq!(count_events(&app, "share.expiring").await, 2);
    let titles: Vec<String> =
        reminders_of(&app, "alice").await.into_iter().map(|(title, _)| title).collect();
    assert!(titles[0].contains("expires in 3 days"), "{titles:?}");
    assert!(titles[1].contains("expires in 19 hours"), "{titles:?}");

    // Leads in seconds, as short-lived deployments and tests use them.
    // Made with 45 s left, inside the 60 s lead: that one is skipped, the 10 s one is sent.
    let leads: ReminderLeads = "60s,10s".parse().unwrap();
    enablenow_share(&app, &o, "brief", &from_now(time::Duration::seconds(45))).await;
    let now = OffsetDateTime::now_utc();
    assert_eq!(reminders::sweep_at(&app.store, leads, 100, now).await.unwrap(), 0);
    let later = now + time::Duration::seconds(40);
    assert_eq!(reminders::sweep_at(&app.store, leads, 100, later).await.unwrap(), 1);
    app.stop().await;
}

#[tokio::test]
async fn an_offer_expiring_soon_reminds_the_offering_admin_and_the_partner() {
    let app = spawn_app_with(|config| config.sweep_interval_secs = 1).await;
    let o = orgs(&app).await;
    let ines = app.create_user(o.initech, "ines", Role::Admin).await;
    endpoint_for(&app, &o.alice).await;
    endpoint_for(&app, &ines).await;
    let (initech, umbrella) = (o.initech.to_string(), o.umbrella.to_string());
    offer(&app, &o, &initech, "deal-1").await;
    offer(&app, &o, &umbrella, "deal-2").await;
    offer(&app, &o, "prospect", "deal-3").await;
    // Initech has named its partner user; Umbrella has not (its admins hear instead).
    partners::add_partner_user(&app.store, &o.alice, Face::Web, &initech, "iris").await.unwrap();

    let in_two_days = from_now(time::Duration::days(2));
    let mut tokens = Vec::new();
    for (partner, entity) in [(&*initech, "deal-1"), (&*umbrella, "deal-2"), ("prospect", "deal-3")]
    {
        let (id, token) = offer_row(&app, partner, entity).await;
        set_expiry(&app, "entity_offers", &id, &in_two_days).await;
        tokens.push(token);
    }

    settles_at(&app, "offer.expiring", 3).await;
    let alice = reminders_of(&app, "alice").await;
    assert_eq!(alice.len(), 3, "{alice:?}");
    assert!(
        alice[0]
            .0
            .starts_with("Your offer of “opportunity deal-1” to partner Initech expires in 2 days"),
        "{alice:?}"
    );
    assert_eq!(alice[0].1, format!("/partners/{initech}"));
    assert_eq!(alice[2].1, "/partners/prospect");
    assert!(alice[2].0.contains("to partner prospect expires"), "not an org here: its id");

    let iris = reminders_of(&app, "iris").await;
    assert_eq!(iris.len(), 1, "{iris:?}");
    assert!(iris[0]
        .0
        .starts_with("Acme offered you “opportunity deal-1”; the offer expires in 2 days"));
    assert_eq!(iris[0].1, format!("/offers/{}", tokens[0]));
    assert_eq!(reminders_of(&app, "ivan").await, [], "the partner users hear, not every admin");
    let ursula = reminders_of(&app, "ursula").await;
    assert_eq!(ursula.len(), 1, "no partner users: the partner org's admins");
    assert_eq!(ursula[0].1, format!("/offers/{}", tokens[1]));
    assert_eq!(reminder_emails_of(&app, "iris").await, 1);

    assert_eq!(deliveries_to(&app, o.acme, "offer.expiring").await.len(), 3);
    assert_eq!(deliveries_to(&app, o.initech, "offer.expiring").await, ["counterparty"]);
    app.stop().await;
}

#[tokio::test]
async fn deleted_answered_expired_and_unexpiring_things_are_not_reminded_of() {
    let app = spawn_app_with(|config| config.sweep_interval_secs = 1).await;
    let o = orgs(&app).await;
    let in_two_days = from_now(time::Duration::days(2));
    let past = "2020-01-01T00:00:00.000000Z";

    let deleted = enablenow_share(&app, &o, "deleted", &in_two_days).await;
    let (status, _) = app
        .call(Method::DELETE, &format!("/v1/shares/{deleted}"), Some(&o.alice_token), None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let expired = cloudflare_share(&app, &o, "expired").await;
    set_expiry(&app, "account_shares", &expired, past).await;
    cloudflare_share(&app, &o, "never expires").await;

    let initech = o.initech.to_string();
    offer(&app, &o, &initech, "declined").await;
    let (declined, token) = offer_row(&app, &initech, "declined").await;
    partners::answer_offer_by_link(&app.store, &token, false).await.unwrap();
    set_expiry(&app, "entity_offers", &declined, &in_two_days).await;
    offer(&app, &o, &initech, "lapsed").await;
    let (lapsed, _) = offer_row(&app, &initech, "lapsed").await;
    set_expiry(&app, "entity_offers", &lapsed, past).await;
    offer(&app, &o, &initech, "accepted").await;
    let (accepted, token) = offer_row(&app, &initech, "accepted").await;
    partners::answer_offer_by_link(&app.store, &token, true).await.unwrap();
    set_expiry(&app, "entity_offers", &accepted, &in_two_days).await;

    // A share that is reminded of, to know the sweeps ran.
    let control = enablenow_share(&app, &o, "control", &in_two_days).await;
    set_expiry(&app, "account_shares", &control, &in_two_days).await;
    settles_at(&app, "share.expiring", 1).await;
    assert_eq!(count_events(&app, "offer.expiring").await, 0);
    let alice = reminders_of(&app, "alice").await;
    assert_eq!(alice.len(), 1, "{alice:?}");
    assert!(alice[0].0.contains("“control”"));
    app.stop().await;
}

#[test]
fn the_lead_times_come_from_a_flag_or_the_environment_and_bad_ones_stop_the_start() {
    use clap::Parser;
    use server::cli::{Cli, Command};

    let serve = |args: &[&str]| match Cli::try_parse_from(args) {
        Ok(Cli { command: Command::Serve(config) }) => Ok(config.reminder_leads.to_string()),
        Ok(other) => panic!("not serve: {other:?}"),
        Err(error) => Err(error.to_string()),
    };
    assert_eq!(serve(&["sharewell", "serve"]).unwrap(), "3d,1d", "the default");
    assert_eq!(serve(&["sharewell", "serve", "--reminder-leads", "30m, 2h"]).unwrap(), "2h,30m");
    let refused = serve(&["sharewell", "serve", "--reminder-leads", "3d,0s"]).unwrap_err();
    assert!(refused.contains("more than zero"), "{refused}");
    assert!(serve(&["sharewell", "serve", "--reminder-leads", "400d"]).is_err());

    let started = std::process::Command::new(env!("CARGO_BIN_EXE_sharewell"))
        .arg("serve")
        .env("SHAREWELL_REMINDER_LEADS", "1d,1d")
        .output()
        .unwrap();
    assert!(!started.status.success());
    let stderr = String::from_utf8_lossy(&started.stderr);
    assert!(
        stderr.contains("SHAREWELL_REMINDER_LEADS") || stderr.contains("reminder-leads"),
        "{stderr}"
    );
    assert!(stderr.contains("already given"), "{stderr}");
}
