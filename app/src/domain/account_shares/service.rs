//! The rules of account shares. Every write is one transaction with its audit events and the
//! jobs that complete it later.

use crate::domain::notifications::service::{notify_admins, Notice};
use crate::domain::notifications::Category;
use serde_json::json;

use super::{
    AccountShare, AccountSharePage, Association, NewAccountShare, NewShareResource, RecipientRef,
    ResourceFilter, ShareQuery, ShareRecipient, ShareResource, ShareStatus, TargetType,
    CLOUDFLARE_RESOURCE_TYPES, ENABLENOW_RESOURCE_TYPES, FACE_ENABLENOW,
};
use crate::domain::audit::service::{record, Author, Change};
use crate::domain::authz::Operation;
use crate::domain::identity::{Actor, Face};
use crate::domain::ids::{AccountShareId, OrgId, RecipientId, ShareResourceId};
use crate::domain::queue::{self, JobKind};
use crate::domain::store::account_shares::{self as store, NewResourceRow, NewShareRow, Scope};
use crate::domain::store::Store;
use crate::domain::{clock, DomainError};

type Connection = sqlx::AnyConnection;

/// Lists never return more than this many shares a page.
pub const MAX_PER_PAGE: i64 = 100;

/// The longest share name or reference kept.
const MAX_TEXT: usize = 512;

/// Page numbers beyond this are refused (no list is that long, and offsets stay small).
const MAX_PAGE: i64 = 1_000_000;

/// Most recipients or resources one request may name.
const MAX_ITEMS: usize = 100;

/// The largest resource metadata kept, as JSON text.
const MAX_META_BYTES: usize = 16 * 1024;

/// How a removal completes: at once (EnableNow has no transitional states), or in the
/// background with a transitional status (the Cloudflare contract: "deletion is not
/// immediate").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Completion {
    Now,
    Background,
}

/// The account a request acts for: the caller's own org, or (for an admin or auditor) one of its child
/// orgs. Anything else, including an id that names no org, is refused the same way.
#[derive(Clone, Copy, Debug)]
pub struct Account {
    pub org_id: OrgId,
    pub parent_id: Option<OrgId>,
}

const NOT_YOUR_ACCOUNT: &str = "you may not act for this account";

pub async fn account(
    store: &Store,
    actor: &Actor,
    account_id: &str,
) -> Result<Account, DomainError> {
    actor.require(Operation::AccountSharesRead)?;
    let org_id: OrgId =
        account_id.trim().parse().map_err(|_| DomainError::Forbidden(NOT_YOUR_ACCOUNT))?;
    let parent_id = match store.caches().parent(org_id) {
        Some(parent_id) => parent_id,
        None => {
            let org = store::org(store.pool(), org_id)
                .await?
                .ok_or(DomainError::Forbidden(NOT_YOUR_ACCOUNT))?;
            let parent_id = org.parent()?;
            store.caches().remember_parent(org_id, parent_id);
            parent_id
        }
    };
    let allowed = org_id == actor.org_id
        || (actor.may(Operation::ChildAccountUse) && parent_id == Some(actor.org_id));
    if allowed {
        Ok(Account { org_id, parent_id })
    } else {
        Err(DomainError::Forbidden(NOT_YOUR_ACCOUNT))
    }
}

/// Checks and normalises paging: `page` from 1, `per_page` from 1 to [`MAX_PER_PAGE`].
pub fn paging(
    page: Option<i64>,
    per_page: Option<i64>,
    default_per_page: i64,
) -> Result<(i64, i64), DomainError> {
    let page = page.unwrap_or(1);
    if !(1..=MAX_PAGE).contains(&page) {
        return Err(DomainError::invalid("page", format!("must be between 1 and {MAX_PAGE}")));
    }
    let per_page = per_page.unwrap_or(default_per_page);
    if !(1..=MAX_PER_PAGE).contains(&per_page) {
        return Err(DomainError::invalid(
            "per_page",
            format!("must be between 1 and {MAX_PER_PAGE}"),
        ));
    }
    Ok((page, per_page))
}

/// The shares an account sent and received that match `query`, with their recipients and
/// resources.
pub async fn list(
    store: &Store,
    account: Account,
    query: &ShareQuery,
) -> Result<AccountSharePage, DomainError> {
    let scope = Scope::Account { org_id: account.org_id, parent_id: account.parent_id };
    page_of(store, scope, query).await
}

/// The shares an organization and its child accounts sent. Only the organization's own admins
/// and auditors may list them.
pub async fn list_for_organization(
    store: &Store,
    actor: &Actor,
    organization_id: &str,
    query: &ShareQuery,
) -> Result<AccountSharePage, DomainError> {
    actor.require(Operation::OrganizationSharesRead)?;
    let organization: OrgId = organization_id
        .trim()
        .parse()
        .map_err(|_| DomainError::Forbidden("you may not list this organization's shares"))?;
    if organization != actor.org_id {
        return Err(DomainError::Forbidden("you may not list this organization's shares"));
    }
    if query.direction == Some(super::Direction::Received) {
        // The organization list holds what its accounts sent.
        let (page, per_page) = (query.page.max(1), query.per_page.max(1));
        return Ok(AccountSharePage {
            shares: Vec::new(),
            total: 0,
            total_exact: true,
            page,
            per_page,
            next: None,
        });
    }
    page_of(store, Scope::Organization(organization), query).await
}

async fn page_of(
    store: &Store,
    scope: Scope,
    query: &ShareQuery,
) -> Result<AccountSharePage, DomainError> {
    if let Some(cursor) = &query.after {
        cursor.for_order(query.order_key())?;
    }
    let now = clock::now();
    let (mut shares, total, next) = store::shares(store.pool(), scope, query, &now).await?;
    store::fill(&mut *store.pool().acquire().await?, &mut shares).await?;
    if let Scope::Account { org_id, parent_id } = scope {
        let account = Account { org_id, parent_id };
        for share in &mut shares {
            share.recipients = visible_recipients(
                std::mem::take(&mut share.recipients),
                share.owner_org_id,
                account,
            );
        }
    }
    Ok(AccountSharePage {
        shares,
        total: total.count,
        total_exact: total.exact,
        page: query.page.max(1),
        per_page: query.per_page.max(1),
        next: next.map(|cursor| cursor.encode()),
    })
}

/// One share the account sent, or received and may still use, made through `face` (the web
/// pages see every face's shares). A recipient sees only its own entry among the recipients.
pub async fn get(
    store: &Store,
    face: Face,
    account: Account,
    share_id: &str,
) -> Result<AccountShare, DomainError> {
    let id = parse_share_id(share_id)?;
    let mut share = load(&mut *store.pool().acquire().await?, id)
        .await?
        .filter(|share| made_through(share, face))
        .ok_or(DomainError::NotFound("share"))?;
    if share.owner_org_id == account.org_id {
        Ok(share)
    } else if grants(&share, account) {
        share.recipients = visible_recipients(share.recipients, share.owner_org_id, account);
        Ok(share)
    } else {
        Err(DomainError::NotFound("share"))
    }
}

/// Like [`get`], without the share's resources, and with its recipients only when the
/// account is not the owner (to check that the share reaches it): for a face that shows the
/// share alone. The owner's read is one statement.
pub async fn get_summary(
    store: &Store,
    face: Face,
    account: Account,
    share_id: &str,
) -> Result<AccountShare, DomainError> {
    let id = parse_share_id(share_id)?;
    let mut share = store::share(store.pool(), id, &clock::now())
        .await?
        .filter(|share| made_through(share, face))
        .ok_or(DomainError::NotFound("share"))?;
    if share.owner_org_id == account.org_id {
        return Ok(share);
    }
    share.recipients = store::recipients(store.pool(), id).await?;
    if grants(&share, account) {
        share.recipients = visible_recipients(share.recipients, share.owner_org_id, account);
        Ok(share)
    } else {
        Err(DomainError::NotFound("share"))
    }
}

/// Each API works on the shares it made; the pages on all of them.
fn made_through(share: &AccountShare, face: Face) -> bool {
    face == Face::Web || share.face == face.as_str()
}

/// Whether `share` currently gives `account` access: active, unexpired, and associated with
/// the account (or, for an organization share, with its organization).
pub fn grants(share: &AccountShare, account: Account) -> bool {
    share.status == ShareStatus::Active
        && !share.expired
        && share.recipients.iter().any(|recipient| {
            recipient.association == Association::Associated
                && (recipient.org_id == account.org_id
                    || (share.target_type == TargetType::Organization
                        && Some(recipient.org_id) == account.parent_id))
        })
}

/// Creates a share with its recipients and resources.
pub async fn create(
    store: &Store,
    actor: &Actor,
    face: Face,
    account: Account,
    new: NewAccountShare,
) -> Result<AccountShare, DomainError> {
    actor.require(Operation::AccountShareCreate)?;
    let name = required_text("name", &new.name)?;
    let reference =
        new.reference.as_deref().map(|text| bounded_text("reference", text)).transpose()?;
    if new.recipients.is_empty() {
        return Err(DomainError::invalid("recipients", "name at least one recipient"));
    }
    if new.recipients.len() > MAX_ITEMS || new.resources.len() > MAX_ITEMS {
        return Err(DomainError::invalid(
            "body",
            format!("a share names at most {MAX_ITEMS} recipients and {MAX_ITEMS} resources"),
        ));
    }
    let target_type = target_type_of(&new.recipients)?;
    if let Some(expiry) = &new.expires_at {
        if *expiry <= clock::now() {
            return Err(DomainError::invalid("expires_at", "must be in the future"));
        }
    }
    for resource in &new.resources {
        check_resource(face, account, resource)?;
    }
    let now = clock::now();
    let id = AccountShareId::new();
    let mut transaction = store.begin_write().await?;
    let mut recipient_orgs = Vec::new();
    for recipient in &new.recipients {
        let org_id = recipient_org(&mut transaction, account, recipient).await?;
        if !recipient_orgs.contains(&org_id) {
            recipient_orgs.push(org_id);
        }
    }
    store::insert_share(
        &mut *transaction,
        &NewShareRow {
            id,
            owner_org_id: account.org_id,
            face: face.as_str(),
            name,
            reference,
            target_type,
            expires_at: new.expires_at.as_deref(),
            created_by: actor.user_id.to_string(),
            now: &now,
        },
    )
    .await?;
    let association =
        if new.associate_now { Association::Associated } else { Association::Associating };
    let owner_name = store::org(&mut *transaction, account.org_id)
        .await?
        .map(|org| org.name)
        .unwrap_or_default();
    for org_id in &recipient_orgs {
        if new.associate_now {
            let (recipient_id, _) =
                store::upsert_recipient(&mut transaction, id, *org_id, association, &now).await?;
            let received = Received { recipient_id, owner_name: &owner_name, share_name: name };
            notify_received(&mut transaction, received, *org_id, &now).await?;
        } else {
            start_association(&mut transaction, id, *org_id, &now).await?;
        }
    }
    for resource in &new.resources {
        insert_resource(&mut transaction, id, resource, &now).await?;
    }
    let detail = json!({
        "name": name,
        "target_type": target_type.as_str(),
        "recipients": recipient_orgs.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "resources": new.resources.len(),
        "expires_at": new.expires_at,
    });
    audit(&mut transaction, actor, face, account, "share.created", id, detail).await?;
    let answer = load(&mut transaction, id).await?.ok_or(DomainError::NotFound("share"))?;
    transaction.commit().await?;
    store.jobs_queued();
    Ok(answer)
}

/// Renames a share the account sent.
pub async fn rename(
    store: &Store,
    actor: &Actor,
    face: Face,
    account: Account,
    share_id: &str,
    name: &str,
) -> Result<AccountShare, DomainError> {
    actor.require(Operation::AccountShareUpdate)?;
    let name = required_text("name", name)?;
    let now = clock::now();
    let mut transaction = store.begin_write().await?;
    let share = owned_live_share(&mut transaction, face, account, share_id, &now).await?;
    store::rename_share(&mut *transaction, share.id, name, &now).await?;
    let detail = json!({ "from": share.name, "to": name });
    audit(&mut transaction, actor, face, account, "share.renamed", share.id, detail).await?;
    let answer = load(&mut transaction, share.id).await?.ok_or(DomainError::NotFound("share"))?;
    transaction.commit().await?;
    Ok(answer)
}

/// Moves a share's expiry (it must stay in the future).
pub async fn set_expiry(
    store: &Store,
    actor: &Actor,
    face: Face,
    account: Account,
    share_id: &str,
    expires_at: &str,
) -> Result<AccountShare, DomainError> {
    actor.require(Operation::AccountShareUpdate)?;
    let now = clock::now();
    if expires_at <= now.as_str() {
        return Err(DomainError::invalid("expires_at", "must be in the future"));
    }
    let mut transaction = store.begin_write().await?;
    let share = owned_live_share(&mut transaction, face, account, share_id, &now).await?;
    store::set_expiry(&mut *transaction, share.id, expires_at, &now).await?;
    let detail = json!({ "from": share.expires_at, "to": expires_at });
    audit(&mut transaction, actor, face, account, "share.expiry_changed", share.id, detail).await?;
    let answer = load(&mut transaction, share.id).await?.ok_or(DomainError::NotFound("share"))?;
    transaction.commit().await?;
    Ok(answer)
}

/// Deletes a share the account sent: at once, or by moving it to `deleting` for the worker.
pub async fn delete(
    store: &Store,
    actor: &Actor,
    face: Face,
    account: Account,
    share_id: &str,
    completion: Completion,
) -> Result<AccountShare, DomainError> {
    actor.require(Operation::AccountShareDelete)?;
    let now = clock::now();
    let mut transaction = store.begin_write().await?;
    let share = owned_live_share(&mut transaction, face, account, share_id, &now).await?;
    let to = match completion {
        Completion::Now => ShareStatus::Deleted,
        Completion::Background => ShareStatus::Deleting,
    };
    store::move_share_status(&mut *transaction, share.id, ShareStatus::Active, to, &now).await?;
    // Recorded while the recipients are still with the share, so that they hear of it.
    let action = if completion == Completion::Now { "share.deleted" } else { "share.deleting" };
    audit(&mut transaction, actor, face, account, action, share.id, json!({ "name": share.name }))
        .await?;
    match completion {
        Completion::Now => finish_share_deletion(&mut transaction, share.id, &now).await?,
        Completion::Background => {
            queue::enqueue(&mut transaction, JobKind::DeleteShare, &share.id.to_string(), &now)
                .await?
        }
    }
    let answer = load(&mut transaction, share.id).await?.ok_or(DomainError::NotFound("share"))?;
    transaction.commit().await?;
    store.jobs_queued();
    Ok(answer)
}

/// Adds one recipient (it associates in the background).
pub async fn add_recipient(
    store: &Store,
    actor: &Actor,
    face: Face,
    account: Account,
    share_id: &str,
    recipient: &RecipientRef,
) -> Result<ShareRecipient, DomainError> {
    actor.require(Operation::AccountShareRecipientsChange)?;
    let now = clock::now();
    let mut transaction = store.begin_write().await?;
    let share = owned_live_share(&mut transaction, face, account, share_id, &now).await?;
    if target_type_of(std::slice::from_ref(recipient))? != share.target_type {
        return Err(DomainError::invalid(
            "recipient",
            format!("this share targets {}s", share.target_type.as_str()),
        ));
    }
    let org_id = recipient_org(&mut transaction, account, recipient).await?;
    let (recipient_id, changed) =
        start_association(&mut transaction, share.id, org_id, &now).await?;
    if changed {
        let detail = json!({ "recipient": org_id.to_string() });
        audit(&mut transaction, actor, face, account, "share.recipient_added", share.id, detail)
            .await?;
    }
    let answer = recipient_of(&mut transaction, share.id, recipient_id).await?;
    transaction.commit().await?;
    store.jobs_queued();
    Ok(answer)
}

/// Makes the recipients exactly `recipients`: new ones associate, missing ones disassociate.
/// Refused for organization shares (the contract's rule).
pub async fn replace_recipients(
    store: &Store,
    actor: &Actor,
    face: Face,
    account: Account,
    share_id: &str,
    recipients: &[RecipientRef],
) -> Result<Vec<ShareRecipient>, DomainError> {
    actor.require(Operation::AccountShareRecipientsChange)?;
    let now = clock::now();
    let mut transaction = store.begin_write().await?;
    let share = owned_live_share(&mut transaction, face, account, share_id, &now).await?;
    if share.target_type == TargetType::Organization {
        return Err(DomainError::invalid(
            "recipients",
            "the recipients of a share that targets an organization cannot be replaced",
        ));
    }
    if recipients.len() > MAX_ITEMS {
        return Err(DomainError::invalid("recipients", format!("name at most {MAX_ITEMS}")));
    }
    if !recipients.is_empty() && target_type_of(recipients)? != TargetType::Account {
        return Err(DomainError::invalid("recipients", "this share targets accounts"));
    }
    let mut wanted = Vec::new();
    for recipient in recipients {
        let org_id = recipient_org(&mut transaction, account, recipient).await?;
        if !wanted.contains(&org_id) {
            wanted.push(org_id);
        }
    }
    for existing in store::recipients(&mut *transaction, share.id).await? {
        let staying = wanted.contains(&existing.org_id);
        let leaving =
            matches!(existing.association, Association::Associating | Association::Associated);
        if !staying && leaving {
            start_disassociation(&mut transaction, existing.id, &now).await?;
        }
    }
    for org_id in &wanted {
        start_association(&mut transaction, share.id, *org_id, &now).await?;
    }
    let detail =
        json!({ "recipients": wanted.iter().map(ToString::to_string).collect::<Vec<_>>() });
    audit(&mut transaction, actor, face, account, "share.recipients_replaced", share.id, detail)
        .await?;
    let answer = store::recipients(&mut *transaction, share.id).await?;
    transaction.commit().await?;
    store.jobs_queued();
    Ok(answer)
}

/// Removes one recipient (it disassociates in the background).
pub async fn remove_recipient(
    store: &Store,
    actor: &Actor,
    face: Face,
    account: Account,
    share_id: &str,
    recipient_id: &str,
) -> Result<ShareRecipient, DomainError> {
    actor.require(Operation::AccountShareRecipientsChange)?;
    let now = clock::now();
    let recipient_id = parse_recipient_id(recipient_id)?;
    let mut transaction = store.begin_write().await?;
    let share = owned_live_share(&mut transaction, face, account, share_id, &now).await?;
    let recipient = store::recipients(&mut *transaction, share.id)
        .await?
        .into_iter()
        .find(|recipient| recipient.id == recipient_id)
        .ok_or(DomainError::NotFound("recipient"))?;
    if matches!(recipient.association, Association::Associating | Association::Associated) {
        start_disassociation(&mut transaction, recipient.id, &now).await?;
        let detail = json!({ "recipient": recipient.org_id.to_string() });
        audit(&mut transaction, actor, face, account, "share.recipient_removed", share.id, detail)
            .await?;
    }
    let answer = recipient_of(&mut transaction, share.id, recipient_id).await?;
    transaction.commit().await?;
    store.jobs_queued();
    Ok(answer)
}

/// The recipients of a share the account can see.
pub async fn recipients(
    store: &Store,
    face: Face,
    account: Account,
    share_id: &str,
) -> Result<Vec<ShareRecipient>, DomainError> {
    Ok(get(store, face, account, share_id).await?.recipients)
}

/// A numbered page of the recipients of a share that `account` may see, and how many it may
/// see. The owner's are read a page at a time; a recipient sees only its own entry (or its
/// organization's), which [`get_summary`] has already read.
pub async fn recipient_page(
    store: &Store,
    face: Face,
    account: Account,
    share_id: &str,
    (page, per_page): (i64, i64),
) -> Result<(Vec<ShareRecipient>, i64), DomainError> {
    let share = get_summary(store, face, account, share_id).await?;
    let offset = (page - 1) * per_page;
    if share.owner_org_id != account.org_id {
        let total = share.recipients.len() as i64;
        let skip = usize::try_from(offset).unwrap_or(usize::MAX);
        let take = usize::try_from(per_page).unwrap_or(0);
        return Ok((share.recipients.into_iter().skip(skip).take(take).collect(), total));
    }
    store::recipient_page(&mut *store.pool().acquire().await?, share.id, per_page, offset).await
}

/// A numbered page of the resources of a share the account can see that match `filter`, and
/// how many match.
pub async fn resource_page(
    store: &Store,
    face: Face,
    account: Account,
    share_id: &str,
    filter: ResourceFilter<'_>,
    (page, per_page): (i64, i64),
) -> Result<(Vec<ShareResource>, i64), DomainError> {
    let share = get_summary(store, face, account, share_id).await?;
    let mut connection = store.pool().acquire().await?;
    store::resource_page(&mut connection, share.id, filter, per_page, (page - 1) * per_page).await
}

/// The recipients `account` may see: all of them for the owner; for a recipient, only its own
/// entry (or its organization's), since the other recipients are other tenants.
fn visible_recipients(
    recipients: Vec<ShareRecipient>,
    owner: OrgId,
    account: Account,
) -> Vec<ShareRecipient> {
    if owner == account.org_id {
        return recipients;
    }
    recipients
        .into_iter()
        .filter(|recipient| {
            recipient.org_id == account.org_id || Some(recipient.org_id) == account.parent_id
        })
        .collect()
}

pub async fn recipient(
    store: &Store,
    face: Face,
    account: Account,
    share_id: &str,
    recipient_id: &str,
) -> Result<ShareRecipient, DomainError> {
    let recipient_id = parse_recipient_id(recipient_id)?;
    recipients(store, face, account, share_id)
        .await?
        .into_iter()
        .find(|recipient| recipient.id == recipient_id)
        .ok_or(DomainError::NotFound("recipient"))
}

/// Adds a resource to a share the account sent.
pub async fn add_resource(
    store: &Store,
    actor: &Actor,
    face: Face,
    account: Account,
    share_id: &str,
    resource: &NewShareResource,
) -> Result<ShareResource, DomainError> {
    actor.require(Operation::AccountShareResourcesChange)?;
    check_resource(face, account, resource)?;
    let now = clock::now();
    let mut transaction = store.begin_write().await?;
    let share = owned_live_share(&mut transaction, face, account, share_id, &now).await?;
    let id = insert_resource(&mut transaction, share.id, resource, &now).await?;
    let detail =
        json!({ "resource_type": resource.resource_type, "resource_id": resource.resource_id });
    audit(&mut transaction, actor, face, account, "share.resource_added", share.id, detail).await?;
    let answer = resource_of(&mut transaction, share.id, id).await?;
    transaction.commit().await?;
    Ok(answer)
}

/// Replaces a resource's metadata; its version goes up by one.
pub async fn update_resource(
    store: &Store,
    actor: &Actor,
    face: Face,
    account: Account,
    share_id: &str,
    resource_id: &str,
    meta: &str,
) -> Result<ShareResource, DomainError> {
    actor.require(Operation::AccountShareResourcesChange)?;
    check_meta(meta)?;
    let now = clock::now();
    let resource_id = parse_resource_id(resource_id)?;
    let mut transaction = store.begin_write().await?;
    let share = owned_live_share(&mut transaction, face, account, share_id, &now).await?;
    let resource = live_resource(&mut transaction, share.id, resource_id).await?;
    store::update_resource_meta(&mut *transaction, resource.id, meta, &now).await?;
    let detail = json!({ "resource": resource.id.to_string(), "version": resource.version + 1 });
    audit(&mut transaction, actor, face, account, "share.resource_updated", share.id, detail)
        .await?;
    let answer = resource_of(&mut transaction, share.id, resource_id).await?;
    transaction.commit().await?;
    Ok(answer)
}

/// Removes a resource: it is `deleting` until the worker completes it.
pub async fn remove_resource(
    store: &Store,
    actor: &Actor,
    face: Face,
    account: Account,
    share_id: &str,
    resource_id: &str,
) -> Result<ShareResource, DomainError> {
    actor.require(Operation::AccountShareResourcesChange)?;
    let now = clock::now();
    let resource_id = parse_resource_id(resource_id)?;
    let mut transaction = store.begin_write().await?;
    let share = owned_live_share(&mut transaction, face, account, share_id, &now).await?;
    let resource = live_resource(&mut transaction, share.id, resource_id).await?;
    store::move_resource_status(
        &mut *transaction,
        resource.id,
        Some(ShareStatus::Active),
        ShareStatus::Deleting,
        &now,
    )
    .await?;
    queue::enqueue(&mut transaction, JobKind::DeleteResource, &resource.id.to_string(), &now)
        .await?;
    let detail = json!({ "resource": resource.id.to_string() });
    audit(&mut transaction, actor, face, account, "share.resource_removed", share.id, detail)
        .await?;
    let answer = resource_of(&mut transaction, share.id, resource_id).await?;
    transaction.commit().await?;
    store.jobs_queued();
    Ok(answer)
}

/// The resources of a share the account can see, in id order (without reading its
/// recipients, as [`get`] would, beyond what the access check needs).
pub async fn resources(
    store: &Store,
    face: Face,
    account: Account,
    share_id: &str,
) -> Result<Vec<ShareResource>, DomainError> {
    let share = get_summary(store, face, account, share_id).await?;
    store::resources(store.pool(), share.id).await
}

pub async fn resource(
    store: &Store,
    face: Face,
    account: Account,
    share_id: &str,
    resource_id: &str,
) -> Result<ShareResource, DomainError> {
    let resource_id = parse_resource_id(resource_id)?;
    get(store, face, account, share_id)
        .await?
        .resources
        .into_iter()
        .find(|resource| resource.id == resource_id)
        .ok_or(DomainError::NotFound("resource"))
}

// ---- the worker's side ---------------------------------------------------------------------

/// Completes an association or disassociation; nothing happens if it was completed already
/// or changed since (the recipient was removed while associating).
pub async fn complete_association(
    connection: &mut Connection,
    recipient_id: &str,
    target: Association,
) -> Result<(), DomainError> {
    let Ok(recipient_id) = recipient_id.parse::<RecipientId>() else {
        return Err(DomainError::invalid("recipient", "not a recipient id"));
    };
    let from = match target {
        Association::Associated => Association::Associating,
        _ => Association::Disassociating,
    };
    let now = clock::now();
    if !store::set_association(&mut *connection, recipient_id, Some(from), target, &now).await? {
        return Ok(());
    }
    let Some(context) = store::recipient_context(&mut *connection, recipient_id).await? else {
        return Ok(());
    };
    let action = if target == Association::Associated {
        if context.share_status == ShareStatus::Active {
            let received = Received {
                recipient_id,
                owner_name: &context.owner_org_name,
                share_name: &context.share_name,
            };
            notify_received(connection, received, context.recipient_org_id, &now).await?;
        }
        "share.recipient_associated"
    } else {
        "share.recipient_disassociated"
    };
    let change = Change {
        org_id: context.owner_org_id,
        action,
        object_type: "account_share",
        object_id: context.share_id.to_string(),
        detail: json!({ "recipient": recipient_id.to_string() }),
    };
    record(connection, Author::Worker, Face::Api, change).await
}

/// A share as its recipient's admins hear of it.
struct Received<'a> {
    recipient_id: RecipientId,
    owner_name: &'a str,
    share_name: &'a str,
}

/// Tells the admins of an org that received a share (in-app, and through the outbox), once per
/// recipient however often it is removed and added again.
async fn notify_received(
    connection: &mut Connection,
    received: Received<'_>,
    recipient_org: OrgId,
    now: &str,
) -> Result<(), DomainError> {
    if !store::mark_notified(&mut *connection, received.recipient_id, now).await? {
        return Ok(());
    }
    let Received { owner_name, share_name, .. } = received;
    let title = format!("{owner_name} shared “{share_name}” with your organization");
    let notice = Notice {
        kind: "share.received",
        category: Category::Shares,
        title: &title,
        link: Some("/shared?tab=received"),
        once_key: None,
    };
    notify_admins(connection, recipient_org, &notice, now).await?;
    Ok(())
}

/// Completes a share's deletion: the share is `deleted`, recipients disassociated, resources
/// deleted.
pub async fn complete_share_deletion(
    connection: &mut Connection,
    share_id: &str,
) -> Result<(), DomainError> {
    let Ok(share_id) = share_id.parse::<AccountShareId>() else {
        return Err(DomainError::invalid("share", "not a share id"));
    };
    let now = clock::now();
    let Some(share) = store::share(&mut *connection, share_id, &now).await? else {
        return Ok(());
    };
    if store::move_share_status(
        &mut *connection,
        share_id,
        ShareStatus::Deleting,
        ShareStatus::Deleted,
        &now,
    )
    .await?
    {
        // Recorded while the recipients are still with the share, so that they hear of it.
        let change = Change {
            org_id: share.owner_org_id,
            action: "share.deleted",
            object_type: "account_share",
            object_id: share_id.to_string(),
            detail: json!({ "name": share.name }),
        };
        record(connection, Author::Worker, Face::Api, change).await?;
        finish_share_deletion(connection, share_id, &now).await?;
    }
    Ok(())
}

/// Completes a resource's removal.
pub async fn complete_resource_deletion(
    connection: &mut Connection,
    resource_id: &str,
) -> Result<(), DomainError> {
    let Ok(resource_id) = resource_id.parse::<ShareResourceId>() else {
        return Err(DomainError::invalid("resource", "not a resource id"));
    };
    let now = clock::now();
    store::move_resource_status(
        &mut *connection,
        resource_id,
        Some(ShareStatus::Deleting),
        ShareStatus::Deleted,
        &now,
    )
    .await?;
    Ok(())
}

/// Records, once per expiry, that shares past their expiry no longer grant anything (access
/// already stopped at the expiry: [`grants`] reads it). Returns how many it reported.
pub async fn sweep_expired_shares(store: &Store, batch: i64) -> Result<usize, DomainError> {
    let now = clock::now();
    let mut transaction = store.begin_write().await?;
    let expired = store::unswept_expired_shares(&mut *transaction, &now, batch).await?;
    let mut reported = 0;
    for (id, owner, name) in expired {
        if store::mark_expiry_swept(&mut *transaction, &id, &now).await? {
            let change = Change {
                org_id: crate::domain::store::parse_id(&owner)?,
                action: "share.expired",
                object_type: "account_share",
                object_id: id,
                detail: json!({ "name": name }),
            };
            record(&mut transaction, Author::Worker, Face::Api, change).await?;
            reported += 1;
        }
    }
    transaction.commit().await?;
    Ok(reported)
}

// ---- helpers ---------------------------------------------------------------------------------

/// A share with its recipients and resources.
/// A share with its recipients and resources. A change reads its answer with this inside its
/// transaction, so that the answer is the state the change made (`associating`), not whatever
/// the worker has made of it since the commit.
async fn load(
    connection: &mut sqlx::AnyConnection,
    id: AccountShareId,
) -> Result<Option<AccountShare>, DomainError> {
    let Some(share) = store::share(&mut *connection, id, &clock::now()).await? else {
        return Ok(None);
    };
    let mut shares = [share];
    store::fill(connection, &mut shares).await?;
    let [share] = shares;
    Ok(Some(share))
}

async fn recipient_of(
    connection: &mut sqlx::AnyConnection,
    share_id: AccountShareId,
    id: RecipientId,
) -> Result<ShareRecipient, DomainError> {
    store::recipients(connection, share_id)
        .await?
        .into_iter()
        .find(|recipient| recipient.id == id)
        .ok_or(DomainError::NotFound("recipient"))
}

async fn resource_of(
    connection: &mut sqlx::AnyConnection,
    share_id: AccountShareId,
    id: ShareResourceId,
) -> Result<ShareResource, DomainError> {
    store::resources(connection, share_id)
        .await?
        .into_iter()
        .find(|resource| resource.id == id)
        .ok_or(DomainError::NotFound("resource"))
}

/// A share the account sent that is neither deleted nor being deleted; read inside the
/// write transaction so that the change applies to what was checked.
async fn owned_live_share(
    connection: &mut Connection,
    face: Face,
    account: Account,
    share_id: &str,
    now: &str,
) -> Result<AccountShare, DomainError> {
    let id = parse_share_id(share_id)?;
    store::lock_share(&mut *connection, id, account.org_id).await?;
    let share = store::share(&mut *connection, id, now)
        .await?
        .filter(|share| share.owner_org_id == account.org_id && made_through(share, face))
        .ok_or(DomainError::NotFound("share"))?;
    match share.status {
        ShareStatus::Active => Ok(share),
        ShareStatus::Deleting => Err(DomainError::invalid("share", "the share is being deleted")),
        ShareStatus::Deleted => Err(DomainError::invalid("share", "the share was deleted")),
    }
}

async fn live_resource(
    connection: &mut Connection,
    share_id: AccountShareId,
    id: ShareResourceId,
) -> Result<ShareResource, DomainError> {
    let resource = store::resources(&mut *connection, share_id)
        .await?
        .into_iter()
        .find(|resource| resource.id == id)
        .ok_or(DomainError::NotFound("resource"))?;
    if resource.status == ShareStatus::Active {
        Ok(resource)
    } else {
        Err(DomainError::invalid(
            "resource",
            format!("the resource is {}", resource.status.as_str()),
        ))
    }
}

/// Adds (or brings back) a recipient as `associating` and queues the job that completes it.
/// Returns its id and whether anything changed (false: already there and not leaving).
async fn start_association(
    connection: &mut Connection,
    share_id: AccountShareId,
    org_id: OrgId,
    now: &str,
) -> Result<(RecipientId, bool), DomainError> {
    let (recipient_id, changed) =
        store::upsert_recipient(connection, share_id, org_id, Association::Associating, now)
            .await?;
    if changed {
        queue::enqueue(connection, JobKind::AssociateRecipient, &recipient_id.to_string(), now)
            .await?;
    }
    Ok((recipient_id, changed))
}

/// Moves a recipient to `disassociating` and queues the job that completes it.
async fn start_disassociation(
    connection: &mut Connection,
    recipient_id: RecipientId,
    now: &str,
) -> Result<(), DomainError> {
    store::set_association(&mut *connection, recipient_id, None, Association::Disassociating, now)
        .await?;
    queue::enqueue(connection, JobKind::DisassociateRecipient, &recipient_id.to_string(), now).await
}

async fn finish_share_deletion(
    connection: &mut Connection,
    id: AccountShareId,
    now: &str,
) -> Result<(), DomainError> {
    store::disassociate_all(&mut *connection, id, now).await?;
    store::delete_all_resources(&mut *connection, id, now).await
}

async fn insert_resource(
    connection: &mut Connection,
    share_id: AccountShareId,
    resource: &NewShareResource,
    now: &str,
) -> Result<ShareResourceId, DomainError> {
    let row = NewResourceRow {
        share_id,
        resource_type: &resource.resource_type,
        resource_id: resource.resource_id.trim(),
        resource_account_id: resource.resource_account_id.trim(),
        meta: &resource.meta,
        now,
    };
    store::insert_resource(connection, &row).await
}

/// The org a recipient names; it must exist and may not be the sharing account itself.
async fn recipient_org(
    connection: &mut Connection,
    account: Account,
    recipient: &RecipientRef,
) -> Result<OrgId, DomainError> {
    let (field, text) = match recipient {
        RecipientRef::Account(text) => ("recipients.account_id", text),
        RecipientRef::Organization(text) => ("recipients.organization_id", text),
    };
    let shown: String = text.chars().take(64).collect();
    let unknown = || DomainError::invalid(field, format!("`{shown}` is not a known account"));
    let org_id: OrgId = text.trim().parse().map_err(|_| unknown())?;
    store::org(&mut *connection, org_id).await?.ok_or_else(unknown)?;
    // An organization may include the sharing account (sharing with one's whole tree).
    if org_id == account.org_id && matches!(recipient, RecipientRef::Account(_)) {
        return Err(DomainError::invalid(field, "an account cannot share with itself"));
    }
    Ok(org_id)
}

fn target_type_of(recipients: &[RecipientRef]) -> Result<TargetType, DomainError> {
    let organizations =
        recipients.iter().filter(|r| matches!(r, RecipientRef::Organization(_))).count();
    match organizations {
        0 => Ok(TargetType::Account),
        n if n == recipients.len() => Ok(TargetType::Organization),
        _ => Err(DomainError::invalid(
            "recipients",
            "name either accounts or organizations, not both",
        )),
    }
}

fn check_resource(
    face: Face,
    account: Account,
    resource: &NewShareResource,
) -> Result<(), DomainError> {
    let allowed = if face.as_str() == FACE_ENABLENOW {
        ENABLENOW_RESOURCE_TYPES
    } else {
        CLOUDFLARE_RESOURCE_TYPES
    };
    if !allowed.contains(&resource.resource_type.as_str()) {
        return Err(DomainError::invalid(
            "resource_type",
            format!("`{}` is not one of: {}", resource.resource_type, allowed.join(", ")),
        ));
    }
    required_text("resource_id", &resource.resource_id)?;
    // A share carries the sharing account's own resources, never another tenant's.
    let owner: Option<OrgId> = resource.resource_account_id.trim().parse().ok();
    if owner != Some(account.org_id) {
        return Err(DomainError::invalid(
            "resource_account_id",
            "must be the account that shares (the one in the path)",
        ));
    }
    check_meta(&resource.meta)
}

fn check_meta(meta: &str) -> Result<(), DomainError> {
    if meta.len() > MAX_META_BYTES {
        return Err(DomainError::invalid(
            "meta",
            format!("must be at most {MAX_META_BYTES} bytes of JSON"),
        ));
    }
    Ok(())
}

fn required_text<'a>(field: &str, text: &'a str) -> Result<&'a str, DomainError> {
    let text = bounded_text(field, text)?;
    if text.is_empty() {
        return Err(DomainError::invalid(field, "must not be empty"));
    }
    Ok(text)
}

fn bounded_text<'a>(field: &str, text: &'a str) -> Result<&'a str, DomainError> {
    let text = text.trim();
    if text.chars().count() > MAX_TEXT {
        return Err(DomainError::invalid(field, format!("must be at most {MAX_TEXT} characters")));
    }
    Ok(text)
}

fn parse_share_id(text: &str) -> Result<AccountShareId, DomainError> {
    text.trim().parse().map_err(|_| DomainError::NotFound("share"))
}

fn parse_recipient_id(text: &str) -> Result<RecipientId, DomainError> {
    text.trim().parse().map_err(|_| DomainError::NotFound("recipient"))
}

fn parse_resource_id(text: &str) -> Result<ShareResourceId, DomainError> {
    text.trim().parse().map_err(|_| DomainError::NotFound("resource"))
}

async fn audit(
    connection: &mut Connection,
    actor: &Actor,
    face: Face,
    account: Account,
    action: &'static str,
    share_id: AccountShareId,
    detail: serde_json::Value,
) -> Result<(), DomainError> {
    let change = Change {
        org_id: account.org_id,
        action,
        object_type: "account_share",
        object_id: share_id.to_string(),
        detail,
    };
    record(connection, Author::User(actor), face, change).await
}
