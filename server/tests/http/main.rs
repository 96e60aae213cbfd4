//! Every HTTP-level and process-level test of the server, in one test binary.
//!
//! One binary instead of one per file: each links the whole server (about 440 MB in a debug
//! build), so thirty of them took as many minutes of linking and tens of gigabytes of disk per
//! build. Run one file's tests with `cargo test -p server --test http access::`.

mod common;

mod access;
mod account_shares;
mod assets;
mod backup;
mod batch_caps;
mod cli;
mod details;
mod email;
mod epilot;
mod feedback;
mod file_pages;
mod foundation;
mod hostile;
mod identity;
mod metrics;
mod names_and_overview;
mod no_javascript;
mod openapi;
mod partner_pages;
mod puter;
mod races;
mod reminders;
mod replicas;
mod retention;
mod roles;
mod server_fn_errors;
mod users;
mod webhook_audiences;
mod webhooks;
mod zus;
