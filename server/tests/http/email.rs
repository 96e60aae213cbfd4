//! Email over SMTP: who is mailed what, with working links, once per event, only for the
//! categories they keep on, retried while the relay is down, and never while email is off.
//! A small SMTP server in this file receives the messages.

use crate::common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use app::domain::clock;
use app::domain::identity::{Role, TokenScope};
use app::domain::store::notifications::{queue_email, NewEmail};
use common::{location, spawn_app, spawn_app_with, TestApp, PASSWORD};
use reqwest::Method;
use serde_json::{json, Value};
use server::{Application, Config, StartError};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// Waits of this long at most, polling every 50 ms.
const WITHIN: Duration = Duration::from_secs(30);

/// One message as the relay received it.
#[derive(Clone, Debug)]
struct Mail {
    to: Vec<String>,
    /// Headers and body as sent, dot-unstuffed.
    data: String,
}

impl Mail {
    fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next().unwrap_or_default();
        head.split("\r\n").find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name).then(|| value.trim().to_owned())
        })
    }

    fn subject(&self) -> String {
        self.header("Subject").unwrap_or_default()
    }

    /// The text/plain part, decoded.
    fn plain_text(&self) -> String {
        let start = self.data.find("Content-Type: text/plain").expect("a text/plain part");
        let part = &self.data[start..];
        let body_start = part.find("\r\n\r\n").expect("the part's body") + 4;
        let body = &part[body_start..];
        let boundary =
            self.data.split("boundary=\"").nth(1).and_then(|rest| rest.split('"').next());
        let end = boundary.and_then(|boundary| body.find(&format!("\r\n--{boundary}")));
        let body = &body[..end.unwrap_or(body.len())];
        quoted_printable(body)
    }
}

fn quoted_printable(text: &str) -> String {
    let joined = text.replace("=\r\n", "");
    let bytes = joined.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'=' && index + 2 < bytes.len() + 1 {
            if let Some(byte) = std::str::from_utf8(&bytes[index + 1..(index + 3).min(bytes.len())])
                .ok()
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
            {
                decoded.push(byte);
                index += 3;
                continue;
            }
        }
        decoded.push(bytes[index]);
        index += 1;
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

/// A relay on 127.0.0.1 that keeps every message it is given. `drop_next` connections are
/// closed before the greeting, as a relay that is down.
struct SmtpSink {
    port: u16,
    received: Arc<Mutex<Vec<Mail>>>,
    drop_next: Arc<AtomicUsize>,
    accepted: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl SmtpSink {
    async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let drop_next = Arc::new(AtomicUsize::new(0));
        let accepted = Arc::new(AtomicUsize::new(0));
        let task = tokio::spawn({
            let (received, drop_next, accepted) =
                (received.clone(), drop_next.clone(), accepted.clone());
            async move {
                while let Ok((stream, _)) = listener.accept().await {
                    accepted.fetch_add(1, Ordering::SeqCst);
                    let dropping = drop_next
                        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                        .is_ok();
                    if dropping {
                        drop(stream);
                        continue;
                    }
                    tokio::spawn(converse(stream, received.clone()));
                }
            }
        });
        Self { port, received, drop_next, accepted, task }
    }

    fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    fn messages(&self) -> Vec<Mail> {
        self.received.lock().unwrap().clone()
    }

    fn to(&self, username: &str) -> Vec<Mail> {
        let address = format!("{username}@example.test");
        self.messages().into_iter().filter(|mail| mail.to.contains(&address)).collect()
    }

    /// The messages to `username`, once there are at least `count`.
    async fn wait_for(&self, username: &str, count: usize) -> Vec<Mail> {
        let deadline = tokio::time::Instant::now() + WITHIN;
        loop {
            let mails = self.to(username);
            if mails.len() >= count {
                return mails;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{username} got {} emails, expected {count}: {:?}",
                mails.len(),
                self.messages().iter().map(|mail| (&mail.to, mail.subject())).collect::<Vec<_>>()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Speaks enough SMTP for one client: greeting, EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT.
/// Recipients whose address contains `bounce` do not exist.
async fn converse(stream: TcpStream, received: Arc<Mutex<Vec<Mail>>>) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    write.write_all(b"220 sink.test ESMTP ready\r\n").await?;
    let mut to = Vec::new();
    loop {
        let mut line = String::new();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_ascii_uppercase();
        let address = || {
            let start = line.find('<').map_or(0, |at| at + 1);
            let end = line.find('>').unwrap_or(line.len());
            line[start..end].to_owned()
        };
        let answer: &[u8] = if command.starts_with("EHLO") || command.starts_with("HELO") {
            b"250-sink.test\r\n250 8BITMIME\r\n"
        } else if command.starts_with("MAIL FROM") {
            to.clear();
            b"250 2.1.0 ok\r\n"
        } else if command.starts_with("RCPT TO") && command.contains("BOUNCE") {
            b"550 5.1.1 no such mailbox\r\n"
        } else if command.starts_with("RCPT TO") {
            to.push(address());
            b"250 2.1.5 ok\r\n"
        } else if command == "DATA" {
            write.write_all(b"354 end with <CRLF>.<CRLF>\r\n").await?;
            let mut data = String::new();
            loop {
                let mut line = String::new();
                if lines.read_line(&mut line).await? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" {
                    break;
                }
                data.push_str(
                    line.strip_prefix('.').filter(|_| line.starts_with("..")).unwrap_or(&line),
                );
            }
            received.lock().unwrap().push(Mail { to: std::mem::take(&mut to), data });
            b"250 2.0.0 queued\r\n"
        } else if command == "RSET" {
            to.clear();
            b"250 2.0.0 ok\r\n"
        } else if command == "NOOP" {
            b"250 2.0.0 ok\r\n"
        } else if command == "QUIT" {
            write.write_all(b"221 2.0.0 bye\r\n").await?;
            return Ok(());
        } else {
            b"502 5.5.2 not implemented\r\n"
        };
        write.write_all(answer).await?;
    }
}

async fn spawn_mailing_app(sink: &SmtpSink) -> TestApp {
    let url = sink.url();
    spawn_app_with(move |config| {
        config.smtp_url = Some(url);
        config.mail_from = Some("Sharewell <sharewell@example.test>".to_owned());
        config.delivery_poll_ms = 50;
    })
    .await
}

/// The outbox as (username, kind, status, attempts), oldest first.
async fn outbox(app: &TestApp) -> Vec<(String, String, String, i64)> {
    sqlx::query_as(
        "SELECT u.username, o.kind, o.status, o.attempts FROM outbox o \
         JOIN users u ON u.id = o.user_id ORDER BY o.created_at, o.id",
    )
    .fetch_all(app.store.pool())
    .await
    .unwrap()
}

/// Waits until no email is pending, then returns the outbox.
async fn settled(app: &TestApp) -> Vec<(String, String, String, i64)> {
    let deadline = tokio::time::Instant::now() + WITHIN;
    loop {
        let rows = outbox(app).await;
        if rows.iter().all(|(_, _, status, _)| status != "pending") {
            return rows;
        }
        assert!(tokio::time::Instant::now() < deadline, "emails still pending: {rows:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Acme (alice, admin) and the partner org Installer GmbH: pat (member) and paula (admin).
/// Alice is signed in, and Installer GmbH is her partner. Returns the partner org id.
async fn partner_setup(app: &TestApp) -> String {
    let acme = app.create_org("Acme").await;
    app.create_user(acme, "alice", Role::Admin).await;
    let partner = app.create_org("Installer GmbH").await;
    app.create_user(partner, "pat", Role::Member).await;
    app.create_user(partner, "paula", Role::Admin).await;
    app.sign_in("alice", PASSWORD, "/partners").await;
    let partner = partner.to_string();
    app.server_fn_ok("add_partner", &[("partner_org_id", &partner)]).await;
    partner
}

async fn offer(app: &TestApp, partner: &str, entity: &str) -> String {
    app.server_fn_ok(
        "partner_offer",
        &[("partner_org_id", partner), ("schema", "opportunity"), ("entity_id", entity)],
    )
    .await;
    let detail = app.server_fn_ok("partner", &[("partner_org_id", partner)]).await;
    detail["config"]["offered_entities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|offer| offer["entity_id"] == entity)
        .and_then(|offer| offer["link_token"].as_str())
        .unwrap()
        .to_owned()
}

/// The first absolute link in a text.
fn first_link(text: &str) -> String {
    let start = text.find("http://").expect("an absolute link");
    text[start..].split_whitespace().next().unwrap().to_owned()
}

#[tokio::test]
async fn an_offer_emails_the_partners_user_a_working_link_and_the_answer_reaches_the_offerer() {
    let sink = SmtpSink::start().await;
    let app = spawn_mailing_app(&sink).await;
    let partner = partner_setup(&app).await;
    app.server_fn_ok("partner_add_user", &[("partner_org_id", &partner), ("username", "pat")])
        .await;
    let token = offer(&app, &partner, "deal-7").await;

    let mail = sink.wait_for("pat", 1).await.remove(0);
    assert_eq!(mail.subject(), "Acme offers you opportunity deal-7");
    let text = mail.plain_text();
    let link = first_link(&text);
    assert_eq!(link, app.url(&format!("/offers/{token}")), "{text}");
    assert!(text.contains(&app.url("/account")), "the footer says where to turn it off: {text}");
    assert!(text.contains("offers"), "the footer names the category: {text}");
    assert!(mail.data.contains("Content-Type: text/html"), "an HTML alternative too");
    let id: String = sqlx::query_scalar(
        "SELECT o.id FROM outbox o JOIN users u ON u.id = o.user_id WHERE u.username = 'pat'",
    )
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert_eq!(mail.header("Message-ID").unwrap(), format!("<{id}@127.0.0.1>"));

    let stranger = reqwest::Client::new();
    let page = stranger.get(&link).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("Acme offers this to"));

    // Pat's configuration names him: the partner's admin is not mailed as well.
    let rows = settled(&app).await;
    assert!(sink.to("paula").is_empty(), "{rows:?}");

    app.server_fn_ok("answer_offer", &[("token", &token), ("decision", "decline")]).await;
    let answer = sink.wait_for("alice", 1).await.remove(0);
    assert_eq!(answer.subject(), "Installer GmbH declined your offer of opportunity deal-7");
    let link = first_link(&answer.plain_text());
    assert_eq!(link, app.url(&format!("/partners/{partner}")));
    app.stop().await;
}

#[tokio::test]
async fn an_offer_to_a_partner_without_named_users_goes_to_its_admins() {
    let sink = SmtpSink::start().await;
    let app = spawn_mailing_app(&sink).await;
    let partner = partner_setup(&app).await;
    let token = offer(&app, &partner, "deal-9").await;
    let mail = sink.wait_for("paula", 1).await.remove(0);
    assert!(mail.plain_text().contains(&app.url(&format!("/offers/{token}"))));
    settled(&app).await;
    assert!(sink.to("pat").is_empty(), "members are not mailed when admins are");
    app.stop().await;
}

#[tokio::test]
async fn one_event_never_mails_one_person_twice() {
    let sink = SmtpSink::start().await;
    let app = spawn_mailing_app(&sink).await;
    let partner = partner_setup(&app).await;
    app.server_fn_ok("partner_add_user", &[("partner_org_id", &partner), ("username", "pat")])
        .await;
    let token = offer(&app, &partner, "deal-7").await;
    sink.wait_for("pat", 1).await;
    // Offered again while pending: the same offer, the same link, no second email.
    assert_eq!(offer(&app, &partner, "deal-7").await, token);
    settled(&app).await;
    assert_eq!(sink.to("pat").len(), 1);

    // Declined, then offered anew: a new offer with a new link is a new event.
    app.server_fn_ok("answer_offer", &[("token", &token), ("decision", "decline")]).await;
    let again = offer(&app, &partner, "deal-7").await;
    assert_ne!(again, token);
    let mails = sink.wait_for("pat", 2).await;
    assert!(mails[1].plain_text().contains(&again));
    settled(&app).await;
    assert_eq!(sink.to("pat").len(), 2);
    assert_eq!(sink.to("alice").len(), 1, "one email for the one decline");
    app.stop().await;
}

/// alice and bob, members of Acme.
async fn colleagues(app: &TestApp) {
    let org = app.create_org("Acme").await;
    app.create_user(org, "alice", Role::Member).await;
    app.create_user(org, "bob", Role::Member).await;
}

#[tokio::test]
async fn a_file_share_an_access_request_and_its_answer_each_email_the_right_person() {
    let sink = SmtpSink::start().await;
    let app = spawn_mailing_app(&sink).await;
    colleagues(&app).await;
    app.sign_in("alice", PASSWORD, "/shared").await;
    app.server_fn_ok(
        "share_files",
        &[("path", "/alice/plan.pdf"), ("recipients", "bob"), ("access", "read")],
    )
    .await;
    let shared = sink.wait_for("bob", 1).await.remove(0);
    assert_eq!(shared.subject(), "alice shared /alice/plan.pdf with you");
    assert!(shared.plain_text().contains(&app.url("/shared?tab=received")));

    app.sign_in("bob", PASSWORD, "/requests").await;
    app.server_fn_ok("request_file", &[("path", "/alice/plan.pdf"), ("message", "edit?")]).await;
    let asked = sink.wait_for("alice", 1).await.remove(0);
    assert_eq!(asked.subject(), "bob asks for access to plan.pdf");

    app.sign_in("alice", PASSWORD, "/requests").await;
    let incoming = app.server_fn_ok("requests", &[("tab", "incoming")]).await;
    let id = incoming["requests"][0]["id"].as_str().unwrap().to_owned();
    app.server_fn_ok("answer_request", &[("id", &id), ("decision", "declined"), ("message", "")])
        .await;
    let answered = sink.wait_for("bob", 2).await.remove(1);
    assert_eq!(answered.subject(), "alice declined your request");
    settled(&app).await;
    assert_eq!(sink.messages().len(), 3);
    app.stop().await;
}

#[tokio::test]
async fn turning_a_category_off_stops_those_emails_but_not_others() {
    let sink = SmtpSink::start().await;
    let app = spawn_mailing_app(&sink).await;
    colleagues(&app).await;
    let bob = app.create_token("bob").await;
    let settings = app.get_json("/api/v1/account/email-settings", &bob).await;
    assert_eq!(settings["email_configured"], true);
    assert_eq!(settings["address"], "bob@example.test");
    assert!(settings["categories"].as_array().unwrap().iter().all(|c| c["on"] == true));

    let body = json!({ "categories": { "shares": false } });
    let (status, settings) =
        app.call(Method::PUT, "/api/v1/account/email-settings", Some(&bob), Some(body)).await;
    assert_eq!(status, 200, "{settings}");
    let on = |settings: &Value, name: &str| {
        settings["categories"].as_array().unwrap().iter().find(|c| c["category"] == name).unwrap()
            ["on"]
            .clone()
    };
    assert_eq!(on(&settings, "shares"), false);
    assert_eq!(on(&settings, "requests"), true);

    app.sign_in("alice", PASSWORD, "/shared").await;
    app.server_fn_ok(
        "share_files",
        &[("path", "/alice/plan.pdf"), ("recipients", "bob"), ("access", "read")],
    )
    .await;
    app.sign_in("bob", PASSWORD, "/requests").await;
    app.server_fn_ok("request_file", &[("path", "/alice/plan.pdf"), ("message", "")]).await;
    app.sign_in("alice", PASSWORD, "/requests").await;
    let incoming = app.server_fn_ok("requests", &[("tab", "incoming")]).await;
    let id = incoming["requests"][0]["id"].as_str().unwrap().to_owned();
    app.server_fn_ok("answer_request", &[("id", &id), ("decision", "declined"), ("message", "")])
        .await;

    let mails = sink.wait_for("bob", 1).await;
    settled(&app).await;
    let subjects: Vec<String> = sink.to("bob").iter().map(Mail::subject).collect();
    assert_eq!(subjects, ["alice declined your request"], "no email of the share: {mails:?}");
    let notices = {
        app.sign_in("bob", PASSWORD, "/notifications").await;
        app.server_fn_ok("notifications", &[]).await
    };
    assert!(
        notices.to_string().contains("alice shared /alice/plan.pdf with you"),
        "still in the app"
    );
    app.stop().await;
}

#[tokio::test]
async fn email_settings_refuse_unknown_categories_and_save_from_a_plain_form() {
    let app = spawn_app().await;
    colleagues(&app).await;
    let bob = app.create_token("bob").await;
    for body in [
        json!({ "categories": { "spam": false } }),
        json!({ "categories": {} }),
        json!({ "categories": { "shares": "no" } }),
        json!({}),
    ] {
        let (status, answer) =
            app.call(Method::PUT, "/api/v1/account/email-settings", Some(&bob), Some(body)).await;
        assert_eq!(status, 400, "{answer}");
        assert!(answer["error"]["message"].is_string(), "{answer}");
    }

    let reader =
        app.create_scoped_token("bob", TokenScope { read_only: true, expires_in_days: None }).await;
    let (status, _) =
        app.call(Method::GET, "/api/v1/account/email-settings", Some(&reader), None).await;
    assert_eq!(status, 200, "a read-only token may look");
    let body = json!({ "categories": { "shares": false } });
    let (status, answer) =
        app.call(Method::PUT, "/api/v1/account/email-settings", Some(&reader), Some(body)).await;
    assert_eq!(status, 403, "but not change: {answer}");

    app.sign_in("bob", PASSWORD, "/account").await;
    let page = app.client.get(app.url("/account")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Email is off on this server"), "{page}");
    assert!(page.contains(r#"name="offers""#), "{page}");

    // Without JavaScript: only the ticked boxes are sent, and the browser comes back.
    let posted = app
        .client
        .post(app.url("/api/save_email_settings"))
        .header("origin", &app.address)
        .header("referer", app.url("/account"))
        .header("accept", "text/html")
        .form(&[("offers", "on"), ("requests", "on")])
        .send()
        .await
        .unwrap();
    assert!(posted.status().is_redirection(), "{}", posted.status());
    assert_eq!(location(&posted), "/account?email_saved=1");
    let settings = app.get_json("/api/v1/account/email-settings", &bob).await;
    let on: Vec<&str> = settings["categories"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["on"] == true)
        .map(|c| c["category"].as_str().unwrap())
        .collect();
    assert_eq!(on, ["offers", "requests"]);
    assert_eq!(settings["email_configured"], false);
    app.stop().await;
}

#[tokio::test]
async fn with_email_off_nothing_is_sent_and_queued_emails_are_skipped() {
    let sink = SmtpSink::start().await;
    let app = spawn_app_with(|config| config.delivery_poll_ms = 50).await;
    colleagues(&app).await;
    app.sign_in("alice", PASSWORD, "/shared").await;
    app.server_fn_ok(
        "share_files",
        &[("path", "/alice/plan.pdf"), ("recipients", "bob"), ("access", "read")],
    )
    .await;
    let rows = settled(&app).await;
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|(_, _, status, attempts)| status == "skipped" && *attempts == 0));

    // Turning email on later sends none of them.
    let url = sink.url();
    let app = app
        .restart_with(move |config| {
            config.smtp_url = Some(url);
            config.mail_from = Some("sharewell@example.test".to_owned());
            config.delivery_poll_ms = 50;
        })
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(sink.messages().is_empty());
    assert_eq!(sink.accepted.load(Ordering::SeqCst), 0);
    app.stop().await;
}

#[tokio::test]
async fn a_relay_that_is_down_is_retried_until_the_email_goes_out_once() {
    let sink = SmtpSink::start().await;
    sink.drop_next.store(2, Ordering::SeqCst);
    let app = spawn_mailing_app(&sink).await;
    colleagues(&app).await;
    app.sign_in("alice", PASSWORD, "/shared").await;
    app.server_fn_ok(
        "share_files",
        &[("path", "/alice/plan.pdf"), ("recipients", "bob"), ("access", "read")],
    )
    .await;
    sink.wait_for("bob", 1).await;
    let rows = settled(&app).await;
    assert_eq!(rows, [("bob".into(), "share.received".into(), "sent".into(), 3)]);
    assert_eq!(sink.to("bob").len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn an_email_still_failing_after_the_retry_window_is_given_up() {
    let sink = SmtpSink::start().await;
    sink.drop_next.store(usize::MAX, Ordering::SeqCst);
    let app = spawn_mailing_app(&sink).await;
    let carol = app.create_user(app.create_org("Elsewhere").await, "carol", Role::Member).await;
    // Queued two days ago, while the relay was down all along.
    let queued = clock::format(time::OffsetDateTime::now_utc() - time::Duration::days(2));
    let email = NewEmail {
        user: carol.user_id,
        kind: "share.received",
        category: "shares",
        payload: r#"{"title": "an old share", "link": null}"#,
        dedupe_key: "old",
        now: &queued,
    };
    queue_email(app.store.pool(), &email).await.unwrap();
    let rows = settled(&app).await;
    assert_eq!(rows, [("carol".into(), "share.received".into(), "failed".into(), 1)]);
    assert!(sink.accepted.load(Ordering::SeqCst) >= 1, "it was tried");
    app.stop().await;
}

#[tokio::test]
async fn an_address_the_relay_refuses_is_failed_without_retrying() {
    let sink = SmtpSink::start().await;
    let app = spawn_mailing_app(&sink).await;
    colleagues(&app).await;
    let org = app.create_org("Elsewhere").await;
    app.create_user(org, "bounce", Role::Member).await;
    app.sign_in("alice", PASSWORD, "/shared").await;
    app.server_fn_ok(
        "share_files",
        &[("path", "/alice/plan.pdf"), ("recipients", "bounce, bob"), ("access", "read")],
    )
    .await;
    let rows = settled(&app).await;
    let status = |who: &str| rows.iter().find(|row| row.0 == who).map(|row| (row.2.clone(), row.3));
    assert_eq!(status("bounce"), Some(("failed".to_owned(), 1)), "{rows:?}");
    assert_eq!(status("bob"), Some(("sent".to_owned(), 1)), "{rows:?}");
    let error: String = sqlx::query_scalar(
        "SELECT o.last_error FROM outbox o JOIN users u ON u.id = o.user_id \
         WHERE u.username = 'bounce'",
    )
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert!(error.contains("no such mailbox"), "{error}");
    app.stop().await;
}

#[tokio::test]
async fn a_relay_without_a_sender_is_refused_at_startup() {
    let data = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/sharewell.db", data.path().display());
    let mut config = Config::new(([127, 0, 0, 1], 0).into(), url);
    config.smtp_url = Some("smtp://127.0.0.1:2525".to_owned());
    match Application::build(config.clone()).await {
        Err(StartError::Mail(message)) => assert!(message.contains("mail-from"), "{message}"),
        Err(other) => panic!("the wrong error: {other}"),
        Ok(_) => panic!("started without a sender"),
    }
    config.smtp_url = Some("ftp://127.0.0.1".to_owned());
    config.mail_from = Some("sharewell@example.test".to_owned());
    assert!(matches!(Application::build(config).await, Err(StartError::Mail(_))));
}
