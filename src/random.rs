//! The only source of randomness in edge-sso.
//!
//! Natively this is the operating system's CSPRNG; in WebAssembly it is the
//! host's `crypto.getRandomValues` (browsers, Node 20+, workerd, Deno). There is
//! deliberately no fallback: without a secure source every call fails with
//! [`Error::RandomUnavailable`] rather than producing guessable values.


use crate::b64url;
use crate::error::{Error, Result};

/// Fills `buf` from the CSPRNG.
///
/// ```
/// let mut buf = [0u8; 16];
/// edge_sso::random::fill(&mut buf).unwrap();
/// ```
pub fn fill(buf: &mut [u8]) -> Result<()> {
    getrandom::fill(buf).map_err(|_| Error::RandomUnavailable)
}

/// 256 random bits as unpadded base64url (43 characters): used for `state`,
/// `nonce` and request IDs (RFC 6749 §10.10 asks for at least 128 bits).
///
/// ```
/// let s = edge_sso::random::token_256().unwrap();
/// assert_eq!(s.len(), 43);
/// ```
pub fn token_256() -> Result<String> {
    let mut bytes = [0u8; 32];
    fill(&mut bytes)?;
    Ok(b64url::encode(&bytes))
}

/// A fresh OAuth `state` value: 256 bits, base64url.
///
/// ```
/// let a = edge_sso::random_state().unwrap();
/// let b = edge_sso::random_state().unwrap();
/// assert_ne!(a, b);
/// ```
pub fn random_state() -> Result<String> {
    token_256()
}

/// A fresh OpenID Connect `nonce` value: 256 bits, base64url.
///
/// ```
/// assert_eq!(edge_sso::random_nonce().unwrap().len(), 43);
/// ```
pub fn random_nonce() -> Result<String> {
    token_256()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    use std::collections::HashSet;

    #[test]
    fn tokens_are_base64url_256_bits_and_distinct() {
        let mut seen = HashSet::new();
        for _ in 0..1000 {
            let t = token_256().unwrap();
            assert_eq!(t.len(), 43);
            assert!(t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
            assert_eq!(URL_SAFE_NO_PAD.decode(&t).unwrap().len(), 32);
            assert!(seen.insert(t));
        }
    }
}
