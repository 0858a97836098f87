//! The one place where database errors become API errors, by the kind
//! [`crate::db::failure`] reads from them. No SQL text or driver message ever
//! reaches a client: it goes to the log via `internal`.

use crate::db::failure::{self, Constraint, Failure};
use backend_api::{ApiError, ErrorCode};

pub fn db_error(e: sqlx::Error) -> ApiError {
    // What the log gets: PostgreSQL's own message, or the driver's error.
    let detail = match &e {
        sqlx::Error::Database(db) => db.message().to_owned(),
        other => other.to_string(),
    };
    let conflict = |code, message: &str| ApiError::new(code, message).with_internal(&detail);
    match failure::classify(&e) {
        Failure::Unavailable => ApiError::unavailable("database unavailable").with_internal(e),
        Failure::Violates(Constraint::OrgSlug) => conflict(
            ErrorCode::OrgSlugConflict,
            "another organization already uses this slug",
        ),
        // The database's own last-owner rule (V010), behind the handler's
        // check.
        Failure::Violates(Constraint::LastOwner) => conflict(
            ErrorCode::LastOwner,
            "an organization must keep at least one owner",
        ),
        Failure::Violates(Constraint::MemberUser) => {
            conflict(ErrorCode::UserNotFound, "no such user")
        }
        Failure::Violates(Constraint::ProjectSlug) => conflict(
            ErrorCode::ProjectSlugConflict,
            "another project of this organization already uses this slug",
        ),
        // Guest sign-in draws another name before it gets here.
        Failure::Violates(Constraint::Username) => ApiError::internal(e),
        Failure::Unstorable => conflict(
            ErrorCode::ValidationError,
            "input contains characters that cannot be stored",
        ),
        Failure::RowPolicy => ApiError::forbidden("the caller's role does not allow this change")
            .with_internal(&detail),
        Failure::Busy => ApiError::new(
            ErrorCode::ResourceBusy,
            "another change of this resource is in progress; retry shortly",
        )
        .with_retry_after(1)
        .with_internal(&detail),
        Failure::TimedOut => {
            ApiError::unavailable("the database did not answer in time").with_internal(&detail)
        }
        Failure::Other => ApiError::internal(e),
    }
}
