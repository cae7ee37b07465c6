//! A string that must never be shown: tokens, codes, verifiers.

use alloc::string::String;

use core::fmt;
use subtle::ConstantTimeEq as _;
use zeroize::Zeroizing;

/// A secret string: zeroized when dropped, redacted in `Debug`, and with no
/// `Display`, `Clone` or serialization, so it cannot reach a log or an error
/// message by accident. The only way to read it is [`Secret::expose`], whose
/// call sites are few and reviewed.
///
/// ```
/// use edge_sso::Secret;
/// let s = Secret::new("tok-123".to_owned());
/// assert_eq!(format!("{s:?}"), "Secret(<redacted>)");
/// assert_eq!(s.expose(), "tok-123");
/// ```
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// Takes ownership of `value` (without copying it).
    pub fn new(value: String) -> Self {
        Self(Zeroizing::new(value))
    }

    /// The secret value. Every caller of this is a place a secret leaves the
    /// vault; keep them few.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Compares in constant time (for equal lengths).
    ///
    /// ```
    /// use edge_sso::Secret;
    /// assert!(Secret::new("abc".into()).ct_eq("abc"));
    /// assert!(!Secret::new("abc".into()).ct_eq("abd"));
    /// ```
    pub fn ct_eq(&self, other: &str) -> bool {
        ct_eq_str(self.expose(), other)
    }
}

/// Constant-time string equality (the length is not hidden; values are).
pub(crate) fn ct_eq_str(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}
