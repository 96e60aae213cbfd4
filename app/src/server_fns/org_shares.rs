//! Server functions of the Shared page's organization section: account shares (Cloudflare,
//! EnableNow) and partner entities, with the expiry of an expiring share extended from there.

use leptos::prelude::*;

use super::AppError;
use serde::{Deserialize, Serialize};

use crate::domain::partners::EntityShareView;

#[cfg(feature = "ssr")]
use super::ssr::actor_and_store;

/// One account share as the page shows it, worked out on the server (time left included).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountShareRow {
    pub id: String,
    pub name: String,
    /// `cloudflare` or `enablenow`.
    pub face: String,
    /// The recipients (sent) or the owner (received).
    pub counterpart: String,
    /// Resource types and counts, e.g. `custom-ruleset ×2`.
    pub resources: String,
    /// `active`, `deleting`, `deleted`, or a transitional recipient state.
    pub status: String,
    /// The worker has yet to complete a change.
    pub pending: bool,
    pub expires_at: Option<String>,
    /// `3 h left`, `expired`, or `None` without expiry.
    pub time_left: Option<String>,
    pub expired: bool,
    /// The expiry is less than 48 hours away: the page makes it stand out.
    #[serde(default)]
    pub expires_soon: bool,
    pub created_at: String,
    /// The caller's org owns it, it expires and the caller's role may change shares: the page
    /// offers to extend it.
    pub can_extend: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgSharesView {
    pub shares: Vec<AccountShareRow>,
    pub page: i64,
    pub pages: i64,
    pub total: i64,
    /// The latest partner entities (up to 50).
    pub entities: Vec<EntityShareView>,
    /// Which lists the kind filter asked for.
    pub with_account_shares: bool,
    pub with_entities: bool,
}

/// The organization section of the Shared page. `kind` is the page's kind filter (`resource`,
/// `entity`, or empty for both); `q` matches share names and references, and entity ids.
// Each argument is one query parameter of the page (and one form field of the call).
#[allow(clippy::too_many_arguments)]
#[server(endpoint = "org_shares", output = crate::server_fns::codec::TextJson)]
pub async fn org_shares(
    tab: String,
    kind: String,
    q: String,
    page: i64,
    #[server(default)] sort: String,
    #[server(default)] dir: String,
    #[server(default)] status: String,
    #[server(default)] per_page: String,
) -> Result<OrgSharesView, AppError> {
    use crate::domain::account_shares::service as account_shares;
    use crate::domain::account_shares::{Direction, ShareOrder, ShareQuery, ShareStatus};
    use crate::domain::listing::{AccountShareSort, ListParams, SortDir, ACCOUNT_SHARE_LIST};
    use crate::domain::partners::service as partners;

    let (store, actor) = actor_and_store().await?;
    let choice = ACCOUNT_SHARE_LIST.parse(&ListParams { sort, dir, status, per_page })?;
    let received = tab == "received";
    let page = page.clamp(1, 1_000_000);
    let account = account_shares::account(&store, &actor, &actor.org_id.to_string()).await?;
    let with_account_shares = matches!(kind.as_str(), "" | "resource");
    let with_entities = matches!(kind.as_str(), "" | "entity");
    let text = Some(q.trim().to_owned()).filter(|text| !text.is_empty());
    let query = ShareQuery {
        direction: Some(if received { Direction::Received } else { Direction::Sent }),
        text: text.clone(),
        order: match choice.key {
            AccountShareSort::Created => ShareOrder::Created,
            AccountShareSort::Name => ShareOrder::Name,
            AccountShareSort::Expiry => ShareOrder::Expiry,
            AccountShareSort::Status => ShareOrder::Status,
        },
        descending: choice.dir == SortDir::Desc,
        status: match choice.status {
            Some("active" | "expired") => Some(ShareStatus::Active),
            Some(other) => ShareStatus::parse(other),
            None => None,
        },
        expired: match choice.status {
            Some("active") => Some(false),
            Some("expired") => Some(true),
            _ => None,
        },
        page: page.max(1),
        per_page: choice.per_page,
        ..ShareQuery::default()
    };
    let (mut shares, mut total, mut pages) = (Vec::new(), 0, 1);
    if with_account_shares {
        let found = account_shares::list(&store, account, &query).await?;
        let now = crate::domain::clock::now();
        let may_extend = actor.may(crate::domain::authz::Operation::AccountShareUpdate);
        shares = found
            .shares
            .iter()
            .map(|share| ssr::row(share, account.org_id, may_extend, &now))
            .collect();
        (total, pages) = (found.total, found.total_pages().max(1));
    }
    let entities = if with_entities {
        partners::entity_shares(&store, &actor, received, text.as_deref(), 50).await?
    } else {
        Vec::new()
    };
    Ok(OrgSharesView {
        shares,
        page: query.page,
        pages,
        total,
        entities,
        with_account_shares,
        with_entities,
    })
}

/// Moves an expiring share's expiry `days` (1 to 365) past the later of now and its current
/// expiry.
#[server(endpoint = "extend_share", output = crate::server_fns::codec::TextJson)]
pub async fn extend_share(id: String, days: i64) -> Result<(), AppError> {
    use crate::domain::account_shares::service as account_shares;
    use crate::domain::identity::Face;
    use crate::domain::{clock, DomainError};

    let (store, actor) = actor_and_store().await?;
    if !(1..=365).contains(&days) {
        return Err(AppError::from(DomainError::invalid("days", "extend by 1 to 365 days")));
    }
    let account = account_shares::account(&store, &actor, &actor.org_id.to_string()).await?;
    let share = account_shares::get(&store, Face::Web, account, &id).await?;
    let now = clock::now();
    let from = share.expires_at.filter(|expiry| *expiry > now).unwrap_or(now);
    let from = clock::parse(&from)
        .ok_or_else(|| AppError::from(DomainError::invalid("expiry", "unreadable")))?;
    let until = clock::format(from + time::Duration::days(days));
    account_shares::set_expiry(&store, &actor, Face::Web, account, &id, &until).await?;
    Ok(())
}

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use super::AccountShareRow;
    use crate::domain::account_shares::{AccountShare, Association, ShareStatus};
    use crate::domain::ids::OrgId;

    /// One share as the page lists it; `may_extend` is whether the viewer's role may change
    /// shares, decided here so that the row needs no permission look-up of its own.
    pub fn row(
        share: &AccountShare,
        viewer: OrgId,
        may_extend: bool,
        now: &str,
    ) -> AccountShareRow {
        let sent = share.owner_org_id == viewer;
        let counterpart = if sent {
            let names: Vec<&str> = share
                .recipients
                .iter()
                .filter(|r| !matches!(r.association, Association::Disassociated))
                .map(|r| r.org_name.as_str())
                .collect();
            if names.is_empty() {
                "nobody".to_owned()
            } else {
                names.join(", ")
            }
        } else {
            share.owner_org_name.clone()
        };
        let mut types: Vec<(String, usize)> = Vec::new();
        for resource in share.resources.iter().filter(|r| r.status != ShareStatus::Deleted) {
            match types.iter_mut().find(|(kind, _)| *kind == resource.resource_type) {
                Some((_, count)) => *count += 1,
                None => types.push((resource.resource_type.clone(), 1)),
            }
        }
        let resources = if types.is_empty() {
            "none".to_owned()
        } else {
            types
                .iter()
                .map(|(kind, count)| format!("{kind} ×{count}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let status = if share.status != ShareStatus::Active {
            share.status.as_str().to_owned()
        } else if let Some(pending) = share.recipients.iter().find(|r| r.association.is_pending()) {
            pending.association.as_str().to_owned()
        } else {
            "active".to_owned()
        };
        AccountShareRow {
            id: share.id.to_string(),
            name: share.name.clone(),
            face: share.face.clone(),
            counterpart,
            resources,
            status,
            pending: share.has_pending_work(),
            expires_at: share.expires_at.clone(),
            time_left: share.expires_at.as_deref().map(|expiry| time_left(expiry, now)),
            expired: share.expired,
            expires_soon: !share.expired
                && share.expires_at.as_deref().is_some_and(|expiry| expires_soon(expiry, now)),
            created_at: share.created_at.clone(),
            can_extend: may_extend
                && sent
                && share.expires_at.is_some()
                && share.status == ShareStatus::Active,
        }
    }

    /// Whether an expiry that has not passed is less than 48 hours away.
    pub fn expires_soon(expiry: &str, now: &str) -> bool {
        use crate::domain::clock::parse;
        match (parse(expiry), parse(now)) {
            (Some(expiry), Some(now)) => expiry > now && expiry - now <= time::Duration::hours(48),
            _ => false,
        }
    }

    pub fn time_left(expiry: &str, now: &str) -> String {
        use crate::domain::clock::parse;
        let (Some(expiry), Some(now)) = (parse(expiry), parse(now)) else {
            return String::new();
        };
        let left = expiry - now;
        if left.is_negative() || left.is_zero() {
            "expired".to_owned()
        } else if left.whole_days() >= 1 {
            format!("{} d left", left.whole_days())
        } else if left.whole_hours() >= 1 {
            format!("{} h left", left.whole_hours())
        } else {
            format!("{} min left", left.whole_minutes().max(1))
        }
    }
}
