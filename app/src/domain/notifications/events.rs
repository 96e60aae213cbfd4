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

/// The other orgs a change concerns, without the org that made it: the orgs a share is with
/// now (and one just removed from it), an offer's partner, the orgs of the people a file is
/// shared with or asked of. Found from the change's object and detail, so that services need
/// not say it twice; orgs that do not exist here (a partner that has not joined) are left out.
pub async fn counterpart_orgs(
    connection: &mut sqlx::AnyConnection,
    own_org: &str,
    object_type: &str,
    object_id: &str,
    detail: &Value,
) -> Result<Vec<String>, DomainError> {
    let mut orgs = Vec::new();
    let mut user_ids = Vec::new();
    let mut usernames = Vec::new();
    match object_type {
        "account_share" => {
            orgs = store::live_recipient_orgs(&mut *connection, object_id).await?;
            // A recipient being added, removed or (dis)associated is named by its org id or by
            // its recipient id: either way its org hears, even once it has left.
            if let Some(recipient) = detail.get("recipient").and_then(Value::as_str) {
                match store::org_of_recipient(&mut *connection, recipient).await? {
                    Some(org) => orgs.push(org),
                    None => orgs.push(recipient.to_owned()),
                }
            }
        }
        "entity_offer" | "offer" => {
            orgs.extend(store::partner_org_of_offer(&mut *connection, object_id).await?);
        }
        "share" | "file" => {
            user_ids = texts(detail, &["recipient_user_ids"]);
            usernames = texts(detail, &["recipients", "receiver"]);
        }
        "access_request" => user_ids = texts(detail, &["owner_id", "requester_id"]),
        _ => {}
    }
    orgs.extend(detail.get("partner_org_id").and_then(Value::as_str).map(str::to_owned));
    if !user_ids.is_empty() || !usernames.is_empty() {
        orgs.extend(store::orgs_of_users(&mut *connection, &user_ids, &usernames).await?);
    }
    orgs.sort();
    orgs.dedup();
    orgs.retain(|org| org != own_org);
    let mut existing = Vec::with_capacity(orgs.len());
    for org in orgs {
        if org.parse::<OrgId>().is_ok() && store::org_exists(&mut *connection, &org).await? {
            existing.push(org);
        }
    }
    Ok(existing)
}

/// The strings under `keys` in a change's detail, whether each holds one or a list.
fn texts(detail: &Value, keys: &[&str]) -> Vec<String> {
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
}

/// What of a change's detail the orgs on the other side may see: what the share or offer is
/// and when it ends, not who else it is with or the initiator's own bookkeeping.
pub fn counterparty_detail(detail: &Value) -> Value {
    const SHARED_KEYS: [&str; 9] = [
        "name",
        "expires_at",
        "lead_seconds",
        "entities",
        "entity_id",
        "schema",
        "things",
        "access",
        "share_info_type",
    ];
    let Value::Object(fields) = detail else {
        return Value::Object(Default::default());
    };
    Value::Object(
        fields
            .iter()
            .filter(|(key, _)| SHARED_KEYS.contains(&key.as_str()))
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::event_type;
    use crate::domain::notifications::EVENT_TYPES;

    #[test]
    fn the_other_side_sees_what_is_shared_but_not_with_whom_else() {
        let detail = serde_json::json!({
            "name": "WAF rules",
            "expires_at": "2026-12-01T00:00:00.000000Z",
            "recipients": ["bob", "carol"],
            "partner_org_id": "x",
            "lookup_hash": "abc",
        });
        assert_eq!(
            super::counterparty_detail(&detail),
            serde_json::json!({ "name": "WAF rules", "expires_at": "2026-12-01T00:00:00.000000Z" })
        );
        assert_eq!(super::counterparty_detail(&serde_json::json!(null)), serde_json::json!({}));
    }

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
