//! What a database error means: the one place that reads PostgreSQL's
//! SQLSTATEs and this schema's constraint names. `http/db_error.rs` gives
//! each kind its envelope; the read lane and the denylist catch-up ask
//! [`may_break_connection`] whether another connection may succeed.

/// The kinds of database failure the service tells apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// No connection, or the one in use broke: nothing is known to have
    /// happened; a moment later may work.
    Unavailable,
    /// A rule of the schema refused the change.
    Violates(Constraint),
    /// Bytes PostgreSQL cannot store (NUL); input checks stop them first.
    Unstorable,
    /// A row failed a policy's `WITH CHECK` (`insufficient_privilege`).
    RowPolicy,
    /// Lock timeout, deadlock or serialization failure: nothing changed, and
    /// the same request may well succeed a moment later.
    Busy,
    /// `statement_timeout` (or a cancel request).
    TimedOut,
    /// Anything else: a bug, never the caller's fault.
    Other,
}

/// The schema's rules that a request can break.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Constraint {
    /// Another organization has the slug.
    OrgSlug,
    /// Another project of the organization has the slug.
    ProjectSlug,
    /// The change would leave an organization without an owner (V010).
    LastOwner,
    /// A membership for a user that does not exist.
    MemberUser,
    /// Another user has the generated guest name.
    Username,
}

impl Constraint {
    fn named(name: &str) -> Option<Constraint> {
        Some(match name {
            "organizations_slug_key" => Constraint::OrgSlug,
            "projects_org_id_slug_key" => Constraint::ProjectSlug,
            "memberships_last_owner" => Constraint::LastOwner,
            "memberships_user_id_fkey" => Constraint::MemberUser,
            "users_username_key" => Constraint::Username,
            _ => return None,
        })
    }
}

/// `insufficient_privilege`, which a policy's `WITH CHECK` raises.
const RLS_VIOLATION: &str = "42501";
/// `character_not_in_repertoire` (a NUL byte in text).
const UNSTORABLE: &str = "22021";
/// `query_canceled`.
const CANCELED: &str = "57014";
/// `lock_not_available`, `deadlock_detected`, `serialization_failure`.
const BUSY: &[&str] = &["55P03", "40P01", "40001"];

pub fn classify(e: &sqlx::Error) -> Failure {
    match e {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed => Failure::Unavailable,
        sqlx::Error::Database(db) => {
            if let Some(constraint) = db.constraint().and_then(Constraint::named) {
                return Failure::Violates(constraint);
            }
            match db.code().as_deref() {
                Some(UNSTORABLE) => Failure::Unstorable,
                Some(RLS_VIOLATION) => Failure::RowPolicy,
                Some(code) if session_ended(code) => Failure::Unavailable,
                Some(code) if BUSY.contains(&code) => Failure::Busy,
                Some(CANCELED) => Failure::TimedOut,
                _ => Failure::Other,
            }
        }
        _ => Failure::Other,
    }
}

/// Does this SQLSTATE mean the session is gone: class 08 (connection
/// exception), or the class 57 codes that end it (`57P01` admin shutdown, e.g.
/// `pg_terminate_backend`; `57P02` crash shutdown; `57P03` cannot connect
/// now)? A cancelled statement (`57014`, e.g. `statement_timeout`) leaves the
/// session usable.
fn session_ended(sqlstate: &str) -> bool {
    sqlstate.starts_with("08") || matches!(sqlstate, "57P01" | "57P02" | "57P03")
}

/// Might this error have come from a connection that is gone (so the
/// statement never ran, or its answer was lost)? Anything but an SQL error,
/// whose protocol exchange completed normally; and the SQL errors that end
/// the session. Idempotent statements may be retried on another connection.
pub fn may_break_connection(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(db) => db.code().is_some_and(|c| session_ended(&c)),
        sqlx::Error::RowNotFound => false,
        _ => true,
    }
}
