//! Modular exponentiation for signature *verification*: Montgomery
//! multiplication on 32-bit limbs.
//!
//! Why not a bignum crate: RSA verification was three quarters of the time of
//! validating a SAML Response with `num-bigint-dig` (allocating per step, not
//! tuned for a 17-multiplication public exponent). 32-bit limbs because
//! WebAssembly has a native 32×32→64 multiply but no 64×64→128.
//!
//! Only public values pass through here (keys from configuration, signatures
//! from messages), so nothing needs to run in constant time.
//!
//! Lengths are fixed at [`Modulus::new`]: every limb slice handed to the inner
//! loops has the modulus's length, which is what the indexing relies on.
#![allow(clippy::indexing_slicing)]

/// Little-endian 32-bit limbs.
type Limbs = Vec<u32>;

/// An odd modulus, ready for Montgomery arithmetic (R = 2^(32·len)).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Modulus {
    n: Limbs,
    /// −n⁻¹ mod 2³²
    n0_inv: u32,
    /// R² mod n, to enter the Montgomery domain with one multiplication.
    r2: Limbs,
    bits: usize,
}

/// Big-endian bytes (leading zeros allowed) to limbs, at least `len` of them.
fn limbs_from_be(bytes: &[u8], len: usize) -> Limbs {
    let mut limbs = vec![0u32; len.max(bytes.len().div_ceil(4))];
    for (i, b) in bytes.iter().rev().enumerate() {
        limbs[i / 4] |= u32::from(*b) << (8 * (i % 4));
    }
    limbs
}

fn bit_length(limbs: &[u32]) -> usize {
    match limbs.iter().rposition(|&l| l != 0) {
        Some(i) => 32 * i + 32 - limbs[i].leading_zeros() as usize,
        None => 0,
    }
}

/// `a >= b` for equal-length limb slices.
fn ge(a: &[u32], b: &[u32]) -> bool {
    for (x, y) in a.iter().rev().zip(b.iter().rev()) {
        if x != y {
            return x > y;
        }
    }
    true
}

/// `a -= b` (equal lengths); returns the borrow.
fn sub_in_place(a: &mut [u32], b: &[u32]) -> bool {
    let mut borrow = 0u64;
    for (x, &y) in a.iter_mut().zip(b) {
        let d = u64::from(*x)
            .wrapping_sub(u64::from(y))
            .wrapping_sub(borrow);
        *x = d as u32;
        borrow = (d >> 63) & 1;
    }
    borrow != 0
}

/// `t += a·b` over `min(t.len(), a.len())` limbs; returns the carry out.
/// Four limbs per step through fixed-size arrays (one length check per
/// step, the loop overhead amortised), then the rest one by one. Plain
/// indexing rather than iterator adapters, which `opt-level = "s"` left as
/// calls. This loop is most of an RSA verification.
#[inline(always)]
fn mul_add_row(t: &mut [u32], a: &[u32], b: u32) -> u32 {
    let len = t.len().min(a.len());
    let (t, a) = (&mut t[..len], &a[..len]);
    let b = u64::from(b);
    let mut carry = 0u64;
    let mut j = 0;
    while j + 4 <= len {
        let (Some(tc), Some(ac)) = (t.get_mut(j..j + 4), a.get(j..j + 4)) else {
            break;
        };
        let x = u64::from(tc[0]) + u64::from(ac[0]) * b + carry;
        tc[0] = x as u32;
        let x = u64::from(tc[1]) + u64::from(ac[1]) * b + (x >> 32);
        tc[1] = x as u32;
        let x = u64::from(tc[2]) + u64::from(ac[2]) * b + (x >> 32);
        tc[2] = x as u32;
        let x = u64::from(tc[3]) + u64::from(ac[3]) * b + (x >> 32);
        tc[3] = x as u32;
        carry = x >> 32;
        j += 4;
    }
    while j < len {
        let x = u64::from(t[j]) + u64::from(a[j]) * b + carry;
        t[j] = x as u32;
        carry = x >> 32;
        j += 1;
    }
    carry as u32
}

impl Modulus {
    /// `n` as big-endian bytes; `None` unless odd and greater than 1.
    ///
    /// ```
    /// use edge_sso::saml::bignum::Modulus;
    /// assert!(Modulus::new(&[0x0f, 0xff]).is_some());
    /// assert!(Modulus::new(&[0x10, 0x00]).is_none(), "even");
    /// assert!(Modulus::new(&[0x01]).is_none());
    /// ```
    pub fn new(n_be: &[u8]) -> Option<Self> {
        let first = n_be.iter().position(|&b| b != 0)?;
        let n = limbs_from_be(n_be.get(first..)?, 0);
        let bits = bit_length(&n);
        if n.first()? & 1 == 0 || bits < 2 {
            return None;
        }
        // Newton's iteration doubles the correct low bits each step: 1→2→…→32.
        let n0 = n[0];
        let mut inv: u32 = 1;
        for _ in 0..5 {
            inv = inv.wrapping_mul(2u32.wrapping_sub(n0.wrapping_mul(inv)));
        }
        let mut m = Self {
            n,
            n0_inv: inv.wrapping_neg(),
            r2: Vec::new(),
            bits,
        };
        m.r2 = m.r_squared();
        Some(m)
    }

    /// The modulus's size in bits.
    pub fn bits(&self) -> usize {
        self.bits
    }

    /// The modulus's size in bytes.
    pub fn byte_len(&self) -> usize {
        self.bits.div_ceil(8)
    }

    /// R² mod n by doubling 1 (2·32·len times, with a subtraction whenever it
    /// passes n): slow, but done once per configured key.
    fn r_squared(&self) -> Limbs {
        let len = self.n.len();
        let mut x = vec![0u32; len];
        x[0] = 1;
        for _ in 0..64 * len {
            let carry = x.iter_mut().fold(0u32, |carry, l| {
                let out = *l >> 31;
                *l = (*l << 1) | carry;
                out
            });
            if carry != 0 || ge(&x, &self.n) {
                sub_in_place(&mut x, &self.n);
            }
        }
        x
    }

    /// a·b·R⁻¹ mod n: the full product, then Montgomery reduction (SOS).
    fn mont_mul(&self, a: &[u32], b: &[u32]) -> Limbs {
        let len = self.n.len();
        let mut t = vec![0u32; 2 * len + 1];
        for (i, &bi) in b.iter().enumerate() {
            t[i + len] = mul_add_row(&mut t[i..i + len], a, bi);
        }
        self.reduce_product(t)
    }

    /// a²·R⁻¹ mod n: each cross product once, doubled, plus the squares;
    /// nearly half the multiplications of [`Self::mont_mul`].
    fn mont_square(&self, a: &[u32]) -> Limbs {
        let len = self.n.len();
        let mut t = vec![0u32; 2 * len + 1];
        for i in 0..len {
            t[i + len] = mul_add_row(&mut t[2 * i + 1..i + len], &a[i + 1..], a[i]);
        }
        // Double the cross products (one-bit shift left) and add the squares
        // on the diagonal, in one pass over limb pairs.
        let (mut top, mut carry) = (0u32, 0u64);
        for (i, &ai) in a.iter().enumerate().take(len) {
            let Some(pair) = t.get_mut(2 * i..2 * i + 2) else {
                break;
            };
            let (lo, hi) = (pair[0], pair[1]);
            let sq = u64::from(ai) * u64::from(ai);
            let x = u64::from((lo << 1) | top) + (sq & 0xffff_ffff) + carry;
            let y = u64::from((hi << 1) | (lo >> 31)) + (sq >> 32) + (x >> 32);
            pair[0] = x as u32;
            pair[1] = y as u32;
            top = hi >> 31;
            carry = y >> 32;
        }
        // The cross products end below limb 2·len, so that limb held nothing.
        t[2 * len] = top + carry as u32;
        self.reduce_product(t)
    }

    /// Montgomery reduction of a double-length product `t` (< n·R): adds
    /// multiples of n until the low half is zero, keeps the high half, and
    /// subtracts n once if needed.
    fn reduce_product(&self, mut t: Limbs) -> Limbs {
        let len = self.n.len();
        let n = &self.n[..];
        // Row i's carry lands in limb i+len; what overflows that limb is held
        // in `pending` and added where the next step's carry lands, so no row
        // walks a carry up the whole top half.
        let mut pending = 0u64;
        let mut i = 0;
        // Two rows per pass: row i+1's multiplier only needs limb i+1 after
        // row i's first two products, so both rows can run in one loop with
        // two independent carry chains (one chain was the bottleneck).
        while i + 2 <= len {
            let m0 = t[i].wrapping_mul(self.n0_inv);
            let x0 = u64::from(t[i]) + u64::from(m0) * u64::from(n[0]); // low half is zero
            let x1 = u64::from(t[i + 1]) + u64::from(m0) * u64::from(n[1]) + (x0 >> 32);
            let m1 = (x1 as u32).wrapping_mul(self.n0_inv);
            let (m0, m1) = (u64::from(m0), u64::from(m1));
            let (mut c0, mut c1) = (x0 >> 32, 0u64);
            // Limb i+j gains m0·n[j] (row i) and m1·n[j−1] (row i+1), j = 1..len.
            let tt = &mut t[i + 1..i + len];
            let (hi, lo) = (&n[1..], &n[..len - 1]);
            for k in 0..tt.len().min(hi.len()).min(lo.len()) {
                let x = u64::from(tt[k]) + m0 * u64::from(hi[k]) + c0;
                let y = (x & 0xffff_ffff) + m1 * u64::from(lo[k]) + c1;
                tt[k] = y as u32;
                c0 = x >> 32;
                c1 = y >> 32;
            }
            // Limb i+len: row i's carry, row i+1's last product.
            let x = u64::from(t[i + len]) + c0 + pending;
            let y = (x & 0xffff_ffff) + m1 * u64::from(n[len - 1]) + c1;
            t[i + len] = y as u32;
            // Limb i+len+1: both rows' carries; its overflow is for limb i+len+2.
            let z = u64::from(t[i + len + 1]) + (x >> 32) + (y >> 32);
            t[i + len + 1] = z as u32;
            pending = z >> 32;
            i += 2;
        }
        if i < len {
            // An odd limb count leaves one row.
            let m = t[i].wrapping_mul(self.n0_inv);
            let carry = mul_add_row(&mut t[i..i + len], n, m);
            let x = u64::from(t[i + len]) + u64::from(carry) + pending;
            t[i + len] = x as u32;
            pending = x >> 32;
        }
        t[2 * len] = t[2 * len].wrapping_add(pending as u32);
        // The high half is < 2n: one conditional subtraction finishes it.
        let mut r = t.split_off(len);
        let high = r.pop().unwrap_or(0);
        if high != 0 || ge(&r, &self.n) {
            sub_in_place(&mut r, &self.n);
        }
        r
    }

    /// `base^exp mod n`, all big-endian bytes; the result has [`Self::byte_len`]
    /// bytes. `None` when `base >= n` (never a valid signature or group element).
    ///
    /// ```
    /// use edge_sso::saml::bignum::Modulus;
    /// let m = Modulus::new(&[0x03, 0xe9]).unwrap(); // 1001
    /// assert_eq!(m.pow(&[0x02], &[0x0a]).unwrap(), vec![0x00, 0x17]); // 2^10 mod 1001 = 23
    /// assert!(m.pow(&[0x03, 0xe9], &[0x02]).is_none());
    /// ```
    pub fn pow(&self, base_be: &[u8], exp_be: &[u8]) -> Option<Vec<u8>> {
        let len = self.n.len();
        let base = self.below_n(base_be)?;
        let base_m = self.mont_mul(&base, &self.r2);
        // Left to right, square and multiply; the leading 1 bit starts from
        // base·R itself. An all-zero exponent leaves 1·R (R mod n).
        let mut acc: Option<Limbs> = None;
        for byte in exp_be {
            for bit in (0..8).rev() {
                if let Some(a) = &acc {
                    acc = Some(self.mont_square(a));
                }
                if (byte >> bit) & 1 == 1 {
                    acc = Some(match &acc {
                        Some(a) => self.mont_mul(a, &base_m),
                        None => base_m.clone(),
                    });
                }
            }
        }
        // Leaving the domain is a reduction alone: acc·R⁻¹ (x^0 = 1 needs no arithmetic).
        let plain = match acc {
            Some(a) => {
                let mut t = a;
                t.resize(2 * len + 1, 0);
                self.reduce_product(t)
            }
            None => {
                let mut one = vec![0u32; len];
                one[0] = 1;
                one
            }
        };
        Some(self.to_be(&plain))
    }

    /// `x` as exactly `len` limbs, or `None` when `x >= n`.
    fn below_n(&self, x_be: &[u8]) -> Option<Limbs> {
        let len = self.n.len();
        let mut x = limbs_from_be(x_be, len);
        if x.get(len..)?.iter().any(|&l| l != 0) {
            return None;
        }
        x.truncate(len);
        (!ge(&x, &self.n)).then_some(x)
    }

    fn to_be(&self, limbs: &[u32]) -> Vec<u8> {
        let bytes: Vec<u8> = limbs.iter().rev().flat_map(|l| l.to_be_bytes()).collect();
        let skip = bytes.len().saturating_sub(self.byte_len());
        bytes.get(skip..).map(<[u8]>::to_vec).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// Reference: u128 arithmetic, for moduli that fit.
    fn pow_u128(b: u128, e: u128, m: u128) -> u128 {
        let (mut acc, mut b, mut e) = (1u128 % m, b % m, e);
        while e > 0 {
            if e & 1 == 1 {
                acc = acc * b % m;
            }
            b = b * b % m;
            e >>= 1;
        }
        acc
    }

    fn be(x: u128) -> Vec<u8> {
        x.to_be_bytes().to_vec()
    }

    fn num(bytes: &[u8]) -> u128 {
        bytes
            .iter()
            .fold(0u128, |acc, &b| (acc << 8) | u128::from(b))
    }

    #[test]
    fn matches_u128_arithmetic_on_many_values() {
        // Moduli below 2^63 so that products fit in u128; one, two and more limbs.
        let moduli = [
            3u128,
            1001,
            0xffff_fffb,
            0x1_0000_0001,
            0x7fff_ffff_ffff_ffe7,
            0x4000_0000_0000_0001,
        ];
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            u128::from(seed)
        };
        for m in moduli {
            let modulus = Modulus::new(&be(m)).unwrap();
            for _ in 0..200 {
                let (b, e) = (next() % m, next());
                assert_eq!(
                    num(&modulus.pow(&be(b), &be(e)).unwrap()),
                    pow_u128(b, e, m),
                    "{b}^{e} mod {m}"
                );
            }
        }
    }

    /// Reference: a·b mod n by shift-and-add, one bit of b at a time.
    fn mulmod_ref(a: &[u32], b: &[u32], n: &[u32]) -> Vec<u32> {
        let mut r = vec![0u32; n.len()];
        for bit in (0..32 * n.len()).rev() {
            let carry = r.iter_mut().fold(0u32, |c, l| {
                let out = *l >> 31;
                *l = (*l << 1) | c;
                out
            });
            if carry != 0 || ge(&r, n) {
                sub_in_place(&mut r, n);
            }
            if (b[bit / 32] >> (bit % 32)) & 1 == 1 {
                let mut c = 0u64;
                for (x, &y) in r.iter_mut().zip(a) {
                    let v = u64::from(*x) + u64::from(y) + c;
                    *x = v as u32;
                    c = v >> 32;
                }
                if c != 0 || ge(&r, n) {
                    sub_in_place(&mut r, n);
                }
            }
        }
        r
    }

    fn pow_ref(base: &[u32], exp: u64, n: &[u32]) -> Vec<u32> {
        let mut acc = vec![0u32; n.len()];
        acc[0] = 1;
        for bit in (0..64).rev() {
            acc = mulmod_ref(&acc, &acc, n);
            if (exp >> bit) & 1 == 1 {
                acc = mulmod_ref(&acc, base, n);
            }
        }
        acc
    }

    fn to_bytes(limbs: &[u32]) -> Vec<u8> {
        limbs.iter().rev().flat_map(|l| l.to_be_bytes()).collect()
    }

    #[test]
    fn matches_the_reference_on_rsa_sized_moduli() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        // Limb counts around the unrolled step (4) and RSA-2048/3072/4096.
        for (len, exps) in [
            (1, 4),
            (3, 4),
            (5, 4),
            (8, 3),
            (17, 3),
            (64, 2),
            (96, 1),
            (128, 1),
        ] {
            let mut n: Vec<u32> = (0..len).map(|_| next() as u32).collect();
            n[0] |= 1;
            n[len - 1] |= 0x8000_0000;
            let modulus = Modulus::new(&to_bytes(&n)).unwrap();
            for round in 0..exps {
                let mut base: Vec<u32> = (0..len).map(|_| next() as u32).collect();
                base[len - 1] &= 0x7fff_ffff; // below n
                let exp = match round {
                    0 => 65_537,
                    1 => 3,
                    _ => next() | 1,
                };
                let want = to_bytes(&pow_ref(&base, exp, &n));
                let got = modulus.pow(&to_bytes(&base), &exp.to_be_bytes()).unwrap();
                assert_eq!(got, want, "{len} limbs, exponent {exp}");
            }
            // n − 1 squared is 1; all-ones limbs stress every carry.
            let mut minus_one = n.clone();
            minus_one[0] -= 1;
            assert_eq!(
                modulus.pow(&to_bytes(&minus_one), &[2]).unwrap(),
                to_bytes(&pow_ref(&minus_one, 2, &n))
            );
        }
    }

    #[test]
    fn edge_exponents_and_bases() {
        let m = Modulus::new(&be(1_000_003)).unwrap();
        assert_eq!(num(&m.pow(&be(5), &[]).unwrap()), 1, "x^0 = 1");
        assert_eq!(num(&m.pow(&be(0), &be(7)).unwrap()), 0);
        assert_eq!(num(&m.pow(&be(1_000_002), &be(2)).unwrap()), 1, "(-1)^2");
        assert!(m.pow(&be(1_000_003), &be(3)).is_none(), "base = n refused");
        assert_eq!(m.byte_len(), 3);
        assert_eq!(
            m.pow(&be(2), &be(3)).unwrap().len(),
            3,
            "fixed-length output"
        );
    }
}
