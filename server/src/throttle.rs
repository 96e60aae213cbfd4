//! Rate limits: sign-in throttling, the public offer endpoints' per-address limit, and the
//! client address they count by.
//!
//! Sign-in attempts are limited twice. Failures for one username *from one address* earn a
//! growing wait (none for the first few, then 1 s doubling up to 15 minutes), so a guesser is
//! slowed while the real user, signing in from elsewhere, is never locked out by them; a
//! success clears the count. Attempts from one address, whatever the username, are capped too,
//! so one address cannot walk through many usernames.

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::http::HeaderMap;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// Failures for one username from one address before the first wait.
const FREE_FAILURES: u32 = 5;
const FIRST_WAIT: Duration = Duration::from_secs(1);
const LONGEST_WAIT: Duration = Duration::from_secs(15 * 60);
/// 20 attempts at once per address, then one more every 3 s.
const ADDRESS_BURST: u32 = 20;
const ADDRESS_REFILL: Duration = Duration::from_secs(3);

#[derive(Clone)]
pub struct LoginThrottle {
    failures: Arc<Mutex<HashMap<(String, IpAddr), Failures>>>,
    per_address: Arc<DefaultKeyedRateLimiter<IpAddr>>,
}

#[derive(Clone, Copy, Debug)]
struct Failures {
    count: u32,
    last: Instant,
    wait_until: Instant,
}

impl LoginThrottle {
    pub fn new() -> Self {
        Self {
            failures: Arc::default(),
            per_address: Arc::new(RateLimiter::keyed(quota(ADDRESS_BURST, ADDRESS_REFILL))),
        }
    }

    /// Counts one attempt from `address`; `false` when this address is over its limit or this
    /// username must still wait after failures from this address.
    pub fn allow(&self, username: &str, address: IpAddr) -> bool {
        let address_ok = self.per_address.check_key(&address_bucket(address)).is_ok();
        let now = Instant::now();
        let waiting = self
            .lock()
            .get(&key(username, address))
            .is_some_and(|failures| failures.wait_until > now);
        address_ok && !waiting
    }

    /// Records a wrong password (or an unknown username) for `username` from `address`.
    pub fn failed(&self, username: &str, address: IpAddr) {
        let now = Instant::now();
        let mut failures = self.lock();
        let entry = failures.entry(key(username, address)).or_insert(Failures {
            count: 0,
            last: now,
            wait_until: now,
        });
        entry.count = entry.count.saturating_add(1);
        entry.last = now;
        if let Some(extra) = entry.count.checked_sub(FREE_FAILURES) {
            let wait = FIRST_WAIT.saturating_mul(2u32.saturating_pow(extra.min(16)));
            entry.wait_until = now + wait.min(LONGEST_WAIT);
        }
    }

    /// A successful sign-in clears the failures for that username from that address.
    pub fn succeeded(&self, username: &str, address: IpAddr) {
        self.lock().remove(&key(username, address));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(String, IpAddr), Failures>> {
        // The map holds counters only: after a panic elsewhere it is still usable.
        self.failures.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Forgets counts long past their last failure, and addresses back to a full allowance,
    /// so memory stays bounded.
    pub fn spawn_cleanup(&self) -> tokio::task::JoinHandle<()> {
        let throttle = self.clone();
        tokio::spawn(async move {
            let mut interval = tokio::time::interval(Duration::from_secs(60));
            loop {
                interval.tick().await;
                let now = Instant::now();
                throttle.lock().retain(|_, failures| {
                    now.duration_since(failures.last) < 2 * LONGEST_WAIT
                        || failures.wait_until > now
                });
                throttle.per_address.retain_recent();
            }
        })
    }
}

impl Default for LoginThrottle {
    fn default() -> Self {
        Self::new()
    }
}

/// What failures are counted under: the username as typed (cut to the longest a username or
/// email can be, so that a huge one cannot pin memory) and the client's address bucket.
fn key(username: &str, address: IpAddr) -> (String, IpAddr) {
    let username: String = username.trim().chars().take(254).collect();
    (username.to_lowercase(), address_bucket(address))
}

/// An IPv4 address as it is; an IPv6 address by its /64 network, since one client usually holds
/// a whole /64 and could otherwise count as billions of addresses.
pub fn address_bucket(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(_) => address,
        IpAddr::V6(v6) => {
            let network = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(network.into())
        }
    }
}

fn quota(burst: u32, refill_every: Duration) -> Quota {
    let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
    Quota::with_period(refill_every).unwrap_or_else(|| Quota::per_second(burst)).allow_burst(burst)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_from_one_address_make_that_address_wait_for_that_username_only() {
        let throttle = LoginThrottle::new();
        let attacker = IpAddr::from([203, 0, 113, 9]);
        let alice = IpAddr::from([198, 51, 100, 4]);
        for _ in 0..FREE_FAILURES {
            assert!(throttle.allow("alice", attacker));
            throttle.failed("alice", attacker);
        }
        assert!(!throttle.allow("ALICE", attacker), "the guesser waits");
        assert!(throttle.allow("alice", alice), "the real user, elsewhere, does not");
        assert!(throttle.allow("bob", attacker), "nor does another username");
    }

    #[test]
    fn the_wait_doubles_and_a_success_clears_it() {
        let throttle = LoginThrottle::new();
        let address = IpAddr::from([192, 0, 2, 1]);
        let wait = |throttle: &LoginThrottle| {
            let failures = throttle.lock()[&key("carol", address)];
            failures.wait_until.duration_since(failures.last)
        };
        for _ in 0..FREE_FAILURES + 1 {
            throttle.failed("carol", address);
        }
        assert_eq!(wait(&throttle), 2 * FIRST_WAIT);
        for _ in 0..40 {
            throttle.failed("carol", address);
        }
        assert_eq!(wait(&throttle), LONGEST_WAIT, "the wait is capped");
        throttle.succeeded("carol", address);
        assert!(throttle.allow("carol", address));
    }

    #[test]
    fn an_ipv6_client_counts_once_for_its_whole_64_network() {
        let throttle = LoginThrottle::new();
        for n in 0..ADDRESS_BURST as u16 {
            let address = IpAddr::from([0x2001, 0xdb8, 0, 1, 0, 0, 0, n]);
            assert!(throttle.allow("dave", address));
        }
        assert!(!throttle.allow("dave", IpAddr::from([0x2001, 0xdb8, 0, 1, 9, 9, 9, 9])));
        assert!(throttle.allow("dave", IpAddr::from([0x2001, 0xdb8, 0, 2, 0, 0, 0, 1])));
    }

    #[test]
    fn a_huge_username_is_counted_under_a_bounded_key() {
        let (name, _) = key(&"x".repeat(1 << 20), IpAddr::from([192, 0, 2, 1]));
        assert_eq!(name.len(), 254);
    }

    #[test]
    fn a_burst_from_one_address_is_refused_across_usernames() {
        let throttle = LoginThrottle::new();
        let address = IpAddr::from([10, 0, 0, 7]);
        for attempt in 0..ADDRESS_BURST {
            assert!(throttle.allow(&format!("user{attempt}"), address));
        }
        assert!(!throttle.allow("someone-else", address));
        assert!(throttle.allow("someone-else", IpAddr::from([10, 0, 0, 8])));
    }

    #[test]
    fn a_forwarded_address_counts_only_from_a_trusted_proxy() {
        let proxy = IpAddr::from([127, 0, 0, 1]);
        let proxies = TrustedProxies::new(&[proxy]);
        let forwarded = HeaderMap::from_iter([(
            axum::http::HeaderName::from_static("x-forwarded-for"),
            axum::http::HeaderValue::from_static("10.9.9.9, 198.51.100.7, 127.0.0.1"),
        )]);
        assert_eq!(proxies.client_address(proxy, &forwarded), IpAddr::from([198, 51, 100, 7]));
        let stranger = IpAddr::from([203, 0, 113, 1]);
        assert_eq!(proxies.client_address(stranger, &forwarded), stranger);
        assert_eq!(proxies.client_address(proxy, &HeaderMap::new()), proxy);
    }
}

/// The reverse proxies whose `X-Forwarded-For` is believed (`--trusted-proxies`).
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(Arc<[IpAddr]>);

impl TrustedProxies {
    pub fn new(addresses: &[IpAddr]) -> Self {
        Self(addresses.into())
    }

    /// The client's address: the connection's peer, or, when the peer is a trusted proxy, the
    /// last address in `X-Forwarded-For` that is not itself a trusted proxy (earlier entries
    /// are the client's own to write, so they prove nothing).
    pub fn client_address(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.0.contains(&peer) {
            return peer;
        }
        let forwarded: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .collect();
        forwarded
            .iter()
            .rev()
            .filter_map(|entry| entry.trim().parse::<IpAddr>().ok())
            .find(|address| !self.0.contains(address))
            .unwrap_or(peer)
    }
}

/// A request refused by a rate limit; each face turns it into its own 429.
#[derive(Debug)]
pub struct TooManyRequests;

/// Per-address limit for the public, unauthenticated endpoints (offer status, accept,
/// offer pages): `burst` at once, then one per second.
#[derive(Clone)]
pub struct PublicRateLimit {
    per_address: Arc<DefaultKeyedRateLimiter<IpAddr>>,
}

impl PublicRateLimit {
    pub fn new(burst: u32) -> Self {
        Self { per_address: Arc::new(RateLimiter::keyed(quota(burst, Duration::from_secs(1)))) }
    }

    pub fn check(&self, client: ClientAddress) -> Result<(), TooManyRequests> {
        self.per_address.check_key(&address_bucket(client.0)).map_err(|_| TooManyRequests)
    }

    pub fn spawn_cleanup(&self) -> tokio::task::JoinHandle<()> {
        let limit = self.clone();
        tokio::spawn(async move {
            let mut interval = tokio::time::interval(Duration::from_secs(60));
            loop {
                interval.tick().await;
                limit.per_address.retain_recent();
            }
        })
    }
}

/// The address of the client: the connection's peer, or the address a trusted proxy
/// forwarded ([`TrustedProxies`]).
#[derive(Clone, Copy, Debug)]
pub struct ClientAddress(pub IpAddr);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map_or(IpAddr::from([0, 0, 0, 0]), |info| info.0.ip());
        let address = match parts.extensions.get::<TrustedProxies>() {
            Some(proxies) => proxies.client_address(peer, &parts.headers),
            None => peer,
        };
        Ok(Self(address))
    }
}

/// Paths of the public offer and set-password pages and their server functions and form
/// posts, reachable without an account.
const PUBLIC_OFFER_PATHS: [&str; 6] = [
    "/offers/",
    "/api/offer",
    "/api/answer_offer",
    "/set-password/",
    "/set-password",
    "/api/password_link",
];

/// Applies the public per-address limit to the offer pages and their server functions.
pub async fn limit_public_offer_pages(
    axum::extract::State(limit): axum::extract::State<PublicRateLimit>,
    client: ClientAddress,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;

    let path = request.uri().path();
    let public = PUBLIC_OFFER_PATHS.iter().any(|prefix| {
        if prefix.ends_with('/') {
            path.starts_with(prefix)
        } else {
            path == *prefix
        }
    });
    if public && limit.check(client).is_err() {
        return (
            axum::http::StatusCode::TOO_MANY_REQUESTS,
            "Too many requests from your address. Wait a moment, then try again.",
        )
            .into_response();
    }
    next.run(request).await
}
