//! One-time, expiring, bounded memory of things a later step must find
//! exactly once: OAuth `state`s (with their PKCE verifier and nonce) and SAML
//! AuthnRequest IDs.
//!
//! Keys are compared in constant time and the scan does not stop at a match.
//! A small memory of *retired* keys (kept as SHA-256 digests, never the
//! values) lets a second use or a late arrival get a precise error instead of
//! a generic "unknown".

#[cfg(feature = "saml")]
use alloc::collections::{BTreeMap, BTreeSet};
use alloc::string::String;
use alloc::vec::Vec;

use crate::secret::ct_eq_str;

/// How many entries may be pending at once (oldest evicted first).
pub const MAX_PENDING: usize = 128;
const MAX_RETIRED: usize = 64;

/// Why [`OneTimeStore::take`] found nothing usable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Miss {
    /// Never issued here (or long forgotten).
    Unknown,
    /// Already taken once.
    Reused,
    /// Issued, but expired (or evicted) before it was taken.
    Expired,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Retired {
    Used,
    Expired,
}

#[derive(Debug)]
struct Entry<V> {
    key: String,
    value: V,
    expires_at: u64,
}

/// The store. `V` is whatever must come back with the key.
#[derive(Debug)]
pub(crate) struct OneTimeStore<V> {
    /// Oldest first.
    entries: Vec<Entry<V>>,
    /// Oldest first, at most [`MAX_RETIRED`]. A `Vec` rather than a
    /// `VecDeque`: shifting 64 digests is nothing, and the OAuth-only module
    /// then carries no `VecDeque` code at all.
    retired: Vec<([u8; 32], Retired)>,
}

impl<V> Default for OneTimeStore<V> {
    fn default() -> Self {
        Self {
            entries: Vec::new(),
            retired: Vec::new(),
        }
    }
}

fn digest(key: &str) -> [u8; 32] {
    crate::sha256::digest(key.as_bytes())
}

impl<V> OneTimeStore<V> {
    pub fn insert(&mut self, key: String, value: V, expires_at: u64, now: u64) {
        self.expire(now);
        if self.entries.len() >= MAX_PENDING {
            let old = self.entries.remove(0);
            self.retire(&old.key, Retired::Expired);
        }
        self.entries.push(Entry {
            key,
            value,
            expires_at,
        });
    }

    /// Takes the value stored under `key`, once.
    pub fn take(&mut self, key: &str, now: u64) -> Result<V, Miss> {
        let Some(i) = self.position(key) else {
            return Err(self.retired_miss(key));
        };
        let entry = self.entries.remove(i);
        if now >= entry.expires_at {
            self.retire(&entry.key, Retired::Expired);
            return Err(Miss::Expired);
        }
        self.retire(&entry.key, Retired::Used);
        Ok(entry.value)
    }

    /// What [`take`](Self::take) would answer now, without taking anything.
    #[cfg(feature = "saml")]
    pub fn peek(&self, key: &str, now: u64) -> Result<(), Miss> {
        match self.position(key).and_then(|i| self.entries.get(i)) {
            Some(e) if now < e.expires_at => Ok(()),
            Some(_) => Err(Miss::Expired),
            None => Err(self.retired_miss(key)),
        }
    }

    /// The index of `key`, scanning every entry in constant time per entry.
    fn position(&self, key: &str) -> Option<usize> {
        let mut found = None;
        for (i, e) in self.entries.iter().enumerate() {
            if ct_eq_str(&e.key, key) {
                found = Some(i);
            }
        }
        found
    }

    fn retired_miss(&self, key: &str) -> Miss {
        let d = digest(key);
        match self.retired.iter().find(|(r, _)| *r == d) {
            Some((_, Retired::Used)) => Miss::Reused,
            Some((_, Retired::Expired)) => Miss::Expired,
            None => Miss::Unknown,
        }
    }

    /// Records `key` as used when the caller carried it (stateless mode), so
    /// a second use on this instance is still caught.
    pub fn mark_used(&mut self, key: &str) {
        self.entries.retain(|e| !ct_eq_str(&e.key, key));
        self.retire(key, Retired::Used);
    }

    pub fn was_used(&self, key: &str) -> bool {
        let d = digest(key);
        self.retired
            .iter()
            .any(|(r, how)| *r == d && *how == Retired::Used)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// Retires every expired entry, oldest first.
    fn expire(&mut self, now: u64) {
        while let Some(i) = self.entries.iter().position(|e| now >= e.expires_at) {
            let e = self.entries.remove(i);
            self.retire(&e.key, Retired::Expired);
        }
    }

    fn retire(&mut self, key: &str, how: Retired) {
        if self.retired.len() >= MAX_RETIRED {
            self.retired.remove(0);
        }
        self.retired.push((digest(key), how));
    }
}

/// How many accepted message IDs one SP remembers by default.
#[cfg(feature = "saml")]
pub const DEFAULT_SEEN_CAPACITY: usize = 10_000;
/// The largest capacity a [`SeenStore`] may be given (about 100 bytes an
/// entry: 100 MB at this bound, which no edge isolate has to spare).
#[cfg(feature = "saml")]
pub const MAX_SEEN_CAPACITY: usize = 1_000_000;

/// Why [`SeenStore::first_sighting`] did not record an ID.
#[cfg(feature = "saml")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NotRecorded {
    /// Already recorded and not yet expired: a replay.
    Seen,
    /// Every slot holds an unexpired ID. Forgetting one would let its replay
    /// through, so nothing is recorded and the caller must refuse.
    Full,
}

/// IDs already accepted, each until its own expiry: a second arrival of the
/// same ID is a replay. Bounded by a capacity, and never by forgetting: an
/// unexpired ID is only dropped once it has expired, so when every slot holds
/// one, a new ID is refused ([`NotRecorded::Full`]) rather than evicting one.
///
/// IDs are kept as SHA-256 digests. Both lookups are ordered maps, so a
/// sighting costs O(log n) plus the expired entries it prunes.
#[cfg(feature = "saml")]
#[derive(Debug)]
pub(crate) struct SeenStore {
    capacity: usize,
    /// Digest to expiry.
    by_id: BTreeMap<[u8; 32], u64>,
    /// (expiry, digest), soonest first: what to prune.
    by_expiry: BTreeSet<(u64, [u8; 32])>,
}

#[cfg(feature = "saml")]
impl Default for SeenStore {
    fn default() -> Self {
        Self::with_capacity(DEFAULT_SEEN_CAPACITY)
    }
}

#[cfg(feature = "saml")]
impl SeenStore {
    /// A store for at most `capacity` unexpired IDs (the caller checks the
    /// bounds, see [`MAX_SEEN_CAPACITY`]).
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            capacity,
            by_id: BTreeMap::new(),
            by_expiry: BTreeSet::new(),
        }
    }

    /// Records `id` until `expires_at`, unless it is already recorded (a
    /// replay) or the store is full of unexpired IDs.
    pub fn first_sighting(
        &mut self,
        id: &str,
        expires_at: u64,
        now: u64,
    ) -> Result<(), NotRecorded> {
        self.prune(now);
        let d = digest(id);
        if self.by_id.contains_key(&d) {
            return Err(NotRecorded::Seen);
        }
        if self.by_id.len() >= self.capacity {
            return Err(NotRecorded::Full);
        }
        self.insert(d, expires_at);
        Ok(())
    }

    fn insert(&mut self, d: [u8; 32], expires_at: u64) {
        self.by_id.insert(d, expires_at);
        self.by_expiry.insert((expires_at, d));
    }

    /// Records `id` until `expires_at` even when the store is at capacity
    /// (the caller checked [`has_room`](Self::has_room) before starting work
    /// that must not be lost); `false` when it was already recorded.
    pub fn record_past_capacity(&mut self, id: &str, expires_at: u64, now: u64) -> bool {
        self.prune(now);
        let d = digest(id);
        if self.by_id.contains_key(&d) {
            return false;
        }
        self.insert(d, expires_at);
        true
    }

    /// Whether `id` is recorded and unexpired at `now`.
    pub fn contains(&self, id: &str, now: u64) -> bool {
        self.by_id
            .get(&digest(id))
            .is_some_and(|until| *until > now)
    }

    /// Whether one more ID would fit at `now` (expired ones pruned first).
    pub fn has_room(&mut self, now: u64) -> bool {
        self.prune(now);
        self.by_id.len() < self.capacity
    }

    /// How many IDs are held (expired ones included until the next prune).
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// Drops every ID whose expiry is at or before `now`.
    fn prune(&mut self, now: u64) {
        while let Some(&(until, d)) = self.by_expiry.first() {
            if until > now {
                break;
            }
            self.by_expiry.pop_first();
            self.by_id.remove(&d);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn store_with(keys: &[&str]) -> OneTimeStore<u32> {
        let mut s = OneTimeStore::default();
        for (i, k) in keys.iter().enumerate() {
            s.insert((*k).to_owned(), i as u32, 1000, 0);
        }
        s
    }

    #[test]
    fn take_is_one_time() {
        let mut s = store_with(&["a"]);
        assert_eq!(s.take("a", 1).unwrap(), 0);
        assert_eq!(s.take("a", 2).unwrap_err(), Miss::Reused);
        assert_eq!(s.take("b", 2).unwrap_err(), Miss::Unknown);
    }

    #[test]
    fn expired_entries_are_refused_even_after_pruning() {
        let mut s = store_with(&["a"]);
        assert_eq!(s.take("a", 1000).unwrap_err(), Miss::Expired);
        s.insert("b".into(), 1, 1000, 0);
        s.insert("c".into(), 2, 6000, 5000); // prunes b
        assert_eq!(s.len(), 1);
        assert_eq!(s.take("b", 5001).unwrap_err(), Miss::Expired);
    }

    #[test]
    fn bounded_and_oldest_evicted() {
        let keys: Vec<String> = (0..MAX_PENDING + 3).map(|i| format!("s{i}")).collect();
        let mut s = store_with(&keys.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(s.len(), MAX_PENDING);
        assert_eq!(s.take("s0", 1).unwrap_err(), Miss::Expired);
        assert!(s.take(&format!("s{}", MAX_PENDING + 2), 1).is_ok());
    }

    #[test]
    fn prefix_of_a_key_does_not_match() {
        let mut s = store_with(&["abcdef"]);
        assert_eq!(s.take("abcde", 1).unwrap_err(), Miss::Unknown);
        assert_eq!(s.take("abcdefg", 1).unwrap_err(), Miss::Unknown);
        assert!(s.take("abcdef", 1).is_ok());
    }

    #[cfg(feature = "saml")]
    #[test]
    fn seen_store_catches_replays_until_expiry() {
        let mut s = SeenStore::default();
        assert_eq!(s.first_sighting("m1", 100, 0), Ok(()));
        assert_eq!(s.first_sighting("m1", 100, 50), Err(NotRecorded::Seen));
        assert!(s.contains("m1", 99));
        assert!(!s.contains("m1", 100));
        assert_eq!(
            s.first_sighting("m1", 200, 100),
            Ok(()),
            "forgotten once expired"
        );
    }

    /// The rule: an unexpired ID is never forgotten to make room. More
    /// distinct IDs than the capacity: every one of the first `capacity` is
    /// still refused as a replay, and the ones past it are refused as `Full`
    /// (and not recorded) until room is made by expiry.
    #[cfg(feature = "saml")]
    #[test]
    fn seen_store_full_of_unexpired_ids_refuses_instead_of_forgetting() {
        let cap = 300;
        let mut s = SeenStore::with_capacity(cap);
        for i in 0..cap {
            assert_eq!(
                s.first_sighting(&format!("x{i}"), 10_000 + i as u64, 0),
                Ok(())
            );
        }
        for i in 0..50 {
            assert_eq!(
                s.first_sighting(&format!("y{i}"), 20_000, 1),
                Err(NotRecorded::Full)
            );
        }
        for i in 0..cap {
            assert_eq!(
                s.first_sighting(&format!("x{i}"), 10_000, 2),
                Err(NotRecorded::Seen),
                "x{i}"
            );
        }
        assert_eq!(s.len(), cap);
        // The first ten expire: exactly ten new IDs fit, and the rest still do not.
        for i in 0..10 {
            assert_eq!(s.first_sighting(&format!("y{i}"), 20_000, 10_009), Ok(()));
        }
        assert_eq!(
            s.first_sighting("y10", 20_000, 10_009),
            Err(NotRecorded::Full)
        );
        assert_eq!(
            s.first_sighting("x10", 20_000, 10_009),
            Err(NotRecorded::Seen)
        );
    }

    #[cfg(feature = "saml")]
    #[test]
    fn peek_answers_like_take_without_taking() {
        let mut s = store_with(&["a", "b"]);
        assert_eq!(s.peek("a", 1), Ok(()));
        assert_eq!(s.peek("a", 1), Ok(()), "peeking twice takes nothing");
        assert_eq!(s.peek("a", 1000), Err(Miss::Expired));
        assert_eq!(s.peek("z", 1), Err(Miss::Unknown));
        s.take("a", 1).unwrap();
        assert_eq!(s.peek("a", 1), Err(Miss::Reused));
        assert_eq!(s.take("b", 1), Ok(1));
    }

    #[test]
    fn carried_keys_are_remembered_as_used() {
        let mut s: OneTimeStore<u32> = OneTimeStore::default();
        assert!(!s.was_used("k"));
        s.mark_used("k");
        assert!(s.was_used("k"));
        assert_eq!(s.take("k", 0).unwrap_err(), Miss::Reused);
    }
}
