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

/// A number from the environment variable `name` (a seed or a count a
/// randomized test takes to repeat or resize a run), if it is set.
pub(crate) fn env_number(name: &str) -> Option<u64> {
    let v = std::env::var(name).ok()?;
    #[allow(clippy::panic)] // a test's own setting, mistyped: say so
    Some(
        v.parse()
            .unwrap_or_else(|_| panic!("{name}={v:?} is not a number")),
    )
}

/// The seed of a randomized test: `var`'s value when set (a printed seed
/// repeats that run), else a new one from the clock and the process. Never
/// zero (xorshift's one fixed point).
pub(crate) fn seed(var: &str) -> u64 {
    env_number(var).map(|s| s.max(1)).unwrap_or_else(|| {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        (t.as_nanos() as u64 ^ u64::from(std::process::id())) % 1_000_000_000 + 1
    })
}

/// Draws from a generator such as [`xorshift64`]'s.
pub(crate) trait Draw {
    /// The next 64 random bits.
    fn next_u64(&mut self) -> u64;

    /// A number below `n` (which must not be zero).
    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// True one time in `n`.
    fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }
}

impl<F: FnMut() -> u64> Draw for F {
    fn next_u64(&mut self) -> u64 {
        self()
    }
}
