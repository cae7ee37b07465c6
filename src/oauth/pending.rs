//! Pending authorizations: what must survive from "start login" to "callback".
//!
//! Entries are one-time (taken out on use), expire, and are bounded in number.
//! A small memory of *retired* states (kept as SHA-256 digests, never the
//! values) lets a second use or a late callback get a precise error instead of
//! a generic mismatch.

use sha2::{Digest, Sha256};
use std::collections::VecDeque;

use super::pkce::CodeVerifier;
use crate::error::CallbackError;
use crate::secret::ct_eq_str;

/// How many authorizations may be pending at once (oldest evicted first).
pub const MAX_PENDING: usize = 16;
const MAX_RETIRED: usize = 64;

/// One authorization started by [`super::OAuthClient::authorize`].
#[derive(Debug)]
pub(crate) struct PendingAuthorization {
    pub state: String,
    pub verifier: CodeVerifier,
    pub nonce: Option<String>,
    pub expires_at: u64,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Retired {
    Used,
    Expired,
}

/// The in-memory store of pending authorizations.
#[derive(Debug, Default)]
pub(crate) struct PendingStore {
    entries: Vec<PendingAuthorization>,
    retired: VecDeque<([u8; 32], Retired)>,
}

impl PendingStore {
    pub fn insert(&mut self, entry: PendingAuthorization, now: u64) {
        self.expire(now);
        if self.entries.len() >= MAX_PENDING {
            let old = self.entries.remove(0);
            self.retire(&old.state, Retired::Expired);
        }
        self.entries.push(entry);
    }

    /// Takes the entry whose state equals `state`. Every entry is compared in
    /// constant time and the scan does not stop at a match, so timing does not
    /// reveal how much of a guess was right.
    pub fn take(&mut self, state: &str, now: u64) -> Result<PendingAuthorization, CallbackError> {
        let mut found = None;
        for (i, e) in self.entries.iter().enumerate() {
            if ct_eq_str(&e.state, state) {
                found = Some(i);
            }
        }
        if let Some(i) = found {
            let entry = self.entries.remove(i);
            if now >= entry.expires_at {
                self.retire(&entry.state, Retired::Expired);
                return Err(CallbackError::StateExpired);
            }
            self.retire(&entry.state, Retired::Used);
            return Ok(entry);
        }
        let digest: [u8; 32] = Sha256::digest(state.as_bytes()).into();
        match self.retired.iter().find(|(d, _)| *d == digest) {
            Some((_, Retired::Used)) => Err(CallbackError::StateReused),
            Some((_, Retired::Expired)) => Err(CallbackError::StateExpired),
            None => Err(CallbackError::StateMismatch),
        }
    }

    /// Marks a state as used when the caller carried it (stateless mode), so a
    /// second callback with it on this instance is still caught.
    pub fn mark_used(&mut self, state: &str) {
        self.entries.retain(|e| !ct_eq_str(&e.state, state));
        self.retire(state, Retired::Used);
    }

    pub fn was_used(&self, state: &str) -> bool {
        let digest: [u8; 32] = Sha256::digest(state.as_bytes()).into();
        self.retired.iter().any(|(d, r)| *d == digest && *r == Retired::Used)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }

    fn expire(&mut self, now: u64) {
        let (expired, live): (Vec<_>, Vec<_>) =
            core::mem::take(&mut self.entries).into_iter().partition(|e| now >= e.expires_at);
        self.entries = live;
        for e in expired {
            self.retire(&e.state, Retired::Expired);
        }
    }

    fn retire(&mut self, state: &str, how: Retired) {
        if self.retired.len() >= MAX_RETIRED {
            self.retired.pop_front();
        }
        self.retired.push_back((Sha256::digest(state.as_bytes()).into(), how));
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn entry(state: &str, now: u64) -> PendingAuthorization {
        PendingAuthorization {
            state: state.into(),
            verifier: CodeVerifier::generate(43).unwrap(),
            nonce: None,
            expires_at: now + 1000,
        }
    }

    #[test]
    fn take_is_one_time() {
        let mut s = PendingStore::default();
        s.insert(entry("a", 0), 0);
        assert!(s.take("a", 1).is_ok());
        assert_eq!(s.take("a", 2).unwrap_err(), CallbackError::StateReused);
        assert_eq!(s.take("b", 2).unwrap_err(), CallbackError::StateMismatch);
    }

    #[test]
    fn expired_entries_are_refused_even_after_pruning() {
        let mut s = PendingStore::default();
        s.insert(entry("a", 0), 0);
        assert_eq!(s.take("a", 1000).unwrap_err(), CallbackError::StateExpired);
        s.insert(entry("b", 0), 0);
        s.insert(entry("c", 5000), 5000); // prunes b
        assert_eq!(s.len(), 1);
        assert_eq!(s.take("b", 5001).unwrap_err(), CallbackError::StateExpired);
    }

    #[test]
    fn bounded_and_oldest_evicted() {
        let mut s = PendingStore::default();
        for i in 0..(MAX_PENDING + 3) {
            s.insert(entry(&format!("s{i}"), 0), 0);
        }
        assert_eq!(s.len(), MAX_PENDING);
        assert_eq!(s.take("s0", 1).unwrap_err(), CallbackError::StateExpired);
        assert!(s.take(&format!("s{}", MAX_PENDING + 2), 1).is_ok());
    }

    #[test]
    fn prefix_of_a_state_does_not_match() {
        let mut s = PendingStore::default();
        s.insert(entry("abcdef", 0), 0);
        assert_eq!(s.take("abcde", 1).unwrap_err(), CallbackError::StateMismatch);
        assert_eq!(s.take("abcdefg", 1).unwrap_err(), CallbackError::StateMismatch);
        assert!(s.take("abcdef", 1).is_ok());
    }
}
