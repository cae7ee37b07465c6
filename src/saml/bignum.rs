//! Modular exponentiation for signature *verification*: Montgomery
//! multiplication with lazy carries.
//!
//! Why not a bignum crate: with `num-bigint-dig`, RSA verification was most
//! of the time of validating a SAML Response (it allocates per step and is
//! not tuned for a 17-multiplication public exponent; BENCHMARKS.md).
//!
//! Why 28-bit limbs: WebAssembly's widest multiply is 64×64→64, so a limb
//! product must fit in 64 bits. With full 32-bit limbs every multiply-add
//! splits off a carry at once, a serial carry chain that was most of the
//! work. With limbs of w = 28 bits (27 above 3,554 bits) a product is below
//! 2^56, and a whole column of the product together with its share of the
//! reduction (at most 2·len products) still fits a `u64`. Each column is
//! then a plain dot product (load, load, multiply, add) and the carry is
//! taken once per column. 27-bit limbs reach [`MAX_BITS`] (13,795 bits);
//! a larger modulus is refused, which costs nothing: RSA keys stop at 8,192
//! bits (`pkcs1::MAX_RSA_BITS`). There are more limbs (74 instead of 64 for
//! RSA-2048), but a dot product has no dependency between its terms, so it
//! runs as WebAssembly SIMD (`i64x2.extmul_low_i32x4_u`, two products per
//! instruction) where the build enables `simd128`, and as plain scalar code
//! elsewhere (native tests, a build without SIMD).
//!
//! Why no subtraction per multiplication: the limb count is chosen so that
//! R = 2^(w·len) ≥ 4n. A Montgomery product of two values below 2n is then
//! itself below 2n (Walter's bound), so intermediate values stay in [0, 2n)
//! and only the final result is reduced below n.
//!
//! Only public values pass through here (keys from configuration, signatures
//! from messages), so nothing needs to run in constant time.
//!
//! Lengths are fixed at [`Modulus::new`]: every limb vector handed to the
//! inner loops has the modulus's length, which is what the indexing relies
//! on. Each function that indexes allows `clippy::indexing_slicing` by
//! name and says the bound it relies on.

/// Little-endian limbs of `w` bits each.
type Limbs = Vec<u32>;

/// An odd modulus, ready for Montgomery arithmetic (R = 2^(w·len)).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Modulus {
    n: Limbs,
    /// `n` reversed: the column sums pair `m[i]` with `n[k − i]`, which is a
    /// forward walk over this copy.
    n_rev: Limbs,
    /// −n⁻¹ mod 2^w
    n0_inv: u32,
    /// R² mod n, to enter the Montgomery domain with one multiplication.
    r2: Limbs,
    /// Bits per limb.
    w: u32,
    bits: usize,
}

/// The largest modulus [`Modulus::new`] accepts, in bits: what 27-bit limbs
/// hold with two spare bits (R ≥ 4n).
pub const MAX_BITS: usize = 27 * max_limbs(27) - 2;

/// A column holds at most 2·len products below 2^(2w), plus the carry from
/// the column before; this is the most products a `u64` can absorb for a
/// given `w`, with the carry's share left over.
const fn max_limbs(w: u32) -> usize {
    let per_product = 1u128 << (2 * w);
    (((1u128 << 64) - (1u128 << 48)) / (2 * per_product)) as usize
}

/// The size in bits of the big-endian number `be` (0 for zero).
pub fn bit_length(be: &[u8]) -> usize {
    // Checked slicing: `be` comes from a key's DER.
    let first = be.iter().position(|&b| b != 0).unwrap_or(be.len());
    match be.get(first..).and_then(<[u8]>::split_first) {
        Some((top, rest)) => 8 * (rest.len() + 1) - top.leading_zeros() as usize,
        None => 0,
    }
}

fn mask(w: u32) -> u32 {
    (1u32 << w) - 1
}

/// Big-endian bytes to exactly `len` limbs of `w` bits; `None` if the value
/// needs more.
// `limbs[len..]` is taken only once `limbs.len() > len`.
#[allow(clippy::indexing_slicing)]
fn limbs_from_be(bytes: &[u8], w: u32, len: usize) -> Option<Limbs> {
    let mut limbs = Vec::with_capacity(len + 1);
    let (mut buf, mut have) = (0u64, 0u32);
    for &b in bytes.iter().rev() {
        buf |= u64::from(b) << have;
        have += 8;
        if have >= w {
            limbs.push(buf as u32 & mask(w));
            buf >>= w;
            have -= w;
        }
    }
    if have > 0 {
        limbs.push(buf as u32);
    }
    if limbs.len() > len {
        if limbs[len..].iter().any(|&l| l != 0) {
            return None;
        }
        limbs.truncate(len);
    }
    limbs.resize(len, 0);
    Some(limbs)
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

/// `a -= b` for equal-length slices with `a >= b`.
fn sub_in_place(a: &mut [u32], b: &[u32], w: u32) {
    let mut borrow = 0u32;
    for (x, &y) in a.iter_mut().zip(b) {
        // Limbs are below 2^28, so a negative difference shows in bit 31.
        let d = x.wrapping_sub(y).wrapping_sub(borrow);
        *x = d & mask(w);
        borrow = d >> 31;
    }
}

/// A column sum in progress, four products at a time: two `u64` lanes pairs
/// of WebAssembly SIMD vectors (`i64x2.extmul_*_i32x4_u` multiplies two limb
/// pairs per instruction) where the build enables `simd128`, two scalar sums
/// elsewhere (native tests, a build without SIMD). The callers' bound (at
/// most 2·len products of `w`-bit limbs per column) keeps it below 2^64.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[derive(Clone, Copy)]
struct Sum {
    lanes: [core::arch::wasm32::v128; 2],
}
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
use ScalarSum as Sum;

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
impl Sum {
    fn new() -> Self {
        Self {
            lanes: [bytemuck::cast([0u64; 2]); 2],
        }
    }

    #[inline(always)]
    fn add4(&mut self, a: &[u32; 4], b: &[u32; 4]) {
        use core::arch::wasm32::{u64x2_add, u64x2_extmul_high_u32x4, u64x2_extmul_low_u32x4};
        // `bytemuck::cast` of a four-limb array is one `v128.load`; building
        // the vector from four limbs lets LLVM split it into lane loads.
        let (a, b) = (bytemuck::cast(*a), bytemuck::cast(*b));
        self.lanes[0] = u64x2_add(self.lanes[0], u64x2_extmul_low_u32x4(a, b));
        self.lanes[1] = u64x2_add(self.lanes[1], u64x2_extmul_high_u32x4(a, b));
    }

    fn total(self) -> u64 {
        use core::arch::wasm32::{u64x2_add, u64x2_extract_lane};
        let both = u64x2_add(self.lanes[0], self.lanes[1]);
        u64x2_extract_lane::<0>(both) + u64x2_extract_lane::<1>(both)
    }
}

#[cfg(any(test, not(all(target_arch = "wasm32", target_feature = "simd128"))))]
impl ScalarSum {
    fn new() -> Self {
        Self { lanes: [0; 2] }
    }

    // `p` is called with 0..4 only, on arrays of four.
    #[allow(clippy::indexing_slicing)]
    #[inline(always)]
    fn add4(&mut self, a: &[u32; 4], b: &[u32; 4]) {
        let p = |i: usize| u64::from(a[i]) * u64::from(b[i]);
        self.lanes[0] += p(0) + p(2);
        self.lanes[1] += p(1) + p(3);
    }

    fn total(self) -> u64 {
        self.lanes[0] + self.lanes[1]
    }
}

/// Four limbs of `x` from `at`.
#[inline(always)]
fn four(x: &[u32], at: usize) -> Option<&[u32; 4]> {
    x.get(at..at + 4)?.first_chunk::<4>()
}

/// Σ x[i]·y[i] over the shorter length: four products per step, then the
/// rest one by one. This loop is most of an RSA verification.
// `len` is the shorter length, and every index below it.
#[allow(clippy::indexing_slicing)]
#[inline(always)]
fn dot(x: &[u32], y: &[u32]) -> u64 {
    let len = x.len().min(y.len());
    // Cut to one length first: the steps are then known to be in bounds.
    let (x, y) = (&x[..len], &y[..len]);
    let mut sum = Sum::new();
    let mut j = 0;
    while j + 4 <= len {
        let (Some(a), Some(b)) = (four(x, j), four(y, j)) else {
            break;
        };
        sum.add4(a, b);
        j += 4;
    }
    let mut rest = 0u64;
    while j < len {
        rest += u64::from(x[j]) * u64::from(y[j]);
        j += 1;
    }
    sum.total() + rest
}

/// Reused buffers for one exponentiation.
struct Scratch {
    /// An operand reversed, for the forward dot products.
    rev: Limbs,
    /// The reduction's multipliers, overwritten by the result as they are
    /// used up.
    out: Limbs,
}

impl Modulus {
    /// `n` as big-endian bytes; `None` unless odd, greater than 1 and at
    /// most [`MAX_BITS`] bits. The work of preparing a modulus (R² mod n)
    /// grows with the square of its size: callers with a size policy check
    /// it first ([`bit_length`]).
    pub fn new(n_be: &[u8]) -> Option<Self> {
        let first = n_be.iter().position(|&b| b != 0)?;
        let n_be = n_be.get(first..)?;
        let bits = bit_length(n_be);
        if n_be.last()? & 1 == 0 || !(2..=MAX_BITS).contains(&bits) {
            return None;
        }
        // R ≥ 4n: two spare bits above the modulus. 28-bit limbs while the
        // column bound allows, else 27 (enough for MAX_BITS).
        let w = if (bits + 2).div_ceil(28) <= max_limbs(28) {
            28
        } else {
            27
        };
        let len = (bits + 2).div_ceil(w as usize);
        debug_assert!(len <= max_limbs(w));
        let n = limbs_from_be(n_be, w, len)?;
        // Newton's iteration doubles the correct low bits each step: 1→2→…→32.
        let n0 = *n.first()?;
        let mut inv: u32 = 1;
        for _ in 0..5 {
            inv = inv.wrapping_mul(2u32.wrapping_sub(n0.wrapping_mul(inv)));
        }
        let n_rev = n.iter().rev().copied().collect();
        let mut m = Self {
            n,
            n_rev,
            n0_inv: inv.wrapping_neg() & mask(w),
            r2: Vec::new(),
            w,
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

    /// `x = 2x + low mod n` for x below n and a bit `low`. n < R/4, so the
    /// doubled value never leaves the top limb, and 2x + 1 < 2n needs one
    /// subtraction at most.
    fn double_mod(&self, x: &mut [u32], low: u32) {
        let w = self.w;
        let mut carry = low;
        for l in x.iter_mut() {
            let out = *l >> (w - 1);
            *l = ((*l << 1) | carry) & mask(w);
            carry = out;
        }
        if ge(x, &self.n) {
            sub_in_place(x, &self.n, w);
        }
    }

    /// R² mod n, once per configured key. R mod n first: from 2^(bits − 1),
    /// which is below n, a few doublings reach 2^(w·len). That is the
    /// Montgomery form of 1; squaring the form of 2^a gives that of 2^(2a)
    /// and doubling it that of 2^(a + 1), so following the bits of w·len
    /// ends at the form of 2^(w·len) = R, which is R² mod n. About a dozen
    /// multiplications, where doubling all the way took 2·w·len steps (the
    /// configuration of a key was three times slower: BENCHMARKS.md).
    // top = bits − 1 < w·len, so top / w < len = x.len().
    #[allow(clippy::indexing_slicing)]
    fn r_squared(&self) -> Limbs {
        let (len, w) = (self.n.len(), self.w as usize);
        let mut x = vec![0u32; len];
        let top = self.bits - 1;
        x[top / w] = 1 << (top % w);
        for _ in top..w * len {
            self.double_mod(&mut x, 0);
        }
        let exp = w * len;
        let mut s = Scratch {
            rev: Vec::with_capacity(len),
            out: Vec::with_capacity(len),
        };
        for bit in (0..usize::BITS - exp.leading_zeros()).rev() {
            self.mont_square(&x, &mut s);
            core::mem::swap(&mut x, &mut s.out);
            // Below 2n after a multiplication; below n again after this.
            if ge(&x, &self.n) {
                sub_in_place(&mut x, &self.n, self.w);
            }
            if (exp >> bit) & 1 == 1 {
                self.double_mod(&mut x, 0);
            }
        }
        x
    }

    /// Montgomery reduction by columns (product scanning): `column(k, lo,
    /// hi)` is the sum of the product's terms of weight k (operand indices
    /// lo..=hi). Writes x·R⁻¹ mod 2n, which is below 2n when the product x
    /// is below 4n², into `s.out`.
    // m, n and n_rev have the modulus's length len: the first loop's k is
    // below len, the second's lo = k + 1 − len runs from 1 to len − 1, and
    // every range ends by len.
    #[allow(clippy::indexing_slicing)]
    #[inline(always)]
    fn reduce_columns(&self, s: &mut Scratch, column: impl Fn(usize, usize, usize) -> u64) {
        let (len, w) = (self.n.len(), self.w);
        let m = &mut s.out;
        m.clear();
        m.resize(len, 0);
        let mut acc = 0u64;
        for k in 0..len {
            acc += column(k, 0, k) + dot(&m[..k], &self.n_rev[len - 1 - k..len - 1]);
            // The multiple of n that clears this column's low w bits.
            let mk = (acc as u32).wrapping_mul(self.n0_inv) & mask(w);
            m[k] = mk;
            acc = (acc + u64::from(mk) * u64::from(self.n[0])) >> w;
        }
        for k in len..2 * len - 1 {
            let lo = k + 1 - len;
            acc += column(k, lo, len - 1) + dot(&m[lo..], &self.n_rev[..2 * len - 1 - k]);
            // m[lo − 1] is no longer needed: the result takes its place.
            m[lo - 1] = acc as u32 & mask(w);
            acc >>= w;
        }
        // Below 2n < R/2, so the top limb holds what is left.
        m[len - 1] = acc as u32;
    }

    /// a·b·R⁻¹ (mod n, below 2n) into `s.out`, for a, b below 2n.
    // a and b have the modulus's length (see the module's last note), and
    // reduce_columns passes k + 1 − len ≤ lo ≤ hi ≤ min(k, len − 1): both
    // ranges lie in 0..len.
    #[allow(clippy::indexing_slicing)]
    fn mont_mul(&self, a: &[u32], b: &[u32], s: &mut Scratch) {
        let len = self.n.len();
        s.rev.clear();
        s.rev.extend(b.iter().rev());
        let b_rev = core::mem::take(&mut s.rev);
        // Terms of weight k: a[i]·b[k − i], and b[k − i] = b_rev[len − 1 − k + i].
        self.reduce_columns(s, |k, lo, hi| {
            dot(&a[lo..=hi], &b_rev[lo + len - 1 - k..=hi + len - 1 - k])
        });
        s.rev = b_rev;
    }

    /// a²·R⁻¹ (mod n, below 2n) into `s.out`, for a below 2n: each cross
    /// product once, doubled, plus the square on the diagonal.
    // As in mont_mul: lo ≥ k + 1 − len and end = ⌈k/2⌉ ≤ k keep both ranges
    // in 0..len, and k ≤ 2·len − 2 keeps k / 2 below len.
    #[allow(clippy::indexing_slicing)]
    fn mont_square(&self, a: &[u32], s: &mut Scratch) {
        let len = self.n.len();
        s.rev.clear();
        s.rev.extend(a.iter().rev());
        let a_rev = core::mem::take(&mut s.rev);
        self.reduce_columns(s, |k, lo, _| {
            // Pairs i < k − i from lo; the diagonal i = k/2 when k is even.
            let end = k.div_ceil(2);
            let cross = dot(&a[lo..end], &a_rev[lo + len - 1 - k..end + len - 1 - k]);
            let diag = if k % 2 == 0 {
                u64::from(a[k / 2]) * u64::from(a[k / 2])
            } else {
                0
            };
            2 * cross + diag
        });
        s.rev = a_rev;
    }

    /// `base^exp mod n`, all big-endian bytes; the result has [`Self::byte_len`]
    /// bytes. `None` when `base >= n` (never a valid signature or group element).
    // `one[0]`: a modulus has at least one limb.
    #[allow(clippy::indexing_slicing)]
    pub fn pow(&self, base_be: &[u8], exp_be: &[u8]) -> Option<Vec<u8>> {
        let len = self.n.len();
        let base = limbs_from_be(base_be, self.w, len).filter(|b| !ge(b, &self.n))?;
        let mut s = Scratch {
            rev: Vec::with_capacity(len),
            out: Vec::with_capacity(len),
        };
        self.mont_mul(&base, &self.r2, &mut s);
        let base_m = core::mem::take(&mut s.out);
        // Left to right, square and multiply; the leading 1 bit starts from
        // base·R itself. An all-zero exponent leaves 1.
        let mut acc: Option<Limbs> = None;
        for byte in exp_be {
            for bit in (0..8).rev() {
                if let Some(a) = acc.as_mut() {
                    self.mont_square(a, &mut s);
                    core::mem::swap(a, &mut s.out);
                }
                if (byte >> bit) & 1 == 1 {
                    match acc.as_mut() {
                        Some(a) => {
                            self.mont_mul(a, &base_m, &mut s);
                            core::mem::swap(a, &mut s.out);
                        }
                        None => acc = Some(base_m.clone()),
                    }
                }
            }
        }
        let mut one = vec![0u32; len];
        one[0] = 1;
        let plain = match acc {
            // Leaving the domain: acc·R⁻¹ (at most n), a reduction alone:
            // the product by 1 is acc itself, one limb per column.
            Some(a) => {
                self.reduce_columns(&mut s, |k, _, _| a.get(k).copied().map_or(0, u64::from));
                let mut r = s.out;
                if ge(&r, &self.n) {
                    sub_in_place(&mut r, &self.n, self.w);
                }
                r
            }
            None => one,
        };
        Some(self.to_be(&plain))
    }

    /// Whether the big-endian `x` is below n.
    pub fn is_below(&self, x_be: &[u8]) -> bool {
        limbs_from_be(x_be, self.w, self.n.len()).is_some_and(|x| !ge(&x, &self.n))
    }

    /// `a·b mod n`, big-endian, for a and b below n; the result has
    /// [`Self::byte_len`] bytes. `None` when either is n or more.
    pub fn mul(&self, a_be: &[u8], b_be: &[u8]) -> Option<Vec<u8>> {
        let len = self.n.len();
        let below = |v: &[u8]| limbs_from_be(v, self.w, len).filter(|x| !ge(x, &self.n));
        let (a, b) = (below(a_be)?, below(b_be)?);
        let mut s = Scratch {
            rev: Vec::with_capacity(len),
            out: Vec::with_capacity(len),
        };
        // a·R²·R⁻¹ = a·R, then a·R·b·R⁻¹ = a·b (below 2n each time).
        self.mont_mul(&a, &self.r2, &mut s);
        let a_m = core::mem::take(&mut s.out);
        self.mont_mul(&a_m, &b, &mut s);
        let mut r = s.out;
        if ge(&r, &self.n) {
            sub_in_place(&mut r, &self.n, self.w);
        }
        Some(self.to_be(&r))
    }

    /// `x mod n` for a big-endian `x` of any size, as [`Self::byte_len`]
    /// bytes: its bits shifted in one at a time (x is at most a few
    /// thousand bits here: a digest, or a value modulo a larger prime).
    pub fn reduce(&self, x_be: &[u8]) -> Vec<u8> {
        let mut acc = vec![0u32; self.n.len()];
        for byte in x_be {
            for bit in (0..8).rev() {
                self.double_mod(&mut acc, u32::from((byte >> bit) & 1));
            }
        }
        self.to_be(&acc)
    }

    /// Limbs (below n) to exactly [`Self::byte_len`] big-endian bytes.
    fn to_be(&self, limbs: &[u32]) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.byte_len());
        let (mut buf, mut have) = (0u64, 0u32);
        for &l in limbs {
            buf |= u64::from(l) << have;
            have += self.w;
            while have >= 8 && out.len() < self.byte_len() {
                out.push(buf as u8);
                buf >>= 8;
                have -= 8;
            }
        }
        while out.len() < self.byte_len() {
            out.push(buf as u8);
            buf >>= 8;
        }
        out.reverse();
        out
    }
}

/// `Sum`'s scalar twin, and `Sum` itself without `simd128`. Also compiled
/// into the wasm32 test build with `simd128`, which runs both twins on the
/// same limbs (`simd_twins/bignum.rs`); release builds with SIMD leave it
/// out. Declared last so that no line above it moved: the release module's
/// panic locations (file and line) stay byte for byte what they were.
#[cfg(any(test, not(all(target_arch = "wasm32", target_feature = "simd128"))))]
#[derive(Clone, Copy)]
struct ScalarSum {
    lanes: [u64; 2],
}

#[cfg(all(test, target_arch = "wasm32", target_feature = "simd128"))]
#[path = "simd_twins/bignum.rs"]
mod simd_twins;

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
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
        let mut rng = crate::test_rng::xorshift64(0x9e37_79b9_7f4a_7c15);
        let mut next = || u128::from(rng());
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

    /// `a >= b` for equal-length slices of 32-bit limbs (the reference's).
    fn ref_ge(a: &[u32], b: &[u32]) -> bool {
        a.iter().rev().cmp(b.iter().rev()) != std::cmp::Ordering::Less
    }

    /// `a -= b` for 32-bit limbs.
    fn ref_sub(a: &mut [u32], b: &[u32]) {
        let mut borrow = 0u64;
        for (x, &y) in a.iter_mut().zip(b) {
            let d = u64::from(*x)
                .wrapping_sub(u64::from(y))
                .wrapping_sub(borrow);
            *x = d as u32;
            borrow = (d >> 63) & 1;
        }
    }

    /// Reference: a·b mod n by shift-and-add on 32-bit limbs, one bit of b
    /// at a time; shares nothing with the code under test.
    fn mulmod_ref(a: &[u32], b: &[u32], n: &[u32]) -> Vec<u32> {
        let mut r = vec![0u32; n.len()];
        for bit in (0..32 * n.len()).rev() {
            let carry = r.iter_mut().fold(0u32, |c, l| {
                let out = *l >> 31;
                *l = (*l << 1) | c;
                out
            });
            if carry != 0 || ref_ge(&r, n) {
                ref_sub(&mut r, n);
            }
            if (b[bit / 32] >> (bit % 32)) & 1 == 1 {
                let mut c = 0u64;
                for (x, &y) in r.iter_mut().zip(a) {
                    let v = u64::from(*x) + u64::from(y) + c;
                    *x = v as u32;
                    c = v >> 32;
                }
                if c != 0 || ref_ge(&r, n) {
                    ref_sub(&mut r, n);
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
        let mut next = crate::test_rng::xorshift64(0x2545_f491_4f6c_dd1d);
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
            // n − 1 squared is 1; all-ones limbs stress every column sum.
            let mut minus_one = n.clone();
            minus_one[0] -= 1;
            assert_eq!(
                modulus.pow(&to_bytes(&minus_one), &[2]).unwrap(),
                to_bytes(&pow_ref(&minus_one, 2, &n))
            );
        }
    }

    /// The column sums' bound: moduli of all-ones limbs (the largest for
    /// their size, so operands near n have every limb at its maximum), at
    /// each limb width, across the width change (3,554 bits is the last
    /// 28-bit size) and at the largest size accepted. An overflow would
    /// panic here (debug arithmetic) or differ from the reference.
    #[test]
    fn largest_values_of_each_size_stay_in_bounds() {
        let limbs = |be: &[u8]| -> Vec<u32> {
            be.rchunks(4)
                .map(|c| c.iter().fold(0u32, |a, &b| (a << 8) | u32::from(b)))
                .collect()
        };
        assert_eq!(MAX_BITS, 13_795);
        for bits in [62, 3554, 3555, 3584, 4096, 8192, MAX_BITS] {
            let mut n = vec![0xffu8; bits / 8];
            if bits % 8 != 0 {
                n.insert(0, (1u8 << (bits % 8)) - 1);
            }
            let modulus = Modulus::new(&n).unwrap();
            assert_eq!(modulus.bits(), bits);
            // (n − 1)^65537 ≡ (−1)^65537 = n − 1, at any size.
            let mut minus_one = n.clone();
            *minus_one.last_mut().unwrap() = 0xfe;
            assert_eq!(
                modulus.pow(&minus_one, &[1, 0, 1]).unwrap(),
                minus_one,
                "{bits} bits"
            );
            // n − 2 against the reference, where it is quick enough.
            let mut minus_two = n.clone();
            *minus_two.last_mut().unwrap() = 0xfd;
            if bits <= 4096 {
                let want = to_bytes(&pow_ref(&limbs(&minus_two), 65_537, &limbs(&n)));
                let got = modulus.pow(&minus_two, &[1, 0, 1]).unwrap();
                assert_eq!(got, want[want.len() - n.len()..], "{bits} bits");
            }
        }
    }

    /// R² by the slow road (2·w·len doublings of 1) against the fast one.
    #[test]
    fn r_squared_matches_doubling_all_the_way() {
        for n in [
            vec![0x03, 0xe9],
            vec![0xc5; 256],
            vec![0xff; 256],
            vec![0x9b; 448],
            vec![0xa7; 512],
        ] {
            let mut n = n;
            *n.last_mut().unwrap() |= 1;
            let m = Modulus::new(&n).unwrap();
            let mut x = vec![0u32; m.n.len()];
            x[0] = 1;
            for _ in 0..2 * m.w as usize * m.n.len() {
                m.double_mod(&mut x, 0);
            }
            assert_eq!(m.r2, x, "{} bits", m.bits());
        }
    }

    /// 27-bit limbs are the narrowest: a modulus one bit past what they
    /// hold is refused (there was a 26-bit width for it, which no accepted
    /// RSA key could reach), and leading zero bytes do not count.
    #[test]
    fn refuses_moduli_beyond_the_largest_width() {
        let odd_of = |bits: usize| {
            let mut n = vec![0xffu8; bits / 8];
            n.insert(0, (1u8 << (bits % 8)) - 1);
            n
        };
        let largest = Modulus::new(&odd_of(13_795)).unwrap();
        assert_eq!((largest.bits(), largest.w), (13_795, 27));
        assert!(Modulus::new(&odd_of(13_796)).is_none());
        assert!(Modulus::new(&odd_of(20_000)).is_none());
        let padded = [&[0u8; 3][..], &odd_of(13_795)].concat();
        assert_eq!(Modulus::new(&padded).unwrap().bits(), 13_795);
        for (be, bits) in [
            (&[][..], 0),
            (&[0, 0], 0),
            (&[1], 1),
            (&[0, 0x80], 8),
            (&[0, 1, 0], 9),
        ] {
            assert_eq!(bit_length(be), bits, "{be:?}");
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

    /// What were this module's doc examples, until the module became
    /// crate-private (a doc test only sees the public API).
    #[test]
    fn the_examples_of_the_docs() {
        assert_eq!(bit_length(&[0x00, 0x01, 0x00]), 9);
        assert_eq!(bit_length(&[0x00]), 0);
        assert!(Modulus::new(&[0x0f, 0xff]).is_some());
        assert!(Modulus::new(&[0x10, 0x00]).is_none(), "even");
        assert!(Modulus::new(&[0x01]).is_none());
        assert!(
            Modulus::new(&vec![0xff; MAX_BITS / 8 + 1]).is_none(),
            "too large"
        );
        let m = Modulus::new(&[0x03, 0xe9]).unwrap(); // 1001
        assert_eq!(m.pow(&[0x02], &[0x0a]).unwrap(), vec![0x00, 0x17]); // 2^10 mod 1001 = 23
        assert!(m.pow(&[0x03, 0xe9], &[0x02]).is_none());
    }
}
