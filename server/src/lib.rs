//! The Sharewell server: configuration, the HTTP application and the CLI around it.

pub mod cli;
pub mod config;
mod health;
mod startup;
pub mod telemetry;

pub use config::Config;
pub use startup::{Application, StartError};
