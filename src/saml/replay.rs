//! Where accepted assertion IDs are remembered, so that a second arrival of
//! the same assertion (a replayed POST) is refused (SAML Profiles §4.1.4.5).
//!
//! The default is each [`SamlServiceProvider`](super::sp::SamlServiceProvider)'s
//! own bounded memory, which is right for one long-lived process. Where many
//! instances serve one site (edge isolates, several servers, restarts), plug in
//! a shared store with [`SamlServiceProvider::validate_response_with`](super::sp::SamlServiceProvider::validate_response_with).

use crate::one_time::SeenStore;

/// A replay cache: an atomic "record this ID unless it is already there".
///
/// ```
/// use std::collections::HashMap;
/// use edge_sso::saml::replay::ReplayStore;
///
/// /// A map that never forgets: enough for a test, not for production.
/// struct Forever(HashMap<String, u64>);
/// impl ReplayStore for Forever {
///     fn first_sighting(&mut self, id: &str, expires_at: u64, _now: u64) -> bool {
///         self.0.insert(id.to_owned(), expires_at).is_none()
///     }
/// }
/// let mut store = Forever(HashMap::new());
/// assert!(store.first_sighting("_a1", 2_000, 1_000));
/// assert!(!store.first_sighting("_a1", 2_000, 1_500));
/// ```
pub trait ReplayStore {
    /// Records `id` until `expires_at` (ms since the epoch) and returns `true`,
    /// or returns `false` when `id` is already recorded and not yet expired.
    /// Check and record must be one atomic step, or two concurrent copies of
    /// one response could both pass.
    fn first_sighting(&mut self, id: &str, expires_at: u64, now: u64) -> bool;
}

impl ReplayStore for SeenStore {
    fn first_sighting(&mut self, id: &str, expires_at: u64, now: u64) -> bool {
        SeenStore::first_sighting(self, id, expires_at, now)
    }
}

/// A store that accepts every ID once and keeps what it was asked, for a
/// caller whose real store answers later (asynchronously): the caller must
/// then record [`Deferred::asked`] in that store and refuse the response if it
/// was already there. The wasm facade uses this for a JS store.
///
/// ```
/// use edge_sso::saml::replay::{Deferred, ReplayStore};
///
/// let mut d = Deferred::default();
/// assert!(d.first_sighting("_a1", 2_000, 1_000));
/// assert_eq!(d.asked(), Some(("_a1", 2_000)));
/// ```
#[derive(Debug, Default)]
pub struct Deferred {
    asked: Option<(String, u64)>,
}

impl Deferred {
    /// The ID and the instant it must be remembered until, once asked.
    pub fn asked(&self) -> Option<(&str, u64)> {
        self.asked.as_ref().map(|(id, until)| (id.as_str(), *until))
    }
}

impl ReplayStore for Deferred {
    fn first_sighting(&mut self, id: &str, expires_at: u64, _now: u64) -> bool {
        self.asked = Some((id.to_owned(), expires_at));
        true
    }
}
