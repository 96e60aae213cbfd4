//! The loop the webhook sender and the mailer share: claim due messages until `limit` are in
//! flight or nothing is due, then wait for one to finish, a wake (`Store::deliveries_queued`),
//! the poll interval or the stop signal; on stop, let the ones in flight finish.

use std::sync::Arc;
use std::time::Duration;

use futures_util::future::BoxFuture;
use tokio::sync::{watch, Notify};
use tokio::task::JoinSet;

use app::domain::DomainError;

/// How a sender loop paces itself.
pub struct Pace {
    pub signal: Arc<Notify>,
    /// Messages sent at once.
    pub limit: usize,
    pub poll: Duration,
}

/// Runs until `stop` turns true. `claim` takes the next due message under a lease (`None`
/// when nothing is due); `send` sends it and records what came of it. `what` names the
/// messages in the logs.
pub async fn run<T: Send + 'static>(
    pace: Pace,
    mut stop: watch::Receiver<bool>,
    what: &'static str,
    mut claim: impl FnMut() -> BoxFuture<'static, Result<Option<T>, DomainError>>,
    send: impl Fn(T) -> BoxFuture<'static, ()>,
) {
    let mut in_flight = JoinSet::new();
    loop {
        while in_flight.len() < pace.limit && !*stop.borrow() {
            match claim().await {
                Ok(Some(message)) => {
                    in_flight.spawn(send(message));
                }
                Ok(None) => break,
                Err(error) => {
                    tracing::error!(%error, "could not claim {what}");
                    break;
                }
            }
        }
        tokio::select! {
            Some(_) = in_flight.join_next(), if !in_flight.is_empty() => {}
            () = pace.signal.notified() => {}
            () = tokio::time::sleep(pace.poll) => {}
            changed = stop.changed() => if changed.is_err() || *stop.borrow() {
                while in_flight.join_next().await.is_some() {}
                return;
            },
        }
    }
}
