//! Sign-in throttling: bursts of attempts for one username, or from one client address, are
//! refused for a while. Counted per attempt, so a guesser cannot reset the count with one
//! good password of their own.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

#[derive(Clone)]
pub struct LoginThrottle {
    per_username: Arc<DefaultKeyedRateLimiter<String>>,
    per_address: Arc<DefaultKeyedRateLimiter<IpAddr>>,
}

/// 5 attempts at once per username, then one more every 12 s; 20 per address, then one
/// every 3 s.
const USERNAME_BURST: u32 = 5;
const USERNAME_REFILL: Duration = Duration::from_secs(12);
const ADDRESS_BURST: u32 = 20;
const ADDRESS_REFILL: Duration = Duration::from_secs(3);

impl LoginThrottle {
    pub fn new() -> Self {
        Self {
            per_username: Arc::new(RateLimiter::keyed(quota(USERNAME_BURST, USERNAME_REFILL))),
            per_address: Arc::new(RateLimiter::keyed(quota(ADDRESS_BURST, ADDRESS_REFILL))),
        }
    }

    /// Counts one attempt; `false` when this username or address must wait.
    pub fn allow(&self, username: &str, address: IpAddr) -> bool {
        let username = username.trim().to_ascii_lowercase();
        // Check both so that each counts the attempt.
        let username_ok = self.per_username.check_key(&username).is_ok();
        let address_ok = self.per_address.check_key(&address).is_ok();
        username_ok && address_ok
    }

    /// Forgets keys whose limits are back to full, so memory stays bounded.
    pub fn spawn_cleanup(&self) -> tokio::task::JoinHandle<()> {
        let throttle = self.clone();
        tokio::spawn(async move {
            let mut interval = tokio::time::interval(Duration::from_secs(60));
            loop {
                interval.tick().await;
                throttle.per_username.retain_recent();
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

fn quota(burst: u32, refill_every: Duration) -> Quota {
    let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
    Quota::with_period(refill_every).unwrap_or_else(|| Quota::per_second(burst)).allow_burst(burst)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_for_one_username_is_refused_whatever_the_case() {
        let throttle = LoginThrottle::new();
        let address = IpAddr::from([127, 0, 0, 1]);
        for _ in 0..USERNAME_BURST {
            assert!(throttle.allow("alice", address));
        }
        assert!(!throttle.allow("ALICE", address));
        assert!(throttle.allow("bob", address), "other usernames are unaffected");
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
        self.per_address.check_key(&client.0).map_err(|_| TooManyRequests)
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

/// The address of the connected client.
#[derive(Clone, Copy, Debug)]
pub struct ClientAddress(pub IpAddr);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        let address = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map_or(IpAddr::from([0, 0, 0, 0]), |info| info.0.ip());
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
