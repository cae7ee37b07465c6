//! IdP certificates: read once at configuration, kept as verifying keys.
//!
//! Trust comes from configuration, not from the certificate: an expired IdP
//! certificate is still the configured key (common in practice; SAML metadata
//! is the trust anchor), and a certificate arriving inside a message is never
//! trusted. Several may be configured, for IdP key rollover.

use sha2::{Digest, Sha256};

use super::binding::base64_decode;
use super::der::{self, Reader, Spki, TAG_OID, TAG_SEQUENCE};
use super::dsa::DsaPublicKey;
use super::ecdsa::{EcPublicKey, P256, P384};
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
    /// ECDSA on P-256 or P-384 (boxed: with its precomputed table it is
    /// ten times the size of the other keys).
    Ec(Box<EcPublicKey>),
    /// DSA (only for the legacy DSA-SHA1 algorithm).
    Dsa(DsaPublicKey),
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
    let spki = der::certificate_spki(&der).ok_or(SamlError::CertificateInvalid)?;
    let key = key_from_spki(&spki, policy)?;
    Ok(IdpCertificate {
        key,
        sha256: Sha256::digest(&der).into(),
        der,
    })
}

/// The verifying key of a SubjectPublicKeyInfo, with the size policy applied.
/// A key of a known algorithm whose own encoding is wrong (a point off the
/// curve, DSA parameters that are not a group) is `unsupported`, as is an
/// algorithm or curve edge-sso does not verify with.
fn key_from_spki(spki: &Spki<'_>, policy: KeyPolicy) -> Result<PublicKey> {
    let unsupported = SamlError::CertificateUnsupported;
    let key = match spki.algorithm {
        der::OID_RSA_ENCRYPTION => {
            // RFC 3279 §2.3.1: the bit string holds a DER RSAPublicKey.
            PublicKey::Rsa(
                RsaPublicKey::from_pkcs1_der_with(spki.key, policy.allow_weak_rsa).map_err(
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
        der::OID_EC_PUBLIC_KEY => {
            // RFC 5480 §2.1.1: the parameters name the curve; the bit string
            // is the SEC 1 point.
            let curve = spki.parameters.and_then(|p| {
                let mut r = Reader::new(p);
                let oid = r.read(TAG_OID)?;
                r.finish()?;
                Some(oid)
            });
            let curve = match curve {
                Some(der::OID_P256) => &P256,
                Some(der::OID_P384) => &P384,
                _ => return Err(unsupported.into()),
            };
            PublicKey::Ec(Box::new(
                EcPublicKey::from_sec1(curve, spki.key).ok_or(unsupported)?,
            ))
        }
        der::OID_DSA => {
            // RFC 3279 §2.3.2: Dss-Parms ::= SEQUENCE { p, q, g } in the
            // parameters, the INTEGER y in the bit string.
            let key = (|| {
                let mut params = Reader::new(spki.parameters?);
                let mut pqg = Reader::new(params.read(TAG_SEQUENCE)?);
                params.finish()?;
                let (p, q, g) = (pqg.read_uint()?, pqg.read_uint()?, pqg.read_uint()?);
                pqg.finish()?;
                let mut bits = Reader::new(spki.key);
                let y = bits.read_uint()?;
                bits.finish()?;
                DsaPublicKey::new(p, q, g, y)
            })()
            .ok_or(unsupported)?;
            // FIPS 186 sizes: a small group makes DSA forgeable in a few tries.
            if key.p_bits() < MIN_DSA_P_BITS || key.q_bits() < MIN_DSA_Q_BITS {
                return Err(unsupported.into());
            }
            PublicKey::Dsa(key)
        }
        _ => return Err(unsupported.into()),
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
        let spki = der::spki(spki.as_bytes()).unwrap();
        assert_eq!(
            key_from_spki(&spki, KeyPolicy::default())
                .unwrap_err()
                .code(),
            "saml.certificate.unsupported"
        );
    }

    #[test]
    fn garbage_certificate_is_invalid() {
        assert_eq!(
            from_der(vec![0x30, 0x03, 0x02, 0x01, 0x01], KeyPolicy::default())
                .unwrap_err()
                .code(),
            "saml.certificate.invalid"
        );
    }
}
