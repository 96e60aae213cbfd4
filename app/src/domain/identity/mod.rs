//! Who acts: orgs, users, roles, API tokens, and the [`Actor`] every service call takes.

use serde::{Deserialize, Serialize};
use std::fmt;

use super::ids::{OrgId, TokenId, UserId};
use super::DomainError;

#[cfg(feature = "ssr")]
pub mod password;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod token_secret;
#[cfg(feature = "ssr")]
pub mod user_service;
pub mod users;

/// The authenticated user and their org, on whose behalf a face or page acts. Only the
/// identity services create one, from a session or a token.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub user_id: UserId,
    pub username: String,
    pub email: String,
    pub role: Role,
    pub org_id: OrgId,
    pub org_name: String,
    /// Acting through a token narrowed to reading: whatever the role, nothing is changed.
    /// Always `false` for a browser session.
    #[serde(default)]
    pub read_only: bool,
    /// When the token acted through expires (RFC 3339), so that a token it creates cannot
    /// outlive it. `None` for a session or a token without expiry.
    #[serde(default)]
    pub token_expires_at: Option<String>,
}

impl Actor {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

/// What a user may do in their org; the rules are in [`crate::domain::authz`].
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Configures the org: partners, roles, offers, account shares, apps, users.
    Admin,
    /// Works with their own files and sees what is shared with the org.
    Member,
    /// Sees what an admin sees, the audit log included, and changes nothing: for auditors.
    ReadOnly,
}

impl Role {
    /// Every role, in the order forms offer them.
    pub const ALL: [Role; 3] = [Role::Admin, Role::Member, Role::ReadOnly];

    /// The spelling on the wire and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Member => "member",
            Role::ReadOnly => "readonly",
        }
    }

    pub fn parse(text: &str) -> Result<Self, DomainError> {
        match text.trim().to_ascii_lowercase().as_str() {
            "admin" => Ok(Role::Admin),
            "member" => Ok(Role::Member),
            "readonly" | "read-only" => Ok(Role::ReadOnly),
            _ => Err(DomainError::invalid("role", "must be `admin`, `member` or `readonly`")),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Through which way in a change was made; recorded on every audit event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Face {
    /// The web UI (pages and their server functions).
    Web,
    /// The command line, run by an operator.
    Cli,
    /// Sharewell's own JSON API under `/api/v1`.
    Api,
    Epilot,
    Puter,
    Zus,
    EnableNow,
    Cloudflare,
}

impl Face {
    pub fn as_str(self) -> &'static str {
        match self {
            Face::Web => "web",
            Face::Cli => "cli",
            Face::Api => "api",
            Face::Epilot => "epilot",
            Face::Puter => "puter",
            Face::Zus => "zus",
            Face::EnableNow => "enablenow",
            Face::Cloudflare => "cloudflare",
        }
    }
}

/// A username: 3 to 32 characters of `a-z 0-9 . _ -`, starting with a letter or digit,
/// compared without regard to case (stored lowercase).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let name = text.trim().to_ascii_lowercase();
        let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c);
        if !(3..=32).contains(&name.len()) {
            return Err(DomainError::invalid("username", "must be 3 to 32 characters long"));
        }
        if !name.chars().all(allowed) || !name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
            return Err(DomainError::invalid(
                "username",
                "may contain only letters, digits, `.`, `_` and `-`, and must start with a letter or digit",
            ));
        }
        Ok(Self(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An email address in its stored (lowercase) form. Checks the shape only; deliverability is
/// not ours to judge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let email = text.trim().to_ascii_lowercase();
        let invalid = || DomainError::invalid("email", "must look like name@example.com");
        if email.len() > 254 || email.chars().any(char::is_whitespace) {
            return Err(invalid());
        }
        let (local, domain) = email.split_once('@').ok_or_else(invalid)?;
        let domain_ok = domain.contains('.')
            && !domain.contains('@')
            && !domain.starts_with('.')
            && !domain.ends_with('.');
        if local.is_empty() || !domain_ok {
            return Err(invalid());
        }
        Ok(Self(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new password that meets the minimum: at least [`Password::MIN_LENGTH`] characters, not
/// all the same. Deliberately neither `Serialize` nor `Debug`-printable.
pub struct Password(String);

impl Password {
    pub const MIN_LENGTH: usize = 10;

    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let length = text.chars().count();
        if length == 0 {
            return Err(DomainError::invalid("password", "must not be empty"));
        }
        if length < Self::MIN_LENGTH {
            return Err(DomainError::invalid(
                "password",
                format!("is too weak: use at least {} characters", Self::MIN_LENGTH),
            ));
        }
        if text.len() > 1024 {
            return Err(DomainError::invalid("password", "must be at most 1024 bytes"));
        }
        let mut characters = text.chars();
        let first = characters.next();
        if characters.all(|c| Some(c) == first) {
            return Err(DomainError::invalid("password", "is too weak: it repeats one character"));
        }
        Ok(Self(text.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(..)")
    }
}

/// The name a user gives a token: 1 to 100 characters.
pub fn parse_token_name(text: &str) -> Result<String, DomainError> {
    let name = text.trim();
    if name.is_empty() {
        return Err(DomainError::invalid("name", "must not be empty"));
    }
    if name.chars().count() > 100 {
        return Err(DomainError::invalid("name", "must be at most 100 characters"));
    }
    Ok(name.to_owned())
}

/// An API token as listed: never its secret.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenSummary {
    pub id: TokenId,
    pub name: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
    /// Narrowed to reading: acts with its creator's role but changes nothing.
    #[serde(default)]
    pub read_only: bool,
    /// After this moment (RFC 3339) the token is refused like a revoked one.
    #[serde(default)]
    pub expires_at: Option<String>,
    /// Past its expiry when listed.
    #[serde(default)]
    pub expired: bool,
}

/// What a new token may do beyond its name: narrowed to reading, and for how many days it
/// lives (none: until revoked).
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenScope {
    #[serde(default)]
    pub read_only: bool,
    #[serde(default)]
    pub expires_in_days: Option<i64>,
}

impl TokenScope {
    /// The longest life a token may be given.
    pub const MAX_DAYS: i64 = 3650;

    /// Checks the number of days: 1 to [`TokenScope::MAX_DAYS`].
    pub fn checked(self) -> Result<Self, DomainError> {
        match self.expires_in_days {
            Some(days) if !(1..=Self::MAX_DAYS).contains(&days) => Err(DomainError::invalid(
                "expires_in_days",
                format!("must be between 1 and {}", Self::MAX_DAYS),
            )),
            _ => Ok(self),
        }
    }
}

/// A token just created, with the secret that is shown this once and never again.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewToken {
    pub token: TokenSummary,
    pub secret: String,
}

/// A new org as the CLI reports it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Org {
    pub id: OrgId,
    pub name: String,
    pub parent_id: Option<OrgId>,
    pub created_at: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_read_back_from_their_own_spelling_and_read_only_is_accepted_too() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()).unwrap(), role);
            assert_eq!(serde_json::to_string(&role).unwrap(), format!("\"{}\"", role.as_str()));
        }
        assert_eq!(Role::parse(" Read-Only ").unwrap(), Role::ReadOnly);
        assert!(Role::parse("owner").unwrap_err().to_string().contains("readonly"));
    }

    #[test]
    fn usernames_are_normalised_and_checked() {
        assert_eq!(Username::parse(" Alice ").unwrap().as_str(), "alice");
        assert!(Username::parse("al").is_err());
        assert!(Username::parse("-alice").is_err());
        assert!(Username::parse("alice smith").is_err());
    }

    #[test]
    fn emails_need_a_local_part_and_a_dotted_domain() {
        assert_eq!(Email::parse("Bob@Example.COM").unwrap().as_str(), "bob@example.com");
        for bad in ["bob", "@example.com", "bob@localhost", "bob@@x.com", "b ob@x.com"] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn weak_and_empty_passwords_are_refused_with_a_reason() {
        let message = |text: &str| Password::parse(text).unwrap_err().to_string();
        assert!(message("").contains("must not be empty"));
        assert!(message("short").contains("at least 10"));
        assert!(message("aaaaaaaaaaaa").contains("repeats"));
        assert!(Password::parse("correct horse battery").is_ok());
    }

    #[test]
    fn a_password_never_prints() {
        let password = Password::parse("correct horse battery").unwrap();
        assert_eq!(format!("{password:?}"), "Password(..)");
    }
}
