//! The one domain under every face and page.
//!
//! Types here compile for both the server and the browser; services and the store (which
//! talk to the database) exist only with the `ssr` feature. Faces and pages translate between
//! their wire or form shapes and these types; the rules live here and SQL lives only in
//! [`store`].

pub mod access;
pub mod account_shares;
pub mod audit;
pub mod authz;
pub mod error;
pub mod files;
pub mod identity;
pub mod ids;
pub mod listing;
pub mod notifications;
pub mod overview;
pub mod paging;
pub mod partners;
pub mod system;

#[cfg(feature = "ssr")]
pub mod clock;
#[cfg(feature = "ssr")]
pub mod jobs;
#[cfg(feature = "ssr")]
pub mod queue;
#[cfg(feature = "ssr")]
pub mod store;

pub use error::DomainError;

/// The highest page number a paged list accepts: far past any real list, and low enough that
/// `(page - 1) * per_page` never overflows.
pub const MAX_PAGE_NUMBER: i64 = 1_000_000;

/// A page number from 1 to [`MAX_PAGE_NUMBER`]; 0 and below mean the first page.
pub fn page_number(page: i64) -> Result<i64, DomainError> {
    if page > MAX_PAGE_NUMBER {
        return Err(DomainError::invalid(
            "page",
            format!("must be between 1 and {MAX_PAGE_NUMBER}"),
        ));
    }
    Ok(page.max(1))
}

/// How many pages `total` rows make at `per_page` a page: at least one (an empty list still
/// has its first page).
pub fn page_count(total: i64, per_page: i64) -> i64 {
    let per_page = per_page.max(1);
    ((total.max(0) + per_page - 1) / per_page).max(1)
}

/// The longest text a picker searches for: longer text names nothing anyway.
pub const MAX_SEARCH_CHARS: usize = 200;

/// Refuses picker search text over [`MAX_SEARCH_CHARS`] (as field `q`).
pub fn check_search_text(text: &str) -> Result<(), DomainError> {
    if text.trim().chars().count() > MAX_SEARCH_CHARS {
        return Err(DomainError::invalid(
            "q",
            format!("must be at most {MAX_SEARCH_CHARS} characters"),
        ));
    }
    Ok(())
}
