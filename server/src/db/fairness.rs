//! How much of the database one caller may hold: at most
//! `PER_USER_CONCURRENCY` requests of one user inside PostgreSQL at once, per
//! replica. Without it, one user (or a script with one token) sending many
//! slow requests, say membership changes that queue on one organization's
//! lock, holds every pooled connection while it waits, and every other tenant
//! gets 503. Over the limit a request is answered at once with 429 and
//! `Retry-After`, before it takes a connection.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use uuid::Uuid;

pub struct UserSlots {
    limit: usize,
    in_flight: Mutex<HashMap<Uuid, usize>>,
}

/// One of a user's slots, given back when dropped.
pub struct Slot {
    slots: Arc<UserSlots>,
    user: Uuid,
}

impl UserSlots {
    pub fn new(limit: usize) -> Arc<UserSlots> {
        Arc::new(UserSlots {
            limit,
            in_flight: Mutex::new(HashMap::new()),
        })
    }

    /// A slot for `user`, or `None` when all of its slots are taken.
    pub fn try_take(self: &Arc<Self>, user: Uuid) -> Option<Slot> {
        let mut in_flight = self.in_flight.lock().expect("slots lock");
        let n = in_flight.entry(user).or_insert(0);
        if *n >= self.limit {
            return None;
        }
        *n += 1;
        Some(Slot {
            slots: self.clone(),
            user,
        })
    }

    /// How many slots `user` holds now.
    pub fn held(&self, user: &Uuid) -> usize {
        self.in_flight
            .lock()
            .expect("slots lock")
            .get(user)
            .copied()
            .unwrap_or(0)
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut in_flight = self.slots.in_flight.lock().expect("slots lock");
        if let Some(n) = in_flight.get_mut(&self.user) {
            *n -= 1;
            if *n == 0 {
                in_flight.remove(&self.user);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_gets_its_limit_and_its_slots_back() {
        let slots = UserSlots::new(2);
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        let first = slots.try_take(a).unwrap();
        let _second = slots.try_take(a).unwrap();
        assert!(slots.try_take(a).is_none(), "the third waits");
        assert!(slots.try_take(b).is_some(), "another user is unaffected");
        drop(first);
        assert_eq!(slots.held(&a), 1);
        assert!(slots.try_take(a).is_some());
    }
}
