//! A small deterministic generator for tests (xorshift64), so that a failing
//! random case reproduces. Not for anything that needs unpredictability:
//! that is [`crate::random`].

/// Successive xorshift64 outputs from `seed` (which must not be zero).
pub(crate) fn xorshift64(mut seed: u64) -> impl FnMut() -> u64 {
    move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    }
}
