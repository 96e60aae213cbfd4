//! Who may do what: every operation of every service, and the one table that says which roles
//! may do it and whether it changes anything.
//!
//! Each service calls [`Actor::require`] first; the pages ask [`Actor::may`] to show each
//! person only what they may do (the services stay the authority). Adding an operation is
//! one variant and one line in [`Operation::rule`].
//!
//! - `admin` configures the org: partners, template roles, offers, account shares, apps,
//!   users and their tokens; and does everything a member does.
//! - `member` shares their own files, asks for and answers access to them, keeps their own
//!   tokens, and sees what is shared with the org.
//! - `readonly` sees what an admin sees, the audit log included, and changes nothing: for
//!   auditors. Their tokens and inbox are their own to keep.
//! - A read-only API token acts with its creator's role but only for [`Kind::Read`].

use serde::{Deserialize, Serialize};

use super::identity::{Actor, Role};
use super::DomainError;

/// Everything an actor can ask a service to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Operation {
    // Partner sharing (epilot face, partner pages).
    PartnersRead,
    PartnerConfigure,
    PartnerUsersChange,
    TemplateRolesRead,
    TemplateRolesChange,
    EntitiesShare,
    EntitiesOffer,
    OfferAnswer,
    // Account shares (Cloudflare and EnableNow faces, Shared page).
    AccountSharesRead,
    ChildAccountUse,
    OrganizationSharesRead,
    AccountShareCreate,
    AccountShareUpdate,
    AccountShareDelete,
    AccountShareRecipientsChange,
    AccountShareResourcesChange,
    // The org's app catalogue.
    AppsRead,
    AppRegister,
    // The audit log.
    AuditRead,
    /// The org's grants of every kind in one view ("who has access"); others see their own.
    AccessReview,
    // Users of the org and their tokens.
    UsersRead,
    UsersChange,
    OthersTokensRead,
    OthersTokensRevoke,
    // The actor's own tokens.
    OwnTokensRead,
    OwnTokenCreate,
    OwnTokenRevoke,
    /// Changing one's own password (with the current one).
    OwnPasswordChange,
    // Files and apps shared with people (Puter and Züs faces, Shared and Requests pages).
    FileSharesRead,
    FilesShare,
    FileShareRevoke,
    /// Revoking a file share made by any person of one's org (an access review's revoke).
    OrgFileShareRevoke,
    FileShareAccessChange,
    AccessRequestsRead,
    AccessRequestAsk,
    AccessRequestAnswer,
    AccessRequestWithdraw,
    // The actor's own inbox.
    NotificationsRead,
    NotificationsMarkRead,
    /// Turning one's own email categories on and off.
    OwnEmailSettingsChange,
    // The org's webhook endpoints and their delivery logs.
    WebhooksRead,
    WebhooksManage,
}

/// Which roles an operation is open to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Who {
    /// Every role.
    Everyone,
    /// Admins and members: work of one's own that changes something.
    Members,
    /// Admins and read-only auditors: what only those who oversee the org see.
    Overseers,
    /// Admins only: changes to the org's configuration.
    Admins,
}

/// What an operation does to the state, which decides the read-only cases.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Changes nothing: open to read-only tokens too.
    Read,
    /// Changes the org's state: never for the `readonly` role or a read-only token.
    Write,
    /// Changes only the actor's own credentials or inbox: for every role it is open to, but not
    /// through a read-only token (a leaked read-only token must not mint or revoke tokens).
    Own,
}

/// One row of the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    pub who: Who,
    pub kind: Kind,
}

impl Operation {
    /// Every operation, for the tests that walk the table.
    pub const ALL: [Operation; 42] = {
        use Operation::*;
        [
            PartnersRead,
            PartnerConfigure,
            PartnerUsersChange,
            TemplateRolesRead,
            TemplateRolesChange,
            EntitiesShare,
            EntitiesOffer,
            OfferAnswer,
            AccountSharesRead,
            ChildAccountUse,
            OrganizationSharesRead,
            AccountShareCreate,
            AccountShareUpdate,
            AccountShareDelete,
            AccountShareRecipientsChange,
            AccountShareResourcesChange,
            AppsRead,
            AppRegister,
            AuditRead,
            AccessReview,
            UsersRead,
            UsersChange,
            OthersTokensRead,
            OthersTokensRevoke,
            OwnTokensRead,
            OwnTokenCreate,
            OwnTokenRevoke,
            OwnPasswordChange,
            FileSharesRead,
            FilesShare,
            FileShareRevoke,
            OrgFileShareRevoke,
            FileShareAccessChange,
            AccessRequestsRead,
            AccessRequestAsk,
            AccessRequestAnswer,
            AccessRequestWithdraw,
            NotificationsRead,
            NotificationsMarkRead,
            OwnEmailSettingsChange,
            WebhooksRead,
            WebhooksManage,
        ]
    };

    /// The table.
    #[rustfmt::skip]
    pub const fn rule(self) -> Rule {
        use Kind::{Own, Read, Write};
        use Operation::*;
        use Who::{Admins, Everyone, Members, Overseers};
        let (who, kind) = match self {
            // operation                        who may      kind
            PartnersRead                     => (Everyone,  Read),
            PartnerConfigure                 => (Admins,    Write),
            PartnerUsersChange               => (Admins,    Write),
            TemplateRolesRead                => (Everyone,  Read),
            TemplateRolesChange              => (Admins,    Write),
            EntitiesShare                    => (Admins,    Write),
            EntitiesOffer                    => (Admins,    Write),
            // An offer is made to the partner org's people, as upstream: any member answers.
            OfferAnswer                      => (Members,   Write),
            AccountSharesRead                => (Everyone,  Read),
            ChildAccountUse                  => (Overseers, Read),
            OrganizationSharesRead           => (Overseers, Read),
            AccountShareCreate               => (Admins,    Write),
            AccountShareUpdate               => (Admins,    Write),
            AccountShareDelete               => (Admins,    Write),
            AccountShareRecipientsChange     => (Admins,    Write),
            AccountShareResourcesChange      => (Admins,    Write),
            AppsRead                         => (Everyone,  Read),
            AppRegister                      => (Admins,    Write),
            AuditRead                        => (Overseers, Read),
            AccessReview                     => (Overseers, Read),
            UsersRead                        => (Overseers, Read),
            UsersChange                      => (Admins,    Write),
            OthersTokensRead                 => (Overseers, Read),
            OthersTokensRevoke               => (Admins,    Write),
            OwnTokensRead                    => (Everyone,  Read),
            OwnTokenCreate                   => (Everyone,  Own),
            OwnTokenRevoke                   => (Everyone,  Own),
            OwnPasswordChange                => (Everyone,  Own),
            FileSharesRead                   => (Everyone,  Read),
            FilesShare                       => (Members,   Write),
            FileShareRevoke                  => (Members,   Write),
            OrgFileShareRevoke               => (Admins,    Write),
            FileShareAccessChange            => (Members,   Write),
            AccessRequestsRead               => (Everyone,  Read),
            AccessRequestAsk                 => (Members,   Write),
            AccessRequestAnswer              => (Members,   Write),
            AccessRequestWithdraw            => (Members,   Write),
            NotificationsRead                => (Everyone,  Read),
            NotificationsMarkRead            => (Everyone,  Own),
            OwnEmailSettingsChange           => (Everyone,  Own),
            // Endpoints carry signing secrets and see every share event of the org.
            WebhooksRead                     => (Overseers, Read),
            WebhooksManage                   => (Admins,    Write),
        };
        Rule { who, kind }
    }

    pub fn writes(self) -> bool {
        self.rule().kind != Kind::Read
    }
}

impl Who {
    pub const fn includes(self, role: Role) -> bool {
        match self {
            Who::Everyone => true,
            Who::Members => matches!(role, Role::Admin | Role::Member),
            Who::Overseers => matches!(role, Role::Admin | Role::ReadOnly),
            Who::Admins => matches!(role, Role::Admin),
        }
    }
}

/// Why an operation was refused, in a sentence for the person who asked.
const READ_ONLY_ROLE: &str = "your role is read-only: you may look but not change anything";
const READ_ONLY_TOKEN: &str = "this API token is read-only: it may look but not change anything";
const ADMINS_ONLY: &str = "only an admin of the organization may do this";
const OVERSEERS_ONLY: &str = "only admins and read-only auditors of the organization may see this";

impl Actor {
    /// Whether the actor may do `operation` (pages use this to hide what would be refused).
    pub fn may(&self, operation: Operation) -> bool {
        self.refusal(operation).is_none()
    }

    /// Refuses with a clear sentence unless the actor may do `operation`. Every service calls
    /// this first.
    pub fn require(&self, operation: Operation) -> Result<(), DomainError> {
        match self.refusal(operation) {
            None => Ok(()),
            Some(reason) => Err(DomainError::Forbidden(reason)),
        }
    }

    /// Whether anything this actor does may change the org's state.
    pub fn can_write(&self) -> bool {
        self.role != Role::ReadOnly && !self.read_only
    }

    fn refusal(&self, operation: Operation) -> Option<&'static str> {
        let Rule { who, kind } = operation.rule();
        if kind == Kind::Write && self.role == Role::ReadOnly {
            return Some(READ_ONLY_ROLE);
        }
        if !who.includes(self.role) {
            return Some(match who {
                Who::Overseers => OVERSEERS_ONLY,
                Who::Members => READ_ONLY_ROLE,
                Who::Admins | Who::Everyone => ADMINS_ONLY,
            });
        }
        if kind != Kind::Read && self.read_only {
            return Some(READ_ONLY_TOKEN);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::{OrgId, UserId};

    fn actor(role: Role, read_only: bool) -> Actor {
        Actor {
            user_id: "0190a000-0000-7000-8000-000000000001".parse::<UserId>().unwrap(),
            username: "someone".into(),
            email: "someone@example.test".into(),
            role,
            org_id: "0190a000-0000-7000-8000-000000000002".parse::<OrgId>().unwrap(),
            org_name: "Org".into(),
            read_only,
            token_expires_at: None,
        }
    }

    #[test]
    fn the_readonly_role_sees_everything_an_admin_sees_and_changes_nothing_of_the_org() {
        let (admin, auditor) = (actor(Role::Admin, false), actor(Role::ReadOnly, false));
        for operation in Operation::ALL {
            let rule = operation.rule();
            match rule.kind {
                Kind::Read => {
                    assert_eq!(auditor.may(operation), admin.may(operation), "{operation:?}")
                }
                Kind::Write => assert!(!auditor.may(operation), "{operation:?}"),
                Kind::Own => assert!(auditor.may(operation), "{operation:?}"),
            }
        }
    }

    #[test]
    fn a_read_only_token_may_read_whatever_its_creator_may_and_nothing_else() {
        for role in Role::ALL {
            let (full, narrowed) = (actor(role, false), actor(role, true));
            for operation in Operation::ALL {
                let expected = full.may(operation) && !operation.writes();
                assert_eq!(narrowed.may(operation), expected, "{role:?} {operation:?}");
            }
        }
    }

    #[test]
    fn an_admin_may_do_everything_a_member_may() {
        let (admin, member) = (actor(Role::Admin, false), actor(Role::Member, false));
        for operation in Operation::ALL {
            assert!(!member.may(operation) || admin.may(operation), "{operation:?}");
        }
        assert!(admin.may(Operation::PartnerConfigure));
        assert!(!member.may(Operation::PartnerConfigure));
        assert!(!member.may(Operation::AuditRead));
        assert!(member.may(Operation::FilesShare));
        assert!(member.may(Operation::AccountSharesRead));
    }

    #[test]
    fn refusals_say_why_in_a_sentence() {
        let refusal = |role, read_only, operation| {
            actor(role, read_only).require(operation).unwrap_err().to_string()
        };
        assert!(refusal(Role::Member, false, Operation::AuditRead).contains("auditors"));
        assert!(refusal(Role::Member, false, Operation::PartnerConfigure).contains("admin"));
        assert!(refusal(Role::ReadOnly, false, Operation::FilesShare).contains("read-only"));
        assert!(refusal(Role::Admin, true, Operation::OwnTokenCreate).contains("token"));
    }

    #[test]
    fn every_operation_is_listed_once() {
        let mut seen = std::collections::HashSet::new();
        for operation in Operation::ALL {
            assert!(seen.insert(operation), "{operation:?} twice");
        }
    }
}
