//! Reminders before expiry: the owner and the recipient of an expiring account share
//! (Cloudflare, EnableNow) or pending partner offer are told once at each lead time before it
//! expires (by default three days and one day before), in-app, by email and as a webhook event.
//!
//! A reminder is claimed by inserting its row in `expiry_reminders` (object, lead, expiry) in
//! the transaction that sends it: whoever inserts the row sends it, so two workers never remind
//! twice, and because the expiry is part of the key, moving the expiry re-arms every lead.
//! Nothing else in the schema expires that a person waits on: file shares (Puter, Züs) do not
//! expire, and password links and API tokens are credentials, not shares.

use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;

use serde_json::json;
use time::{Duration, OffsetDateTime};

use super::service::{notify_user, Notice};
use super::Category;
use crate::domain::audit::service::{record, Author, Change};
use crate::domain::identity::Face;
use crate::domain::ids::{OrgId, UserId};
use crate::domain::store::notifications::{
    self as store, ExpiringOfferRow, ExpiringShareRow, ReminderKey,
};
use crate::domain::store::{parse_id, Store};
use crate::domain::{clock, DomainError};

/// The most lead times one deployment may configure.
pub const MAX_LEADS: usize = 5;

/// The longest lead time: a year.
const MAX_LEAD_SECONDS: i64 = 365 * DAY;

const MINUTE: i64 = 60;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

/// How long before an expiry its reminders go out: 1 to [`MAX_LEADS`] distinct durations,
/// each more than zero and at most a year, written `3d,1d` (units `d`, `h`, `m`, `s`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReminderLeads {
    /// Longest first; only the first `len` are used.
    seconds: [i64; MAX_LEADS],
    len: usize,
}

impl ReminderLeads {
    /// The lead times in seconds, longest first.
    pub fn seconds(&self) -> &[i64] {
        &self.seconds[..self.len]
    }
}

impl Default for ReminderLeads {
    /// Three days, and again one day, before.
    fn default() -> Self {
        Self { seconds: [3 * DAY, DAY, 0, 0, 0], len: 2 }
    }
}

impl FromStr for ReminderLeads {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let items: Vec<&str> = text.split(',').map(str::trim).collect();
        if items.len() > MAX_LEADS {
            return Err(format!("name at most {MAX_LEADS} lead times, such as `3d,1d`"));
        }
        let mut leads = Self { seconds: [0; MAX_LEADS], len: 0 };
        for item in items {
            let seconds = parse_lead(item)?;
            if leads.seconds().contains(&seconds) {
                return Err(format!("`{item}` names a lead time already given"));
            }
            leads.seconds[leads.len] = seconds;
            leads.len += 1;
        }
        leads.seconds[..leads.len].sort_unstable_by(|a, b| b.cmp(a));
        Ok(leads)
    }
}

impl fmt::Display for ReminderLeads {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, seconds) in self.seconds().iter().enumerate() {
            let (amount, unit) = [(DAY, "d"), (HOUR, "h"), (MINUTE, "m")]
                .into_iter()
                .find(|(unit, _)| seconds % unit == 0)
                .map_or((*seconds, "s"), |(unit, name)| (seconds / unit, name));
            let separator = if index == 0 { "" } else { "," };
            write!(f, "{separator}{amount}{unit}")?;
        }
        Ok(())
    }
}

/// One lead time: a whole number and a unit (`3d`, `12h`, `30m`, `45s`).
fn parse_lead(item: &str) -> Result<i64, String> {
    let shown: String = item.chars().take(32).collect();
    let bad = || format!("`{shown}` is not a lead time: write a number and d, h, m or s (`3d,1d`)");
    if item.is_empty() {
        return Err("a lead time is empty: write them like `3d,1d`".to_owned());
    }
    let (number, unit) = item.split_at(item.len() - item.chars().last().map_or(0, char::len_utf8));
    let unit = match unit {
        "d" | "D" => DAY,
        "h" | "H" => HOUR,
        "m" | "M" => MINUTE,
        "s" | "S" => 1,
        _ => return Err(bad()),
    };
    if number.is_empty() || !number.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(bad());
    }
    let seconds = number.parse::<i64>().ok().and_then(|n| n.checked_mul(unit));
    match seconds {
        Some(0) => Err(format!("`{shown}`: a lead time must be more than zero")),
        Some(seconds) if seconds <= MAX_LEAD_SECONDS => Ok(seconds),
        _ => Err(format!("`{shown}`: a lead time may be at most 365d")),
    }
}

/// Sends the reminders that are due now; returns how many it sent (one per object and lead).
/// At most `batch` objects of each kind per lead; the next sweep continues.
pub async fn sweep(store: &Store, leads: ReminderLeads, batch: i64) -> Result<usize, DomainError> {
    sweep_at(store, leads, batch, OffsetDateTime::now_utc()).await
}

/// [`sweep`] as of `now` (tests pass a later moment to see reminders fall due).
///
/// Each lead has its window: from the next shorter lead (or now) up to the lead before the
/// expiry. An object in a window gets that lead's reminder, and every longer lead is marked
/// done with it, so a share created with 20 hours left is reminded once, not twice.
pub async fn sweep_at(
    store: &Store,
    leads: ReminderLeads,
    batch: i64,
    now: OffsetDateTime,
) -> Result<usize, DomainError> {
    let mut ascending = leads.seconds().to_vec();
    ascending.reverse();
    let mut sent = 0;
    let mut after = 0;
    for (index, lead) in ascending.iter().copied().enumerate() {
        let claims = &ascending[index..];
        let from = clock::format(now + Duration::seconds(after));
        let until = clock::format(now + Duration::seconds(lead));
        for share in
            store::shares_expiring_between(store.pool(), &from, &until, lead, batch).await?
        {
            sent += usize::from(remind_of_share(store, &share, claims, now).await?);
        }
        for offer in
            store::offers_expiring_between(store.pool(), &from, &until, lead, batch).await?
        {
            sent += usize::from(remind_of_offer(store, &offer, claims, now).await?);
        }
        after = lead;
    }
    Ok(sent)
}

/// Claims `leads` (the due lead first, then the longer ones it settles too) for one object and
/// expiry; true when the due lead was not claimed before, by this worker or another.
async fn claim(
    connection: &mut sqlx::AnyConnection,
    object_type: &str,
    object_id: &str,
    expires_at: &str,
    leads: &[i64],
) -> Result<bool, DomainError> {
    let now = clock::now();
    for (index, lead_seconds) in leads.iter().copied().enumerate() {
        let key = ReminderKey { object_type, object_id, lead_seconds, expires_at };
        let fresh = store::claim_reminder(&mut *connection, &key, &now).await?;
        if index == 0 && !fresh {
            return Ok(false);
        }
    }
    Ok(true)
}

async fn remind_of_share(
    store: &Store,
    share: &ExpiringShareRow,
    leads: &[i64],
    now: OffsetDateTime,
) -> Result<bool, DomainError> {
    let mut transaction = store.begin_write().await?;
    let live = store::lock_expiring_share(
        &mut *transaction,
        &share.id,
        &share.expires_at,
        &clock::format(now),
    )
    .await?;
    if !live
        || !claim(&mut transaction, "account_share", &share.id, &share.expires_at, leads).await?
    {
        transaction.rollback().await?;
        return Ok(false);
    }
    let lead = leads.first().copied().unwrap_or_default();
    if set_inside_lead(&share.updated_at, &share.expires_at, lead) {
        transaction.commit().await?;
        return Ok(false);
    }
    let owner: OrgId = parse_id(&share.owner_org_id)?;
    let change = Change {
        org_id: owner,
        action: "share.expiring",
        object_type: "account_share",
        object_id: share.id.clone(),
        detail: json!({ "name": share.name, "expires_at": share.expires_at, "lead_seconds": lead }),
    };
    record(&mut transaction, Author::Worker, Face::Api, change).await?;

    let when = When::of(&share.expires_at, now);
    let once_key = format!("reminder:account_share:{}:{lead}:{}", share.id, share.expires_at);
    let mut told = HashSet::new();
    let owners = owner_side(&mut transaction, share.created_by_user_id.as_deref(), owner).await?;
    let title = format!("Your share “{}” expires {when}", share.name);
    let notice = reminder("share.expiring", &title, "/shared?tab=sent&kind=resource", &once_key);
    tell(&mut transaction, &owners, &notice, &mut told).await?;

    let title = format!(
        "“{}”, shared with your organization by {}, expires {when}",
        share.name, share.owner_org_name
    );
    let notice =
        reminder("share.expiring", &title, "/shared?tab=received&kind=resource", &once_key);
    for org in store::live_recipient_orgs(&mut *transaction, &share.id).await? {
        let admins = store::active_org_admins(&mut *transaction, parse_id(&org)?).await?;
        tell(&mut transaction, &admins, &notice, &mut told).await?;
    }
    transaction.commit().await?;
    Ok(true)
}

async fn remind_of_offer(
    store: &Store,
    offer: &ExpiringOfferRow,
    leads: &[i64],
    now: OffsetDateTime,
) -> Result<bool, DomainError> {
    let mut transaction = store.begin_write().await?;
    let live = store::lock_expiring_offer(
        &mut *transaction,
        &offer.id,
        &offer.expires_at,
        &clock::format(now),
    )
    .await?;
    if !live
        || !claim(&mut transaction, "entity_offer", &offer.id, &offer.expires_at, leads).await?
    {
        transaction.rollback().await?;
        return Ok(false);
    }
    let lead = leads.first().copied().unwrap_or_default();
    if set_inside_lead(&offer.updated_at, &offer.expires_at, lead) {
        transaction.commit().await?;
        return Ok(false);
    }
    let sharing_org: OrgId = parse_id(&offer.sharing_org_id)?;
    let change = Change {
        org_id: sharing_org,
        action: "offer.expiring",
        object_type: "entity_offer",
        object_id: offer.id.clone(),
        detail: json!({
            "partner_org_id": offer.partner_org_id,
            "schema": offer.schema_name,
            "entity_id": offer.external_id,
            "expires_at": offer.expires_at,
            "lead_seconds": lead,
        }),
    };
    record(&mut transaction, Author::Worker, Face::Api, change).await?;

    let when = When::of(&offer.expires_at, now);
    let entity = if offer.title.trim().is_empty() { &offer.external_id } else { &offer.title };
    let once_key = format!("reminder:entity_offer:{}:{lead}:{}", offer.id, offer.expires_at);
    let mut told = HashSet::new();
    let owners =
        owner_side(&mut transaction, offer.offered_by_user_id.as_deref(), sharing_org).await?;
    let partner = offer.partner_org_name.as_deref().unwrap_or(&offer.partner_org_id);
    let title = format!("Your offer of “{entity}” to partner {partner} expires {when}");
    let link = partner_page(&offer.partner_org_id);
    let notice = reminder("offer.expiring", &title, &link, &once_key);
    tell(&mut transaction, &owners, &notice, &mut told).await?;

    let mut partners = store::active_partner_users(&mut *transaction, &offer.config_id).await?;
    if partners.is_empty() {
        if let Ok(org) = offer.partner_org_id.parse::<OrgId>() {
            partners = store::active_org_admins(&mut *transaction, org).await?;
        }
    }
    let title =
        format!("{} offered you “{entity}”; the offer expires {when}", offer.sharing_org_name);
    let link = format!("/offers/{}", offer.link_token);
    let notice = reminder("offer.expiring", &title, &link, &once_key);
    tell(&mut transaction, &partners, &notice, &mut told).await?;
    transaction.commit().await?;
    Ok(true)
}

/// Whether the expiry was set when the lead had already begun (a share made to last a day, an
/// expiry moved to tomorrow): its reminder would only repeat what the person who set it just
/// chose, so the lead is marked done without telling anyone. Leads that begin later still
/// remind; an expiry moved further out re-arms them.
fn set_inside_lead(set_at: &str, expires_at: &str, lead_seconds: i64) -> bool {
    match (clock::parse(set_at), clock::parse(expires_at)) {
        (Some(set_at), Some(expires_at)) => expires_at - Duration::seconds(lead_seconds) < set_at,
        _ => false,
    }
}

/// Who hears for the side that made a share or offer: the person who made it while they are
/// active in the org, else the org's admins.
async fn owner_side(
    connection: &mut sqlx::AnyConnection,
    made_by: Option<&str>,
    org: OrgId,
) -> Result<Vec<UserId>, DomainError> {
    if let Some(user) = made_by {
        if let Some(user) =
            store::active_user_of_org(&mut *connection, user, &org.to_string()).await?
        {
            return Ok(vec![user]);
        }
    }
    store::active_org_admins(connection, org).await
}

fn reminder<'a>(kind: &'a str, title: &'a str, link: &'a str, once_key: &'a str) -> Notice<'a> {
    Notice {
        kind,
        category: Category::Reminders,
        title,
        link: Some(link),
        once_key: Some(once_key),
    }
}

/// Tells each of `users` not told yet (someone on both sides hears once).
async fn tell(
    connection: &mut sqlx::AnyConnection,
    users: &[UserId],
    notice: &Notice<'_>,
    told: &mut HashSet<UserId>,
) -> Result<(), DomainError> {
    let now = clock::now();
    for user in users {
        if told.insert(*user) {
            notify_user(&mut *connection, *user, notice, &now).await?;
        }
    }
    Ok(())
}

/// The page of a partner configuration, its id encoded as a path segment.
fn partner_page(partner: &str) -> String {
    let encoded: String = partner
        .bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (byte as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect();
    format!("/partners/{encoded}")
}

/// When something expires, as a reminder says it: "tomorrow (2026-12-01 09:30 UTC)".
struct When {
    relative: String,
    absolute: String,
}

impl When {
    fn of(expires_at: &str, now: OffsetDateTime) -> Self {
        match clock::parse(expires_at) {
            Some(moment) => Self {
                relative: relative(moment - now),
                absolute: format!(
                    "{:04}-{:02}-{:02} {:02}:{:02} UTC",
                    moment.year(),
                    u8::from(moment.month()),
                    moment.day(),
                    moment.hour(),
                    moment.minute()
                ),
            },
            None => Self { relative: "soon".to_owned(), absolute: expires_at.to_owned() },
        }
    }
}

impl fmt::Display for When {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.relative, self.absolute)
    }
}

/// "in 3 days", "tomorrow", "in 5 hours", "in 10 minutes", rounded to the nearest unit.
fn relative(remaining: Duration) -> String {
    let seconds = remaining.whole_seconds().max(0);
    let rounded = |unit: i64| (seconds + unit / 2) / unit;
    let plural = |count: i64, unit: &str| {
        if count == 1 {
            format!("in 1 {unit}")
        } else {
            format!("in {count} {unit}s")
        }
    };
    if seconds >= 36 * HOUR {
        plural(rounded(DAY), "day")
    } else if seconds >= 20 * HOUR {
        "tomorrow".to_owned()
    } else if seconds >= 90 * MINUTE {
        plural(rounded(HOUR), "hour")
    } else if seconds >= MINUTE {
        plural(rounded(MINUTE), "minute")
    } else {
        "in less than a minute".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leads_are_read_longest_first_in_any_unit() {
        let leads: ReminderLeads = "1d, 3d".parse().unwrap();
        assert_eq!(leads.seconds(), &[3 * DAY, DAY]);
        assert_eq!(leads, ReminderLeads::default());
        let leads: ReminderLeads = "30s,2m,1h,12H,365d".parse().unwrap();
        assert_eq!(leads.seconds(), &[365 * DAY, 12 * HOUR, HOUR, 120, 30]);
        assert_eq!(leads.to_string(), "365d,12h,1h,2m,30s");
        assert_eq!(ReminderLeads::default().to_string(), "3d,1d");
        assert_eq!("90m".parse::<ReminderLeads>().unwrap().to_string(), "90m");
    }

    #[test]
    fn leads_that_are_empty_zero_too_long_too_many_or_repeated_are_refused() {
        for bad in [
            "",
            " ",
            "3d,,1d",
            "3",
            "d",
            "3w",
            "-1d",
            "+1d",
            "1.5d",
            "0s",
            "0d,1d",
            "366d",
            "8761h",
            "99999999999999999999d",
            "1d,1d",
            "1d,24h",
            "1s,2s,3s,4s,5s,6s",
            "3d;1d",
            "3 d",
            "１d",
        ] {
            assert!(bad.parse::<ReminderLeads>().is_err(), "{bad:?} was accepted");
        }
        assert!("1s,2s,3s,4s,5s".parse::<ReminderLeads>().is_ok(), "five is the most");
        assert!("365d".parse::<ReminderLeads>().is_ok(), "a year is the longest");
        let refused = "3d,0h".parse::<ReminderLeads>().unwrap_err();
        assert!(refused.contains("more than zero"), "{refused}");
    }

    #[test]
    fn reminders_say_how_long_is_left_in_words_people_use() {
        assert_eq!(relative(Duration::days(3) - Duration::seconds(40)), "in 3 days");
        assert_eq!(relative(Duration::hours(40)), "in 2 days");
        assert_eq!(relative(Duration::days(1) - Duration::seconds(30)), "tomorrow");
        assert_eq!(relative(Duration::hours(20)), "tomorrow");
        assert_eq!(relative(Duration::hours(5)), "in 5 hours");
        assert_eq!(relative(Duration::minutes(100)), "in 2 hours");
        assert_eq!(relative(Duration::minutes(10)), "in 10 minutes");
        assert_eq!(relative(Duration::seconds(61)), "in 1 minute");
        assert_eq!(relative(Duration::seconds(5)), "in less than a minute");
    }

    #[test]
    fn the_expiry_is_also_given_as_a_utc_time() {
        let now = clock::parse("2026-11-30T09:30:00.000000Z").unwrap();
        let when = When::of("2026-12-01T09:30:00.000000Z", now);
        assert_eq!(when.to_string(), "tomorrow (2026-12-01 09:30 UTC)");
        assert_eq!(partner_page("acme partner/1"), "/partners/acme%20partner%2F1");
    }
}
