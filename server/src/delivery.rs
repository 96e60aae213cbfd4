//! Sends queued webhook deliveries: signed as the Standard Webhooks specification says, at
//! most [`IN_FLIGHT`] at once (one per endpoint, so each endpoint gets its events in order),
//! with no redirects followed, a short timeout, a bounded read of the answer and only public
//! addresses connected to unless private targets are allowed.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use app::domain::notifications::targets::{self, TargetPolicy};
use app::domain::notifications::webhooks::{self, Attempt, Outgoing, RetryPolicy};
use app::domain::store::Store;

use crate::senders::{self, Pace};

/// Deliveries sent at once.
const IN_FLIGHT: usize = 8;
/// The most of an answer read (and thrown away) before the connection is dropped.
const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// How deliveries are sent.
#[derive(Clone, Copy, Debug)]
pub struct DeliverySettings {
    pub targets: TargetPolicy,
    pub retry: RetryPolicy,
    /// The whole attempt, from connecting to the end of the answer.
    pub timeout: Duration,
    /// How often to look for due deliveries without being woken.
    pub poll: Duration,
}

/// Sends one delivery at a time over a shared connection pool.
#[derive(Clone, Debug)]
pub struct WebhookSender {
    client: reqwest::Client,
    targets: TargetPolicy,
}

impl WebhookSender {
    pub fn new(settings: &DeliverySettings) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout.min(Duration::from_secs(5)))
            .no_proxy()
            .user_agent(concat!("Sharewell-Webhooks/", env!("CARGO_PKG_VERSION")))
            .dns_resolver(Arc::new(CheckedResolver { targets: settings.targets }))
            .build()?;
        Ok(Self { client, targets: settings.targets })
    }

    /// Makes one attempt; every failure is an [`Attempt`] with its reason, never an error.
    pub async fn send(&self, outgoing: &Outgoing) -> Attempt {
        let started = Instant::now();
        let failed = |error: String| Attempt {
            status_code: None,
            error: Some(error),
            latency: started.elapsed(),
        };
        // The resolver checks names; an address written in the URL is checked here.
        let url = match reqwest::Url::parse(&outgoing.url) {
            Ok(url) => url,
            Err(_) => return failed("the endpoint URL is not valid".to_owned()),
        };
        let literal = match url.host() {
            Some(url::Host::Ipv4(address)) => Some(IpAddr::V4(address)),
            Some(url::Host::Ipv6(address)) => Some(IpAddr::V6(address)),
            _ => None,
        };
        if literal.is_some_and(|address| !targets::may_connect(address, self.targets)) {
            return failed("the endpoint's address is private: refused".to_owned());
        }
        let timestamp = time::OffsetDateTime::now_utc().unix_timestamp();
        let signature = match webhooks::sign(
            &outgoing.secret,
            &outgoing.message_id,
            timestamp,
            &outgoing.payload,
        ) {
            Ok(signature) => signature,
            Err(error) => {
                tracing::error!(%error, delivery = outgoing.message_id, "could not sign a webhook");
                return failed("could not sign the delivery".to_owned());
            }
        };
        let request = self
            .client
            .post(url)
            .header("content-type", "application/json")
            .header("webhook-id", &outgoing.message_id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(outgoing.payload.clone());
        let mut response = match request.send().await {
            Ok(response) => response,
            Err(error) => return failed(describe(&error)),
        };
        let latency = started.elapsed();
        let status = response.status();
        // Read a little of the answer so the connection can be reused; never more.
        let mut read = 0;
        while read < MAX_ANSWER_BYTES {
            match response.chunk().await {
                Ok(Some(chunk)) => read += chunk.len(),
                Ok(None) | Err(_) => break,
            }
        }
        let error = (!status.is_success()).then(|| match status.as_u16() {
            300..=399 => format!("answered {status}: redirects are not followed"),
            _ => format!("answered {status}"),
        });
        Attempt { status_code: Some(status.as_u16()), error, latency }
    }
}

/// Why a request failed, in words for the delivery log, which the org's admins read: never the
/// underlying error's text, which may name addresses and hosts of the server's own network.
fn describe(error: &reqwest::Error) -> String {
    let mut cause: Option<&dyn std::error::Error> = Some(error);
    let mut io_kind = None;
    while let Some(current) = cause {
        if let Some(refused) = current.downcast_ref::<Unresolved>() {
            return refused.to_string();
        }
        if let Some(io) = current.downcast_ref::<std::io::Error>() {
            io_kind = Some(io.kind());
        }
        cause = current.source();
    }
    if error.is_timeout() {
        "timed out".to_owned()
    } else if error.is_connect() {
        match io_kind {
            Some(std::io::ErrorKind::ConnectionRefused) => "could not connect: refused".to_owned(),
            Some(std::io::ErrorKind::ConnectionReset) => "could not connect: reset".to_owned(),
            Some(std::io::ErrorKind::TimedOut) => "could not connect: timed out".to_owned(),
            _ => "could not connect".to_owned(),
        }
    } else if error.is_body() || error.is_decode() {
        "the answer could not be read".to_owned()
    } else {
        "the request failed".to_owned()
    }
}

/// Why the resolver gave no address; its text is all the delivery log shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unresolved {
    /// The name does not resolve at all.
    Unknown,
    /// It resolves only to addresses deliveries may not connect to.
    NotPublic,
}

impl std::fmt::Display for Unresolved {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(match self {
            Self::Unknown => "could not connect: the endpoint's host name does not resolve",
            Self::NotPublic => {
                "refused: the endpoint's host name does not resolve to a public address"
            }
        })
    }
}

impl std::error::Error for Unresolved {}

/// Resolves endpoint host names and keeps only the addresses deliveries may connect to, so
/// that a public name pointing at a private address is refused at connection time.
#[derive(Debug)]
struct CheckedResolver {
    targets: TargetPolicy,
}

impl Resolve for CheckedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let targets = self.targets;
        Box::pin(async move {
            let found: Vec<SocketAddr> = match tokio::net::lookup_host((name.as_str(), 0)).await {
                Ok(found) => found.collect(),
                Err(error) => {
                    tracing::debug!(%error, host = name.as_str(), "a webhook host did not resolve");
                    return Err(Box::new(Unresolved::Unknown) as _);
                }
            };
            let allowed: Vec<SocketAddr> = found
                .into_iter()
                .filter(|address| targets::may_connect(address.ip(), targets))
                .collect();
            if allowed.is_empty() {
                return Err(Box::new(Unresolved::NotPublic) as _);
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

/// Starts the sender; it stops claiming when `stop` turns true and waits for the deliveries in
/// flight.
pub fn spawn(
    store: Store,
    settings: DeliverySettings,
    stop: watch::Receiver<bool>,
) -> Result<JoinHandle<()>, reqwest::Error> {
    let sender = WebhookSender::new(&settings)?;
    // Longer than any attempt, so that a live sender never loses a delivery to another.
    let lease = settings.timeout * 3;
    let pace = Pace { signal: store.deliveries_signal(), limit: IN_FLIGHT, poll: settings.poll };
    let claim = {
        let store = store.clone();
        move || -> BoxFuture<'static, _> {
            let store = store.clone();
            Box::pin(async move { webhooks::claim_delivery(&store, lease).await })
        }
    };
    let send = move |outgoing: Outgoing| -> BoxFuture<'static, ()> {
        let (store, sender) = (store.clone(), sender.clone());
        Box::pin(async move {
            let attempt = sender.send(&outgoing).await;
            log(&outgoing, &attempt);
            if let Err(error) =
                webhooks::record_attempt(&store, &outgoing, &attempt, settings.retry).await
            {
                tracing::error!(%error, delivery = outgoing.delivery_id, "could not record a webhook attempt");
            }
        })
    };
    Ok(tokio::spawn(senders::run(pace, stop, "a webhook delivery", claim, send)))
}

fn log(outgoing: &Outgoing, attempt: &Attempt) {
    let latency_ms = attempt.latency.as_millis();
    match &attempt.error {
        None => tracing::debug!(
            delivery = outgoing.message_id,
            event = outgoing.event_type,
            latency_ms,
            "webhook delivered"
        ),
        Some(error) => {
            tracing::warn!(delivery = outgoing.message_id, event = outgoing.event_type, attempt = outgoing.attempts, %error, "webhook attempt failed")
        }
    }
}
