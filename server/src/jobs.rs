//! The background worker: runs queued jobs as soon as they are committed (and retries due
//! ones on a poll), and sweeps expiries on an interval. One per process; several processes on
//! one database are safe because jobs are claimed with leases (see `app::domain::jobs`).

use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use app::domain::jobs::{self, JobOutcome};
use app::domain::notifications::reminders::ReminderLeads;
use app::domain::store::Store;

/// How the worker paces itself.
#[derive(Clone, Copy, Debug)]
pub struct WorkerSettings {
    /// How long a claimed job is reserved; a worker that dies frees it after this.
    pub lease: Duration,
    /// How often to look for due jobs (retries after a backoff) without being woken.
    pub poll: Duration,
    /// How often to sweep expired shares and offers.
    pub sweep_every: Duration,
    /// How long before an expiry the sweep reminds the owner and the recipient.
    pub reminder_leads: ReminderLeads,
}

/// Most rows one sweep persists (per kind, and per reminder lead); the next sweep continues.
const SWEEP_BATCH: i64 = 500;

/// Starts the worker; it stops, after the job in hand, when `stop` turns true.
pub fn spawn(
    store: Store,
    settings: WorkerSettings,
    mut stop: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let signal = store.jobs_signal();
        let mut last_sweep: Option<Instant> = None;
        tracing::info!(?settings, "background worker started");
        loop {
            while !*stop.borrow() {
                match jobs::run_next(&store, settings.lease).await {
                    Ok(Some(outcome)) => {
                        log(&outcome);
                        // What the job recorded may have queued webhooks and email.
                        store.deliveries_queued();
                    }
                    Ok(None) => break,
                    Err(error) => {
                        tracing::error!(%error, "the worker could not run a job");
                        break;
                    }
                }
            }
            if last_sweep.is_none_or(|at| at.elapsed() >= settings.sweep_every) {
                match jobs::sweep(&store, settings.reminder_leads, SWEEP_BATCH).await {
                    Ok(report) if report != jobs::SweepReport::default() => {
                        tracing::info!(?report, "expiry sweep");
                        store.deliveries_queued();
                    }
                    Ok(_) => {}
                    Err(error) => tracing::error!(%error, "the expiry sweep failed"),
                }
                last_sweep = Some(Instant::now());
            }
            let stopping = tokio::select! {
                () = signal.notified() => false,
                () = tokio::time::sleep(settings.poll) => false,
                // An error means the server is gone without saying so: stop too, rather than
                // spin on a channel that stays ready.
                changed = stop.changed() => changed.is_err(),
            };
            if stopping || *stop.borrow() {
                tracing::info!("background worker stopped");
                return;
            }
        }
    })
}

fn log(outcome: &JobOutcome) {
    match outcome {
        JobOutcome::Done { kind, subject_id } => tracing::debug!(%kind, %subject_id, "job done"),
        JobOutcome::Failed { kind, error, gave_up: false } => {
            tracing::warn!(%kind, %error, "job failed; it will be retried")
        }
        JobOutcome::Failed { kind, error, gave_up: true } => {
            tracing::error!(%kind, %error, "job cannot succeed; given up")
        }
    }
}
