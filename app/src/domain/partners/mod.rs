//! Partner sharing: an org shares entities with partner orgs under a standing configuration,
//! and offers entities to several partners at once, first come first served.

use serde::{Deserialize, Serialize};

use super::ids::{ConfigId, OrgId, RoleId, UserId};
use super::DomainError;

#[cfg(feature = "ssr")]
pub mod service;

/// An entity shared under a partner configuration, as the Shared page lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityShareView {
    pub schema: String,
    pub entity_id: String,
    pub sharing_org_name: String,
    pub partner_org_id: String,
    /// The partner org's name, when it is an org on Sharewell.
    pub partner_org_name: Option<String>,
    /// Shared by an accepted offer rather than directly.
    pub via_offer: bool,
    pub created_at: String,
}

/// Whether the partner org exists in Sharewell yet.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PartnerStatus {
    Registered,
    Unregistered,
}

impl PartnerStatus {
    /// Registered when the partner org exists here, which is when it has a name.
    pub fn of(partner_name: Option<&str>) -> Self {
        if partner_name.is_some() {
            PartnerStatus::Registered
        } else {
            PartnerStatus::Unregistered
        }
    }
}

/// Where an offer to one partner stands.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OfferState {
    Pending,
    Accepted,
    Declined,
    /// Another partner accepted first.
    Unavailable,
    Expired,
}

impl OfferState {
    pub fn as_str(self) -> &'static str {
        match self {
            OfferState::Pending => "PENDING",
            OfferState::Accepted => "ACCEPTED",
            OfferState::Declined => "DECLINED",
            OfferState::Unavailable => "UNAVAILABLE",
            OfferState::Expired => "EXPIRED",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Pending, Self::Accepted, Self::Declined, Self::Unavailable, Self::Expired]
            .into_iter()
            .find(|state| state.as_str() == text)
    }
}

/// One permission of a template role.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", schema(as = RoleGrant))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub action: String,
    pub resource: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effect: Option<String>,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateRole {
    pub id: RoleId,
    pub name: String,
    pub grants: Vec<Grant>,
    pub created_at: String,
    pub updated_at: String,
}

/// An entity named in a request: which schema, which id, and its parent if it is a child.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityRef {
    pub schema: String,
    pub entity_id: String,
    pub parent_entity_id: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedEntity {
    pub schema: String,
    pub entity_id: String,
    pub parent_entity_id: Option<String>,
    /// The share came from an accepted offer.
    pub offer_accepted: bool,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferedEntity {
    pub schema: String,
    pub entity_id: String,
    pub parent_entity_id: Option<String>,
    pub offer_status: OfferState,
    pub offered_by_user_id: Option<String>,
    /// The capability in the public link `/offers/{link_token}`.
    pub link_token: String,
    pub expires_at: String,
    pub status_changed_at: String,
    pub created_at: String,
    pub updated_at: String,
}

/// What deleting a partner configuration takes away, counted for its confirm step.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigDeletion {
    /// Entities shared with the partner, all of which stop being shared.
    pub shared: i64,
    /// Of those, the ones the partner got by accepting an offer.
    pub accepted: i64,
    /// Offers still waiting for an answer, which are withdrawn.
    pub open_offers: i64,
    /// The partner's people working under the configuration, who lose what it grants.
    pub users: i64,
}

/// Who holds a template role: the partner configurations it is assigned to and their people.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleHolders {
    pub role_id: RoleId,
    pub partners: i64,
    pub people: i64,
}

/// A user of the partner org who works under a configuration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerUser {
    pub id: UserId,
    pub username: String,
}

/// The standing relation of the sharing org to one partner org.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerConfig {
    pub id: ConfigId,
    pub sharing_org_id: OrgId,
    pub partner_org_id: String,
    pub partner_status: PartnerStatus,
    /// The partner org's name, once it has joined Sharewell.
    pub partner_name: Option<String>,
    pub users: Vec<PartnerUser>,
    pub user_limit: Option<i64>,
    pub entities: Vec<SharedEntity>,
    pub offered_entities: Vec<OfferedEntity>,
    pub template_role_id: Option<RoleId>,
    pub template_role_grants: Option<Vec<Grant>>,
    pub generated_role_id: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// One row of the partners list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerSummary {
    pub partner_org_id: String,
    pub partner_name: Option<String>,
    pub partner_status: PartnerStatus,
    pub users: usize,
    pub user_limit: Option<i64>,
    pub shared: usize,
    pub offered: usize,
    pub role_name: Option<String>,
    pub updated_at: String,
}

/// A page of the partners list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerPage {
    pub partners: Vec<PartnerSummary>,
    pub page: usize,
    pub pages: usize,
    pub total: usize,
}

/// What the public offer page and the public status endpoint may show of an offer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferView {
    pub sharing_org_id: OrgId,
    pub sharing_org_name: String,
    pub partner_org_id: String,
    pub schema: String,
    pub entity_id: String,
    pub title: String,
    pub entity_created_at: String,
    pub entity_updated_at: String,
    pub status: OfferState,
    pub offered_at: String,
    pub status_changed_at: String,
    pub expires_at: String,
    /// Which partner won, once one has accepted.
    pub accepted_by_org_id: Option<String>,
    /// The partner org's name when it exists in Sharewell.
    pub partner_org_name: Option<String>,
    /// The template role the partner's people get on the entity, if one is assigned.
    pub role_name: Option<String>,
    /// That role's grants.
    pub grants: Vec<Grant>,
}

/// How offers behave in this deployment; the server keeps it in its state and in the page
/// context.
#[cfg(feature = "ssr")]
#[derive(Clone, Copy, Debug)]
pub struct OfferSettings {
    /// How long an offer stays open.
    pub ttl: time::Duration,
    /// Anyone may accept an offer knowing only the ids (the upstream's behaviour).
    pub open_accept: bool,
}

/// Reads grants written one per line as `action resource [allow|deny]`.
pub fn parse_grant_lines(text: &str) -> Result<Vec<Grant>, DomainError> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .enumerate()
        .map(|(index, line)| {
            let words: Vec<&str> = line.split_whitespace().collect();
            match words.as_slice() {
                [action, resource] => Ok(Grant {
                    action: (*action).into(),
                    resource: (*resource).into(),
                    effect: None,
                }),
                [action, resource, effect] => Ok(Grant {
                    action: (*action).into(),
                    resource: (*resource).into(),
                    effect: Some((*effect).into()),
                }),
                _ => Err(DomainError::invalid(
                    format!("grants line {}", index + 1),
                    "write `action resource` or `action resource allow|deny`",
                )),
            }
        })
        .collect()
}

/// A partner org id as given: trimmed, and in canonical form when it is a UUID (so that
/// both spellings of a Sharewell org id name the same partner).
pub fn normalize_partner_id(field: &str, text: &str) -> Result<String, DomainError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(DomainError::invalid(field, "must not be empty"));
    }
    if trimmed.chars().count() > 200 {
        return Err(DomainError::invalid(field, "must be at most 200 characters"));
    }
    Ok(trimmed.parse::<OrgId>().map_or_else(|_| trimmed.to_owned(), |id| id.to_string()))
}

/// Checks an entity named in a request; `field` is its path in the request body.
pub fn check_entity(field: &str, entity: &EntityRef) -> Result<(), DomainError> {
    let check = |name: &str, value: &str, max: usize| {
        let value = value.trim();
        if value.is_empty() {
            Err(DomainError::invalid(format!("{field}.{name}"), "must not be empty"))
        } else if value.chars().count() > max {
            Err(DomainError::invalid(
                format!("{field}.{name}"),
                format!("must be at most {max} characters"),
            ))
        } else {
            Ok(())
        }
    };
    check("schema", &entity.schema, 100)?;
    check("entity_id", &entity.entity_id, 200)?;
    if let Some(parent) = &entity.parent_entity_id {
        check("parent_entity_id", parent, 200)?;
    }
    Ok(())
}

/// Checks a template role's name and grants.
pub fn check_role(name: &str, grants: &[Grant]) -> Result<(), DomainError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(DomainError::invalid("name", "must be 1 to 100 characters"));
    }
    for (index, grant) in grants.iter().enumerate() {
        if grant.action.trim().is_empty() {
            return Err(DomainError::invalid(
                format!("grants[{index}].action"),
                "must not be empty",
            ));
        }
        if grant.resource.trim().is_empty() {
            return Err(DomainError::invalid(
                format!("grants[{index}].resource"),
                "must not be empty",
            ));
        }
        if let Some(effect) = &grant.effect {
            if effect != "allow" && effect != "deny" {
                return Err(DomainError::invalid(
                    format!("grants[{index}].effect"),
                    "must be `allow` or `deny`",
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partner_ids_that_are_uuids_are_canonical() {
        assert_eq!(
            normalize_partner_id("p", " 01A208DCC8A0731FB5BF0009C424BA1F ").unwrap(),
            "01a208dc-c8a0-731f-b5bf-0009c424ba1f"
        );
        assert_eq!(normalize_partner_id("p", "org-123").unwrap(), "org-123");
        assert_eq!(normalize_partner_id("p", " ").unwrap_err().to_string(), "p: must not be empty");
    }

    #[test]
    fn entity_errors_name_the_field_path() {
        let entity =
            EntityRef { schema: "".into(), entity_id: "e1".into(), parent_entity_id: None };
        let error = check_entity("share[0].entities[1]", &entity).unwrap_err();
        assert_eq!(error.to_string(), "share[0].entities[1].schema: must not be empty");
    }

    #[test]
    fn grant_effects_are_allow_or_deny() {
        let grant = Grant {
            action: "entity-read".into(),
            resource: "*".into(),
            effect: Some("maybe".into()),
        };
        assert_eq!(
            check_role("Partner", &[grant]).unwrap_err().to_string(),
            "grants[0].effect: must be `allow` or `deny`"
        );
    }
}

/// An org found by name in the picker: its id and name, and nothing else about it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgMatch {
    pub id: String,
    pub name: String,
}

/// An entity of the org found in the entity picker: one the org has shared or offered
/// before (Sharewell knows no others), with its schema.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityMatch {
    pub schema: String,
    pub entity_id: String,
}

/// How many orgs one search in the picker returns at most.
pub const ORG_MATCHES: i64 = 10;
