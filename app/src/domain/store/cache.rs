//! Small in-process caches in front of the two lookups every API request makes: the token's
//! actor and the account's parent org. Each is bounded (cleared when full) and short-lived.
//!
//! A token revoked, or a user changed, through this process clears the token cache at once.
//! With several replicas another replica keeps answering for a token revoked elsewhere for at
//! most [`TOKEN_TTL`]: the window a revocation takes to reach every replica.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::domain::identity::Actor;
use crate::domain::ids::OrgId;

/// How long a token's actor is used without asking the database again.
pub const TOKEN_TTL: Duration = Duration::from_secs(5);
/// How long an org's parent is remembered (parents do not change; the bound is for safety).
const ORG_TTL: Duration = Duration::from_secs(60);
/// The most entries each cache holds; past it, it starts again empty.
const CAPACITY: usize = 10_000;

#[derive(Debug, Default)]
pub struct Caches {
    tokens: Mutex<HashMap<String, (Instant, Actor)>>,
    /// Counts [`Caches::forget_actors`]: a lookup that began before a revocation must not put
    /// its (now stale) answer in the cache after it.
    generation: AtomicU64,
    parents: Mutex<HashMap<OrgId, (Instant, Option<OrgId>)>>,
}

impl Caches {
    /// The actor of the token with this secret digest, if looked up less than [`TOKEN_TTL`]
    /// ago and not expired at `now` (stored timestamp form).
    pub fn actor(&self, digest: &str, now: &str) -> Option<Actor> {
        let tokens = self.tokens.lock().ok()?;
        let (at, actor) = tokens.get(digest)?;
        let expired = actor.token_expires_at.as_deref().is_some_and(|expiry| expiry <= now);
        (at.elapsed() < TOKEN_TTL && !expired).then(|| actor.clone())
    }

    /// Read before looking a token up; pass to [`Caches::remember_actor`].
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// Keeps a token's actor, unless actors were forgotten since `generation` was read.
    pub fn remember_actor(&self, digest: String, actor: Actor, generation: u64) {
        if let Ok(mut tokens) = self.tokens.lock() {
            if self.generation.load(Ordering::SeqCst) != generation {
                return;
            }
            if tokens.len() >= CAPACITY {
                tokens.clear();
            }
            tokens.insert(digest, (Instant::now(), actor));
        }
    }

    /// Forgets every token's actor: after a token is revoked or a user changed.
    pub fn forget_actors(&self) {
        if let Ok(mut tokens) = self.tokens.lock() {
            self.generation.fetch_add(1, Ordering::SeqCst);
            tokens.clear();
        }
    }

    /// `Some(parent)` when the org's parent is known (`Some(None)`: it has none).
    pub fn parent(&self, org: OrgId) -> Option<Option<OrgId>> {
        let parents = self.parents.lock().ok()?;
        let (at, parent) = parents.get(&org)?;
        (at.elapsed() < ORG_TTL).then_some(*parent)
    }

    pub fn remember_parent(&self, org: OrgId, parent: Option<OrgId>) {
        if let Ok(mut parents) = self.parents.lock() {
            if parents.len() >= CAPACITY {
                parents.clear();
            }
            parents.insert(org, (Instant::now(), parent));
        }
    }
}
