use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use app::domain::notifications::reminders::ReminderLeads;
use app::domain::notifications::targets::TargetPolicy;
use app::domain::notifications::webhooks::RetryPolicy;

use crate::delivery::DeliverySettings;
use crate::jobs::WorkerSettings;
use crate::mail::MailSettings;

/// Everything `sharewell serve` needs; each flag can also come from the environment.
#[derive(Args, Clone, Debug)]
pub struct Config {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, env = "SHAREWELL_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,

    #[command(flatten)]
    pub database: DatabaseArgs,

    /// Folder holding the built site: `pkg/` (wasm, JS, CSS) and the public assets.
    #[arg(long, env = "SHAREWELL_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,

    /// Largest request body accepted, in bytes.
    #[arg(long, env = "SHAREWELL_MAX_BODY_BYTES", default_value_t = 1024 * 1024)]
    pub max_body_bytes: usize,

    /// Requests taking longer than this many seconds are answered with 408.
    #[arg(long, env = "SHAREWELL_REQUEST_TIMEOUT_SECS", default_value_t = 30)]
    pub request_timeout_secs: u64,

    /// A browser session ends after this many hours without a request.
    #[arg(long, env = "SHAREWELL_SESSION_IDLE_HOURS", default_value_t = 12)]
    pub session_idle_hours: u64,

    /// Mark the session cookie `Secure`: set this when Sharewell is reached over HTTPS.
    #[arg(long, env = "SHAREWELL_SECURE_COOKIES")]
    pub secure_cookies: bool,

    /// Days an entity offer stays open before it expires.
    #[arg(long, env = "SHAREWELL_OFFER_TTL_DAYS", default_value_t = 14, value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub offer_ttl_days: u32,

    /// Let anyone accept an offer knowing only the org and entity ids, as the upstream API
    /// does. Off by default: accepting needs the offer's link token or a partner member's token.
    #[arg(long, env = "SHAREWELL_OPEN_OFFER_ACCEPT")]
    pub open_offer_accept: bool,

    /// Requests one client address may make at once to the public offer endpoints and pages
    /// (then one more per second).
    #[arg(long, env = "SHAREWELL_PUBLIC_RATE_BURST", default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..))]
    pub public_rate_burst: u32,

    /// Run the background worker in this process (completes asynchronous share changes and
    /// sweeps expiries). Turn it off only when another process on the same database runs it.
    #[arg(long, env = "SHAREWELL_WORKER", default_value_t = true, action = clap::ArgAction::Set)]
    pub worker: bool,

    /// Seconds a job claimed by a worker stays reserved; the worker renews it while it works,
    /// and a worker that dies frees it after this.
    #[arg(long, env = "SHAREWELL_JOB_LEASE_SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub job_lease_secs: u64,

    /// Seconds between sweeps of expired shares and offers.
    #[arg(long, env = "SHAREWELL_SWEEP_INTERVAL_SECS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..))]
    pub sweep_interval_secs: u64,

    /// How long before a share or offer expires its owner and recipient are reminded, once
    /// each: 1 to 5 comma-separated durations with a unit `d`, `h`, `m` or `s`, each at most
    /// 365d (`3d,1d`: three days before, and again one day before).
    #[arg(long, env = "SHAREWELL_REMINDER_LEADS", default_value = "3d,1d")]
    pub reminder_leads: ReminderLeads,

    /// Addresses of the reverse proxies in front of Sharewell (comma-separated). A request
    /// from one of them is taken to come from the address its `X-Forwarded-For` names last;
    /// from anyone else, the header is ignored. Rate limits count per client address.
    #[arg(long, env = "SHAREWELL_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<IpAddr>,

    /// Let webhook endpoints be private, loopback or link-local addresses (refused by
    /// default, so that an org admin cannot make the server probe its own network).
    #[arg(long, env = "SHAREWELL_ALLOW_PRIVATE_WEBHOOK_TARGETS")]
    pub allow_private_webhook_targets: bool,

    /// How long one webhook attempt may take, connecting included.
    #[arg(long, env = "SHAREWELL_WEBHOOK_TIMEOUT_SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=60))]
    pub webhook_timeout_secs: u64,

    /// How long a failing webhook delivery is retried before it is marked failed; an endpoint
    /// whose every attempt failed this long is disabled.
    #[arg(long, env = "SHAREWELL_WEBHOOK_RETRY_SECS", default_value_t = 24 * 60 * 60, value_parser = clap::value_parser!(u64).range(1..=30 * 24 * 60 * 60))]
    pub webhook_retry_secs: u64,

    /// How often the webhook and email senders look for due messages without being woken.
    #[arg(long, env = "SHAREWELL_DELIVERY_POLL_MS", default_value_t = 250, value_parser = clap::value_parser!(u64).range(10..=60_000))]
    pub delivery_poll_ms: u64,

    /// The SMTP relay email goes through: `smtp://host:port` (plain, as local relays use),
    /// `smtp://host:port?tls=required` (STARTTLS) or `smtps://host:port` (TLS from the start),
    /// with `user:password@` when the relay wants them. Email is off without it.
    #[arg(long, env = "SHAREWELL_SMTP_URL")]
    pub smtp_url: Option<String>,

    /// The sender of every email (`Sharewell <sharewell@example.com>`); needed with the relay.
    #[arg(long, env = "SHAREWELL_MAIL_FROM")]
    pub mail_from: Option<String>,

    /// Where people reach Sharewell (`https://share.example.com`): links in emails start with
    /// it. Defaults to `http://` and the address listened on.
    #[arg(long, env = "SHAREWELL_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// A bearer token a Prometheus scrape of `/metrics` must send. Without it `/metrics` is
    /// open to anyone who reaches the server: then keep it off the public proxy.
    #[arg(long, env = "SHAREWELL_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,
}

impl Config {
    /// Defaults for everything but the address and database; used by tests.
    pub fn new(addr: SocketAddr, database_url: impl Into<String>) -> Self {
        Self {
            addr,
            database: DatabaseArgs { database_url: database_url.into() },
            site_root: PathBuf::from("target/site"),
            max_body_bytes: 1024 * 1024,
            request_timeout_secs: 30,
            session_idle_hours: 12,
            secure_cookies: false,
            offer_ttl_days: 14,
            open_offer_accept: false,
            public_rate_burst: 30,
            worker: true,
            job_lease_secs: 10,
            sweep_interval_secs: 30,
            reminder_leads: ReminderLeads::default(),
            trusted_proxies: Vec::new(),
            allow_private_webhook_targets: false,
            webhook_timeout_secs: 10,
            webhook_retry_secs: 24 * 60 * 60,
            delivery_poll_ms: 250,
            smtp_url: None,
            mail_from: None,
            public_url: None,
            metrics_token: None,
        }
    }

    pub fn session_idle(&self) -> Duration {
        Duration::from_secs(self.session_idle_hours * 3600)
    }

    pub fn worker_settings(&self) -> WorkerSettings {
        WorkerSettings {
            lease: Duration::from_secs(self.job_lease_secs),
            poll: Duration::from_secs(1),
            sweep_every: Duration::from_secs(self.sweep_interval_secs),
            reminder_leads: self.reminder_leads,
        }
    }

    pub fn target_policy(&self) -> TargetPolicy {
        TargetPolicy { allow_private: self.allow_private_webhook_targets }
    }

    pub fn delivery_settings(&self) -> DeliverySettings {
        DeliverySettings {
            targets: self.target_policy(),
            retry: RetryPolicy { window: Duration::from_secs(self.webhook_retry_secs) },
            timeout: Duration::from_secs(self.webhook_timeout_secs),
            poll: Duration::from_millis(self.delivery_poll_ms),
        }
    }

    /// How email is sent, or `None` when it is off; an error when the settings do not make
    /// sense (a relay without a sender, an address that does not parse…). `bound` is the
    /// address listened on, the public URL's default.
    pub fn mail_settings(&self, bound: SocketAddr) -> Result<Option<MailSettings>, String> {
        MailSettings::from_config(self, bound)
    }

    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_secs)
    }
}

#[derive(Args, Clone, Debug)]
pub struct DatabaseArgs {
    /// `sqlite://PATH` (file and folder created if missing) or `postgres://...`.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://data/sharewell.db")]
    pub database_url: String,
}
