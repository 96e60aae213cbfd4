//! Server functions: thin calls from the pages into the domain services.

use leptos::prelude::*;

use crate::domain::system::ServiceStatus;

/// The storage state shown on the start page.
#[server(endpoint = "service_status")]
pub async fn get_service_status() -> Result<ServiceStatus, ServerFnError> {
    use crate::domain::{store::Store, system};

    let store = expect_context::<Store>();
    system::service_status(&store).await.map_err(ssr::to_server_fn_error)
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use leptos::prelude::ServerFnError;

    use crate::domain::DomainError;

    /// Domain errors become server function errors here, in one place. Internal causes are
    /// logged and replaced by a generic message.
    pub fn to_server_fn_error(error: DomainError) -> ServerFnError {
        if let DomainError::Internal(cause) = &error {
            tracing::error!(error = %cause, "server function failed");
        }
        ServerFnError::ServerError(error.to_string())
    }
}
