//! Every environment variable the binary reads, declared once. The parser
//! ([`super`]) reads each through its declaration (a name that is not
//! declared here cannot be read), `backend env-vars` prints the list (the
//! chart's contract checks read it, as `scripts/validate_deploy/env-vars.json`),
//! and the README's settings table is made from it. Tests fail when either
//! copy drifts.

use serde::Serialize;

/// What a variable's value is when it is unset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unset {
    /// This value, parsed like a given one.
    Value(&'static str),
    /// Nothing: `serve` does not start without it.
    Required,
    /// Nothing: the feature it configures is off.
    Nothing,
    /// A rule the parser applies, in words.
    Rule(&'static str),
}

/// What a deployment must do with a variable for one command (the chart's
/// server Deployment for `serve`, its migration Job for `migrate`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Deploy {
    /// Set it.
    Required,
    /// May set it.
    Optional,
    /// The command reads it only in dev; a deployment must not set it.
    DevOnly,
}

#[derive(Debug)]
pub struct Var {
    pub name: &'static str,
    pub unset: Unset,
    /// The README's words for it.
    pub meaning: &'static str,
    /// Its value is a credential: never logged, never echoed in an error.
    pub secret: bool,
    /// `None` when `backend serve` does not read it.
    pub serve: Option<Deploy>,
    /// `None` when `backend migrate` does not read it.
    pub migrate: Option<Deploy>,
    /// The whole numbers it allows, both ends included.
    pub within: Option<(u64, u64)>,
}

use Deploy::{DevOnly, Optional, Required};

macro_rules! vars {
    ($($ident:ident: $name:literal, $unset:expr, serve $serve:expr, migrate $migrate:expr,
       secret $secret:expr, $(within $lo:literal..=$hi:expr,)? $meaning:literal;)*) => {
        $(pub const $ident: Var = Var {
            name: $name,
            unset: $unset,
            meaning: $meaning,
            secret: $secret,
            serve: $serve,
            migrate: $migrate,
            within: vars!(@within $($lo, $hi)?),
        };)*
        /// Every declared variable, in the README's order.
        pub const ALL: &[Var] = &[$($ident),*];
    };
    (@within) => { None };
    (@within $lo:literal, $hi:expr) => { Some(($lo, $hi)) };
}

vars! {
    ENVIRONMENT: "ENVIRONMENT", Unset::Rule("`dev`; must be set inside Kubernetes"),
        serve Some(Required), migrate Some(Required), secret false,
        "`dev`, `staging` or `prod`";
    BIND_ADDRESS: "BIND_ADDRESS", Unset::Value("0.0.0.0:8000"),
        serve Some(Optional), migrate None, secret false,
        "HTTP listen address";
    LOG_LEVEL: "LOG_LEVEL", Unset::Value("info"),
        serve Some(Required), migrate Some(Required), secret false,
        "`trace`, `debug`, `info`, `warn`, `error`";
    DATABASE_URL: "DATABASE_URL", Unset::Required,
        serve Some(Required), migrate None, secret true,
        "PostgreSQL URL of the application role `backend_app`";
    DATABASE_PASSWORD: "DATABASE_PASSWORD", Unset::Nothing,
        serve Some(Optional), migrate None, secret true,
        "overrides the URL's password (kept in a Secret)";
    DATABASE_MAX_CONNECTIONS: "DATABASE_MAX_CONNECTIONS", Unset::Value("10"),
        serve Some(Optional), migrate None, secret false,
        within 1..=1000, "PostgreSQL connections per process, the read lane's included";
    DATABASE_READ_LANE_CONNECTIONS: "DATABASE_READ_LANE_CONNECTIONS",
        Unset::Rule("a third of `DATABASE_MAX_CONNECTIONS`, rounded down"),
        serve Some(Optional), migrate None, secret false,
        "of those, how many serve the one-statement reads (an organization, a page of its projects) without sqlx's per-release ping (`server/src/db/read_lane.rs`); the rest are the pool";
    DATABASE_STATEMENT_TIMEOUT_MS: "DATABASE_STATEMENT_TIMEOUT_MS", Unset::Value("5000"),
        serve Some(Optional), migrate None, secret false,
        within 100..=600_000, "`statement_timeout` of every session";
    DATABASE_LOCK_TIMEOUT_MS: "DATABASE_LOCK_TIMEOUT_MS", Unset::Value("1000"),
        serve Some(Optional), migrate None, secret false,
        within 10..=600_000, "`lock_timeout` of every session";
    DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: "DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS",
        Unset::Value("10000"),
        serve Some(Optional), migrate None, secret false,
        within 100..=3_600_000, "`idle_in_transaction_session_timeout` of every session";
    REQUEST_TIMEOUT_MS: "REQUEST_TIMEOUT_MS", Unset::Value("10000"),
        serve Some(Optional), migrate None, secret false,
        within 100..=600_000, "the longest a request may take before it answers 503; more than the statement timeout";
    PER_USER_CONCURRENCY: "PER_USER_CONCURRENCY", Unset::Value("4"),
        serve Some(Optional), migrate None, secret false,
        within 1..=1000, "requests one user may have inside the database at once, per replica; more get 429";
    MIGRATION_DATABASE_URL: "MIGRATION_DATABASE_URL",
        Unset::Rule("`migrate`: `DATABASE_URL` in dev, else required"),
        serve Some(DevOnly), migrate Some(Required), secret true,
        "URL of the owner role `backend_owner`; `serve` in dev migrates at start only when it is set";
    MIGRATION_DATABASE_PASSWORD: "MIGRATION_DATABASE_PASSWORD", Unset::Nothing,
        serve Some(DevOnly), migrate Some(Optional), secret true,
        "overrides that URL's password";
    REDIS_URL: "REDIS_URL", Unset::Required,
        serve Some(Required), migrate None, secret true,
        "Redis URL";
    REDIS_PASSWORD: "REDIS_PASSWORD", Unset::Nothing,
        serve Some(Optional), migrate None, secret true,
        "overrides the URL's password";
    JWT_SECRET: "JWT_SECRET", Unset::Rule("random in dev"),
        serve Some(Required), migrate None, secret true,
        "HS256 signing key, at least 32 bytes; required in staging/prod";
    JWT_PREVIOUS_SECRETS: "JWT_PREVIOUS_SECRETS", Unset::Nothing,
        serve Some(Optional), migrate None, secret true,
        "comma-separated keys still accepted, never used to sign (key rotation, `docs/deploy.md`)";
    JWT_ISSUER: "JWT_ISSUER", Unset::Value("agent-ready-k8s-backend"),
        serve Some(Optional), migrate None, secret false,
        "checked on every token";
    JWT_AUDIENCE: "JWT_AUDIENCE", Unset::Value("backend-api"),
        serve Some(Optional), migrate None, secret false,
        "checked on every token";
    JWT_TTL_SECONDS: "JWT_TTL_SECONDS", Unset::Value("86400"),
        serve Some(Optional), migrate None, secret false,
        within 60..=2_592_000, "token lifetime";
    GUEST_SIGNIN_RATE_LIMIT_PER_MINUTE: "GUEST_SIGNIN_RATE_LIMIT_PER_MINUTE", Unset::Value("10"),
        serve Some(Optional), migrate None, secret false,
        "guest sign-ins per client address per minute";
    REFRESH_RATE_LIMIT_PER_MINUTE: "REFRESH_RATE_LIMIT_PER_MINUTE", Unset::Value("30"),
        serve Some(Optional), migrate None, secret false,
        "token refreshes per user per minute";
    TRUSTED_PROXY_HOPS: "TRUSTED_PROXY_HOPS", Unset::Value("0"),
        serve Some(Optional), migrate None, secret false,
        "proxies in front that append to `X-Forwarded-For` (the chart sets 1 for the ingress); 0 uses the TCP peer. All header lines count, entries may carry a port, IPv6 clients share one bucket per /64";
    HTTP_FRONT: "HTTP_FRONT", Unset::Value("off"),
        serve Some(Optional), migrate None, secret false,
        "`on`: a second HTTP/1.1 layer in the process answers on `BIND_ADDRESS` and forwards to dropshot over loopback, so that a valid inbound `X-Request-Id` is the request's id (response header and envelope) and the router's own errors get the envelope; it costs about a tenth of the org read's throughput (`docs/performance.md`). `off`: dropshot answers itself";
    CONFIG_RECONCILE_INTERVAL: "CONFIG_RECONCILE_INTERVAL", Unset::Value("300"),
        serve Some(Optional), migrate None, secret false,
        within 1..=u64::MAX, "seconds between config reconciles (every second while Redis is down)";
    REVOCATION_RECONCILE_INTERVAL: "REVOCATION_RECONCILE_INTERVAL", Unset::Value("1"),
        serve Some(Optional), migrate None, secret false,
        within 1..=60, "seconds between catch-ups of the token denylist from PostgreSQL";
    SHUTDOWN_GRACE_SECONDS: "SHUTDOWN_GRACE_SECONDS", Unset::Value("20"),
        serve Some(Optional), migrate None, secret false,
        "how long SIGTERM waits for in-flight requests";
    REQUEST_BODY_MAX_BYTES: "REQUEST_BODY_MAX_BYTES", Unset::Value("65536"),
        serve Some(Optional), migrate None, secret false,
        "larger bodies get 413";
    OTEL_EXPORTER_OTLP_ENDPOINT: "OTEL_EXPORTER_OTLP_ENDPOINT", Unset::Nothing,
        serve Some(Optional), migrate None, secret false,
        "an OTLP/HTTP collector (e.g. `http://otel-collector:4318`): spans of every request and read-lane statement go to its `/v1/traces`; unset, none are made. The SDK reads the other `OTEL_*` variables (headers, timeout, service name, batching) itself (`docs/observability.md`)";
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", Unset::Nothing,
        serve Some(Optional), migrate None, secret false,
        "the traces URL itself, used as it is, when it differs from `{OTEL_EXPORTER_OTLP_ENDPOINT}/v1/traces`";
}

/// Which variables a const list below holds.
#[derive(Clone, Copy)]
enum Pick {
    ReadByServe,
    ReadByMigrate,
    RequiredByServe,
}

const fn picks(v: &Var, pick: Pick) -> bool {
    match pick {
        Pick::ReadByServe => v.serve.is_some(),
        Pick::ReadByMigrate => v.migrate.is_some(),
        Pick::RequiredByServe => matches!(v.unset, Unset::Required),
    }
}

/// How many of [`ALL`] `pick` selects.
const fn count(pick: Pick) -> usize {
    let (mut n, mut i) = (0, 0);
    while i < ALL.len() {
        if picks(&ALL[i], pick) {
            n += 1;
        }
        i += 1;
    }
    n
}

/// The names of the variables `pick` selects, in declaration order.
const fn names<const N: usize>(pick: Pick) -> [&'static str; N] {
    let mut out = [""; N];
    let (mut n, mut i) = (0, 0);
    while i < ALL.len() {
        if picks(&ALL[i], pick) {
            out[n] = ALL[i].name;
            n += 1;
        }
        i += 1;
    }
    out
}

pub const SERVE: [&str; count(Pick::ReadByServe)] = names(Pick::ReadByServe);
pub const MIGRATE: [&str; count(Pick::ReadByMigrate)] = names(Pick::ReadByMigrate);
pub const REQUIRED: [&str; count(Pick::RequiredByServe)] = names(Pick::RequiredByServe);

/// One variable as `backend env-vars` prints it.
#[derive(Serialize)]
struct Listed {
    name: &'static str,
    default: String,
    meaning: String,
    secret: bool,
    serve: Option<Deploy>,
    migrate: Option<Deploy>,
}

/// A declared range in words.
pub fn range_text((lo, hi): (u64, u64)) -> String {
    if hi == u64::MAX {
        format!("at least {lo}")
    } else {
        format!("{lo}-{hi}")
    }
}

impl Var {
    /// The README's "Meaning" column: the words, then the range.
    pub fn meaning_text(&self) -> String {
        match self.within {
            Some(range) => format!("{} ({})", self.meaning, range_text(range)),
            None => self.meaning.to_owned(),
        }
    }

    /// The README's "Default" column.
    pub fn default_text(&self) -> String {
        match self.unset {
            Unset::Value(v) => format!("`{v}`"),
            Unset::Required => "required".to_owned(),
            Unset::Nothing => "unset".to_owned(),
            Unset::Rule(rule) => rule.to_owned(),
        }
    }
}

/// `backend env-vars`: the list as JSON, one object per variable.
pub fn json() -> String {
    let listed: Vec<Listed> = ALL
        .iter()
        .map(|v| Listed {
            name: v.name,
            default: v.default_text(),
            meaning: v.meaning_text(),
            secret: v.secret,
            serve: v.serve,
            migrate: v.migrate,
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&listed).expect("the list serialises");
    text.push('\n');
    text
}

/// `backend env-vars --markdown`: the README's table.
pub fn markdown() -> String {
    let mut out = String::from("| Variable | Default | Meaning |\n|---|---|---|\n");
    for v in ALL {
        out.push_str(&format!(
            "| `{}` | {} | {} |\n",
            v.name,
            v.default_text(),
            v.meaning_text()
        ));
    }
    out
}
