//! Partner sharing services: configurations, roles, shares, and first-come-first-served
//! offers. Every write is one transaction with its audit events.

use serde_json::json;

use super::{
    check_entity, check_role, normalize_partner_id, ConfigDeletion, EntityRef, Grant, OfferState,
    OfferView, OfferedEntity, PartnerConfig, PartnerPage, PartnerStatus, PartnerSummary,
    PartnerUser, RoleHolders, SharedEntity, TemplateRole,
};
use crate::domain::audit::service::{record, Author, Change};
use crate::domain::authz::Operation;
use crate::domain::identity::{token_secret, Actor, Face};
use crate::domain::ids::{ConfigId, OfferId, OrgId, RoleId, UserId};
use crate::domain::listing::{ListChoice, PartnerSort};
use crate::domain::notifications::service::{notify_admins, notify_user, Notice};
use crate::domain::notifications::Category;
use crate::domain::store::notifications as notifications_store;
use crate::domain::store::partners::{self as store, ChildrenOf, ConfigRow};
use crate::domain::store::{parse_id, ResultExt, Store};
use crate::domain::{clock, DomainError};

/// How long an offer stays open unless a deployment says otherwise.
pub const DEFAULT_OFFER_TTL: time::Duration = time::Duration::days(14);

type Connection = sqlx::AnyConnection;

const CONFIG_NOT_FOUND: DomainError = DomainError::NotFound("partner configuration");

// ---- template roles ----------------------------------------------------------------------

pub async fn create_role(
    store: &Store,
    actor: &Actor,
    face: Face,
    name: &str,
    grants: Vec<Grant>,
) -> Result<TemplateRole, DomainError> {
    actor.require(Operation::TemplateRolesChange)?;
    check_role(name, &grants)?;
    let now = clock::now();
    let role = TemplateRole {
        id: RoleId::new(),
        name: name.trim().to_owned(),
        grants,
        created_at: now.clone(),
        updated_at: now,
    };
    let mut transaction = store.begin_write().await?;
    if store::role_name_taken(&mut *transaction, actor.org_id, &role.name, None).await? {
        return Err(DomainError::invalid("name", "is already used by another role"));
    }
    if !store::insert_role(&mut *transaction, actor.org_id, &role).await? {
        // Created by a concurrent request since the check above: the same answer.
        return Err(DomainError::invalid("name", "is already used by another role"));
    }
    record(&mut transaction, Author::User(actor), face, role_change("role.created", actor, &role))
        .await?;
    transaction.commit().await?;
    Ok(role)
}

pub async fn update_role(
    store: &Store,
    actor: &Actor,
    face: Face,
    id: RoleId,
    name: &str,
    grants: Vec<Grant>,
) -> Result<TemplateRole, DomainError> {
    actor.require(Operation::TemplateRolesChange)?;
    check_role(name, &grants)?;
    let mut transaction = store.begin_write().await?;
    let mut role = store::role(&mut *transaction, actor.org_id, id).await?.ok_or(ROLE_NOT_FOUND)?;
    if store::role_name_taken(&mut *transaction, actor.org_id, name.trim(), Some(id)).await? {
        return Err(DomainError::invalid("name", "is already used by another role"));
    }
    role.name = name.trim().to_owned();
    role.grants = grants;
    role.updated_at = clock::now();
    store::update_role(&mut *transaction, actor.org_id, &role)
        .await
        .on_unique_violation(|| DomainError::invalid("name", "is already used by another role"))?;
    record(&mut transaction, Author::User(actor), face, role_change("role.updated", actor, &role))
        .await?;
    transaction.commit().await?;
    Ok(role)
}

pub async fn delete_role(
    store: &Store,
    actor: &Actor,
    face: Face,
    id: RoleId,
) -> Result<(), DomainError> {
    actor.require(Operation::TemplateRolesChange)?;
    let mut transaction = store.begin_write().await?;
    let role = store::role(&mut *transaction, actor.org_id, id).await?.ok_or(ROLE_NOT_FOUND)?;
    store::delete_role(&mut *transaction, actor.org_id, id).await?;
    record(&mut transaction, Author::User(actor), face, role_change("role.deleted", actor, &role))
        .await?;
    transaction.commit().await?;
    Ok(())
}

pub async fn role(store: &Store, actor: &Actor, id: RoleId) -> Result<TemplateRole, DomainError> {
    actor.require(Operation::TemplateRolesRead)?;
    store::role(store.pool(), actor.org_id, id).await?.ok_or(ROLE_NOT_FOUND)
}

pub async fn roles(store: &Store, actor: &Actor) -> Result<Vec<TemplateRole>, DomainError> {
    actor.require(Operation::TemplateRolesRead)?;
    store::roles(store.pool(), actor.org_id).await
}

/// Who holds each of the org's template roles (roles held by nobody are left out), for the
/// confirm step of deleting one: only those who may delete roles are told.
pub async fn role_holders(store: &Store, actor: &Actor) -> Result<Vec<RoleHolders>, DomainError> {
    actor.require(Operation::TemplateRolesChange)?;
    Ok(store::role_holders(store.pool(), actor.org_id)
        .await?
        .into_iter()
        .map(|(role_id, partners, people)| RoleHolders { role_id, partners, people })
        .collect())
}

const ROLE_NOT_FOUND: DomainError = DomainError::NotFound("template role");

fn role_change(action: &'static str, actor: &Actor, role: &TemplateRole) -> Change {
    Change {
        org_id: actor.org_id,
        action,
        object_type: "template_role",
        object_id: role.id.to_string(),
        detail: json!({ "name": role.name, "grants": role.grants }),
    }
}

// ---- configurations ----------------------------------------------------------------------

pub async fn config(
    store: &Store,
    actor: &Actor,
    partner_org_id: &str,
) -> Result<PartnerConfig, DomainError> {
    actor.require(Operation::PartnersRead)?;
    let partner = normalize_partner_id("partner_org_id", partner_org_id)?;
    let mut connection = store.pool().acquire().await?;
    let row =
        store::config(&mut *connection, actor.org_id, &partner).await?.ok_or(CONFIG_NOT_FOUND)?;
    load(&mut connection, row).await
}

/// The org's configurations, all of them or those for the given partners (unknown partners
/// are left out, duplicates count once).
pub async fn configs(
    store: &Store,
    actor: &Actor,
    partner_org_ids: Option<&[String]>,
) -> Result<Vec<PartnerConfig>, DomainError> {
    actor.require(Operation::PartnersRead)?;
    let wanted = partner_org_ids
        .map(|ids| {
            ids.iter()
                .map(|id| normalize_partner_id("partner_org_ids", id))
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?;
    let mut connection = store.pool().acquire().await?;
    let rows = store::configs(&mut *connection, actor.org_id).await?;
    match wanted {
        None => load_org(&mut connection, rows).await,
        Some(ids) => {
            let rows = rows.into_iter().filter(|row| ids.contains(&row.partner_org_id)).collect();
            load_all(&mut connection, rows).await
        }
    }
}

/// A page of the partners list, optionally narrowed to partners whose id or name contains
/// `search` (case-insensitive), in the order, status and page size `choice` asks for. Pages
/// count from 1; a page past the end is empty.
pub async fn partner_page(
    store: &Store,
    actor: &Actor,
    search: &str,
    page: usize,
    choice: &ListChoice<PartnerSort>,
) -> Result<PartnerPage, DomainError> {
    actor.require(Operation::PartnersRead)?;
    crate::domain::check_search_text(search)?;
    let page = crate::domain::page_number(i64::try_from(page).unwrap_or(i64::MAX))?;
    let offset = (page - 1) * choice.per_page;
    let mut connection = store.pool().acquire().await?;
    let (rows, total) =
        store::partner_summaries(&mut connection, actor.org_id, Some(search), choice, offset)
            .await?;
    let partners = rows
        .into_iter()
        .map(|row| PartnerSummary {
            partner_status: PartnerStatus::of(row.partner_name.as_deref()),
            partner_name: row.partner_name,
            users: usize::try_from(row.users).unwrap_or_default(),
            shared: usize::try_from(row.shared).unwrap_or_default(),
            offered: usize::try_from(row.offered).unwrap_or_default(),
            role_name: row.role_name,
            user_limit: row.user_limit,
            updated_at: row.updated_at,
            partner_org_id: row.partner_org_id,
        })
        .collect();
    Ok(PartnerPage {
        partners,
        page: usize::try_from(page).unwrap_or(1),
        pages: usize::try_from(crate::domain::page_count(total, choice.per_page)).unwrap_or(1),
        total: usize::try_from(total).unwrap_or_default(),
    })
}

/// Configurations under which any of the entities is shared or offered.
pub async fn search_configs(
    store: &Store,
    actor: &Actor,
    entities: &[EntityRef],
) -> Result<Vec<PartnerConfig>, DomainError> {
    actor.require(Operation::PartnersRead)?;
    if entities.is_empty() {
        return Err(DomainError::invalid("entities", "must name at least one entity"));
    }
    for (index, entity) in entities.iter().enumerate() {
        check_entity(&format!("entities[{index}]"), entity)?;
    }
    let mut connection = store.pool().acquire().await?;
    let mut rows: Vec<ConfigRow> = Vec::new();
    for entity in entities {
        for row in
            store::configs_with_entity(&mut *connection, actor.org_id, entity.entity_id.trim())
                .await?
        {
            if !rows.iter().any(|seen| seen.id == row.id) {
                rows.push(row);
            }
        }
    }
    rows.sort_by(|a, b| a.partner_org_id.cmp(&b.partner_org_id));
    load_all(&mut connection, rows).await
}

pub async fn configs_by_role(
    store: &Store,
    actor: &Actor,
    role_id: &str,
) -> Result<Vec<PartnerConfig>, DomainError> {
    actor.require(Operation::PartnersRead)?;
    let role_id: RoleId = role_id.trim().parse().map_err(|_| ROLE_NOT_FOUND)?;
    let mut connection = store.pool().acquire().await?;
    store::role(&mut *connection, actor.org_id, role_id).await?.ok_or(ROLE_NOT_FOUND)?;
    let rows = store::configs_by_role(&mut *connection, actor.org_id, role_id).await?;
    load_all(&mut connection, rows).await
}

/// Creates the configuration on first use and, when `user_limit` is given, sets it
/// (`Some(None)` clears it).
pub async fn update_config(
    store: &Store,
    actor: &Actor,
    face: Face,
    partner_org_id: &str,
    user_limit: Option<Option<i64>>,
) -> Result<PartnerConfig, DomainError> {
    actor.require(Operation::PartnerConfigure)?;
    let partner = normalize_partner_id("partner_org_id", partner_org_id)?;
    if user_limit.flatten().is_some_and(|limit| limit < 0) {
        return Err(DomainError::invalid("user_limit", "must be 0 or more"));
    }
    let now = clock::now();
    let mut transaction = store.begin_write().await?;
    let config_id = ensure_config(&mut transaction, actor, face, &partner, &now).await?;
    if let Some(user_limit) = user_limit {
        let users = store::config_users(&mut *transaction, config_id).await?.len() as i64;
        if let Some(limit) = user_limit.filter(|limit| *limit < users) {
            return Err(DomainError::invalid(
                "user_limit",
                format!(
                    "{limit} is below the {users} partner users already added; remove users first"
                ),
            ));
        }
        store::set_user_limit(&mut *transaction, config_id, user_limit, &now).await?;
    }
    let change = config_change(
        "partner_config.updated",
        actor,
        config_id,
        json!({ "partner_org_id": partner, "user_limit": user_limit }),
    );
    record(&mut transaction, Author::User(actor), face, change).await?;
    let config = reload(&mut transaction, actor, &partner).await?;
    transaction.commit().await?;
    Ok(config)
}

/// What deleting the configuration would take away, for its confirm step: only those who
/// may delete it are told.
pub async fn deletion_consequence(
    store: &Store,
    actor: &Actor,
    partner_org_id: &str,
) -> Result<ConfigDeletion, DomainError> {
    actor.require(Operation::PartnerConfigure)?;
    let partner = normalize_partner_id("partner_org_id", partner_org_id)?;
    let mut connection = store.pool().acquire().await?;
    let row =
        store::config(&mut *connection, actor.org_id, &partner).await?.ok_or(CONFIG_NOT_FOUND)?;
    let id: ConfigId = parse_id(&row.id)?;
    let (shared, accepted, open_offers, users) =
        store::config_contents(&mut *connection, id).await?;
    Ok(ConfigDeletion { shared, accepted, open_offers, users })
}

/// Deletes the configuration with everything shared and offered under it; returns it as it
/// was.
pub async fn delete_config(
    store: &Store,
    actor: &Actor,
    face: Face,
    partner_org_id: &str,
) -> Result<PartnerConfig, DomainError> {
    actor.require(Operation::PartnerConfigure)?;
    let partner = normalize_partner_id("partner_org_id", partner_org_id)?;
    let mut transaction = store.begin_write().await?;
    let config = reload(&mut transaction, actor, &partner).await?;
    store::delete_config(&mut *transaction, config.id).await?;
    let change = config_change(
        "partner_config.deleted",
        actor,
        config.id,
        json!({ "partner_org_id": partner, "entities": config.entities.len(), "offers": config.offered_entities.len() }),
    );
    record(&mut transaction, Author::User(actor), face, change).await?;
    transaction.commit().await?;
    Ok(config)
}

/// Assigns a template role: its grants are copied into the configuration and a role id is
/// minted for the partner.
pub async fn assign_role(
    store: &Store,
    actor: &Actor,
    face: Face,
    partner_org_id: &str,
    template_role_id: &str,
) -> Result<PartnerConfig, DomainError> {
    actor.require(Operation::PartnerConfigure)?;
    let partner = normalize_partner_id("partner_org_id", partner_org_id)?;
    if template_role_id.trim().is_empty() {
        return Err(DomainError::invalid("template_role_id", "must not be empty"));
    }
    let role_id: RoleId = template_role_id.trim().parse().map_err(|_| ROLE_NOT_FOUND)?;
    let now = clock::now();
    let mut transaction = store.begin_write().await?;
    let row =
        store::config(&mut *transaction, actor.org_id, &partner).await?.ok_or(CONFIG_NOT_FOUND)?;
    let config_id = row.config_id()?;
    let role =
        store::role(&mut *transaction, actor.org_id, role_id).await?.ok_or(ROLE_NOT_FOUND)?;
    let generated_role_id = RoleId::new().to_string();
    store::set_role(&mut *transaction, config_id, &role, &generated_role_id, &now).await?;
    let change = config_change(
        "partner_config.role_assigned",
        actor,
        config_id,
        json!({ "partner_org_id": partner, "template_role_id": role.id, "role": role.name, "generated_role_id": generated_role_id }),
    );
    record(&mut transaction, Author::User(actor), face, change).await?;
    let config = reload(&mut transaction, actor, &partner).await?;
    transaction.commit().await?;
    Ok(config)
}

/// Adds a user of the partner org to the configuration, within its user limit.
pub async fn add_partner_user(
    store: &Store,
    actor: &Actor,
    face: Face,
    partner_org_id: &str,
    username: &str,
) -> Result<PartnerConfig, DomainError> {
    actor.require(Operation::PartnerUsersChange)?;
    let partner = normalize_partner_id("partner_org_id", partner_org_id)?;
    let username = crate::domain::identity::Username::parse(username)?;
    let now = clock::now();
    let mut transaction = store.begin_write().await?;
    let row =
        store::config(&mut *transaction, actor.org_id, &partner).await?.ok_or(CONFIG_NOT_FOUND)?;
    let config_id = row.config_id()?;
    let user_id = store::user_in_org(&mut *transaction, &partner, username.as_str())
        .await?
        .ok_or_else(|| {
            DomainError::invalid(
                "username",
                format!("`{}` is not a user of the partner org", username.as_str()),
            )
        })?;
    let users = store::config_users(&mut *transaction, config_id).await?;
    if users.iter().any(|user| user.id == user_id) {
        return Err(DomainError::invalid(
            "username",
            format!("`{}` is already a partner user", username.as_str()),
        ));
    }
    if let Some(limit) = row.user_limit.filter(|limit| users.len() as i64 >= *limit) {
        return Err(DomainError::invalid(
            "username",
            format!("the user limit of {limit} is reached: raise the limit or remove a user first"),
        ));
    }
    store::add_config_user(&mut *transaction, config_id, user_id, &now).await?;
    store::touch_config(&mut *transaction, config_id, &now).await?;
    let change = config_change(
        "partner_config.user_added",
        actor,
        config_id,
        json!({ "partner_org_id": partner, "username": username.as_str() }),
    );
    record(&mut transaction, Author::User(actor), face, change).await?;
    let config = reload(&mut transaction, actor, &partner).await?;
    transaction.commit().await?;
    Ok(config)
}

pub async fn remove_partner_user(
    store: &Store,
    actor: &Actor,
    face: Face,
    partner_org_id: &str,
    user_id: UserId,
) -> Result<PartnerConfig, DomainError> {
    actor.require(Operation::PartnerUsersChange)?;
    let partner = normalize_partner_id("partner_org_id", partner_org_id)?;
    let now = clock::now();
    let mut transaction = store.begin_write().await?;
    let row =
        store::config(&mut *transaction, actor.org_id, &partner).await?.ok_or(CONFIG_NOT_FOUND)?;
    let config_id = row.config_id()?;
    if !store::remove_config_user(&mut *transaction, config_id, user_id).await? {
        return Err(DomainError::NotFound("partner user"));
    }
    store::touch_config(&mut *transaction, config_id, &now).await?;
    let change = config_change(
        "partner_config.user_removed",
        actor,
        config_id,
        json!({ "partner_org_id": partner, "user_id": user_id }),
    );
    record(&mut transaction, Author::User(actor), face, change).await?;
    let config = reload(&mut transaction, actor, &partner).await?;
    transaction.commit().await?;
    Ok(config)
}

// ---- shares ------------------------------------------------------------------------------

/// Entities to share with (or unshare from) one partner. `offer_accepted` marks a share as
/// the outcome of an accepted offer.
#[derive(Clone, Debug)]
pub struct PartnerEntities {
    pub partner_org_id: String,
    pub entities: Vec<(EntityRef, bool)>,
}

/// Shares and unshares in one transaction: all of it happens, or none. Returns the
/// configurations touched, in the order first named.
pub async fn share_entities(
    store: &Store,
    actor: &Actor,
    face: Face,
    share: &[PartnerEntities],
    unshare: &[PartnerEntities],
    children_only: bool,
) -> Result<Vec<PartnerConfig>, DomainError> {
    actor.require(Operation::EntitiesShare)?;
    check_batch_size("share", &[share, unshare])?;
    let (share, unshare) =
        (checked_batch("share", share, children_only)?, checked_batch("unshare", unshare, false)?);
    if share.is_empty() && unshare.is_empty() {
        return Err(DomainError::invalid("share", "name at least one entity to share or unshare"));
    }
    let now = clock::now();
    let mut transaction = store.begin_write().await?;
    let mut touched: Vec<String> = Vec::new();

    for (field, partner, entities) in &share {
        let config_id = ensure_config(&mut transaction, actor, face, partner, &now).await?;
        for (entity, offer_accepted) in entities {
            let resource = upsert_entity(&mut transaction, actor, entity, &now).await?;
            if children_only {
                let parent = entity.parent_entity_id.as_deref().unwrap_or_default();
                let parent_resource =
                    store::entity_resource(&mut *transaction, actor.org_id, parent).await?;
                let parent_shared = match parent_resource {
                    Some(parent) => store::is_shared(&mut *transaction, config_id, parent).await?,
                    None => false,
                };
                if !parent_shared {
                    return Err(DomainError::invalid(
                        format!("{field}.entity.parent_entity_id"),
                        format!(
                            "the parent entity `{parent}` is not shared with partner `{partner}`"
                        ),
                    ));
                }
            }
            let sharer = Some(actor.user_id);
            store::upsert_share(
                &mut *transaction,
                config_id,
                resource,
                *offer_accepted,
                sharer,
                &now,
            )
            .await?;
        }
        let item = BatchItem { config_id, partner, entities, expires_at: None };
        record_batch_item(&mut transaction, actor, face, "entity.shared", item, &now).await?;
        remember(&mut touched, partner);
    }
    for (_, partner, entities) in &unshare {
        let row = store::config(&mut *transaction, actor.org_id, partner)
            .await?
            .ok_or(CONFIG_NOT_FOUND)?;
        let config_id = row.config_id()?;
        for (entity, _) in entities {
            if let Some(resource) =
                store::entity_resource(&mut *transaction, actor.org_id, &entity.entity_id).await?
            {
                store::delete_share(&mut *transaction, config_id, resource).await?;
            }
        }
        let item = BatchItem { config_id, partner, entities, expires_at: None };
        record_batch_item(&mut transaction, actor, face, "entity.unshared", item, &now).await?;
        remember(&mut touched, partner);
    }
    let configs = reload_many(&mut transaction, actor, &touched).await?;
    transaction.commit().await?;
    Ok(configs)
}

// ---- offers ------------------------------------------------------------------------------

/// Offers entities to partners and withdraws offers, in one transaction. An entity that a
/// partner has already accepted cannot be offered again.
pub async fn offer_entities(
    store: &Store,
    actor: &Actor,
    face: Face,
    offer: &[PartnerEntities],
    unoffer: &[PartnerEntities],
    ttl: time::Duration,
) -> Result<Vec<PartnerConfig>, DomainError> {
    actor.require(Operation::EntitiesOffer)?;
    check_batch_size("offer", &[offer, unoffer])?;
    let (offer, unoffer) =
        (checked_batch("offer", offer, false)?, checked_batch("unoffer", unoffer, false)?);
    if offer.is_empty() && unoffer.is_empty() {
        return Err(DomainError::invalid("offer", "name at least one entity to offer or unoffer"));
    }
    let now = clock::now();
    let expires_at = clock::now_plus(ttl);
    let mut transaction = store.begin_write().await?;
    let mut touched: Vec<String> = Vec::new();

    for (_, partner, entities) in &offer {
        let config_id = ensure_config(&mut transaction, actor, face, partner, &now).await?;
        for (entity, _) in entities {
            let resource = upsert_entity(&mut transaction, actor, entity, &now).await?;
            if let Some(winner) = store::accepted_partner(&mut *transaction, resource).await? {
                return Err(DomainError::Conflict(format!(
                    "entity `{}` was already accepted by partner `{winner}`; it cannot be offered again",
                    entity.entity_id
                )));
            }
            let link_token = token_secret::random_url_safe()?;
            let new_offer = store::NewOffer {
                config_id,
                resource_id: resource,
                offered_by: actor.user_id,
                link_token: &link_token,
                expires_at: &expires_at,
                now: &now,
            };
            store::upsert_offer(&mut *transaction, &new_offer).await?;
            // A pending offer is left as it was: only an offer made now carries this token.
            if let Some(offer_id) = store::offer_id_by_token(&mut *transaction, &link_token).await?
            {
                let offer = NewlyOffered { offer_id, config_id, partner, entity, link_token };
                tell_partner_of_offer(&mut transaction, actor, offer, &now).await?;
            }
        }
        let item = BatchItem { config_id, partner, entities, expires_at: Some(&expires_at) };
        record_batch_item(&mut transaction, actor, face, "entity.offered", item, &now).await?;
        remember(&mut touched, partner);
    }
    for (_, partner, entities) in &unoffer {
        let row = store::config(&mut *transaction, actor.org_id, partner)
            .await?
            .ok_or(CONFIG_NOT_FOUND)?;
        let config_id = row.config_id()?;
        for (entity, _) in entities {
            if let Some(resource) =
                store::entity_resource(&mut *transaction, actor.org_id, &entity.entity_id).await?
            {
                store::delete_open_offer(&mut *transaction, config_id, resource).await?;
            }
        }
        let item = BatchItem { config_id, partner, entities, expires_at: None };
        record_batch_item(&mut transaction, actor, face, "entity.unoffered", item, &now).await?;
        remember(&mut touched, partner);
    }
    let configs = reload_many(&mut transaction, actor, &touched).await?;
    transaction.commit().await?;
    Ok(configs)
}

/// An offer made just now, for [`tell_partner_of_offer`].
struct NewlyOffered<'a> {
    offer_id: OfferId,
    config_id: ConfigId,
    partner: &'a str,
    entity: &'a EntityRef,
    link_token: String,
}

/// Tells the partner's people of a new offer, with its public link: the users attached to the
/// partner configuration or, when there are none, the admins of the partner org when it is an
/// org here. Once per offer and link, however often the batch names it.
async fn tell_partner_of_offer(
    transaction: &mut Connection,
    actor: &Actor,
    offer: NewlyOffered<'_>,
    now: &str,
) -> Result<(), DomainError> {
    let title =
        format!("{} offers you {} {}", actor.org_name, offer.entity.schema, offer.entity.entity_id);
    let link = format!("/offers/{}", offer.link_token);
    let once_key = format!("offer.received:{}:{}", offer.offer_id, offer.link_token);
    let notice = Notice {
        kind: "offer.received",
        category: Category::Offers,
        title: &title,
        link: Some(&link),
        once_key: Some(&once_key),
    };
    let mut people =
        notifications_store::active_partner_users(&mut *transaction, &offer.config_id.to_string())
            .await?;
    if people.is_empty() {
        if let Ok(partner_org) = offer.partner.parse::<OrgId>() {
            people = notifications_store::active_org_admins(&mut *transaction, partner_org).await?;
        }
    }
    for person in people {
        notify_user(&mut *transaction, person, &notice, now).await?;
    }
    Ok(())
}

/// Who is accepting (or declining) an offer, and on what authority.
#[derive(Clone, Copy, Debug)]
pub enum OfferAuthority<'a> {
    /// The holder of the offer's public link token.
    LinkToken(&'a str),
    /// A signed-in member of the partner org.
    PartnerMember(&'a Actor),
    /// Anyone: only when the deployment opted into the upstream's open behaviour.
    Open,
}

/// The public status of an offer named by its parties.
pub async fn offer_status(
    store: &Store,
    sharing_org_id: &str,
    partner_org_id: &str,
    entity_id: &str,
) -> Result<OfferView, DomainError> {
    let offer_id = find_offer(store.pool(), sharing_org_id, partner_org_id, entity_id).await?;
    let mut connection = store.pool().acquire().await?;
    offer_view(&mut connection, offer_id).await
}

/// The offer behind a public link.
pub async fn offer_by_link(store: &Store, token: &str) -> Result<OfferView, DomainError> {
    let mut connection = store.pool().acquire().await?;
    let offer_id =
        store::offer_id_by_token(&mut *connection, token).await?.ok_or(OFFER_NOT_FOUND)?;
    offer_view(&mut connection, offer_id).await
}

/// Accepts an offer named by its parties. First come, first served: the first accept of a
/// pending offer wins, shares the entity with that partner and makes every other pending
/// offer of the entity UNAVAILABLE, all in one transaction; later accepts get a conflict.
pub async fn accept_offer(
    store: &Store,
    authority: OfferAuthority<'_>,
    sharing_org_id: &str,
    partner_org_id: &str,
    entity_id: &str,
) -> Result<PartnerConfig, DomainError> {
    let sharing_org_id = normalize_partner_id("sharing_org_id", sharing_org_id)?;
    let partner_org_id = normalize_partner_id("partner_org_id", partner_org_id)?;
    if entity_id.trim().is_empty() {
        return Err(DomainError::invalid("entity_id", "must not be empty"));
    }
    let offer_id =
        find_offer(store.pool(), &sharing_org_id, &partner_org_id, entity_id.trim()).await?;
    authorize(&mut *store.pool().acquire().await?, authority, offer_id, &partner_org_id).await?;
    refuse_decided(store, offer_id, OfferState::Accepted).await?;
    let mut transaction = store.begin_write().await?;
    let config_row = settle(&mut transaction, offer_id, OfferState::Accepted, authority).await?;
    transaction.commit().await?;
    // Read after the commit, so that the answers queued behind this one wait less.
    load(&mut *store.pool().acquire().await?, config_row).await
}

/// Accepts or declines the offer behind a public link; returns the offer as it now stands.
pub async fn answer_offer_by_link(
    store: &Store,
    token: &str,
    accept: bool,
) -> Result<OfferView, DomainError> {
    let offer_id = store::offer_id_by_token(store.pool(), token).await?.ok_or(OFFER_NOT_FOUND)?;
    let to = if accept { OfferState::Accepted } else { OfferState::Declined };
    refuse_decided(store, offer_id, to).await?;
    let mut transaction = store.begin_write().await?;
    settle(&mut transaction, offer_id, to, OfferAuthority::LinkToken(token)).await?;
    let view = offer_view(&mut transaction, offer_id).await?;
    transaction.commit().await?;
    Ok(view)
}

const OFFER_NOT_FOUND: DomainError = DomainError::NotFound("offer");

async fn find_offer(
    db: impl sqlx::AnyExecutor<'_>,
    sharing_org_id: &str,
    partner_org_id: &str,
    entity_id: &str,
) -> Result<OfferId, DomainError> {
    store::offer_id_by_parties(db, sharing_org_id, partner_org_id, entity_id)
        .await?
        .ok_or(OFFER_NOT_FOUND)
}

async fn authorize(
    connection: &mut Connection,
    authority: OfferAuthority<'_>,
    offer_id: OfferId,
    partner_org_id: &str,
) -> Result<(), DomainError> {
    let allowed = match authority {
        OfferAuthority::Open => true,
        OfferAuthority::PartnerMember(actor) => {
            actor.require(Operation::OfferAnswer)?;
            actor.org_id.to_string() == partner_org_id
        }
        OfferAuthority::LinkToken(token) => {
            store::offer_id_by_token(&mut *connection, token).await? == Some(offer_id)
        }
    };
    if allowed {
        Ok(())
    } else {
        Err(DomainError::Forbidden(
            "only a member of the partner org, or whoever holds the offer's link, may answer this offer",
        ))
    }
}

/// Moves a pending offer to ACCEPTED or DECLINED inside the caller's transaction, with the
/// first-come-first-served consequences of an accept.
async fn settle(
    transaction: &mut Connection,
    offer_id: OfferId,
    to: OfferState,
    authority: OfferAuthority<'_>,
) -> Result<ConfigRow, DomainError> {
    let now = clock::now();
    // First come, first served: answers to offers of one entity are decided one at a time,
    // and each reads the offer's state once it is its turn. A late answer is refused after
    // these two statements, so that a hundred of them queued behind the winner pass quickly.
    if !store::lock_offered_resource(&mut *transaction, offer_id).await? {
        return Err(OFFER_NOT_FOUND);
    }
    let offer = store::offer_by_id(&mut *transaction, offer_id).await?.ok_or(OFFER_NOT_FOUND)?;
    let state = store::effective_state(offer.state()?, &offer.expires_at, &now);
    let unchanged = answer_without_change(state, to);
    if let Some(Err(conflict)) = unchanged {
        return Err(conflict);
    }
    let config_row = store::config_row_by_id(&mut *transaction, &offer.config_id)
        .await?
        .ok_or(OFFER_NOT_FOUND)?;
    if unchanged.is_some() {
        return Ok(config_row);
    }
    let resource: crate::domain::ids::ResourceId = parse_id(&offer.resource_id)?;
    if !store::settle_pending_offer(&mut *transaction, offer_id, to, &now).await? {
        return Err(DomainError::Conflict(
            "this offer is no longer available: another partner accepted it first".into(),
        ));
    }
    let config_id = config_row.config_id()?;
    let sharing_org_id = parse_id(&config_row.sharing_org_id)?;
    if to == OfferState::Accepted {
        store::close_other_offers(&mut *transaction, resource, offer_id, &now).await?;
        store::upsert_share(&mut *transaction, config_id, resource, true, None, &now).await?;
    }
    store::touch_config(&mut *transaction, config_id, &now).await?;
    let (author, face) = match authority {
        OfferAuthority::PartnerMember(actor) => (Author::User(actor), Face::Epilot),
        OfferAuthority::LinkToken(_) | OfferAuthority::Open => (Author::LinkHolder, Face::Web),
    };
    let action = if to == OfferState::Accepted { "offer.accepted" } else { "offer.declined" };
    let change = Change {
        org_id: sharing_org_id,
        action,
        object_type: "offer",
        object_id: offer_id.to_string(),
        detail: json!({ "partner_org_id": config_row.partner_org_id, "resource_id": offer.resource_id }),
    };
    record(&mut *transaction, author, face, change).await?;
    tell_offerer_of_answer(&mut *transaction, &config_row, &offer, to, &now).await?;
    Ok(config_row)
}

/// What answering an offer in `state` with `to` comes to when nothing is left to change:
/// `Some(Ok)` for a repeated answer (a retried request, a double click), `Some(Err)` for a
/// conflict, `None` when the offer is pending and the answer is to be written.
fn answer_without_change(state: OfferState, to: OfferState) -> Option<Result<(), DomainError>> {
    match (state, to) {
        (OfferState::Pending, _) => None,
        (OfferState::Accepted, OfferState::Accepted)
        | (OfferState::Declined, OfferState::Declined) => Some(Ok(())),
        (OfferState::Accepted, _) => {
            Some(Err(DomainError::Conflict("this offer was already accepted".into())))
        }
        (OfferState::Unavailable, _) => Some(Err(DomainError::Conflict(
            "this offer is no longer available: another partner accepted it first".into(),
        ))),
        (OfferState::Expired, _) => {
            Some(Err(DomainError::Conflict("this offer has expired".into())))
        }
        (OfferState::Declined, _) => {
            Some(Err(DomainError::Conflict("this offer was declined".into())))
        }
    }
}

/// Refuses an answer to an offer that is already decided, from a plain read, before taking
/// the write lock: when a hundred partners accept at once, the winner commits in a few
/// milliseconds and the others are told at once instead of queueing for the lock one by one.
/// Only a conflict is answered here; whatever may change is decided again in the write
/// transaction, where the conditional write is the arbiter.
async fn refuse_decided(
    store: &Store,
    offer_id: OfferId,
    to: OfferState,
) -> Result<(), DomainError> {
    let offer = store::offer_by_id(store.pool(), offer_id).await?.ok_or(OFFER_NOT_FOUND)?;
    let state = store::effective_state(offer.state()?, &offer.expires_at, &clock::now());
    match answer_without_change(state, to) {
        Some(Err(conflict)) => Err(conflict),
        _ => Ok(()),
    }
}

/// Tells the admins of the org that made an offer that the partner accepted or declined it.
async fn tell_offerer_of_answer(
    transaction: &mut Connection,
    config: &ConfigRow,
    offer: &store::OfferRow,
    to: OfferState,
    now: &str,
) -> Result<(), DomainError> {
    let offer_id = offer.offer_id()?;
    let entity = store::offer_detail_by_id(&mut *transaction, offer_id)
        .await?
        .map(|detail| format!("{} {}", detail.schema_name, detail.external_id))
        .unwrap_or_else(|| "an entity".to_owned());
    let partner = config.partner_name.as_deref().unwrap_or(&config.partner_org_id);
    let (kind, verb) = match to {
        OfferState::Accepted => ("offer.accepted", "accepted"),
        _ => ("offer.declined", "declined"),
    };
    let title = format!("{partner} {verb} your offer of {entity}");
    let link = format!("/partners/{}", config.partner_org_id);
    // A new offer of the same entity has a new expiry, and is a new event.
    let once_key = format!("{kind}:{offer_id}:{}", offer.expires_at);
    let notice = Notice {
        kind,
        category: Category::Offers,
        title: &title,
        link: Some(&link),
        once_key: Some(&once_key),
    };
    notify_admins(transaction, parse_id(&config.sharing_org_id)?, &notice, now).await
}

async fn offer_view(
    connection: &mut Connection,
    offer_id: OfferId,
) -> Result<OfferView, DomainError> {
    let row =
        store::offer_detail_by_id(&mut *connection, offer_id).await?.ok_or(OFFER_NOT_FOUND)?;
    let offer = store::offer_by_id(&mut *connection, offer_id).await?.ok_or(OFFER_NOT_FOUND)?;
    let resource = parse_id(&offer.resource_id)?;
    let accepted_by_org_id = store::accepted_partner(&mut *connection, resource).await?;
    let stored = OfferState::parse(&row.status)
        .ok_or_else(|| DomainError::Internal("unknown offer status".into()))?;
    let grants = row.grants()?;
    Ok(OfferView {
        sharing_org_id: parse_id(&row.sharing_org_id)?,
        sharing_org_name: row.sharing_org_name,
        partner_org_id: row.partner_org_id,
        schema: row.schema_name,
        entity_id: row.external_id,
        title: row.title,
        entity_created_at: row.entity_created_at,
        entity_updated_at: row.entity_updated_at,
        status: store::effective_state(stored, &row.expires_at, &clock::now()),
        offered_at: row.offered_at,
        status_changed_at: row.status_changed_at,
        expires_at: row.expires_at,
        accepted_by_org_id,
        partner_org_name: row.partner_org_name,
        role_name: row.role_name,
        grants,
    })
}

// ---- helpers -----------------------------------------------------------------------------

/// One partner's part of a share or offer batch, once its rows are written.
struct BatchItem<'a> {
    config_id: ConfigId,
    partner: &'a str,
    entities: &'a [(EntityRef, bool)],
    expires_at: Option<&'a str>,
}

/// Touches the configuration and records what the batch did to it.
async fn record_batch_item(
    transaction: &mut Connection,
    actor: &Actor,
    face: Face,
    action: &'static str,
    item: BatchItem<'_>,
    now: &str,
) -> Result<(), DomainError> {
    store::touch_config(&mut *transaction, item.config_id, now).await?;
    let names: Vec<&str> =
        item.entities.iter().map(|(entity, _)| entity.entity_id.as_str()).collect();
    let mut detail = json!({ "partner_org_id": item.partner, "entities": names });
    if let Some(expires_at) = item.expires_at {
        detail["expires_at"] = json!(expires_at);
    }
    let change = config_change(action, actor, item.config_id, detail);
    record(transaction, Author::User(actor), face, change).await
}

/// The most (partner, entity) pairs one share or offer request may name, both of its lists
/// together. Each pair is a row written in one transaction that holds up other writers; the
/// pages and the epilot clients name a handful.
pub const MAX_BATCH_PAIRS: usize = 1_000;

/// Refuses a batch past [`MAX_BATCH_PAIRS`] before anything is looked at.
fn check_batch_size(name: &str, lists: &[&[PartnerEntities]]) -> Result<(), DomainError> {
    let pairs: usize =
        lists.iter().flat_map(|list| list.iter()).map(|item| item.entities.len().max(1)).sum();
    if pairs > MAX_BATCH_PAIRS {
        return Err(DomainError::invalid(
            name,
            format!("at most {MAX_BATCH_PAIRS} (partner, entity) pairs per request"),
        ));
    }
    Ok(())
}

/// A batch checked before anything is written: (field path, partner id, entities).
type CheckedBatch = Vec<(String, String, Vec<(EntityRef, bool)>)>;

/// One entry per partner, one per entity within it: a partner or an entity named twice is
/// merged, the later mention winning as a later request would.
fn merged(batch: CheckedBatch) -> CheckedBatch {
    let mut merged: CheckedBatch = Vec::with_capacity(batch.len());
    for (field, partner, entities) in batch {
        let index = match merged.iter().position(|(_, known, _)| *known == partner) {
            Some(index) => index,
            None => {
                merged.push((field, partner, Vec::new()));
                merged.len() - 1
            }
        };
        let list = &mut merged[index].2;
        for (entity, flag) in entities {
            match list.iter_mut().find(|(known, _)| known.entity_id == entity.entity_id) {
                Some(known) => *known = (entity, flag),
                None => list.push((entity, flag)),
            }
        }
    }
    merged
}

fn checked_batch(
    name: &str,
    batch: &[PartnerEntities],
    children: bool,
) -> Result<CheckedBatch, DomainError> {
    batch
        .iter()
        .enumerate()
        .map(|(index, item)| {
            let field = format!("{name}[{index}]");
            let partner =
                normalize_partner_id(&format!("{field}.partner_org_id"), &item.partner_org_id)?;
            let mut entities = Vec::with_capacity(item.entities.len());
            for (position, (entity, offer_accepted)) in item.entities.iter().enumerate() {
                let entity_field = if children {
                    format!("{field}.entity")
                } else {
                    format!("{field}.entities[{position}]")
                };
                check_entity(&entity_field, entity)?;
                if children
                    && entity.parent_entity_id.as_deref().is_none_or(|p| p.trim().is_empty())
                {
                    return Err(DomainError::invalid(
                        format!("{entity_field}.parent_entity_id"),
                        "is required for a child entity",
                    ));
                }
                let trimmed = EntityRef {
                    schema: entity.schema.trim().to_owned(),
                    entity_id: entity.entity_id.trim().to_owned(),
                    parent_entity_id: entity
                        .parent_entity_id
                        .as_deref()
                        .map(str::trim)
                        .map(str::to_owned),
                };
                entities.push((trimmed, *offer_accepted));
            }
            if entities.is_empty() {
                return Err(DomainError::invalid(
                    format!("{field}.entities"),
                    "must name at least one entity",
                ));
            }
            Ok((field, partner, entities))
        })
        .collect::<Result<CheckedBatch, DomainError>>()
        .map(merged)
}

async fn ensure_config(
    transaction: &mut Connection,
    actor: &Actor,
    face: Face,
    partner: &str,
    now: &str,
) -> Result<ConfigId, DomainError> {
    if let Some(row) = store::config(&mut *transaction, actor.org_id, partner).await? {
        return row.config_id();
    }
    if partner == actor.org_id.to_string() {
        return Err(DomainError::invalid("partner_org_id", "an org cannot be its own partner"));
    }
    let config_id = ConfigId::new();
    if !store::insert_config(&mut *transaction, config_id, actor.org_id, partner, now).await? {
        // A concurrent request added it since the check above: share into that one.
        return store::config(&mut *transaction, actor.org_id, partner)
            .await?
            .ok_or_else(|| {
                DomainError::Conflict(
                    "the partner configuration changed meanwhile; try again".into(),
                )
            })?
            .config_id();
    }
    let change = config_change(
        "partner_config.created",
        actor,
        config_id,
        json!({ "partner_org_id": partner }),
    );
    record(&mut *transaction, Author::User(actor), face, change).await?;
    Ok(config_id)
}

async fn upsert_entity(
    transaction: &mut Connection,
    actor: &Actor,
    entity: &EntityRef,
    now: &str,
) -> Result<crate::domain::ids::ResourceId, DomainError> {
    store::upsert_entity(
        transaction,
        actor.org_id,
        &entity.schema,
        &entity.entity_id,
        entity.parent_entity_id.as_deref(),
        now,
    )
    .await
}

fn remember(touched: &mut Vec<String>, partner: &str) {
    if !touched.iter().any(|seen| seen == partner) {
        touched.push(partner.to_owned());
    }
}

async fn reload(
    connection: &mut Connection,
    actor: &Actor,
    partner: &str,
) -> Result<PartnerConfig, DomainError> {
    let row =
        store::config(&mut *connection, actor.org_id, partner).await?.ok_or(CONFIG_NOT_FOUND)?;
    load(connection, row).await
}

async fn reload_many(
    connection: &mut Connection,
    actor: &Actor,
    partners: &[String],
) -> Result<Vec<PartnerConfig>, DomainError> {
    let mut configs = Vec::with_capacity(partners.len());
    for partner in partners {
        configs.push(reload(connection, actor, partner).await?);
    }
    Ok(configs)
}

/// Every configuration of one org with its users, shares and offers: three queries for the
/// lot, however many there are.
async fn load_org(
    connection: &mut Connection,
    rows: Vec<ConfigRow>,
) -> Result<Vec<PartnerConfig>, DomainError> {
    let Some(first) = rows.first() else {
        return Ok(Vec::new());
    };
    let of = ChildrenOf::Org(parse_id(&first.sharing_org_id)?);
    let now = clock::now();
    let mut users = by_config(store::config_users_of(&mut *connection, of).await?);
    let mut shares = by_config(store::shares_of(&mut *connection, of).await?);
    let mut offers = by_config(store::offers_of(&mut *connection, of, &now).await?);
    rows.into_iter()
        .map(|row| {
            let (users, shares, offers) = (
                users.remove(&row.id).unwrap_or_default(),
                shares.remove(&row.id).unwrap_or_default(),
                offers.remove(&row.id).unwrap_or_default(),
            );
            assemble(row, users, shares, offers)
        })
        .collect()
}

/// A few of an org's configurations (those a filter picked), each with its own three queries:
/// reading the whole org's children for them would cost what the whole list does.
async fn load_all(
    connection: &mut Connection,
    rows: Vec<ConfigRow>,
) -> Result<Vec<PartnerConfig>, DomainError> {
    let mut configs = Vec::with_capacity(rows.len());
    for row in rows {
        configs.push(load(connection, row).await?);
    }
    Ok(configs)
}

fn by_config<T>(rows: Vec<(String, T)>) -> std::collections::HashMap<String, Vec<T>> {
    let mut grouped: std::collections::HashMap<String, Vec<T>> = Default::default();
    for (config, item) in rows {
        grouped.entry(config).or_default().push(item);
    }
    grouped
}

/// A configuration with its users, shares and offers (three queries).
async fn load(connection: &mut Connection, row: ConfigRow) -> Result<PartnerConfig, DomainError> {
    let id = row.config_id()?;
    let now = clock::now();
    let users = store::config_users(&mut *connection, id).await?;
    let shares = store::shares(&mut *connection, id).await?;
    let offers = store::offers(&mut *connection, id, &now).await?;
    assemble(row, users, shares, offers)
}

fn assemble(
    row: ConfigRow,
    users: Vec<PartnerUser>,
    entities: Vec<SharedEntity>,
    offered_entities: Vec<OfferedEntity>,
) -> Result<PartnerConfig, DomainError> {
    let template_role_grants = row.grants()?;
    Ok(PartnerConfig {
        id: row.config_id()?,
        sharing_org_id: parse_id(&row.sharing_org_id)?,
        partner_status: PartnerStatus::of(row.partner_name.as_deref()),
        partner_name: row.partner_name,
        users,
        entities,
        offered_entities,
        template_role_id: row.template_role_id.as_deref().map(parse_id).transpose()?,
        template_role_grants,
        generated_role_id: row.generated_role_id,
        user_limit: row.user_limit,
        partner_org_id: row.partner_org_id,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

fn config_change(
    action: &'static str,
    actor: &Actor,
    config_id: ConfigId,
    detail: serde_json::Value,
) -> Change {
    Change {
        org_id: actor.org_id,
        action,
        object_type: "partner_config",
        object_id: config_id.to_string(),
        detail,
    }
}

/// The entities the actor's org shared with partners, or that partners shared with it, newest
/// first, at most `limit`; `text` matches the schema, entity id or partner.
pub async fn entity_shares(
    store: &Store,
    actor: &Actor,
    received: bool,
    text: Option<&str>,
    limit: i64,
) -> Result<Vec<super::EntityShareView>, DomainError> {
    actor.require(Operation::PartnersRead)?;
    store::entity_shares_of_org(store.pool(), actor.org_id, received, text, limit).await
}

// ---- finding orgs by name ------------------------------------------------------------------

/// Orgs whose name contains `text`, for the partner picker: ids and names only, at most
/// [`super::ORG_MATCHES`], never the actor's own org. Whoever may read partners may search
/// (read-only auditors too): names and ids of orgs are what any partner list shows already.
pub async fn find_orgs(
    store: &Store,
    actor: &Actor,
    text: &str,
) -> Result<Vec<super::OrgMatch>, DomainError> {
    actor.require(Operation::PartnersRead)?;
    crate::domain::check_search_text(text)?;
    let rows = crate::domain::store::identity::orgs_named_like(
        store.pool(),
        text,
        actor.org_id,
        super::ORG_MATCHES,
    )
    .await?;
    Ok(rows.into_iter().map(|(id, name)| super::OrgMatch { id, name }).collect())
}

/// People of a partner org whose username or email contains `text`, for the picker that
/// assigns partner users. Only for a partner this org has a configuration with.
pub async fn find_partner_people(
    store: &Store,
    actor: &Actor,
    partner_org_id: &str,
    text: &str,
) -> Result<Vec<crate::domain::files::PersonMatch>, DomainError> {
    actor.require(Operation::PartnerUsersChange)?;
    crate::domain::check_search_text(text)?;
    let partner = normalize_partner_id("partner_org_id", partner_org_id)?;
    let mut connection = store.pool().acquire().await?;
    store::config(&mut *connection, actor.org_id, &partner).await?.ok_or(CONFIG_NOT_FOUND)?;
    let rows = crate::domain::store::files::org_people_named_like(
        &mut *connection,
        text,
        &partner,
        crate::domain::files::PERSON_MATCHES,
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|(username, org_name)| crate::domain::files::PersonMatch { username, org_name })
        .collect())
}

/// The org's entities whose id or schema contains `text`, for the entity picker of the share
/// and offer forms: only entities the org has shared or offered before.
pub async fn find_entities(
    store: &Store,
    actor: &Actor,
    text: &str,
) -> Result<Vec<super::EntityMatch>, DomainError> {
    actor.require(Operation::PartnersRead)?;
    crate::domain::check_search_text(text)?;
    let rows =
        store::entities_named_like(store.pool(), actor.org_id, text, super::ORG_MATCHES).await?;
    Ok(rows
        .into_iter()
        .map(|(schema, entity_id)| super::EntityMatch { schema, entity_id })
        .collect())
}

/// Adds a partner picked or typed on the partners page. `text` is an org's id or its exact
/// name; anything else is refused ("no org matches") unless `not_on_sharewell` says it is the
/// id of a partner that has no org here yet, so that a typed name never becomes a partner
/// called that name.
pub async fn add_partner(
    store: &Store,
    actor: &Actor,
    face: Face,
    text: &str,
    not_on_sharewell: bool,
) -> Result<PartnerConfig, DomainError> {
    actor.require(Operation::PartnerConfigure)?;
    let partner = normalize_partner_id("partner_org_id", text)?;
    let known = match partner.parse::<OrgId>() {
        Ok(id) => crate::domain::store::identity::org_exists(store.pool(), id).await?,
        Err(_) => false,
    };
    let partner = if known || not_on_sharewell {
        partner
    } else {
        let ids =
            crate::domain::store::identity::org_ids_named(store.pool(), &partner, actor.org_id)
                .await?;
        match ids.as_slice() {
            [id] => id.clone(),
            [] => {
                return Err(DomainError::invalid(
                    "partner_org_id",
                    format!(
                        "no org on Sharewell matches “{partner}”: search for it by name, or add \
                         it by id as a partner not on Sharewell yet"
                    ),
                ))
            }
            _ => {
                return Err(DomainError::invalid(
                    "partner_org_id",
                    format!("more than one org is called “{partner}”: pick one from the search"),
                ))
            }
        }
    };
    if partner == actor.org_id.to_string() {
        return Err(DomainError::invalid("partner_org_id", "your own org cannot be a partner"));
    }
    update_config(store, actor, face, &partner, None).await
}
