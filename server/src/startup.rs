//! Builds the server from settings and runs it until a shutdown signal.

use crate::auth::jwt::JwtKeys;
use crate::configs::{ConfigRuntime, watcher};
use crate::context::AppState;
use crate::db;
use crate::metrics::Metrics;
use crate::settings::{Environment, Settings};
use crate::telemetry::LogLevel;
use anyhow::Context;
use dropshot::{ConfigDropshot, HandlerTaskMode, HttpServer, ServerBuilder};
use slog::{Logger, info, warn};
use std::net::SocketAddr;
use std::sync::Arc;

/// A started server and what it needs to stop cleanly.
pub struct Application {
    server: HttpServer<AppState>,
    log: Logger,
}

/// Options that only tests change.
#[derive(Default, Clone)]
pub struct Overrides {
    /// Prefix for every Redis key (isolates parallel test servers).
    pub redis_prefix: String,
}

impl Application {
    /// Migrates (dev only), checks the database role, connects and binds.
    pub async fn build(
        settings: Settings,
        log: Logger,
        log_level: LogLevel,
        overrides: Overrides,
    ) -> anyhow::Result<Application> {
        // Dev only, and only with the owner's URL: never as the app role, and
        // never in staging/prod, where the migration Job owns the schema.
        if let (Environment::Dev, Some(url)) =
            (settings.environment, &settings.migration_database_url)
        {
            let applied =
                db::migrate::run(url, settings.migration_database_password.as_ref()).await?;
            info!(log, "dev: migrations applied at start"; "applied" => ?applied);
        }
        let options =
            db::connect_options(&settings.database_url, settings.database_password.as_ref())
                .context("invalid DATABASE_URL")?;
        // DATABASE_MAX_CONNECTIONS is the budget of the process: the read lane
        // takes a quarter of it, the shared pool the rest.
        let lane_size = db::read_lane::lane_size(settings.database_max_connections);
        let pool = db::pool(
            options.clone(),
            settings.database_max_connections - lane_size,
        );
        db::role_guard::ensure_rls_applies(&pool).await?;
        let reads = db::read_lane::ReadLane::new(options, lane_size, pool.clone());
        let redis = crate::redis::client(&settings).context("invalid REDIS_URL")?;
        let subscriber = crate::redis::subscriber(&settings).context("invalid REDIS_URL")?;
        let metrics = Arc::new(Metrics::new());
        let configs = Arc::new(ConfigRuntime::new(log_level, metrics.clone()));
        let loaded = watcher::warm_load(&pool, &configs)
            .await
            .context("cannot warm-load the service configuration")?;
        info!(log, "configuration warm-loaded"; "entries" => loaded);
        tokio::spawn(watcher::run_subscriber(
            subscriber,
            pool.clone(),
            configs.clone(),
            log.new(slog::o!("task" => "config-watcher")),
        ));
        tokio::spawn(watcher::run_reconcile_loop(
            settings.config_reconcile_interval,
            pool.clone(),
            configs.clone(),
            log.new(slog::o!("task" => "config-reconcile")),
        ));
        if settings.jwt.secret_generated {
            warn!(
                log,
                "JWT_SECRET is not set: generated a random one; tokens will not survive a restart (dev only)"
            );
        }
        let config = ConfigDropshot {
            bind_address: settings.bind_address,
            default_request_body_max_bytes: settings.request_body_max_bytes,
            default_handler_task_mode: HandlerTaskMode::Detached,
            log_headers: vec!["x-request-id".into()],
            ..Default::default()
        };
        let state = AppState {
            pool,
            reads,
            redis,
            redis_prefix: overrides.redis_prefix,
            jwt: JwtKeys::new(&settings.jwt),
            openapi_json: backend_api::openapi_document().to_string(),
            settings,
            configs,
            metrics,
        };
        let server = ServerBuilder::new(crate::http::api(), state, log.clone())
            .config(config)
            .start()
            .map_err(|e| anyhow::anyhow!("cannot start the HTTP server: {e}"))?;
        info!(log, "listening"; "address" => %server.local_addr());
        Ok(Application { server, log })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.server.local_addr()
    }

    pub fn state(&self) -> &AppState {
        self.server.app_private()
    }

    /// Serves until `shutdown` resolves, then stops accepting, lets in-flight
    /// requests finish (at most `SHUTDOWN_GRACE_SECONDS`) and closes the pools.
    pub async fn run_until(
        self,
        shutdown: impl std::future::Future<Output = ()>,
    ) -> anyhow::Result<()> {
        let Application { server, log } = self;
        let grace = server.app_private().settings.shutdown_grace;
        let pool = server.app_private().pool.clone();
        let reads = server.app_private().reads.clone();
        let redis = server.app_private().redis.clone();
        let stopped = server.wait_for_shutdown();
        tokio::select! {
            result = stopped => {
                return result.map_err(|e| anyhow::anyhow!("HTTP server stopped: {e}"));
            }
            () = shutdown => info!(log, "shutdown signal received; draining"; "grace_seconds" => grace.as_secs()),
        }
        match tokio::time::timeout(grace, server.close()).await {
            Ok(Ok(())) => info!(log, "drained"),
            Ok(Err(e)) => warn!(log, "error while draining"; "error" => e),
            Err(_) => warn!(log, "drain timed out; closing remaining connections"),
        }
        reads.close().await;
        pool.close().await;
        let _ = fred::prelude::ClientLike::quit(&redis).await;
        info!(log, "stopped");
        Ok(())
    }
}

/// Resolves on SIGTERM or SIGINT.
pub async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("install SIGTERM handler");
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}
