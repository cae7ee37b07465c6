//! ECDSA signature verification on P-256 and P-384 (SEC 1 v2 §4.1.4; FIPS
//! 186-5 §6.4.2), the curves XML-DSig's `ecdsa-sha256`/`ecdsa-sha384` are
//! used with.
//!
//! Why not the RustCrypto curve crates: they were about 150 KB of the full
//! module's code (P-384's fiat-crypto field alone 118 KB, unrolled), for a
//! verification a SAML deployment may never run. This is one Montgomery
//! multiplication over 32-bit limbs for both curves, both moduli (the field
//! prime p and the group order n), and textbook Jacobian formulas. It is
//! checked against those crates on generated keys and signatures
//! (`tests_ecdsa_differential.rs`) and against Wycheproof's vectors
//! (`tests/wycheproof.rs`).
//!
//! Only public values pass through here (a key from configuration, a
//! signature and a digest from a message), so nothing needs to run in
//! constant time; every value is kept fully reduced, which keeps the
//! arithmetic easy to check.
//!
//! Every limb array has [`MAX`] entries, of which a curve uses its first
//! `len` (8 or 12; the rest stay zero): the loops below run to `len`, which
//! is the bound the indexing relies on.

/// Limbs of the largest curve (P-384: 12 × 32 bits).
const MAX: usize = 12;

/// Little-endian 32-bit limbs; entries from the curve's `len` on are zero.
type Limbs = [u32; MAX];

/// The number 1.
const ONE: Limbs = {
    let mut one = [0u32; MAX];
    one[0] = 1;
    one
};

/// A NIST prime curve y² = x³ − 3x + b over GF(p), of prime order n.
#[derive(PartialEq, Eq)]
pub struct Curve {
    /// Its name, for `Debug`.
    name: &'static str,
    p: Limbs,
    n: Limbs,
    b: Limbs,
    gx: Limbs,
    gy: Limbs,
    /// Limbs in use (the field and the order have the same size).
    len: usize,
}

/// Big-endian hex (exactly `8 · len` digits) to limbs, at compile time.
// Every index is below the string's length (checked first) or below MAX
// (len ≤ MAX): a wrong constant fails the build, not a run.
#[allow(clippy::indexing_slicing)]
const fn hex(s: &str, len: usize) -> Limbs {
    let b = s.as_bytes();
    assert!(b.len() == 8 * len && len <= MAX);
    let mut out = [0u32; MAX];
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        assert!(
            c.is_ascii_digit() || matches!(c, b'a'..=b'f'),
            "not a hex digit"
        );
        let d = if c.is_ascii_digit() {
            c - b'0'
        } else {
            c - b'a' + 10
        };
        let bit = 4 * (b.len() - 1 - i);
        out[bit / 32] |= (d as u32) << (bit % 32);
        i += 1;
    }
    out
}

/// P-256 (secp256r1), FIPS 186-5 / SP 800-186 §3.2.1.3.
pub static P256: Curve = Curve {
    name: "P-256",
    p: hex(
        "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff",
        8,
    ),
    n: hex(
        "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551",
        8,
    ),
    b: hex(
        "5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b",
        8,
    ),
    gx: hex(
        "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296",
        8,
    ),
    gy: hex(
        "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5",
        8,
    ),
    len: 8,
};

/// P-384 (secp384r1), SP 800-186 §3.2.1.4.
pub static P384: Curve = Curve {
    name: "P-384",
    p: hex("fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffff", 12),
    n: hex("ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973", 12),
    b: hex("b3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aef", 12),
    gx: hex("aa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7", 12),
    gy: hex("3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5f", 12),
    len: 12,
};

impl core::fmt::Debug for Curve {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name)
    }
}

impl Curve {
    /// The size of a field element (and of r and s) in bytes.
    pub fn byte_len(&self) -> usize {
        4 * self.len
    }
}

/// `a < b` over the first `len` limbs.
fn lt(a: &Limbs, b: &Limbs, len: usize) -> bool {
    for (x, y) in a.iter().zip(b).take(len).rev() {
        if x != y {
            return x < y;
        }
    }
    false
}

fn is_zero(a: &Limbs) -> bool {
    a.iter().all(|&l| l == 0)
}

/// `a + b` over `len` limbs and the carry out.
fn add_limbs(a: &Limbs, b: &Limbs, len: usize) -> (Limbs, bool) {
    let mut out = [0u32; MAX];
    let mut carry = 0u64;
    for ((o, &x), &y) in out.iter_mut().zip(a).zip(b).take(len) {
        let s = u64::from(x) + u64::from(y) + carry;
        *o = s as u32;
        carry = s >> 32;
    }
    (out, carry != 0)
}

/// `a − b` over `len` limbs and the borrow out.
fn sub_limbs(a: &Limbs, b: &Limbs, len: usize) -> (Limbs, bool) {
    let mut out = [0u32; MAX];
    let mut borrow = 0u32;
    for ((o, &x), &y) in out.iter_mut().zip(a).zip(b).take(len) {
        let (d1, b1) = x.overflowing_sub(y);
        let (d2, b2) = d1.overflowing_sub(borrow);
        *o = d2;
        borrow = u32::from(b1 || b2);
    }
    (out, borrow != 0)
}

/// Big-endian bytes (at most `4 · len` once leading zeros are dropped) to
/// limbs; `None` if the value needs more.
fn from_be(bytes: &[u8], len: usize) -> Option<Limbs> {
    let first = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    let bytes = bytes.get(first..)?;
    if bytes.len() > 4 * len {
        return None;
    }
    let mut out = [0u32; MAX];
    for (i, &b) in bytes.iter().rev().enumerate() {
        *out.get_mut(i / 4)? |= u32::from(b) << (8 * (i % 4));
    }
    Some(out)
}

/// Arithmetic modulo an odd `m`, in Montgomery form (R = 2^(32·len)), every
/// value in [0, m).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Mont {
    m: Limbs,
    len: usize,
    /// −m⁻¹ mod 2³²
    inv: u32,
    /// R² mod m, to enter the Montgomery form with one multiplication.
    r2: Limbs,
}

impl Mont {
    fn new(m: &Limbs, len: usize) -> Self {
        // Newton's iteration doubles the correct low bits each step: 1→2→…→32.
        let mut inv: u32 = 1;
        for _ in 0..5 {
            inv = inv.wrapping_mul(2u32.wrapping_sub(m[0].wrapping_mul(inv)));
        }
        let mut mont = Self {
            m: *m,
            len,
            inv: inv.wrapping_neg(),
            r2: [0; MAX],
        };
        // 1 doubled 2·32·len times is R² mod m (m > 2^(32·len − 1), so each
        // doubling needs at most one subtraction).
        let mut x = [0u32; MAX];
        x[0] = 1;
        for _ in 0..64 * len {
            x = mont.add(&x, &x);
        }
        mont.r2 = x;
        mont
    }

    /// `a + b mod m`.
    fn add(&self, a: &Limbs, b: &Limbs) -> Limbs {
        let (s, carry) = add_limbs(a, b, self.len);
        if carry || !lt(&s, &self.m, self.len) {
            sub_limbs(&s, &self.m, self.len).0
        } else {
            s
        }
    }

    /// `a − b mod m`.
    fn sub(&self, a: &Limbs, b: &Limbs) -> Limbs {
        let (d, borrow) = sub_limbs(a, b, self.len);
        if borrow {
            add_limbs(&d, &self.m, self.len).0
        } else {
            d
        }
    }

    /// `a · b · R⁻¹ mod m` (CIOS). Each step's `u64` sum is at most
    /// (2³² − 1)² + 2·(2³² − 1) = 2⁶⁴ − 1, and the running value stays below
    /// 2m, so one subtraction ends it.
    // j < len ≤ MAX, and t has MAX + 2 entries.
    #[allow(clippy::indexing_slicing)]
    fn mul(&self, a: &Limbs, b: &Limbs) -> Limbs {
        // len ≤ MAX always; saying so lets the compiler drop the bounds checks.
        let n = self.len.min(MAX);
        let mut t = [0u32; MAX + 2];
        for &ai in a.iter().take(n) {
            let mut c = 0u64;
            for j in 0..n {
                let s = u64::from(t[j]) + u64::from(ai) * u64::from(b[j]) + c;
                t[j] = s as u32;
                c = s >> 32;
            }
            let s = u64::from(t[n]) + c;
            t[n] = s as u32;
            t[n + 1] = (s >> 32) as u32;
            let q = t[0].wrapping_mul(self.inv);
            let mut c = (u64::from(t[0]) + u64::from(q) * u64::from(self.m[0])) >> 32;
            for j in 1..n {
                let s = u64::from(t[j]) + u64::from(q) * u64::from(self.m[j]) + c;
                t[j - 1] = s as u32;
                c = s >> 32;
            }
            let s = u64::from(t[n]) + c;
            t[n - 1] = s as u32;
            t[n] = t[n + 1] + (s >> 32) as u32;
        }
        let mut r = [0u32; MAX];
        r[..n].copy_from_slice(&t[..n]);
        if t[n] != 0 || !lt(&r, &self.m, n) {
            r = sub_limbs(&r, &self.m, n).0;
        }
        r
    }

    fn sqr(&self, a: &Limbs) -> Limbs {
        self.mul(a, a)
    }

    /// `a` (below m) into the Montgomery form.
    fn enter(&self, a: &Limbs) -> Limbs {
        self.mul(a, &self.r2)
    }

    /// Out of the Montgomery form.
    fn leave(&self, a: &Limbs) -> Limbs {
        self.mul(a, &ONE)
    }

    /// `a^e` for `a` in the Montgomery form (so is the result).
    fn pow(&self, a: &Limbs, e: &Limbs) -> Limbs {
        let mut acc = self.enter(&ONE);
        for bit in (0..32 * self.len).rev() {
            acc = self.sqr(&acc);
            if limb_bit(e, bit) {
                acc = self.mul(&acc, a);
            }
        }
        acc
    }

    /// `a⁻¹` for a non-zero `a` in the Montgomery form, by Fermat's little
    /// theorem (`a^(m−2)`): m is prime for both moduli of both curves.
    fn invert(&self, a: &Limbs) -> Limbs {
        let mut two = [0u32; MAX];
        two[0] = 2;
        self.pow(a, &sub_limbs(&self.m, &two, self.len).0)
    }
}

fn limb_bit(e: &Limbs, bit: usize) -> bool {
    e.get(bit / 32).is_some_and(|l| (l >> (bit % 32)) & 1 == 1)
}

/// A point in Jacobian coordinates (x = X/Z², y = Y/Z³), each in the field's
/// Montgomery form; Z = 0 is the point at infinity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Jacobian {
    x: Limbs,
    y: Limbs,
    z: Limbs,
}

/// The curve's point arithmetic, over its field `f`.
struct Group<'f> {
    curve: &'static Curve,
    f: &'f Mont,
}

impl Group<'_> {
    const INFINITY: Jacobian = Jacobian {
        x: [0; MAX],
        y: [0; MAX],
        z: [0; MAX],
    };

    /// An affine point (plain coordinates below p) in Jacobian form.
    fn point(&self, x: &Limbs, y: &Limbs) -> Jacobian {
        Jacobian {
            x: self.f.enter(x),
            y: self.f.enter(y),
            z: self.f.enter(&ONE),
        }
    }

    /// x³ − 3x + b for a plain x, in the Montgomery form.
    fn rhs(&self, x: &Limbs) -> Limbs {
        let f = &self.f;
        let xm = f.enter(x);
        let x3 = f.mul(&f.sqr(&xm), &xm);
        let three_x = f.add(&f.add(&xm, &xm), &xm);
        f.add(&f.sub(&x3, &three_x), &f.enter(&self.curve.b))
    }

    /// 2P ("dbl-2001-b", for a = −3). Doubling infinity, or a point with
    /// y = 0, gives Z = 0 on its own.
    fn double(&self, p: &Jacobian) -> Jacobian {
        let f = &self.f;
        let delta = f.sqr(&p.z);
        let gamma = f.sqr(&p.y);
        let beta = f.mul(&p.x, &gamma);
        let t = f.mul(&f.sub(&p.x, &delta), &f.add(&p.x, &delta));
        let alpha = f.add(&f.add(&t, &t), &t);
        let beta2 = f.add(&beta, &beta);
        let beta4 = f.add(&beta2, &beta2);
        let x = f.sub(&f.sqr(&alpha), &f.add(&beta4, &beta4));
        let z = f.sub(&f.sub(&f.sqr(&f.add(&p.y, &p.z)), &gamma), &delta);
        let g2 = f.sqr(&gamma);
        let g4 = f.add(&g2, &g2);
        let g8 = f.add(&f.add(&g4, &g4), &f.add(&g4, &g4));
        let y = f.sub(&f.mul(&alpha, &f.sub(&beta4, &x)), &g8);
        Jacobian { x, y, z }
    }

    /// P + Q, every case: either at infinity, P = Q (a doubling) and P = −Q
    /// (infinity).
    fn add(&self, p: &Jacobian, q: &Jacobian) -> Jacobian {
        if is_zero(&p.z) {
            return *q;
        }
        if is_zero(&q.z) {
            return *p;
        }
        let f = &self.f;
        let z1z1 = f.sqr(&p.z);
        let z2z2 = f.sqr(&q.z);
        let u1 = f.mul(&p.x, &z2z2);
        let u2 = f.mul(&q.x, &z1z1);
        let s1 = f.mul(&f.mul(&p.y, &q.z), &z2z2);
        let s2 = f.mul(&f.mul(&q.y, &p.z), &z1z1);
        let h = f.sub(&u2, &u1);
        let r = f.sub(&s2, &s1);
        if is_zero(&h) {
            return if is_zero(&r) {
                self.double(p)
            } else {
                Self::INFINITY
            };
        }
        let hh = f.sqr(&h);
        let hhh = f.mul(&h, &hh);
        let v = f.mul(&u1, &hh);
        let x = f.sub(&f.sub(&f.sqr(&r), &hhh), &f.add(&v, &v));
        let y = f.sub(&f.mul(&r, &f.sub(&v, &x)), &f.mul(&s1, &hhh));
        let z = f.mul(&f.mul(&p.z, &q.z), &h);
        Jacobian { x, y, z }
    }

    /// u1·G + u2·Q (plain scalars) from the table [G, Q, G + Q], Shamir's
    /// trick: one doubling per bit and at most one addition.
    fn twin_mul(&self, u1: &Limbs, u2: &Limbs, table: &[Jacobian; 3]) -> Jacobian {
        let [g, q, gq] = table;
        let mut acc = Self::INFINITY;
        for bit in (0..32 * self.curve.len).rev() {
            acc = self.double(&acc);
            acc = match (limb_bit(u1, bit), limb_bit(u2, bit)) {
                (true, true) => self.add(&acc, gq),
                (true, false) => self.add(&acc, g),
                (false, true) => self.add(&acc, q),
                (false, false) => acc,
            };
        }
        acc
    }
}

/// An ECDSA verifying key: a point of the curve other than infinity, with
/// what every verification with it needs made once: both moduli's
/// Montgomery constants and the table [G, Q, G + Q].
#[derive(Clone, PartialEq, Eq)]
pub struct EcPublicKey {
    curve: &'static Curve,
    /// Plain affine coordinates, below p.
    x: Limbs,
    y: Limbs,
    field: Mont,
    order: Mont,
    table: [Jacobian; 3],
}

impl core::fmt::Debug for EcPublicKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("EcPublicKey")
            .field("curve", self.curve)
            .field("x", &self.x)
            .field("y", &self.y)
            .finish_non_exhaustive()
    }
}

impl EcPublicKey {
    /// A SEC 1 encoded point (§2.3.4): uncompressed (`04 ‖ X ‖ Y`) or
    /// compressed (`02`/`03 ‖ X`), each coordinate exactly the field's size;
    /// `None` unless the point is on `curve`. The identity (`00`) and the
    /// hybrid forms are refused.
    pub fn from_sec1(curve: &'static Curve, bytes: &[u8]) -> Option<Self> {
        let size = curve.byte_len();
        let (&tag, rest) = bytes.split_first()?;
        let coordinate = |b: &[u8]| from_be(b, curve.len).filter(|v| lt(v, &curve.p, curve.len));
        let field = Mont::new(&curve.p, curve.len);
        let group = Group { curve, f: &field };
        let f = &field;
        let (x, y) = match tag {
            0x04 if rest.len() == 2 * size => {
                let (xb, yb) = rest.split_at(size);
                let (x, y) = (coordinate(xb)?, coordinate(yb)?);
                let ym = f.enter(&y);
                if f.sqr(&ym) != group.rhs(&x) {
                    return None;
                }
                (x, y)
            }
            0x02 | 0x03 if rest.len() == size => {
                let x = coordinate(rest)?;
                let rhs = group.rhs(&x);
                // p ≡ 3 (mod 4) on both curves: a square root of c is
                // c^((p+1)/4), if c has one.
                let (p1, _) = add_limbs(&curve.p, &ONE, curve.len);
                let root = f.pow(&rhs, &shr2(&p1));
                if f.sqr(&root) != rhs {
                    return None;
                }
                let mut y = f.leave(&root);
                if (y[0] & 1 == 1) != (tag == 0x03) {
                    y = sub_limbs(&curve.p, &y, curve.len).0;
                }
                (x, y)
            }
            _ => return None,
        };
        let g = group.point(&curve.gx, &curve.gy);
        let q = group.point(&x, &y);
        let table = [g, q, group.add(&g, &q)];
        Some(Self {
            curve,
            x,
            y,
            order: Mont::new(&curve.n, curve.len),
            field,
            table,
        })
    }

    /// The curve the key is on.
    pub fn curve(&self) -> &'static Curve {
        self.curve
    }

    /// Whether (r, s), big-endian magnitudes, is a signature of `prehash`
    /// (the message's digest, any length: its leftmost bits are taken, as
    /// SEC 1 §4.1.4 step 3 says) by this key.
    pub fn verify(&self, prehash: &[u8], r: &[u8], s: &[u8]) -> bool {
        let curve = self.curve;
        let len = curve.len;
        let scalar = |b: &[u8]| from_be(b, len).filter(|v| !is_zero(v) && lt(v, &curve.n, len));
        let (Some(r), Some(s)) = (scalar(r), scalar(s)) else {
            return false;
        };
        // The order's size is a whole number of bytes on both curves, so
        // the leftmost bits are the leftmost bytes. e < 2^bits < 2n.
        let Some(e) = from_be(prehash.get(..curve.byte_len()).unwrap_or(prehash), len) else {
            return false;
        };
        let e = if lt(&e, &curve.n, len) {
            e
        } else {
            sub_limbs(&e, &curve.n, len).0
        };
        let order = &self.order;
        let w = order.invert(&order.enter(&s));
        let u1 = order.leave(&order.mul(&order.enter(&e), &w));
        let u2 = order.leave(&order.mul(&order.enter(&r), &w));
        let f = &self.field;
        let group = Group { curve, f };
        let sum = group.twin_mul(&u1, &u2, &self.table);
        if is_zero(&sum.z) {
            return false;
        }
        // The affine x = X/Z² is below p, and p < 2n: x mod n = r means x is
        // r or, when r + n < p, r + n. Compared as X = x·Z², which needs no
        // inversion.
        let zz = f.sqr(&sum.z);
        let matches = |x: &Limbs| f.mul(&f.enter(x), &zz) == sum.x;
        let (r_n, carry) = add_limbs(&r, &curve.n, len);
        matches(&r) || (!carry && lt(&r_n, &curve.p, len) && matches(&r_n))
    }
}

/// `a >> 2`.
fn shr2(a: &Limbs) -> Limbs {
    let mut out = [0u32; MAX];
    for (i, o) in out.iter_mut().enumerate() {
        let hi = a.get(i + 1).copied().unwrap_or(0);
        *o = (a.get(i).copied().unwrap_or(0) >> 2) | (hi << 30);
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use p256::elliptic_curve::group::Group as _;
    use p256::elliptic_curve::sec1::ToEncodedPoint;
    use p256::{ProjectivePoint, Scalar};

    fn small(v: u32) -> Limbs {
        let mut l = [0u32; MAX];
        l[0] = v;
        l
    }

    /// Shamir's loop where random scalars never go: keys that are small
    /// multiples of G or their negations, so that sums meet G, Q, a doubling
    /// (P + P) and infinity (P − P) on the way. Every result is p256's.
    #[test]
    fn shamir_through_doublings_and_infinity_matches_p256() {
        let mut cases = 0;
        for k in 1..=5u64 {
            for negate in [false, true] {
                let q = ProjectivePoint::GENERATOR * Scalar::from(k);
                let q = if negate { -q } else { q };
                let enc = q.to_affine().to_encoded_point(false);
                let key = EcPublicKey::from_sec1(&P256, enc.as_bytes()).unwrap();
                let group = Group {
                    curve: &P256,
                    f: &key.field,
                };
                for u1 in 0..9u32 {
                    for u2 in 0..9u32 {
                        let ours = group.twin_mul(&small(u1), &small(u2), &key.table);
                        let theirs = ProjectivePoint::GENERATOR * Scalar::from(u64::from(u1))
                            + q * Scalar::from(u64::from(u2));
                        if bool::from(theirs.is_identity()) {
                            assert!(is_zero(&ours.z), "k {k} {negate} u1 {u1} u2 {u2}");
                        } else {
                            let f = group.f;
                            let x = f.leave(&f.mul(&ours.x, &f.invert(&f.sqr(&ours.z))));
                            let want = theirs.to_affine().to_encoded_point(false);
                            let want = from_be(want.x().unwrap(), 8).unwrap();
                            assert_eq!(x, want, "k {k} {negate} u1 {u1} u2 {u2}");
                        }
                        cases += 1;
                    }
                }
            }
        }
        assert_eq!(cases, 810);
    }
}
