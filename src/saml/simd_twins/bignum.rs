//! RSA's dot products: the column sum `Sum` (two products per
//! `i64x2.extmul_*_i32x4_u`) and its scalar twin `ScalarSum`, fed the same
//! limbs four at a time, as `dot` feeds them. See `saml/simd_twins.rs`.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use super::{dot, max_limbs, ScalarSum, Sum};
use crate::saml::simd_twins::{Rng, Tally};
use wasm_bindgen_test::wasm_bindgen_test;

/// Σ x[i]·y[i] without any lanes, in `u128` so an overflow of the `u64`
/// sums would show rather than wrap.
fn reference(x: &[u32], y: &[u32]) -> u128 {
    x.iter()
        .zip(y)
        .map(|(&a, &b)| u128::from(a) * u128::from(b))
        .sum()
}

/// Feeds both twins the same four-limb steps and compares their totals
/// after every step; then `dot` (the SIMD one, with its scalar tail) against
/// the reference.
fn check(tally: &mut Tally, x: &[u32], y: &[u32]) {
    assert_eq!(x.len(), y.len());
    let want = reference(x, y);
    assert!(want < 1 << 64, "an input beyond the callers' bound");
    let (mut simd, mut scalar) = (Sum::new(), ScalarSum::new());
    for (step, (a, b)) in x.chunks_exact(4).zip(y.chunks_exact(4)).enumerate() {
        let (a, b) = (a.first_chunk().unwrap(), b.first_chunk().unwrap());
        simd.add4(a, b);
        scalar.add4(a, b);
        assert_eq!(
            simd.total(),
            scalar.total(),
            "step {step} of {} limbs: {x:08x?} · {y:08x?}",
            x.len()
        );
    }
    assert_eq!(u128::from(dot(x, y)), want, "{x:08x?} · {y:08x?}");
    tally.agreed();
}

#[wasm_bindgen_test]
fn column_sums_agree_with_their_scalar_twin() {
    let mut tally = Tally::new("bignum Sum and ScalarSum (dot)");
    let mut rng = Rng::new(0xb16);
    for w in [27, 28] {
        let top = (1u32 << w) - 1;
        let limb = |rng: &mut Rng| rng.next() as u32 & top;
        // Every length around the four-limb steps, random limbs.
        for len in 0..=64 {
            for _ in 0..32 {
                let x: Vec<u32> = (0..len).map(|_| limb(&mut rng)).collect();
                let y: Vec<u32> = (0..len).map(|_| limb(&mut rng)).collect();
                check(&mut tally, &x, &y);
            }
            // One largest limb at each position: each lane on its own.
            for at in 0..len {
                let mut x = vec![0; len];
                x[at] = top;
                check(&mut tally, &x, &vec![top; len]);
            }
        }
        // The longest column the callers allow (2·len products, len at its
        // most for w), every limb at its largest: the sums run up to just
        // below 2^64, carrying through every bit of the lanes.
        let longest = 2 * max_limbs(w);
        for len in [longest - 5, longest - 1, longest] {
            check(&mut tally, &vec![top; len], &vec![top; len]);
            let x: Vec<u32> = (0..len).map(|_| top - (limb(&mut rng) & 0xff)).collect();
            check(&mut tally, &x, &vec![top; len]);
        }
        // RSA-2048, -3072, -4096 and -8192 sized columns, random limbs.
        for bits in [2048usize, 3072, 4096, 8192] {
            let len = 2 * (bits + 2).div_ceil(w as usize);
            for _ in 0..16 {
                let x: Vec<u32> = (0..len).map(|_| limb(&mut rng)).collect();
                let y: Vec<u32> = (0..len).map(|_| limb(&mut rng)).collect();
                check(&mut tally, &x, &y);
            }
        }
    }
    // Whole 32-bit limbs in one step, one lane at a time: an extended
    // multiply that sign-extended would differ here (and only here).
    for lane in 0..4 {
        for v in [0x8000_0000, 0xffff_ffff, 0xdead_beef, 0x7fff_ffff] {
            let mut x = [0u32; 4];
            x[lane] = v;
            check(&mut tally, &x, &x);
            let mut y = [0u32; 4];
            y[lane] = 0xffff_ffff;
            check(&mut tally, &x, &y);
        }
    }
    // Three lanes with the top bit set (3·(2^31 + 2^24)^2 stays below 2^64).
    for skip in 0..4 {
        let x: Vec<u32> = (0..4)
            .map(|i| {
                if i == skip {
                    0
                } else {
                    0x8000_0000 | (rng.next() as u32 >> 8)
                }
            })
            .collect();
        check(&mut tally, &x, &x);
    }
    tally.report();
}
