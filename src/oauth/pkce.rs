//! PKCE (RFC 7636), `S256` only.

use alloc::borrow::ToOwned;
use alloc::string::String;

use core::fmt;

use crate::b64url;
use crate::error::{Error, Result};
use crate::random;
use crate::secret::Secret;

/// The shortest verifier RFC 7636 §4.1 allows.
pub const VERIFIER_MIN_LEN: usize = 43;
/// The longest verifier RFC 7636 §4.1 allows.
pub const VERIFIER_MAX_LEN: usize = 128;
/// The length [`CodeVerifier::generate`] uses by default (384 bits of entropy).
pub const VERIFIER_DEFAULT_LEN: usize = 64;

/// A PKCE code verifier: 43–128 characters of `[A-Za-z0-9-._~]`.
///
/// It can only be made by generating one or by checking a caller's string
/// against the grammar, so a `CodeVerifier` in hand is always valid. It is
/// zeroized on drop and redacted in `Debug`.
///
/// ```
/// use edge_sso::oauth::CodeVerifier;
/// let v = CodeVerifier::parse("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").unwrap();
/// assert_eq!(v.challenge().as_str(), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
/// assert!(CodeVerifier::parse("too-short").is_err());
/// ```
pub struct CodeVerifier(Secret);

impl CodeVerifier {
    /// A new verifier of `len` characters from the CSPRNG.
    ///
    /// The characters are base64url (a subset of the allowed set), so each
    /// carries 6 bits: 43 characters already exceed 256 bits.
    ///
    /// ```
    /// use edge_sso::oauth::CodeVerifier;
    /// let v = CodeVerifier::generate(64).unwrap();
    /// assert_eq!(v.expose().len(), 64);
    /// assert!(CodeVerifier::generate(42).is_err());
    /// ```
    pub fn generate(len: usize) -> Result<Self> {
        if !(VERIFIER_MIN_LEN..=VERIFIER_MAX_LEN).contains(&len) {
            return Err(Error::InvalidArgument {
                field: "length",
                reason: "a code verifier has 43 to 128 characters",
            });
        }
        let mut bytes = [0u8; 96]; // 96 bytes -> 128 base64 characters
        let needed = len.div_ceil(4) * 3;
        let buf = bytes.get_mut(..needed).ok_or(Error::InvalidArgument {
            field: "length",
            reason: "a code verifier has 43 to 128 characters",
        })?;
        random::fill(buf)?;
        let mut text = b64url::encode(buf);
        zeroize::Zeroize::zeroize(&mut bytes);
        text.truncate(len);
        Ok(Self(Secret::new(text)))
    }

    /// Accepts a verifier handed back by a caller (for example one carried in
    /// a cookie across a redirect), after checking RFC 7636 §4.1.
    pub fn parse(s: &str) -> Result<Self> {
        let ok = (VERIFIER_MIN_LEN..=VERIFIER_MAX_LEN).contains(&s.len())
            && crate::ascii::all(s.as_bytes(), |b| {
                b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
            });
        if ok {
            Ok(Self(Secret::new(s.to_owned())))
        } else {
            Err(Error::PkceVerifierInvalid)
        }
    }

    /// `BASE64URL(SHA256(ASCII(verifier)))`.
    pub fn challenge(&self) -> CodeChallenge {
        CodeChallenge(b64url::encode(&crate::sha256::digest(
            self.expose().as_bytes(),
        )))
    }

    /// The verifier text, for the token request or for the caller to carry.
    pub fn expose(&self) -> &str {
        self.0.expose()
    }
}

impl fmt::Debug for CodeVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CodeVerifier(<redacted>)")
    }
}

/// An `S256` code challenge (public: it is sent in the authorization URL).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeChallenge(String);

impl CodeChallenge {
    /// The challenge text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The method, always `S256`.
    pub fn method(&self) -> &'static str {
        "S256"
    }
}

/// Checks a requested PKCE method: `S256` is the only one accepted; `plain`
/// gets its own error because it is a downgrade, not a typo.
///
/// ```
/// use edge_sso::oauth::pkce::check_method;
/// assert!(check_method("S256").is_ok());
/// assert_eq!(check_method("plain").unwrap_err().code(), "pkce.plain_refused");
/// assert_eq!(check_method("s256").unwrap_err().code(), "arg.invalid");
/// ```
pub fn check_method(method: &str) -> Result<()> {
    match method {
        "S256" => Ok(()),
        "plain" => Err(Error::PkcePlainRefused),
        _ => Err(Error::InvalidArgument {
            field: "codeChallengeMethod",
            reason: "only S256 is supported",
        }),
    }
}

/// A verifier and its challenge.
///
/// ```
/// let p = edge_sso::create_pkce(None).unwrap();
/// assert_eq!(p.verifier.challenge(), p.challenge);
/// ```
#[derive(Debug)]
pub struct PkcePair {
    /// The secret half, kept by the client until the token request.
    pub verifier: CodeVerifier,
    /// The public half, sent in the authorization request.
    pub challenge: CodeChallenge,
}

/// Generates a PKCE pair; `length` defaults to 64 characters.
pub fn create_pkce(length: Option<usize>) -> Result<PkcePair> {
    let verifier = CodeVerifier::generate(length.unwrap_or(VERIFIER_DEFAULT_LEN))?;
    let challenge = verifier.challenge();
    Ok(PkcePair {
        verifier,
        challenge,
    })
}

/// The `S256` challenge of a caller-supplied verifier (checked first).
///
/// ```
/// let c = edge_sso::pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").unwrap();
/// assert_eq!(c.as_str(), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
/// ```
pub fn pkce_challenge(verifier: &str) -> Result<CodeChallenge> {
    Ok(CodeVerifier::parse(verifier)?.challenge())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn rfc7636_appendix_b_vector() {
        let c = pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").unwrap();
        assert_eq!(c.as_str(), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
        assert_eq!(c.method(), "S256");
    }

    #[test]
    fn generated_verifiers_have_every_allowed_length_and_only_allowed_chars() {
        for len in VERIFIER_MIN_LEN..=VERIFIER_MAX_LEN {
            let v = CodeVerifier::generate(len).unwrap();
            assert_eq!(v.expose().len(), len);
            assert!(CodeVerifier::parse(v.expose()).is_ok());
        }
        assert_eq!(create_pkce(None).unwrap().verifier.expose().len(), 64);
    }

    #[test]
    fn rejects_lengths_outside_43_to_128() {
        assert!(CodeVerifier::generate(42).is_err());
        assert!(CodeVerifier::generate(129).is_err());
        assert!(CodeVerifier::generate(0).is_err());
        assert_eq!(
            CodeVerifier::parse(&"a".repeat(42)).unwrap_err(),
            Error::PkceVerifierInvalid
        );
        assert_eq!(
            CodeVerifier::parse(&"a".repeat(129)).unwrap_err(),
            Error::PkceVerifierInvalid
        );
        assert!(CodeVerifier::parse(&"a".repeat(43)).is_ok());
        assert!(CodeVerifier::parse(&"a".repeat(128)).is_ok());
    }

    #[test]
    fn rejects_characters_outside_the_grammar() {
        let base = "a".repeat(42);
        for c in ['+', '/', '=', ' ', '%', '\u{e9}', '\n'] {
            assert!(CodeVerifier::parse(&format!("{base}{c}")).is_err(), "{c:?}");
        }
        for c in ['-', '.', '_', '~'] {
            assert!(CodeVerifier::parse(&format!("{base}{c}")).is_ok(), "{c:?}");
        }
    }

    #[test]
    fn plain_is_refused() {
        assert_eq!(check_method("plain").unwrap_err(), Error::PkcePlainRefused);
    }

    #[test]
    fn debug_never_shows_the_verifier() {
        let v = CodeVerifier::generate(43).unwrap();
        assert!(!format!("{v:?}").contains(v.expose()));
        let p = create_pkce(None).unwrap();
        assert!(!format!("{p:?}").contains(p.verifier.expose()));
    }
}
