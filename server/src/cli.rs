//! The `backend` command line.

use crate::settings::{MigrationSettings, Settings};
use crate::startup::{Application, Overrides, shutdown_signal};
use crate::telemetry::{self, LogLevel};
use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Multi-tenant SaaS backend: HTTP API, migrations and contract tools.
///
/// Settings come from environment variables (DATABASE_URL, REDIS_URL,
/// ENVIRONMENT, JWT_SECRET, ...); see the README for the full list.
#[derive(Parser)]
#[command(name = "backend", version, about, long_about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the HTTP API on BIND_ADDRESS (default 0.0.0.0:8000); in dev, migrate first.
    Serve,
    /// Apply pending migrations with MIGRATION_DATABASE_URL (the owner role) and exit.
    Migrate,
    /// Print the OpenAPI document (YAML; JSON with --json). Needs no database.
    Openapi {
        /// Print JSON instead of YAML.
        #[arg(long)]
        json: bool,
    },
    /// Print the error catalog (docs/api/error-catalog.md). Needs no database.
    ErrorCatalog,
    /// Print every environment variable the binary reads, as JSON (the chart
    /// checks read it) or as the README's table.
    EnvVars {
        /// Print the README's Markdown table instead of JSON.
        #[arg(long)]
        markdown: bool,
    },
    /// Mint an admin token for the configuration API, or revoke any token.
    ///
    /// `--admin` reads JWT_SECRET, JWT_ISSUER, JWT_AUDIENCE, prints the token
    /// on stdout and its id (jti) and expiry on stderr; keep the lifetime
    /// short. Example: `backend token --admin --ttl 1h`.
    ///
    /// `--revoke <TOKEN|JTI>` revokes a token (admin or guest) on every
    /// replica: it writes the revocation to PostgreSQL (DATABASE_URL,
    /// DATABASE_PASSWORD) and announces it on Redis when REDIS_URL is set.
    /// Given a whole token, its signature is checked (JWT_SECRET,
    /// JWT_PREVIOUS_SECRETS) and its expiry used; given only an id, it is
    /// denied for the longest lifetime a token can have.
    Token {
        /// Mint an admin token (guests sign in over HTTP).
        #[arg(long, conflicts_with = "revoke", required_unless_present = "revoke")]
        admin: bool,
        /// Lifetime, e.g. `15m`, `1h` (at most 24h).
        #[arg(long, default_value = "1h", value_parser = parse_ttl)]
        ttl: std::time::Duration,
        /// Who the token is for; recorded as `admin:<subject>` in the config history.
        #[arg(long, default_value = "operator")]
        subject: String,
        /// A token, or a token id (jti), to revoke.
        #[arg(long, value_name = "TOKEN|JTI")]
        revoke: Option<String>,
    },
}

fn parse_ttl(s: &str) -> Result<std::time::Duration, String> {
    let ttl = humantime::parse_duration(s).map_err(|e| format!("{e} (use e.g. 15m or 1h)"))?;
    if ttl.as_secs() < 60 || ttl.as_secs() > 86_400 {
        return Err("the lifetime must be between 1m and 24h".into());
    }
    Ok(ttl)
}

fn mint_admin_token(ttl: std::time::Duration, subject: &str) -> ExitCode {
    let settings = match crate::settings::JwtSettings::for_minting() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("backend: {e}");
            return ExitCode::from(2);
        }
    };
    let keys = crate::auth::jwt::JwtKeys::new(&settings);
    match keys.mint(&format!("admin:{subject}"), ttl.as_secs(), true) {
        Ok(minted) => {
            println!("{}", minted.token);
            let expires = chrono::DateTime::from_timestamp(minted.expires_at, 0)
                .map(|t| t.to_rfc3339())
                .unwrap_or_default();
            eprintln!(
                "backend: admin token jti={} expires_at={expires} kid={} (revoke with `backend token --revoke {}`)",
                minted.jti,
                keys.signing_key_id(),
                minted.jti
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("backend: cannot mint the token: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Runs the command line; the exit code says whether it worked.
pub async fn run() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Openapi { json } => {
            if json {
                println!("{:#}", backend_api::openapi_document());
            } else {
                print!("{}", backend_api::openapi_yaml());
            }
            ExitCode::SUCCESS
        }
        Command::ErrorCatalog => {
            print!("{}", backend_api::catalog::error_catalog_markdown());
            ExitCode::SUCCESS
        }
        Command::EnvVars { markdown } => {
            use crate::settings::vars;
            print!(
                "{}",
                if markdown {
                    vars::markdown()
                } else {
                    vars::json()
                }
            );
            ExitCode::SUCCESS
        }
        Command::Token {
            admin,
            ttl,
            subject,
            revoke,
        } => match revoke {
            Some(target) => crate::revoke_cli::run(&target).await,
            None if admin => mint_admin_token(ttl, &subject),
            None => {
                eprintln!("backend: pass --admin to mint or --revoke to revoke");
                ExitCode::from(2)
            }
        },
        Command::Serve => with_settings(Settings::from_env, |s| &s.log_level, serve).await,
        Command::Migrate => {
            with_settings(MigrationSettings::from_env, |s| &s.log_level, migrate).await
        }
    }
}

/// Loads settings with `load`, sets up logging, runs `f`, and maps the
/// outcome to an exit code. A settings error is one line on stderr, exit 2.
async fn with_settings<S, F, Fut>(
    load: fn() -> Result<S, crate::settings::SettingsError>,
    level_of: fn(&S) -> &str,
    f: F,
) -> ExitCode
where
    F: FnOnce(S, slog::Logger, LogLevel) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    let settings = match load() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("backend: {e}");
            return ExitCode::from(2);
        }
    };
    let level = LogLevel::new(level_of(&settings));
    let log = telemetry::logger(std::io::stdout(), &level);
    let result = f(settings, log.clone(), level).await;
    let code = match &result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            slog::crit!(log, "fatal"; "error" => format!("{e:#}"));
            eprintln!("backend: {e:#}");
            ExitCode::FAILURE
        }
    };
    // Give the async log drain a moment to flush before the process exits.
    drop(log);
    std::thread::sleep(std::time::Duration::from_millis(50));
    code
}

async fn serve(settings: Settings, log: slog::Logger, level: LogLevel) -> anyhow::Result<()> {
    let app = Application::build(settings, log, level, Overrides::default()).await?;
    app.run_until(shutdown_signal()).await
}

async fn migrate(
    settings: MigrationSettings,
    log: slog::Logger,
    _level: LogLevel,
) -> anyhow::Result<()> {
    let applied = crate::db::migrate::run(&settings.url, settings.password.as_ref()).await?;
    slog::info!(log, "migrations applied"; "applied" => ?applied, "latest" => crate::db::migrate::latest_version());
    Ok(())
}
