//! The people of an org as its admins manage them: list, add, change role, deactivate, reset
//! a password; and one-time links with which a person sets their own password.

use serde::{Deserialize, Serialize};

use super::Role;
use crate::domain::ids::UserId;

/// How many users a page of the list shows.
pub const USERS_PER_PAGE: usize = 25;

/// The highest page number asked for that is still answered (an empty page beyond the end);
/// anything above is refused as invalid rather than overflowing an offset.
pub const MAX_PAGE: usize = 1_000_000;

/// How long a set-password link stays usable.
pub const PASSWORD_LINK_HOURS: i64 = 72;

/// A user as an admin of their org sees them. Never the password hash.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSummary {
    pub id: UserId,
    pub username: String,
    pub email: String,
    pub role: Role,
    /// `false` once deactivated: no sign-in, sessions and tokens refused.
    pub active: bool,
    pub created_at: String,
    pub last_sign_in_at: Option<String>,
    pub deactivated_at: Option<String>,
}

/// One page of an org's users, oldest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserPage {
    pub users: Vec<UserSummary>,
    pub page: usize,
    pub pages: usize,
    pub total: usize,
}

/// A one-time set-password link, shown once to the admin who asked for it and never again
/// (only a hash of its secret is stored).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordLink {
    pub username: String,
    /// The path to send the person, `/set-password/{secret}`, relative to Sharewell's address.
    pub path: String,
    pub expires_at: String,
}

impl PasswordLink {
    pub fn path_for(secret: &str) -> String {
        format!("/set-password/{secret}")
    }
}

/// A user just added, with their set-password link when no initial password was given.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddedUser {
    pub user: UserSummary,
    pub link: Option<PasswordLink>,
}
