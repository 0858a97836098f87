//! The only way to open a transaction that touches tenant tables.
//!
//! `begin` sets the caller's identity with `set_config(.., true)` (through the
//! SQL function `app_begin`), so it lives exactly as long as the transaction
//! and never leaks to the next user of a pooled connection. Repositories take
//! the resulting [`TenantTx`]; nothing else reads or writes tenant tables.

use sqlx::{PgPool, Postgres, Transaction};
use uuid::Uuid;

/// A transaction whose identity is set. Dropping it without `commit` rolls
/// back.
pub struct TenantTx {
    pub tx: Transaction<'static, Postgres>,
    /// Does the signed-in user still exist (as seen through RLS)?
    pub user_exists: bool,
    /// The caller's slot ([`super::fairness`]), held as long as the transaction.
    _slot: Option<super::fairness::Slot>,
}

impl TenantTx {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }

    pub fn conn(&mut self) -> &mut sqlx::PgConnection {
        &mut self.tx
    }

    /// Keeps `slot` taken until the transaction ends.
    pub fn holding(mut self, slot: super::fairness::Slot) -> TenantTx {
        self._slot = Some(slot);
        self
    }
}

/// Opens a transaction acting as `user_id`. The policies show it the rows of
/// its own organizations; handlers narrow to one with their `WHERE`.
pub async fn begin(pool: &PgPool, user_id: Uuid) -> Result<TenantTx, sqlx::Error> {
    let mut tx = {
        let _waiting = super::Waiting::new();
        pool.begin().await?
    };
    let user_exists: bool = sqlx::query_scalar("SELECT app_begin($1)")
        .bind(user_id)
        .fetch_one(&mut *tx)
        .await?;
    Ok(TenantTx {
        tx,
        user_exists,
        _slot: None,
    })
}
