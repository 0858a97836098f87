//! Builds the server from settings and runs it until a shutdown signal.

use crate::auth::jwt::JwtKeys;
use crate::auth::revocation::Revocations;
use crate::configs::ConfigRuntime;
use crate::configs::watcher::ConfigFeed;
use crate::context::AppState;
use crate::db;
use crate::front::Front;
use crate::metrics::Metrics;
use crate::settings::{Environment, Settings};
use crate::sync::{Feed, Feeds};
use crate::telemetry::LogLevel;
use anyhow::Context;
use dropshot::{ConfigDropshot, HandlerTaskMode, HttpServer, ServerBuilder};
use slog::{Logger, crit, info, warn};
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;

/// A started server and what it needs to stop cleanly.
pub struct Application {
    server: HttpServer<AppState>,
    /// The front on `BIND_ADDRESS`, when `HTTP_FRONT=on`; dropshot then
    /// listens on loopback behind it.
    front: Option<Front>,
    /// Background tasks that must run as long as the server does.
    tasks: Vec<(&'static str, JoinHandle<()>)>,
    log: Logger,
}

/// Options that only tests change.
#[derive(Default, Clone)]
pub struct Overrides {
    /// Prefix for every Redis key and channel (isolates parallel test servers).
    pub redis_prefix: String,
}

impl Application {
    /// Migrates (dev only), checks the database role, connects, loads the
    /// replicated state (configuration, denylist) and binds.
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
        let options = db::connect_options(
            &settings.database_url,
            settings.database_password.as_ref(),
            &settings.database_timeouts,
        )
        .context("invalid DATABASE_URL")?;
        // DATABASE_MAX_CONNECTIONS is the budget of the process: the read lane
        // takes DATABASE_READ_LANE_CONNECTIONS of it, the shared pool the rest.
        let lane_size = settings.database_read_lane_connections;
        let pool = db::pool(
            options.clone(),
            settings.database_max_connections - lane_size,
        );
        db::role_guard::ensure_rls_applies(&pool).await?;
        let reads = db::read_lane::ReadLane::new(options, lane_size, pool.clone());
        let redis = crate::redis::client(&settings).context("invalid REDIS_URL")?;
        let subscriber = crate::redis::subscriber(&settings).context("invalid REDIS_URL")?;
        let metrics = Arc::new(Metrics::new());
        let prefix = overrides.redis_prefix;
        let configs = Arc::new(ConfigRuntime::new(log_level, metrics.clone()));
        let config_feed = Arc::new(ConfigFeed::new(
            pool.clone(),
            configs.clone(),
            &prefix,
            settings.config_reconcile_interval,
        ));
        let revocations = Arc::new(Revocations::new(
            pool.clone(),
            &prefix,
            settings.revocation_reconcile_interval,
            longest_token_lifetime(&settings),
            metrics.clone(),
        ));
        let feeds = Arc::new(Feeds::new(
            vec![
                config_feed.clone() as Arc<dyn Feed>,
                revocations.clone() as Arc<dyn Feed>,
            ],
            metrics.clone(),
        ));
        // Nothing is served before both are loaded: a replica without the
        // denylist would accept revoked tokens.
        let loaded = feeds
            .warm_load()
            .await
            .context("cannot load the configuration and the token denylist")?;
        info!(log, "replicated state warm-loaded"; "entries" => ?loaded);
        let tasks = feeds.spawn(subscriber, &log);
        if settings.jwt.secret_generated {
            warn!(
                log,
                "JWT_SECRET is not set: generated a random one; tokens will not survive a restart (dev only)"
            );
        }
        let jwt = JwtKeys::new(&settings.jwt);
        info!(log, "signing tokens"; "kid" => jwt.signing_key_id(),
            "previous_keys" => settings.jwt.previous_secrets.len());
        let front_bind = settings.http_front.then_some(settings.bind_address);
        let config = ConfigDropshot {
            bind_address: match front_bind {
                Some(_) => SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
                None => settings.bind_address,
            },
            default_request_body_max_bytes: settings.request_body_max_bytes,
            default_handler_task_mode: HandlerTaskMode::Detached,
            // On every line of the request, checked by telemetry::correlation.
            log_headers: vec!["x-request-id".into(), "traceparent".into()],
            ..Default::default()
        };
        let traces = match &settings.otlp_traces_url {
            Some(url) => {
                let traces = crate::traces::Traces::start(url)
                    .context("cannot start the OTLP span exporter")?;
                info!(log, "exporting spans over OTLP");
                Some(Arc::new(traces))
            }
            None => None,
        };
        let per_user_concurrency = settings.per_user_concurrency;
        let state = AppState {
            pool,
            reads,
            redis,
            redis_prefix: prefix,
            jwt,
            openapi_json: backend_api::openapi_document().to_string(),
            settings,
            configs,
            config_feed,
            revocations,
            feeds,
            user_slots: db::fairness::UserSlots::new(per_user_concurrency),
            local_limiter: Default::default(),
            metrics,
            traces,
        };
        let server = ServerBuilder::new(crate::http::api(), state, log.clone())
            .config(config)
            .start()
            .map_err(|e| anyhow::anyhow!("cannot start the HTTP server: {e}"))?;
        let front = match front_bind {
            Some(bind) => {
                let front = Front::start(bind, server.local_addr(), log.clone())
                    .await
                    .with_context(|| format!("cannot listen on {bind}"))?;
                info!(log, "front listening"; "address" => %front.local_addr(),
                    "upstream" => %server.local_addr());
                Some(front)
            }
            None => None,
        };
        info!(log, "listening"; "address" => %server.local_addr());
        Ok(Application {
            server,
            front,
            tasks,
            log,
        })
    }

    /// Where clients connect: the front's address when it runs.
    pub fn local_addr(&self) -> SocketAddr {
        match &self.front {
            Some(front) => front.local_addr(),
            None => self.server.local_addr(),
        }
    }

    /// Serves until `shutdown` resolves, then stops accepting, lets in-flight
    /// requests finish (at most `SHUTDOWN_GRACE_SECONDS`), stops the
    /// background tasks and closes the pools.
    ///
    /// A background task that ends on its own (they loop for the life of the
    /// process) is a bug or a lost runtime: the replica would serve from state
    /// that no longer follows PostgreSQL, so it is logged and the process
    /// stops with an error, for the orchestrator to restart.
    pub async fn run_until(
        self,
        shutdown: impl std::future::Future<Output = ()>,
    ) -> anyhow::Result<()> {
        let Application {
            server,
            front,
            tasks,
            log,
        } = self;
        let grace = server.app_private().settings.shutdown_grace;
        let pool = server.app_private().pool.clone();
        let reads = server.app_private().reads.clone();
        let redis = server.app_private().redis.clone();
        let traces = server.app_private().traces.clone();
        let stopped = server.wait_for_shutdown();
        let (names, handles): (Vec<_>, Vec<_>) = tasks.into_iter().unzip();
        let background: Vec<_> = handles.iter().map(|task| task.abort_handle()).collect();
        let watched = async move {
            if handles.is_empty() {
                return std::future::pending().await;
            }
            let (ended, index, _) = futures::future::select_all(handles).await;
            (names[index], ended)
        };
        let outcome = tokio::select! {
            result = stopped => {
                return result.map_err(|e| anyhow::anyhow!("HTTP server stopped: {e}"));
            }
            (task, ended) = watched => {
                let why = match ended {
                    Ok(()) => "it returned".to_owned(),
                    Err(e) => format!("it failed: {e}"),
                };
                crit!(log, "background task ended; stopping the replica"; "task" => task, "why" => &why);
                Err(anyhow::anyhow!("background task {task} ended: {why}"))
            }
            () = shutdown => {
                info!(log, "shutdown signal received; draining"; "grace_seconds" => grace.as_secs());
                Ok(())
            }
        };
        // The front first: its connections finish their requests through
        // dropshot, which must still be serving them.
        let drain = async move {
            if let Some(front) = front {
                front.close().await;
            }
            server.close().await
        };
        match tokio::time::timeout(grace, drain).await {
            Ok(Ok(())) => info!(log, "drained"),
            Ok(Err(e)) => warn!(log, "error while draining"; "error" => e),
            Err(_) => warn!(log, "drain timed out; closing remaining connections"),
        }
        // The feeds loop for the life of the process and keep the denylist
        // current while requests drain; stopped before the pools close, they
        // cannot retry against a closed pool, which they would do until the
        // process exits (or for as long as an embedding runtime lives).
        for task in &background {
            task.abort();
        }
        if let Some(traces) = &traces {
            // Blocks while the last batch goes out.
            let traces = traces.clone();
            let _ = tokio::task::spawn_blocking(move || traces.shutdown()).await;
        }
        reads.close().await;
        pool.close().await;
        let _ = tokio::time::timeout(
            Duration::from_secs(1),
            fred::prelude::ClientLike::quit(&redis),
        )
        .await;
        info!(log, "stopped");
        outcome
    }
}

/// The longest any token this server verifies can live: guest tokens live
/// `JWT_TTL_SECONDS`, admin tokens at most 24 h.
pub fn longest_token_lifetime(settings: &Settings) -> Duration {
    settings.jwt.ttl.max(Duration::from_secs(86_400))
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
