//! Signature algorithms and verification with configured keys only.
//!
//! Dispatches on [`SigAlg`] to the crate's own verifiers: RSA's PKCS#1 v1.5
//! (`pkcs1`), ECDSA (`ecdsa`) and DSA (`dsa`). Failure is reported
//! as one opaque "invalid" (which key, which step is not an attacker's
//! business); the algorithm policy errors are specific because they are the
//! caller's to fix.

use sha1::Sha1;
use sha2::{Digest, Sha256, Sha384, Sha512};

use super::der;
use super::keys::{IdpCertificate, PublicKey};
use super::pkcs1::Hash;
use crate::error::{Result, SamlError};

/// A signature algorithm from its XML-DSig URI.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SigAlg {
    /// `http://www.w3.org/2000/09/xmldsig#rsa-sha1` (needs `allowSha1`)
    RsaSha1,
    /// `http://www.w3.org/2001/04/xmldsig-more#rsa-sha256`
    RsaSha256,
    /// `http://www.w3.org/2001/04/xmldsig-more#rsa-sha384`
    RsaSha384,
    /// `http://www.w3.org/2001/04/xmldsig-more#rsa-sha512`
    RsaSha512,
    /// `http://www.w3.org/2000/09/xmldsig#dsa-sha1` (needs `allowSha1`)
    DsaSha1,
    /// `http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256`
    EcdsaSha256,
    /// `http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384`
    EcdsaSha384,
    /// `http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512` (recognised, never accepted by [`SigAlg::from_uri`])
    EcdsaSha512,
}

impl SigAlg {
    /// Maps a URI to an algorithm, applying the SHA-1 policy. HMAC and
    /// anything unknown are refused.
    ///
    /// ```
    /// use edge_sso::saml::verify::SigAlg;
    /// assert_eq!(SigAlg::from_uri("http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", false).unwrap(), SigAlg::RsaSha256);
    /// assert_eq!(SigAlg::from_uri("http://www.w3.org/2000/09/xmldsig#rsa-sha1", false).unwrap_err().code(), "saml.signature.sha1_refused");
    /// assert_eq!(SigAlg::from_uri("http://www.w3.org/2000/09/xmldsig#hmac-sha1", true).unwrap_err().code(), "saml.signature.algorithm_unsupported");
    /// ```
    pub fn from_uri(uri: &str, allow_sha1: bool) -> Result<Self> {
        let alg = match uri {
            "http://www.w3.org/2000/09/xmldsig#rsa-sha1" => Self::RsaSha1,
            "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256" => Self::RsaSha256,
            "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384" => Self::RsaSha384,
            "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512" => Self::RsaSha512,
            "http://www.w3.org/2000/09/xmldsig#dsa-sha1" => Self::DsaSha1,
            "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256" => Self::EcdsaSha256,
            "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384" => Self::EcdsaSha384,
            // The accepted ECDSA algorithms are ECDSA-SHA256/384; SHA-512 with
            // ECDSA is outside them, so it is refused like any unlisted algorithm.
            _ => return Err(SamlError::AlgorithmUnsupported.into()),
        };
        if alg.is_sha1() && !allow_sha1 {
            return Err(SamlError::Sha1Refused.into());
        }
        Ok(alg)
    }

    /// The algorithm's URI.
    pub fn uri(self) -> &'static str {
        match self {
            Self::RsaSha1 => "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
            Self::RsaSha256 => "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
            Self::RsaSha384 => "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384",
            Self::RsaSha512 => "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512",
            Self::DsaSha1 => "http://www.w3.org/2000/09/xmldsig#dsa-sha1",
            Self::EcdsaSha256 => "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
            Self::EcdsaSha384 => "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384",
            Self::EcdsaSha512 => "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512",
        }
    }

    fn is_sha1(self) -> bool {
        matches!(self, Self::RsaSha1 | Self::DsaSha1)
    }

    fn fits(self, key: &PublicKey) -> bool {
        match key {
            PublicKey::Rsa(_) => matches!(
                self,
                Self::RsaSha1 | Self::RsaSha256 | Self::RsaSha384 | Self::RsaSha512
            ),
            PublicKey::Ec(_) => {
                matches!(
                    self,
                    Self::EcdsaSha256 | Self::EcdsaSha384 | Self::EcdsaSha512
                )
            }
            PublicKey::Dsa(_) => self == Self::DsaSha1,
        }
    }

    fn ec_digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            Self::EcdsaSha384 => Sha384::digest(data).to_vec(),
            Self::EcdsaSha512 => Sha512::digest(data).to_vec(),
            _ => Sha256::digest(data).to_vec(),
        }
    }
}

/// Verifies `sig` over `data` with the first configured certificate whose
/// key fits `alg` and verifies; every fitting key is tried (key rollover).
pub fn verify_with_any<'c>(
    certs: impl IntoIterator<Item = &'c IdpCertificate>,
    alg: SigAlg,
    data: &[u8],
    sig: &[u8],
) -> Result<()> {
    let mut fitting = certs.into_iter().filter(|c| alg.fits(&c.key)).peekable();
    if fitting.peek().is_none() {
        return Err(SamlError::NoMatchingKey.into());
    }
    if fitting.any(|c| verify_one(&c.key, alg, data, sig)) {
        Ok(())
    } else {
        Err(SamlError::SignatureInvalid.into())
    }
}

fn verify_one(key: &PublicKey, alg: SigAlg, data: &[u8], sig: &[u8]) -> bool {
    match key {
        PublicKey::Rsa(k) => match alg {
            SigAlg::RsaSha1 => k.verify(Hash::Sha1, &Sha1::digest(data), sig),
            SigAlg::RsaSha256 => k.verify(Hash::Sha256, &Sha256::digest(data), sig),
            SigAlg::RsaSha384 => k.verify(Hash::Sha384, &Sha384::digest(data), sig),
            SigAlg::RsaSha512 => k.verify(Hash::Sha512, &Sha512::digest(data), sig),
            _ => false,
        },
        // XML-DSig encodes ECDSA as r‖s (RFC 4051); OpenSSL-based signers
        // often send DER. Both encode the same (r, s); either is checked.
        PublicKey::Ec(k) => {
            let digest = alg.ec_digest(data);
            either_encoding(sig, k.curve().byte_len(), |r, s| k.verify(&digest, r, s))
        }
        // DSA-SHA1 in XML-DSig is r‖s, each q's size (20 bytes for the
        // 160-bit q of RFC 3275 §6.4.1); DER also accepted.
        PublicKey::Dsa(k) => {
            let digest = Sha1::digest(data);
            either_encoding(sig, k.q_byte_len(), |r, s| k.verify(&digest, r, s))
        }
    }
}

/// `verify(r, s)` with the signature read as r ‖ s (`size` bytes each) if
/// it has that length, then as a DER `SEQUENCE { r, s }`: a DER signature
/// of exactly that length is rare but possible, and both forms are
/// encodings the key's owner made.
pub(crate) fn either_encoding(
    sig: &[u8],
    size: usize,
    verify: impl Fn(&[u8], &[u8]) -> bool,
) -> bool {
    if sig.len() == 2 * size {
        let (r, s) = sig.split_at(size);
        if verify(r, s) {
            return true;
        }
    }
    der::signature_pair(sig).is_some_and(|(r, s)| verify(r, s))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn uri_round_trip_for_every_algorithm() {
        for alg in [
            SigAlg::RsaSha1,
            SigAlg::RsaSha256,
            SigAlg::RsaSha384,
            SigAlg::RsaSha512,
            SigAlg::DsaSha1,
            SigAlg::EcdsaSha256,
            SigAlg::EcdsaSha384,
        ] {
            assert_eq!(SigAlg::from_uri(alg.uri(), true).unwrap(), alg);
        }
        assert!(SigAlg::from_uri("http://www.w3.org/2000/09/xmldsig#dsa-sha1", false).is_err());
        assert!(SigAlg::from_uri("", true).is_err());
        assert_eq!(
            SigAlg::from_uri(SigAlg::EcdsaSha512.uri(), true)
                .unwrap_err()
                .code(),
            "saml.signature.algorithm_unsupported"
        );
    }

    #[test]
    fn no_certificates_means_no_matching_key() {
        assert_eq!(
            verify_with_any(&[] as &[IdpCertificate], SigAlg::RsaSha256, b"x", b"y")
                .unwrap_err()
                .code(),
            "saml.signature.no_matching_key"
        );
    }
}
