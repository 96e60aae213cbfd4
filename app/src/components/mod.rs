//! UI pieces shared by the pages.

pub mod layout;
pub mod ui;
