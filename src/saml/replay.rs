//! Where accepted assertion IDs are remembered, so that a second arrival of
//! the same assertion (a replayed POST) is refused (SAML Profiles §4.1.4.5).
//!
//! The default is each [`SamlServiceProvider`](super::sp::SamlServiceProvider)'s
//! own bounded memory, which is right for one long-lived process. Where many
//! instances serve one site (edge isolates, several servers, restarts), plug in
//! a shared store with [`SamlServiceProvider::validate_response_with`](super::sp::SamlServiceProvider::validate_response_with).

use crate::error::{Result, SamlError};
use crate::one_time::{NotRecorded, SeenStore};

/// A replay cache: an atomic "record this ID unless it is already there".
///
/// ```
/// use std::collections::HashMap;
/// use edge_sso::saml::replay::ReplayStore;
///
/// /// A map that never forgets: enough for a test, not for production.
/// struct Forever(HashMap<String, u64>);
/// impl ReplayStore for Forever {
///     fn first_sighting(&mut self, id: &str, expires_at: u64, _now: u64) -> edge_sso::Result<bool> {
///         Ok(self.0.insert(id.to_owned(), expires_at).is_none())
///     }
/// }
/// let mut store = Forever(HashMap::new());
/// assert!(store.first_sighting("_a1", 2_000, 1_000).unwrap());
/// assert!(!store.first_sighting("_a1", 2_000, 1_500).unwrap());
/// ```
pub trait ReplayStore {
    /// Records `id` until `expires_at` (ms since the epoch) and answers
    /// `Ok(true)`, or answers `Ok(false)` when `id` is already recorded and
    /// not yet expired. Check and record must be one atomic step, or two
    /// concurrent copies of one response could both pass. A store that cannot
    /// answer returns an error (e.g. [`SamlError::StoreFailed`]): the
    /// response is then refused and nothing else is consumed, so it may be
    /// retried.
    fn first_sighting(&mut self, id: &str, expires_at: u64, now: u64) -> Result<bool>;
}

impl ReplayStore for SeenStore {
    fn first_sighting(&mut self, id: &str, expires_at: u64, now: u64) -> Result<bool> {
        match SeenStore::first_sighting(self, id, expires_at, now) {
            Ok(()) => Ok(true),
            Err(NotRecorded::Seen) => Ok(false),
            Err(NotRecorded::Full) => Err(SamlError::ReplayMemoryFull.into()),
        }
    }
}
