//! The Sharewell server: configuration, the HTTP application and the CLI around it.

mod access;
mod api;
mod assets;
mod bearer;
pub mod cli;
pub mod config;
mod csrf;
pub mod delivery;
mod faces;
mod guard;
mod health;
pub mod jobs;
pub mod mail;
mod monitoring;
pub mod openapi;
pub mod senders;
mod server_fn_status;
mod sessions;
mod startup;
pub mod telemetry;
mod throttle;
mod web;

pub use config::Config;
pub use startup::{Application, StartError};
