//! The one domain under every face and page.
//!
//! Types here compile for both the server and the browser; services and the store (which
//! talk to the database) exist only with the `ssr` feature. Faces and pages translate between
//! their wire or form shapes and these types; the rules live here and SQL lives only in
//! [`store`].

pub mod account_shares;
pub mod audit;
pub mod authz;
pub mod error;
pub mod files;
pub mod identity;
pub mod ids;
pub mod partners;
pub mod system;

#[cfg(feature = "ssr")]
pub mod clock;
#[cfg(feature = "ssr")]
pub mod jobs;
#[cfg(feature = "ssr")]
pub mod store;

pub use error::DomainError;
