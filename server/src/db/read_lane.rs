//! A few connections kept apart for reads that are one statement in its own
//! implicit transaction: today the organization read (`app_org_read`), the
//! project lists (`app_project_page`, `app_project_page_after`) and the cursor
//! lists of the caller's organizations and of an organization's members
//! (`app_org_page_after`, `app_member_page_after`).
//!
//! sqlx's pool pings every connection it takes back (sqlx 0.9 does this
//! unconditionally), which costs one more round trip per request: for a
//! one-statement read, as much again as the read itself. After such a
//! statement the connection carries no state worth checking (no open
//! transaction; the identity was set with `set_config(.., true)` and ended with
//! the statement), so this lane, a deadpool of plain connections, takes them
//! back untested. A connection is pinged only after [`super::PING_AFTER_IDLE`],
//! and one whose statement failed in a way that may have broken it is dropped;
//! because the statement only reads, it is retried once on a fresh connection,
//! so a restarted database costs no request an error.
//!
//! Anything that writes, or needs more than one statement, uses the sqlx pool.

use crate::traces;
use deadpool::managed::{self, Metrics, Object, PoolError, RecycleResult};
use sqlx::postgres::{PgArguments, PgConnectOptions, PgRow};
use sqlx::query::QueryAs;
use sqlx::{Connection, Execute, FromRow, PgConnection, PgPool, Postgres};
use std::time::Duration;

/// How long a request may wait for a lane connection, like the pool's
/// `acquire_timeout`.
const WAIT: Duration = Duration::from_secs(3);

#[derive(Clone)]
pub struct ReadLane {
    /// `None` when the configured connection budget is too small to split:
    /// reads then use the shared pool.
    lane: Option<managed::Pool<Manager>>,
    shared: PgPool,
}

struct Manager {
    options: PgConnectOptions,
}

impl managed::Manager for Manager {
    type Type = PgConnection;
    type Error = sqlx::Error;

    async fn create(&self) -> Result<PgConnection, sqlx::Error> {
        PgConnection::connect_with(&self.options).await
    }

    async fn recycle(
        &self,
        conn: &mut PgConnection,
        metrics: &Metrics,
    ) -> RecycleResult<sqlx::Error> {
        if metrics.last_used() >= super::PING_AFTER_IDLE {
            conn.ping().await?;
        }
        Ok(())
    }
}

impl ReadLane {
    /// A lane of `size` connections, connecting lazily; `shared` serves the
    /// reads when `size` is 0.
    pub fn new(options: PgConnectOptions, size: u32, shared: PgPool) -> Self {
        let lane = (size > 0).then(|| {
            managed::Pool::builder(Manager { options })
                .max_size(size as usize)
                .wait_timeout(Some(WAIT))
                .create_timeout(Some(WAIT))
                .recycle_timeout(Some(WAIT))
                .runtime(deadpool::Runtime::Tokio1)
                .build()
                .expect("a pool with a runtime and timeouts builds")
        });
        ReadLane { lane, shared }
    }

    /// Runs a one-statement read and returns its single row. The query is
    /// built by `query`, so that it can be run a second time.
    pub async fn fetch_one<'q, O>(
        &self,
        query: impl Fn() -> QueryAs<'q, Postgres, O, PgArguments>,
    ) -> Result<O, sqlx::Error>
    where
        O: for<'r> FromRow<'r, PgRow> + Send + Unpin,
    {
        // A box, or nothing when the request is not traced: the read's future
        // stays as small as it is without spans.
        let span = traces::statement_span(|| query().sql().as_str().to_owned());
        let result = 'read: {
            let Some(lane) = &self.lane else {
                break 'read query().fetch_one(&self.shared).await;
            };
            let mut conn = match lane.get().await {
                Ok(conn) => conn,
                Err(e) => break 'read Err(pool_error(e)),
            };
            match query().fetch_one(&mut *conn).await {
                Err(e) if super::failure::may_break_connection(&e) => {
                    // Never reuse it, nor its idle siblings: what ended one
                    // session (a restart, a failover) has most likely ended
                    // them all. A read is safe to run again, on a new
                    // connection.
                    drop(Object::take(conn));
                    drop(lane.retain(|_, _| false));
                    let mut fresh = match lane.get().await {
                        Ok(conn) => conn,
                        Err(e) => break 'read Err(pool_error(e)),
                    };
                    let result = query().fetch_one(&mut *fresh).await;
                    if result
                        .as_ref()
                        .is_err_and(super::failure::may_break_connection)
                    {
                        drop(Object::take(fresh));
                    }
                    result
                }
                result => result,
            }
        };
        if let Some(span) = span {
            span.end(result.is_err());
        }
        result
    }

    /// (in use, idle, waiting, max) of the lane; `None` without one.
    pub fn status(&self) -> Option<(usize, usize, usize, usize)> {
        self.lane.as_ref().map(|lane| {
            let s = lane.status();
            (s.size - s.available, s.available, s.waiting, s.max_size)
        })
    }

    /// Closes the idle lane connections politely, then the lane.
    pub async fn close(&self) {
        if let Some(lane) = &self.lane {
            for conn in lane.retain(|_, _| false).removed {
                let _ = conn.close().await;
            }
            lane.close();
        }
    }
}

fn pool_error(e: PoolError<sqlx::Error>) -> sqlx::Error {
    match e {
        PoolError::Timeout(_) => sqlx::Error::PoolTimedOut,
        PoolError::Backend(e) => e,
        PoolError::Closed => sqlx::Error::PoolClosed,
        other => sqlx::Error::Protocol(other.to_string()),
    }
}

/// Checks that the arrays of a page read in one statement (one array per
/// column, `app_project_page` and its kin) are of one length, so that zipping
/// them cannot drop or shift a row; `function` names the statement.
pub fn same_lengths(function: &str, lengths: &[usize]) -> Result<(), sqlx::Error> {
    match lengths.split_first() {
        Some((first, rest)) if rest.iter().any(|n| n != first) => Err(sqlx::Error::Protocol(
            format!("{function} returned columns of different lengths"),
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::same_lengths;

    #[test]
    fn columns_of_one_length_pass_and_any_other_is_a_protocol_error() {
        assert!(same_lengths("f", &[]).is_ok());
        assert!(same_lengths("f", &[3, 3, 3]).is_ok());
        for uneven in [[2, 3, 3], [3, 2, 3], [3, 3, 4]] {
            let err = same_lengths("app_f", &uneven).unwrap_err();
            assert!(
                matches!(&err, sqlx::Error::Protocol(m) if m.contains("app_f")),
                "{uneven:?}: {err}"
            );
        }
    }
}
