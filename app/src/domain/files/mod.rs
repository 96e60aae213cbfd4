//! Files and apps shared with people, access requests, and notifications (Puter and Züs faces).

use serde::{Deserialize, Serialize};

use super::ids::UserId;
use super::listing::{RequestSort, SortDir};
use super::DomainError;

#[cfg(feature = "ssr")]
pub mod service;

/// What a recipient may do with a shared file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Access {
    Read,
    Write,
}

impl Access {
    pub fn as_str(self) -> &'static str {
        match self {
            Access::Read => "read",
            Access::Write => "write",
        }
    }

    pub fn parse(field: &str, text: &str) -> Result<Self, DomainError> {
        match text {
            "read" => Ok(Access::Read),
            "write" => Ok(Access::Write),
            _ => Err(DomainError::invalid(field, "must be `read` or `write`")),
        }
    }
}

/// A person a file is shared with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub user_id: UserId,
    pub username: String,
    pub email: String,
}

/// A person offered by a people picker: the username to type, and their org to tell two
/// people apart. Nothing else about them (no email, no id) leaves the domain this way.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonMatch {
    pub username: String,
    pub org_name: String,
}

/// How many people one search in a people picker returns at most.
pub const PERSON_MATCHES: i64 = 10;

/// A share of a file or app with one person (or, for a public Züs share, with anyone holding
/// its ticket).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonShare {
    pub id: String,
    pub resource_id: String,
    /// `file` or `app`.
    pub kind: String,
    /// The file's path (or name, for a file known only by its lookup hash) or the app's name.
    pub title: String,
    pub path: Option<String>,
    pub lookup_hash: Option<String>,
    pub owner: Person,
    pub recipient: Option<Person>,
    pub access: Access,
    pub share_info_type: String,
    pub message: String,
    pub auth_ticket: Option<String>,
    pub link: Option<String>,
    pub face: String,
    pub created_at: String,
    pub updated_at: String,
}

/// A page of the Shared page's list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharePage {
    pub shares: Vec<PersonShare>,
    pub page: i64,
    pub pages: i64,
    pub total: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RequestStatus {
    Pending,
    Approved,
    Declined,
}

impl RequestStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RequestStatus::Pending => "pending",
            RequestStatus::Approved => "approved",
            RequestStatus::Declined => "declined",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "pending" => Some(Self::Pending),
            "approved" => Some(Self::Approved),
            "declined" => Some(Self::Declined),
            _ => None,
        }
    }
}

/// A request by one person for access to another person's file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessRequest {
    pub id: String,
    pub requester: Person,
    pub owner: Person,
    pub lookup_hash: String,
    pub file_title: String,
    pub message: String,
    pub status: RequestStatus,
    /// 1 for a first request, 2 after the one re-request a decline allows.
    pub attempts: i64,
    pub created_at: String,
    pub updated_at: String,
}

/// Which requests to list.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestFilter {
    /// The other party (requester for received requests, owner for sent ones).
    pub counterpart: Option<UserId>,
    pub lookup_hash: Option<String>,
    pub status: Option<RequestStatus>,
    /// Include answered requests; by default only pending ones are listed.
    pub all: bool,
    /// The order the pages ask for; by default the newest first.
    pub order: Option<(RequestSort, SortDir)>,
    pub offset: i64,
    pub limit: i64,
}

/// A page of a person's access requests, one side of them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestPage {
    pub requests: Vec<AccessRequest>,
    pub page: i64,
    pub pages: i64,
    pub total: i64,
}

/// An in-app notification.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    pub id: String,
    pub kind: String,
    pub title: String,
    pub link: Option<String>,
    pub read: bool,
    pub created_at: String,
}

/// One thing named in a share request, before it is looked up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ThingRef {
    /// A file by path (`/alice/notes.txt`) or by uid.
    File { path_or_uid: String, access: Access },
    /// An app of the caller's org, by uid or by name.
    App { uid_or_name: String },
}

/// Why one recipient or one thing of a share request cannot be shared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EntryError {
    /// No user with this username or email (Puter: 422 `user_does_not_exist`).
    UserDoesNotExist { username: String },
    /// No such file or app of the caller (Puter: 404 `subject_does_not_exist`).
    SubjectDoesNotExist,
    /// The entry itself is malformed (Puter: 400).
    Invalid { message: String },
}

/// Checks a file path: absolute, no `.`/`..` segments, at most 1024 bytes.
pub fn check_path(field: &str, path: &str) -> Result<(), DomainError> {
    if !path.starts_with('/') {
        return Err(DomainError::invalid(
            field,
            "must be an absolute path such as /alice/notes.txt",
        ));
    }
    if path.len() > 1024 {
        return Err(DomainError::invalid(field, "must be at most 1024 bytes"));
    }
    if path.split('/').any(|segment| segment == "." || segment == "..") {
        return Err(DomainError::invalid(field, "must not contain `.` or `..` segments"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_must_be_absolute_and_plain() {
        assert!(check_path("path", "/alice/notes.txt").is_ok());
        assert!(check_path("path", "alice/notes.txt").is_err());
        assert!(check_path("path", "/alice/../bob/x").is_err());
    }
}
