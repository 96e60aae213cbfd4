//! UI pieces shared by the pages.

pub mod badges;
pub mod combobox;
pub mod feedback;
pub mod form_result;
pub mod history;
pub mod layout;
pub mod list;
pub mod ui;
