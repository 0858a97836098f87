//! Typed settings, read once from the environment at start-up.
//!
//! Every variable is validated before anything starts; a bad one stops the
//! process with one line naming the variable and what is expected. Secrets are
//! `SecretString`s: `Debug` prints `[REDACTED]` and nothing logs them.

pub mod vars;

use rand::RngCore;
use secrecy::SecretString;
use std::net::SocketAddr;
use std::time::Duration;
use vars::{Unset, Var};

/// A setting that is missing or malformed.
#[derive(Debug, thiserror::Error)]
#[error("invalid setting {var}: expected {expected}")]
pub struct SettingsError {
    pub var: &'static str,
    pub expected: String,
}

fn invalid(var: &'static str, expected: impl Into<String>) -> SettingsError {
    SettingsError {
        var,
        expected: expected.into(),
    }
}

/// Where the process runs; decides which defaults are allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Environment {
    Dev,
    Staging,
    Prod,
}

impl Environment {
    pub fn as_str(self) -> &'static str {
        match self {
            Environment::Dev => "dev",
            Environment::Staging => "staging",
            Environment::Prod => "prod",
        }
    }
}

/// Log verbosity, also settable at run time (hot-reloaded `LOG_LEVEL`).
pub const LOG_LEVELS: &[&str] = &["trace", "debug", "info", "warn", "error"];

/// All settings of the `backend` binary.
#[derive(Debug, Clone)]
pub struct Settings {
    pub environment: Environment,
    pub bind_address: SocketAddr,
    pub log_level: String,
    pub database_url: SecretString,
    pub database_password: Option<SecretString>,
    pub database_max_connections: u32,
    /// Of `database_max_connections`, how many serve the one-statement reads
    /// (`db::read_lane`); the rest are the shared pool.
    pub database_read_lane_connections: u32,
    /// Bounds on every database session (server-side `statement_timeout`,
    /// `lock_timeout`, `idle_in_transaction_session_timeout`).
    pub database_timeouts: DatabaseTimeouts,
    /// How long one request may take in all before it answers 503: the
    /// client-side bound that also holds when the network to PostgreSQL
    /// stops answering.
    pub request_timeout: Duration,
    /// Requests one user may have inside the database at once, per replica.
    pub per_user_concurrency: usize,
    pub migration_database_url: Option<SecretString>,
    pub migration_database_password: Option<SecretString>,
    pub redis_url: SecretString,
    pub redis_password: Option<SecretString>,
    pub jwt: JwtSettings,
    pub guest_signin_rate_limit_per_minute: u32,
    /// Proxies in front of the server that append to `X-Forwarded-For`
    /// (1 behind one ingress); 0 trusts no header and uses the TCP peer.
    pub trusted_proxy_hops: usize,
    /// `HTTP_FRONT=on`: the front (`server/src/front/`) answers on
    /// `bind_address` and dropshot listens on loopback behind it.
    pub http_front: bool,
    pub config_reconcile_interval: Duration,
    pub revocation_reconcile_interval: Duration,
    /// Token refreshes one user may make per minute.
    pub refresh_rate_limit_per_minute: u32,
    pub shutdown_grace: Duration,
    pub request_body_max_bytes: usize,
    /// The OTLP/HTTP URL spans are posted to (`traces`); `None`: no spans
    /// are made.
    pub otlp_traces_url: Option<String>,
}

#[derive(Debug, Clone, Copy)]
pub struct DatabaseTimeouts {
    pub statement: Duration,
    pub lock: Duration,
    pub idle_in_transaction: Duration,
}

#[derive(Debug, Clone)]
pub struct JwtSettings {
    pub secret: SecretString,
    /// True when the secret was generated because none was given (dev only).
    pub secret_generated: bool,
    /// Keys still accepted for verification, never used to sign: the key
    /// before a rotation, or the next one before it becomes current.
    pub previous_secrets: Vec<SecretString>,
    pub issuer: String,
    pub audience: String,
    pub ttl: Duration,
}

/// The names of every variable [`Settings::from_env`] reads; the Helm chart is
/// checked against this list.
pub const VARIABLES: &[&str] = &vars::SERVE;

/// The variables `backend migrate` reads (it must not need the others: the
/// migration Job runs before the release's ConfigMap and Secret exist).
pub const MIGRATION_VARIABLES: &[&str] = &vars::MIGRATE;

/// Variables without which `serve` cannot start in any environment.
pub const REQUIRED_VARIABLES: &[&str] = &vars::REQUIRED;

/// Reads variables through a lookup function, so tests need not touch the
/// process environment.
pub struct Source<F: Fn(&str) -> Option<String>>(pub F);

impl<F: Fn(&str) -> Option<String>> Source<F> {
    fn get(&self, var: &Var) -> Option<String> {
        self.platform(var.name)
    }

    /// A variable the platform sets, not a setting of this binary (so not
    /// in [`vars`]).
    fn platform(&self, name: &str) -> Option<String> {
        (self.0)(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    }

    /// The value, or the declared default when unset.
    fn get_or_default(&self, var: &Var) -> String {
        self.get(var).unwrap_or_else(|| match var.unset {
            Unset::Value(v) => v.to_owned(),
            _ => panic!("{} declares no default value", var.name),
        })
    }

    /// Parses the value, or the declared default when unset.
    fn parse<T: std::str::FromStr>(&self, var: &Var, expected: &str) -> Result<T, SettingsError> {
        let Unset::Value(default) = var.unset else {
            panic!("{} declares no default value", var.name);
        };
        let default = default
            .parse()
            .unwrap_or_else(|_| panic!("the declared default of {} parses", var.name));
        self.parse_or(var, default, expected)
    }

    /// `on` or `off` (or the declared default).
    fn switch(&self, var: &Var) -> Result<bool, SettingsError> {
        match self.parse::<String>(var, "`on` or `off`")?.as_str() {
            "on" => Ok(true),
            "off" => Ok(false),
            other => Err(invalid(var.name, format!("`on` or `off`, got {other:?}"))),
        }
    }

    /// A whole number within the declared range (or the declared default).
    fn number(&self, var: &Var, expected: &str) -> Result<u64, SettingsError> {
        let v = self.parse::<u64>(var, expected)?;
        match var.within {
            Some((lo, hi)) if !(lo..=hi).contains(&v) => Err(invalid(
                var.name,
                format!("{expected} in {}", vars::range_text((lo, hi))),
            )),
            _ => Ok(v),
        }
    }

    /// Parses the value, or `default` (a rule of the parser's) when unset.
    fn parse_or<T: std::str::FromStr>(
        &self,
        var: &Var,
        default: T,
        expected: &str,
    ) -> Result<T, SettingsError> {
        match self.get(var) {
            None => Ok(default),
            Some(v) => v
                .parse()
                .map_err(|_| invalid(var.name, format!("{expected}, got {v:?}"))),
        }
    }

    fn url(&self, var: &Var, schemes: &[&str]) -> Result<Option<SecretString>, SettingsError> {
        let Some(v) = self.get(var) else {
            return Ok(None);
        };
        // The value may hold a password: never echo it back.
        if !schemes.iter().any(|s| v.starts_with(&format!("{s}://"))) {
            let wanted = schemes
                .iter()
                .map(|s| format!("{s}://"))
                .collect::<Vec<_>>()
                .join(" or ");
            return Err(invalid(var.name, format!("a URL starting with {wanted}")));
        }
        Ok(Some(SecretString::from(v)))
    }
}

impl Settings {
    /// How many `X-Forwarded-For` entries, from the right, were written by
    /// proxies this server trusts: `TRUSTED_PROXY_HOPS`, and the front's own
    /// entry when it runs.
    pub fn forwarded_for_hops(&self) -> usize {
        self.trusted_proxy_hops + usize::from(self.http_front)
    }

    /// Reads the process environment.
    pub fn from_env() -> Result<Settings, SettingsError> {
        Settings::from_source(&Source(|k| std::env::var(k).ok()))
    }

    pub fn from_source<F: Fn(&str) -> Option<String>>(
        src: &Source<F>,
    ) -> Result<Settings, SettingsError> {
        let environment = environment(src)?;
        let log_level = log_level(src)?;
        let database_url = src
            .url(&vars::DATABASE_URL, &["postgres", "postgresql"])?
            .ok_or_else(|| {
                invalid(
                    vars::DATABASE_URL.name,
                    "a postgres:// URL for the application role (it is not set)",
                )
            })?;
        let redis_url = src
            .url(&vars::REDIS_URL, &["redis", "rediss"])?
            .ok_or_else(|| invalid(vars::REDIS_URL.name, "a redis:// URL (it is not set)"))?;
        // Only `serve` in dev uses it, to migrate at start when it is given;
        // it never falls back to the application role.
        let migration_database_url =
            src.url(&vars::MIGRATION_DATABASE_URL, &["postgres", "postgresql"])?;
        let jwt = JwtSettings::from_source(src, environment)?;
        // Each within its declared range, so the casts cannot truncate.
        let max_connections =
            src.number(&vars::DATABASE_MAX_CONNECTIONS, "a number of connections")? as u32;
        let reconcile = src.number(
            &vars::CONFIG_RECONCILE_INTERVAL,
            "seconds as a whole number",
        )?;
        let revocation_reconcile = src.number(
            &vars::REVOCATION_RECONCILE_INTERVAL,
            "seconds as a whole number",
        )?;
        let lane = src.parse_or(
            &vars::DATABASE_READ_LANE_CONNECTIONS,
            default_read_lane(max_connections),
            "a number of connections below DATABASE_MAX_CONNECTIONS",
        )?;
        if lane >= max_connections && lane > 0 {
            return Err(invalid(
                vars::DATABASE_READ_LANE_CONNECTIONS.name,
                format!(
                    "fewer than DATABASE_MAX_CONNECTIONS ({max_connections}), so the pool keeps one"
                ),
            ));
        }
        let millis = |var: &Var| {
            src.number(var, "milliseconds as a whole number")
                .map(Duration::from_millis)
        };
        let database_timeouts = DatabaseTimeouts {
            statement: millis(&vars::DATABASE_STATEMENT_TIMEOUT_MS)?,
            lock: millis(&vars::DATABASE_LOCK_TIMEOUT_MS)?,
            idle_in_transaction: millis(&vars::DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS)?,
        };
        let request_timeout = millis(&vars::REQUEST_TIMEOUT_MS)?;
        if request_timeout <= database_timeouts.statement {
            return Err(invalid(
                vars::REQUEST_TIMEOUT_MS.name,
                "more than DATABASE_STATEMENT_TIMEOUT_MS, so the database's own timeout answers first",
            ));
        }
        let per_user_concurrency = src.number(
            &vars::PER_USER_CONCURRENCY,
            "a number of concurrent requests",
        )? as usize;
        let otlp_url = |var: &Var| {
            src.url(var, &["http", "https"])
                .map(|url| url.map(|u| secrecy::ExposeSecret::expose_secret(&u).to_owned()))
        };
        // The signal's own URL is used as it is; the base gets the traces
        // path, as the OTLP specification says.
        let otlp_traces_url = match (
            otlp_url(&vars::OTEL_EXPORTER_OTLP_ENDPOINT)?,
            otlp_url(&vars::OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)?,
        ) {
            (_, Some(traces)) => Some(traces),
            (Some(base), None) => Some(format!("{}/v1/traces", base.trim_end_matches('/'))),
            (None, None) => None,
        };
        Ok(Settings {
            otlp_traces_url,
            environment,
            bind_address: src
                .parse::<SocketAddr>(&vars::BIND_ADDRESS, "host:port such as 0.0.0.0:8000")?,
            log_level,
            database_url,
            database_password: src.get(&vars::DATABASE_PASSWORD).map(SecretString::from),
            database_max_connections: max_connections,
            database_read_lane_connections: lane,
            database_timeouts,
            request_timeout,
            per_user_concurrency,
            migration_database_url,
            migration_database_password: src
                .get(&vars::MIGRATION_DATABASE_PASSWORD)
                .map(SecretString::from),
            redis_url,
            redis_password: src.get(&vars::REDIS_PASSWORD).map(SecretString::from),
            jwt,
            guest_signin_rate_limit_per_minute: src.parse::<u32>(
                &vars::GUEST_SIGNIN_RATE_LIMIT_PER_MINUTE,
                "sign-ins per minute as a whole number",
            )?,
            trusted_proxy_hops: src.parse::<usize>(
                &vars::TRUSTED_PROXY_HOPS,
                "a number of proxies (0 when clients connect directly)",
            )?,
            http_front: src.switch(&vars::HTTP_FRONT)?,
            config_reconcile_interval: Duration::from_secs(reconcile),
            revocation_reconcile_interval: Duration::from_secs(revocation_reconcile),
            refresh_rate_limit_per_minute: src.parse::<u32>(
                &vars::REFRESH_RATE_LIMIT_PER_MINUTE,
                "refreshes per minute as a whole number",
            )?,
            shutdown_grace: Duration::from_secs(
                src.parse::<u64>(&vars::SHUTDOWN_GRACE_SECONDS, "seconds as a whole number")?,
            ),
            request_body_max_bytes: src
                .parse::<usize>(&vars::REQUEST_BODY_MAX_BYTES, "a size in bytes")?,
        })
    }
}

/// What `backend migrate` needs, and nothing more: the migration Job runs
/// before the release's ConfigMap and Secret exist, so it gets only these.
#[derive(Debug, Clone)]
pub struct MigrationSettings {
    pub environment: Environment,
    pub log_level: String,
    pub url: SecretString,
    pub password: Option<SecretString>,
}

impl MigrationSettings {
    pub fn from_env() -> Result<MigrationSettings, SettingsError> {
        MigrationSettings::from_source(&Source(|k| std::env::var(k).ok()))
    }

    pub fn from_source<F: Fn(&str) -> Option<String>>(
        src: &Source<F>,
    ) -> Result<MigrationSettings, SettingsError> {
        let environment = environment(src)?;
        let log_level = log_level(src)?;
        let url = match src.url(&vars::MIGRATION_DATABASE_URL, &["postgres", "postgresql"])? {
            Some(url) => url,
            None if environment == Environment::Dev => src
                .url(&vars::DATABASE_URL, &["postgres", "postgresql"])?
                .ok_or_else(|| {
                    invalid(
                        vars::MIGRATION_DATABASE_URL.name,
                        "the owner role's postgres:// URL (it is not set)",
                    )
                })?,
            None => {
                return Err(invalid(
                    vars::MIGRATION_DATABASE_URL.name,
                    format!(
                        "the owner role's postgres:// URL (required in {})",
                        environment.as_str()
                    ),
                ));
            }
        };
        Ok(MigrationSettings {
            environment,
            log_level,
            url,
            password: src
                .get(&vars::MIGRATION_DATABASE_PASSWORD)
                .map(SecretString::from),
        })
    }
}

/// What `backend token --revoke` needs: the database to write the
/// revocation to, optionally Redis to announce it, and the JWT settings to
/// check a token's signature and learn the longest token lifetime.
#[derive(Debug, Clone)]
pub struct RevokeSettings {
    pub database_url: SecretString,
    pub database_password: Option<SecretString>,
    pub redis_url: Option<SecretString>,
    pub redis_password: Option<SecretString>,
    /// `None` when JWT_SECRET is unset: only a bare token id can be revoked.
    pub jwt: Option<JwtSettings>,
    pub ttl: Duration,
}

impl RevokeSettings {
    pub fn from_env() -> Result<RevokeSettings, SettingsError> {
        let src = Source(|k| std::env::var(k).ok());
        let database_url = src
            .url(&vars::DATABASE_URL, &["postgres", "postgresql"])?
            .ok_or_else(|| {
                invalid(
                    vars::DATABASE_URL.name,
                    "the postgres:// URL the servers use (it is not set)",
                )
            })?;
        let jwt = match src.get(&vars::JWT_SECRET) {
            Some(_) => Some(JwtSettings::from_source(&src, Environment::Prod)?),
            None => None,
        };
        let ttl = src.parse::<u64>(&vars::JWT_TTL_SECONDS, "seconds as a whole number")?;
        Ok(RevokeSettings {
            database_url,
            database_password: src.get(&vars::DATABASE_PASSWORD).map(SecretString::from),
            redis_url: src.url(&vars::REDIS_URL, &["redis", "rediss"])?,
            redis_password: src.get(&vars::REDIS_PASSWORD).map(SecretString::from),
            jwt,
            ttl: Duration::from_secs(ttl),
        })
    }
}

/// `ENVIRONMENT`; unset means `dev`, except inside Kubernetes (which sets
/// `KUBERNETES_SERVICE_HOST` in every pod), where a forgotten variable would
/// otherwise give a deployment a random JWT key and migrations at start.
fn environment<F: Fn(&str) -> Option<String>>(
    src: &Source<F>,
) -> Result<Environment, SettingsError> {
    match src.get(&vars::ENVIRONMENT).as_deref() {
        None if src.platform("KUBERNETES_SERVICE_HOST").is_some() => Err(invalid(
            vars::ENVIRONMENT.name,
            "dev, staging or prod: it must be set explicitly inside Kubernetes",
        )),
        None | Some("dev") => Ok(Environment::Dev),
        Some("staging") => Ok(Environment::Staging),
        Some("prod") => Ok(Environment::Prod),
        Some(other) => Err(invalid(
            vars::ENVIRONMENT.name,
            format!("one of dev, staging, prod, got {other:?}"),
        )),
    }
}

fn log_level<F: Fn(&str) -> Option<String>>(src: &Source<F>) -> Result<String, SettingsError> {
    let level = src.get_or_default(&vars::LOG_LEVEL).to_lowercase();
    if !LOG_LEVELS.contains(&level.as_str()) {
        return Err(invalid(
            vars::LOG_LEVEL.name,
            format!("one of {}, got {level:?}", LOG_LEVELS.join(", ")),
        ));
    }
    Ok(level)
}

impl JwtSettings {
    fn from_source<F: Fn(&str) -> Option<String>>(
        src: &Source<F>,
        environment: Environment,
    ) -> Result<JwtSettings, SettingsError> {
        const MIN_SECRET: usize = 32;
        let (secret, secret_generated) = match src.get(&vars::JWT_SECRET) {
            Some(s) if s.len() >= MIN_SECRET => (SecretString::from(s), false),
            Some(_) if environment == Environment::Dev => (random_secret(), true),
            None if environment == Environment::Dev => (random_secret(), true),
            _ => {
                return Err(invalid(
                    vars::JWT_SECRET.name,
                    format!(
                        "a secret of at least {MIN_SECRET} bytes in {}",
                        environment.as_str()
                    ),
                ));
            }
        };
        let previous_secrets = match src.get(&vars::JWT_PREVIOUS_SECRETS) {
            None => Vec::new(),
            Some(list) => list
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| {
                    // Never echo a key back, not even a short one.
                    (s.len() >= MIN_SECRET)
                        .then(|| SecretString::from(s.to_owned()))
                        .ok_or_else(|| {
                            invalid(
                                vars::JWT_PREVIOUS_SECRETS.name,
                                format!("comma-separated keys of at least {MIN_SECRET} bytes each"),
                            )
                        })
                })
                .collect::<Result<_, _>>()?,
        };
        let ttl = src.number(&vars::JWT_TTL_SECONDS, "seconds as a whole number")?;
        Ok(JwtSettings {
            secret,
            secret_generated,
            previous_secrets,
            issuer: src.get_or_default(&vars::JWT_ISSUER),
            audience: src.get_or_default(&vars::JWT_AUDIENCE),
            ttl: Duration::from_secs(ttl),
        })
    }
}

impl JwtSettings {
    /// Settings for minting tokens outside the server (`backend token`): the
    /// secret must be the servers' real one, so a generated one is refused.
    pub fn for_minting() -> Result<JwtSettings, SettingsError> {
        let src = Source(|k| std::env::var(k).ok());
        JwtSettings::from_source(&src, Environment::Prod).map_err(|e| match e.var {
            "JWT_SECRET" => invalid(
                vars::JWT_SECRET.name,
                "the servers' signing secret (at least 32 bytes)",
            ),
            _ => e,
        })
    }
}

/// The read lane's default share of the connection budget: a third, rounded
/// down (none below 3). Measured in docs/performance.md on 2 cores: once the
/// denylist check left the request path, more lane connections than the
/// database has cores to run them only queue inside PostgreSQL (lane 8 of 10:
/// p99 16 ms at 32 clients; lane 3: 10 ms; lane 2: 12.5 ms).
pub fn default_read_lane(max_connections: u32) -> u32 {
    max_connections / 3
}

fn random_secret() -> SecretString {
    let mut bytes = [0u8; 48];
    rand::rng().fill_bytes(&mut bytes);
    SecretString::from(bytes.iter().map(|b| format!("{b:02x}")).collect::<String>())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn load(pairs: &[(&str, &str)]) -> Result<Settings, SettingsError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_source(&Source(|k| map.get(k).cloned()))
    }

    const BASE: &[(&str, &str)] = &[
        ("DATABASE_URL", "postgres://backend_app@localhost/backend"),
        ("REDIS_URL", "redis://localhost:6379"),
    ];

    fn with(extra: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
        let mut v: Vec<_> = BASE.to_vec();
        v.extend_from_slice(extra);
        v
    }

    #[test]
    fn a_minimal_dev_environment_loads_with_defaults() {
        let s = load(BASE).unwrap();
        assert_eq!(s.environment, Environment::Dev);
        assert_eq!(s.bind_address.to_string(), "0.0.0.0:8000");
        assert!(s.jwt.secret_generated);
        assert_eq!(s.jwt.ttl, Duration::from_secs(86_400));
        assert!(
            s.migration_database_url.is_none(),
            "serve migrates only with an explicit owner URL"
        );
    }

    #[test]
    fn a_missing_database_url_names_the_variable() {
        let err = load(&[("REDIS_URL", "redis://x")]).unwrap_err();
        assert_eq!(err.var, "DATABASE_URL");
        assert!(
            err.to_string()
                .starts_with("invalid setting DATABASE_URL: expected")
        );
    }

    #[test]
    fn a_url_with_the_wrong_scheme_is_rejected_without_echoing_it() {
        let err = load(&[
            ("DATABASE_URL", "mysql://u:hunter2@x/db"),
            ("REDIS_URL", "redis://x"),
        ])
        .unwrap_err();
        assert_eq!(err.var, "DATABASE_URL");
        assert!(!err.to_string().contains("hunter2"));
    }

    #[test]
    fn an_unknown_environment_is_rejected() {
        assert_eq!(
            load(&with(&[("ENVIRONMENT", "qa")])).unwrap_err().var,
            "ENVIRONMENT"
        );
    }

    #[test]
    fn a_bad_bind_address_or_log_level_is_rejected() {
        assert_eq!(
            load(&with(&[("BIND_ADDRESS", "8000")])).unwrap_err().var,
            "BIND_ADDRESS"
        );
        assert_eq!(
            load(&with(&[("LOG_LEVEL", "loud")])).unwrap_err().var,
            "LOG_LEVEL"
        );
    }

    #[test]
    fn prod_requires_a_long_jwt_secret() {
        let err = load(&with(&[("ENVIRONMENT", "prod")])).unwrap_err();
        assert_eq!(err.var, "JWT_SECRET");
        let err = load(&with(&[
            ("ENVIRONMENT", "staging"),
            ("JWT_SECRET", "short"),
        ]))
        .unwrap_err();
        assert_eq!(err.var, "JWT_SECRET");
        let ok = load(&with(&[
            ("ENVIRONMENT", "prod"),
            ("JWT_SECRET", "0123456789abcdef0123456789abcdef"),
        ]))
        .unwrap();
        assert!(!ok.jwt.secret_generated);
        assert!(
            ok.migration_database_url.is_none(),
            "prod never falls back to the app role"
        );
    }

    #[test]
    fn migrate_needs_only_the_migration_url_outside_dev() {
        let map: HashMap<&str, &str> = HashMap::from([
            ("ENVIRONMENT", "prod"),
            (
                "MIGRATION_DATABASE_URL",
                "postgres://backend_owner@db/backend",
            ),
            ("MIGRATION_DATABASE_PASSWORD", "s3cret"),
        ]);
        let m =
            MigrationSettings::from_source(&Source(|k| map.get(k).map(|v| v.to_string()))).unwrap();
        assert_eq!(m.environment, Environment::Prod);
        assert!(m.password.is_some());
        let err = MigrationSettings::from_source(&Source(|k| {
            (k == "ENVIRONMENT").then(|| "prod".into())
        }))
        .unwrap_err();
        assert_eq!(err.var, "MIGRATION_DATABASE_URL");
    }

    #[test]
    fn previous_jwt_secrets_are_a_checked_list_never_echoed() {
        let ok = load(&with(&[(
            "JWT_PREVIOUS_SECRETS",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa, bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb,",
        )]))
        .unwrap();
        assert_eq!(ok.jwt.previous_secrets.len(), 2);
        let err = load(&with(&[("JWT_PREVIOUS_SECRETS", "short-key-hunter2")])).unwrap_err();
        assert_eq!(err.var, "JWT_PREVIOUS_SECRETS");
        assert!(!err.to_string().contains("hunter2"));
    }

    #[test]
    fn the_read_lane_defaults_to_a_third_of_the_budget_and_leaves_the_pool_one() {
        assert_eq!(load(BASE).unwrap().database_read_lane_connections, 3);
        let s = load(&with(&[("DATABASE_MAX_CONNECTIONS", "16")])).unwrap();
        assert_eq!(s.database_read_lane_connections, 5);
        let s = load(&with(&[("DATABASE_READ_LANE_CONNECTIONS", "0")])).unwrap();
        assert_eq!(s.database_read_lane_connections, 0);
        let err = load(&with(&[("DATABASE_READ_LANE_CONNECTIONS", "10")])).unwrap_err();
        assert_eq!(err.var, "DATABASE_READ_LANE_CONNECTIONS");
    }

    #[test]
    fn an_unset_environment_is_dev_on_a_workstation_and_an_error_in_kubernetes() {
        assert_eq!(load(BASE).unwrap().environment, Environment::Dev);
        let err = load(&with(&[("KUBERNETES_SERVICE_HOST", "10.96.0.1")])).unwrap_err();
        assert_eq!(err.var, "ENVIRONMENT");
        let ok = load(&with(&[
            ("KUBERNETES_SERVICE_HOST", "10.96.0.1"),
            ("ENVIRONMENT", "dev"),
        ]))
        .unwrap();
        assert_eq!(ok.environment, Environment::Dev);
    }

    #[test]
    fn database_timeouts_have_defaults_and_bounds() {
        let s = load(BASE).unwrap();
        assert_eq!(s.database_timeouts.statement, Duration::from_secs(5));
        assert_eq!(s.database_timeouts.lock, Duration::from_secs(1));
        assert_eq!(s.request_timeout, Duration::from_secs(10));
        assert_eq!(s.per_user_concurrency, 4);
        let err = load(&with(&[("DATABASE_STATEMENT_TIMEOUT_MS", "20000")])).unwrap_err();
        assert_eq!(
            err.var, "REQUEST_TIMEOUT_MS",
            "the request outlives its statements"
        );
        assert_eq!(
            load(&with(&[("DATABASE_LOCK_TIMEOUT_MS", "0")]))
                .unwrap_err()
                .var,
            "DATABASE_LOCK_TIMEOUT_MS"
        );
    }

    #[test]
    fn debug_output_never_shows_secrets() {
        let s = load(&with(&[
            ("JWT_SECRET", "a-very-long-secret-value-0123456789abcdef"),
            ("DATABASE_PASSWORD", "hunter2-password"),
        ]))
        .unwrap();
        let debug = format!("{s:?}");
        assert!(!debug.contains("a-very-long-secret-value"));
        assert!(!debug.contains("hunter2-password"));
        assert!(!debug.contains("backend_app@localhost"));
    }
}
