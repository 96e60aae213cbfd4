//! Account shares: an org shares typed resources with other orgs (accounts) or with whole org
//! trees (organizations), optionally until an expiry. The Cloudflare resource-sharing and the
//! EnableNow expiring-share faces both speak this model.
//!
//! Some changes are not immediate (the Cloudflare contract says so): they are written with a
//! transitional status (`deleting`, `associating`, `disassociating`) and a job that the
//! background worker completes (see [`crate::domain::jobs`]).

use serde::{Deserialize, Serialize};

use super::ids::{AccountShareId, OrgId, RecipientId, ShareResourceId};
use super::paging::Cursor;

#[cfg(feature = "ssr")]
pub mod service;

/// Which API made a share; each API lists its own shares, the dashboard shows all.
pub const FACE_CLOUDFLARE: &str = "cloudflare";
pub const FACE_ENABLENOW: &str = "enablenow";

/// The Cloudflare resource types a share may carry.
pub const CLOUDFLARE_RESOURCE_TYPES: &[&str] = &[
    "custom-ruleset",
    "gateway-policy",
    "gateway-destination-ip",
    "gateway-block-page-settings",
    "gateway-extended-email-matching",
    "idp-federation-grant",
    "trust-grant",
];

/// The EnableNow id lists a share carries, by resource type.
pub const ENABLENOW_RESOURCE_TYPES: &[&str] = &["consent", "account", "analysis"];

macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "lowercase")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// The value named by `text` exactly as the wire spells it.
            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }
        }
    };
}

/// Which of a share's resources a page lists (`None`: any).
#[derive(Clone, Copy, Debug, Default)]
pub struct ResourceFilter<'a> {
    pub resource_type: Option<&'a str>,
    pub status: Option<ShareStatus>,
}

text_enum!(
    /// Who receives a share: single accounts, or organizations (an org and its child orgs).
    TargetType { Account => "account", Organization => "organization" }
);
text_enum!(
    /// The lifecycle of a share and of each of its resources.
    ShareStatus { Active => "active", Deleting => "deleting", Deleted => "deleted" }
);
text_enum!(
    /// Where a recipient stands: the worker moves `associating` to `associated` and
    /// `disassociating` to `disassociated`.
    Association {
        Associating => "associating",
        Associated => "associated",
        Disassociating => "disassociating",
        Disassociated => "disassociated",
    }
);

impl Association {
    /// Transitional: the worker has yet to complete it.
    pub fn is_pending(self) -> bool {
        matches!(self, Association::Associating | Association::Disassociating)
    }
}

/// One share with its recipients and resources.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountShare {
    pub id: AccountShareId,
    pub owner_org_id: OrgId,
    pub owner_org_name: String,
    /// The owner's parent org (its organization), if it has one.
    pub owner_parent_id: Option<OrgId>,
    pub face: String,
    pub name: String,
    pub reference: Option<String>,
    pub target_type: TargetType,
    pub status: ShareStatus,
    pub expires_at: Option<String>,
    /// Computed when read: the expiry has passed (the share grants nothing any more).
    pub expired: bool,
    pub created_at: String,
    pub updated_at: String,
    pub recipients: Vec<ShareRecipient>,
    pub resources: Vec<ShareResource>,
}

impl AccountShare {
    /// The resource ids of one type, in the order they were added (EnableNow's id lists).
    pub fn resource_ids(&self, resource_type: &str) -> Vec<String> {
        self.resources
            .iter()
            .filter(|resource| resource.resource_type == resource_type)
            .map(|resource| resource.resource_id.clone())
            .collect()
    }

    /// How many recipients are in `state`.
    pub fn recipients_in(&self, state: Association) -> usize {
        self.recipients.iter().filter(|recipient| recipient.association == state).count()
    }

    /// Something about this share is still waiting for the worker.
    pub fn has_pending_work(&self) -> bool {
        self.status == ShareStatus::Deleting
            || self.recipients.iter().any(|recipient| recipient.association.is_pending())
            || self.resources.iter().any(|resource| resource.status == ShareStatus::Deleting)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareRecipient {
    pub id: RecipientId,
    pub share_id: AccountShareId,
    pub org_id: OrgId,
    pub org_name: String,
    pub association: Association,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareResource {
    pub id: ShareResourceId,
    pub share_id: AccountShareId,
    pub resource_type: String,
    pub resource_id: String,
    pub resource_account_id: String,
    /// Free-form metadata as the client sent it.
    pub meta: String,
    pub version: i64,
    pub status: ShareStatus,
    pub created_at: String,
    pub updated_at: String,
}

/// Which side of a share the caller is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Direction {
    Sent,
    Received,
}

/// How to order a list of shares.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ShareOrder {
    #[default]
    Created,
    Name,
    /// Soonest expiry first (ascending); shares that never expire come last.
    Expiry,
    Status,
}

/// A query over the shares an account sent and received.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareQuery {
    /// Only shares made through this API (`None`: all).
    pub face: Option<String>,
    /// Only sent or only received (`None`: both).
    pub direction: Option<Direction>,
    pub status: Option<ShareStatus>,
    pub target_type: Option<TargetType>,
    /// Only shares carrying a resource of one of these types.
    pub resource_types: Vec<String>,
    /// `Some(true)`: only expired; `Some(false)`: only unexpired.
    pub expired: Option<bool>,
    /// Name or reference contains this text (case-insensitive).
    pub text: Option<String>,
    pub order: ShareOrder,
    pub descending: bool,
    /// 1-based. Ignored when `after` is given.
    pub page: i64,
    pub per_page: i64,
    /// Start after this row (keyset paging) instead of at `page`.
    pub after: Option<Cursor>,
}

impl ShareQuery {
    /// The name of this query's order in its cursors.
    pub fn order_key(&self) -> &'static str {
        match (self.order, self.descending) {
            (ShareOrder::Created, false) => "created+",
            (ShareOrder::Created, true) => "created-",
            (ShareOrder::Name, false) => "name+",
            (ShareOrder::Name, true) => "name-",
            (ShareOrder::Expiry, false) => "expiry+",
            (ShareOrder::Expiry, true) => "expiry-",
            (ShareOrder::Status, false) => "status+",
            (ShareOrder::Status, true) => "status-",
        }
    }
}

/// One page of shares and the total count over all pages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountSharePage {
    pub shares: Vec<AccountShare>,
    /// Exact up to [`crate::domain::paging::COUNT_CAP`]; past it, a lower bound.
    pub total: i64,
    pub total_exact: bool,
    pub page: i64,
    pub per_page: i64,
    /// The cursor of the next page (encoded), or `None` on the last page.
    pub next: Option<String>,
}

impl AccountSharePage {
    pub fn total_pages(&self) -> i64 {
        (self.total + self.per_page - 1) / self.per_page.max(1)
    }
}

/// A recipient named by the client: a single account, or an organization (an org tree).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecipientRef {
    Account(String),
    Organization(String),
}

/// A resource named by the client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewShareResource {
    pub resource_type: String,
    pub resource_id: String,
    pub resource_account_id: String,
    pub meta: String,
}

/// A new share as a face received it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAccountShare {
    pub name: String,
    pub reference: Option<String>,
    pub recipients: Vec<RecipientRef>,
    pub resources: Vec<NewShareResource>,
    pub expires_at: Option<String>,
    /// EnableNow shares are effective at once; Cloudflare recipients associate in the
    /// background.
    pub associate_now: bool,
}
