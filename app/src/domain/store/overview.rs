//! SQL for the Overview's counts: what needs the signed-in person.

use sqlx::AnyExecutor;

use crate::domain::ids::OrgId;
use crate::domain::DomainError;

/// Active account shares the org sent that expire in `(now, until]`.
pub async fn expiring_sent_shares(
    db: impl AnyExecutor<'_>,
    org: OrgId,
    now: &str,
    until: &str,
) -> Result<i64, DomainError> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM account_shares s WHERE s.owner_org_id = $1 AND s.status = 'active' \
         AND s.expires_at IS NOT NULL AND s.expires_at > $2 AND s.expires_at <= $3",
    )
    .bind(org.to_string())
    .bind(now)
    .bind(until)
    .fetch_one(db)
    .await?)
}

/// Active account shares the org receives (as an account, or through its organization) that
/// expire in `(now, until]`.
pub async fn expiring_received_shares(
    db: impl AnyExecutor<'_>,
    org: OrgId,
    now: &str,
    until: &str,
) -> Result<i64, DomainError> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM account_shares s WHERE s.owner_org_id <> $1 \
         AND s.status = 'active' AND s.expires_at IS NOT NULL \
         AND s.expires_at > $2 AND s.expires_at <= $3 \
         AND EXISTS (SELECT 1 FROM account_share_recipients r WHERE r.share_id = s.id \
           AND r.association_status = 'associated' \
           AND (r.org_id = $1 OR (s.target_type = 'organization' \
                AND r.org_id = (SELECT parent_id FROM orgs WHERE id = $1))))",
    )
    .bind(org.to_string())
    .bind(now)
    .bind(until)
    .fetch_one(db)
    .await?)
}

/// Offers the org made that are still open (pending and not expired at `now`).
pub async fn open_offers(
    db: impl AnyExecutor<'_>,
    org: OrgId,
    now: &str,
) -> Result<i64, DomainError> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM entity_offers o JOIN partner_configs c ON c.id = o.config_id \
         WHERE c.sharing_org_id = $1 AND o.status = 'PENDING' AND o.expires_at > $2",
    )
    .bind(org.to_string())
    .bind(now)
    .fetch_one(db)
    .await?)
}

/// Webhook deliveries of the org's endpoints that failed for good.
pub async fn failed_deliveries(db: impl AnyExecutor<'_>, org: OrgId) -> Result<i64, DomainError> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id \
         WHERE e.org_id = $1 AND d.status = 'failed'",
    )
    .bind(org.to_string())
    .fetch_one(db)
    .await?)
}
