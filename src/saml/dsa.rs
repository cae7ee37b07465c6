//! DSA signature verification (FIPS 186-4 §4.7), for XML-DSig's legacy
//! `dsa-sha1`, on [`super::bignum`].
//!
//! Why not the `dsa` crate: it brought `num-bigint-dig` (about 50 KB of the
//! full module's code) for an algorithm only old IdPs use, while the
//! crate's own Montgomery arithmetic already does RSA's exponentiations.
//! Checked against the `dsa` crate on generated keys and signatures and
//! against Wycheproof's DSA vectors (`tests_dsa.rs`).
//!
//! Only public values pass through here, so nothing needs to run in
//! constant time.

use super::bignum::{self, Modulus};

/// A DSA verifying key: the domain parameters (p, q, g) and y = g^x mod p.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DsaPublicKey {
    p: Modulus,
    q: Modulus,
    /// q, big-endian, no leading zeros.
    q_be: Vec<u8>,
    g: Vec<u8>,
    y: Vec<u8>,
}

/// p larger than this is refused: each verification costs the square of
/// its size, and FIPS 186-4 stops at 3,072 bits.
pub const MAX_P_BITS: usize = 8192;

impl DsaPublicKey {
    /// The key of `p`, `q`, `g` and `y` (big-endian magnitudes); `None`
    /// unless p and q are odd, q is no larger than p, 1 < g < p, 1 < y < p,
    /// and g and y lie in the subgroup of order q (g^q = y^q = 1 mod p).
    /// Primality is not tested: the key comes from configuration, and a
    /// key whose owner chose bad parameters is a key its owner can forge
    /// with anyway. Size policy is the caller's ([`Self::p_bits`]).
    pub fn new(p: &[u8], q: &[u8], g: &[u8], y: &[u8]) -> Option<Self> {
        if bignum::bit_length(p) > MAX_P_BITS || bignum::bit_length(q) > bignum::bit_length(p) {
            return None;
        }
        let pm = Modulus::new(p)?;
        let qm = Modulus::new(q)?;
        let q_be = strip(q).to_vec();
        let one = pm.reduce(&[1]);
        let in_subgroup = |v: &[u8]| {
            bignum::bit_length(v) > 1
                && pm.is_below(v)
                && pm.pow(v, &q_be).is_some_and(|t| t == one)
        };
        if !in_subgroup(g) || !in_subgroup(y) {
            return None;
        }
        Some(Self {
            p: pm,
            q: qm,
            q_be,
            g: strip(g).to_vec(),
            y: strip(y).to_vec(),
        })
    }

    /// The size of p in bits.
    pub fn p_bits(&self) -> usize {
        self.p.bits()
    }

    /// The size of q in bits.
    pub fn q_bits(&self) -> usize {
        self.q.bits()
    }

    /// The size of r and s in bytes (XML-DSig's r ‖ s is twice this).
    pub fn q_byte_len(&self) -> usize {
        self.q.byte_len()
    }

    /// Whether (r, s), big-endian magnitudes, is a signature of `prehash`
    /// (the message's digest; its leftmost min(N, outlen) bits are used, N
    /// being q's size: FIPS 186-4 §4.6) by this key.
    pub fn verify(&self, prehash: &[u8], r: &[u8], s: &[u8]) -> bool {
        let scalar = |v: &[u8]| bignum::bit_length(v) > 0 && self.q.is_below(v);
        if !scalar(r) || !scalar(s) {
            return false;
        }
        let z = self.q.reduce(&leftmost_bits(prehash, self.q.bits()));
        // q is prime, so s^(q−2) is s⁻¹ (a q that is not gives a wrong
        // inverse, which only refuses).
        let Some(w) = self.q.pow(s, &minus_two(&self.q_be)) else {
            return false;
        };
        let r_q = self.q.reduce(r);
        let (Some(u1), Some(u2)) = (self.q.mul(&z, &w), self.q.mul(&r_q, &w)) else {
            return false;
        };
        let (Some(a), Some(b)) = (self.p.pow(&self.g, &u1), self.p.pow(&self.y, &u2)) else {
            return false;
        };
        self.p.mul(&a, &b).is_some_and(|v| self.q.reduce(&v) == r_q)
    }
}

/// `v` without its leading zero bytes.
fn strip(v: &[u8]) -> &[u8] {
    let first = v.iter().position(|&b| b != 0).unwrap_or(v.len());
    v.get(first..).unwrap_or_default()
}

/// The leftmost `bits` bits of `h` as a number (all of `h` if it is no longer).
fn leftmost_bits(h: &[u8], bits: usize) -> Vec<u8> {
    if 8 * h.len() <= bits {
        return h.to_vec();
    }
    let mut out = h.get(..bits.div_ceil(8)).unwrap_or(h).to_vec();
    let shift = 8 * out.len() - bits;
    if shift > 0 {
        // A right shift of the whole big-endian number by `shift` (< 8) bits.
        let mut carry = 0u8;
        for b in out.iter_mut() {
            let next = *b << (8 - shift);
            *b = (*b >> shift) | carry;
            carry = next;
        }
    }
    out
}

/// `q − 2` for an odd q ≥ 3, big-endian.
fn minus_two(q: &[u8]) -> Vec<u8> {
    let mut out = q.to_vec();
    let mut borrow = 2u16;
    for b in out.iter_mut().rev() {
        let v = u16::from(*b);
        if v >= borrow {
            *b = (v - borrow) as u8;
            break;
        }
        *b = (v + 256 - borrow) as u8;
        borrow = 1;
    }
    out
}
