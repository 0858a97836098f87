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
