//! The audit log: an append-only record of every change, written in the transaction that
//! makes the change.

use serde::{Deserialize, Serialize};

use super::ids::EventId;

#[cfg(feature = "ssr")]
pub mod service;

/// How many events a page of the audit log shows.
pub const PAGE_SIZE: u32 = 25;

/// One recorded change, as the audit page shows it.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventView {
    pub id: EventId,
    /// The username of whoever made the change, or `cli` for an operator.
    pub actor_name: String,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    /// The object's name where it still exists and has one (the page shows it, the id on hover).
    #[serde(default)]
    pub object_name: Option<String>,
    pub face: String,
    /// What changed, as a JSON object.
    pub detail: serde_json::Value,
    pub created_at: String,
}

/// Which events to list: newest first, optionally one action only, older than `before`,
/// `per_page` at a time (1 to [`MAX_PAGE_SIZE`]; [`PAGE_SIZE`] when not given).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventFilter {
    pub action: Option<String>,
    pub before: Option<EventId>,
    pub per_page: Option<u32>,
}

/// The most events one page may ask for.
pub const MAX_PAGE_SIZE: u32 = 100;

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventPage {
    pub events: Vec<EventView>,
    /// Pass as `before` to get the next (older) page; `None` on the last page.
    pub next_before: Option<EventId>,
}
