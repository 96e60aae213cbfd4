//! Server functions of the partner, role and public offer pages.

use leptos::prelude::*;

use super::AppError;

use crate::domain::partners::{
    ConfigDeletion, EntityMatch, OfferView, OrgMatch, PartnerConfig, PartnerPage, RoleHolders,
    TemplateRole,
};

#[cfg(feature = "ssr")]
use super::ssr::actor_and_store;

/// A partner's configuration with the org's roles (for the role picker).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PartnerDetail {
    pub config: PartnerConfig,
    pub roles: Vec<TemplateRole>,
    /// The partner's audit entries (its configuration and the offers made under it), newest
    /// first; `None` where the viewer's role may not read the audit log.
    #[serde(default)]
    pub history: Option<Vec<crate::domain::audit::EventView>>,
    /// What deleting the configuration takes away; only for those who may delete it.
    pub deletion: Option<ConfigDeletion>,
    /// Where offer links start (`https://share.example.com`), so that they are shown whole.
    pub link_base: String,
}

/// The org's template roles and, for those who may delete them, who holds each.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RolesView {
    pub roles: Vec<TemplateRole>,
    pub holders: Vec<RoleHolders>,
}

/// A page of the partners list; `sort` (`name`, `updated`, `users`, `shared`, `offered`),
/// `dir`, `status` (`registered`, `unregistered`) and `per_page` as the page's query gives them.
#[server(endpoint = "partners", output = crate::server_fns::codec::TextJson)]
pub async fn list_partners(
    search: String,
    page: usize,
    #[server(default)] sort: String,
    #[server(default)] dir: String,
    #[server(default)] status: String,
    #[server(default)] per_page: String,
) -> Result<PartnerPage, AppError> {
    use crate::domain::listing::{ListParams, PARTNER_LIST};
    use crate::domain::partners::service as partners;
    let (store, actor) = actor_and_store().await?;
    let choice = PARTNER_LIST.parse(&ListParams { sort, dir, status, per_page })?;
    Ok(partners::partner_page(&store, &actor, &search, page, &choice).await?)
}

#[server(endpoint = "partner", output = crate::server_fns::codec::TextJson)]
pub async fn get_partner(partner_org_id: String) -> Result<PartnerDetail, AppError> {
    use crate::domain::{authz::Operation, partners::service as partners};
    let public_url = use_context::<super::PublicUrl>();
    let (store, actor) = actor_and_store().await?;
    use crate::domain::audit::service::{self as audit, HistoryOf};
    let config = partners::config(&store, &actor, &partner_org_id).await?;
    let roles = partners::roles(&store, &actor).await?;
    let history = if actor.may(Operation::AuditRead) {
        let id = config.id.to_string();
        Some(audit::history(&store, &actor, HistoryOf::Partner(&id)).await?)
    } else {
        None
    };
    let deletion = if actor.may(Operation::PartnerConfigure) {
        Some(partners::deletion_consequence(&store, &actor, &partner_org_id).await?)
    } else {
        None
    };
    let link_base = super::ssr::public_base(public_url).await;
    Ok(PartnerDetail { config, roles, history, deletion, link_base })
}

/// Orgs whose name contains `q`, for the partner picker (ids and names only).
#[server(endpoint = "find_orgs", output = crate::server_fns::codec::TextJson)]
pub async fn find_orgs(q: String) -> Result<Vec<OrgMatch>, AppError> {
    use crate::domain::partners::service as partners;
    let (store, actor) = actor_and_store().await?;
    Ok(partners::find_orgs(&store, &actor, &q).await?)
}

/// The org's entities (shared or offered before) whose id or schema contains `q`, for the
/// entity picker.
#[server(endpoint = "find_entities", output = crate::server_fns::codec::TextJson)]
pub async fn find_entities(q: String) -> Result<Vec<EntityMatch>, AppError> {
    use crate::domain::partners::service as partners;
    let (store, actor) = actor_and_store().await?;
    Ok(partners::find_entities(&store, &actor, &q).await?)
}

/// People of the partner org whose username or email contains `q` (the partner user picker).
#[server(endpoint = "find_partner_people", output = crate::server_fns::codec::TextJson)]
pub async fn find_partner_people(
    partner_org_id: String,
    q: String,
) -> Result<Vec<crate::domain::files::PersonMatch>, AppError> {
    use crate::domain::partners::service as partners;
    let (store, actor) = actor_and_store().await?;
    Ok(partners::find_partner_people(&store, &actor, &partner_org_id, &q).await?)
}

/// Starts a configuration for a partner picked by name (or typed as an org id or exact name)
/// and opens its page. An id of a partner not on Sharewell yet needs `not_on_sharewell=yes`.
#[server(endpoint = "add_partner", output = crate::server_fns::codec::TextJson)]
pub async fn add_partner(
    partner_org_id: String,
    #[server(default)] not_on_sharewell: String,
) -> Result<(), AppError> {
    use crate::domain::{identity::Face, partners::service as partners};
    let (store, actor) = actor_and_store().await?;
    let unknown = not_on_sharewell == "yes";
    let config = partners::add_partner(&store, &actor, Face::Web, &partner_org_id, unknown).await?;
    leptos_axum::redirect(&partner_path(&config.partner_org_id));
    Ok(())
}

/// Sets the user limit; an empty field removes it.
#[server(endpoint = "partner_user_limit", output = crate::server_fns::codec::TextJson)]
pub async fn set_user_limit(partner_org_id: String, user_limit: String) -> Result<(), AppError> {
    use crate::domain::{identity::Face, partners::service as partners, DomainError};
    let (store, actor) = actor_and_store().await?;
    let limit = match user_limit.trim() {
        "" => None,
        text => Some(text.parse::<i64>().map_err(|_| {
            AppError::from(DomainError::invalid("user_limit", "must be a whole number"))
        })?),
    };
    partners::update_config(&store, &actor, Face::Web, &partner_org_id, Some(limit)).await?;
    Ok(())
}

#[server(endpoint = "partner_add_user", output = crate::server_fns::codec::TextJson)]
pub async fn add_partner_user(partner_org_id: String, username: String) -> Result<(), AppError> {
    use crate::domain::{identity::Face, partners::service as partners};
    let (store, actor) = actor_and_store().await?;
    partners::add_partner_user(&store, &actor, Face::Web, &partner_org_id, &username).await?;
    Ok(())
}

#[server(endpoint = "partner_remove_user", output = crate::server_fns::codec::TextJson)]
pub async fn remove_partner_user(partner_org_id: String, user_id: String) -> Result<(), AppError> {
    use crate::domain::{identity::Face, partners::service as partners, DomainError};
    let (store, actor) = actor_and_store().await?;
    let user_id =
        user_id.parse().map_err(|_| AppError::from(DomainError::NotFound("partner user")))?;
    partners::remove_partner_user(&store, &actor, Face::Web, &partner_org_id, user_id).await?;
    Ok(())
}

#[server(endpoint = "partner_role", output = crate::server_fns::codec::TextJson)]
pub async fn assign_partner_role(
    partner_org_id: String,
    template_role_id: String,
) -> Result<(), AppError> {
    use crate::domain::{identity::Face, partners::service as partners};
    let (store, actor) = actor_and_store().await?;
    partners::assign_role(&store, &actor, Face::Web, &partner_org_id, &template_role_id).await?;
    Ok(())
}

/// Shares (`share = "true"`) or unshares one entity with the partner.
#[server(endpoint = "partner_share", output = crate::server_fns::codec::TextJson)]
pub async fn share_entity(
    partner_org_id: String,
    schema: String,
    entity_id: String,
    share: String,
) -> Result<(), AppError> {
    use crate::domain::identity::Face;
    use crate::domain::partners::{service as partners, EntityRef};
    let (store, actor) = actor_and_store().await?;
    let batch = [partners::PartnerEntities {
        partner_org_id,
        entities: vec![(EntityRef { schema, entity_id, parent_entity_id: None }, false)],
    }];
    let (share, unshare): (&[_], &[_]) =
        if share == "true" { (&batch, &[]) } else { (&[], &batch) };
    partners::share_entities(&store, &actor, Face::Web, share, unshare, false).await?;
    Ok(())
}

/// Offers one entity to this partner and, optionally, to more partners at once (ids
/// separated by commas, spaces or new lines); or withdraws an offer (`withdraw = "true"`).
#[server(endpoint = "partner_offer", output = crate::server_fns::codec::TextJson)]
pub async fn offer_entity(
    partner_org_id: String,
    schema: String,
    entity_id: String,
    #[server(default)] more_partners: String,
    #[server(default)] withdraw: String,
) -> Result<(), AppError> {
    use crate::domain::identity::Face;
    use crate::domain::partners::{service as partners, EntityRef};
    let ttl = use_context::<crate::domain::partners::OfferSettings>()
        .map_or(partners::DEFAULT_OFFER_TTL, |settings| settings.ttl);
    let (store, actor) = actor_and_store().await?;
    let entity = EntityRef { schema, entity_id, parent_entity_id: None };
    let batch: Vec<partners::PartnerEntities> = std::iter::once(partner_org_id)
        .chain(
            more_partners
                .split([',', ' ', '\n', '\r'])
                .filter(|id| !id.trim().is_empty())
                .map(str::to_owned),
        )
        .map(|partner_org_id| partners::PartnerEntities {
            partner_org_id,
            entities: vec![(entity.clone(), false)],
        })
        .collect();
    let (offer, unoffer): (&[_], &[_]) =
        if withdraw == "true" { (&[], &batch) } else { (&batch, &[]) };
    partners::offer_entities(&store, &actor, Face::Web, offer, unoffer, ttl).await?;
    Ok(())
}

/// Deletes the configuration once confirmed (`confirm=yes`, which the confirm step's button
/// sends), then opens the list, saying so.
#[server(endpoint = "partner_delete", output = crate::server_fns::codec::TextJson)]
pub async fn delete_partner(
    partner_org_id: String,
    #[server(default)] confirm: String,
) -> Result<(), AppError> {
    use crate::domain::{identity::Face, partners::service as partners, DomainError};
    if confirm != "yes" {
        return Err(AppError::from(DomainError::invalid("confirm", "confirm the deletion first")));
    }
    let (store, actor) = actor_and_store().await?;
    partners::delete_config(&store, &actor, Face::Web, &partner_org_id).await?;
    leptos_axum::redirect("/partners?done=partner_delete");
    Ok(())
}

#[server(endpoint = "roles", output = crate::server_fns::codec::TextJson)]
pub async fn list_roles() -> Result<Vec<TemplateRole>, AppError> {
    use crate::domain::partners::service as partners;
    let (store, actor) = actor_and_store().await?;
    Ok(partners::roles(&store, &actor).await?)
}

/// The roles page: the roles, and who holds each for those who may delete them.
#[server(endpoint = "roles_page", output = crate::server_fns::codec::TextJson)]
pub async fn roles_page() -> Result<RolesView, AppError> {
    use crate::domain::{authz::Operation, partners::service as partners};
    let (store, actor) = actor_and_store().await?;
    let roles = partners::roles(&store, &actor).await?;
    let holders = if actor.may(Operation::TemplateRolesChange) {
        partners::role_holders(&store, &actor).await?
    } else {
        Vec::new()
    };
    Ok(RolesView { roles, holders })
}

/// Creates a role (no `id`) or updates one. Grants are one per line:
/// `action resource [allow|deny]`.
#[server(endpoint = "save_role", output = crate::server_fns::codec::TextJson)]
pub async fn save_role(
    #[server(default)] id: String,
    name: String,
    grants: String,
) -> Result<(), AppError> {
    use crate::domain::{identity::Face, partners::service as partners, DomainError};
    let (store, actor) = actor_and_store().await?;
    let grants = crate::domain::partners::parse_grant_lines(&grants)?;
    if id.trim().is_empty() {
        partners::create_role(&store, &actor, Face::Web, &name, grants).await?;
    } else {
        let id = id.parse().map_err(|_| AppError::from(DomainError::NotFound("template role")))?;
        partners::update_role(&store, &actor, Face::Web, id, &name, grants).await?;
    }
    Ok(())
}

#[server(endpoint = "delete_role", output = crate::server_fns::codec::TextJson)]
pub async fn delete_role(id: String) -> Result<(), AppError> {
    use crate::domain::{identity::Face, partners::service as partners, DomainError};
    let (store, actor) = actor_and_store().await?;
    let id = id.parse().map_err(|_| AppError::from(DomainError::NotFound("template role")))?;
    Ok(partners::delete_role(&store, &actor, Face::Web, id).await?)
}

/// Public: the offer behind a link, as its page shows it.
#[server(endpoint = "offer", output = crate::server_fns::codec::TextJson)]
pub async fn get_offer(token: String) -> Result<OfferView, AppError> {
    use crate::domain::partners::service as partners;
    let store = super::ssr::request_store()?;
    Ok(partners::offer_by_link(&store, &token).await?)
}

/// Public: accept (`decision = "accept"`) or decline the offer behind a link.
#[server(endpoint = "answer_offer", output = crate::server_fns::codec::TextJson)]
pub async fn answer_offer(token: String, decision: String) -> Result<OfferView, AppError> {
    use crate::domain::partners::service as partners;
    use crate::domain::DomainError;
    let accept = match decision.as_str() {
        "accept" => true,
        "decline" => false,
        _ => return Err(DomainError::invalid("decision", "must be `accept` or `decline`").into()),
    };
    let store = super::ssr::request_store()?;
    Ok(partners::answer_offer_by_link(&store, &token, accept).await?)
}

/// The page of one partner.
pub fn partner_path(partner_org_id: &str) -> String {
    format!("/partners/{}", crate::components::ui::encode_component(partner_org_id))
}
