//! The one place where database errors become API errors. No SQL text or
//! driver message ever reaches a client: it goes to the log via `internal`.

use backend_api::{ApiError, ErrorCode};

/// PostgreSQL's `insufficient_privilege`, raised when a row fails a policy's
/// `WITH CHECK`.
const RLS_VIOLATION: &str = "42501";

/// Did an insert into `users` pick a guest name another user has? (The
/// sign-in draws again from a wider range.)
pub fn is_username_taken(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.constraint() == Some("users_username_key"))
}

pub fn db_error(e: sqlx::Error) -> ApiError {
    match &e {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed => {
            ApiError::unavailable("database unavailable").with_internal(e)
        }
        sqlx::Error::Database(db) => {
            let conflict =
                |code, message: &str| ApiError::new(code, message).with_internal(db.message());
            match db.constraint() {
                Some("organizations_slug_key") => conflict(
                    ErrorCode::OrgSlugConflict,
                    "another organization already uses this slug",
                ),
                // The database's own last-owner rule (V010), behind the
                // handler's check.
                Some("memberships_last_owner") => conflict(
                    ErrorCode::LastOwner,
                    "an organization must keep at least one owner",
                ),
                // A membership for a user that does not exist.
                Some("memberships_user_id_fkey") => {
                    ApiError::new(ErrorCode::UserNotFound, "no such user")
                        .with_internal(db.message())
                }
                Some("projects_org_id_slug_key") => conflict(
                    ErrorCode::ProjectSlugConflict,
                    "another project of this organization already uses this slug",
                ),
                // Bytes PostgreSQL cannot store (NUL); input checks stop them first.
                _ if db.code().as_deref() == Some("22021") => ApiError::new(
                    ErrorCode::ValidationError,
                    "input contains characters that cannot be stored",
                )
                .with_internal(db.message()),
                _ if db.code().as_deref() == Some(RLS_VIOLATION) => {
                    ApiError::forbidden("the caller's role does not allow this change")
                        .with_internal(db.message())
                }
                _ if db.code().as_deref().is_some_and(crate::db::session_ended) => {
                    ApiError::unavailable("database unavailable").with_internal(e)
                }
                // lock_not_available (lock_timeout), deadlock_detected,
                // serialization_failure: nothing changed; the same request
                // may well succeed a moment later.
                _ if matches!(db.code().as_deref(), Some("55P03" | "40P01" | "40001")) => {
                    ApiError::new(
                        ErrorCode::ResourceBusy,
                        "another change of this resource is in progress; retry shortly",
                    )
                    .with_retry_after(1)
                    .with_internal(db.message())
                }
                // query_canceled: statement_timeout (or a cancel request).
                _ if db.code().as_deref() == Some("57014") => {
                    ApiError::unavailable("the database did not answer in time")
                        .with_internal(db.message())
                }
                _ => ApiError::internal(e),
            }
        }
        _ => ApiError::internal(e),
    }
}
