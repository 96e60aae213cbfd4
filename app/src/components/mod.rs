//! UI pieces shared by the pages.

pub mod badges;
pub mod layout;
pub mod ui;
