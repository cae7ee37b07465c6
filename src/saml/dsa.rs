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
    /// unless p and q are odd, q has no more bits than p, q passes
    /// Miller–Rabin to [`MR_BASES`], 1 < g < p, 1 < y < p, and g and y lie
    /// in the subgroup of order q (g^q = y^q = 1 mod p).
    ///
    /// Why q is tested: with a composite q, g may have a small order t
    /// dividing it, g^u1·y^u2 then takes at most t² values, and anyone could
    /// forge with a few tries. p is not tested (its Miller–Rabin rounds would
    /// cost tens of milliseconds at every configuration of a 2048-bit key);
    /// the key comes from configuration. Size policy is the caller's
    /// ([`Self::p_bits`]).
    pub fn new(p: &[u8], q: &[u8], g: &[u8], y: &[u8]) -> Option<Self> {
        if bignum::bit_length(p) > MAX_P_BITS || bignum::bit_length(q) > bignum::bit_length(p) {
            return None;
        }
        let pm = Modulus::new(p)?;
        let qm = Modulus::new(q)?;
        let q_be = strip(q).to_vec();
        if !probably_prime(&qm, &q_be) {
            return None;
        }
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
        // q is prime (tested at configuration), so s^(q−2) is s⁻¹.
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

/// The Miller–Rabin bases q is tested to: the first twenty primes. q is not
/// an adversary's choice (it comes from configuration), so fixed bases are
/// enough; a composite passes each round with probability at most 1/4.
pub const MR_BASES: [u8; 20] = [
    2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71,
];

/// Whether the odd `n` (its [`Modulus`] and big-endian bytes, no leading
/// zeros) passes Miller–Rabin to every base of [`MR_BASES`] below it.
fn probably_prime(m: &Modulus, n: &[u8]) -> bool {
    // n − 1 = d·2^s with d odd.
    let n_minus_1 = minus_one(n);
    let mut d = n_minus_1.clone();
    let mut s = 0;
    while d.last().is_some_and(|&b| b & 1 == 0) && bignum::bit_length(&d) > 0 {
        d = half(&d);
        s += 1;
    }
    let minus_1 = m.reduce(&n_minus_1);
    let one = m.reduce(&[1]);
    MR_BASES.iter().all(|&a| {
        let a = m.reduce(&[a]);
        if bignum::bit_length(&a) == 0 || a == one || a == minus_1 {
            return true; // a base that is 0 or ±1 mod n tells nothing
        }
        let Some(mut x) = m.pow(&a, &d) else {
            return false;
        };
        if x == one || x == minus_1 {
            return true;
        }
        for _ in 1..s {
            let Some(next) = m.mul(&x, &x) else {
                return false;
            };
            x = next;
            if x == minus_1 {
                return true;
            }
        }
        false
    })
}

/// `v − 1` for a big-endian v ≥ 1.
fn minus_one(v: &[u8]) -> Vec<u8> {
    let mut out = v.to_vec();
    for b in out.iter_mut().rev() {
        let (d, borrow) = b.overflowing_sub(1);
        *b = d;
        if !borrow {
            break;
        }
    }
    out
}

/// `v / 2`, big-endian.
fn half(v: &[u8]) -> Vec<u8> {
    let mut carry = 0u8;
    v.iter()
        .map(|&b| {
            let out = (b >> 1) | carry;
            carry = b << 7;
            out
        })
        .collect()
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn leftmost_bits_shifts_when_the_size_is_not_whole_bytes() {
        assert_eq!(leftmost_bits(&[0xff, 0x80, 0x01], 9), [0x01, 0xff]);
        assert_eq!(leftmost_bits(&[0xab, 0xcd], 12), [0x0a, 0xbc]);
        assert_eq!(leftmost_bits(&[0xab, 0xcd], 16), [0xab, 0xcd]);
        assert_eq!(leftmost_bits(&[0xab, 0xcd], 200), [0xab, 0xcd]);
        assert_eq!(leftmost_bits(&[0xab, 0xcd, 0xef], 8), [0xab]);
    }

    #[test]
    fn small_arithmetic_helpers() {
        assert_eq!(minus_two(&[0x01, 0x01]), [0x00, 0xff]);
        assert_eq!(minus_two(&[0x03]), [0x01]);
        assert_eq!(minus_one(&[0x01, 0x00]), [0x00, 0xff]);
        assert_eq!(half(&[0x01, 0x01]), [0x00, 0x80]);
        assert_eq!(strip(&[0, 0, 5]), [5]);
    }

    #[test]
    fn miller_rabin_tells_primes_from_composites() {
        let prime = |n: u64| {
            let be: Vec<u8> = n
                .to_be_bytes()
                .into_iter()
                .skip_while(|&b| b == 0)
                .collect();
            probably_prime(&Modulus::new(&be).unwrap(), &be)
        };
        let trial = |n: u64| (2..).take_while(|d| d * d <= n).all(|d| n % d != 0);
        for n in (3..5000u64).step_by(2) {
            assert_eq!(prime(n), trial(n), "{n}");
        }
        // Carmichael numbers and strong pseudoprimes to small bases.
        for n in [561u64, 1105, 1729, 2047, 3215031751, 3825123056546413051] {
            assert!(!prime(n), "{n}");
        }
        assert!(prime(18446744073709551557)); // the largest prime below 2^64
    }

    #[test]
    fn a_composite_q_is_refused() {
        // p = 31, q = 15 = 3·5 divides p − 1, g = 9 = 3² has order 15, so
        // g^q = y^q = 1: only the primality of q tells this group apart.
        assert!(DsaPublicKey::new(&[31], &[15], &[9], &[9]).is_none());
        // The same shape with a prime q is taken: p = 23, q = 11, g = 4.
        assert!(DsaPublicKey::new(&[23], &[11], &[4], &[8]).is_some());
    }
}
