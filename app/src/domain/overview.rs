//! What needs the signed-in person: the counts on the Overview, each for the page that
//! handles it.

use serde::{Deserialize, Serialize};

/// How far ahead an expiry counts as close.
pub const EXPIRY_WINDOW_HOURS: i64 = 48;

/// The Overview's counts. A count the actor's role may not see is `None`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeedsMe {
    /// Access requests to the person's files waiting for an answer.
    pub pending_requests: i64,
    /// Account shares the org sent that expire within [`EXPIRY_WINDOW_HOURS`].
    pub expiring_sent: i64,
    /// Account shares the org receives that expire within [`EXPIRY_WINDOW_HOURS`].
    pub expiring_received: i64,
    /// Offers the org made that no partner has answered yet.
    pub open_offers: i64,
    /// Webhook deliveries that failed for good (admins and auditors).
    pub failed_deliveries: Option<i64>,
    pub unread_notifications: i64,
}

impl NeedsMe {
    /// Nothing to do: the Overview says so.
    pub fn is_empty(&self) -> bool {
        self.pending_requests == 0
            && self.expiring_sent == 0
            && self.expiring_received == 0
            && self.open_offers == 0
            && self.failed_deliveries.unwrap_or(0) == 0
            && self.unread_notifications == 0
    }
}

#[cfg(feature = "ssr")]
pub mod service {
    use super::{NeedsMe, EXPIRY_WINDOW_HOURS};
    use crate::domain::authz::Operation;
    use crate::domain::files::{service as files, RequestFilter};
    use crate::domain::identity::Actor;
    use crate::domain::store::{overview as store, Store};
    use crate::domain::{clock, DomainError};

    /// Each count is read under the operation that guards the page it links to; a count the
    /// actor may not see is left out (webhooks) or zero.
    pub async fn needs_me(store: &Store, actor: &Actor) -> Result<NeedsMe, DomainError> {
        let db = store.pool();
        let now = clock::now();
        let until = clock::now_plus(time::Duration::hours(EXPIRY_WINDOW_HOURS));
        let mut needs = NeedsMe::default();
        if actor.may(Operation::AccessRequestsRead) {
            let filter = RequestFilter { limit: files::MAX_PAGE, ..RequestFilter::default() };
            needs.pending_requests =
                files::requests(store, actor, true, &filter).await?.len() as i64;
        }
        if actor.may(Operation::AccountSharesRead) {
            needs.expiring_sent =
                store::expiring_sent_shares(db, actor.org_id, &now, &until).await?;
            needs.expiring_received =
                store::expiring_received_shares(db, actor.org_id, &now, &until).await?;
        }
        if actor.may(Operation::PartnersRead) {
            needs.open_offers = store::open_offers(db, actor.org_id, &now).await?;
        }
        if actor.may(Operation::WebhooksRead) {
            needs.failed_deliveries = Some(store::failed_deliveries(db, actor.org_id).await?);
        }
        if actor.may(Operation::NotificationsRead) {
            needs.unread_notifications = files::unread_notifications(store, actor).await?;
        }
        Ok(needs)
    }
}
