//! IdP certificates: read once at configuration, kept as verifying keys.
//!
//! Trust comes from configuration, not from the certificate: an expired IdP
//! certificate is still the configured key (common in practice; SAML metadata
//! is the trust anchor), and a certificate arriving inside a message is never
//! trusted. Several may be configured, for IdP key rollover.

use der::{Decode, Encode};
use sha2::{Digest, Sha256};
use spki::DecodePublicKey;
use x509_cert::Certificate;

use super::binding::base64_decode;
use super::pkcs1::{KeyProblem, RsaPublicKey};
use crate::error::{Result, SamlError};

pub use super::pkcs1::{MAX_RSA_BITS, MIN_RSA_BITS, MIN_WEAK_RSA_BITS};
/// DSA keys need a modulus `p` of at least this many bits...
pub const MIN_DSA_P_BITS: usize = 1024;
/// ...and a subgroup order `q` of at least this many.
pub const MIN_DSA_Q_BITS: usize = 160;

/// A verifying key from an IdP certificate.
#[derive(Clone, Debug)]
pub enum PublicKey {
    /// RSA (PKCS#1 v1.5 signatures).
    Rsa(RsaPublicKey),
    /// ECDSA on P-256.
    P256(p256::ecdsa::VerifyingKey),
    /// ECDSA on P-384.
    P384(p384::ecdsa::VerifyingKey),
    /// DSA (only for the legacy DSA-SHA1 algorithm).
    Dsa(dsa::VerifyingKey),
}

/// A configured IdP certificate.
#[derive(Clone, Debug)]
pub struct IdpCertificate {
    /// Its public key.
    pub key: PublicKey,
    /// SHA-256 of the certificate's DER, to match a `KeyInfo` certificate
    /// against (only ever to *select* among configured keys).
    pub sha256: [u8; 32],
    /// The certificate's DER.
    pub der: Vec<u8>,
}

impl IdpCertificate {
    /// The modulus size of an RSA key under [`MIN_RSA_BITS`] (accepted only
    /// with `allowWeakRsa`); `None` for any other key.
    pub fn weak_rsa_bits(&self) -> Option<usize> {
        match &self.key {
            PublicKey::Rsa(k) if k.bits() < MIN_RSA_BITS => Some(k.bits()),
            _ => None,
        }
    }
}

const OID_RSA: &str = "1.2.840.113549.1.1.1";
const OID_EC: &str = "1.2.840.10045.2.1";
const OID_DSA: &str = "1.2.840.10040.4.1";
const OID_P256: &str = "1.2.840.10045.3.1.7";
const OID_P384: &str = "1.3.132.0.34";

/// Which keys configuration accepts beyond the strict default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KeyPolicy {
    /// Accept RSA keys of 1024–2047 bits (`allowWeakRsa`). Below 1024 bits
    /// a key is refused regardless.
    pub allow_weak_rsa: bool,
}

/// Reads one or more certificates: PEM (one or several `BEGIN CERTIFICATE`
/// blocks) or bare base64 DER (as in metadata's `<ds:X509Certificate>`).
/// RSA keys under 2048 bits are refused (`saml.certificate.weak_rsa` for
/// 1024–2047 bits, see [`parse_certificates_with`]).
///
/// ```
/// use edge_sso::saml::keys::parse_certificates;
/// assert_eq!(parse_certificates("not a certificate").unwrap_err().code(), "saml.certificate.invalid");
/// ```
pub fn parse_certificates(text: &str) -> Result<Vec<IdpCertificate>> {
    parse_certificates_with(text, KeyPolicy::default())
}

/// [`parse_certificates`] under `policy`.
pub fn parse_certificates_with(text: &str, policy: KeyPolicy) -> Result<Vec<IdpCertificate>> {
    const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
    const END: &str = "-----END CERTIFICATE-----";
    if !text.contains(BEGIN) {
        return Ok(vec![from_der(
            base64_decode(text).map_err(|_| SamlError::CertificateInvalid)?,
            policy,
        )?]);
    }
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(BEGIN) {
        let after = rest
            .get(start + BEGIN.len()..)
            .ok_or(SamlError::CertificateInvalid)?;
        let end = after.find(END).ok_or(SamlError::CertificateInvalid)?;
        let body = after.get(..end).ok_or(SamlError::CertificateInvalid)?;
        out.push(from_der(
            base64_decode(body).map_err(|_| SamlError::CertificateInvalid)?,
            policy,
        )?);
        rest = after.get(end + END.len()..).unwrap_or("");
    }
    Ok(out)
}

fn from_der(der: Vec<u8>, policy: KeyPolicy) -> Result<IdpCertificate> {
    let cert = Certificate::from_der(&der).map_err(|_| SamlError::CertificateInvalid)?;
    let spki_der = cert
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .map_err(|_| SamlError::CertificateInvalid)?;
    let key = key_from_spki(&spki_der, policy)?;
    Ok(IdpCertificate {
        key,
        sha256: Sha256::digest(&der).into(),
        der,
    })
}

/// The verifying key of a SubjectPublicKeyInfo, with the size policy applied.
fn key_from_spki(spki_der: &[u8], policy: KeyPolicy) -> Result<PublicKey> {
    let spki = spki::SubjectPublicKeyInfoRef::from_der(spki_der)
        .map_err(|_| SamlError::CertificateInvalid)?;
    let spki_der = spki_der.to_vec();
    let unsupported = |_| SamlError::CertificateUnsupported;
    let key = match spki.algorithm.oid.to_string().as_str() {
        OID_RSA => {
            // RFC 3279 §2.3.1: the bit string holds a DER RSAPublicKey.
            let bits = spki
                .subject_public_key
                .as_bytes()
                .ok_or(SamlError::CertificateInvalid)?;
            PublicKey::Rsa(
                RsaPublicKey::from_pkcs1_der_with(bits, policy.allow_weak_rsa).map_err(
                    |p| match p {
                        KeyProblem::Malformed => SamlError::CertificateInvalid,
                        KeyProblem::Unsupported => SamlError::CertificateUnsupported,
                        KeyProblem::Weak(bits) => SamlError::WeakRsaKey {
                            bits: u16::try_from(bits).unwrap_or(u16::MAX),
                        },
                    },
                )?,
            )
        }
        OID_EC => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.decode_as::<der::asn1::ObjectIdentifier>().ok())
                .map(|o| o.to_string());
            match curve.as_deref() {
                Some(OID_P256) => PublicKey::P256(
                    p256::ecdsa::VerifyingKey::from_public_key_der(&spki_der)
                        .map_err(unsupported)?,
                ),
                Some(OID_P384) => PublicKey::P384(
                    p384::ecdsa::VerifyingKey::from_public_key_der(&spki_der)
                        .map_err(unsupported)?,
                ),
                _ => return Err(SamlError::CertificateUnsupported.into()),
            }
        }
        OID_DSA => {
            let k = dsa::VerifyingKey::from_public_key_der(&spki_der).map_err(unsupported)?;
            // FIPS 186 sizes: a small group makes DSA forgeable in a few tries.
            if k.components().p().bits() < MIN_DSA_P_BITS
                || k.components().q().bits() < MIN_DSA_Q_BITS
            {
                return Err(SamlError::CertificateUnsupported.into());
            }
            PublicKey::Dsa(k)
        }
        _ => return Err(SamlError::CertificateUnsupported.into()),
    };
    Ok(key)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use spki::EncodePublicKey;

    #[test]
    fn a_tiny_dsa_group_is_refused() {
        // p = 23, q = 11, g = 4: a valid group in which signatures are forgeable
        // by trial; OpenSSL 3 will not even generate keys this small.
        let big = |v: u32| dsa::BigUint::from(v);
        let components = dsa::Components::from_components(big(23), big(11), big(4)).unwrap();
        let key = dsa::VerifyingKey::from_components(components, big(8)).unwrap();
        let spki = key.to_public_key_der().unwrap();
        assert_eq!(
            key_from_spki(spki.as_bytes(), KeyPolicy::default())
                .unwrap_err()
                .code(),
            "saml.certificate.unsupported"
        );
    }

    #[test]
    fn garbage_spki_is_invalid() {
        assert_eq!(
            key_from_spki(&[0x30, 0x03, 0x02, 0x01, 0x01], KeyPolicy::default())
                .unwrap_err()
                .code(),
            "saml.certificate.invalid"
        );
    }
}
