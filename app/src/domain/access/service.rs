//! The rules of the "who has access" view: who sees which grants, how each is explained, who
//! may revoke it, and revoking through each kind's own service.

use super::{
    face_label, Direction, Grant, GrantFilter, GrantKind, GrantPage, GrantQuery, ItemKind, Revoke,
    RevokeAction, MAX_EXPORT,
};
use crate::domain::account_shares::service as account_shares;
use crate::domain::authz::Operation;
use crate::domain::files::service as files;
use crate::domain::identity::{Actor, Face};
use crate::domain::partners::{service as partners, EntityRef};
use crate::domain::store::access::{self as store, Conditions, GrantEvent, GrantRow, Scope};
use crate::domain::store::{parse_id, Store};
use crate::domain::{clock, DomainError};

/// A page of the grants the actor may see that match `query`. Admins and auditors see their
/// org's grants, given and received; everyone else the shares of their own files and the
/// shares with them. Another org's grants appear only where they are made to the actor's
/// org (as received).
pub async fn grants(
    store: &Store,
    actor: &Actor,
    query: &GrantQuery,
) -> Result<GrantPage, DomainError> {
    let scope = scope(store, actor).await?;
    let conditions = conditions(store, &query.filter).await?;
    let per_page = query.per_page.clamp(1, super::MAX_PER_PAGE);
    let offset = (query.page.max(1) - 1) * per_page;
    let (grants, total) = load(store, actor, scope, &conditions, per_page, offset).await?;
    Ok(GrantPage {
        grants,
        page: query.page.max(1),
        pages: crate::domain::page_count(total, per_page),
        per_page,
        total,
        whole_org: scope.whole_org,
    })
}

/// Every grant matching `filter`, up to [`MAX_EXPORT`], for the CSV export; and whether
/// there were more.
pub async fn export(
    store: &Store,
    actor: &Actor,
    filter: &GrantFilter,
) -> Result<(Vec<Grant>, bool), DomainError> {
    let scope = scope(store, actor).await?;
    let conditions = conditions(store, filter).await?;
    let (grants, total) = load(store, actor, scope, &conditions, MAX_EXPORT, 0).await?;
    Ok((grants, total > MAX_EXPORT))
}

/// One grant the actor may see, by kind and id.
pub async fn grant(
    store: &Store,
    actor: &Actor,
    kind: GrantKind,
    id: &str,
) -> Result<Grant, DomainError> {
    let scope = scope(store, actor).await?;
    let conditions = Conditions {
        grant: Some((kind.as_str().to_owned(), id.trim().to_owned())),
        ..Default::default()
    };
    let (mut found, _) = load(store, actor, scope, &conditions, 1, 0).await?;
    found.pop().ok_or(DomainError::NotFound("grant"))
}

/// Revokes one grant through its kind's own service (which checks the actor's right again
/// and records the change): a person share is revoked, a partner entity (or an accepted
/// offer) unshared, a pending offer withdrawn, an account share recipient removed. Returns
/// the grant as it was.
pub async fn revoke(
    store: &Store,
    actor: &Actor,
    face: Face,
    kind: GrantKind,
    id: &str,
) -> Result<Grant, DomainError> {
    let grant = grant(store, actor, kind, id).await?;
    let Some(revoke) = &grant.revoke else {
        return Err(DomainError::Forbidden("you may not revoke this grant"));
    };
    match revoke.action {
        RevokeAction::RevokePersonShare => {
            files::revoke_share(store, actor, face, &grant.id).await?
        }
        RevokeAction::UnshareEntity | RevokeAction::WithdrawOffer => {
            let (schema, entity_id) = grant.entity.clone().ok_or(DomainError::NotFound("grant"))?;
            let partner = grant.grantee_id.clone().ok_or(DomainError::NotFound("grant"))?;
            let batch = [partners::PartnerEntities {
                partner_org_id: partner,
                entities: vec![(EntityRef { schema, entity_id, parent_entity_id: None }, false)],
            }];
            if revoke.action == RevokeAction::UnshareEntity {
                partners::share_entities(store, actor, face, &[], &batch, false).await?;
            } else {
                let ttl = partners::DEFAULT_OFFER_TTL;
                partners::offer_entities(store, actor, face, &[], &batch, ttl).await?;
            }
        }
        RevokeAction::RemoveRecipient => {
            let account = account_shares::account(store, actor, &grant.grantor_org_id).await?;
            account_shares::remove_recipient(
                store,
                actor,
                face,
                account,
                &grant.item_id,
                &grant.id,
            )
            .await?;
        }
    }
    Ok(grant)
}

async fn scope(store: &Store, actor: &Actor) -> Result<Scope, DomainError> {
    let whole_org = actor.may(Operation::AccessReview);
    if !whole_org {
        actor.require(Operation::FileSharesRead)?;
    }
    let parent_id =
        store::parent_of(store.pool(), actor.org_id).await?.map(|id| parse_id(&id)).transpose()?;
    Ok(Scope { org_id: actor.org_id, parent_id, user_id: actor.user_id, whole_org })
}

/// The filter as ids. A person who is not known matches nothing, rather than everything.
async fn conditions(store: &Store, filter: &GrantFilter) -> Result<Conditions, DomainError> {
    let mut conditions = Conditions::default();
    if let Some((kind, item)) = &filter.item {
        conditions.item_kind = Some(kind.as_str().to_owned());
        conditions.item = Some(match kind {
            // Ids are stored hyphenated; a simple (32-hex) form names the same one.
            ItemKind::Share | ItemKind::File | ItemKind::App | ItemKind::Entity => item
                .parse::<uuid::Uuid>()
                .map(|id| id.hyphenated().to_string())
                .unwrap_or_else(|_| item.clone()),
            ItemKind::Resource => item.clone(),
        });
    }
    if let Some(org) = &filter.org {
        conditions.org = Some(match org.parse::<uuid::Uuid>() {
            Ok(id) => id.hyphenated().to_string(),
            Err(_) => org.to_lowercase(),
        });
    }
    if let Some(person) = &filter.person {
        let text = person
            .parse::<uuid::Uuid>()
            .map(|id| id.hyphenated().to_string())
            .unwrap_or_else(|_| person.clone());
        let (id, org) = store::person(store.pool(), &text)
            .await?
            .unwrap_or_else(|| ("-".to_owned(), "-".to_owned()));
        conditions.person_id = Some(id);
        conditions.person_org_id = Some(org);
    }
    conditions.granted_by_id = filter.granted_by.map(|id| id.to_string());
    Ok(conditions)
}

async fn load(
    store: &Store,
    actor: &Actor,
    scope: Scope,
    conditions: &Conditions,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Grant>, i64), DomainError> {
    let now = clock::now();
    let mut connection = store.pool().acquire().await?;
    let (rows, total) =
        store::grants(&mut connection, scope, &now, conditions, limit, offset).await?;
    let share_ids: Vec<String> =
        unique(rows.iter().filter(|r| r.kind == "account").map(|r| r.item_id.clone()));
    let resources = store::share_resources(&mut connection, &share_ids).await?;
    // Only the actor's own org's log explains its grants; another org's log stays its own.
    let mine = |row: &&GrantRow| row.direction == "granted";
    let config_ids = unique(rows.iter().filter(mine).filter_map(|r| r.ref_c.clone()));
    let offer_ids = unique(
        rows.iter().filter(mine).filter(|r| r.status == "accepted").filter_map(|r| r.ref_d.clone()),
    );
    let mut objects = config_ids;
    objects.extend(offer_ids);
    objects.extend(
        rows.iter().filter(mine).filter(|r| r.kind == "account").map(|r| r.item_id.clone()),
    );
    let events = store::grant_events(
        &mut connection,
        actor.org_id,
        &objects,
        &[
            "entity.shared",
            "entity.offered",
            "offer.accepted",
            "share.created",
            "share.recipient_added",
            "share.recipients_replaced",
        ],
    )
    .await?;
    let grants = rows
        .into_iter()
        .map(|row| {
            let carried: Vec<String> = resources
                .iter()
                .filter(|(share, _)| row.kind == "account" && *share == row.item_id)
                .map(|(_, resource)| resource.clone())
                .collect();
            explain(actor, row, carried, &events)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((grants, total))
}

fn unique(values: impl Iterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for value in values {
        if !out.contains(&value) {
            out.push(value);
        }
    }
    out
}

/// The latest event of `action` on `object` whose detail names `needle` as a JSON string.
fn event_for<'e>(
    events: &'e [GrantEvent],
    object: Option<&str>,
    action: &str,
    needle: &str,
) -> Option<&'e GrantEvent> {
    let quoted = serde_json::to_string(needle).unwrap_or_default();
    events.iter().find(|event| {
        Some(event.object_id.as_str()) == object
            && event.action == action
            && (needle.is_empty() || event.detail.contains(&quoted))
    })
}

fn explain(
    actor: &Actor,
    row: GrantRow,
    resources: Vec<String>,
    events: &[GrantEvent],
) -> Result<Grant, DomainError> {
    let kind = match row.kind.as_str() {
        "person" => GrantKind::Person,
        "partner" => GrantKind::Partner,
        "account" => GrantKind::Account,
        _ => GrantKind::Offer,
    };
    let direction =
        if row.direction == "granted" { Direction::Granted } else { Direction::Received };
    let granted = direction == Direction::Granted;
    let (mut granted_by, mut face, mut granted_at) =
        (row.granted_by.clone(), row.face.clone(), row.granted_at.clone());
    let entity = row.item_ref.clone().unwrap_or_default();
    let how = match kind {
        GrantKind::Person => {
            let face = face.as_deref().map(face_label).unwrap_or("an unknown way");
            format!(
                "{} shared it ({} access) through {face}",
                granted_by.as_deref().unwrap_or("its owner"),
                row.access.as_deref().unwrap_or("read"),
            )
        }
        GrantKind::Partner => {
            match event_for(events, row.ref_c.as_deref(), "entity.shared", &entity) {
                Some(event) => {
                    granted_by = Some(event.actor_name.clone());
                    face = Some(event.face.clone());
                    format!(
                        "{} shared it with the partner through {}",
                        event.actor_name,
                        face_label(&event.face)
                    )
                }
                None if granted => match &granted_by {
                    Some(name) => format!("{name} shared it with the partner"),
                    None => "shared with the partner".to_owned(),
                },
                None => format!("{} shared it with your org", row.grantor_org_name),
            }
        }
        GrantKind::Offer if row.status == "accepted" => {
            let offered_by = granted_by.clone().unwrap_or_else(|| "someone".to_owned());
            match event_for(events, row.ref_d.as_deref(), "offer.accepted", "") {
                Some(event) => {
                    face = Some(event.face.clone());
                    format!(
                        "offered by {offered_by}; accepted by {} through {} on {}",
                        event.actor_name,
                        face_label(&event.face),
                        event.created_at
                    )
                }
                None if granted => format!("offered by {offered_by}; the partner accepted"),
                None => format!("{} offered it and your org accepted", row.grantor_org_name),
            }
        }
        GrantKind::Offer => {
            let offered_by = granted_by.clone().unwrap_or_else(|| "someone".to_owned());
            match event_for(events, row.ref_c.as_deref(), "entity.offered", &entity) {
                Some(event) => {
                    face = Some(event.face.clone());
                    format!(
                        "{offered_by} offered it through {}; not yet accepted",
                        face_label(&event.face)
                    )
                }
                None if granted => format!("{offered_by} offered it; not yet accepted"),
                None => format!("{} offers it to your org; not yet accepted", row.grantor_org_name),
            }
        }
        GrantKind::Account => {
            let recipient = row.grantee_id.clone().unwrap_or_default();
            let added = ["share.recipient_added", "share.recipients_replaced", "share.created"]
                .iter()
                .find_map(|action| event_for(events, Some(&row.item_id), action, &recipient));
            let created_by = granted_by.clone().unwrap_or_else(|| "someone".to_owned());
            let face_text = face.as_deref().map(face_label).unwrap_or("an unknown way").to_owned();
            match added {
                Some(event) if event.action != "share.created" => {
                    granted_by = Some(event.actor_name.clone());
                    face = Some(event.face.clone());
                    granted_at = event.created_at.clone();
                    format!(
                        "{} added the org to account share \"{}\" through {}",
                        event.actor_name,
                        row.item_name,
                        face_label(&event.face)
                    )
                }
                _ if granted => format!(
                    "{created_by} created account share \"{}\" through {face_text}",
                    row.item_name
                ),
                _ => format!("{} shares \"{}\" with your org", row.grantor_org_name, row.item_name),
            }
        }
    };
    if !granted && kind != GrantKind::Person {
        // Another org's people are theirs to name.
        granted_by = None;
    }
    let revoke = if granted { revoke_of(actor, kind, &row) } else { None };
    let entity = match (kind, &row.ref_b) {
        (GrantKind::Partner | GrantKind::Offer, Some(schema)) => Some((schema.clone(), entity)),
        _ => None,
    };
    Ok(Grant {
        kind,
        id: row.grant_id,
        direction,
        item_kind: row.item_kind,
        item_id: row.item_id,
        item_name: row.item_name,
        entity,
        resources,
        grantee_kind: row.grantee_kind,
        grantee_id: row.grantee_id,
        grantee_name: row.grantee_name,
        grantee_org_id: row.grantee_org_id,
        grantee_org_name: row.grantee_org_name,
        grantor_org_id: row.grantor_org_id,
        grantor_org_name: row.grantor_org_name,
        granted_by,
        face,
        granted_at,
        how,
        access: row.access,
        expires_at: row.expires_at,
        status: row.status,
        revoke,
    })
}

/// How the actor may revoke a grant their org made, if they may.
fn revoke_of(actor: &Actor, kind: GrantKind, row: &GrantRow) -> Option<Revoke> {
    let (action, consequence) = match kind {
        GrantKind::Person => {
            let own = row.ref_a.as_deref() == Some(actor.user_id.to_string().as_str());
            let org_made_it = row.grantor_org_id == actor.org_id.to_string();
            let may = (own && actor.may(Operation::FileShareRevoke))
                || (org_made_it && actor.may(Operation::OrgFileShareRevoke));
            if !may {
                return None;
            }
            (
                RevokeAction::RevokePersonShare,
                format!(
                    "{} loses access to {} at once, and is told so.",
                    row.grantee_name, row.item_name
                ),
            )
        }
        GrantKind::Partner => {
            if !actor.may(Operation::EntitiesShare) {
                return None;
            }
            (
                RevokeAction::UnshareEntity,
                format!(
                    "{} is unshared from partner {}: they lose access at once.",
                    row.item_name, row.grantee_name
                ),
            )
        }
        GrantKind::Offer if row.status == "accepted" => {
            if !actor.may(Operation::EntitiesShare) {
                return None;
            }
            (
                RevokeAction::UnshareEntity,
                format!(
                    "{} is unshared from partner {}, who accepted it: they lose access at once.",
                    row.item_name, row.grantee_name
                ),
            )
        }
        GrantKind::Offer => {
            if !actor.may(Operation::EntitiesOffer) {
                return None;
            }
            (
                RevokeAction::WithdrawOffer,
                format!(
                    "The offer of {} to {} is withdrawn: its link stops working.",
                    row.item_name, row.grantee_name
                ),
            )
        }
        GrantKind::Account => {
            if !actor.may(Operation::AccountShareRecipientsChange) {
                return None;
            }
            (
                RevokeAction::RemoveRecipient,
                format!(
                    "{} is removed from account share \"{}\": it loses access to everything the share carries.",
                    row.grantee_name, row.item_name
                ),
            )
        }
    };
    Some(Revoke { action, consequence })
}
