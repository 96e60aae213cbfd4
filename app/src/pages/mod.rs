//! One module per page.

pub mod access;
pub mod account;
pub mod account_share_detail;
pub mod audit;
pub mod home;
pub mod login;
pub mod not_found;
pub mod notifications;
pub mod offer;
pub mod overview;
pub mod partner_detail;
pub mod partners;
pub mod person_detail;
pub mod requests;
pub mod roles;
pub mod set_password;
pub mod shared;
pub mod tokens;
pub mod users;
pub mod webhook_detail;
pub mod webhooks;
