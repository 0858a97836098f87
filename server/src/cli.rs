//! The `backend` command line.

use crate::settings::Settings;
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
        Command::Serve => with_settings(serve).await,
        Command::Migrate => with_settings(migrate).await,
    }
}

async fn with_settings<F, Fut>(f: F) -> ExitCode
where
    F: FnOnce(Settings, slog::Logger, LogLevel) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    let settings = match Settings::from_env() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("backend: {e}");
            return ExitCode::from(2);
        }
    };
    let level = LogLevel::new(&settings.log_level);
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
    // Flush the async log drain before exiting.
    drop(log);
    std::thread::sleep(std::time::Duration::from_millis(50));
    code
}

async fn serve(settings: Settings, log: slog::Logger, level: LogLevel) -> anyhow::Result<()> {
    let app = Application::build(settings, log, level, Overrides::default()).await?;
    app.run_until(shutdown_signal()).await
}

async fn migrate(settings: Settings, log: slog::Logger, _level: LogLevel) -> anyhow::Result<()> {
    let url = settings.migration_database_url.as_ref().ok_or_else(|| {
        anyhow::anyhow!(
            "invalid setting MIGRATION_DATABASE_URL: expected the owner role's postgres:// URL \
             (required in {})",
            settings.environment.as_str()
        )
    })?;
    let applied =
        crate::db::migrate::run(url, settings.migration_database_password.as_ref()).await?;
    slog::info!(log, "migrations applied"; "applied" => ?applied, "latest" => crate::db::migrate::latest_version());
    Ok(())
}
