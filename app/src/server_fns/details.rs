//! Server functions of the detail pages: one account share (with its recipients, resources and
//! history; rename, new expiry, delete) and one person of the org.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::AppError;
use crate::domain::access::Grant;
use crate::domain::audit::EventView;
use crate::domain::identity::users::UserSummary;
use crate::server_fns::org_shares::AccountShareRow;

#[cfg(feature = "ssr")]
use super::ssr::actor_and_store;

/// One recipient of an account share as the detail page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecipientRow {
    pub org_id: String,
    pub org_name: String,
    /// `associating`, `associated`, `disassociating` or `disassociated`.
    pub association: String,
    pub pending: bool,
    pub since: String,
}

/// One resource an account share carries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceRow {
    pub resource_type: String,
    pub resource_id: String,
    pub resource_account_id: String,
    pub status: String,
}

/// Everything the account share page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountShareDetail {
    pub share: AccountShareRow,
    pub owner_org_name: String,
    /// The viewer's org owns it (a recipient sees it, with only its own entry).
    pub sent: bool,
    pub reference: Option<String>,
    pub target_type: String,
    pub recipients: Vec<RecipientRow>,
    pub resources: Vec<ResourceRow>,
    /// Recipients who lose access when the share is deleted.
    pub recipients_with_access: usize,
    /// The viewer may rename it, move its expiry and delete it (an admin of the owner org,
    /// and the share still live).
    pub can_change: bool,
    /// Its audit entries, newest first; `None` where the viewer's role may not read the log.
    pub history: Option<Vec<EventView>>,
}

#[cfg(feature = "ssr")]
async fn web_account(
    store: &crate::domain::store::Store,
    actor: &crate::domain::identity::Actor,
) -> Result<crate::domain::account_shares::service::Account, AppError> {
    use crate::domain::account_shares::service as account_shares;
    Ok(account_shares::account(store, actor, &actor.org_id.to_string()).await?)
}

/// One account share the viewer's org sent or received (another org's is "not found").
#[server(endpoint = "account_share", output = crate::server_fns::codec::TextJson)]
pub async fn get_account_share(id: String) -> Result<AccountShareDetail, AppError> {
    use crate::domain::account_shares::service as account_shares;
    use crate::domain::account_shares::{Association, ShareStatus};
    use crate::domain::audit::service::{self as audit, HistoryOf};
    use crate::domain::authz::Operation;
    use crate::domain::clock;
    use crate::domain::identity::Face;

    let (store, actor) = actor_and_store().await?;
    let account = web_account(&store, &actor).await?;
    let share = account_shares::get(&store, Face::Web, account, &id).await?;
    let sent = share.owner_org_id == account.org_id;
    let can_change = sent && share.status == ShareStatus::Active;
    let may_change = actor.may(Operation::AccountShareUpdate);
    let row = super::org_shares::ssr::row(&share, account.org_id, may_change, &clock::now());
    let history = if actor.may(Operation::AuditRead) && sent {
        let id = share.id.to_string();
        Some(audit::history(&store, &actor, HistoryOf::Object("account_share", &id)).await?)
    } else {
        None
    };
    Ok(AccountShareDetail {
        owner_org_name: share.owner_org_name.clone(),
        sent,
        reference: share.reference.clone(),
        target_type: share.target_type.as_str().to_owned(),
        recipients_with_access: share
            .recipients
            .iter()
            .filter(|recipient| recipient.association == Association::Associated)
            .count(),
        recipients: share
            .recipients
            .iter()
            .map(|recipient| RecipientRow {
                org_id: recipient.org_id.to_string(),
                org_name: recipient.org_name.clone(),
                association: recipient.association.as_str().to_owned(),
                pending: recipient.association.is_pending(),
                since: recipient.updated_at.clone(),
            })
            .collect(),
        resources: share
            .resources
            .iter()
            .map(|resource| ResourceRow {
                resource_type: resource.resource_type.clone(),
                resource_id: resource.resource_id.clone(),
                resource_account_id: resource.resource_account_id.clone(),
                status: resource.status.as_str().to_owned(),
            })
            .collect(),
        can_change: can_change && may_change,
        history,
        share: row,
    })
}

/// Renames an account share the viewer's org sent.
#[server(endpoint = "rename_account_share", output = crate::server_fns::codec::TextJson)]
pub async fn rename_account_share(id: String, name: String) -> Result<(), AppError> {
    use crate::domain::account_shares::service as account_shares;
    use crate::domain::identity::Face;

    let (store, actor) = actor_and_store().await?;
    let account = web_account(&store, &actor).await?;
    account_shares::rename(&store, &actor, Face::Web, account, &id, &name).await?;
    Ok(())
}

/// Moves an account share's expiry. `expires_at` is the form's date and time (UTC, e.g.
/// `2026-12-24T18:00`) or an RFC 3339 time.
#[server(endpoint = "set_account_share_expiry", output = crate::server_fns::codec::TextJson)]
pub async fn set_account_share_expiry(id: String, expires_at: String) -> Result<(), AppError> {
    use crate::domain::account_shares::service as account_shares;
    use crate::domain::identity::Face;
    use crate::domain::{clock, DomainError};

    let (store, actor) = actor_and_store().await?;
    let account = web_account(&store, &actor).await?;
    let text = expires_at.trim();
    // A `datetime-local` field sends minutes only.
    let padded = if text.len() == 16 { format!("{text}:00") } else { text.to_owned() };
    let expires_at = clock::parse_client_time(&padded)
        .ok_or_else(|| DomainError::invalid("expires_at", "give a date and time"))?;
    account_shares::set_expiry(&store, &actor, Face::Web, account, &id, &expires_at).await?;
    Ok(())
}

/// Deletes an account share the viewer's org sent: an EnableNow share at once, a Cloudflare
/// share in the background (its recipients are disassociated by the worker, as the
/// Cloudflare API does it).
#[server(endpoint = "delete_account_share", output = crate::server_fns::codec::TextJson)]
pub async fn delete_account_share(id: String) -> Result<(), AppError> {
    use crate::domain::account_shares::service::{self as account_shares, Completion};
    use crate::domain::account_shares::FACE_CLOUDFLARE;
    use crate::domain::identity::Face;

    let (store, actor) = actor_and_store().await?;
    let account = web_account(&store, &actor).await?;
    let share = account_shares::get(&store, Face::Web, account, &id).await?;
    let completion =
        if share.face == FACE_CLOUDFLARE { Completion::Background } else { Completion::Now };
    account_shares::delete(&store, &actor, Face::Web, account, &id, completion).await?;
    Ok(())
}

/// How many grants each list of the person page shows (the full list is on /access).
pub const PERSON_GRANTS: usize = 10;

/// Everything the person page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonDetail {
    pub user: UserSummary,
    /// What gives them access (shares with them, grants to their org), the first few.
    pub access: Vec<Grant>,
    pub access_total: i64,
    /// What they granted to others, the latest few.
    pub granted: Vec<Grant>,
    /// What they did and what was done to their account, newest first.
    pub history: Vec<EventView>,
}

/// One person of the viewer's org (admins and auditors); another org's is "not found".
#[server(endpoint = "person", output = crate::server_fns::codec::TextJson)]
pub async fn get_person(id: String) -> Result<PersonDetail, AppError> {
    use crate::domain::access::{service as access, AccessParams, GrantFilter, GrantQuery};
    use crate::domain::audit::service::{self as audit, HistoryOf};
    use crate::domain::identity::user_service as users;
    use crate::domain::DomainError;

    let (store, actor) = actor_and_store().await?;
    let user_id = id.trim().parse().map_err(|_| DomainError::NotFound("user"))?;
    let user = users::get_user(&store, &actor, user_id).await?;
    let query = AccessParams {
        person: user.id.to_string(),
        per_page: PERSON_GRANTS.to_string(),
        ..AccessParams::default()
    }
    .parse()?;
    let access = access::grants(&store, &actor, &query).await?;
    // What they granted, the latest first: the grants that name them as the grantor.
    let granted = GrantQuery {
        filter: GrantFilter { granted_by: Some(user.id), ..GrantFilter::default() },
        page: 1,
        per_page: PERSON_GRANTS as i64,
    };
    let granted = access::grants(&store, &actor, &granted).await?.grants;
    let id = user.id.to_string();
    let history = audit::history(&store, &actor, HistoryOf::Person(&id)).await?;
    Ok(PersonDetail { user, access: access.grants, access_total: access.total, granted, history })
}
