//! This replica's copy of the live token denylist, read on every
//! authenticated request without a network round trip.
//!
//! It holds every revoked token id whose token has not expired yet (plus the
//! verification leeway), and the highest revocation sequence number read from
//! PostgreSQL, from which the next catch-up continues. Entries only ever
//! arrive (a revocation is never undone) and leave once their token would be
//! rejected as expired anyway, so a stale copy can only be missing the newest
//! revocations, which the feed bounds (docs/architecture/sessions.md).

use super::jwt::LEEWAY_SECONDS;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Mutex, RwLock};
use uuid::Uuid;

/// One revocation as PostgreSQL has it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Revoked {
    pub seq: i64,
    pub jti: Uuid,
    /// Unix seconds after which the token is expired (leeway included).
    pub until: i64,
}

#[derive(Default)]
pub struct Denylist {
    /// jti → Unix second until which it must stay denied.
    entries: RwLock<HashMap<Uuid, i64>>,
    /// The highest sequence number read from PostgreSQL.
    last_seq: AtomicI64,
    last_reconcile_at: Mutex<Option<DateTime<Utc>>>,
}

impl Denylist {
    pub fn new() -> Denylist {
        Denylist::default()
    }

    /// Is this token id revoked? The request path's only revocation check.
    pub fn is_revoked(&self, jti: &Uuid) -> bool {
        self.entries
            .read()
            .expect("denylist lock")
            .contains_key(jti)
    }

    /// Denies `jti` until `until` (Unix seconds; the later of two wins).
    pub fn insert(&self, jti: Uuid, until: i64) {
        let mut entries = self.entries.write().expect("denylist lock");
        let slot = entries.entry(jti).or_insert(until);
        *slot = (*slot).max(until);
    }

    /// Applies rows read from PostgreSQL and moves the watermark past them;
    /// returns how many were new to this replica.
    pub fn apply(&self, rows: &[Revoked]) -> usize {
        let now = Utc::now().timestamp();
        let mut added = 0;
        {
            let mut entries = self.entries.write().expect("denylist lock");
            for row in rows.iter().filter(|r| r.until >= now) {
                match entries.get_mut(&row.jti) {
                    // Known from an event already; PostgreSQL has the exact expiry.
                    Some(until) => *until = row.until,
                    None => {
                        entries.insert(row.jti, row.until);
                        added += 1;
                    }
                }
            }
        }
        if let Some(top) = rows.iter().map(|r| r.seq).max() {
            self.last_seq.fetch_max(top, Ordering::AcqRel);
        }
        added
    }

    /// Forgets entries whose tokens have expired; returns how many.
    pub fn prune(&self, now: i64) -> usize {
        let mut entries = self.entries.write().expect("denylist lock");
        let before = entries.len();
        entries.retain(|_, until| *until >= now);
        before - entries.len()
    }

    pub fn last_seq(&self) -> i64 {
        self.last_seq.load(Ordering::Acquire)
    }

    pub fn len(&self) -> usize {
        self.entries.read().expect("denylist lock").len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn touch_reconciled(&self) {
        *self.last_reconcile_at.lock().expect("denylist lock") = Some(Utc::now());
    }

    pub fn last_reconcile_at(&self) -> Option<DateTime<Utc>> {
        *self.last_reconcile_at.lock().expect("denylist lock")
    }
}

/// Until when a token that expires at `exp` must stay denied: verification
/// accepts it for [`LEEWAY_SECONDS`] after `exp`.
pub fn deny_until(exp: i64) -> i64 {
    exp.saturating_add(LEEWAY_SECONDS as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(seq: i64, until: i64) -> Revoked {
        Revoked {
            seq,
            jti: Uuid::new_v4(),
            until,
        }
    }

    #[test]
    fn rows_are_applied_once_and_move_the_watermark() {
        let list = Denylist::new();
        let later = Utc::now().timestamp() + 600;
        let (a, b) = (row(3, later), row(7, later));
        assert_eq!(list.apply(&[a, b]), 2);
        assert!(list.is_revoked(&a.jti) && list.is_revoked(&b.jti));
        assert_eq!(list.last_seq(), 7);
        assert_eq!(list.apply(&[a]), 0, "a duplicate is not new");
        assert_eq!(list.last_seq(), 7, "the watermark never goes back");
        assert!(!list.is_revoked(&Uuid::new_v4()));
    }

    #[test]
    fn expired_rows_are_skipped_and_expired_entries_pruned() {
        let list = Denylist::new();
        let now = Utc::now().timestamp();
        let gone = row(1, now - 10);
        assert_eq!(list.apply(&[gone]), 0);
        assert!(!list.is_revoked(&gone.jti));
        assert_eq!(list.last_seq(), 1, "an expired row still counts as read");
        let soon = Uuid::new_v4();
        list.insert(soon, now + 1);
        assert_eq!(list.prune(now + 2), 1);
        assert!(list.is_empty());
    }

    #[test]
    fn the_later_expiry_wins() {
        let list = Denylist::new();
        let jti = Uuid::new_v4();
        let now = Utc::now().timestamp();
        list.insert(jti, now + 100);
        list.insert(jti, now + 50);
        assert_eq!(list.prune(now + 60), 0);
        assert!(list.is_revoked(&jti));
    }
}
