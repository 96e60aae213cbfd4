//! Which recorded changes are webhook events, and which orgs hear of each.

use serde_json::Value;

use crate::domain::ids::OrgId;
use crate::domain::store::notifications as store;
use crate::domain::DomainError;

/// The webhook event type of an audit action; `None` for changes that are not about sharing
/// (sign-ins, tokens, roles…).
pub fn event_type(action: &str) -> Option<&'static str> {
    Some(match action {
        "share.created" | "file.shared" | "entity.shared" => "share.created",
        "share.renamed"
        | "share.expiry_changed"
        | "share.resource_added"
        | "share.resource_updated"
        | "share.resource_removed"
        | "share.recipients_replaced"
        | "share.recipient_added"
        | "share.recipient_removed"
        | "share.access_changed" => "share.changed",
        "share.deleted" | "share.revoked" | "file.unshared" | "entity.unshared" => "share.revoked",
        "share.expired" => "share.expired",
        "share.expiring" => "share.expiring",
        "entity.offered" => "offer.made",
        "entity.unoffered" => "offer.withdrawn",
        "offer.accepted" => "offer.accepted",
        "offer.declined" => "offer.declined",
        "offer.expired" => "offer.expired",
        "offer.expiring" => "offer.expiring",
        "request.created" => "access.requested",
        "request.approved" | "request.declined" => "access.answered",
        "request.withdrawn" => "access.withdrawn",
        "share.recipient_associated" => "recipient.associated",
        "share.recipient_disassociated" => "recipient.disassociated",
        _ => return None,
    })
}

/// The other orgs a change concerns (the recipients of a share, the partner of an offer, the
/// owner of a file someone asked for), without the org that made it. Found from the change's
/// object and detail, so that services need not say it twice.
pub async fn counterpart_orgs(
    connection: &mut sqlx::AnyConnection,
    own_org: &str,
    object_type: &str,
    object_id: &str,
    detail: &Value,
) -> Result<Vec<String>, DomainError> {
    let mut orgs = match object_type {
        "account_share" => store::account_share_recipient_orgs(&mut *connection, object_id).await?,
        "entity_offer" => {
            store::partner_org_of_offer(&mut *connection, object_id).await?.into_iter().collect()
        }
        _ => Vec::new(),
    };
    // A partner org id names an org only if the partner has joined.
    let mut partners = std::mem::take(&mut orgs);
    partners.extend(detail.get("partner_org_id").and_then(Value::as_str).map(str::to_owned));
    for partner in partners {
        if partner.parse::<OrgId>().is_ok() && store::org_exists(&mut *connection, &partner).await?
        {
            orgs.push(partner);
        }
    }
    let texts = |keys: &[&str]| -> Vec<String> {
        keys.iter()
            .filter_map(|key| detail.get(*key))
            .flat_map(|value| match value {
                Value::String(text) => vec![text.clone()],
                Value::Array(items) => {
                    items.iter().filter_map(Value::as_str).map(str::to_owned).collect()
                }
                _ => Vec::new(),
            })
            .collect()
    };
    let user_ids = texts(&["owner_id", "requester_id"]);
    let usernames = texts(&["recipients", "receiver"]);
    if !user_ids.is_empty() || !usernames.is_empty() {
        orgs.extend(store::orgs_of_users(connection, &user_ids, &usernames).await?);
    }
    orgs.sort();
    orgs.dedup();
    orgs.retain(|org| org != own_org);
    Ok(orgs)
}

#[cfg(test)]
mod tests {
    use super::event_type;
    use crate::domain::notifications::EVENT_TYPES;

    #[test]
    fn every_mapped_action_is_a_listed_event_type() {
        for action in [
            "share.created",
            "file.shared",
            "share.expiry_changed",
            "entity.unshared",
            "entity.offered",
            "offer.accepted",
            "request.approved",
            "share.recipient_associated",
        ] {
            let mapped = event_type(action).unwrap();
            assert!(EVENT_TYPES.contains(&mapped), "{action} -> {mapped}");
        }
        assert_eq!(event_type("user.signed_in"), None);
        assert_eq!(event_type("token.created"), None);
    }
}
