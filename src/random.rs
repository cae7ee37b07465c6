//! The only source of randomness in edge-sso.
//!
//! Natively this is the operating system's CSPRNG; in WebAssembly it is the
//! host's `crypto.getRandomValues` (browsers, Node 20+, workerd, Deno). There is
//! deliberately no fallback: without a secure source every call fails with
//! [`Error::RandomUnavailable`](crate::error::Error::RandomUnavailable)
//! rather than producing guessable values.
//!
//! Natively every draw is its own `getrandom` call and nothing drawn is kept
//! in memory: a process that forks after using edge-sso must not hand out the
//! same next `state`, nonce or PKCE verifier in parent and child.
//!
//! In WebAssembly (wasm32) small requests are served from a pool of CSPRNG
//! output, refilled by one host call of [`POOL_BYTES`]: in Node,
//! `crypto.getRandomValues` costs a few microseconds per call whatever its
//! size, which was three quarters of the time of a PKCE pair plus a `state`.
//! Every byte is handed out once and wiped from the pool as it is. The pool
//! is filled on first use, never when the module is instantiated, so a
//! runtime that snapshots a freshly initialised module does not copy pending
//! randomness into every instance.
//!
//! The price is the fork problem again, for memory snapshots: once an
//! instance has drawn, its memory holds up to `POOL_BYTES − 1` bytes not yet
//! handed out, and every instance restored from a snapshot of that memory (a
//! snapshotting edge runtime, a pre-initialiser that ran code which drew)
//! would hand out the same next `state`, nonce, verifier and request ID as
//! every other. edge-sso takes no snapshot itself; a host that snapshots must
//! do it before the first draw.

use alloc::string::String;

use crate::b64url;
use crate::error::Result;

/// Size of the pool, and of each refill (wasm32 only: natively nothing is
/// pooled).
pub const POOL_BYTES: usize = 512;

/// Fills `buf` from the CSPRNG: in wasm32 requests up to a quarter of the
/// pool come from the pool, larger ones directly from the host; natively
/// every request goes to the operating system.
///
/// ```
/// let mut buf = [0u8; 16];
/// edge_sso::random::fill(&mut buf).unwrap();
/// ```
pub fn fill(buf: &mut [u8]) -> Result<()> {
    #[cfg(target_arch = "wasm32")]
    {
        pool::fill(buf)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        getrandom::fill(buf).map_err(|_| crate::error::Error::RandomUnavailable)
    }
}

/// The wasm32 pool (compiled natively for its tests only).
#[cfg(any(target_arch = "wasm32", test))]
mod pool {
    use core::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering};

    use zeroize::Zeroize;

    use super::POOL_BYTES;
    use crate::error::{Error, Result};

    // The pool is a plain static of atomics rather than a `thread_local!` cell:
    // the OAuth-only module is `no_std` (no `thread_local!`), and atomics are the
    // one interior mutability a `static` may hold without `unsafe`. In wasm32
    // without the atomics feature they compile to ordinary loads and stores.
    // `BUSY` makes each use of the pool exclusive: a caller that finds it busy
    // (on another thread: the native tests, a wasm32 build with threads) goes
    // straight to the host instead of waiting, so a byte is never handed out
    // twice.
    pub(super) static POOL: [AtomicU8; POOL_BYTES] = [const { AtomicU8::new(0) }; POOL_BYTES];
    /// Bytes already handed out (and wiped) from the front.
    pub(super) static USED: AtomicUsize = AtomicUsize::new(POOL_BYTES);
    pub(super) static BUSY: AtomicBool = AtomicBool::new(false);

    /// [`super::fill`] in wasm32: requests up to a quarter of the pool from the
    /// pool, larger ones directly from the host.
    pub(super) fn fill(buf: &mut [u8]) -> Result<()> {
        if buf.len() > POOL_BYTES / 4 || BUSY.swap(true, Ordering::Acquire) {
            return getrandom::fill(buf).map_err(|_| Error::RandomUnavailable);
        }
        let taken = take(buf);
        BUSY.store(false, Ordering::Release);
        taken
    }

    /// Serves `buf` from the pool; the caller holds `BUSY`.
    fn take(buf: &mut [u8]) -> Result<()> {
        let mut used = USED.load(Ordering::Relaxed);
        if POOL_BYTES - used < buf.len() {
            // Refill whole; what was left over is overwritten, never reused.
            let mut fresh = [0u8; POOL_BYTES];
            getrandom::fill(&mut fresh).map_err(|_| Error::RandomUnavailable)?;
            for (slot, b) in POOL.iter().zip(&fresh) {
                slot.store(*b, Ordering::Relaxed);
            }
            fresh.zeroize();
            used = 0;
        }
        let slots = POOL
            .get(used..used + buf.len())
            .ok_or(Error::RandomUnavailable)?;
        for (out, slot) in buf.iter_mut().zip(slots) {
            // Handed out once: the pool's copy is wiped as it is read.
            *out = slot.swap(0, Ordering::Relaxed);
        }
        USED.store(used + buf.len(), Ordering::Relaxed);
        Ok(())
    }
}

/// 256 random bits as unpadded base64url (43 characters): used for `state`,
/// `nonce` and request IDs (RFC 6749 §10.10 asks for at least 128 bits).
///
/// ```
/// let s = edge_sso::random::token_256().unwrap();
/// assert_eq!(s.len(), 43);
/// ```
pub fn token_256() -> Result<String> {
    let mut bytes = [0u8; 32];
    fill(&mut bytes)?;
    Ok(b64url::encode(&bytes))
}

/// A fresh OAuth `state` value: 256 bits, base64url.
///
/// ```
/// let a = edge_sso::random_state().unwrap();
/// let b = edge_sso::random_state().unwrap();
/// assert_ne!(a, b);
/// ```
pub fn random_state() -> Result<String> {
    token_256()
}

/// A fresh OpenID Connect `nonce` value: 256 bits, base64url.
///
/// ```
/// assert_eq!(edge_sso::random_nonce().unwrap().len(), 43);
/// ```
pub fn random_nonce() -> Result<String> {
    token_256()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::pool::{BUSY, POOL, USED};
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    use core::sync::atomic::Ordering;
    use std::collections::HashSet;
    use std::sync::{Mutex, MutexGuard};

    /// Natively only these tests touch the pool; they take turns.
    fn pool_to_myself() -> MutexGuard<'static, ()> {
        static TURN: Mutex<()> = Mutex::new(());
        TURN.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    #[test]
    fn pooled_bytes_are_handed_out_once_and_wiped() {
        let _turn = pool_to_myself();
        // Drain the pool across a refill with odd sizes: no two outputs may
        // share a 16-byte window, and consumed pool bytes read as zero.
        let mut outputs = HashSet::new();
        for size in [16usize, 17, 31, 32, 48, 96, 128].iter().cycle().take(200) {
            let mut buf = vec![0u8; *size];
            super::pool::fill(&mut buf).unwrap();
            assert!(buf.iter().any(|&b| b != 0));
            assert!(
                outputs.insert(buf[..16].to_vec()),
                "a pooled byte run came out twice"
            );
        }
        // Hold the pool (in wasm32 every draw goes through it) while checking it.
        while BUSY.swap(true, Ordering::Acquire) {
            std::thread::yield_now();
        }
        let used = USED.load(Ordering::Relaxed);
        let wiped = POOL[..used].iter().all(|b| b.load(Ordering::Relaxed) == 0);
        BUSY.store(false, Ordering::Release);
        assert!(wiped, "handed-out bytes are wiped from the pool");
        // Larger requests bypass the pool.
        let mut big = vec![0u8; POOL_BYTES];
        super::pool::fill(&mut big).unwrap();
        assert!(big.iter().any(|&b| b != 0));
    }

    /// Natively nothing drawn stays in memory (a fork would duplicate it):
    /// from an empty pool, draws leave it empty, never filled.
    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn native_draws_keep_nothing_in_a_pool() {
        let _turn = pool_to_myself();
        POOL.iter().for_each(|b| b.store(0, Ordering::Relaxed));
        USED.store(POOL_BYTES, Ordering::Relaxed);
        let mut buf = [0u8; 16];
        fill(&mut buf).unwrap();
        assert!(buf.iter().any(|&b| b != 0));
        random_state().unwrap();
        assert_eq!(
            USED.load(Ordering::Relaxed),
            POOL_BYTES,
            "the pool was used"
        );
        assert!(POOL.iter().all(|b| b.load(Ordering::Relaxed) == 0));
    }

    #[test]
    fn tokens_are_base64url_256_bits_and_distinct() {
        let mut seen = HashSet::new();
        for _ in 0..1000 {
            let t = token_256().unwrap();
            assert_eq!(t.len(), 43);
            assert!(t
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
            assert_eq!(URL_SAFE_NO_PAD.decode(&t).unwrap().len(), 32);
            assert!(seen.insert(t));
        }
    }
}
