//! The sweep keeps the delivery tables from growing without end: finished webhook deliveries
//! and emails older than the retention period, and reminders of past expiries, are deleted;
//! anything pending or recent stays.

use crate::common;

use app::domain::jobs::{self, DELIVERY_RETENTION};
use app::domain::notifications::reminders::ReminderLeads;
use app::domain::notifications::targets::TargetPolicy;
use app::domain::notifications::{webhooks, NewWebhook};
use app::domain::{clock, identity::Face, identity::Role};

use common::{spawn_app_with, TestApp};

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(app.store.pool()).await.unwrap()
}

async fn exec(app: &TestApp, sql: &str, binds: &[&str]) {
    let mut query = sqlx::query(sql);
    for bind in binds {
        query = query.bind(*bind);
    }
    query.execute(app.store.pool()).await.unwrap();
}

#[tokio::test]
async fn old_finished_deliveries_emails_and_spent_reminders_are_pruned_and_the_rest_kept() {
    let app = spawn_app_with(|config| config.worker = false).await;
    let acme = app.create_org("Acme").await;
    let alice = app.create_user(acme, "alice", Role::Admin).await;
    let new = NewWebhook { url: "http://127.0.0.1:9/hook".to_owned(), ..NewWebhook::default() };
    let endpoint =
        webhooks::create(&app.store, &alice, Face::Api, TargetPolicy { allow_private: true }, &new)
            .await
            .unwrap();
    let endpoint = endpoint.endpoint.id.to_string();

    let old = clock::now_plus(-(DELIVERY_RETENTION + time::Duration::DAY));
    let recent = clock::now();
    for (status, at) in
        [("delivered", &old), ("failed", &old), ("pending", &old), ("delivered", &recent)]
    {
        exec(
            &app,
            "INSERT INTO webhook_deliveries (id, endpoint_id, event_type, payload, status, attempts, \
             next_attempt_at, created_at, updated_at) VALUES ($1, $2, 'webhook.test', '{}', $3, 1, $4, $4, $4)",
            &[&uuid::Uuid::now_v7().to_string(), &endpoint, status, at],
        )
        .await;
    }
    for (status, at) in [("sent", &old), ("skipped", &old), ("pending", &old), ("sent", &recent)] {
        exec(
            &app,
            "INSERT INTO outbox (id, user_id, kind, category, payload, dedupe_key, status, attempts, \
             next_attempt_at, created_at) VALUES ($1, $2, 'share.received', 'shares', '{}', $1, $3, 0, $4, $4)",
            &[&uuid::Uuid::now_v7().to_string(), &alice.user_id.to_string(), status, at],
        )
        .await;
    }
    let soon = clock::now_plus(time::Duration::DAY);
    for expires_at in [&old, &soon] {
        exec(
            &app,
            "INSERT INTO expiry_reminders (object_type, object_id, lead_seconds, expires_at, sent_at) \
             VALUES ('account_share', $1, 86400, $2, $2)",
            &[&uuid::Uuid::now_v7().to_string(), expires_at],
        )
        .await;
    }

    let report = jobs::sweep(&app.store, ReminderLeads::default(), 500).await.unwrap();
    assert_eq!(report.pruned, 5, "two deliveries, two emails, one reminder");
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM webhook_deliveries").await,
        2,
        "pending and recent stay"
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM outbox").await, 2);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM expiry_reminders").await, 1);
    let again = jobs::sweep(&app.store, ReminderLeads::default(), 500).await.unwrap();
    assert_eq!(again.pruned, 0);
    app.stop().await;
}
