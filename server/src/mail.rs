//! Sends the outbox's emails over SMTP: one message per row, with a plain-text part (and an
//! HTML alternative), links made absolute with the public URL, a footer naming the category
//! and where to turn it off, and a `Message-ID` made from the row, so that a message sent
//! again after a crash is recognisable as the same one.
//!
//! With email off, the loop marks queued rows skipped instead, so none is ever sent later.

use std::net::SocketAddr;
use std::time::Duration;

use futures_util::future::BoxFuture;
use lettre::message::header::{ContentTransferEncoding, ContentType, HeaderName, HeaderValue};
use lettre::message::{Body, Mailbox, MultiPart, SinglePart};
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use app::domain::notifications::email::{self, EmailStatus, OutgoingEmail, SendOutcome};
use app::domain::notifications::webhooks::RetryPolicy;
use app::domain::notifications::EmailAvailability;
use app::domain::store::Store;

use crate::config::Config;
use crate::senders::{self, Pace};

/// Emails sent at once.
const IN_FLIGHT: usize = 4;
/// The longest one SMTP conversation may take, connecting included.
const SEND_TIMEOUT: Duration = Duration::from_secs(30);
/// Marks mail from a program, so that auto-responders do not answer it (RFC 3834).
const AUTO_SUBMITTED: HeaderName = HeaderName::new_from_ascii_str("Auto-Submitted");

/// How email is sent, when it is on.
#[derive(Clone)]
pub struct MailSettings {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    /// The relay, without credentials, for the logs.
    relay: String,
    from: Mailbox,
    /// Links in emails start with it; no trailing slash.
    public_url: String,
    /// The host part of `Message-ID`s.
    message_domain: String,
    retry: RetryPolicy,
}

impl MailSettings {
    /// Reads the email settings: both the relay and the sender, or neither (email off).
    pub fn from_config(config: &Config, bound: SocketAddr) -> Result<Option<Self>, String> {
        let given = |value: &Option<String>| {
            value.as_deref().map(str::trim).filter(|value| !value.is_empty()).map(str::to_owned)
        };
        let (smtp_url, from) = match (given(&config.smtp_url), given(&config.mail_from)) {
            (None, None) => return Ok(None),
            (Some(_), None) => {
                return Err("--smtp-url (SHAREWELL_SMTP_URL) is set but --mail-from \
                            (SHAREWELL_MAIL_FROM) is not: email needs both, or neither"
                    .to_owned())
            }
            (None, Some(_)) => {
                return Err("--mail-from (SHAREWELL_MAIL_FROM) is set but --smtp-url \
                            (SHAREWELL_SMTP_URL) is not: email needs both, or neither"
                    .to_owned())
            }
            (Some(smtp_url), Some(from)) => (smtp_url, from),
        };
        let public_url = public_url(given(&config.public_url).as_deref(), bound)?;
        let from: Mailbox = from.parse().map_err(|error| {
            format!("--mail-from (SHAREWELL_MAIL_FROM) is not an email address: {error}")
        })?;
        let relay = relay_name(&smtp_url)?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&smtp_url)
            .map_err(|error| format!("--smtp-url (SHAREWELL_SMTP_URL) cannot be used: {error}"))?
            .timeout(Some(SEND_TIMEOUT))
            .build();
        let message_domain = url::Url::parse(&public_url)
            .ok()
            .and_then(|url| url.host_str().map(str::to_owned))
            .unwrap_or_else(|| "sharewell.invalid".to_owned());
        Ok(Some(Self {
            transport,
            relay,
            from,
            public_url,
            message_domain,
            retry: RetryPolicy::default(),
        }))
    }
}

/// Shows the relay without its credentials.
impl std::fmt::Debug for MailSettings {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("MailSettings")
            .field("relay", &self.relay)
            .field("from", &self.from.to_string())
            .field("public_url", &self.public_url)
            .finish_non_exhaustive()
    }
}

/// The public URL as given (http or https), or `http://` and the address listened on — which
/// only works for people on this machine or network, so listening on every interface
/// (`0.0.0.0`) without a public URL is refused: no link in an email could work.
fn public_url(given: Option<&str>, bound: SocketAddr) -> Result<String, String> {
    let Some(given) = given else {
        if bound.ip().is_unspecified() {
            return Err("--public-url (SHAREWELL_PUBLIC_URL) is needed when listening on every                         interface: links in emails must name the address people reach                         Sharewell at, e.g. https://share.example.com"
                .to_owned());
        }
        return Ok(format!("http://{bound}"));
    };
    let url = url::Url::parse(given)
        .map_err(|error| format!("--public-url (SHAREWELL_PUBLIC_URL) is not a URL: {error}"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err("--public-url (SHAREWELL_PUBLIC_URL) must be an http:// or https:// URL \
                    naming a host"
            .to_owned());
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// The relay as logs may show it: scheme, host and port, never the credentials.
fn relay_name(smtp_url: &str) -> Result<String, String> {
    let url = url::Url::parse(smtp_url)
        .map_err(|error| format!("--smtp-url (SHAREWELL_SMTP_URL) is not a URL: {error}"))?;
    let host = url.host_str().unwrap_or_default();
    Ok(match url.port() {
        Some(port) => format!("{}://{host}:{port}", url.scheme()),
        None => format!("{}://{host}", url.scheme()),
    })
}

/// Whether email is on, as the pages and the API tell people.
pub fn availability(mail: Option<&MailSettings>) -> EmailAvailability {
    EmailAvailability { configured: mail.is_some() }
}

/// Starts the mailer (or, with email off, the loop that skips queued emails); it stops
/// claiming when `stop` turns true and waits for the emails in flight.
pub fn spawn(
    store: Store,
    mail: Option<MailSettings>,
    poll: Duration,
    stop: watch::Receiver<bool>,
) -> JoinHandle<()> {
    // Longer than any conversation, so that a live mailer never loses an email to another.
    let lease = SEND_TIMEOUT * 3;
    match &mail {
        Some(mail) => tracing::info!(relay = mail.relay, "email is on"),
        None => tracing::info!("email is off: queued emails are skipped"),
    }
    let pace = Pace { signal: store.deliveries_signal(), limit: IN_FLIGHT, poll };
    let claim = {
        let (store, on) = (store.clone(), mail.is_some());
        move || -> BoxFuture<'static, _> {
            let store = store.clone();
            Box::pin(async move {
                if on {
                    email::claim(&store, lease).await
                } else {
                    // Email is off: what was queued is skipped, never sent later.
                    email::skip_pending(&store).await.map(|_| None)
                }
            })
        }
    };
    let send = move |outgoing: OutgoingEmail| -> BoxFuture<'static, ()> {
        let (store, mail) = (store.clone(), mail.clone());
        Box::pin(async move {
            if let Some(mail) = mail {
                send(&store, &mail, outgoing).await
            }
        })
    };
    tokio::spawn(senders::run(pace, stop, "an email", claim, send))
}

/// Renders and sends one email, and records what came of it.
async fn send(store: &Store, mail: &MailSettings, outgoing: OutgoingEmail) {
    let outcome = match render(mail, &outgoing) {
        // lettre's timeout is per read and write; a relay that trickles could outlast the
        // lease and have the message sent twice, so the whole conversation is bounded too.
        Ok(message) => match tokio::time::timeout(SEND_TIMEOUT, mail.transport.send(message)).await
        {
            Ok(Ok(_)) => SendOutcome::Sent,
            Ok(Err(error)) if error.is_permanent() => {
                SendOutcome::Permanent(format!("the relay refused it: {error}"))
            }
            Ok(Err(error)) => SendOutcome::Transient(describe(&error)),
            Err(_) => SendOutcome::Transient("the relay took too long".to_owned()),
        },
        Err(error) => SendOutcome::Permanent(error),
    };
    match email::record_attempt(store, &outgoing, &outcome, mail.retry).await {
        Ok(status) => log(&outgoing, &outcome, status),
        Err(error) => {
            tracing::error!(%error, email = outgoing.outbox_id, "could not record an email attempt")
        }
    }
}

/// Why a send failed, in words for the outbox.
fn describe(error: &lettre::transport::smtp::Error) -> String {
    let mut text = error.to_string();
    let mut cause: Option<&dyn std::error::Error> = std::error::Error::source(error);
    while let Some(next) = cause {
        text = format!("{text}: {next}");
        cause = next.source();
    }
    text
}

fn log(outgoing: &OutgoingEmail, outcome: &SendOutcome, status: EmailStatus) {
    match outcome {
        SendOutcome::Sent => {
            tracing::debug!(email = outgoing.outbox_id, kind = outgoing.kind, "email sent")
        }
        SendOutcome::Transient(error) | SendOutcome::Permanent(error) => tracing::warn!(
            email = outgoing.outbox_id,
            kind = outgoing.kind,
            attempt = outgoing.attempts,
            status = status.as_str(),
            %error,
            "email attempt failed"
        ),
    }
}

/// The message for one outbox row; an error when it cannot be addressed.
fn render(mail: &MailSettings, outgoing: &OutgoingEmail) -> Result<Message, String> {
    let address: Address = outgoing
        .to_address
        .parse()
        .map_err(|error| format!("the recipient's address is not valid: {error}"))?;
    let to = Mailbox::new(Some(outgoing.to_name.clone()), address);
    let link = outgoing.link.as_deref().map(|link| absolute(&mail.public_url, link));
    let settings = absolute(&mail.public_url, "/account#email-settings");
    let (plain, html) = bodies(&outgoing.title, link.as_deref(), outgoing, &settings);
    Message::builder()
        .from(mail.from.clone())
        .to(to)
        .subject(outgoing.title.as_str())
        .message_id(Some(message_id(&outgoing.outbox_id, &mail.message_domain)))
        .raw_header(HeaderValue::new(AUTO_SUBMITTED, "auto-generated".to_owned()))
        .multipart(
            MultiPart::alternative()
                .singlepart(part(ContentType::TEXT_PLAIN, plain))
                .singlepart(part(ContentType::TEXT_HTML, html)),
        )
        .map_err(|error| format!("the message could not be built: {error}"))
}

/// A text part in quoted-printable, which any relay passes unchanged.
fn part(content_type: ContentType, text: String) -> SinglePart {
    let body = Body::new_with_encoding(text, ContentTransferEncoding::QuotedPrintable)
        .unwrap_or_else(Body::new);
    SinglePart::builder().header(content_type).body(body)
}

/// `<{outbox id}@{public host}>`: the same for every attempt at one row.
fn message_id(outbox_id: &str, domain: &str) -> String {
    format!("<{outbox_id}@{domain}>")
}

/// A path on this site made absolute; a link that is absolute already is left as it is.
fn absolute(public_url: &str, link: &str) -> String {
    if link.starts_with("https://") || link.starts_with("http://") {
        link.to_owned()
    } else {
        format!("{public_url}/{}", link.trim_start_matches('/'))
    }
}

/// The plain text and the HTML of a message.
fn bodies(
    title: &str,
    link: Option<&str>,
    outgoing: &OutgoingEmail,
    settings: &str,
) -> (String, String) {
    let category = outgoing.category;
    let footer = format!(
        "You get this email because email about “{}” is on for you ({}). \
         To stop these emails, turn the category off on your account page: {settings}",
        category.as_str(),
        category.describe().to_lowercase(),
    );
    let mut plain = format!("{title}\r\n\r\n");
    if let Some(link) = link {
        plain.push_str(&format!("Open it here:\r\n{link}\r\n\r\n"));
    }
    plain.push_str(&format!("-- \r\n{footer}\r\n"));

    let mut html = format!("<!DOCTYPE html>\r\n<html><body>\r\n<p>{}</p>\r\n", escape(title));
    if let Some(link) = link {
        html.push_str(&format!("<p><a href=\"{0}\">{0}</a></p>\r\n", escape(link)));
    }
    html.push_str(&format!(
        "<hr>\r\n<p style=\"color:#555;font-size:small\">{}</p>\r\n</body></html>\r\n",
        escape(&footer)
            .replace(&escape(settings), &format!("<a href=\"{0}\">{0}</a>", escape(settings)))
    ));
    (plain, html)
}

fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            other => escaped.push(other),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_made_absolute_and_absolute_links_are_kept() {
        assert_eq!(absolute("https://s.example", "/offers/abc"), "https://s.example/offers/abc");
        assert_eq!(
            absolute("https://s.example/share", "/account"),
            "https://s.example/share/account"
        );
        assert_eq!(absolute("https://s.example", "https://x.example/y"), "https://x.example/y");
    }

    #[test]
    fn the_public_url_defaults_to_the_address_listened_on() {
        let bound: SocketAddr = "127.0.0.1:4321".parse().unwrap();
        assert_eq!(public_url(None, bound).unwrap(), "http://127.0.0.1:4321");
        assert_eq!(public_url(Some("https://s.example/"), bound).unwrap(), "https://s.example");
        assert!(public_url(Some("ftp://s.example"), bound).is_err());
        assert!(public_url(Some("not a url"), bound).is_err());
        let everywhere: SocketAddr = "0.0.0.0:3000".parse().unwrap();
        assert!(public_url(None, everywhere).is_err(), "no link could work");
        assert!(public_url(Some("https://s.example"), everywhere).is_ok());
    }

    #[test]
    fn email_needs_both_a_relay_and_a_sender() {
        let bound: SocketAddr = "127.0.0.1:4321".parse().unwrap();
        let mut config = Config::new(bound, "sqlite://x");
        assert!(MailSettings::from_config(&config, bound).unwrap().is_none());
        config.smtp_url = Some("smtp://127.0.0.1:2525".into());
        assert!(MailSettings::from_config(&config, bound).unwrap_err().contains("mail-from"));
        config.mail_from = Some("not an address".into());
        assert!(MailSettings::from_config(&config, bound).unwrap_err().contains("mail-from"));
        config.mail_from = Some("Sharewell <share@example.test>".into());
        assert!(MailSettings::from_config(&config, bound).unwrap().is_some());
        config.smtp_url = None;
        assert!(MailSettings::from_config(&config, bound).unwrap_err().contains("smtp-url"));
    }

    #[test]
    fn relays_over_tls_are_accepted() {
        let bound: SocketAddr = "127.0.0.1:4321".parse().unwrap();
        let mut config = Config::new(bound, "sqlite://x");
        config.mail_from = Some("share@example.test".into());
        for url in ["smtps://u:p@mail.example:465", "smtp://mail.example:587?tls=required"] {
            config.smtp_url = Some(url.into());
            let settings = MailSettings::from_config(&config, bound).unwrap().unwrap();
            assert!(!format!("{settings:?}").contains("u:p"), "{settings:?}");
        }
        config.smtp_url = Some("smtp://mail.example?tls=sometimes".into());
        assert!(MailSettings::from_config(&config, bound).is_err());
    }

    #[test]
    fn relays_are_logged_without_their_credentials() {
        assert_eq!(
            relay_name("smtps://user:secret@mail.example:465").unwrap(),
            "smtps://mail.example:465"
        );
    }

    #[test]
    fn html_is_escaped() {
        assert_eq!(
            escape("<b>\"x\" & 'y'</b>"),
            "&lt;b&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/b&gt;"
        );
    }
}
