use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One configuration entry. PostgreSQL holds it; every replica caches it.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ConfigEntry {
    pub service: String,
    pub key: String,
    pub value: String,
    /// Starts at 1; every write adds 1.
    pub version: i64,
    pub updated_at: DateTime<Utc>,
}

/// One change in a key's audit history.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ConfigChange {
    pub version: i64,
    /// `null` for the write that created the key.
    pub old_value: Option<String>,
    pub new_value: String,
    /// Subject of the admin token that wrote it, e.g. `admin:ops`.
    pub changed_by: String,
    pub changed_at: DateTime<Utc>,
    pub reason: Option<String>,
}

/// Body of `PUT /api/v1/configs/{key}`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PutConfig {
    /// At most 4096 characters, no NUL; known keys have their own rules
    /// (`LOG_LEVEL`: trace, debug, info, warn or error).
    #[schemars(length(max = 4096), regex(pattern = r"^[^\u0000]*$"))]
    pub value: String,
    /// Why the change is made; kept in the history (at most 500 characters, no NUL).
    #[serde(default)]
    #[schemars(length(max = 500), regex(pattern = r"^[^\u0000]*$"))]
    pub reason: Option<String>,
}

/// `{key}` of a config entry.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
pub struct ConfigPath {
    /// 1–64 characters: letters, digits, `_`, `.` or `-`, starting with a letter.
    #[schemars(regex(pattern = r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$"))]
    pub key: String,
}

/// Which service's configuration (default `backend`).
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
pub struct ServiceQuery {
    /// Service name: 1–63 lowercase letters, digits or hyphens, starting with a
    /// letter. Defaults to `backend`.
    #[schemars(regex(pattern = r"^[a-z][a-z0-9-]{0,62}$"))]
    pub service: Option<String>,
}

/// `service` plus pagination, for list endpoints.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
pub struct ConfigListQuery {
    /// Service name (default `backend`).
    #[schemars(regex(pattern = r"^[a-z][a-z0-9-]{0,62}$"))]
    pub service: Option<String>,
    /// Page size, 1–100 (default 20).
    #[schemars(range(min = 1, max = 100))]
    pub limit: Option<u32>,
    /// Rows to skip (default 0).
    #[schemars(range(min = 0, max = 4294967295u32))]
    pub offset: Option<u32>,
}

/// The first page's parameters of a cursor-paged config list (`/api/v2/`);
/// later pages keep the service their cursor names.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
pub struct ConfigScan {
    /// Service name (default `backend`).
    #[schemars(regex(pattern = r"^[a-z][a-z0-9-]{0,62}$"))]
    pub service: Option<String>,
}

/// Optional optimistic concurrency for config writes.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
pub struct IfMatchHeader {
    /// The version the caller last read (`3` or `"3"`); the write fails with
    /// 412 `VERSION_CONFLICT` if the stored version differs.
    #[serde(rename = "if-match")]
    #[schemars(regex(pattern = r#"^(W/)?"?[0-9]{1,18}"?$"#))]
    pub if_match: Option<String>,
}

/// One entry of a replica's in-memory snapshot.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct RuntimeEntry {
    pub service: String,
    pub key: String,
    pub version: i64,
    pub value: String,
}

/// Percentiles of how long change events took to be applied here, over the
/// most recent events (at most 4096), in microseconds.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct LagSummary {
    /// Events in the sample.
    pub count: u64,
    pub p50_us: u64,
    pub p99_us: u64,
    pub max_us: u64,
}

/// What this replica currently uses, and how fresh it is.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct RuntimeConfig {
    /// The replica's id (differs per process).
    pub replica_id: String,
    pub entries: Vec<RuntimeEntry>,
    /// When the snapshot was first loaded from PostgreSQL.
    pub warm_loaded_at: Option<DateTime<Utc>>,
    /// When the last change event was applied.
    pub last_event_at: Option<DateTime<Utc>>,
    /// When the last full reconcile finished.
    pub last_reconcile_at: Option<DateTime<Utc>>,
    /// Is the Redis subscriber connected and subscribed right now? While it
    /// is not, this replica polls PostgreSQL every second instead.
    pub subscriber_connected: bool,
    /// Does the Redis command client answer right now?
    pub redis_connected: bool,
    /// From the writer's commit to the entry being applied on this replica.
    pub commit_to_applied: LagSummary,
    /// From the writer's PUBLISH to the entry being applied on this replica.
    pub publish_to_applied: LagSummary,
    /// This replica's copy of the token denylist.
    pub revocations: RevocationState,
}

/// A replica's token denylist: how big, how fresh.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct RevocationState {
    /// Revoked token ids whose tokens have not expired yet.
    pub entries: u64,
    /// The highest revocation sequence number read from PostgreSQL.
    pub last_seq: i64,
    /// When the denylist last caught up with PostgreSQL.
    pub last_reconcile_at: Option<DateTime<Utc>>,
    /// From a revocation's commit on another replica to its token being
    /// denied here (by an event or a catch-up), since this replica started.
    pub commit_to_denied: LagSummary,
    /// From the revoking replica's PUBLISH to the token being denied here,
    /// for revocations that arrived as events.
    pub publish_to_denied: LagSummary,
}
