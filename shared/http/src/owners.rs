//! Which organization owns a session, remembered by a warm function: a session's organization
//! never changes, so once read it answers the owner check of later requests without a read,
//! and a request for another organization's session is refused before anything of that
//! session's partition is read.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use gateway_domain::{OrgId, SessionId};

/// How long an owner is trusted. Neither the API nor `gatewayctl` deletes sessions; whatever
/// deletes one some day must keep its id from going to another organization for at least
/// this long, or a warm function could still hold the old owner.
pub const OWNER_TTL_MS: i64 = 60_000;
/// Bound on remembered sessions: memory stays flat whatever ids callers send.
const CAPACITY: usize = 4096;

#[derive(Default)]
pub struct SessionOwners {
    entries: Mutex<HashMap<SessionId, (OrgId, i64)>>,
}

impl SessionOwners {
    /// The owner read at most [`OWNER_TTL_MS`] ago, if any.
    pub fn get(&self, session: &SessionId, now_ms: i64) -> Option<OrgId> {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries
            .get(session)
            .filter(|(_, read_at)| now_ms - read_at < OWNER_TTL_MS)
            .map(|(org, _)| org.clone())
    }

    pub fn remember(&self, session: &SessionId, org: &OrgId, now_ms: i64) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.len() >= CAPACITY {
            entries.retain(|_, (_, read_at)| now_ms - *read_at < OWNER_TTL_MS);
        }
        if entries.len() >= CAPACITY {
            entries.clear();
        }
        entries.insert(session.clone(), (org.clone(), now_ms));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owners_are_remembered_for_their_lifetime_only() {
        let owners = SessionOwners::default();
        let session = SessionId::parse("s").unwrap();
        let org = OrgId::parse("o").unwrap();
        assert_eq!(owners.get(&session, 0), None);
        owners.remember(&session, &org, 1_000);
        assert_eq!(owners.get(&session, 1_000 + OWNER_TTL_MS - 1), Some(org));
        assert_eq!(owners.get(&session, 1_000 + OWNER_TTL_MS), None);
    }

    #[test]
    fn memory_stays_bounded() {
        let owners = SessionOwners::default();
        let org = OrgId::parse("o").unwrap();
        for i in 0..CAPACITY + 10 {
            owners.remember(&SessionId::parse(&format!("s{i}")).unwrap(), &org, 0);
        }
        assert!(owners.entries.lock().unwrap().len() <= CAPACITY);
    }
}
