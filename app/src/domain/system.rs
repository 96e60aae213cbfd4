//! What the service knows about itself: shown on the start page and by `/readyz`.

use serde::{Deserialize, Serialize};

/// The state of the service's storage, as the start page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceStatus {
    /// `sqlite` or `postgres`.
    pub database: String,
    /// How many schema migrations have been applied.
    pub migrations_applied: i64,
}

#[cfg(feature = "ssr")]
pub async fn service_status(
    store: &super::store::Store,
) -> Result<ServiceStatus, super::DomainError> {
    Ok(ServiceStatus {
        database: store.backend().name().to_owned(),
        migrations_applied: store.migrations_applied().await?,
    })
}
