//! The only way to open a transaction that touches tenant tables.
//!
//! `begin` sets the caller's identity with `set_config(.., true)` (through the
//! SQL function `app_begin`), so it lives exactly as long as the transaction
//! and never leaks to the next user of a pooled connection. Every repository
//! function takes the resulting [`TenantTx`], whose fields are private: a
//! repository call outside a tenant transaction does not compile.

use crate::db::fairness::Slot;
use crate::db::traced::{self, Traced};
use sqlx::{PgConnection, PgPool, Postgres, Transaction};
use uuid::Uuid;

/// A transaction whose identity is set. Dropping it without `commit` rolls
/// back.
pub struct TenantTx {
    tx: Transaction<'static, Postgres>,
    user_exists: bool,
    /// The caller's slot ([`crate::db::fairness`]), held as long as the
    /// transaction.
    _slot: Option<Slot>,
}

impl TenantTx {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        traced::commit(self.tx).await
    }

    /// Does the signed-in user still exist (as seen through RLS)?
    pub fn user_exists(&self) -> bool {
        self.user_exists
    }

    /// The connection, for the SQL of `repo/` and [`super::orgs`]; each
    /// statement run on it gets a span when the request is traced.
    pub(crate) fn conn(&mut self) -> Traced<&mut PgConnection> {
        Traced(&mut self.tx)
    }

    /// Keeps `slot` taken until the transaction ends.
    pub fn holding(mut self, slot: Slot) -> TenantTx {
        self._slot = Some(slot);
        self
    }
}

/// Opens a transaction acting as `user_id`. The policies show it the rows of
/// its own organizations; handlers narrow to one with their `WHERE`.
pub async fn begin(pool: &PgPool, user_id: Uuid) -> Result<TenantTx, sqlx::Error> {
    let mut tx = traced::begin(pool).await?;
    let user_exists: bool = sqlx::query_scalar("SELECT app_begin($1)")
        .bind(user_id)
        .fetch_one(Traced(&mut *tx))
        .await?;
    Ok(TenantTx {
        tx,
        user_exists,
        _slot: None,
    })
}
