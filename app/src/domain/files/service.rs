//! Sharing files and apps with people, access requests and notifications. Every write is one
//! transaction with its audit event and its notifications.

use crate::domain::notifications::service::{notify_user, Notice};
use crate::domain::notifications::Category;
use serde_json::json;

use super::{
    check_path, Access, AccessRequest, EntryError, Notification, Person, PersonShare,
    RequestFilter, RequestPage, RequestStatus, SharePage, ThingRef,
};
use crate::domain::audit::service::{record, Author, Change};
use crate::domain::authz::Operation;
use crate::domain::identity::{token_secret, Actor, Face};
use crate::domain::ids::{OrgId, ResourceId, UserId};
use crate::domain::listing::{FileShareSort, ListChoice, RequestSort};
use crate::domain::store::files::{
    self as store, NewPersonShare, NewResource, ResourceRow, ShareFilter, Side,
};
use crate::domain::store::{ResultExt, Store};
use crate::domain::{clock, DomainError};

type Connection = sqlx::AnyConnection;

/// Lists are capped at this many rows a page.
pub const MAX_PAGE: i64 = 100;

/// The most recipients one share request may name. The official clients name one.
pub const MAX_SHARE_RECIPIENTS: usize = 100;
/// The most items one share request may name.
pub const MAX_SHARE_ITEMS: usize = 100;
/// The most (recipient, item) pairs one share request may write: each is a share row, and each
/// recipient a notification, all in one write transaction that holds up other writers.
pub const MAX_SHARE_PAIRS: usize = 1_000;

/// A thing that passed validation, ready to be shared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedThing {
    /// The resource id, which clients use as the uid.
    pub uid: String,
    pub kind: &'static str,
    pub path: Option<String>,
    pub name: String,
    pub access: Access,
    /// A file under the caller's home seen for the first time: registered when shared.
    new_home_file: bool,
}

/// The per-entry verdicts of a share request, and whether anything was written.
#[derive(Clone, Debug)]
pub struct ShareOutcome {
    pub recipients: Vec<Result<Person, EntryError>>,
    pub things: Vec<Result<ResolvedThing, EntryError>>,
    pub written: bool,
}

impl ShareOutcome {
    pub fn all_valid(&self) -> bool {
        self.recipients.iter().all(Result::is_ok) && self.things.iter().all(Result::is_ok)
    }
}

/// Shares things with people, all or nothing: every recipient and every thing is checked, and
/// only when all are valid (and this is not a dry run) is anything written.
pub async fn share_with_people(
    store: &Store,
    actor: &Actor,
    face: Face,
    recipients: &[String],
    things: &[Result<ThingRef, String>],
    dry_run: bool,
) -> Result<ShareOutcome, DomainError> {
    actor.require(Operation::FilesShare)?;
    check_share_size(recipients.len(), things.len())?;
    let mut transaction = store.begin_write().await?;
    let mut recipient_results = Vec::with_capacity(recipients.len());
    for name in recipients {
        let found = store::person_by_name_or_email(&mut *transaction, name).await?;
        recipient_results.push(
            found.ok_or_else(|| EntryError::UserDoesNotExist { username: name.trim().to_owned() }),
        );
    }
    let mut thing_results = Vec::with_capacity(things.len());
    for thing in things {
        thing_results.push(match thing {
            Ok(thing) => resolve_thing(&mut transaction, actor, thing).await?,
            Err(message) => Err(EntryError::Invalid { message: message.clone() }),
        });
    }
    let mut outcome =
        ShareOutcome { recipients: recipient_results, things: thing_results, written: false };
    if dry_run || !outcome.all_valid() {
        return Ok(outcome);
    }

    let now = clock::now();
    // One person named twice (by name and by email, say) gets one share and one notification;
    // one item named twice is shared once.
    let mut people: Vec<&Person> = Vec::new();
    for person in outcome.recipients.iter().flatten() {
        if !people.iter().any(|known| known.user_id == person.user_id) {
            people.push(person);
        }
    }
    let mut shared = Vec::new();
    let mut newly_shared_with = std::collections::HashSet::new();
    let mut seen_things: Vec<&str> = Vec::new();
    for thing in outcome.things.iter().flatten() {
        let key = thing.path.as_deref().unwrap_or(&thing.uid);
        if seen_things.contains(&key) {
            continue;
        }
        seen_things.push(key);
        let mut resource_id: ResourceId =
            thing.uid.parse().map_err(|e| DomainError::Internal(Box::new(e)))?;
        if thing.new_home_file {
            let path = thing.path.as_deref().unwrap_or_default();
            let lookup_hash = token_secret::digest(&format!("{}:{path}", actor.user_id));
            let resource = NewResource {
                id: resource_id,
                org_id: actor.org_id,
                owner_user_id: Some(actor.user_id),
                kind: "file",
                external_id: path,
                title: &thing.name,
                lookup_hash: Some(&lookup_hash),
                now: &now,
            };
            resource_id = store::insert_resource(&mut transaction, &resource).await?;
        }
        for person in &people {
            let share = NewPersonShare {
                resource_id,
                owner: actor.user_id,
                recipient: Some(person.user_id),
                access: thing.access,
                share_info_type: "private",
                message: "",
                auth_ticket: None,
                link: None,
                face: face.as_str(),
                now: &now,
            };
            if store::upsert_person_share(&mut *transaction, &share).await? {
                newly_shared_with.insert(person.user_id);
            }
        }
        shared.push(thing.path.clone().unwrap_or_else(|| thing.name.clone()));
    }
    let title = match shared.as_slice() {
        [one] => format!("{} shared {one} with you", actor.username),
        many => format!("{} shared {} items with you", actor.username, many.len()),
    };
    // Only people with something new hear of it: a client retrying mails no one again.
    for person in people.iter().filter(|person| newly_shared_with.contains(&person.user_id)) {
        notify_user(
            &mut transaction,
            person.user_id,
            &Notice {
                kind: "share.received",
                category: Category::Shares,
                title: &title,
                link: Some("/shared?tab=received"),
                once_key: None,
            },
            &now,
        )
        .await?;
    }
    let usernames: Vec<&str> = people.iter().map(|person| person.username.as_str()).collect();
    let change = Change {
        org_id: actor.org_id,
        action: "file.shared",
        object_type: "share",
        object_id: shared.join(", "),
        detail: json!({ "recipients": usernames, "things": shared }),
    };
    record(&mut transaction, Author::User(actor), face, change).await?;
    transaction.commit().await?;
    outcome.written = true;
    Ok(outcome)
}

/// People the actor may pick as recipients whose username or email contains `text`: their
/// own org's people and those they have shared with or received from.
pub async fn find_recipients(
    store: &Store,
    actor: &Actor,
    text: &str,
) -> Result<Vec<super::PersonMatch>, DomainError> {
    actor.require(Operation::FilesShare)?;
    crate::domain::check_search_text(text)?;
    let rows = store::contacts_named_like(
        store.pool(),
        text,
        actor.user_id,
        actor.org_id,
        super::PERSON_MATCHES,
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|(username, org_name)| super::PersonMatch { username, org_name })
        .collect())
}

/// Refuses a share request past the batch caps before anything is looked up or written.
fn check_share_size(recipients: usize, items: usize) -> Result<(), DomainError> {
    if recipients > MAX_SHARE_RECIPIENTS {
        return Err(DomainError::invalid(
            "recipients",
            format!("at most {MAX_SHARE_RECIPIENTS} recipients per request"),
        ));
    }
    if items > MAX_SHARE_ITEMS {
        return Err(DomainError::invalid(
            "things",
            format!("at most {MAX_SHARE_ITEMS} items per request"),
        ));
    }
    if recipients * items > MAX_SHARE_PAIRS {
        return Err(DomainError::invalid(
            "things",
            format!("at most {MAX_SHARE_PAIRS} shares (recipients × items) per request"),
        ));
    }
    Ok(())
}

async fn resolve_thing(
    transaction: &mut Connection,
    actor: &Actor,
    thing: &ThingRef,
) -> Result<Result<ResolvedThing, EntryError>, DomainError> {
    match thing {
        ThingRef::App { uid_or_name } => {
            Ok(store::app(&mut *transaction, actor.org_id, uid_or_name.trim())
                .await?
                .map(|app| ResolvedThing {
                    uid: app.id,
                    kind: "app",
                    path: None,
                    name: app.title,
                    access: Access::Read,
                    new_home_file: false,
                })
                .ok_or(EntryError::SubjectDoesNotExist))
        }
        ThingRef::File { path_or_uid, access } if path_or_uid.starts_with('/') => {
            let path = path_or_uid.trim_end_matches('/');
            if let Err(error) = check_path("path", path) {
                return Ok(Err(EntryError::Invalid { message: error.to_string() }));
            }
            if let Some(file) = store::file_by_path(&mut *transaction, actor.user_id, path).await? {
                return Ok(Ok(resolved_file(file, *access)));
            }
            let home = format!("/{}/", actor.username);
            if !path.starts_with(&home) || path.len() == home.len() {
                return Ok(Err(EntryError::SubjectDoesNotExist));
            }
            Ok(Ok(ResolvedThing {
                uid: ResourceId::new().to_string(),
                kind: "file",
                path: Some(path.to_owned()),
                name: path.rsplit('/').next().unwrap_or(path).to_owned(),
                access: *access,
                new_home_file: true,
            }))
        }
        ThingRef::File { path_or_uid, access } => {
            let owned = store::resource_of_org(&mut *transaction, actor.org_id, path_or_uid.trim())
                .await?
                .filter(|file| {
                    file.kind == "file"
                        && file.owner_user_id.as_deref() == Some(&actor.user_id.to_string())
                });
            Ok(owned
                .map(|file| resolved_file(file, *access))
                .ok_or(EntryError::SubjectDoesNotExist))
        }
    }
}

fn resolved_file(file: ResourceRow, access: Access) -> ResolvedThing {
    let path = file.external_id.starts_with('/').then(|| file.external_id.clone());
    ResolvedThing {
        uid: file.id,
        kind: "file",
        path,
        name: file.title,
        access,
        new_home_file: false,
    }
}

/// The receiver, owner and file named by a Züs auth ticket.
#[derive(Clone, Debug)]
pub struct Ticket {
    /// Empty for a public share.
    pub receiver: String,
    pub owner: String,
    pub lookup_hash: String,
    pub file_name: String,
    /// The ticket as sent, kept to find the share again.
    pub raw: String,
}

/// Records a Züs share: the ticket's owner must be the caller.
pub async fn add_share_info(
    store: &Store,
    actor: &Actor,
    ticket: &Ticket,
    message: &str,
    share_info_type: Option<&str>,
    link: Option<&str>,
) -> Result<PersonShare, DomainError> {
    actor.require(Operation::FilesShare)?;
    let owner: UserId = ticket
        .owner
        .trim()
        .parse()
        .map_err(|_| DomainError::invalid("auth_ticket.owner_id", "is not a user id"))?;
    if owner != actor.user_id {
        return Err(DomainError::Forbidden("the auth ticket's owner_id must be the caller"));
    }
    let lookup_hash = ticket.lookup_hash.trim();
    if lookup_hash.is_empty() {
        return Err(DomainError::invalid("auth_ticket.file_path_hash", "must not be empty"));
    }
    let now = clock::now();
    let mut transaction = store.begin_write().await?;
    let receiver = match ticket.receiver.trim() {
        "" => None,
        id => {
            let id: UserId = id
                .parse()
                .map_err(|_| DomainError::invalid("auth_ticket.client_id", "is not a user id"))?;
            Some(
                store::person(&mut *transaction, id)
                    .await?
                    .ok_or_else(|| DomainError::invalid("auth_ticket.client_id", "no such user"))?,
            )
        }
    };
    let share_info_type = share_info_type
        .map(str::trim)
        .filter(|kind| !kind.is_empty())
        .unwrap_or(if receiver.is_some() { "private" } else { "public" })
        .to_owned();
    let title =
        if ticket.file_name.trim().is_empty() { lookup_hash } else { ticket.file_name.trim() };
    let owner = (actor.user_id, actor.org_id);
    let resource_id = file_by_lookup_hash(&mut transaction, owner, lookup_hash, title, &now)
        .await?
        .resource_id()?;
    let share = NewPersonShare {
        resource_id,
        owner: actor.user_id,
        recipient: receiver.as_ref().map(|person| person.user_id),
        access: Access::Read,
        share_info_type: &share_info_type,
        message,
        auth_ticket: Some(&ticket.raw),
        link,
        face: Face::Zus.as_str(),
        now: &now,
    };
    let new_share = store::upsert_person_share(&mut *transaction, &share).await?;
    if let Some(person) = receiver.as_ref().filter(|_| new_share) {
        let title = format!("{} shared {title} with you", actor.username);
        notify_user(
            &mut transaction,
            person.user_id,
            &Notice {
                kind: "share.received",
                category: Category::Shares,
                title: &title,
                link: Some("/shared?tab=received"),
                once_key: None,
            },
            &now,
        )
        .await?;
    }
    let change = Change {
        org_id: actor.org_id,
        action: "file.shared",
        object_type: "file",
        object_id: lookup_hash.to_owned(),
        detail: json!({ "receiver": receiver.as_ref().map(|p| &p.username), "share_info_type": share_info_type }),
    };
    record(&mut transaction, Author::User(actor), Face::Zus, change).await?;
    transaction.commit().await?;

    let owner = Person {
        user_id: actor.user_id,
        username: actor.username.clone(),
        email: actor.email.clone(),
    };
    Ok(PersonShare {
        id: String::new(),
        resource_id: resource_id.to_string(),
        kind: "file".to_owned(),
        title: title.to_owned(),
        path: None,
        lookup_hash: Some(lookup_hash.to_owned()),
        owner,
        recipient: receiver,
        access: Access::Read,
        share_info_type,
        message: message.to_owned(),
        auth_ticket: Some(ticket.raw.clone()),
        link: link.map(str::to_owned),
        face: Face::Zus.as_str().to_owned(),
        created_at: now.clone(),
        updated_at: now,
    })
}

/// The caller's sent or received shares, newest first, a page at a time.
pub async fn shares(
    store: &Store,
    actor: &Actor,
    received: bool,
    share_info_type: Option<&str>,
    lookup_hash: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<Vec<PersonShare>, DomainError> {
    actor.require(Operation::FileSharesRead)?;
    let filter = ShareFilter {
        share_info_type,
        lookup_hash,
        limit: page_limit(limit)?,
        offset: page_offset(offset)?,
        ..ShareFilter::default()
    };
    let side = if received { Side::Received } else { Side::Sent };
    store::person_shares(store.pool(), actor.user_id, side, &filter).await
}

/// Deletes the caller's shares with this ticket and/or of this file; how many were deleted.
pub async fn delete_shares(
    store: &Store,
    actor: &Actor,
    face: Face,
    auth_ticket: Option<&str>,
    lookup_hash: Option<&str>,
) -> Result<u64, DomainError> {
    actor.require(Operation::FileShareRevoke)?;
    let auth_ticket = auth_ticket.map(str::trim).filter(|t| !t.is_empty());
    let lookup_hash = lookup_hash.map(str::trim).filter(|h| !h.is_empty());
    if auth_ticket.is_none() && lookup_hash.is_none() {
        return Err(DomainError::invalid(
            "auth_ticket",
            "give auth_ticket or lookup_hash (or both)",
        ));
    }
    let mut transaction = store.begin_write().await?;
    let recipients =
        store::delete_person_shares(&mut *transaction, actor.user_id, auth_ticket, lookup_hash)
            .await?;
    let deleted = recipients.len() as u64;
    if deleted > 0 {
        let recipients: Vec<String> = recipients.into_iter().flatten().collect();
        let change = Change {
            org_id: actor.org_id,
            action: "file.unshared",
            object_type: "file",
            object_id: lookup_hash.unwrap_or("by ticket").to_owned(),
            detail: json!({ "deleted": deleted, "recipient_user_ids": recipients }),
        };
        record(&mut transaction, Author::User(actor), face, change).await?;
    }
    transaction.commit().await?;
    Ok(deleted)
}

/// Asks the owner of a file (named by its lookup hash) for access. While a request is
/// pending, or after access was approved, asking again is refused; after a decline the
/// requester may ask once more.
pub async fn request_access(
    store: &Store,
    actor: &Actor,
    face: Face,
    owner_id: &str,
    lookup_hash: &str,
    auth_ticket: Option<&str>,
    message: &str,
) -> Result<(), DomainError> {
    actor.require(Operation::AccessRequestAsk)?;
    let owner: UserId = owner_id
        .trim()
        .parse()
        .map_err(|_| DomainError::invalid("owner_id", "is not a user id"))?;
    let lookup_hash = lookup_hash.trim();
    if lookup_hash.is_empty() {
        return Err(DomainError::invalid("lookup_hash", "must not be empty"));
    }
    let now = clock::now();
    let mut transaction = store.begin_write().await?;
    // Whatever the hash: a Züs file lives in its owner's allocation, not here, so a hash
    // Sharewell has not seen is no reason to refuse (and refusing would tell which it has).
    let owner_org = store::org_of_user(&mut *transaction, owner)
        .await?
        .ok_or(DomainError::NotFound("owner"))?;
    let file =
        file_by_lookup_hash(&mut transaction, (owner, owner_org), lookup_hash, lookup_hash, &now)
            .await?;
    ask(&mut transaction, actor, face, owner, &file, auth_ticket, message).await?;
    transaction.commit().await?;
    Ok(())
}

/// The owner's file with this lookup hash, registered on first sight (titled `title`): Züs
/// files live in their owners' allocations, so Sharewell learns of one from the first share or
/// request that names its hash. Concurrent first sights end in one row.
async fn file_by_lookup_hash(
    transaction: &mut Connection,
    (owner, owner_org): (UserId, OrgId),
    lookup_hash: &str,
    title: &str,
    now: &str,
) -> Result<store::ResourceRow, DomainError> {
    if let Some(file) = store::file_by_lookup_hash(&mut *transaction, owner, lookup_hash).await? {
        return Ok(file);
    }
    let resource = NewResource {
        id: ResourceId::new(),
        org_id: owner_org,
        owner_user_id: Some(owner),
        kind: "file",
        external_id: &format!("lookup:{owner}:{lookup_hash}"),
        title,
        lookup_hash: Some(lookup_hash),
        now,
    };
    store::insert_resource(&mut *transaction, &resource).await?;
    store::file_by_lookup_hash(&mut *transaction, owner, lookup_hash)
        .await?
        .ok_or_else(|| DomainError::Internal("a file registered by its hash is gone".into()))
}

/// Asks for access to a file by its path: the owner is the user whose home it is in.
pub async fn request_access_by_path(
    store: &Store,
    actor: &Actor,
    face: Face,
    path: &str,
    message: &str,
) -> Result<(), DomainError> {
    actor.require(Operation::AccessRequestAsk)?;
    let path = path.trim().trim_end_matches('/');
    check_path("path", path)?;
    let owner_name = path.trim_start_matches('/').split('/').next().unwrap_or_default();
    let mut transaction = store.begin_write().await?;
    let owner = store::person_by_name_or_email(&mut *transaction, owner_name)
        .await?
        .ok_or(DomainError::NotFound("file"))?;
    let file = store::file_by_path(&mut *transaction, owner.user_id, path)
        .await?
        .ok_or(DomainError::NotFound("file"))?;
    ask(&mut transaction, actor, face, owner.user_id, &file, None, message).await?;
    transaction.commit().await?;
    Ok(())
}

async fn ask(
    transaction: &mut Connection,
    actor: &Actor,
    face: Face,
    owner: UserId,
    file: &ResourceRow,
    auth_ticket: Option<&str>,
    message: &str,
) -> Result<(), DomainError> {
    if owner == actor.user_id {
        return Err(DomainError::invalid("owner_id", "you cannot request access to your own file"));
    }
    let now = clock::now();
    let resource_id = file.resource_id()?;
    let lookup_hash = file.lookup_hash.clone().unwrap_or_default();
    let request_id = match store::request_for(&mut *transaction, actor.user_id, resource_id).await?
    {
        None => {
            let id = uuid::Uuid::now_v7().to_string();
            let request = store::NewRequest {
                id: &id,
                requester: actor.user_id,
                owner,
                resource_id,
                lookup_hash: &lookup_hash,
                auth_ticket,
                message,
                now: &now,
            };
            // A concurrent identical request may have been stored since the check above.
            store::insert_request(&mut *transaction, &request).await.on_unique_violation(|| {
                DomainError::Conflict("a request for this file is already pending".into())
            })?;
            id
        }
        Some(existing) => match existing.status()? {
            RequestStatus::Pending => {
                return Err(DomainError::Conflict(
                    "a request for this file is already pending".into(),
                ))
            }
            RequestStatus::Approved => {
                return Err(DomainError::Conflict(
                    "access to this file was already approved".into(),
                ))
            }
            RequestStatus::Declined if existing.attempts >= 2 => {
                return Err(DomainError::Conflict(
                    "your request was declined again: you may ask only once more after a decline"
                        .into(),
                ))
            }
            RequestStatus::Declined => {
                store::renew_request(&mut *transaction, &existing.id, message, &now).await?;
                existing.id
            }
        },
    };
    let title = format!("{} asks for access to {}", actor.username, file.title);
    notify_user(
        transaction,
        owner,
        &Notice {
            kind: "request.received",
            category: Category::Requests,
            title: &title,
            link: Some("/requests"),
            once_key: None,
        },
        &now,
    )
    .await?;
    let change = Change {
        org_id: actor.org_id,
        action: "request.created",
        object_type: "access_request",
        object_id: request_id,
        detail: json!({ "owner_id": owner, "lookup_hash": lookup_hash }),
    };
    record(transaction, Author::User(actor), face, change).await
}

/// A page of the caller's sent or received shares for the Shared page.
pub async fn share_page(
    store: &Store,
    actor: &Actor,
    received: bool,
    kind: Option<&str>,
    text: Option<&str>,
    list: &ListChoice<FileShareSort>,
    page: i64,
) -> Result<SharePage, DomainError> {
    actor.require(Operation::FileSharesRead)?;
    let page = crate::domain::page_number(page)?;
    let filter = ShareFilter {
        kind: kind.filter(|k| matches!(*k, "file" | "app")),
        text,
        order: Some((list.key, list.dir)),
        limit: list.per_page,
        offset: (page - 1) * list.per_page,
        ..ShareFilter::default()
    };
    let side = if received { Side::Received } else { Side::Sent };
    let total = store::count_person_shares(store.pool(), actor.user_id, side, &filter).await?;
    let shares = store::person_shares(store.pool(), actor.user_id, side, &filter).await?;
    Ok(SharePage { shares, page, pages: crate::domain::page_count(total, list.per_page), total })
}

/// Revokes one of the caller's shares; the recipient is told.
pub async fn revoke_share(
    store: &Store,
    actor: &Actor,
    face: Face,
    id: &str,
) -> Result<(), DomainError> {
    actor.require(Operation::FileShareRevoke)?;
    let now = clock::now();
    let mut transaction = store.begin_write().await?;
    // An admin may revoke any share made by a person of the org (an access review); everyone
    // else only their own, and is refused (not told "not found") for a colleague's.
    let owner = match store::share_owner_in_org(&mut transaction, id, actor.org_id).await? {
        Some(owner) if owner != actor.user_id => {
            actor.require(Operation::OrgFileShareRevoke)?;
            owner
        }
        _ => actor.user_id,
    };
    let recipient = store::delete_person_share(&mut transaction, owner, id)
        .await?
        .ok_or(DomainError::NotFound("share"))?;
    if owner != actor.user_id {
        let title = format!("{} (an admin) revoked one of your shares", actor.username);
        let notice = Notice {
            kind: "share.revoked",
            category: Category::Shares,
            title: &title,
            link: None,
            once_key: None,
        };
        notify_user(&mut transaction, owner, &notice, &now).await?;
    }
    if let Some(recipient) = recipient {
        let title = format!("{} stopped sharing an item with you", actor.username);
        notify_user(
            &mut transaction,
            recipient,
            &Notice {
                kind: "share.revoked",
                category: Category::Shares,
                title: &title,
                link: None,
                once_key: None,
            },
            &now,
        )
        .await?;
    }
    let change = Change {
        org_id: actor.org_id,
        action: "share.revoked",
        object_type: "share",
        object_id: id.to_owned(),
        detail: json!({
            "recipient_user_ids": recipient.map(|user| vec![user.to_string()]),
            "owner_user_id": owner.to_string(),
        }),
    };
    record(&mut transaction, Author::User(actor), face, change).await?;
    transaction.commit().await?;
    Ok(())
}

/// Changes what the recipient of one of the caller's shares may do.
pub async fn change_access(
    store: &Store,
    actor: &Actor,
    face: Face,
    id: &str,
    access: Access,
) -> Result<(), DomainError> {
    actor.require(Operation::FileShareAccessChange)?;
    let mut transaction = store.begin_write().await?;
    if !store::set_share_access(&mut *transaction, actor.user_id, id, access, &clock::now()).await?
    {
        return Err(DomainError::NotFound("share"));
    }
    let change = Change {
        org_id: actor.org_id,
        action: "share.access_changed",
        object_type: "share",
        object_id: id.to_owned(),
        detail: json!({ "access": access }),
    };
    record(&mut transaction, Author::User(actor), face, change).await?;
    transaction.commit().await?;
    Ok(())
}

/// How the owner answers a request: the ticket and link go with an approval's share, the
/// message too (it is what the requester reads beside the shared file).
#[derive(Clone, Copy, Debug, Default)]
pub struct Answer<'a> {
    pub link: Option<&'a str>,
    pub auth_ticket: Option<&'a str>,
    pub message: &'a str,
}

/// The owner approves or declines a pending request. Approving shares the file with the
/// requester, in the same transaction.
pub async fn answer_request(
    store: &Store,
    actor: &Actor,
    face: Face,
    id: &str,
    status: &str,
    answer: Answer<'_>,
) -> Result<(), DomainError> {
    actor.require(Operation::AccessRequestAnswer)?;
    let status = match RequestStatus::parse(status.trim()) {
        Some(status @ (RequestStatus::Approved | RequestStatus::Declined)) => status,
        _ => return Err(DomainError::invalid("status", "must be `approved` or `declined`")),
    };
    let now = clock::now();
    let mut transaction = store.begin_write().await?;
    // Someone else's request is as unknown as a missing one: the answer does not tell which.
    let request = store::request_by_id(&mut *transaction, id.trim())
        .await?
        .filter(|request| request.owner_user_id == actor.user_id.to_string())
        .ok_or(DomainError::NotFound("share request"))?;
    if !store::answer_request(&mut *transaction, &request.id, status, &now).await? {
        return Err(DomainError::Conflict(format!("this request was already {}", request.status)));
    }
    let requester: UserId =
        request.requester_user_id.parse().map_err(|e| DomainError::Internal(Box::new(e)))?;
    if status == RequestStatus::Approved {
        let share = NewPersonShare {
            resource_id: request
                .resource_id
                .parse()
                .map_err(|e| DomainError::Internal(Box::new(e)))?,
            owner: actor.user_id,
            recipient: Some(requester),
            access: Access::Read,
            share_info_type: "private",
            message: answer.message.trim(),
            auth_ticket: answer.auth_ticket.map(str::trim).filter(|t| !t.is_empty()),
            link: answer.link.map(str::trim).filter(|l| !l.is_empty()),
            face: face.as_str(),
            now: &now,
        };
        store::upsert_person_share(&mut *transaction, &share).await?;
    }
    let title = format!("{} {} your request", actor.username, status.as_str());
    notify_user(
        &mut transaction,
        requester,
        &Notice {
            kind: "request.answered",
            category: Category::Requests,
            title: &title,
            link: Some("/requests?tab=outgoing"),
            once_key: None,
        },
        &now,
    )
    .await?;
    let change = Change {
        org_id: actor.org_id,
        action: if status == RequestStatus::Approved {
            "request.approved"
        } else {
            "request.declined"
        },
        object_type: "access_request",
        object_id: request.id.clone(),
        detail: json!({ "requester_id": requester }),
    };
    record(&mut transaction, Author::User(actor), face, change).await?;
    transaction.commit().await?;
    Ok(())
}

/// The requester withdraws a pending request.
pub async fn withdraw_request(
    store: &Store,
    actor: &Actor,
    face: Face,
    id: &str,
) -> Result<(), DomainError> {
    actor.require(Operation::AccessRequestWithdraw)?;
    let mut transaction = store.begin_write().await?;
    let request = store::request_by_id(&mut *transaction, id.trim())
        .await?
        .filter(|request| request.requester_user_id == actor.user_id.to_string())
        .ok_or(DomainError::NotFound("share request"))?;
    if request.status()? != RequestStatus::Pending {
        return Err(DomainError::Conflict(format!(
            "this request was already {}; only a pending one can be withdrawn",
            request.status
        )));
    }
    store::delete_request(&mut *transaction, &request.id).await?;
    let change = Change {
        org_id: actor.org_id,
        action: "request.withdrawn",
        object_type: "access_request",
        object_id: request.id.clone(),
        detail: json!({}),
    };
    record(&mut transaction, Author::User(actor), face, change).await?;
    transaction.commit().await?;
    Ok(())
}

/// Requests the caller received (as owner) or sent (as requester).
pub async fn requests(
    store: &Store,
    actor: &Actor,
    received: bool,
    filter: &RequestFilter,
) -> Result<Vec<AccessRequest>, DomainError> {
    actor.require(Operation::AccessRequestsRead)?;
    let filter = RequestFilter {
        limit: page_limit(filter.limit)?,
        offset: page_offset(filter.offset)?,
        ..filter.clone()
    };
    let side = if received { Side::Received } else { Side::Sent };
    store::requests(store.pool(), actor.user_id, side, &filter).await
}

/// A page of the actor's requests, one side of them, in the order, status and page size the
/// list page asks for (all statuses unless one is chosen).
pub async fn request_page(
    store: &Store,
    actor: &Actor,
    received: bool,
    page: i64,
    choice: &ListChoice<RequestSort>,
) -> Result<RequestPage, DomainError> {
    actor.require(Operation::AccessRequestsRead)?;
    let page = crate::domain::page_number(page)?;
    let filter = RequestFilter {
        status: choice.status.and_then(RequestStatus::parse),
        all: true,
        order: Some((choice.key, choice.dir)),
        offset: (page - 1) * choice.per_page,
        limit: choice.per_page,
        ..RequestFilter::default()
    };
    let side = if received { Side::Received } else { Side::Sent };
    let total = store::count_requests(store.pool(), actor.user_id, side, &filter).await?;
    let requests = store::requests(store.pool(), actor.user_id, side, &filter).await?;
    let pages = crate::domain::page_count(total, choice.per_page);
    Ok(RequestPage { requests, page, pages, total })
}

pub async fn notifications(store: &Store, actor: &Actor) -> Result<Vec<Notification>, DomainError> {
    actor.require(Operation::NotificationsRead)?;
    store::notifications(store.pool(), actor.user_id, MAX_PAGE).await
}

pub async fn unread_notifications(store: &Store, actor: &Actor) -> Result<i64, DomainError> {
    actor.require(Operation::NotificationsRead)?;
    store::unread_notifications(store.pool(), actor.user_id).await
}

/// Marks one notification, or all of them, read.
pub async fn mark_read(store: &Store, actor: &Actor, id: Option<&str>) -> Result<u64, DomainError> {
    actor.require(Operation::NotificationsMarkRead)?;
    let mut transaction = store.begin_write().await?;
    let marked =
        store::mark_notifications_read(&mut *transaction, actor.user_id, id, &clock::now()).await?;
    transaction.commit().await?;
    Ok(marked)
}

/// Registers an app in the caller's org catalogue; admins only.
pub async fn register_app(
    store: &Store,
    actor: &Actor,
    face: Face,
    name: &str,
) -> Result<(String, String), DomainError> {
    actor.require(Operation::AppRegister)?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(DomainError::invalid("name", "must be 1 to 100 characters"));
    }
    let now = clock::now();
    let mut transaction = store.begin_write().await?;
    if store::app(&mut *transaction, actor.org_id, name).await?.is_some() {
        return Err(DomainError::invalid("name", "is already used by another app"));
    }
    let id = ResourceId::new();
    let uid = format!("app-{}", id.as_uuid());
    let resource = NewResource {
        id,
        org_id: actor.org_id,
        owner_user_id: None,
        kind: "app",
        external_id: &uid,
        title: name,
        lookup_hash: None,
        now: &now,
    };
    // The unique app name settles a race with a concurrent registration the same way.
    store::insert_resource(&mut transaction, &resource)
        .await
        .on_unique_violation(|| DomainError::invalid("name", "is already used by another app"))?;
    let change = Change {
        org_id: actor.org_id,
        action: "app.registered",
        object_type: "app",
        object_id: uid.clone(),
        detail: json!({ "name": name }),
    };
    record(&mut transaction, Author::User(actor), face, change).await?;
    transaction.commit().await?;
    Ok((uid, name.to_owned()))
}

/// The org's app catalogue as (uid, name).
pub async fn apps(store: &Store, actor: &Actor) -> Result<Vec<(String, String)>, DomainError> {
    actor.require(Operation::AppsRead)?;
    Ok(store::apps(store.pool(), actor.org_id)
        .await?
        .into_iter()
        .map(|app| (app.external_id, app.title))
        .collect())
}

fn page_limit(limit: i64) -> Result<i64, DomainError> {
    match limit {
        0 => Ok(20),
        1..=MAX_PAGE => Ok(limit),
        _ => Err(DomainError::invalid("limit", format!("must be between 1 and {MAX_PAGE}"))),
    }
}

fn page_offset(offset: i64) -> Result<i64, DomainError> {
    if offset < 0 {
        Err(DomainError::invalid("offset", "must be 0 or more"))
    } else {
        Ok(offset)
    }
}
