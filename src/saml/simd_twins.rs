//! The full module's SIMD routines against their scalar twins, both run on
//! the same generated inputs inside the wasm32 build with `simd128` (the
//! build that ships). Natively only the scalar twins exist, so `cargo test`
//! cannot tell a wrong lane from a right one; these tests can.
//!
//! One file per routine, each a child module of the routine's own module so
//! it reaches the private twins: `simd_twins/xml.rs` (the XML character
//! scan), `simd_twins/c14n.rs` (the C14N escaper), `simd_twins/b64_blocks.rs`
//! (base64 blocks) and `simd_twins/bignum.rs` (RSA's dot products). This
//! file holds what they share.
//!
//! The three block-prefix routines (scan, escaper, base64) have as scalar
//! twin "no block consumed" and the caller's byte-at-a-time loop. Each asks
//! [`scalar_twin`] first, in test builds only, so the same caller runs once
//! with SIMD and once with the scalar twin ([`twins`]); the release build has
//! neither the question nor this module. RSA's column sum has a scalar twin
//! type (`ScalarSum`), compiled into test builds next to the SIMD one.
//!
//! Run by `scripts/test.sh`:
//! `CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
//! RUSTFLAGS='-C target-feature=+simd128' cargo test --target
//! wasm32-unknown-unknown --lib simd_twins`, in Node. Each test prints how
//! many inputs its pair agreed on.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use core::sync::atomic::{AtomicBool, Ordering};

static SCALAR: AtomicBool = AtomicBool::new(false);

/// Whether the SIMD routines are to act as their scalar twins (set only
/// inside [`twins`]).
pub(crate) fn scalar_twin() -> bool {
    SCALAR.load(Ordering::Relaxed)
}

/// `f()` with the SIMD routines, then with their scalar twins: `(simd,
/// scalar)`. The switch is set explicitly both times, so a test that failed
/// half-way cannot leave the next one comparing the scalar twin with itself.
pub(crate) fn twins<T>(f: impl Fn() -> T) -> (T, T) {
    SCALAR.store(false, Ordering::Relaxed);
    let simd = f();
    SCALAR.store(true, Ordering::Relaxed);
    let scalar = f();
    SCALAR.store(false, Ordering::Relaxed);
    (simd, scalar)
}

/// Counts the inputs a pair of twins ran on, and prints the count.
pub(crate) struct Tally {
    name: &'static str,
    inputs: usize,
}

impl Tally {
    pub(crate) fn new(name: &'static str) -> Self {
        Self { name, inputs: 0 }
    }

    /// One more input on which the twins agreed.
    pub(crate) fn agreed(&mut self) {
        self.inputs += 1;
    }

    /// Prints the count; fails if nothing ran (a generator that yields
    /// nothing would otherwise pass).
    pub(crate) fn report(self) {
        assert!(self.inputs > 0, "{}: no inputs", self.name);
        wasm_bindgen_test::console_log!(
            "simd_twins: {}: SIMD and scalar twins agree on {} inputs",
            self.name,
            self.inputs
        );
    }
}

/// The fixed seed of every generator here: a failure reproduces.
pub(crate) const SEED: u64 = 0x5eed_51bd_7a1e_0018;

/// A seeded generator (`crate::test_rng`), with helpers.
pub(crate) struct Rng(Box<dyn FnMut() -> u64>);

impl Rng {
    pub(crate) fn new(salt: u64) -> Self {
        Self(Box::new(crate::test_rng::xorshift64(SEED ^ salt)))
    }

    pub(crate) fn next(&mut self) -> u64 {
        (self.0)()
    }

    /// Uniform-enough in `0..n` (`n > 0`).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// One element of `choices`.
    pub(crate) fn pick<T: Copy>(&mut self, choices: &[T]) -> T {
        choices[self.below(choices.len())]
    }
}

/// Lengths around every vector width and block boundary (0..=64, which
/// covers 4, 12, 16 and their multiples), then a few large ones.
pub(crate) fn lengths() -> impl Iterator<Item = usize> {
    (0..=64).chain([65, 95, 127, 128, 129, 255, 256, 257, 1000, 4099, 9000])
}
