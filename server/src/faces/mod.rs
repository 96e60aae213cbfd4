//! The wire-compatible faces: each translates its clients' requests into domain calls and
//! the results back into its own shapes. No rules and no SQL live here.

pub mod epilot;
pub mod puter;
pub mod zus;
