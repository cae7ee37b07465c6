//! RSA public keys and RSASSA-PKCS1-v1_5 verification (RFC 8017 §8.2.2),
//! on [`super::bignum`].
//!
//! Verification re-encodes the expected `EM` and compares it whole
//! (EMSA-PKCS1-v1_5 encoding, §9.2) instead of parsing the decrypted block,
//! which is what keeps Bleichenbacher-style signature forgeries out: there is
//! no parser to be lenient.

use super::bignum::{self, Modulus};
use super::der::{Reader, TAG_SEQUENCE};

/// RSA moduli below this size are refused unless weak keys are allowed
/// (`allowWeakRsa`)...
pub const MIN_RSA_BITS: usize = 2048;
/// ...and below this one always: a 1023-bit modulus and smaller has been or
/// is close to being factored in public.
pub const MIN_WEAK_RSA_BITS: usize = 1024;
/// ...and above this one: a configured key this large is a mistake, and each
/// verification with it costs the square of its size.
pub const MAX_RSA_BITS: usize = 8192;

// Every key the policy accepts fits the Montgomery arithmetic.
const _: () = assert!(MAX_RSA_BITS <= bignum::MAX_BITS);

/// An RSA public key `(n, e)`. Its methods are crate-private: outside the
/// crate a key is only held (in [`super::keys::PublicKey::Rsa`]), and
/// verifies through [`super::verify`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RsaPublicKey {
    modulus: Modulus,
    /// Big-endian, no leading zeros.
    exponent: Vec<u8>,
}

/// Why a key was not accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyProblem {
    /// Not a DER `RSAPublicKey`.
    Malformed,
    /// Well-formed, but outside the policy (size, exponent).
    Unsupported,
    /// A modulus of [`MIN_WEAK_RSA_BITS`] to [`MIN_RSA_BITS`] − 1 bits (the
    /// size is given), and weak keys were not allowed.
    Weak(usize),
}

/// The hash functions RSA-SHA* signatures may use, by DigestInfo.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hash {
    /// SHA-1 (only with `allowSha1`).
    Sha1,
    /// SHA-256
    Sha256,
    /// SHA-384
    Sha384,
    /// SHA-512
    Sha512,
}

impl Hash {
    /// The DER DigestInfo prefix (AlgorithmIdentifier with NULL parameters,
    /// RFC 8017 §9.2 note 1) that precedes the digest.
    fn digest_info_prefix(self) -> &'static [u8] {
        match self {
            Self::Sha1 => &[
                0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04,
                0x14,
            ],
            Self::Sha256 => &[
                0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                0x01, 0x05, 0x00, 0x04, 0x20,
            ],
            Self::Sha384 => &[
                0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                0x02, 0x05, 0x00, 0x04, 0x30,
            ],
            Self::Sha512 => &[
                0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                0x03, 0x05, 0x00, 0x04, 0x40,
            ],
        }
    }

    fn digest_len(self) -> usize {
        match self {
            Self::Sha1 => 20,
            Self::Sha256 => 32,
            Self::Sha384 => 48,
            Self::Sha512 => 64,
        }
    }
}

fn strip_zeros(b: &[u8]) -> &[u8] {
    let first = b.iter().position(|&x| x != 0).unwrap_or(b.len());
    b.get(first..).unwrap_or_default()
}

impl RsaPublicKey {
    /// [`from_pkcs1_der_with`](Self::from_pkcs1_der_with) without weak keys
    /// (what the tests call; configuration always passes the policy).
    #[cfg(test)]
    pub(crate) fn from_pkcs1_der(der: &[u8]) -> Result<Self, KeyProblem> {
        Self::from_pkcs1_der_with(der, false)
    }

    /// Reads a DER `RSAPublicKey` (RFC 8017 A.1.1: `SEQUENCE { n, e }`), the
    /// content of an RSA SubjectPublicKeyInfo's bit string. The modulus must
    /// be 2048–8192 bits, or 1024–2047 with `allow_weak` (without it they are
    /// [`KeyProblem::Weak`]; below 1024 bits a key is always refused), and
    /// the exponent odd, at least 3 and at most 2⁶⁴.
    pub(crate) fn from_pkcs1_der_with(der: &[u8], allow_weak: bool) -> Result<Self, KeyProblem> {
        let read = || {
            let mut outer = Reader::new(der);
            let mut key = Reader::new(outer.read(TAG_SEQUENCE)?);
            outer.finish()?;
            let n = key.read_uint()?;
            let e = key.read_uint()?;
            key.finish()?;
            Some((n, e))
        };
        let (n, e) = read().ok_or(KeyProblem::Malformed)?;
        // The policy first, on the bytes: preparing the modulus (R² mod n)
        // is the expensive part, and a key refused here never gets it.
        let bits = bignum::bit_length(n);
        if !(MIN_WEAK_RSA_BITS..=MAX_RSA_BITS).contains(&bits) {
            return Err(KeyProblem::Unsupported);
        }
        if bits < MIN_RSA_BITS && !allow_weak {
            return Err(KeyProblem::Weak(bits));
        }
        let exponent = strip_zeros(e).to_vec();
        let odd = exponent.last().is_some_and(|b| b & 1 == 1);
        if !odd || exponent.len() > 8 || exponent == [1] {
            return Err(KeyProblem::Unsupported);
        }
        // Refuses an even modulus.
        let modulus = Modulus::new(n).ok_or(KeyProblem::Unsupported)?;
        Ok(Self { modulus, exponent })
    }

    /// The modulus size in bits.
    pub(crate) fn bits(&self) -> usize {
        self.modulus.bits()
    }

    /// Whether `signature` is a valid RSASSA-PKCS1-v1_5 signature of a
    /// message whose `hash` is `digest`.
    pub(crate) fn verify(&self, hash: Hash, digest: &[u8], signature: &[u8]) -> bool {
        let k = self.modulus.byte_len();
        // §8.2.2 step 1: the signature is exactly k octets.
        if signature.len() != k || digest.len() != hash.digest_len() {
            return false;
        }
        // Steps 2a–c: s < n, m = s^e mod n, EM = I2OSP(m, k).
        let Some(em) = self.modulus.pow(signature, &self.exponent) else {
            return false;
        };
        // Step 3: EM' = 0x00 0x01 PS 0x00 T, with |PS| >= 8 of 0xff.
        let prefix = hash.digest_info_prefix();
        let t_len = prefix.len() + digest.len();
        let Some(ps_len) = k.checked_sub(3 + t_len).filter(|&l| l >= 8) else {
            return false;
        };
        let expected = [
            &[0x00, 0x01][..],
            &vec![0xff; ps_len],
            &[0x00],
            prefix,
            digest,
        ]
        .concat();
        // Step 4: compare in full.
        em == expected
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    /// A DER TLV with a minimal length.
    fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        match body.len() {
            l if l < 0x80 => out.push(l as u8),
            l if l < 0x100 => out.extend([0x81, l as u8]),
            l => out.extend([0x82, (l >> 8) as u8, l as u8]),
        }
        out.extend_from_slice(body);
        out
    }

    fn der_key(n: &[u8], e: &[u8]) -> Vec<u8> {
        // Minimal DER integers: a leading zero only before a high bit.
        let int = |v: &[u8]| {
            tlv(
                0x02,
                &[if v[0] & 0x80 != 0 { &[0u8][..] } else { &[] }, v].concat(),
            )
        };
        tlv(0x30, &[int(n), int(e)].concat())
    }

    fn odd_modulus(bits: usize) -> Vec<u8> {
        let mut n = vec![0xc5u8; bits / 8];
        n[0] = 0xd3;
        *n.last_mut().unwrap() |= 1;
        n
    }

    #[test]
    fn key_policy() {
        let n = odd_modulus(2048);
        assert_eq!(
            RsaPublicKey::from_pkcs1_der(&der_key(&n, &[1, 0, 1]))
                .unwrap()
                .bits(),
            2048
        );
        assert_eq!(
            RsaPublicKey::from_pkcs1_der(&der_key(&odd_modulus(1024), &[1, 0, 1])),
            Err(KeyProblem::Weak(1024))
        );
        assert_eq!(
            RsaPublicKey::from_pkcs1_der(&der_key(&odd_modulus(2040), &[1, 0, 1])),
            Err(KeyProblem::Weak(2040))
        );
        // allowWeakRsa: 1024–2047 bits accepted, below 1024 never.
        for bits in [1024, 1536, 2040] {
            assert_eq!(
                RsaPublicKey::from_pkcs1_der_with(&der_key(&odd_modulus(bits), &[1, 0, 1]), true)
                    .unwrap()
                    .bits(),
                bits
            );
        }
        for bits in [512, 768, 1016] {
            assert_eq!(
                RsaPublicKey::from_pkcs1_der_with(&der_key(&odd_modulus(bits), &[1, 0, 1]), true),
                Err(KeyProblem::Unsupported),
                "{bits} bits"
            );
        }
        assert_eq!(
            RsaPublicKey::from_pkcs1_der(&der_key(&odd_modulus(8200), &[1, 0, 1])),
            Err(KeyProblem::Unsupported)
        );
        // Both ends of the accepted range.
        for bits in [MIN_RSA_BITS, MAX_RSA_BITS] {
            assert_eq!(
                RsaPublicKey::from_pkcs1_der(&der_key(&odd_modulus(bits), &[1, 0, 1]))
                    .unwrap()
                    .bits(),
                bits
            );
        }
        assert_eq!(
            RsaPublicKey::from_pkcs1_der(&der_key(&n, &[1])),
            Err(KeyProblem::Unsupported),
            "e = 1"
        );
        assert_eq!(
            RsaPublicKey::from_pkcs1_der(&der_key(&n, &[1, 0, 0])),
            Err(KeyProblem::Unsupported),
            "even e"
        );
        let mut even = n.clone();
        *even.last_mut().unwrap() &= 0xfe;
        assert_eq!(
            RsaPublicKey::from_pkcs1_der(&der_key(&even, &[3])),
            Err(KeyProblem::Unsupported),
            "even n"
        );
        assert_eq!(
            RsaPublicKey::from_pkcs1_der(&[0x30, 0x00]),
            Err(KeyProblem::Malformed)
        );
        let mut trailing = der_key(&n, &[3]);
        trailing.push(0);
        assert_eq!(
            RsaPublicKey::from_pkcs1_der(&trailing),
            Err(KeyProblem::Malformed)
        );
    }

    #[test]
    fn wrong_lengths_never_verify() {
        let key = RsaPublicKey::from_pkcs1_der(&der_key(&odd_modulus(2048), &[1, 0, 1])).unwrap();
        assert!(
            !key.verify(Hash::Sha256, &[0; 32], &[1; 255]),
            "short signature"
        );
        assert!(
            !key.verify(Hash::Sha256, &[0; 31], &[1; 256]),
            "short digest"
        );
        assert!(!key.verify(Hash::Sha256, &[0; 32], &[0xff; 256]), "s >= n");
    }
}
