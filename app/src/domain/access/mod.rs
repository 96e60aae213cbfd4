//! "Who has access and why": every grant across every kind of share, in one list.
//!
//! A grant is one row that gives someone access to something: a file or app shared with a
//! person (Puter, Züs, the pages), an entity shared with a partner org (epilot), an offer of
//! an entity (pending, or accepted and so shared), or an org among the recipients of an
//! account share (Cloudflare, EnableNow). Each says who has access, to what, how it was
//! granted (through which API, by whom, when), when it ends, and how to revoke it.

use serde::{Deserialize, Serialize};

use super::ids::UserId;
use super::DomainError;

pub mod csv;
#[cfg(feature = "ssr")]
pub mod service;

/// Grants a page shows unless asked otherwise.
pub const DEFAULT_PER_PAGE: i64 = 25;
/// The most grants one page holds.
pub const MAX_PER_PAGE: i64 = 100;
/// The most grants one CSV export holds; an access review of more is cut there, and says so.
pub const MAX_EXPORT: i64 = 10_000;

/// Which kind of share a grant comes from.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GrantKind {
    /// A file or app shared with one person (or with anyone holding its link).
    Person,
    /// An entity shared with a partner org.
    Partner,
    /// An account share (Cloudflare, EnableNow) and one org among its recipients.
    Account,
    /// An entity offered to a partner org: pending, or accepted (and so shared).
    Offer,
}

impl GrantKind {
    pub const ALL: [GrantKind; 4] =
        [GrantKind::Person, GrantKind::Partner, GrantKind::Account, GrantKind::Offer];

    pub fn as_str(self) -> &'static str {
        match self {
            GrantKind::Person => "person",
            GrantKind::Partner => "partner",
            GrantKind::Account => "account",
            GrantKind::Offer => "offer",
        }
    }

    pub fn parse(field: &str, text: &str) -> Result<Self, DomainError> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == text).ok_or_else(|| {
            DomainError::invalid(field, "must be one of person, partner, account, offer")
        })
    }

    /// What the kind is called on the page.
    pub fn label(self) -> &'static str {
        match self {
            GrantKind::Person => "Person share",
            GrantKind::Partner => "Partner entity",
            GrantKind::Account => "Account share",
            GrantKind::Offer => "Offer",
        }
    }
}

/// Whether the viewer's org gave the grant or received it.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Granted,
    Received,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Granted => "granted",
            Direction::Received => "received",
        }
    }
}

/// What a filter can name as the item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ItemKind {
    File,
    App,
    Entity,
    /// An account share as a whole.
    Share,
    /// A resource carried by account shares (a Cloudflare resource id, an EnableNow id).
    Resource,
}

impl ItemKind {
    pub const ALL: [ItemKind; 5] =
        [ItemKind::File, ItemKind::App, ItemKind::Entity, ItemKind::Share, ItemKind::Resource];

    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::File => "file",
            ItemKind::App => "app",
            ItemKind::Entity => "entity",
            ItemKind::Share => "share",
            ItemKind::Resource => "resource",
        }
    }

    pub fn parse(field: &str, text: &str) -> Result<Self, DomainError> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == text).ok_or_else(|| {
            DomainError::invalid(field, "must be one of file, app, entity, share, resource")
        })
    }
}

/// Which grants to list. Every condition given must hold; none lists everything the viewer
/// may see.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantFilter {
    /// An item: a file or app (its id or path), an entity (its id or entity id), an account
    /// share (its id), or a resource carried by account shares (its resource id).
    pub item: Option<(ItemKind, String)>,
    /// The org on the other side (the grantee, or the grantor of a received grant): its id or
    /// its exact name.
    pub org: Option<String>,
    /// A person: their username, email or id. Lists what gives them access: shares with
    /// them, and grants to their org.
    pub person: Option<String>,
    /// The person who granted it (the person page's "Shared by them"; not a query parameter).
    pub granted_by: Option<UserId>,
}

/// The query parameters of the page, the JSON API and the CSV export, as typed: each reads
/// them the same way through [`AccessParams::parse`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "ssr", into_params(parameter_in = Query))]
pub struct AccessParams {
    #[serde(default)]
    pub item_kind: String,
    #[serde(default)]
    pub item: String,
    #[serde(default)]
    pub org: String,
    #[serde(default)]
    pub person: String,
    #[serde(default)]
    pub page: String,
    #[serde(default)]
    pub per_page: String,
}

/// A checked query: the filter and the page wanted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantQuery {
    pub filter: GrantFilter,
    pub page: i64,
    pub per_page: i64,
}

/// Text fields longer than this are refused rather than searched for.
const MAX_FILTER_TEXT: usize = 1024;

impl AccessParams {
    pub fn parse(&self) -> Result<GrantQuery, DomainError> {
        let text = |field: &str, value: &str| -> Result<Option<String>, DomainError> {
            let value = value.trim();
            if value.len() > MAX_FILTER_TEXT {
                return Err(DomainError::invalid(field, "is too long"));
            }
            Ok(Some(value.to_owned()).filter(|value| !value.is_empty()))
        };
        let item = match text("item", &self.item)? {
            None => None,
            Some(id) => {
                let kind = match self.item_kind.trim() {
                    "" => return Err(DomainError::invalid("item_kind", "say what kind of item")),
                    kind => ItemKind::parse("item_kind", kind)?,
                };
                Some((kind, id))
            }
        };
        let number = |field: &str, value: &str, default: i64, max: i64| {
            match value.trim() {
                "" => Some(default),
                text => text.parse::<i64>().ok().filter(|n| (1..=max).contains(n)),
            }
            .ok_or_else(|| DomainError::invalid(field, format!("must be a number from 1 to {max}")))
        };
        let page = number("page", &self.page, 1, super::MAX_PAGE_NUMBER)?;
        let per_page = number("per_page", &self.per_page, DEFAULT_PER_PAGE, MAX_PER_PAGE)?;
        let filter = GrantFilter {
            item,
            org: text("org", &self.org)?,
            person: text("person", &self.person)?,
            granted_by: None,
        };
        Ok(GrantQuery { filter, page, per_page })
    }
}

/// How a grant can be revoked from the view, and what doing so does.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revoke {
    /// The service the revoke form calls.
    pub action: RevokeAction,
    /// What happens, in a sentence for the confirm step.
    pub consequence: String,
}

/// The existing service each kind's revoke goes to.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RevokeAction {
    /// Revoke a person share (its owner only).
    RevokePersonShare,
    /// Unshare the entity from the partner.
    UnshareEntity,
    /// Withdraw a pending offer.
    WithdrawOffer,
    /// Remove the org from the account share's recipients.
    RemoveRecipient,
}

impl RevokeAction {
    pub fn label(self) -> &'static str {
        match self {
            RevokeAction::RevokePersonShare => "Revoke share",
            RevokeAction::UnshareEntity => "Unshare",
            RevokeAction::WithdrawOffer => "Withdraw offer",
            RevokeAction::RemoveRecipient => "Remove recipient",
        }
    }
}

/// One grant: who has access to what, how it came about, until when.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", schema(as = AccessGrant))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub kind: GrantKind,
    /// The row's id within its kind: the person share, the partner entity share, the offer,
    /// or the account share recipient.
    pub id: String,
    pub direction: Direction,
    /// `file`, `app`, `entity` or `share` (an account share).
    pub item_kind: String,
    pub item_id: String,
    /// The file's path, the app's name, `schema/entity id`, or the account share's name.
    pub item_name: String,
    /// An entity's schema and entity id; `None` for the other items.
    #[cfg_attr(feature = "ssr", schema(value_type = Option<Vec<String>>))]
    pub entity: Option<(String, String)>,
    /// What an account share carries (`type id` each); empty for the other kinds.
    pub resources: Vec<String>,
    /// `person`, `org`, or `anyone` (a link share).
    pub grantee_kind: String,
    pub grantee_id: Option<String>,
    pub grantee_name: String,
    /// The grantee's org (a person's org; the org itself), when known here.
    pub grantee_org_id: Option<String>,
    pub grantee_org_name: Option<String>,
    pub grantor_org_id: String,
    pub grantor_org_name: String,
    /// Who granted it: a username, `offer link` for an offer accepted through its link, or
    /// `None` where nothing says.
    pub granted_by: Option<String>,
    /// The face (API) it was granted through: `web`, `api`, `puter`, `zus`, `epilot`,
    /// `cloudflare`, `enablenow`, `cli`.
    pub face: Option<String>,
    pub granted_at: String,
    /// How it was granted, in a sentence.
    pub how: String,
    /// `read` or `write` for a person share.
    pub access: Option<String>,
    pub expires_at: Option<String>,
    /// `active`, `pending` (an open offer), `accepted` (an accepted offer), `associating` or
    /// `associated` (an account share recipient).
    pub status: String,
    /// `None` when the viewer may not revoke it (a received grant, another person's share,
    /// or a role that changes nothing).
    pub revoke: Option<Revoke>,
}

/// A page of grants.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantPage {
    pub grants: Vec<Grant>,
    pub page: i64,
    pub pages: i64,
    pub per_page: i64,
    pub total: i64,
    /// Whether the viewer sees the org's grants (admins, auditors) or only their own.
    pub whole_org: bool,
}

/// The sentence for "through which API".
pub fn face_label(face: &str) -> &str {
    match face {
        "web" => "the web pages",
        "api" => "the Sharewell API",
        "cli" => "the command line",
        "puter" => "the Puter API",
        "zus" => "the Züs API",
        "epilot" => "the epilot API",
        "cloudflare" => "the Cloudflare API",
        "enablenow" => "the EnableNow API",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_query_lists_everything_on_the_first_page() {
        let query = AccessParams::default().parse().unwrap();
        assert_eq!(query.filter, GrantFilter::default());
        assert_eq!((query.page, query.per_page), (1, DEFAULT_PER_PAGE));
    }

    #[test]
    fn an_item_needs_its_kind_and_pages_are_bounded() {
        let params = AccessParams { item: "x".into(), ..AccessParams::default() };
        assert!(params.parse().is_err());
        let params =
            AccessParams { item: "x".into(), item_kind: "file".into(), ..AccessParams::default() };
        assert_eq!(params.parse().unwrap().filter.item, Some((ItemKind::File, "x".into())));
        for per_page in ["0", "101", "ten"] {
            let params = AccessParams { per_page: per_page.into(), ..AccessParams::default() };
            assert!(params.parse().is_err(), "{per_page}");
        }
    }
}
