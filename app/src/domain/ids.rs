//! Newtype ids: an `OrgId` can never be passed where a `UserId` is expected.
//!
//! Ids are UUIDv7 (time-ordered, so keyset pagination by id follows creation order) and are
//! stored as hyphenated lowercase TEXT, which both SQLite and PostgreSQL compare correctly.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        #[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
        #[cfg_attr(feature = "ssr", schema(value_type = String))]
        pub struct $name(Uuid);

        impl $name {
            /// A fresh, time-ordered id. Minted on the server only: the browser never
            /// creates ids, so the wasm bundle needs no random source.
            #[cfg(feature = "ssr")]
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            pub fn as_uuid(&self) -> Uuid {
                self.0
            }

            /// 32 lowercase hex digits, the shape some faces (Cloudflare) use on the wire.
            pub fn simple(&self) -> String {
                self.0.simple().to_string()
            }
        }

        #[cfg(feature = "ssr")]
        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        /// Accepts both the hyphenated and the 32-hex-digit form.
        impl FromStr for $name {
            type Err = uuid::Error;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

id_type!(
    /// A tenant: an organisation, account or client.
    OrgId
);
id_type!(
    /// A person, member of one org.
    UserId
);
id_type!(
    /// An API token (not its secret).
    TokenId
);
id_type!(
    /// One audit record.
    EventId
);
id_type!(
    /// A template role an org assigns to partner configurations.
    RoleId
);
id_type!(
    /// A standing partner configuration (sharing org -> partner org).
    ConfigId
);
id_type!(
    /// A shareable thing: an entity, file, app or resource.
    ResourceId
);
id_type!(
    /// One offer of one entity to one partner.
    OfferId
);
id_type!(
    /// A share of typed resources with other orgs (Cloudflare, EnableNow).
    AccountShareId
);
id_type!(
    /// One recipient (org or org tree) of an account share.
    RecipientId
);
id_type!(
    /// One resource carried by an account share.
    ShareResourceId
);
id_type!(
    /// One piece of background work.
    JobId
);
id_type!(
    /// An org's webhook endpoint.
    WebhookId
);
id_type!(
    /// One event for one webhook endpoint; its `webhook-id` on the wire.
    DeliveryId
);

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn an_id_parses_from_both_hyphenated_and_simple_forms() {
        let id = OrgId::new();
        assert_eq!(id.to_string().parse::<OrgId>().unwrap(), id);
        assert_eq!(id.simple().parse::<OrgId>().unwrap(), id);
        assert_eq!(id.simple().len(), 32);
    }

    #[test]
    fn ids_created_later_sort_later() {
        let first = OrgId::new();
        let second = OrgId::new();
        assert!(first.to_string() < second.to_string());
    }
}
