//! The command line (contract in shared/DESIGN.md): every flag also reads an environment
//! variable, errors are one line on stderr with a non-zero exit.

use clap::{Args, Parser, Subcommand};
use serde_json::json;

use app::domain::identity::{service as identity, Role, TokenScope};
use app::domain::ids::OrgId;
use app::domain::store::operations::{self, BackupError};
use app::domain::store::{OpenError, Store};
use app::domain::DomainError;

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
    /// Manage orgs (tenants).
    #[command(subcommand)]
    Org(OrgCommand),
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Write a consistent copy of the SQLite database to a new file, also while the server is
    /// serving. For PostgreSQL, use `pg_dump`.
    Backup(BackupArgs),
}

#[derive(Subcommand, Debug)]
pub enum OrgCommand {
    /// Create an org, optionally under a parent org.
    Create(OrgCreate),
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Create a user in an existing org.
    Create(UserCreate),
}

#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// Create an API token for a user and print its secret (shown this once).
    Create(TokenCreate),
}

#[derive(Args, Debug)]
pub struct OrgCreate {
    #[arg(long, env = "SHAREWELL_ORG_NAME")]
    name: String,
    /// Id of the parent org, making the parent an organization tree.
    #[arg(long, env = "SHAREWELL_ORG_PARENT")]
    parent: Option<String>,
    #[command(flatten)]
    output: Output,
    #[command(flatten)]
    database: DatabaseArgs,
}

#[derive(Args, Debug)]
pub struct UserCreate {
    /// Id of the org the user belongs to.
    #[arg(long, env = "SHAREWELL_ORG")]
    org: String,
    #[arg(long, env = "SHAREWELL_USERNAME")]
    username: String,
    #[arg(long, env = "SHAREWELL_EMAIL")]
    email: String,
    /// At least 10 characters. Prefer the environment variable: flags show up in `ps`.
    #[arg(long, env = "SHAREWELL_PASSWORD", hide_env_values = true)]
    password: String,
    #[arg(long, env = "SHAREWELL_ROLE", default_value = "member")]
    role: String,
    #[command(flatten)]
    output: Output,
    #[command(flatten)]
    database: DatabaseArgs,
}

#[derive(Args, Debug)]
pub struct TokenCreate {
    #[arg(long, env = "SHAREWELL_USERNAME")]
    username: String,
    #[arg(long, env = "SHAREWELL_TOKEN_NAME", default_value = "cli")]
    name: String,
    /// Narrow the token to reading: it acts with the user's role but changes nothing.
    #[arg(long, env = "SHAREWELL_TOKEN_READ_ONLY")]
    read_only: bool,
    /// The token expires this many days from now (1 to 3650); without it, it lives until
    /// revoked.
    #[arg(long, env = "SHAREWELL_TOKEN_EXPIRES_IN_DAYS")]
    expires_in_days: Option<i64>,
    #[command(flatten)]
    output: Output,
    #[command(flatten)]
    database: DatabaseArgs,
}

#[derive(Args, Debug)]
pub struct BackupArgs {
    /// The file to write; it must not exist yet.
    path: String,
    #[command(flatten)]
    database: DatabaseArgs,
}

#[derive(Args, Debug)]
struct Output {
    /// Print exactly one JSON object on stdout.
    #[arg(long, env = "SHAREWELL_JSON")]
    json: bool,
}

impl Output {
    fn print(&self, object: serde_json::Value, human: String) {
        if self.json {
            println!("{object}");
        } else {
            println!("{human}");
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Start(#[from] StartError),
    #[error(transparent)]
    Open(#[from] OpenError),
    #[error(transparent)]
    Backup(#[from] BackupError),
    /// Operators see internal causes too: they are the ones who can fix them.
    #[error("{}", describe(.0))]
    Domain(#[from] DomainError),
}

fn describe(error: &DomainError) -> String {
    match error {
        DomainError::Internal(cause) => format!("{error}: {cause}"),
        other => other.to_string(),
    }
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
        Command::Org(OrgCommand::Create(args)) => {
            let parent = match args.parent.as_deref() {
                Some(id) => Some(parse_org_id("parent", id)?),
                None => None,
            };
            let store = open(&args.database).await?;
            let org = identity::create_org(&store, &args.name, parent).await;
            store.close().await;
            let org = org?;
            let human = format!("created org {} ({})", org.name, org.id);
            args.output.print(json!(org), human);
        }
        Command::User(UserCommand::Create(args)) => {
            let org_id = parse_org_id("org", &args.org)?;
            let role = Role::parse(&args.role)?;
            let store = open(&args.database).await?;
            let new_user = identity::NewUser {
                org_id,
                username: &args.username,
                email: &args.email,
                password: &args.password,
                role,
            };
            let user = identity::create_user(&store, new_user).await;
            store.close().await;
            let user = user?;
            let human = format!(
                "created {} {} ({}) in {}",
                user.role, user.username, user.user_id, user.org_name
            );
            args.output.print(
                json!({
                    "id": user.user_id,
                    "username": user.username,
                    "email": user.email,
                    "role": user.role,
                    "org_id": user.org_id,
                }),
                human,
            );
        }
        Command::Token(TokenCommand::Create(args)) => {
            let store = open(&args.database).await?;
            let scope =
                TokenScope { read_only: args.read_only, expires_in_days: args.expires_in_days };
            let token =
                identity::create_token_for_username(&store, &args.username, &args.name, scope)
                    .await;
            store.close().await;
            let token = token?;
            args.output.print(
                json!({
                    "token": token.secret,
                    "id": token.token.id,
                    "name": token.token.name,
                    "read_only": token.token.read_only,
                    "expires_at": token.token.expires_at,
                }),
                token.secret.clone(),
            );
        }
        Command::Backup(args) => {
            let url = &args.database.database_url;
            if url.starts_with("postgres://") || url.starts_with("postgresql://") {
                return Err(BackupError::NotSqlite.into());
            }
            let store = Store::connect(&without_creating(url)).await?;
            let written = operations::backup_into(&store, &args.path).await;
            store.close().await;
            written?;
            println!("wrote a consistent copy of the database to {}", args.path);
        }
    }
    Ok(())
}

/// A SQLite URL that opens the file only if it exists (`mode=rw`), so that a mistyped path is
/// an error rather than a backup of a new, empty database.
fn without_creating(url: &str) -> String {
    if !url.starts_with("sqlite:") || url.contains("mode=") {
        return url.to_owned();
    }
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}mode=rw")
}

/// Opens and migrates the database, so that admin commands work on a fresh one.
async fn open(database: &DatabaseArgs) -> Result<Store, CliError> {
    let store = Store::connect(&database.database_url).await?;
    store.migrate().await?;
    Ok(store)
}

fn parse_org_id(field: &'static str, text: &str) -> Result<OrgId, DomainError> {
    text.trim()
        .parse()
        .map_err(|_| DomainError::invalid(field, format!("`{text}` is not an org id")))
}
