//! The command line (contract in shared/DESIGN.md): every flag also reads an environment
//! variable, errors are one line on stderr with a non-zero exit.

use clap::{Parser, Subcommand};

use app::domain::store::{OpenError, Store};

use crate::config::{Config, DatabaseArgs};
use crate::startup::{Application, StartError};

#[derive(Parser, Debug)]
#[command(name = "sharewell", version, about = "Self-hosted sharing service")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Apply pending migrations, then serve HTTP until SIGINT or SIGTERM.
    Serve(Config),
    /// Apply pending migrations and exit.
    Migrate(DatabaseArgs),
}

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Start(#[from] StartError),
    #[error(transparent)]
    Open(#[from] OpenError),
}

pub async fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Serve(config) => {
            let application = Application::build(config).await?;
            application.run_until_stopped().await.map_err(StartError::Serve)?;
        }
        Command::Migrate(database) => {
            let store = Store::connect(&database.database_url).await?;
            store.migrate().await?;
            let applied = store.migrations_applied().await.ok();
            store.close().await;
            match applied {
                Some(count) => println!("database is up to date ({count} migrations applied)"),
                None => println!("database is up to date"),
            }
        }
    }
    Ok(())
}
