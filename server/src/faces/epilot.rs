//! epilot Sharing API, `/v1/sharing/...` (contract: shared/seeds/000; client: `@epilot/sdk`).
//!
//! Raw JSON, no envelope. Errors are `{"message": "..."}` with the status code.

use axum::extract::{Path, RawQuery, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use app::domain::identity::Face;
use app::domain::partners::service::{self as partners, OfferAuthority, PartnerEntities};
use app::domain::partners::{
    EntityRef, Grant, OfferState, OfferView, OfferedEntity, PartnerConfig, PartnerStatus,
    SharedEntity,
};
use app::domain::DomainError;

use super::{Caller, JsonBody};
use crate::bearer::actor_from_bearer;
use crate::openapi::BearerToken;
use crate::startup::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Sharewell: epilot Sharing API",
        description = "Partner sharing configurations, shared and offered entities. Raw JSON, \
            no envelope; errors are `{\"message\": \"…\"}` with the status.",
    ),
    modifiers(&BearerToken),
    security(("bearer" = [])),
    components(schemas(ErrorBody)),
)]
struct EpilotDocument;

/// Every route of the face, with its document.
pub fn openapi_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(EpilotDocument::openapi())
        .routes(routes!(list_configs))
        .routes(routes!(search_configs))
        .routes(routes!(configs_by_role))
        .routes(routes!(get_config, update_config, delete_config))
        .routes(routes!(assign_role))
        .routes(routes!(share_entities))
        .routes(routes!(share_child_entities))
        .routes(routes!(offer_entities))
        .routes(routes!(offer_status))
        .routes(routes!(accept_offer))
}

pub fn router() -> Router<AppState> {
    openapi_router().split_for_parts().0
}

/// `/openapi/epilot.json`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    openapi_router().into_openapi()
}

/// `{"message": "…"}`.
#[derive(Serialize, ToSchema)]
struct ErrorBody {
    message: String,
}

/// The errors any operation may answer with.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)] // only its documentation is used
enum EpilotErrors {
    /// A field is missing or invalid, or the body is not the JSON expected.
    #[response(status = 400)]
    Invalid(#[to_schema] ErrorBody),
    /// No token, or an unknown, revoked or expired one.
    #[response(status = 401)]
    Unauthorized(#[to_schema] ErrorBody),
    /// The caller's role (or a read-only token) does not allow it.
    #[response(status = 403)]
    Forbidden(#[to_schema] ErrorBody),
    /// No such configuration, role, entity or offer.
    #[response(status = 404)]
    NotFound(#[to_schema] ErrorBody),
    /// It clashes with what exists (an offer already answered, a user limit reached).
    #[response(status = 409)]
    Conflict(#[to_schema] ErrorBody),
    /// The body is larger than the server accepts.
    #[response(status = 413)]
    TooLarge(#[to_schema] ErrorBody),
    /// A public operation called too often from one address.
    #[response(status = 429)]
    TooMany(#[to_schema] ErrorBody),
    /// The database is briefly unavailable; try again.
    #[response(status = 503)]
    Unavailable(#[to_schema] ErrorBody),
}

// ---- handlers ----------------------------------------------------------------------------

#[utoipa::path(get, path = "/v1/sharing/configurations/{partner_org_id}", params(("partner_org_id" = String, Path, description = "The partner org: its id or its name")), responses((status = 200, description = "The configuration", body = WireConfig), EpilotErrors))]
async fn get_config(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(partner): Path<String>,
) -> Result<Json<WireConfig>, EpilotError> {
    Ok(Json(partners::config(&state.store, &actor, &partner).await?.into()))
}

#[utoipa::path(get, path = "/v1/sharing/configurations", params(("partner_org_ids" = Option<Vec<String>>, Query, description = "Only these partners (also `partner_org_ids[]`, or comma-separated); all when absent")), responses((status = 200, description = "The configurations", body = Vec<WireConfig>), EpilotErrors))]
async fn list_configs(
    State(state): State<AppState>,
    Caller(actor): Caller,
    RawQuery(query): RawQuery,
) -> Result<Json<Vec<WireConfig>>, EpilotError> {
    let ids = partner_org_ids(query.as_deref().unwrap_or_default())?;
    let configs = partners::configs(&state.store, &actor, ids.as_deref()).await?;
    Ok(Json(configs.into_iter().map(WireConfig::from).collect()))
}

#[derive(Deserialize, ToSchema)]
struct SearchBody {
    entities: Vec<WireEntityInput>,
}

#[utoipa::path(post, path = "/v1/sharing/configurations:search", request_body = SearchBody, responses((status = 200, description = "The configurations sharing any of the entities", body = Vec<WireConfig>), EpilotErrors))]
async fn search_configs(
    State(state): State<AppState>,
    Caller(actor): Caller,
    JsonBody(body): JsonBody<SearchBody>,
) -> Result<Json<Vec<WireConfig>>, EpilotError> {
    let entities: Vec<EntityRef> =
        body.entities.into_iter().map(|entity| entity.into_ref().0).collect();
    let configs = partners::search_configs(&state.store, &actor, &entities).await?;
    Ok(Json(configs.into_iter().map(WireConfig::from).collect()))
}

#[utoipa::path(get, path = "/v1/sharing/configurations/by-role/{template_role_id}", params(("template_role_id" = String, Path)), responses((status = 200, description = "The configurations with this template role", body = Vec<WireConfig>), EpilotErrors))]
async fn configs_by_role(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(role_id): Path<String>,
) -> Result<Json<Vec<WireConfig>>, EpilotError> {
    let configs = partners::configs_by_role(&state.store, &actor, &role_id).await?;
    Ok(Json(configs.into_iter().map(WireConfig::from).collect()))
}

#[derive(Deserialize, ToSchema)]
struct UpdateBody {
    /// Absent: leave as is; `null`: no limit; a number: the limit.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>)]
    user_limit: Option<Option<i64>>,
}

fn present<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Option<i64>>, D::Error> {
    Option::<i64>::deserialize(deserializer).map(Some)
}

#[utoipa::path(patch, path = "/v1/sharing/configurations/{partner_org_id}", params(("partner_org_id" = String, Path, description = "The partner org: its id or its name")), request_body = UpdateBody, responses((status = 200, description = "The configuration after the change", body = WireConfig), EpilotErrors))]
async fn update_config(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(partner): Path<String>,
    JsonBody(body): JsonBody<UpdateBody>,
) -> Result<Json<WireConfig>, EpilotError> {
    let config =
        partners::update_config(&state.store, &actor, Face::Epilot, &partner, body.user_limit)
            .await?;
    Ok(Json(config.into()))
}

#[utoipa::path(delete, path = "/v1/sharing/configurations/{partner_org_id}", params(("partner_org_id" = String, Path, description = "The partner org: its id or its name")), responses((status = 200, description = "The configuration deleted", body = WireConfig), EpilotErrors))]
async fn delete_config(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(partner): Path<String>,
) -> Result<Json<WireConfig>, EpilotError> {
    Ok(Json(partners::delete_config(&state.store, &actor, Face::Epilot, &partner).await?.into()))
}

#[derive(Deserialize, ToSchema)]
struct AssignRoleBody {
    template_role_id: String,
}

#[utoipa::path(put, path = "/v1/sharing/configurations/{partner_org_id}/role", params(("partner_org_id" = String, Path, description = "The partner org: its id or its name")), request_body = AssignRoleBody, responses((status = 200, description = "The configuration with its role", body = WireConfig), EpilotErrors))]
async fn assign_role(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(partner): Path<String>,
    JsonBody(body): JsonBody<AssignRoleBody>,
) -> Result<Json<WireConfig>, EpilotError> {
    let config =
        partners::assign_role(&state.store, &actor, Face::Epilot, &partner, &body.template_role_id)
            .await?;
    Ok(Json(config.into()))
}

#[derive(Deserialize, ToSchema)]
struct PartnerEntitiesInput {
    partner_org_id: String,
    entities: Vec<WireEntityInput>,
}

#[derive(Deserialize, ToSchema)]
struct ShareBody {
    #[serde(default)]
    share: Vec<PartnerEntitiesInput>,
    #[serde(default)]
    unshare: Vec<PartnerEntitiesInput>,
}

#[utoipa::path(post, path = "/v1/sharing/entities:share", request_body = ShareBody, responses((status = 200, description = "The configurations changed", body = Vec<WireConfig>), EpilotErrors))]
async fn share_entities(
    State(state): State<AppState>,
    Caller(actor): Caller,
    JsonBody(body): JsonBody<ShareBody>,
) -> Result<Json<Vec<WireConfig>>, EpilotError> {
    let convert = |items: Vec<PartnerEntitiesInput>| -> Vec<PartnerEntities> {
        items
            .into_iter()
            .map(|item| PartnerEntities {
                partner_org_id: item.partner_org_id,
                entities: item.entities.into_iter().map(WireEntityInput::into_ref).collect(),
            })
            .collect()
    };
    let (share, unshare) = (convert(body.share), convert(body.unshare));
    let configs =
        partners::share_entities(&state.store, &actor, Face::Epilot, &share, &unshare, false)
            .await?;
    Ok(Json(configs.into_iter().map(WireConfig::from).collect()))
}

#[derive(Deserialize, ToSchema)]
struct PartnerEntityInput {
    partner_org_id: String,
    entity: WireEntityInput,
}

#[derive(Deserialize, ToSchema)]
struct ShareChildBody {
    #[serde(default)]
    share: Vec<PartnerEntityInput>,
    #[serde(default)]
    unshare: Vec<PartnerEntityInput>,
}

#[utoipa::path(post, path = "/v1/sharing/entities:share-child", request_body = ShareChildBody, responses((status = 200, description = "The configurations changed", body = Vec<WireConfig>), EpilotErrors))]
async fn share_child_entities(
    State(state): State<AppState>,
    Caller(actor): Caller,
    JsonBody(body): JsonBody<ShareChildBody>,
) -> Result<Json<Vec<WireConfig>>, EpilotError> {
    let convert = |items: Vec<PartnerEntityInput>| -> Vec<PartnerEntities> {
        items
            .into_iter()
            .map(|item| PartnerEntities {
                partner_org_id: item.partner_org_id,
                entities: vec![item.entity.into_ref()],
            })
            .collect()
    };
    let (share, unshare) = (convert(body.share), convert(body.unshare));
    let configs =
        partners::share_entities(&state.store, &actor, Face::Epilot, &share, &unshare, true)
            .await?;
    Ok(Json(configs.into_iter().map(WireConfig::from).collect()))
}

#[derive(Deserialize, ToSchema)]
struct PartnerOfferedEntitiesInput {
    partner_org_id: String,
    offered_entities: Vec<WireEntityInput>,
}

#[derive(Deserialize, ToSchema)]
struct OfferBody {
    #[serde(default)]
    offer: Vec<PartnerOfferedEntitiesInput>,
    #[serde(default)]
    unoffer: Vec<PartnerOfferedEntitiesInput>,
}

#[utoipa::path(post, path = "/v1/sharing/entities:offer", request_body = OfferBody, responses((status = 200, description = "The configurations changed", body = Vec<WireConfig>), EpilotErrors))]
async fn offer_entities(
    State(state): State<AppState>,
    Caller(actor): Caller,
    JsonBody(body): JsonBody<OfferBody>,
) -> Result<Json<Vec<WireConfig>>, EpilotError> {
    let convert = |items: Vec<PartnerOfferedEntitiesInput>| -> Vec<PartnerEntities> {
        items
            .into_iter()
            .map(|item| PartnerEntities {
                partner_org_id: item.partner_org_id,
                entities: item
                    .offered_entities
                    .into_iter()
                    .map(WireEntityInput::into_ref)
                    .collect(),
            })
            .collect()
    };
    let (offer, unoffer) = (convert(body.offer), convert(body.unoffer));
    let ttl = state.offers.ttl;
    let configs =
        partners::offer_entities(&state.store, &actor, Face::Epilot, &offer, &unoffer, ttl).await?;
    Ok(Json(configs.into_iter().map(WireConfig::from).collect()))
}

#[derive(Deserialize, ToSchema, IntoParams)]
#[into_params(parameter_in = Query)]
struct OfferParties {
    partner_org_id: Option<String>,
    sharing_org_id: Option<String>,
    entity_id: Option<String>,
    /// The offer's link token (Sharewell's addition; also accepted as `?token=`).
    offer_token: Option<String>,
}

impl OfferParties {
    fn required(&self) -> Result<(&str, &str, &str), DomainError> {
        fn field<'a>(
            name: &'static str,
            value: &'a Option<String>,
        ) -> Result<&'a str, DomainError> {
            value
                .as_deref()
                .filter(|v| !v.trim().is_empty())
                .ok_or_else(|| DomainError::invalid(name, "is required"))
        }
        Ok((
            field("partner_org_id", &self.partner_org_id)?,
            field("sharing_org_id", &self.sharing_org_id)?,
            field("entity_id", &self.entity_id)?,
        ))
    }
}

/// Public: what the contract's `OfferStatus` holds, and nothing more.
#[utoipa::path(get, path = "/v1/sharing/offers/status", params(OfferParties), security(()), responses((status = 200, description = "Where the offer stands", body = WireOfferStatus), EpilotErrors))]
async fn offer_status(
    State(state): State<AppState>,
    client: crate::throttle::ClientAddress,
    axum::extract::Query(parties): axum::extract::Query<OfferParties>,
) -> Result<Json<WireOfferStatus>, EpilotError> {
    state.public_limit.check(client)?;
    let (partner, sharing, entity) = parties.required()?;
    Ok(Json(partners::offer_status(&state.store, sharing, partner, entity).await?.into()))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct TokenQuery {
    /// The offer's link token.
    token: Option<String>,
}

/// Public per the contract, but by default it needs the offer's link token or a bearer
/// token of a member of the partner org (see `--open-offer-accept`).
#[utoipa::path(post, path = "/v1/sharing/offers:accept", params(TokenQuery), request_body = OfferParties, security((), ("bearer" = [])), responses((status = 200, description = "The configuration now sharing the entity", body = WireConfig), EpilotErrors))]
async fn accept_offer(
    State(state): State<AppState>,
    client: crate::throttle::ClientAddress,
    parts: Parts,
    axum::extract::Query(query): axum::extract::Query<TokenQuery>,
    JsonBody(body): JsonBody<OfferParties>,
) -> Result<Json<WireConfig>, EpilotError> {
    state.public_limit.check(client)?;
    let (partner, sharing, entity) = body.required()?;
    let link_token = body.offer_token.as_deref().or(query.token.as_deref());
    let actor;
    let authority = if let Some(token) = link_token {
        OfferAuthority::LinkToken(token)
    } else if state.offers.open_accept {
        OfferAuthority::Open
    } else {
        actor = actor_from_bearer(&parts, &state.store).await.map_err(|_| {
            EpilotError::status(
                StatusCode::UNAUTHORIZED,
                "accepting an offer needs its link token (`offer_token`) or a bearer token of a member of the partner org",
            )
        })?;
        OfferAuthority::PartnerMember(&actor)
    };
    Ok(Json(
        partners::accept_offer(&state.store, authority, sharing, partner, entity).await?.into(),
    ))
}

/// `partner_org_ids` as the SDK sends it (`partner_org_ids[]=a&partner_org_ids[]=b`), as
/// repeated keys, or comma-separated; duplicates count once. Absent: all.
fn partner_org_ids(query: &str) -> Result<Option<Vec<String>>, EpilotError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query)
        .map_err(|_| DomainError::invalid("query", "is not a valid query string"))?;
    let mut ids: Option<Vec<String>> = None;
    for (key, value) in pairs {
        if key == "partner_org_ids" || key == "partner_org_ids[]" {
            let list = ids.get_or_insert_with(Vec::new);
            for id in value.split(',').map(str::trim).filter(|id| !id.is_empty()) {
                if !list.iter().any(|seen| seen == id) {
                    list.push(id.to_owned());
                }
            }
        }
    }
    Ok(ids)
}

// ---- wire shapes -------------------------------------------------------------------------

#[derive(Deserialize, ToSchema)]
struct WireEntityInput {
    schema: String,
    entity_id: String,
    #[serde(default)]
    parent_entity_id: Option<String>,
    #[serde(default)]
    offer_accepted: Option<bool>,
}

impl WireEntityInput {
    fn into_ref(self) -> (EntityRef, bool) {
        let entity = EntityRef {
            schema: self.schema,
            entity_id: self.entity_id,
            parent_entity_id: self.parent_entity_id,
        };
        (entity, self.offer_accepted.unwrap_or(false))
    }
}

/// `PartnerSharingConfig`.
#[derive(Serialize, ToSchema)]
struct WireConfig {
    sharing_org_id: String,
    partner_org_id: String,
    users: Vec<String>,
    partner_status: PartnerStatus,
    entities: Vec<WireEntity>,
    offered_entities: Vec<WireOfferedEntity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    template_role_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    template_role_grants: Option<Vec<Grant>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    generated_role_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    user_limit: Option<i64>,
    created_at: String,
    updated_at: String,
}

#[derive(Serialize, ToSchema)]
struct WireEntity {
    schema: String,
    entity_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    parent_entity_id: Option<String>,
    offer_accepted: bool,
    updated_at: String,
    created_at: String,
}

#[derive(Serialize, ToSchema)]
struct WireOfferedEntity {
    schema: String,
    entity_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    parent_entity_id: Option<String>,
    offer_status: OfferState,
    #[serde(skip_serializing_if = "Option::is_none")]
    offered_by_user_id: Option<String>,
    updated_at: String,
    created_at: String,
}

impl From<PartnerConfig> for WireConfig {
    fn from(config: PartnerConfig) -> Self {
        Self {
            sharing_org_id: config.sharing_org_id.to_string(),
            partner_org_id: config.partner_org_id,
            users: config.users.iter().map(|user| user.id.to_string()).collect(),
            partner_status: config.partner_status,
            entities: config.entities.into_iter().map(WireEntity::from).collect(),
            offered_entities: config
                .offered_entities
                .into_iter()
                .map(WireOfferedEntity::from)
                .collect(),
            template_role_id: config.template_role_id.map(|id| id.to_string()),
            template_role_grants: config.template_role_grants,
            generated_role_id: config.generated_role_id,
            user_limit: config.user_limit,
            created_at: config.created_at,
            updated_at: config.updated_at,
        }
    }
}

impl From<SharedEntity> for WireEntity {
    fn from(entity: SharedEntity) -> Self {
        Self {
            schema: entity.schema,
            entity_id: entity.entity_id,
            parent_entity_id: entity.parent_entity_id,
            offer_accepted: entity.offer_accepted,
            updated_at: entity.updated_at,
            created_at: entity.created_at,
        }
    }
}

impl From<OfferedEntity> for WireOfferedEntity {
    fn from(offer: OfferedEntity) -> Self {
        Self {
            schema: offer.schema,
            entity_id: offer.entity_id,
            parent_entity_id: offer.parent_entity_id,
            offer_status: offer.offer_status,
            offered_by_user_id: offer.offered_by_user_id,
            updated_at: offer.updated_at,
            created_at: offer.created_at,
        }
    }
}

/// `OfferStatus`.
#[derive(Serialize, ToSchema)]
struct WireOfferStatus {
    entity: WirePartialEntity,
    offer_status: OfferState,
    status_changed_at: String,
    offered_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    accepted_by_org_id: Option<String>,
}

#[derive(Serialize, ToSchema)]
struct WirePartialEntity {
    _schema: String,
    _id: String,
    _title: String,
    _created_at: String,
    _updated_at: String,
}

impl From<OfferView> for WireOfferStatus {
    fn from(offer: OfferView) -> Self {
        Self {
            entity: WirePartialEntity {
                _schema: offer.schema,
                _id: offer.entity_id,
                _title: offer.title,
                _created_at: offer.entity_created_at,
                _updated_at: offer.entity_updated_at,
            },
            offer_status: offer.status,
            status_changed_at: offer.status_changed_at,
            offered_at: offer.offered_at,
            accepted_by_org_id: offer.accepted_by_org_id,
        }
    }
}

// ---- authentication, bodies and errors ---------------------------------------------------

/// This face's error: `{"message": "..."}` with the status.
pub struct EpilotError {
    status: StatusCode,
    message: String,
}

impl EpilotError {
    fn status(status: StatusCode, message: impl Into<String>) -> Self {
        Self { status, message: message.into() }
    }
}

impl From<super::Refusal> for EpilotError {
    fn from(refusal: super::Refusal) -> Self {
        Self::status(refusal.status, refusal.message)
    }
}

impl From<DomainError> for EpilotError {
    fn from(error: DomainError) -> Self {
        Self { status: super::status_of(&error), message: error.to_string() }
    }
}

impl From<crate::throttle::TooManyRequests> for EpilotError {
    fn from(_: crate::throttle::TooManyRequests) -> Self {
        Self::status(
            StatusCode::TOO_MANY_REQUESTS,
            "too many requests: slow down and try again shortly",
        )
    }
}

impl IntoResponse for EpilotError {
    fn into_response(self) -> Response {
        (self.status, Json(ErrorBody { message: self.message })).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::partner_org_ids;

    #[test]
    fn partner_ids_arrive_in_three_encodings_and_count_once() {
        let expected = Some(vec!["a".to_owned(), "b".to_owned()]);
        assert_eq!(
            partner_org_ids("partner_org_ids%5B%5D=a&partner_org_ids%5B%5D=b").ok().flatten(),
            expected
        );
        assert_eq!(
            partner_org_ids("partner_org_ids=a&partner_org_ids=b&partner_org_ids=a").ok().flatten(),
            expected
        );
        assert_eq!(partner_org_ids("partner_org_ids=a,b").ok().flatten(), expected);
        assert_eq!(partner_org_ids("").ok().flatten(), None);
    }
}
