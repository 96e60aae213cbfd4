//! One module per page.

pub mod audit;
pub mod home;
pub mod login;
pub mod not_found;
pub mod offer;
pub mod overview;
pub mod partner_detail;
pub mod partners;
pub mod roles;
pub mod tokens;
